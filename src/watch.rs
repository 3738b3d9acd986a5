//! `tonghop watch`: the shared folder in operation.
//!
//! File-system events (inotify, or polling where events do not arrive, as on
//! SMB/NFS mounts) are hints; a periodic rescan against the ledger is the truth,
//! so a lost event delays a receipt but never loses a file. A file is processed
//! once it is complete: its size and modification time unchanged for the settle
//! time, and it opens as a workbook (a half-copied file is retried, not
//! rejected). Each new version is validated, recorded in the ledger, archived,
//! and gets its receipt; a burst of files gives one rebuild of the draft report.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer, new_debouncer_opt};
use sha2::{Digest, Sha256};

use crate::cli::write_atomic;
use crate::ingest::FoundKind;
use crate::issue::Code;
use crate::language::Language;
use crate::ledger::Ledger;
use crate::model::{FileMeta, FileReport, FileStatus};
use crate::render::Templates;
use crate::render::receipt;
use crate::schema::Config;

/// Options of `tonghop watch`.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub inputs: PathBuf,
    pub state: PathBuf,
    pub out: PathBuf,
    /// Poll instead of waiting for events (and the interval of the rescan).
    pub poll: bool,
    pub interval: Duration,
    /// How long size and modification time must stay unchanged.
    pub settle: Duration,
    /// How long a file that does not open yet is retried before it is judged.
    pub incomplete_grace: Duration,
    /// Quiet between a file and the draft rebuild (a burst gives one rebuild).
    pub rebuild_quiet: Duration,
    /// The language of receipts, the status board and the draft report.
    pub lang: Language,
    pub templates: Option<PathBuf>,
    pub verbose: bool,
}

/// What `watch` did until it stopped.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct WatchStats {
    pub received: usize,
    pub deleted: usize,
    pub rebuilds: usize,
}

/// A file seen but not yet processed.
struct Pending {
    size: u64,
    modified: Option<SystemTime>,
    stable_since: Instant,
    first_seen: DateTime<Tz>,
    first_seen_instant: Instant,
    /// When the file, at this size and modification time, was last read and
    /// found recorded: it is not read again until it changes or
    /// [`RECHECK_AFTER`] has passed.
    handled: Option<Instant>,
}

impl Pending {
    fn waiting(&self) -> bool {
        self.handled.is_none()
    }
}

/// How long a handled file, unchanged in size and modification time, is trusted
/// before its content is hashed again (a copy may keep both).
const RECHECK_AFTER: Duration = Duration::from_secs(300);

fn log(line: &str) {
    eprintln!("{} {line}", Utc::now().format("%H:%M:%S"));
}

