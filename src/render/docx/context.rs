//! The `doc` variable of the meeting document: the summary rearranged the way
//! a report reads (figures by section with their change in words, unit names
//! instead of codes, tasks grouped by unit and by task, submissions by unit),
//! plus the settings of `document.toml`.
//!
//! The template gets the whole summary as well (`cycle`, `sections`, `tasks`,
//! … as in `tom-tat.md`); `doc` only spares it the arithmetic and grouping a
//! template language does badly, so that staff editing the wording in Word
//! never have to touch logic.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use super::settings::{DateFrom, DocumentSettings, LangText, Order, Ranking};
use crate::aggregate::{
    Excluding, FieldGroup, Figure, MergedText, RatioFigure, SectionSummary, StatusFigure, SubmissionRow, Summary,
    TaskItem, Timeliness, WeekInfo,
};
use crate::language::{Lang, Language};
use crate::model::TaskStatus;
use crate::schema::{Config, LabelOf, ValueType};

/// Everything under `doc`.
#[derive(Debug, Serialize)]
pub(crate) struct Doc {
    pub issuer_parent: String,
    pub issuer: String,
    pub issuer_name: String,
    pub number: String,
    /// The number without its "Số:" label, for "Kèm theo Báo cáo số …".
    pub number_ref: String,
    pub place: String,
    /// The document date (ISO), from the cycle, never the clock.
    pub date: NaiveDate,
    /// Two digits, or blanks to write by hand when `fill_day` is false.
    pub day: String,
    /// `01`, `02`, `3` … `12`: Decree 30 pads January and February only.
    pub month: String,
    pub month_name: String,
    pub year: String,
    pub signer: Signer,
    pub recipients: Vec<String>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub weeks: Vec<DocWeek>,
    /// The horizon of "upcoming" tasks, in days after the cut-off.
    pub upcoming_days: u32,
    /// Units expected to report in the cycle, and those that sent at least one accepted report.
    pub units_expected: usize,
    pub units_reported: usize,
    pub sections: Vec<DocSection>,
    /// Every figure by code, for sentences about one figure.
    pub fig: BTreeMap<String, DocFigure>,
    pub ratio: BTreeMap<String, DocRatio>,
    /// The title of the checklist section (the statuses).
    pub status_title: String,
    pub statuses: Vec<DocStatus>,
    pub rankings: BTreeMap<String, Vec<RankRow>>,
    pub overdue: TaskGroups,
    pub upcoming: TaskGroups,
    pub highlights: Vec<DocField>,
    pub difficulties: Vec<DocField>,
    pub proposals: Vec<DocField>,
    pub next_week: Vec<DocField>,
    pub proposals_by_addressee: Vec<DocAddressee>,
    pub submissions: DocSubmissions,
    pub quality: Vec<String>,
}

/// A week of the cycle.
#[derive(Debug, Serialize)]
pub(crate) struct DocWeek {
    pub label: String,
    /// The ISO week number alone ("39").
    pub no: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub due: NaiveDate,
    /// "17:00": the deadline's time of day.
    pub deadline_time: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Signer {
    pub authority: String,
    pub title: String,
    pub name: String,
}

/// A numeric criterion, ready for a sentence.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DocFigure {
    pub code: String,
    /// The label in the document's language, first letter capital; "this week" read as "in the period" for flows.
    pub label: String,
    pub unit: String,
    /// 0 for a criterion, 1 for an "of which" line.
    pub level: u8,
    pub decimals: u8,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    /// "up", "down", "same", or none when there is nothing to compare with.
    pub direction: Option<&'static str>,
    pub change_abs: Option<f64>,
    /// |change| / previous (0.077 = 7,7 %).
    pub change_ratio_abs: Option<f64>,
    /// Weekly reports with a value out of those owed (flows), or units (levels).
    pub reported: usize,
    pub expected: usize,
    /// Whether `reported`/`expected` count weekly reports (a flow) rather than units.
    pub weekly: bool,
    pub complete: bool,
    /// The ratio whose numerator this is, when its denominator is the parent ("of which" share).
    pub share: Option<DocRatio>,
    /// The figure without the values to check, when it counts one.
    pub suspect: Option<DocSuspect>,
}

