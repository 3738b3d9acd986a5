//! `tong-hop.xlsx`: every figure of the cycle as numbers, with charts.
//!
//! Reporter text is always written as a string (never a formula), with Excel's
//! quote prefix when it starts with a formula character, so that editing the
//! cell later does not turn it into one either.

use rust_xlsxwriter::{
    Chart, ChartType, Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

use crate::aggregate::{Summary, Timeliness};
use crate::language::{Language, WorkbookWords};
use crate::schema::{Aggregation, Config, LabelOf};

struct Styles {
    title: Format,
    header: Format,
    text: Format,
    quoted: Format,
    integer: Format,
    decimal: Format,
    percent: Format,
    date_time: Format,
    bold: Format,
}

fn styles() -> Styles {
    let base = Format::new().set_font_name("Times New Roman").set_font_size(11);
    Styles {
        title: base.clone().set_bold().set_font_size(14),
        header: base
            .clone()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_border(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xDDE7F3)),
        text: base.clone().set_text_wrap().set_align(FormatAlign::Top),
        quoted: base.clone().set_text_wrap().set_align(FormatAlign::Top).set_quote_prefix(),
        integer: base.clone().set_num_format("#,##0"),
        decimal: base.clone().set_num_format("#,##0.0##"),
        percent: base.clone().set_num_format("0.0%"),
        date_time: base.clone().set_num_format("dd/mm/yyyy hh:mm"),
        bold: base.set_bold(),
    }
}

/// Writes text that may come from a reporter: a string, never a formula.
fn put_text(sheet: &mut Worksheet, row: u32, col: u16, text: &str, s: &Styles) -> Result<(), XlsxError> {
    let clean = crate::text::strip_control_chars(text);
    let risky = clean.starts_with(['=', '+', '-', '@', '\t', '\r']);
    sheet.write_string_with_format(row, col, &clean, if risky { &s.quoted } else { &s.text })?;
    Ok(())
}

fn put_number(sheet: &mut Worksheet, row: u32, col: u16, value: Option<f64>, format: &Format) -> Result<(), XlsxError> {
    if let Some(v) = value {
        sheet.write_number_with_format(row, col, v, format)?;
    }
    Ok(())
}

fn headers(sheet: &mut Worksheet, row: u32, titles: &[&str], widths: &[f64], s: &Styles) -> Result<(), XlsxError> {
    for (col, title) in titles.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, *title, &s.header)?;
        if let Some(w) = widths.get(col) {
            sheet.set_column_width(col as u16, *w)?;
        }
    }
    sheet.set_freeze_panes(row + 1, 0)?;
    Ok(())
}

fn rfc3339_to_excel(text: &str) -> Option<ExcelDateTime> {
    let t = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    ExcelDateTime::parse_from_str(&t.naive_local().format("%Y-%m-%dT%H:%M:%S").to_string()).ok()
}

/// The column headers of a sheet, as `headers` takes them.
fn titles<const N: usize>(columns: &[String; N]) -> Vec<&str> {
    columns.iter().map(String::as_str).collect()
}

/// The number format of a figure: decimals only when the value has a fraction,
/// so that counts read as whole numbers.
fn number_format(s: &Styles, value: Option<f64>) -> &Format {
    if value.is_some_and(|v| v.fract() != 0.0) { &s.decimal } else { &s.integer }
}

/// Where a value was read: "file › sheet!cell", the same text in every sheet.
fn source(file: &str, sheet: &str, cell: &str) -> String {
    format!("{file} › {sheet}!{cell}")
}

/// Adds a sheet that is one table: its header row on top, frozen, with the
/// column widths; every sheet but the overview starts this way.
fn table_sheet<'w>(
    wb: &'w mut Workbook,
    name: &str,
    cols: &[&str],
    widths: &[f64],
    s: &Styles,
) -> Result<&'w mut Worksheet, XlsxError> {
    let sheet = wb.add_worksheet().set_name(name)?;
    headers(sheet, 0, cols, widths, s)?;
    Ok(sheet)
}

/// What every sheet needs, gathered once so that each sheet's writer takes one
/// argument besides the workbook.
struct Ctx<'a> {
    config: &'a Config,
    summary: &'a Summary,
    lang: &'a Language,
    w: &'a WorkbookWords,
    s: Styles,
}

