//! Stage 3: find input files and read the sheets the contract needs.
//!
//! Reading is defensive: a file's real format is sniffed from its bytes, zip
//! containers are measured before they are parsed, and sheet extents are
//! checked while cells stream in, so a hostile or broken file becomes an
//! [`Issue`] for that file instead of a crash of the whole run. Only the cells
//! of the contract's sheets are kept.

mod discover;
mod ods_scan;
mod received;
mod sniff;
mod xls_scan;

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use calamine::{Data, DataRef, Dimensions, Range, Reader, Xls, Xlsx, XlsxFormulaMetadata};
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};

pub use discover::{Found, FoundKind, discover};
pub use received::{RECEIVED_LOG, ReceivedLog};
pub use sniff::Sniffed;

use crate::contract::READ_SHEETS;
use crate::issue::{Code, Issue, Location, a1};
use crate::model::{CellValue, FileFormat, FileMeta, RawCell, RawSheet, RawWorkbook};
use crate::text::fold_key;

/// Resource limits applied before and while reading a file.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Largest total uncompressed size of a zip container's entries.
    pub max_uncompressed_bytes: u64,
    /// Largest ratio of uncompressed to compressed size for one entry.
    pub max_compression_ratio: u64,
    /// Most entries in a zip container.
    pub max_zip_entries: usize,
    /// Most rows (highest row index + 1) in a sheet that is read.
    pub max_rows: u32,
    /// Most columns in a sheet that is read.
    pub max_cols: u32,
    /// Most text (UTF-8 bytes of cell text and formulas) held from one file.
    /// A short string referenced by many cells is counted once per cell, which
    /// is what it costs once read.
    pub max_text_bytes: u64,
    /// Most cells the .xls and .ods readers may lay out as grids for one file.
    /// Those readers build every sheet of the file, read or not, as a full
    /// rectangle (about 32 bytes a cell), so the sheets' extents are measured
    /// before the reader is called.
    pub max_grid_cells: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 20 * 1024 * 1024,
            max_uncompressed_bytes: 200 * 1024 * 1024,
            max_compression_ratio: 250,
            max_zip_entries: 5_000,
            max_rows: 20_000,
            max_cols: 200,
            max_text_bytes: 5 * 1024 * 1024,
            max_grid_cells: 4_000_000,
        }
    }
}

/// A file that was read, or the issue that stopped it.
pub struct Ingested {
    pub meta: FileMeta,
    pub result: Result<RawWorkbook, Issue>,
}

/// Reads one file: metadata, hash, format sniffing, limits, and the contract's sheets.
///
/// Never panics on file content: a panic inside a reader is caught and becomes
/// an `F010` issue for this file.
///
/// `received` is the time from a received-times log, when there is one; the
/// modification time is used otherwise.
pub fn read_file(path: &Path, display: &str, limits: &Limits, tz: Tz, received: Option<DateTime<Tz>>) -> Ingested {
    let location = Location::file(display);
    let mut meta = FileMeta { path: display.to_string(), size: 0, sha256: String::new(), received: None };
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return Ingested { meta, result: Err(io_issue(&location, &e)) };
        }
    };
    meta.size = metadata.len();
    meta.received =
        received.or_else(|| metadata.modified().ok().map(|t| DateTime::<chrono::Utc>::from(t).with_timezone(&tz)));
    if meta.size > limits.max_file_bytes {
        let issue = Issue::new(Code::FileTooLarge, location)
            .message(
                format!("Tệp có dung lượng {} byte, vượt giới hạn {} byte.", meta.size, limits.max_file_bytes),
                format!("The file is {} bytes, over the {} byte limit.", meta.size, limits.max_file_bytes),
            )
            .hint(
                "Báo cáo tuần chỉ cần vài chục KB: xóa hình ảnh, trang tính thừa rồi lưu lại.",
                "A weekly report needs a few dozen KB: remove pictures and extra sheets, then save again.",
            );
        return Ingested { meta, result: Err(issue) };
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Ingested { meta, result: Err(io_issue(&location, &e)) },
    };
    meta.sha256 = hex(&Sha256::digest(&bytes));
    let result = catch_unwind(AssertUnwindSafe(|| read_bytes(&bytes, &location, limits))).unwrap_or_else(|_| {
        Err(Issue::new(Code::ReaderCrashed, location.clone())
            .message(
                "Trình đọc bảng tính gặp sự cố khi đọc tệp này; tệp có thể bị hỏng.",
                "The spreadsheet reader failed on this file; it may be corrupt.",
            )
            .hint(
                "Mở tệp bằng Excel hoặc LibreOffice, lưu lại dạng .xlsx rồi nộp lại.",
                "Open the file in Excel or LibreOffice, save it again as .xlsx and resubmit.",
            ))
    });
    Ingested { meta, result }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn io_issue(location: &Location, e: &std::io::Error) -> Issue {
    let (vi, en) = if e.kind() == std::io::ErrorKind::PermissionDenied {
        ("Không có quyền đọc tệp.", "Permission denied.")
    } else {
        ("Không đọc được tệp.", "The file cannot be read.")
    };
    Issue::new(Code::Unreadable, location.clone()).message(format!("{vi} ({e})"), format!("{en} ({e})")).hint(
        "Kiểm tra quyền truy cập thư mục dùng chung, hoặc chép lại tệp.",
        "Check the shared folder's permissions, or copy the file again.",
    )
}

