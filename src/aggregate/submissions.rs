//! Which file counts for each (unit, week), and who reported on time.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};

use super::cycle::CycleSpec;
use super::summary::{GroupRate, SubmissionRow, SubmissionSummary, Timeliness, WeekRate};
use super::winners::{Winner, Winners};
use crate::model::{FileReport, FileStatus, ReportWeek};
use crate::schema::{Config, Unit};

type Key = (String, NaiveDate);

/// Winners for every week in the inputs, the cycle's submission rows, and
/// superseded file → the file that replaced it.
pub(crate) fn resolve<'r>(
    config: &Config,
    cycle: &CycleSpec,
    reports: &'r [FileReport],
) -> (Winners<'r>, SubmissionSummary, HashMap<String, String>) {
    let mut accepted: BTreeMap<Key, Vec<&FileReport>> = BTreeMap::new();
    let mut rejected: BTreeMap<Key, Vec<&FileReport>> = BTreeMap::new();
    let withdrawn = withdrawn(reports);
    for (i, r) in reports.iter().enumerate() {
        if withdrawn.contains(&i) {
            continue;
        }
        let (Some(unit), Some(week)) = (&r.unit, &r.week) else { continue };
        let key = (unit.clone(), week.due);
        match (r.status, &r.submission) {
            (FileStatus::Accepted | FileStatus::AcceptedWithWarnings, Some(_)) => {
                accepted.entry(key).or_default().push(r)
            }
            (FileStatus::Rejected, _) => rejected.entry(key).or_default().push(r),
            _ => {}
        }
    }
    // Received order decides; the path breaks ties so that the result never depends on walk order.
    let order = |r: &&FileReport| (r.file.received, r.file.path.clone());
    let mut by_key = BTreeMap::new();
    let mut superseded_by = HashMap::new();
    for (key, files) in accepted.iter_mut() {
        files.sort_by_key(order);
        let Some(last) = files.last() else { continue };
        if let Some(submission) = &last.submission {
            by_key.insert(key.clone(), Winner { report: last, submission });
        }
        for earlier in &files[..files.len() - 1] {
            superseded_by.insert(earlier.file.path.clone(), last.file.path.clone());
        }
    }

    let received = Received { accepted: &accepted, rejected: &rejected };
    let mut summary = SubmissionSummary {
        expected: 0,
        received: 0,
        on_time: 0,
        late: 0,
        rejected: 0,
        missing: 0,
        rows: Vec::new(),
        not_received: Vec::new(),
        late_rows: Vec::new(),
        rates: rates(config, cycle, &received),
    };
    for week in &cycle.weeks {
        for unit in config.units.units() {
            let row = received.row(config, unit, week);
            summary.expected += 1;
            match row.timeliness {
                Timeliness::OnTime => summary.on_time += 1,
                Timeliness::Late => summary.late += 1,
                Timeliness::Rejected => summary.rejected += 1,
                Timeliness::Missing => summary.missing += 1,
            }
            summary.rows.push(row);
        }
    }
    summary.received = summary.on_time + summary.late;
    let not_received = |r: &&SubmissionRow| matches!(r.timeliness, Timeliness::Rejected | Timeliness::Missing);
    summary.not_received = summary.rows.iter().filter(not_received).cloned().collect();
    summary.late_rows = summary.rows.iter().filter(|r| r.timeliness == Timeliness::Late).cloned().collect();
    (Winners { by_key }, summary, superseded_by)
}

/// The accepted reports that replace an earlier accepted one of the same unit
/// and week, each as (its position, the position of the one it replaces): the
/// accepted report just before it in received order, the order [`resolve`]
/// picks winners by, so that a receipt's notice and the summary agree.
pub fn supersessions(reports: &[FileReport]) -> Vec<(usize, usize)> {
    let withdrawn = withdrawn(reports);
    let mut accepted: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    for (i, r) in reports.iter().enumerate() {
        let counts =
            matches!(r.status, FileStatus::Accepted | FileStatus::AcceptedWithWarnings) && r.submission.is_some();
        if let (true, false, Some(unit), Some(week)) = (counts, withdrawn.contains(&i), &r.unit, &r.week) {
            accepted.entry((unit.clone(), week.due)).or_default().push(i);
        }
    }
    let mut pairs = Vec::new();
    for files in accepted.values_mut() {
        files.sort_by_key(|&i| (reports[i].file.received, reports[i].file.path.clone()));
        pairs.extend(files.windows(2).map(|w| (w[1], w[0])));
    }
    pairs.sort_unstable();
    pairs
}

