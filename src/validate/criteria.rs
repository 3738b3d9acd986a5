//! The criteria sheet: one row per criterion code, values checked by type, bounds and rules.

use std::collections::HashMap;

use super::{SheetRef, Validator, check_merged, find_header, header_missing, plain_number, preview};
use crate::contract::header;
use crate::issue::{Code, Issue, Location};
use crate::model::{CellValue, ReportedValue, Value};
use crate::schema::{Criterion, Unit, ValueType};
use crate::text::{self, NumberTextError, format_vi_number};

impl Validator<'_> {
    pub(crate) fn check_criteria(&mut self, sheet: &SheetRef<'_>, unit: &Unit) -> Vec<ReportedValue> {
        let raw = sheet.sheet;
        let name = sheet.name().to_string();
        let needed = [header::CODE, header::VALUE];
        let Some((header_row, cols, _)) = find_header(raw, &needed, &[]) else {
            let issue = header_missing(&self.file, &name, &needed);
            self.issue(issue);
            return Vec::new();
        };
        let (code_col, value_col) = (cols[0], cols[1]);
        check_merged(self, raw, header_row + 1, &[value_col]);

        let config = self.config;
        let schema = &config.schema;
        // (code, row) for every row below the header with a code.
        let mut rows: Vec<(String, u32)> = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        let mut foreign = Vec::new();
        for row in raw.used_rows().into_iter().filter(|&r| r > header_row) {
            let Some(code) = self.text(&name, row, code_col, raw.get(row, code_col)) else {
                continue;
            };
            let code = code.trim().to_uppercase();
            if let Some(first) = seen.get(&code) {
                let issue = self
                    .at(Code::DuplicateCriterion, &name, row, code_col)
                    .message(
                        format!("Mã chỉ tiêu {code} xuất hiện lần thứ hai (lần đầu ở dòng {}).", first + 1),
                        format!("Criterion code {code} appears a second time (first on row {}).", first + 1),
                    )
                    .hint("Xóa dòng bị lặp; mỗi chỉ tiêu một dòng.", "Delete the repeated row; one row per criterion.");
                self.issue(issue);
                continue;
            }
            seen.insert(code.clone(), row);
            match schema.criterion(&code) {
                Some(c) if c.reported_by_type(&unit.unit_type) => rows.push((code, row)),
                Some(_) => foreign.push((code, row)),
                None => {
                    let is_ratio = schema.ratios.iter().any(|r| r.code == code);
                    let (vi, en) = if is_ratio {
                        (
                            format!("{code} là tỷ lệ do Bộ Nội vụ tính từ số liệu tổng hợp; đơn vị không nhập tỷ lệ."),
                            format!(
                                "{code} is a ratio computed from the aggregated figures; units do not enter ratios."
                            ),
                        )
                    } else {
                        (
                            format!(
                                "Mã chỉ tiêu «{}» không có trong bộ tiêu chí phiên bản {}.",
                                preview(&code),
                                schema.version
                            ),
                            format!(
                                "Criterion code \"{}\" is not in the criteria schema version {}.",
                                preview(&code),
                                schema.version
                            ),
                        )
                    };
                    let issue = self.at(Code::UnknownCriterion, &name, row, code_col).message(vi, en).hint(
                        "Không sửa cột «Mã»; dùng biểu mẫu mới nhất.",
                        "Do not edit the Code column; use the latest form.",
                    );
                    self.issue(issue);
                }
            }
        }

        let applicable: Vec<&Criterion> = schema.criteria_for(&unit.unit_type).collect();
        // An optional criterion's row may be absent (a form from before it was added).
        let missing: Vec<&&Criterion> =
            applicable.iter().filter(|c| c.required && !seen.contains_key(&c.code)).collect();
        let type_label =
            config.units.type_def(&unit.unit_type).map(|d| (d.vi.clone(), d.en.clone())).unwrap_or_default();
        if !missing.is_empty() && !foreign.is_empty() {
            let issue = Issue::new(Code::WrongFormType, Location::file(&self.file))
                .message(
                    format!(
                        "Biểu mẫu này dành cho loại đơn vị khác: thiếu {} chỉ tiêu của «{}» và có {} chỉ tiêu không thuộc loại này.",
                        missing.len(),
                        type_label.0,
                        foreign.len()
                    ),
                    format!(
                        "This form is for another unit type: {} criteria of \"{}\" are missing and {} do not belong to it.",
                        missing.len(),
                        type_label.1,
                        foreign.len()
                    ),
                )
                .hint(
                    format!("Tải biểu mẫu dành cho «{}» và chép số liệu sang.", type_label.0),
                    format!("Download the form for \"{}\" and copy the figures into it.", type_label.1),
                )
                .in_sheet(&name);
            self.issue(issue);
            return Vec::new();
        }
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
                .in_sheet(&name);
            self.issue(issue);
        }
        for (code, row) in foreign {
            if raw.get(row, value_col).is_some()
                && let Some(c) = schema.criterion(&code)
            {
                let issue = self
                    .at(Code::NotApplicableCriterion, &name, row, value_col)
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

        let mut values: Vec<ReportedValue> = Vec::new();
        let mut cells: HashMap<&str, u32> = HashMap::new();
        // Keep schema order, whatever the row order in the file.
        for c in &applicable {
            let Some(row) = rows.iter().find(|(code, _)| code == &c.code).map(|(_, r)| *r) else {
                continue;
            };
            if let Some(value) = self.criterion_value(&name, row, value_col, raw.get(row, value_col), c) {
                cells.insert(&c.code, row);
                values.push(ReportedValue {
                    code: c.code.clone(),
                    value,
                    source: Self::cell_ref(&name, row, value_col),
                });
            }
        }
        self.check_rules(&name, value_col, &values, &cells);
        values
    }

    fn criterion_value(
        &mut self,
        sheet: &str,
        row: u32,
        col: u32,
        cell: Option<&CellValue>,
        c: &Criterion,
    ) -> Option<Value> {
        let blank = match cell {
            None => true,
            Some(CellValue::Text(t)) => t.trim().is_empty(),
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
                    .hint("Nhập số liệu; nếu không phát sinh, nhập 0.", "Enter the figure; if there is none, enter 0.");
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
            ValueType::YesNo => {
                let answer = match cell {
                    CellValue::Bool(b) => Some(*b),
                    CellValue::Number(n) if *n == 1.0 => Some(true),
                    CellValue::Number(n) if *n == 0.0 => Some(false),
                    CellValue::Text(t) => text::parse_yes_no(&text::normalize_text(t)),
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
                answer.map(Value::YesNo)
            }
            ValueType::Date => self.date(sheet, row, col, Some(cell), &c.code, &c.code).map(Value::Date),
            ValueType::Text => self.text(sheet, row, col, Some(cell)).map(Value::Text),
        }
    }

    fn number_value(&mut self, sheet: &str, row: u32, col: u32, cell: &CellValue, c: &Criterion) -> Option<f64> {
        let number = match cell {
            CellValue::Number(n) => *n,
            CellValue::Text(t) => {
                let t = text::normalize_text(t);
                match text::parse_number_text(&t) {
                    Ok(n) => n,
                    Err(NumberTextError::Ambiguous { as_thousands, as_decimal }) => {
                        let issue = self
                            .at(Code::AmbiguousNumber, sheet, row, col)
                            .message(
                                format!(
                                    "{}: «{}» có thể hiểu là {} hoặc {}.",
                                    c.code,
                                    preview(&t),
                                    format_vi_number(as_thousands, 3),
                                    format_vi_number(as_decimal, 3)
                                ),
                                format!("{}: \"{}\" could mean {} or {}.", c.code, preview(&t), plain_number(as_thousands), plain_number(as_decimal)),
                            )
                            .hint(
                                format!(
                                    "Gõ {} (không có dấu phân cách) nếu là {}; dấu chấm phân cách hàng nghìn, dấu phẩy phần thập phân.",
                                    plain_number(as_thousands),
                                    format_vi_number(as_thousands, 0)
                                ),
                                format!("Type {} (no separator) if you mean {}; use no thousands separator.", plain_number(as_thousands), plain_number(as_thousands)),
                            );
                        self.issue(issue);
                        return None;
                    }
                    Err(NumberTextError::NotANumber) => {
                        let issue = self
                            .at(Code::NotANumber, sheet, row, col)
                            .message(
                                format!("{}: «{}» không phải là số.", c.code, preview(&t)),
                                format!("{}: \"{}\" is not a number.", c.code, preview(&t)),
                            )
                            .hint(
                                "Chỉ nhập con số, không ghi chữ, đơn vị hay dấu %; ví dụ 94402 hoặc 94.402.",
                                "Type only the number, without words, units or %; for example 94402.",
                            );
                        self.issue(issue);
                        return None;
                    }
                }
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
                return None;
            }
        };
        if !number.is_finite() {
            return None;
        }
        if c.value_type == ValueType::Integer && number.fract() != 0.0 {
            let issue = self
                .at(Code::NotWhole, sheet, row, col)
                .message(
                    format!(
                        "{}: {} không phải số nguyên ({} là số đếm).",
                        c.code,
                        format_vi_number(number, 6),
                        c.unit_vi
                    ),
                    format!("{}: {} is not a whole number ({} are counted).", c.code, plain_number(number), c.unit_en),
                )
                .hint("Nhập số nguyên, không có phần thập phân.", "Enter a whole number.");
            self.issue(issue);
            return None;
        }
        if let Some(min) = c.min
            && number < min
        {
            let issue = self
                .at(Code::BelowMinimum, sheet, row, col)
                .message(
                    format!(
                        "{}: {} nhỏ hơn giá trị nhỏ nhất cho phép ({}).",
                        c.code,
                        format_vi_number(number, 3),
                        format_vi_number(min, 3)
                    ),
                    format!("{}: {} is below the minimum {}.", c.code, plain_number(number), plain_number(min)),
                )
                .hint(
                    "Số liệu không được âm; nếu không phát sinh, nhập 0.",
                    "Values cannot be negative; enter 0 if there is none.",
                );
            self.issue(issue);
            return None;
        }
        if let Some(max) = c.max
            && number > max
        {
            let issue = self
                .at(Code::AboveMaximum, sheet, row, col)
                .message(
                    format!(
                        "{}: {} lớn hơn giá trị lớn nhất cho phép ({}).",
                        c.code,
                        format_vi_number(number, 3),
                        format_vi_number(max, 3)
                    ),
                    format!("{}: {} is above the maximum {}.", c.code, plain_number(number), plain_number(max)),
                )
                .hint("Kiểm tra lại số liệu và đơn vị tính.", "Check the figure and its unit.");
            self.issue(issue);
            return None;
        }
        Some(number)
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
