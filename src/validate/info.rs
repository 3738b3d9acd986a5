//! The general-information sheet: unit, period, form version, contacts.

use chrono::NaiveDate;

use super::{SheetRef, Validator, preview};
use crate::contract::info;
use crate::issue::{Code, Issue, Location};
use crate::model::{CellValue, RawSheet, ReportContacts, ReportWeek};
use crate::schema::{Unit, UnitType, UnitVia};
use crate::text::{self, fold_key};

pub(crate) struct InfoChecked<'a> {
    pub unit: Option<&'a Unit>,
    /// The unit type the form declares, for when the unit is not known.
    pub declared_type: Option<DeclaredType<'a>>,
    pub week: Option<ReportWeek>,
    pub version: Option<String>,
    pub contacts: ReportContacts,
}

/// The unit type written in the form's `Loại đơn vị` cell, and that cell.
pub(crate) struct DeclaredType<'a> {
    pub unit_type: &'a UnitType,
    pub row: u32,
    pub col: u32,
}

/// Where a label's value is: the first non-empty cell right of the label, or the cell next to it.
struct Entry<'s> {
    row: u32,
    col: u32,
    value: Option<&'s CellValue>,
}

/// The general-information sheet with its labels located once. Each label is
/// looked up several times (its entry, the value column, contacts); folding
/// every text cell for each lookup was most of the cost of reading the sheet.
struct InfoIndex<'s> {
    sheet: &'s RawSheet,
    /// For each of [`info::LABELS`], the index of the first cell holding it.
    labels: [Option<usize>; info::LABELS.len()],
    value_col: Option<u32>,
}

/// [`info::LABELS`] folded once, Vietnamese and English.
fn label_keys() -> &'static [[String; 2]] {
    static KEYS: std::sync::OnceLock<Vec<[String; 2]>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| info::LABELS.iter().map(|(vi, en)| [fold_key(vi), fold_key(en)]).collect())
}

impl<'s> InfoIndex<'s> {
    fn new(sheet: &'s RawSheet) -> InfoIndex<'s> {
        let keys = label_keys();
        let mut labels = [None; info::LABELS.len()];
        for (i, cell) in sheet.cells.iter().enumerate() {
            let CellValue::Text(t) = &cell.value else { continue };
            // Labels are short; a long text (a guidance note) is never one.
            if t.len() > 256 {
                continue;
            }
            let key = fold_key(t);
            if let Some(k) = keys.iter().position(|pair| pair.contains(&key))
                && labels[k].is_none()
            {
                labels[k] = Some(i);
            }
        }
        let mut index = InfoIndex { sheet, labels, value_col: None };
        index.value_col = index.value_column();
        index
    }

    fn label_cell(&self, label: (&str, &str)) -> Option<&'s crate::model::RawCell> {
        let k = info::LABELS.iter().position(|(vi, _)| *vi == label.0)?;
        self.labels[k].map(|i| &self.sheet.cells[i])
    }

    /// The column holding the values: where the form version sits (it is always
    /// filled), so that a blank value is not confused with a guidance note further
    /// right. Without a version entry, each label's first filled cell to its right.
    fn value_column(&self) -> Option<u32> {
        let version = self.label_cell((info::VERSION, "Form version"))?;
        first_filled_right(self.sheet, version.row, version.col).map(|c| c.col)
    }

    fn find_entry(&self, label: (&str, &str)) -> Option<Entry<'s>> {
        let sheet = self.sheet;
        let label = self.label_cell(label)?;
        if let Some(col) = self.value_col.filter(|&c| c > label.col) {
            return Some(Entry { row: label.row, col, value: sheet.get(label.row, col) });
        }
        Some(match first_filled_right(sheet, label.row, label.col) {
            Some(cell) => Entry { row: cell.row, col: cell.col, value: Some(&cell.value) },
            None => Entry { row: label.row, col: label.col + 1, value: None },
        })
    }
}

fn first_filled_right(sheet: &RawSheet, row: u32, col: u32) -> Option<&crate::model::RawCell> {
    sheet
        .cells
        .iter()
        .find(|c| c.row == row && c.col > col && !matches!(&c.value, CellValue::Text(t) if t.trim().is_empty()))
}

fn label_pair(label: &str) -> (&'static str, &'static str) {
    info::LABELS.iter().copied().find(|(vi, _)| *vi == label).unwrap_or((info::UNIT, "Unit code"))
}