impl Ctx<'_> {
    /// Weeks of the cycle, for labels naming the period.
    fn weeks(&self) -> usize {
        self.summary.cycle.weeks.len()
    }

    /// The last day of the cycle's data, for labels of levels.
    fn as_of(&self) -> String {
        self.summary.cycle.weeks.last().map(|w| self.lang.format_date(w.to)).unwrap_or_default()
    }

    /// A unit's short name in the language; the code itself for a unit the
    /// registry no longer knows, so that no row is left without a name.
    fn unit_name(&self, code: &str) -> String {
        self.config
            .units
            .get(code)
            .map(|u| self.lang.unit_short(self.config, u).to_string())
            .unwrap_or(code.to_string())
    }
}

/// `tong-hop.xlsx`: the sheets in the order the reader meets them.
pub fn workbook(config: &Config, summary: &Summary, lang: &Language) -> Result<Vec<u8>, XlsxError> {
    let w = lang.workbook();
    let cx = Ctx { config, summary, lang, w, s: styles() };
    let mut wb = Workbook::new();
    // A fixed creation date keeps the file the same byte for byte from one run to the next.
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{} {}", w.title, summary.cycle.id))
            .set_author(&w.author)
            .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 9, 1)?),
    );
    overview_sheet(&mut wb, &cx)?;
    matrix_sheet(&mut wb, &cx)?;
    tasks_sheet(&mut wb, &cx)?;
    submissions_sheet(&mut wb, &cx)?;
    issues_sheet(&mut wb, &cx)?;
    quality_sheet(&mut wb, &cx)?;
    narrative_sheet(&mut wb, &cx)?;
    wb.save_to_buffer()
}

/// Overview: national figures with the previous cycle, then the ratios and the
/// checklist below them in the same columns, and a chart of the ratios.
fn overview_sheet(wb: &mut Workbook, cx: &Ctx) -> Result<(), XlsxError> {
    let (w, s) = (cx.w, &cx.s);
    let name = w.sheets.overview.as_str();
    let sheet = wb.add_worksheet().set_name(name)?;
    sheet.write_string_with_format(0, 0, overview_title(cx), &s.title)?;
    sheet.write_string(
        1,
        0,
        format!("{} {}", w.cutoff, crate::render::format::date(cx.summary.cycle.cutoff, cx.lang)),
    )?;
    if let Some(status) = status_line(cx) {
        sheet.write_string_with_format(2, 0, status, &s.bold)?;
    }
    let cols = titles(&w.columns.overview);
    headers(sheet, 3, &cols, &[7.0, 60.0, 12.0, 10.0, 14.0, 14.0, 12.0, 11.0, 11.0, 11.0, 40.0, 16.0, 14.0, 30.0], s)?;
    // After the criteria, a blank row, a heading, then the ratios…
    let ratio_heading = write_sections(sheet, cx, 4)? + 1;
    sheet.write_string_with_format(ratio_heading, 1, &w.ratios, &s.bold)?;
    let first_ratio = ratio_heading + 1;
    let after_ratios = write_ratios(sheet, cx, first_ratio)?;
    // …and likewise the checklist.
    let checklist_heading = after_ratios + 1;
    sheet.write_string_with_format(checklist_heading, 1, &w.checklist, &s.bold)?;
    write_checklist(sheet, cx, checklist_heading + 1)?;
    sheet.insert_chart(3, 12, &ratio_chart(cx, first_ratio, after_ratios.saturating_sub(1)))?;
    Ok(())
}

/// Whether the workbook is a draft or an approved version, in a line of its own.
fn status_line(cx: &Ctx) -> Option<String> {
    let words = cx.lang.approval()?;
    Some(match &cx.summary.approval {
        Some(a) if cx.summary.status == crate::aggregate::DocumentStatus::Approved => crate::language::fill(
            &words.approved_line,
            &[
                ("version", a.version.to_string()),
                ("by", a.by.clone()),
                ("at", words.time_of(&a.at)),
                ("sha", a.inputs_sha256.clone()),
            ],
        ),
        _ => format!("{} — {}", words.draft, words.draft_note),
    })
}

