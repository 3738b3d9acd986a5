//! `index.html`: the reviewer's report, one self-contained page (no script, no
//! network), rendered with tera from `report_templates/<lang>/index.html`.
//! Charts are drawn here as SVG and handed to the template as safe strings;
//! everything else the template escapes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::format;
use super::svg::{self, Mark};
use super::templates::{REPORT_HTML, RenderError, Templates, render_template_with};
use crate::aggregate::Summary;
use crate::language::Language;
use crate::schema::Config;

/// A headline figure with what the page needs to show it.
#[derive(Debug, Serialize)]
struct Headline {
    code: String,
    vi: String,
    en: String,
    unit_vi: String,
    unit_en: String,
    is_ratio: bool,
    /// The label naming the period the figure covers.
    period_label: String,
    value: Option<f64>,
    previous: Option<f64>,
    change: Option<f64>,
    /// Weekly reports with a value out of those owed (a flow), or units (a level, a ratio).
    reported: usize,
    expected: usize,
    /// Whether `reported`/`expected` count weekly reports rather than units.
    weekly: bool,
    /// The figure without the values to check, when it counts one.
    suspect: Option<crate::aggregate::Excluding>,
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
    /// Weekly reports received out of owed, week by week.
    rates: String,
}

fn headlines(config: &Config, summary: &Summary, lang: &Language) -> Vec<Headline> {
    let weeks = summary.cycle.weeks.len();
    let as_of = summary.cycle.weeks.last().map(|w| lang.format_date(w.to)).unwrap_or_default();
    config
        .schema
        .headline
        .iter()
        .filter_map(|code| {
            if let Some(f) = summary.sections.iter().flat_map(|s| &s.figures).find(|f| &f.code == code) {
                let weekly = f.kind == crate::schema::Aggregation::Flow;
                return Some(Headline {
                    code: f.code.clone(),
                    vi: f.vi.clone(),
                    en: f.en.clone(),
                    unit_vi: f.unit_vi.clone(),
                    unit_en: f.unit_en.clone(),
                    is_ratio: false,
                    period_label: lang.period_label(lang.label(&f.vi, &f.en, &f.other), f.kind, weeks, &as_of),
                    value: f.value,
                    previous: f.previous,
                    change: f.change,
                    reported: if weekly { f.coverage.unit_weeks_reported } else { f.coverage.reported },
                    expected: if weekly { f.coverage.unit_weeks_expected } else { f.coverage.expected },
                    weekly,
                    suspect: f.suspect.clone(),
                    other: f.other.clone(),
                });
            }
            let r = summary.ratios.iter().find(|r| &r.code == code)?;
            // A ratio of weekly counts is counted in the weekly reports of its denominator.
            let weekly_parts = summary
                .sections
                .iter()
                .flat_map(|s| &s.figures)
                .find(|f| f.code == r.denominator_code && f.kind == crate::schema::Aggregation::Flow);
            Some(Headline {
                code: r.code.clone(),
                vi: r.vi.clone(),
                en: r.en.clone(),
                unit_vi: String::new(),
                unit_en: String::new(),
                is_ratio: true,
                period_label: lang.label(&r.vi, &r.en, &r.other).to_string(),
                value: r.value,
                previous: r.previous,
                change: r.change,
                reported: weekly_parts.map_or(r.units, |f| f.coverage.unit_weeks_reported),
                expected: weekly_parts.map_or_else(
                    || summary.by_unit.ratio_expected.get(&r.code).copied().unwrap_or(0),
                    |f| f.coverage.unit_weeks_expected,
                ),
                weekly: weekly_parts.is_some(),
                suspect: r.suspect.clone(),
                other: r.other.clone(),
            })
        })
        .collect()
}

/// A unit's short name in the language.
fn short_name(config: &Config, code: &str, lang: &Language) -> String {
    config.units.get(code).map(|u| lang.unit_short(config, u).to_string()).unwrap_or(code.to_string())
}

/// The first headline that is a reported criterion: the one drawn per unit.
fn units_code(config: &Config) -> String {
    config
        .schema
        .headline
        .iter()
        .find(|c| config.schema.criterion(c).is_some())
        .cloned()
        .unwrap_or_else(|| "B01".to_string())
}

/// The bars of the per-unit chart: every province (or, when provinces do not report the
/// criterion, every unit that does) with its value, largest first, those without one last.
fn unit_bars(config: &Config, summary: &Summary, code: &str, lang: &Language) -> Vec<(String, Option<f64>)> {
    let Some(c) = config.schema.criterion(code) else { return Vec::new() };
    let reporting_type =
        config.units.types().iter().find(|t| t.as_str() == "province").filter(|t| c.reported_by_type(t)).cloned();
    let shown = |unit: &crate::schema::Unit| match &reporting_type {
        Some(t) => &unit.unit_type == t,
        None => c.reported_by_type(&unit.unit_type),
    };
    let mut rows: Vec<(String, Option<f64>)> = summary
        .matrix
        .iter()
        .filter(|row| config.units.get(&row.unit).is_some_and(shown))
        .map(|row| {
            let v = row.values.iter().find(|(c, _)| c == code).and_then(|(_, v)| *v);
            // A bar holding a value to check says so, as the figures do.
            let suspect = summary.quality.iter().any(|q| q.unit == row.unit && q.code == code);
            let name = short_name(config, &row.unit, lang);
            (if suspect { format!("{name} (*)") } else { name }, v)
        })
        .collect();
    rows.sort_by(|a, b| b.1.unwrap_or(f64::NEG_INFINITY).total_cmp(&a.1.unwrap_or(f64::NEG_INFINITY)));
    rows
}

