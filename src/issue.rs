//! Issues found in input files: stable codes, severities, locations and bilingual messages.
//!
//! Every problem `tonghop` reports about a reporter's file is an [`Issue`] with a
//! [`Code`] from the catalogue below. Codes are part of the product contract:
//! reporters and other programs rely on them, so a code is never reused for
//! another meaning. `docs/error-codes.md` lists them (a test keeps it in step).

use serde::Serialize;

/// How serious an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file is rejected.
    Error,
    /// The file is accepted; the reporter should look at it.
    Warning,
    /// Information only (for example, why a file was ignored).
    Info,
}

impl Severity {
    pub fn label_vi(self) -> &'static str {
        match self {
            Severity::Error => "Lỗi",
            Severity::Warning => "Cảnh báo",
            Severity::Info => "Thông tin",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

macro_rules! codes {
    ($( $variant:ident = $code:literal, $sev:ident, $vi:literal, $en:literal; )*) => {
        /// The catalogue of issue codes.
        ///
        /// ```
        /// use tonghop::issue::Code;
        /// assert_eq!(Code::UnknownUnit.as_str(), "M002");
        /// assert_eq!(Code::from_code("M002"), Some(Code::UnknownUnit));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable code string, e.g. `V003`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }
            /// The severity an issue with this code has unless a rule says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev, )* }
            }
            /// Short Vietnamese title of the code (the catalogue entry).
            pub fn title_vi(self) -> &'static str {
                match self { $( Code::$variant => $vi, )* }
            }
            /// Short English title of the code.
            pub fn title_en(self) -> &'static str {
                match self { $( Code::$variant => $en, )* }
            }
            /// Looks a code up by its string.
            pub fn from_code(s: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.as_str() == s)
            }
        }
    };
}

