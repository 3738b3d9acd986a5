//! Telling a file's real format from its bytes, and measuring zip containers
//! before any parser expands them.

use std::io::{Cursor, Read};

use crate::issue::{Code, Issue, Location};

use crate::schema::Limits;

/// The workbook format found in the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Xlsx,
    Xls,
    Ods,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn resave_hint(issue: Issue) -> Issue {
    issue.hint(
        "Mở biểu mẫu bằng Excel hoặc LibreOffice Calc, điền số liệu và lưu dạng Sổ làm việc Excel (.xlsx).",
        "Open the form in Excel or LibreOffice Calc, fill it in and save it as an Excel Workbook (.xlsx).",
    )
}

/// Identifies the format, refusing what is not a supported workbook with a precise code.
pub fn sniff(bytes: &[u8], location: &Location, limits: &Limits) -> Result<Sniffed, Issue> {
    if bytes.is_empty() {
        return Err(resave_hint(
            Issue::new(Code::CorruptArchive, location.clone())
                .message("Tệp rỗng (0 byte).", "The file is empty (0 bytes)."),
        ));
    }
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(EMPTY_ZIP_MAGIC) {
        return sniff_zip(bytes, location, limits);
    }
    if bytes.starts_with(OLE_MAGIC) {
        // Encrypted .xlsx files are OLE containers holding an "EncryptedPackage" stream.
        if super::xls_scan::is_encrypted_package(bytes) {
            return Err(super::problems::encrypted(location));
        }
        return Ok(Sniffed::Xls);
    }
    if let Some(kind) = looks_like_text(bytes) {
        return Err(resave_hint(Issue::new(Code::TextDisguised, location.clone()).message(
            format!("Tệp thực chất là văn bản {kind}, không phải bảng tính, dù có đuôi bảng tính."),
            format!("The file is really {kind} text, not a spreadsheet, despite its extension."),
        )));
    }
    Err(resave_hint(Issue::new(Code::NotAWorkbook, location.clone()).message(
        "Nội dung tệp không phải định dạng bảng tính .xlsx, .xls hay .ods.",
        "The file content is not an .xlsx, .xls or .ods spreadsheet.",
    )))
}

/// "CSV", "HTML" or "XML" when the bytes are plain text of that shape.
fn looks_like_text(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(4096)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character may be cut at the 4 KiB boundary.
        Err(e) if e.valid_up_to() + 4 >= head.len() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let printable = text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')).count();
    if printable * 100 < text.chars().count() * 95 {
        return None;
    }
    let lower = text.trim_start_matches('\u{feff}').trim_start().to_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") || lower.contains("<table") {
        Some("HTML")
    } else if lower.starts_with("<?xml") || lower.starts_with('<') {
        Some("XML")
    } else {
        Some("CSV")
    }
}

/// The entry names of a zip's central directory, in order, as written (`None`
/// for a ZIP64 archive or a directory that cannot be followed; the zip reader
/// has judged the archive already).
fn central_directory_names(bytes: &[u8]) -> Option<Vec<String>> {
    const END: &[u8] = b"PK\x05\x06";
    const HEADER: &[u8] = b"PK\x01\x02";
    let search_from = bytes.len().saturating_sub(22 + usize::from(u16::MAX));
    let end = search_from + memchr::memmem::rfind(&bytes[search_from..], END)?;
    let u16_at = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let count = u16_at(end + 10)?;
    let mut at = usize::try_from(u32_at(end + 16)?).ok()?;
    if count == u16::MAX || at == u32::MAX as usize {
        return None;
    }
    let mut names = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        if bytes.get(at..at + 4)? != HEADER {
            return None;
        }
        let (name_len, extra_len, comment_len) = (u16_at(at + 28)?, u16_at(at + 30)?, u16_at(at + 32)?);
        let name = bytes.get(at + 46..at + 46 + usize::from(name_len))?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + usize::from(name_len) + usize::from(extra_len) + usize::from(comment_len);
    }
    Some(names)
}

/// A part name the container holds twice (part names compare without regard to case).
fn duplicate_part(names: &[String]) -> Option<&str> {
    let mut seen = std::collections::HashSet::new();
    names.iter().find(|n| !seen.insert(n.to_ascii_lowercase())).map(String::as_str)
}

