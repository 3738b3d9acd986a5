//! Stage 2: the blank (or prefilled) weekly form for a unit type.
//!
//! The form follows the workbook contract of [`crate::contract`]: an
//! instructions sheet first, locked labels and codes, unlocked input cells with
//! data validation and Vietnamese input messages, the schema version recorded
//! on the general-information sheet. The same writer, given a [`Fill`], writes
//! filled reports (sample data and tests).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, ExcelDateTime, Format,
    FormatAlign, FormatBorder, Formula, ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use crate::contract::{self, header, info};
use crate::model::{ReportContacts, ReportWeek, TaskStatus};
use crate::schema::{Config, Unit, UnitType, ValueType};

/// What to write into a form besides the labels.
#[derive(Debug, Clone, Default)]
pub struct Fill {
    pub contacts: ReportContacts,
    /// Criterion code → value as it should appear in the cell.
    pub values: BTreeMap<String, FillValue>,
    /// Status of schema tasks by task code.
    pub tasks: BTreeMap<String, TaskFill>,
    /// The unit's own tasks.
    pub own_tasks: Vec<OwnTaskFill>,
    pub narrative: Vec<NarrativeFill>,
}

/// A cell value for a filled form.
#[derive(Debug, Clone, PartialEq)]
pub enum FillValue {
    Number(f64),
    YesNo(bool),
    Date(NaiveDate),
    Text(String),
}

/// Progress of one schema task.
#[derive(Debug, Clone)]
pub struct TaskFill {
    pub status: TaskStatus,
    pub completed_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// A task the unit adds itself.
#[derive(Debug, Clone)]
pub struct OwnTaskFill {
    pub title: String,
    pub assigned_by: String,
    /// As the reporter writes it: a date or one of the official wordings.
    pub deadline: String,
    pub progress: TaskFill,
}

/// One narrative row.
#[derive(Debug, Clone)]
pub struct NarrativeFill {
    /// Narrative kind code (`difficulty`, ...).
    pub kind: String,
    /// Field code (`finance`, ...).
    pub field: String,
    pub text: String,
    pub addressee: Option<String>,
}

/// Which form to write.
#[derive(Debug, Clone, Copy)]
pub struct FormRequest<'a> {
    pub unit_type: &'a UnitType,
    /// Prefill the unit (its code, locked in no way: the reporter may correct it).
    pub unit: Option<&'a Unit>,
    /// Prefill the period.
    pub week: Option<ReportWeek>,
    pub fill: Option<&'a Fill>,
}

/// The fixed creation time written into every form, so the same request gives the same bytes.
const FIXED_CREATED: (u16, u8, u8) = (2025, 9, 1);

struct Styles {
    title: Format,
    subtitle: Format,
    header: Format,
    label: Format,
    label_bold: Format,
    section: Format,
    locked_text: Format,
    input_text: Format,
    input_number: Format,
    input_decimal: Format,
    input_date: Format,
    note: Format,
}

impl Styles {
    fn new() -> Styles {
        let base = Format::new().set_font_name("Times New Roman").set_font_size(12);
        let bordered =
            base.clone().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::VerticalCenter);
        let input = bordered.clone().set_unlocked().set_background_color(Color::RGB(0xFFF9DB));
        Styles {
            title: base.clone().set_bold().set_font_size(14).set_align(FormatAlign::Center),
            subtitle: base.clone().set_italic().set_align(FormatAlign::Center).set_text_wrap(),
            header: bordered
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xDDE7F3)),
            label: bordered.clone(),
            label_bold: bordered.clone().set_bold(),
            section: bordered.clone().set_bold().set_background_color(Color::RGB(0xF2F2F2)),
            locked_text: bordered.clone(),
            input_text: input.clone(),
            input_number: input.clone().set_num_format("#,##0"),
            input_decimal: input.clone().set_num_format("#,##0.0##"),
            input_date: input.set_num_format("dd/mm/yyyy").set_align(FormatAlign::Center),
            note: base.set_italic().set_text_wrap().set_font_color(Color::RGB(0x555555)),
        }
    }
}

