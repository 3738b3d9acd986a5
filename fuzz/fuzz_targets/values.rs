//! Fuzz target: the readers of numbers and dates, and what validation makes of
//! any cell value.
//!
//! An arbitrary float, integer, flag and string are fed to:
//!
//! - the text readers (`parse_number_text`, `parse_date_text`,
//!   `parse_deadline`, `strip_control_chars`, `fold_key`), which must not
//!   panic and must keep their promises (a number read is finite; a cleaned
//!   text has nothing left to clean);
//! - the cell conversion (`ingest::cell_value`) as a float, an integer, a date
//!   serial in either epoch and an ISO date text: never a panic (calamine's
//!   own conversion panics on a serial of −1e300), and a date it gives lies
//!   between 1900 and 9999;
//! - validation, with every number and date cell of a bundled report replaced
//!   by those values (or by the string): never a crash (`F010`), and a file
//!   accepted only with finite figures within ±10^15, dates from 01/01/2000
//!   and texts free of control and invisible characters.

#![no_main]

use std::sync::OnceLock;

use calamine::{Data, ExcelDateTime, ExcelDateTimeType};
use chrono::{Datelike, NaiveDate};
use libfuzzer_sys::fuzz_target;
use tonghop::ingest::{Limits, cell_value, read_bytes};
use tonghop::issue::{Code, Location};
use tonghop::model::{CellValue, FileMeta, FileStatus, RawWorkbook, Value};
use tonghop::schema::{Config, Criterion, parse_deadline};
use tonghop::text::{
    FIRST_PLAUSIBLE_DAY, NumberTextError, fold_key, has_control_chars, parse_date_text, parse_number_text,
    strip_control_chars,
};

fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| Config::load(&root().join("report_templates")).expect("the bundled report_templates load"))
}

/// A bundled report, read once: the values are put into its cells.
fn base() -> &'static RawWorkbook {
    static BASE: OnceLock<RawWorkbook> = OnceLock::new();
    BASE.get_or_init(|| {
        let bytes = std::fs::read(root().join("inputs/2025-W37/01-ha-noi.xlsx")).expect("a bundled input");
        read_bytes(&bytes, &Location::file("base"), &Limits::default()).expect("the bundled input reads")
    })
}

fn check_text_readers(text: &str) {
    match parse_number_text(text) {
        Ok(n) => assert!(n.is_finite(), "{text:?} read as {n}"),
        Err(NumberTextError::Ambiguous { as_thousands, as_decimal }) => {
            assert!(as_thousands.is_finite() && as_decimal.is_finite(), "{text:?}")
        }
        Err(NumberTextError::NotANumber) => {}
    }
    let _ = parse_date_text(text);
    let _ = parse_deadline(text);
    let _ = fold_key(text);
    assert!(!has_control_chars(&strip_control_chars(text)), "{text:?}");
}

/// The cells made from the inputs: (a number cell's stand-in, a date cell's stand-in).
fn converted_cells(float: f64, int: i64, is_1904: bool, text: &str) -> (Option<CellValue>, Option<CellValue>) {
    let serial = Data::DateTime(ExcelDateTime::new(float, ExcelDateTimeType::DateTime, is_1904));
    let latest = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");
    for data in [Data::Float(float), Data::Int(int), serial.clone(), Data::DateTimeIso(text.to_string())] {
        let value = cell_value(&data);
        if let (Data::DateTime(_), Some(CellValue::Date(d))) = (&data, &value) {
            assert!(d.year() >= 1900 && *d <= latest, "serial {float} (1904: {is_1904}) gave {d}");
        }
    }
    (cell_value(&Data::Float(float)), cell_value(&serial))
}

/// The base report with every number cell replaced by `number` and every date
/// cell by `date`, but on the general-information sheet: the file keeps its
/// unit and week, so that the figures and dates are judged.
fn workbook_with(number: Option<CellValue>, date: Option<CellValue>) -> RawWorkbook {
    let mut workbook = base().clone();
    for sheet in workbook.sheets.iter_mut().filter(|s| fold_key(&s.name) != "thong tin chung") {
        for cell in &mut sheet.cells {
            let replacement = match cell.value {
                CellValue::Number(_) => &number,
                CellValue::Date(_) => &date,
                _ => continue,
            };
            if let Some(value) = replacement {
                cell.value = value.clone();
            }
        }
    }
    workbook
}

fn check_verdict(workbook: &RawWorkbook) {
    let meta = FileMeta { path: "fuzz".into(), size: 0, sha256: String::new(), received: None };
    let report = tonghop::validate::validate(config(), meta, workbook);
    if report.issues.iter().any(|i| i.code == Code::ReaderCrashed) {
        panic!("tonghop's validation panicked on this input (F010 from validate)");
    }
    if report.status == FileStatus::Rejected {
        return;
    }
    let submission = report.submission.as_ref().expect("an accepted file has its submission");
    for v in &submission.values {
        match &v.value {
            Value::Number(n) => assert!(n.is_finite() && n.abs() <= Criterion::DEFAULT_LIMIT, "{} = {n}", v.code),
            Value::Date(d) => assert!(*d >= FIRST_PLAUSIBLE_DAY, "{} = {d}", v.code),
            Value::Text(t) => assert!(!has_control_chars(t), "{} = {t:?}", v.code),
            Value::YesNo(_) => {}
        }
    }
    for task in &submission.tasks {
        assert!(task.completed_on.is_none_or(|d| d >= FIRST_PLAUSIBLE_DAY), "{task:?}");
        assert!(!has_control_chars(&task.title), "{task:?}");
    }
    for item in &submission.narrative {
        assert!(!has_control_chars(&item.text), "{item:?}");
    }
}

fuzz_target!(|input: (f64, i64, bool, bool, String)| {
    let (float, int, is_1904, as_text, text) = input;
    check_text_readers(&text);
    let (number, date) = converted_cells(float, int, is_1904, &text);
    let number = if as_text { Some(CellValue::Text(text.clone())) } else { number };
    check_verdict(&workbook_with(number, date));
});
