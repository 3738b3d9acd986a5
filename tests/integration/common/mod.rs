//! Test fixtures for the end-to-end tests: an in-memory grid model of a weekly
//! report workbook, written to `.xlsx` with `rust_xlsxwriter`, and helpers that
//! run the real `tonghop` binary and look at its `--json` output.
//!
//! The layout written here is deliberately NOT the one of `src/form`: other
//! columns, other rows, another sheet order, an extra sheet, a blank column
//! between the code and value columns is absent but section rows are present,
//! etc. The only things shared with the implementation are the workbook
//! contract (sheet titles, labels, headers; docs/product.md §6) and the criteria
//! schema, which is read from `report_templates/` with the crate's own loader so
//! that the fixture follows whatever the administrator configured.

mod formats;
pub mod tools;
#[allow(unused_imports)]
pub use formats::*;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, TimeZone, Utc};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
use serde_json::Value;
use tonghop::schema::{Config, ValueType};

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

/// The crate root (tests run there, but the binary is always pointed at it explicitly).
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled configuration, parsed once.
pub fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| Config::load(&crate_dir().join("report_templates")).expect("report_templates/ loads"))
}

// Sheet titles, labels and headers of the workbook contract (docs/product.md §6),
// written out here rather than taken from `tonghop::contract`.
pub const INSTRUCTIONS: &str = "Hướng dẫn";
pub const INFO: &str = "Thông tin chung";
pub const CRITERIA: &str = "Chỉ tiêu";
pub const TASKS: &str = "Nhiệm vụ";
pub const NARRATIVE: &str = "Khó khăn, kiến nghị";
pub const EXTRA: &str = "Ghi chú nội bộ";

pub const L_UNIT: &str = "Mã đơn vị";
pub const L_FROM: &str = "Từ ngày";
pub const L_TO: &str = "Đến ngày";
pub const L_PREPARED: &str = "Người lập";
pub const L_PHONE: &str = "Điện thoại";
pub const L_EMAIL: &str = "Email";
pub const L_APPROVED: &str = "Lãnh đạo phê duyệt";
pub const L_VERSION: &str = "Phiên bản biểu mẫu";

pub const H_CODE: &str = "Mã";
pub const H_CRITERION: &str = "Chỉ tiêu";
pub const H_UNIT: &str = "Đơn vị tính";
pub const H_VALUE: &str = "Số liệu";
pub const H_NOTE: &str = "Ghi chú";
pub const H_TASK: &str = "Nhiệm vụ";
pub const H_DEADLINE: &str = "Thời hạn";
pub const H_ASSIGNED: &str = "Văn bản giao";
pub const H_STATUS: &str = "Trạng thái";
pub const H_DONE: &str = "Ngày hoàn thành";
pub const H_KIND: &str = "Loại";
pub const H_FIELD: &str = "Lĩnh vực";
pub const H_ADDRESSEE: &str = "Cơ quan đề nghị xử lý";
pub const H_TEXT: &str = "Nội dung";

// ---------------------------------------------------------------------------
// Grid model
// ---------------------------------------------------------------------------

/// What a cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// A real date (a number with a date format).
    Date(NaiveDate),
    Bool(bool),
    /// A formula saved without a cached value (as written by a program that
    /// does not calculate): readers see no value.
    Formula(String),
    /// A formula with a cached numeric result.
    FormulaValue(String, f64),
    /// A formula whose cached result is an error such as `#DIV/0!`.
    ErrorFormula(String, String),
}

pub fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}
pub fn num(n: f64) -> Cell {
    Cell::Number(n)
}
pub fn date(y: i32, m: u32, d: u32) -> Cell {
    Cell::Date(ymd(y, m, d))
}
pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<f64> for Cell {
    fn from(n: f64) -> Cell {
        Cell::Number(n)
    }
}
impl From<i32> for Cell {
    fn from(n: i32) -> Cell {
        Cell::Number(n as f64)
    }
}
impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Bool(b)
    }
}
impl From<NaiveDate> for Cell {
    fn from(d: NaiveDate) -> Cell {
        Cell::Date(d)
    }
}

/// A merged range, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first: (u32, u32),
    pub last: (u32, u32),
}

/// One worksheet: cells keyed by 0-based (row, column).
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub cells: BTreeMap<(u32, u32), Cell>,
    pub merges: Vec<Merge>,
    pub hidden: bool,
}

impl Sheet {
    pub fn new(name: &str) -> Sheet {
        Sheet { name: name.to_string(), ..Sheet::default() }
    }

