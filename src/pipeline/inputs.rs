//! What a run reads: the inputs folder listed, or every version the ledger
//! recorded, read from the archive; and when each file was received (the
//! ledger's first sight, then `received.tsv`, then the modification time).

use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::ingest::{self, FoundKind, LineProblem, LogFile};
use crate::issue::{self, Issue};
use crate::ledger::{self, ArchiveProblem, ArchiveProblemKind, Ledger};
use crate::model::{FileMeta, FileReport, FileStatus};
use crate::schema::{Config, UnitSubFolder};

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
    /// The unit whose folder holds the folder listed (`check` run on one
    /// unit's folder), when `display` itself names none.
    pub owner: Option<String>,
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
    let log = if root.is_dir() { ingest::ReceivedLog::load(root, tz) } else { LogFile::Absent };
    let times = match &log {
        LogFile::Read(read) => Some(&read.times),
        _ => None,
    };
    let owner = folder_owner(config, root);
    discover_inputs(config, root)
        .into_iter()
        .map(|f| {
            if f.display == ingest::RECEIVED_LOG
                && let Some(report) = received_log_report(&f, &log)
            {
                return Listed::Settled(Box::new(report));
            }
            match &f.kind {
                FoundKind::Ignored(issue) => Listed::Settled(Box::new(ignored_report(&f, issue.clone()))),
                FoundKind::Workbook => {
                    let received = times.and_then(|t| t.get(&f.display).copied());
                    Listed::Workbook(Source { path: f.path, display: f.display, received, owner: owner.clone() })
                }
            }
        })
        .collect()
}

/// The files under `root` (a folder walked, or a file as given): the forms
/// and receipts folders of the units' folders laid out by `tonghop init` are
/// reported once (`I009`) and never entered, so that a blank form is never
/// read as a report and a receipt written there is never an input (nor, for
/// `watch`, a change to look at); the how-to beside them is reported likewise.
pub fn discover_inputs(config: &Config, root: &Path) -> Vec<ingest::Found> {
    ingest::discover_skipping(std::slice::from_ref(&root.to_path_buf()), &|entry, is_dir| {
        unit_layout_entry(config, entry, is_dir)
    })
}

/// The issue of a unit's forms or receipts folder or how-to, or `None` for any other entry.
fn unit_layout_entry(config: &Config, entry: &Path, is_dir: bool) -> Option<Issue> {
    let name = entry.file_name()?.to_string_lossy();
    let parent = entry.parent()?.file_name()?.to_string_lossy();
    let (vi, en) = match config.layout.unit_sub_folder(&config.units, &parent, &name, is_dir)? {
        UnitSubFolder::Forms => (
            "Thư mục biểu mẫu trống của đơn vị: không đọc như báo cáo. Báo cáo đã điền lưu vào thư mục của đơn vị, ngoài thư mục này.",
            "The unit's folder of blank forms: not read as reports. A filled report is saved in the unit's folder, outside this one.",
        ),
        UnitSubFolder::Receipts => (
            "Thư mục phiếu tiếp nhận của đơn vị (do chương trình ghi): không đọc.",
            "The unit's folder of receipts (written by the program): not read.",
        ),
        UnitSubFolder::Guide => ("Tệp hướng dẫn của đơn vị: không đọc.", "The unit's how-to: not read."),
    };
    Some(Issue::new(issue::Code::UnitLayoutFolder, issue::Location::file(entry.display().to_string())).message(vi, en))
}

/// The unit whose folder holds `root` (or is it): `check` run on one unit's
/// folder judges a report in another unit's name as a build of the whole
/// shared folder would.
fn folder_owner(config: &Config, root: &Path) -> Option<String> {
    let absolute = std::fs::canonicalize(root).ok()?;
    let mut folders: Vec<&std::ffi::OsStr> = absolute.iter().collect();
    if root.is_file() {
        folders.pop();
    }
    folders
        .iter()
        .rev()
        .filter_map(|name| name.to_str())
        .find_map(|name| config.layout.unit_of_folder(&config.units, name).map(|u| u.code.clone()))
}

