//! Stage 4: checking a read workbook against the schema, registry and calendar.
//!
//! Validation never stops at the first problem: it collects every issue it can
//! locate, so that a reporter fixes the file in one pass. A file with any error
//! is rejected; warnings leave it accepted. Data are found by header text and
//! code, never by fixed cell address (docs/product.md §6).

mod criteria;
mod info;
mod narrative;
mod reporter;
mod tasks;

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::contract::READ_SHEETS;
use crate::ingest;
use crate::issue::{Code, Issue, Location, Severity, a1};
use crate::model::{
    CellRef, CellValue, FileMeta, FileReport, FileStatus, RawSheet, RawWorkbook, ReportedValue, Submission,
};
use crate::schema::{Config, Unit};
use crate::text::{self, fold_key};
use reporter::Reporter;

/// Longest text accepted in one cell.
pub const MAX_TEXT_CHARS: usize = 5_000;

/// Validates a workbook read from a file and gives the verdict.
///
/// ```no_run
/// use tonghop::{ingest, schema::Config, validate};
/// let config = Config::load(std::path::Path::new("report_templates")).unwrap();
/// let read = ingest::read_file("inputs/x.xlsx".as_ref(), "x.xlsx", &config.limits, config.calendar.timezone, None);
/// if let Ok(workbook) = read.result {
///     let report = validate::validate(&config, read.meta, &workbook);
///     println!("{:?}", report.status);
/// }
/// ```
///
/// Never panics: a bug met while checking one file rejects that file (code
/// `F010`) instead of stopping the run, and prints nothing on stderr.
pub fn validate(config: &Config, meta: FileMeta, workbook: &RawWorkbook) -> FileReport {
    let guarded = ingest::catch_quietly(|| validate_unguarded(config, meta.clone(), workbook));
    guarded.unwrap_or_else(|_| {
        let issue = Issue::new(Code::ReaderCrashed, Location::file(&meta.path))
            .message(
                "Chương trình gặp sự cố khi kiểm tra tệp này; tệp chưa được tiếp nhận.",
                "The checker failed on this file; it was not accepted.",
            )
            .hint(
                "Mở tệp bằng Excel hoặc LibreOffice, lưu lại dạng .xlsx rồi nộp lại; nếu vẫn lỗi, báo cho Bộ Nội vụ.",
                "Open the file in Excel or LibreOffice, save it again as .xlsx and resubmit; if it fails again, tell the Ministry.",
            );
        unreadable(meta, issue)
    })
}

fn validate_unguarded(config: &Config, meta: FileMeta, workbook: &RawWorkbook) -> FileReport {
    let received_day = meta.received.map(|t| t.date_naive());
    let mut v = Validator::new(config, &meta.path, received_day);
    let Checked { unit, week, submission, values } = v.run(workbook, received_day);
    let status = FileStatus::from_issues(&v.issues);
    // A rejected file's values are shown on its receipt, never aggregated.
    let (submission, read_values) = match submission {
        Some(s) if status == FileStatus::Rejected => (None, s.values),
        Some(s) => (Some(s), Vec::new()),
        None => (None, values),
    };
    FileReport {
        file: meta,
        format: Some(workbook.format),
        status,
        issues: v.issues,
        submission,
        read_values,
        unit,
        week,
        supersedes: None,
    }
}

