//! `tonghop watch`: the shared folder in operation.
//!
//! File-system events (inotify, or polling where events do not arrive, as on
//! SMB/NFS mounts) are hints; a periodic rescan against the ledger is the truth,
//! so a lost event delays a receipt but never loses a file. A file is processed
//! once it is complete: its size and modification time unchanged for the settle
//! time, and it opens as a workbook (a half-copied file is retried, not
//! rejected). Each new version is validated, recorded in the ledger, archived,
//! and gets its receipt; a burst of files gives one rebuild of the draft report.
//! A file that cannot be read is recorded as such once and tried again at
//! every rescan: it never holds back the others or the rebuild. The log says
//! each of these in the words of the language's `[watch]` table.

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

use crate::error::{Error, Result};
use crate::ingest::FoundKind;
use crate::issue::{Issue, Severity};
use crate::language::{Lang, Language, WatchWords, fill};
use crate::ledger::Ledger;
use crate::model::{FileReport, FileStatus};
use crate::pipeline::inputs::ReceivedBeforeStart;
use crate::pipeline::{Arrival, Arrived, Pipeline, Sources};
use crate::render::console::one_line;

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
    /// The longest the status board and the draft wait while files keep arriving.
    pub refresh_every: Duration,
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
    /// What the last read of the file, at this size and modification time,
    /// found; `None` while it waits to be processed.
    handled: Option<Handled>,
}

/// A file processed, until it changes.
#[derive(Debug, Clone, Copy)]
enum Handled {
    /// Found recorded, at this instant: not read again until it changes or
    /// [`RECHECK_AFTER`] has passed.
    Recorded(Instant),
    /// Found unreadable (and recorded as such), at this instant: tried again
    /// at each periodic rescan, without holding back the others.
    Unreadable(Instant),
}

impl Pending {
    fn waiting(&self) -> bool {
        self.handled.is_none()
    }

    /// Whether the file, unchanged, need not be read on this pass.
    fn trusted(&self, rescan: Duration) -> bool {
        match self.handled {
            Some(Handled::Recorded(at)) => at.elapsed() < RECHECK_AFTER,
            Some(Handled::Unreadable(at)) => at.elapsed() < rescan,
            None => false,
        }
    }
}

/// How long a handled file, unchanged in size and modification time, is trusted
/// before its content is hashed again (a copy may keep both).
const RECHECK_AFTER: Duration = Duration::from_secs(300);

/// The log on stderr: one line per event, timed, in the words of the
/// language's `[watch]` table.
struct Log<'w> {
    words: &'w WatchWords,
    /// How numbers are written, and which built-in language the issue messages are in.
    lang: Language,
    /// The times are those of the configured time zone, as on the receipts and
    /// the status board (a log read in Hà Nội at 09:15 says 09:15, not 02:15).
    tz: Tz,
}