/// The inputs of a run (the folder listed, or with `from_archive` every version
/// in the ledger), and the ledger when there is one, opened for reading only:
/// a run that only reads works on a state folder it may not write.
pub(super) fn list_sources(config: &Config, sources: &Sources) -> Result<(Vec<Listed>, Option<Ledger>)> {
    if let Some(dir) = &sources.state {
        // Received times come from the ledger: one that was lost is said, not ignored.
        ledger::refuse_if_lost(dir)?;
    }
    let ledger = match &sources.state {
        Some(dir) if dir.join(ledger::DATABASE).exists() || sources.from_archive => Some(Ledger::open_read_only(dir)?),
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
/// size limit was recorded without being archived: its report comes from its
/// size. An archived copy is checked against its hash before it is listed: a
/// copy missing or altered is reported (`F012`), never read.
fn archive_listing(config: &Config, ledger: &Ledger) -> Result<Vec<Listed>> {
    let tz = config.calendar.timezone;
    let all = ledger.entries()?;
    let read_since = unreadable_then_read(&all);
    let entries: Vec<&ledger::Entry> =
        all.iter().enumerate().filter(|(i, _)| !read_since.contains(i)).map(|(_, e)| e).collect();
    let archive = ledger.archive();
    Ok(entries
        .par_iter()
        .map(|e| {
            let received = Some(e.first_seen.with_timezone(&tz));
            if e.sha256 == ledger::NOT_READ {
                let meta = FileMeta { path: e.path.clone(), size: e.size, sha256: String::new(), received };
                let report = crate::validate::unreadable(meta, not_read_on_arrival(&e.path));
                return Listed::Settled(Box::new(report));
            }
            if e.size > config.limits.max_file_bytes {
                let report = too_large_report(config, &e.path, e.size, e.sha256.clone(), received);
                return Listed::Settled(Box::new(report));
            }
            let ext = Path::new(&e.path).extension().and_then(|x| x.to_str()).unwrap_or("bin");
            match archive.checked_copy(&e.sha256, ext) {
                Ok(path) => Listed::Workbook(Source { path, display: e.path.clone(), received, owner: None }),
                Err(problem) => {
                    let meta = FileMeta { path: e.path.clone(), size: e.size, sha256: e.sha256.clone(), received };
                    let issue = archive_mismatch(&e.path, &e.sha256, &problem);
                    Listed::Settled(Box::new(crate::validate::unreadable(meta, issue)))
                }
            }
        })
        .collect())
}

/// The positions of the records of a file unreadable when it arrived that a
/// later record of the same path, read, stands for: once read, the file is
/// its version, and the failed attempt is history (kept in the ledger).
fn unreadable_then_read(entries: &[ledger::Entry]) -> std::collections::HashSet<usize> {
    let mut read_later = std::collections::HashSet::new();
    let mut superseded = std::collections::HashSet::new();
    // Oldest first: walked back, a read record is met before the attempts it follows.
    for (i, e) in entries.iter().enumerate().rev() {
        if e.sha256 != ledger::NOT_READ {
            read_later.insert(e.path.as_str());
        } else if read_later.contains(e.path.as_str()) {
            superseded.insert(i);
        }
    }
    superseded
}

/// The issue of a file `watch` could not read when it arrived, and has not read since.
fn not_read_on_arrival(display: &str) -> Issue {
    Issue::new(issue::Code::Unreadable, issue::Location::file(display))
        .message(
            "Không đọc được tệp khi nhận (không có quyền đọc hoặc lỗi đọc); tệp sẽ được tiếp nhận ngay khi đọc được.",
            "The file could not be read when it arrived (no permission, or a read error); it will be received as soon as it can be read.",
        )
        .hint(
            "Kiểm tra quyền truy cập tệp và thư mục dùng chung (tài khoản của dịch vụ phải đọc được tệp), hoặc chép lại tệp.",
            "Check the permissions of the file and the shared folder (the service's account must be able to read it), or copy the file again.",
        )
}

/// Read from the archive, a report whose bytes are not a version the ledger
/// recorded for its path (the copy changed after it was checked) is replaced
/// by the report of that mismatch: those bytes are never used.
pub(super) fn verify_archive_reads(
    sources: &Sources,
    ledger: Option<&Ledger>,
    reports: &mut [FileReport],
) -> Result<()> {
    let Some(ledger) = ledger.filter(|_| sources.from_archive) else { return Ok(()) };
    for report in reports.iter_mut().filter(|r| !r.file.sha256.is_empty()) {
        if !ledger.knows(&report.file.path, &report.file.sha256)? {
            let issue = archive_read_unrecorded(&report.file.path, &report.file.sha256);
            *report = crate::validate::unreadable(report.file.clone(), issue);
        }
    }
    Ok(())
}

/// The issue of an archived copy that is not the version filed under its hash.
fn archive_mismatch(display: &str, expected: &str, problem: &ArchiveProblem) -> Issue {
    let copy = problem.path.display();
    let (vi, en) = match &problem.kind {
        ArchiveProblemKind::Missing => {
            (format!("Bản lưu {copy} không còn trong kho."), format!("The archived copy {copy} is missing."))
        }
        ArchiveProblemKind::NotRegular => (
            format!("Bản lưu {copy} không phải tệp thông thường (liên kết?); không đọc."),
            format!("The archived copy {copy} is not a regular file (a link?); not read."),
        ),
        ArchiveProblemKind::Unreadable(e) => {
            (format!("Không đọc được bản lưu {copy} ({e})."), format!("The archived copy {copy} cannot be read ({e})."))
        }
        ArchiveProblemKind::Altered { found } => (
            format!(
                "Bản lưu {copy} đã bị thay đổi: mã băm {found}, không phải {expected} như đã ghi khi nhận; không dùng."
            ),
            format!(
                "The archived copy {copy} has changed: its SHA-256 is {found}, not {expected} as recorded on receipt; not used."
            ),
        ),
    };
    Issue::new(issue::Code::ArchiveMismatch, issue::Location::file(display))
        .message(vi, en)
        .hint(ARCHIVE_HINT.0, ARCHIVE_HINT.1)
}

/// The issue of bytes read from the archive that are no version the ledger
/// recorded for the file (the copy changed between its check and its read).
fn archive_read_unrecorded(display: &str, found: &str) -> Issue {
    Issue::new(issue::Code::ArchiveMismatch, issue::Location::file(display))
        .message(
            format!("Nội dung đọc từ kho (mã băm {found}) không phải phiên bản nào đã ghi cho tệp này; không dùng."),
            format!(
                "The bytes read from the archive (SHA-256 {found}) are no version recorded for this file; not used."
            ),
        )
        .hint(ARCHIVE_HINT.0, ARCHIVE_HINT.1)
}

const ARCHIVE_HINT: (&str, &str) = (
    "Khôi phục thư mục kho lưu (state/archive) từ bản sao lưu, hoặc đề nghị đơn vị nộp lại tệp.",
    "Restore the archive folder (state/archive) from a backup, or ask the unit to submit the file again.",
);

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
        supersedes: None,
    }
}