/// Writes the form and returns the `.xlsx` bytes.
///
/// ```
/// use tonghop::form::{write_form, FormRequest};
/// use tonghop::schema::{Config, UnitType};
/// let config = Config::load(std::path::Path::new("report_templates")).unwrap();
/// let province = UnitType("province".into());
/// let bytes = write_form(&config, &FormRequest { unit_type: &province, unit: None, week: None, fill: None }).unwrap();
/// assert_eq!(&bytes[..2], b"PK");
/// ```
pub fn write_form(config: &Config, request: &FormRequest<'_>) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    let type_label =
        config.units.type_def(request.unit_type).map(|d| d.vi.clone()).unwrap_or_else(|| request.unit_type.0.clone());
    let (y, m, d) = FIXED_CREATED;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("Báo cáo tuần mô hình chính quyền địa phương 02 cấp — {type_label}"))
            .set_author("Bộ Nội vụ")
            .set_company("Bộ Nội vụ")
            .set_creation_datetime(&ExcelDateTime::from_ymd(y, m, d)?)
            .set_custom_property("tonghop_schema_version", config.schema.version.as_str())
            .set_custom_property("tonghop_contract_version", contract::CONTRACT_VERSION)
            .set_custom_property("tonghop_unit_type", request.unit_type.as_str()),
    );

    let lists = ListRanges::layout(config, request.unit_type);
    write_instructions(workbook.add_worksheet(), config, &styles, &type_label)?;
    write_info(workbook.add_worksheet(), config, request, &styles, &lists, &type_label)?;
    write_criteria(workbook.add_worksheet(), config, request, &styles)?;
    write_tasks(workbook.add_worksheet(), config, request, &styles, &lists)?;
    write_narrative(workbook.add_worksheet(), config, request, &styles, &lists)?;
    write_lists(workbook.add_worksheet(), config, request.unit_type, &lists)?;
    workbook.save_to_buffer()
}

/// Where each drop-down list sits on the hidden lists sheet.
struct ListRanges {
    units: (u32, u32),
    statuses: (u32, u32),
    kinds: (u32, u32),
    fields: (u32, u32),
}

impl ListRanges {
    fn layout(config: &Config, unit_type: &UnitType) -> ListRanges {
        let n_units = config.units.units_of(unit_type).count() as u32;
        let span = |n: u32| (1, n.max(1));
        ListRanges {
            units: span(n_units),
            statuses: span(config.schema.task_statuses.len() as u32),
            kinds: span(config.schema.narrative_kinds.len() as u32),
            fields: span(config.schema.fields.len() as u32),
        }
    }

    fn formula(col: char, (first, last): (u32, u32)) -> Formula {
        Formula::new(format!("='{}'!${col}${}:${col}${}", contract::SHEET_LISTS, first + 1, last + 1))
    }
}

fn protect(sheet: &mut Worksheet) {
    let options = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        insert_columns: true,
        insert_rows: true,
        ..ProtectionOptions::default()
    };
    sheet.protect_with_options(&options);
}

fn print_setup(sheet: &mut Worksheet, landscape: bool) {
    sheet.set_paper_size(9); // A4
    if landscape {
        sheet.set_landscape();
    }
    sheet.set_margins(0.6, 0.5, 0.7, 0.7, 0.3, 0.3);
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_footer("&L&8tonghop — Báo cáo tuần&R&8Trang &P/&N");
}

fn write_instructions(sheet: &mut Worksheet, config: &Config, s: &Styles, type_label: &str) -> Result<(), XlsxError> {
    sheet.set_name(contract::SHEET_INSTRUCTIONS)?;
    sheet.set_column_width(0, 110)?;
    sheet.write_string_with_format(0, 0, "HƯỚNG DẪN ĐIỀN BÁO CÁO TUẦN", &s.title)?;
    sheet.write_string_with_format(
        1,
        0,
        format!(
            "Mô hình chính quyền địa phương 02 cấp — biểu mẫu dành cho: {type_label} — phiên bản {}",
            config.schema.version
        ),
        &s.subtitle,
    )?;
    let (yes, no) = crate::text::yes_no_synonyms();
    let (start_day, end_day) = config.calendar.period_weekdays_vi();
    let deadline = config.calendar.deadline_time_vi();
    let lines = [
        format!("1. Báo cáo nộp vào thứ Hai hằng tuần, trước {deadline}, cho Bộ Nội vụ (đồng gửi Văn phòng Chính phủ): đặt tệp vào thư mục dùng chung."),
        format!("2. Trang «Thông tin chung»: chọn mã đơn vị trong danh sách (hoặc gõ tên đơn vị), ghi kỳ báo cáo (từ {start_day} đến {end_day} trước ngày nộp), người lập, điện thoại, email và lãnh đạo phê duyệt. Không sửa ô «Phiên bản biểu mẫu»."),
        "3. Trang «Chỉ tiêu»: chỉ nhập vào các ô nền vàng ở cột «Số liệu». Số liệu «trong tuần» là số phát sinh trong kỳ báo cáo; số liệu «lũy kế» là tổng cộng đến ngày chốt số liệu.".to_string(),
        "   Nhập số nguyên, không âm, không ghi đơn vị hay dấu %. Có thể gõ 94402 hoặc 94.402 (dấu chấm phân cách hàng nghìn); số thập phân dùng dấu phẩy: 1.234,5.".to_string(),
        format!("   Mục H: chọn «Có» hoặc «Không» (chấp nhận: {} / {}).", yes.join(", "), no.join(", ")),
        "   Không nhập tỷ lệ phần trăm: các tỷ lệ do Bộ Nội vụ tính từ số liệu tổng hợp.".to_string(),
        "4. Trang «Nhiệm vụ»: với mỗi nhiệm vụ được giao, chọn trạng thái (Đã hoàn thành / Đang thực hiện / Chưa thực hiện) và ghi ngày hoàn thành (dd/mm/yyyy) nếu đã xong. Nhiệm vụ quá thời hạn mà chưa hoàn thành sẽ được tính là quá hạn.".to_string(),
        "   Nhiệm vụ do đơn vị tự bổ sung: ghi tên nhiệm vụ, văn bản giao, thời hạn (ví dụ «chậm nhất ngày 30/10/2025», «trước ngày 15/10/2025», «trong tháng 11/2025», «trong năm 2025») và trạng thái.".to_string(),
        "5. Trang «Khó khăn, kiến nghị»: mỗi dòng một nội dung; chọn loại (kết quả nổi bật, khó khăn, kiến nghị, nhiệm vụ tuần tới) và lĩnh vực; kiến nghị ghi rõ cơ quan được đề nghị xử lý.".to_string(),
        "6. Lưu tệp dạng .xlsx (hoặc .xls, .ods), đặt tên gợi nhớ, ví dụ «38_ThanhHoa_2025-W37.xlsx». Trong vài giây, hệ thống trả phiếu tiếp nhận: tiếp nhận / tiếp nhận có cảnh báo / từ chối, kèm vị trí (trang, ô) và cách sửa từng lỗi.".to_string(),
        "7. Nộp lại tệp đã sửa bất cứ lúc nào: tệp nộp sau cùng cho cùng đơn vị và cùng tuần sẽ được dùng; tệp cũ được lưu lại.".to_string(),
        "Không thêm, xóa hay đổi tên các trang; không sửa cột «Mã». Có thể chèn thêm cột ghi chú nếu cần.".to_string(),
    ];
    for (i, line) in lines.iter().enumerate() {
        sheet.write_string_with_format(3 + i as u32, 0, line, &s.note)?;
    }
    print_setup(sheet, false);
    protect(sheet);
    Ok(())
}

fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)
}

fn input_message(dv: DataValidation, title: &str, message: &str) -> Result<DataValidation, XlsxError> {
    dv.set_input_title(title)?.set_input_message(message)
}

/// The top of a table sheet, the same on the criteria, tasks and narrative
/// sheets: column widths, a title and a guidance line merged over all the
/// columns, then the header row, frozen and repeated on every printed page.
/// Returns the header row.
fn table_top(
    sheet: &mut Worksheet,
    widths: &[f64],
    title: &str,
    guidance: &str,
    headers: &[(&str, &str)],
    s: &Styles,
) -> Result<u32, XlsxError> {
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    let last_col = widths.len() as u16 - 1;
    sheet.merge_range(0, 0, 0, last_col, title, &s.title)?;
    sheet.merge_range(1, 0, 1, last_col, guidance, &s.subtitle)?;
    let header_row = 3;
    for (col, (vi, _)) in headers.iter().enumerate() {
        sheet.write_string_with_format(header_row, col as u16, *vi, &s.header)?;
    }
    sheet.set_freeze_panes(header_row + 1, 0)?;
    sheet.set_repeat_rows(header_row, header_row)?;
    Ok(header_row)
}

/// The general-information sheet: one label per row with its value to the
/// right, and the guidance for each entry below them all.
fn write_info(
    sheet: &mut Worksheet,
    config: &Config,
    request: &FormRequest<'_>,
    s: &Styles,
    lists: &ListRanges,
    type_label: &str,
) -> Result<(), XlsxError> {
    sheet.set_name(contract::SHEET_INFO)?;
    sheet.set_column_width(0, 26)?;
    sheet.set_column_width(1, 42)?;
    sheet.merge_range(0, 0, 0, 1, "THÔNG TIN CHUNG VỀ BÁO CÁO TUẦN", &s.title)?;
    let (start_day, end_day) = config.calendar.period_weekdays_vi();
    let from_note = format!("Ngày đầu kỳ báo cáo ({start_day}), dạng dd/mm/yyyy.");
    let to_note = format!("Ngày chốt số liệu ({end_day} trước ngày nộp), dạng dd/mm/yyyy.");
    let contacts = request.fill.map(|f| f.contacts.clone()).unwrap_or_default();
    let rows: [(&str, &str); 9] = [
        (info::UNIT_TYPE, "Loại đơn vị của biểu mẫu (không sửa)."),
        (info::UNIT, "Chọn trong danh sách, hoặc gõ mã hay tên đơn vị."),
        (info::FROM, &from_note),
        (info::TO, &to_note),
        (info::PREPARED_BY, "Họ và tên người lập báo cáo."),
        (info::PHONE, "Số điện thoại liên hệ."),
        (info::EMAIL, "Thư điện tử công vụ."),
        (info::APPROVED_BY, "Họ tên, chức vụ lãnh đạo phê duyệt báo cáo."),
        (info::VERSION, "Do hệ thống ghi; không sửa."),
    ];
    for (i, (label, guidance)) in rows.iter().enumerate() {
        let row = 2 + i as u32;
        sheet.write_string_with_format(row, 0, *label, &s.label_bold)?;
        // Guidance goes below the entries, never to the right of a value: the
        // reader takes the first filled cell right of a label as its value.
        let note_row = 2 + rows.len() as u32 + 1 + i as u32;
        sheet.merge_range(note_row, 0, note_row, 1, &format!("• {label}: {guidance}"), &s.note)?;
        match *label {
            info::UNIT_TYPE => {
                sheet.write_string_with_format(row, 1, type_label, &s.locked_text)?;
            }
            info::VERSION => {
                sheet.write_string_with_format(row, 1, &config.schema.version, &s.locked_text)?;
            }
            info::UNIT => write_unit_entry(sheet, row, request.unit, lists, s)?,
            info::FROM | info::TO => {
                let date = request.week.map(|w| if *label == info::FROM { w.from } else { w.to });
                write_period_entry(sheet, row, label, date, config, s)?;
            }
            _ => write_contact_entry(sheet, row, label, guidance, &contacts, s)?,
        }
    }
    print_setup(sheet, false);
    protect(sheet);
    // The form opens on this sheet: it is the first one to fill.
    sheet.set_active(true);
    Ok(())
}

