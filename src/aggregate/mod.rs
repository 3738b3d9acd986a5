//! Stage 5: from validated files to the summary of a meeting cycle.
//!
//! [`aggregate`] is a pure function: validated file reports in, [`Summary`]
//! out, no I/O and no clock. The rules it follows (docs/product.md §4–§5):
//! - `flow` criteria are summed over the cycle's weeks and units;
//! - `stock` criteria take each unit's latest week in the cycle, then sum units;
//! - ratios divide aggregated numerator by aggregated denominator, over the
//!   (unit, week) pairs that report both — never an average of rates;
//! - `status` items count the units saying yes and name the others;
//! - missing is not zero: every figure carries its coverage;
//! - for each (unit, week) the last accepted file received wins; earlier ones
//!   are superseded; timeliness is that of the first accepted file.

mod changes;
mod cycle;
mod figures;
mod quality;
mod submissions;
pub mod summary;
mod suspect;
mod tasks;
mod units;
mod winners;

use chrono::NaiveDate;

pub use changes::{
    Cause, Changes, FileChange, FileChangeKind, Snapshot, StatusChange, SubmissionChange, TaskChange, ValueChange,
    compare,
};
pub use cycle::{CycleChoice, CycleError, CycleSpec, resolve_cycle};
pub use submissions::supersessions;
pub use summary::*;

use crate::model::{FileReport, FileStatus, ReportWeek};
use crate::schema::Config;

use winners::Winners;

/// Builds the summary of a cycle from every file report of the inputs.
///
/// Reports of weeks outside the cycle are used for the previous cycle's
/// comparison and for the data-quality history only.
pub fn aggregate(config: &Config, cycle: &CycleSpec, reports: &[FileReport], lang: &str) -> Summary {
    let (winners, rows, superseded_by) = submissions::resolve(config, cycle, reports);
    let week_info = |w: &ReportWeek| WeekInfo {
        label: w.label(),
        due: w.due,
        from: w.from,
        to: w.to,
        deadline: config.calendar.deadline(w).to_rfc3339(),
    };
    let current = figures::compute(config, &cycle.weeks, &winners);
    let previous = if cycle.previous_weeks.is_empty() {
        None
    } else {
        Some(figures::compute(config, &cycle.previous_weeks, &winners))
    };
    let quality = quality::flags(config, cycle, &winners);
    let mut computed = figures::compare(current, previous);
    if !quality.is_empty() {
        let excluded = suspect::excluded(&quality);
        let without = figures::compare(
            figures::compute_excluding(config, &cycle.weeks, &winners, &excluded),
            (!cycle.previous_weeks.is_empty())
                .then(|| figures::compute_excluding(config, &cycle.previous_weeks, &winners, &excluded)),
        );
        suspect::annotate(&mut computed, &without, &quality);
    }
    let figures::Computed { sections, ratios, statuses, texts, matrix } = computed;
    let in_cycle = |week: &Option<ReportWeek>| match week {
        Some(w) => cycle.weeks.iter().any(|c| c.due == w.due),
        None => true,
    };
    let files = reports
        .iter()
        .map(|r| FileEntry {
            path: r.file.path.clone(),
            status: r.status,
            unit: r.unit.clone(),
            week: r.week.map(|w| w.label()),
            received: r.file.received.map(|t| t.to_rfc3339()),
            errors: r.issues.iter().filter(|i| i.severity == crate::issue::Severity::Error).count(),
            warnings: r.issues.iter().filter(|i| i.severity == crate::issue::Severity::Warning).count(),
            superseded_by: superseded_by.get(&r.file.path).cloned(),
            sha256: r.file.sha256.clone(),
        })
        .collect();
    let issues = reports
        .iter()
        .filter(|r| r.status != FileStatus::Ignored && in_cycle(&r.week))
        .flat_map(|r| {
            r.issues.iter().filter(|i| i.severity != crate::issue::Severity::Info).map(|i| FileIssue {
                file: r.file.path.clone(),
                unit: r.unit.clone(),
                week: r.week.map(|w| w.label()),
                issue: i.clone(),
            })
        })
        .collect();
    let trend = trend(config, cycle, &winners);
    let by_unit = units::compute(config, &matrix, &rows);
    Summary {
        trend,
        cycle: CycleInfo {
            id: cycle.id.clone(),
            meeting: cycle.meeting,
            previous_meeting: cycle.previous_meeting,
            cutoff: cycle.cutoff,
            weeks: cycle.weeks.iter().map(week_info).collect(),
            previous_weeks: cycle.previous_weeks.iter().map(week_info).collect(),
            schema_version: config.schema.version.clone(),
            lang: lang.to_string(),
        },
        sections,
        ratios,
        statuses,
        texts,
        matrix,
        tasks: tasks::summarize(config, cycle, &winners),
        narrative: tasks::narrative(config, cycle, &winners),
        submissions: rows,
        quality,
        files,
        other_weeks_files: 0,
        issues,
        status: DocumentStatus::Draft,
        approval: None,
        changes: None,
        by_unit,
    }
}

