//! A file whose unit is not known is still checked for everything that does not
//! need the unit: figures, rules, dates, tasks and narrative, judged by the
//! unit type the form declares (`Loại đơn vị`) or its criteria rows tell. The
//! file stays rejected, but the reporter sees all its faults in one round.
//!
//! Workbooks come from the independent fixture of `tests/integration/common`
//! (Thanh Hóa, 38, week 2025-W37, received Monday 08/09/2025 at 10:00), except
//! where the generated form itself is the point.

use std::path::Path;

use serde_json::Value;
use tonghop::form::{Fill, FillValue, FormRequest, TaskFill, write_form};
use tonghop::model::TaskStatus;
use tonghop::render::receipt::receipt_stem;

use crate::common::{self, *};

/// The label of the form's unit type on the general-information sheet.
const L_UNIT_TYPE: &str = "Loại đơn vị";
/// The province type's label, as the generated form writes it.
const PROVINCE_TYPE: &str = "Tỉnh, thành phố trực thuộc trung ương";

/// Writes the form's unit type below the other general-information entries,
/// label then value, as the generated form does.
fn declare_unit_type(book: &mut Book, written: &str) {
    let (label_row, label_col) = book.sheet(INFO).find_text(L_APPROVED).expect("the approved-by label");
    let row = book.sheet(INFO).last_row().expect("rows").max(label_row) + 1;
    let info = book.sheet_mut(INFO);
    info.put(row, label_col, L_UNIT_TYPE);
    info.put(row, label_col + 1, written);
}

/// A Thanh Hóa report whose unit code no one knows, with a fault of each kind
/// that needs no unit; returns the book and the cells of the faults by code.
fn unknown_unit_with_faults() -> (Book, Vec<(&'static str, &'static str, String)>) {
    let mut book = Book::province();
    book.set_info(L_UNIT, "Tỉnh Atlantis");
    book.set_value("C02", "nhiều"); // not a number
    book.set_value("C01", 31.0); // above the maximum of 30
    book.set_value("B02", 13_000.0); // QT02: B02 <= B01 (12 500)
    let done = book.task_cell("NV01", H_DONE);
    book.set(TASKS, &done, date(2026, 1, 1)); // after the file was received
    let kind = book.cell_at(NARRATIVE, book.narrative_row(1), H_KIND);
    book.set(NARRATIVE, &kind, "Linh tinh");
    let faults = vec![
        ("M002", INFO, book.info_cell(L_UNIT)),
        ("V002", CRITERIA, book.value_cell("C02")),
        ("V006", CRITERIA, book.value_cell("C01")),
        ("X001", CRITERIA, book.value_cell("B02")),
        ("T004", TASKS, done),
        ("N001", NARRATIVE, kind),
    ];
    (book, faults)
}

#[track_caller]
fn assert_faults(report: &Report, faults: &[(&str, &str, String)]) {
    for (code, sheet, cell) in faults {
        assert_issue(report, code, Some(sheet), Some(cell));
    }
}

#[test]
fn an_unknown_unit_code_does_not_hide_the_other_faults() {
    let (mut book, faults) = unknown_unit_with_faults();
    declare_unit_type(&mut book, PROVINCE_TYPE);
    // A row the province form must hold, missing: told only because the type is known.
    book.delete_row(CRITERIA, book.row_of(CRITERIA, "D05"));
    let r = check_book(&book, "khong-ro-don-vi.xlsx");
    assert_faults(&r, &faults);
    assert_issue(&r, "S005", Some(CRITERIA), None);
    let note = assert_issue_sev(&r, "M014", "info", Some(INFO), Some(&book.info_cell(L_UNIT_TYPE)));
    assert!(note.message_vi.contains(PROVINCE_TYPE), "{note}");
    assert!(note.message_en.contains("Province or centrally-run city"), "{note}");
    assert_codes(&r, &["M002", "M014", "V002", "V006", "X001", "T004", "N001", "S005"]);
    assert_status(&r, "rejected");
    assert_eq!(r.unit(), None);
    assert_eq!(r.json["week"]["due"], "2025-09-08", "the week is still understood");
    assert!(r.submission().is_none(), "nothing of a rejected file is aggregated");
}