/// The unit entry: a drop-down of the units of the form's type, but only a
/// warning for anything else, since a code or a name typed in is read too.
fn write_unit_entry(
    sheet: &mut Worksheet,
    row: u32,
    unit: Option<&Unit>,
    lists: &ListRanges,
    s: &Styles,
) -> Result<(), XlsxError> {
    let value = unit.map(|u| format!("{} - {}", u.code, u.short)).unwrap_or_default();
    sheet.write_string_with_format(row, 1, &value, &s.input_text)?;
    let dv = DataValidation::new()
        .allow_list_formula(ListRanges::formula('A', lists.units))
        .set_error_style(DataValidationErrorStyle::Warning);
    let dv =
        input_message(dv, "Mã đơn vị", "Chọn đơn vị trong danh sách. Có thể gõ mã (ví dụ 38) hoặc tên (Thanh Hóa).")?;
    sheet.add_data_validation(row, 1, row, 1, &dv)?;
    Ok(())
}

/// A date of the reporting period (first day or cut-off day), prefilled from
/// the requested week. Dates from two weeks before the first due date are
/// accepted, since the first period itself starts before that date.
fn write_period_entry(
    sheet: &mut Worksheet,
    row: u32,
    label: &str,
    date: Option<NaiveDate>,
    config: &Config,
    s: &Styles,
) -> Result<(), XlsxError> {
    match date {
        Some(date) => {
            sheet.write_datetime_with_format(row, 1, excel_date(date)?, &s.input_date)?;
        }
        None => {
            sheet.write_blank(row, 1, &s.input_date)?;
        }
    }
    let (start_day, end_day) = config.calendar.period_weekdays_vi();
    let first_due = config.calendar.first_due;
    let dv = DataValidation::new()
        .allow_date(DataValidationRule::GreaterThanOrEqualTo(excel_date(first_due - chrono::Days::new(14))?))
        .set_error_message("Nhập ngày dạng dd/mm/yyyy, ví dụ 05/09/2025.")?;
    let dv = input_message(
        dv,
        label,
        &format!("Nhập ngày dạng dd/mm/yyyy. Kỳ báo cáo: từ {start_day} đến {end_day} trước thứ Hai nộp báo cáo."),
    )?;
    sheet.add_data_validation(row, 1, row, 1, &dv)?;
    Ok(())
}

/// A contact entry (who prepared and approved the report, how to reach them):
/// free text of at most 200 characters, prefilled from the fill if any.
fn write_contact_entry(
    sheet: &mut Worksheet,
    row: u32,
    label: &str,
    guidance: &str,
    contacts: &ReportContacts,
    s: &Styles,
) -> Result<(), XlsxError> {
    let value = match label {
        info::PREPARED_BY => contacts.prepared_by.clone(),
        info::PHONE => contacts.phone.clone(),
        info::EMAIL => contacts.email.clone(),
        info::APPROVED_BY => contacts.approved_by.clone(),
        _ => None,
    };
    sheet.write_string_with_format(row, 1, value.unwrap_or_default(), &s.input_text)?;
    let dv = DataValidation::new()
        .allow_text_length(DataValidationRule::LessThanOrEqualTo(200))
        .set_error_message("Tối đa 200 ký tự.")?;
    let dv = input_message(dv, label, guidance)?;
    sheet.add_data_validation(row, 1, row, 1, &dv)?;
    Ok(())
}