/// The overview's title: the meeting and its weeks, or the weeks alone when the
/// cycle was asked for by week.
fn overview_title(cx: &Ctx) -> String {
    let w = cx.w;
    let weeks: Vec<&str> = cx.summary.cycle.weeks.iter().map(|w| w.label.as_str()).collect();
    match cx.summary.cycle.meeting {
        Some(m) => format!(
            "{} {} — {} {}",
            w.meeting,
            crate::render::format::date(m, cx.lang),
            w.meeting_weeks,
            weeks.join(", ")
        ),
        None => format!("{} {}", w.weeks, weeks.join(", ")),
    }
}

/// The overview's criteria, section by section from `row`; returns the row after the last.
fn write_sections(sheet: &mut Worksheet, cx: &Ctx, mut row: u32) -> Result<u32, XlsxError> {
    let (w, s, lang) = (cx.w, &cx.s, cx.lang);
    for section in &cx.summary.sections {
        sheet.write_string_with_format(row, 0, &section.code, &s.bold)?;
        sheet.write_string_with_format(row, 1, lang.label(&section.vi, &section.en, &section.other), &s.bold)?;
        row += 1;
        for f in &section.figures {
            let format = number_format(s, f.value);
            sheet.write_string(row, 0, &f.code)?;
            let label = lang.period_label(lang.label(&f.vi, &f.en, &f.other), f.kind, cx.weeks(), &cx.as_of());
            let mark = if f.suspect.is_some() { " (*)" } else { "" };
            sheet.write_string_with_format(row, 1, format!("{label}{mark}"), &s.text)?;
            sheet.write_string(row, 2, lang.label_keyed("unit_", &f.unit_vi, &f.unit_en, &f.other))?;
            sheet.write_string(
                row,
                3,
                match f.kind {
                    Aggregation::Flow => w.flow.as_str(),
                    Aggregation::Stock => w.stock.as_str(),
                    _ => "",
                },
            )?;
            put_number(sheet, row, 4, f.value, format)?;
            put_number(sheet, row, 5, f.previous, format)?;
            put_number(sheet, row, 6, f.change, format)?;
            put_number(sheet, row, 7, f.change_ratio, &s.percent)?;
            sheet.write_number(row, 8, f.coverage.reported as f64)?;
            sheet.write_number(row, 9, f.coverage.expected as f64)?;
            let missing: Vec<String> = f.coverage.missing_units.iter().map(|c| cx.unit_name(c)).collect();
            sheet.write_string_with_format(row, 10, missing.join(", "), &s.text)?;
            if let Some(x) = &f.suspect {
                put_number(sheet, row, 11, x.value, format)?;
                put_number(sheet, row, 12, x.change, format)?;
                sheet.write_string_with_format(row, 13, suspect_units(cx, x), &s.text)?;
            }
            row += 1;
        }
    }
    Ok(row)
}

/// The units whose values are to be checked, with their weeks.
fn suspect_units(cx: &Ctx, x: &crate::aggregate::Excluding) -> String {
    let units: Vec<String> =
        x.units.iter().map(|u| format!("{} ({})", cx.unit_name(&u.unit), u.weeks.join(", "))).collect();
    units.join(", ")
}

/// The overview's ratios from `row`, in the criteria's columns (value, previous,
/// change, units); returns the row after the last.
fn write_ratios(sheet: &mut Worksheet, cx: &Ctx, mut row: u32) -> Result<u32, XlsxError> {
    let s = &cx.s;
    for r in &cx.summary.ratios {
        sheet.write_string(row, 0, &r.code)?;
        let mark = if r.suspect.is_some() { " (*)" } else { "" };
        sheet.write_string_with_format(row, 1, format!("{}{mark}", cx.lang.label(&r.vi, &r.en, &r.other)), &s.text)?;
        sheet.write_string(row, 2, format!("{}/{}", r.numerator_code, r.denominator_code))?;
        put_number(sheet, row, 4, r.value, &s.percent)?;
        put_number(sheet, row, 5, r.previous, &s.percent)?;
        put_number(sheet, row, 6, r.change, &s.percent)?;
        sheet.write_number(row, 8, r.units as f64)?;
        if let Some(x) = &r.suspect {
            put_number(sheet, row, 11, x.value, &s.percent)?;
            put_number(sheet, row, 12, x.change, &s.percent)?;
            sheet.write_string_with_format(row, 13, suspect_units(cx, x), &s.text)?;
        }
        row += 1;
    }
    Ok(row)
}

