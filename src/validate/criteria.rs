//! The criteria sheet: one row per criterion code, values checked by type, bounds and rules.

use std::collections::HashMap;

use super::reporter::{Reporter, type_labels};
use super::{
    SheetRef, Validator, check_merged, find_header, header_missing, plain_number, preview, shown_en, shown_vi,
};
use crate::contract::header;
use crate::issue::{Code, Issue, Location};
use crate::model::{CellValue, RawSheet, ReportedValue, Value};
use crate::schema::{Criterion, UnitType, ValueType};
use crate::text::{self, NumberTextError, format_vi_number};

/// Where the criteria sheet's data are: the sheet and the columns its header row names.
struct CriteriaSheet<'s> {
    raw: &'s RawSheet,
    header_row: u32,
    code_col: u32,
    value_col: u32,
}

impl CriteriaSheet<'_> {
    fn name(&self) -> &str {
        &self.raw.name
    }
}

/// The rows below the header that hold a criterion code, sorted by what the
/// code is for this unit.
struct CodedRows {
    /// (code, row) of the criteria this unit's type reports (of any known
    /// criterion, when the type is not known).
    own: Vec<(String, u32)>,
    /// (code, row) of criteria of other unit types.
    foreign: Vec<(String, u32)>,
    /// Code → row of every code met once (unknown ones included), to tell missing rows.
    seen: HashMap<String, u32>,
}

