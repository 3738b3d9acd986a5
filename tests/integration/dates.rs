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