/// The report of the received-times log: how many entries are used and each
/// line that is not (ignored: it is not a workbook), or why it could not be
/// read at all (rejected, so that it is not overlooked). `None` when there is
/// no log to report on (a link in its place is reported as a link).
fn received_log_report(f: &ingest::Found, log: &LogFile) -> Option<FileReport> {
    let mut issues = received_log_issues(&f.display, log).into_iter();
    let mut report = ignored_report(f, issues.next()?);
    report.issues.extend(issues);
    Some(report)
}

/// What there is to say about the log: its summary (or why it cannot be
/// read) first, then each line not used. Nothing when there is no log.
fn received_log_issues(display: &str, log: &LogFile) -> Vec<Issue> {
    let location = issue::Location::file(display);
    match log {
        LogFile::Absent => Vec::new(),
        LogFile::Unreadable(e) => vec![received_log_unreadable(location, e)],
        LogFile::Read(read) => std::iter::once(received_log_issue(location.clone(), read))
            .chain(read.bad_lines.iter().map(|bad| bad_line_issue(location.clone(), bad)))
            .collect(),
    }
}

/// When the files already in a folder as `watch` starts count as received,
/// as `build` counts them: the time the received-times log gives, otherwise
/// the modification time. (For a version it knows, the ledger's first sight
/// comes first, and `watch` does not receive it again.)
pub struct ReceivedBeforeStart {
    times: std::collections::HashMap<String, DateTime<Tz>>,
    tz: Tz,
    /// The log's summary and problems, to be said when `watch` starts.
    pub log_issues: Vec<Issue>,
}

