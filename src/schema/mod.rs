//! Stage 1: the configuration an administrator edits — criteria schema, unit
//! registry, calendar and resource limits — loaded from plain TOML files in
//! `report_templates/`.
//!
//! Loading checks the files as a whole (unknown kinds, duplicate codes, rules
//! naming unknown codes, unit types nobody has) and refuses a broken file with
//! its name, the line and the problem, so that a typo never reaches a report.

mod calendar;
mod criteria;
mod deadline;
mod labels;
mod layout;
mod limits;
mod source;
mod units;

use std::path::{Path, PathBuf};

pub use calendar::Calendar;
pub use criteria::{
    Aggregation, Criterion, Labelled, NarrativeKind, Op, QualitySettings, Ratio, Responsible, Rule, Schema, Section,
    TaskDef, ValueType,
};
pub use deadline::parse_deadline;
pub use labels::{LabelOf, Labels, Translations, is_language_code};
pub use layout::{Layout, UnitSubFolder};
pub use limits::{CEILINGS as LIMIT_CEILINGS, Limits};
pub use source::ConfigError;
use source::SourceFile;
pub use units::{Registry, Unit, UnitMatch, UnitType, UnitVia};

/// File names inside the configuration folder.
pub const SCHEMA_FILE: &str = "schema.toml";
pub const UNITS_FILE: &str = "units.toml";
pub const CALENDAR_FILE: &str = "calendar.toml";
/// Optional: without it, the default [`Limits`].
pub const LIMITS_FILE: &str = "limits.toml";
/// Optional: without it, the default [`Layout`] of the shared folder.
pub const LAYOUT_FILE: &str = "layout.toml";

/// The whole configuration, checked for consistency.
#[derive(Debug, Clone)]
pub struct Config {
    pub schema: Schema,
    pub units: Registry,
    pub calendar: Calendar,
    /// The resource limits applied to every file read.
    pub limits: Limits,
    /// The layout of the shared folder (`tonghop init`).
    pub layout: Layout,
    /// The folder it was loaded from (templates live beside the config files).
    pub dir: PathBuf,
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        line: None,
        message: format!("cannot read the file ({e}); is the configuration folder right?"),
    })
}

impl Config {
    /// Loads and cross-checks the configuration files of `dir`: the three
    /// required ones, and `limits.toml` and `layout.toml` when there are.
    ///
    /// ```
    /// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
    /// assert!(config.schema.criterion("B01").is_some());
    /// assert_eq!(config.units.resolve("Thanh Hoá").unwrap().unit.code, "38");
    /// ```
    pub fn load(dir: &Path) -> Result<Config, ConfigError> {
        let units_path = dir.join(UNITS_FILE);
        let units_text = read(&units_path)?;
        let units = Registry::parse(&SourceFile { path: &units_path, text: &units_text })?;

        let schema_path = dir.join(SCHEMA_FILE);
        let schema_text = read(&schema_path)?;
        let schema = Schema::parse(&SourceFile { path: &schema_path, text: &schema_text }, &units)?;

        let calendar_path = dir.join(CALENDAR_FILE);
        let calendar_text = read(&calendar_path)?;
        let calendar = Calendar::parse(&SourceFile { path: &calendar_path, text: &calendar_text })?;

        let limits_path = dir.join(LIMITS_FILE);
        let limits = match std::fs::read_to_string(&limits_path) {
            Ok(text) => limits::parse(&SourceFile { path: &limits_path, text: &text })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Limits::default(),
            Err(e) => {
                return Err(ConfigError {
                    file: limits_path,
                    line: None,
                    message: format!("cannot read the file ({e}); delete it to use the default limits"),
                });
            }
        };

        let layout_path = dir.join(LAYOUT_FILE);
        let layout = match std::fs::read_to_string(&layout_path) {
            Ok(text) => Layout::parse(&SourceFile { path: &layout_path, text: &text }, &units)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Layout::default_for(&units),
            Err(e) => {
                return Err(ConfigError {
                    file: layout_path,
                    line: None,
                    message: format!("cannot read the file ({e}); delete it to use the default layout"),
                });
            }
        };

        Ok(Config { schema, units, calendar, limits, layout, dir: dir.to_path_buf() })
    }