    pub fn put(&mut self, row: u32, col: u32, cell: impl Into<Cell>) {
        self.cells.insert((row, col), cell.into());
    }

    /// The position of the first cell (row-major) holding exactly this text.
    pub fn find_text(&self, wanted: &str) -> Option<(u32, u32)> {
        self.cells.iter().find(|(_, c)| matches!(c, Cell::Text(t) if t == wanted)).map(|(pos, _)| *pos)
    }

    /// The highest used row index, if any.
    pub fn last_row(&self) -> Option<u32> {
        self.cells.keys().map(|(r, _)| *r).max()
    }

    /// The bottom-right corner of the used area (what `<dimension>` says).
    pub fn extent(&self) -> (u32, u32) {
        let row = self.cells.keys().map(|(r, _)| *r).max().unwrap_or(0);
        let col = self.cells.keys().map(|(_, c)| *c).max().unwrap_or(0);
        (row, col)
    }

    fn remap(&mut self, f: impl Fn(u32, u32) -> Option<(u32, u32)>) {
        let cells = std::mem::take(&mut self.cells);
        self.cells = cells.into_iter().filter_map(|((r, c), v)| f(r, c).map(|p| (p, v))).collect();
        self.merges = self
            .merges
            .iter()
            .filter_map(|m| Some(Merge { first: f(m.first.0, m.first.1)?, last: f(m.last.0, m.last.1)? }))
            .collect();
    }
}

/// A workbook: sheets in file order, plus the file's received (modification) time.
#[derive(Debug, Clone)]
pub struct Book {
    pub sheets: Vec<Sheet>,
    /// Set as the written file's modification time.
    pub received: DateTime<FixedOffset>,
    /// The criterion values the fixture wrote, by code (for round-trip checks).
    pub intended: BTreeMap<String, Cell>,
}

/// `E12` → (11, 4).
pub fn parse_a1(a1: &str) -> (u32, u32) {
    let letters: String = a1.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &a1[letters.len()..];
    assert!(!letters.is_empty() && !digits.is_empty(), "bad A1 reference {a1:?}");
    let mut col = 0u32;
    for ch in letters.to_ascii_uppercase().bytes() {
        col = col * 26 + u32::from(ch - b'A' + 1);
    }
    let row: u32 = digits.parse().unwrap_or_else(|_| panic!("bad A1 reference {a1:?}"));
    (row - 1, col - 1)
}

/// (11, 4) → `E12`.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{}", col_letters(col), row + 1)
}

/// 0 → `A`, 26 → `AA`.
pub fn col_letters(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

fn col_index(letters: &str) -> u32 {
    parse_a1(&format!("{letters}1")).1
}

/// Deterministic yes/no answers: most "Có", a few "Không".
fn yes_no_for(index: usize) -> &'static str {
    if index % 4 == 3 { "Không" } else { "Có" }
}

/// Realistic figures for the default catalogue; codes not listed get a generic value.
fn preferred_number(code: &str) -> Option<f64> {
    Some(match code {
        "A01" => 3.0,
        "A02" => 5.0,
        "A03" => 20.0,
        "A04" => 4.0,
        "A05" => 556.0,
        "A06" => 120.0,
        "B01" => 12_500.0,
        "B02" => 9_000.0,
        "B03" => 9_200.0,
        "B04" => 11_000.0,
        "B05" => 10_400.0,
        "B06" => 35.0,
        "B07" => 1_500.0,
        "B08" => 1_800.0,
        "C01" => 14.0,
        "C02" => 1_650.0,
        "C03" => 166.0,
        "D01" => 4_200.0,
        "D02" => 3_900.0,
        "D03" => 3_600.0,
        "D04" => 12.0,
        "D05" => 5_200.0,
        "D06" => 4_800.0,
        "E01" => 2.0,
        "E02" => 166.0,
        "E03" => 3_400.0,
        "F01" => 120.0,
        "F02" => 45.0,
        "F03" => 1_234.5,
        "F04" => 6.0,
        "G01" => 9.0,
        "G02" => 3.0,
        "G03" => 2.0,
        _ => return None,
    })
}

fn holds(op: &str, left: f64, right: f64) -> bool {
    match op {
        "<=" => left <= right,
        "<" => left < right,
        ">=" => left >= right,
        ">" => left > right,
        _ => left == right,
    }
}

fn op_text(op: tonghop::schema::Op) -> &'static str {
    use tonghop::schema::Op;
    match op {
        Op::Le => "<=",
        Op::Lt => "<",
        Op::Ge => ">=",
        Op::Gt => ">",
        Op::Eq => "==",
    }
}

