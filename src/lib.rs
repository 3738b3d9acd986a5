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

use crate::ingest::FoundKind;
use crate::model::{FileMeta, FileReport, FileStatus};
use crate::schema::Config;

/// Finds, reads and validates every file under `paths`, in parallel, keeping
/// the discovery order, within the configuration's resource limits. Ignored
/// files get a report too (status `ignored`).
///
/// ```
/// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
/// let reports = tonghop::check_paths(&config, &["inputs".into()]);
/// assert!(reports.iter().all(|r| !r.file.path.is_empty()));
/// ```
pub fn check_paths(config: &Config, paths: &[PathBuf]) -> Vec<FileReport> {
    check_paths_with_progress(config, paths, &|_| {}, &|| {}, &StageClock::default())
}

/// [`check_paths`], telling `on_found` how many files there are, calling
/// `on_file` after each one (for a progress bar), and timing the stages on `clock`.
pub fn check_paths_with_progress(
    config: &Config,
    paths: &[PathBuf],
    on_found: &dyn Fn(usize),
    on_file: &(dyn Fn() + Sync),
    clock: &StageClock,
) -> Vec<FileReport> {
    let listed: Vec<Listed> = paths.iter().flat_map(|p| list_folder(config, p)).collect();
    on_found(listed.len());
    listed
        .par_iter()
        .map(|item| {
            let report = check_input(config, item, clock);
            on_file();
            report
        })
        .collect()
}

/// Checks listed inputs (for example the versions kept in the archive): the
/// settled ones as they are, the workbooks read and validated in parallel.
pub fn check_listed(config: &Config, listed: &[Listed], clock: &StageClock) -> Vec<FileReport> {
    listed.par_iter().map(|item| check_input(config, item, clock)).collect()
}

/// Checks one listed input: a settled one as it is, a workbook read and validated.
pub fn check_input(config: &Config, item: &Listed, clock: &StageClock) -> FileReport {
    match item {
        Listed::Settled(report) => report.as_ref().clone(),
        Listed::Workbook(s) => {
            read_and_validate(config, &s.path, &s.display, config.calendar.timezone, s.received, clock)
        }
    }
}

/// The report of a file over the configured size limit, made from its size
/// alone: its bytes are never loaded (`F006`).
pub fn too_large_report(
    config: &Config,
    display: &str,
    size: u64,
    sha256: String,
    received: Option<chrono::DateTime<chrono_tz::Tz>>,
) -> FileReport {
    let issue = ingest::file_too_large(&issue::Location::file(display), size, &config.limits);
    validate::unreadable(FileMeta { path: display.to_string(), size, sha256, received }, issue)
}

/// A workbook to read: where its bytes are, the name it is reported under,
/// and its received time when known (from a received-times log or the ledger).
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub display: String,
    pub received: Option<chrono::DateTime<chrono_tz::Tz>>,
}

/// An input as a build lists it: settled already (an ignored file, the
/// received-times log) or a workbook to read.
#[derive(Debug, Clone)]
pub enum Listed {
    Settled(Box<FileReport>),
    Workbook(Source),
}

/// The inputs of a folder, in discovery order.
///
/// ```
/// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
/// let listed = tonghop::list_folder(&config, std::path::Path::new("inputs"));
/// assert!(listed.iter().any(|l| matches!(l, tonghop::Listed::Workbook(_))));
/// ```
pub fn list_folder(config: &Config, root: &std::path::Path) -> Vec<Listed> {
    let tz = config.calendar.timezone;
    let log = if root.is_dir() { ingest::ReceivedLog::load(root, tz) } else { None };
    ingest::discover(std::slice::from_ref(&root.to_path_buf()))
        .into_iter()
        .map(|f| {
            if log.is_some() && f.display == ingest::RECEIVED_LOG {
                return Listed::Settled(Box::new(ignored_report(&f, received_log_issue(&f, log.as_ref()))));
            }
            match &f.kind {
                FoundKind::Ignored(issue) => Listed::Settled(Box::new(ignored_report(&f, issue.clone()))),
                FoundKind::Workbook => {
                    let received = log.as_ref().and_then(|l| l.times.get(&f.display).copied());
                    Listed::Workbook(Source { path: f.path, display: f.display, received })
                }
            }
        })
        .collect()
}

/// What a build read for one cycle.
pub struct CycleReports {
    /// The cycle, resolved from the user's choice and the files.
    pub cycle: aggregate::CycleSpec,
    /// Reports of the files the cycle's summary may use, of every file whose
    /// unit or week could not be told, and of the settled files; in listing order.
    pub reports: Vec<FileReport>,
    /// Files identified by their general-information sheet as reports of weeks
    /// the summary does not use, and therefore not validated further.
    pub not_needed: usize,
}

/// A file read only as far as its general-information sheet.
struct Identified {
    source: usize,
    unit: String,
    week: model::ReportWeek,
}