/// The due Mondays of the weeks whose reports [`aggregate`] may read for
/// `cycle`: its weeks, the previous cycle's, the trend's earlier cycles, and
/// the `max_history` weeks before the cycle for the data-quality check.
///
/// A unit that skipped some of those weeks has an older history: see
/// [`history_short`]. Reports of any other week do not change the summary.
///
/// ```
/// use tonghop::aggregate::{resolve_cycle, weeks_needed, CycleChoice};
/// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
/// let meeting = chrono::NaiveDate::from_ymd_opt(2025, 10, 2).unwrap();
/// let cycle = resolve_cycle(&config.calendar, &CycleChoice::Meeting(meeting), &[]).unwrap();
/// let needed = weeks_needed(&config, &cycle);
/// assert!(cycle.weeks.iter().all(|w| needed.contains(&w.due)));
/// assert!(!needed.contains(&chrono::NaiveDate::from_ymd_opt(2025, 10, 13).unwrap()));
/// ```
pub fn weeks_needed(config: &Config, cycle: &CycleSpec) -> std::collections::BTreeSet<NaiveDate> {
    let mut needed: std::collections::BTreeSet<NaiveDate> = trend_cycles(config, cycle)
        .into_iter()
        .flat_map(|(_, _, weeks)| weeks)
        .chain(cycle.previous_weeks.iter().copied())
        .map(|w| w.due)
        .collect();
    if let Some(first) = cycle.weeks.first() {
        let mut due = first.due;
        for _ in 0..config.schema.quality.max_history {
            let Some(earlier) = due.checked_sub_days(chrono::Days::new(7)) else { break };
            due = earlier;
            needed.insert(due);
        }
    }
    needed
}

/// The units whose data-quality history before `cycle` is shorter, in `reports`,
/// than the check uses (`max_history` earlier values of a criterion they
/// report in the cycle): for them, older reports than [`weeks_needed`] covers
/// may count.
pub fn history_short(config: &Config, cycle: &CycleSpec, reports: &[FileReport]) -> Vec<String> {
    let Some(first) = cycle.weeks.first() else { return Vec::new() };
    let (winners, _, _) = submissions::resolve(config, cycle, reports);
    let wanted = config.schema.quality.max_history;
    config
        .units
        .units()
        .iter()
        .filter(|unit| {
            config
                .schema
                .criteria
                .iter()
                .filter(|c| matches!(c.kind, crate::schema::Aggregation::Flow | crate::schema::Aggregation::Stock))
                .filter(|c| c.reported_by_type(&unit.unit_type))
                // Only a figure reported in the cycle is judged against its history.
                .filter(|c| {
                    cycle.weeks.iter().any(|w| {
                        winners.get(&unit.code, w).is_some_and(|w| {
                            matches!(
                                w.submission.value(&c.code).map(|v| &v.value),
                                Some(crate::model::Value::Number(_))
                            )
                        })
                    })
                })
                .any(|c| {
                    let known = winners
                        .by_key
                        .range((unit.code.clone(), NaiveDate::MIN)..(unit.code.clone(), first.due))
                        .filter(|(_, w)| {
                            matches!(
                                w.submission.value(&c.code).map(|v| &v.value),
                                Some(crate::model::Value::Number(_))
                            )
                        })
                        .count();
                    known < wanted
                })
        })
        .map(|unit| unit.code.clone())
        .collect()
}