fn sniff_zip(bytes: &[u8], location: &Location, limits: &Limits) -> Result<Sniffed, Issue> {
    let corrupt = |detail: String| {
        resave_hint(Issue::new(Code::CorruptArchive, location.clone()).message(
            format!("Tệp bị hỏng hoặc chưa được chép đầy đủ ({detail})."),
            format!("The file is corrupt or was not copied completely ({detail})."),
        ))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(e.to_string()))?;
    if archive.len() > limits.max_zip_entries {
        return Err(zip_bomb(location, format!("{} entries", archive.len())));
    }
    let mut total: u64 = 0;
    let mut names = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| corrupt(e.to_string()))?;
        let size = entry.size();
        let compressed = entry.compressed_size().max(1);
        // Small entries compress extremely well (a run of zeros); only large ones can hurt.
        if size > 1024 * 1024 && size / compressed > limits.max_compression_ratio {
            return Err(zip_bomb(location, format!("entry compressed {}:1", size / compressed)));
        }
        total = total.saturating_add(size);
        if total > limits.max_uncompressed_bytes {
            return Err(zip_bomb(location, format!("more than {} bytes unpacked", limits.max_uncompressed_bytes)));
        }
        if let Ok(name) = entry.name() {
            // Readers load these parts whole (shared strings, styles, relationships…),
            // as a structure several times their size; worksheets are streamed.
            let loaded_whole = (name.ends_with(".xml") || name.ends_with(".rels"))
                && !name.starts_with("xl/worksheets/")
                && name != "content.xml";
            if loaded_whole && size > limits.max_loaded_part_bytes {
                return Err(zip_bomb(location, format!("{name}: {size} bytes unpacked")));
            }
            names.push(name.to_string());
        }
    }
    // The zip reader keeps one entry per name, so repeated names are looked for
    // in the central directory itself.
    let listed = central_directory_names(bytes).unwrap_or_else(|| names.clone());
    if let Some(name) = duplicate_part(&listed) {
        // Readers would silently take one of the two (the last): which one the
        // author meant cannot be told.
        return Err(corrupt(format!("two parts named {name}")));
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("xl/workbook.xml") {
        return Ok(Sniffed::Xlsx);
    }
    if has("mimetype") {
        let mut mimetype = String::new();
        if let Ok(mut f) = archive.by_name("mimetype") {
            let _ = f.by_ref().take(200).read_to_string(&mut mimetype);
        }
        if mimetype.trim() == "application/vnd.oasis.opendocument.spreadsheet" {
            return Ok(Sniffed::Ods);
        }
    }
    let (vi, en) = if has("xl/workbook.bin") {
        ("Tệp dạng Excel nhị phân (.xlsb) chưa được hỗ trợ.", "Excel binary workbooks (.xlsb) are not supported.")
    } else if has("word/document.xml") {
        ("Tệp là văn bản Word, không phải bảng tính.", "The file is a Word document, not a spreadsheet.")
    } else if names.is_empty() {
        ("Tệp nén rỗng.", "The archive is empty.")
    } else {
        ("Tệp nén không chứa bảng tính.", "The archive holds no spreadsheet.")
    };
    Err(resave_hint(Issue::new(Code::NotAWorkbook, location.clone()).message(vi, en)))
}

fn zip_bomb(location: &Location, detail: String) -> Issue {
    Issue::new(Code::ZipBomb, location.clone())
        .message(
            format!("Nội dung nén của tệp bất thường ({detail}); tệp không được mở để bảo vệ hệ thống."),
            format!("The file's compressed content is abnormal ({detail}); it was not opened, to protect the system."),
        )
        .hint(
            "Dùng biểu mẫu gốc, chỉ nhập số liệu; không chèn dữ liệu lớn hay đối tượng nhúng.",
            "Use the original form and enter only the figures; do not embed large data or objects.",
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc() -> Location {
        Location::file("t.xlsx")
    }

    #[test]
    fn recognises_disguised_text() {
        let limits = Limits::default();
        let csv = sniff(b"ma,so lieu\nB01,12\n", &loc(), &limits).unwrap_err();
        assert_eq!(csv.code, Code::TextDisguised);
        assert!(csv.message_en.contains("CSV"));
        let html = sniff(b"<html><table><tr><td>1</td></tr></table></html>", &loc(), &limits).unwrap_err();
        assert!(html.message_en.contains("HTML"));
    }

    #[test]
    fn empty_and_binary_garbage() {
        let limits = Limits::default();
        assert_eq!(sniff(b"", &loc(), &limits).unwrap_err().code, Code::CorruptArchive);
        assert_eq!(sniff(&[0u8, 159, 146, 150, 1, 2, 3], &loc(), &limits).unwrap_err().code, Code::NotAWorkbook);
        assert_eq!(sniff(b"PK\x03\x04garbage", &loc(), &limits).unwrap_err().code, Code::CorruptArchive);
    }

    #[test]
    fn the_word_encryptedpackage_in_the_bytes_is_not_encryption() {
        // Encryption is told from the compound file's directory (tests/integration: f004).
        let mut bytes = OLE_MAGIC.to_vec();
        bytes.extend(vec![0u8; 64]);
        bytes.extend("EncryptedPackage".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(sniff(&bytes, &loc(), &Limits::default()), Ok(Sniffed::Xls));
    }
}
