//! Whom the criteria and tasks sheets are checked for. Normally the unit the
//! file names; when that unit is not known (`M001`, `M002`, `M011`, no
//! general-information sheet), the unit type the form declares or its criteria
//! rows tell, so that the reporter still learns every other fault of the file
//! at once; failing that, nothing, and only what needs no unit is checked.

use std::collections::HashSet;

use super::info::DeclaredType;
use super::{SheetRef, Validator, find_header};
use crate::contract::header;
use crate::issue::{Code, Issue, Location};
use crate::model::CellValue;
use crate::schema::{Registry, TaskDef, Unit, UnitType};
use crate::text;

/// The unit a file reports for, or as much of it as can be told.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reporter<'a> {
    pub unit: Option<&'a Unit>,
    /// The unit's type; for an unknown unit, the type of the form, if told.
    pub unit_type: Option<&'a UnitType>,
}

/// Whether a task is the reporter's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Assignment {
    Assigned,
    /// Assigned to some units of the form's type, and the unit is not known.
    Perhaps,
    NotAssigned,
}

impl<'a> Reporter<'a> {
    pub fn of_unit(unit: &'a Unit) -> Reporter<'a> {
        Reporter { unit: Some(unit), unit_type: Some(&unit.unit_type) }
    }

    /// Whether the task is the reporter's, as far as can be told.
    pub fn assignment(&self, task: &TaskDef, registry: &Registry) -> Assignment {
        if let Some(unit) = self.unit {
            return if task.assigned_to(&unit.code, &unit.unit_type) {
                Assignment::Assigned
            } else {
                Assignment::NotAssigned
            };
        }
        if task.assigned_to_every_unit_of(self.unit_type) {
            return Assignment::Assigned;
        }
        match self.unit_type {
            Some(t) if !task.concerns_type(t, registry) => Assignment::NotAssigned,
            _ => Assignment::Perhaps,
        }
    }

    /// Who the reporter is in a message, Vietnamese and English: the unit, or
    /// the units of its type.
    pub fn names(&self, registry: &Registry) -> (String, String) {
        match (self.unit, self.unit_type) {
            (Some(unit), _) => (unit.short.clone(), unit.en.clone()),
            (None, Some(t)) => {
                let (vi, en) = type_labels(t, registry);
                (format!("các đơn vị loại «{vi}»"), format!("units of type \"{en}\""))
            }
            (None, None) => ("đơn vị này".to_string(), "this unit".to_string()),
        }
    }
}

/// A unit type's Vietnamese and English labels (its code when it has none).
pub(crate) fn type_labels(t: &UnitType, registry: &Registry) -> (String, String) {
    registry
        .type_def(t)
        .map(|d| (d.vi.clone(), d.en.clone()))
        .unwrap_or_else(|| (t.as_str().to_string(), t.as_str().to_string()))
}

impl<'a> Validator<'a> {
    /// The reporter of a file whose unit is not known: the unit type the form
    /// declares, otherwise the one its criteria rows are exactly those of. The
    /// reporter is told (`M014`) which, or that neither could be told.
    pub(crate) fn reporter_without_unit(
        &mut self,
        declared: Option<&DeclaredType<'a>>,
        info_sheet: Option<&str>,
        criteria: Option<&SheetRef<'_>>,
    ) -> Reporter<'a> {
        let registry = &self.config.units;
        if let Some(declared) = declared {
            let (vi, en) = type_labels(declared.unit_type, registry);
            let sheet = info_sheet.unwrap_or(crate::contract::SHEET_INFO);
            let issue = self.at(Code::CheckedWithoutUnit, sheet, declared.row, declared.col).message(
                format!(
                    "Chưa xác định được đơn vị báo cáo; các trang «Chỉ tiêu», «Nhiệm vụ» đã được kiểm tra theo loại đơn vị của biểu mẫu: «{vi}»."
                ),
                format!(
                    "The reporting unit is not known; the Criteria and Tasks sheets were checked for the form's unit type: \"{en}\"."
                ),
            );
            self.issue(with_unit_hint(issue));
            return Reporter { unit: None, unit_type: Some(declared.unit_type) };
        }
        if let Some(sheet) = criteria
            && let Some(unit_type) = self.type_of_criteria_rows(sheet)
        {
            let (vi, en) = type_labels(unit_type, registry);
            let issue = Issue::new(Code::CheckedWithoutUnit, Location::file(&self.file))
                .message(
                    format!(
                        "Chưa xác định được đơn vị báo cáo; các trang «Chỉ tiêu», «Nhiệm vụ» đã được kiểm tra theo loại đơn vị mà các dòng chỉ tiêu của biểu mẫu cho biết: «{vi}»."
                    ),
                    format!(
                        "The reporting unit is not known; the Criteria and Tasks sheets were checked for the unit type the form's criteria rows are those of: \"{en}\"."
                    ),
                )
                .in_sheet(sheet.name());
            self.issue(with_unit_hint(issue));
            return Reporter { unit: None, unit_type: Some(unit_type) };
        }
        let issue = Issue::new(Code::CheckedWithoutUnit, Location::file(&self.file)).message(
            "Chưa xác định được đơn vị báo cáo, cũng không xác định được loại đơn vị (biểu mẫu không ghi «Loại đơn vị», các dòng chỉ tiêu không đúng của một loại nào): từng số liệu, quy tắc và nhiệm vụ vẫn được kiểm tra, nhưng chưa kiểm tra được biểu mẫu có đủ các dòng chỉ tiêu, nhiệm vụ của đơn vị hay không.",
            "Neither the reporting unit nor its type is known (the form states no unit type, and its criteria rows are not those of one type): each figure, rule and task was checked, but not whether the form holds every criterion and task row of the unit.",
        );
        let issue = match info_sheet {
            Some(sheet) => issue.in_sheet(sheet),
            None => issue,
        };
        self.issue(with_unit_hint(issue));
        Reporter { unit: None, unit_type: None }
    }

    /// The one unit type whose criteria are exactly the known codes of the
    /// criteria sheet (every required one present, none of another type), read
    /// without recording anything: the sheet's own check does that.
    fn type_of_criteria_rows(&self, sheet: &SheetRef<'_>) -> Option<&'a UnitType> {
        let config = self.config;
        let (header_row, cols, _) = find_header(sheet.sheet, &[header::CODE, header::VALUE], &[])?;
        let codes: HashSet<&str> = sheet
            .sheet
            .cells
            .iter()
            .filter(|c| c.row > header_row && c.col == cols[0])
            .filter_map(|c| match &c.value {
                CellValue::Text(t) => config.schema.criterion(&text::strip_control_chars(t).trim().to_uppercase()),
                _ => None,
            })
            .map(|c| c.code.as_str())
            .collect();
        if codes.is_empty() {
            return None;
        }
        let fits = |t: &UnitType| {
            codes.iter().all(|code| config.schema.criterion(code).is_some_and(|c| c.reported_by_type(t)))
                && config.schema.criteria_for(t).filter(|c| c.required).all(|c| codes.contains(c.code.as_str()))
        };
        let mut fitting = config.units.types().iter().filter(|t| fits(t));
        match (fitting.next(), fitting.next()) {
            (Some(t), None) => Some(t),
            _ => None,
        }
    }
}

fn with_unit_hint(issue: Issue) -> Issue {
    issue.hint(
        "Sửa «Mã đơn vị» (chọn trong danh sách của biểu mẫu) rồi nộp lại; tệp sẽ được kiểm tra lại đầy đủ.",
        "Correct «Mã đơn vị» (pick it from the form's list) and resubmit; the file will then be checked in full.",
    )
}
