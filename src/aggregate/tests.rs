//! Hand-computed fixtures for every aggregation kind and the edge cases of a cycle.

use chrono::{NaiveDate, TimeZone};

use super::*;
use crate::model::{
    CellRef, Deadline, DeadlineForm, FileMeta, ReportContacts, ReportedValue, Submission, TaskReport, TaskStatus, Value,
};

fn config() -> Config {
    Config::load(std::path::Path::new("report_templates")).expect("bundled config")
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The cycle of the meeting of 2 October 2025: weeks due 22/9 and 29/9; previous 8/9 and 15/9.
fn cycle(config: &Config) -> CycleSpec {
    resolve_cycle(&config.calendar, &CycleChoice::Meeting(d(2025, 10, 2)), &[]).unwrap()
}

struct Fixture {
    reports: Vec<FileReport>,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture { reports: Vec::new() }
    }

    /// Adds an accepted report of `unit` due on `due`, received at `hour`:`minute` that Monday
    /// (+ `days_late` days), with the given numeric values.
    fn add(
        &mut self,
        config: &Config,
        unit: &str,
        due: NaiveDate,
        at: (i64, u32, u32),
        values: &[(&str, f64)],
    ) -> &mut FileReport {
        let week = config.calendar.week_due(due).unwrap();
        let tz = config.calendar.timezone;
        let received = tz
            .from_local_datetime(&(due + chrono::Days::new(at.0 as u64)).and_hms_opt(at.1, at.2, 0).unwrap())
            .unwrap();
        let path = format!("{}/{unit}-{}{}.xlsx", week.label(), at.1, at.2);
        let values = values
            .iter()
            .enumerate()
            .map(|(i, (code, v))| ReportedValue {
                code: code.to_string(),
                value: if config.schema.criterion(code).is_some_and(|c| c.kind == crate::schema::Aggregation::Status) {
                    Value::YesNo(*v > 0.0)
                } else {
                    Value::Number(*v)
                },
                source: CellRef { sheet: "Chỉ tiêu".into(), cell: format!("E{}", 5 + i) },
            })
            .collect();
        self.reports.push(FileReport {
            file: FileMeta { path, size: 1, sha256: String::new(), received: Some(received) },
            format: Some(crate::model::FileFormat::Xlsx),
            status: FileStatus::Accepted,
            issues: Vec::new(),
            submission: Some(Submission {
                unit: unit.into(),
                week,
                form_version: "1.0".into(),
                contacts: ReportContacts::default(),
                values,
                tasks: Vec::new(),
                narrative: Vec::new(),
            }),
            read_values: Vec::new(),
            unit: Some(unit.into()),
            week: Some(week),
            supersedes: None,
        });
        self.reports.last_mut().unwrap()
    }

    fn reject(&mut self, config: &Config, unit: &str, due: NaiveDate) {
        let week = config.calendar.week_due(due).unwrap();
        let received = config.calendar.deadline(&week) - chrono::Duration::hours(2);
        self.reports.push(FileReport {
            file: FileMeta {
                path: format!("{}/{unit}-bad.xlsx", week.label()),
                size: 1,
                sha256: String::new(),
                received: Some(received),
            },
            format: Some(crate::model::FileFormat::Xlsx),
            status: FileStatus::Rejected,
            issues: Vec::new(),
            submission: None,
            read_values: Vec::new(),
            unit: Some(unit.into()),
            week: Some(week),
            supersedes: None,
        });
    }
}

fn figure<'s>(summary: &'s Summary, code: &str) -> &'s Figure {
    summary.sections.iter().flat_map(|s| &s.figures).find(|f| f.code == code).unwrap()
}

const W39: (i32, u32, u32) = (2025, 9, 22);
const W40: (i32, u32, u32) = (2025, 9, 29);
const W38: (i32, u32, u32) = (2025, 9, 15);
const W37: (i32, u32, u32) = (2025, 9, 8);
const MORNING: (i64, u32, u32) = (0, 9, 0);

fn due(w: (i32, u32, u32)) -> NaiveDate {
    d(w.0, w.1, w.2)
}