/// The unit and reporting week a workbook declares on its general-information
/// sheet, when both are valid; the rest of the workbook is not looked at.
///
/// This is how a build tells, from one sheet, whether a file belongs to the
/// weeks it needs. The answer is the one [`validate`] would give for the same
/// file: both read the sheet with the same checks.
///
/// ```
/// use tonghop::{ingest, issue::Location, schema::Config, validate};
/// let config = Config::load(std::path::Path::new("report_templates")).unwrap();
/// let bytes = std::fs::read("inputs/2025-W37/01-ha-noi.xlsx").unwrap();
/// let limits = ingest::Limits::default();
/// let info = ingest::read_bytes_staged(&bytes, &Location::file("f"), &limits, Some(&mut |_| false)).unwrap();
/// let meta = tonghop::model::FileMeta { path: "f".into(), size: 0, sha256: String::new(), received: None };
/// let (unit, week) = validate::identify(&config, &meta, &info).unwrap();
/// assert_eq!((unit.as_str(), week.label().as_str()), ("01", "2025-W37"));
/// ```
pub fn identify(
    config: &Config,
    meta: &FileMeta,
    workbook: &RawWorkbook,
) -> Option<(String, crate::model::ReportWeek)> {
    let [info_title, ..] = READ_SHEETS;
    let keys = [fold_key(info_title.0), fold_key(info_title.1)];
    let sheet = workbook.sheets.iter().find(|s| keys.contains(&fold_key(&s.name)))?;
    ingest::catch_quietly(|| {
        let received_day = meta.received.map(|t| t.date_naive());
        let mut v = Validator::new(config, &meta.path, received_day);
        let info = v.check_info(&SheetRef { sheet }, received_day);
        Some((info.unit?.code.clone(), info.week?))
    })
    .ok()
    .flatten()
}

/// A report for a file that could not be read at all.
pub fn unreadable(meta: FileMeta, issue: Issue) -> FileReport {
    FileReport {
        file: meta,
        format: None,
        status: FileStatus::Rejected,
        issues: vec![issue],
        submission: None,
        read_values: Vec::new(),
        unit: None,
        week: None,
        supersedes: None,
    }
}

struct Checked {
    unit: Option<String>,
    week: Option<crate::model::ReportWeek>,
    submission: Option<Submission>,
    /// The values read, when they could not make a submission.
    values: Vec<ReportedValue>,
}

/// One pass over one file, collecting issues.
pub(crate) struct Validator<'a> {
    pub config: &'a Config,
    pub file: String,
    pub issues: Vec<Issue>,
    /// (sheet, cell) of the cells that could not be read at all.
    unreadable: HashSet<(String, String)>,
    /// The day the file was received, which bounds the dates it can mean.
    received_day: Option<NaiveDate>,
}

/// A sheet located by its contract title.
pub(crate) struct SheetRef<'w> {
    pub sheet: &'w RawSheet,
}

impl SheetRef<'_> {
    pub fn name(&self) -> &str {
        &self.sheet.name
    }
}