impl Log<'_> {
    /// One line, timed. Whatever it names (a file, an error about a file)
    /// stays on that line: a file name cannot forge another.
    fn line(&self, line: &str) {
        eprintln!("{} {}", now(self.tz).format("%H:%M:%S"), one_line(line));
    }

    /// `pattern` filled with `values`, as one line.
    fn say(&self, pattern: &str, values: &[(&str, String)]) {
        self.line(&fill(pattern, values));
    }

    /// A duration as the log says it: `5 giây`, `0,5 giây`; `5 s`, `0.5 s`.
    fn seconds(&self, d: Duration) -> String {
        fill(&self.words.seconds, &[("n", crate::render::format::number(d.as_secs_f64(), 3, &self.lang))])
    }

    /// The line of a file recorded: its verdict, unit and week; for a rejection
    /// its first error, where it is, and how many more there are; where its
    /// receipt is (when it was written); and, for a file that cannot be read,
    /// how often it is tried again.
    fn verdict(&self, report: &FileReport, receipt: Option<&Path>, retry: Option<Duration>) -> String {
        let w = self.words;
        let verdict = match report.status {
            FileStatus::Accepted => &w.accepted,
            FileStatus::AcceptedWithWarnings => &w.accepted_with_warnings,
            FileStatus::Rejected => &w.rejected,
            FileStatus::Ignored => &w.ignored,
        };
        let about = match (&report.unit, report.week) {
            (Some(unit), Some(week)) => fill(&w.about_unit_week, &[("unit", unit.clone()), ("week", week.label())]),
            (Some(unit), None) => fill(&w.about_unit, &[("unit", unit.clone())]),
            _ => String::new(),
        };
        let reason = if report.status == FileStatus::Rejected { self.reason(report) } else { String::new() };
        let receipt = receipt.map(|p| fill(&w.receipt, &[("path", p.display().to_string())])).unwrap_or_default();
        let retry = retry.map(|d| fill(&w.retry, &[("interval", self.seconds(d))])).unwrap_or_default();
        let values = [
            ("path", report.file.path.clone()),
            ("verdict", verdict.clone()),
            ("about", about),
            ("reason", reason),
            ("receipt", receipt),
            ("retry", retry),
        ];
        fill(&w.file, &values)
    }

    /// `: [X001] Chỉ tiêu!E12: message (và 2 lỗi khác)`, the message in the
    /// language's built-in fallback.
    fn reason(&self, report: &FileReport) -> String {
        let errors: Vec<&Issue> = report.issues.iter().filter(|i| i.severity == Severity::Error).collect();
        let Some(first) = errors.first() else { return String::new() };
        let place = match (&first.location.sheet, &first.location.cell) {
            (Some(sheet), Some(cell)) => format!("{sheet}!{cell}: "),
            (Some(sheet), None) => format!("{sheet}: "),
            _ => String::new(),
        };
        let more = match errors.len() - 1 {
            0 => String::new(),
            n => fill(&self.words.more, &[("n", n.to_string())]),
        };
        // The message's closing full stop would stand before the line's own punctuation.
        let message = self.message(first);
        let message = message.strip_suffix('.').unwrap_or(message).to_string();
        let values = [("code", first.code.to_string()), ("place", place), ("message", message), ("more", more)];
        fill(&self.words.reason, &values)
    }

    /// Says what the received-times log gives for the files already there: its
    /// problems always, its summary when verbose.
    fn received_log(&self, issues: &[Issue], verbose: bool) {
        for issue in issues.iter().filter(|i| verbose || i.code != crate::issue::Code::ReceivedLogFile) {
            let values =
                [("file", crate::ingest::RECEIVED_LOG.to_string()), ("message", self.message(issue).to_string())];
            self.say(&self.words.received_log, &values);
        }
    }

    /// An issue's message in the built-in language of this one.
    fn message<'i>(&self, issue: &'i Issue) -> &'i str {
        match self.lang.fallback() {
            Lang::Vi => &issue.message_vi,
            Lang::En => &issue.message_en,
        }
    }
}

/// Keeps the file-system watcher alive for the whole run; dropping it stops the events.
type Watcher = Box<dyn std::any::Any>;

/// Watches `options.inputs` recursively: events, or polling with `--poll` or
/// where events are not available. Says which with the watcher: true for polling.
fn start_watcher(
    options: &WatchOptions,
    log: &Log<'_>,
    tx: mpsc::Sender<DebounceEventResult>,
) -> Result<(Watcher, bool)> {
    let watch_error = |source| Error::Watch { path: options.inputs.clone(), source };
    if !options.poll {
        let events = new_debouncer(DEBOUNCE, None, tx.clone()).and_then(|mut d| {
            d.watch(&options.inputs, RecursiveMode::Recursive)?;
            Ok(d)
        });
        match events {
            Ok(d) => return Ok((Box::new(d), false)),
            Err(e) => {
                log.say(&log.words.no_events, &[("error", e.to_string()), ("interval", log.seconds(options.interval))])
            }
        }
    }
    let config = notify::Config::default().with_poll_interval(options.interval);
    let mut d =
        new_debouncer_opt::<_, notify::PollWatcher, _>(DEBOUNCE, None, tx, notify_debouncer_full::NoCache, config)
            .map_err(watch_error)?;
    d.watch(&options.inputs, RecursiveMode::Recursive).map_err(watch_error)?;
    Ok((Box::new(d), true))
}