/// The received time used by default: the due Monday, 10:00 in Vietnam.
pub fn due_monday_10am(due: NaiveDate) -> DateTime<FixedOffset> {
    vn_time(due.year(), due.month(), due.day(), 10, 0)
}

pub fn vn_time(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(7 * 3600).unwrap().with_ymd_and_hms(y, m, d, h, min, 0).single().expect("valid time")
}

impl Book {
    /// A complete, valid weekly report of `unit_code` for the ISO week `week_label`.
    pub fn valid(unit_code: &str, week_label: &str) -> Book {
        let config = config();
        let unit = config.units.get(unit_code).unwrap_or_else(|| panic!("unit {unit_code} in units.toml"));
        let week =
            config.calendar.week_by_label(week_label).unwrap_or_else(|| panic!("{week_label} is a configured week"));
        let schema = &config.schema;

        // --- values that satisfy types, bounds and rules -------------------
        let criteria: Vec<_> = schema.criteria.iter().filter(|c| c.reported_by.contains(&unit.unit_type)).collect();
        let mut numbers: BTreeMap<String, f64> = BTreeMap::new();
        for c in &criteria {
            let generic = match c.value_type {
                ValueType::Decimal => Some(12.5),
                ValueType::Integer => Some(10.0),
                _ => None,
            };
            if let Some(mut n) = preferred_number(&c.code).filter(|_| c.is_numeric()).or(generic) {
                if let Some(min) = c.min {
                    n = n.max(min);
                }
                if let Some(max) = c.max {
                    n = n.min(max);
                }
                numbers.insert(c.code.clone(), n);
            }
        }
        for _ in 0..10 {
            let mut changed = false;
            for rule in &schema.rules {
                let (Some(&l), Some(&r)) = (numbers.get(&rule.left), numbers.get(&rule.right)) else {
                    continue;
                };
                let op = op_text(rule.op);
                if holds(op, l, r) {
                    continue;
                }
                let fixed = match op {
                    "<" => r - 1.0,
                    ">" => r + 1.0,
                    _ => r,
                };
                numbers.insert(rule.left.clone(), fixed);
                changed = true;
            }
            if !changed {
                break;
            }
        }
        let mut intended = BTreeMap::new();
        let mut yes_no_index = 0;
        for c in &criteria {
            let cell = match c.value_type {
                ValueType::Integer | ValueType::Decimal => Cell::Number(numbers[&c.code]),
                ValueType::YesNo => {
                    yes_no_index += 1;
                    text(yes_no_for(yes_no_index - 1))
                }
                ValueType::Date => Cell::Date(week.to),
                ValueType::Text => text("Không phát sinh"),
            };
            intended.insert(c.code.clone(), cell);
        }

        // --- instructions -------------------------------------------------------
        let mut instructions = Sheet::new(INSTRUCTIONS);
        instructions.put(0, 0, "HƯỚNG DẪN ĐIỀN BÁO CÁO TUẦN");
        instructions.put(2, 0, "Biểu mẫu kiểm thử: bố cục khác biểu mẫu do chương trình tạo.");
        instructions.put(3, 0, "Nhập số liệu vào cột «Số liệu»; không sửa cột «Mã».");

        // --- general information: labels in B, values in C, from row 4 ----------
        let mut info = Sheet::new(INFO);
        info.put(0, 0, "BÁO CÁO TUẦN — THÔNG TIN CHUNG");
        info.put(1, 0, format!("Kỳ báo cáo {}", week.label()));
        let contacts: [(&str, Cell); 8] = [
            (L_UNIT, text(unit.code.clone())),
            (L_FROM, Cell::Date(week.from)),
            (L_TO, Cell::Date(week.to)),
            (L_VERSION, text(schema.version.clone())),
            (L_PREPARED, text("Nguyễn Thị Minh Anh")),
            (L_PHONE, text("0237 3852 123")),
            (L_EMAIL, text("vanphong@example.gov.vn")),
            (L_APPROVED, text("Lê Văn Bình, Phó Chủ tịch")),
        ];
        for (i, (label, value)) in contacts.into_iter().enumerate() {
            info.put(3 + i as u32, 1, label);
            info.put(3 + i as u32, 2, value);
        }

        // --- criteria: code A, label B, unit C, value D, note E; header on row 3 --
        let mut crit = Sheet::new(CRITERIA);
        crit.put(0, 0, "SỐ LIỆU CHỈ TIÊU BÁO CÁO TUẦN");
        for (col, h) in [H_CODE, H_CRITERION, H_UNIT, H_VALUE, H_NOTE].iter().enumerate() {
            crit.put(2, col as u32, *h);
        }
        let mut row = 3;
        for section in &schema.sections {
            let in_section: Vec<_> = criteria.iter().filter(|c| c.section == section.code).collect();
            if in_section.is_empty() {
                continue;
            }
            crit.put(row, 1, format!("{}. {}", section.code, section.vi));
            row += 1;
            for c in in_section {
                crit.put(row, 0, c.code.clone());
                crit.put(row, 1, c.vi.clone());
                crit.put(row, 2, c.unit_vi.clone());
                crit.put(row, 3, intended[&c.code].clone());
                row += 1;
            }
        }

        // --- tasks: code A, title B, deadline C, assigned by D, status E, done F, note G
        let mut tasks = Sheet::new(TASKS);
        tasks.put(0, 0, "TÌNH HÌNH THỰC HIỆN NHIỆM VỤ");
        for (col, h) in [H_CODE, H_TASK, H_DEADLINE, H_ASSIGNED, H_STATUS, H_DONE, H_NOTE].iter().enumerate() {
            tasks.put(1, col as u32, *h);
        }
        let label = |code: &str| -> String {
            schema
                .task_statuses
                .iter()
                .find(|s| s.code == code)
                .map(|s| s.vi.clone())
                .unwrap_or_else(|| code.to_string())
        };
        let mut row = 2;
        for (i, t) in schema.tasks.iter().filter(|t| t.assigned_to(&unit.code, &unit.unit_type)).enumerate() {
            tasks.put(row, 0, t.code.clone());
            tasks.put(row, 1, t.vi.clone());
            tasks.put(row, 2, t.deadline.text.clone());
            tasks.put(row, 3, t.assigned_by.clone());
            match i % 3 {
                0 => {
                    tasks.put(row, 4, label("completed"));
                    tasks.put(row, 5, Cell::Date(week.from - Days::new(10 + i as u64)));
                }
                1 => tasks.put(row, 4, label("in_progress")),
                _ => tasks.put(row, 4, label("not_started")),
            }
            row += 1;
        }
        tasks.put(row, 1, "Rà soát, bố trí trụ sở làm việc cho các xã mới");
        tasks.put(row, 2, "chậm nhất ngày 30/10/2025");
        tasks.put(row, 3, "Kế hoạch 15/KH-UBND");
        tasks.put(row, 4, label("in_progress"));
        tasks.put(row, 6, "Đã hoàn thành 60%");

        // --- narrative: kind A, field B, addressee C, text D; header on row 3 -----
        let mut narrative = Sheet::new(NARRATIVE);
        narrative.put(0, 0, "KẾT QUẢ NỔI BẬT, KHÓ KHĂN, KIẾN NGHỊ");
        for (col, h) in [H_KIND, H_FIELD, H_ADDRESSEE, H_TEXT].iter().enumerate() {
            narrative.put(2, col as u32, *h);
        }
        let kind =
            |code: &str| schema.narrative_kinds.iter().find(|k| k.code == code).map(|k| k.vi.clone()).expect("kind");
        let field = |code: &str| schema.fields.iter().find(|f| f.code == code).map(|f| f.vi.clone()).expect("field");
        let items = [
            ("highlight", "procedures", None, "Tỷ lệ hồ sơ trực tuyến tăng so với tuần trước."),
            ("difficulty", "organization", None, "Thiếu công chức chuyên môn về đất đai tại cấp xã."),
            (
                "proposal",
                "finance",
                Some("Bộ Tài chính"),
                "Đề nghị bổ sung kinh phí chi trả chế độ cho người nghỉ việc.",
            ),
            ("next_week", "other", None, "Tiếp tục đôn đốc chi trả chế độ, chính sách."),
        ];
        for (i, (k, f, to, body)) in items.iter().enumerate() {
            let row = 3 + i as u32;
            narrative.put(row, 0, kind(k));
            narrative.put(row, 1, field(f));
            if let Some(to) = to {
                narrative.put(row, 2, *to);
            }
            narrative.put(row, 3, *body);
        }

        let mut extra = Sheet::new(EXTRA);
        extra.put(0, 0, "Trang riêng của đơn vị, không thuộc biểu mẫu.");
        extra.put(1, 3, 42.0);

        Book {
            // Not the contract order: order must not matter.
            sheets: vec![instructions, crit, info, extra, narrative, tasks],
            received: due_monday_10am(week.due),
            intended,
        }
    }

