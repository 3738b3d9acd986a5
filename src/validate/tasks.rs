//! The tasks sheet: assigned tasks' progress and the unit's own tasks.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{SheetRef, Validator, check_merged, find_header, header_missing, preview};
use crate::contract::header;
use crate::issue::{Code, Issue, Location};
use crate::model::{TaskReport, TaskStatus};
use crate::schema::{Unit, parse_deadline};
use crate::text::{fold_key, is_label_key};

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

impl Validator<'_> {
    pub(crate) fn check_tasks(
        &mut self,
        sheet: &SheetRef<'_>,
        unit: &Unit,
        received_day: Option<NaiveDate>,
    ) -> Vec<TaskReport> {
        let raw = sheet.sheet;
        let name = sheet.name().to_string();
        let needed = [header::CODE, header::TASK, header::STATUS];
        let optional = [header::ASSIGNED_BY, header::DEADLINE, header::COMPLETED_ON, header::NOTE];
        let Some((header_row, cols, opt)) = find_header(raw, &needed, &optional) else {
            let issue = header_missing(&self.file, &name, &needed);
            self.issue(issue);
            return Vec::new();
        };
        let (code_col, title_col, status_col) = (cols[0], cols[1], cols[2]);
        let [assigned_col, deadline_col, done_col, note_col] = [opt[0], opt[1], opt[2], opt[3]];
        let mut data_cols = vec![status_col];
        data_cols.extend(done_col);
        check_merged(self, raw, header_row + 1, &data_cols);

        let config = self.config;
        let mut out = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        for row in raw.used_rows().into_iter().filter(|&r| r > header_row) {
            let read = |v: &mut Self, col: Option<u32>| col.and_then(|c| v.text(&name, row, c, raw.get(row, c)));
            let code = read(self, Some(code_col)).map(|c| c.trim().to_uppercase());
            let title = read(self, Some(title_col));
            let status_text = read(self, Some(status_col));
            let assigned_by = read(self, assigned_col);
            let deadline_text = match deadline_col.and_then(|c| raw.get(row, c)) {
                Some(crate::model::CellValue::Date(d)) => Some(d.format("%d/%m/%Y").to_string()),
                _ => read(self, deadline_col),
            };
            let note = read(self, note_col);
            let done_cell = done_col.and_then(|c| raw.get(row, c));
            if code.is_none()
                && title.is_none()
                && status_text.is_none()
                && deadline_text.is_none()
                && done_cell.is_none()
                && assigned_by.is_none()
            {
                continue;
            }
            let schema_task = match &code {
                Some(code) => {
                    if let Some(first) = seen.get(code) {
                        let issue = self
                            .at(Code::TaskDuplicate, &name, row, code_col)
                            .message(
                                format!("Nhiệm vụ {code} xuất hiện lần thứ hai (lần đầu ở dòng {}).", first + 1),
                                format!("Task {code} appears a second time (first on row {}).", first + 1),
                            )
                            .hint("Mỗi nhiệm vụ một dòng; xóa dòng lặp.", "One row per task; delete the repeated row.");
                        self.issue(issue);
                        continue;
                    }
                    seen.insert(code.clone(), row);
                    match config.schema.task(code) {
                        Some(t) => {
                            if !t.assigned_to(&unit.code, &unit.unit_type) {
                                // A form for a unit type lists tasks of single units of that
                                // type (BNV's, BKHCN's); other units leave those rows empty.
                                if status_text.is_none() && done_cell.is_none() {
                                    continue;
                                }
                                let issue = self
                                    .at(Code::TaskNotAssigned, &name, row, code_col)
                                    .message(
                                        format!("Nhiệm vụ {code} không giao cho {}; vẫn được ghi nhận.", unit.short),
                                        format!("Task {code} is not assigned to {}; it is recorded anyway.", unit.en),
                                    )
                                    .hint("Kiểm tra mã nhiệm vụ.", "Check the task code.");
                                self.issue(issue);
                            }
                            Some(t)
                        }
                        None => {
                            let issue = self
                                .at(Code::TaskUnknownCode, &name, row, code_col)
                                .message(
                                    format!("Mã nhiệm vụ «{}» không có trong danh mục nhiệm vụ được giao.", preview(code)),
                                    format!("Task code \"{}\" is not in the list of assigned tasks.", preview(code)),
                                )
                                .hint(
                                    "Nhiệm vụ do đơn vị tự bổ sung: để trống cột «Mã», ghi tên và thời hạn.",
                                    "For a task of your own, leave the Code column empty and give its title and deadline.",
                                );
                            self.issue(issue);
                            continue;
                        }
                    }
                }
                None => None,
            };

            let deadline = match schema_task {
                Some(t) => Some(t.deadline.clone()),
                None => {
                    if title.is_none() {
                        let issue = self
                            .at(Code::TaskMissingTitle, &name, row, title_col)
                            .message(
                                "Dòng nhiệm vụ tự bổ sung chưa có tên nhiệm vụ.",
                                "An own-task row has no task title.",
                            )
                            .hint(
                                "Ghi tên nhiệm vụ, hoặc xóa nội dung cả dòng.",
                                "Write the task title, or clear the whole row.",
                            );
                        self.issue(issue);
                        continue;
                    }
                    let parsed = deadline_text.as_deref().and_then(parse_deadline);
                    if parsed.is_none() {
                        let shown = deadline_text.clone().unwrap_or_default();
                        let issue = self
                            .at(Code::TaskBadDeadline, &name, row, deadline_col.unwrap_or(title_col + 2))
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
                        continue;
                    }
                    parsed
                }
            };

            let status = match &status_text {
                None => {
                    let issue = self
                        .at(Code::TaskMissingStatus, &name, row, status_col)
                        .message("Chưa chọn trạng thái nhiệm vụ.", "No task status was chosen.")
                        .hint(
                            "Chọn: Đã hoàn thành / Đang thực hiện / Chưa thực hiện.",
                            "Choose: completed / in progress / not started.",
                        );
                    self.issue(issue);
                    continue;
                }
                Some(t) => match parse_status(t, &config.schema.task_statuses) {
                    Some(s) => s,
                    None => {
                        let issue = self
                            .at(Code::TaskBadStatus, &name, row, status_col)
                            .message(
                                format!("Trạng thái «{}» không hợp lệ.", preview(t)),
                                format!("Status \"{}\" is not valid.", preview(t)),
                            )
                            .hint(
                                "Chọn: Đã hoàn thành / Đang thực hiện / Chưa thực hiện.",
                                "Choose: completed / in progress / not started.",
                            );
                        self.issue(issue);
                        continue;
                    }
                },
            };

            let completed_on = match (done_col, done_cell) {
                (Some(col), Some(cell)) => self.date(&name, row, col, Some(cell), "Ngày hoàn thành", "Completion date"),
                _ => None,
            };
            if let (Some(day), Some(received), Some(col)) = (completed_on, received_day, done_col)
                && day > received
            {
                let fmt = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
                let issue = self
                    .at(Code::TaskCompletionInFuture, &name, row, col)
                    .message(
                        format!("Ngày hoàn thành {} ở sau ngày nhận báo cáo {}.", fmt(day), fmt(received)),
                        format!(
                            "The completion date {} is after the report was received ({}).",
                            fmt(day),
                            fmt(received)
                        ),
                    )
                    .hint(
                        "Chỉ ghi ngày đã hoàn thành thực tế.",
                        "Write only the date the task was actually completed.",
                    );
                self.issue(issue);
                continue;
            }
            match (status, completed_on) {
                (TaskStatus::Completed, None) => {
                    let issue = self
                        .at(Code::TaskCompletionMissing, &name, row, done_col.unwrap_or(status_col + 1))
                        .message(
                            "Nhiệm vụ đã hoàn thành nhưng chưa ghi ngày hoàn thành.",
                            "The task is completed but has no completion date.",
                        )
                        .hint("Ghi ngày hoàn thành dạng dd/mm/yyyy.", "Write the completion date as dd/mm/yyyy.");
                    self.issue(issue);
                }
                (TaskStatus::InProgress | TaskStatus::NotStarted, Some(_)) => {
                    let issue = self
                        .at(Code::TaskCompletionBeforeStart, &name, row, done_col.unwrap_or(status_col + 1))
                        .message(
                            "Có ngày hoàn thành nhưng trạng thái chưa phải «Đã hoàn thành»; ngày này không được tính.",
                            "A completion date is given but the status is not completed; the date is ignored.",
                        )
                        .hint("Sửa trạng thái hoặc xóa ngày hoàn thành.", "Fix the status or clear the date.");
                    self.issue(issue);
                }
                _ => {}
            }
            let completed_on = if status == TaskStatus::Completed { completed_on } else { None };
            out.push(TaskReport {
                code: schema_task.map(|t| t.code.clone()),
                title: schema_task.map(|t| t.vi.clone()).or(title).unwrap_or_default(),
                assigned_by: schema_task.map(|t| t.assigned_by.clone()).or(assigned_by),
                deadline,
                status,
                completed_on,
                note,
                source: Self::cell_ref(&name, row, status_col),
            });
        }

        // Every assigned task needs a row: a missing one would silently hide an overdue task.
        for t in config.schema.tasks.iter().filter(|t| t.assigned_to(&unit.code, &unit.unit_type)) {
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
                    .in_sheet(&name);
                self.issue(issue);
            }
        }
        out
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