/// Runs until `stop` is set (Ctrl-C); the file in hand is finished first.
pub fn run(config: &Config, options: &WatchOptions, stop: Arc<AtomicBool>) -> Result<WatchStats, String> {
    std::fs::create_dir_all(&options.inputs).map_err(|e| format!("{}: {e}", options.inputs.display()))?;
    let mut ledger = Ledger::open(&options.state).map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let debounce = Duration::from_millis(150);
    // Keep the watcher alive for the whole run; dropping it stops the events.
    let _watcher: Box<dyn std::any::Any> = if options.poll {
        let config = notify::Config::default().with_poll_interval(options.interval);
        let mut d =
            new_debouncer_opt::<_, notify::PollWatcher, _>(debounce, None, tx, notify_debouncer_full::NoCache, config)
                .map_err(|e| e.to_string())?;
        d.watch(&options.inputs, RecursiveMode::Recursive).map_err(|e| e.to_string())?;
        Box::new(d)
    } else {
        match new_debouncer(debounce, None, tx.clone()).and_then(|mut d| {
            d.watch(&options.inputs, RecursiveMode::Recursive)?;
            Ok(d)
        }) {
            Ok(d) => Box::new(d),
            Err(e) => {
                log(&format!("no file-system events ({e}); polling every {:?}", options.interval));
                let config = notify::Config::default().with_poll_interval(options.interval);
                let mut d = new_debouncer_opt::<_, notify::PollWatcher, _>(
                    debounce,
                    None,
                    tx,
                    notify_debouncer_full::NoCache,
                    config,
                )
                .map_err(|e| e.to_string())?;
                d.watch(&options.inputs, RecursiveMode::Recursive).map_err(|e| e.to_string())?;
                Box::new(d)
            }
        }
    };
    if options.verbose {
        log(&format!("watching {} ({})", options.inputs.display(), if options.poll { "polling" } else { "events" }));
    }
    let templates = Templates { config_dir: config.dir.clone(), override_dir: options.templates.clone() };
    let tz = config.calendar.timezone;
    let mut pending: HashMap<PathBuf, Pending> = HashMap::new();
    let mut stats = WatchStats::default();
    let mut dirty_since: Option<Instant> = None;
    let mut last_scan = Instant::now() - options.interval;
    // A first rebuild gives the status board and draft even before any new file.
    let mut needs_rebuild = true;
    let tick = options.settle.min(options.interval).min(Duration::from_millis(200)).max(Duration::from_millis(20));
    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let event = rx.recv_timeout(tick);
        let hinted = matches!(event, Ok(Ok(_)));
        if let Ok(Err(errors)) = &event {
            log(&format!("watch error: {errors:?}; rescanning"));
        }
        while rx.try_recv().is_ok() {}
        let due = last_scan.elapsed() >= options.interval;
        if hinted || due || pending.values().any(Pending::waiting) {
            last_scan = Instant::now();
            let processed = scan(config, options, &mut ledger, &templates, &mut pending, &mut stats, tz, &stop)?;
            if processed {
                dirty_since = Some(Instant::now());
                needs_rebuild = true;
            }
        }
        let quiet = dirty_since.is_none_or(|t| t.elapsed() >= options.rebuild_quiet);
        if needs_rebuild && quiet && !pending.values().any(Pending::waiting) {
            rebuild(config, options, &templates);
            stats.rebuilds += 1;
            needs_rebuild = false;
            dirty_since = None;
        }
    }
    if options.verbose {
        log(&format!("stopped: {} received, {} deleted, {} rebuilds", stats.received, stats.deleted, stats.rebuilds));
    }
    Ok(stats)
}

