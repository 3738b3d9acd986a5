//! A build reads only what its cycle needs (`tonghop::read_for_cycle`): these
//! tests check that the summary is exactly the one every file fully validated
//! gives, over half a year of weeks with gaps, rejections, a resubmission, a
//! file whose unit cannot be told, and a last cycle where every file is rejected.

use crate::common;
use std::path::Path;

use chrono::Days;
use tonghop::aggregate::{CycleChoice, aggregate, resolve_cycle, weeks_needed};
use tonghop::form::{FillValue, FormRequest, write_form};
use tonghop::model::{FileStatus, ReportWeek};
use tonghop::schema::{Config, ValueType};

fn config() -> Config {
    Config::load(Path::new("report_templates")).expect("bundled config")
}

const WEEKS: u64 = 24;
const UNITS: [&str; 6] = ["01", "38", "79", "96", "BNV", "BTC"];

fn weeks(config: &Config) -> Vec<ReportWeek> {
    (0..WEEKS).filter_map(|i| config.calendar.week_due(config.calendar.first_due + Days::new(7 * i))).collect()
}

/// The meeting of the last week (whose files are all rejected) and the one before it.
fn last_meetings(config: &Config) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let weeks = weeks(config);
    let last = weeks.last().and_then(|w| config.calendar.meeting_for_week(w)).expect("a meeting");
    (last, config.calendar.previous_meeting(last).expect("an earlier meeting"))
}

/// The week of the cycle before the last where Hà Nội reports a figure ten times its usual.
fn jump_week(config: &Config) -> usize {
    let (_, before) = last_meetings(config);
    weeks(config)
        .iter()
        .enumerate()
        .position(|(w, week)| w >= 20 && w % 5 != 0 && config.calendar.meeting_for_week(week) == Some(before))
        .expect("a week for the jump")
}

/// Writes the inputs; the folder is the fixture.
fn write_inputs(config: &Config, dir: &Path) {
    let weeks = weeks(config);
    let (last_meeting, _) = last_meetings(config);
    let jump = jump_week(config);
    for (k, code) in UNITS.iter().enumerate() {
        let unit = config.units.get(code).expect("unit");
        for (w, week) in weeks.iter().enumerate() {
            // Gaps: every unit skips some weeks; Hà Nội (01) reports nothing for ten weeks
            // before the last cycles, so its data-quality history lies far back.
            if (w + k) % 5 == 0 || (*code == "01" && (8..20).contains(&w)) {
                continue;
            }
            let mut fill = tonghop::sample::weekly_fill(config, unit, week, w as u32);
            if *code == "01" && w == jump {
                // The data-quality check needs Hà Nội's history, which lies before the ten-week gap.
                let flow = config
                    .schema
                    .criteria
                    .iter()
                    .filter(|c| c.kind == tonghop::schema::Aggregation::Flow && c.reported_by_type(&unit.unit_type))
                    .find(|c| matches!(fill.values.get(&c.code), Some(FillValue::Number(n)) if *n >= 100.0))
                    .expect("a large flow figure");
                if let Some(FillValue::Number(n)) = fill.values.get_mut(&flow.code) {
                    *n *= 10.0;
                }
            }
            // Rejections: the whole last cycle, and Thanh Hóa in week 12.
            if config.calendar.meeting_for_week(week) == Some(last_meeting) || (*code == "38" && w == 12) {
                let number = config
                    .schema
                    .criteria
                    .iter()
                    .find(|c| c.value_type == ValueType::Integer && c.reported_by_type(&unit.unit_type))
                    .expect("an integer criterion");
                fill.values.insert(number.code.clone(), FillValue::Text("chưa thống kê được".into()));
            }
            let request =
                FormRequest { unit_type: &unit.unit_type, unit: Some(unit), week: Some(*week), fill: Some(&fill) };
            let bytes = write_form(config, &request).expect("form");
            let folder = dir.join(week.label());
            std::fs::create_dir_all(&folder).expect("folder");
            std::fs::write(folder.join(format!("{code}.xlsx")), &bytes).expect("write");
            // A resubmission of week 15 by the Ministry of Finance, with other figures.
            if *code == "BTC" && w == 15 {
                let fill = tonghop::sample::weekly_fill(config, unit, week, 100);
                let request = FormRequest { fill: Some(&fill), ..request };
                std::fs::write(folder.join("BTC-bo-sung.xlsx"), write_form(config, &request).expect("form"))
                    .expect("write");
            }
        }
    }
    // A form whose unit is left empty: its week cannot be placed without validating it.
    let unit = config.units.get("BNV").expect("unit");
    let request = FormRequest { unit_type: &unit.unit_type, unit: None, week: Some(weeks[3]), fill: None };
    std::fs::write(dir.join("khong-ro-don-vi.xlsx"), write_form(config, &request).expect("form")).expect("write");
}

/// The summary as JSON, without the list of files read (which is what differs by design).
fn comparable(summary: &tonghop::aggregate::Summary) -> serde_json::Value {
    let mut value = serde_json::to_value(summary).expect("json");
    if let Some(object) = value.as_object_mut() {
        object.remove("files");
        object.remove("other_weeks_files");
    }
    value
}

