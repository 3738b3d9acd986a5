//! `index.html`: the reviewer's report, one self-contained page (no script, no
//! network), rendered with tera from `report_templates/<lang>/index.html`.
//! Charts are drawn here as SVG and handed to the template as safe strings;
//! everything else the template escapes.

use serde::Serialize;

use super::format;
use super::svg::{self, Mark};
use super::templates::{REPORT_HTML, RenderError, Templates, render_template_with};
use crate::aggregate::Summary;
use crate::language::Language;
use crate::schema::{Config, LabelOf};

/// A headline figure with what the page needs to show it.
#[derive(Debug, Serialize)]
struct Headline {
    code: String,
    vi: String,
    en: String,
    unit_vi: String,
    unit_en: String,
    is_ratio: bool,
    value: Option<f64>,
    previous: Option<f64>,
    change: Option<f64>,
    reported: usize,
    expected: usize,
    /// Labels in further languages (`fr`, `unit_fr`).
    #[serde(flatten)]
    other: crate::schema::Translations,
}

#[derive(Debug, Serialize)]
struct Trend {
    code: String,
    label: String,
    svg: String,
}

#[derive(Debug, Serialize)]
struct Charts {
    /// Per-unit bars of the first headline criterion.
    units: String,
    units_code: String,
    trends: Vec<Trend>,
    status_grid: String,
}

fn headlines(config: &Config, summary: &Summary) -> Vec<Headline> {
    config
        .schema
        .headline
        .iter()
        .filter_map(|code| {
            if let Some(f) = summary.sections.iter().flat_map(|s| &s.figures).find(|f| &f.code == code) {
                return Some(Headline {
                    code: f.code.clone(),
                    vi: f.vi.clone(),
                    en: f.en.clone(),
                    unit_vi: f.unit_vi.clone(),
                    unit_en: f.unit_en.clone(),
                    is_ratio: false,
                    value: f.value,
                    previous: f.previous,
                    change: f.change,
                    reported: f.coverage.reported,
                    expected: f.coverage.expected,
                    other: f.other.clone(),
                });
            }
            let r = summary.ratios.iter().find(|r| &r.code == code)?;
            let expected = config
                .schema
                .criterion(&r.numerator_code)
                .zip(config.schema.criterion(&r.denominator_code))
                .map(|(n, d)| {
                    config
                        .units
                        .units()
                        .iter()
                        .filter(|u| n.reported_by_type(&u.unit_type) && d.reported_by_type(&u.unit_type))
                        .count()
                })
                .unwrap_or(0);
            Some(Headline {
                code: r.code.clone(),
                vi: r.vi.clone(),
                en: r.en.clone(),
                unit_vi: String::new(),
                unit_en: String::new(),
                is_ratio: true,
                value: r.value,
                previous: r.previous,
                change: r.change,
                reported: r.units,
                expected,
                other: r.other.clone(),
            })
        })
        .collect()
}