/// Reads what the summary of one cycle needs, and no more.
///
/// Every workbook's general-information sheet is read, which tells its unit and
/// week; the rest of a workbook is read and validated only when its week may
/// count ([`aggregate::weeks_needed`], then older weeks for units whose
/// data-quality history is short, [`aggregate::history_short`]). For
/// [`aggregate::CycleChoice::Latest`], the latest meeting is found first, from
/// the identified weeks and the files that turn out to be accepted. The
/// summary is the one every file fully validated would give; only the list of
/// files it shows is limited to those read.
pub fn read_for_cycle(
    config: &Config,
    listed: &[Listed],
    choice: &aggregate::CycleChoice,
    clock: &StageClock,
    on_file: &(dyn Fn() + Sync),
) -> Result<CycleReports, aggregate::CycleError> {
    let calendar = &config.calendar;
    let planned = match choice {
        aggregate::CycleChoice::Latest => None,
        other => Some(aggregate::resolve_cycle(calendar, other, &[])?),
    };
    let needed = planned.as_ref().map(|c| aggregate::weeks_needed(config, c));
    let first: Vec<Result<FileReport, Identified>> = listed
        .par_iter()
        .enumerate()
        .map(|(i, listed)| {
            let read = match listed {
                Listed::Settled(report) => Ok(report.as_ref().clone()),
                Listed::Workbook(source) => read_staged(config, i, source, clock, &|week| {
                    needed.as_ref().is_some_and(|n| n.contains(&week.due))
                }),
            };
            on_file();
            read
        })
        .collect();
    // Each report with its listing position (`order`), so that the final
    // order never depends on what was read when.
    let mut reports = Vec::new();
    let mut order = Vec::new();
    let mut pending = Vec::new();
    for (i, read) in first.into_iter().enumerate() {
        match read {
            Ok(report) => {
                reports.push(report);
                order.push(i);
            }
            Err(identified) => pending.push(identified),
        }
    }
    // Reads and validates the pending files `wanted` picks; false when there were none.
    let complete = |reports: &mut Vec<FileReport>,
                    order: &mut Vec<usize>,
                    pending: &mut Vec<Identified>,
                    wanted: &dyn Fn(&Identified) -> bool| {
        let (now, later): (Vec<Identified>, Vec<Identified>) =
            std::mem::take(pending).into_iter().partition(|p| wanted(p));
        *pending = later;
        let read: Vec<(usize, FileReport)> =
            now.par_iter().map(|p| (p.source, check_input(config, &listed[p.source], clock))).collect();
        let any = !read.is_empty();
        for (i, report) in read {
            reports.push(report);
            order.push(i);
        }
        any
    };
    let cycle = match planned {
        Some(cycle) => cycle,
        None => loop {
            // The latest meeting that has an accepted report, or files not yet validated.
            let candidate = pending
                .iter()
                .map(|p| p.week)
                .chain(reports.iter().filter(|r| r.submission.is_some()).filter_map(|r| r.week))
                .filter_map(|w| calendar.meeting_for_week(&w))
                .max();
            let Some(meeting) = candidate else { break aggregate::resolve_cycle(calendar, choice, &reports)? };
            let in_meeting = |p: &Identified| calendar.meeting_for_week(&p.week) == Some(meeting);
            if !complete(&mut reports, &mut order, &mut pending, &in_meeting) {
                break aggregate::resolve_cycle(calendar, &aggregate::CycleChoice::Meeting(meeting), &reports)?;
            }
        },
    };
    let needed = aggregate::weeks_needed(config, &cycle);
    complete(&mut reports, &mut order, &mut pending, &|p| needed.contains(&p.week.due));
    if let Some(start) = cycle.weeks.first().map(|w| w.due) {
        loop {
            // One more week for each unit whose history is short, the most recent first.
            let mut more = std::collections::BTreeSet::new();
            for unit in aggregate::history_short(config, &cycle, &reports) {
                let week = pending.iter().filter(|p| p.unit == unit && p.week.due < start).map(|p| p.week.due).max();
                if let Some(due) = week {
                    more.insert((unit, due));
                }
            }
            let wanted = |p: &Identified| more.contains(&(p.unit.clone(), p.week.due));
            if more.is_empty() || !complete(&mut reports, &mut order, &mut pending, &wanted) {
                break;
            }
        }
    }
    let mut ordered: Vec<(usize, FileReport)> = order.into_iter().zip(reports).collect();
    ordered.sort_by_key(|(i, _)| *i);
    Ok(CycleReports { cycle, reports: ordered.into_iter().map(|(_, r)| r).collect(), not_needed: pending.len() })
}

/// Reads one workbook's general-information sheet and, when `wanted` says its
/// week may count (or its unit or week cannot be told), the rest of it.
fn read_staged(
    config: &Config,
    index: usize,
    source: &Source,
    clock: &StageClock,
    wanted: &(dyn Fn(&model::ReportWeek) -> bool + Sync),
) -> Result<FileReport, Identified> {
    let start = Instant::now();
    let mut identity = None;
    let read = ingest::read_file_staged(
        &source.path,
        &source.display,
        &config.limits,
        config.calendar.timezone,
        source.received,
        Some(&mut |meta: &FileMeta, workbook: &model::RawWorkbook| match validate::identify(config, meta, workbook) {
            Some((unit, week)) if !wanted(&week) => {
                identity = Some((unit, week));
                false
            }
            _ => true,
        }),
    );
    clock.read_ns.fetch_add(elapsed_ns(start), Ordering::Relaxed);
    if let (Ok(workbook), Some((unit, week))) = (&read.result, identity)
        && workbook.info_only
    {
        return Err(Identified { source: index, unit, week });
    }
    let start = Instant::now();
    let report = match read.result {
        Ok(workbook) => validate::validate(config, read.meta, &workbook),
        Err(issue) => validate::unreadable(read.meta, issue),
    };
    clock.validate_ns.fetch_add(elapsed_ns(start), Ordering::Relaxed);
    Ok(report)
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

fn read_and_validate(
    config: &Config,
    path: &std::path::Path,
    display: &str,
    tz: chrono_tz::Tz,
    received: Option<chrono::DateTime<chrono_tz::Tz>>,
    clock: &StageClock,
) -> FileReport {
    let start = Instant::now();
    let read = ingest::read_file(path, display, &config.limits, tz, received);
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