#[test]
fn flow_sums_weeks_and_units_and_shows_partial_coverage() {
    let config = config();
    let mut f = Fixture::new();
    f.add(&config, "01", due(W39), MORNING, &[("B01", 100.0)]);
    f.add(&config, "01", due(W40), MORNING, &[("B01", 150.0)]);
    // Hải Phòng reports only the first of the two weeks.
    f.add(&config, "31", due(W39), MORNING, &[("B01", 40.0)]);
    let s = aggregate(&config, &cycle(&config), &f.reports, "vi");
    let b01 = figure(&s, "B01");
    assert_eq!(b01.value, Some(290.0));
    assert_eq!(b01.coverage.reported, 2);
    // B01 is reported by 34 provinces and 14 ministries.
    assert_eq!(b01.coverage.expected, 48);
    assert_eq!((b01.coverage.unit_weeks_reported, b01.coverage.unit_weeks_expected), (3, 96));
    assert_eq!(b01.coverage.partial_units, vec!["31"]);
    assert!(b01.coverage.missing_units.contains(&"79".to_string()));
    assert!(!b01.coverage.missing_units.contains(&"31".to_string()));
    assert_eq!(b01.sources.len(), 3);
    // Missing is not zero: nobody reported B06.
    assert_eq!(figure(&s, "B06").value, None);
}

#[test]
fn stock_takes_each_units_latest_week_never_a_sum_over_weeks() {
    let config = config();
    let mut f = Fixture::new();
    f.add(&config, "01", due(W39), MORNING, &[("D01", 1000.0)]);
    f.add(&config, "01", due(W40), MORNING, &[("D01", 1100.0)]);
    f.add(&config, "BNV", due(W39), MORNING, &[("D01", 50.0)]);
    let s = aggregate(&config, &cycle(&config), &f.reports, "vi");
    let d01 = figure(&s, "D01");
    assert_eq!(d01.value, Some(1150.0), "1100 (Hà Nội, latest) + 50 (BNV, its only week)");
    // Sources follow the registry order: ministries (BNV) before provinces.
    let used: Vec<(&str, &str)> = d01.sources.iter().map(|s| (s.unit.as_str(), s.week.as_str())).collect();
    assert_eq!(used, [("BNV", "2025-W39"), ("01", "2025-W40")]);
    assert!(d01.coverage.partial_units.is_empty(), "a stock needs one week only");
}

#[test]
fn ratio_is_computed_from_aggregates_over_units_reporting_both_parts() {
    let config = config();
    let mut f = Fixture::new();
    // 90 % online in a small province, 10 % in a big one: the national share is 18 %, not 50 %.
    f.add(&config, "04", due(W39), MORNING, &[("B01", 100.0), ("B02", 80.0), ("B03", 90.0)]);
    f.add(&config, "79", due(W39), MORNING, &[("B01", 900.0), ("B02", 450.0), ("B03", 90.0)]);
    // A ministry reports B01 but never B02: it must not dilute the commune share R02.
    f.add(&config, "BTP", due(W39), MORNING, &[("B01", 1000.0), ("B03", 500.0)]);
    let s = aggregate(&config, &cycle(&config), &f.reports, "vi");
    let r = |code: &str| s.ratios.iter().find(|r| r.code == code).unwrap();
    let r01 = r("R01");
    assert_eq!((r01.numerator, r01.denominator), (Some(680.0), Some(2000.0)));
    assert!((r01.value.unwrap() - 0.34).abs() < 1e-12);
    let r02 = r("R02");
    assert_eq!(r02.units, 2);
    assert!((r02.value.unwrap() - 530.0 / 1000.0).abs() < 1e-12);
    // Nobody reported B04: no ratio at all rather than 0 %.
    assert_eq!(r("R03").value, None);
}

#[test]
fn status_counts_yes_and_names_the_rest() {
    let config = config();
    let mut f = Fixture::new();
    f.add(&config, "01", due(W39), MORNING, &[("H01", 0.0)]);
    f.add(&config, "01", due(W40), MORNING, &[("H01", 1.0)]);
    f.add(&config, "04", due(W40), MORNING, &[("H01", 0.0)]);
    let s = aggregate(&config, &cycle(&config), &f.reports, "vi");
    let h01 = s.statuses.iter().find(|x| x.code == "H01").unwrap();
    assert_eq!((h01.yes, h01.expected), (1, 34));
    assert_eq!(h01.yes_units, vec!["01"]);
    assert_eq!(h01.no_units, vec!["04"]);
    assert_eq!(h01.not_reported.len(), 32);
}