#[test]
fn without_a_declared_type_the_criteria_rows_tell_it() {
    let (book, faults) = unknown_unit_with_faults();
    let r = check_book(&book, "khong-ro-don-vi.xlsx");
    assert_faults(&r, &faults);
    let note = assert_issue_sev(&r, "M014", "info", Some(CRITERIA), None);
    assert!(note.message_vi.contains(PROVINCE_TYPE), "{note}");
    assert_codes(&r, &["M002", "M014", "V002", "V006", "X001", "T004", "N001"]);

    // A ministry's rows: the task of every unit (NV03) is required; the task of
    // BNV alone (NV04), filled in, may be this unit's and is taken silently.
    let mut book = Book::ministry();
    book.set_info(L_UNIT, "Bộ Không Tồn Tại");
    let every_units = book.row_of(TASKS, "NV03");
    book.delete_row(TASKS, every_units);
    book.row_of(TASKS, "NV04");
    let r = check_book(&book, "bo.xlsx");
    let note = assert_issue(&r, "M014", Some(CRITERIA), None);
    assert!(note.message_en.contains("\"Ministry\""), "{note}");
    let missing = assert_issue(&r, "T003", Some(TASKS), None);
    assert!(missing.message_en.contains("NV03"), "{missing}");
    assert_codes(&r, &["M002", "M014", "T003"]);
}

#[test]
fn when_the_type_cannot_be_told_either_it_is_said_and_the_rest_is_checked() {
    let (mut book, faults) = unknown_unit_with_faults();
    declare_unit_type(&mut book, "Loại gì đó");
    // Rows no single unit type has: the type cannot be told from them.
    book.delete_row(CRITERIA, book.row_of(CRITERIA, "D05"));
    let r = check_book(&book, "khong-ro-loai.xlsx");
    assert_faults(&r, &faults);
    let note = assert_issue_sev(&r, "M014", "info", Some(INFO), None);
    assert!(note.message_en.contains("Neither the reporting unit nor its type is known"), "{note}");
    // What needs the type (the missing D05 row) is not claimed either way.
    assert_codes(&r, &["M002", "M014", "V002", "V006", "X001", "T004", "N001"]);
    assert_status(&r, "rejected");
}

#[test]
fn a_known_unit_ignores_the_declared_type() {
    // The unit decides; what the form's type cell says changes nothing.
    let mut book = Book::province();
    declare_unit_type(&mut book, "Bộ");
    assert_clean(&check_book(&book, "38.xlsx"));
}

#[test]
fn a_missing_general_information_sheet_leaves_the_other_sheets_checked() {
    let (mut book, faults) = unknown_unit_with_faults();
    book.remove_sheet(INFO);
    let r = check_book(&book, "khong-thong-tin.xlsx");
    assert_issue(&r, "S001", Some(INFO), None);
    assert_faults(&r, &faults[1..]);
    assert_issue(&r, "M014", Some(CRITERIA), None);
    assert_codes(&r, &["S001", "M014", "V002", "V006", "X001", "T004", "N001"]);
    assert_eq!(r.json["week"], Value::Null);
}