/// Reads workbook bytes (of any supported format) into the contract's sheets.
pub fn read_bytes(bytes: &[u8], location: &Location, limits: &Limits) -> Result<RawWorkbook, Issue> {
    match sniff::sniff(bytes, location, limits)? {
        Sniffed::Xlsx => read_xlsx(bytes, location, limits),
        Sniffed::Xls => read_xls(bytes, location, limits),
        Sniffed::Ods => read_ods(bytes, location, limits),
    }
}

fn read_failed(location: &Location, err: impl std::fmt::Display) -> Issue {
    Issue::new(Code::ReadFailed, location.clone())
        .message(
            format!("Không đọc được nội dung bảng tính: {err}."),
            format!("The workbook content cannot be read: {err}."),
        )
        .hint(
            "Mở tệp bằng Excel hoặc LibreOffice, lưu lại dạng .xlsx rồi nộp lại.",
            "Open the file in Excel or LibreOffice, save it again as .xlsx and resubmit.",
        )
}

fn encrypted(location: &Location) -> Issue {
    Issue::new(Code::Encrypted, location.clone())
        .message(
            "Bảng tính được đặt mật khẩu mở tệp nên không đọc được.",
            "The workbook is protected by a password to open, so it cannot be read.",
        )
        .hint(
            "Gỡ mật khẩu mở tệp (File › Thông tin › Bảo vệ sổ làm việc) rồi nộp lại. Khóa trang tính thì không sao.",
            "Remove the password to open (File › Info › Protect Workbook) and resubmit. Sheet protection is fine.",
        )
}

fn empty_workbook(location: &Location) -> Issue {
    Issue::new(Code::EmptyWorkbook, location.clone())
        .message("Bảng tính không có trang tính nào.", "The workbook has no sheets.")
        .hint("Dùng biểu mẫu báo cáo tuần mới nhất.", "Use the latest weekly form.")
}

/// The contract sheets present in the file: (index into READ_SHEETS, title as written).
fn wanted_sheets(names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter(|name| {
            let key = fold_key(name);
            READ_SHEETS.iter().any(|(vi, en)| fold_key(vi) == key || fold_key(en) == key)
        })
        .cloned()
        .collect()
}

fn sheet_too_large(location: &Location, sheet: &str, row: u32, col: u32, limits: &Limits) -> Issue {
    Issue::new(Code::SheetTooLarge, location.clone())
        .message(
            format!(
                "Trang tính có dữ liệu tới ô {}, vượt giới hạn {} dòng × {} cột.",
                a1(row, col),
                limits.max_rows,
                limits.max_cols
            ),
            format!(
                "The sheet has data as far as cell {}, beyond the limit of {} rows × {} columns.",
                a1(row, col),
                limits.max_rows,
                limits.max_cols
            ),
        )
        .hint(
            "Xóa các dòng, cột thừa ở cuối trang tính (chọn rồi Xóa dòng/cột), lưu lại và nộp lại.",
            "Delete the extra rows and columns at the end of the sheet, save and resubmit.",
        )
        .at(sheet, a1(row, col))
}

fn check_extent(dims: &Dimensions, sheet: &str, location: &Location, limits: &Limits) -> Result<(), Issue> {
    let (row, col) = dims.end;
    if row >= limits.max_rows || col >= limits.max_cols {
        return Err(sheet_too_large(location, sheet, row, col, limits));
    }
    Ok(())
}

fn excel_date(dt: &calamine::ExcelDateTime) -> Option<NaiveDate> {
    if dt.is_datetime() { dt.as_datetime().map(|d| d.date()) } else { None }
}

fn iso_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

fn cell_from_ref(value: DataRef<'_>) -> Option<CellValue> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::String(s) => CellValue::Text(s),
        DataRef::SharedString(s) => CellValue::Text(s.to_string()),
        DataRef::Int(i) => CellValue::Number(i as f64),
        DataRef::Float(f) => CellValue::Number(f),
        DataRef::Bool(b) => CellValue::Bool(b),
        DataRef::DateTime(dt) => match excel_date(&dt) {
            Some(d) => CellValue::Date(d),
            None => CellValue::Number(dt.as_f64()),
        },
        DataRef::DateTimeIso(s) => iso_date(&s).map(CellValue::Date).unwrap_or(CellValue::Text(s)),
        DataRef::DurationIso(s) => CellValue::Text(s),
        DataRef::Error(e) => CellValue::Error(e.to_string()),
    })
}