fn units_chart(config: &Config, summary: &Summary, code: &str, lang: &Language) -> String {
    let rows = unit_bars(config, summary, code, lang);
    let label = headline_label(summary, code, lang);
    svg::bar_chart(&format!("{code} — {label}"), &rows, &lang.charts().not_reported, &|v| format::number(v, 0, lang))
}

/// The label of a headline figure or ratio in the language.
fn headline_label(summary: &Summary, code: &str, lang: &Language) -> String {
    let figure = summary.sections.iter().flat_map(|s| &s.figures).find(|f| f.code == code);
    let as_of = summary.cycle.weeks.last().map(|w| lang.format_date(w.to)).unwrap_or_default();
    figure
        .map(|f| lang.period_label(lang.label(&f.vi, &f.en, &f.other), f.kind, summary.cycle.weeks.len(), &as_of))
        .or_else(|| {
            summary.ratios.iter().find(|r| r.code == code).map(|r| lang.label(&r.vi, &r.en, &r.other).to_string())
        })
        .unwrap_or_default()
}

/// The trend of the `i`-th headline over the cycles of the summary.
fn trend(config: &Config, summary: &Summary, i: usize, code: &str, lang: &Language) -> Trend {
    let is_ratio = config.schema.ratios.iter().any(|r| r.code == code);
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
    Trend {
        code: code.to_string(),
        svg: svg::trend_chart(code, &points, &fmt, &lang.charts().fewer_cycles, is_ratio.then_some(1.0)),
        label: headline_label(summary, code, lang),
    }
}

/// The checklist grid: one line per unit (registry order), one mark per yes/no item.
fn status_grid(config: &Config, summary: &Summary, lang: &Language) -> String {
    let items: Vec<String> = summary.statuses.iter().map(|s| s.code.clone()).collect();
    let mut grid_units: Vec<(String, Vec<Mark>)> = Vec::new();
    if let Some(first) = summary.statuses.first() {
        let mut codes: Vec<&String> =
            first.yes_units.iter().chain(&first.no_units).chain(&first.not_reported).collect();
        codes.sort_by_key(|c| config.units.units().iter().position(|u| &u.code == *c));
        for code in codes {
            let mark = |s: &crate::aggregate::StatusFigure| {
                if s.yes_units.contains(code) {
                    Mark::Yes
                } else if s.no_units.contains(code) {
                    Mark::No
                } else {
                    Mark::NotReported
                }
            };
            grid_units.push((short_name(config, code, lang), summary.statuses.iter().map(mark).collect()));
        }
    }
    let words = lang.charts();
    svg::status_grid(&words.checklist, &items, &grid_units, [&words.done, &words.not_done, &words.not_reported])
}

fn charts(config: &Config, summary: &Summary, lang: &Language) -> Charts {
    let units_code = units_code(config);
    Charts {
        units: units_chart(config, summary, &units_code, lang),
        units_code,
        trends: config
            .schema
            .headline
            .iter()
            .enumerate()
            .map(|(i, code)| trend(config, summary, i, code, lang))
            .collect(),
        status_grid: status_grid(config, summary, lang),
        rates: rates_chart(summary, lang),
    }
}

/// Completeness over the weeks up to the cycle's last: the share of weekly
/// reports owed that were received, every unit type together.
fn rates_chart(summary: &Summary, lang: &Language) -> String {
    let points: Vec<(String, Option<f64>)> = summary
        .submissions
        .rates
        .iter()
        .map(|w| {
            let owed: usize = w.groups.iter().map(|g| g.owed).sum();
            let received: usize = w.groups.iter().map(|g| g.received).sum();
            let week = w.week.rsplit_once('-').map(|(_, n)| n).unwrap_or(&w.week).to_string();
            (week, (owed > 0).then(|| received as f64 / owed as f64))
        })
        .collect();
    let words = lang.charts();
    svg::trend_chart(&words.reporting_rate, &points, &|v| format::percent(v, lang), &words.fewer_weeks, Some(1.0))
}

