//! The weekly workbook contract, version 1: sheet titles, labels and headers
//! shared by the form writer and the reader (`docs/workbook-format.md`).
//!
//! Titles and labels are matched with [`crate::text::fold_key`] (NFC, case
//! folding, no diacritics), so `CHI TIEU` and `Chỉ tiêu` are the same sheet.
//! Data are located by header and code, never by fixed cell address.

/// Version of the workbook contract (not of the criteria schema).
pub const CONTRACT_VERSION: &str = "1";

pub const SHEET_INSTRUCTIONS: &str = "Hướng dẫn";
pub const SHEET_INFO: &str = "Thông tin chung";
pub const SHEET_CRITERIA: &str = "Chỉ tiêu";
pub const SHEET_TASKS: &str = "Nhiệm vụ";
pub const SHEET_NARRATIVE: &str = "Khó khăn, kiến nghị";
/// Hidden sheet holding the drop-down lists; not part of what is read.
pub const SHEET_LISTS: &str = "Danh mục";

/// The sheets a reader needs, with English titles also accepted.
pub const READ_SHEETS: [(&str, &str); 4] = [
    (SHEET_INFO, "General information"),
    (SHEET_CRITERIA, "Criteria"),
    (SHEET_TASKS, "Tasks"),
    (SHEET_NARRATIVE, "Difficulties and proposals"),
];

/// Labels of the general-information sheet (label in one cell, value to its right).
pub mod info {
    pub const UNIT: &str = "Mã đơn vị";
    pub const FROM: &str = "Từ ngày";
    pub const TO: &str = "Đến ngày";
    pub const PREPARED_BY: &str = "Người lập";
    pub const PHONE: &str = "Điện thoại";
    pub const EMAIL: &str = "Email";
    pub const APPROVED_BY: &str = "Lãnh đạo phê duyệt";
    pub const VERSION: &str = "Phiên bản biểu mẫu";
    /// The form's unit type, written by the generator; read only to check the
    /// other sheets of a file whose unit is not known.
    pub const UNIT_TYPE: &str = "Loại đơn vị";

    /// Every label with its accepted English synonym.
    pub const LABELS: [(&str, &str); 9] = [
        (UNIT, "Unit code"),
        (FROM, "From"),
        (TO, "To"),
        (PREPARED_BY, "Prepared by"),
        (PHONE, "Phone"),
        (EMAIL, "E-mail"),
        (APPROVED_BY, "Approved by"),
        (VERSION, "Form version"),
        (UNIT_TYPE, "Unit type"),
    ];
}

/// Column headers; `(Vietnamese, English)`; the reader accepts either.
pub mod header {
    pub const NO: (&str, &str) = ("STT", "No.");
    pub const CODE: (&str, &str) = ("Mã", "Code");
    pub const CRITERION: (&str, &str) = ("Chỉ tiêu", "Criterion");
    pub const UNIT: (&str, &str) = ("Đơn vị tính", "Unit");
    pub const VALUE: (&str, &str) = ("Số liệu", "Value");
    pub const NOTE: (&str, &str) = ("Ghi chú", "Note");
    pub const TASK: (&str, &str) = ("Nhiệm vụ", "Task");
    pub const ASSIGNED_BY: (&str, &str) = ("Văn bản giao", "Assigned by");
    pub const DEADLINE: (&str, &str) = ("Thời hạn", "Deadline");
    pub const STATUS: (&str, &str) = ("Trạng thái", "Status");
    pub const COMPLETED_ON: (&str, &str) = ("Ngày hoàn thành", "Completed on");
    pub const KIND: (&str, &str) = ("Loại", "Kind");
    pub const FIELD: (&str, &str) = ("Lĩnh vực", "Field");
    pub const TEXT: (&str, &str) = ("Nội dung", "Content");
    pub const ADDRESSEE: (&str, &str) = ("Cơ quan đề nghị xử lý", "Body asked to act");
}

/// Rows for a unit's own tasks in a generated form.
pub const OWN_TASK_ROWS: u32 = 15;
/// Rows for narrative items in a generated form.
pub const NARRATIVE_ROWS: u32 = 40;
