//! Stage 6: the summary written out — `data.json`, `tom-tat.md` (tera
//! templates from `report_templates/<lang>/`, overridable by a user folder) and
//! `tong-hop.xlsx`.
//!
//! Every output is a pure function of the summary: no clock, stable order, fixed
//! document timestamps, so the same inputs give the same bytes.

pub mod docx;
pub mod format;
mod html;
pub mod receipt;
pub mod svg;
mod xlsx;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tera::{Context, Kwargs, State, Tera, Value};

use crate::aggregate::Summary;
use crate::cli::Lang;
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
    pub fn find(&self, lang: Lang, name: &str) -> Option<PathBuf> {
        let code = lang_code(lang);
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

pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    }
}

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

/// `data.json`: the summary with provenance, for other systems (`docs/data-json.md`).
pub fn data_json(config: &Config, summary: &Summary) -> Result<Vec<u8>, RenderError> {
    #[derive(Serialize)]
    struct Document<'a> {
        format: &'static str,
        lookups: Lookups<'a>,
        #[serde(flatten)]
        summary: &'a Summary,
    }
    let doc = Document { format: "tonghop-data/1", lookups: lookups(config), summary };
    let mut bytes = serde_json::to_vec_pretty(&doc)
        .map_err(|e| RenderError { output: DATA_JSON.into(), message: e.to_string() })?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn number_arg(value: &Value) -> Option<f64> {
    if value.is_none() { None } else { value.as_f64() }
}

/// A tera instance with the formatting filters of `lang`.
///
/// Filters: `num(decimals=0)`, `pct`, `signed(decimals=0)`, `points`, `date`
/// (ISO date string in), `unit` (unit code → short name, or English name).
/// A missing value renders as an em dash.
pub fn tera_for(config: &Config, lang: Lang) -> Tera {
    let mut tera = Tera::default();
    tera.register_filter("num", move |v: &Value, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
        let decimals = kwargs.get::<i64>("decimals")?.unwrap_or(0).clamp(0, 6) as usize;
        Ok(number_arg(v).map(|n| format::number(n, decimals, lang)).unwrap_or_else(|| "—".into()))
    });
    tera.register_filter("pct", move |v: &Value, _: Kwargs, _: &State| {
        number_arg(v).map(|n| format::percent(n, lang)).unwrap_or_else(|| "—".into())
    });
    tera.register_filter("signed", move |v: &Value, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
        let decimals = kwargs.get::<i64>("decimals")?.unwrap_or(0).clamp(0, 6) as usize;
        Ok(number_arg(v).map(|n| format::signed(n, decimals, lang)).unwrap_or_else(|| "—".into()))
    });
    tera.register_filter("points", move |v: &Value, _: Kwargs, _: &State| {
        number_arg(v).map(|n| format::points(n, lang)).unwrap_or_else(|| "—".into())
    });
    tera.register_filter("date", move |v: &Value, _: Kwargs, _: &State| {
        v.as_str()
            .and_then(|s| chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").ok())
            .map(|d| format::date(d, lang))
            .unwrap_or_else(|| "—".into())
    });
    let names: BTreeMap<String, String> = config
        .units
        .units()
        .iter()
        .map(|u| (u.code.clone(), if lang == Lang::Vi { u.short.clone() } else { u.en.clone() }))
        .collect();
    tera.register_filter("unit", move |v: &str, _: Kwargs, _: &State| {
        names.get(v).cloned().unwrap_or_else(|| v.to_string())
    });
    tera.register_filter("duration", move |v: &Value, _: Kwargs, _: &State| {
        number_arg(v).map(|m| format::duration(m as i64, lang)).unwrap_or_else(|| "—".into())
    });
    tera.register_filter("slug", |v: &str, _: Kwargs, _: &State| format::slug(v));
    tera.register_filter("datetime", move |v: &Value, _: Kwargs, _: &State| {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| format!("{} {}", format::date(t.date_naive(), lang), t.format("%H:%M")))
            .unwrap_or_else(|| "—".into())
    });
    tera
}

