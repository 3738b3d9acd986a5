//! The data that flows between the pipeline stages, defined once.
//!
//! `ingest` produces [`RawWorkbook`]s, `validate` turns each into a [`FileReport`]
//! (with a [`Submission`] when the file is usable), and `aggregate` consumes
//! submissions. No stage needs another stage's internals: only these types.

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

pub use crate::issue::{Code, Issue, Location, Severity};

/// One value read from a cell, before it is checked against the schema.
///
/// Mirrors what a spreadsheet can hold, independent of the file format.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// Text, already normalized to NFC by the reader.
    Text(String),
    /// A number (xlsx stores every number as a float).
    Number(f64),
    /// A cell formatted as a date; already converted to a calendar date.
    Date(NaiveDate),
    /// A boolean cell (`TRUE` / `FALSE`).
    Bool(bool),
    /// An error cell such as `#DIV/0!` or `#N/A`.
    Error(String),
}

/// A cell with its position (0-based row and column, as calamine gives them).
#[derive(Debug, Clone, PartialEq)]
pub struct RawCell {
    pub row: u32,
    pub col: u32,
    pub value: CellValue,
}

/// The cells of one sheet that hold something, in row-major order.
#[derive(Debug, Clone, Default)]
pub struct RawSheet {
    /// The sheet title as written in the file.
    pub name: String,
    pub cells: Vec<RawCell>,
    /// Merged ranges as ((first_row, first_col), (last_row, last_col)).
    pub merged: Vec<((u32, u32), (u32, u32))>,
}

impl RawSheet {
    /// The value at a position, if the cell is not empty.
    ///
    /// Cells are sorted row-major by the reader, so this is a binary search.
    pub fn get(&self, row: u32, col: u32) -> Option<&CellValue> {
        self.cells.binary_search_by(|c| (c.row, c.col).cmp(&(row, col))).ok().map(|i| &self.cells[i].value)
    }

    /// Row indexes that hold at least one cell, ascending, without repeats.
    pub fn used_rows(&self) -> Vec<u32> {
        let mut rows: Vec<u32> = self.cells.iter().map(|c| c.row).collect();
        rows.dedup();
        rows
    }
}

/// The container format a file turned out to be (from its bytes, not its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Xlsx,
    Xls,
    Ods,
}

/// What ingest hands to validate: the sheets the schema needs, as found in a file.
#[derive(Debug, Clone)]
pub struct RawWorkbook {
    pub format: FileFormat,
    /// Every sheet title in the file, in file order (for messages about missing sheets).
    pub sheet_names: Vec<String>,
    /// The sheets that were read (those whose titles match a contract sheet).
    pub sheets: Vec<RawSheet>,
    /// True when only the general-information sheet was read: a staged read
    /// found the file outside what the run needs (see `ingest::read_bytes_staged`).
    pub info_only: bool,
}

/// Facts about an input file that do not depend on its content.
#[derive(Debug, Clone, Serialize)]
pub struct FileMeta {
    /// Path as given or found, relative to the inputs folder when walked from one.
    pub path: String,
    pub size: u64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    /// When the file was received, in the reporting time zone.
    #[serde(serialize_with = "serialize_time")]
    pub received: Option<DateTime<Tz>>,
}

fn serialize_time<S: serde::Serializer>(t: &Option<DateTime<Tz>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.to_rfc3339()),
        None => s.serialize_none(),
    }
}

/// A reporting week, identified by its due Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ReportWeek {
    /// The Monday the report is due.
    pub due: NaiveDate,
    /// First day the report covers.
    pub from: NaiveDate,
    /// Last day the report covers (the data cut-off).
    pub to: NaiveDate,
}

impl ReportWeek {
    /// The ISO week label of the due Monday, e.g. `2025-W37`.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use tonghop::model::ReportWeek;
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// let week = ReportWeek { due: d(2025, 9, 8), from: d(2025, 8, 30), to: d(2025, 9, 5) };
    /// assert_eq!(week.label(), "2025-W37");
    /// ```
    pub fn label(&self) -> String {
        use chrono::Datelike;
        let iso = self.due.iso_week();
        format!("{}-W{:02}", iso.year(), iso.week())
    }
}

/// Where a value was read: sheet title and A1 cell reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellRef {
    pub sheet: String,
    pub cell: String,
}

/// A checked value of a criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    Number(f64),
    YesNo(bool),
    Date(NaiveDate),
    Text(String),
}

/// One criterion value of a submission.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportedValue {
    pub code: String,
    pub value: Value,
    pub source: CellRef,
}

/// Task progress as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Completed,
    InProgress,
    NotStarted,
}

/// How a deadline was worded; the wording decides the last allowed day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineForm {
    /// `trước ngày X`: the last day is the day before X.
    Before,
    /// `chậm nhất ngày X`, `hoàn thành trong ngày X`, or a bare date: the last day is X.
    By,
    /// `trong tháng M/YYYY`: the last day of that month.
    InMonth,
    /// `trong năm YYYY`: 31 December.
    InYear,
}

