//! Which file counts for each (unit, week), and who reported on time.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::cycle::CycleSpec;
use super::summary::{SubmissionRow, SubmissionSummary, Timeliness};
use super::winners::{Winner, Winners};
use crate::model::{FileReport, FileStatus};
use crate::schema::Config;

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
    for r in reports {
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

    let mut rows = Vec::new();
    let mut summary = SubmissionSummary { expected: 0, on_time: 0, late: 0, rejected: 0, missing: 0, rows: Vec::new() };
    for week in &cycle.weeks {
        let deadline = config.calendar.deadline(week);
        for unit in config.units.units() {
            summary.expected += 1;
            let key = (unit.code.clone(), week.due);
            let files = accepted.get(&key);
            let rejected_files: Vec<String> =
                rejected.get(&key).map(|v| v.iter().map(|r| r.file.path.clone()).collect()).unwrap_or_default();
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
            match timeliness {
                Timeliness::OnTime => summary.on_time += 1,
                Timeliness::Late => summary.late += 1,
                Timeliness::Rejected => summary.rejected += 1,
                Timeliness::Missing => summary.missing += 1,
            }
            let superseded = files
                .map(|f| f[..f.len().saturating_sub(1)].iter().map(|r| r.file.path.clone()).collect())
                .unwrap_or_default();
            rows.push(SubmissionRow {
                unit: unit.code.clone(),
                week: week.label(),
                timeliness,
                received: first.and_then(|f| f.file.received).map(|t| t.to_rfc3339()),
                minutes_late,
                file: winner.map(|w| w.file.path.clone()),
                superseded,
                rejected: rejected_files,
            });
        }
    }
    summary.rows = rows;
    (Winners { by_key }, summary, superseded_by)
}