/// A figure or ratio computed without the values the data-quality check flagged.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DocSuspect {
    /// Whose values, in which weeks: "Quảng Ninh (2025-W40)".
    pub units: String,
    pub value: Option<f64>,
    pub direction: Option<&'static str>,
    pub change_abs: Option<f64>,
    pub change_ratio_abs: Option<f64>,
    /// |change| in percentage points, for a ratio.
    pub change_points: Option<f64>,
    /// The change goes another way than with the values to check.
    pub direction_differs: bool,
}

/// A computed ratio, ready for a sentence.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DocRatio {
    pub code: String,
    pub label: String,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub direction: Option<&'static str>,
    /// |change| in percentage points (1.2 = 1,2 points).
    pub change_points: Option<f64>,
    pub suspect: Option<DocSuspect>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DocSection {
    pub code: String,
    pub title: String,
    pub figures: Vec<DocFigure>,
    /// Ratios of the section not already shown as the share of an "of which" line.
    pub ratios: Vec<DocRatio>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DocStatus {
    pub code: String,
    pub label: String,
    /// The label with a small first letter, to follow "9/34 địa phương".
    pub label_lc: String,
    pub yes: usize,
    pub expected: usize,
    pub previous_yes: Option<usize>,
    /// Units that said yes since the previous cycle (never negative).
    pub gained: usize,
    /// "địa phương" when only provinces report it, "đơn vị" otherwise (provinces / units in English).
    pub unit_word: String,
    pub no_units: Vec<String>,
    pub not_reported: Vec<String>,
}

/// One unit of a ranking, with all its figures of the cycle.
#[derive(Debug, Serialize)]
pub(crate) struct RankRow {
    pub rank: usize,
    pub unit: String,
    pub name: String,
    /// Criterion code → value (flows summed over the unit's weeks, stocks latest).
    pub v: BTreeMap<String, Option<f64>>,
    /// Ratio code → the unit's own ratio.
    pub r: BTreeMap<String, Option<f64>>,
    /// The unit holds a value the data-quality check flagged in the cycle: its row is marked (*).
    pub suspect: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DocTask {
    pub title: String,
    pub assigned_by: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub deadline_text: Option<String>,
    pub days_overdue: i64,
    pub status: TaskStatus,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct UnitTasks {
    pub unit: String,
    pub name: String,
    pub tasks: Vec<DocTask>,
}

#[derive(Debug, Serialize)]
pub(crate) struct TaskUnits {
    pub task: DocTask,
    pub units: Vec<String>,
}

/// Tasks grouped both ways: by responsible unit, and by task with its units.
#[derive(Debug, Serialize)]
pub(crate) struct TaskGroups {
    pub count: usize,
    pub unit_count: usize,
    pub by_unit: Vec<UnitTasks>,
    pub by_task: Vec<TaskUnits>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DocText {
    pub text: String,
    pub units: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DocField {
    /// a, b, c … (the Vietnamese alphabet in Vietnamese: a, b, c, d, đ, e, g …).
    pub letter: String,
    pub field: String,
    pub title: String,
    pub items: Vec<DocText>,
    /// Items left out by the `max_texts_per_field` setting.
    pub more: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct DocAddressee {
    pub addressee: String,
    pub items: Vec<DocText>,
}

/// A unit and a week of a report that did not arrive on time.
#[derive(Debug, Serialize)]
pub(crate) struct LateReport {
    pub name: String,
    pub week: String,
    /// The ISO week number alone ("39").
    pub week_no: String,
    /// How late, in words ("2 giờ 40 phút"), for late reports.
    pub delay: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct SubmissionUnit {
    pub index: usize,
    pub name: String,
    /// Week numbers per timeliness, joined ("39, 40"); empty when none.
    pub on_time: String,
    pub late: String,
    pub rejected: String,
    pub missing: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct SubmissionGroup {
    /// I, II, III …
    pub roman: String,
    pub title: String,
    pub units: Vec<SubmissionUnit>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DocSubmissions {
    pub expected: usize,
    /// Weekly reports received (on time or late), out of `expected`.
    pub received: usize,
    pub on_time: usize,
    pub late: usize,
    pub rejected: usize,
    pub missing: usize,
    pub late_list: Vec<LateReport>,
    pub rejected_list: Vec<LateReport>,
    pub missing_list: Vec<LateReport>,
    pub groups: Vec<SubmissionGroup>,
}

/// A unit's name as a report writes it: ministries and agencies in full
/// ("Bộ Y tế"), provinces by their short name ("Hà Nội"); in another language, its name there.
pub(crate) fn unit_name(config: &Config, code: &str, lang: &Language) -> String {
    match config.units.get(code) {
        Some(u) => {
            let vi = if u.unit_type.as_str() == "province" { &u.short } else { &u.name };
            lang.label(vi, &u.en, config.translations(LabelOf::Unit, code)).to_string()
        }
        None => code.to_string(),
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn decapitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn direction(change: Option<f64>) -> Option<&'static str> {
    change.map(|c| {
        if c.abs() < 1e-9 {
            "same"
        } else if c > 0.0 {
            "up"
        } else {
            "down"
        }
    })
}

fn doc_ratio(config: &Config, r: &RatioFigure, lang: &Language) -> DocRatio {
    DocRatio {
        code: r.code.clone(),
        label: capitalize(lang.label(&r.vi, &r.en, &r.other)),
        value: r.value,
        previous: r.previous,
        direction: direction(r.change.map(|c| (c * 1000.0).round() / 1000.0)),
        change_points: r.change.map(|c| c.abs() * 100.0),
        suspect: r.suspect.as_ref().map(|x| DocSuspect {
            units: suspect_units(config, x, lang),
            value: x.value,
            direction: direction(x.change.map(|c| (c * 1000.0).round() / 1000.0)),
            change_abs: None,
            change_ratio_abs: None,
            change_points: x.change.map(|c| c.abs() * 100.0),
            direction_differs: x.direction_differs,
        }),
    }
}

/// The units whose values are to be checked, with their weeks: "Quảng Ninh (2025-W40)".
fn suspect_units(config: &Config, x: &Excluding, lang: &Language) -> String {
    let names: Vec<String> =
        x.units.iter().map(|u| format!("{} ({})", unit_name(config, &u.unit, lang), u.weeks.join(", "))).collect();
    names.join(", ")
}

/// A criterion's label naming the period of the cycle (see [`Language::period_label`]).
fn cycle_label(label: &str, kind: crate::schema::Aggregation, summary: &Summary, lang: &Language) -> String {
    let as_of = summary.cycle.weeks.last().map(|w| lang.format_date(w.to)).unwrap_or_default();
    capitalize(&lang.period_label(label, kind, summary.cycle.weeks.len(), &as_of))
}

fn doc_figure(config: &Config, summary: &Summary, f: &Figure, lang: &Language, share: Option<DocRatio>) -> DocFigure {
    let decimals = match config.schema.criterion(&f.code).map(|c| c.value_type) {
        Some(ValueType::Decimal) => 1,
        _ => 0,
    };
    let weekly = f.kind == crate::schema::Aggregation::Flow;
    DocFigure {
        code: f.code.clone(),
        label: cycle_label(lang.label(&f.vi, &f.en, &f.other), f.kind, summary, lang),
        unit: lang.label_keyed("unit_", &f.unit_vi, &f.unit_en, &f.other).to_string(),
        level: u8::from(f.parent.is_some()),
        decimals,
        value: f.value,
        previous: f.previous,
        direction: direction(f.change),
        change_abs: f.change.map(f64::abs),
        change_ratio_abs: f.change_ratio.map(f64::abs),
        reported: if weekly { f.coverage.unit_weeks_reported } else { f.coverage.reported },
        expected: if weekly { f.coverage.unit_weeks_expected } else { f.coverage.expected },
        weekly,
        complete: if weekly {
            f.coverage.unit_weeks_reported >= f.coverage.unit_weeks_expected
        } else {
            f.coverage.reported >= f.coverage.expected
        },
        share,
        suspect: f.suspect.as_ref().map(|x| DocSuspect {
            units: suspect_units(config, x, lang),
            value: x.value,
            direction: direction(x.change),
            change_abs: x.change.map(f64::abs),
            change_ratio_abs: x.change_ratio.map(f64::abs),
            change_points: None,
            direction_differs: x.direction_differs,
        }),
    }
}

/// The date the document carries: the meeting's (or the cut-off), from the cycle.
fn document_date(summary: &Summary, settings: &DocumentSettings) -> NaiveDate {
    match settings.date_from {
        DateFrom::Meeting => summary.cycle.meeting.unwrap_or(summary.cycle.cutoff),
        DateFrom::Cutoff => summary.cycle.cutoff,
    }
}

fn roman(n: usize) -> String {
    const TABLE: [(usize, &str); 9] =
        [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")];
    let mut n = n;
    let mut out = String::new();
    for (value, letters) in TABLE {
        while n >= value {
            out.push_str(letters);
            n -= value;
        }
    }
    out
}

/// "2 giờ 40 phút" / "2 h 40 min"; days when it is a day or more.
fn delay_text(minutes: i64, lang: &Language) -> String {
    let minutes = minutes.max(0);
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let mut parts = Vec::new();
    let words = lang.words();
    let (d, h, m) = (&words.day, &words.hour, &words.minute);
    if days > 0 {
        parts.push(format!("{days} {d}"));
    }
    if hours > 0 {
        parts.push(format!("{hours} {h}"));
    }
    if mins > 0 && days == 0 {
        parts.push(format!("{mins} {m}"));
    }
    if parts.is_empty() {
        parts.push(format!("0 {m}"));
    }
    parts.join(" ")
}

fn week_no(label: &str) -> String {
    label.rsplit_once("-W").map(|(_, w)| w.trim_start_matches('0').to_string()).unwrap_or_else(|| label.to_string())
}

fn doc_task(t: &TaskItem, lang: &Language) -> DocTask {
    let en = t.title_en.as_deref().unwrap_or(&t.title);
    DocTask {
        title: lang.label_keyed("title_", &t.title, en, &t.titles).to_string(),
        assigned_by: t.assigned_by.clone(),
        deadline: t.deadline,
        deadline_text: t.deadline_text.clone(),
        days_overdue: t.days_overdue,
        status: t.status,
        note: t.note.clone(),
    }
}

/// Groups tasks by unit (registry order) and by task (first seen order, deadline first).
fn group_tasks(config: &Config, items: &[&TaskItem], lang: &Language) -> TaskGroups {
    let order: BTreeMap<&str, usize> =
        config.units.units().iter().enumerate().map(|(i, u)| (u.code.as_str(), i)).collect();
    let mut by_unit: BTreeMap<(usize, String), Vec<DocTask>> = BTreeMap::new();
    let mut by_task: Vec<(String, DocTask, Vec<String>)> = Vec::new();
    for t in items {
        let rank = order.get(t.unit.as_str()).copied().unwrap_or(usize::MAX);
        by_unit.entry((rank, t.unit.clone())).or_default().push(doc_task(t, lang));
        let key = t.code.clone().unwrap_or_else(|| format!("{}|{:?}", t.title, t.deadline));
        let name = unit_name(config, &t.unit, lang);
        match by_task.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, units)) => {
                if !units.contains(&name) {
                    units.push(name);
                }
            }
            None => by_task.push((key, doc_task(t, lang), vec![name])),
        }
    }
    by_task.sort_by_key(|a| a.1.deadline);
    TaskGroups {
        count: items.len(),
        unit_count: by_unit.len(),
        by_unit: by_unit
            .into_iter()
            .map(|((_, unit), tasks)| UnitTasks { name: unit_name(config, &unit, lang), unit, tasks })
            .collect(),
        by_task: by_task.into_iter().map(|(_, task, units)| TaskUnits { task, units }).collect(),
    }
}

/// Reporter text without its final full stop: the template adds the units and its own stop.
fn texts(config: &Config, merged: &[MergedText], lang: &Language) -> Vec<DocText> {
    merged
        .iter()
        .map(|m| DocText {
            text: m.text.trim().trim_end_matches(['.', ';', ',']).trim_end().to_string(),
            units: m.units.iter().map(|u| unit_name(config, u, lang)).collect(),
        })
        .collect()
}

/// The letter of the n-th point (0-based), as Decree 30 numbers points.
fn letter(n: usize, lang: &Language) -> String {
    lang.document().letters.get(n).cloned().unwrap_or_else(|| (n + 1).to_string())
}

/// Narrative items by field. With a `limit`, the texts raised by the most units
/// come first and the rest are counted, not listed: a meeting document cannot
/// carry every highlight of 56 units (the workbook has them all).
fn fields(config: &Config, groups: &[FieldGroup], lang: &Language, limit: Option<usize>) -> Vec<DocField> {
    groups
        .iter()
        .filter(|g| !g.merged.is_empty())
        .enumerate()
        .map(|(i, g)| {
            let mut items = texts(config, &g.merged, lang);
            let mut more = 0;
            if let Some(limit) = limit.filter(|l| items.len() > *l) {
                items.sort_by_key(|t| std::cmp::Reverse(t.units.len()));
                more = items.len() - limit;
                items.truncate(limit);
            }
            let title = lang.label(&g.vi, &g.en, &g.other).to_string();
            DocField { letter: letter(i, lang), field: g.field.clone(), title, items, more }
        })
        .collect()
}

/// One ranking of `document.toml`: the units the summary ranks by its code,
/// of the unit types it names, as many as its limit.
fn ranking(config: &Config, summary: &Summary, ranking: &Ranking, lang: &Language) -> Vec<RankRow> {
    summary
        .by_unit
        .ranked(&ranking.by, ranking.order == Order::Descending)
        .filter(|u| ranking.unit_types.is_empty() || ranking.unit_types.contains(&u.unit_type))
        .take(ranking.limit)
        .enumerate()
        .map(|(i, u)| RankRow {
            rank: i + 1,
            unit: u.unit.clone(),
            name: unit_name(config, &u.unit, lang),
            v: u.v.clone(),
            r: u.r.clone(),
            suspect: summary.quality.iter().any(|q| q.unit == u.unit),
        })
        .collect()
}

fn rankings(
    config: &Config,
    summary: &Summary,
    settings: &DocumentSettings,
    lang: &Language,
) -> BTreeMap<String, Vec<RankRow>> {
    settings.rankings.iter().map(|r| (r.name.clone(), ranking(config, summary, r, lang))).collect()
}

/// The reports of one timeliness, unit by unit and week by week.
fn reports_of(config: &Config, summary: &Summary, wanted: Timeliness, lang: &Language) -> Vec<LateReport> {
    let rows = summary.submissions.rows.iter().filter(|r| r.timeliness == wanted);
    rows.map(|r| LateReport {
        name: unit_name(config, &r.unit, lang),
        week: r.week.clone(),
        week_no: week_no(&r.week),
        delay: r.minutes_late.map(|m| delay_text(m, lang)),
    })
    .collect()
}

/// A unit's line of the appendix: the week numbers of its reports by timeliness (late ones with the delay).
fn submission_unit(config: &Config, code: &str, rows: &[&SubmissionRow], lang: &Language) -> SubmissionUnit {
    let weeks = |wanted: Timeliness| {
        rows.iter()
            .filter(|r| r.timeliness == wanted)
            .map(|r| match (wanted, r.minutes_late) {
                (Timeliness::Late, Some(m)) => format!("{} ({})", week_no(&r.week), delay_text(m, lang)),
                _ => week_no(&r.week),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    SubmissionUnit {
        index: 0,
        name: unit_name(config, code, lang),
        on_time: weeks(Timeliness::OnTime),
        late: weeks(Timeliness::Late),
        rejected: weeks(Timeliness::Rejected),
        missing: weeks(Timeliness::Missing),
    }
}

/// The appendix's groups, one per unit type with expected reports, its units numbered through the table.
fn submission_groups(config: &Config, summary: &Summary, lang: &Language) -> Vec<SubmissionGroup> {
    let mut groups = Vec::new();
    for unit_type in config.units.types() {
        let units: Vec<SubmissionUnit> = config
            .units
            .units_of(unit_type)
            .filter_map(|u| {
                let rows: Vec<&SubmissionRow> = summary.submissions.rows.iter().filter(|r| r.unit == u.code).collect();
                (!rows.is_empty()).then(|| submission_unit(config, &u.code, &rows, lang))
            })
            .collect();
        if units.is_empty() {
            continue;
        }
        let title = config
            .units
            .type_def(unit_type)
            .map(|d| lang.label(&d.vi, &d.en, config.translations(LabelOf::UnitType, &d.code)).to_string())
            .unwrap_or_else(|| unit_type.as_str().to_string());
        groups.push(SubmissionGroup { roman: roman(groups.len() + 1), title, units });
    }
    // Numbered through the whole table, as an appendix table is.
    for (index, u) in groups.iter_mut().flat_map(|g| &mut g.units).enumerate() {
        u.index = index + 1;
    }
    groups
}

fn submissions(config: &Config, summary: &Summary, lang: &Language) -> DocSubmissions {
    let s = &summary.submissions;
    DocSubmissions {
        expected: s.expected,
        received: s.received,
        on_time: s.on_time,
        late: s.late,
        rejected: s.rejected,
        missing: s.missing,
        late_list: reports_of(config, summary, Timeliness::Late, lang),
        rejected_list: reports_of(config, summary, Timeliness::Rejected, lang),
        missing_list: reports_of(config, summary, Timeliness::Missing, lang),
        groups: submission_groups(config, summary, lang),
    }
}

/// The day of the date, or blanks to write by hand when `fill_day` is false.
fn day(date: NaiveDate, settings: &DocumentSettings) -> String {
    if settings.fill_day { format!("{:02}", date.day()) } else { " ".repeat(6) }
}

/// The month as the language writes it in a date (Decree 30 pads January and February only).
fn month(date: NaiveDate, lang: &Language) -> String {
    match date.month() {
        m if lang.document().two_digit_months.contains(&m) => format!("{m:02}"),
        m => m.to_string(),
    }
}

/// The number without its "Số:" label, for "Kèm theo Báo cáo số …".
fn number_ref(number: &str) -> String {
    number.split_once(':').map_or_else(|| format!(" {number}"), |(_, n)| n.to_string())
}

fn doc_week(w: &WeekInfo) -> DocWeek {
    DocWeek {
        label: w.label.clone(),
        no: week_no(&w.label),
        from: w.from,
        to: w.to,
        due: w.due,
        deadline_time: w.deadline.get(11..16).unwrap_or_default().to_string(),
    }
}

/// One section: its figures, each with the ratio that measures it as a share of its parent
/// ("of which" lines), then the section's other ratios (those of its numerators).
fn doc_section(config: &Config, summary: &Summary, s: &SectionSummary, lang: &Language) -> DocSection {
    let is_share = |r: &RatioFigure, f: &Figure| {
        r.numerator_code == f.code && f.parent.as_deref() == Some(r.denominator_code.as_str())
    };
    let figures = s
        .figures
        .iter()
        .map(|f| {
            let share = summary.ratios.iter().find(|r| is_share(r, f)).map(|r| doc_ratio(config, r, lang));
            doc_figure(config, summary, f, lang, share)
        })
        .collect();
    let numerator =
        |r: &RatioFigure| summary.sections.iter().flat_map(|s| &s.figures).find(|f| f.code == r.numerator_code);
    let ratios = summary
        .ratios
        .iter()
        .filter(|r| s.figures.iter().any(|f| f.code == r.numerator_code))
        .filter(|r| !numerator(r).is_some_and(|f| is_share(r, f)))
        .map(|r| doc_ratio(config, r, lang))
        .collect();
    DocSection { code: s.code.clone(), title: lang.label(&s.vi, &s.en, &s.other).to_string(), figures, ratios }
}

/// The title of the checklist: the section of its first item.
fn status_title(config: &Config, summary: &Summary, lang: &Language) -> String {
    summary
        .statuses
        .first()
        .and_then(|s| config.schema.criterion(&s.code))
        .and_then(|c| config.schema.section(&c.section))
        .map(|s| lang.label(&s.vi, &s.en, config.translations(LabelOf::Section, &s.code)).to_string())
        .unwrap_or_default()
}

fn doc_status(config: &Config, s: &StatusFigure, lang: &Language) -> DocStatus {
    let provinces_only =
        config.schema.criterion(&s.code).is_some_and(|c| c.reported_by.iter().all(|t| t.as_str() == "province"));
    let words = lang.document();
    let unit_word = if provinces_only { &words.provinces } else { &words.units };
    let label = capitalize(lang.label(&s.vi, &s.en, &s.other));
    DocStatus {
        code: s.code.clone(),
        label_lc: decapitalize(&label),
        label,
        yes: s.yes,
        expected: s.expected,
        previous_yes: s.previous_yes,
        gained: s.previous_yes.map(|p| s.yes.saturating_sub(p)).unwrap_or(0),
        unit_word: unit_word.to_string(),
        no_units: s.no_units.iter().map(|u| unit_name(config, u, lang)).collect(),
        not_reported: s.not_reported.iter().map(|u| unit_name(config, u, lang)).collect(),
    }
}

/// The overdue tasks, and those not completed falling due within `upcoming_days` of the cut-off.
fn due_tasks<'s>(summary: &'s Summary, settings: &DocumentSettings) -> (Vec<&'s TaskItem>, Vec<&'s TaskItem>) {
    let cutoff = summary.cycle.cutoff;
    let horizon = cutoff.checked_add_days(Days::new(u64::from(settings.upcoming_days))).unwrap_or(cutoff);
    let items = &summary.tasks.items;
    let overdue = items.iter().filter(|t| t.overdue).collect();
    let upcoming = items
        .iter()
        .filter(|t| !t.overdue && t.status != TaskStatus::Completed)
        .filter(|t| t.deadline.is_some_and(|d| d >= cutoff && d <= horizon))
        .collect();
    (overdue, upcoming)
}

fn addressees(config: &Config, summary: &Summary, lang: &Language) -> Vec<DocAddressee> {
    summary
        .narrative
        .proposals_by_addressee
        .iter()
        .map(|g| DocAddressee { addressee: g.addressee.clone(), items: texts(config, &g.merged, lang) })
        .collect()
}

/// Data-quality notes are written by the program in its built-in languages only.
fn quality(summary: &Summary, lang: &Language) -> Vec<String> {
    let vi = lang.fallback() == Lang::Vi;
    summary.quality.iter().map(|q| if vi { q.message_vi.clone() } else { q.message_en.clone() }).collect()
}

fn signer(text: &LangText) -> Signer {
    Signer {
        authority: text.signer_authority.clone(),
        title: text.signer_title.clone(),
        name: text.signer_name.clone(),
    }
}

/// Builds `doc` for one language.
pub(crate) fn build(
    config: &Config,
    summary: &Summary,
    settings: &DocumentSettings,
    text: &LangText,
    lang: &Language,
) -> Doc {
    let date = document_date(summary, settings);
    let sections: Vec<DocSection> = summary.sections.iter().map(|s| doc_section(config, summary, s, lang)).collect();
    let (overdue, upcoming) = due_tasks(summary, settings);
    let narrative = &summary.narrative;
    let fields = |groups: &[FieldGroup], limit: Option<usize>| fields(config, groups, lang, limit);
    let limit = Some(settings.max_texts_per_field);
    Doc {
        issuer_parent: text.issuer_parent.clone(),
        issuer: text.issuer.clone(),
        issuer_name: text.issuer_name.clone(),
        number: text.number.clone(),
        number_ref: number_ref(&text.number),
        place: text.place.clone(),
        date,
        day: day(date, settings),
        month: month(date, lang),
        month_name: lang.month_name(date.month()).to_string(),
        year: date.year().to_string(),
        signer: signer(text),
        recipients: text.recipients.clone(),
        period_from: summary.cycle.weeks.first().map(|w| w.from),
        period_to: summary.cycle.weeks.last().map(|w| w.to),
        weeks: summary.cycle.weeks.iter().map(doc_week).collect(),
        upcoming_days: settings.upcoming_days,
        units_expected: summary.by_unit.expected,
        units_reported: summary.by_unit.reported,
        fig: sections.iter().flat_map(|s| &s.figures).map(|f| (f.code.clone(), f.clone())).collect(),
        ratio: summary.ratios.iter().map(|r| (r.code.clone(), doc_ratio(config, r, lang))).collect(),
        sections,
        status_title: status_title(config, summary, lang),
        statuses: summary.statuses.iter().map(|s| doc_status(config, s, lang)).collect(),
        rankings: rankings(config, summary, settings, lang),
        overdue: group_tasks(config, &overdue, lang),
        upcoming: group_tasks(config, &upcoming, lang),
        highlights: fields(&narrative.highlights, limit),
        // Difficulties and proposals are what the meeting is for: never cut.
        difficulties: fields(&narrative.difficulties, None),
        proposals: fields(&narrative.proposals, None),
        next_week: fields(&narrative.next_week, limit),
        proposals_by_addressee: addressees(config, summary, lang),
        submissions: submissions(config, summary, lang),
        quality: quality(summary, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_helpers() {
        let dirs = [std::path::Path::new("report_templates")];
        let vi = Language::load(&dirs, "vi").expect("vi");
        let en = Language::load(&dirs, "en").expect("en");
        assert_eq!(roman(1), "I");
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(14), "XIV");
        assert_eq!(delay_text(160, &vi), "2 giờ 40 phút");
        assert_eq!(delay_text(1500, &en), "1 d 1 h");
        assert_eq!(week_no("2025-W09"), "9");
        assert_eq!(letter(4, &vi), "đ");
        assert_eq!(letter(4, &en), "e");
        assert_eq!(letter(30, &en), "31");
        assert_eq!(capitalize("trong đó: x"), "Trong đó: x");
        assert_eq!(decapitalize("Đã công bố"), "đã công bố");
    }
}