fn cell_from_data(value: &Data) -> Option<CellValue> {
    Some(match value {
        Data::Empty => return None,
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Float(f) => CellValue::Number(*f),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(dt) => match excel_date(dt) {
            Some(d) => CellValue::Date(d),
            None => CellValue::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) => iso_date(s).map(CellValue::Date).unwrap_or(CellValue::Text(s.clone())),
        Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
    })
}

fn finish_sheet(mut sheet: RawSheet) -> RawSheet {
    sheet.cells.sort_by_key(|c| (c.row, c.col));
    sheet.cells.dedup_by_key(|c| (c.row, c.col));
    sheet
}

fn read_xlsx(bytes: &[u8], location: &Location, limits: &Limits) -> Result<RawWorkbook, Issue> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => encrypted(location),
        other => read_failed(location, other),
    })?;
    let sheet_names = workbook.sheet_names();
    if sheet_names.is_empty() {
        return Err(empty_workbook(location));
    }
    let mut sheets = Vec::new();
    for name in wanted_sheets(&sheet_names) {
        let mut sheet = RawSheet { name: name.clone(), ..RawSheet::default() };
        {
            // Streaming keeps calamine from allocating the declared grid, which a
            // 2 KB file can make gigantic (one cell at A1 and one at XFD1048576).
            let mut reader = workbook.worksheet_cells_reader(&name).map_err(|e| read_failed(location, e))?;
            check_extent(&reader.dimensions(), &name, location, limits)?;
            while let Some(cell) = reader.next_cell().map_err(|e| read_failed(location, e))? {
                let (row, col) = cell.get_position();
                if row >= limits.max_rows || col >= limits.max_cols {
                    return Err(sheet_too_large(location, &name, row, col, limits));
                }
                if let Some(value) = cell_from_ref(cell.get_value().clone()) {
                    sheet.cells.push(RawCell { row, col, value });
                }
            }
        }
        if let Ok(merged) = workbook.merge_cells_by_sheet_name(&name) {
            sheet.merged = merged.iter().map(|d| (d.start, d.end)).collect();
        }
        sheets.push(finish_sheet(sheet));
    }
    Ok(RawWorkbook { format: FileFormat::Xlsx, sheet_names, sheets })
}

fn range_sheet(name: &str, range: &Range<Data>, location: &Location, limits: &Limits) -> Result<RawSheet, Issue> {
    let mut sheet = RawSheet { name: name.to_string(), ..RawSheet::default() };
    let Some((row0, col0)) = range.start() else {
        return Ok(sheet);
    };
    for (r, c, value) in range.used_cells() {
        let (row, col) = (row0 + r as u32, col0 + c as u32);
        if row >= limits.max_rows || col >= limits.max_cols {
            return Err(sheet_too_large(location, name, row, col, limits));
        }
        if let Some(value) = cell_from_data(value) {
            sheet.cells.push(RawCell { row, col, value });
        }
    }
    Ok(sheet)
}

fn read_xls(bytes: &[u8], location: &Location, limits: &Limits) -> Result<RawWorkbook, Issue> {
    // The xls format caps a sheet at 65,536 × 256 cells, so building its range is bounded.
    let mut workbook: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsError::Password => encrypted(location),
        other => read_failed(location, other),
    })?;
    let sheet_names = workbook.sheet_names();
    if sheet_names.is_empty() {
        return Err(empty_workbook(location));
    }
    let mut sheets = Vec::new();
    for name in wanted_sheets(&sheet_names) {
        let range = workbook.worksheet_range(&name).map_err(|e| read_failed(location, e))?;
        let mut sheet = range_sheet(&name, &range, location, limits)?;
        if let Ok(merged) = workbook.merge_cells_by_sheet_name(&name) {
            sheet.merged = merged.iter().map(|d| (d.start, d.end)).collect();
        }
        sheets.push(finish_sheet(sheet));
    }
    Ok(RawWorkbook { format: FileFormat::Xls, sheet_names, sheets })
}

fn read_ods(bytes: &[u8], location: &Location, limits: &Limits) -> Result<RawWorkbook, Issue> {
    let mut workbook: calamine::Ods<_> = calamine::Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::OdsError::Password => encrypted(location),
        other => read_failed(location, other),
    })?;
    let sheet_names = workbook.sheet_names();
    if sheet_names.is_empty() {
        return Err(empty_workbook(location));
    }
    let mut sheets = Vec::new();
    for name in wanted_sheets(&sheet_names) {
        let range = workbook.worksheet_range(&name).map_err(|e| read_failed(location, e))?;
        if let (Some(start), Some(end)) = (range.start(), range.end()) {
            check_extent(&Dimensions::new(start, end), &name, location, limits)?;
        }
        sheets.push(finish_sheet(range_sheet(&name, &range, location, limits)?));
    }
    Ok(RawWorkbook { format: FileFormat::Ods, sheet_names, sheets })
}