/// Events closer together than this are one.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// The watcher's state between passes.
struct Watch<'p, 'c> {
    pipeline: &'p Pipeline<'c>,
    options: &'p WatchOptions,
    log: Log<'p>,
    ledger: Ledger,
    pending: HashMap<PathBuf, Pending>,
    stats: WatchStats,
    /// `stats.received` at the last refresh of the board and the draft.
    refreshed_at: usize,
    /// When the files already there at the start count as received; used by
    /// the first pass only (a file seen later is received when it is seen).
    before_start: Option<ReceivedBeforeStart>,
}

/// Runs until `stop` is set (Ctrl-C, SIGTERM); the file in hand is finished
/// first. Every line of the log is one of `words`.
pub fn run(
    pipeline: &Pipeline<'_>,
    options: &WatchOptions,
    words: &WatchWords,
    stop: Arc<AtomicBool>,
) -> Result<WatchStats> {
    let log = Log { words, lang: pipeline.lang().clone(), tz: pipeline.config().calendar.timezone };
    std::fs::create_dir_all(&options.inputs).map_err(Error::write(&options.inputs))?;
    let ledger = Ledger::open(&options.state)?;
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let (_watcher, polling) = start_watcher(options, &log, tx)?;
    let interval = log.seconds(options.interval);
    let mode = fill(if polling { &words.polling } else { &words.events }, &[("interval", interval)]);
    let start = [
        ("inputs", options.inputs.display().to_string()),
        ("mode", mode),
        ("out", options.out.display().to_string()),
        ("state", options.state.display().to_string()),
        ("known", ledger.entries()?.len().to_string()),
    ];
    log.say(&words.start, &start);
    let before_start = ReceivedBeforeStart::load(pipeline.config(), &options.inputs);
    log.received_log(&before_start.log_issues, options.verbose);
    let mut watch = Watch {
        pipeline,
        options,
        log,
        ledger,
        pending: HashMap::new(),
        stats: WatchStats::default(),
        refreshed_at: 0,
        before_start: Some(before_start),
    };
    let mut dirty_since: Option<Instant> = None;
    // The first change not yet on the board: under a stream of drops, the board
    // is refreshed at least every `refresh_every` all the same.
    let mut stale_since: Option<Instant> = None;
    let mut last_scan = Instant::now() - options.interval;
    // A first rebuild gives the status board and draft even before any new file.
    let mut needs_rebuild = true;
    let tick = options.settle.min(options.interval).min(Duration::from_millis(200)).max(Duration::from_millis(20));
    while !stop.load(Ordering::SeqCst) {
        let event = rx.recv_timeout(tick);
        let hinted = matches!(event, Ok(Ok(_)));
        if let Ok(Err(errors)) = &event {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            watch.log.say(&words.watch_error, &[("error", errors.join("; "))]);
        }
        while rx.try_recv().is_ok() {}
        let due = last_scan.elapsed() >= options.interval;
        if hinted || due || watch.waiting() {
            last_scan = Instant::now();
            if watch.scan(&stop)? {
                dirty_since = Some(Instant::now());
                stale_since.get_or_insert_with(Instant::now);
                needs_rebuild = true;
            }
        }
        let quiet = dirty_since.is_none_or(|t| t.elapsed() >= options.rebuild_quiet) && !watch.waiting();
        let overdue = stale_since.is_some_and(|t| t.elapsed() >= options.refresh_every);
        if needs_rebuild && (quiet || overdue) {
            watch.rebuild();
            needs_rebuild = false;
            dirty_since = None;
            stale_since = None;
        }
    }
    let stats = watch.stats;
    let counts = [
        ("received", stats.received.to_string()),
        ("deleted", stats.deleted.to_string()),
        ("rebuilds", stats.rebuilds.to_string()),
    ];
    watch.log.say(&words.stopped, &counts);
    Ok(stats)
}

fn now(tz: Tz) -> DateTime<Tz> {
    Utc::now().with_timezone(&tz)
}

