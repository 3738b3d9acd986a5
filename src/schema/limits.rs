//! The resource limits applied to reporters' files (`limits.toml`, optional).
//!
//! The defaults of [`Limits`] suit weekly reports of a few dozen KB; an
//! administrator may raise or lower them without recompiling. Sizes are written
//! in MB (1 MB = 1,048,576 bytes; decimals allowed), counts as plain numbers.
//! Every key is optional. A value of 0 (which would refuse every file) and a
//! value above the key's hard ceiling (which would let one file exhaust the
//! machine) are refused, like any other configuration error.

use serde::Deserialize;
use toml::Spanned;

use super::source::{ConfigError, SourceFile};

/// Resource limits applied before and while reading a file.
///
/// The defaults suit weekly reports of a few dozen KB; the administrator
/// changes them in `limits.toml` ([`crate::schema::Config::limits`]), under
/// the key named in each field's description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes (`max_file_mb`).
    pub max_file_bytes: u64,
    /// Largest total uncompressed size of a zip container's entries (`max_unpacked_mb`).
    pub max_uncompressed_bytes: u64,
    /// Largest ratio of uncompressed to compressed size for one entry (`max_compression_ratio`).
    pub max_compression_ratio: u64,
    /// Most entries in a zip container (`max_zip_entries`).
    pub max_zip_entries: usize,
    /// Most rows (highest row index + 1) in a sheet that is read (`max_rows`).
    pub max_rows: u32,
    /// Most columns in a sheet that is read (`max_columns`).
    pub max_cols: u32,
    /// Most text (UTF-8 bytes of cell text and formulas) held from one file (`max_text_mb`).
    /// A short string referenced by many cells is counted once per cell, which
    /// is what it costs once read.
    pub max_text_bytes: u64,
    /// Most cells kept from one file, and most cells the .xls and .ods readers
    /// may lay out as grids for it (`max_grid_cells`).
    /// Those readers build every sheet of the file, read or not, as a full
    /// rectangle (about 32 bytes a cell), so the sheets' extents are measured
    /// before the reader is called.
    pub max_grid_cells: u64,
    /// Largest zip entry a reader loads whole (shared strings, styles…; `max_part_mb`); the
    /// .xlsx worksheets are streamed and the .ods `content.xml` is measured
    /// by its own scan, so they are bounded by the total size only.
    pub max_loaded_part_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 20 * 1024 * 1024,
            max_uncompressed_bytes: 200 * 1024 * 1024,
            max_compression_ratio: 250,
            max_zip_entries: 5_000,
            max_rows: 20_000,
            max_cols: 200,
            max_text_bytes: 5 * 1024 * 1024,
            max_grid_cells: 4_000_000,
            max_loaded_part_bytes: 32 * 1024 * 1024,
        }
    }
}

/// Bytes in the MB of `limits.toml`.
const MB: u64 = 1024 * 1024;

/// One key of the file: its name, its hard ceiling and why the ceiling is there.
struct Key {
    name: &'static str,
    ceiling: u64,
    why: &'static str,
}

const MAX_FILE: Key =
    Key { name: "max_file_mb", ceiling: 1024, why: "a file is held in memory whole while it is read" };
const MAX_UNPACKED: Key =
    Key { name: "max_unpacked_mb", ceiling: 4096, why: "a workbook is unpacked in memory while it is read" };
const MAX_RATIO: Key = Key {
    name: "max_compression_ratio",
    ceiling: 10_000,
    why: "genuine spreadsheet parts compress far less; higher ratios are decompression bombs",
};
const MAX_ENTRIES: Key =
    Key { name: "max_zip_entries", ceiling: 100_000, why: "a weekly workbook has a few dozen parts" };
const MAX_PART: Key =
    Key { name: "max_part_mb", ceiling: 1024, why: "such a part is held in memory whole, as a structure larger still" };
const MAX_ROWS: Key = Key { name: "max_rows", ceiling: 1_048_576, why: "no spreadsheet has more rows" };
const MAX_COLUMNS: Key = Key { name: "max_columns", ceiling: 16_384, why: "no spreadsheet has more columns" };
const MAX_TEXT: Key = Key { name: "max_text_mb", ceiling: 1024, why: "the text read is held in memory" };
const MAX_GRID: Key = Key {
    name: "max_grid_cells",
    ceiling: 100_000_000,
    why: "the .xls and .ods readers take about 32 bytes a cell, 3 GB at the ceiling",
};