    /// Thanh Hóa (38), week 2025-W37 (30/08–05/09/2025, due Monday 08/09/2025).
    pub fn province() -> Book {
        Book::valid("38", "2025-W37")
    }

    /// Ministry of Home Affairs (BNV), week 2025-W37.
    pub fn ministry() -> Book {
        Book::valid("BNV", "2025-W37")
    }

    // --- sheets ------------------------------------------------------------

    pub fn sheet(&self, name: &str) -> &Sheet {
        self.sheets.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("fixture has no sheet {name:?}"))
    }

    pub fn sheet_mut(&mut self, name: &str) -> &mut Sheet {
        self.sheets.iter_mut().find(|s| s.name == name).unwrap_or_else(|| panic!("fixture has no sheet {name:?}"))
    }

    pub fn rename_sheet(&mut self, from: &str, to: &str) {
        self.sheet_mut(from).name = to.to_string();
    }

    pub fn remove_sheet(&mut self, name: &str) {
        let before = self.sheets.len();
        self.sheets.retain(|s| s.name != name);
        assert_eq!(before, self.sheets.len() + 1, "fixture has no sheet {name:?}");
    }

    // --- cells -------------------------------------------------------------

    pub fn set(&mut self, sheet: &str, cell: &str, value: impl Into<Cell>) {
        let (r, c) = parse_a1(cell);
        self.sheet_mut(sheet).put(r, c, value);
    }

    pub fn clear(&mut self, sheet: &str, cell: &str) {
        let pos = parse_a1(cell);
        self.sheet_mut(sheet).cells.remove(&pos);
    }

    /// Column (0-based) of a header cell found by its exact text.
    pub fn header_col(&self, sheet: &str, header: &str) -> u32 {
        self.header_pos(sheet, header).1
    }

    /// Row (0-based) of the header row, found by the code header.
    fn header_pos(&self, sheet: &str, header: &str) -> (u32, u32) {
        self.sheet(sheet).find_text(header).unwrap_or_else(|| panic!("no header {header:?} on {sheet:?}"))
    }

    /// 1-based row of a criterion or task code (searched below the `Mã` header).
    pub fn row_of(&self, sheet: &str, code: &str) -> u32 {
        let (header_row, code_col) = self.header_pos(sheet, H_CODE);
        self.sheet(sheet)
            .cells
            .iter()
            .find(|((r, c), v)| *r > header_row && *c == code_col && matches!(v, Cell::Text(t) if t == code))
            .map(|((r, _), _)| r + 1)
            .unwrap_or_else(|| panic!("no row with code {code:?} on {sheet:?}"))
    }

    /// A1 of a criterion's value cell.
    pub fn value_cell(&self, code: &str) -> String {
        let row = self.row_of(CRITERIA, code);
        a1(row - 1, self.header_col(CRITERIA, H_VALUE))
    }

    /// A1 of a criterion's code cell.
    pub fn code_cell(&self, code: &str) -> String {
        let row = self.row_of(CRITERIA, code);
        a1(row - 1, self.header_col(CRITERIA, H_CODE))
    }

    /// Sets a criterion's value cell.
    pub fn set_value(&mut self, code: &str, value: impl Into<Cell>) {
        let cell = self.value_cell(code);
        self.set(CRITERIA, &cell, value);
    }

    /// A1 of the value cell of a general-information label (right of the label).
    pub fn info_cell(&self, label: &str) -> String {
        let (r, c) = self.sheet(INFO).find_text(label).unwrap_or_else(|| panic!("no info label {label:?}"));
        a1(r, c + 1)
    }

    pub fn set_info(&mut self, label: &str, value: impl Into<Cell>) {
        let cell = self.info_cell(label);
        self.set(INFO, &cell, value);
    }

    /// A1 of a task row's cell under `header`.
    pub fn task_cell(&self, code: &str, header: &str) -> String {
        let row = self.row_of(TASKS, code);
        a1(row - 1, self.header_col(TASKS, header))
    }

    /// 1-based row of the first own task (the first row after the schema tasks with a title and no code).
    pub fn own_task_row(&self) -> u32 {
        let (header_row, code_col) = self.header_pos(TASKS, H_CODE);
        let title_col = self.header_col(TASKS, H_TASK);
        let sheet = self.sheet(TASKS);
        (header_row + 1..=sheet.last_row().unwrap())
            .find(|r| !sheet.cells.contains_key(&(*r, code_col)) && sheet.cells.contains_key(&(*r, title_col)))
            .map(|r| r + 1)
            .expect("an own task row")
    }

    /// A1 of a cell of a row (1-based) under `header` of `sheet`.
    pub fn cell_at(&self, sheet: &str, row: u32, header: &str) -> String {
        a1(row - 1, self.header_col(sheet, header))
    }

    /// 1-based row of the n-th (1-based) narrative item.
    pub fn narrative_row(&self, n: u32) -> u32 {
        let (header_row, _) = self.header_pos(NARRATIVE, H_KIND);
        header_row + 1 + n
    }

    /// Appends a row after the last used row of `sheet`: `(column letters, value)` pairs.
    /// Returns the new row's 1-based number.
    pub fn append_row(&mut self, sheet: &str, cells: &[(&str, Cell)]) -> u32 {
        let s = self.sheet_mut(sheet);
        let row = s.last_row().map_or(0, |r| r + 1);
        for (col, value) in cells {
            s.put(row, col_index(col), value.clone());
        }
        row + 1
    }

    // --- structure ---------------------------------------------------------

    /// Inserts a blank row before 1-based row `at` (as Excel's "Insert row").
    pub fn insert_row(&mut self, sheet: &str, at: u32) {
        let at = at - 1;
        self.sheet_mut(sheet).remap(|r, c| Some(if r >= at { (r + 1, c) } else { (r, c) }));
    }

    /// Inserts `n` blank rows before 1-based row `at`.
    pub fn insert_rows(&mut self, sheet: &str, at: u32, n: u32) {
        let at = at - 1;
        self.sheet_mut(sheet).remap(|r, c| Some(if r >= at { (r + n, c) } else { (r, c) }));
    }

    /// Inserts a blank column before column `at` (letters).
    pub fn insert_col(&mut self, sheet: &str, at: &str) {
        let at = col_index(at);
        self.sheet_mut(sheet).remap(|r, c| Some(if c >= at { (r, c + 1) } else { (r, c) }));
    }

    /// Deletes 1-based row `row`, moving the rows below up.
    pub fn delete_row(&mut self, sheet: &str, row: u32) {
        let row = row - 1;
        self.sheet_mut(sheet).remap(|r, c| match r.cmp(&row) {
            std::cmp::Ordering::Less => Some((r, c)),
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some((r - 1, c)),
        });
    }

    /// Reverses the order of the 1-based rows `first..=last`.
    pub fn reverse_rows(&mut self, sheet: &str, first: u32, last: u32) {
        let (first, last) = (first - 1, last - 1);
        self.sheet_mut(sheet)
            .remap(|r, c| Some(if (first..=last).contains(&r) { (first + last - r, c) } else { (r, c) }));
    }

    /// Moves 1-based row `from` so that it ends up as row `to` (cut and insert).
    pub fn move_row(&mut self, sheet: &str, from: u32, to: u32) {
        let (from, to) = (from - 1, to - 1);
        self.sheet_mut(sheet).remap(|r, c| {
            Some(if r == from {
                (to, c)
            } else if from < to && r > from && r <= to {
                (r - 1, c)
            } else if to < from && r >= to && r < from {
                (r + 1, c)
            } else {
                (r, c)
            })
        });
    }

    /// Merges a range like `D5:E5`: as in Excel, only the first cell keeps its value.
    pub fn merge(&mut self, sheet: &str, range: &str) {
        let (a, b) = range.split_once(':').expect("range like D5:E5");
        let (first, last) = (parse_a1(a), parse_a1(b));
        let s = self.sheet_mut(sheet);
        s.cells.retain(|&(r, c), _| {
            (r, c) == first || !(first.0..=last.0).contains(&r) || !(first.1..=last.1).contains(&c)
        });
        s.merges.push(Merge { first, last });
    }

    // --- writing -----------------------------------------------------------

    /// The workbook as `.xlsx` bytes (deterministic: fixed document dates).
    pub fn to_xlsx(&self) -> Vec<u8> {
        self.try_to_xlsx().expect("rust_xlsxwriter writes the fixture")
    }

    fn try_to_xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut workbook = Workbook::new();
        let created = ExcelDateTime::from_ymd(2025, 9, 1)?;
        workbook.set_properties(&DocProperties::new().set_creation_datetime(&created).set_author("tonghop tests"));
        let date_format = Format::new().set_num_format("dd/mm/yyyy");
        let merge_format = Format::new();
        for sheet in &self.sheets {
            let ws = workbook.add_worksheet();
            ws.set_name(&sheet.name)?;
            if sheet.hidden {
                ws.set_hidden(true);
            }
            for m in &sheet.merges {
                ws.merge_range(m.first.0, m.first.1 as u16, m.last.0, m.last.1 as u16, "", &merge_format)?;
            }
            for (&(r, c), cell) in &sheet.cells {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(r, c, t)?;
                    }
                    Cell::Number(n) => {
                        ws.write_number(r, c, *n)?;
                    }
                    Cell::Bool(b) => {
                        ws.write_boolean(r, c, *b)?;
                    }
                    Cell::Date(d) => {
                        let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                        ws.write_datetime_with_format(r, c, &dt, &date_format)?;
                    }
                    Cell::Formula(f) => {
                        ws.write_formula(r, c, f.as_str())?;
                        ws.set_formula_result(r, c, "");
                    }
                    Cell::FormulaValue(f, v) => {
                        ws.write_formula(r, c, f.as_str())?;
                        ws.set_formula_result(r, c, v.to_string());
                    }
                    Cell::ErrorFormula(f, e) => {
                        ws.write_formula(r, c, f.as_str())?;
                        ws.set_formula_result(r, c, e.as_str());
                    }
                }
            }
        }
        workbook.save_to_buffer()
    }

    /// Writes the workbook to `dir/name` with the book's received time as mtime.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        write_file(&path, &self.to_xlsx(), self.received);
        path
    }
}

