//! The summary of a meeting cycle: what `aggregate` produces and `render` writes.
//!
//! Everything is ordered as the schema and the registry order things, so that
//! the same inputs always give the same summary (and the same bytes out).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::issue::Issue;
use crate::model::{FileStatus, TaskStatus};
use crate::schema::{Aggregation, Translations};

/// The whole cycle, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub cycle: CycleInfo,
    pub sections: Vec<SectionSummary>,
    pub ratios: Vec<RatioFigure>,
    pub statuses: Vec<StatusFigure>,
    pub texts: Vec<TextFigure>,
    /// Per-unit figures of the cycle, for the unit × criterion matrix.
    pub matrix: Vec<UnitRow>,
    pub tasks: TaskSummary,
    pub narrative: NarrativeSummary,
    pub submissions: SubmissionSummary,
    pub quality: Vec<QualityFlag>,
    /// Every file read for this summary, with its verdict.
    pub files: Vec<FileEntry>,
    /// Files seen but not read past their general-information sheet: reports
    /// of weeks this summary does not use (a build reads only what the cycle needs).
    #[serde(skip_serializing_if = "is_zero")]
    pub other_weeks_files: usize,
    /// Validation issues of the files of this cycle's weeks (errors and warnings).
    pub issues: Vec<FileIssue>,
    /// The headline figures of this and earlier cycles, oldest first.
    pub trend: Vec<CyclePoint>,
    /// A draft until a leader approves the cycle (`tonghop approve`).
    pub status: DocumentStatus,
    /// Who approved this version, when, from which inputs (approved versions only).
    pub approval: Option<Approval>,
    /// What differs from the cycle's latest approved version before this one
    /// (none when the cycle has no approved version).
    pub changes: Option<super::Changes>,
    /// The cycle unit by unit: own ratios, rankings, units expected. For the renderers only
    /// (`matrix` carries the values into data.json).
    #[serde(skip_serializing)]
    pub by_unit: UnitFigures,
}

/// Whether a build's outputs are a draft or an approved version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Draft,
    Approved,
}

/// An approval, as the outputs state it: which version, who, when, and the
/// fingerprint of the input file versions it was built from.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Approval {
    /// 1 for the cycle's first approved version, then 2, 3…
    pub version: u32,
    /// The approver, as typed: "NAME, TITLE".
    pub by: String,
    /// RFC 3339, in the reporting time zone.
    pub at: String,
    pub note: Option<String>,
    /// SHA-256 of the list of input file versions (path, SHA-256, received time), one per line, sorted.
    pub inputs_sha256: String,
    /// How many input file versions the approved build used.
    pub inputs: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The headline figures of one cycle, for trends.
#[derive(Debug, Clone, Serialize)]
pub struct CyclePoint {
    pub id: String,
    pub meeting: Option<NaiveDate>,
    /// Weeks of the cycle.
    pub weeks: Vec<String>,
    /// In the order of the schema's `headline` list: (code, value).
    pub values: Vec<(String, Option<f64>)>,
}

/// Which weeks, which meeting, which cut-off.
#[derive(Debug, Clone, Serialize)]
pub struct CycleInfo {
    /// Folder name under `outputs/`: the meeting date, or the weeks joined.
    pub id: String,
    pub meeting: Option<NaiveDate>,
    pub previous_meeting: Option<NaiveDate>,
    /// The date overdue tasks are measured against.
    pub cutoff: NaiveDate,
    pub weeks: Vec<WeekInfo>,
    pub previous_weeks: Vec<WeekInfo>,
    pub schema_version: String,
    pub lang: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WeekInfo {
    pub label: String,
    pub due: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// RFC 3339 deadline in the reporting time zone.
    pub deadline: String,
}

/// Where one number came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub unit: String,
    pub week: String,
    pub file: String,
    pub sheet: String,
    pub cell: String,
    pub value: f64,
}

