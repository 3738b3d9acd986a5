//! The issues of reading a file: its size, the system refusing it, the
//! reader failing, and the limits a sheet or its text exceeds.

use crate::issue::{Code, Issue, Location, a1};
use crate::schema::Limits;

/// The issue for a file of `size` bytes, over [`Limits::max_file_bytes`].
pub fn file_too_large(location: &Location, size: u64, limits: &Limits) -> Issue {
    let max = limits.max_file_bytes;
    let (limit_vi, limit_en) = match size_label(max) {
        label if label.ends_with(" byte") => (format!("{max} byte"), format!("{max} bytes")),
        label => (format!("{label} ({max} byte)"), format!("{label} ({max} bytes)")),
    };
    Issue::new(Code::FileTooLarge, location.clone())
        .message(
            format!("Tệp có dung lượng {size} byte, vượt giới hạn {limit_vi}."),
            format!("The file is {size} bytes, over the limit of {limit_en}."),
        )
        .hint(
            "Báo cáo tuần chỉ cần vài chục KB: xóa hình ảnh, trang tính thừa rồi lưu lại.",
            "A weekly report needs a few dozen KB: remove pictures and extra sheets, then save again.",
        )
}

/// A size limit as people read it: whole MB or KB when it is one, bytes otherwise.
///
/// ```
/// use tonghop::ingest::size_label;
/// assert_eq!(size_label(5 * 1024 * 1024), "5 MB");
/// assert_eq!(size_label(512 * 1024), "512 KB");
/// assert_eq!(size_label(1000), "1000 byte");
/// ```
pub fn size_label(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= KB && bytes.is_multiple_of(KB) {
        format!("{} KB", bytes / KB)
    } else {
        format!("{bytes} byte")
    }
}

pub(super) fn io_issue(location: &Location, e: &std::io::Error) -> Issue {
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

pub(super) fn reader_crashed(location: &Location) -> Issue {
    Issue::new(Code::ReaderCrashed, location.clone())
        .message(
            "Trình đọc bảng tính gặp sự cố khi đọc tệp này; tệp có thể bị hỏng.",
            "The spreadsheet reader failed on this file; it may be corrupt.",
        )
        .hint(
            "Mở tệp bằng Excel hoặc LibreOffice, lưu lại dạng .xlsx rồi nộp lại.",
            "Open the file in Excel or LibreOffice, save it again as .xlsx and resubmit.",
        )
}

pub(super) fn read_failed(location: &Location, err: impl std::fmt::Display) -> Issue {
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

pub(super) fn encrypted(location: &Location) -> Issue {
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

pub(super) fn empty_workbook(location: &Location) -> Issue {
    Issue::new(Code::EmptyWorkbook, location.clone())
        .message("Bảng tính không có trang tính nào.", "The workbook has no sheets.")
        .hint("Dùng biểu mẫu báo cáo tuần mới nhất.", "Use the latest weekly form.")
}

pub(super) fn sheet_too_large(location: &Location, sheet: &str, row: u32, col: u32, limits: &Limits) -> Issue {
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

/// The file holds more text than [`Limits::max_text_bytes`]; `sheet`/`row`/`col`
/// is where the limit was crossed.
pub(super) fn text_too_large(location: &Location, sheet: &str, row: u32, col: u32, limits: &Limits) -> Issue {
    let size = size_label(limits.max_text_bytes);
    Issue::new(Code::SheetTooLarge, location.clone())
        .message(
            format!(
                "Tệp chứa quá nhiều chữ (vượt {size} văn bản, tính đến ô {}); tệp không được đọc để bảo vệ hệ thống.",
                a1(row, col)
            ),
            format!(
                "The file holds too much text (over {size}, counting up to cell {}); it was not read, to protect the system.",
                a1(row, col)
            ),
        )
        .hint(
            "Báo cáo tuần chỉ cần số liệu và vài đoạn văn ngắn: xóa nội dung dán thừa, lưu lại và nộp lại.",
            "A weekly report needs figures and a few short paragraphs: delete pasted bulk text, save and resubmit.",
        )
        .at(sheet, a1(row, col))
}

/// A sheet the .xls/.ods reader would lay out as a grid larger than
/// [`Limits::max_grid_cells`] (with the other sheets before it).
pub(super) fn grid_too_large(
    location: &Location,
    sheet: &str,
    row: u32,
    col: u32,
    cells: u64,
    limits: &Limits,
) -> Issue {
    Issue::new(Code::SheetTooLarge, location.clone())
        .message(
            format!(
                "Trang tính «{sheet}» trải tới ô {} ({cells} ô); cả tệp vượt giới hạn {} ô, tệp không được đọc để bảo vệ hệ thống.",
                a1(row, col),
                limits.max_grid_cells
            ),
            format!(
                "Sheet \"{sheet}\" spans as far as cell {} ({cells} cells); the file exceeds the limit of {} cells and was not read, to protect the system.",
                a1(row, col),
                limits.max_grid_cells
            ),
        )
        .hint(
            "Xóa các dòng, cột thừa (kể cả ở các trang tính khác), hoặc chép số liệu sang biểu mẫu .xlsx mới rồi nộp lại.",
            "Delete the extra rows and columns (on every sheet), or copy the figures into a new .xlsx form and resubmit.",
        )
        .at(sheet, a1(row, col))
}