/// The criteria sheet: the unit type's criteria section by section, each with
/// one input cell in the value column.
fn write_criteria(
    sheet: &mut Worksheet,
    config: &Config,
    request: &FormRequest<'_>,
    s: &Styles,
) -> Result<(), XlsxError> {
    sheet.set_name(contract::SHEET_CRITERIA)?;
    let header_row = table_top(
        sheet,
        &[6.0, 8.0, 64.0, 13.0, 16.0, 30.0],
        "BIỂU SỐ LIỆU CHỈ TIÊU BÁO CÁO TUẦN",
        "Chỉ nhập vào cột «Số liệu» (ô nền vàng). «Trong tuần»: số phát sinh trong kỳ; «lũy kế»: tổng đến ngày chốt số liệu.",
        &[header::NO, header::CODE, header::CRITERION, header::UNIT, header::VALUE, header::NOTE],
        s,
    )?;
    let mut row = header_row + 1;
    let mut number = 0;
    for section in &config.schema.sections {
        let criteria: Vec<_> =
            config.schema.criteria_for(request.unit_type).filter(|c| c.section == section.code).collect();
        // A section with nothing for this unit type is left out, heading included.
        if criteria.is_empty() {
            continue;
        }
        sheet.write_string_with_format(row, 0, &section.code, &s.section)?;
        sheet.write_blank(row, 1, &s.section)?;
        // Merge only the label columns: a merge over the value column would hide input cells.
        sheet.merge_range(row, 2, row, 3, &section.vi, &s.section)?;
        sheet.write_blank(row, 4, &s.section)?;
        sheet.write_blank(row, 5, &s.section)?;
        row += 1;
        for c in criteria {
            number += 1;
            sheet.write_number_with_format(row, 0, number as f64, &s.locked_text)?;
            sheet.write_string_with_format(row, 1, &c.code, &s.label_bold)?;
            // "Of which" rows are indented under their parent.
            let label = if c.parent.is_some() { format!("    {}", c.vi) } else { c.vi.clone() };
            sheet.write_string_with_format(row, 2, &label, &s.label)?;
            sheet.write_string_with_format(row, 3, &c.unit_vi, &s.label)?;
            let (format, dv) = criterion_input(c, s)?;
            write_value(sheet, row, request.fill.and_then(|f| f.values.get(&c.code)), format, s)?;
            sheet.add_data_validation(row, 4, row, 4, &dv)?;
            sheet.write_blank(row, 5, &s.input_text)?;
            row += 1;
        }
    }
    print_setup(sheet, false);
    protect(sheet);
    Ok(())
}

/// A criterion's value cell, in the criterion's input format; blank but
/// formatted when there is nothing to prefill, so that it still reads as an input.
fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    value: Option<&FillValue>,
    format: &Format,
    s: &Styles,
) -> Result<(), XlsxError> {
    match value {
        Some(FillValue::Number(n)) => sheet.write_number_with_format(row, 4, *n, format)?,
        Some(FillValue::YesNo(b)) => sheet.write_string_with_format(row, 4, if *b { "Có" } else { "Không" }, format)?,
        Some(FillValue::Date(d)) => sheet.write_datetime_with_format(row, 4, excel_date(*d)?, &s.input_date)?,
        Some(FillValue::Text(t)) => sheet.write_string_with_format(row, 4, t, format)?,
        None => sheet.write_blank(row, 4, format)?,
    };
    Ok(())
}

/// A number's bounds as the input message and the error say them:
/// "từ 0 đến 100", or "không nhỏ hơn 0" when there is no maximum.
fn bound_text(min: f64, max: Option<f64>) -> String {
    match max {
        Some(max) => {
            format!("từ {} đến {}", crate::text::format_vi_number(min, 3), crate::text::format_vi_number(max, 3))
        }
        None => format!("không nhỏ hơn {}", crate::text::format_vi_number(min, 3)),
    }
}

