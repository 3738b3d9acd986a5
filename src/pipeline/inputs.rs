//! What a run reads: the inputs folder listed, or every version the ledger
//! recorded, read from the archive; and when each file was received (the
//! ledger's first sight, then `received.tsv`, then the modification time).

use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::ingest::{self, FoundKind};
use crate::issue::{self, Issue};
use crate::ledger::{self, Ledger};
use crate::model::{FileMeta, FileReport, FileStatus};
use crate::schema::Config;

/// Where a run's files come from.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The inputs folder.
    pub inputs: PathBuf,
    /// The state folder of `watch` (ledger and archive), when there is one.
    pub state: Option<PathBuf>,
    /// Read every version from the archive instead of the inputs folder.
    pub from_archive: bool,
}

/// A workbook to read: where its bytes are, the name it is reported under,
/// and its received time when known (from a received-times log or the ledger).
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub display: String,
    pub received: Option<DateTime<Tz>>,
}

/// An input as a run lists it: settled already (an ignored file, the
/// received-times log, a file over the size limit) or a workbook to read.
#[derive(Debug, Clone)]
pub enum Listed {
    Settled(Box<FileReport>),
    Workbook(Source),
}

/// The inputs of a folder, in discovery order.
///
/// ```
/// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
/// let listed = tonghop::pipeline::list_folder(&config, std::path::Path::new("inputs"));
/// assert!(listed.iter().any(|l| matches!(l, tonghop::pipeline::Listed::Workbook(_))));
/// ```
pub fn list_folder(config: &Config, root: &Path) -> Vec<Listed> {
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

/// The inputs of a run (the folder listed, or with `from_archive` every version
/// in the ledger), and the ledger when there is one.
pub(super) fn list_sources(config: &Config, sources: &Sources) -> Result<(Vec<Listed>, Option<Ledger>)> {
    let ledger = match &sources.state {
        Some(dir) if dir.join(ledger::DATABASE).exists() || sources.from_archive => Some(Ledger::open(dir)?),
        _ => None,
    };
    let listed = if sources.from_archive {
        archive_listing(config, ledger.as_ref().ok_or(Error::ArchiveWithoutState)?)?
    } else if sources.inputs.is_dir() {
        list_folder(config, &sources.inputs)
    } else {
        return Err(Error::NoInputs { path: sources.inputs.clone() });
    };
    Ok((listed, ledger))
}

/// A file of the inputs folder that the ledger saw first counts as received then.
pub(super) fn received_from_ledger(
    config: &Config,
    sources: &Sources,
    ledger: Option<&Ledger>,
    reports: &mut [FileReport],
) {
    let Some(ledger) = ledger.filter(|_| !sources.from_archive) else { return };
    for r in reports {
        if let Ok(Some(first)) = ledger.first_seen(&r.file.path, &r.file.sha256) {
            r.file.received = Some(first.with_timezone(&config.calendar.timezone));
        }
    }
}

/// Every version the ledger recorded, read from the archive. A version over the
/// size limit was recorded without being archived: its report comes from its size.
fn archive_listing(config: &Config, ledger: &Ledger) -> Result<Vec<Listed>> {
    let tz = config.calendar.timezone;
    let entries = ledger.entries()?;
    Ok(entries
        .iter()
        .map(|e| {
            let received = Some(e.first_seen.with_timezone(&tz));
            if e.size > config.limits.max_file_bytes {
                let report = too_large_report(config, &e.path, e.size, e.sha256.clone(), received);
                return Listed::Settled(Box::new(report));
            }
            let ext = Path::new(&e.path).extension().and_then(|x| x.to_str()).unwrap_or("bin");
            Listed::Workbook(Source { path: ledger.archive_path(&e.sha256, ext), display: e.path.clone(), received })
        })
        .collect())
}

/// The report of a file over the configured size limit, made from its size
/// alone: its bytes are never loaded (`F006`).
pub fn too_large_report(
    config: &Config,
    display: &str,
    size: u64,
    sha256: String,
    received: Option<DateTime<Tz>>,
) -> FileReport {
    let issue = ingest::file_too_large(&issue::Location::file(display), size, &config.limits);
    crate::validate::unreadable(FileMeta { path: display.to_string(), size, sha256, received }, issue)
}

fn ignored_report(f: &ingest::Found, issue: Issue) -> FileReport {
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

fn received_log_issue(f: &ingest::Found, log: Option<&ingest::ReceivedLog>) -> Issue {
    let (count, bad) = log.map(|l| (l.times.len(), l.bad_lines.clone())).unwrap_or_default();
    let mut vi = format!("Sổ ghi thời điểm nhận tệp: {count} dòng được dùng để xác định đúng hạn, trễ hạn.");
    let mut en = format!("Received-times log: {count} entries used for timeliness.");
    if !bad.is_empty() {
        let lines: Vec<String> = bad.iter().map(usize::to_string).collect();
        vi.push_str(&format!(" Không đọc được các dòng: {}.", lines.join(", ")));
        en.push_str(&format!(" Unreadable lines: {}.", lines.join(", ")));
    }
    Issue::new(issue::Code::ReceivedLogFile, issue::Location::file(&f.display)).message(vi, en).hint(
        "Mỗi dòng: đường dẫn tệp, một dấu tab, thời điểm dạng 2025-09-08T09:15:00+07:00.",
        "One line per file: its path, a tab, and a time such as 2025-09-08T09:15:00+07:00.",
    )
}