#[test]
fn resubmission_wins_and_timeliness_counts_the_first_file() {
    let config = config();
    let mut f = Fixture::new();
    f.add(&config, "24", due(W39), (0, 10, 5), &[("B01", 500.0)]);
    f.add(&config, "24", due(W39), (1, 9, 30), &[("B01", 520.0)]);
    // Lai Châu only sends a file on Tuesday.
    f.add(&config, "12", due(W39), (1, 9, 30), &[("B01", 70.0)]);
    f.reject(&config, "44", due(W39));
    let s = aggregate(&config, &cycle(&config), &f.reports, "vi");
    assert_eq!(figure(&s, "B01").value, Some(590.0), "the later Bắc Ninh file replaces the earlier one");
    let row = |unit: &str, week: &str| s.submissions.rows.iter().find(|r| r.unit == unit && r.week == week).unwrap();
    let bn = row("24", "2025-W39");
    assert_eq!(bn.timeliness, Timeliness::OnTime);
    assert_eq!(bn.file.as_deref(), Some("2025-W39/24-930.xlsx"));
    assert_eq!(bn.superseded, vec!["2025-W39/24-105.xlsx"]);
    let lc = row("12", "2025-W39");
    assert_eq!(lc.timeliness, Timeliness::Late);
    assert_eq!(lc.minutes_late, Some(16 * 60 + 30), "Monday 17:00 to Tuesday 09:30");
    assert_eq!(row("44", "2025-W39").timeliness, Timeliness::Rejected);
    assert_eq!(row("79", "2025-W40").timeliness, Timeliness::Missing);
    assert_eq!(s.submissions.expected, 56 * 2);
    assert_eq!((s.submissions.on_time, s.submissions.late, s.submissions.rejected), (1, 1, 1));
    assert_eq!(s.submissions.missing, 112 - 3);
    let superseded = s.files.iter().find(|e| e.path == "2025-W39/24-105.xlsx").unwrap();
    assert_eq!(superseded.superseded_by.as_deref(), Some("2025-W39/24-930.xlsx"));
}

/// A receipt's notice of what a file replaces says what the summary decides:
/// each accepted file replaces the one received just before it, of its unit
/// and week only; a rejected file replaces nothing.
#[test]
fn supersessions_follow_the_received_order_of_one_unit_and_week() {
    let config = config();
    let mut f = Fixture::new();
    f.add(&config, "24", due(W39), (1, 9, 30), &[("B01", 520.0)]);
    f.add(&config, "24", due(W39), (0, 10, 5), &[("B01", 500.0)]);
    f.add(&config, "24", due(W40), (0, 11, 0), &[("B01", 530.0)]);
    f.add(&config, "24", due(W39), (1, 15, 0), &[("B01", 525.0)]);
    f.reject(&config, "24", due(W39));
    f.add(&config, "12", due(W39), (0, 9, 0), &[("B01", 70.0)]);
    let pairs = super::supersessions(&f.reports);
    let path = |i: usize| f.reports[i].file.path.as_str();
    let named: Vec<(&str, &str)> = pairs.iter().map(|&(i, j)| (path(i), path(j))).collect();
    assert_eq!(
        named,
        [("2025-W39/24-930.xlsx", "2025-W39/24-105.xlsx"), ("2025-W39/24-150.xlsx", "2025-W39/24-930.xlsx")]
    );
    let s = aggregate(&config, &cycle(&config), &f.reports, "vi");
    let winner = s.submissions.rows.iter().find(|r| r.unit == "24" && r.week == "2025-W39").unwrap();
    assert_eq!(winner.file.as_deref(), Some("2025-W39/24-150.xlsx"), "the last of the chain wins");
}

#[test]
fn comparison_with_the_previous_cycle() {
    let config = config();
    let mut f = Fixture::new();
    f.add(&config, "01", due(W37), MORNING, &[("B01", 100.0), ("D01", 900.0)]);
    f.add(&config, "01", due(W38), MORNING, &[("B01", 100.0), ("D01", 950.0)]);
    f.add(&config, "01", due(W39), MORNING, &[("B01", 120.0), ("D01", 1000.0)]);
    f.add(&config, "01", due(W40), MORNING, &[("B01", 130.0), ("D01", 1045.0)]);
    let s = aggregate(&config, &cycle(&config), &f.reports, "vi");
    let b01 = figure(&s, "B01");
    assert_eq!((b01.value, b01.previous, b01.change), (Some(250.0), Some(200.0), Some(50.0)));
    assert_eq!(b01.change_ratio, Some(0.25));
    let d01 = figure(&s, "D01");
    assert_eq!((d01.value, d01.previous, d01.change), (Some(1045.0), Some(950.0), Some(95.0)));
}