/// The overview's checklist (status items) from `row`: units that said yes, with
/// the previous cycle, and the units that said no in the missing column.
fn write_checklist(sheet: &mut Worksheet, cx: &Ctx, mut row: u32) -> Result<(), XlsxError> {
    let s = &cx.s;
    for st in &cx.summary.statuses {
        sheet.write_string(row, 0, &st.code)?;
        sheet.write_string_with_format(row, 1, cx.lang.label(&st.vi, &st.en, &st.other), &s.text)?;
        sheet.write_string(row, 2, format!("{}/{}", st.yes, st.expected))?;
        sheet.write_number(row, 4, st.yes as f64)?;
        if let Some(p) = st.previous_yes {
            sheet.write_number(row, 5, p as f64)?;
            sheet.write_number(row, 6, st.yes as f64 - p as f64)?;
        }
        sheet.write_number(row, 8, (st.yes + st.no_units.len()) as f64)?;
        sheet.write_number(row, 9, st.expected as f64)?;
        let not_done: Vec<String> = st.no_units.iter().map(|c| cx.unit_name(c)).collect();
        sheet.write_string_with_format(row, 10, not_done.join(", "), &s.text)?;
        row += 1;
    }
    Ok(())
}

/// The bar chart of the ratios in rows `r0..=r1` of the overview.
fn ratio_chart(cx: &Ctx, r0: u32, r1: u32) -> Chart {
    let (name, columns) = (cx.w.sheets.overview.as_str(), &cx.w.columns);
    let mut chart = Chart::new(ChartType::Bar);
    chart.title().set_name(&cx.w.ratio_chart);
    // The series are the overview's "this cycle" and "previous cycle" columns.
    for col in [4, 5] {
        chart
            .add_series()
            .set_name(&columns.overview[col as usize])
            .set_categories((name, r0, 1, r1, 1))
            .set_values((name, r0, col, r1, col));
    }
    chart.x_axis().set_num_format("0%");
    chart
}

/// Matrix: one row per unit, one column per criterion, with a chart of the
/// dossiers received per province.
fn matrix_sheet(wb: &mut Workbook, cx: &Ctx) -> Result<(), XlsxError> {
    let (s, lang, matrix) = (&cx.s, cx.lang, &cx.summary.matrix);
    // Every row has the same criteria in the same order: the first row's codes head the columns.
    let codes: Vec<&str> =
        matrix.first().map(|r| r.values.iter().map(|(c, _)| c.as_str()).collect()).unwrap_or_default();
    let mut cols = titles(&cx.w.columns.matrix);
    cols.extend(codes.iter().copied());
    let mut widths = vec![9.0, 28.0, 10.0];
    widths.extend(codes.iter().map(|_| 11.0));
    let sheet = table_sheet(wb, &cx.w.sheets.matrix, &cols, &widths, s)?;
    // The unit's code and name stay in view while scrolling right.
    sheet.set_freeze_panes(1, 2)?;
    for (i, row) in matrix.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_string(r, 0, &row.unit)?;
        let name = match lang.code() {
            "vi" => row.name.clone(),
            "en" => row.name_en.clone(),
            _ => cx.unit_name(&row.unit),
        };
        sheet.write_string(r, 1, name)?;
        sheet.write_string(r, 2, &row.unit_type)?;
        for (j, (_, v)) in row.values.iter().enumerate() {
            put_number(sheet, r, 3 + j as u16, *v, number_format(s, *v))?;
        }
    }
    let last = matrix.len() as u32;
    sheet.autofilter(0, 0, last, 2 + codes.len() as u16)?;
    if let Some(col) = codes.iter().position(|c| *c == "B01") {
        insert_dossier_chart(sheet, cx, col)?;
    }
    Ok(())
}