/// The hard ceiling of every key of `limits.toml`, with its unit (`MB` or empty).
pub const CEILINGS: [(&str, u64, &str); 9] = [
    (MAX_FILE.name, MAX_FILE.ceiling, "MB"),
    (MAX_UNPACKED.name, MAX_UNPACKED.ceiling, "MB"),
    (MAX_RATIO.name, MAX_RATIO.ceiling, ""),
    (MAX_ENTRIES.name, MAX_ENTRIES.ceiling, ""),
    (MAX_PART.name, MAX_PART.ceiling, "MB"),
    (MAX_ROWS.name, MAX_ROWS.ceiling, ""),
    (MAX_COLUMNS.name, MAX_COLUMNS.ceiling, ""),
    (MAX_TEXT.name, MAX_TEXT.ceiling, "MB"),
    (MAX_GRID.name, MAX_GRID.ceiling, ""),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_file_mb: Option<Spanned<f64>>,
    max_unpacked_mb: Option<Spanned<f64>>,
    max_compression_ratio: Option<Spanned<u64>>,
    max_zip_entries: Option<Spanned<u64>>,
    max_part_mb: Option<Spanned<f64>>,
    max_rows: Option<Spanned<u64>>,
    max_columns: Option<Spanned<u64>>,
    max_text_mb: Option<Spanned<f64>>,
    max_grid_cells: Option<Spanned<u64>>,
}

/// A size in MB, as bytes: the default when the key is absent.
fn megabytes(src: &SourceFile<'_>, key: &Key, value: &Option<Spanned<f64>>, default: u64) -> Result<u64, ConfigError> {
    let Some(value) = value else { return Ok(default) };
    let mb = *value.get_ref();
    if mb.is_nan() || mb <= 0.0 {
        return Err(src.error_span(
            &value.span(),
            format!(
                "{} = {mb} must be greater than 0 (0 would refuse every file); delete the line to keep the default, {}",
                key.name,
                shown_mb(default)
            ),
        ));
    }
    if mb > key.ceiling as f64 {
        return Err(src.error_span(
            &value.span(),
            format!("{} = {mb} is above the ceiling of {} MB: {}", key.name, key.ceiling, key.why),
        ));
    }
    // Rounded up, so that a tiny positive value is still at least one byte.
    Ok((mb * MB as f64).ceil() as u64)
}

/// A count: the default when the key is absent.
fn count(src: &SourceFile<'_>, key: &Key, value: &Option<Spanned<u64>>, default: u64) -> Result<u64, ConfigError> {
    let Some(value) = value else { return Ok(default) };
    let n = *value.get_ref();
    if n == 0 {
        return Err(src.error_span(
            &value.span(),
            format!(
                "{} = 0 must be at least 1 (0 would refuse every file); delete the line to keep the default, {default}",
                key.name
            ),
        ));
    }
    if n > key.ceiling {
        return Err(src.error_span(
            &value.span(),
            format!("{} = {n} is above the ceiling of {}: {}", key.name, key.ceiling, key.why),
        ));
    }
    Ok(n)
}

/// A byte size as the file writes it.
fn shown_mb(bytes: u64) -> String {
    format!("{} MB", bytes as f64 / MB as f64)
}

/// `n` as `T`: the ceilings fit every `T` used, so `max` is only a fallback.
fn narrow<T: TryFrom<u64> + Copy>(n: u64, max: T) -> T {
    T::try_from(n).unwrap_or(max)
}