/// How many of the units that should report a figure did.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub reported: usize,
    pub expected: usize,
    /// For flows: (unit, week) pairs with a value, out of those expected.
    pub unit_weeks_reported: usize,
    pub unit_weeks_expected: usize,
    /// Units with no value at all in the cycle.
    pub missing_units: Vec<String>,
    /// Units with a value for some weeks of the cycle only (flows).
    pub partial_units: Vec<String>,
}

/// A numeric criterion aggregated over the cycle.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub code: String,
    pub vi: String,
    pub en: String,
    pub unit_vi: String,
    pub unit_en: String,
    pub kind: Aggregation,
    pub parent: Option<String>,
    /// None when no unit reported it.
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub change: Option<f64>,
    /// Relative change (0.05 = +5 %), None when the previous value is missing or 0.
    pub change_ratio: Option<f64>,
    pub coverage: Coverage,
    pub sources: Vec<Source>,
    /// When a value flagged by the data-quality check counts in this figure:
    /// the figure and its change without the suspect values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspect: Option<Excluding>,
    /// Labels in languages beyond Vietnamese and English (`fr`, `unit_fr`), as `schema.toml` gives them.
    #[serde(flatten)]
    pub other: Translations,
}

/// A figure computed without the values the data-quality check flagged: the
/// units whose value of it (or of a part of a ratio) is suspect in the cycle
/// are left out of both this cycle and the previous one, so that the change
/// compares the same units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluding {
    /// The units left out, each with the weeks whose value is flagged.
    pub units: Vec<SuspectUnit>,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub change: Option<f64>,
    /// Relative change (figures) or change in points (ratios, as `change`).
    pub change_ratio: Option<f64>,
    /// The change goes the other way (or is flat, or cannot be told) without
    /// the suspect values: a sentence stating the change must say so.
    pub direction_differs: bool,
}

/// A unit whose value is suspect, and in which weeks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuspectUnit {
    pub unit: String,
    pub weeks: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionSummary {
    pub code: String,
    pub vi: String,
    pub en: String,
    pub figures: Vec<Figure>,
    /// Labels in languages beyond Vietnamese and English (`fr`, `unit_fr`), as `schema.toml` gives them.
    #[serde(flatten)]
    pub other: Translations,
}

/// A ratio computed from aggregated numerator and denominator, over the
/// (unit, week) pairs that report both.
#[derive(Debug, Clone, Serialize)]
pub struct RatioFigure {
    pub code: String,
    pub vi: String,
    pub en: String,
    pub numerator_code: String,
    pub denominator_code: String,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// numerator / denominator (0.738 = 73.8 %).
    pub value: Option<f64>,
    pub previous: Option<f64>,
    /// Change in percentage points (0.012 = +1.2 points).
    pub change: Option<f64>,
    pub units: usize,
    pub sources: Vec<Source>,
    /// As [`Figure::suspect`], for a ratio whose numerator or denominator holds a flagged value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspect: Option<Excluding>,
    /// Labels in languages beyond Vietnamese and English (`fr`, `unit_fr`), as `schema.toml` gives them.
    #[serde(flatten)]
    pub other: Translations,
}

/// A yes/no item: how many units said yes, and who did not.
#[derive(Debug, Clone, Serialize)]
pub struct StatusFigure {
    pub code: String,
    pub vi: String,
    pub en: String,
    pub yes: usize,
    pub expected: usize,
    pub previous_yes: Option<usize>,
    pub yes_units: Vec<String>,
    pub no_units: Vec<String>,
    pub not_reported: Vec<String>,
    pub sources: Vec<Source>,
    /// Labels in languages beyond Vietnamese and English (`fr`, `unit_fr`), as `schema.toml` gives them.
    #[serde(flatten)]
    pub other: Translations,
}

/// A text criterion gathered with its units.
#[derive(Debug, Clone, Serialize)]
pub struct TextFigure {
    pub code: String,
    pub vi: String,
    pub en: String,
    pub entries: Vec<(String, String)>,
    /// Labels in languages beyond Vietnamese and English (`fr`, `unit_fr`), as `schema.toml` gives them.
    #[serde(flatten)]
    pub other: Translations,
}

