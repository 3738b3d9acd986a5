//! Workbooks holding stored values that no office program writes (`1e999`,
//! `NaN`, a date serial of −1e300): the fixture's workbook is written with a
//! placeholder where the value goes, then the placeholder's stored form is
//! replaced in the file's bytes, in each format the program reads.

use std::io::{Cursor, Read as _};

use chrono::NaiveDate;

use crate::common::*;

/// A figure no fixture value uses, put where the stored value goes.
pub const PLACEHOLDER: f64 = 987_654_321.0;

/// A date no fixture value uses, put where a stored date goes (a date-formatted number).
pub fn placeholder_day() -> NaiveDate {
    ymd(2031, 7, 7)
}

/// The placeholder day as the serial number a spreadsheet stores (1900 epoch).
fn placeholder_serial() -> f64 {
    (placeholder_day() - ymd(1899, 12, 30)).num_days() as f64
}

/// Replaces every occurrence of `from` by `to` and checks there was one.
fn replace_all(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the placeholder {from:?} is written");
    text.replace(from, to)
}

/// The entries of a zip archive, in order.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("the fixture is a zip");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().expect("an entry name").to_string(), data)
        })
        .collect()
}

/// The book as `.xlsx` with each placeholder's `<v>` holding `stored` instead.
fn xlsx_replacing(book: &Book, placeholder: f64, stored: &str) -> Vec<u8> {
    let from = format!("<v>{placeholder}</v>");
    let to = format!("<v>{}</v>", xml_escape(stored));
    let mut found = false;
    let entries: Vec<(String, Vec<u8>)> = unzip(&book.to_xlsx())
        .into_iter()
        .map(|(name, data)| {
            let text = String::from_utf8_lossy(&data);
            if name.starts_with("xl/worksheets/") && text.contains(&from) {
                found = true;
                (name, text.replace(&from, &to).into_bytes())
            } else {
                (name, data)
            }
        })
        .collect();
    assert!(found, "the placeholder {from} is written");
    let refs: Vec<(&str, &[u8])> = entries.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    zip_of(&refs)
}

/// `.xlsx` whose placeholder number cells store `stored` as their `<v>` text.
pub fn xlsx_number(book: &Book, stored: &str) -> Vec<u8> {
    xlsx_replacing(book, PLACEHOLDER, stored)
}

/// `.xlsx` whose placeholder date cells (date-formatted numbers) store `stored`.
pub fn xlsx_date(book: &Book, stored: &str) -> Vec<u8> {
    xlsx_replacing(book, placeholder_serial(), stored)
}

fn ods_tables(book: &Book) -> String {
    book.sheets.iter().map(ods_table).collect()
}

/// `.ods` whose placeholder number cells hold `office:value="stored"`.
pub fn ods_number(book: &Book, stored: &str) -> Vec<u8> {
    let from = format!(r#"office:value="{PLACEHOLDER}""#);
    let to = format!(r#"office:value="{}""#, xml_escape(stored));
    ods_with_tables(&replace_all(&ods_tables(book), &from, &to))
}

/// `.ods` whose placeholder date cells hold `office:date-value="stored"`.
pub fn ods_date(book: &Book, stored: &str) -> Vec<u8> {
    let from = format!(r#"office:date-value="{}""#, placeholder_day());
    let to = format!(r#"office:date-value="{}""#, xml_escape(stored));
    ods_with_tables(&replace_all(&ods_tables(book), &from, &to))
}

/// Replaces the 8 bytes of `from` (little-endian, as BIFF stores numbers) by those of `to`.
fn replace_f64(mut bytes: Vec<u8>, from: f64, to: f64) -> Vec<u8> {
    let (from, to) = (from.to_le_bytes(), to.to_le_bytes());
    let at: Vec<usize> = bytes.windows(8).enumerate().filter(|(_, w)| *w == from).map(|(i, _)| i).collect();
    assert!(!at.is_empty(), "the placeholder is written");
    for i in at {
        bytes[i..i + 8].copy_from_slice(&to);
    }
    bytes
}

/// `.xls` whose placeholder number cells hold the float `stored`.
pub fn xls_number(book: &Book, stored: f64) -> Vec<u8> {
    replace_f64(book.to_xls(), PLACEHOLDER, stored)
}

/// `.xls` whose placeholder date cells (date-formatted numbers) hold the serial `stored`.
pub fn xls_date(book: &Book, stored: f64) -> Vec<u8> {
    replace_f64(book.to_xls(), placeholder_serial(), stored)
}