/// Chart of the matrix: dossiers received (B01, in criterion column `col`) per
/// province. It spans the rows from the first province to the last, which holds
/// only provinces because the registry (and so the matrix) lists them together.
fn insert_dossier_chart(sheet: &mut Worksheet, cx: &Ctx, col: usize) -> Result<(), XlsxError> {
    let name = cx.w.sheets.matrix.as_str();
    let matrix = &cx.summary.matrix;
    let provinces: Vec<usize> =
        matrix.iter().enumerate().filter(|(_, r)| r.unit_type == "province").map(|(i, _)| i).collect();
    if let (Some(&first), Some(&last)) = (provinces.first(), provinces.last()) {
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name(&cx.w.matrix_chart);
        chart
            .add_series()
            .set_name("B01")
            .set_categories((name, 1 + first as u32, 1, 1 + last as u32, 1))
            .set_values((name, 1 + first as u32, 3 + col as u16, 1 + last as u32, 3 + col as u16));
        chart.set_width(960).set_height(400);
        chart.legend().set_hidden();
        sheet.insert_chart(last as u32 + 3, 1, &chart)?;
    }
    Ok(())
}

/// Tasks: every assigned task of the cycle, with its deadline and status.
fn tasks_sheet(wb: &mut Workbook, cx: &Ctx) -> Result<(), XlsxError> {
    let (s, lang) = (&cx.s, cx.lang);
    let cols = titles(&cx.w.columns.tasks);
    let widths = [22.0, 8.0, 50.0, 22.0, 24.0, 12.0, 16.0, 14.0, 9.0, 10.0, 40.0];
    let sheet = table_sheet(wb, &cx.w.sheets.tasks, &cols, &widths, s)?;
    // A plain date format (the shared one has a time): deadlines are days.
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let excel_date = |d: Option<chrono::NaiveDate>| d.and_then(|d| ExcelDateTime::parse_from_str(&d.to_string()).ok());
    for (i, task) in cx.summary.tasks.items.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_string(r, 0, cx.unit_name(&task.unit))?;
        sheet.write_string(r, 1, task.code.as_deref().unwrap_or(""))?;
        let title =
            lang.label_keyed("title_", &task.title, task.title_en.as_deref().unwrap_or(&task.title), &task.titles);
        put_text(sheet, r, 2, title, s)?;
        put_text(sheet, r, 3, task.assigned_by.as_deref().unwrap_or(""), s)?;
        put_text(sheet, r, 4, task.deadline_text.as_deref().unwrap_or(""), s)?;
        if let Some(d) = excel_date(task.deadline) {
            sheet.write_datetime_with_format(r, 5, &d, &date_format)?;
        }
        sheet.write_string(r, 6, task_status_label(cx.config, status_code(task.status), lang))?;
        if let Some(d) = excel_date(task.completed_on) {
            sheet.write_datetime_with_format(r, 7, &d, &date_format)?;
        }
        sheet.write_string(r, 8, if task.overdue { lang.words().overdue.as_str() } else { "" })?;
        if task.overdue {
            sheet.write_number(r, 9, task.days_overdue as f64)?;
        }
        sheet.write_string(r, 10, source(&task.file, &task.sheet, &task.cell))?;
    }
    sheet.autofilter(0, 0, cx.summary.tasks.items.len() as u32, 10)?;
    Ok(())
}

/// Submissions: the timeliness of every expected report, with a pie chart of the totals.
fn submissions_sheet(wb: &mut Workbook, cx: &Ctx) -> Result<(), XlsxError> {
    let (s, rows) = (&cx.s, &cx.summary.submissions.rows);
    let cols = titles(&cx.w.columns.submissions);
    let widths = [9.0, 26.0, 10.0, 14.0, 17.0, 10.0, 36.0, 36.0, 36.0];
    let sheet = table_sheet(wb, &cx.w.sheets.submissions, &cols, &widths, s)?;
    for (i, row) in rows.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_string(r, 0, &row.unit)?;
        sheet.write_string(r, 1, cx.unit_name(&row.unit))?;
        sheet.write_string(r, 2, &row.week)?;
        sheet.write_string(r, 3, timeliness_label(row.timeliness, cx.lang))?;
        if let Some(d) = row.received.as_deref().and_then(rfc3339_to_excel) {
            sheet.write_datetime_with_format(r, 4, &d, &s.date_time)?;
        }
        if let Some(m) = row.minutes_late {
            sheet.write_number(r, 5, m as f64)?;
        }
        put_text(sheet, r, 6, row.file.as_deref().unwrap_or(""), s)?;
        put_text(sheet, r, 7, &row.superseded.join(", "), s)?;
        put_text(sheet, r, 8, &row.rejected.join(", "), s)?;
    }
    sheet.autofilter(0, 0, rows.len() as u32, 8)?;
    insert_submission_chart(sheet, cx, rows.len() as u32 + 3)
}