codes! {
    // F: the file itself
    Unreadable = "F001", Error, "Không đọc được tệp", "File cannot be read";
    NotAWorkbook = "F002", Error, "Tệp không phải bảng tính Excel/ODS", "File is not a spreadsheet";
    TextDisguised = "F003", Error, "Tệp văn bản (CSV/HTML) đặt đuôi bảng tính", "Text file (CSV/HTML) with a spreadsheet extension";
    Encrypted = "F004", Error, "Bảng tính có mật khẩu mở tệp", "Workbook is password-protected";
    CorruptArchive = "F005", Error, "Tệp bị hỏng hoặc không đầy đủ", "File is corrupt or truncated";
    FileTooLarge = "F006", Error, "Tệp quá lớn", "File too large";
    ZipBomb = "F007", Error, "Nội dung nén bất thường (quá lớn khi giải nén)", "Abnormal compressed content (too large when unpacked)";
    SheetTooLarge = "F008", Error, "Trang tính quá lớn", "Sheet too large";
    ReadFailed = "F009", Error, "Lỗi khi đọc nội dung bảng tính", "Error while reading the workbook";
    ReaderCrashed = "F010", Error, "Trình đọc gặp sự cố với tệp này", "The reader failed on this file";
    EmptyWorkbook = "F011", Error, "Bảng tính không có trang nào", "Workbook has no sheets";
    ArchiveMismatch = "F012", Error, "Bản lưu trong kho bị thiếu hoặc không khớp mã băm", "Archived copy missing or not matching its hash";
    // S: structure of the workbook
    MissingSheet = "S001", Error, "Thiếu trang tính bắt buộc", "Required sheet missing";
    HeaderNotFound = "S002", Error, "Không tìm thấy dòng tiêu đề", "Header row not found";
    UnknownCriterion = "S003", Error, "Mã chỉ tiêu không có trong bộ tiêu chí", "Unknown criterion code";
    DuplicateCriterion = "S004", Error, "Mã chỉ tiêu bị lặp", "Duplicate criterion code";
    MissingCriterionRow = "S005", Error, "Thiếu dòng chỉ tiêu", "Criterion row missing";
    MissingInfoLabel = "S006", Error, "Thiếu mục thông tin chung", "General-information entry missing";
    MergedCells = "S007", Warning, "Ô gộp trong vùng dữ liệu", "Merged cells in the data area";
    NotApplicableCriterion = "S008", Warning, "Chỉ tiêu không thuộc loại đơn vị này", "Criterion not reported by this unit type";
    DuplicateSheet = "S009", Error, "Hai trang tính cùng là một trang của biểu mẫu", "Two sheets are the same sheet of the form";
    // M: metadata on the general-information sheet
    MissingUnit = "M001", Error, "Chưa ghi mã đơn vị", "Unit code missing";
    UnknownUnit = "M002", Error, "Không nhận ra đơn vị", "Unknown unit";
    WrongFormType = "M003", Error, "Biểu mẫu không đúng loại đơn vị", "Form for another unit type";
    BadPeriodDate = "M004", Error, "Ngày của kỳ báo cáo không hợp lệ", "Invalid reporting period date";
    PeriodNotConfigured = "M005", Error, "Kỳ báo cáo không phải tuần báo cáo đã quy định", "Period is not a configured reporting week";
    PeriodInFuture = "M006", Error, "Kỳ báo cáo chưa kết thúc", "Reporting period has not ended";
    MissingFormVersion = "M007", Error, "Thiếu phiên bản biểu mẫu", "Form version missing";
    UnknownFormVersion = "M008", Error, "Phiên bản biểu mẫu không còn được chấp nhận", "Form version not accepted";
    FormerUnitName = "M009", Warning, "Tên đơn vị hành chính cũ", "Former unit name";
    MissingContact = "M010", Warning, "Thiếu thông tin người lập, lãnh đạo phê duyệt", "Contact details missing";
    UnitMismatch = "M011", Error, "Mã đơn vị và tên đơn vị không khớp", "Unit code and name disagree";
    WeekFolderMismatch = "M012", Warning, "Kỳ báo cáo khác tuần của thư mục chứa tệp", "Period is not the week of the folder holding the file";
    UnitFolderMismatch = "M013", Error, "Báo cáo của đơn vị khác trong thư mục của đơn vị", "Another unit's report in a unit's folder";
    CheckedWithoutUnit = "M014", Info, "Kiểm tra khi chưa xác định được đơn vị", "Checked without knowing the unit";
    SupersedesOtherWeek = "M015", Warning, "Thay thế báo cáo đã tiếp nhận của tuần khác tuần của thư mục", "Replaces an accepted report of another week than its folder's";
    // V: values
    RequiredMissing = "V001", Error, "Chưa nhập số liệu bắt buộc", "Required value missing";
    NotANumber = "V002", Error, "Không phải là số", "Not a number";
    AmbiguousNumber = "V003", Error, "Số viết có thể hiểu hai cách", "Ambiguous number";
    NotWhole = "V004", Error, "Phải là số nguyên", "Must be a whole number";
    BelowMinimum = "V005", Error, "Nhỏ hơn giá trị cho phép", "Below the allowed minimum";
    AboveMaximum = "V006", Error, "Lớn hơn giá trị cho phép", "Above the allowed maximum";
    NotYesNo = "V007", Error, "Phải là Có hoặc Không", "Must be yes or no";
    NotADate = "V008", Error, "Không phải là ngày", "Not a date";
    ErrorCell = "V009", Error, "Ô chứa lỗi công thức", "Cell holds a formula error";
    LegacyEncoding = "V010", Warning, "Văn bản gõ bằng bảng mã cũ (TCVN3/VNI) đã được chuyển sang Unicode", "Legacy-encoded text (TCVN3/VNI) converted to Unicode";
    ControlCharacters = "V011", Warning, "Văn bản có ký tự điều khiển hoặc ký tự ẩn đã bị loại bỏ", "Control or invisible characters removed from text";
    TextTooLong = "V012", Error, "Văn bản quá dài", "Text too long";
    UncalculatedFormula = "V013", Error, "Công thức chưa được tính giá trị", "Formula without a computed value";
    ImplausibleDate = "V014", Error, "Ngày nằm ngoài khoảng hợp lý", "Date outside the plausible range";
    // X: cross-field rules
    RuleViolated = "X001", Error, "Số liệu không khớp nhau", "Cross-field rule violated";
    // T: tasks
    TaskUnknownCode = "T001", Error, "Mã nhiệm vụ không có trong danh mục", "Unknown task code";
    TaskBadStatus = "T002", Error, "Trạng thái nhiệm vụ không hợp lệ", "Invalid task status";
    TaskMissingStatus = "T003", Error, "Chưa ghi trạng thái nhiệm vụ", "Task status missing";
    TaskCompletionInFuture = "T004", Error, "Ngày hoàn thành ở tương lai", "Completion date in the future";
    TaskCompletionMissing = "T005", Warning, "Nhiệm vụ đã hoàn thành nhưng chưa ghi ngày", "Completed task without a date";
    TaskBadDeadline = "T006", Error, "Thời hạn nhiệm vụ không hợp lệ", "Invalid task deadline";
    TaskMissingTitle = "T007", Error, "Nhiệm vụ tự bổ sung chưa có tên", "Own task without a title";
    TaskDuplicate = "T008", Error, "Nhiệm vụ bị lặp", "Duplicate task";
    TaskNotAssigned = "T009", Warning, "Nhiệm vụ không giao cho đơn vị này", "Task not assigned to this unit";
    TaskCompletionBeforeStart = "T010", Warning, "Ngày hoàn thành nhưng trạng thái chưa hoàn thành", "Completion date on an unfinished task";
    // N: narrative
    NarrativeBadKind = "N001", Error, "Loại nội dung không hợp lệ", "Invalid narrative kind";
    NarrativeBadField = "N002", Error, "Lĩnh vực không hợp lệ", "Invalid field";
    NarrativeMissingText = "N003", Error, "Thiếu nội dung", "Narrative text missing";
    ProposalNoAddressee = "N004", Warning, "Kiến nghị chưa ghi cơ quan xử lý", "Proposal without an addressee";
    // I: files that are not read
    LockFile = "I001", Info, "Tệp khóa của Office", "Office lock file";
    HiddenFile = "I002", Info, "Tệp ẩn", "Hidden file";
    TemporaryFile = "I003", Info, "Tệp tạm", "Temporary file";
    UnsupportedType = "I004", Info, "Loại tệp không được hỗ trợ", "Unsupported file type";
    NotRegularFile = "I005", Info, "Không phải tệp thông thường", "Not a regular file";
    Superseded = "I006", Info, "Đã có báo cáo nộp sau thay thế", "Replaced by a later submission";
    ReceivedLogFile = "I007", Info, "Sổ ghi thời điểm nhận tệp", "Received-times log";
    ReceivedLogLine = "I008", Warning, "Dòng không dùng được trong sổ ghi thời điểm nhận tệp", "Received-times log line not used";
    UnitLayoutFolder = "I009", Info, "Thư mục biểu mẫu hoặc phiếu tiếp nhận của đơn vị", "A unit's forms or receipts folder";
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let text = String::deserialize(d)?;
        Code::from_code(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown issue code {text}")))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an issue is: the file, and the sheet and cell when it concerns one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Location {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// A1-style reference, e.g. `E12`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
}

impl Location {
    /// A location for the whole file.
    pub fn file(file: impl Into<String>) -> Location {
        Location { file: file.into(), sheet: None, cell: None }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, " › {sheet}")?;
        }
        if let Some(cell) = &self.cell {
            write!(f, " › {cell}")?;
        }
        Ok(())
    }
}