/// A criterion's input cell: its format and its data validation, by value type.
fn criterion_input<'s>(c: &crate::schema::Criterion, s: &'s Styles) -> Result<(&'s Format, DataValidation), XlsxError> {
    let min = c.min.unwrap_or(0.0);
    let bound_text = bound_text(min, c.max);
    let title: String = c.code.clone();
    Ok(match c.value_type {
        ValueType::Integer => {
            let rule = match c.max {
                Some(max) => DataValidationRule::Between(min as i32, max.min(i32::MAX as f64) as i32),
                None => DataValidationRule::GreaterThanOrEqualTo(min as i32),
            };
            let dv = DataValidation::new()
                .allow_whole_number(rule)
                .set_error_message(format!("{}: nhập số nguyên {bound_text}.", c.code))?;
            let dv = input_message(
                dv,
                &title,
                &format!("{} ({}). Số nguyên {bound_text}.", truncate(&c.vi, 150), c.unit_vi),
            )?;
            (&s.input_number, dv)
        }
        ValueType::Decimal => {
            let rule = match c.max {
                Some(max) => DataValidationRule::Between(min, max),
                None => DataValidationRule::GreaterThanOrEqualTo(min),
            };
            let dv = DataValidation::new()
                .allow_decimal_number(rule)
                .set_error_message(format!("{}: nhập số {bound_text}; phần thập phân dùng dấu phẩy.", c.code))?;
            let dv = input_message(
                dv,
                &title,
                &format!("{} ({}). Số {bound_text}, có thể có phần thập phân.", truncate(&c.vi, 150), c.unit_vi),
            )?;
            (&s.input_decimal, dv)
        }
        ValueType::YesNo => {
            let dv = DataValidation::new()
                .allow_list_strings(&["Có", "Không"])?
                .set_error_message("Chọn «Có» hoặc «Không».")?;
            let dv = input_message(dv, &title, &format!("{} — chọn Có hoặc Không.", truncate(&c.vi, 180)))?;
            (&s.input_text, dv)
        }
        ValueType::Date => {
            let dv = DataValidation::new()
                .allow_date(DataValidationRule::GreaterThan(ExcelDateTime::from_ymd(2000, 1, 1)?))
                .set_error_message("Nhập ngày dạng dd/mm/yyyy.")?;
            let dv = input_message(dv, &title, "Nhập ngày dạng dd/mm/yyyy.")?;
            (&s.input_date, dv)
        }
        ValueType::Text => {
            let dv = DataValidation::new()
                .allow_text_length(DataValidationRule::LessThanOrEqualTo(2000))
                .set_error_message("Tối đa 2.000 ký tự.")?;
            let dv = input_message(dv, &title, &truncate(&c.vi, 200))?;
            (&s.input_text, dv)
        }
    })
}

/// Cuts text to at most `max` characters (Excel limits input messages to 255).
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn status_label(config: &Config, status: TaskStatus) -> String {
    let code = match status {
        TaskStatus::Completed => "completed",
        TaskStatus::InProgress => "in_progress",
        TaskStatus::NotStarted => "not_started",
    };
    config.schema.task_status_label(code, false).to_string()
}

/// The tasks sheet: the schema's tasks for the unit (or its type), then blank
/// rows for the unit's own tasks.
fn write_tasks(
    sheet: &mut Worksheet,
    config: &Config,
    request: &FormRequest<'_>,
    s: &Styles,
    lists: &ListRanges,
) -> Result<(), XlsxError> {
    sheet.set_name(contract::SHEET_TASKS)?;
    let header_row = table_top(
        sheet,
        &[6.0, 8.0, 48.0, 22.0, 24.0, 18.0, 15.0, 28.0],
        "TÌNH HÌNH THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO",
        "Chọn trạng thái cho từng nhiệm vụ; ghi ngày hoàn thành nếu đã xong. Nhiệm vụ tự bổ sung: ghi ở các dòng trống phía dưới.",
        &[
            header::NO,
            header::CODE,
            header::TASK,
            header::ASSIGNED_BY,
            header::DEADLINE,
            header::STATUS,
            header::COMPLETED_ON,
            header::NOTE,
        ],
        s,
    )?;
    let progress_dv = ProgressValidation::new(lists)?;
    let row = write_assigned_tasks(sheet, config, request, s, &progress_dv, header_row + 1)?;
    write_own_tasks(sheet, config, request, s, &progress_dv, row)?;
    print_setup(sheet, true);
    protect(sheet);
    Ok(())
}

/// The checks of a task's progress cells, the same for assigned and own tasks.
struct ProgressValidation {
    /// The status: one of the labels on the lists sheet.
    status: DataValidation,
    /// The completion date: a date after 2020.
    completed_on: DataValidation,
}

impl ProgressValidation {
    fn new(lists: &ListRanges) -> Result<ProgressValidation, XlsxError> {
        let status = input_message(
            DataValidation::new()
                .allow_list_formula(ListRanges::formula('B', lists.statuses))
                .set_error_message("Chọn trạng thái trong danh sách.")?,
            "Trạng thái",
            "Chọn: Đã hoàn thành / Đang thực hiện / Chưa thực hiện.",
        )?;
        let completed_on = input_message(
            DataValidation::new()
                .allow_date(DataValidationRule::GreaterThan(ExcelDateTime::from_ymd(2020, 1, 1)?))
                .set_error_message("Nhập ngày dạng dd/mm/yyyy.")?,
            "Ngày hoàn thành",
            "Chỉ ghi khi đã hoàn thành; dạng dd/mm/yyyy; không ghi ngày trong tương lai.",
        )?;
        Ok(ProgressValidation { status, completed_on })
    }
}