/// A deadline, keeping the words it was given in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub text: String,
    pub form: DeadlineForm,
    pub last_day: NaiveDate,
}

/// One task row of a submission.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskReport {
    /// The schema's task code, or `None` for a task the unit added itself.
    pub code: Option<String>,
    pub title: String,
    pub assigned_by: Option<String>,
    pub deadline: Option<Deadline>,
    pub status: TaskStatus,
    pub completed_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub source: CellRef,
}

/// One narrative row: a highlight, difficulty, proposal or next week's task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NarrativeItem {
    /// Narrative kind code from the schema (`highlight`, `difficulty`, ...).
    pub kind: String,
    /// Field code from the schema (`procedures`, `finance`, ...).
    pub field: String,
    pub text: String,
    /// For proposals: the body asked to act.
    pub addressee: Option<String>,
    pub source: CellRef,
}

/// The people and version recorded on the general-information sheet.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReportContacts {
    pub prepared_by: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub approved_by: Option<String>,
}

/// A validated weekly report: everything downstream stages need from one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    pub unit: String,
    pub week: ReportWeek,
    pub form_version: String,
    pub contacts: ReportContacts,
    /// In schema order; only criteria with a value.
    pub values: Vec<ReportedValue>,
    pub tasks: Vec<TaskReport>,
    pub narrative: Vec<NarrativeItem>,
}

impl Submission {
    /// The value reported for a criterion, if any.
    pub fn value(&self, code: &str) -> Option<&ReportedValue> {
        self.values.iter().find(|v| v.code == code)
    }
}

/// The verdict on one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    Accepted,
    AcceptedWithWarnings,
    Rejected,
    Ignored,
}

impl FileStatus {
    /// Vietnamese label for receipts and reports.
    pub fn label_vi(self) -> &'static str {
        match self {
            FileStatus::Accepted => "Tiếp nhận",
            FileStatus::AcceptedWithWarnings => "Tiếp nhận, có cảnh báo",
            FileStatus::Rejected => "Từ chối",
            FileStatus::Ignored => "Bỏ qua",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            FileStatus::Accepted => "accepted",
            FileStatus::AcceptedWithWarnings => "accepted with warnings",
            FileStatus::Rejected => "rejected",
            FileStatus::Ignored => "ignored",
        }
    }

    /// The status that the given issues lead to for a file that was read.
    pub fn from_issues(issues: &[Issue]) -> FileStatus {
        if issues.iter().any(|i| i.severity == Severity::Error) {
            FileStatus::Rejected
        } else if issues.iter().any(|i| i.severity == Severity::Warning) {
            FileStatus::AcceptedWithWarnings
        } else {
            FileStatus::Accepted
        }
    }
}

/// The outcome of checking one file: what `check` prints and what a receipt holds.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: FileMeta,
    pub format: Option<FileFormat>,
    pub status: FileStatus,
    pub issues: Vec<Issue>,
    /// Present unless the file was rejected or ignored.
    pub submission: Option<Submission>,
    /// For a rejected file, the values that could be read anyway (for the receipt).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_values: Vec<ReportedValue>,
    /// The unit understood from the file, even when rejected (for the receipt).
    pub unit: Option<String>,
    /// The week understood from the file, even when rejected.
    pub week: Option<ReportWeek>,
    /// The accepted report of the same unit and week this one replaces, when
    /// there is one: known from the other files of a run, or from the ledger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<Superseded>,
}

/// An accepted report replaced by a later one of the same unit and week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Superseded {
    pub path: String,
    #[serde(serialize_with = "serialize_time")]
    pub received: Option<DateTime<Tz>>,
}

/// Seconds spent by stage in one build.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Timings {
    /// Wall time of finding, reading and validating all files (parallel).
    pub read_and_validate_wall: f64,
    /// Reading time summed over threads.
    pub read_thread_seconds: f64,
    /// Validation time summed over threads.
    pub validate_thread_seconds: f64,
    pub aggregate: f64,
    pub render: f64,
    pub write: f64,
    pub total: f64,
}

/// Counts of files by status.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct FileCounts {
    pub accepted: usize,
    pub accepted_with_warnings: usize,
    pub rejected: usize,
    pub ignored: usize,
}

impl FileCounts {
    /// The counts of `reports`.
    pub fn of(reports: &[FileReport]) -> FileCounts {
        let mut counts = FileCounts::default();
        for r in reports {
            counts.add(r);
        }
        counts
    }

    /// Counts one more file.
    pub fn add(&mut self, report: &FileReport) {
        match report.status {
            FileStatus::Accepted => self.accepted += 1,
            FileStatus::AcceptedWithWarnings => self.accepted_with_warnings += 1,
            FileStatus::Rejected => self.rejected += 1,
            FileStatus::Ignored => self.ignored += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.accepted + self.accepted_with_warnings + self.rejected + self.ignored
    }
}