impl Validator<'_> {
    pub(crate) fn check_criteria(&mut self, sheet: &SheetRef<'_>, reporter: Reporter<'_>) -> Vec<ReportedValue> {
        let Some(criteria) = self.criteria_sheet(sheet) else {
            return Vec::new();
        };
        check_merged(self, criteria.raw, criteria.header_row + 1, &[criteria.value_col]);
        let rows = self.read_criterion_rows(&criteria, reporter.unit_type);

        let config = self.config;
        let Some(unit_type) = reporter.unit_type else {
            // Which rows the form must hold depends on the unit type: without
            // it, each row's value is still checked against its criterion, and
            // the rules between them.
            let present: Vec<&Criterion> = config.schema.criteria.iter().collect();
            let (values, cells) = self.read_values(&criteria, &present, &rows.own);
            self.check_rules(criteria.name(), criteria.value_col, &values, &cells);
            return values;
        };
        let applicable: Vec<&Criterion> = config.schema.criteria_for(unit_type).collect();
        // An optional criterion's row may be absent (a form from before it was added).
        let missing: Vec<&Criterion> =
            applicable.iter().copied().filter(|c| c.required && !rows.seen.contains_key(&c.code)).collect();
        let type_label = type_labels(unit_type, &config.units);
        // Rows missing and rows of another type together mean the whole form is
        // the wrong one: one issue says so, instead of one per row.
        if !missing.is_empty() && !rows.foreign.is_empty() {
            let issue = self.wrong_form_type(criteria.name(), missing.len(), rows.foreign.len(), &type_label);
            self.issue(issue);
            return Vec::new();
        }
        self.report_missing_rows(criteria.name(), &missing);
        self.check_foreign_values(&criteria, &rows.foreign, &type_label);

        let (values, cells) = self.read_values(&criteria, &applicable, &rows.own);
        self.check_rules(criteria.name(), criteria.value_col, &values, &cells);
        values
    }

    /// Finds the header row and its columns; without it nothing on the sheet can be read.
    fn criteria_sheet<'s>(&mut self, sheet: &SheetRef<'s>) -> Option<CriteriaSheet<'s>> {
        let needed = [header::CODE, header::VALUE];
        let Some((header_row, cols, _)) = find_header(sheet.sheet, &needed, &[]) else {
            let issue = header_missing(&self.file, sheet.name(), &needed);
            self.issue(issue);
            return None;
        };
        Some(CriteriaSheet { raw: sheet.sheet, header_row, code_col: cols[0], value_col: cols[1] })
    }

    /// Reads the code of every row below the header. A repeated code is dropped
    /// (the first row counts) and an unknown one reported; the others are sorted
    /// into this unit type's criteria and other types' (all the unit's, when
    /// its type is not known).
    fn read_criterion_rows(&mut self, criteria: &CriteriaSheet<'_>, unit_type: Option<&UnitType>) -> CodedRows {
        let (raw, name, code_col) = (criteria.raw, criteria.name(), criteria.code_col);
        let schema = &self.config.schema;
        let mut rows = CodedRows { own: Vec::new(), foreign: Vec::new(), seen: HashMap::new() };
        for row in raw.used_rows().into_iter().filter(|&r| r > criteria.header_row) {
            let Some(code) = self.text(name, row, code_col, raw.get(row, code_col)) else {
                continue;
            };
            let code = code.trim().to_uppercase();
            if let Some(first) = rows.seen.get(&code) {
                let issue = self
                    .at(Code::DuplicateCriterion, name, row, code_col)
                    .message(
                        format!("Mã chỉ tiêu {code} xuất hiện lần thứ hai (lần đầu ở dòng {}).", first + 1),
                        format!("Criterion code {code} appears a second time (first on row {}).", first + 1),
                    )
                    .hint("Xóa dòng bị lặp; mỗi chỉ tiêu một dòng.", "Delete the repeated row; one row per criterion.");
                self.issue(issue);
                continue;
            }
            rows.seen.insert(code.clone(), row);
            match schema.criterion(&code) {
                Some(c) if unit_type.is_none_or(|t| c.reported_by_type(t)) => rows.own.push((code, row)),
                Some(_) => rows.foreign.push((code, row)),
                None => {
                    let issue = self.unknown_criterion(name, row, code_col, &code);
                    self.issue(issue);
                }
            }
        }
        rows
    }

    /// A code not in the schema. A ratio's code gets its own explanation: a
    /// reporter may expect to enter a ratio, which is computed from the aggregate instead.
    fn unknown_criterion(&self, sheet: &str, row: u32, col: u32, code: &str) -> Issue {
        let schema = &self.config.schema;
        let is_ratio = schema.ratios.iter().any(|r| r.code == code);
        let (vi, en) = if is_ratio {
            (
                format!("{code} là tỷ lệ do Bộ Nội vụ tính từ số liệu tổng hợp; đơn vị không nhập tỷ lệ."),
                format!("{code} is a ratio computed from the aggregated figures; units do not enter ratios."),
            )
        } else {
            (
                format!("Mã chỉ tiêu «{}» không có trong bộ tiêu chí phiên bản {}.", preview(code), schema.version),
                format!(
                    "Criterion code \"{}\" is not in the criteria schema version {}.",
                    preview(code),
                    schema.version
                ),
            )
        };
        self.at(Code::UnknownCriterion, sheet, row, col)
            .message(vi, en)
            .hint("Không sửa cột «Mã»; dùng biểu mẫu mới nhất.", "Do not edit the Code column; use the latest form.")
    }

    fn wrong_form_type(&self, sheet: &str, missing: usize, foreign: usize, type_label: &(String, String)) -> Issue {
        Issue::new(Code::WrongFormType, Location::file(&self.file))
            .message(
                format!(
                    "Biểu mẫu này dành cho loại đơn vị khác: thiếu {} chỉ tiêu của «{}» và có {} chỉ tiêu không thuộc loại này.",
                    missing, type_label.0, foreign
                ),
                format!(
                    "This form is for another unit type: {} criteria of \"{}\" are missing and {} do not belong to it.",
                    missing, type_label.1, foreign
                ),
            )
            .hint(
                format!("Tải biểu mẫu dành cho «{}» và chép số liệu sang.", type_label.0),
                format!("Download the form for \"{}\" and copy the figures into it.", type_label.1),
            )
            .in_sheet(sheet)
    }

    fn report_missing_rows(&mut self, sheet: &str, missing: &[&Criterion]) {
        for c in missing {
            let issue = Issue::new(Code::MissingCriterionRow, Location::file(&self.file))
                .message(
                    format!("Thiếu dòng chỉ tiêu {} «{}».", c.code, c.vi),
                    format!("The row of criterion {} \"{}\" is missing.", c.code, c.en),
                )
                .hint(
                    "Dùng biểu mẫu gốc; không xóa dòng chỉ tiêu.",
                    "Use the original form; do not delete criterion rows.",
                )
                .in_sheet(sheet);
            self.issue(issue);
        }
    }

    /// A figure given for another unit type's criterion is not aggregated: the
    /// reporter is told, so that it is not believed counted. An empty row is fine.
    fn check_foreign_values(
        &mut self,
        criteria: &CriteriaSheet<'_>,
        foreign: &[(String, u32)],
        type_label: &(String, String),
    ) {
        let schema = &self.config.schema;
        for (code, row) in foreign {
            if criteria.raw.get(*row, criteria.value_col).is_some()
                && let Some(c) = schema.criterion(code)
            {
                let issue = self
                    .at(Code::NotApplicableCriterion, criteria.name(), *row, criteria.value_col)
                    .message(
                        format!(
                            "Chỉ tiêu {code} «{}» không thuộc loại đơn vị «{}»; số liệu không được tổng hợp.",
                            c.vi, type_label.0
                        ),
                        format!(
                            "Criterion {code} \"{}\" is not reported by \"{}\"; the value is not aggregated.",
                            c.en, type_label.1
                        ),
                    )
                    .hint("Dùng biểu mẫu đúng loại đơn vị.", "Use the form for your unit type.");
                self.issue(issue);
            }
        }
    }

    /// Reads the value of every applicable criterion that has a row, in schema
    /// order whatever the row order in the file; also gives each value's row,
    /// for the rules' issues to point at.
    fn read_values<'c>(
        &mut self,
        criteria: &CriteriaSheet<'_>,
        applicable: &[&'c Criterion],
        own: &[(String, u32)],
    ) -> (Vec<ReportedValue>, HashMap<&'c str, u32>) {
        let (raw, name, value_col) = (criteria.raw, criteria.name(), criteria.value_col);
        let mut values: Vec<ReportedValue> = Vec::new();
        let mut cells: HashMap<&str, u32> = HashMap::new();
        for c in applicable {
            let Some(row) = own.iter().find(|(code, _)| code == &c.code).map(|(_, r)| *r) else {
                continue;
            };
            if let Some(value) = self.criterion_value(name, row, value_col, raw.get(row, value_col), c) {
                cells.insert(&c.code, row);
                values.push(ReportedValue {
                    code: c.code.clone(),
                    value,
                    source: Self::cell_ref(name, row, value_col),
                });
            }
        }
        (values, cells)
    }

    fn criterion_value(
        &mut self,
        sheet: &str,
        row: u32,
        col: u32,
        cell: Option<&CellValue>,
        c: &Criterion,
    ) -> Option<Value> {
        // A cell holding only invisible characters is as empty as it looks.
        let blank = match cell {
            None => true,
            Some(CellValue::Text(t)) => text::strip_control_chars(t).trim().is_empty(),
            _ => false,
        };
        if blank {
            if c.required {
                let issue = self
                    .at(Code::RequiredMissing, sheet, row, col)
                    .message(
                        format!("Chưa nhập số liệu chỉ tiêu {} «{}».", c.code, c.vi),
                        format!("No value for criterion {} \"{}\".", c.code, c.en),
                    )
                    .hint(missing_hint(c).0, missing_hint(c).1);
                self.issue(issue);
            }
            return None;
        }
        let cell = cell?;
        if let CellValue::Error(e) = cell {
            let issue = self.error_cell(sheet, row, col, e, Some(&c.code));
            self.issue(issue);
            return None;
        }
        match c.value_type {
            ValueType::Integer | ValueType::Decimal => self.number_value(sheet, row, col, cell, c).map(Value::Number),
            ValueType::YesNo => self.yes_no_value(sheet, row, col, cell, c).map(Value::YesNo),
            ValueType::Date => self.date(sheet, row, col, Some(cell), &c.code, &c.code).map(Value::Date),
            ValueType::Text => self.text(sheet, row, col, Some(cell)).map(Value::Text),
        }
    }

    /// A yes/no answer: a boolean, 1 or 0, or one of the words reporters use for yes and no.
    fn yes_no_value(&mut self, sheet: &str, row: u32, col: u32, cell: &CellValue, c: &Criterion) -> Option<bool> {
        let answer = match cell {
            CellValue::Bool(b) => Some(*b),
            CellValue::Number(n) if *n == 1.0 => Some(true),
            CellValue::Number(n) if *n == 0.0 => Some(false),
            CellValue::Text(t) => text::parse_yes_no(&text::normalize_text(&self.visible_text(sheet, row, col, t))),
            _ => None,
        };
        if answer.is_none() {
            let shown = self.text(sheet, row, col, Some(cell)).unwrap_or_default();
            let (yes, no) = text::yes_no_synonyms();
            let issue = self
                .at(Code::NotYesNo, sheet, row, col)
                .message(
                    format!("{}: «{}» không phải Có hoặc Không.", c.code, preview(&shown)),
                    format!("{}: \"{}\" is not yes or no.", c.code, preview(&shown)),
                )
                .hint(
                    format!("Chọn «Có» hoặc «Không» (chấp nhận: {} / {}).", yes.join(", "), no.join(", ")),
                    "Choose \"Có\" (yes) or \"Không\" (no).".to_string(),
                );
            self.issue(issue);
        }
        answer
    }

    /// A number that is read, finite, and fits the criterion's type and bounds.
    fn number_value(&mut self, sheet: &str, row: u32, col: u32, cell: &CellValue, c: &Criterion) -> Option<f64> {
        let number = self.read_number(sheet, row, col, cell, c)?;
        if let Some(issue) = self.number_misfit(sheet, row, col, number, c) {
            self.issue(issue);
            return None;
        }
        Some(number)
    }

    /// The number a cell holds: a number cell, or text written as a number.
    fn read_number(&mut self, sheet: &str, row: u32, col: u32, cell: &CellValue, c: &Criterion) -> Option<f64> {
        match cell {
            CellValue::Number(n) => Some(*n),
            CellValue::Text(t) => {
                let visible = self.visible_text(sheet, row, col, t);
                self.number_from_text(sheet, row, col, &text::normalize_text(&visible), c)
            }
            other => {
                let shown = self.text(sheet, row, col, Some(other)).unwrap_or_default();
                let issue = self
                    .at(Code::NotANumber, sheet, row, col)
                    .message(
                        format!("{}: «{}» không phải là số.", c.code, preview(&shown)),
                        format!("{}: \"{}\" is not a number.", c.code, preview(&shown)),
                    )
                    .hint("Nhập số liệu dạng số.", "Enter the figure as a number.");
                self.issue(issue);
                None
            }
        }
    }

    /// A number typed as text. Vietnamese writes `.` for thousands and `,` for
    /// decimals, English the other way round: a text that reads both ways is
    /// refused rather than guessed.
    fn number_from_text(&mut self, sheet: &str, row: u32, col: u32, t: &str, c: &Criterion) -> Option<f64> {
        let issue = match text::parse_number_text(t) {
            Ok(n) => return Some(n),
            Err(NumberTextError::Ambiguous { as_thousands, as_decimal }) => self
                .at(Code::AmbiguousNumber, sheet, row, col)
                .message(
                    format!(
                        "{}: «{}» có thể hiểu là {} hoặc {}.",
                        c.code,
                        preview(t),
                        format_vi_number(as_thousands, 3),
                        format_vi_number(as_decimal, 3)
                    ),
                    format!(
                        "{}: \"{}\" could mean {} or {}.",
                        c.code,
                        preview(t),
                        plain_number(as_thousands),
                        plain_number(as_decimal)
                    ),
                )
                .hint(
                    format!(
                        "Gõ {} (không có dấu phân cách) nếu là {}; dấu chấm phân cách hàng nghìn, dấu phẩy phần thập phân.",
                        plain_number(as_thousands),
                        format_vi_number(as_thousands, 0)
                    ),
                    format!(
                        "Type {} (no separator) if you mean {}; use no thousands separator.",
                        plain_number(as_thousands),
                        plain_number(as_thousands)
                    ),
                ),
            Err(NumberTextError::NotANumber) => self
                .at(Code::NotANumber, sheet, row, col)
                .message(
                    format!("{}: «{}» không phải là số.", c.code, preview(t)),
                    format!("{}: \"{}\" is not a number.", c.code, preview(t)),
                )
                .hint(
                    "Chỉ nhập con số, không ghi chữ, đơn vị hay dấu %; ví dụ 94402 hoặc 94.402.",
                    "Type only the number, without words, units or %; for example 94402.",
                ),
        };
        self.issue(issue);
        None
    }

    /// The first way a number does not fit its criterion, if any: no finite
    /// value at all, a fraction of a count, or a value outside the bounds (the
    /// schema's, or the default one either way).
    fn number_misfit(&self, sheet: &str, row: u32, col: u32, number: f64, c: &Criterion) -> Option<Issue> {
        if !number.is_finite() {
            return Some(self.not_finite(sheet, row, col, number, c));
        }
        if c.value_type == ValueType::Integer && number.fract() != 0.0 {
            return Some(
                self.at(Code::NotWhole, sheet, row, col)
                    .message(
                        format!(
                            "{}: {} không phải số nguyên ({} là số đếm).",
                            c.code,
                            format_vi_number(number, 6),
                            c.unit_vi
                        ),
                        format!(
                            "{}: {} is not a whole number ({} are counted).",
                            c.code,
                            plain_number(number),
                            c.unit_en
                        ),
                    )
                    .hint("Nhập số nguyên, không có phần thập phân.", "Enter a whole number."),
            );
        }
        if number < c.lower_bound() {
            return Some(self.below_minimum(sheet, row, col, number, c));
        }
        if number > c.upper_bound() {
            return Some(self.above_maximum(sheet, row, col, number, c));
        }
        None
    }

    /// A number cell holding NaN or an infinity (stored as `1e999`, `NaN`,
    /// `inf`), which no spreadsheet shows as a figure: there is no value.
    fn not_finite(&self, sheet: &str, row: u32, col: u32, number: f64, c: &Criterion) -> Issue {
        let (vi, en) = if number.is_nan() {
            ("không phải là số (NaN)", "not a number (NaN)")
        } else if number > 0.0 {
            ("vô cực (quá lớn để là một số)", "infinite (too large to be a number)")
        } else {
            ("âm vô cực (quá lớn để là một số)", "minus infinity (too large to be a number)")
        };
        self.at(Code::NotANumber, sheet, row, col)
            .message(
                format!("{}: giá trị lưu trong ô là {vi}.", c.code),
                format!("{}: the value stored in the cell is {en}.", c.code),
            )
            .hint(
                "Nhập lại số liệu bằng tay; tệp do chương trình khác xuất ra có thể lưu số sai.",
                "Type the figure again; a file exported by another program may store numbers wrongly.",
            )
    }

    fn below_minimum(&self, sheet: &str, row: u32, col: u32, number: f64, c: &Criterion) -> Issue {
        let min = c.lower_bound();
        let issue = self.at(Code::BelowMinimum, sheet, row, col);
        if c.min.is_none() {
            return issue
                .message(
                    format!(
                        "{}: {} nhỏ hơn giới hạn chung của mọi số liệu ({}).",
                        c.code,
                        shown_vi(number),
                        shown_vi(min)
                    ),
                    format!("{}: {} is below the bound of every figure, {}.", c.code, shown_en(number), shown_en(min)),
                )
                .hint("Kiểm tra lại số liệu và đơn vị tính.", "Check the figure and its unit.");
        }
        issue
            .message(
                format!("{}: {} nhỏ hơn giá trị nhỏ nhất cho phép ({}).", c.code, shown_vi(number), shown_vi(min)),
                format!("{}: {} is below the minimum {}.", c.code, shown_en(number), shown_en(min)),
            )
            .hint(
                "Số liệu không được âm; nếu không phát sinh, nhập 0.",
                "Values cannot be negative; enter 0 if there is none.",
            )
    }

    fn above_maximum(&self, sheet: &str, row: u32, col: u32, number: f64, c: &Criterion) -> Issue {
        let max = c.upper_bound();
        let (vi, en) = if c.max.is_some() {
            (
                format!("{}: {} lớn hơn giá trị lớn nhất cho phép ({}).", c.code, shown_vi(number), shown_vi(max)),
                format!("{}: {} is above the maximum {}.", c.code, shown_en(number), shown_en(max)),
            )
        } else {
            (
                format!("{}: {} vượt giới hạn chung của mọi số liệu ({}).", c.code, shown_vi(number), shown_vi(max)),
                format!("{}: {} is above the bound of every figure, {}.", c.code, shown_en(number), shown_en(max)),
            )
        };
        self.at(Code::AboveMaximum, sheet, row, col)
            .message(vi, en)
            .hint("Kiểm tra lại số liệu và đơn vị tính.", "Check the figure and its unit.")
    }

    fn check_rules(&mut self, sheet: &str, value_col: u32, values: &[ReportedValue], rows: &HashMap<&str, u32>) {
        let schema = &self.config.schema;
        let number = |code: &str| {
            values.iter().find(|v| v.code == code).and_then(|v| match v.value {
                Value::Number(n) => Some(n),
                _ => None,
            })
        };
        for rule in &schema.rules {
            let (Some(left), Some(right)) = (number(&rule.left), number(&rule.right)) else {
                continue;
            };
            if rule.op.holds(left, right) {
                continue;
            }
            let (Some(l), Some(r)) = (schema.criterion(&rule.left), schema.criterion(&rule.right)) else {
                continue;
            };
            let row = rows.get(rule.left.as_str()).copied().unwrap_or(0);
            let issue = self
                .at(Code::RuleViolated, sheet, row, value_col)
                .severity(rule.severity)
                .message(
                    format!(
                        "Quy tắc {}: {} «{}» ({}) phải {} {} «{}» ({}).",
                        rule.id,
                        l.code,
                        l.vi,
                        format_vi_number(left, 3),
                        rule.op.symbol(),
                        r.code,
                        r.vi,
                        format_vi_number(right, 3)
                    ),
                    format!(
                        "Rule {}: {} \"{}\" ({}) must be {} {} \"{}\" ({}).",
                        rule.id,
                        l.code,
                        l.en,
                        plain_number(left),
                        rule.op.symbol(),
                        r.code,
                        r.en,
                        plain_number(right)
                    ),
                )
                .hint(
                    format!("Kiểm tra lại số liệu {} và {}.", l.code, r.code),
                    format!("Check the figures of {} and {}.", l.code, r.code),
                );
            self.issue(issue);
        }
    }
}

/// What to do about a required criterion left blank: a yes/no item is
/// answered, a figure typed (0 when there is none).
fn missing_hint(c: &crate::schema::Criterion) -> (&'static str, &'static str) {
    match c.value_type {
        ValueType::YesNo => {
            ("Chọn «Có» hoặc «Không» trong danh sách của ô.", "Choose «Có» (yes) or «Không» (no) in the cell's list.")
        }
        _ => ("Nhập số liệu; nếu không phát sinh, nhập 0.", "Enter the figure; if there is none, enter 0."),
    }
}