/// One unit's figures for the cycle (flows summed over its weeks, stocks latest).
#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    pub unit: String,
    pub name: String,
    pub name_en: String,
    pub unit_type: String,
    /// In schema order: (criterion code, value); None when not reported or not applicable.
    pub values: Vec<(String, Option<f64>)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskSummary {
    pub completed: usize,
    pub in_progress: usize,
    pub not_started: usize,
    pub overdue_count: usize,
    /// Overdue first (most days first), then in progress, then not started, then completed.
    pub items: Vec<TaskItem>,
    /// The overdue items grouped by task (its code, or its title for a unit's
    /// own task) and deadline, in the order of `items`.
    pub overdue_groups: Vec<TaskGroup>,
    /// The items in progress grouped the same way.
    pub in_progress_groups: Vec<TaskGroup>,
}

/// One task as many units report it, with the units.
#[derive(Debug, Clone, Serialize)]
pub struct TaskGroup {
    pub code: Option<String>,
    pub title: String,
    pub title_en: Option<String>,
    pub deadline: Option<NaiveDate>,
    /// The largest delay among the units (the same for all when the deadline is shared).
    pub days_overdue: i64,
    pub units: Vec<String>,
    #[serde(flatten)]
    pub titles: Translations,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskItem {
    pub unit: String,
    pub code: Option<String>,
    pub title: String,
    pub title_en: Option<String>,
    pub assigned_by: Option<String>,
    pub deadline_text: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub status: TaskStatus,
    pub completed_on: Option<NaiveDate>,
    pub overdue: bool,
    pub days_overdue: i64,
    /// Completed, but after its deadline.
    pub completed_late: bool,
    pub note: Option<String>,
    pub week: String,
    pub file: String,
    pub sheet: String,
    pub cell: String,
    /// The title in languages beyond Vietnamese and English (`title_fr`), for a task of the schema.
    #[serde(flatten)]
    pub titles: Translations,
}

#[derive(Debug, Clone, Serialize)]
pub struct NarrativeEntry {
    pub unit: String,
    pub kind: String,
    pub field: String,
    pub text: String,
    pub addressee: Option<String>,
    pub week: String,
    pub file: String,
    pub sheet: String,
    pub cell: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldGroup {
    pub field: String,
    pub vi: String,
    pub en: String,
    pub items: Vec<NarrativeEntry>,
    /// The same items with identical texts written once, naming every unit.
    pub merged: Vec<MergedText>,
    /// Labels in languages beyond Vietnamese and English (`fr`, `unit_fr`), as `schema.toml` gives them.
    #[serde(flatten)]
    pub other: Translations,
}

#[derive(Debug, Clone, Serialize)]
pub struct AddresseeGroup {
    pub addressee: String,
    pub items: Vec<NarrativeEntry>,
    pub merged: Vec<MergedText>,
}

/// One text raised by one or more units (compared without case and diacritics).
#[derive(Debug, Clone, Serialize)]
pub struct MergedText {
    pub text: String,
    pub units: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NarrativeSummary {
    pub highlights: Vec<FieldGroup>,
    pub difficulties: Vec<FieldGroup>,
    pub proposals: Vec<FieldGroup>,
    pub proposals_by_addressee: Vec<AddresseeGroup>,
    pub next_week: Vec<FieldGroup>,
}

/// Timeliness of one expected (unit, week), as DHIS2 counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    OnTime,
    Late,
    /// Only rejected files arrived.
    Rejected,
    Missing,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionRow {
    pub unit: String,
    pub week: String,
    pub timeliness: Timeliness,
    /// When the first accepted file arrived (RFC 3339).
    pub received: Option<String>,
    /// Minutes after the deadline, for late reports.
    pub minutes_late: Option<i64>,
    /// The file whose data are used (the last accepted one received).
    pub file: Option<String>,
    pub superseded: Vec<String>,
    pub rejected: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionSummary {
    /// Weekly reports owed in the cycle: every unit, every week of the cycle.
    pub expected: usize,
    /// Weekly reports received and accepted (on time or late), out of `expected`.
    pub received: usize,
    pub on_time: usize,
    pub late: usize,
    pub rejected: usize,
    pub missing: usize,
    pub rows: Vec<SubmissionRow>,
    /// The reports owed and not received (rejected or missing), as in `rows`.
    pub not_received: Vec<SubmissionRow>,
    /// The reports received late, as in `rows`.
    pub late_rows: Vec<SubmissionRow>,
    /// Completeness and timeliness of the weeks up to the cycle's last, by unit type, oldest first.
    pub rates: Vec<WeekRate>,
}

/// The reporting rate of one week.
#[derive(Debug, Clone, Serialize)]
pub struct WeekRate {
    pub week: String,
    /// One entry per unit type, in the registry's order.
    pub groups: Vec<GroupRate>,
}

/// Reports owed by the units of one type for one week, received, and received on time.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupRate {
    pub unit_type: String,
    pub owed: usize,
    pub received: usize,
    pub on_time: usize,
}

/// A value that jumps against the unit's own history.
#[derive(Debug, Clone, Serialize)]
pub struct QualityFlag {
    pub unit: String,
    pub code: String,
    pub week: String,
    pub value: f64,
    pub median: f64,
    /// Weeks of history the median is taken over.
    pub history_weeks: usize,
    /// Modified z-score (None when the history has no spread and the ratio decided).
    pub score: Option<f64>,
    pub message_vi: String,
    pub message_en: String,
    pub source: Source,
}

/// One input file and its verdict, for the submission report.
#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    pub path: String,
    pub status: FileStatus,
    pub unit: Option<String>,
    pub week: Option<String>,
    pub received: Option<String>,
    pub errors: usize,
    pub warnings: usize,
    /// Set when a later file for the same unit and week replaced this one.
    pub superseded_by: Option<String>,
    pub sha256: String,
}

/// A validation issue with the file it belongs to.
#[derive(Debug, Clone, Serialize)]
pub struct FileIssue {
    pub file: String,
    pub unit: Option<String>,
    pub week: Option<String>,
    pub issue: Issue,
}

/// The figures of the cycle unit by unit.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UnitFigures {
    /// Every unit, in the order of the matrix (the registry's).
    pub units: Vec<UnitValues>,
    /// Criterion or ratio code → the units that have a value for it, ordered by that value.
    pub order: BTreeMap<String, UnitOrder>,
    /// Ratio code → units expected to report it: those whose type reports both its numerator and
    /// its denominator.
    pub ratio_expected: BTreeMap<String, usize>,
    /// Units expected to report in the cycle.
    pub expected: usize,
    /// Units that sent at least one accepted report in the cycle.
    pub reported: usize,
}

/// One unit's figures.
#[derive(Debug, Clone, Serialize)]
pub struct UnitValues {
    pub unit: String,
    pub unit_type: String,
    /// Criterion code → value (flows summed over the unit's weeks, stocks latest).
    pub v: BTreeMap<String, Option<f64>>,
    /// Ratio code → the unit's own ratio, from its own numerator and denominator.
    pub r: BTreeMap<String, Option<f64>>,
}

/// Positions in [`UnitFigures::units`], ordered by one value; equal values keep the registry order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UnitOrder {
    pub ascending: Vec<usize>,
    pub descending: Vec<usize>,
}

impl UnitFigures {
    /// The units that have a value for `code`, smallest first or (`descending`) largest first.
    pub fn ranked(&self, code: &str, descending: bool) -> impl Iterator<Item = &UnitValues> {
        let order = self.order.get(code).map(|o| if descending { &o.descending } else { &o.ascending });
        order.into_iter().flatten().filter_map(|&i| self.units.get(i))
    }
}