#[test]
fn check_prints_every_fault_and_the_receipt_holds_them_with_the_figures_read() {
    let (mut book, faults) = unknown_unit_with_faults();
    declare_unit_type(&mut book, PROVINCE_TYPE);
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = tmp.path().join("inputs");
    let name = "khong-ro-don-vi.xlsx";
    book.write(&inputs, name);
    Book::valid("01", "2025-W37").write(&inputs, "01.xlsx");

    // The console: one verdict line, without a unit, then one line per fault.
    let printed = common::run(["check".as_ref(), inputs.join(name).as_os_str()]);
    assert_eq!(printed.code, 1, "{printed:?}");
    let first = printed.stdout.lines().next().expect("a verdict line");
    assert!(first.starts_with('✘') && first.contains("(2025-W37)"), "{first}");
    for (code, sheet, cell) in &faults {
        let line = format!("[{code}]");
        let place = format!("{sheet}!{cell}");
        assert!(
            printed.stdout.lines().any(|l| l.contains(&line) && l.contains(&place)),
            "{code} at {place}:\n{}",
            printed.stdout
        );
    }

    // The receipt of a build: where receipts of unknown units go, with every
    // fault and the figures that could be read.
    let out = tmp.path().join("out");
    let state = tmp.path().join("state");
    let built = common::run([
        "build".as_ref(),
        "--weeks".as_ref(),
        "2025-W37".as_ref(),
        "--inputs".as_ref(),
        inputs.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--state".as_ref(),
        state.as_os_str(),
    ]);
    assert_eq!(built.code, 0, "{built:?}");
    let stem = out.join(receipt_stem(Some("2025-W37"), None, name));
    assert!(stem.to_string_lossy().contains("/_khong-ro-don-vi/"), "{}", stem.display());
    let receipt = read_json(Path::new(&format!("{}.json", stem.display())));
    assert_eq!(receipt["report"]["status"], "rejected");
    assert_eq!(receipt["unit_name"], Value::Null);
    let codes: Vec<&str> =
        receipt["report"]["issues"].as_array().expect("issues").iter().filter_map(|i| i["code"].as_str()).collect();
    for (code, _, _) in &faults {
        assert!(codes.contains(code), "{code} in the receipt: {codes:?}");
    }
    let read: Vec<&str> =
        receipt["values"].as_array().expect("values").iter().filter_map(|v| v["code"].as_str()).collect();
    assert!(read.contains(&"B01") && read.contains(&"B02"), "figures as read: {read:?}");
    assert!(!read.contains(&"C02"), "a figure that is not a number is not shown as read: {read:?}");
    let html = std::fs::read_to_string(format!("{}.html", stem.display())).expect("the HTML receipt");
    assert!(html.contains("chưa xác định được") && html.contains("Số liệu đã đọc"), "{html}");
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).expect("JSON")
}

/// The generated form's completion date, as a reporter fills it, is judged
/// against the day the file was received, whatever today is: a date after it
/// is refused (`T004`), the received day itself is fine.
#[test]
fn a_completion_date_after_the_received_day_is_refused_on_the_generated_form() {
    let config = common::config();
    let unit = config.units.get("38").expect("unit");
    let week = config.calendar.week_by_label("2025-W37").expect("week");
    let assigned: Vec<&str> = config
        .schema
        .tasks
        .iter()
        .filter(|t| t.assigned_to(&unit.code, &unit.unit_type))
        .map(|t| t.code.as_str())
        .collect();
    let form = |unit: Option<&tonghop::schema::Unit>, done: chrono::NaiveDate| {
        let mut fill = Fill::default();
        fill.contacts.prepared_by = Some("Nguyễn Văn An".into());
        fill.contacts.approved_by = Some("Trần Thị Bình".into());
        for c in config.schema.criteria_for(&unit_type_of(config)) {
            let value = if c.is_numeric() { FillValue::Number(0.0) } else { FillValue::YesNo(false) };
            fill.values.insert(c.code.clone(), value);
        }
        for code in &assigned {
            let task = TaskFill { status: TaskStatus::InProgress, completed_on: None, note: None };
            fill.tasks.insert(code.to_string(), task);
        }
        let task = TaskFill { status: TaskStatus::Completed, completed_on: Some(done), note: None };
        fill.tasks.insert(assigned[0].to_string(), task);
        let request = FormRequest { unit_type: &unit_type_of(config), unit, week: Some(week), fill: Some(&fill) };
        write_form(config, &request).expect("form")
    };
    // Received Monday 08/09/2025; 01/01/2026 is after it, though not after today.
    let r = check_bytes(&form(Some(unit), ymd(2026, 1, 1)), "38.xlsx");
    let cell = issue_cell(&r, "T004").expect("T004 points at the completion date");
    let issue = assert_issue_sev(&r, "T004", "error", Some(TASKS), Some(&cell));
    assert!(issue.message_vi.contains("01/01/2026") && issue.message_vi.contains("08/09/2025"), "{issue}");
    assert_codes(&r, &["T004"]);
    assert_status(&r, "rejected");
    assert_clean(&check_bytes(&form(Some(unit), ymd(2025, 9, 8)), "38.xlsx"));

    // The same with no unit chosen: the date is still refused.
    let r = check_bytes(&form(None, ymd(2026, 1, 1)), "38.xlsx");
    assert_codes(&r, &["M001", "M014", "T004"]);
}

fn unit_type_of(config: &tonghop::schema::Config) -> tonghop::schema::UnitType {
    config.units.get("38").expect("unit").unit_type.clone()
}

/// The cell of the first issue with this code.
fn issue_cell(report: &Report, code: &str) -> Option<String> {
    report.issues().into_iter().find(|i| i.code == code).and_then(|i| i.cell)
}
