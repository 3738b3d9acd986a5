//! What every renderer shares: where templates are found (a user's override
//! folder, then the configuration folder), tera with the shared filters, the
//! contexts, the output names and the error of rendering.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use tera::{Context, Kwargs, State, Tera, Value};

use super::format;
use crate::aggregate::Summary;
use crate::language::Language;
use crate::schema::Config;

/// One rendered file.
#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Where templates come from: the configuration folder, then (winning) a user folder.
#[derive(Debug, Clone)]
pub struct Templates {
    pub config_dir: PathBuf,
    pub override_dir: Option<PathBuf>,
}

impl Templates {
    /// The path of a template for a language: `<override>/<lang>/<name>`,
    /// `<override>/<name>`, then `<config>/<lang>/<name>`.
    pub fn find(&self, lang: &Language, name: &str) -> Option<PathBuf> {
        let code = lang.code();
        let mut candidates = Vec::new();
        if let Some(dir) = &self.override_dir {
            candidates.push(dir.join(code).join(name));
            candidates.push(dir.join(name));
        }
        candidates.push(self.config_dir.join(code).join(name));
        candidates.into_iter().find(|p| p.is_file())
    }
}

/// Why an output could not be rendered.
#[derive(Debug)]
pub struct RenderError {
    pub output: String,
    pub message: String,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.output, self.message)
    }
}

impl std::error::Error for RenderError {}

/// The file names of the outputs.
pub const DATA_JSON: &str = "data.json";
pub const SUMMARY_MD: &str = "tom-tat.md";
pub const WORKBOOK_XLSX: &str = "tong-hop.xlsx";
pub const REPORT_HTML: &str = "index.html";

/// Names and labels the templates look up by code.
#[derive(Serialize)]
pub(crate) struct Lookups<'a> {
    units: BTreeMap<&'a str, UnitLabel<'a>>,
    criteria: BTreeMap<&'a str, CriterionLabel<'a>>,
}

#[derive(Serialize)]
struct UnitLabel<'a> {
    name: &'a str,
    short: &'a str,
    en: &'a str,
    unit_type: &'a str,
}

#[derive(Serialize)]
struct CriterionLabel<'a> {
    vi: &'a str,
    en: &'a str,
    unit_vi: &'a str,
    unit_en: &'a str,
}

pub(crate) fn lookups(config: &Config) -> Lookups<'_> {
    Lookups {
        units: config
            .units
            .units()
            .iter()
            .map(|u| {
                (
                    u.code.as_str(),
                    UnitLabel { name: &u.name, short: &u.short, en: &u.en, unit_type: u.unit_type.as_str() },
                )
            })
            .collect(),
        criteria: config
            .schema
            .criteria
            .iter()
            .map(|c| {
                (c.code.as_str(), CriterionLabel { vi: &c.vi, en: &c.en, unit_vi: &c.unit_vi, unit_en: &c.unit_en })
            })
            .collect(),
    }
}

fn number_arg(value: &Value) -> Option<f64> {
    if value.is_none() { None } else { value.as_f64() }
}

