//! Dates that cannot be read as dates: a date-formatted cell storing a serial
//! no calendar has (−1e300, NaN, an infinity, the fictitious 29/02/1900)
//! is refused at its cell (`M004` for the period, `V008` elsewhere), in every
//! format, with no panic text on stderr.

use serde_json::Value;

use crate::common::*;
use crate::patched;

/// Writes `bytes` as `name` in a fresh folder, checks it with the binary and
/// also returns what it printed on stderr.
fn check_written(bytes: &[u8], name: &str) -> (Report, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    write_file(&path, bytes, default_received());
    let out = run([std::ffi::OsStr::new("check"), "--json".as_ref(), path.as_os_str()]);
    let json: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("JSON ({e}): {out:#?}"));
    (Report { json: json["files"][0].clone() }, out.stderr)
}

/// The A1 of the completion-date cell of the first completed task of the fixture.
fn completed_task_cell(book: &Book) -> String {
    let done_col = book.header_col(TASKS, H_DONE);
    let (&(row, col), _) = book
        .sheet(TASKS)
        .cells
        .iter()
        .find(|((_, c), cell)| *c == done_col && matches!(cell, Cell::Date(_)))
        .expect("the fixture has a completed task with its date");
    a1(row, col)
}

/// The province's book with the placeholder date as its period's "from" date.
fn book_with_placeholder_from() -> Book {
    let mut book = Book::province();
    book.set_info(L_FROM, Cell::Date(patched::placeholder_day()));
    book
}

/// The province's book with the placeholder date as a task's completion date.
fn book_with_placeholder_completion() -> (Book, String) {
    let mut book = Book::province();
    let cell = completed_task_cell(&book);
    book.set(TASKS, &cell, Cell::Date(patched::placeholder_day()));
    (book, cell)
}

#[track_caller]
fn assert_refused_at(report: &Report, stderr: &str, code: &str, sheet: &str, cell: &str) {
    assert_status(report, "rejected");
    assert_issue_sev(report, code, "error", Some(sheet), Some(cell));
    let codes: Vec<String> = report.issues().into_iter().map(|i| i.code).collect();
    assert!(!codes.contains(&"F010".to_string()), "not a reader crash: {}", report.describe());
    assert!(!stderr.contains("panicked"), "no panic text on stderr: {stderr}");
}

/// Serials that no calendar date has, as an `.xlsx` or `.xls` date cell stores them.
const IMPOSSIBLE_SERIALS: [&str; 8] = ["-1e300", "1e300", "-1", "0", "NaN", "inf", "-inf", "1e7"];

#[test]
fn impossible_date_serials_in_the_period_are_m004_at_the_cell() {
    let book = book_with_placeholder_from();
    let cell = book.info_cell(L_FROM);
    for stored in IMPOSSIBLE_SERIALS {
        let (report, stderr) = check_written(&patched::xlsx_date(&book, stored), "38.xlsx");
        assert_refused_at(&report, &stderr, "M004", INFO, &cell);
        let stored: f64 = stored.parse().unwrap();
        let (report, stderr) = check_written(&patched::xls_date(&book, stored), "38.xls");
        assert_refused_at(&report, &stderr, "M004", INFO, &cell);
    }
    for stored in ["-1e300", "NaN", "+275760-09-13", "2025-13-45", "-0001-01-01"] {
        let (report, stderr) = check_written(&patched::ods_date(&book, stored), "38.ods");
        assert_refused_at(&report, &stderr, "M004", INFO, &cell);
    }
}

#[test]
fn impossible_date_serials_as_a_completion_date_are_v008_at_the_cell() {
    let (book, cell) = book_with_placeholder_completion();
    for stored in IMPOSSIBLE_SERIALS {
        let (report, stderr) = check_written(&patched::xlsx_date(&book, stored), "38.xlsx");
        assert_refused_at(&report, &stderr, "V008", TASKS, &cell);
    }
}