/// Writes bytes to a file and sets its modification time.
pub fn write_file(path: &Path, bytes: &[u8], mtime: DateTime<FixedOffset>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(bytes).unwrap();
    set_mtime(path, mtime);
}

pub fn set_mtime(path: &Path, mtime: DateTime<FixedOffset>) {
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::from(mtime.with_timezone(&Utc))).unwrap();
}

/// The default received time for files that are not books (W37's due Monday, 10:00).
pub fn default_received() -> DateTime<FixedOffset> {
    vn_time(2025, 9, 8, 10, 0)
}

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `tonghop` with the given arguments, in the crate root.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(args)
        .current_dir(crate_dir())
        .output()
        .expect("the tonghop binary runs");
    Output {
        code: out.status.code().expect("tonghop exited (not killed by a signal)"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `tonghop check --json PATH...` and returns (exit code, parsed JSON).
pub fn check_json_raw(paths: &[&Path]) -> (i32, Value) {
    let mut args: Vec<&OsStr> = vec![OsStr::new("check"), OsStr::new("--json")];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    let out = run(args);
    let json: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
        panic!("--json output is not JSON ({e}); exit {}\nstdout:\n{}\nstderr:\n{}", out.code, out.stdout, out.stderr)
    });
    (out.code, json)
}

/// Runs `tonghop check --json PATH...` and returns the file reports.
pub fn check_json(paths: &[&Path]) -> Vec<Report> {
    let (_, json) = check_json_raw(paths);
    json["files"].as_array().expect("a files array").iter().cloned().map(|json| Report { json }).collect()
}

