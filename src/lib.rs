//! tonghop — the reporting aggregator of the Ministry of Home Affairs for the
//! two-level local government model.
//!
//! The program is a one-way pipeline, one module per stage:
//!
//! 1. [`schema`] — criteria, units and calendar, from `report_templates/`;
//! 2. [`form`] — the weekly workbook reporters fill in;
//! 3. [`ingest`] — finding and reading the dropped files, defensively;
//! 4. [`validate`] — checking each file and locating every problem;
//!
//! with [`model`] holding the data that flows between stages and [`issue`] the
//! catalogue of problems. [`cli`] wires the stages into commands.

pub mod cli;
pub mod contract;
pub mod form;
pub mod ingest;
pub mod issue;
pub mod model;
pub mod sample;
pub mod schema;
pub mod text;
pub mod validate;

use std::path::PathBuf;

use rayon::prelude::*;

use crate::ingest::{FoundKind, Limits};
use crate::model::{FileMeta, FileReport, FileStatus};
use crate::schema::Config;

/// Finds, reads and validates every file under `paths`, in parallel, keeping
/// the discovery order. Ignored files get a report too (status `ignored`).
///
/// ```
/// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
/// let reports = tonghop::check_paths(&config, &["inputs".into()], &Default::default());
/// assert!(reports.iter().all(|r| !r.file.path.is_empty()));
/// ```
pub fn check_paths(config: &Config, paths: &[PathBuf], limits: &Limits) -> Vec<FileReport> {
    let found = ingest::discover(paths);
    let tz = config.calendar.timezone;
    found
        .par_iter()
        .map(|f| match &f.kind {
            FoundKind::Ignored(issue) => FileReport {
                file: FileMeta { path: f.display.clone(), size: 0, sha256: String::new(), received: None },
                format: None,
                status: FileStatus::Ignored,
                issues: vec![issue.clone()],
                submission: None,
                unit: None,
                week: None,
            },
            FoundKind::Workbook => {
                let read = ingest::read_file(&f.path, &f.display, limits, tz);
                match read.result {
                    Ok(workbook) => validate::validate(config, read.meta, &workbook),
                    Err(issue) => validate::unreadable(read.meta, issue),
                }
            }
        })
        .collect()
}
