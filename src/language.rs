//! The languages of the outputs, each a folder `report_templates/<code>/`
//! holding the templates and `language.toml`: how numbers and dates are
//! written and the words the program writes itself (workbook sheets and
//! columns, chart captions, the meeting document's generated phrases, status
//! and duration words).
//!
//! Vietnamese and English are also built into the program: the validation
//! messages of the issue catalogue exist in those two only, and both must have
//! the console's words (`[console]`) and those of `watch`'s log (`[watch]`),
//! which another language may leave out. Every language names one of them as
//! its `fallback`, used for those messages and words and for any label of
//! `schema.toml` or `units.toml` that has no text in the language. Adding a
//! language is adding a folder and labels, without
//! recompiling (`docs/configuration.md`, §9).

use std::fmt;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::format::{Fixed, Item, StrftimeItems};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;
use toml::Spanned;

use crate::schema::Aggregation;
use crate::schema::{Config, ConfigError, LabelOf, Translations, is_language_code};

/// The file of a language's settings, in its folder.
pub const SETTINGS_FILE: &str = "language.toml";

/// A language built into the program: the one of the validation messages and
/// of the console, and the fallback of labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Vietnamese.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// `vi` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// How numbers are written.
#[derive(Debug, Clone)]
pub struct Numbers {
    /// Between groups of three digits (`.` in Vietnamese, `,` in English).
    pub thousands: String,
    /// Before the decimals.
    pub decimal: String,
    /// A percentage, `{}` standing for the number (`{}%`).
    pub percent: String,
    /// A change in percentage points, `{}` standing for the signed number (`{} pts`).
    pub points: String,
}

/// Words the program writes in every output.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    /// Days of a delay (`1 ngày 3 giờ`, `1 d 3 h`).
    pub day: String,
    /// Hours of a delay.
    pub hour: String,
    /// Minutes of a delay (`2 giờ 40 phút`, `2 h 40 min`).
    pub minute: String,
    /// A yes answer as read from a report.
    pub yes: String,
    /// A no answer as read from a report.
    pub no: String,
    /// A weekly report received by its deadline.
    pub on_time: String,
    /// A weekly report received after its deadline.
    pub late: String,
    /// A weekly report of which only rejected files arrived.
    pub rejected: String,
    /// A weekly report that never arrived.
    pub missing: String,
    /// Severity of a validation issue that rejects the file.
    pub error: String,
    /// Severity of a validation issue that does not reject the file.
    pub warning: String,
    /// Severity of a note.
    pub info: String,
    /// A task past its deadline and not completed.
    pub overdue: String,
}

/// What the program prints on the console, in the built-in languages (`[console]`):
/// each line a pattern whose `{name}` placeholders are the figures.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleWords {
    /// The progress bar's label while files are read.
    pub reading: String,
    /// strftime format of the meeting date.
    pub meeting_date: String,
    /// `{meeting}`, `{weeks}`.
    pub meeting_weeks: String,
    /// `{weeks}`, for a cycle named by its weeks.
    pub weeks: String,
    /// `{accepted}`, `{warnings}`, `{rejected}`, `{ignored}`: the files of a build.
    pub files: String,
    /// `{count}`: files of other weeks, only identified.
    pub other_weeks: String,
    /// `{on_time}`, `{late}`, `{rejected}`, `{missing}`, `{overdue}`, `{flags}`.
    pub reports: String,
    /// `{dir}`, `{files}`: where the outputs are.
    pub outputs: String,
    /// `{total}`, `{accepted}`, `{warnings}`, `{rejected}`, `{ignored}`: the end of `check`.
    pub checked: String,
    /// `{week}`, `{on_time}`, `{late}`, `{rejected}`, `{missing}`: the head of `status`.
    pub week_status: String,
    /// `{duration}`: a unit's report that came late.
    pub late_by: String,
    /// `{list}`: the units whose reports came late (after a build).
    pub late_units: String,
    /// `{list}`: the units of which only rejected files came, with the files.
    pub rejected_units: String,
    /// `{list}`: the units whose reports never came.
    pub missing_units: String,
    /// `{count}`: files accepted without remark, counted but not listed by `check` on a folder.
    pub accepted_quietly: String,
    /// `{list}`: the files `check` rejected.
    pub rejected_files: String,
    pub rejected: String,
    pub missing: String,
}