/// One pass over the folder: new or changed complete files are processed,
/// vanished paths are recorded as deleted. Returns whether anything changed.
#[allow(clippy::too_many_arguments)]
fn scan(
    config: &Config,
    options: &WatchOptions,
    ledger: &mut Ledger,
    templates: &Templates,
    pending: &mut HashMap<PathBuf, Pending>,
    stats: &mut WatchStats,
    tz: Tz,
    stop: &AtomicBool,
) -> Result<bool, String> {
    let found = crate::ingest::discover(std::slice::from_ref(&options.inputs));
    let mut present = BTreeSet::new();
    let mut changed = false;
    for f in &found {
        present.insert(f.display.clone());
        if !matches!(f.kind, FoundKind::Workbook) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&f.path) else { continue };
        let (size, modified) = (meta.len(), meta.modified().ok());
        let now = Instant::now();
        let entry = pending.entry(f.path.clone()).or_insert_with(|| Pending {
            size,
            modified,
            stable_since: now,
            first_seen: Utc::now().with_timezone(&tz),
            first_seen_instant: now,
            handled: None,
        });
        if entry.size != size || entry.modified != modified {
            if entry.handled.take().is_some() {
                // A new version of a file already recorded: received now.
                entry.first_seen = Utc::now().with_timezone(&tz);
                entry.first_seen_instant = now;
            }
            entry.size = size;
            entry.modified = modified;
            entry.stable_since = now;
            continue;
        }
        if entry.handled.is_some_and(|at| at.elapsed() < RECHECK_AFTER) || entry.stable_since.elapsed() < options.settle
        {
            continue;
        }
        let rechecked = entry.handled.take().is_some();
        if size > config.limits.max_file_bytes {
            // Never loaded: hashed as a stream, rejected from its size, not archived.
            let Ok(sha) = hash_file(&f.path) else { continue };
            if !ledger.knows(&f.display, &sha).map_err(|e| e.to_string())? {
                if rechecked {
                    entry.first_seen = Utc::now().with_timezone(&tz);
                }
                let report = crate::too_large_report(config, &f.display, size, sha, Some(entry.first_seen));
                ledger.record(&report, None, entry.first_seen).map_err(|e| e.to_string())?;
                let template =
                    crate::render::Compiled::new(config, templates, &options.lang, receipt::RECEIPT_TEMPLATE)
                        .map_err(|e| e.to_string())?;
                write_receipt(config, &options.out, &report, &template, &options.lang)?;
                stats.received += 1;
                changed = true;
                log(&format!("{} → {} (too large: {size} bytes)", f.display, report.status.label_en()));
            }
            entry.handled = Some(Instant::now());
            continue;
        }
        let bytes = match std::fs::read(&f.path) {
            Ok(b) => b,
            Err(_) => continue,
        };
        let sha = hex(&Sha256::digest(&bytes));
        if ledger.knows(&f.display, &sha).map_err(|e| e.to_string())? {
            entry.handled = Some(Instant::now());
            continue;
        }
        if rechecked {
            // Same size and time, other content: a new version all the same.
            entry.first_seen = Utc::now().with_timezone(&tz);
            entry.first_seen_instant = Instant::now();
        }
        let first_seen = entry.first_seen;
        let young = entry.first_seen_instant.elapsed() < options.incomplete_grace;
        let report = check_bytes(config, &f.display, &bytes, sha, first_seen);
        let incomplete = report.issues.iter().any(|i| matches!(i.code, Code::CorruptArchive | Code::ReadFailed));
        if incomplete && young {
            // Probably still being copied: try again on a later pass.
            if options.verbose {
                log(&format!("waiting for {} to be complete", f.display));
            }
            continue;
        }
        entry.handled = Some(Instant::now());
        ledger.record(&report, Some(&bytes), first_seen).map_err(|e| e.to_string())?;
        let template = crate::render::Compiled::new(config, templates, &options.lang, receipt::RECEIPT_TEMPLATE)
            .map_err(|e| e.to_string())?;
        write_receipt(config, &options.out, &report, &template, &options.lang)?;
        stats.received += 1;
        changed = true;
        log(&format!(
            "{} → {}{}{}",
            f.display,
            report.status.label_en(),
            report.unit.as_deref().map(|u| format!(" ({u}")).unwrap_or_default(),
            match (&report.unit, report.week) {
                (Some(_), Some(w)) => format!(", {})", w.label()),
                (Some(_), None) => ")".to_string(),
                _ => String::new(),
            }
        ));
        if stop.load(Ordering::SeqCst) {
            break;
        }
    }
    pending.retain(|path, _| path.exists());
    for path in ledger.present_paths().map_err(|e| e.to_string())? {
        if !present.contains(&path) {
            ledger.mark_deleted(&path, Utc::now().with_timezone(&tz)).map_err(|e| e.to_string())?;
            stats.deleted += 1;
            changed = true;
            log(&format!("{path} deleted (its versions stay in the archive)"));
        }
    }
    Ok(changed)
}

/// The SHA-256 of a file read in blocks, so that a file of any size costs no memory.
fn hash_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            return Ok(hex(&hasher.finalize()));
        }
        hasher.update(&block[..n]);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Validates bytes already read (so the hash and the verdict are of the same bytes).
pub fn check_bytes(config: &Config, display: &str, bytes: &[u8], sha256: String, received: DateTime<Tz>) -> FileReport {
    let meta = FileMeta { path: display.to_string(), size: bytes.len() as u64, sha256, received: Some(received) };
    let location = crate::issue::Location::file(display);
    let limits = &config.limits;
    if meta.size > limits.max_file_bytes {
        return crate::too_large_report(config, display, meta.size, meta.sha256, meta.received);
    }
    let read =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::ingest::read_bytes(bytes, &location, limits)))
            .unwrap_or_else(|_| {
                Err(crate::issue::Issue::new(Code::ReaderCrashed, location.clone()).message(
                    "Trình đọc bảng tính gặp sự cố khi đọc tệp này; tệp có thể bị hỏng.",
                    "The spreadsheet reader failed on this file; it may be corrupt.",
                ))
            });
    match read {
        Ok(workbook) => crate::validate::validate(config, meta, &workbook),
        Err(issue) => crate::validate::unreadable(meta, issue),
    }
}