/// A tera instance with the formatting filters of `lang`.
///
/// Filters: `num(decimals=0)`, `pct(decimals=1)`, `signed(decimals=0)`, `points(decimals=1)`, `date`
/// (ISO date string in), `datetime` (RFC 3339 in), `duration` (minutes in),
/// `unit` (unit code → its name in the language), `slug`.
/// A missing value renders as an em dash.
pub fn tera_for(config: &Config, lang: &Language) -> Tera {
    let mut tera = Tera::default();
    let l = lang.clone();
    tera.register_filter("num", move |v: &Value, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
        let decimals = kwargs.get::<i64>("decimals")?.unwrap_or(0).clamp(0, 6) as usize;
        Ok(number_arg(v).map(|n| format::number(n, decimals, &l)).unwrap_or_else(|| "—".into()))
    });
    let l = lang.clone();
    tera.register_filter("pct", move |v: &Value, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
        let decimals = kwargs.get::<i64>("decimals")?.unwrap_or(1).clamp(0, 6) as usize;
        Ok(number_arg(v).map(|n| format::percent_to(n, decimals, &l)).unwrap_or_else(|| "—".into()))
    });
    let l = lang.clone();
    tera.register_filter("signed", move |v: &Value, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
        let decimals = kwargs.get::<i64>("decimals")?.unwrap_or(0).clamp(0, 6) as usize;
        Ok(number_arg(v).map(|n| format::signed(n, decimals, &l)).unwrap_or_else(|| "—".into()))
    });
    let l = lang.clone();
    tera.register_filter("points", move |v: &Value, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
        let decimals = kwargs.get::<i64>("decimals")?.unwrap_or(1).clamp(0, 6) as usize;
        Ok(number_arg(v).map(|n| format::points_to(n, decimals, &l)).unwrap_or_else(|| "—".into()))
    });
    let l = lang.clone();
    tera.register_filter("date", move |v: &Value, _: Kwargs, _: &State| {
        v.as_str()
            .and_then(|s| chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok())
            .map(|d| format::date(d, &l))
            .unwrap_or_else(|| "—".into())
    });
    let names: BTreeMap<String, String> =
        config.units.units().iter().map(|u| (u.code.clone(), lang.unit_short(config, u).to_string())).collect();
    tera.register_filter("unit", move |v: &str, _: Kwargs, _: &State| {
        names.get(v).cloned().unwrap_or_else(|| v.to_string())
    });
    let l = lang.clone();
    tera.register_filter("duration", move |v: &Value, _: Kwargs, _: &State| {
        number_arg(v).map(|m| format::duration(m as i64, &l)).unwrap_or_else(|| "—".into())
    });
    let l = lang.clone();
    // The change of a ratio as the difference of its two shown values, so that
    // "69,75% → 69,70%" is followed by "-0,05 điểm %", never by a rounding of its own.
    tera.register_filter("points_from", move |v: &Value, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
        let decimals = kwargs.get::<i64>("decimals")?.unwrap_or(1).clamp(0, 6) as usize;
        let old = kwargs.get::<f64>("old")?;
        let shown = |ratio: f64| format::round_to(ratio * 100.0, decimals);
        Ok(match (number_arg(v), old) {
            (Some(new), Some(old)) => format::points_to((shown(new) - shown(old)) / 100.0, decimals, &l),
            _ => "—".into(),
        })
    });
    tera.register_filter("slug", |v: &str, _: Kwargs, _: &State| format::slug(v));
    let l = lang.clone();
    let time = lang.approval().map(|w| w.time.clone());
    // An approval's time in the words of [approval]: "20:00 ngày 03/12/2026".
    tera.register_filter("when", move |v: &Value, _: Kwargs, _: &State| {
        let at = v.as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
        match (at, &time) {
            (Some(t), Some(format)) => t.format(format).to_string(),
            (Some(t), None) => l.format_date_time(t),
            (None, _) => "—".into(),
        }
    });
    let l = lang.clone();
    tera.register_filter("datetime", move |v: &Value, _: Kwargs, _: &State| {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| l.format_date_time(t))
            .unwrap_or_else(|| "—".into())
    });
    tera
}

/// The labels a template reads in the language of the build: wherever the data
/// carry a text in several languages, a `*_label` key holds the one to show.
/// `vi`, `en`, `fr`… give `label`; `unit_vi`, `unit_en`… give `unit_label`;
/// likewise `message_*`, `hint_*` and `title` / `title_en`… give
/// `message_label`, `hint_label` and `title_label`. The shipped templates read
/// only these, so a copy of them works in any language.
fn localize(value: &mut serde_json::Value, lang: &Language) {
    match value {
        serde_json::Value::Object(map) => {
            for child in map.values_mut() {
                localize(child, lang);
            }
            // (prefix, key of the Vietnamese text, key added)
            const LABELS: [(&str, &str, &str); 5] = [
                ("", "vi", "label"),
                ("unit_", "unit_vi", "unit_label"),
                ("message_", "message_vi", "message_label"),
                ("hint_", "hint_vi", "hint_label"),
                ("title_", "title", "title_label"),
            ];
            for (prefix, vi_key, key) in LABELS {
                let en_key = format!("{prefix}en");
                if map.contains_key(key) || !map.contains_key(vi_key) || !map.contains_key(&en_key) {
                    continue;
                }
                let text = |k: &str| map.get(k).and_then(serde_json::Value::as_str);
                let vi = text(vi_key).unwrap_or_default();
                // An English text may be absent (a task the reporter added): Vietnamese then.
                let en = text(&en_key).unwrap_or(vi);
                let own = format!("{prefix}{}", lang.code());
                let translations: crate::schema::Translations =
                    text(&own).map(|t| BTreeMap::from([(own.clone(), t.to_string())])).unwrap_or_default();
                let chosen = lang.label_keyed(prefix, vi, en, &translations).to_string();
                map.insert(key.to_string(), serde_json::Value::String(chosen));
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                localize(item, lang);
            }
        }
        _ => {}
    }
}

/// In a summary, each figure's `period_label`: its label naming the period the
/// cycle's aggregate covers ([`Language::period_label`]).
fn label_periods(value: &mut serde_json::Value, lang: &Language) {
    let weeks = value.pointer("/cycle/weeks").and_then(serde_json::Value::as_array);
    let Some(weeks) = weeks.filter(|w| !w.is_empty()) else { return };
    let count = weeks.len();
    let last_to = weeks.last().and_then(|w| w["to"].as_str()).and_then(|d| d.parse::<chrono::NaiveDate>().ok());
    let as_of = last_to.map(|d| lang.format_date(d)).unwrap_or_default();
    let changed: Vec<&mut serde_json::Value> = match value.pointer_mut("/changes/figures") {
        Some(serde_json::Value::Array(figures)) => figures.iter_mut().collect(),
        _ => Vec::new(),
    };
    changed.into_iter().for_each(|figure| label_period(figure, lang, count, &as_of));
    let Some(sections) = value.get_mut("sections").and_then(serde_json::Value::as_array_mut) else { return };
    for figure in sections.iter_mut().filter_map(|s| s.get_mut("figures")?.as_array_mut()).flatten() {
        label_period(figure, lang, count, &as_of);
    }
}

