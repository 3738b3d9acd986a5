//! The tasks sheet: assigned tasks' progress and the unit's own tasks.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::reporter::{Assignment, Reporter};
use super::{SheetRef, Validator, check_merged, find_header, header_missing, preview, vi_date};
use crate::contract::header;
use crate::issue::{Code, Issue, Location};
use crate::model::{CellValue, Deadline, RawSheet, TaskReport, TaskStatus};
use crate::schema::{TaskDef, parse_deadline};
use crate::text::{self, fold_key, is_label_key};

/// Reads a status the way reporters write it: the schema's labels, codes and common synonyms.
fn parse_status(text: &str, labels: &[crate::schema::Labelled]) -> Option<TaskStatus> {
    let key = fold_key(text);
    let status_of = |code: &str| match code {
        "completed" => Some(TaskStatus::Completed),
        "in_progress" => Some(TaskStatus::InProgress),
        "not_started" => Some(TaskStatus::NotStarted),
        _ => None,
    };
    if let Some(l) = labels.iter().find(|l| [&l.vi, &l.en, &l.code].iter().any(|label| is_label_key(&key, label))) {
        return status_of(&l.code);
    }
    match key.as_str() {
        "hoan thanh" | "da xong" | "xong" | "done" => Some(TaskStatus::Completed),
        "dang trien khai" | "dang lam" | "dang thuc hien" | "ongoing" => Some(TaskStatus::InProgress),
        "chua" | "chua trien khai" | "chua bat dau" | "chua lam" => Some(TaskStatus::NotStarted),
        _ => None,
    }
}

/// Where the tasks sheet's data are: the sheet and the columns its header row names.
struct TasksSheet<'s> {
    raw: &'s RawSheet,
    header_row: u32,
    code_col: u32,
    title_col: u32,
    status_col: u32,
    assigned_col: Option<u32>,
    deadline_col: Option<u32>,
    done_col: Option<u32>,
    note_col: Option<u32>,
}

impl TasksSheet<'_> {
    fn name(&self) -> &str {
        &self.raw.name
    }

    /// Where an issue about a missing deadline or completion date points when the
    /// form has no such column: where the column would be.
    fn deadline_col_or_place(&self) -> u32 {
        self.deadline_col.unwrap_or(self.title_col + 2)
    }

    fn done_col_or_place(&self) -> u32 {
        self.done_col.unwrap_or(self.status_col + 1)
    }
}

/// One row of the tasks sheet, its cells read as text. Reading records the
/// cells' own issues (control characters, legacy encodings, error cells), so it
/// happens once per row, in column order, before any rule looks at the row.
struct TaskRow<'s> {
    row: u32,
    /// Upper-cased and trimmed: codes are compared that way.
    code: Option<String>,
    title: Option<String>,
    status_text: Option<String>,
    assigned_by: Option<String>,
    /// A date cell is shown as `dd/mm/yyyy`, the way a typed deadline is read.
    deadline_text: Option<String>,
    note: Option<String>,
    /// Read as a date only when the row gets that far: a dropped row reports
    /// nothing about its completion date.
    done_cell: Option<&'s CellValue>,
}

impl TaskRow<'_> {
    /// A row holding nothing but (perhaps) a note is not a task row.
    fn is_blank(&self) -> bool {
        self.code.is_none()
            && self.title.is_none()
            && self.status_text.is_none()
            && self.deadline_text.is_none()
            && self.done_cell.is_none()
            && self.assigned_by.is_none()
    }
}

/// A row left out of the report. The issue saying why is already recorded,
/// except for the rows other units are expected to leave empty.
struct Dropped;

const STATUS_CHOICES: (&str, &str) =
    ("Chọn: Đã hoàn thành / Đang thực hiện / Chưa thực hiện.", "Choose: completed / in progress / not started.");