/// The schema's tasks from `row`: those assigned to the unit, or to any unit
/// of the type when no unit is given; numbered, with locked labels and the
/// progress to fill. Returns the row after the last.
fn write_assigned_tasks(
    sheet: &mut Worksheet,
    config: &Config,
    request: &FormRequest<'_>,
    s: &Styles,
    progress_dv: &ProgressValidation,
    mut row: u32,
) -> Result<u32, XlsxError> {
    let assigned = config.schema.tasks.iter().filter(|t| match request.unit {
        Some(unit) => t.assigned_to(&unit.code, &unit.unit_type),
        None => t.concerns_type(request.unit_type, &config.units),
    });
    for (i, task) in assigned.enumerate() {
        sheet.write_number_with_format(row, 0, (i + 1) as f64, &s.locked_text)?;
        sheet.write_string_with_format(row, 1, &task.code, &s.label_bold)?;
        sheet.write_string_with_format(row, 2, &task.vi, &s.label)?;
        sheet.write_string_with_format(row, 3, &task.assigned_by, &s.label)?;
        sheet.write_string_with_format(row, 4, &task.deadline.text, &s.label)?;
        let progress = request.fill.and_then(|f| f.tasks.get(&task.code));
        write_progress(sheet, config, row, 5, progress, s)?;
        sheet.add_data_validation(row, 5, row, 5, &progress_dv.status)?;
        sheet.add_data_validation(row, 6, row, 6, &progress_dv.completed_on)?;
        row += 1;
    }
    Ok(row)
}

/// The unit's own tasks from `row`: a heading, then at least
/// `OWN_TASK_ROWS` rows whose every cell but the number and code is an input.
fn write_own_tasks(
    sheet: &mut Worksheet,
    config: &Config,
    request: &FormRequest<'_>,
    s: &Styles,
    progress_dv: &ProgressValidation,
    mut row: u32,
) -> Result<(), XlsxError> {
    // The label sits in the number column, which the reader ignores, so the row is not taken for a task.
    sheet.merge_range(
        row,
        0,
        row,
        4,
        "Nhiệm vụ đơn vị tự bổ sung (ghi tên, văn bản giao, thời hạn, trạng thái)",
        &s.section,
    )?;
    for col in 5..=7 {
        sheet.write_blank(row, col, &s.section)?;
    }
    row += 1;
    let own = request.fill.map(|f| f.own_tasks.as_slice()).unwrap_or(&[]);
    let own_rows = contract::OWN_TASK_ROWS.max(own.len() as u32);
    let first_own = row;
    for i in 0..own_rows {
        let task = own.get(i as usize);
        sheet.write_blank(row, 0, &s.locked_text)?;
        sheet.write_blank(row, 1, &s.locked_text)?;
        sheet.write_string_with_format(row, 2, task.map(|t| t.title.as_str()).unwrap_or(""), &s.input_text)?;
        sheet.write_string_with_format(row, 3, task.map(|t| t.assigned_by.as_str()).unwrap_or(""), &s.input_text)?;
        sheet.write_string_with_format(row, 4, task.map(|t| t.deadline.as_str()).unwrap_or(""), &s.input_text)?;
        write_progress(sheet, config, row, 5, task.map(|t| &t.progress), s)?;
        row += 1;
    }
    let last_own = row - 1;
    sheet.add_data_validation(first_own, 5, last_own, 5, &progress_dv.status)?;
    sheet.add_data_validation(first_own, 6, last_own, 6, &progress_dv.completed_on)?;
    // A deadline is free text (the reader understands the official wordings): only a hint.
    let deadline_dv = input_message(
        DataValidation::new().allow_any_value(),
        "Thời hạn",
        "Ví dụ: chậm nhất ngày 30/10/2025; trước ngày 15/10/2025; trong tháng 11/2025; trong năm 2025; hoặc một ngày dd/mm/yyyy.",
    )?;
    sheet.add_data_validation(first_own, 4, last_own, 4, &deadline_dv)?;
    Ok(())
}

fn write_progress(
    sheet: &mut Worksheet,
    config: &Config,
    row: u32,
    col: u16,
    progress: Option<&TaskFill>,
    s: &Styles,
) -> Result<(), XlsxError> {
    match progress {
        Some(p) => {
            sheet.write_string_with_format(row, col, status_label(config, p.status), &s.input_text)?;
            match p.completed_on {
                Some(d) => sheet.write_datetime_with_format(row, col + 1, excel_date(d)?, &s.input_date)?,
                None => sheet.write_blank(row, col + 1, &s.input_date)?,
            };
            sheet.write_string_with_format(row, col + 2, p.note.as_deref().unwrap_or(""), &s.input_text)?;
        }
        None => {
            sheet.write_blank(row, col, &s.input_text)?;
            sheet.write_blank(row, col + 1, &s.input_date)?;
            sheet.write_blank(row, col + 2, &s.input_text)?;
        }
    }
    Ok(())
}