/// Checks one file and returns its report.
pub fn check_file(path: &Path) -> Report {
    let mut reports = check_json(&[path]);
    assert_eq!(reports.len(), 1, "one report for one file: {reports:#?}");
    reports.remove(0)
}

/// Writes the book into a fresh temporary folder as `name` and checks it.
pub fn check_book(book: &Book, name: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let path = book.write(dir.path(), name);
    check_file(&path)
}

/// Writes raw bytes as `name` (mtime: W37's due Monday) and checks the file.
pub fn check_bytes(bytes: &[u8], name: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    write_file(&path, bytes, default_received());
    check_file(&path)
}

// ---------------------------------------------------------------------------
// Looking at reports
// ---------------------------------------------------------------------------

/// One file's report, as printed by `check --json`.
#[derive(Debug, Clone)]
pub struct Report {
    pub json: Value,
}

/// One issue of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueView {
    pub code: String,
    pub severity: String,
    pub file: String,
    pub sheet: Option<String>,
    pub cell: Option<String>,
    pub message_vi: String,
    pub message_en: String,
}

impl std::fmt::Display for IssueView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => format!("{s}!{c}"),
            (Some(s), None) => format!("{s} (sheet)"),
            (None, Some(c)) => format!("?!{c}"),
            (None, None) => "(file)".to_string(),
        };
        write!(f, "{} {} @ {} — {}", self.code, self.severity, place, self.message_en)
    }
}