impl<'a> Validator<'a> {
    pub(crate) fn check_tasks(
        &mut self,
        sheet: &SheetRef<'_>,
        reporter: Reporter<'_>,
        received_day: Option<NaiveDate>,
    ) -> Vec<TaskReport> {
        let Some(tasks) = self.tasks_sheet(sheet) else {
            return Vec::new();
        };
        let mut data_cols = vec![tasks.status_col];
        data_cols.extend(tasks.done_col);
        check_merged(self, tasks.raw, tasks.header_row + 1, &data_cols);

        let mut out = Vec::new();
        // Code → row of the first row with that code.
        let mut seen: HashMap<String, u32> = HashMap::new();
        for row in tasks.raw.used_rows().into_iter().filter(|&r| r > tasks.header_row) {
            let row = self.read_task_row(&tasks, row);
            if row.is_blank() {
                continue;
            }
            if let Ok(report) = self.check_task_row(&tasks, row, reporter, received_day, &mut seen) {
                out.push(report);
            }
        }
        self.check_assigned_rows_present(tasks.name(), reporter, &seen);
        out
    }

    /// Finds the header row and its columns; without it nothing on the sheet can be read.
    fn tasks_sheet<'s>(&mut self, sheet: &SheetRef<'s>) -> Option<TasksSheet<'s>> {
        let raw = sheet.sheet;
        let needed = [header::CODE, header::TASK, header::STATUS];
        let optional = [header::ASSIGNED_BY, header::DEADLINE, header::COMPLETED_ON, header::NOTE];
        let Some((header_row, cols, opt)) = find_header(raw, &needed, &optional) else {
            let issue = header_missing(&self.file, sheet.name(), &needed);
            self.issue(issue);
            return None;
        };
        Some(TasksSheet {
            raw,
            header_row,
            code_col: cols[0],
            title_col: cols[1],
            status_col: cols[2],
            assigned_col: opt[0],
            deadline_col: opt[1],
            done_col: opt[2],
            note_col: opt[3],
        })
    }

    fn read_task_row<'s>(&mut self, tasks: &TasksSheet<'s>, row: u32) -> TaskRow<'s> {
        let raw = tasks.raw;
        let name = tasks.name();
        let read = |v: &mut Self, col: Option<u32>| col.and_then(|c| v.text(name, row, c, raw.get(row, c)));
        let code = read(self, Some(tasks.code_col)).map(|c| c.trim().to_uppercase());
        let title = read(self, Some(tasks.title_col));
        let status_text = read(self, Some(tasks.status_col));
        let assigned_by = read(self, tasks.assigned_col);
        let deadline_text = match tasks.deadline_col.and_then(|c| raw.get(row, c)) {
            Some(CellValue::Date(d)) => Some(d.format("%d/%m/%Y").to_string()),
            _ => read(self, tasks.deadline_col),
        };
        let note = read(self, tasks.note_col);
        let done_cell = tasks.done_col.and_then(|c| raw.get(row, c));
        TaskRow { row, code, title, status_text, assigned_by, deadline_text, note, done_cell }
    }

    /// Applies the rules to one row: the code, then the own task's title and
    /// deadline, the status, the completion date. The first rule that leaves the
    /// row unusable drops it, so a row gets at most one of those errors.
    fn check_task_row(
        &mut self,
        tasks: &TasksSheet<'_>,
        row: TaskRow<'_>,
        reporter: Reporter<'_>,
        received_day: Option<NaiveDate>,
        seen: &mut HashMap<String, u32>,
    ) -> Result<TaskReport, Dropped> {
        let schema_task = self.schema_task(tasks, &row, reporter, seen)?;
        let deadline = match schema_task {
            Some(t) => t.deadline.clone(),
            None => self.own_task_deadline(tasks, &row)?,
        };
        let status = self.task_status(tasks, &row)?;
        let completed_on = self.completion_date(tasks, &row, received_day)?;
        self.check_status_matches_date(tasks, row.row, status, completed_on);
        // A completion date is kept only for a completed task (the warning above says so).
        let completed_on = if status == TaskStatus::Completed { completed_on } else { None };
        Ok(TaskReport {
            code: schema_task.map(|t| t.code.clone()),
            title: schema_task.map(|t| t.vi.clone()).or(row.title).unwrap_or_default(),
            assigned_by: schema_task.map(|t| t.assigned_by.clone()).or(row.assigned_by),
            deadline: Some(deadline),
            status,
            completed_on,
            note: row.note,
            source: Self::cell_ref(tasks.name(), row.row, tasks.status_col),
        })
    }

    /// The assigned task a row reports on, `None` for a row without a code (the
    /// unit's own task).
    fn schema_task(
        &mut self,
        tasks: &TasksSheet<'_>,
        row: &TaskRow<'_>,
        reporter: Reporter<'_>,
        seen: &mut HashMap<String, u32>,
    ) -> Result<Option<&'a TaskDef>, Dropped> {
        let Some(code) = &row.code else {
            return Ok(None);
        };
        self.check_task_not_repeated(tasks, row.row, code, seen)?;
        self.known_task(tasks, row, code, reporter).map(Some)
    }

    /// The first row of a task counts; a second one is dropped, as two statuses
    /// for one task cannot both be aggregated.
    fn check_task_not_repeated(
        &mut self,
        tasks: &TasksSheet<'_>,
        row: u32,
        code: &str,
        seen: &mut HashMap<String, u32>,
    ) -> Result<(), Dropped> {
        if let Some(first) = seen.get(code) {
            let issue = self
                .at(Code::TaskDuplicate, tasks.name(), row, tasks.code_col)
                .message(
                    format!("Nhiệm vụ {code} xuất hiện lần thứ hai (lần đầu ở dòng {}).", first + 1),
                    format!("Task {code} appears a second time (first on row {}).", first + 1),
                )
                .hint("Mỗi nhiệm vụ một dòng; xóa dòng lặp.", "One row per task; delete the repeated row.");
            self.issue(issue);
            return Err(Dropped);
        }
        seen.insert(code.to_string(), row);
        Ok(())
    }

    /// The schema's task for a code. An unknown code drops the row; a task
    /// assigned to other units is recorded anyway, with a warning, and so is,
    /// silently, one that may be the reporter's when its unit is not known.
    fn known_task(
        &mut self,
        tasks: &TasksSheet<'_>,
        row: &TaskRow<'_>,
        code: &str,
        reporter: Reporter<'_>,
    ) -> Result<&'a TaskDef, Dropped> {
        let config = self.config;
        let Some(t) = config.schema.task(code) else {
            let issue = self
                .at(Code::TaskUnknownCode, tasks.name(), row.row, tasks.code_col)
                .message(
                    format!("Mã nhiệm vụ «{}» không có trong danh mục nhiệm vụ được giao.", preview(code)),
                    format!("Task code \"{}\" is not in the list of assigned tasks.", preview(code)),
                )
                .hint(
                    "Nhiệm vụ do đơn vị tự bổ sung: để trống cột «Mã», ghi tên và thời hạn.",
                    "For a task of your own, leave the Code column empty and give its title and deadline.",
                );
            self.issue(issue);
            return Err(Dropped);
        };
        let assignment = reporter.assignment(t, &config.units);
        if assignment == Assignment::Assigned {
            return Ok(t);
        }
        // A form for a unit type lists tasks of single units of that
        // type (BNV's, BKHCN's); other units leave those rows empty.
        if row.status_text.is_none() && row.done_cell.is_none() {
            return Err(Dropped);
        }
        if assignment == Assignment::NotAssigned {
            let (vi, en) = reporter.names(&config.units);
            let issue = self
                .at(Code::TaskNotAssigned, tasks.name(), row.row, tasks.code_col)
                .message(
                    format!("Nhiệm vụ {code} không giao cho {vi}; vẫn được ghi nhận."),
                    format!("Task {code} is not assigned to {en}; it is recorded anyway."),
                )
                .hint("Kiểm tra mã nhiệm vụ.", "Check the task code.");
            self.issue(issue);
        }
        Ok(t)
    }

    /// An own task (no code) has no schema entry to take its title and deadline
    /// from: the row must give both, or it cannot be reported or judged overdue.
    fn own_task_deadline(&mut self, tasks: &TasksSheet<'_>, row: &TaskRow<'_>) -> Result<Deadline, Dropped> {
        if row.title.is_none() {
            let issue = self
                .at(Code::TaskMissingTitle, tasks.name(), row.row, tasks.title_col)
                .message("Dòng nhiệm vụ tự bổ sung chưa có tên nhiệm vụ.", "An own-task row has no task title.")
                .hint("Ghi tên nhiệm vụ, hoặc xóa nội dung cả dòng.", "Write the task title, or clear the whole row.");
            self.issue(issue);
            return Err(Dropped);
        }
        if let Some(deadline) = row.deadline_text.as_deref().and_then(parse_deadline) {
            return self.plausible_deadline(tasks, row.row, deadline);
        }
        let shown = row.deadline_text.clone().unwrap_or_default();
        let issue = self
            .at(Code::TaskBadDeadline, tasks.name(), row.row, tasks.deadline_col_or_place())
            .message(
                if shown.is_empty() {
                    "Nhiệm vụ tự bổ sung chưa có thời hạn.".to_string()
                } else {
                    format!("Không hiểu thời hạn «{}».", preview(&shown))
                },
                if shown.is_empty() {
                    "The own task has no deadline.".to_string()
                } else {
                    format!("The deadline \"{}\" cannot be read.", preview(&shown))
                },
            )
            .hint(
                "Ghi như văn bản giao: «chậm nhất ngày 30/10/2025», «trước ngày 15/10/2025», «trong tháng 11/2025», «trong năm 2025», hoặc một ngày dd/mm/yyyy.",
                "Write it as the assigning document does: \"chậm nhất ngày 30/10/2025\", \"trước ngày 15/10/2025\", \"trong tháng 11/2025\", \"trong năm 2025\", or a dd/mm/yyyy date.",
            );
        self.issue(issue);
        Err(Dropped)
    }

    /// A deadline whose last day a report can mean: one in the year 0 would
    /// make the task overdue by 739,889 days, one in 2099 never overdue.
    fn plausible_deadline(
        &mut self,
        tasks: &TasksSheet<'_>,
        row: u32,
        deadline: Deadline,
    ) -> Result<Deadline, Dropped> {
        if text::plausible_days(self.received_day).contains(&deadline.last_day) {
            return Ok(deadline);
        }
        let (range_vi, range_en) = self.plausible_range_words();
        let last_day = vi_date(deadline.last_day);
        let issue = self
            .at(Code::TaskBadDeadline, tasks.name(), row, tasks.deadline_col_or_place())
            .message(
                format!(
                    "Thời hạn «{}» (ngày {last_day}) nằm ngoài khoảng ngày hợp lý của báo cáo ({range_vi}).",
                    preview(&deadline.text)
                ),
                format!(
                    "The deadline \"{}\" ({last_day}) is outside the dates a report can mean ({range_en}).",
                    preview(&deadline.text)
                ),
            )
            .hint(
                "Kiểm tra lại năm của thời hạn, ghi như văn bản giao, ví dụ «chậm nhất ngày 30/10/2025».",
                "Check the deadline's year; write it as the assigning document does, for example \"chậm nhất ngày 30/10/2025\".",
            );
        self.issue(issue);
        Err(Dropped)
    }

    /// The status is what the aggregate counts: a row without a readable one is dropped.
    fn task_status(&mut self, tasks: &TasksSheet<'_>, row: &TaskRow<'_>) -> Result<TaskStatus, Dropped> {
        let Some(text) = &row.status_text else {
            let issue = self
                .at(Code::TaskMissingStatus, tasks.name(), row.row, tasks.status_col)
                .message("Chưa chọn trạng thái nhiệm vụ.", "No task status was chosen.")
                .hint(STATUS_CHOICES.0, STATUS_CHOICES.1);
            self.issue(issue);
            return Err(Dropped);
        };
        if let Some(status) = parse_status(text, &self.config.schema.task_statuses) {
            return Ok(status);
        }
        let issue = self
            .at(Code::TaskBadStatus, tasks.name(), row.row, tasks.status_col)
            .message(
                format!("Trạng thái «{}» không hợp lệ.", preview(text)),
                format!("Status \"{}\" is not valid.", preview(text)),
            )
            .hint(STATUS_CHOICES.0, STATUS_CHOICES.1);
        self.issue(issue);
        Err(Dropped)
    }

    /// The completion date, if any. A date after the report was received cannot
    /// be true, and the row is dropped rather than counted as done.
    fn completion_date(
        &mut self,
        tasks: &TasksSheet<'_>,
        row: &TaskRow<'_>,
        received_day: Option<NaiveDate>,
    ) -> Result<Option<NaiveDate>, Dropped> {
        let completed_on = match (tasks.done_col, row.done_cell) {
            (Some(col), Some(cell)) => {
                self.date(tasks.name(), row.row, col, Some(cell), "Ngày hoàn thành", "Completion date")
            }
            _ => None,
        };
        if let (Some(day), Some(received), Some(col)) = (completed_on, received_day, tasks.done_col)
            && day > received
        {
            let fmt = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
            let issue = self
                .at(Code::TaskCompletionInFuture, tasks.name(), row.row, col)
                .message(
                    format!("Ngày hoàn thành {} ở sau ngày nhận báo cáo {}.", fmt(day), fmt(received)),
                    format!("The completion date {} is after the report was received ({}).", fmt(day), fmt(received)),
                )
                .hint("Chỉ ghi ngày đã hoàn thành thực tế.", "Write only the date the task was actually completed.");
            self.issue(issue);
            return Err(Dropped);
        }
        Ok(completed_on)
    }

    /// A completed task needs its date (a late completion is told by it); a
    /// date on an unfinished task is ignored. Both are warnings: the row is kept.
    fn check_status_matches_date(
        &mut self,
        tasks: &TasksSheet<'_>,
        row: u32,
        status: TaskStatus,
        completed_on: Option<NaiveDate>,
    ) {
        let issue = match (status, completed_on) {
            (TaskStatus::Completed, None) => self
                .at(Code::TaskCompletionMissing, tasks.name(), row, tasks.done_col_or_place())
                .message(
                    "Nhiệm vụ đã hoàn thành nhưng chưa ghi ngày hoàn thành.",
                    "The task is completed but has no completion date.",
                )
                .hint("Ghi ngày hoàn thành dạng dd/mm/yyyy.", "Write the completion date as dd/mm/yyyy."),
            (TaskStatus::InProgress | TaskStatus::NotStarted, Some(_)) => self
                .at(Code::TaskCompletionBeforeStart, tasks.name(), row, tasks.done_col_or_place())
                .message(
                    "Có ngày hoàn thành nhưng trạng thái chưa phải «Đã hoàn thành»; ngày này không được tính.",
                    "A completion date is given but the status is not completed; the date is ignored.",
                )
                .hint("Sửa trạng thái hoặc xóa ngày hoàn thành.", "Fix the status or clear the date."),
            _ => return,
        };
        self.issue(issue);
    }

    /// Every assigned task needs a row: a missing one would silently hide an
    /// overdue task. For an unknown unit, the tasks of every unit of its type.
    fn check_assigned_rows_present(&mut self, sheet: &str, reporter: Reporter<'_>, seen: &HashMap<String, u32>) {
        let config = self.config;
        let assigned = |t: &&TaskDef| reporter.assignment(t, &config.units) == Assignment::Assigned;
        for t in config.schema.tasks.iter().filter(assigned) {
            if !seen.contains_key(&t.code) {
                let issue = Issue::new(Code::TaskMissingStatus, Location::file(&self.file))
                    .message(
                        format!("Thiếu dòng nhiệm vụ được giao {} «{}».", t.code, t.vi),
                        format!("The row of assigned task {} \"{}\" is missing.", t.code, t.en),
                    )
                    .hint(
                        "Dùng biểu mẫu mới nhất; báo cáo trạng thái của mọi nhiệm vụ được giao.",
                        "Use the latest form; report the status of every assigned task.",
                    )
                    .in_sheet(sheet);
                self.issue(issue);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_by_label_code_and_synonym() {
        let labels = vec![crate::schema::Labelled {
            code: "completed".into(),
            vi: "Đã hoàn thành".into(),
            en: "Completed".into(),
        }];
        assert_eq!(parse_status("đã hoàn thành", &labels), Some(TaskStatus::Completed));
        assert_eq!(parse_status("DA HOAN THANH", &labels), Some(TaskStatus::Completed));
        assert_eq!(parse_status("Đang làm", &labels), Some(TaskStatus::InProgress));
        assert_eq!(parse_status("Chưa", &labels), Some(TaskStatus::NotStarted));
        assert_eq!(parse_status("sắp xong", &labels), None);
    }
}