impl Watch<'_, '_> {
    /// Whether a file seen is still waiting to be processed.
    fn waiting(&self) -> bool {
        self.pending.values().any(Pending::waiting)
    }

    /// One pass over the folder: new or changed complete files are processed,
    /// vanished paths are recorded as deleted. Returns whether anything changed.
    fn scan(&mut self, stop: &AtomicBool) -> Result<bool> {
        let found = crate::pipeline::inputs::discover_inputs(self.pipeline.config(), &self.options.inputs);
        let before_start = self.before_start.take();
        let mut present = BTreeSet::new();
        let mut workbooks = BTreeSet::new();
        let mut changed = false;
        for f in &found {
            present.insert(f.display.clone());
            if !matches!(f.kind, FoundKind::Workbook) {
                continue;
            }
            workbooks.insert(f.path.clone());
            if self.settled(&f.path, &f.display, before_start.as_ref()) {
                changed |= self.process(&f.path, &f.display)?;
                if stop.load(Ordering::SeqCst) {
                    break;
                }
            }
        }
        // A path gone, or no longer a workbook (a link put in its place), waits for nothing.
        self.pending.retain(|path, _| workbooks.contains(path));
        Ok(self.record_deletions(&present)? || changed)
    }

    /// Notes the file's size and modification time; true once they have stayed
    /// the same for the settle time and the file is not known to be handled.
    /// A file first seen by the first pass was there before the start: it
    /// counts as received when `before_start` says, as `build` would count it.
    fn settled(&mut self, path: &std::path::Path, display: &str, before_start: Option<&ReceivedBeforeStart>) -> bool {
        let Ok(meta) = std::fs::symlink_metadata(path) else { return false };
        let (size, modified) = (meta.len(), meta.modified().ok());
        let tz = self.pipeline.config().calendar.timezone;
        let now_instant = Instant::now();
        let entry = self.pending.entry(path.to_path_buf()).or_insert_with(|| Pending {
            size,
            modified,
            stable_since: now_instant,
            first_seen: before_start.and_then(|b| b.time(display, modified)).unwrap_or_else(|| now(tz)),
            first_seen_instant: now_instant,
            handled: None,
        });
        if entry.size != size || entry.modified != modified {
            if entry.handled.take().is_some() {
                // A new version of a file already recorded: received now.
                entry.first_seen = now(tz);
                entry.first_seen_instant = now_instant;
            }
            entry.size = size;
            entry.modified = modified;
            entry.stable_since = now_instant;
            return false;
        }
        !entry.trusted(self.options.interval) && entry.stable_since.elapsed() >= self.options.settle
    }

