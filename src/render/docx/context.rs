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

use super::settings::{DateFrom, DocumentSettings, LangText, Order};
use crate::aggregate::{FieldGroup, Figure, MergedText, RatioFigure, Summary, TaskItem, Timeliness};
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
    pub reported: usize,
    pub expected: usize,
    pub complete: bool,
    /// The ratio whose numerator this is, when its denominator is the parent ("of which" share).
    pub share: Option<DocRatio>,
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

fn doc_ratio(r: &RatioFigure, lang: &Language) -> DocRatio {
    DocRatio {
        code: r.code.clone(),
        label: capitalize(lang.label(&r.vi, &r.en, &r.other)),
        value: r.value,
        previous: r.previous,
        direction: direction(r.change.map(|c| (c * 1000.0).round() / 1000.0)),
        change_points: r.change.map(|c| c.abs() * 100.0),
    }
}

/// A flow's label says "this week" (the form asks for one week); the document sums the cycle.
fn cycle_label(label: &str, flow: bool, lang: &Language) -> String {
    let words = lang.document();
    let label = if flow && !words.this_week.is_empty() {
        label.replace(&words.this_week, &words.in_the_period)
    } else {
        label.to_string()
    };
    capitalize(&label)
}

fn doc_figure(config: &Config, f: &Figure, lang: &Language, share: Option<DocRatio>) -> DocFigure {
    let decimals = match config.schema.criterion(&f.code).map(|c| c.value_type) {
        Some(ValueType::Decimal) => 1,
        _ => 0,
    };
    let flow = matches!(f.kind, crate::schema::Aggregation::Flow);
    DocFigure {
        code: f.code.clone(),
        label: cycle_label(lang.label(&f.vi, &f.en, &f.other), flow, lang),
        unit: lang.label_keyed("unit_", &f.unit_vi, &f.unit_en, &f.other).to_string(),
        level: u8::from(f.parent.is_some()),
        decimals,
        value: f.value,
        previous: f.previous,
        direction: direction(f.change),
        change_abs: f.change.map(f64::abs),
        change_ratio_abs: f.change_ratio.map(f64::abs),
        reported: f.coverage.reported,
        expected: f.coverage.expected,
        complete: f.coverage.reported >= f.coverage.expected,
        share,
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

/// The value of a ratio for one unit, from its own numerator and denominator.
fn unit_ratio(values: &BTreeMap<String, Option<f64>>, numerator: &str, denominator: &str) -> Option<f64> {
    let n = values.get(numerator).copied().flatten()?;
    let d = values.get(denominator).copied().flatten()?;
    (d > 0.0).then(|| n / d)
}

fn rankings(
    config: &Config,
    summary: &Summary,
    settings: &DocumentSettings,
    lang: &Language,
) -> BTreeMap<String, Vec<RankRow>> {
    let mut out = BTreeMap::new();
    for ranking in &settings.rankings {
        let mut rows: Vec<(f64, RankRow)> = Vec::new();
        for row in &summary.matrix {
            if !ranking.unit_types.is_empty() && !ranking.unit_types.contains(&row.unit_type) {
                continue;
            }
            let v: BTreeMap<String, Option<f64>> = row.values.iter().cloned().collect();
            let r: BTreeMap<String, Option<f64>> = config
                .schema
                .ratios
                .iter()
                .map(|x| (x.code.clone(), unit_ratio(&v, &x.numerator, &x.denominator)))
                .collect();
            let key = v.get(&ranking.by).copied().flatten().or_else(|| r.get(&ranking.by).copied().flatten());
            let Some(key) = key else { continue };
            rows.push((
                key,
                RankRow { rank: 0, unit: row.unit.clone(), name: unit_name(config, &row.unit, lang), v, r },
            ));
        }
        // A stable sort keeps the registry order among equal values.
        rows.sort_by(|a, b| {
            let ord = a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal);
            if ranking.order == Order::Descending { ord.reverse() } else { ord }
        });
        let rows = rows
            .into_iter()
            .take(ranking.limit)
            .enumerate()
            .map(|(i, (_, mut row))| {
                row.rank = i + 1;
                row
            })
            .collect();
        out.insert(ranking.name.clone(), rows);
    }
    out
}

fn submissions(config: &Config, summary: &Summary, lang: &Language) -> DocSubmissions {
    let s = &summary.submissions;
    let report = |unit: &str, week: &str, minutes: Option<i64>| LateReport {
        name: unit_name(config, unit, lang),
        week: week.to_string(),
        week_no: week_no(week),
        delay: minutes.map(|m| delay_text(m, lang)),
    };
    let list = |wanted: Timeliness| -> Vec<LateReport> {
        s.rows.iter().filter(|r| r.timeliness == wanted).map(|r| report(&r.unit, &r.week, r.minutes_late)).collect()
    };
    let mut groups = Vec::new();
    for unit_type in config.units.types() {
        let mut units = Vec::new();
        for u in config.units.units_of(unit_type) {
            let rows: Vec<_> = s.rows.iter().filter(|r| r.unit == u.code).collect();
            if rows.is_empty() {
                continue;
            }
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
            units.push(SubmissionUnit {
                index: 0,
                name: unit_name(config, &u.code, lang),
                on_time: weeks(Timeliness::OnTime),
                late: weeks(Timeliness::Late),
                rejected: weeks(Timeliness::Rejected),
                missing: weeks(Timeliness::Missing),
            });
        }
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
    let mut index = 0;
    for g in &mut groups {
        for u in &mut g.units {
            index += 1;
            u.index = index;
        }
    }
    DocSubmissions {
        expected: s.expected,
        on_time: s.on_time,
        late: s.late,
        rejected: s.rejected,
        missing: s.missing,
        late_list: list(Timeliness::Late),
        rejected_list: list(Timeliness::Rejected),
        missing_list: list(Timeliness::Missing),
        groups,
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
    let day = if settings.fill_day { format!("{:02}", date.day()) } else { " ".repeat(6) };
    let month = match date.month() {
        m if lang.document().two_digit_months.contains(&m) => format!("{m:02}"),
        m => m.to_string(),
    };

    // Ratios go with the "of which" line they measure, or else at the end of their numerator's section.
    let parent_of: BTreeMap<&str, Option<&str>> =
        summary.sections.iter().flat_map(|s| &s.figures).map(|f| (f.code.as_str(), f.parent.as_deref())).collect();
    let share_of = |f: &Figure| {
        summary
            .ratios
            .iter()
            .find(|r| r.numerator_code == f.code && f.parent.as_deref() == Some(r.denominator_code.as_str()))
    };
    let mut sections = Vec::new();
    for s in &summary.sections {
        let figures: Vec<DocFigure> =
            s.figures.iter().map(|f| doc_figure(config, f, lang, share_of(f).map(|r| doc_ratio(r, lang)))).collect();
        let ratios = summary
            .ratios
            .iter()
            .filter(|r| s.figures.iter().any(|f| f.code == r.numerator_code))
            .filter(|r| {
                parent_of.get(r.numerator_code.as_str()).copied().flatten() != Some(r.denominator_code.as_str())
            })
            .map(|r| doc_ratio(r, lang))
            .collect();
        sections.push(DocSection {
            code: s.code.clone(),
            title: lang.label(&s.vi, &s.en, &s.other).to_string(),
            figures,
            ratios,
        });
    }
    let fig = sections.iter().flat_map(|s| &s.figures).map(|f| (f.code.clone(), f.clone())).collect();
    let ratio = summary.ratios.iter().map(|r| (r.code.clone(), doc_ratio(r, lang))).collect();

    let status_title = summary
        .statuses
        .first()
        .and_then(|s| config.schema.criterion(&s.code))
        .and_then(|c| config.schema.section(&c.section))
        .map(|s| lang.label(&s.vi, &s.en, config.translations(LabelOf::Section, &s.code)).to_string())
        .unwrap_or_default();
    let statuses = summary
        .statuses
        .iter()
        .map(|s| {
            let provinces_only = config
                .schema
                .criterion(&s.code)
                .is_some_and(|c| c.reported_by.iter().all(|t| t.as_str() == "province"));
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
        })
        .collect();

    let cutoff = summary.cycle.cutoff;
    let horizon = cutoff.checked_add_days(Days::new(u64::from(settings.upcoming_days))).unwrap_or(cutoff);
    let overdue: Vec<&TaskItem> = summary.tasks.items.iter().filter(|t| t.overdue).collect();
    let upcoming: Vec<&TaskItem> = summary
        .tasks
        .items
        .iter()
        .filter(|t| !t.overdue && t.status != TaskStatus::Completed)
        .filter(|t| t.deadline.is_some_and(|d| d >= cutoff && d <= horizon))
        .collect();

    let mut units_expected: Vec<&str> = summary.submissions.rows.iter().map(|r| r.unit.as_str()).collect();
    units_expected.sort_unstable();
    units_expected.dedup();
    let mut units_reported: Vec<&str> = summary
        .submissions
        .rows
        .iter()
        .filter(|r| matches!(r.timeliness, Timeliness::OnTime | Timeliness::Late))
        .map(|r| r.unit.as_str())
        .collect();
    units_reported.sort_unstable();
    units_reported.dedup();

    Doc {
        issuer_parent: text.issuer_parent.clone(),
        issuer: text.issuer.clone(),
        issuer_name: text.issuer_name.clone(),
        number: text.number.clone(),
        number_ref: text.number.split_once(':').map_or_else(|| format!(" {}", text.number), |(_, n)| n.to_string()),
        place: text.place.clone(),
        date,
        day,
        month,
        month_name: lang.month_name(date.month()).to_string(),
        year: date.year().to_string(),
        signer: Signer {
            authority: text.signer_authority.clone(),
            title: text.signer_title.clone(),
            name: text.signer_name.clone(),
        },
        recipients: text.recipients.clone(),
        period_from: summary.cycle.weeks.first().map(|w| w.from),
        period_to: summary.cycle.weeks.last().map(|w| w.to),
        weeks: summary
            .cycle
            .weeks
            .iter()
            .map(|w| DocWeek {
                label: w.label.clone(),
                no: week_no(&w.label),
                from: w.from,
                to: w.to,
                due: w.due,
                deadline_time: w.deadline.get(11..16).unwrap_or_default().to_string(),
            })
            .collect(),
        upcoming_days: settings.upcoming_days,
        units_expected: units_expected.len(),
        units_reported: units_reported.len(),
        sections,
        fig,
        ratio,
        status_title,
        statuses,
        rankings: rankings(config, summary, settings, lang),
        overdue: group_tasks(config, &overdue, lang),
        upcoming: group_tasks(config, &upcoming, lang),
        highlights: fields(config, &summary.narrative.highlights, lang, Some(settings.max_texts_per_field)),
        // Difficulties and proposals are what the meeting is for: never cut.
        difficulties: fields(config, &summary.narrative.difficulties, lang, None),
        proposals: fields(config, &summary.narrative.proposals, lang, None),
        next_week: fields(config, &summary.narrative.next_week, lang, Some(settings.max_texts_per_field)),
        proposals_by_addressee: summary
            .narrative
            .proposals_by_addressee
            .iter()
            .map(|g| DocAddressee { addressee: g.addressee.clone(), items: texts(config, &g.merged, lang) })
            .collect(),
        submissions: submissions(config, summary, lang),
        // Data-quality notes are written by the program in its built-in languages only.
        quality: summary
            .quality
            .iter()
            .map(|q| if lang.fallback() == Lang::Vi { q.message_vi.clone() } else { q.message_en.clone() })
            .collect(),
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
        assert_eq!(cycle_label("Hồ sơ tiếp nhận trong tuần", true, &vi), "Hồ sơ tiếp nhận trong kỳ");
        assert_eq!(cycle_label("Dossiers received this week", true, &en), "Dossiers received in the period");
    }
}
