//! The layout of the shared folder that `tonghop init` lays out (`layout.toml`):
//! a folder per unit, named by a pattern, holding the how-to, a forms
//! sub-folder and a receipts sub-folder.
//!
//! The names are checked when the configuration loads: each unit's folder name
//! is safe on Windows and SMB, and no two units share one (on a disk that
//! ignores case either), so that a folder always tells whose it is.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use super::source::{ConfigError, SourceFile};
use super::units::{Registry, Unit};

/// The shared folder's layout, checked.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The pattern of a unit's folder name: `{code} - {name}`.
    pub unit_folder: String,
    /// The sub-folder of a unit's folder holding its blank forms.
    pub forms_folder: String,
    /// The sub-folder of a unit's folder holding its receipts.
    pub receipts_folder: String,
    /// The how-to file at the top of a unit's folder.
    pub guide_file: String,
    /// Folder name (folded for case) → unit code, for every unit of the registry.
    folders: HashMap<String, String>,
}

/// The pattern used when `layout.toml` does not name one.
pub const DEFAULT_UNIT_FOLDER: &str = "{code} - {name}";
pub const DEFAULT_FORMS_FOLDER: &str = "bieu-mau";
pub const DEFAULT_RECEIPTS_FOLDER: &str = "bien-nhan";
pub const DEFAULT_GUIDE_FILE: &str = "HUONG-DAN.txt";

/// What a unit-folder pattern may hold, in braces.
const PLACEHOLDERS: [&str; 3] = ["{code}", "{name}", "{full_name}"];

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    unit_folder: Option<Spanned<String>>,
    forms_folder: Option<Spanned<String>>,
    receipts_folder: Option<Spanned<String>>,
    guide_file: Option<Spanned<String>>,
}

/// Which of the entries a unit's folder is laid out with an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitSubFolder {
    Forms,
    Receipts,
    Guide,
}

impl Layout {
    /// The default layout for `units`.
    pub fn default_for(units: &Registry) -> Layout {
        Layout::build(
            DEFAULT_UNIT_FOLDER.into(),
            DEFAULT_FORMS_FOLDER.into(),
            DEFAULT_RECEIPTS_FOLDER.into(),
            DEFAULT_GUIDE_FILE.into(),
            units,
        )
    }

    fn build(unit_folder: String, forms: String, receipts: String, guide: String, units: &Registry) -> Layout {
        let mut layout = Layout {
            unit_folder,
            forms_folder: forms,
            receipts_folder: receipts,
            guide_file: guide,
            folders: HashMap::new(),
        };
        layout.folders = units.units().iter().map(|u| (fold(&layout.folder_of(u)), u.code.clone())).collect();
        layout
    }

    /// Parses and checks `layout.toml` against the unit registry.
    pub(crate) fn parse(src: &SourceFile<'_>, units: &Registry) -> Result<Layout, ConfigError> {
        let raw: RawLayout = src.parse()?;
        let or = |value: &Option<Spanned<String>>, default: &str| {
            value.as_ref().map_or_else(|| default.to_string(), |v| v.get_ref().trim().to_string())
        };
        let at = |value: &Option<Spanned<String>>| value.as_ref().map(|v| v.span().start);
        let layout = Layout::build(
            or(&raw.unit_folder, DEFAULT_UNIT_FOLDER),
            or(&raw.forms_folder, DEFAULT_FORMS_FOLDER),
            or(&raw.receipts_folder, DEFAULT_RECEIPTS_FOLDER),
            or(&raw.guide_file, DEFAULT_GUIDE_FILE),
            units,
        );
        check_pattern(&layout.unit_folder).map_err(|m| src.error_at(at(&raw.unit_folder), m))?;
        for (key, value, raw_value) in [
            ("forms_folder", &layout.forms_folder, &raw.forms_folder),
            ("receipts_folder", &layout.receipts_folder, &raw.receipts_folder),
            ("guide_file", &layout.guide_file, &raw.guide_file),
        ] {
            check_plain_name(key, value).map_err(|m| src.error_at(at(raw_value), m))?;
        }
        let names = [&layout.forms_folder, &layout.receipts_folder, &layout.guide_file];
        if names.iter().enumerate().any(|(i, a)| names[i + 1..].iter().any(|b| fold(a) == fold(b))) {
            return Err(src.error_at(
                at(&raw.receipts_folder).or(at(&raw.forms_folder)),
                "forms_folder, receipts_folder and guide_file must be three different names",
            ));
        }
        if layout.folders.len() != units.units().len() {
            let mut seen: HashMap<String, &str> = HashMap::new();
            for unit in units.units() {
                if let Some(first) = seen.insert(fold(&layout.folder_of(unit)), &unit.code) {
                    return Err(src.error_at(
                        at(&raw.unit_folder),
                        format!(
                            "units {first} and {} get the same folder \"{}\"; put {{code}} in unit_folder",
                            unit.code,
                            layout.folder_of(unit)
                        ),
                    ));
                }
            }
        }
        Ok(layout)
    }

