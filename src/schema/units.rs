//! The registry of reporting units (`units.toml`) and matching of what reporters type.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::Spanned;

use super::labels::{LabelOf, Labels, translations};
use super::source::{ConfigError, SourceFile};
use crate::text::fold_key;

/// A kind of reporting unit (`ministry`, `agency`, `province`, ...), as declared in `units.toml`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct UnitType(pub String);

impl UnitType {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A declared unit type with its labels.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct UnitTypeDef {
    pub code: String,
    pub vi: String,
    pub en: String,
}

/// One reporting unit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unit {
    pub code: String,
    pub unit_type: UnitType,
    pub name: String,
    pub short: String,
    pub en: String,
    pub aliases: Vec<String>,
    /// Names of former units merged into this one; accepted with a warning.
    pub former: Vec<String>,
    pub city: bool,
    pub group: Option<String>,
}

/// How a typed unit name was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitVia {
    Code,
    Name,
    Alias,
    /// The name of a unit merged into this one (a warning for the reporter).
    Former,
}

/// The result of [`Registry::resolve`].
#[derive(Debug, Clone, Copy)]
pub struct UnitMatch<'a> {
    pub unit: &'a Unit,
    pub via: UnitVia,
}

/// All reporting units, with an index of every accepted spelling.
#[derive(Debug, Clone)]
pub struct Registry {
    version: String,
    types: Vec<UnitType>,
    type_defs: Vec<UnitTypeDef>,
    units: Vec<Unit>,
    /// fold_key(spelling) → (unit index, how)
    index: HashMap<String, (usize, UnitVia)>,
    /// Names of units and unit types in languages beyond Vietnamese and English.
    labels: Labels,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    registry_version: String,
    #[serde(rename = "unit_type", default)]
    unit_types: Vec<Spanned<RawUnitType>>,
    #[serde(rename = "unit", default)]
    units: Vec<Spanned<RawUnit>>,
}

