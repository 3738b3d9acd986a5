//! Invisible characters that change how text reads: the bidirectional
//! controls (U+202E shows "gnp.exe" for "exe.png") and the zero-width ones
//! (U+200B makes "94​402" differ from "94402"). Each is reported at its cell
//! (`V011`, a warning) and removed from what is read, so that what is
//! aggregated, and every output of a build, is the text the reporter saw.

use std::io::{Cursor, Read as _};
use std::path::Path;

use tonghop::model::FileStatus;

use crate::common::*;

/// The class: bidirectional controls and zero-width characters.
fn invisible_class() -> Vec<char> {
    let ranges = [
        (0x202A, 0x202E),
        (0x2066, 0x2069),
        (0x200B, 0x200F),
        (0x2060, 0x2064),
        (0x206A, 0x206F),
        (0x061C, 0x061C),
        (0x180E, 0x180E),
        (0xFEFF, 0xFEFF),
    ];
    ranges.iter().flat_map(|&(a, b)| (a..=b).filter_map(char::from_u32)).collect()
}

fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// A1 of the text cell of the first narrative item.
fn narrative_text_cell(book: &Book) -> String {
    book.cell_at(NARRATIVE, book.narrative_row(1), H_TEXT)
}

#[test]
fn every_invisible_character_in_a_text_is_v011_at_the_cell_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let class = invisible_class();
    let mut paths = Vec::new();
    for (i, c) in class.iter().enumerate() {
        let mut book = Book::province();
        let cell = narrative_text_cell(&book);
        book.set(NARRATIVE, &cell, format!("Tỷ lệ hồ sơ{c} trực tuyến{c} tăng."));
        paths.push((book.write(dir.path(), &format!("{i:02}.xlsx")), cell));
    }
    let reports = check_all(config(), &paths.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>());
    for ((c, (_, cell)), report) in class.iter().zip(&paths).zip(&reports) {
        let name = code_point(*c);
        assert_eq!(report.status, FileStatus::AcceptedWithWarnings, "{name}: {:?}", report.issues);
        let v011: Vec<_> = report.issues.iter().filter(|i| i.code.as_str() == "V011").collect();
        assert_eq!(v011.len(), 1, "{name}: one V011 for the cell: {:?}", report.issues);
        assert_eq!(v011[0].location.cell.as_deref(), Some(cell.as_str()), "{name}");
        assert!(v011[0].message_en.contains(&name), "{name}: {}", v011[0].message_en);
        let text = &report.submission.as_ref().expect("a submission").narrative[0].text;
        assert_eq!(text, "Tỷ lệ hồ sơ trực tuyến tăng.", "{name}");
    }
}

#[test]
fn figures_codes_answers_and_dates_read_through_invisible_characters() {
    let mut book = Book::province();
    book.set_value("A02", "94\u{200B}402");
    book.set_value("H01", "Có\u{200E}");
    book.set_info(L_UNIT, "\u{FEFF}38\u{202C}");
    let done = {
        let col = book.header_col(TASKS, H_DONE);
        let (&(row, c), _) =
            book.sheet(TASKS).cells.iter().find(|((_, c), cell)| *c == col && matches!(cell, Cell::Date(_))).unwrap();
        a1(row, c)
    };
    book.set(TASKS, &done, "20\u{2060}/08/2025");
    let report = check_book(&book, "38.xlsx");
    assert_status(&report, "accepted_with_warnings");
    assert_eq!(report.number("A02"), Some(94402.0));
    assert_eq!(report.value("H01").expect("H01")["value"]["value"], true);
    assert_eq!(report.unit(), Some("38"));
    for cell in [book.value_cell("A02"), book.value_cell("H01")] {
        assert_issue_sev(&report, "V011", "warning", Some(CRITERIA), Some(&cell));
    }
    assert_issue_sev(&report, "V011", "warning", Some(INFO), Some(&book.info_cell(L_UNIT)));
    assert_issue_sev(&report, "V011", "warning", Some(TASKS), Some(&done));
    let codes: Vec<String> = report.issues().into_iter().map(|i| i.code).collect();
    assert!(codes.iter().all(|c| c == "V011"), "{}", report.describe());
}

#[test]
fn a_figure_of_invisible_characters_only_is_missing() {
    let mut book = Book::province();
    book.set_value("A02", "\u{200B}\u{202E}");
    let report = check_book(&book, "38.xlsx");
    assert_status(&report, "rejected");
    assert_issue(&report, "V001", Some(CRITERIA), Some(&book.value_cell("A02")));
}

#[test]
fn headers_and_labels_are_found_through_invisible_characters() {
    // Inside a word: the header reads "Số liệu", not "Số li ệu".
    let mut book = Book::province();
    let (row, col) = book.sheet(CRITERIA).find_text(H_VALUE).unwrap();
    book.sheet_mut(CRITERIA).put(row, col, "Số li\u{200B}ệu");
    let (row, col) = book.sheet(INFO).find_text(L_TO).unwrap();
    book.sheet_mut(INFO).put(row, col, "\u{FEFF}Đế\u{200D}n ngày");
    let report = check_book(&book, "38.xlsx");
    assert_status(&report, "accepted");
}

/// Every character of every text file of `dir`, and of the XML inside its
/// `.docx` and `.xlsx` files, with the file it was found in.
fn output_texts(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        let name = entry.display().to_string();
        let bytes = std::fs::read(&entry).unwrap();
        match entry.extension().and_then(|e| e.to_str()) {
            Some("docx" | "xlsx") => {
                let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
                for i in 0..archive.len() {
                    let mut part = archive.by_index(i).unwrap();
                    let mut text = String::new();
                    if part.read_to_string(&mut text).is_ok() {
                        out.push((format!("{name}!{}", part.name().unwrap_or_default()), text));
                    }
                }
            }
            Some("html" | "md" | "json") => out.push((name, String::from_utf8(bytes).unwrap())),
            _ => {}
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

#[test]
fn no_output_of_a_build_carries_an_invisible_character() {
    let inputs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let planted: String = invisible_class().into_iter().collect();
    for unit in ["01", "38"] {
        let mut book = Book::valid(unit, "2025-W39");
        let cell = narrative_text_cell(&book);
        book.set(NARRATIVE, &cell, format!("Đề nghị\u{202E} bổ sung{planted} kinh phí."));
        book.set_info(L_PREPARED, format!("Nguyễn\u{200B} Văn\u{2067} An{planted}"));
        let title = book.cell_at(TASKS, book.own_task_row(), H_TASK);
        book.set(TASKS, &title, format!("\u{202E}Rà soát trụ sở{planted}"));
        book.write(inputs.path(), &format!("{unit}.xlsx"));
    }
    let result = run([
        std::ffi::OsStr::new("build"),
        "--weeks".as_ref(),
        "2025-W39".as_ref(),
        "--inputs".as_ref(),
        inputs.path().as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
        "--state".as_ref(),
        out.path().join("state").as_os_str(),
    ]);
    assert_eq!(result.code, 0, "{result:#?}");
    let texts = output_texts(out.path());
    assert!(texts.iter().any(|(_, t)| t.contains("Đề nghị bổ sung kinh phí.")), "the cleaned text is in the outputs");
    for (file, text) in &texts {
        if let Some(c) = text.chars().find(|c| invisible_class().contains(c)) {
            panic!("{file} carries {}", code_point(c));
        }
    }
}