/// The totals by timeliness, written from row `base` below the table (a chart
/// needs cells to draw from), and their pie chart beside them.
fn insert_submission_chart(sheet: &mut Worksheet, cx: &Ctx, base: u32) -> Result<(), XlsxError> {
    let (lang, totals) = (cx.lang, &cx.summary.submissions);
    let mut chart = Chart::new(ChartType::Pie);
    chart.title().set_name(&cx.w.submission_chart);
    let counts = [
        (timeliness_label(Timeliness::OnTime, lang), totals.on_time),
        (timeliness_label(Timeliness::Late, lang), totals.late),
        (timeliness_label(Timeliness::Rejected, lang), totals.rejected),
        (timeliness_label(Timeliness::Missing, lang), totals.missing),
    ];
    for (i, (label, n)) in counts.iter().enumerate() {
        sheet.write_string_with_format(base + i as u32, 1, *label, &cx.s.bold)?;
        sheet.write_number(base + i as u32, 2, *n as f64)?;
    }
    let name = cx.w.sheets.submissions.as_str();
    chart.add_series().set_categories((name, base, 1, base + 3, 1)).set_values((name, base, 2, base + 3, 2));
    sheet.insert_chart(base, 4, &chart)?;
    Ok(())
}

/// Validation issues of the cycle's files.
fn issues_sheet(wb: &mut Workbook, cx: &Ctx) -> Result<(), XlsxError> {
    let s = &cx.s;
    let words = cx.lang.words();
    // Validation messages exist in the built-in languages only: the fallback's.
    let messages_vi = cx.lang.fallback() == crate::language::Lang::Vi;
    let cols = titles(&cx.w.columns.issues);
    let widths = [36.0, 18.0, 10.0, 8.0, 10.0, 18.0, 7.0, 70.0, 50.0];
    let sheet = table_sheet(wb, &cx.w.sheets.issues, &cols, &widths, s)?;
    for (i, fi) in cx.summary.issues.iter().enumerate() {
        let r = 1 + i as u32;
        put_text(sheet, r, 0, &fi.file, s)?;
        sheet.write_string(r, 1, fi.unit.as_deref().map(|c| cx.unit_name(c)).unwrap_or_default())?;
        sheet.write_string(r, 2, fi.week.as_deref().unwrap_or(""))?;
        sheet.write_string(r, 3, fi.issue.code.as_str())?;
        let severity = match fi.issue.severity {
            crate::issue::Severity::Error => &words.error,
            crate::issue::Severity::Warning => &words.warning,
            crate::issue::Severity::Info => &words.info,
        };
        sheet.write_string(r, 4, severity)?;
        put_text(sheet, r, 5, fi.issue.location.sheet.as_deref().unwrap_or(""), s)?;
        sheet.write_string(r, 6, fi.issue.location.cell.as_deref().unwrap_or(""))?;
        let (message, hint) = if messages_vi {
            (&fi.issue.message_vi, &fi.issue.hint_vi)
        } else {
            (&fi.issue.message_en, &fi.issue.hint_en)
        };
        put_text(sheet, r, 7, message, s)?;
        put_text(sheet, r, 8, hint, s)?;
    }
    sheet.autofilter(0, 0, cx.summary.issues.len() as u32, 8)?;
    Ok(())
}