#[test]
fn the_cycle_read_gives_the_summary_of_everything_validated() {
    let config = config();
    let dir = tempfile::tempdir().expect("tempdir");
    write_inputs(&config, dir.path());
    let everything = common::check_all(&config, &[dir.path().to_path_buf()]);
    let listed = tonghop::pipeline::list_folder(&config, dir.path());
    assert_eq!(everything.len(), listed.len());
    let weeks = weeks(&config);
    let meeting = config.calendar.meeting_for_week(&weeks[12]).expect("a meeting");
    let (_, before_last) = last_meetings(&config);
    let choices = [
        CycleChoice::Latest,
        CycleChoice::Meeting(meeting),
        CycleChoice::Meeting(before_last),
        CycleChoice::Weeks(vec![weeks[20].label(), weeks[21].label()]),
        CycleChoice::Weeks(vec![weeks[2].label()]),
    ];
    let mut flagged = false;
    for choice in &choices {
        let read =
            tonghop::pipeline::read_for_cycle(&config, &listed, choice, &Default::default(), &tonghop::pipeline::Quiet)
                .expect("cycle");
        let cycle = resolve_cycle(&config.calendar, choice, &everything).expect("cycle");
        assert_eq!(read.cycle, cycle, "{choice:?}");
        let expected = aggregate(&config, &cycle, &everything, "vi");
        let got = aggregate(&config, &read.cycle, &read.reports, "vi");
        assert_eq!(comparable(&got), comparable(&expected), "{choice:?}");
        flagged |= got.quality.iter().any(|f| f.unit == "01");
        assert_eq!(read.reports.len() + read.not_needed, everything.len(), "{choice:?}");
        // Every report read is the very report of a full validation.
        for report in &read.reports {
            let full = everything.iter().find(|r| r.file.path == report.file.path).expect("same file");
            assert_eq!(serde_json::to_value(report).ok(), serde_json::to_value(full).ok());
        }
        // The file whose unit is unknown is always read, so that its rejection is shown.
        assert!(read.reports.iter().any(|r| r.file.path == "khong-ro-don-vi.xlsx"));
    }
    assert!(flagged, "Hà Nội's jump is flagged against its older history");
}

#[test]
fn files_outside_the_cycle_are_identified_not_validated() {
    let config = config();
    let dir = tempfile::tempdir().expect("tempdir");
    write_inputs(&config, dir.path());
    let listed = tonghop::pipeline::list_folder(&config, dir.path());
    let weeks = weeks(&config);
    let (_, before_last) = last_meetings(&config);
    let choice = CycleChoice::Meeting(before_last);
    let read =
        tonghop::pipeline::read_for_cycle(&config, &listed, &choice, &Default::default(), &tonghop::pipeline::Quiet)
            .expect("cycle");
    assert!(read.not_needed > 0, "early weeks are not read");
    let needed = weeks_needed(&config, &read.cycle);
    let oldest_needed = *needed.iter().next().expect("weeks");
    // Hà Nội's history lies before the weeks needed: those older files were read too.
    let older_read = read
        .reports
        .iter()
        .filter(|r| r.unit.as_deref() == Some("01"))
        .filter_map(|r| r.week)
        .filter(|w| w.due < oldest_needed)
        .count();
    assert!(older_read >= 1, "Hà Nội's older history is read");
    // Other units' older files are not.
    assert!(
        read.reports
            .iter()
            .filter(|r| r.unit.as_deref() == Some("BTC"))
            .filter_map(|r| r.week)
            .all(|w| w.due >= oldest_needed)
    );
    // Latest: the last weeks are all rejected, so the latest meeting with an accepted
    // report is chosen, as a full validation would choose it.
    let latest = tonghop::pipeline::read_for_cycle(
        &config,
        &listed,
        &CycleChoice::Latest,
        &Default::default(),
        &tonghop::pipeline::Quiet,
    )
    .expect("cycle");
    let accepted_in_cycle = latest
        .reports
        .iter()
        .filter(|r| r.status != FileStatus::Rejected && r.submission.is_some())
        .filter_map(|r| r.week)
        .any(|w| latest.cycle.weeks.iter().any(|c| c.due == w.due));
    assert!(accepted_in_cycle);
    assert!(latest.cycle.weeks.last().is_some_and(|w| w.due < weeks[WEEKS as usize - 1].due));
}

#[test]
fn build_reports_the_files_it_did_not_need() {
    let config = config();
    let dir = tempfile::tempdir().expect("tempdir");
    write_inputs(&config, dir.path());
    let out = tempfile::tempdir().expect("tempdir");
    let weeks = weeks(&config);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(["build", "--json", "--weeks", &weeks[21].label(), "--inputs"])
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("run");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let other = report["other_weeks_files"].as_u64().expect("count");
    assert!(other > 0);
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join(weeks[21].label()).join("data.json")).expect("data"))
            .expect("json");
    assert_eq!(data["other_weeks_files"].as_u64(), Some(other));
    let listed = data["files"].as_array().expect("files").len() as u64;
    let total = tonghop::pipeline::list_folder(&config, dir.path()).len() as u64;
    assert_eq!(listed + other, total);
}
