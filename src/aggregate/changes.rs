//! What changed between two builds of a cycle: the approved version and
//! today's draft, or any two `data.json` files (`tonghop diff`).
//!
//! Both sides are read as a [`Snapshot`], the part of `data.json` a comparison
//! needs, so that a build compares itself with an approved version exactly as
//! `diff` compares two files. Pure: no I/O, no clock.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::summary::{Approval, Summary};

/// The part of a `data.json` that two builds are compared on.
#[derive(Debug, Clone, Deserialize)]
pub struct Snapshot {
    pub cycle: SnapCycle,
    #[serde(default)]
    pub sections: Vec<SnapSection>,
    #[serde(default)]
    pub ratios: Vec<SnapFigure>,
    #[serde(default)]
    pub statuses: Vec<SnapStatus>,
    pub submissions: SnapSubmissions,
    pub tasks: SnapTasks,
    #[serde(default)]
    pub files: Vec<SnapFile>,
    #[serde(default)]
    pub approval: Option<Approval>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SnapCycle {
    pub id: String,
    /// The cycle's weeks, as `data.json` has them (for the labels naming the period).
    #[serde(default)]
    pub weeks: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SnapSection {
    #[serde(default)]
    pub figures: Vec<SnapFigure>,
}

/// A figure or a ratio, with where each of its numbers came from.
#[derive(Debug, Clone, Deserialize)]
pub struct SnapFigure {
    pub code: String,
    pub vi: String,
    pub en: String,
    #[serde(default)]
    pub unit_vi: String,
    #[serde(default)]
    pub unit_en: String,
    /// `flow` or `stock` for a figure; none for a ratio.
    #[serde(default)]
    pub kind: Option<String>,
    pub value: Option<f64>,
    #[serde(default)]
    pub sources: Vec<SnapSource>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SnapSource {
    pub unit: String,
    pub week: String,
    pub file: String,
    pub cell: String,
    pub value: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SnapStatus {
    pub code: String,
    pub vi: String,
    pub en: String,
    pub yes: usize,
    pub expected: usize,
    #[serde(default)]
    pub yes_units: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SnapSubmissions {
    #[serde(default)]
    pub rows: Vec<SnapRow>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SnapRow {
    pub unit: String,
    pub week: String,
    pub timeliness: String,
    pub file: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SnapTasks {
    #[serde(default)]
    pub items: Vec<SnapTask>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SnapTask {
    pub unit: String,
    pub code: Option<String>,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    pub status: String,
    pub overdue: bool,
    pub file: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SnapFile {
    pub path: String,
    pub status: String,
    pub sha256: String,
    pub superseded_by: Option<String>,
}

impl Snapshot {
    /// The snapshot of a summary, taken through its `data.json` form so that it
    /// is the one `diff` would read from the file.
    pub fn of(summary: &Summary) -> Result<Snapshot, serde_json::Error> {
        serde_json::from_value(serde_json::to_value(summary)?)
    }

    /// Reads a `data.json`.
    pub fn parse(bytes: &[u8]) -> Result<Snapshot, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    fn figures(&self) -> impl Iterator<Item = (&SnapFigure, bool)> {
        let figures = self.sections.iter().flat_map(|s| &s.figures).map(|f| (f, false));
        figures.chain(self.ratios.iter().map(|r| (r, true)))
    }
}

/// Every difference between two builds, in the order the report shows them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Changes {
    /// The approved version the build is compared with (none for two files
    /// compared by `tonghop diff` that carry no approval).
    pub against: Option<Approval>,
    /// Whether anything differs at all.
    pub any: bool,
    /// Figures and ratios whose value changed, in the schema's order.
    pub figures: Vec<ValueChange>,
    /// Yes/no items whose count changed.
    pub statuses: Vec<StatusChange>,
    /// Weekly reports whose standing changed (missing → late, on time → rejected…).
    pub submissions: Vec<SubmissionChange>,
    /// Tasks whose state changed.
    pub tasks: Vec<TaskChange>,
    /// Files added, replaced, superseded, removed or judged otherwise.
    pub files: Vec<FileChange>,
}

/// A figure or ratio with another value, and the reports that made it so.
#[derive(Debug, Clone, Serialize)]
pub struct ValueChange {
    pub code: String,
    pub vi: String,
    pub en: String,
    pub unit_vi: String,
    pub unit_en: String,
    pub is_ratio: bool,
    /// `flow` or `stock` for a figure (its label then names the period); none for a ratio.
    pub kind: Option<String>,
    pub old: Option<f64>,
    pub new: Option<f64>,
    /// `new - old`, when both exist.
    pub delta: Option<f64>,
    /// The (unit, week) contributions that differ.
    pub causes: Vec<Cause>,
}

/// One unit's week counted differently, and the file behind it.
#[derive(Debug, Clone, Serialize)]
pub struct Cause {
    pub unit: String,
    pub week: String,
    pub old_file: Option<String>,
    pub new_file: Option<String>,
    /// The numbers this unit's week gave, in each build (a ratio has two per week).
    pub old_values: Vec<f64>,
    pub new_values: Vec<f64>,
    /// What happened to the file that made the difference.
    pub how: Option<FileChangeKind>,
    /// That file's verdict in the new build (`rejected` for a resubmission
    /// overwriting it that was refused); none when it is gone.
    pub file_status: Option<String>,
}

/// What happened to one file between the builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileChangeKind {
    /// A path the first build did not have.
    Added,
    /// The same path with other content (a file overwritten in place).
    Replaced,
    /// A path gone from the inputs.
    Removed,
    /// The same file, now replaced by a later file of its unit and week.
    Superseded,
    /// The same file, judged otherwise (with another configuration).
    Rejudged,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    pub path: String,
    pub how: FileChangeKind,
    pub old_status: Option<String>,
    pub new_status: Option<String>,
    pub old_sha256: Option<String>,
    pub new_sha256: Option<String>,
    /// For a superseded file, the file that replaced it.
    pub superseded_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusChange {
    pub code: String,
    pub vi: String,
    pub en: String,
    pub old_yes: usize,
    pub new_yes: usize,
    pub expected: usize,
    /// Units now saying yes that did not, and the reverse.
    pub now_yes: Vec<String>,
    pub no_longer_yes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionChange {
    pub unit: String,
    pub week: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub old_file: Option<String>,
    pub new_file: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskChange {
    pub unit: String,
    pub code: Option<String>,
    pub title: String,
    pub title_en: Option<String>,
    pub old_status: Option<String>,
    pub new_status: Option<String>,
    pub old_overdue: Option<bool>,
    pub new_overdue: Option<bool>,
    pub file: String,
}

/// Compares two builds: `old` (the approved version) and `new`.
pub fn compare(old: &Snapshot, new: &Snapshot) -> Changes {
    let files = file_changes(old, new);
    let kinds: BTreeMap<&str, (FileChangeKind, Option<&str>)> =
        files.iter().map(|f| (f.path.as_str(), (f.how, f.new_status.as_deref()))).collect();
    let mut changes = Changes {
        against: old.approval.clone(),
        any: false,
        figures: value_changes(old, new, &kinds),
        statuses: status_changes(old, new),
        submissions: submission_changes(old, new),
        tasks: task_changes(old, new),
        files: files.clone(),
    };
    changes.any = !(changes.figures.is_empty()
        && changes.statuses.is_empty()
        && changes.submissions.is_empty()
        && changes.tasks.is_empty()
        && changes.files.is_empty());
    changes
}

fn same_value(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        _ => false,
    }
}

fn value_changes(old: &Snapshot, new: &Snapshot, kinds: &Kinds<'_>) -> Vec<ValueChange> {
    let before: BTreeMap<&str, &SnapFigure> = old.figures().map(|(f, _)| (f.code.as_str(), f)).collect();
    let mut seen = BTreeSet::new();
    let mut changes: Vec<ValueChange> = new
        .figures()
        .filter_map(|(f, is_ratio)| {
            seen.insert(f.code.as_str());
            value_change(before.get(f.code.as_str()).copied(), Some(f), is_ratio, kinds)
        })
        .collect();
    // A criterion the new build no longer has (the schema changed) is a change too.
    changes.extend(
        old.figures()
            .filter(|(f, _)| !seen.contains(f.code.as_str()))
            .filter_map(|(f, is_ratio)| value_change(Some(f), None, is_ratio, kinds)),
    );
    changes
}

fn value_change(
    old: Option<&SnapFigure>,
    new: Option<&SnapFigure>,
    is_ratio: bool,
    kinds: &Kinds<'_>,
) -> Option<ValueChange> {
    let (old_value, new_value) = (old.and_then(|f| f.value), new.and_then(|f| f.value));
    if same_value(old_value, new_value) {
        return None;
    }
    let label = new.or(old)?;
    Some(ValueChange {
        code: label.code.clone(),
        vi: label.vi.clone(),
        en: label.en.clone(),
        unit_vi: label.unit_vi.clone(),
        unit_en: label.unit_en.clone(),
        is_ratio,
        kind: label.kind.clone(),
        old: old_value,
        new: new_value,
        delta: old_value.zip(new_value).map(|(o, n)| n - o),
        causes: causes(old.map(|f| &f.sources[..]).unwrap_or(&[]), new.map(|f| &f.sources[..]).unwrap_or(&[]), kinds),
    })
}

/// What happened to each file that changed, and its verdict in the new build.
type Kinds<'a> = BTreeMap<&'a str, (FileChangeKind, Option<&'a str>)>;

/// One (unit, week)'s contribution: its file and its numbers in cell order.
type Contribution<'a> = (Option<&'a str>, Vec<(&'a str, f64)>);

fn contributions(sources: &[SnapSource]) -> BTreeMap<(&str, &str), Contribution<'_>> {
    let mut by_week: BTreeMap<(&str, &str), Contribution<'_>> = BTreeMap::new();
    for s in sources {
        let entry = by_week.entry((s.week.as_str(), s.unit.as_str())).or_default();
        entry.0 = Some(s.file.as_str());
        entry.1.push((s.cell.as_str(), s.value));
    }
    for (_, values) in by_week.values_mut() {
        values.sort_by(|a, b| a.0.cmp(b.0));
    }
    by_week
}

fn causes(old: &[SnapSource], new: &[SnapSource], kinds: &Kinds<'_>) -> Vec<Cause> {
    let (before, after) = (contributions(old), contributions(new));
    let keys: BTreeSet<&(&str, &str)> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let (old_file, old_values) = before.get(key).cloned().unwrap_or_default();
            let (new_file, new_values) = after.get(key).cloned().unwrap_or_default();
            // A report replaced by another that gives the same numbers changed nothing here.
            let same = old_values.len() == new_values.len()
                && old_values.iter().zip(&new_values).all(|(a, b)| a.0 == b.0 && same_value(Some(a.1), Some(b.1)));
            if same {
                return None;
            }
            let changed = new_file.and_then(|f| kinds.get(f)).or_else(|| old_file.and_then(|f| kinds.get(f)));
            Some(Cause {
                unit: key.1.to_string(),
                week: key.0.to_string(),
                old_file: old_file.map(str::to_string),
                new_file: new_file.map(str::to_string),
                old_values: old_values.iter().map(|v| v.1).collect(),
                new_values: new_values.iter().map(|v| v.1).collect(),
                how: changed.map(|c| c.0),
                file_status: changed.and_then(|c| c.1.map(str::to_string)),
            })
        })
        .collect()
}

fn file_changes(old: &Snapshot, new: &Snapshot) -> Vec<FileChange> {
    let before: BTreeMap<&str, &SnapFile> = old.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let after: BTreeMap<&str, &SnapFile> = new.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let paths: BTreeSet<&str> = before.keys().chain(after.keys()).copied().collect();
    paths.into_iter().filter_map(|p| file_change(p, before.get(p).copied(), after.get(p).copied())).collect()
}

fn file_change(path: &str, old: Option<&SnapFile>, new: Option<&SnapFile>) -> Option<FileChange> {
    let how = match (old, new) {
        (None, Some(_)) => FileChangeKind::Added,
        (Some(_), None) => FileChangeKind::Removed,
        (Some(o), Some(n)) if o.sha256 != n.sha256 => FileChangeKind::Replaced,
        (Some(o), Some(n)) if o.superseded_by.is_none() && n.superseded_by.is_some() => FileChangeKind::Superseded,
        (Some(o), Some(n)) if o.status != n.status || o.superseded_by != n.superseded_by => FileChangeKind::Rejudged,
        _ => return None,
    };
    Some(FileChange {
        path: path.to_string(),
        how,
        old_status: old.map(|f| f.status.clone()),
        new_status: new.map(|f| f.status.clone()),
        old_sha256: old.map(|f| f.sha256.clone()),
        new_sha256: new.map(|f| f.sha256.clone()),
        superseded_by: new.and_then(|f| f.superseded_by.clone()),
    })
}

fn status_changes(old: &Snapshot, new: &Snapshot) -> Vec<StatusChange> {
    let before: BTreeMap<&str, &SnapStatus> = old.statuses.iter().map(|s| (s.code.as_str(), s)).collect();
    new.statuses
        .iter()
        .filter_map(|s| {
            let o = before.get(s.code.as_str())?;
            let (was, is): (BTreeSet<&String>, BTreeSet<&String>) =
                (o.yes_units.iter().collect(), s.yes_units.iter().collect());
            if o.yes == s.yes && was == is {
                return None;
            }
            Some(StatusChange {
                code: s.code.clone(),
                vi: s.vi.clone(),
                en: s.en.clone(),
                old_yes: o.yes,
                new_yes: s.yes,
                expected: s.expected,
                now_yes: s.yes_units.iter().filter(|u| !was.contains(u)).cloned().collect(),
                no_longer_yes: o.yes_units.iter().filter(|u| !is.contains(u)).cloned().collect(),
            })
        })
        .collect()
}

fn submission_changes(old: &Snapshot, new: &Snapshot) -> Vec<SubmissionChange> {
    let key = |r: &SnapRow| (r.week.clone(), r.unit.clone());
    let before: BTreeMap<(String, String), &SnapRow> = old.submissions.rows.iter().map(|r| (key(r), r)).collect();
    let after: BTreeMap<(String, String), &SnapRow> = new.submissions.rows.iter().map(|r| (key(r), r)).collect();
    let keys: BTreeSet<&(String, String)> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (o, n) = (before.get(k), after.get(k));
            // A report replaced by another of the same standing is a file change, not the unit's.
            if o.map(|r| &r.timeliness) == n.map(|r| &r.timeliness) {
                return None;
            }
            Some(SubmissionChange {
                unit: k.1.clone(),
                week: k.0.clone(),
                old: o.map(|r| r.timeliness.clone()),
                new: n.map(|r| r.timeliness.clone()),
                old_file: o.and_then(|r| r.file.clone()),
                new_file: n.and_then(|r| r.file.clone()),
            })
        })
        .collect()
}

fn task_changes(old: &Snapshot, new: &Snapshot) -> Vec<TaskChange> {
    let key = |t: &SnapTask| (t.unit.clone(), t.code.clone(), t.title.clone());
    let before: BTreeMap<_, &SnapTask> = old.tasks.items.iter().map(|t| (key(t), t)).collect();
    let after: BTreeMap<_, &SnapTask> = new.tasks.items.iter().map(|t| (key(t), t)).collect();
    let keys: BTreeSet<_> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (o, n) = (before.get(k), after.get(k));
            if o.map(|t| (&t.status, t.overdue)) == n.map(|t| (&t.status, t.overdue)) {
                return None;
            }
            let shown = n.or(o)?;
            Some(TaskChange {
                unit: shown.unit.clone(),
                code: shown.code.clone(),
                title: shown.title.clone(),
                title_en: shown.title_en.clone(),
                old_status: o.map(|t| t.status.clone()),
                new_status: n.map(|t| t.status.clone()),
                old_overdue: o.map(|t| t.overdue),
                new_overdue: n.map(|t| t.overdue),
                file: shown.file.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot with one figure B01 fed by one file per (unit, week), and those files.
    fn snapshot(files: &[(&str, &str, &str, Option<f64>)]) -> Snapshot {
        let sources: Vec<serde_json::Value> = files
            .iter()
            .filter_map(|(path, _, _, value)| {
                value.map(
                    |v| serde_json::json!({"unit": "38", "week": "2025-W40", "file": path, "cell": "E9", "value": v}),
                )
            })
            .collect();
        let total: Option<f64> = files.iter().filter_map(|f| f.3).reduce(|a, b| a + b);
        let listed: Vec<serde_json::Value> = files
            .iter()
            .map(|(path, sha, status, _)| serde_json::json!({"path": path, "sha256": sha, "status": status, "superseded_by": null}))
            .collect();
        serde_json::from_value(serde_json::json!({
            "cycle": {"id": "2025-10-02"},
            "sections": [{"figures": [{"code": "B01", "vi": "Hồ sơ", "en": "Dossiers", "kind": "flow", "value": total, "sources": sources}]}],
            "submissions": {"rows": []},
            "tasks": {"items": []},
            "files": listed,
        }))
        .expect("a snapshot")
    }

    #[test]
    fn the_same_build_has_no_changes() {
        let build = snapshot(&[("a.xlsx", "1", "accepted", Some(10.0))]);
        let changes = compare(&build, &build);
        assert!(!changes.any);
        assert!(changes.figures.is_empty() && changes.files.is_empty());
    }

    #[test]
    fn a_file_overwritten_by_a_refused_version_takes_its_figures_away_and_says_why() {
        let before = snapshot(&[("a.xlsx", "1", "accepted", Some(10.0))]);
        let after = snapshot(&[("a.xlsx", "2", "rejected", None)]);
        let changes = compare(&before, &after);
        let [figure] = &changes.figures[..] else { panic!("one figure changed: {:?}", changes.figures) };
        assert_eq!((figure.old, figure.new, figure.delta), (Some(10.0), None, None));
        let [cause] = &figure.causes[..] else { panic!("one cause") };
        assert_eq!((cause.old_file.as_deref(), cause.new_file.as_deref()), (Some("a.xlsx"), None));
        assert_eq!((cause.how, cause.file_status.as_deref()), (Some(FileChangeKind::Replaced), Some("rejected")));
        assert_eq!(changes.files[0].how, FileChangeKind::Replaced);
    }

    #[test]
    fn a_report_replaced_with_the_same_numbers_is_no_cause() {
        let mut before = snapshot(&[("a.xlsx", "1", "accepted", Some(10.0))]);
        let mut after = snapshot(&[("b.xlsx", "2", "accepted", Some(10.0))]);
        // Another unit's late report is what moved the figure.
        let late = SnapSource {
            unit: "96".into(),
            week: "2025-W40".into(),
            file: "c.xlsx".into(),
            cell: "E9".into(),
            value: 5.0,
        };
        after.sections[0].figures[0].sources.push(late);
        after.sections[0].figures[0].value = Some(15.0);
        before.sections[0].figures[0].value = Some(10.0);
        let changes = compare(&before, &after);
        let causes: Vec<&str> = changes.figures[0].causes.iter().map(|c| c.unit.as_str()).collect();
        assert_eq!(causes, ["96"], "only the unit whose numbers differ");
    }

    #[test]
    fn a_value_changed_by_a_new_file_names_both_files_and_the_difference() {
        let before = snapshot(&[("a.xlsx", "1", "accepted", Some(10.0))]);
        let after = snapshot(&[("b.xlsx", "2", "accepted", Some(12.5))]);
        let changes = compare(&before, &after);
        let figure = &changes.figures[0];
        assert_eq!(figure.delta, Some(2.5));
        let cause = &figure.causes[0];
        assert_eq!((cause.old_file.as_deref(), cause.new_file.as_deref()), (Some("a.xlsx"), Some("b.xlsx")));
        assert_eq!((cause.old_values.clone(), cause.new_values.clone()), (vec![10.0], vec![12.5]));
        assert_eq!(cause.how, Some(FileChangeKind::Added));
        let kinds: Vec<FileChangeKind> = changes.files.iter().map(|f| f.how).collect();
        assert_eq!(kinds, [FileChangeKind::Removed, FileChangeKind::Added]);
    }
}
