//! Labels in languages beyond Vietnamese and English.
//!
//! Every label of `schema.toml` and `units.toml` has its `vi` and `en` fields;
//! any further language is an extra key named by its code (`fr = "…"`, and
//! `unit_fr = "…"` for a criterion's unit of measure). Such keys are kept
//! here, by what they label, so that the typed configuration stays the same
//! whatever languages are installed.

use std::collections::BTreeMap;

use super::source::{ConfigError, SourceFile};

/// The texts of one label in further languages: key → text, the key being the
/// language code (`fr`) or a prefix and the code (`unit_fr`).
pub type Translations = BTreeMap<String, String>;

/// What a label belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LabelOf {
    Section,
    Criterion,
    Ratio,
    Task,
    TaskStatus,
    NarrativeKind,
    Field,
    UnitType,
    Unit,
}

impl LabelOf {
    /// The table name in the configuration file (`criterion` for `[[criterion]]`).
    pub fn table(self) -> &'static str {
        match self {
            LabelOf::Section => "section",
            LabelOf::Criterion => "criterion",
            LabelOf::Ratio => "ratio",
            LabelOf::Task => "task",
            LabelOf::TaskStatus => "task_status",
            LabelOf::NarrativeKind => "narrative_kind",
            LabelOf::Field => "field",
            LabelOf::UnitType => "unit_type",
            LabelOf::Unit => "unit",
        }
    }
}

/// The translations of a configuration file's labels, by what they label and its code.
///
/// ```
/// use tonghop::schema::{LabelOf, Labels};
/// let labels = Labels::default();
/// assert!(labels.get(LabelOf::Criterion, "B01").is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Labels(BTreeMap<LabelOf, BTreeMap<String, Translations>>);

impl Labels {
    /// The translations of one item (empty when it has none).
    pub fn get(&self, of: LabelOf, code: &str) -> &Translations {
        static EMPTY: Translations = BTreeMap::new();
        self.0.get(&of).and_then(|items| items.get(code)).unwrap_or(&EMPTY)
    }

    pub(crate) fn insert(&mut self, of: LabelOf, code: &str, translations: Translations) {
        if !translations.is_empty() {
            self.0.entry(of).or_default().insert(code.to_string(), translations);
        }
    }
}

/// Whether a key reads as a language code: two or three lowercase letters
/// (ISO 639), optionally followed by subtags (`zh-hant`, `pt-BR`).
///
/// ```
/// use tonghop::schema::is_language_code;
/// assert!(is_language_code("fr") && is_language_code("pt-BR") && is_language_code("khm"));
/// assert!(!is_language_code("requird") && !is_language_code("../en") && !is_language_code("FR"));
/// ```
pub fn is_language_code(key: &str) -> bool {
    let mut parts = key.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The byte offset of the line holding `key = …` in the table whose header
/// starts at `header`, so that an error points at the key itself (the header's
/// line when the key is written some other way).
fn key_offset(text: &str, header: usize, key: &str) -> usize {
    let start = header.min(text.len());
    let after_header = text[start..].find('\n').map_or(text.len(), |n| start + n + 1);
    let mut offset = after_header;
    for line in text[after_header..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            break;
        }
        let name = trimmed.split('=').next().unwrap_or("").trim().trim_matches('"');
        if trimmed.contains('=') && name == key {
            return offset + (line.len() - trimmed.len());
        }
        offset += line.len();
    }
    header
}

/// Checks the keys of a table that are not its fields: each must be a label in
/// another language (a language code, or one of `prefixes` and a code) with a
/// text value. Anything else is refused as an unknown field, at its line.
pub(crate) fn translations(
    src: &SourceFile<'_>,
    header: usize,
    extra: BTreeMap<String, toml::Value>,
    fields: &[&str],
    prefixes: &[&str],
) -> Result<Translations, ConfigError> {
    let mut out = Translations::new();
    for (key, value) in extra {
        let is_label = std::iter::once("")
            .chain(prefixes.iter().copied())
            .any(|p| key.strip_prefix(p).is_some_and(is_language_code));
        let at = Some(key_offset(src.text, header, &key));
        if !is_label {
            let expected: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            return Err(src.error_at(
                at,
                format!(
                    "unknown field `{key}`, expected one of {}, or a label in another language such as `fr = \"…\"`",
                    expected.join(", ")
                ),
            ));
        }
        match value {
            toml::Value::String(text) => {
                out.insert(key, text);
            }
            other => {
                return Err(src.error_at(
                    at,
                    format!(
                        "`{key}` is read as a label in another language and must be a text in quotes, not {}",
                        other.type_str()
                    ),
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_on_their_line() {
        let text = "[[criterion]]\ncode = \"A01\"\n  fr = \"x\"\n[[criterion]]\nfr = \"y\"\n";
        assert_eq!(key_offset(text, 0, "fr"), text.find("fr").expect("fr"));
        assert_eq!(key_offset(text, 0, "de"), 0, "absent: the header");
    }

    #[test]
    fn only_language_keys_with_text_pass() {
        let path = std::path::Path::new("schema.toml");
        let text = "[[criterion]]\ncode = \"A01\"\nfr = \"Documents\"\nunit_fr = \"documents\"\n";
        let src = SourceFile { path, text };
        let extra = |k: &str, v: toml::Value| BTreeMap::from([(k.to_string(), v)]);
        let ok = translations(&src, 0, extra("unit_fr", "documents".into()), &["code"], &["unit_"]).expect("ok");
        assert_eq!(ok["unit_fr"], "documents");
        let e = translations(&src, 0, extra("unit_fr", "documents".into()), &["code"], &[]).unwrap_err();
        assert!(e.message.contains("unknown field `unit_fr`"), "{e}");
        let e = translations(&src, 0, extra("fr", toml::Value::Integer(3)), &["code"], &[]).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.contains("text in quotes"), "{e}");
    }
}
