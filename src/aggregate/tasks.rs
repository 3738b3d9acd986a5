//! Tasks (latest status per unit and task, overdue against the cut-off) and narrative items.

use std::collections::BTreeMap;

use super::cycle::CycleSpec;
use super::summary::{
    AddresseeGroup, FieldGroup, MergedText, NarrativeEntry, NarrativeSummary, TaskGroup, TaskItem, TaskSummary,
};
use super::winners::Winners;
use crate::model::TaskStatus;
use crate::schema::{Config, LabelOf};
use crate::text::fold_key;

/// Each unit's tasks as of its latest report in the cycle; overdue whatever the reporter wrote.
pub(crate) fn summarize(config: &Config, cycle: &CycleSpec, winners: &Winners<'_>) -> TaskSummary {
    let mut items = Vec::new();
    for unit in config.units.units() {
        let Some((week, winner)) = cycle.weeks.iter().rev().find_map(|w| Some((w, winners.get(&unit.code, w)?))) else {
            continue;
        };
        for t in &winner.submission.tasks {
            let deadline = t.deadline.as_ref().map(|d| d.last_day);
            let overdue = t.status != TaskStatus::Completed && deadline.is_some_and(|d| d < cycle.cutoff);
            let days_overdue = match (overdue, deadline) {
                (true, Some(d)) => (cycle.cutoff - d).num_days(),
                _ => 0,
            };
            let completed_late = matches!((t.completed_on, deadline), (Some(done), Some(d)) if done > d);
            items.push(TaskItem {
                unit: unit.code.clone(),
                code: t.code.clone(),
                title: t.title.clone(),
                title_en: t.code.as_deref().and_then(|c| config.schema.task(c)).map(|d| d.en.clone()),
                assigned_by: t.assigned_by.clone(),
                deadline_text: t.deadline.as_ref().map(|d| d.text.clone()),
                deadline,
                status: t.status,
                completed_on: t.completed_on,
                overdue,
                days_overdue,
                completed_late,
                note: t.note.clone(),
                week: week.label(),
                file: winner.file().to_string(),
                sheet: t.source.sheet.clone(),
                cell: t.source.cell.clone(),
                titles: t
                    .code
                    .as_deref()
                    .map(|c| config.translations(LabelOf::Task, c))
                    .into_iter()
                    .flatten()
                    .map(|(lang, title)| (format!("title_{lang}"), title.clone()))
                    .collect(),
            });
        }
    }
    let rank = |t: &TaskItem| match (t.overdue, t.status) {
        (true, _) => 0,
        (false, TaskStatus::InProgress) => 1,
        (false, TaskStatus::NotStarted) => 2,
        (false, TaskStatus::Completed) => 3,
    };
    let unit_order = |code: &str| config.units.units().iter().position(|u| u.code == code).unwrap_or(usize::MAX);
    items.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then(b.days_overdue.cmp(&a.days_overdue))
            .then(a.deadline.cmp(&b.deadline))
            .then(unit_order(&a.unit).cmp(&unit_order(&b.unit)))
            .then(a.code.cmp(&b.code))
            .then(a.title.cmp(&b.title))
    });
    let count = |s: TaskStatus| items.iter().filter(|t| t.status == s).count();
    TaskSummary {
        completed: count(TaskStatus::Completed),
        in_progress: count(TaskStatus::InProgress),
        not_started: count(TaskStatus::NotStarted),
        overdue_count: items.iter().filter(|t| t.overdue).count(),
        overdue_groups: groups(items.iter().filter(|t| t.overdue)),
        in_progress_groups: groups(items.iter().filter(|t| !t.overdue && t.status == TaskStatus::InProgress)),
        items,
    }
}

