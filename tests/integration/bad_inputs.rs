//! End-to-end checks of `tonghop check --json` on bad inputs: every case asserts
//! the exact issue code, where it points (sheet and cell, or sheet / file level)
//! and the file's verdict.
//!
//! Workbooks come from the independent fixture in `tests/integration/common` (not from
//! `src/form`); the valid province report is Thanh Hóa (38) and the valid
//! ministry report the Ministry of Home Affairs (BNV), week 2025-W37
//! (30/08–05/09/2025, due Monday 08/09/2025), received that Monday at 10:00.

use crate::common;

use std::io::{Cursor, Write};

use common::*;

const REJECTED: &str = "rejected";
const WARNINGS: &str = "accepted_with_warnings";
const ACCEPTED: &str = "accepted";

/// The valid province report with one edit applied, checked.
fn province_with(edit: impl FnOnce(&mut Book)) -> (Book, Report) {
    let mut book = Book::province();
    edit(&mut book);
    let report = check_book(&book, "38-thanh-hoa.xlsx");
    (book, report)
}

fn ministry_with(edit: impl FnOnce(&mut Book)) -> (Book, Report) {
    let mut book = Book::ministry();
    edit(&mut book);
    let report = check_book(&book, "bnv.xlsx");
    (book, report)
}

// ===========================================================================
// Baselines: the fixture itself is valid, and read back exactly
// ===========================================================================

#[test]
fn baseline_province_is_accepted_and_read_back_exactly() {
    let book = Book::province();
    assert_eq!(book.value_cell("B01"), "D8", "fixture layout (criteria value column D)");
    let r = check_book(&book, "38.xlsx");
    assert_clean(&r);
    assert_eq!(r.unit(), Some("38"));
    assert_eq!(r.json["week"]["due"], "2025-09-08", "{}", r.json["week"]);
    for (code, cell) in &book.intended {
        let v = r.value(code).unwrap_or_else(|| panic!("{code} missing from the submission"));
        match cell {
            Cell::Number(n) => assert_eq!(v["value"]["value"].as_f64(), Some(*n), "{code}: {v}"),
            Cell::Text(t) => assert_eq!(v["value"]["value"].as_bool(), Some(t == "Có"), "{code}: {v}"),
            other => panic!("unexpected fixture cell {other:?}"),
        }
        assert_eq!(v["source"]["sheet"], CRITERIA, "{code}: {v}");
        assert_eq!(v["source"]["cell"], book.value_cell(code).as_str(), "{code}: {v}");
    }
}

#[test]
fn baseline_ministry_is_accepted_and_read_back_exactly() {
    let book = Book::ministry();
    let r = check_book(&book, "bnv.xlsx");
    assert_clean(&r);
    assert_eq!(r.unit(), Some("BNV"));
    let sub = r.submission().expect("a submission");
    assert_eq!(sub["values"].as_array().unwrap().len(), book.intended.len());
    for (code, cell) in &book.intended {
        if let Cell::Number(n) = cell {
            assert_eq!(r.number(code), Some(*n), "{code}");
        }
    }
    // The schema's tasks assigned to BNV (NV03 for all units, NV04 for BNV), then the own task.
    let bnv = config().units.get("BNV").unwrap();
    let mut expected: Vec<&str> = config()
        .schema
        .tasks
        .iter()
        .filter(|t| t.assigned_to("BNV", &bnv.unit_type))
        .map(|t| t.code.as_str())
        .collect();
    assert!(expected.contains(&"NV04"));
    expected.push("own");
    let tasks: Vec<&str> =
        sub["tasks"].as_array().unwrap().iter().map(|t| t["code"].as_str().unwrap_or("own")).collect();
    assert_eq!(tasks, expected);
}

// ===========================================================================
// F: the file itself
// ===========================================================================