impl ReceivedBeforeStart {
    pub fn load(config: &Config, root: &Path) -> ReceivedBeforeStart {
        let tz = config.calendar.timezone;
        let log = ingest::ReceivedLog::load(root, tz);
        let log_issues = received_log_issues(ingest::RECEIVED_LOG, &log);
        let times = match log {
            LogFile::Read(read) => read.times,
            _ => Default::default(),
        };
        ReceivedBeforeStart { times, tz, log_issues }
    }

    /// The received time of the file `display`, modified at `modified`.
    pub fn time(&self, display: &str, modified: Option<std::time::SystemTime>) -> Option<DateTime<Tz>> {
        let modified = modified.map(|t| DateTime::<chrono::Utc>::from(t).with_timezone(&self.tz));
        self.times.get(display).copied().or(modified)
    }
}

fn received_log_issue(location: issue::Location, log: &ingest::ReceivedLog) -> Issue {
    let count = log.times.len();
    let mut vi = format!("Sổ ghi thời điểm nhận tệp: {count} dòng được dùng để xác định đúng hạn, trễ hạn.");
    let mut en = format!("Received-times log: {count} entries used for timeliness.");
    if !log.bad_lines.is_empty() {
        let lines: Vec<String> = log.bad_lines.iter().map(|b| b.line.to_string()).collect();
        vi.push_str(&format!(" Không dùng được các dòng: {}.", lines.join(", ")));
        en.push_str(&format!(" Lines not used: {}.", lines.join(", ")));
    }
    Issue::new(issue::Code::ReceivedLogFile, location).message(vi, en).hint(
        "Mỗi dòng: đường dẫn tệp, một dấu tab, thời điểm dạng 2025-09-08T09:15:00+07:00.",
        "One line per file: its path, a tab, and a time such as 2025-09-08T09:15:00+07:00.",
    )
}

/// What a line of the log holds, and how to save it.
const LOG_LINE_HINT: (&str, &str) = (
    "Mỗi dòng: đường dẫn tệp, một dấu tab, thời điểm dạng 2025-09-08T09:15:00+07:00; lưu tệp dạng UTF-8.",
    "One line per file: its path, a tab, and a time such as 2025-09-08T09:15:00+07:00; save the file as UTF-8.",
);