/// Data quality: values that jump against their unit's history.
fn quality_sheet(wb: &mut Workbook, cx: &Ctx) -> Result<(), XlsxError> {
    let s = &cx.s;
    let cols = titles(&cx.w.columns.quality);
    let widths = [20.0, 10.0, 10.0, 14.0, 14.0, 8.0, 70.0, 40.0];
    let sheet = table_sheet(wb, &cx.w.sheets.quality, &cols, &widths, s)?;
    for (i, q) in cx.summary.quality.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_string(r, 0, cx.unit_name(&q.unit))?;
        sheet.write_string(r, 1, &q.code)?;
        sheet.write_string(r, 2, &q.week)?;
        sheet.write_number_with_format(r, 3, q.value, &s.integer)?;
        sheet.write_number_with_format(r, 4, q.median, &s.integer)?;
        sheet.write_number(r, 5, q.history_weeks as f64)?;
        // Like validation messages, quality notes exist in the built-in languages only.
        let message = if cx.lang.fallback() == crate::language::Lang::Vi { &q.message_vi } else { &q.message_en };
        sheet.write_string_with_format(r, 6, message, &s.text)?;
        put_text(sheet, r, 7, &source(&q.source.file, &q.source.sheet, &q.source.cell), s)?;
    }
    Ok(())
}

/// Narrative: difficulties, proposals, highlights and next week's tasks, one
/// row per entry, grouped by kind then by field.
fn narrative_sheet(wb: &mut Workbook, cx: &Ctx) -> Result<(), XlsxError> {
    let (s, lang, narrative) = (&cx.s, cx.lang, &cx.summary.narrative);
    let cols = titles(&cx.w.columns.narrative);
    let sheet = table_sheet(wb, &cx.w.sheets.narrative, &cols, &[18.0, 24.0, 20.0, 80.0, 26.0, 10.0, 36.0], s)?;
    let groups = [
        (&narrative.difficulties, "difficulty"),
        (&narrative.proposals, "proposal"),
        (&narrative.highlights, "highlight"),
        (&narrative.next_week, "next_week"),
    ];
    let mut r = 1;
    for (groups, kind) in groups {
        let kind_label = narrative_kind_label(cx.config, kind, lang);
        for g in groups {
            for e in &g.items {
                sheet.write_string(r, 0, &kind_label)?;
                sheet.write_string(r, 1, lang.label(&g.vi, &g.en, &g.other))?;
                sheet.write_string(r, 2, cx.unit_name(&e.unit))?;
                put_text(sheet, r, 3, &e.text, s)?;
                put_text(sheet, r, 4, e.addressee.as_deref().unwrap_or(""), s)?;
                sheet.write_string(r, 5, &e.week)?;
                put_text(sheet, r, 6, &source(&e.file, &e.sheet, &e.cell), s)?;
                r += 1;
            }
        }
    }
    // The filter keeps at least one row below the header, even with no entries.
    sheet.autofilter(0, 0, r.saturating_sub(1).max(1), 6)?;
    Ok(())
}

/// Label of a narrative kind, as `schema.toml` names it in the language; empty
/// for a kind the schema does not list.
fn narrative_kind_label(config: &Config, kind: &str, lang: &Language) -> String {
    config
        .schema
        .narrative_kinds
        .iter()
        .find(|k| k.code == kind)
        .map(|k| lang.label(&k.vi, &k.en, config.translations(LabelOf::NarrativeKind, &k.code)).to_string())
        .unwrap_or_default()
}

fn status_code(status: crate::model::TaskStatus) -> &'static str {
    match status {
        crate::model::TaskStatus::Completed => "completed",
        crate::model::TaskStatus::InProgress => "in_progress",
        crate::model::TaskStatus::NotStarted => "not_started",
    }
}

/// Label of a timeliness status.
pub fn timeliness_label(t: Timeliness, lang: &Language) -> &str {
    let words = lang.words();
    match t {
        Timeliness::OnTime => &words.on_time,
        Timeliness::Late => &words.late,
        Timeliness::Rejected => &words.rejected,
        Timeliness::Missing => &words.missing,
    }
}

/// Label of a task status code, as `schema.toml` names it in the language.
fn task_status_label<'c>(config: &'c Config, code: &'c str, lang: &Language) -> &'c str {
    config
        .schema
        .task_statuses
        .iter()
        .find(|s| s.code == code)
        .map(|s| lang.label(&s.vi, &s.en, config.translations(LabelOf::TaskStatus, code)))
        .unwrap_or(code)
}