#[test]
fn overdue_is_computed_against_the_cutoff_whatever_the_reporter_wrote() {
    let config = config();
    let mut f = Fixture::new();
    let report = f.add(&config, "01", due(W40), MORNING, &[]);
    let task = |code: &str, status: TaskStatus, last_day: NaiveDate, completed_on: Option<NaiveDate>| TaskReport {
        code: Some(code.into()),
        title: code.into(),
        assigned_by: None,
        deadline: Some(Deadline { text: String::new(), form: DeadlineForm::By, last_day }),
        status,
        completed_on,
        note: None,
        source: CellRef { sheet: "Nhiệm vụ".into(), cell: "F5".into() },
    };
    if let Some(sub) = report.submission.as_mut() {
        sub.tasks = vec![
            task("NV01", TaskStatus::InProgress, d(2025, 6, 28), None),
            task("NV03", TaskStatus::Completed, d(2025, 6, 30), Some(d(2025, 7, 10))),
            task("NV06", TaskStatus::NotStarted, d(2025, 12, 31), None),
            // Due the day after the cut-off (30/9): not overdue yet.
            task("NV07", TaskStatus::InProgress, d(2025, 10, 1), None),
            task("NV02", TaskStatus::NotStarted, d(2025, 9, 29), None),
        ];
    }
    let s = aggregate(&config, &cycle(&config), &f.reports, "vi");
    let t = &s.tasks;
    assert_eq!(t.overdue_count, 2);
    assert_eq!((t.completed, t.in_progress, t.not_started), (1, 2, 2));
    let first = &t.items[0];
    assert_eq!((first.code.as_deref(), first.days_overdue), (Some("NV01"), 94), "30/9 − 28/6");
    assert_eq!((t.items[1].code.as_deref(), t.items[1].days_overdue), (Some("NV02"), 1));
    let nv03 = t.items.iter().find(|i| i.code.as_deref() == Some("NV03")).unwrap();
    assert!(nv03.completed_late && !nv03.overdue);
    assert_eq!(t.items.last().map(|i| i.status), Some(TaskStatus::Completed), "completed tasks come last");
}

#[test]
fn named_weeks_compare_with_the_same_number_of_weeks_before() {
    let config = config();
    let cycle =
        resolve_cycle(&config.calendar, &CycleChoice::Weeks(vec!["2025-W40".into(), "2025-W39".into()]), &[]).unwrap();
    assert_eq!(cycle.id, "2025-W39_2025-W40");
    let previous: Vec<String> = cycle.previous_weeks.iter().map(|w| w.label()).collect();
    assert_eq!(previous, ["2025-W37", "2025-W38"]);
    assert!(resolve_cycle(&config.calendar, &CycleChoice::Weeks(vec!["2025-W99".into()]), &[]).is_err());
    assert!(resolve_cycle(&config.calendar, &CycleChoice::Meeting(d(2025, 10, 3)), &[]).is_err());
}

#[test]
fn latest_cycle_with_data_is_chosen() {
    let config = config();
    let mut f = Fixture::new();
    f.add(&config, "01", due(W37), MORNING, &[]);
    assert_eq!(
        resolve_cycle(&config.calendar, &CycleChoice::Latest, &f.reports).unwrap().meeting,
        Some(d(2025, 9, 18))
    );
    f.add(&config, "01", due(W40), MORNING, &[]);
    assert_eq!(
        resolve_cycle(&config.calendar, &CycleChoice::Latest, &f.reports).unwrap().meeting,
        Some(d(2025, 10, 2))
    );
    assert!(resolve_cycle(&config.calendar, &CycleChoice::Latest, &[]).is_err());
}

#[test]
fn a_path_overwritten_with_another_units_report_withdraws_the_earlier_one() {
    let config = config();
    let mut f = Fixture::new();
    f.add(&config, "01", due(W40), MORNING, &[("B01", 100.0)]);
    // The same path later holds Hải Phòng's report (a file overwritten in place).
    let path = f.reports[0].file.path.clone();
    f.add(&config, "31", due(W40), (0, 11, 0), &[("B01", 40.0)]).file.path = path.clone();
    let s = aggregate(&config, &cycle(&config), &f.reports, "vi");
    assert_eq!(figure(&s, "B01").value, Some(40.0), "Hà Nội's version no longer counts");
    let ha_noi = s.submissions.rows.iter().find(|r| r.unit == "01" && r.week == "2025-W40").unwrap();
    assert_eq!(ha_noi.timeliness, Timeliness::Missing);
    // A later version of the same unit at the path withdraws nothing of another week.
    let mut g = Fixture::new();
    g.add(&config, "01", due(W39), MORNING, &[("B01", 100.0)]);
    let path = g.reports[0].file.path.clone();
    g.add(&config, "01", due(W40), MORNING, &[("B01", 150.0)]).file.path = path;
    let s = aggregate(&config, &cycle(&config), &g.reports, "vi");
    assert_eq!(figure(&s, "B01").value, Some(250.0));
}