impl Report {
    pub fn path(&self) -> &str {
        self.json["file"]["path"].as_str().unwrap_or("")
    }

    pub fn status(&self) -> &str {
        self.json["status"].as_str().expect("a status")
    }

    pub fn unit(&self) -> Option<&str> {
        self.json["unit"].as_str()
    }

    pub fn issues(&self) -> Vec<IssueView> {
        let s = |v: &Value| v.as_str().map(str::to_string);
        self.json["issues"]
            .as_array()
            .expect("an issues array")
            .iter()
            .map(|i| IssueView {
                code: s(&i["code"]).unwrap_or_default(),
                severity: s(&i["severity"]).unwrap_or_default(),
                file: s(&i["location"]["file"]).unwrap_or_default(),
                sheet: s(&i["location"]["sheet"]),
                cell: s(&i["location"]["cell"]),
                message_vi: s(&i["message_vi"]).unwrap_or_default(),
                message_en: s(&i["message_en"]).unwrap_or_default(),
            })
            .collect()
    }

    /// All issues, one per line, for failure messages.
    pub fn describe(&self) -> String {
        let mut out = format!("report for {:?}: status {:?}, unit {:?}\n", self.path(), self.status(), self.unit());
        let issues = self.issues();
        if issues.is_empty() {
            out.push_str("  (no issues)\n");
        }
        for i in issues {
            let _ = writeln!(out, "  {i}");
        }
        out
    }