impl<'a> Validator<'a> {
    fn new(config: &'a Config, file: &str, received_day: Option<NaiveDate>) -> Validator<'a> {
        Validator { config, file: file.to_string(), issues: Vec::new(), unreadable: HashSet::new(), received_day }
    }

    /// Records an issue. A cell that could not be read at all (an error cell, a
    /// formula without its value, a text over the length limit) gets that one issue: what follows from it
    /// being empty ("no content", "no status") would only repeat it.
    pub fn issue(&mut self, issue: Issue) {
        if let (Some(sheet), Some(cell)) = (&issue.location.sheet, &issue.location.cell) {
            let key = (sheet.clone(), cell.clone());
            if issue.severity == Severity::Error && self.unreadable.contains(&key) {
                return;
            }
            if matches!(issue.code, Code::ErrorCell | Code::UncalculatedFormula | Code::TextTooLong) {
                self.unreadable.insert(key);
            }
            // A cell read twice (parsed, then quoted in a message) is cleaned twice.
            if issue.code == Code::ControlCharacters && self.issues.iter().any(|i| same_place(i, &issue)) {
                return;
            }
        }
        self.issues.push(issue);
    }

    pub fn at(&self, code: Code, sheet: &str, row: u32, col: u32) -> Issue {
        Issue::new(code, Location::file(&self.file)).at(sheet, a1(row, col))
    }

    pub fn cell_ref(sheet: &str, row: u32, col: u32) -> CellRef {
        CellRef { sheet: sheet.to_string(), cell: a1(row, col) }
    }

    /// `S009` for each sheet whose title matches a contract sheet that another,
    /// read, sheet already is (a hidden `CHI TIEU` beside `Chỉ tiêu`).
    fn check_duplicate_sheets(&mut self, workbook: &RawWorkbook, read: &[Option<SheetRef<'_>>]) {
        for (found, title) in read.iter().zip(READ_SHEETS) {
            let Some(found) = found else { continue };
            let keys = [fold_key(title.0), fold_key(title.1)];
            let others = workbook.sheet_names.iter().filter(|n| **n != found.sheet.name && keys.contains(&fold_key(n)));
            for other in others {
                let read = &found.sheet.name;
                let issue = Issue::new(Code::DuplicateSheet, Location::file(&self.file))
                    .message(
                        format!("Trang «{other}» và trang «{read}» cùng là trang «{}» của biểu mẫu; đã đọc trang «{read}».", title.0),
                        format!("Sheets \"{other}\" and \"{read}\" are both the form's \"{}\" sheet; \"{read}\" was read.", title.1),
                    )
                    .hint(
                        format!("Xóa trang «{other}» (nếu bị ẩn: bấm chuột phải vào tên trang, chọn Unhide) rồi gửi lại."),
                        format!("Delete the sheet \"{other}\" (if hidden: right-click a sheet tab, Unhide) and send the file again."),
                    )
                    .in_sheet(other);
                self.issue(issue);
            }
        }
    }

    fn run(&mut self, workbook: &RawWorkbook, received_day: Option<NaiveDate>) -> Checked {
        let find = |title: (&str, &str)| {
            let keys = [fold_key(title.0), fold_key(title.1)];
            workbook.sheets.iter().find(|s| keys.contains(&fold_key(&s.name))).map(|sheet| SheetRef { sheet })
        };
        let [info_title, criteria_title, tasks_title, narrative_title] = READ_SHEETS;
        let sheets = [find(info_title), find(criteria_title), find(tasks_title), find(narrative_title)];
        for (found, (title, _)) in sheets.iter().zip(READ_SHEETS) {
            if found.is_none() {
                let present = text::strip_control_chars(&workbook.sheet_names.join("», «"));
                let issue = Issue::new(Code::MissingSheet, Location::file(&self.file))
                    .message(
                        format!("Không tìm thấy trang tính «{title}». Các trang có trong tệp: «{present}»."),
                        format!("Sheet \"{title}\" not found. Sheets in the file: \"{present}\"."),
                    )
                    .hint(
                        format!("Dùng biểu mẫu gốc; không xóa hoặc đổi tên trang «{title}»."),
                        format!("Use the original form; do not delete or rename the sheet \"{title}\"."),
                    )
                    .in_sheet(title);
                self.issue(issue);
            }
        }
        self.check_duplicate_sheets(workbook, &sheets);
        let [info_sheet, criteria_sheet, tasks_sheet, narrative_sheet] = sheets;
        let info = info_sheet.as_ref().map(|s| self.check_info(s, received_day));
        let unit: Option<&'a Unit> = info.as_ref().and_then(|i| i.unit);
        let week = info.as_ref().and_then(|i| i.week);
        // An unknown unit stops nothing: the other sheets are checked for the
        // form's unit type, so that every fault is told in one round.
        let reporter = match unit {
            Some(unit) => Reporter::of_unit(unit),
            None if criteria_sheet.is_some() || tasks_sheet.is_some() => self.reporter_without_unit(
                info.as_ref().and_then(|i| i.declared_type.as_ref()),
                info_sheet.as_ref().map(|s| s.name()),
                criteria_sheet.as_ref(),
            ),
            None => Reporter { unit: None, unit_type: None },
        };
        let values = match &criteria_sheet {
            Some(sheet) => self.check_criteria(sheet, reporter),
            None => Vec::new(),
        };
        let tasks = match &tasks_sheet {
            Some(sheet) => self.check_tasks(sheet, reporter, received_day),
            None => Vec::new(),
        };
        let narrative = match &narrative_sheet {
            Some(sheet) => self.check_narrative(sheet),
            None => Vec::new(),
        };
        let Some(info) = info else {
            return Checked { unit: None, week: None, submission: None, values };
        };
        let (Some(unit), Some(week), Some(form_version)) = (unit, week, info.version) else {
            return Checked { unit: unit.map(|u| u.code.clone()), week, submission: None, values };
        };
        let submission = Submission {
            unit: unit.code.clone(),
            week,
            form_version,
            contacts: info.contacts,
            values,
            tasks,
            narrative,
        };
        Checked { unit: Some(unit.code.clone()), week: Some(week), submission: Some(submission), values: Vec::new() }
    }

    /// Reads a text cell the way every text is read: legacy encodings converted
    /// (with a warning), control characters removed (with a warning), NFC, length checked.
    pub fn text(&mut self, sheet: &str, row: u32, col: u32, value: Option<&CellValue>) -> Option<String> {
        let raw = match value? {
            CellValue::Text(t) => t.clone(),
            CellValue::Number(n) => plain_number(*n),
            CellValue::Date(d) => d.format("%d/%m/%Y").to_string(),
            CellValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            CellValue::Error(e) => {
                let issue = self.error_cell(sheet, row, col, e, None);
                self.issue(issue);
                return None;
            }
        };
        let mut text = self.visible_text(sheet, row, col, &raw);
        if let Some(encoding) = text::detect_legacy(&text) {
            let converted = text::convert_legacy(&text, encoding);
            let name = match encoding {
                text::LegacyEncoding::Tcvn3 => "TCVN3 (.VnTime)",
                text::LegacyEncoding::Vni => "VNI",
            };
            let issue = self
                .at(Code::LegacyEncoding, sheet, row, col)
                .message(
                    format!("Văn bản gõ bằng bảng mã {name}; đã chuyển sang Unicode: «{}».", preview(&converted)),
                    format!("Text typed in the {name} encoding; converted to Unicode: \"{}\".", preview(&converted)),
                )
                .hint(
                    "Kiểm tra lại nội dung đã chuyển; lần sau gõ bằng bảng mã Unicode (phông Times New Roman).",
                    "Check the converted text; next time type in Unicode (Times New Roman font).",
                );
            self.issue(issue);
            text = converted;
        }
        let text = text::normalize_text(&text);
        if text.chars().count() > MAX_TEXT_CHARS {
            let issue = self
                .at(Code::TextTooLong, sheet, row, col)
                .message(
                    format!("Ô có {} ký tự, vượt giới hạn {MAX_TEXT_CHARS} ký tự.", text.chars().count()),
                    format!(
                        "The cell holds {} characters, over the {MAX_TEXT_CHARS} character limit.",
                        text.chars().count()
                    ),
                )
                .hint(
                    "Tóm tắt nội dung; chi tiết gửi kèm văn bản riêng.",
                    "Summarize; send details in a separate document.",
                );
            self.issue(issue);
            return None;
        }
        if text.is_empty() { None } else { Some(text) }
    }

    /// The text without its control and invisible characters, which are
    /// reported (`V011`, once per cell): what is aggregated and shown is what
    /// the reporter saw, never text reversed by a U+202E or split by a U+200B.
    pub fn visible_text(&mut self, sheet: &str, row: u32, col: u32, raw: &str) -> String {
        if !text::has_control_chars(raw) {
            return raw.to_string();
        }
        let names = text::unwanted_char_names(raw, 5).join(", ");
        let (vi, en) = if text::has_invisible_chars(raw) {
            (
                format!(
                    "Văn bản có ký tự ẩn ({names}: ký tự điều khiển, đảo chiều chữ hoặc độ rộng bằng 0) làm nội dung hiển thị khác nội dung thật; đã loại bỏ."
                ),
                format!(
                    "The text holds invisible characters ({names}: controls, direction overrides or zero-width characters) that make it read otherwise than it is; they were removed."
                ),
            )
        } else {
            (
                format!("Văn bản có ký tự điều khiển không in được ({names}); đã loại bỏ."),
                format!("The text holds non-printing control characters ({names}); they were removed."),
            )
        };
        let issue = self.at(Code::ControlCharacters, sheet, row, col).message(vi, en).hint(
            "Gõ lại nội dung ô, không dán từ phần mềm khác hay trang web.",
            "Retype the cell rather than pasting it from another program or a web page.",
        );
        self.issue(issue);
        text::strip_control_chars(raw)
    }

    /// The issue for an error cell: a formula error such as `#DIV/0!` (`V009`),
    /// or a formula saved without its computed value by a program that does not
    /// calculate (`V013`), which would otherwise look like an empty cell. `what`
    /// names the value expected (a criterion code).
    pub fn error_cell(&self, sheet: &str, row: u32, col: u32, error: &str, what: Option<&str>) -> Issue {
        if let Some(formula) = ingest::uncalculated_formula(&CellValue::Error(error.to_string())) {
            let formula = text::strip_control_chars(formula);
            let (shown_vi, shown_en) = if formula.is_empty() {
                (String::new(), String::new())
            } else {
                (format!(" «={}»", preview(&formula)), format!(" \"={}\"", preview(&formula)))
            };
            let (of_vi, of_en) = match what {
                Some(code) => (format!(" thay vì số liệu {code}"), format!(" instead of the value of {code}")),
                None => (String::new(), String::new()),
            };
            return self
                .at(Code::UncalculatedFormula, sheet, row, col)
                .message(
                    format!(
                        "Ô chứa công thức{shown_vi} chưa có giá trị tính sẵn{of_vi}: tệp được lưu bằng chương trình không tính công thức."
                    ),
                    format!(
                        "The cell holds a formula{shown_en} without a computed value{of_en}: the file was saved by a program that does not calculate formulas."
                    ),
                )
                .hint(
                    "Mở tệp bằng Excel hoặc LibreOffice để công thức được tính, lưu lại rồi nộp lại; hoặc nhập thẳng số liệu thay cho công thức.",
                    "Open the file in Excel or LibreOffice so that the formulas are calculated, save it and resubmit; or type the figure instead of the formula.",
                );
        }
        let issue = self.at(Code::ErrorCell, sheet, row, col);
        match what {
            Some(code) => issue
                .message(
                    format!("Ô chứa lỗi công thức {error} thay vì số liệu {code}."),
                    format!("The cell holds the formula error {error} instead of the value of {code}."),
                )
                .hint("Thay công thức bằng số liệu.", "Replace the formula by the figure."),
            None => issue
                .message(format!("Ô chứa lỗi công thức {error}."), format!("The cell holds the formula error {error}."))
                .hint("Thay công thức bằng giá trị.", "Replace the formula by a value."),
        }
    }

    /// Reads a date cell: a real date, or `dd/mm/yyyy` text; a date no report
    /// can mean (see [`Validator::plausible_date`]) is refused.
    pub fn date(
        &mut self,
        sheet: &str,
        row: u32,
        col: u32,
        value: Option<&CellValue>,
        what_vi: &str,
        what_en: &str,
    ) -> Option<NaiveDate> {
        let day = self.any_date(sheet, row, col, value, what_vi, what_en)?;
        self.plausible_date(sheet, row, col, day, what_vi, what_en)
    }

    /// The date a cell holds, whatever the day.
    fn any_date(
        &mut self,
        sheet: &str,
        row: u32,
        col: u32,
        value: Option<&CellValue>,
        what_vi: &str,
        what_en: &str,
    ) -> Option<NaiveDate> {
        match value? {
            CellValue::Date(d) => Some(*d),
            error @ CellValue::Error(_) => {
                self.text(sheet, row, col, Some(error));
                None
            }
            other => {
                if let CellValue::Text(t) = other
                    && let Some(d) =
                        text::parse_date_text(&text::normalize_text(&self.visible_text(sheet, row, col, t)))
                {
                    return Some(d);
                }
                let issue = match other {
                    CellValue::Number(n) => self.number_not_a_date(sheet, row, col, *n, what_vi, what_en),
                    _ => {
                        let shown = self.text(sheet, row, col, Some(other)).unwrap_or_default();
                        self.at(Code::NotADate, sheet, row, col).message(
                            format!("{what_vi}: «{}» không phải là ngày.", preview(&shown)),
                            format!("{what_en}: \"{}\" is not a date.", preview(&shown)),
                        )
                    }
                };
                self.issue(issue.hint(
                    "Nhập ngày dạng dd/mm/yyyy, ví dụ 05/09/2025.",
                    "Type the date as dd/mm/yyyy, for example 05/09/2025.",
                ));
                None
            }
        }
    }

    /// The day, when a report received on the file's day can mean it
    /// ([`text::plausible_days`]): 01/01/1900, the year 0 or 2099 are slips,
    /// and would count a task done a century ago or overdue by 739,889 days.
    fn plausible_date(
        &mut self,
        sheet: &str,
        row: u32,
        col: u32,
        day: NaiveDate,
        what_vi: &str,
        what_en: &str,
    ) -> Option<NaiveDate> {
        if text::plausible_days(self.received_day).contains(&day) {
            return Some(day);
        }
        let (range_vi, range_en) = self.plausible_range_words();
        let issue = self
            .at(Code::ImplausibleDate, sheet, row, col)
            .message(
                format!("{what_vi}: ngày {} nằm ngoài khoảng ngày hợp lý của báo cáo ({range_vi}).", vi_date(day)),
                format!("{what_en}: {} is outside the dates a report can mean ({range_en}).", vi_date(day)),
            )
            .hint(
                "Kiểm tra lại ngày, nhất là năm; nhập ngày dạng dd/mm/yyyy, ví dụ 05/09/2025.",
                "Check the date, the year above all; type it as dd/mm/yyyy, for example 05/09/2025.",
            );
        self.issue(issue);
        None
    }

    /// The plausible days in words: "từ 01/01/2000 đến 08/09/2035", and in English.
    pub(crate) fn plausible_range_words(&self) -> (String, String) {
        let days = text::plausible_days(self.received_day);
        let first = vi_date(*days.start());
        if *days.end() == NaiveDate::MAX {
            return (format!("từ {first}"), format!("from {first}"));
        }
        let last = vi_date(*days.end());
        (format!("từ {first} đến {last}"), format!("from {first} to {last}"))
    }

    /// A number where a date is expected: a number typed in a date column, or
    /// a date-formatted cell storing a serial no calendar day has (−1e300,
    /// NaN, the fictitious 29/02/1900), which the reader leaves a number.
    fn number_not_a_date(&self, sheet: &str, row: u32, col: u32, n: f64, what_vi: &str, what_en: &str) -> Issue {
        self.at(Code::NotADate, sheet, row, col).message(
            format!(
                "{what_vi}: ô chứa số {}, không phải một ngày có thật (ngày trong bảng tính đi từ 01/01/1900 đến 31/12/9999, không có 29/02/1900).",
                shown_vi(n)
            ),
            format!(
                "{what_en}: the cell holds the number {}, not a day that exists (spreadsheet dates run from 01/01/1900 to 31/12/9999, without 29/02/1900).",
                shown_en(n)
            ),
        )
    }
}

/// Whether two issues have the same code at the same cell.
fn same_place(a: &Issue, b: &Issue) -> bool {
    a.code == b.code && a.location == b.location
}

/// A day as messages write it: `05/09/2025`.
pub(crate) fn vi_date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// Where numbers in messages switch to a power of ten: written out, larger
/// ones would be hundreds of digits (a cell may hold 1.7 × 10^308).
const WRITTEN_OUT_BELOW: f64 = 1e16;

/// A number written as text the way a reporter would read it (no exponent,
/// no trailing zeros), except the huge ones, which keep Rust's exponent (`1e300`).
pub(crate) fn plain_number(n: f64) -> String {
    if n.abs() >= WRITTEN_OUT_BELOW {
        format!("{n:e}")
    } else if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A number for a Vietnamese message: `1.234,5`, or `1,7 × 10^308` when huge.
pub(crate) fn shown_vi(n: f64) -> String {
    if n.is_finite() && n.abs() >= WRITTEN_OUT_BELOW {
        power_of_ten(n).replace('.', ",")
    } else {
        text::format_vi_number(n, 3)
    }
}

/// A number for an English message: `1234.5`, or `1.7 × 10^308` when huge.
pub(crate) fn shown_en(n: f64) -> String {
    if n.is_finite() && n.abs() >= WRITTEN_OUT_BELOW { power_of_ten(n) } else { plain_number(n) }
}

/// `1.7 × 10^308`: three decimals at most, no trailing zeros.
fn power_of_ten(n: f64) -> String {
    let scientific = format!("{n:.3e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific.as_str(), "0"));
    let mantissa = if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
    format!("{mantissa} × 10^{exponent}")
}

/// Shortened text for messages.
pub(crate) fn preview(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// Finds a header row: the first row holding every required header (by fold key).
/// Returns the row and, for each header asked for, its column (None if absent).
pub(crate) fn find_header(
    sheet: &RawSheet,
    required: &[(&str, &str)],
    optional: &[(&str, &str)],
) -> Option<(u32, Vec<u32>, Vec<Option<u32>>)> {
    let keys = |h: &(&str, &str)| [fold_key(h.0), fold_key(h.1)];
    let required_keys: Vec<[String; 2]> = required.iter().map(keys).collect();
    let optional_keys: Vec<[String; 2]> = optional.iter().map(keys).collect();
    // Cells are sorted row-major: one pass over the rows, not one pass per row.
    for row_cells in sheet.cells.chunk_by(|a, b| a.row == b.row) {
        let row = row_cells[0].row;
        let row_cells: Vec<(u32, String)> = row_cells
            .iter()
            .filter_map(|c| match &c.value {
                CellValue::Text(t) => Some((c.col, fold_key(t))),
                _ => None,
            })
            .collect();
        let col_of = |k: &[String; 2]| row_cells.iter().find(|(_, t)| k.contains(t)).map(|(c, _)| *c);
        let found: Vec<Option<u32>> = required_keys.iter().map(col_of).collect();
        if found.iter().all(Option::is_some) {
            let cols = found.into_iter().flatten().collect();
            let opt = optional_keys.iter().map(col_of).collect();
            return Some((row, cols, opt));
        }
    }
    None
}

pub(crate) fn header_missing(file: &str, sheet: &str, needed: &[(&str, &str)]) -> Issue {
    let vi: Vec<&str> = needed.iter().map(|h| h.0).collect();
    let en: Vec<&str> = needed.iter().map(|h| h.1).collect();
    Issue::new(Code::HeaderNotFound, Location::file(file))
        .message(
            format!("Không tìm thấy dòng tiêu đề có các cột «{}».", vi.join("», «")),
            format!("No header row with the columns \"{}\" was found.", en.join("\", \"")),
        )
        .hint(
            "Dùng biểu mẫu gốc; không xóa hay sửa tên các cột tiêu đề.",
            "Use the original form; do not delete or rename the header cells.",
        )
        .in_sheet(sheet)
}

/// Warns about merged ranges that cover data cells below a header.
pub(crate) fn check_merged(v: &mut Validator<'_>, sheet: &RawSheet, header_row: u32, data_cols: &[u32]) {
    for &((r0, c0), (r1, c1)) in &sheet.merged {
        let covers_data = r1 >= header_row && data_cols.iter().any(|&c| c0 <= c && c <= c1) && (r0 != r1 || c0 != c1);
        // A merge wholly in a column nobody reads (section labels) is harmless.
        let only_label = data_cols.iter().all(|&c| c < c0 || c > c1);
        if covers_data && !only_label {
            let issue = v
                .at(Code::MergedCells, &sheet.name, r0, c0)
                .message(
                    format!(
                        "Vùng ô gộp {}:{} nằm trong vùng dữ liệu; chỉ ô đầu tiên được đọc.",
                        a1(r0, c0),
                        a1(r1, c1)
                    ),
                    format!(
                        "Merged range {}:{} lies in the data area; only its first cell is read.",
                        a1(r0, c0),
                        a1(r1, c1)
                    ),
                )
                .hint(
                    "Bỏ gộp ô (Unmerge) và nhập số liệu vào từng ô.",
                    "Unmerge the cells and enter each value in its own cell.",
                );
            v.issue(issue);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_numbers_are_shown_as_powers_of_ten() {
        assert_eq!(shown_vi(1.7e308), "1,7 × 10^308");
        assert_eq!(shown_en(-1.7e308), "-1.7 × 10^308");
        assert_eq!(shown_en(1e16), "1 × 10^16");
        assert_eq!(shown_vi(1e15), "1.000.000.000.000.000");
        assert_eq!(shown_en(1e15), "1000000000000000");
        assert_eq!(shown_vi(1234.5), "1.234,5");
        assert_eq!(plain_number(1e300), "1e300");
        assert_eq!(plain_number(94402.0), "94402");
        assert_eq!(plain_number(12.5), "12.5");
    }
}