/// Renders `index.html`.
pub fn render(
    config: &Config,
    summary: &Summary,
    templates: &Templates,
    lang: &Language,
) -> Result<String, RenderError> {
    let rejected = rejected_files(config, summary);
    let extra = serde_json::json!({
        "headlines": headlines(config, summary, lang),
        "charts": charts(config, summary, lang),
        "anchors": { "files": first_anchor_of_each_path(&rejected), "codes": code_anchors(summary) },
        "rejected_files": rejected,
    });
    render_template_with(config, summary, templates, lang, REPORT_HTML, extra)
}

/// A rejected file as the report lists it, with the link to its receipt and
/// the `id` of its heading.
#[derive(Debug, Serialize)]
struct RejectedFile<'s> {
    path: &'s str,
    unit: Option<&'s str>,
    week: Option<&'s str>,
    receipt: String,
    anchor: String,
}

/// The rejected files, each with an `id` of its own: a path listed twice (two
/// versions of a file, in a build from the archive) gets `-2` on the second.
fn rejected_files<'s>(config: &Config, summary: &'s Summary) -> Vec<RejectedFile<'s>> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    summary
        .files
        .iter()
        .filter(|f| f.status == crate::model::FileStatus::Rejected)
        .map(|f| {
            let times = seen.entry(&f.path).or_default();
            *times += 1;
            let anchor = match *times {
                1 => file_anchor(&f.path),
                n => format!("{}-{n}", file_anchor(&f.path)),
            };
            // Receipts sit in outputs/receipts/, one level above the cycle's folder.
            let stem = super::receipt::receipt_stem_for(config, f.week.as_deref(), f.unit.as_deref(), &f.path);
            let receipt = format!("../{}", link_path(&super::receipt::with_extension(&stem, ".html")));
            RejectedFile { path: &f.path, unit: f.unit.as_deref(), week: f.week.as_deref(), receipt, anchor }
        })
        .collect()
}

fn first_anchor_of_each_path<'s>(rejected: &[RejectedFile<'s>]) -> BTreeMap<&'s str, String> {
    let mut anchors = BTreeMap::new();
    for f in rejected {
        anchors.entry(f.path).or_insert_with(|| f.anchor.clone());
    }
    anchors
}

/// How much of a file's slug its `id` keeps: enough to read, the hash tells files apart.
const ANCHOR_SLUG_CHARS: usize = 60;

/// The `id` of a rejected file's heading: `tep-`, its slug (readable) and the
/// hash of its path (unique: two paths that slug alike, `a b.xlsx` and
/// `a-b.xlsx`, stay two). Ends in hexadecimal, so no fixed `id` of the page
/// (`tep-bi-tu-choi`) can be one.
fn file_anchor(path: &str) -> String {
    let slug: String = format::slug(path).chars().take(ANCHOR_SLUG_CHARS).collect();
    format!("tep-{}-{}", slug.trim_end_matches('-'), super::receipt::path_hash(path))
}

/// The `id` of each criterion's and ratio's row: `cf-` and the code's slug; a
/// code whose slug another took first (`B01` and `b01`, `B.1` and `B-1`) gets
/// `-2`, `-3`…, so every `id` of the page is its own.
fn code_anchors(summary: &Summary) -> BTreeMap<&str, String> {
    let codes = summary.sections.iter().flat_map(|s| &s.figures).map(|f| f.code.as_str());
    let codes = codes.chain(summary.ratios.iter().map(|r| r.code.as_str()));
    let mut taken = BTreeSet::new();
    let mut anchors = BTreeMap::new();
    for code in codes {
        let base = format!("cf-{}", format::slug(code));
        let anchor = (1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
            .find(|candidate| !taken.contains(candidate))
            .unwrap_or(base);
        taken.insert(anchor.clone());
        anchors.insert(code, anchor);
    }
    anchors
}

/// A relative path as a link: `/` between its names, each name percent-encoded
/// (RFC 3986: everything but letters, digits and `-._~`), so that a file named
/// `BC#40 Hà Nội.xlsx` or `100%25.xlsx` is linked to, not to a fragment or
/// another name.
fn link_path(path: &std::path::Path) -> String {
    path.iter().map(|name| percent_encode(&name.to_string_lossy())).collect::<Vec<_>>().join("/")
}

fn percent_encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn links_are_percent_encoded_by_name() {
        assert_eq!(
            link_path(Path::new("receipts/2025-W37/01/BC#40 Hà.xlsx")),
            "receipts/2025-W37/01/BC%2340%20H%C3%A0.xlsx"
        );
        assert_eq!(link_path(Path::new("100%25.xlsx")), "100%2525.xlsx");
        assert_eq!(link_path(Path::new("a?b&c=d.xlsx")), "a%3Fb%26c%3Dd.xlsx");
    }

    #[test]
    fn files_that_slug_alike_keep_their_own_anchor() {
        assert!(file_anchor("a b.xlsx").starts_with("tep-a-b-xlsx-"));
        assert_ne!(file_anchor("a b.xlsx"), file_anchor("a-b.xlsx"));
        assert_ne!(file_anchor("\\xff.xlsx"), file_anchor("\\xfe.xlsx"));
    }
}