/// Cycles shown in trends: this one and up to this many before it.
const TREND_CYCLES: usize = 6;

/// This cycle and the earlier ones its trend shows, most recent first: (id, meeting, weeks).
fn trend_cycles(config: &Config, cycle: &CycleSpec) -> Vec<(String, Option<NaiveDate>, Vec<ReportWeek>)> {
    let mut cycles: Vec<(String, Option<NaiveDate>, Vec<ReportWeek>)> =
        vec![(cycle.id.clone(), cycle.meeting, cycle.weeks.clone())];
    match cycle.meeting {
        Some(meeting) => {
            let mut at = meeting;
            while cycles.len() < TREND_CYCLES {
                let Some(previous) = config.calendar.previous_meeting(at) else { break };
                cycles.push((
                    previous.format("%Y-%m-%d").to_string(),
                    Some(previous),
                    config.calendar.cycle_weeks(previous),
                ));
                at = previous;
            }
        }
        None => {
            let n = cycle.weeks.len() as u64;
            let mut first = cycle.weeks.first().map(|w| w.due);
            while cycles.len() < TREND_CYCLES {
                let Some(start) = first.and_then(|d| d.checked_sub_days(chrono::Days::new(7 * n))) else { break };
                let weeks: Vec<ReportWeek> =
                    (0..n).filter_map(|k| config.calendar.week_due(start + chrono::Days::new(7 * k))).collect();
                if weeks.is_empty() {
                    break;
                }
                let id = weeks.iter().map(|w| w.label()).collect::<Vec<_>>().join("_");
                cycles.push((id, None, weeks));
                first = Some(start);
            }
        }
    }
    cycles
}

/// The headline figures of this cycle and of the earlier cycles that have data, oldest first.
fn trend(config: &Config, cycle: &CycleSpec, winners: &Winners<'_>) -> Vec<CyclePoint> {
    let cycles = trend_cycles(config, cycle);
    let has_data = |weeks: &[ReportWeek]| weeks.iter().any(|w| winners.by_key.keys().any(|(_, due)| *due == w.due));
    let mut points: Vec<CyclePoint> = cycles
        .into_iter()
        .filter(|(_, _, weeks)| has_data(weeks))
        .map(|(id, meeting, weeks)| {
            let computed = figures::compute(config, &weeks, winners);
            let values = config
                .schema
                .headline
                .iter()
                .map(|code| {
                    let figure =
                        computed.sections.iter().flat_map(|s| &s.figures).find(|f| &f.code == code).map(|f| f.value);
                    let ratio = computed.ratios.iter().find(|r| &r.code == code).map(|r| r.value);
                    (code.clone(), figure.or(ratio).flatten())
                })
                .collect();
            CyclePoint { id, meeting, weeks: weeks.iter().map(|w| w.label()).collect(), values }
        })
        .collect();
    points.reverse();
    points
}

/// The weeks some accepted report covers, most recent first, at most `limit`.
pub fn weeks_with_data(reports: &[FileReport], limit: usize) -> Vec<ReportWeek> {
    let mut weeks: Vec<ReportWeek> = reports
        .iter()
        .filter(|r| r.submission.is_some() && r.status != FileStatus::Ignored)
        .filter_map(|r| r.week)
        .collect();
    weeks.sort_by_key(|w| std::cmp::Reverse(w.due));
    weeks.dedup_by_key(|w| w.due);
    weeks.truncate(limit);
    weeks
}

/// Who has reported for `week`: on time, late, rejected, missing.
pub fn week_status(config: &Config, reports: &[FileReport], week: ReportWeek) -> SubmissionSummary {
    let cycle = CycleSpec {
        id: week.label(),
        meeting: None,
        previous_meeting: None,
        cutoff: week.due,
        weeks: vec![week],
        previous_weeks: Vec::new(),
    };
    aggregate(config, &cycle, reports, "vi").submissions
}

#[cfg(test)]
mod tests;