impl<'a> Validator<'a> {
    fn entry<'s>(&mut self, index: &InfoIndex<'s>, label: &str) -> Option<Entry<'s>> {
        let sheet = index.sheet;
        let pair = label_pair(label);
        let found = index.find_entry(pair);
        if found.is_none() {
            let issue = Issue::new(Code::MissingInfoLabel, Location::file(&self.file))
                .message(
                    format!("Không tìm thấy mục «{}» trên trang «{}».", pair.0, sheet.name),
                    format!("The entry \"{}\" was not found on sheet \"{}\".", pair.1, sheet.name),
                )
                .hint(
                    format!("Dùng biểu mẫu gốc; không xóa dòng «{}».", pair.0),
                    format!("Use the original form; do not delete the \"{}\" row.", pair.1),
                )
                .in_sheet(&sheet.name);
            self.issue(issue);
        }
        found
    }

    pub(crate) fn check_info(&mut self, sheet: &SheetRef<'_>, received_day: Option<NaiveDate>) -> InfoChecked<'a> {
        let raw = InfoIndex::new(sheet.sheet);
        let raw = &raw;
        let name = sheet.name().to_string();
        let unit = self.entry(raw, info::UNIT).and_then(|e| self.check_unit(&name, &e));
        let from = self.entry(raw, info::FROM).and_then(|e| self.period_date(&name, &e, "Từ ngày", "From"));
        let to_entry = self.entry(raw, info::TO);
        let to = to_entry.as_ref().and_then(|e| self.period_date(&name, e, "Đến ngày", "To"));
        let week = match (from, to, to_entry) {
            (Some(from), Some(to), Some(e)) => self.check_period(&name, from, to, &e, received_day),
            _ => None,
        };
        let version = self.entry(raw, info::VERSION).and_then(|e| self.check_version(&name, &e));
        let mut contact = |label: &str| {
            let e = raw.find_entry(label_pair(label))?;
            self.text(&name, e.row, e.col, e.value)
        };
        let contacts = ReportContacts {
            prepared_by: contact(info::PREPARED_BY),
            phone: contact(info::PHONE),
            email: contact(info::EMAIL),
            approved_by: contact(info::APPROVED_BY),
        };
        for (label, value) in [(info::PREPARED_BY, &contacts.prepared_by), (info::APPROVED_BY, &contacts.approved_by)] {
            if value.is_none() {
                let pair = label_pair(label);
                let located = Issue::new(Code::MissingContact, Location::file(&self.file));
                let located = match raw.find_entry(pair) {
                    Some(e) => located.at(&name, crate::issue::a1(e.row, e.col)),
                    None => located.in_sheet(&name),
                };
                let hint = if label == info::APPROVED_BY {
                    (
                        "Ghi họ tên, chức vụ của lãnh đạo đã duyệt báo cáo trước khi gửi.",
                        "Write the name and title of the leader who approved the report before it was sent.",
                    )
                } else {
                    (
                        "Ghi họ tên để Bộ Nội vụ liên hệ khi cần làm rõ số liệu.",
                        "Write the name, so that the Ministry can ask about the figures.",
                    )
                };
                let issue = located
                    .message(format!("Chưa ghi «{}».", pair.0), format!("\"{}\" is empty.", pair.1))
                    .hint(hint.0, hint.1);
                self.issue(issue);
            }
        }
        let declared_type = self.declared_type(raw);
        InfoChecked { unit, declared_type, week, version, contacts }
    }

    /// The unit type the form declares in its `Loại đơn vị` cell, by code or
    /// label. Read quietly: the cell is the generator's, not the reporter's, and
    /// a file is never faulted for it; it only tells how to check the other
    /// sheets when the unit is not known.
    fn declared_type(&self, index: &InfoIndex<'_>) -> Option<DeclaredType<'a>> {
        let entry = index.find_entry(label_pair(info::UNIT_TYPE))?;
        let CellValue::Text(written) = entry.value? else { return None };
        let key = fold_key(&text::strip_control_chars(written));
        let units = &self.config.units;
        let names_it = |t: &UnitType| {
            fold_key(t.as_str()) == key
                || units.type_def(t).is_some_and(|d| fold_key(&d.vi) == key || fold_key(&d.en) == key)
        };
        let unit_type = units.types().iter().find(|t| names_it(t))?;
        Some(DeclaredType { unit_type, row: entry.row, col: entry.col })
    }

    fn check_unit(&mut self, sheet: &str, e: &Entry<'_>) -> Option<&'a Unit> {
        let typed = self.text(sheet, e.row, e.col, e.value);
        let Some(typed) = typed else {
            let issue = self
                .at(Code::MissingUnit, sheet, e.row, e.col)
                .message("Chưa ghi mã đơn vị.", "The unit code is empty.")
                .hint(
                    "Chọn đơn vị trong danh sách, hoặc gõ mã đơn vị (ví dụ 38 hoặc BNV).",
                    "Pick the unit from the list, or type its code (for example 38 or BNV).",
                );
            self.issue(issue);
            return None;
        };
        let config = self.config;
        if let Some((by_code, by_name)) = config.units.contradiction(&typed) {
            let issue = self
                .at(Code::UnitMismatch, sheet, e.row, e.col)
                .message(
                    format!(
                        "«{}»: mã {} là {}, nhưng tên là của {} ({}).",
                        preview(&typed),
                        by_code.code,
                        by_code.short,
                        by_name.short,
                        by_name.code
                    ),
                    format!(
                        "\"{}\": code {} is {}, but the name is that of {} ({}).",
                        preview(&typed),
                        by_code.code,
                        by_code.en,
                        by_name.en,
                        by_name.code
                    ),
                )
                .hint(
                    "Chọn lại đơn vị trong danh sách của biểu mẫu để mã và tên đi cùng nhau.",
                    "Pick the unit again from the form's list, so that code and name go together.",
                );
            self.issue(issue);
            return None;
        }
        match config.units.resolve(&typed) {
            Some(m) => {
                if m.via == UnitVia::Former {
                    let issue = self
                        .at(Code::FormerUnitName, sheet, e.row, e.col)
                        .message(
                            format!(
                                "«{typed}» là tên tỉnh trước khi sắp xếp (từ 01/7/2025 thuộc {}); báo cáo được ghi nhận cho {} ({}).",
                                m.unit.name, m.unit.short, m.unit.code
                            ),
                            format!(
                                "\"{typed}\" is a province's name before the 1 July 2025 merger; the report is recorded for {} ({}).",
                                m.unit.en, m.unit.code
                            ),
                        )
                        .hint(
                            format!("Ghi mã đơn vị mới: {} - {}.", m.unit.code, m.unit.short),
                            format!("Write the new unit code: {} - {}.", m.unit.code, m.unit.short),
                        );
                    self.issue(issue);
                }
                Some(m.unit)
            }
            None => {
                let issue = self
                    .at(Code::UnknownUnit, sheet, e.row, e.col)
                    .message(
                        format!("Không nhận ra đơn vị «{}».", preview(&typed)),
                        format!("Unit \"{}\" is not in the registry.", preview(&typed)),
                    )
                    .hint(
                        "Chọn đơn vị trong danh sách của biểu mẫu, hoặc gõ đúng mã (ví dụ 01, 38, BNV, NHNN).",
                        "Pick the unit from the form's list, or type its exact code (for example 01, 38, BNV, NHNN).",
                    );
                self.issue(issue);
                None
            }
        }
    }

    fn period_date(&mut self, sheet: &str, e: &Entry<'_>, what_vi: &str, what_en: &str) -> Option<NaiveDate> {
        if e.value.is_none() {
            let issue = self
                .at(Code::BadPeriodDate, sheet, e.row, e.col)
                .message(
                    format!("Chưa ghi «{what_vi}» của kỳ báo cáo."),
                    format!("The period's \"{what_en}\" date is empty."),
                )
                .hint("Nhập ngày dạng dd/mm/yyyy.", "Type the date as dd/mm/yyyy.");
            self.issue(issue);
            return None;
        }
        let before = self.issues.len();
        let date = self.date(sheet, e.row, e.col, e.value, what_vi, what_en);
        // A period date that is not a date, or not a plausible one, is a
        // metadata error (M004), not a value error.
        for issue in &mut self.issues[before..] {
            if matches!(issue.code, Code::NotADate | Code::ImplausibleDate) {
                issue.code = Code::BadPeriodDate;
            }
        }
        date
    }

    fn check_period(
        &mut self,
        sheet: &str,
        from: NaiveDate,
        to: NaiveDate,
        to_entry: &Entry<'_>,
        received_day: Option<NaiveDate>,
    ) -> Option<ReportWeek> {
        let calendar = &self.config.calendar;
        let fmt = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
        let Some(week) = calendar.week_for_period(from, to) else {
            let suggestion = calendar.week_overlapping_most(from, to);
            let (hint_vi, hint_en) = match suggestion {
                Some(w) => (
                    format!(
                        "Kỳ báo cáo tuần {} (nộp thứ Hai {}): từ ngày {} đến ngày {}.",
                        w.label(),
                        fmt(w.due),
                        fmt(w.from),
                        fmt(w.to)
                    ),
                    format!(
                        "The reporting week {} (due Monday {}) runs from {} to {}.",
                        w.label(),
                        fmt(w.due),
                        fmt(w.from),
                        fmt(w.to)
                    ),
                ),
                None => (
                    format!(
                        "Kỳ báo cáo tuần gồm {} ngày, từ {} đến {} trước thứ Hai nộp báo cáo; tuần đầu tiên nộp ngày {}.",
                        calendar.period_days,
                        calendar.period_weekdays_vi().0,
                        calendar.period_weekdays_vi().1,
                        fmt(calendar.first_due)
                    ),
                    format!(
                        "A reporting week is {} days, ending {} days before the due Monday; the first was due on {}.",
                        calendar.period_days,
                        calendar.cutoff_days_before_due,
                        fmt(calendar.first_due)
                    ),
                ),
            };
            let issue = self
                .at(Code::PeriodNotConfigured, sheet, to_entry.row, to_entry.col)
                .message(
                    format!("Kỳ báo cáo {} – {} không phải một tuần báo cáo đã quy định.", fmt(from), fmt(to)),
                    format!("The period {} – {} is not a configured reporting week.", fmt(from), fmt(to)),
                )
                .hint(hint_vi, hint_en);
            self.issue(issue);
            return None;
        };
        if let Some(received) = received_day
            && week.to > received
        {
            let issue = self
                .at(Code::PeriodInFuture, sheet, to_entry.row, to_entry.col)
                .message(
                    format!("Kỳ báo cáo kết thúc ngày {}, sau ngày nhận tệp {}.", fmt(week.to), fmt(received)),
                    format!("The period ends on {}, after the file was received on {}.", fmt(week.to), fmt(received)),
                )
                .hint(
                    "Kiểm tra lại «Từ ngày», «Đến ngày»: báo cáo tuần đã kết thúc.",
                    "Check the From and To dates: report on a week that has ended.",
                );
            self.issue(issue);
        }
        Some(week)
    }

    fn check_version(&mut self, sheet: &str, e: &Entry<'_>) -> Option<String> {
        let schema = &self.config.schema;
        let Some(version) = self.text(sheet, e.row, e.col, e.value) else {
            let issue = self
                .at(Code::MissingFormVersion, sheet, e.row, e.col)
                .message("Ô «Phiên bản biểu mẫu» bị trống.", "The form version cell is empty.")
                .hint(
                    format!("Tải biểu mẫu mới nhất (phiên bản {}) và chép số liệu sang.", schema.version),
                    format!("Download the latest form (version {}) and copy the figures into it.", schema.version),
                );
            self.issue(issue);
            return None;
        };
        let canonical = |v: &str| v.trim().trim_end_matches(".0").to_string();
        if let Some(accepted) = schema.accepted_versions.iter().find(|a| canonical(a) == canonical(&version)) {
            return Some(accepted.clone());
        }
        let issue = self
            .at(Code::UnknownFormVersion, sheet, e.row, e.col)
            .message(
                format!(
                    "Biểu mẫu phiên bản «{}» không còn được chấp nhận (chấp nhận: {}).",
                    preview(&version),
                    schema.accepted_versions.join(", ")
                ),
                format!(
                    "Form version \"{}\" is no longer accepted (accepted: {}).",
                    preview(&version),
                    schema.accepted_versions.join(", ")
                ),
            )
            .hint(
                format!("Tải biểu mẫu mới nhất (phiên bản {}) và chép số liệu sang.", schema.version),
                format!("Download the latest form (version {}) and copy the figures into it.", schema.version),
            );
        self.issue(issue);
        None
    }
}