/// Writes `receipts/<week>/<unit>/<file>.html` and `.json` under `out`; a receipt
/// whose content has not changed is left as it is.
pub fn write_receipt(
    config: &Config,
    out: &Path,
    report: &FileReport,
    template: &crate::render::Compiled,
    lang: &Language,
) -> Result<(), String> {
    let week = report.week.map(|w| w.label());
    let stem = out.join(receipt::receipt_stem(week.as_deref(), report.unit.as_deref(), &report.file.path));
    let data = receipt::receipt(config, report, lang);
    let html = receipt::receipt_html(config, template, &data).map_err(|e| e.to_string())?;
    let with_ext = |ext: &str| {
        let mut name = stem.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(ext);
        stem.with_file_name(name)
    };
    for (path, bytes) in [(with_ext(".html"), html.into_bytes()), (with_ext(".json"), receipt::receipt_json(&data))] {
        if std::fs::read(&path).is_ok_and(|old| old == bytes) {
            continue;
        }
        write_atomic(&path, &bytes).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The week whose due Monday is the most recent one on or before `today`.
pub fn current_week(config: &Config, today: chrono::NaiveDate) -> Option<crate::model::ReportWeek> {
    let mut day = today;
    for _ in 0..7 {
        if let Some(w) = config.calendar.week_due(day) {
            return Some(w);
        }
        day = day.pred_opt()?;
    }
    None
}

/// The status of one week, as the board shows it.
pub fn week_status(
    config: &Config,
    reports: &[FileReport],
    week: crate::model::ReportWeek,
) -> crate::aggregate::SubmissionSummary {
    let cycle = crate::aggregate::CycleSpec {
        id: week.label(),
        meeting: None,
        previous_meeting: None,
        cutoff: week.due,
        weeks: vec![week],
        previous_weeks: Vec::new(),
    };
    crate::aggregate::aggregate(config, &cycle, reports, "vi").submissions
}

/// Rebuilds the status board of the current week and the draft report of the latest cycle.
fn rebuild(config: &Config, options: &WatchOptions, templates: &Templates) {
    let build = crate::cli::BuildOptions {
        inputs: options.inputs.clone(),
        out: options.out.clone(),
        meeting: None,
        weeks: None,
        templates: options.templates.clone(),
        lang: options.lang.clone(),
        json: false,
        state: Some(options.state.clone()),
        // Everything ever received counts, even a file since deleted from the folder.
        from_archive: true,
    };
    let clock = crate::StageClock::default();
    let reports = match crate::cli::gather(config, &build, &clock, (&|_| {}, &|| {})) {
        Ok(r) => r,
        Err(e) => {
            log(&format!("rebuild failed: {e}"));
            return;
        }
    };
    let today = Utc::now().with_timezone(&config.calendar.timezone).date_naive();
    if let Some(week) = current_week(config, today) {
        let board = week_status(config, &reports, week);
        match receipt::status_html(config, &week, &board, templates, &options.lang) {
            Ok(html) => {
                if let Err(e) = write_atomic(&options.out.join("status.html"), html.as_bytes()) {
                    log(&format!("status board not written: {e}"));
                }
            }
            Err(e) => log(&format!("status board not rendered: {e}")),
        }
    }
    if reports.iter().any(|r| r.status != FileStatus::Ignored && r.submission.is_some()) {
        match crate::cli::produce(
            config,
            &reports,
            &crate::aggregate::CycleChoice::Latest,
            0,
            &options.out,
            options.templates.clone(),
            &options.lang,
        ) {
            Ok(p) => {
                if options.verbose {
                    log(&format!("draft report rebuilt: {}", p.dir.display()));
                }
            }
            Err(e) => log(&format!("draft report not rebuilt: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::issue::Location;

    #[test]
    fn check_bytes_applies_the_configured_limits() {
        let mut config = Config::load(Path::new("report_templates")).expect("bundled config");
        let bytes = std::fs::read("inputs/2025-W37/01-ha-noi.xlsx").expect("a sample file");
        let received = config.calendar.timezone.with_ymd_and_hms(2025, 9, 8, 10, 0, 0).single().expect("a time");
        let report = check_bytes(&config, "01-ha-noi.xlsx", &bytes, String::new(), received);
        assert_eq!(report.status, FileStatus::Accepted, "{:?}", report.issues);

        config.limits.max_file_bytes = 16 * 1024;
        let report = check_bytes(&config, "01-ha-noi.xlsx", &bytes, String::new(), received);
        assert_eq!(report.status, FileStatus::Rejected);
        let codes: Vec<Code> = report.issues.iter().map(|i| i.code).collect();
        assert_eq!(codes, [Code::FileTooLarge]);
        assert_eq!(report.issues[0].location, Location::file("01-ha-noi.xlsx"));
    }
}