fn charts(config: &Config, summary: &Summary, lang: &Language) -> Charts {
    let name =
        |code: &str| config.units.get(code).map(|u| lang.unit_short(config, u).to_string()).unwrap_or(code.to_string());
    // The first headline that is a reported criterion, drawn per province (or per unit that reports it).
    let units_code = config
        .schema
        .headline
        .iter()
        .find(|c| config.schema.criterion(c).is_some())
        .cloned()
        .unwrap_or_else(|| "B01".to_string());
    let mut rows: Vec<(String, Option<f64>)> = Vec::new();
    if let Some(c) = config.schema.criterion(&units_code) {
        let reporting_type =
            config.units.types().iter().find(|t| t.as_str() == "province").filter(|t| c.reported_by_type(t)).cloned();
        for row in &summary.matrix {
            let Some(unit) = config.units.get(&row.unit) else { continue };
            let shown = match &reporting_type {
                Some(t) => &unit.unit_type == t,
                None => c.reported_by_type(&unit.unit_type),
            };
            if shown {
                let v = row.values.iter().find(|(code, _)| code == &units_code).and_then(|(_, v)| *v);
                rows.push((name(&row.unit), v));
            }
        }
        rows.sort_by(|a, b| b.1.unwrap_or(f64::NEG_INFINITY).total_cmp(&a.1.unwrap_or(f64::NEG_INFINITY)));
    }
    let label = config
        .schema
        .criterion(&units_code)
        .map(|c| lang.label(&c.vi, &c.en, config.translations(LabelOf::Criterion, &c.code)))
        .unwrap_or_default();
    let units = svg::bar_chart(&format!("{units_code} — {label}"), &rows, &lang.charts().not_reported, &|v| {
        format::number(v, 0, lang)
    });

    let trends = config
        .schema
        .headline
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let is_ratio = config.schema.ratios.iter().any(|r| &r.code == code);
            let title = summary
                .sections
                .iter()
                .flat_map(|s| &s.figures)
                .find(|f| &f.code == code)
                .map(|f| lang.label(&f.vi, &f.en, &f.other).to_string())
                .or_else(|| {
                    summary
                        .ratios
                        .iter()
                        .find(|r| &r.code == code)
                        .map(|r| lang.label(&r.vi, &r.en, &r.other).to_string())
                })
                .unwrap_or_default();
            let points: Vec<(String, Option<f64>)> = summary
                .trend
                .iter()
                .map(|p| {
                    let x = match p.meeting {
                        Some(m) => lang.format_day_month(m),
                        None => p.weeks.last().cloned().unwrap_or_default(),
                    };
                    (x, p.values.get(i).and_then(|(_, v)| *v))
                })
                .collect();
            let fmt = |v: f64| if is_ratio { format::percent(v, lang) } else { format::number(v, 0, lang) };
            Trend { code: code.clone(), svg: svg::trend_chart(code, &points, &fmt), label: title }
        })
        .collect();

    let items: Vec<String> = summary.statuses.iter().map(|s| s.code.clone()).collect();
    let mut grid_units: Vec<(String, Vec<Mark>)> = Vec::new();
    if let Some(first) = summary.statuses.first() {
        let mut codes: Vec<&String> =
            first.yes_units.iter().chain(&first.no_units).chain(&first.not_reported).collect();
        codes.sort_by_key(|c| config.units.units().iter().position(|u| &u.code == *c));
        for code in codes {
            let marks = summary
                .statuses
                .iter()
                .map(|s| {
                    if s.yes_units.contains(code) {
                        Mark::Yes
                    } else if s.no_units.contains(code) {
                        Mark::No
                    } else {
                        Mark::NotReported
                    }
                })
                .collect();
            grid_units.push((name(code), marks));
        }
    }
    let words = lang.charts();
    let status_grid =
        svg::status_grid(&words.checklist, &items, &grid_units, [&words.done, &words.not_done, &words.not_reported]);
    Charts { units, units_code, trends, status_grid }
}

/// Renders `index.html`.
pub fn render(
    config: &Config,
    summary: &Summary,
    templates: &Templates,
    lang: &Language,
) -> Result<String, RenderError> {
    let extra = serde_json::json!({
        "headlines": headlines(config, summary),
        "charts": charts(config, summary, lang),
        "rejected_files": summary
            .files
            .iter()
            .filter(|f| f.status == crate::model::FileStatus::Rejected)
            .map(|f| {
                // Receipts sit in outputs/receipts/, one level above the cycle's folder.
                let stem = super::receipt::receipt_stem(f.week.as_deref(), f.unit.as_deref(), &f.path);
                let link = format!("../{}.html", stem.to_string_lossy().replace('\\', "/"));
                serde_json::json!({ "path": f.path, "unit": f.unit, "week": f.week, "receipt": link })
            })
            .collect::<Vec<_>>(),
    });
    render_template_with(config, summary, templates, lang, REPORT_HTML, extra)
}