/// One problem in one place, explained in Vietnamese and English, with a fix.
///
/// ```
/// use tonghop::issue::{Code, Issue, Location};
/// let issue = Issue::new(Code::NotANumber, Location::file("bnv.xlsx"))
///     .message("“abc” không phải là số.", "“abc” is not a number.")
///     .hint("Nhập số, ví dụ 94.402.", "Type a number, for example 94402.");
/// assert_eq!(issue.code.as_str(), "V002");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Issue {
    pub code: Code,
    pub severity: Severity,
    pub location: Location,
    pub message_vi: String,
    pub message_en: String,
    pub hint_vi: String,
    pub hint_en: String,
}

impl Issue {
    /// A new issue with the code's default severity and title as message.
    pub fn new(code: Code, location: Location) -> Issue {
        Issue {
            code,
            severity: code.default_severity(),
            location,
            message_vi: code.title_vi().to_string(),
            message_en: code.title_en().to_string(),
            hint_vi: String::new(),
            hint_en: String::new(),
        }
    }

    /// Sets the messages (Vietnamese first).
    pub fn message(mut self, vi: impl Into<String>, en: impl Into<String>) -> Issue {
        self.message_vi = vi.into();
        self.message_en = en.into();
        self
    }

    /// Sets the hints: what to do about it.
    pub fn hint(mut self, vi: impl Into<String>, en: impl Into<String>) -> Issue {
        self.hint_vi = vi.into();
        self.hint_en = en.into();
        self
    }

    /// Overrides the severity (cross-field rules carry their own).
    pub fn severity(mut self, severity: Severity) -> Issue {
        self.severity = severity;
        self
    }

    /// Points the issue at a sheet and cell of its file.
    pub fn at(mut self, sheet: &str, cell: impl Into<String>) -> Issue {
        self.location.sheet = Some(sheet.to_string());
        self.location.cell = Some(cell.into());
        self
    }

    /// Points the issue at a sheet as a whole.
    pub fn in_sheet(mut self, sheet: &str) -> Issue {
        self.location.sheet = Some(sheet.to_string());
        self
    }
}

/// A1 reference of a 0-based (row, column) position.
///
/// ```
/// assert_eq!(tonghop::issue::a1(0, 0), "A1");
/// assert_eq!(tonghop::issue::a1(11, 4), "E12");
/// assert_eq!(tonghop::issue::a1(1_048_575, 16_383), "XFD1048576");
/// ```
pub fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert_eq!(s.len(), 4);
            assert!(s[1..].chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn a1_handles_letter_rollover() {
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(0, 701), "ZZ1");
        assert_eq!(a1(0, 702), "AAA1");
    }
}