/// One line of the log that is not used, with its number and why (`I008`).
fn bad_line_issue(location: issue::Location, bad: &ingest::BadLine) -> Issue {
    let n = bad.line;
    let (vi, en) = match &bad.problem {
        LineProblem::NotUtf8 { column } => (
            format!(
                "Dòng {n}: byte thứ {column} không phải văn bản UTF-8 (có thể lưu bằng bảng mã cũ); dòng không được dùng."
            ),
            format!(
                "Line {n}: byte {column} is not UTF-8 text (perhaps saved in a legacy encoding); the line is not used."
            ),
        ),
        LineProblem::NoTab => (
            format!("Dòng {n}: không có dấu tab giữa đường dẫn và thời điểm; dòng không được dùng."),
            format!("Line {n}: no tab between the path and the time; the line is not used."),
        ),
        LineProblem::EmptyPath => (
            format!("Dòng {n}: thiếu đường dẫn tệp trước dấu tab; dòng không được dùng."),
            format!("Line {n}: no file path before the tab; the line is not used."),
        ),
        LineProblem::BadTime { text } => (
            format!("Dòng {n}: «{text}» không phải thời điểm dạng RFC 3339; dòng không được dùng."),
            format!("Line {n}: \"{text}\" is not an RFC 3339 time; the line is not used."),
        ),
        LineProblem::Duplicate { path, first_line } => (
            format!(
                "Dòng {n}: tệp «{path}» đã ghi ở dòng {first_line}; dùng thời điểm của dòng {first_line} (lần ghi nhận đầu tiên)."
            ),
            format!(
                "Line {n}: \"{path}\" is already listed on line {first_line}; the time of line {first_line} (the first record of its receipt) is used."
            ),
        ),
    };
    Issue::new(issue::Code::ReceivedLogLine, location).message(vi, en).hint(LOG_LINE_HINT.0, LOG_LINE_HINT.1)
}

/// A log the system would not let us read: every file's modification time is used instead.
fn received_log_unreadable(location: issue::Location, e: &std::io::Error) -> Issue {
    Issue::new(issue::Code::Unreadable, location)
        .message(
            format!("Không đọc được sổ ghi thời điểm nhận tệp ({e}); thời điểm sửa đổi của từng tệp được dùng thay."),
            format!("The received-times log cannot be read ({e}); each file's modification time is used instead."),
        )
        .hint("Kiểm tra quyền đọc tệp received.tsv.", "Check the permissions of received.tsv.")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn report(path: &str, sha256: &str) -> FileReport {
        let meta = FileMeta { path: path.into(), size: 1, sha256: sha256.into(), received: None };
        crate::validate::unreadable(meta, Issue::new(issue::Code::ReadFailed, issue::Location::file(path)))
    }

    /// Bytes that changed between the check of the archived copy and its read
    /// are caught on the report: they are no version the ledger recorded.
    #[test]
    fn a_report_read_from_the_archive_must_be_a_recorded_version() {
        let state = tempfile::tempdir().expect("tmp");
        let mut ledger = Ledger::open(state.path()).expect("ledger");
        let seen = chrono_tz::Asia::Ho_Chi_Minh.with_ymd_and_hms(2025, 9, 8, 9, 0, 0).single().expect("time");
        ledger.record(&report("a.xlsx", "aaaa"), None, seen).expect("record");
        let mut reports = vec![report("a.xlsx", "aaaa"), report("a.xlsx", "bbbb"), report("a.xlsx", "")];
        let folder = Sources { inputs: "inputs".into(), state: None, from_archive: false };
        verify_archive_reads(&folder, Some(&ledger), &mut reports).expect("verify");
        assert!(reports.iter().all(|r| r.issues[0].code == issue::Code::ReadFailed), "a folder run is not checked");

        let archive = Sources { from_archive: true, ..folder };
        verify_archive_reads(&archive, Some(&ledger), &mut reports).expect("verify");
        let codes: Vec<issue::Code> = reports.iter().map(|r| r.issues[0].code).collect();
        assert_eq!(codes, [issue::Code::ReadFailed, issue::Code::ArchiveMismatch, issue::Code::ReadFailed]);
        assert_eq!(reports[1].status, FileStatus::Rejected);
        assert!(reports[1].issues[0].message_en.contains("bbbb"));
    }
}