/// The narrative sheet: at least `NARRATIVE_ROWS` numbered rows of kind, field,
/// text and addressee.
fn write_narrative(
    sheet: &mut Worksheet,
    config: &Config,
    request: &FormRequest<'_>,
    s: &Styles,
    lists: &ListRanges,
) -> Result<(), XlsxError> {
    sheet.set_name(contract::SHEET_NARRATIVE)?;
    let header_row = table_top(
        sheet,
        &[6.0, 22.0, 28.0, 70.0, 28.0],
        "KẾT QUẢ NỔI BẬT, KHÓ KHĂN, KIẾN NGHỊ VÀ NHIỆM VỤ TUẦN TỚI",
        "Mỗi dòng một nội dung. Chọn loại và lĩnh vực trong danh sách; kiến nghị ghi rõ cơ quan được đề nghị xử lý.",
        &[header::NO, header::KIND, header::FIELD, header::TEXT, header::ADDRESSEE],
        s,
    )?;
    let items = request.fill.map(|f| f.narrative.as_slice()).unwrap_or(&[]);
    let rows = contract::NARRATIVE_ROWS.max(items.len() as u32);
    // A filled row shows the Vietnamese label of its kind and field, as the drop-downs do.
    let label = |list: &[crate::schema::Labelled], code: &str| {
        list.iter().find(|l| l.code == code).map(|l| l.vi.clone()).unwrap_or_else(|| code.to_string())
    };
    let kinds: Vec<crate::schema::Labelled> = config
        .schema
        .narrative_kinds
        .iter()
        .map(|k| crate::schema::Labelled { code: k.code.clone(), vi: k.vi.clone(), en: k.en.clone() })
        .collect();
    let first = header_row + 1;
    for i in 0..rows {
        let row = first + i;
        let item = items.get(i as usize);
        let kind = item.map(|n| label(&kinds, &n.kind)).unwrap_or_default();
        let field = item.map(|n| label(&config.schema.fields, &n.field)).unwrap_or_default();
        sheet.write_number_with_format(row, 0, (i + 1) as f64, &s.locked_text)?;
        sheet.write_string_with_format(row, 1, kind, &s.input_text)?;
        sheet.write_string_with_format(row, 2, field, &s.input_text)?;
        sheet.write_string_with_format(row, 3, item.map(|n| n.text.as_str()).unwrap_or(""), &s.input_text)?;
        let addressee = item.and_then(|n| n.addressee.as_deref()).unwrap_or("");
        sheet.write_string_with_format(row, 4, addressee, &s.input_text)?;
    }
    add_narrative_validations(sheet, lists, first, first + rows - 1)?;
    print_setup(sheet, true);
    protect(sheet);
    Ok(())
}

/// The checks of the narrative rows `first..=last`: kind and field from their
/// lists, the text at most 4,000 characters.
fn add_narrative_validations(
    sheet: &mut Worksheet,
    lists: &ListRanges,
    first: u32,
    last: u32,
) -> Result<(), XlsxError> {
    let kind_dv = input_message(
        DataValidation::new()
            .allow_list_formula(ListRanges::formula('C', lists.kinds))
            .set_error_message("Chọn loại trong danh sách.")?,
        "Loại",
        "Kết quả nổi bật / Khó khăn, vướng mắc / Kiến nghị, đề xuất / Nhiệm vụ tuần tới.",
    )?;
    let field_dv = input_message(
        DataValidation::new()
            .allow_list_formula(ListRanges::formula('D', lists.fields))
            .set_error_message("Chọn lĩnh vực trong danh sách.")?,
        "Lĩnh vực",
        "Chọn lĩnh vực trong danh sách.",
    )?;
    let text_dv = input_message(
        DataValidation::new()
            .allow_text_length(DataValidationRule::LessThanOrEqualTo(4000))
            .set_error_message("Tối đa 4.000 ký tự.")?,
        "Nội dung",
        "Viết ngắn gọn, cụ thể; có số liệu nếu có.",
    )?;
    sheet.add_data_validation(first, 1, last, 1, &kind_dv)?;
    sheet.add_data_validation(first, 2, last, 2, &field_dv)?;
    sheet.add_data_validation(first, 3, last, 3, &text_dv)?;
    Ok(())
}

fn write_lists(
    sheet: &mut Worksheet,
    config: &Config,
    unit_type: &UnitType,
    _lists: &ListRanges,
) -> Result<(), XlsxError> {
    sheet.set_name(contract::SHEET_LISTS)?;
    let headers = ["Đơn vị", "Trạng thái", "Loại", "Lĩnh vực"];
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string(0, col as u16, *h)?;
        sheet.set_column_width(col as u16, 36)?;
    }
    for (i, unit) in config.units.units_of(unit_type).enumerate() {
        sheet.write_string(1 + i as u32, 0, format!("{} - {}", unit.code, unit.short))?;
    }
    for (i, status) in config.schema.task_statuses.iter().enumerate() {
        sheet.write_string(1 + i as u32, 1, &status.vi)?;
    }
    for (i, kind) in config.schema.narrative_kinds.iter().enumerate() {
        sheet.write_string(1 + i as u32, 2, &kind.vi)?;
    }
    for (i, field) in config.schema.fields.iter().enumerate() {
        sheet.write_string(1 + i as u32, 3, &field.vi)?;
    }
    sheet.set_hidden(true);
    protect(sheet);
    Ok(())
}