    /// The folder name of `unit`: the pattern filled in, made safe on every system.
    ///
    /// ```
    /// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
    /// let unit = config.units.get("38").unwrap();
    /// assert_eq!(config.layout.folder_of(unit), "38 - Thanh Hóa");
    /// ```
    pub fn folder_of(&self, unit: &Unit) -> String {
        let name = self
            .unit_folder
            .replace("{code}", &unit.code)
            .replace("{name}", &unit.short)
            .replace("{full_name}", &unit.name);
        crate::fs::safe_name(&name)
    }

    /// The unit whose folder a folder name is: the layout's name of a unit
    /// (whatever its case), or a name that starts with a unit's code (`38`,
    /// `38 - Thanh Hóa`, `38 - anything`).
    ///
    /// ```
    /// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
    /// let code = |name| config.layout.unit_of_folder(&config.units, name).map(|u| u.code.clone());
    /// assert_eq!(code("38 - Thanh Hóa").as_deref(), Some("38"));
    /// assert_eq!(code("38").as_deref(), Some("38"));
    /// assert_eq!(code("BNV - Bo Noi vu").as_deref(), Some("BNV"));
    /// assert_eq!(code("2025-W40"), None);
    /// ```
    pub fn unit_of_folder<'u>(&self, units: &'u Registry, name: &str) -> Option<&'u Unit> {
        if let Some(code) = self.folders.get(&fold(name)) {
            return units.get(code);
        }
        let code = name.split_once(" - ").map_or(name, |(code, _)| code).trim();
        units.get(code)
    }

    /// The unit whose folder a file (a path relative to the inputs, `/`
    /// between names) lies in: the innermost folder that names a unit.
    pub fn unit_of_path<'u>(&self, units: &'u Registry, path: &str) -> Option<&'u Unit> {
        path.rsplit('/').skip(1).find_map(|part| self.unit_of_folder(units, part))
    }

    /// Whether an entry named `name` (a folder when `is_dir`) inside a folder
    /// named `parent` is one that this layout puts in a unit's folder: its
    /// forms or receipts folder, or its how-to.
    pub fn unit_sub_folder(&self, units: &Registry, parent: &str, name: &str, is_dir: bool) -> Option<UnitSubFolder> {
        let role = match (fold(name), is_dir) {
            (n, true) if n == fold(&self.forms_folder) => UnitSubFolder::Forms,
            (n, true) if n == fold(&self.receipts_folder) => UnitSubFolder::Receipts,
            (n, false) if n == fold(&self.guide_file) => UnitSubFolder::Guide,
            _ => return None,
        };
        self.unit_of_folder(units, parent).map(|_| role)
    }
}

/// Names compared as a Windows or SMB share compares them: ignoring case.
fn fold(name: &str) -> String {
    name.to_lowercase()
}

fn check_pattern(pattern: &str) -> Result<(), String> {
    if !pattern.contains("{code}") {
        return Err(format!(
            "unit_folder \"{pattern}\" must hold {{code}}, so that every unit's folder tells its code (e.g. \"{DEFAULT_UNIT_FOLDER}\")"
        ));
    }
    let mut rest = pattern.to_string();
    for p in PLACEHOLDERS {
        rest = rest.replace(p, "");
    }
    if rest.contains(['{', '}']) {
        return Err(format!("unit_folder \"{pattern}\": the placeholders are {}", PLACEHOLDERS.join(", ")));
    }
    if rest.contains(['/', '\\']) {
        return Err(format!("unit_folder \"{pattern}\" must name one folder, without / or \\"));
    }
    Ok(())
}

/// A sub-folder or file name: one name, safe on every system, not hidden
/// (hidden folders are never entered), not a week's label.
fn check_plain_name(key: &str, name: &str) -> Result<(), String> {
    if name.is_empty() || crate::fs::safe_name(name) != name || name.starts_with('.') || name.starts_with('~') {
        return Err(format!(
            "{key} \"{name}\" is not a name safe on every system (no / \\ : * ? \" < > |, not hidden, no trailing dot)"
        ));
    }
    let b = name.as_bytes();
    if b.len() == 8 && b[..4].iter().all(u8::is_ascii_digit) && &b[4..6] == b"-W" {
        return Err(format!("{key} \"{name}\" looks like a week's folder"));
    }
    Ok(())
}