/// The versions of a path (several only in a build from the archive) that a
/// later version at the same path, of another unit, replaced: withdrawn, as
/// they are from a build of the folder, where the path holds the later file
/// only. A later version of the same unit withdraws nothing (a unit keeping one
/// file name week after week loses no week).
fn withdrawn(reports: &[FileReport]) -> std::collections::HashSet<usize> {
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in reports.iter().enumerate().filter(|(_, r)| r.submission.is_some()) {
        by_path.entry(r.file.path.as_str()).or_default().push(i);
    }
    let mut out = std::collections::HashSet::new();
    for versions in by_path.values().filter(|v| v.len() > 1) {
        for &i in versions {
            let (unit, at) = (&reports[i].unit, reports[i].file.received);
            let replaced = versions.iter().any(|&j| reports[j].file.received > at && reports[j].unit != *unit);
            if replaced {
                out.insert(i);
            }
        }
    }
    out
}

/// The files received for each (unit, week), accepted ones in received order.
struct Received<'a, 'r> {
    accepted: &'a BTreeMap<Key, Vec<&'r FileReport>>,
    rejected: &'a BTreeMap<Key, Vec<&'r FileReport>>,
}

impl Received<'_, '_> {
    /// One unit's report for one week: on time or late by the first accepted
    /// file, rejected when only rejected files came, missing otherwise.
    fn row(&self, config: &Config, unit: &Unit, week: &ReportWeek) -> SubmissionRow {
        let deadline = config.calendar.deadline(week);
        let key = (unit.code.clone(), week.due);
        let files = self.accepted.get(&key);
        let rejected_files: Vec<String> =
            self.rejected.get(&key).map(|v| v.iter().map(|r| r.file.path.clone()).collect()).unwrap_or_default();
        let first = files.and_then(|f| f.first());
        let winner = files.and_then(|f| f.last());
        let (timeliness, minutes_late) = match first.and_then(|f| f.file.received) {
            Some(received) if received <= deadline => (Timeliness::OnTime, None),
            Some(received) => (Timeliness::Late, Some((received - deadline).num_minutes())),
            // An accepted file with no known time cannot be shown late.
            None if first.is_some() => (Timeliness::OnTime, None),
            None if !rejected_files.is_empty() => (Timeliness::Rejected, None),
            None => (Timeliness::Missing, None),
        };
        let superseded = files
            .map(|f| f[..f.len().saturating_sub(1)].iter().map(|r| r.file.path.clone()).collect())
            .unwrap_or_default();
        SubmissionRow {
            unit: unit.code.clone(),
            week: week.label(),
            timeliness,
            received: first.and_then(|f| f.file.received).map(|t| t.to_rfc3339()),
            minutes_late,
            file: winner.map(|w| w.file.path.clone()),
            superseded,
            rejected: rejected_files,
        }
    }
}

/// Weeks of reporting rate shown: the cycle's last week and those before it.
pub const RATE_WEEKS: usize = 8;

/// Completeness and timeliness per week, by unit type, for the [`RATE_WEEKS`]
/// weeks ending with the cycle's last week (weeks before the first due Monday
/// do not exist and are left out).
fn rates(config: &Config, cycle: &CycleSpec, received: &Received<'_, '_>) -> Vec<WeekRate> {
    let Some(last) = cycle.weeks.last() else { return Vec::new() };
    let mut weeks: Vec<ReportWeek> = (0..RATE_WEEKS as u64)
        .filter_map(|k| config.calendar.week_due(last.due.checked_sub_days(Days::new(7 * k))?))
        .collect();
    weeks.reverse();
    weeks
        .iter()
        .map(|week| {
            let mut groups: Vec<GroupRate> = Vec::new();
            for unit in config.units.units() {
                let timeliness = received.row(config, unit, week).timeliness;
                let group = match groups.iter_mut().position(|g| g.unit_type == unit.unit_type.as_str()) {
                    Some(i) => &mut groups[i],
                    None => {
                        groups
                            .push(GroupRate { unit_type: unit.unit_type.as_str().to_string(), ..GroupRate::default() });
                        groups.last_mut().expect("just pushed")
                    }
                };
                group.owed += 1;
                group.received += usize::from(matches!(timeliness, Timeliness::OnTime | Timeliness::Late));
                group.on_time += usize::from(timeliness == Timeliness::OnTime);
            }
            WeekRate { week: week.label(), groups }
        })
        .collect()
}
