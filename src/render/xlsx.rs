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
use crate::language::Language;
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

pub fn workbook(config: &Config, summary: &Summary, lang: &Language) -> Result<Vec<u8>, XlsxError> {
    let w = lang.workbook();
    let (sheets, columns) = (&w.sheets, &w.columns);
    let s = styles();
    let unit_name =
        |code: &str| config.units.get(code).map(|u| lang.unit_short(config, u).to_string()).unwrap_or(code.to_string());
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{} {}", w.title, summary.cycle.id))
            .set_author(&w.author)
            .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 9, 1)?),
    );

    // Overview: national figures with the previous cycle.
    let overview_name = sheets.overview.as_str();
    let mut ratio_rows = (0u32, 0u32);
    {
        let sheet = wb.add_worksheet().set_name(overview_name)?;
        let weeks: Vec<&str> = summary.cycle.weeks.iter().map(|w| w.label.as_str()).collect();
        let title = match summary.cycle.meeting {
            Some(m) => format!(
                "{} {} — {} {}",
                w.meeting,
                crate::render::format::date(m, lang),
                w.meeting_weeks,
                weeks.join(", ")
            ),
            None => format!("{} {}", w.weeks, weeks.join(", ")),
        };
        sheet.write_string_with_format(0, 0, &title, &s.title)?;
        sheet.write_string(
            1,
            0,
            format!("{} {}", w.cutoff, crate::render::format::date(summary.cycle.cutoff, lang)),
        )?;
        let cols = titles(&columns.overview);
        headers(sheet, 3, &cols, &[7.0, 60.0, 12.0, 10.0, 14.0, 14.0, 12.0, 11.0, 11.0, 11.0, 40.0], &s)?;
        let mut row = 4;
        for section in &summary.sections {
            sheet.write_string_with_format(row, 0, &section.code, &s.bold)?;
            sheet.write_string_with_format(row, 1, lang.label(&section.vi, &section.en, &section.other), &s.bold)?;
            row += 1;
            for f in &section.figures {
                let format = if f.value.is_some_and(|v| v.fract() != 0.0) { &s.decimal } else { &s.integer };
                sheet.write_string(row, 0, &f.code)?;
                sheet.write_string_with_format(row, 1, lang.label(&f.vi, &f.en, &f.other), &s.text)?;
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
                let missing: Vec<String> = f.coverage.missing_units.iter().map(|c| unit_name(c)).collect();
                sheet.write_string_with_format(row, 10, missing.join(", "), &s.text)?;
                row += 1;
            }
        }
        row += 1;
        sheet.write_string_with_format(row, 1, &w.ratios, &s.bold)?;
        row += 1;
        let first_ratio = row;
        for r in &summary.ratios {
            sheet.write_string(row, 0, &r.code)?;
            sheet.write_string_with_format(row, 1, lang.label(&r.vi, &r.en, &r.other), &s.text)?;
            sheet.write_string(row, 2, format!("{}/{}", r.numerator_code, r.denominator_code))?;
            put_number(sheet, row, 4, r.value, &s.percent)?;
            put_number(sheet, row, 5, r.previous, &s.percent)?;
            put_number(sheet, row, 6, r.change, &s.percent)?;
            sheet.write_number(row, 8, r.units as f64)?;
            row += 1;
        }
        ratio_rows = (first_ratio, row.saturating_sub(1)).max(ratio_rows);
        row += 1;
        sheet.write_string_with_format(row, 1, &w.checklist, &s.bold)?;
        row += 1;
        for st in &summary.statuses {
            sheet.write_string(row, 0, &st.code)?;
            sheet.write_string_with_format(row, 1, lang.label(&st.vi, &st.en, &st.other), &s.text)?;
            sheet.write_string(row, 2, format!("{}/{}", st.yes, st.expected))?;
            sheet.write_number(row, 4, st.yes as f64)?;
            if let Some(p) = st.previous_yes {
                sheet.write_number(row, 5, p as f64)?;
                sheet.write_number(row, 6, st.yes as f64 - p as f64)?;
            }
            sheet.write_number(row, 8, (st.yes + st.no_units.len()) as f64)?;
            sheet.write_number(row, 9, st.expected as f64)?;
            let not_done: Vec<String> = st.no_units.iter().map(|c| unit_name(c)).collect();
            sheet.write_string_with_format(row, 10, not_done.join(", "), &s.text)?;
            row += 1;
        }
        let mut chart = Chart::new(ChartType::Bar);
        chart.title().set_name(&w.ratio_chart);
        let (r0, r1) = ratio_rows;
        // The series are the overview's "this cycle" and "previous cycle" columns.
        chart.add_series().set_name(&columns.overview[4]).set_categories((overview_name, r0, 1, r1, 1)).set_values((
            overview_name,
            r0,
            4,
            r1,
            4,
        ));
        chart.add_series().set_name(&columns.overview[5]).set_categories((overview_name, r0, 1, r1, 1)).set_values((
            overview_name,
            r0,
            5,
            r1,
            5,
        ));
        chart.x_axis().set_num_format("0%");
        sheet.insert_chart(3, 12, &chart)?;
    }

    // Matrix: unit × criterion.
    let matrix_name = sheets.matrix.as_str();
    {
        let sheet = wb.add_worksheet().set_name(matrix_name)?;
        let codes: Vec<&str> =
            summary.matrix.first().map(|r| r.values.iter().map(|(c, _)| c.as_str()).collect()).unwrap_or_default();
        let mut cols = titles(&columns.matrix);
        cols.extend(codes.iter().copied());
        let mut widths = vec![9.0, 28.0, 10.0];
        widths.extend(codes.iter().map(|_| 11.0));
        headers(sheet, 0, &cols, &widths, &s)?;
        sheet.set_freeze_panes(1, 2)?;
        for (i, row) in summary.matrix.iter().enumerate() {
            let r = 1 + i as u32;
            sheet.write_string(r, 0, &row.unit)?;
            let name = match lang.code() {
                "vi" => row.name.clone(),
                "en" => row.name_en.clone(),
                _ => unit_name(&row.unit),
            };
            sheet.write_string(r, 1, name)?;
            sheet.write_string(r, 2, &row.unit_type)?;
            for (j, (_, v)) in row.values.iter().enumerate() {
                let format = if v.is_some_and(|x| x.fract() != 0.0) { &s.decimal } else { &s.integer };
                put_number(sheet, r, 3 + j as u16, *v, format)?;
            }
        }
        let last = summary.matrix.len() as u32;
        sheet.autofilter(0, 0, last, 2 + codes.len() as u16)?;
        // Chart: dossiers received per province.
        if let Some(col) = codes.iter().position(|c| *c == "B01") {
            let provinces: Vec<usize> =
                summary.matrix.iter().enumerate().filter(|(_, r)| r.unit_type == "province").map(|(i, _)| i).collect();
            if let (Some(&first), Some(&last)) = (provinces.first(), provinces.last()) {
                let mut chart = Chart::new(ChartType::Column);
                chart.title().set_name(&w.matrix_chart);
                chart
                    .add_series()
                    .set_name("B01")
                    .set_categories((matrix_name, 1 + first as u32, 1, 1 + last as u32, 1))
                    .set_values((matrix_name, 1 + first as u32, 3 + col as u16, 1 + last as u32, 3 + col as u16));
                chart.set_width(960).set_height(400);
                chart.legend().set_hidden();
                sheet.insert_chart(last as u32 + 3, 1, &chart)?;
            }
        }
    }

    // Tasks.
    {
        let sheet = wb.add_worksheet().set_name(&sheets.tasks)?;
        let cols = titles(&columns.tasks);
        headers(sheet, 0, &cols, &[22.0, 8.0, 50.0, 22.0, 24.0, 12.0, 16.0, 14.0, 9.0, 10.0, 40.0], &s)?;
        let date_format = Format::new().set_num_format("dd/mm/yyyy");
        for (i, task) in summary.tasks.items.iter().enumerate() {
            let r = 1 + i as u32;
            sheet.write_string(r, 0, unit_name(&task.unit))?;
            sheet.write_string(r, 1, task.code.as_deref().unwrap_or(""))?;
            let title =
                lang.label_keyed("title_", &task.title, task.title_en.as_deref().unwrap_or(&task.title), &task.titles);
            put_text(sheet, r, 2, title, &s)?;
            put_text(sheet, r, 3, task.assigned_by.as_deref().unwrap_or(""), &s)?;
            put_text(sheet, r, 4, task.deadline_text.as_deref().unwrap_or(""), &s)?;
            if let Some(d) = task.deadline.and_then(|d| ExcelDateTime::parse_from_str(&d.to_string()).ok()) {
                sheet.write_datetime_with_format(r, 5, &d, &date_format)?;
            }
            sheet.write_string(r, 6, task_status_label(config, status_code(task.status), lang))?;
            if let Some(d) = task.completed_on.and_then(|d| ExcelDateTime::parse_from_str(&d.to_string()).ok()) {
                sheet.write_datetime_with_format(r, 7, &d, &date_format)?;
            }
            sheet.write_string(r, 8, if task.overdue { lang.words().overdue.as_str() } else { "" })?;
            if task.overdue {
                sheet.write_number(r, 9, task.days_overdue as f64)?;
            }
            sheet.write_string(r, 10, format!("{} › {}!{}", task.file, task.sheet, task.cell))?;
        }
        sheet.autofilter(0, 0, summary.tasks.items.len() as u32, 10)?;
    }

    // Submissions.
    {
        let sheet = wb.add_worksheet().set_name(&sheets.submissions)?;
        let cols = titles(&columns.submissions);
        headers(sheet, 0, &cols, &[9.0, 26.0, 10.0, 14.0, 17.0, 10.0, 36.0, 36.0, 36.0], &s)?;
        for (i, row) in summary.submissions.rows.iter().enumerate() {
            let r = 1 + i as u32;
            sheet.write_string(r, 0, &row.unit)?;
            sheet.write_string(r, 1, unit_name(&row.unit))?;
            sheet.write_string(r, 2, &row.week)?;
            sheet.write_string(r, 3, timeliness_label(row.timeliness, lang))?;
            if let Some(d) = row.received.as_deref().and_then(rfc3339_to_excel) {
                sheet.write_datetime_with_format(r, 4, &d, &s.date_time)?;
            }
            if let Some(m) = row.minutes_late {
                sheet.write_number(r, 5, m as f64)?;
            }
            put_text(sheet, r, 6, row.file.as_deref().unwrap_or(""), &s)?;
            put_text(sheet, r, 7, &row.superseded.join(", "), &s)?;
            put_text(sheet, r, 8, &row.rejected.join(", "), &s)?;
        }
        sheet.autofilter(0, 0, summary.submissions.rows.len() as u32, 8)?;
        let mut chart = Chart::new(ChartType::Pie);
        chart.title().set_name(&w.submission_chart);
        let base = summary.submissions.rows.len() as u32 + 3;
        let counts = [
            (timeliness_label(Timeliness::OnTime, lang), summary.submissions.on_time),
            (timeliness_label(Timeliness::Late, lang), summary.submissions.late),
            (timeliness_label(Timeliness::Rejected, lang), summary.submissions.rejected),
            (timeliness_label(Timeliness::Missing, lang), summary.submissions.missing),
        ];
        for (i, (label, n)) in counts.iter().enumerate() {
            sheet.write_string_with_format(base + i as u32, 1, *label, &s.bold)?;
            sheet.write_number(base + i as u32, 2, *n as f64)?;
        }
        let name = sheets.submissions.as_str();
        chart.add_series().set_categories((name, base, 1, base + 3, 1)).set_values((name, base, 2, base + 3, 2));
        sheet.insert_chart(base, 4, &chart)?;
    }

    // Validation issues.
    {
        let sheet = wb.add_worksheet().set_name(&sheets.issues)?;
        let cols = titles(&columns.issues);
        let words = lang.words();
        // Validation messages exist in the built-in languages only: the fallback's.
        let messages_vi = lang.fallback() == crate::language::Lang::Vi;
        headers(sheet, 0, &cols, &[36.0, 18.0, 10.0, 8.0, 10.0, 18.0, 7.0, 70.0, 50.0], &s)?;
        for (i, fi) in summary.issues.iter().enumerate() {
            let r = 1 + i as u32;
            put_text(sheet, r, 0, &fi.file, &s)?;
            sheet.write_string(r, 1, fi.unit.as_deref().map(unit_name).unwrap_or_default())?;
            sheet.write_string(r, 2, fi.week.as_deref().unwrap_or(""))?;
            sheet.write_string(r, 3, fi.issue.code.as_str())?;
            let severity = match fi.issue.severity {
                crate::issue::Severity::Error => &words.error,
                crate::issue::Severity::Warning => &words.warning,
                crate::issue::Severity::Info => &words.info,
            };
            sheet.write_string(r, 4, severity)?;
            put_text(sheet, r, 5, fi.issue.location.sheet.as_deref().unwrap_or(""), &s)?;
            sheet.write_string(r, 6, fi.issue.location.cell.as_deref().unwrap_or(""))?;
            let (message, hint) = if messages_vi {
                (&fi.issue.message_vi, &fi.issue.hint_vi)
            } else {
                (&fi.issue.message_en, &fi.issue.hint_en)
            };
            put_text(sheet, r, 7, message, &s)?;
            put_text(sheet, r, 8, hint, &s)?;
        }
        sheet.autofilter(0, 0, summary.issues.len() as u32, 8)?;
    }

    // Data quality.
    {
        let sheet = wb.add_worksheet().set_name(&sheets.quality)?;
        let cols = titles(&columns.quality);
        headers(sheet, 0, &cols, &[20.0, 10.0, 10.0, 14.0, 14.0, 8.0, 70.0, 40.0], &s)?;
        for (i, q) in summary.quality.iter().enumerate() {
            let r = 1 + i as u32;
            sheet.write_string(r, 0, unit_name(&q.unit))?;
            sheet.write_string(r, 1, &q.code)?;
            sheet.write_string(r, 2, &q.week)?;
            sheet.write_number_with_format(r, 3, q.value, &s.integer)?;
            sheet.write_number_with_format(r, 4, q.median, &s.integer)?;
            sheet.write_number(r, 5, q.history_weeks as f64)?;
            let message = if lang.fallback() == crate::language::Lang::Vi { &q.message_vi } else { &q.message_en };
            sheet.write_string_with_format(r, 6, message, &s.text)?;
            put_text(sheet, r, 7, &format!("{} › {}!{}", q.source.file, q.source.sheet, q.source.cell), &s)?;
        }
    }

    // Narrative.
    {
        let sheet = wb.add_worksheet().set_name(&sheets.narrative)?;
        let cols = titles(&columns.narrative);
        headers(sheet, 0, &cols, &[18.0, 24.0, 20.0, 80.0, 26.0, 10.0, 36.0], &s)?;
        let groups = [
            (&summary.narrative.difficulties, "difficulty"),
            (&summary.narrative.proposals, "proposal"),
            (&summary.narrative.highlights, "highlight"),
            (&summary.narrative.next_week, "next_week"),
        ];
        let mut r = 1;
        for (groups, kind) in groups {
            let kind_label = config
                .schema
                .narrative_kinds
                .iter()
                .find(|k| k.code == kind)
                .map(|k| lang.label(&k.vi, &k.en, config.translations(LabelOf::NarrativeKind, &k.code)).to_string())
                .unwrap_or_default();
            for g in groups {
                for e in &g.items {
                    sheet.write_string(r, 0, &kind_label)?;
                    sheet.write_string(r, 1, lang.label(&g.vi, &g.en, &g.other))?;
                    sheet.write_string(r, 2, unit_name(&e.unit))?;
                    put_text(sheet, r, 3, &e.text, &s)?;
                    put_text(sheet, r, 4, e.addressee.as_deref().unwrap_or(""), &s)?;
                    sheet.write_string(r, 5, &e.week)?;
                    put_text(sheet, r, 6, &format!("{} › {}!{}", e.file, e.sheet, e.cell), &s)?;
                    r += 1;
                }
            }
        }
        sheet.autofilter(0, 0, r.saturating_sub(1).max(1), 6)?;
    }
    wb.save_to_buffer()
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
