//! `report_templates/document.toml`: what the meeting document says about
//! itself — issuing body, number, place, signer, recipients — and how its
//! computed parts are chosen (document date, unit rankings). Staff edit it in a
//! text editor; a broken file is refused with its name, line and the problem,
//! as the other configuration files are.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::schema::Config;

/// The file name, beside `schema.toml` (or in the `--templates` folder, which wins).
pub(crate) const DOCUMENT_FILE: &str = "document.toml";

/// Which day the document is dated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateFrom {
    /// The meeting the document is written for (the data cut-off when weeks were named directly).
    Meeting,
    /// The data cut-off of the cycle.
    Cutoff,
}

/// The texts of one language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LangText {
    #[serde(default)]
    pub issuer_parent: String,
    pub issuer: String,
    /// The issuing body as running text names it ("Bộ Nội vụ").
    pub issuer_name: String,
    pub number: String,
    pub place: String,
    pub signer_authority: String,
    pub signer_title: String,
    pub signer_name: String,
    pub recipients: Vec<String>,
}

/// Sort order of a ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    Ascending,
    Descending,
}

/// Units ranked by a criterion or a ratio, for the tables that compare units.
#[derive(Debug, Clone)]
pub(crate) struct Ranking {
    pub name: String,
    pub unit_types: Vec<String>,
    pub by: String,
    pub order: Order,
    pub limit: usize,
}

/// The whole file, checked.
#[derive(Debug, Clone)]
pub(crate) struct DocumentSettings {
    pub date_from: DateFrom,
    pub fill_day: bool,
    pub upcoming_days: u32,
    /// Most highlights and planned tasks listed per field (the others are counted).
    pub max_texts_per_field: usize,
    pub text: BTreeMap<String, LangText>,
    pub rankings: Vec<Ranking>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    date: Spanned<String>,
    #[serde(default)]
    fill_day: bool,
    #[serde(default = "default_upcoming")]
    upcoming_days: u32,
    #[serde(default = "default_max_texts")]
    max_texts_per_field: usize,
    lang: BTreeMap<String, LangText>,
    #[serde(default)]
    ranking: Vec<Spanned<RawRanking>>,
}

fn default_upcoming() -> u32 {
    92
}

fn default_max_texts() -> usize {
    10
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRanking {
    name: String,
    #[serde(default)]
    unit_types: Vec<String>,
    by: Spanned<String>,
    order: Spanned<String>,
    limit: usize,
}

/// Where `document.toml` is: the override folder first, then the configuration folder.
pub(crate) fn locate(config_dir: &Path, override_dir: Option<&Path>) -> PathBuf {
    override_dir
        .map(|d| d.join(DOCUMENT_FILE))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| config_dir.join(DOCUMENT_FILE))
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Reads and checks the file. Errors read `path:line: problem`.
pub(crate) fn load(path: &Path, config: &Config) -> Result<DocumentSettings, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the document settings ({e})", path.display()))?;
    parse(&text, path, config)
}

/// Parses the text of the file; `path` only names it in messages.
pub(crate) fn parse(text: &str, path: &Path, config: &Config) -> Result<DocumentSettings, String> {
    let at = |offset: usize, message: &str| format!("{}:{}: {message}", path.display(), line_of(text, offset));
    let raw: RawSettings = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_string();
        match e.span() {
            Some(span) => at(span.start, &message),
            None => format!("{}: {message}", path.display()),
        }
    })?;
    let date_from = match raw.date.get_ref().as_str() {
        "meeting" => DateFrom::Meeting,
        "cutoff" => DateFrom::Cutoff,
        other => {
            return Err(at(
                raw.date.span().start,
                &format!("date = {other:?}: write \"meeting\" (ngày họp) or \"cutoff\" (ngày chốt số liệu)"),
            ));
        }
    };
    let mut rankings: Vec<Ranking> = Vec::new();
    for spanned in &raw.ranking {
        let r = spanned.get_ref();
        let start = spanned.span().start;
        if r.name.is_empty() || !r.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(at(start, &format!("ranking name {:?}: use letters, digits and _ only", r.name)));
        }
        if rankings.iter().any(|x| x.name == r.name) {
            return Err(at(start, &format!("ranking {:?} is defined twice", r.name)));
        }
        if let Some(t) = r.unit_types.iter().find(|t| !config.units.has_type(t)) {
            return Err(at(start, &format!("ranking {:?}: unknown unit type {t:?}", r.name)));
        }
        let by = r.by.get_ref();
        if config.schema.criterion(by).is_none() && !config.schema.ratios.iter().any(|x| &x.code == by) {
            return Err(at(
                r.by.span().start,
                &format!("ranking {:?}: {by:?} is neither a criterion nor a ratio", r.name),
            ));
        }
        let order = match r.order.get_ref().as_str() {
            "asc" => Order::Ascending,
            "desc" => Order::Descending,
            other => return Err(at(r.order.span().start, &format!("order = {other:?}: write \"asc\" or \"desc\""))),
        };
        if r.limit == 0 {
            return Err(at(start, &format!("ranking {:?}: limit must be at least 1", r.name)));
        }
        rankings.push(Ranking {
            name: r.name.clone(),
            unit_types: r.unit_types.clone(),
            by: by.clone(),
            order,
            limit: r.limit,
        });
    }
    Ok(DocumentSettings {
        date_from,
        fill_day: raw.fill_day,
        upcoming_days: raw.upcoming_days,
        max_texts_per_field: raw.max_texts_per_field,
        text: raw.lang,
        rankings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::load(Path::new("report_templates")).expect("config")
    }

    #[test]
    fn the_shipped_file_loads() {
        let settings = load(Path::new("report_templates/document.toml"), &config()).expect("document.toml");
        assert!(settings.text.contains_key("vi") && settings.text.contains_key("en"));
        let vi = &settings.text["vi"];
        assert_eq!(vi.issuer, "BỘ NỘI VỤ");
        assert!(vi.recipients.last().is_some_and(|r| r.starts_with("- Lưu")));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let c = config();
        let e = parse("date = \"meeting\"\nfill_day = maybe\n", Path::new("document.toml"), &c).unwrap_err();
        assert!(e.starts_with("document.toml:2:"), "{e}");
        let e = parse("date = \"tomorrow\"\n[lang]\n", Path::new("d.toml"), &c).unwrap_err();
        assert!(e.starts_with("d.toml:1:") && e.contains("meeting"), "{e}");
        let text = "date = \"meeting\"\n[lang]\n[[ranking]]\nname = \"x\"\nby = \"Z99\"\norder = \"asc\"\nlimit = 3\n";
        let e = parse(text, Path::new("d.toml"), &c).unwrap_err();
        assert!(e.starts_with("d.toml:5:") && e.contains("Z99"), "{e}");
    }
}