/// Items of one task (same code, or same title when the unit added it) and
/// deadline together, in the order they come.
fn groups<'t>(items: impl Iterator<Item = &'t TaskItem>) -> Vec<TaskGroup> {
    let mut out: Vec<TaskGroup> = Vec::new();
    for t in items {
        let same = |g: &TaskGroup| {
            g.deadline == t.deadline
                && if t.code.is_some() { g.code == t.code } else { g.code.is_none() && g.title == t.title }
        };
        match out.iter_mut().find(|g| same(g)) {
            Some(g) => {
                g.days_overdue = g.days_overdue.max(t.days_overdue);
                if !g.units.contains(&t.unit) {
                    g.units.push(t.unit.clone());
                }
            }
            None => out.push(TaskGroup {
                code: t.code.clone(),
                title: t.title.clone(),
                title_en: t.title_en.clone(),
                deadline: t.deadline,
                days_overdue: t.days_overdue,
                units: vec![t.unit.clone()],
                titles: t.titles.clone(),
            }),
        }
    }
    out
}

/// Narrative items of the cycle grouped by field (schema order), the same text of
/// the same unit kept once (its latest week); proposals also grouped by addressee.
pub(crate) fn narrative(config: &Config, cycle: &CycleSpec, winners: &Winners<'_>) -> NarrativeSummary {
    let mut latest: BTreeMap<(String, String, String, String), NarrativeEntry> = BTreeMap::new();
    let mut order = Vec::new();
    for unit in config.units.units() {
        for week in &cycle.weeks {
            let Some(w) = winners.get(&unit.code, week) else { continue };
            for item in &w.submission.narrative {
                let key = (unit.code.clone(), item.kind.clone(), item.field.clone(), fold_key(&item.text));
                if !latest.contains_key(&key) {
                    order.push(key.clone());
                }
                latest.insert(
                    key,
                    NarrativeEntry {
                        unit: unit.code.clone(),
                        kind: item.kind.clone(),
                        field: item.field.clone(),
                        text: item.text.clone(),
                        addressee: item.addressee.clone(),
                        week: week.label(),
                        file: w.file().to_string(),
                        sheet: item.source.sheet.clone(),
                        cell: item.source.cell.clone(),
                    },
                );
            }
        }
    }
    let entries: Vec<NarrativeEntry> = order.iter().filter_map(|k| latest.get(k).cloned()).collect();
    let by_field = |kind: &str| -> Vec<FieldGroup> {
        config
            .schema
            .fields
            .iter()
            .map(|f| {
                let items: Vec<NarrativeEntry> =
                    entries.iter().filter(|e| e.kind == kind && e.field == f.code).cloned().collect();
                FieldGroup {
                    field: f.code.clone(),
                    vi: f.vi.clone(),
                    en: f.en.clone(),
                    merged: merge(&items),
                    items,
                    other: config.translations(LabelOf::Field, &f.code).clone(),
                }
            })
            .filter(|g| !g.items.is_empty())
            .collect()
    };
    // Addressees are typed freely: group spellings that fold alike, show the first seen.
    let mut addressees: Vec<AddresseeGroup> = Vec::new();
    for e in entries.iter().filter(|e| e.kind == "proposal") {
        let name = e.addressee.clone().unwrap_or_else(|| "—".to_string());
        match addressees.iter_mut().find(|g| fold_key(&g.addressee) == fold_key(&name)) {
            Some(g) => g.items.push(e.clone()),
            None => addressees.push(AddresseeGroup { addressee: name, items: vec![e.clone()], merged: Vec::new() }),
        }
    }
    for g in &mut addressees {
        g.merged = merge(&g.items);
    }
    addressees
        .sort_by(|a, b| b.items.len().cmp(&a.items.len()).then(fold_key(&a.addressee).cmp(&fold_key(&b.addressee))));
    NarrativeSummary {
        highlights: by_field("highlight"),
        difficulties: by_field("difficulty"),
        proposals: by_field("proposal"),
        proposals_by_addressee: addressees,
        next_week: by_field("next_week"),
    }
}

/// Identical texts (by fold key) written once with every unit that raised them, in first-seen order.
fn merge(items: &[NarrativeEntry]) -> Vec<MergedText> {
    let mut out: Vec<(String, MergedText)> = Vec::new();
    for e in items {
        let key = fold_key(&e.text);
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, m)) => {
                if !m.units.contains(&e.unit) {
                    m.units.push(e.unit.clone());
                }
            }
            None => out.push((key, MergedText { text: e.text.clone(), units: vec![e.unit.clone()] })),
        }
    }
    out.into_iter().map(|(_, m)| m).collect()
}