#[test]
fn f002_random_bytes_named_xlsx() {
    let mut x: u32 = 0x9E37_79B9;
    let mut bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    bytes[0] = 0x00;
    let r = check_bytes(&bytes, "bao-cao.xlsx");
    assert_issue(&r, "F002", None, None);
    assert_codes(&r, &["F002"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f005_truncated_zip() {
    let bytes = Book::province().to_xlsx();
    let r = check_bytes(&bytes[..bytes.len() / 2], "38-thanh-hoa.xlsx");
    assert_issue(&r, "F005", None, None);
    assert_codes(&r, &["F005"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f005_empty_file() {
    let r = check_bytes(b"", "38-thanh-hoa.xlsx");
    assert_issue(&r, "F005", None, None);
    assert_codes(&r, &["F005"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f003_csv_renamed_xlsx() {
    let csv = "Mã,Số liệu\nB01,12500\nB02,9000\nB03,9200\n";
    let r = check_bytes(csv.as_bytes(), "38-thanh-hoa.xlsx");
    let issue = assert_issue(&r, "F003", None, None);
    assert!(issue.message_en.contains("CSV"), "{issue}");
    assert_codes(&r, &["F003"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f003_html_renamed_xls() {
    let html = "<!DOCTYPE html>\n<html><body><table><tr><td>Mã</td><td>Số liệu</td></tr><tr><td>B01</td><td>12500</td></tr></table></body></html>\n";
    let r = check_bytes(html.as_bytes(), "38-thanh-hoa.xls");
    let issue = assert_issue(&r, "F003", None, None);
    assert!(issue.message_en.contains("HTML"), "{issue}");
    assert_codes(&r, &["F003"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f002_word_document_renamed_xlsx() {
    let bytes = zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", b"<Relationships/>"),
        ("word/document.xml", b"<w:document><w:body><w:p/></w:body></w:document>"),
    ]);
    let r = check_bytes(&bytes, "38-thanh-hoa.xlsx");
    let issue = assert_issue(&r, "F002", None, None);
    assert!(issue.message_en.contains("Word"), "{issue}");
    assert_codes(&r, &["F002"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f004_encrypted_workbook() {
    // An OLE compound file whose directory holds the streams of an encrypted
    // OOXML package (what Excel writes for "Encrypt with password").
    let bytes = encrypted_package();
    let r = check_bytes(&bytes, "38-thanh-hoa.xlsx");
    assert_issue(&r, "F004", None, None);
    assert_codes(&r, &["F004"]);
    assert_status(&r, REJECTED);
}

#[test]
fn a_workbook_that_mentions_encryption_is_not_taken_for_an_encrypted_one() {
    // The word in the file's bytes (here after its last sector, as UTF-16 text
    // would be) is not the structure of an encrypted package.
    let (book, _) = province_with(|_| {});
    let mut bytes = book.to_xls();
    bytes.extend("EncryptedPackage EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
    let r = check_bytes(&bytes, "38-thanh-hoa.xls");
    assert!(!r.issues().iter().any(|i| i.code == "F004"), "{:?}", r.issues());
    assert_status(&r, ACCEPTED);
}

#[test]
fn f005_a_zip_holding_two_parts_of_one_name() {
    let (book, _) = province_with(|_| {});
    let xlsx = book.to_xlsx();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&xlsx)).expect("fixture zip");
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).expect("read entry");
        parts.push((entry.name().expect("entry name").to_string(), bytes));
    }
    let (name, bytes) = parts.iter().find(|(n, _)| n.starts_with("xl/worksheets/")).cloned().expect("a sheet");
    // Zip writers refuse a repeated name: write the twin under a placeholder of
    // the same length, then put the name in its headers.
    let placeholder = name.replace("sheet", "shezt");
    assert_eq!(placeholder.len(), name.len());
    for twin in [name.clone(), name.to_uppercase()] {
        let mut with_twin = parts.clone();
        with_twin.push((placeholder.clone(), bytes.clone()));
        let entries: Vec<(&str, &[u8])> = with_twin.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        let mut zip = zip_of(&entries);
        let mut at = 0;
        while let Some(found) = zip[at..].windows(placeholder.len()).position(|w| w == placeholder.as_bytes()) {
            zip[at + found..at + found + twin.len()].copy_from_slice(twin.as_bytes());
            at += found + twin.len();
        }
        let r = check_bytes(&zip, "38-thanh-hoa.xlsx");
        let issue = assert_issue(&r, "F005", None, None);
        assert!(issue.message_en.to_lowercase().contains(&name.to_lowercase()), "{issue}");
        assert_status(&r, REJECTED);
    }
}

#[test]
fn f011_workbook_without_sheets() {
    let bytes = zip_of(&[
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>"#,
        ),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>"#),
    ]);
    let r = check_bytes(&bytes, "38-thanh-hoa.xlsx");
    assert_issue(&r, "F011", None, None);
    assert_codes(&r, &["F011"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f006_file_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("38-thanh-hoa.xlsx");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(21 * 1024 * 1024).unwrap(); // sparse: cheap to make
    drop(f);
    set_mtime(&path, default_received());
    let r = check_file(&path);
    assert_issue(&r, "F006", None, None);
    assert_codes(&r, &["F006"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f007_zip_bomb_highly_compressed_entry() {
    // 8 MiB of zeros streamed into one deflated entry: about 1000:1.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(CONTENT_TYPES).unwrap();
    zip.start_file("xl/workbook.xml", options).unwrap();
    zip.write_all(WORKBOOK_XML).unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..8 {
        zip.write_all(&zeros).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < 64 << 10, "small on disk: {}", bytes.len());
    let r = check_bytes(&bytes, "38-thanh-hoa.xlsx");
    assert_issue(&r, "F007", None, None);
    assert_codes(&r, &["F007"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f007_zip_bomb_300_mib_entry_below_the_ratio_check() {
    // One entry unpacking to 300 MiB of zeros at ~159:1, under the per-entry
    // ratio limit, so only the total-size limit can stop it. Deflating 300 MiB
    // takes too long in a debug build, so the (valid) deflate stream is
    // written directly: fixed Huffman codes, a literal 0, then <258, 1> matches.
    let bytes = bomb_300_mib();
    assert!(bytes.len() < 3 << 20, "small on disk: {}", bytes.len());
    let r = check_bytes(&bytes, "38-thanh-hoa.xlsx");
    let issue = assert_issue(&r, "F007", None, None);
    assert!(issue.message_en.contains("unpacked"), "{issue}");
    assert_codes(&r, &["F007"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f007_zip_bomb_many_entries_over_the_unpacked_limit() {
    // 1 MiB entries stay under the per-entry ratio check; 210 of them unpack
    // to more than the 200 MiB limit. One entry is compressed once and raw-copied.
    let one = zip_of(&[("chunk", &vec![0u8; 1 << 20])]);
    let mut source = zip::ZipArchive::new(Cursor::new(one)).unwrap();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(CONTENT_TYPES).unwrap();
    zip.start_file("xl/workbook.xml", options).unwrap();
    zip.write_all(WORKBOOK_XML).unwrap();
    for i in 0..210 {
        let entry = source.by_index(0).unwrap();
        zip.raw_copy_file_rename(entry, format!("xl/media/image{i}.bin")).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    let r = check_bytes(&bytes, "38-thanh-hoa.xlsx");
    assert_issue(&r, "F007", None, None);
    assert_codes(&r, &["F007"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f007_zip_with_too_many_entries() {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("xl/workbook.xml", options).unwrap();
    zip.write_all(WORKBOOK_XML).unwrap();
    for i in 0..5_001 {
        zip.start_file(format!("x/{i}"), options).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    let r = check_bytes(&bytes, "38-thanh-hoa.xlsx");
    assert_issue(&r, "F007", None, None);
    assert_codes(&r, &["F007"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f008_one_cell_at_a1_and_one_at_xfd1048576() {
    // calamine's worksheet_range would allocate 17 billion cells for this 2-cell sheet.
    let (_, r) = province_with(|b| {
        let s = b.sheet_mut(CRITERIA);
        s.cells.clear();
        s.put(0, 0, "Mã");
        s.put(1_048_575, 16_383, "x");
    });
    assert_issue(&r, "F008", Some(CRITERIA), Some("XFD1048576"));
    assert_codes(&r, &["F008"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f008_too_many_rows() {
    let (book, r) = province_with(|b| {
        let s = b.sheet_mut(CRITERIA);
        for row in 100..20_100 {
            s.put(row, 4, "x");
        }
    });
    let (row, col) = book.sheet(CRITERIA).extent();
    assert_eq!(a1(row, col), "E20100");
    assert_issue(&r, "F008", Some(CRITERIA), Some("E20100"));
    assert_codes(&r, &["F008"]);
    assert_status(&r, REJECTED);
}

#[test]
fn f008_too_many_columns() {
    let (book, r) = province_with(|b| b.set(TASKS, "IQ2", "ghi chú lạc chỗ"));
    let (row, col) = book.sheet(TASKS).extent();
    let cell = a1(row, col);
    assert!(cell.starts_with("IQ"), "{cell}");
    assert_issue(&r, "F008", Some(TASKS), Some(&cell));
    assert_codes(&r, &["F008"]);
    assert_status(&r, REJECTED);
}

#[test]
fn huge_extent_on_a_sheet_outside_the_contract_is_not_read() {
    let (_, r) = province_with(|b| {
        let s = b.sheet_mut(EXTRA);
        s.put(1_048_575, 16_383, "x");
    });
    assert_clean(&r);
}

// ===========================================================================
// S: structure
// ===========================================================================

macro_rules! missing_sheet {
    ($name:ident, $title:expr) => {
        #[test]
        fn $name() {
            let (_, r) = province_with(|b| b.remove_sheet($title));
            let issue = assert_issue(&r, "S001", Some($title), None);
            assert_eq!(issue.severity, "error");
            assert_status(&r, REJECTED);
        }
    };
}

missing_sheet!(s001_missing_info_sheet, INFO);
missing_sheet!(s001_missing_criteria_sheet, CRITERIA);
missing_sheet!(s001_missing_tasks_sheet, TASKS);
missing_sheet!(s001_missing_narrative_sheet, NARRATIVE);

#[test]
fn s001_only_for_the_missing_sheet() {
    let (_, r) = province_with(|b| b.remove_sheet(TASKS));
    assert_codes(&r, &["S001"]);
}

#[test]
fn s009_a_second_sheet_with_a_contract_title_is_reported_and_the_exact_title_read() {
    // A hidden copy placed first, titled in capitals without accents, with another figure.
    for (copy_title, hidden) in [("CHI TIEU", true), ("chỉ tiêu ", false), ("Chi tieu", true)] {
        let (book, r) = province_with(|b| {
            let mut copy = b.sheet(CRITERIA).clone();
            copy.name = copy_title.to_string();
            copy.hidden = hidden;
            let position = b.sheets.iter().position(|s| s.name == CRITERIA).expect("criteria sheet");
            b.sheets.insert(position, copy);
            let cell = b.value_cell("B01");
            let (row, col) = parse_a1(&cell);
            b.sheets[position].put(row, col, num(999_999.0));
        });
        let issue = assert_issue(&r, "S009", Some(copy_title), None);
        assert!(issue.message_vi.contains(copy_title) && issue.message_vi.contains(CRITERIA), "{issue}");
        assert_codes(&r, &["S009"]);
        assert_status(&r, REJECTED);
        let b01 = r.json["read_values"].as_array().expect("values as read").iter().find(|v| v["code"] == "B01");
        let b01 = b01.expect("B01 read");
        assert_eq!(b01["source"]["sheet"], CRITERIA, "the exact title is read: {b01}");
        assert_ne!(b01["value"], 999_999.0, "{b01}");
        let _ = book;
    }
}

#[test]
fn sheet_titles_in_other_case_and_without_diacritics_are_accepted() {
    let (_, r) = province_with(|b| {
        b.rename_sheet(CRITERIA, "CHI TIEU");
        b.rename_sheet(INFO, "thong tin chung");
        b.rename_sheet(TASKS, "NHIỆM VỤ");
        b.rename_sheet(NARRATIVE, "Kho khan - kien nghi");
    });
    assert_clean(&r);
    assert_eq!(r.value("B01").unwrap()["source"]["sheet"], "CHI TIEU");
}

#[test]
fn sheet_titles_in_nfd_are_accepted() {
    let nfd = |s: &str| unicode_nfd(s);
    let (_, r) = province_with(|b| {
        b.rename_sheet(CRITERIA, &nfd("chỉ tiêu"));
        b.rename_sheet(INFO, &nfd("Thông tin chung"));
        b.rename_sheet(NARRATIVE, &nfd("Khó khăn, kiến nghị"));
    });
    assert_ne!(unicode_nfd("chỉ tiêu"), "chỉ tiêu", "the test really uses NFD");
    assert_clean(&r);
}

#[test]
fn english_sheet_titles_are_accepted() {
    let (_, r) = province_with(|b| {
        b.rename_sheet(CRITERIA, "Criteria");
        b.rename_sheet(INFO, "General information");
        b.rename_sheet(TASKS, "Tasks");
        b.rename_sheet(NARRATIVE, "Difficulties and proposals");
    });
    assert_clean(&r);
}

#[test]
fn header_moved_down_and_right_is_accepted() {
    let (book, r) = province_with(|b| {
        for sheet in [CRITERIA, TASKS, NARRATIVE, INFO] {
            b.insert_rows(sheet, 1, 4);
            b.insert_col(sheet, "A");
            b.insert_col(sheet, "A");
        }
    });
    assert_eq!(book.value_cell("B01"), "F12");
    assert_clean(&r);
    assert_eq!(r.number("B01"), Some(12_500.0));
    assert_eq!(r.value("B01").unwrap()["source"]["cell"], "F12");
}

#[test]
fn inserted_blank_rows_and_columns_are_accepted() {
    let (book, r) = province_with(|b| {
        let b01 = b.row_of(CRITERIA, "B01");
        b.insert_row(CRITERIA, b01);
        b.insert_row(CRITERIA, b01);
        let c01 = b.row_of(CRITERIA, "C01");
        b.insert_row(CRITERIA, c01 + 1);
        b.insert_col(CRITERIA, "B"); // between Mã and Số liệu
        b.insert_col(CRITERIA, "F"); // between Số liệu and Ghi chú
        let nv02 = b.row_of(TASKS, "NV02");
        b.insert_row(TASKS, nv02);
        b.insert_col(TASKS, "E");
        b.insert_row(NARRATIVE, b.narrative_row(2));
        b.insert_col(NARRATIVE, "C");
        b.insert_row(INFO, 5);
        b.insert_col(INFO, "A");
    });
    assert_eq!(book.value_cell("B01"), "E10");
    assert_clean(&r);
    assert_eq!(r.number("B01"), Some(12_500.0));
    assert_eq!(r.value("B01").unwrap()["source"]["cell"], "E10");
    assert_eq!(r.submission().unwrap()["narrative"].as_array().unwrap().len(), 4);
    assert_eq!(r.submission().unwrap()["tasks"].as_array().unwrap().len(), 6);
}

#[test]
fn reordered_criterion_rows_are_accepted() {
    let (book, r) = province_with(|b| {
        let first = b.row_of(CRITERIA, "A02") - 1; // the first section row
        let last = b.sheet(CRITERIA).last_row().unwrap() + 1;
        b.reverse_rows(CRITERIA, first, last);
        b.move_row(CRITERIA, b.row_of(CRITERIA, "H12"), last);
    });
    assert_clean(&r);
    for (code, cell) in &book.intended {
        if let Cell::Number(n) = cell {
            assert_eq!(r.number(code), Some(*n), "{code}");
        }
        assert_eq!(r.value(code).unwrap()["source"]["cell"], book.value_cell(code).as_str(), "{code}");
    }
    // Output keeps schema order whatever the row order.
    let codes: Vec<&str> =
        r.submission().unwrap()["values"].as_array().unwrap().iter().map(|v| v["code"].as_str().unwrap()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted);
}

#[test]
fn english_labels_and_headers_are_accepted() {
    let (_, r) = province_with(|b| {
        let english = [
            (INFO, L_UNIT, "Unit code"),
            (INFO, L_FROM, "From"),
            (INFO, L_TO, "To"),
            (INFO, L_VERSION, "Form version"),
            (INFO, L_PREPARED, "Prepared by"),
            (INFO, L_APPROVED, "Approved by"),
            (CRITERIA, H_CODE, "Code"),
            (CRITERIA, H_VALUE, "Value"),
            (TASKS, H_CODE, "Code"),
            (TASKS, H_TASK, "Task"),
            (TASKS, H_STATUS, "Status"),
            (TASKS, H_DONE, "Completed on"),
            (NARRATIVE, H_KIND, "Kind"),
            (NARRATIVE, H_FIELD, "Field"),
            (NARRATIVE, H_TEXT, "Content"),
            (NARRATIVE, H_ADDRESSEE, "Body asked to act"),
        ];
        for (sheet, vi, en) in english {
            let (row, col) = b.sheet(sheet).find_text(vi).unwrap();
            b.set(sheet, &a1(row, col), en);
        }
    });
    assert_clean(&r);
    assert_eq!(r.number("B01"), Some(12_500.0));
}

#[test]
fn criterion_codes_in_lower_case_or_with_spaces_are_accepted() {
    let (_, r) = province_with(|b| {
        let b01 = b.code_cell("B01");
        let c02 = b.code_cell("C02");
        b.set(CRITERIA, &b01, "b01");
        b.set(CRITERIA, &c02, " C02 ");
    });
    assert_clean(&r);
    assert_eq!(r.number("B01"), Some(12_500.0));
    assert_eq!(r.number("C02"), Some(1_650.0));
}

#[test]
fn s002_criteria_value_header_missing() {
    let (_, r) = province_with(|b| {
        let col = b.header_col(CRITERIA, H_VALUE);
        b.set(CRITERIA, &a1(2, col), "Số lượng");
    });
    assert_issue(&r, "S002", Some(CRITERIA), None);
    assert_codes(&r, &["S002"]);
    assert_status(&r, REJECTED);
}

#[test]
fn s002_tasks_status_header_missing() {
    let (_, r) = province_with(|b| {
        let col = b.header_col(TASKS, H_STATUS);
        b.set(TASKS, &a1(1, col), "Tình hình");
    });
    assert_issue(&r, "S002", Some(TASKS), None);
    assert_codes(&r, &["S002"]);
    assert_status(&r, REJECTED);
}

#[test]
fn s002_narrative_text_header_missing() {
    let (_, r) = province_with(|b| {
        let col = b.header_col(NARRATIVE, H_TEXT);
        b.clear(NARRATIVE, &a1(2, col));
    });
    assert_issue(&r, "S002", Some(NARRATIVE), None);
    assert_codes(&r, &["S002"]);
    assert_status(&r, REJECTED);
}

#[test]
fn s003_unknown_criterion_code() {
    let mut row = 0;
    let (_, r) = province_with(|b| {
        row = b.append_row(CRITERIA, &[("A", text("Z99")), ("B", text("Chỉ tiêu tự đặt")), ("D", num(5.0))]);
    });
    assert_issue(&r, "S003", Some(CRITERIA), Some(&format!("A{row}")));
    assert_codes(&r, &["S003"]);
    assert_status(&r, REJECTED);
}

#[test]
fn s003_ratio_typed_as_a_row() {
    let mut row = 0;
    let (_, r) = province_with(|b| {
        row = b.append_row(CRITERIA, &[("A", text("R01")), ("B", text("Tỷ lệ hồ sơ trực tuyến")), ("D", num(0.736))]);
    });
    let issue = assert_issue(&r, "S003", Some(CRITERIA), Some(&format!("A{row}")));
    assert!(issue.message_en.contains("ratio"), "{issue}");
    assert_codes(&r, &["S003"]);
    assert_status(&r, REJECTED);
}

#[test]
fn s004_duplicate_criterion_code() {
    let mut row = 0;
    let (_, r) = province_with(|b| {
        row =
            b.append_row(CRITERIA, &[("A", text("B01")), ("B", text("Hồ sơ tiếp nhận (nhập lại)")), ("D", num(99.0))]);
    });
    assert_issue(&r, "S004", Some(CRITERIA), Some(&format!("A{row}")));
    assert_codes(&r, &["S004"]);
    assert_status(&r, REJECTED);
    assert!(r.submission().is_none());
}

#[test]
fn s005_missing_criterion_row() {
    let (_, r) = province_with(|b| b.delete_row(CRITERIA, b.row_of(CRITERIA, "C02")));
    let issue = assert_issue(&r, "S005", Some(CRITERIA), None);
    assert!(issue.message_en.contains("C02"), "{issue}");
    assert_codes(&r, &["S005"]);
    assert_status(&r, REJECTED);
}

#[test]
fn s006_missing_form_version_label() {
    let (_, r) = province_with(|b| {
        let row = b.sheet(INFO).find_text(L_VERSION).unwrap().0;
        b.delete_row(INFO, row + 1);
    });
    assert_issue(&r, "S006", Some(INFO), None);
    assert_codes(&r, &["S006"]);
    assert_status(&r, REJECTED);
}

#[test]
fn s006_missing_unit_label() {
    let (_, r) = province_with(|b| {
        let row = b.sheet(INFO).find_text(L_UNIT).unwrap().0;
        b.delete_row(INFO, row + 1);
    });
    assert_issue(&r, "S006", Some(INFO), None);
    assert_status(&r, REJECTED);
}

#[test]
fn s007_value_cell_merged_with_the_note_column_warns() {
    let (book, r) = province_with(|b| {
        let cell = b.value_cell("B01");
        let (row, col) = parse_a1(&cell);
        b.merge(CRITERIA, &format!("{cell}:{}", a1(row, col + 1)));
    });
    assert_issue_sev(&r, "S007", "warning", Some(CRITERIA), Some(&book.value_cell("B01")));
    assert_codes(&r, &["S007"]);
    assert_status(&r, WARNINGS);
    assert_eq!(r.number("B01"), Some(12_500.0));
}

#[test]
fn s007_value_cells_merged_down_warn_and_lose_the_second_value() {
    let (book, r) = province_with(|b| {
        let range = format!("{}:{}", b.value_cell("B01"), b.value_cell("B02"));
        b.merge(CRITERIA, &range);
    });
    assert_issue_sev(&r, "S007", "warning", Some(CRITERIA), Some(&book.value_cell("B01")));
    assert_issue(&r, "V001", Some(CRITERIA), Some(&book.value_cell("B02")));
    assert_codes(&r, &["S007", "V001"]);
    assert_status(&r, REJECTED);
}

#[test]
fn s008_criterion_of_another_unit_type_with_a_value_warns() {
    let mut row = 0;
    let (_, r) = ministry_with(|b| {
        row = b.append_row(
            CRITERIA,
            &[("A", text("C01")), ("B", text("Cơ quan chuyên môn thuộc UBND cấp tỉnh")), ("D", num(14.0))],
        );
    });
    assert_issue_sev(&r, "S008", "warning", Some(CRITERIA), Some(&format!("D{row}")));
    assert_codes(&r, &["S008"]);
    assert_status(&r, WARNINGS);
    assert!(r.value("C01").is_none(), "not aggregated");
}

#[test]
fn m003_province_form_filled_by_a_ministry() {
    let (_, r) = province_with(|b| b.set_info(L_UNIT, "BNV"));
    assert_issue(&r, "M003", Some(CRITERIA), None);
    assert_status(&r, REJECTED);
    assert_eq!(r.unit(), Some("BNV"));
}

// ===========================================================================
// M: general information
// ===========================================================================

#[test]
fn m001_unit_missing() {
    let (book, r) = province_with(|b| {
        let cell = b.info_cell(L_UNIT);
        b.clear(INFO, &cell);
    });
    assert_eq!(book.info_cell(L_UNIT), "C4");
    assert_issue(&r, "M001", Some(INFO), Some("C4"));
    assert_codes(&r, &["M001", "M014"]);
    assert_status(&r, REJECTED);
}

#[test]

fn m001_unit_missing_with_a_guidance_column() {
    // The generated form itself has a guidance column right of the values.
    let (_, r) = province_with(|b| {
        for (i, label) in [L_UNIT, L_FROM, L_TO, L_VERSION, L_PREPARED, L_PHONE, L_EMAIL, L_APPROVED].iter().enumerate()
        {
            b.set(INFO, &format!("D{}", 4 + i), format!("Hướng dẫn: ghi {label}."));
        }
        b.clear(INFO, "C4");
    });
    assert_issue(&r, "M001", Some(INFO), Some("C4"));
    assert_codes(&r, &["M001", "M014"]);
    assert_status(&r, REJECTED);
}

#[test]
fn guidance_column_right_of_filled_values_is_harmless() {
    let (_, r) = province_with(|b| {
        for (i, label) in [L_UNIT, L_FROM, L_TO, L_VERSION, L_PREPARED, L_PHONE, L_EMAIL, L_APPROVED].iter().enumerate()
        {
            b.set(INFO, &format!("D{}", 4 + i), format!("Hướng dẫn: ghi {label}."));
        }
    });
    assert_clean(&r);
}

#[test]
fn m002_unknown_unit() {
    let (book, r) = province_with(|b| b.set_info(L_UNIT, "Tỉnh Atlantis"));
    assert_issue(&r, "M002", Some(INFO), Some(&book.info_cell(L_UNIT)));
    // The other sheets are still checked, for the type the criteria rows tell (tests/integration/unknown_unit.rs).
    let note = assert_issue_sev(&r, "M014", "info", Some(CRITERIA), None);
    assert!(note.message_en.contains("Province"), "{note}");
    assert_codes(&r, &["M002", "M014"]);
    assert_status(&r, REJECTED);
    assert_eq!(r.unit(), None);
}

#[test]
fn m011_a_code_and_a_name_of_two_units_are_refused_naming_both() {
    // The drop-down's wording with another unit's name: neither unit gets the report.
    for typed in ["01 - Thanh Hóa", "38 – Hà Nội", "BNV - Bộ Tài chính"] {
        let (book, r) = province_with(|b| b.set_info(L_UNIT, typed));
        let issue = assert_issue(&r, "M011", Some(INFO), Some(&book.info_cell(L_UNIT)));
        assert_status(&r, REJECTED);
        assert_eq!(r.unit(), None, "{typed}");
        let code = typed.split(' ').next().expect("code");
        assert!(issue.message_vi.contains(code) && issue.message_en.contains(code), "{issue}");
    }
    // Code and name of the same unit, or a name nobody has, are not a contradiction.
    for typed in ["38 - Thanh Hóa", "38 - Tỉnh Thanh Hoá", "01 - Hà Nội"] {
        let (_, r) = province_with(|b| b.set_info(L_UNIT, typed));
        assert!(!r.issues().iter().any(|i| i.code == "M011"), "{typed}: {:?}", r.issues());
    }
}

#[test]
fn m009_former_province_name_warns_and_is_understood() {
    let (book, r) = province_with(|b| b.set_info(L_UNIT, "Hà Giang"));
    let issue = assert_issue_sev(&r, "M009", "warning", Some(INFO), Some(&book.info_cell(L_UNIT)));
    assert!(issue.message_en.contains("08"), "{issue}");
    assert_codes(&r, &["M009"]);
    assert_status(&r, WARNINGS);
    assert_eq!(r.unit(), Some("08"));
    assert_eq!(r.submission().unwrap()["unit"], "08");
}

#[test]
fn unit_given_by_name_alias_or_number_is_accepted() {
    let cases: Vec<(&str, Cell)> = vec![
        ("alias Thanh Hoá", text("Thanh Hoá")),
        ("short name", text("Thanh Hóa")),
        ("UBND prefix", text("UBND tỉnh Thanh Hóa")),
        ("drop-down wording", text("38 - Thanh Hóa")),
        ("number 38", num(38.0)),
        ("upper case without diacritics", text("THANH HOA")),
        ("full name", text("Tỉnh Thanh Hóa")),
        ("NFD", text(unicode_nfd("Thanh Hóa"))),
        ("spaces around", text("  38  ")),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (_, value)) in cases.iter().enumerate() {
        let mut b = Book::province();
        b.set_info(L_UNIT, value.clone());
        b.write(dir.path(), &format!("case-{i:02}.xlsx"));
    }
    let reports = check_json(&[dir.path()]);
    assert_eq!(reports.len(), cases.len());
    let mut failures = Vec::new();
    for (i, (name, value)) in cases.iter().enumerate() {
        let r = reports.iter().find(|r| r.path() == format!("case-{i:02}.xlsx")).expect("a report per case");
        if r.status() != ACCEPTED || !r.issues().is_empty() || r.unit() != Some("38") {
            failures.push(format!("case {name:?} ({value:?}):\n{}", r.describe()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn look_alike_eth_in_unit_name_is_folded() {
    // "Ðồng Nai" typed with U+00D0 (Icelandic Eth) instead of U+0110.
    let (_, r) = province_with(|b| b.set_info(L_UNIT, "\u{D0}ồng Nai"));
    assert_clean(&r);
    assert_eq!(r.unit(), Some("75"));
}

#[test]
fn m004_period_date_not_a_date() {
    let (book, r) = province_with(|b| b.set_info(L_FROM, "tuần 37"));
    assert_issue(&r, "M004", Some(INFO), Some(&book.info_cell(L_FROM)));
    assert_codes(&r, &["M004"]);
    assert_status(&r, REJECTED);
}

#[test]
fn m004_period_date_empty() {
    let (book, r) = province_with(|b| {
        let cell = b.info_cell(L_FROM);
        b.clear(INFO, &cell);
    });
    assert_eq!(book.info_cell(L_FROM), "C5");
    assert_issue(&r, "M004", Some(INFO), Some("C5"));
    assert_codes(&r, &["M004"]);
    assert_status(&r, REJECTED);
}

#[test]
fn m004_period_date_that_does_not_exist() {
    let (book, r) = province_with(|b| b.set_info(L_TO, "31/02/2025"));
    assert_issue(&r, "M004", Some(INFO), Some(&book.info_cell(L_TO)));
    assert_codes(&r, &["M004"]);
    assert_status(&r, REJECTED);
}

#[test]
fn m005_period_monday_to_sunday_is_not_a_configured_week() {
    let (book, r) = province_with(|b| {
        b.set_info(L_FROM, date(2025, 9, 1));
        b.set_info(L_TO, date(2025, 9, 7));
    });
    let issue = assert_issue(&r, "M005", Some(INFO), Some(&book.info_cell(L_TO)));
    assert!(issue.message_en.contains("01/09/2025"), "{issue}");
    assert_codes(&r, &["M005"]);
    assert_status(&r, REJECTED);
}

#[test]
fn m005_hint_proposes_the_week_sharing_most_days_with_the_typed_period() {
    // Monday 22/09 – Sunday 28/09 overlaps 2025-W40 (20/09 – 26/09) by five days and
    // 2025-W41 (27/09 – 03/10) by two: the hint is W40, never a future week.
    let (_, r) = province_with(|b| {
        b.set_info(L_FROM, date(2025, 9, 22));
        b.set_info(L_TO, date(2025, 9, 28));
    });
    let issue = r.issues().into_iter().find(|i| i.code == "M005").expect("M005");
    let hint =
        r.json["issues"].as_array().expect("issues").iter().find(|i| i["code"] == "M005").expect("M005")["hint_en"]
            .as_str()
            .expect("hint")
            .to_string();
    assert!(hint.contains("2025-W40") && hint.contains("20/09/2025"), "{hint} ({issue})");
    assert!(!hint.contains("2025-W41"), "{hint}");
}

#[test]
fn m006_period_in_the_future_of_the_received_time() {
    let (book, r) = province_with(|b| b.received = vn_time(2025, 9, 4, 10, 0));
    assert_issue(&r, "M006", Some(INFO), Some(&book.info_cell(L_TO)));
    assert_codes(&r, &["M006"]);
    assert_status(&r, REJECTED);
}

#[test]
fn m007_form_version_missing() {
    let (book, r) = province_with(|b| {
        let cell = b.info_cell(L_VERSION);
        b.clear(INFO, &cell);
    });
    assert_issue(&r, "M007", Some(INFO), Some(&book.info_cell(L_VERSION)));
    assert_codes(&r, &["M007"]);
    assert_status(&r, REJECTED);
}

#[test]
fn m008_form_version_unknown() {
    let (book, r) = province_with(|b| b.set_info(L_VERSION, "0.9"));
    assert_issue(&r, "M008", Some(INFO), Some(&book.info_cell(L_VERSION)));
    assert_codes(&r, &["M008"]);
    assert_status(&r, REJECTED);
}

#[test]
fn form_version_typed_as_a_number_is_accepted() {
    let (_, r) = province_with(|b| b.set_info(L_VERSION, num(1.0)));
    assert_clean(&r);
}

#[test]
fn m010_contacts_missing_warn() {
    let (book, r) = province_with(|b| {
        for label in [L_PREPARED, L_APPROVED] {
            let cell = b.info_cell(label);
            b.clear(INFO, &cell);
        }
    });
    assert_issue_sev(&r, "M010", "warning", Some(INFO), Some(&book.info_cell(L_PREPARED)));
    assert_issue_sev(&r, "M010", "warning", Some(INFO), Some(&book.info_cell(L_APPROVED)));
    assert_codes(&r, &["M010", "M010"]);
    assert_status(&r, WARNINGS);
}

#[test]

fn m010_contact_label_row_deleted_points_at_the_sheet() {
    let (_, r) = province_with(|b| {
        let row = b.sheet(INFO).find_text(L_PREPARED).unwrap().0;
        b.delete_row(INFO, row + 1);
    });
    assert_issue_sev(&r, "M010", "warning", Some(INFO), None);
    assert_codes(&r, &["M010"]);
    assert_status(&r, WARNINGS);
}

// ===========================================================================
// V: values
// ===========================================================================

/// Sets one criterion value, checks, and asserts the single issue at its value cell.
fn value_case(code: &str, value: Cell, issue: &str, severity: &str, status: &str) -> Report {
    let (book, r) = province_with(|b| b.set_value(code, value));
    assert_issue_sev(&r, issue, severity, Some(CRITERIA), Some(&book.value_cell(code)));
    assert_codes(&r, &[issue]);
    assert_status(&r, status);
    r
}

#[test]
fn v001_required_value_empty() {
    let (book, r) = province_with(|b| {
        let cell = b.value_cell("B01");
        b.clear(CRITERIA, &cell);
    });
    assert_issue_sev(&r, "V001", "error", Some(CRITERIA), Some("D8"));
    assert_eq!(book.value_cell("B01"), "D8");
    assert_codes(&r, &["V001"]);
    assert_status(&r, REJECTED);
}

#[test]
fn v001_required_value_only_spaces() {
    value_case("B01", text("   "), "V001", "error", REJECTED);
}

#[test]
fn v002_text_in_a_number() {
    value_case("B01", text("abc"), "V002", "error", REJECTED);
}

#[test]
fn v002_boolean_in_a_number() {
    value_case("E01", Cell::Bool(true), "V002", "error", REJECTED);
}

#[test]
fn v002_date_in_a_number() {
    value_case("B06", date(2025, 9, 5), "V002", "error", REJECTED);
}

#[test]
fn v002_percent_in_a_number() {
    value_case("B06", text("50%"), "V002", "error", REJECTED);
}

#[test]
fn v003_ambiguous_thousands_or_decimal() {
    let r = value_case("B06", text("1,234"), "V003", "error", REJECTED);
    let issue = assert_issue(&r, "V003", Some(CRITERIA), Some(&Book::province().value_cell("B06")));
    assert!(issue.message_en.contains("1234") && issue.message_en.contains("1.234"), "{issue}");
}

#[test]
fn v004_decimal_in_an_integer_criterion() {
    value_case("B01", num(12.5), "V004", "error", REJECTED);
}

#[test]
fn v004_decimal_text_in_an_integer_criterion() {
    value_case("E03", text("12,5"), "V004", "error", REJECTED);
}

#[test]
fn v005_negative() {
    value_case("E01", num(-5.0), "V005", "error", REJECTED);
}

#[test]
fn v006_above_maximum() {
    value_case("C01", num(31.0), "V006", "error", REJECTED);
}

#[test]
fn maximum_itself_is_accepted() {
    let (_, r) = province_with(|b| b.set_value("C01", num(30.0)));
    assert_clean(&r);
    assert_eq!(r.number("C01"), Some(30.0));
}

#[test]
fn v007_not_yes_or_no() {
    value_case("H01", text("maybe"), "V007", "error", REJECTED);
}

#[test]
fn yes_no_synonyms_are_accepted() {
    let (_, r) = province_with(|b| {
        b.set_value("H01", text("x"));
        b.set_value("H02", Cell::Bool(true));
        b.set_value("H03", text("KHÔNG"));
        b.set_value("H04", num(1.0));
        b.set_value("H05", text("chưa"));
    });
    assert_clean(&r);
    let yes_no = |code: &str| r.value(code).unwrap()["value"]["value"].as_bool();
    assert_eq!(yes_no("H01"), Some(true));
    assert_eq!(yes_no("H02"), Some(true));
    assert_eq!(yes_no("H03"), Some(false));
    assert_eq!(yes_no("H04"), Some(true));
    assert_eq!(yes_no("H05"), Some(false));
}

#[test]
fn v009_formula_error_cell() {
    value_case("B01", Cell::ErrorFormula("1/0".into(), "#DIV/0!".into()), "V009", "error", REJECTED);
}

#[test]
fn v009_formula_error_in_a_narrative_cell() {
    let (book, r) = province_with(|b| {
        let cell = b.cell_at(NARRATIVE, b.narrative_row(1), H_TEXT);
        b.set(NARRATIVE, &cell, Cell::ErrorFormula("VLOOKUP(1,A1:A2,2,0)".into(), "#N/A".into()));
    });
    let cell = book.cell_at(NARRATIVE, book.narrative_row(1), H_TEXT);
    assert_issue(&r, "V009", Some(NARRATIVE), Some(&cell));
    assert_status(&r, REJECTED);
}

#[test]
fn v013_formula_without_cached_value() {
    // Written by a program that does not calculate: the cell is not empty, it
    // holds a formula whose value was never computed.
    let r = value_case("B01", Cell::Formula("SUM(X1:X9)".into()), "V013", "error", REJECTED);
    let issue = r.issues().into_iter().find(|i| i.code == "V013").unwrap();
    assert!(
        issue.message_vi.contains("công thức «=SUM(X1:X9)» chưa có giá trị tính sẵn thay vì số liệu B01"),
        "{issue}"
    );
    assert!(issue.message_en.contains("without a computed value instead of the value of B01"), "{issue}");
    let json = r.json["issues"].as_array().unwrap().iter().find(|i| i["code"] == "V013").unwrap();
    assert!(json["hint_vi"].as_str().unwrap().contains("Mở tệp bằng Excel hoặc LibreOffice"), "{json}");
    assert!(json["hint_en"].as_str().unwrap().contains("Open the file in Excel or LibreOffice"), "{json}");
}

#[test]
fn v013_formula_without_cached_value_in_a_narrative_cell() {
    let (book, r) = province_with(|b| {
        let cell = b.cell_at(NARRATIVE, b.narrative_row(1), H_TEXT);
        b.set(NARRATIVE, &cell, Cell::Formula("CONCATENATE(A1,B1)".into()));
    });
    let cell = book.cell_at(NARRATIVE, book.narrative_row(1), H_TEXT);
    let issue = assert_issue_sev(&r, "V013", "error", Some(NARRATIVE), Some(&cell));
    assert!(issue.message_en.contains("\"=CONCATENATE(A1,B1)\" without a computed value:"), "{issue}");
    // The cell's emptiness follows from the formula: no N003 on top of it.
    assert_codes(&r, &["V013"]);
    assert_status(&r, REJECTED);
}

#[test]
fn formula_with_cached_value_is_read_as_its_value() {
    let (_, r) = province_with(|b| b.set_value("B06", Cell::FormulaValue("30+5".into(), 35.0)));
    assert_clean(&r);
    assert_eq!(r.number("B06"), Some(35.0));
}

#[test]
fn v010_tcvn3_narrative_text_is_converted() {
    let (book, r) = province_with(|b| {
        let cell = b.cell_at(NARRATIVE, b.narrative_row(2), H_TEXT);
        b.set(NARRATIVE, &cell, "Thµnh phè Hå ChÝ Minh vµ Hµ Néi");
    });
    let cell = book.cell_at(NARRATIVE, book.narrative_row(2), H_TEXT);
    assert_issue_sev(&r, "V010", "warning", Some(NARRATIVE), Some(&cell));
    assert_codes(&r, &["V010"]);
    assert_status(&r, WARNINGS);
    let item = &r.submission().unwrap()["narrative"][1];
    assert_eq!(item["text"], "Thành phố Hồ Chí Minh và Hà Nội", "{item}");
    assert_eq!(item["source"]["cell"], cell.as_str());
}

#[test]
fn v011_control_characters_are_removed() {
    let (book, r) = province_with(|b| {
        let cell = b.cell_at(NARRATIVE, b.narrative_row(4), H_TEXT);
        b.set(NARRATIVE, &cell, "Tiếp tục\u{7} đôn đốc\u{1b} chi trả chế độ.");
    });
    let cell = book.cell_at(NARRATIVE, book.narrative_row(4), H_TEXT);
    assert_issue_sev(&r, "V011", "warning", Some(NARRATIVE), Some(&cell));
    assert_codes(&r, &["V011"]);
    assert_status(&r, WARNINGS);
    assert_eq!(r.submission().unwrap()["narrative"][3]["text"], "Tiếp tục đôn đốc chi trả chế độ.");
}

#[test]
fn v012_text_of_10000_characters() {
    let long: String = "Khó khăn về trụ sở. ".chars().cycle().take(10_000).collect();
    let (book, r) = province_with(|b| {
        let cell = b.cell_at(NARRATIVE, b.narrative_row(2), H_TEXT);
        b.set(NARRATIVE, &cell, long);
    });
    let cell = book.cell_at(NARRATIVE, book.narrative_row(2), H_TEXT);
    assert_issue_sev(&r, "V012", "error", Some(NARRATIVE), Some(&cell));
    assert_status(&r, REJECTED);
}

#[test]
fn numbers_typed_as_text_are_accepted() {
    let (_, r) = province_with(|b| {
        b.set_value("D01", text("94.402"));
        b.set_value("A06", text("1.234.567"));
        b.set_value("C02", text("94 402"));
        b.set_value("B06", text("94402"));
        b.set_value("F03", text("1.234,5"));
        b.set_value("E02", text("\u{a0}166\u{a0}"));
    });
    assert_clean(&r);
    assert_eq!(r.number("D01"), Some(94_402.0));
    assert_eq!(r.number("A06"), Some(1_234_567.0));
    assert_eq!(r.number("C02"), Some(94_402.0));
    assert_eq!(r.number("B06"), Some(94_402.0));
    assert_eq!(r.number("F03"), Some(1_234.5));
    assert_eq!(r.number("E02"), Some(166.0));
}

#[test]
fn dates_typed_as_text_are_accepted() {
    let (_, r) = province_with(|b| {
        b.set_info(L_FROM, "30/08/2025");
        b.set_info(L_TO, "5/9/2025");
        let cell = b.task_cell("NV01", H_DONE);
        b.set(TASKS, &cell, "20/08/2025");
    });
    assert_clean(&r);
    assert_eq!(r.json["week"]["due"], "2025-09-08");
    assert_eq!(r.json["week"]["from"], "2025-08-30");
    let nv01 = &r.submission().unwrap()["tasks"][0];
    assert_eq!(nv01["code"], "NV01");
    assert_eq!(nv01["completed_on"], "2025-08-20");
}

// ===========================================================================
// X: cross-field rules
// ===========================================================================

#[test]
fn x001_rule_error_points_at_the_left_criterion() {
    let (book, r) = province_with(|b| b.set_value("B02", num(12_501.0))); // B02 ≤ B01 = 12 500
    let issue = assert_issue_sev(&r, "X001", "error", Some(CRITERIA), Some(&book.value_cell("B02")));
    assert!(issue.message_en.contains("B01"), "{issue}");
    assert_codes(&r, &["X001"]);
    assert_status(&r, REJECTED);
}

#[test]
fn x001_rule_warning_g03_above_g02() {
    let (book, r) = province_with(|b| b.set_value("G03", num(4.0))); // G03 ≤ G02 = 3, a warning
    assert_issue_sev(&r, "X001", "warning", Some(CRITERIA), Some(&book.value_cell("G03")));
    assert_codes(&r, &["X001"]);
    assert_status(&r, WARNINGS);
    assert_eq!(r.number("G03"), Some(4.0));
}

#[test]
fn x001_rule_on_a_ministry_report() {
    let (book, r) = ministry_with(|b| b.set_value("A04", num(21.0))); // A04 ≤ A03 = 20
    assert_issue_sev(&r, "X001", "error", Some(CRITERIA), Some(&book.value_cell("A04")));
    assert_codes(&r, &["X001"]);
    assert_status(&r, REJECTED);
}

// ===========================================================================
// T: tasks
// ===========================================================================

#[test]
fn t001_unknown_task_code() {
    let mut row = 0;
    let (_, r) = province_with(|b| {
        row = b.append_row(TASKS, &[("A", text("NV99")), ("B", text("Nhiệm vụ lạ")), ("E", text("Đang thực hiện"))]);
    });
    assert_issue(&r, "T001", Some(TASKS), Some(&format!("A{row}")));
    assert_codes(&r, &["T001"]);
    assert_status(&r, REJECTED);
}

#[test]
fn t002_bad_status() {
    let (book, r) = province_with(|b| {
        let cell = b.task_cell("NV02", H_STATUS);
        b.set(TASKS, &cell, "sắp xong");
    });
    assert_issue(&r, "T002", Some(TASKS), Some(&book.task_cell("NV02", H_STATUS)));
    assert_codes(&r, &["T002"]);
    assert_status(&r, REJECTED);
}

#[test]
fn t003_missing_status() {
    let (book, r) = province_with(|b| {
        let cell = b.task_cell("NV02", H_STATUS);
        b.clear(TASKS, &cell);
    });
    assert_eq!(book.task_cell("NV02", H_STATUS), "E4");
    assert_issue(&r, "T003", Some(TASKS), Some("E4"));
    assert_codes(&r, &["T003"]);
    assert_status(&r, REJECTED);
}

#[test]
fn t003_missing_assigned_task_row() {
    let (_, r) = province_with(|b| b.delete_row(TASKS, b.row_of(TASKS, "NV07")));
    let issue = assert_issue(&r, "T003", Some(TASKS), None);
    assert!(issue.message_en.contains("NV07"), "{issue}");
    assert_codes(&r, &["T003"]);
    assert_status(&r, REJECTED);
}

#[test]
fn t004_completion_date_in_the_future() {
    let (book, r) = province_with(|b| {
        let cell = b.task_cell("NV01", H_DONE);
        b.set(TASKS, &cell, date(2025, 12, 1));
    });
    assert_issue(&r, "T004", Some(TASKS), Some(&book.task_cell("NV01", H_DONE)));
    assert_codes(&r, &["T004"]);
    assert_status(&r, REJECTED);
}

#[test]
fn completion_date_on_the_received_day_is_accepted() {
    let (_, r) = province_with(|b| {
        let cell = b.task_cell("NV01", H_DONE);
        b.set(TASKS, &cell, date(2025, 9, 8));
    });
    assert_clean(&r);
}

#[test]
fn t005_completed_without_date_warns() {
    let (book, r) = province_with(|b| {
        let cell = b.task_cell("NV01", H_DONE);
        b.clear(TASKS, &cell);
    });
    assert_issue_sev(&r, "T005", "warning", Some(TASKS), Some(&book.task_cell("NV01", H_DONE)));
    assert_codes(&r, &["T005"]);
    assert_status(&r, WARNINGS);
}

#[test]
fn t006_own_task_with_bad_deadline() {
    let (book, r) = province_with(|b| {
        let cell = b.cell_at(TASKS, b.own_task_row(), H_DEADLINE);
        b.set(TASKS, &cell, "sớm nhất có thể");
    });
    assert_issue(&r, "T006", Some(TASKS), Some(&book.cell_at(TASKS, book.own_task_row(), H_DEADLINE)));
    assert_codes(&r, &["T006"]);
    assert_status(&r, REJECTED);
}

#[test]
fn own_task_deadline_wordings_are_accepted() {
    let wordings = [
        "trước ngày 15/10/2025",
        "hoàn thành trong ngày 30/10/2025",
        "trong tháng 11/2025",
        "trong năm 2025",
        "30/10/2025",
    ];
    let (_, r) = province_with(|b| {
        let first = b.own_task_row();
        let row_cells: Vec<(u32, Cell)> = b
            .sheet(TASKS)
            .cells
            .iter()
            .filter(|((r, _), _)| *r == first - 1)
            .map(|((_, c), v)| (*c, v.clone()))
            .collect();
        for (i, w) in wordings.iter().enumerate() {
            let row = first + 1 + i as u32;
            for (c, v) in &row_cells {
                b.set(TASKS, &a1(row - 1, *c), v.clone());
            }
            let cell = b.cell_at(TASKS, row, H_DEADLINE);
            b.set(TASKS, &cell, *w);
            let title = b.cell_at(TASKS, row, H_TASK);
            b.set(TASKS, &title, format!("Nhiệm vụ riêng số {}", i + 2));
        }
    });
    assert_clean(&r);
    let forms: Vec<&str> = r.submission().unwrap()["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["code"].is_null())
        .map(|t| t["deadline"]["form"].as_str().unwrap())
        .collect();
    assert_eq!(forms, ["by", "before", "by", "in_month", "in_year", "by"]);
}

#[test]
fn t007_own_task_without_title() {
    let (book, r) = province_with(|b| {
        let cell = b.cell_at(TASKS, b.own_task_row(), H_TASK);
        b.clear(TASKS, &cell);
    });
    let own = Book::province().own_task_row();
    assert_issue(&r, "T007", Some(TASKS), Some(&book.cell_at(TASKS, own, H_TASK)));
    assert_codes(&r, &["T007"]);
    assert_status(&r, REJECTED);
}

#[test]
fn t008_duplicate_task() {
    let mut row = 0;
    let (_, r) = province_with(|b| {
        row = b.append_row(
            TASKS,
            &[("A", text("NV01")), ("B", text("Công bố danh mục TTHC")), ("E", text("Đang thực hiện"))],
        );
    });
    assert_issue(&r, "T008", Some(TASKS), Some(&format!("A{row}")));
    assert_codes(&r, &["T008"]);
    assert_status(&r, REJECTED);
}

#[test]
fn t009_task_of_another_unit_reported_warns() {
    let mut row = 0;
    let (_, r) = province_with(|b| {
        row = b.append_row(
            TASKS,
            &[("A", text("NV04")), ("B", text("Tiêu chuẩn đơn vị hành chính")), ("E", text("Đang thực hiện"))],
        );
    });
    assert_issue_sev(&r, "T009", "warning", Some(TASKS), Some(&format!("A{row}")));
    assert_codes(&r, &["T009"]);
    assert_status(&r, WARNINGS);
}

#[test]
fn t010_completion_date_on_an_unfinished_task_warns() {
    let (book, r) = province_with(|b| {
        let cell = b.task_cell("NV02", H_DONE);
        b.set(TASKS, &cell, date(2025, 9, 1));
    });
    assert_issue_sev(&r, "T010", "warning", Some(TASKS), Some(&book.task_cell("NV02", H_DONE)));
    assert_codes(&r, &["T010"]);
    assert_status(&r, WARNINGS);
}

// ===========================================================================
// N: narrative
// ===========================================================================

#[test]
fn n001_bad_kind() {
    let (book, r) = province_with(|b| {
        let cell = b.cell_at(NARRATIVE, b.narrative_row(1), H_KIND);
        b.set(NARRATIVE, &cell, "Linh tinh");
    });
    assert_issue(&r, "N001", Some(NARRATIVE), Some(&book.cell_at(NARRATIVE, book.narrative_row(1), H_KIND)));
    assert_codes(&r, &["N001"]);
    assert_status(&r, REJECTED);
}

#[test]
fn n002_bad_field() {
    let (book, r) = province_with(|b| {
        let cell = b.cell_at(NARRATIVE, b.narrative_row(2), H_FIELD);
        b.set(NARRATIVE, &cell, "Thể thao");
    });
    assert_issue(&r, "N002", Some(NARRATIVE), Some(&book.cell_at(NARRATIVE, book.narrative_row(2), H_FIELD)));
    assert_codes(&r, &["N002"]);
    assert_status(&r, REJECTED);
}

#[test]
fn n003_missing_text() {
    let (book, r) = province_with(|b| {
        let cell = b.cell_at(NARRATIVE, b.narrative_row(2), H_TEXT);
        b.clear(NARRATIVE, &cell);
    });
    assert_eq!(book.cell_at(NARRATIVE, book.narrative_row(2), H_TEXT), "D5");
    assert_issue(&r, "N003", Some(NARRATIVE), Some("D5"));
    assert_codes(&r, &["N003"]);
    assert_status(&r, REJECTED);
}

#[test]
fn n004_proposal_without_addressee_warns() {
    let (book, r) = province_with(|b| {
        let cell = b.cell_at(NARRATIVE, b.narrative_row(3), H_ADDRESSEE);
        b.clear(NARRATIVE, &cell);
    });
    assert_issue_sev(
        &r,
        "N004",
        "warning",
        Some(NARRATIVE),
        Some(&book.cell_at(NARRATIVE, book.narrative_row(3), H_ADDRESSEE)),
    );
    assert_codes(&r, &["N004"]);
    assert_status(&r, WARNINGS);
}

#[test]
fn narrative_kind_and_field_by_english_label_or_code_are_accepted() {
    let (_, r) = province_with(|b| {
        let row = b.narrative_row(1);
        let kind = b.cell_at(NARRATIVE, row, H_KIND);
        let field = b.cell_at(NARRATIVE, row, H_FIELD);
        b.set(NARRATIVE, &kind, "Highlight");
        b.set(NARRATIVE, &field, "digital");
    });
    assert_clean(&r);
    assert_eq!(r.submission().unwrap()["narrative"][0]["field"], "digital");
}

// ===========================================================================
// Several files, formats by content, ignored files
// ===========================================================================

#[test]
fn one_corrupt_file_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    Book::province().write(dir.path(), "a-38.xlsx");
    let good = Book::province().to_xlsx();
    write_file(&dir.path().join("b-hong.xlsx"), &good[..good.len() / 3], default_received());
    write_file(&dir.path().join("c-rac.xlsx"), b"\x00\x01\x02 not a workbook", default_received());
    Book::ministry().write(&dir.path().join("bo"), "d-bnv.xlsx");
    let (code, json) = check_json_raw(&[dir.path()]);
    let reports: Vec<Report> = json["files"].as_array().unwrap().iter().cloned().map(|json| Report { json }).collect();
    let status: Vec<(&str, &str)> = reports.iter().map(|r| (r.path(), r.status())).collect();
    assert_eq!(
        status,
        [("a-38.xlsx", ACCEPTED), ("b-hong.xlsx", REJECTED), ("bo/d-bnv.xlsx", ACCEPTED), ("c-rac.xlsx", REJECTED)],
        "{json:#}"
    );
    assert_issue(&reports[1], "F005", None, None);
    assert_issue(&reports[3], "F002", None, None);
    assert_eq!(code, 1);
    assert_eq!(json["summary"]["accepted"], 2);
    assert_eq!(json["summary"]["rejected"], 2);
}

#[test]
fn lock_hidden_temporary_and_unsupported_files_are_ignored_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Book::province().to_xlsx();
    for name in ["~$38-thanh-hoa.xlsx", ".38-thanh-hoa.xlsx", "38-thanh-hoa.xlsx.tmp", "ghi-chu.txt", "ok.xlsx"] {
        write_file(&dir.path().join(name), &bytes, default_received());
    }
    let reports = check_json(&[dir.path()]);
    let get = |name: &str| reports.iter().find(|r| r.path() == name).unwrap_or_else(|| panic!("{name} is reported"));
    for (name, code) in [
        ("~$38-thanh-hoa.xlsx", "I001"),
        (".38-thanh-hoa.xlsx", "I002"),
        ("38-thanh-hoa.xlsx.tmp", "I003"),
        ("ghi-chu.txt", "I004"),
    ] {
        let r = get(name);
        assert_status(r, "ignored");
        let issue = assert_issue(r, code, None, None);
        assert_eq!(issue.severity, "info", "{name}");
        assert_codes(r, &[code]);
    }
    assert_clean(get("ok.xlsx"));
    assert_eq!(reports.len(), 5);
}

#[test]
fn xlsx_content_named_xls_or_xlsm_is_read_by_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let book = Book::province();
    book.write(dir.path(), "38.xls");
    book.write(dir.path(), "38.xlsm");
    let reports = check_json(&[dir.path()]);
    assert_eq!(reports.len(), 2);
    for r in &reports {
        assert_clean(r);
        assert_eq!(r.json["format"], "xlsx");
    }
}

// ===========================================================================
// helpers
// ===========================================================================

fn unicode_nfd(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd().collect()
}
