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

// An `Issue` (bilingual messages and a location) is the error value of reading
// a file; it is built once per bad file, so its size never matters.
#![allow(clippy::result_large_err)]

pub mod aggregate;
pub mod cli;
pub mod contract;
pub mod form;
pub mod ingest;
pub mod issue;
pub mod language;
pub mod ledger;
pub mod model;
pub mod render;
pub mod sample;
pub mod schema;
pub mod text;
pub mod validate;
pub mod watch;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

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
    check_paths_with_progress(config, paths, limits, &|_| {}, &|| {}, &StageClock::default())
}

/// [`check_paths`], telling `on_found` how many files there are, calling
/// `on_file` after each one (for a progress bar), and timing the stages on `clock`.
pub fn check_paths_with_progress(
    config: &Config,
    paths: &[PathBuf],
    limits: &Limits,
    on_found: &dyn Fn(usize),
    on_file: &(dyn Fn() + Sync),
    clock: &StageClock,
) -> Vec<FileReport> {
    let tz = config.calendar.timezone;
    let mut logs = Vec::new();
    let mut found = Vec::new();
    for root in paths {
        let log = if root.is_dir() { ingest::ReceivedLog::load(root, tz) } else { None };
        for f in ingest::discover(std::slice::from_ref(root)) {
            found.push((f, logs.len()));
        }
        logs.push(log);
    }
    on_found(found.len());
    found
        .par_iter()
        .map(|(f, root)| {
            let report = check_one(config, f, logs[*root].as_ref(), limits, tz, clock);
            on_file();
            report
        })
        .collect()
}

/// Checks files given one by one (for example versions kept in the archive),
/// each with the name it is reported under and, when known, its received time.
pub fn check_listed(
    config: &Config,
    files: &[(PathBuf, String, Option<chrono::DateTime<chrono_tz::Tz>>)],
    limits: &Limits,
    clock: &StageClock,
) -> Vec<FileReport> {
    let tz = config.calendar.timezone;
    files
        .par_iter()
        .map(|(path, display, received)| read_and_validate(config, path, display, limits, tz, *received, clock))
        .collect()
}

/// Time spent in each stage, summed over the threads that ran it.
#[derive(Debug, Default)]
pub struct StageClock {
    read_ns: AtomicU64,
    validate_ns: AtomicU64,
}

impl StageClock {
    /// Seconds spent reading files (all threads together).
    pub fn read_seconds(&self) -> f64 {
        self.read_ns.load(Ordering::Relaxed) as f64 / 1e9
    }

    /// Seconds spent validating (all threads together).
    pub fn validate_seconds(&self) -> f64 {
        self.validate_ns.load(Ordering::Relaxed) as f64 / 1e9
    }
}

fn elapsed_ns(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

fn check_one(
    config: &Config,
    f: &ingest::Found,
    log: Option<&ingest::ReceivedLog>,
    limits: &Limits,
    tz: chrono_tz::Tz,
    clock: &StageClock,
) -> FileReport {
    if log.is_some() && f.display == ingest::RECEIVED_LOG {
        return ignored_report(f, received_log_issue(f, log));
    }
    match &f.kind {
        FoundKind::Ignored(issue) => ignored_report(f, issue.clone()),
        FoundKind::Workbook => {
            let received = log.and_then(|l| l.times.get(&f.display).copied());
            read_and_validate(config, &f.path, &f.display, limits, tz, received, clock)
        }
    }
}

fn read_and_validate(
    config: &Config,
    path: &std::path::Path,
    display: &str,
    limits: &Limits,
    tz: chrono_tz::Tz,
    received: Option<chrono::DateTime<chrono_tz::Tz>>,
    clock: &StageClock,
) -> FileReport {
    let start = Instant::now();
    let read = ingest::read_file(path, display, limits, tz, received);
    clock.read_ns.fetch_add(elapsed_ns(start), Ordering::Relaxed);
    let start = Instant::now();
    let report = match read.result {
        Ok(workbook) => validate::validate(config, read.meta, &workbook),
        Err(issue) => validate::unreadable(read.meta, issue),
    };
    clock.validate_ns.fetch_add(elapsed_ns(start), Ordering::Relaxed);
    report
}

fn ignored_report(f: &ingest::Found, issue: issue::Issue) -> FileReport {
    // A file that could not even be listed (permissions) is a rejection, not a skip.
    let status = if issue.severity == issue::Severity::Error { FileStatus::Rejected } else { FileStatus::Ignored };
    FileReport {
        file: FileMeta { path: f.display.clone(), size: 0, sha256: String::new(), received: None },
        format: None,
        status,
        issues: vec![issue],
        submission: None,
        read_values: Vec::new(),
        unit: None,
        week: None,
    }
}

fn received_log_issue(f: &ingest::Found, log: Option<&ingest::ReceivedLog>) -> issue::Issue {
    let (count, bad) = log.map(|l| (l.times.len(), l.bad_lines.clone())).unwrap_or_default();
    let mut vi = format!("Sổ ghi thời điểm nhận tệp: {count} dòng được dùng để xác định đúng hạn, trễ hạn.");
    let mut en = format!("Received-times log: {count} entries used for timeliness.");
    if !bad.is_empty() {
        let lines: Vec<String> = bad.iter().map(usize::to_string).collect();
        vi.push_str(&format!(" Không đọc được các dòng: {}.", lines.join(", ")));
        en.push_str(&format!(" Unreadable lines: {}.", lines.join(", ")));
    }
    issue::Issue::new(issue::Code::ReceivedLogFile, issue::Location::file(&f.display)).message(vi, en).hint(
        "Mỗi dòng: đường dẫn tệp, một dấu tab, thời điểm dạng 2025-09-08T09:15:00+07:00.",
        "One line per file: its path, a tab, and a time such as 2025-09-08T09:15:00+07:00.",
    )
}