    /// Hands a settled file to the pipeline; true when something was recorded.
    fn process(&mut self, path: &std::path::Path, display: &str) -> Result<bool> {
        let tz = self.pipeline.config().calendar.timezone;
        let (verbose, rescan) = (self.options.verbose, self.options.interval);
        let Some(entry) = self.pending.get_mut(path) else { return Ok(false) };
        let previous = entry.handled.take();
        // A file trusted until now is hashed again: same size and time, maybe other content.
        let rechecked = matches!(previous, Some(Handled::Recorded(_)));
        // One unreadable until now keeps its first sight: its bytes have not changed.
        let received = if rechecked { now(tz) } else { entry.first_seen };
        let young = rechecked || entry.first_seen_instant.elapsed() < self.options.incomplete_grace;
        let inputs = &self.options.inputs;
        let arrival = Arrival { inputs, path, display, size: entry.size, received, judge_incomplete: !young };
        let (log, words) = (&self.log, self.log.words);
        let named = || [("path", display.to_string())];
        match self.pipeline.receive(&mut self.ledger, &self.options.out, &arrival)? {
            Arrived::Known => entry.handled = Some(Handled::Recorded(Instant::now())),
            Arrived::Vanished if verbose => log.say(&words.vanished, &named()),
            Arrived::Vanished => {}
            Arrived::Unreadable { reason, recorded } => {
                entry.handled = Some(Handled::Unreadable(Instant::now()));
                if let Some((report, receipt)) = recorded {
                    self.stats.received += 1;
                    let written = receipt.outputs.is_ok().then(|| self.receipt_of(&report));
                    log.line(&log.verdict(&report, written.as_deref(), Some(rescan)));
                    log_receipt_errors(log, display, &receipt);
                    return Ok(true);
                }
                if !matches!(previous, Some(Handled::Unreadable(_))) {
                    let values = [("path", display.to_string()), ("reason", reason), ("interval", log.seconds(rescan))];
                    log.say(&words.unreadable, &values);
                }
            }
            Arrived::Incomplete => {
                if rechecked {
                    entry.first_seen = received;
                    entry.first_seen_instant = Instant::now();
                }
                // Probably still being copied: try again on a later pass.
                if verbose {
                    log.say(&words.incomplete, &named());
                }
            }
            Arrived::Recorded { report, receipt } => {
                entry.first_seen = received;
                entry.handled = Some(Handled::Recorded(Instant::now()));
                self.stats.received += 1;
                let written = receipt.outputs.is_ok().then(|| self.receipt_of(&report));
                log.line(&log.verdict(&report, written.as_deref(), None));
                log_receipt_errors(log, display, &receipt);
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Where the receipt of `report` is, in the outputs folder.
    fn receipt_of(&self, report: &FileReport) -> PathBuf {
        let stem = self.options.out.join(crate::render::receipt::receipt_stem_of(self.pipeline.config(), report));
        crate::render::receipt::with_extension(&stem, ".html")
    }

    /// Paths the ledger holds that are gone from the folder are recorded as deleted.
    fn record_deletions(&mut self, present: &BTreeSet<String>) -> Result<bool> {
        let tz = self.pipeline.config().calendar.timezone;
        let mut changed = false;
        for path in self.ledger.present_paths()? {
            if !present.contains(&path) {
                self.ledger.mark_deleted(&path, now(tz))?;
                self.stats.deleted += 1;
                changed = true;
                self.log.say(&self.log.words.deleted, &[("path", path)]);
            }
        }
        Ok(changed)
    }

    /// Rebuilds the status board of the current week and the draft report of
    /// the latest cycle, from every version received (even a file since deleted).
    fn rebuild(&mut self) {
        self.stats.rebuilds += 1;
        let options = self.options;
        let sources =
            Sources { inputs: options.inputs.clone(), state: Some(options.state.clone()), from_archive: true };
        let today = now(self.pipeline.config().calendar.timezone).date_naive();
        let (log, words) = (&self.log, self.log.words);
        let refreshed = match self.pipeline.refresh_board(&sources, &options.out, today) {
            Ok(r) => r,
            Err(e) => return log.say(&words.rebuild_failed, &[("error", e.to_string())]),
        };
        let board_written = match refreshed.board {
            Some(Err(e)) => {
                log.say(&words.board_not_written, &[("error", e.to_string())]);
                false
            }
            Some(Ok(())) => true,
            None => false,
        };
        let new = self.stats.received - std::mem::replace(&mut self.refreshed_at, self.stats.received);
        let said = new > 0 || options.verbose;
        let board = options.out.join(crate::pipeline::STATUS_BOARD).display().to_string();
        match refreshed.draft {
            Some(Ok(written)) if said => {
                let values = [("new", new.to_string()), ("board", board), ("dir", written.dir.display().to_string())];
                log.say(&words.refreshed, &values);
            }
            Some(Err(e)) => log.say(&words.draft_not_rebuilt, &[("error", e.to_string())]),
            None if said && board_written => {
                log.say(&words.board_refreshed, &[("new", new.to_string()), ("board", board)])
            }
            _ => {}
        }
    }
}

/// Says which of a file's receipts could not be written.
fn log_receipt_errors(log: &Log<'_>, display: &str, receipts: &crate::pipeline::Receipts) {
    if let Err(e) = &receipts.outputs {
        log.say(&log.words.receipt_not_written, &[("path", display.to_string()), ("error", e.to_string())]);
    }
    if let Some(Err(e)) = &receipts.unit {
        log.say(&log.words.unit_receipt_not_written, &[("path", display.to_string()), ("error", e.to_string())]);
    }
}