impl ConsoleWords {
    /// The placeholders each pattern may hold.
    fn patterns(&self) -> [(&'static str, &str, &'static [&'static str]); 14] {
        const FILES: &[&str] = &["accepted", "warnings", "rejected", "ignored"];
        [
            ("meeting_weeks", &self.meeting_weeks, &["meeting", "weeks"]),
            ("weeks", &self.weeks, &["weeks"]),
            ("files", &self.files, FILES),
            ("other_weeks", &self.other_weeks, &["count"]),
            ("reports", &self.reports, &["on_time", "late", "rejected", "missing", "overdue", "flags"]),
            ("outputs", &self.outputs, &["dir", "files"]),
            ("checked", &self.checked, &["total", "accepted", "warnings", "rejected", "ignored"]),
            ("week_status", &self.week_status, &["week", "on_time", "late", "rejected", "missing"]),
            ("late_by", &self.late_by, &["duration"]),
            ("late_units", &self.late_units, &["list"]),
            ("rejected_units", &self.rejected_units, &["list"]),
            ("missing_units", &self.missing_units, &["list"]),
            ("accepted_quietly", &self.accepted_quietly, &["count"]),
            ("rejected_files", &self.rejected_files, &["list"]),
        ]
    }

    /// Refuses a placeholder a pattern cannot be given (a typo would print as is).
    fn check(&self) -> Result<(), String> {
        check_placeholders(&self.patterns())
    }
}

/// What `tonghop watch` writes in its log, in the built-in languages (`[watch]`):
/// each line a pattern whose `{name}` placeholders are filled in. A part of a
/// line that may be absent (the unit and week, the reason of a rejection, the
/// receipt) is its own pattern, filled into the line or left empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchWords {
    /// `{inputs}`, `{mode}`, `{out}`, `{state}`, `{known}`: the first line.
    pub start: String,
    /// `{interval}`: the mode with file-system events (the rescan's interval).
    pub events: String,
    /// `{interval}`: the mode without them.
    pub polling: String,
    /// `{error}`, `{interval}`: events asked for but not available.
    pub no_events: String,
    /// `{n}`: a duration in seconds.
    pub seconds: String,
    /// `{file}`, `{message}`: a problem of the received-times log.
    pub received_log: String,
    /// `{path}`, `{verdict}`, `{about}`, `{reason}`, `{receipt}`, `{retry}`: a file recorded.
    pub file: String,
    /// The verdicts.
    pub accepted: String,
    pub accepted_with_warnings: String,
    pub rejected: String,
    pub ignored: String,
    /// `{unit}`, `{week}`: the `{about}` of a file whose unit and week were read.
    pub about_unit_week: String,
    /// `{unit}`: the `{about}` of a file whose week was not read.
    pub about_unit: String,
    /// `{code}`, `{place}`, `{message}`, `{more}`: the `{reason}` of a rejection, its first error.
    pub reason: String,
    /// `{n}`: the `{more}` of a rejection with other errors, how many.
    pub more: String,
    /// `{path}`: the `{receipt}` of a file, where its receipt is.
    pub receipt: String,
    /// `{interval}`: the `{retry}` of a file that cannot be read.
    pub retry: String,
    /// `{path}`, `{error}`.
    pub receipt_not_written: String,
    /// `{path}`, `{error}`: the copy of a receipt in the unit's own folder.
    pub unit_receipt_not_written: String,
    /// `{path}`, `{reason}`, `{interval}`: a file already recorded as unreadable.
    pub unreadable: String,
    /// `{path}`: a file that changed as it was opened (verbose).
    pub vanished: String,
    /// `{path}`: a file that does not open yet (verbose).
    pub incomplete: String,
    /// `{path}`: a file gone from the folder.
    pub deleted: String,
    /// `{new}`, `{board}`, `{dir}`: the board and the draft refreshed.
    pub refreshed: String,
    /// `{new}`, `{board}`: the board refreshed, no draft (no file with figures yet).
    pub board_refreshed: String,
    /// `{error}`.
    pub board_not_written: String,
    /// `{error}`.
    pub draft_not_rebuilt: String,
    /// `{error}`: the folder could not be read for a refresh.
    pub rebuild_failed: String,
    /// `{error}`: the file-system watcher's error.
    pub watch_error: String,
    /// `{received}`, `{deleted}`, `{rebuilds}`: the last line.
    pub stopped: String,
}

impl WatchWords {
    /// The placeholders each pattern may hold.
    fn patterns(&self) -> [(&'static str, &str, &'static [&'static str]); 30] {
        const NONE: &[&str] = &[];
        const PATH: &[&str] = &["path"];
        const ERROR: &[&str] = &["error"];
        [
            ("start", &self.start, &["inputs", "mode", "out", "state", "known"]),
            ("events", &self.events, &["interval"]),
            ("polling", &self.polling, &["interval"]),
            ("no_events", &self.no_events, &["error", "interval"]),
            ("seconds", &self.seconds, &["n"]),
            ("received_log", &self.received_log, &["file", "message"]),
            ("file", &self.file, &["path", "verdict", "about", "reason", "receipt", "retry"]),
            ("accepted", &self.accepted, NONE),
            ("accepted_with_warnings", &self.accepted_with_warnings, NONE),
            ("rejected", &self.rejected, NONE),
            ("ignored", &self.ignored, NONE),
            ("about_unit_week", &self.about_unit_week, &["unit", "week"]),
            ("about_unit", &self.about_unit, &["unit"]),
            ("reason", &self.reason, &["code", "place", "message", "more"]),
            ("more", &self.more, &["n"]),
            ("receipt", &self.receipt, PATH),
            ("retry", &self.retry, &["interval"]),
            ("receipt_not_written", &self.receipt_not_written, &["path", "error"]),
            ("unit_receipt_not_written", &self.unit_receipt_not_written, &["path", "error"]),
            ("unreadable", &self.unreadable, &["path", "reason", "interval"]),
            ("vanished", &self.vanished, PATH),
            ("incomplete", &self.incomplete, PATH),
            ("deleted", &self.deleted, PATH),
            ("refreshed", &self.refreshed, &["new", "board", "dir"]),
            ("board_refreshed", &self.board_refreshed, &["new", "board"]),
            ("board_not_written", &self.board_not_written, ERROR),
            ("draft_not_rebuilt", &self.draft_not_rebuilt, ERROR),
            ("rebuild_failed", &self.rebuild_failed, ERROR),
            ("watch_error", &self.watch_error, ERROR),
            ("stopped", &self.stopped, &["received", "deleted", "rebuilds"]),
        ]
    }

    /// Refuses a placeholder a pattern cannot be given (a typo would print as is).
    fn check(&self) -> Result<(), String> {
        check_placeholders(&self.patterns())
    }
}

/// Refuses, in each `(key, pattern, allowed)`, a placeholder not allowed.
fn check_placeholders(patterns: &[(&'static str, &str, &'static [&'static str])]) -> Result<(), String> {
    for (key, pattern, allowed) in patterns {
        for name in placeholders(pattern) {
            if !allowed.contains(&name) {
                return Err(if allowed.is_empty() {
                    format!("{key}: {{{name}}}: this line takes no placeholder")
                } else {
                    format!("{key}: {{{name}}} is not one of {{{}}}", allowed.join("}, {"))
                });
            }
        }
    }
    Ok(())
}

/// What the approval commands print, and the draft's marks where no template
/// holds them (`[approval]`): `{name}` placeholders are filled as in `[console]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalWords {
    /// The draft mark: "DỰ THẢO".
    pub draft: String,
    /// Said under the draft mark.
    pub draft_note: String,
    /// strftime format of an approval's time.
    pub time: String,
    /// `{version}`, `{by}`, `{at}`, `{sha}`: an approved version, stated in it.
    pub approved_line: String,
    /// `{cycle}`, `{version}`, `{by}`, `{at}`: `approve` done.
    pub approved: String,
    /// `{dir}`, `{files}`: where the approved version is.
    pub approved_dir: String,
    /// `{count}`, `{sha}`: the inputs approved.
    pub inputs: String,
    /// `{dir}`, `{version}`: the draft now compares with the version.
    pub draft_compares: String,
    /// `{file}`, `{name}`, `{version}`, `{cycle}`, `{by}`, `{at}`: `verify` found the file.
    pub verify_match: String,
    /// `{file}`, `{sha}`: `verify` found no approved file with these bytes.
    pub verify_none: String,
    /// `{version}`, `{cycle}`, `{same}`, `{total}`: a version rebuilt from the archive.
    pub rebuilt: String,
    /// `{name}`: a rebuilt output unlike the approved one.
    pub rebuilt_differs: String,
    /// `{name}`, `{dir}`: an approved output missing, written again.
    pub rebuilt_written: String,
    /// `{name}`, `{dir}`: a file of the version's folder that is not the approved one.
    pub rebuilt_altered: String,
    /// The configuration changed since the approval.
    pub config_changed: String,
    /// `{meeting}`: what `build` says of a draft of a cycle never approved.
    pub build_draft: String,
    /// `{version}`, `{by}`, `{at}`, `{figures}`, `{reports}`, `{tasks}`, `{files}`, `{meeting}`:
    /// what `build` says of a draft that differs from the approved version.
    pub build_changes: String,
    /// `{version}`, `{by}`, `{at}`, `{meeting}`: a draft the same as the approved version.
    pub build_no_changes: String,
}

impl ApprovalWords {
    fn patterns(&self) -> [(&'static str, &str, &'static [&'static str]); 14] {
        const CHANGES: &[&str] = &["version", "by", "at", "figures", "reports", "tasks", "files", "meeting"];
        [
            ("approved_line", &self.approved_line, &["version", "by", "at", "sha"]),
            ("approved", &self.approved, &["cycle", "version", "by", "at"]),
            ("approved_dir", &self.approved_dir, &["dir", "files"]),
            ("inputs", &self.inputs, &["count", "sha"]),
            ("draft_compares", &self.draft_compares, &["dir", "version"]),
            ("verify_match", &self.verify_match, &["file", "name", "version", "cycle", "by", "at"]),
            ("verify_none", &self.verify_none, &["file", "sha"]),
            ("rebuilt", &self.rebuilt, &["version", "cycle", "same", "total"]),
            ("rebuilt_differs", &self.rebuilt_differs, &["name"]),
            ("rebuilt_written", &self.rebuilt_written, &["name", "dir"]),
            ("rebuilt_altered", &self.rebuilt_altered, &["name", "dir"]),
            ("build_draft", &self.build_draft, &["meeting"]),
            ("build_changes", &self.build_changes, CHANGES),
            ("build_no_changes", &self.build_no_changes, &["version", "by", "at", "meeting"]),
        ]
    }

    /// Refuses a placeholder a pattern cannot be given.
    fn check(&self) -> Result<(), String> {
        for (key, pattern, allowed) in self.patterns() {
            if let Some(name) = placeholders(pattern).find(|name| !allowed.contains(name)) {
                return Err(format!("{key}: {{{name}}} is not one of {{{}}}", allowed.join("}, {")));
            }
        }
        Ok(())
    }

    /// An approval's time, in the reporting time zone, as this language writes it.
    pub fn time_of(&self, rfc3339: &str) -> String {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .map(|t| t.format(&self.time).to_string())
            .unwrap_or_else(|_| rfc3339.to_string())
    }
}

/// A table of words checked (`Some` with its placeholders' verdict) or absent,
/// which only an added language may be: the built-in ones are every language's fallback.
fn check_word_table(
    table: &'static str,
    checked: Option<Result<(), String>>,
    built_in: Option<&str>,
) -> Result<(), (Option<&'static str>, String)> {
    match (checked, built_in) {
        (Some(verdict), _) => verdict.map_err(|m| (Some(table), m)),
        (None, Some(code)) => Err((None, format!("a built-in language ({code}) needs its {table} table"))),
        (None, None) => Ok(()),
    }
}

/// The `{name}` placeholders of a pattern.
fn placeholders(pattern: &str) -> impl Iterator<Item = &str> {
    pattern.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// A pattern with its `{name}` placeholders replaced by `values`.
///
/// ```
/// assert_eq!(tonghop::language::fill("{a} of {b}", &[("a", "3".into()), ("b", "5".into())]), "3 of 5");
/// ```
pub fn fill(pattern: &str, values: &[(&str, String)]) -> String {
    let mut out = pattern.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Words of the charts of the HTML report.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartWords {
    /// In place of a bar, and in the checklist legend, for a unit without data.
    pub not_reported: String,
    /// Title of the checklist grid.
    pub checklist: String,
    /// Legend of the checklist grid: an item done.
    pub done: String,
    /// Legend of the checklist grid: an item not done.
    pub not_done: String,
    /// Under a trend with fewer cycles of data than it can show, `{n}` the number.
    pub fewer_cycles: String,
    /// Title of the chart of weekly reports received out of owed, week by week.
    pub reporting_rate: String,
    /// Under that chart when fewer weeks have passed than it can show, `{n}` the number.
    pub fewer_weeks: String,
}

/// Phrases the meeting document's data are written with (the template holds the rest).
#[derive(Debug, Clone)]
pub struct DocumentWords {
    /// Counting units that are all provinces (`9/34 địa phương`).
    pub provinces: String,
    /// Counting units of any type (`9/56 đơn vị`).
    pub units: String,
    /// Letters of the points under a heading, in order; past the last, numbers.
    pub letters: Vec<String>,
    /// Months written with two digits in the document date (Decree 30: January and February).
    pub two_digit_months: Vec<u32>,
    /// A weekly criterion's label says "this week" (` trong tuần`)…
    pub this_week: String,
    /// …which the outputs, summing a period, replace with this (` trong kỳ`).
    pub in_the_period: String,
    /// `{n}`: added to a weekly criterion summed over `n` weeks (` (2 tuần)`).
    pub period_weeks: String,
    /// `{date}`: added to a level taken at each unit's latest week (`, đến 26/09/2025`).
    pub as_of: String,
}

/// Sheet names of `tong-hop.xlsx`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sheets {
    /// National figures with the previous cycle, ratios, checklist.
    pub overview: String,
    /// Unit × criterion.
    pub matrix: String,
    /// Assigned tasks by unit.
    pub tasks: String,
    /// Timeliness of every expected report.
    pub submissions: String,
    /// Validation issues of the cycle's files.
    pub issues: String,
    /// Values that jump against their history.
    pub quality: String,
    /// Difficulties, proposals, highlights, next week's tasks.
    pub narrative: String,
}

/// Column headers of each sheet of `tong-hop.xlsx`, left to right.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// Code, criterion, unit, kind, this cycle, previous cycle (these two also name the ratio
    /// chart's series), change, change (%), units reported, expected, missing; for a figure
    /// counting a value to check: the figure without it, its change, and whose values.
    pub overview: [String; 14],
    /// Code, unit, type (the criterion codes follow).
    pub matrix: [String; 3],
    /// Unit, code, task, assigned by, deadline, last day, status, completed on, overdue, days overdue, source.
    pub tasks: [String; 11],
    /// Code, unit, week, status, received, minutes late, file used, superseded files, rejected files.
    pub submissions: [String; 9],
    /// File, unit, week, code, severity, sheet, cell, message, how to fix.
    pub issues: [String; 9],
    /// Unit, criterion, week, value, median of earlier weeks, weeks, note, source.
    pub quality: [String; 8],
    /// Kind, field, unit, content, addressee, week, source.
    pub narrative: [String; 7],
}

/// The words of `tong-hop.xlsx`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkbookWords {
    /// The document's title property (the cycle follows).
    pub title: String,
    /// The document's author property.
    pub author: String,
    /// The overview's title for a meeting: "`meeting` 02/10/2025 — `meeting_weeks` 2025-W39, …".
    pub meeting: String,
    /// See `meeting`.
    pub meeting_weeks: String,
    /// The overview's title for weeks named directly: "`weeks` 2025-W39, …".
    pub weeks: String,
    /// Before the cut-off date.
    pub cutoff: String,
    /// A criterion summed over weeks, in the overview's kind column.
    pub flow: String,
    /// A criterion taken at each unit's latest week, in the overview's kind column.
    pub stock: String,
    /// Heading of the overview's ratios.
    pub ratios: String,
    /// Heading of the overview's checklist.
    pub checklist: String,
    /// Title of the overview's chart of ratios.
    pub ratio_chart: String,
    /// Title of the matrix's chart of dossiers by province.
    pub matrix_chart: String,
    /// Title of the submissions' pie chart.
    pub submission_chart: String,
    /// Sheet names.
    pub sheets: Sheets,
    /// Column headers.
    pub columns: Columns,
}

/// A loaded language.
///
/// ```
/// use tonghop::language::{Lang, Language};
/// let en = Language::load(&[std::path::Path::new("report_templates")], "en").unwrap();
/// assert_eq!((en.code(), en.fallback()), ("en", Lang::En));
/// assert_eq!(tonghop::render::format::number(94402.0, 0, &en), "94,402");
/// ```
#[derive(Debug, Clone)]
pub struct Language(Arc<Settings>);

#[derive(Debug)]
struct Settings {
    code: String,
    name: String,
    path: PathBuf,
    fallback: Lang,
    numbers: Numbers,
    date: Vec<Item<'static>>,
    date_time: Vec<Item<'static>>,
    day_month: Vec<Item<'static>>,
    months: Vec<String>,
    months_short: Vec<String>,
    words: Words,
    /// The fallback language's "this week" and "in the period", for labels shown in it.
    fallback_period: Option<(String, String)>,
    console: Option<ConsoleWords>,
    approval: Option<ApprovalWords>,
    watch: Option<WatchWords>,
    charts: ChartWords,
    document: DocumentWords,
    workbook: WorkbookWords,
}

/// Why a language cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LanguageError {
    /// No folder holds `<code>/language.toml`: the code asked for, and the installed ones.
    Unknown { code: String, available: Vec<String> },
    /// The settings file is missing from its folder or cannot be used.
    Invalid(ConfigError),
}

impl fmt::Display for LanguageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LanguageError::Unknown { code, available } => write!(
                f,
                "unknown language \"{code}\"; available: {} (a language is a folder <code>/ with a {SETTINGS_FILE} in the configuration folder)",
                available.join(", ")
            ),
            LanguageError::Invalid(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for LanguageError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    name: String,
    fallback: Spanned<String>,
    numbers: RawNumbers,
    dates: RawDates,
    words: Words,
    #[serde(default)]
    console: Option<ConsoleWords>,
    #[serde(default)]
    approval: Option<ApprovalWords>,
    watch: Option<WatchWords>,
    charts: ChartWords,
    document: RawDocument,
    workbook: WorkbookWords,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNumbers {
    thousands: String,
    decimal: Spanned<String>,
    percent: Spanned<String>,
    points: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDates {
    date: Spanned<String>,
    date_time: Spanned<String>,
    day_month: Spanned<String>,
    months: Spanned<Vec<String>>,
    months_short: Spanned<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    provinces: String,
    units: String,
    letters: Spanned<Vec<String>>,
    two_digit_months: Spanned<Vec<u32>>,
    this_week: String,
    in_the_period: String,
    period_weeks: Spanned<String>,
    as_of: Spanned<String>,
}

/// The characters Excel refuses in a sheet name.
const SHEET_FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

impl Language {
    /// Loads the language `code` from the first of `dirs` (a `--templates`
    /// folder, then the configuration folder) that holds `<code>/language.toml`.
    pub fn load(dirs: &[&Path], code: &str) -> Result<Language, LanguageError> {
        // The code becomes a path: nothing but a language code may reach the file system.
        let unknown = || LanguageError::Unknown { code: code.to_string(), available: Language::available(dirs) };
        if !is_language_code(code) {
            return Err(unknown());
        }
        if let Some(path) = dirs.iter().map(|d| d.join(code).join(SETTINGS_FILE)).find(|p| p.is_file()) {
            let mut lang = Language::from_file(&path, code)?;
            // Labels without a text in this language are shown in the fallback's:
            // their "this week" is the fallback's words.
            if lang.fallback().code() != code
                && let Ok(fallback) = Language::load(dirs, lang.fallback().code())
                && let Some(settings) = Arc::get_mut(&mut lang.0)
            {
                let words = fallback.document();
                settings.fallback_period = Some((words.this_week.clone(), words.in_the_period.clone()));
                // Without words of its own for drafts and approvals, the fallback's are used.
                if settings.approval.is_none() {
                    settings.approval = fallback.approval().cloned();
                }
            }
            return Ok(lang);
        }
        match dirs.iter().map(|d| d.join(code)).find(|d| d.is_dir()) {
            Some(folder) => Err(LanguageError::Invalid(ConfigError {
                file: folder.join(SETTINGS_FILE),
                line: None,
                message: format!(
                    "the language folder {} has no {SETTINGS_FILE}; copy en/{SETTINGS_FILE} into it and translate it",
                    folder.display()
                ),
            })),
            None => Err(unknown()),
        }
    }

    /// Reads a settings file; `code` is the name of its folder.
    pub fn from_file(path: &Path, code: &str) -> Result<Language, LanguageError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            LanguageError::Invalid(ConfigError {
                file: path.to_path_buf(),
                line: None,
                message: format!("cannot read the file ({e})"),
            })
        })?;
        Language::parse(&text, path, code).map_err(LanguageError::Invalid)
    }

    /// The codes of the languages installed in `dirs`, sorted.
    pub fn available(dirs: &[&Path]) -> Vec<String> {
        let mut codes: Vec<String> = dirs
            .iter()
            .filter_map(|d| std::fs::read_dir(d).ok())
            .flat_map(|entries| entries.flatten())
            .filter(|e| e.path().join(SETTINGS_FILE).is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|c| is_language_code(c))
            .collect();
        codes.sort();
        codes.dedup();
        codes
    }

    /// Parses the text of a settings file; `path` only names it in messages.
    pub fn parse(text: &str, path: &Path, code: &str) -> Result<Language, ConfigError> {
        let error = |offset: Option<usize>, message: String| ConfigError {
            file: path.to_path_buf(),
            line: offset.map(|o| text.as_bytes()[..o.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1),
            message,
        };
        let raw: RawSettings =
            toml::from_str(text).map_err(|e| error(e.span().map(|s| s.start), e.message().trim().to_string()))?;
        let fallback = match raw.fallback.get_ref().as_str() {
            "vi" => Lang::Vi,
            "en" => Lang::En,
            other => {
                return Err(error(
                    Some(raw.fallback.span().start),
                    format!(
                        "fallback = {other:?}: write \"vi\" or \"en\", the built-in language of the validation messages and of labels without a {code} text"
                    ),
                ));
            }
        };
        if let Some(builtin) = [Lang::Vi, Lang::En].into_iter().find(|l| l.code() == code)
            && builtin != fallback
        {
            return Err(error(
                Some(raw.fallback.span().start),
                format!("the fallback of the built-in language {code} is {code} itself"),
            ));
        }
        let decimal = raw.numbers.decimal.get_ref();
        if decimal.is_empty() || *decimal == raw.numbers.thousands {
            return Err(error(
                Some(raw.numbers.decimal.span().start),
                "the decimal separator must be written and differ from the thousands separator".into(),
            ));
        }
        for pattern in [&raw.numbers.percent, &raw.numbers.points] {
            if pattern.get_ref().matches("{}").count() != 1 {
                return Err(error(
                    Some(pattern.span().start),
                    format!("{:?} must hold {{}} once, where the number goes", pattern.get_ref()),
                ));
            }
        }
        let months = twelve(&raw.dates.months).map_err(|m| error(Some(raw.dates.months.span().start), m))?;
        let months_short =
            twelve(&raw.dates.months_short).map_err(|m| error(Some(raw.dates.months_short.span().start), m))?;
        let sample_day = NaiveDate::from_ymd_opt(2025, 9, 29).unwrap_or_default();
        let sample_time = DateTime::parse_from_rfc3339("2025-09-29T17:00:00+07:00").unwrap_or_default();
        let mut patterns = Vec::new();
        for (pattern, with_time) in
            [(&raw.dates.date, false), (&raw.dates.date_time, true), (&raw.dates.day_month, false)]
        {
            let problem =
                |what: &str| error(Some(pattern.span().start), format!("date format {:?}: {what}", pattern.get_ref()));
            let parsed = StrftimeItems::new(pattern.get_ref())
                .parse_to_owned()
                .map_err(|_| problem("not a strftime format such as \"%d/%m/%Y\""))?;
            // Formatting a date with a time field fails only when it is written out, so try it now.
            let items = with_months(&parsed, 8, &months, &months_short);
            let mut out = String::new();
            let written = if with_time {
                write!(out, "{}", sample_time.format_with_items(items.iter()))
            } else {
                write!(out, "{}", sample_day.format_with_items(items.iter()))
            };
            if written.is_err() {
                return Err(problem(if with_time {
                    "it asks for something a date and time does not have"
                } else {
                    "it asks for a time or zone, which a date does not have"
                }));
            }
            patterns.push(parsed);
        }
        let day_month = patterns.pop().unwrap_or_default();
        let date_time = patterns.pop().unwrap_or_default();
        let date = patterns.pop().unwrap_or_default();
        if raw.document.letters.get_ref().is_empty() {
            return Err(error(Some(raw.document.letters.span().start), "letters must list at least one letter".into()));
        }
        if let Some(m) = raw.document.two_digit_months.get_ref().iter().find(|m| !(1..=12).contains(*m)) {
            return Err(error(Some(raw.document.two_digit_months.span().start), format!("{m} is not a month")));
        }
        let built_in = code == fallback.code();
        let tables = [
            ("[console]", raw.console.as_ref().map(ConsoleWords::check)),
            ("[approval]", raw.approval.as_ref().map(ApprovalWords::check)),
            ("[watch]", raw.watch.as_ref().map(WatchWords::check)),
        ];
        for (table, checked) in tables {
            check_word_table(table, checked, built_in.then_some(code))
                .map_err(|(at, m)| error(at.and_then(|t| text.find(t)), m))?;
        }
        for (pattern, name) in [(&raw.document.period_weeks, "{n}"), (&raw.document.as_of, "{date}")] {
            if pattern.get_ref().matches(name).count() != 1 {
                return Err(error(
                    Some(pattern.span().start),
                    format!("{:?} must hold {name} once", pattern.get_ref()),
                ));
            }
        }
        let workbook = raw.workbook;
        check_sheets(&workbook.sheets).map_err(|m| error(text.find("[workbook.sheets]"), m))?;
        Ok(Language(Arc::new(Settings {
            code: code.to_string(),
            name: raw.name,
            path: path.to_path_buf(),
            fallback,
            numbers: Numbers {
                thousands: raw.numbers.thousands,
                decimal: raw.numbers.decimal.into_inner(),
                percent: raw.numbers.percent.into_inner(),
                points: raw.numbers.points.into_inner(),
            },
            date,
            date_time,
            day_month,
            months,
            months_short,
            words: raw.words,
            console: raw.console,
            approval: raw.approval,
            watch: raw.watch,
            fallback_period: None,
            charts: raw.charts,
            document: DocumentWords {
                provinces: raw.document.provinces,
                units: raw.document.units,
                letters: raw.document.letters.into_inner(),
                two_digit_months: raw.document.two_digit_months.into_inner(),
                this_week: raw.document.this_week,
                in_the_period: raw.document.in_the_period,
                period_weeks: raw.document.period_weeks.into_inner(),
                as_of: raw.document.as_of.into_inner(),
            },
            workbook,
        })))
    }

    /// The language code, also the name of its folder (`vi`, `en`, `fr`).
    pub fn code(&self) -> &str {
        &self.0.code
    }

    /// The language's own name (`Tiếng Việt`, `Français`).
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The settings file it was read from.
    pub fn path(&self) -> &Path {
        &self.0.path
    }

    /// The built-in language of the validation and console messages, and of labels without a text in this language.
    pub fn fallback(&self) -> Lang {
        self.0.fallback
    }

    /// The built-in language this one is, if it is one.
    pub fn builtin(&self) -> Option<Lang> {
        [Lang::Vi, Lang::En].into_iter().find(|l| l.code() == self.code())
    }

    /// How numbers are written (`[numbers]`).
    pub fn numbers(&self) -> &Numbers {
        &self.0.numbers
    }

    /// Words of every output (`[words]`).
    /// A criterion's label naming the period its aggregate covers: a weekly
    /// count summed over several weeks says so (`… trong kỳ (2 tuần)`), a level
    /// says the date it stands at (`…, đến 26/09/2025`); one week, a yes/no
    /// item or a text keeps its label.
    ///
    /// ```
    /// # let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
    /// # let lang = tonghop::language::Language::load(&[config.dir.as_path()], "vi").unwrap();
    /// use tonghop::schema::Aggregation::{Flow, Stock};
    /// assert_eq!(lang.period_label("Hồ sơ tiếp nhận trong tuần", Flow, 2, "26/09/2025"), "Hồ sơ tiếp nhận trong kỳ (2 tuần)");
    /// assert_eq!(lang.period_label("Hồ sơ tiếp nhận trong tuần", Flow, 1, "26/09/2025"), "Hồ sơ tiếp nhận trong tuần");
    /// assert_eq!(lang.period_label("Hồ sơ quá hạn", Stock, 2, "26/09/2025"), "Hồ sơ quá hạn, đến 26/09/2025");
    /// ```
    pub fn period_label(&self, label: &str, kind: Aggregation, weeks: usize, as_of: &str) -> String {
        let words = &self.0.document;
        match kind {
            Aggregation::Flow if weeks > 1 => {
                let fallback = self.0.fallback_period.as_ref().map(|(w, p)| (w.as_str(), p.as_str()));
                let pairs = [(words.this_week.as_str(), words.in_the_period.as_str())].into_iter().chain(fallback);
                let label = match pairs.into_iter().find(|(week, _)| !week.is_empty() && label.contains(week)) {
                    Some((week, period)) => label.replace(week, period),
                    None => label.to_string(),
                };
                label + &words.period_weeks.replace("{n}", &weeks.to_string())
            }
            Aggregation::Stock => label.to_string() + &words.as_of.replace("{date}", as_of),
            _ => label.to_string(),
        }
    }

    /// The words of the console, when this language has them (the built-in ones do).
    pub fn console(&self) -> Option<&ConsoleWords> {
        self.0.console.as_ref()
    }

    /// The words of approvals and drafts, when this language has them (the built-in ones do).
    pub fn approval(&self) -> Option<&ApprovalWords> {
        self.0.approval.as_ref()
    }

    /// The words of `watch`'s log, when this language has them (the built-in ones do).
    pub fn watch(&self) -> Option<&WatchWords> {
        self.0.watch.as_ref()
    }

    pub fn words(&self) -> &Words {
        &self.0.words
    }

    /// Words of the report's charts (`[charts]`).
    pub fn charts(&self) -> &ChartWords {
        &self.0.charts
    }

    /// Phrases of the meeting document (`[document]`).
    pub fn document(&self) -> &DocumentWords {
        &self.0.document
    }

    /// Words of the workbook (`[workbook]`).
    pub fn workbook(&self) -> &WorkbookWords {
        &self.0.workbook
    }

    /// The name of a month (1 to 12).
    pub fn month_name(&self, month: u32) -> &str {
        self.0.months.get(month.wrapping_sub(1) as usize).map(String::as_str).unwrap_or_default()
    }

    /// A date in the `date` format.
    pub fn format_date(&self, day: NaiveDate) -> String {
        let items = with_months(&self.0.date, day_month0(day), &self.0.months, &self.0.months_short);
        write_or_iso(day.format_with_items(items.iter()), || day.to_string())
    }

    /// A day and month only (chart axes), in the `day_month` format.
    pub fn format_day_month(&self, day: NaiveDate) -> String {
        let items = with_months(&self.0.day_month, day_month0(day), &self.0.months, &self.0.months_short);
        write_or_iso(day.format_with_items(items.iter()), || day.to_string())
    }

    /// A moment in the `date_time` format, in its own offset.
    pub fn format_date_time(&self, time: DateTime<FixedOffset>) -> String {
        use chrono::Datelike;
        let items = with_months(&self.0.date_time, time.month0(), &self.0.months, &self.0.months_short);
        write_or_iso(time.format_with_items(items.iter()), || time.to_rfc3339())
    }

    /// A label in this language: its own text, else the fallback's, as
    /// `schema.toml` and `units.toml` give them.
    ///
    /// ```
    /// # let dir = std::path::Path::new("report_templates");
    /// let en = tonghop::language::Language::load(&[dir], "en").unwrap();
    /// assert_eq!(en.label("Tổng quan", "Overview", &Default::default()), "Overview");
    /// ```
    pub fn label<'a>(&self, vi: &'a str, en: &'a str, translations: &'a Translations) -> &'a str {
        self.label_keyed("", vi, en, translations)
    }

    /// [`Language::label`] for a label whose keys carry a prefix (`unit_` for
    /// `unit_vi`, `unit_en`, `unit_fr`).
    pub fn label_keyed<'a>(&self, prefix: &str, vi: &'a str, en: &'a str, translations: &'a Translations) -> &'a str {
        match self.code() {
            "vi" => vi,
            "en" => en,
            code => match translations.get(&format!("{prefix}{code}")).filter(|t| !t.is_empty()) {
                Some(own) => own,
                None => match self.fallback() {
                    Lang::Vi => vi,
                    Lang::En => en,
                },
            },
        }
    }