/// Renders a text template of the summary (HTML escaped for `.html`, Markdown-escaped for `.md`).
pub fn render_template(
    config: &Config,
    summary: &Summary,
    templates: &Templates,
    lang: Lang,
    name: &str,
) -> Result<String, RenderError> {
    render_template_with(config, summary, templates, lang, name, serde_json::Value::Null)
}

/// [`render_template`] with extra top-level variables (an object), such as charts.
pub fn render_template_with(
    config: &Config,
    summary: &Summary,
    templates: &Templates,
    lang: Lang,
    name: &str,
    extra: serde_json::Value,
) -> Result<String, RenderError> {
    let mut context = Context::from_serialize(summary)
        .map_err(|e| RenderError { output: name.to_string(), message: describe(&e) })?;
    if let serde_json::Value::Object(map) = extra {
        for (key, value) in map {
            context.insert(key, &value);
        }
    }
    render_context(config, templates, lang, name, context)
}

/// Renders a template over any serializable data (receipts, the status board).
pub fn render_value(
    config: &Config,
    templates: &Templates,
    lang: Lang,
    name: &str,
    data: serde_json::Value,
) -> Result<String, RenderError> {
    let context =
        Context::from_serialize(&data).map_err(|e| RenderError { output: name.to_string(), message: describe(&e) })?;
    render_context(config, templates, lang, name, context)
}

fn render_context(
    config: &Config,
    templates: &Templates,
    lang: Lang,
    name: &str,
    context: Context,
) -> Result<String, RenderError> {
    Compiled::new(config, templates, lang, name)?.render(config, context)
}

/// A template parsed once, to render many times (receipts: one per file).
pub struct Compiled {
    tera: Tera,
    name: String,
    path: PathBuf,
}

impl Compiled {
    /// Finds and parses a template, with the filters and escaping of its kind.
    pub fn new(config: &Config, templates: &Templates, lang: Lang, name: &str) -> Result<Compiled, RenderError> {
        let err = |message: String| RenderError { output: name.to_string(), message };
        let path = templates.find(lang, name).ok_or_else(|| {
            err(format!(
                "no template {}/{name} in {} (nor in the override folder)",
                lang_code(lang),
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
        Ok(Compiled { tera, name: name.to_string(), path })
    }

    /// Renders with a context (the lookups are added).
    pub fn render(&self, config: &Config, mut context: Context) -> Result<String, RenderError> {
        context.insert("lookups", &lookups(config));
        self.tera.render(&self.name, &context).map_err(|e| RenderError {
            output: self.name.clone(),
            message: format!("{}: {}", self.path.display(), describe(&e)),
        })
    }

    /// Renders any serializable data.
    pub fn render_value(&self, config: &Config, data: &impl Serialize) -> Result<String, RenderError> {
        let context = Context::from_serialize(data)
            .map_err(|e| RenderError { output: self.name.clone(), message: describe(&e) })?;
        self.render(config, context)
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

/// Renders every output of this stage.
pub fn render_all(
    config: &Config,
    summary: &Summary,
    templates: &Templates,
    lang: Lang,
) -> Result<Vec<Output>, RenderError> {
    Ok(vec![
        Output { name: DATA_JSON.into(), bytes: data_json(config, summary)? },
        Output {
            name: SUMMARY_MD.into(),
            bytes: render_template(config, summary, templates, lang, SUMMARY_MD)?.into_bytes(),
        },
        Output { name: REPORT_HTML.into(), bytes: html::render(config, summary, templates, lang)?.into_bytes() },
        Output { name: docx::DOCX_NAME.into(), bytes: docx::render(config, summary, templates, lang)? },
        Output {
            name: WORKBOOK_XLSX.into(),
            bytes: xlsx::workbook(config, summary, lang)
                .map_err(|e| RenderError { output: WORKBOOK_XLSX.into(), message: e.to_string() })?,
        },
    ])
}

/// Writes outputs into `dir`, each atomically.
pub fn write_outputs(dir: &Path, outputs: &[Output]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for o in outputs {
        crate::cli::write_atomic(&dir.join(&o.name), &o.bytes)?;
    }
    Ok(())
}