    pub fn submission(&self) -> Option<&Value> {
        let s = &self.json["submission"];
        if s.is_null() { None } else { Some(s) }
    }

    /// The reported value of a criterion: `{"type": ..., "value": ...}`, with its source.
    pub fn value(&self, code: &str) -> Option<&Value> {
        self.submission()?["values"].as_array()?.iter().find(|v| v["code"] == code)
    }

    pub fn number(&self, code: &str) -> Option<f64> {
        let v = self.value(code)?;
        assert_eq!(v["value"]["type"], "number", "{code} is a number: {v}");
        v["value"]["value"].as_f64()
    }
}

/// Asserts that the report has an issue with exactly this code and location
/// (`None` = no sheet / no cell in the location) and returns it.
#[track_caller]
pub fn assert_issue(report: &Report, code: &str, sheet: Option<&str>, cell: Option<&str>) -> IssueView {
    let issues = report.issues();
    match issues.iter().find(|i| i.code == code && i.sheet.as_deref() == sheet && i.cell.as_deref() == cell) {
        Some(i) => i.clone(),
        None => panic!("expected issue {code} at sheet {sheet:?}, cell {cell:?}\n{}", report.describe()),
    }
}

/// Like [`assert_issue`], also checking the severity.
#[track_caller]
pub fn assert_issue_sev(
    report: &Report,
    code: &str,
    severity: &str,
    sheet: Option<&str>,
    cell: Option<&str>,
) -> IssueView {
    let issue = assert_issue(report, code, sheet, cell);
    assert_eq!(issue.severity, severity, "severity of {code}\n{}", report.describe());
    issue
}

/// Asserts the file's status: `accepted`, `accepted_with_warnings`, `rejected` or `ignored`.
#[track_caller]
pub fn assert_status(report: &Report, status: &str) {
    assert_eq!(report.status(), status, "status\n{}", report.describe());
}

/// Asserts the exact multiset of issue codes (order-insensitive): nothing unexpected on top.
#[track_caller]
pub fn assert_codes(report: &Report, codes: &[&str]) {
    let mut got: Vec<String> = report.issues().into_iter().map(|i| i.code).collect();
    got.sort();
    let mut want: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
    want.sort();
    assert_eq!(got, want, "issue codes\n{}", report.describe());
}

/// Asserts a file was accepted without any issue.
#[track_caller]
pub fn assert_clean(report: &Report) {
    assert_codes(report, &[]);
    assert_status(report, "accepted");
}

/// Copies a folder and everything in it (a configuration to edit in a test).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file under `paths` read and validated by the driver, in discovery order.
pub fn check_all(config: &Config, paths: &[PathBuf]) -> Vec<tonghop::model::FileReport> {
    let lang = tonghop::language::Language::load(&[config.dir.as_path()], "vi").expect("Vietnamese");
    let mut reports = Vec::new();
    tonghop::pipeline::Pipeline::new(config, lang, None)
        .check(paths, |batch| -> tonghop::Result<()> {
            reports.extend(batch);
            Ok(())
        })
        .expect("check");
    reports
}