    /// The labels of an item in languages beyond Vietnamese and English.
    pub fn translations(&self, of: LabelOf, code: &str) -> &Translations {
        match of {
            LabelOf::Unit | LabelOf::UnitType => self.units.labels().get(of, code),
            _ => self.schema.labels.get(of, code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_are_one_based() {
        assert_eq!(source::line_of("a\nb\nc", 0), 1);
        assert_eq!(source::line_of("a\nb\nc", 2), 2);
        assert_eq!(source::line_of("a\nb\nc", 4), 3);
        assert_eq!(source::line_of("a", 99), 1);
    }

    /// The bundled files with `edit` applied to `name`, loaded from a temporary folder.
    fn load_edited(name: &str, edit: impl Fn(&str) -> String) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().expect("tmp");
        for file in [UNITS_FILE, SCHEMA_FILE, CALENDAR_FILE] {
            let text = std::fs::read_to_string(Path::new("report_templates").join(file)).expect("bundled file");
            let text = if file == name { edit(&text) } else { text };
            std::fs::write(dir.path().join(file), text).expect("write");
        }
        Config::load(dir.path()).map_err(|e| ConfigError { file: PathBuf::from(name), ..e })
    }

    #[test]
    fn labels_in_further_languages_are_kept() {
        let config = load_edited(SCHEMA_FILE, |t| {
            t.replacen(
                "unit_en = \"dossiers\"\n",
                "unit_en = \"dossiers\"\nfr = \"Dossiers reçus\"\nunit_fr = \"dossiers\"\n",
                1,
            )
            .replacen("code = \"A\"\n", "code = \"A\"\nzh-Hant = \"制度\"\n", 1)
        })
        .expect("config");
        let b01 = config.translations(LabelOf::Criterion, "B01");
        assert_eq!((b01["fr"].as_str(), b01["unit_fr"].as_str()), ("Dossiers reçus", "dossiers"));
        assert_eq!(config.translations(LabelOf::Section, "A")["zh-Hant"], "制度");
        assert!(config.translations(LabelOf::Criterion, "B02").is_empty());

        let config = load_edited(UNITS_FILE, |t| {
            t.replacen(
                "en = \"Thanh Hoa Province\"\n",
                "en = \"Thanh Hoa Province\"\nfr = \"Province de Thanh Hoa\"\n",
                1,
            )
            .replacen("en = \"Ministry\"\n", "en = \"Ministry\"\nfr = \"Ministère\"\n", 1)
        })
        .expect("config");
        assert_eq!(config.translations(LabelOf::Unit, "38")["fr"], "Province de Thanh Hoa");
        assert_eq!(config.translations(LabelOf::UnitType, "ministry")["fr"], "Ministère");
    }

    #[test]
    fn keys_that_are_no_label_are_refused_at_their_line() {
        let line = |text: &str, needle: &str| text[..text.find(needle).expect("needle")].matches('\n').count() + 1;
        let schema = std::fs::read_to_string(Path::new("report_templates").join(SCHEMA_FILE)).expect("schema");
        let typo = |t: &str| {
            t.replacen(
                "required = true\nmin = 0\n\n[[criterion]]\ncode = \"B02\"",
                "requird = true\nmin = 0\n\n[[criterion]]\ncode = \"B02\"",
                1,
            )
        };
        let e = load_edited(SCHEMA_FILE, typo).unwrap_err();
        assert_eq!(e.line, Some(line(&typo(&schema), "requird")), "{e}");
        assert!(e.message.starts_with("unknown field `requird`, expected one of `code`, `section`"), "{e}");
        assert!(e.message.contains("`fr = \"…\"`"), "{e}");

        let number = |t: &str| t.replacen("unit_en = \"dossiers\"\n", "unit_en = \"dossiers\"\nfr = 12\n", 1);
        let e = load_edited(SCHEMA_FILE, number).unwrap_err();
        assert_eq!(e.line, Some(line(&number(&schema), "fr = 12")), "{e}");
        assert!(e.message.contains("text in quotes"), "{e}");

        // A unit of measure is a criterion's only prefixed label.
        let e = load_edited(SCHEMA_FILE, |t| t.replacen("code = \"A\"\n", "code = \"A\"\nunit_fr = \"x\"\n", 1))
            .unwrap_err();
        assert!(e.message.contains("unknown field `unit_fr`"), "{e}");

        let e =
            load_edited(UNITS_FILE, |t| t.replacen("short = \"Thanh Hóa\"\n", "short = \"Thanh Hóa\"\nshrot = 1\n", 1))
                .unwrap_err();
        assert!(e.message.contains("unknown field `shrot`") && e.message.contains("`aliases`"), "{e}");
        // Missing required fields are still named.
        let e = load_edited(SCHEMA_FILE, |t| t.replacen("en = \"Institutions", "fr = \"Institutions", 1)).unwrap_err();
        assert!(e.message.contains("missing field `en`"), "{e}");
    }

    #[test]
    fn bundled_config_loads() {
        let config = Config::load(Path::new("report_templates")).expect("bundled config");
        assert_eq!(config.units.units().len(), 56);
        assert!(config.schema.criteria.len() >= 40);
        assert_eq!(config.limits, Limits::default(), "the bundled limits.toml only shows the defaults");
    }

    #[test]
    fn layout_file_is_optional_and_checked() {
        let dir = tempfile::tempdir().expect("temporary folder");
        for name in [UNITS_FILE, SCHEMA_FILE, CALENDAR_FILE] {
            std::fs::copy(Path::new("report_templates").join(name), dir.path().join(name)).expect("copy");
        }
        let config = Config::load(dir.path()).expect("loads without layout.toml");
        let thanh_hoa = config.units.get("38").expect("38");
        assert_eq!(config.layout.folder_of(thanh_hoa), "38 - Thanh Hóa");
        assert_eq!(config.layout.receipts_folder, "bien-nhan");

        let write = |text: &str| std::fs::write(dir.path().join(LAYOUT_FILE), text).expect("write");
        write("unit_folder = \"{full_name} ({code})\"\nreceipts_folder = \"phieu\"\n");
        let config = Config::load(dir.path()).expect("loads with layout.toml");
        assert_eq!(config.layout.folder_of(thanh_hoa), "Tỉnh Thanh Hóa (38)");
        let found = |name| config.layout.unit_of_folder(&config.units, name).map(|u| u.code.as_str());
        assert_eq!(found("tỉnh thanh hóa (38)"), Some("38"), "any case, as SMB compares names");
        assert_eq!(
            config.layout.unit_sub_folder(&config.units, "Tỉnh Thanh Hóa (38)", "phieu", true),
            Some(UnitSubFolder::Receipts)
        );
        assert_eq!(config.layout.unit_sub_folder(&config.units, "2025-W40", "phieu", true), None);

        for (text, line, wanted) in [
            ("# names\nunit_folder = \"{name}\"\n", 2, "must hold {code}"),
            ("unit_folder = \"{code} {province}\"\n", 1, "the placeholders are"),
            ("unit_folder = \"{code}/x\"\n", 1, "must name one folder"),
            ("forms_folder = \"a:b\"\n", 1, "not a name safe on every system"),
            ("forms_folder = \".an\"\n", 1, "not a name safe on every system"),
            ("receipts_folder = \"2025-W40\"\n", 1, "looks like a week's folder"),
            ("forms_folder = \"x\"\nreceipts_folder = \"X\"\n", 2, "three different names"),
            ("unit_folders = \"{code}\"\n", 1, "unknown field `unit_folders`"),
        ] {
            write(text);
            let e = Config::load(dir.path()).expect_err(text);
            assert_eq!(e.line, Some(line), "{text}: {e}");
            assert!(e.message.contains(wanted), "{text}: {e}");
        }
    }

    #[test]
    fn limits_file_is_optional_and_checked() {
        let dir = tempfile::tempdir().expect("temporary folder");
        for name in [UNITS_FILE, SCHEMA_FILE, CALENDAR_FILE] {
            std::fs::copy(Path::new("report_templates").join(name), dir.path().join(name)).expect("copy");
        }
        let config = Config::load(dir.path()).expect("loads without limits.toml");
        assert_eq!(config.limits, Limits::default());

        std::fs::write(dir.path().join(LIMITS_FILE), "max_file_mb = 1.5\nmax_rows = 500\n").expect("write");
        let config = Config::load(dir.path()).expect("loads with limits.toml");
        assert_eq!(config.limits.max_file_bytes, 1_572_864);
        assert_eq!(config.limits.max_rows, 500);
        assert_eq!(config.limits.max_cols, Limits::default().max_cols);

        std::fs::write(dir.path().join(LIMITS_FILE), "max_rows = 500\nmax_colums = 20\n").expect("write");
        let e = Config::load(dir.path()).expect_err("unknown key");
        assert_eq!(
            e.to_string().split(": ").next(),
            Some(format!("{}:2", dir.path().join(LIMITS_FILE).display()).as_str())
        );
        assert!(e.message.contains("unknown field `max_colums`"), "{e}");

        std::fs::write(dir.path().join(LIMITS_FILE), "max_zip_entries = 0\n").expect("write");
        let e = Config::load(dir.path()).expect_err("zero");
        assert_eq!(e.line, Some(1), "{e}");
        assert!(e.message.contains("max_zip_entries = 0 must be at least 1"), "{e}");
    }
}