/// Reads `limits.toml`: every key present replaces its default.
pub(crate) fn parse(src: &SourceFile<'_>) -> Result<Limits, ConfigError> {
    let raw: RawLimits = src.parse()?;
    let d = Limits::default();
    Ok(Limits {
        max_file_bytes: megabytes(src, &MAX_FILE, &raw.max_file_mb, d.max_file_bytes)?,
        max_uncompressed_bytes: megabytes(src, &MAX_UNPACKED, &raw.max_unpacked_mb, d.max_uncompressed_bytes)?,
        max_compression_ratio: count(src, &MAX_RATIO, &raw.max_compression_ratio, d.max_compression_ratio)?,
        max_zip_entries: narrow(count(src, &MAX_ENTRIES, &raw.max_zip_entries, d.max_zip_entries as u64)?, usize::MAX),
        max_rows: narrow(count(src, &MAX_ROWS, &raw.max_rows, u64::from(d.max_rows))?, u32::MAX),
        max_cols: narrow(count(src, &MAX_COLUMNS, &raw.max_columns, u64::from(d.max_cols))?, u32::MAX),
        max_text_bytes: megabytes(src, &MAX_TEXT, &raw.max_text_mb, d.max_text_bytes)?,
        max_grid_cells: count(src, &MAX_GRID, &raw.max_grid_cells, d.max_grid_cells)?,
        max_loaded_part_bytes: megabytes(src, &MAX_PART, &raw.max_part_mb, d.max_loaded_part_bytes)?,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn load(text: &str) -> Result<Limits, ConfigError> {
        parse(&SourceFile { path: Path::new("limits.toml"), text })
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        assert_eq!(load("# nothing set\n").unwrap(), Limits::default());
    }

    #[test]
    fn keys_replace_their_defaults_only() {
        let limits = load(
            "max_file_mb = 0.5\nmax_unpacked_mb = 50\nmax_compression_ratio = 100\nmax_zip_entries = 300\n\
             max_part_mb = 8\nmax_rows = 5000\nmax_columns = 60\nmax_text_mb = 2\n",
        )
        .unwrap();
        assert_eq!(limits.max_file_bytes, 512 * 1024);
        assert_eq!(limits.max_uncompressed_bytes, 50 * MB);
        assert_eq!(limits.max_compression_ratio, 100);
        assert_eq!(limits.max_zip_entries, 300);
        assert_eq!(limits.max_loaded_part_bytes, 8 * MB);
        assert_eq!(limits.max_rows, 5000);
        assert_eq!(limits.max_cols, 60);
        assert_eq!(limits.max_text_bytes, 2 * MB);
        assert_eq!(limits.max_grid_cells, Limits::default().max_grid_cells, "absent: the default");
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let e = load("max_rows = 100\nmax_file_size = 20\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        assert!(e.message.contains("unknown field `max_file_size`"), "{e}");
        assert!(e.message.contains("max_file_mb"), "lists the known keys: {e}");
    }

    #[test]
    fn zero_is_refused_with_its_line() {
        let e = load("max_rows = 100\n\nmax_file_mb = 0\n").unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.message.starts_with("max_file_mb = 0 must be greater than 0"), "{e}");
        assert!(e.message.contains("the default, 20 MB"), "{e}");
        let e = load("max_columns = 0\n").unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        assert!(e.message.starts_with("max_columns = 0 must be at least 1"), "{e}");
        assert!(e.message.contains("the default, 200"), "{e}");
        assert!(load("max_text_mb = nan\n").unwrap_err().message.contains("must be greater than 0"));
        assert!(load("max_text_mb = -1\n").unwrap_err().message.contains("must be greater than 0"));
    }

    #[test]
    fn values_above_the_ceiling_are_refused() {
        let e = load("max_file_mb = 2048\n").unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        assert!(e.message.contains("above the ceiling of 1024 MB"), "{e}");
        let e = load("max_rows = 1048577\n").unwrap_err();
        assert!(e.message.contains("above the ceiling of 1048576"), "{e}");
        assert!(load("max_text_mb = inf\n").unwrap_err().message.contains("above the ceiling"));
        for (key, ceiling, unit) in CEILINGS {
            let at = load(&format!("{key} = {ceiling}\n"));
            assert!(at.is_ok(), "{key} = {ceiling} is allowed: {at:?}");
            let above = load(&format!("{key} = {}\n", ceiling + 1)).unwrap_err();
            assert!(above.message.contains(&format!("ceiling of {ceiling}")), "{above}");
            assert_eq!(unit == "MB", key.ends_with("_mb"), "{key}");
        }
    }

    #[test]
    fn wrong_types_are_refused_with_their_line() {
        let e = load("max_rows = \"20000\"\n").unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        let e = load("\nmax_rows = 1.5\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = load("max_zip_entries = -3\n").unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
    }

    #[test]
    fn the_bundled_file_shows_the_defaults() {
        // Its keys are commented out: uncommented, they must be the defaults.
        let text = std::fs::read_to_string("report_templates/limits.toml").expect("report_templates/limits.toml");
        assert_eq!(load(&text).unwrap(), Limits::default(), "the bundled file sets nothing");
        let uncommented: String = text
            .lines()
            .filter_map(|line| line.strip_prefix("# "))
            .filter(|line| line.split_once(" = ").is_some_and(|(key, _)| key.starts_with("max_")))
            .map(|line| format!("{line}\n"))
            .collect();
        assert_eq!(uncommented.lines().count(), CEILINGS.len(), "every key is shown:\n{uncommented}");
        assert_eq!(load(&uncommented).unwrap(), Limits::default(), "{uncommented}");
    }
}