/// Adds `period_label` to a figure of kind `flow` or `stock`: its label naming the period.
fn label_period(figure: &mut serde_json::Value, lang: &Language, count: usize, as_of: &str) {
    let kind = match figure["kind"].as_str() {
        Some("flow") => crate::schema::Aggregation::Flow,
        Some("stock") => crate::schema::Aggregation::Stock,
        _ => return,
    };
    let label = figure["label"].as_str().unwrap_or_default();
    let period = lang.period_label(label, kind, count, as_of);
    figure["period_label"] = serde_json::Value::String(period);
}

/// The template context of any data: its fields, with the labels of `lang` added.
pub(crate) fn context_of(data: &impl Serialize, lang: &Language, name: &str) -> Result<Context, RenderError> {
    let err = |message: String| RenderError { output: name.to_string(), message };
    let mut value = serde_json::to_value(data).map_err(|e| err(e.to_string()))?;
    localize(&mut value, lang);
    label_periods(&mut value, lang);
    Context::from_serialize(&value).map_err(|e| err(describe(&e)))
}

/// Renders a text template of the summary (HTML escaped for `.html`, Markdown-escaped for `.md`).
pub fn render_template(
    config: &Config,
    summary: &Summary,
    templates: &Templates,
    lang: &Language,
    name: &str,
) -> Result<String, RenderError> {
    render_template_with(config, summary, templates, lang, name, serde_json::Value::Null)
}

/// [`render_template`] with extra top-level variables (an object), such as charts.
pub fn render_template_with(
    config: &Config,
    summary: &Summary,
    templates: &Templates,
    lang: &Language,
    name: &str,
    extra: serde_json::Value,
) -> Result<String, RenderError> {
    let mut context = context_of(summary, lang, name)?;
    let mut extra = extra;
    localize(&mut extra, lang);
    if let serde_json::Value::Object(map) = extra {
        for (key, value) in map {
            context.insert(key, &value);
        }
    }
    Compiled::new(config, templates, lang, name)?.render(config, context)
}

/// Renders a template over any serializable data (receipts, the status board).
pub fn render_value(
    config: &Config,
    templates: &Templates,
    lang: &Language,
    name: &str,
    data: serde_json::Value,
) -> Result<String, RenderError> {
    Compiled::new(config, templates, lang, name)?.render_value(config, &data)
}

/// A template parsed once, to render many times (receipts: one per file).
pub struct Compiled {
    tera: Tera,
    name: String,
    path: PathBuf,
    lang: Language,
}

impl Compiled {
    /// Finds and parses a template, with the filters and escaping of its kind.
    pub fn new(config: &Config, templates: &Templates, lang: &Language, name: &str) -> Result<Compiled, RenderError> {
        let err = |message: String| RenderError { output: name.to_string(), message };
        let path = templates.find(lang, name).ok_or_else(|| {
            err(format!(
                "no template {}/{name} in {} (nor in the override folder)",
                lang.code(),
                templates.config_dir.display()
            ))
        })?;
        let source = std::fs::read_to_string(&path).map_err(|e| err(format!("{}: {e}", path.display())))?;
        let mut tera = tera_for(config, lang);
        if name.ends_with(".md") {
            tera.autoescape_on(vec![".md"]);
            tera.set_escape_fn(|input, out| out.write_all(format::escape_markdown(input).as_bytes()));
        }
        tera.add_raw_template(name, &source).map_err(|e| err(format!("{}: {}", path.display(), describe(&e))))?;
        Ok(Compiled { tera, name: name.to_string(), path, lang: lang.clone() })
    }

    /// Renders with a context (the lookups are added); [`Compiled::render_value`] adds the labels.
    pub fn render(&self, config: &Config, mut context: Context) -> Result<String, RenderError> {
        context.insert("lookups", &lookups(config));
        self.tera.render(&self.name, &context).map_err(|e| RenderError {
            output: self.name.clone(),
            message: format!("{}: {}", self.path.display(), describe(&e)),
        })
    }

    /// Renders any serializable data, with the `*_label` keys of the template's language.
    pub fn render_value(&self, config: &Config, data: &impl Serialize) -> Result<String, RenderError> {
        self.render(config, context_of(data, &self.lang, &self.name)?)
    }
}

/// Tera errors nest their causes; show the whole chain, which names the line and the problem.
fn describe(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}