    /// A unit's name as tables show it: the short Vietnamese name, the English
    /// name, or the name in this language.
    pub fn unit_short<'a>(&self, config: &'a Config, unit: &'a crate::schema::Unit) -> &'a str {
        self.label(&unit.short, &unit.en, config.translations(LabelOf::Unit, &unit.code))
    }

    /// A unit's name in full (`Tỉnh Thanh Hóa`), as receipts show it.
    pub fn unit_full<'a>(&self, config: &'a Config, unit: &'a crate::schema::Unit) -> &'a str {
        self.label(&unit.name, &unit.en, config.translations(LabelOf::Unit, &unit.code))
    }

    /// How many labels of the configuration have no text in this language, by
    /// where they are (`[[criterion]]`, `unit_fr in [[criterion]]`, `[[unit]]`…);
    /// none for the built-in languages, whose labels are required.
    pub fn missing_labels(&self, config: &Config) -> Vec<(String, usize)> {
        if self.builtin().is_some() {
            return Vec::new();
        }
        let code = self.code();
        let lacks =
            |of: LabelOf, item: &str, key: &str| config.translations(of, item).get(key).is_none_or(|t| t.is_empty());
        let s = &config.schema;
        let codes: [(LabelOf, Vec<&str>); 9] = [
            (LabelOf::Section, s.sections.iter().map(|x| x.code.as_str()).collect()),
            (LabelOf::Criterion, s.criteria.iter().map(|x| x.code.as_str()).collect()),
            (LabelOf::Ratio, s.ratios.iter().map(|x| x.code.as_str()).collect()),
            (LabelOf::Task, s.tasks.iter().map(|x| x.code.as_str()).collect()),
            (LabelOf::TaskStatus, s.task_statuses.iter().map(|x| x.code.as_str()).collect()),
            (LabelOf::NarrativeKind, s.narrative_kinds.iter().map(|x| x.code.as_str()).collect()),
            (LabelOf::Field, s.fields.iter().map(|x| x.code.as_str()).collect()),
            (LabelOf::UnitType, config.units.types().iter().map(|t| t.as_str()).collect()),
            (LabelOf::Unit, config.units.units().iter().map(|u| u.code.as_str()).collect()),
        ];
        let mut out = Vec::new();
        for (of, items) in codes {
            out.push((format!("[[{}]]", of.table()), items.into_iter().filter(|c| lacks(of, c, code)).count()));
            if of == LabelOf::Criterion {
                let unit_key = format!("unit_{code}");
                let units = s.criteria.iter().filter(|c| !c.unit_vi.is_empty() && lacks(of, &c.code, &unit_key));
                out.push((format!("{unit_key} in [[criterion]]"), units.count()));
            }
        }
        out.retain(|(_, n)| *n > 0);
        out
    }
}

fn day_month0(day: NaiveDate) -> u32 {
    use chrono::Datelike;
    day.month0()
}

/// A list of the twelve months.
fn twelve(list: &Spanned<Vec<String>>) -> Result<Vec<String>, String> {
    if list.get_ref().len() == 12 {
        Ok(list.get_ref().clone())
    } else {
        Err(format!("twelve months are needed, January first; {} are listed", list.get_ref().len()))
    }
}

/// The items of a date format with month names (`%B`, `%b`) in this language
/// instead of chrono's English ones.
fn with_months(items: &[Item<'static>], month0: u32, months: &[String], short: &[String]) -> Vec<Item<'static>> {
    let name = |list: &[String]| list.get(month0 as usize).cloned().unwrap_or_default().into_boxed_str();
    items
        .iter()
        .map(|item| match item {
            Item::Fixed(Fixed::LongMonthName) => Item::OwnedLiteral(name(months)),
            Item::Fixed(Fixed::ShortMonthName) => Item::OwnedLiteral(name(short)),
            other => other.clone(),
        })
        .collect()
}

/// Writes a formatted date; a format that cannot be applied (checked at load,
/// so never expected) gives the ISO form rather than a panic.
fn write_or_iso(formatted: impl fmt::Display, iso: impl Fn() -> String) -> String {
    let mut out = String::new();
    match write!(out, "{formatted}") {
        Ok(()) => out,
        Err(_) => iso(),
    }
}

/// Excel's rules for sheet names, checked before a workbook is written.
fn check_sheets(sheets: &Sheets) -> Result<(), String> {
    let names = [
        &sheets.overview,
        &sheets.matrix,
        &sheets.tasks,
        &sheets.submissions,
        &sheets.issues,
        &sheets.quality,
        &sheets.narrative,
    ];
    for (i, name) in names.iter().enumerate() {
        let n = name.chars().count();
        if n == 0 || n > 31 {
            return Err(format!("sheet name {name:?}: Excel needs 1 to 31 characters"));
        }
        if let Some(c) = name.chars().find(|c| SHEET_FORBIDDEN.contains(c)) {
            return Err(format!("sheet name {name:?}: Excel refuses the character {c:?}"));
        }
        if name.starts_with('\'') || name.ends_with('\'') {
            return Err(format!("sheet name {name:?}: Excel refuses an apostrophe at either end"));
        }
        if names[..i].iter().any(|other| other.to_lowercase() == name.to_lowercase()) {
            return Err(format!("sheet name {name:?} is used twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn bundled() -> &'static Path {
        Path::new("report_templates")
    }

    fn english_text() -> String {
        std::fs::read_to_string(bundled().join("en").join(SETTINGS_FILE)).expect("en/language.toml")
    }

    #[test]
    fn bundled_languages_load() {
        assert_eq!(Language::available(&[bundled()]), ["en", "vi"]);
        let vi = Language::load(&[bundled()], "vi").expect("vi");
        assert_eq!((vi.fallback(), vi.builtin()), (Lang::Vi, Some(Lang::Vi)));
        let day = NaiveDate::from_ymd_opt(2025, 9, 5).expect("date");
        assert_eq!(vi.format_date(day), "05/09/2025");
        let en = Language::load(&[bundled()], "en").expect("en");
        assert_eq!(en.format_date(day), "5 Sep 2025");
        assert_eq!(en.month_name(9), "September");
        let time = DateTime::parse_from_rfc3339("2025-09-05T08:30:00+07:00").expect("time");
        assert_eq!(en.format_date_time(time), "5 Sep 2025 08:30");
    }

    #[test]
    fn unknown_codes_list_the_languages() {
        let e = Language::load(&[bundled()], "fr").unwrap_err();
        assert_eq!(e, LanguageError::Unknown { code: "fr".into(), available: vec!["en".into(), "vi".into()] });
        assert!(e.to_string().contains("available: en, vi"), "{e}");
        let e = Language::load(&[bundled()], "../report_templates/en").unwrap_err();
        assert!(matches!(e, LanguageError::Unknown { .. }), "a path is not a language: {e}");
    }

    #[test]
    fn a_folder_without_settings_is_named() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir(dir.path().join("fr")).expect("mkdir");
        let e = Language::load(&[dir.path()], "fr").unwrap_err();
        let LanguageError::Invalid(e) = e else { panic!("{e}") };
        assert!(e.file.ends_with("fr/language.toml") && e.message.contains("no language.toml"), "{e}");
        assert!(Language::available(&[dir.path()]).is_empty());
        // The override folder wins over the configuration folder.
        std::fs::write(dir.path().join("fr").join(SETTINGS_FILE), english_text().replace("\"en\"", "\"vi\""))
            .expect("write");
        let fr = Language::load(&[dir.path(), bundled()], "fr").expect("fr");
        assert_eq!((fr.fallback(), fr.builtin()), (Lang::Vi, None));
        assert_eq!(Language::available(&[dir.path(), bundled()]), ["en", "fr", "vi"]);
    }

    #[test]
    fn bad_settings_point_at_their_line() {
        let path = Path::new("fr/language.toml");
        let good = english_text();
        let line_of = |text: &str, needle: &str| text[..text.find(needle).expect("needle")].matches('\n').count() + 1;
        let parse = |text: &str| Language::parse(text, path, "fr").unwrap_err();

        let text = good.replacen("[words]\n", "[words]\nsevere = \"x\"\n", 1);
        let e = parse(&text);
        assert_eq!(e.line, Some(line_of(&text, "severe")), "{e}");
        assert!(e.message.contains("unknown field `severe`"), "{e}");

        let text = good.replacen("day = ", "dai = ", 1);
        assert!(parse(&text).message.contains("unknown field `dai`"));

        let text = good.replacen("fallback = \"en\"", "fallback = \"de\"", 1);
        let e = parse(&text);
        assert_eq!(e.line, Some(line_of(&text, "fallback")), "{e}");

        let text = good.replacen("percent = \"{}%\"", "percent = \"%\"", 1);
        let e = parse(&text);
        assert!(e.message.contains("{}") && e.line == Some(line_of(&text, "percent")), "{e}");

        let text = good.replacen("date = \"%-d %b %Y\"", "date = \"%-d %b %Y %H:%M\"", 1);
        assert!(parse(&text).message.contains("a date does not have"), "{}", parse(&text));

        let text = good.replacen("overview = \"Overview\"", "overview = \"Over: view\"", 1);
        assert!(parse(&text).message.contains("refuses the character ':'"));

        let text = good.replacen("\"Code\", \"Unit\", \"Type\"", "\"Code\", \"Unit\"", 1);
        assert!(parse(&text).message.contains("invalid length 2"), "{}", parse(&text));

        let e = Language::parse(&good, Path::new("vi/language.toml"), "vi").unwrap_err();
        assert!(e.message.contains("itself"), "{e}");
        assert!(Language::parse(&good, path, "fr").is_ok());
    }

    /// The keys of a TOML value, as `table.key` paths, tables included.
    fn keys(value: &toml::Value, prefix: &str, out: &mut BTreeSet<String>) {
        if let toml::Value::Table(table) = value {
            for (key, inner) in table {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                keys(inner, &path, out);
                out.insert(path);
            }
        }
    }

    fn bundled_keys(code: &str) -> BTreeSet<String> {
        let text = std::fs::read_to_string(bundled().join(code).join(SETTINGS_FILE)).expect("language.toml");
        let mut out = BTreeSet::new();
        keys(&toml::Value::Table(toml::from_str(&text).expect("TOML")), "", &mut out);
        out
    }

    /// Both built-in languages say everything, `[console]` and `[watch]` included,
    /// with the same keys: a line added to one is added to the other.
    #[test]
    fn vietnamese_and_english_have_the_same_keys() {
        let (vi, en) = (bundled_keys("vi"), bundled_keys("en"));
        assert_eq!(vi.symmetric_difference(&en).collect::<Vec<_>>(), Vec::<&String>::new());
        for table in ["console", "watch"] {
            assert!(vi.contains(table), "[{table}]");
        }
        let watch = en.iter().filter(|k| k.starts_with("watch.")).count();
        let vi_lang = Language::load(&[bundled()], "vi").expect("vi");
        let words = vi_lang.watch().expect("[watch]");
        assert_eq!(watch, words.patterns().len(), "every [watch] line has its placeholders checked");
        assert!(words.start.contains("{known}") && words.file.contains("{receipt}"));
    }

    #[test]
    fn watch_lines_are_checked_and_may_be_left_to_the_fallback() {
        let path = Path::new("fr/language.toml");
        let good = english_text();
        let start = good.lines().find(|l| l.starts_with("start = ")).expect("[watch] start");
        // Translated, the log speaks the language.
        let text = good.replacen(start, "start = \"surveillance de {inputs} ({mode}) : {known} versions\"", 1);
        let fr = Language::parse(&text, path, "fr").expect("fr");
        assert!(fr.watch().expect("[watch]").start.starts_with("surveillance de "));
        // A placeholder the line cannot be given is refused at its table.
        let text = good.replacen(start, "start = \"watching {folder}\"", 1);
        let e = Language::parse(&text, path, "fr").unwrap_err();
        assert!(e.message.contains("start: {folder} is not one of {inputs}"), "{e}");
        assert_eq!(e.line, Some(text[..text.find("[watch]").expect("table")].matches('\n').count() + 1));
        let text = good.replacen("accepted = \"accepted\"", "accepted = \"{verdict}\"", 1);
        assert!(Language::parse(&text, path, "fr").unwrap_err().message.contains("takes no placeholder"));
        // Left out: the fallback's words are used (by the command); a built-in language needs it.
        let watch = &good[good.find("[watch]").expect("[watch]")..good.find("[charts]").expect("[charts]")];
        let without = good.replacen(watch, "", 1);
        assert!(Language::parse(&without, path, "fr").expect("fr").watch().is_none());
        let e = Language::parse(&without, Path::new("en/language.toml"), "en").unwrap_err();
        assert!(e.message.contains("needs its [watch] table"), "{e}");
    }

    #[test]
    fn missing_files_are_errors_not_panics() {
        let e = Language::from_file(Path::new("/nonexistent/fr/language.toml"), "fr").unwrap_err();
        assert!(e.to_string().contains("cannot read the file"), "{e}");
    }

    #[test]
    fn labels_fall_back() {
        let config = Config::load(bundled()).expect("config");
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::create_dir(dir.path().join("fr")).expect("mkdir");
        std::fs::write(dir.path().join("fr").join(SETTINGS_FILE), english_text()).expect("write");
        let fr = Language::load(&[dir.path()], "fr").expect("fr");
        let mut own = Translations::new();
        assert_eq!(fr.label("Mục", "Item", &own), "Item");
        own.insert("fr".into(), "Élément".into());
        own.insert("unit_fr".into(), "documents".into());
        assert_eq!(fr.label("Mục", "Item", &own), "Élément");
        assert_eq!(fr.label_keyed("unit_", "văn bản", "documents", &own), "documents");
        let missing = fr.missing_labels(&config);
        assert!(missing.contains(&("[[unit]]".to_string(), 56)), "{missing:?}");
        assert!(Language::load(&[bundled()], "vi").expect("vi").missing_labels(&config).is_empty());
    }
}