#[test]
fn the_fictitious_29_february_1900_is_not_a_date() {
    // Serial 60 is the day Excel shows as 29/02/1900, which never was.
    let book = book_with_placeholder_from();
    let cell = book.info_cell(L_FROM);
    let (report, stderr) = check_written(&patched::xlsx_date(&book, "60"), "38.xlsx");
    assert_refused_at(&report, &stderr, "M004", INFO, &cell);
    let (book, cell) = book_with_placeholder_completion();
    let (report, stderr) = check_written(&patched::xlsx_date(&book, "60.5"), "38.xlsx");
    assert_refused_at(&report, &stderr, "V008", TASKS, &cell);
}

#[test]
fn the_number_left_by_an_impossible_serial_is_named_in_the_message() {
    let book = book_with_placeholder_from();
    let (report, _) = check_written(&patched::xlsx_date(&book, "-1e300"), "38.xlsx");
    let issue = assert_issue(&report, "M004", Some(INFO), Some(&book.info_cell(L_FROM)));
    assert!(issue.message_en.contains("-1 × 10^300"), "{}", issue.message_en);
    assert!(issue.message_vi.contains("-1 × 10^300"), "{}", issue.message_vi);
}

#[test]
fn panics_caught_inside_the_reader_print_nothing_on_stderr() {
    // An .xls on which calamine itself panics (fuzz/regressions): still `F010`,
    // and the panic's text and backtrace no longer reach the user's terminal.
    let file = crate_dir().join("fuzz/regressions/calamine-xls-boundsheet-short-record.xls");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .arg("check")
        .arg(&file)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("tonghop runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("[F010]"), "{stdout}");
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{stderr}");
}

// ---------------------------------------------------------------------------
// Dates that cannot be meant: outside 01/01/2000 – ten years after receipt
// ---------------------------------------------------------------------------

/// The A1 of the own task's deadline cell.
fn own_deadline_cell(book: &Book) -> String {
    book.cell_at(TASKS, book.own_task_row(), H_DEADLINE)
}

#[test]
fn a_completion_date_no_report_can_mean_is_v014_at_the_cell() {
    for done in [date(1900, 1, 1), date(1900, 3, 1), date(1999, 12, 31), text("01/01/1900"), text("15/06/0025")] {
        let mut book = Book::province();
        let cell = completed_task_cell(&book);
        book.set(TASKS, &cell, done.clone());
        let report = check_book(&book, "38.xlsx");
        assert_status(&report, "rejected");
        let issue = assert_issue_sev(&report, "V014", "error", Some(TASKS), Some(&cell));
        assert!(issue.message_vi.contains("01/01/2000"), "{done:?}: {}", issue.message_vi);
    }
}

#[test]
fn a_period_date_no_report_can_mean_is_m004() {
    let mut book = Book::province();
    book.set_info(L_FROM, date(1900, 3, 1));
    let report = check_book(&book, "38.xlsx");
    assert_status(&report, "rejected");
    let issue = assert_issue(&report, "M004", Some(INFO), Some(&book.info_cell(L_FROM)));
    assert!(issue.message_en.contains("01/03/1900"), "{}", issue.message_en);
}

#[test]
fn an_own_deadline_no_report_can_mean_is_t006_and_never_counted_overdue() {
    // Received 08/09/2025: the window ends on 08/09/2035.
    for deadline in ["chậm nhất ngày 01/01/0000", "trước ngày 01/01/1900", "trong năm 2099", "31/12/2035"] {
        let mut book = Book::province();
        let cell = own_deadline_cell(&book);
        book.set(TASKS, &cell, deadline);
        let report = check_book(&book, "38.xlsx");
        assert_status(&report, "rejected");
        let issue = assert_issue(&report, "T006", Some(TASKS), Some(&cell));
        assert!(issue.message_en.contains("outside the dates a report can mean"), "{deadline}: {}", issue.message_en);
    }
    // A date cell of the year 0 (an .ods can store one) is refused the same way.
    let mut book = Book::province();
    let cell = own_deadline_cell(&book);
    book.set(TASKS, &cell, Cell::Date(patched::placeholder_day()));
    let (report, stderr) = check_written(&patched::ods_date(&book, "0000-01-01"), "38.ods");
    assert_refused_at(&report, &stderr, "T006", TASKS, &cell);
}

#[test]
fn dates_at_the_edges_of_the_window_are_kept() {
    let mut book = Book::province();
    let done = completed_task_cell(&book);
    book.set(TASKS, &done, date(2000, 1, 1));
    book.set(TASKS, &own_deadline_cell(&book), "trong năm 2030");
    let report = check_book(&book, "38.xlsx");
    assert_status(&report, "accepted");
    let tasks = report.submission().expect("a submission")["tasks"].as_array().expect("tasks").clone();
    assert!(tasks.iter().any(|t| t["completed_on"] == "2000-01-01"), "{tasks:?}");
    assert!(tasks.iter().any(|t| t["deadline"]["last_day"] == "2030-12-31"), "{tasks:?}");
}

#[test]
fn a_schema_deadline_before_2000_is_refused_at_load_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("report_templates");
    copy_dir(&crate_dir().join("report_templates"), &config);
    let path = config.join("schema.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let from = r#"deadline = "chậm nhất ngày 28/06/2025""#;
    let line = text[..text.find(from).expect("the bundled deadline")].matches('\n').count() + 1;
    std::fs::write(&path, text.replacen(from, r#"deadline = "chậm nhất ngày 28/06/0025""#, 1)).unwrap();
    let error = tonghop::schema::Config::load(&config).expect_err("a deadline in the year 25");
    assert_eq!(error.line, Some(line), "{error}");
    assert!(error.message.contains("before 01/01/2000"), "{error}");
}

mod property {
    use chrono::{Datelike, Days, NaiveDate};
    use proptest::prelude::*;
    use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
    use tonghop::issue::Severity;
    use tonghop::model::FileStatus;

    use super::completed_task_cell;
    use crate::common::*;

    /// Any day from the year 1 to 9999, the years near the window weighted up.
    fn any_day() -> impl Strategy<Value = NaiveDate> {
        let from = |y| NaiveDate::from_ymd_opt(y, 1, 1).unwrap();
        prop_oneof![
            1 => (0u64..3_652_059).prop_map(move |d| from(1) + Days::new(d)),
            2 => (0u64..16_000).prop_map(move |d| from(1995) + Days::new(d)),
        ]
    }

    #[test]
    fn any_completion_date_is_kept_within_the_window_or_refused_at_its_cell() {
        let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48);
        let settings = RunnerConfig { cases, failure_persistence: None, ..RunnerConfig::default() };
        let mut runner = TestRunner::new_with_rng(settings, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
        let dir = tempfile::tempdir().unwrap();
        runner
            .run(&(any_day(), any::<bool>()), |(day, as_text)| {
                let mut book = Book::province();
                let cell = completed_task_cell(&book);
                // Spreadsheet date cells start in 1900; earlier days are typed.
                let value =
                    if as_text || day.year() < 1900 { text(day.format("%d/%m/%Y").to_string()) } else { day.into() };
                book.set(TASKS, &cell, value);
                let path = book.write(dir.path(), "d.xlsx");
                let report = check_all(config(), &[path]).remove(0);
                let received = book.received.date_naive();
                if report.status == FileStatus::Rejected {
                    let at_cell = report
                        .issues
                        .iter()
                        .any(|i| i.severity == Severity::Error && i.location.cell.as_deref() == Some(cell.as_str()));
                    prop_assert!(at_cell, "{day}: refused, not at {cell}: {:?}", report.issues);
                } else {
                    let kept =
                        report.submission.as_ref().expect("a submission").tasks.iter().find_map(|t| t.completed_on);
                    prop_assert_eq!(kept, Some(day));
                    prop_assert!((ymd(2000, 1, 1)..=received).contains(&day), "{day} kept");
                }
                Ok(())
            })
            .unwrap();
    }
}