// Further keys go to `extra`, where only labels in other languages are accepted
// (serde cannot combine `deny_unknown_fields` with `flatten`).
#[derive(Deserialize)]
struct RawUnitType {
    code: String,
    vi: String,
    en: String,
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

const UNIT_TYPE_FIELDS: &[&str] = &["code", "vi", "en"];

#[derive(Deserialize)]
struct RawUnit {
    code: Spanned<String>,
    #[serde(rename = "type")]
    unit_type: Spanned<String>,
    name: Spanned<String>,
    short: Spanned<String>,
    en: String,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    former: Vec<Spanned<String>>,
    #[serde(default)]
    city: bool,
    group: Option<String>,
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

const UNIT_FIELDS: &[&str] = &["code", "type", "name", "short", "en", "aliases", "former", "city", "group"];

impl Registry {
    pub(crate) fn parse(src: &SourceFile<'_>) -> Result<Registry, ConfigError> {
        let raw: RawRegistry = src.parse()?;
        let mut labels = Labels::default();
        let mut type_defs: Vec<UnitTypeDef> = Vec::new();
        for t in raw.unit_types {
            let span = t.span();
            let t = t.into_inner();
            if type_defs.iter().any(|d| d.code == t.code) {
                return Err(src.error_span(&span, format!("unit type \"{}\" is declared twice", t.code)));
            }
            labels.insert(LabelOf::UnitType, &t.code, translations(src, span.start, t.extra, UNIT_TYPE_FIELDS, &[])?);
            type_defs.push(UnitTypeDef { code: t.code, vi: t.vi, en: t.en });
        }
        if type_defs.is_empty() {
            return Err(src.error_at(None, "no [[unit_type]] is declared"));
        }

        let mut registry = Registry {
            version: raw.registry_version,
            types: Vec::new(),
            type_defs,
            units: Vec::new(),
            index: HashMap::new(),
            labels,
        };
        for u in raw.units {
            let header = u.span().start;
            let u = u.into_inner();
            let type_name = u.unit_type.get_ref();
            if !registry.type_defs.iter().any(|d| &d.code == type_name) {
                let known: Vec<&str> = registry.type_defs.iter().map(|d| d.code.as_str()).collect();
                return Err(src.error_span(
                    &u.unit_type.span(),
                    format!(
                        "unit {} has type \"{type_name}\", which no [[unit_type]] declares (declared: {})",
                        u.code.get_ref(),
                        known.join(", ")
                    ),
                ));
            }
            let index = registry.units.len();
            let mut spellings: Vec<(&Spanned<String>, UnitVia)> =
                vec![(&u.code, UnitVia::Code), (&u.name, UnitVia::Name), (&u.short, UnitVia::Name)];
            spellings.extend(u.aliases.iter().map(|a| (a, UnitVia::Alias)));
            spellings.extend(u.former.iter().map(|a| (a, UnitVia::Former)));
            for (spelling, via) in spellings {
                let key = fold_key(spelling.get_ref());
                if key.is_empty() {
                    return Err(src.error_span(&spelling.span(), "empty unit code, name or alias"));
                }
                match registry.index.get(&key) {
                    Some((other, _)) if *other != index => {
                        return Err(src.error_span(
                            &spelling.span(),
                            format!(
                                "\"{}\" would identify both unit {} and unit {}; every code, name and alias must be unique (compared without case and diacritics)",
                                spelling.get_ref(),
                                registry.units[*other].code,
                                u.code.get_ref()
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        registry.index.insert(key, (index, via));
                    }
                }
            }
            registry.labels.insert(
                LabelOf::Unit,
                u.code.get_ref(),
                translations(src, header, u.extra, UNIT_FIELDS, &[])?,
            );
            let unit_type = UnitType(type_name.clone());
            if !registry.types.contains(&unit_type) {
                registry.types.push(unit_type.clone());
            }
            registry.units.push(Unit {
                code: u.code.into_inner(),
                unit_type,
                name: u.name.into_inner(),
                short: u.short.into_inner(),
                en: u.en,
                aliases: u.aliases.into_iter().map(Spanned::into_inner).collect(),
                former: u.former.into_iter().map(Spanned::into_inner).collect(),
                city: u.city,
                group: u.group,
            });
        }
        if registry.units.is_empty() {
            return Err(src.error_at(None, "the registry lists no [[unit]]"));
        }
        Ok(registry)
    }

    /// The registry's version string (the date of the administrative map it follows).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Every unit, in file order.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Units of one type, in file order.
    pub fn units_of<'a>(&'a self, unit_type: &'a UnitType) -> impl Iterator<Item = &'a Unit> {
        self.units.iter().filter(move |u| &u.unit_type == unit_type)
    }

    /// The unit types that at least one unit has, in order of first appearance.
    pub fn types(&self) -> &[UnitType] {
        &self.types
    }

    /// Whether some unit has this type.
    pub fn has_type(&self, name: &str) -> bool {
        self.types.iter().any(|t| t.0 == name)
    }

    /// Names of units and unit types in languages beyond Vietnamese and English.
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// Labels of a unit type.
    pub fn type_def(&self, unit_type: &UnitType) -> Option<&UnitTypeDef> {
        self.type_defs.iter().find(|d| d.code == unit_type.0)
    }

    /// The unit with exactly this code.
    pub fn get(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code == code)
    }

    /// Understands what a reporter typed for the unit: its code, name, short name,
    /// an alias or a former name, in any case and Unicode form, with or without
    /// diacritics; also `code - name` as the form's drop-down writes it, a
    /// one-digit province code (`1` for `01`), and names with a leading
    /// `UBND`, `Tỉnh`, `Thành phố` or `TP.`.
    ///
    /// ```
    /// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
    /// let units = &config.units;
    /// assert_eq!(units.resolve("Đăk Lăk").unwrap().unit.code, "66");
    /// assert_eq!(units.resolve("01 - Hà Nội").unwrap().unit.code, "01");
    /// assert_eq!(units.resolve("UBND tỉnh Thanh Hoá").unwrap().unit.code, "38");
    /// assert!(units.resolve("Tỉnh Atlantis").is_none());
    /// ```
    /// For text written `code - name` (the drop-down's wording), the two units
    /// when the code names one and the name another: `01 - Thanh Hóa`.
    ///
    /// ```
    /// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
    /// let (by_code, by_name) = config.units.contradiction("01 - Thanh Hóa").unwrap();
    /// assert_eq!((by_code.code.as_str(), by_name.code.as_str()), ("01", "38"));
    /// assert!(config.units.contradiction("38 - Thanh Hóa").is_none());
    /// assert!(config.units.contradiction("38 - Tỉnh chưa có").is_none());
    /// ```
    pub fn contradiction(&self, typed: &str) -> Option<(&Unit, &Unit)> {
        let normalized = crate::text::normalize_text(typed);
        let (code, name) = [" - ", " – ", " — "].iter().find_map(|dash| normalized.split_once(dash))?;
        let by_code = self.resolve(code)?;
        let by_name = self.resolve(name)?;
        (by_code.unit.code != by_name.unit.code).then_some((by_code.unit, by_name.unit))
    }

    pub fn resolve(&self, typed: &str) -> Option<UnitMatch<'_>> {
        let key = fold_key(typed);
        if key.is_empty() {
            return None;
        }
        let mut candidates = vec![key.clone()];
        if key.len() == 1 && key.as_bytes()[0].is_ascii_digit() {
            candidates.push(format!("0{key}"));
        }
        // "01 - Hà Nội" (the drop-down's wording): the code before the dash decides.
        let normalized = crate::text::normalize_text(typed);
        for dash in [" - ", " – ", " — "] {
            if let Some((code, _)) = normalized.split_once(dash) {
                candidates.push(fold_key(code));
            }
        }
        let mut stripped = key.as_str();
        loop {
            let before = stripped;
            for prefix in ["ubnd ", "uy ban nhan dan ", "tinh ", "thanh pho ", "tp "] {
                if let Some(rest) = stripped.strip_prefix(prefix) {
                    stripped = rest;
                }
            }
            if stripped == before {
                break;
            }
            candidates.push(stripped.to_string());
        }
        candidates.iter().find_map(|k| self.index.get(k).map(|&(i, via)| UnitMatch { unit: &self.units[i], via }))
    }
}
