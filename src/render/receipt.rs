//! Receipts (one per input file, for the reporter) and the status board of a
//! week (for Home Affairs staff), as self-contained HTML and as JSON.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::templates::{Compiled, RenderError, Templates, render_value};
use crate::aggregate::SubmissionSummary;
use crate::language::Language;
use crate::model::{FileReport, ReportWeek, Value};
use crate::schema::{Config, LabelOf};

/// Where a file's receipt goes, relative to the outputs folder, without extension:
/// `receipts/<week>/<unit>/<file name>.<path hash>`.
///
/// A file at the top of the inputs folder or in a folder named after its week
/// keeps its name; a file deeper down is named by its whole path (`/` written
/// `~`). The name is made safe and cut to [`MAX_NAME_BYTES`]; the hash of the
/// file's whole path as reports name it ([`path_hash`]) follows, so that two
/// files never share a receipt: not when their names share a long beginning,
/// not when they differ only in bytes that are not text, and not on a disk
/// that ignores case (the hash differs in digits, not in case).
///
/// ```
/// use tonghop::render::receipt::{path_hash, receipt_stem};
/// let stem = |w, u, p| receipt_stem(w, u, p).to_string_lossy().into_owned();
/// let hash = path_hash("2025-W37/38 Thanh Hóa.xlsx");
/// assert_eq!(stem(Some("2025-W37"), Some("38"), "2025-W37/38 Thanh Hóa.xlsx"), format!("receipts/2025-W37/38/38 Thanh Hóa.xlsx.{hash}"));
/// let hash = path_hash("38 Thanh Hóa.xlsx");
/// assert_eq!(stem(Some("2025-W37"), Some("38"), "38 Thanh Hóa.xlsx"), format!("receipts/2025-W37/38/38 Thanh Hóa.xlsx.{hash}"));
/// let hash = path_hash("so-noi-vu/tuan-37/bc.xlsx");
/// assert_eq!(stem(Some("2025-W37"), Some("38"), "so-noi-vu/tuan-37/bc.xlsx"), format!("receipts/2025-W37/38/so-noi-vu~tuan-37~bc.xlsx.{hash}"));
/// let hash = path_hash("../../CON");
/// assert_eq!(stem(None, None, "../../CON"), format!("receipts/_khong-ro-tuan/_khong-ro-don-vi/_~_~CON.{hash}"));
/// let hash = path_hash("CON");
/// assert_eq!(stem(None, None, "CON"), format!("receipts/_khong-ro-tuan/_khong-ro-don-vi/_CON.{hash}"));
/// assert_ne!(stem(None, None, "A.xlsx").to_lowercase(), stem(None, None, "a.xlsx").to_lowercase());
/// ```
pub fn receipt_stem(week: Option<&str>, unit: Option<&str>, file_path: &str) -> PathBuf {
    PathBuf::from(RECEIPTS)
        .join(week.map(safe_name).unwrap_or_else(|| UNKNOWN_WEEK.into()))
        .join(unit.map(safe_name).unwrap_or_else(|| "_khong-ro-don-vi".into()))
        .join(receipt_name(week, file_path, file_path))
}

/// A receipt's file name, without extension: the file's name when it lies at
/// `shown` (its path below the folder the receipts are for) or in its week's
/// folder there, its whole path `shown` otherwise, then the hash of its path
/// `file_path` as reports name it.
fn receipt_name(week: Option<&str>, shown: &str, file_path: &str) -> String {
    let name = match shown.rsplit_once(['/', '\\']) {
        None => shown.to_string(),
        Some((folder, name)) if week == Some(folder) => name.to_string(),
        Some(_) => shown.replace(['/', '\\'], "~"),
    };
    format!("{}.{}", safe_name(&name), path_hash(file_path))
}

/// The receipt stem of a file of `week` and `unit` at `file_path` (see
/// [`receipt_stem`]); a file that does not tell its unit (unreadable, say) but
/// lies in a unit's folder is filed under that unit.
pub fn receipt_stem_for(config: &Config, week: Option<&str>, unit: Option<&str>, file_path: &str) -> PathBuf {
    let folder_unit = || config.layout.unit_of_path(&config.units, file_path).map(|u| u.code.as_str());
    receipt_stem(week, unit.or_else(folder_unit), file_path)
}

/// The receipt stem of a checked file (see [`receipt_stem_for`]).
pub fn receipt_stem_of(config: &Config, report: &FileReport) -> PathBuf {
    let week = report.week.map(|w| w.label());
    receipt_stem_for(config, week.as_deref(), report.unit.as_deref(), &report.file.path)
}

/// Where the copy of a file's receipt goes in the receipts folder of the
/// unit's folder it lies in, without extension:
/// `<inputs>/<unit folder>/<receipts folder>/<week>/<file name>.<path hash>`,
/// the name being that of the receipt in the outputs folder. `None` unless the
/// file lies in a unit's folder at the top of the inputs that has its receipts
/// folder (as `tonghop init` lays it out).
pub fn unit_receipt_stem(config: &Config, inputs: &Path, report: &FileReport) -> Option<PathBuf> {
    let (top, below) = report.file.path.split_once('/')?;
    config.layout.unit_of_folder(&config.units, top)?;
    let dir = inputs.join(top).join(&config.layout.receipts_folder);
    if !std::fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
        return None;
    }
    let week = report.week.map(|w| w.label());
    let name = receipt_name(week.as_deref(), below, &report.file.path);
    Some(dir.join(week.map(|w| safe_name(&w)).unwrap_or_else(|| UNKNOWN_WEEK.into())).join(name))
}

/// The name of the receipt, in the unit's receipts folder, of a file at
/// `below` in the unit's folder `unit_folder`, of `week`: `<week>/<name>.<hash>.html`.
///
/// ```
/// use tonghop::render::receipt::{path_hash, unit_receipt_name};
/// let hash = path_hash("38 - Thanh Hóa/2025-W40/bc.xlsx");
/// assert_eq!(unit_receipt_name("38 - Thanh Hóa", "2025-W40/bc.xlsx", Some("2025-W40")), format!("2025-W40/bc.xlsx.{hash}.html"));
/// ```
pub fn unit_receipt_name(unit_folder: &str, below: &str, week: Option<&str>) -> String {
    let name = receipt_name(week, below, &format!("{unit_folder}/{below}"));
    format!("{}/{name}{}", week.map(safe_name).unwrap_or_else(|| UNKNOWN_WEEK.into()), RECEIPT_EXTENSIONS[0])
}

/// The folder of the receipts of files whose week could not be told.
pub const UNKNOWN_WEEK: &str = "_khong-ro-tuan";

pub use crate::fs::{MAX_NAME_BYTES, safe_name};

/// The folder of the receipts in the outputs folder.
pub const RECEIPTS: &str = "receipts";

/// The extensions a receipt stem is written with.
pub const RECEIPT_EXTENSIONS: [&str; 2] = [".html", ".json"];

/// Hexadecimal digits of [`path_hash`]: 48 bits, so that two paths of one
/// week and unit sharing their readable name never meet in practice.
const PATH_HASH_DIGITS: usize = 12;

/// A short hash of a file's path as reports name it. That name keeps every
/// byte of the file's path (bytes that are not text are written `\xff`), so
/// two files give two hashes.
pub fn path_hash(file_path: &str) -> String {
    let mut hash = crate::fs::sha256_hex(file_path.as_bytes());
    hash.truncate(PATH_HASH_DIGITS);
    hash
}

/// A value as the reporter typed it, for "the figures as read".
#[derive(Debug, Serialize)]
struct ReadValue {
    code: String,
    label: String,
    unit: String,
    value: String,
    cell: String,
}

#[derive(Debug, Serialize)]
struct Timeliness {
    deadline: Option<String>,
    on_time: Option<bool>,
    minutes_late: Option<i64>,
    /// A resubmission: the week's timeliness is that of the report received
    /// before it (the first accepted file counts), not of this file.
    from_earlier: bool,
}

/// The receipt's data (also what `.json` holds).
#[derive(Debug, Serialize)]
pub struct Receipt<'r> {
    format: &'static str,
    report: &'r FileReport,
    unit_name: Option<String>,
    week: Option<ReportWeek>,
    week_label: Option<String>,
    timeliness: Timeliness,
    values: Vec<ReadValue>,
}

/// Builds the receipt of one checked file.
pub fn receipt<'r>(config: &Config, report: &'r FileReport, lang: &Language) -> Receipt<'r> {
    let deadline = report.week.map(|w| config.calendar.deadline(&w));
    // A resubmission keeps the standing of the report it replaces: timeliness
    // is that of the first accepted file of the unit's week.
    let earlier = report.supersedes.as_ref().and_then(|s| s.received);
    let received = earlier.or(report.file.received);
    let (on_time, minutes_late) = match (deadline, received) {
        (Some(d), Some(r)) if r <= d => (Some(true), None),
        (Some(d), Some(r)) => (Some(false), Some((r - d).num_minutes())),
        _ => (None, None),
    };
    let read = report.submission.as_ref().map(|s| s.values.as_slice()).unwrap_or(&report.read_values);
    let values = read
        .iter()
        .map(|v| {
            let c = config.schema.criterion(&v.code);
            let other = |c: &crate::schema::Criterion| config.translations(LabelOf::Criterion, &c.code);
            let words = lang.words();
            ReadValue {
                code: v.code.clone(),
                label: c.map(|c| lang.label(&c.vi, &c.en, other(c)).to_string()).unwrap_or_default(),
                unit: c
                    .map(|c| lang.label_keyed("unit_", &c.unit_vi, &c.unit_en, other(c)).to_string())
                    .unwrap_or_default(),
                value: match &v.value {
                    Value::Number(n) => super::format::number(*n, 3, lang),
                    Value::YesNo(b) => {
                        if *b {
                            words.yes.clone()
                        } else {
                            words.no.clone()
                        }
                    }
                    Value::Date(d) => super::format::date(*d, lang),
                    Value::Text(t) => t.clone(),
                },
                cell: format!("{}!{}", v.source.sheet, v.source.cell),
            }
        })
        .collect();
    Receipt {
        format: "tonghop-receipt/1",
        report,
        unit_name: report
            .unit
            .as_deref()
            .and_then(|c| config.units.get(c))
            .map(|u| lang.unit_full(config, u).to_string()),
        week: report.week,
        week_label: report.week.map(|w| w.label()),
        timeliness: Timeliness {
            deadline: deadline.map(|d| d.to_rfc3339()),
            on_time,
            minutes_late,
            from_earlier: earlier.is_some(),
        },
        values,
    }
}

/// The receipt as JSON.
pub fn receipt_json(receipt: &Receipt<'_>) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(receipt).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The receipt as a self-contained HTML page (`report_templates/<lang>/receipt.html`),
/// with the template parsed once for many receipts.
pub fn receipt_html(config: &Config, template: &Compiled, receipt: &Receipt<'_>) -> Result<String, RenderError> {
    template.render_value(config, receipt)
}

/// The name of the receipt template.
pub const RECEIPT_TEMPLATE: &str = "receipt.html";

/// The status board of one week (`report_templates/<lang>/status.html`).
pub fn status_html(
    config: &Config,
    board: &StatusBoard<'_>,
    templates: &Templates,
    lang: &Language,
) -> Result<String, RenderError> {
    let week = board.week;
    let context = serde_json::json!({
        "week": week,
        "week_label": week.label(),
        "deadline": config.calendar.deadline(week).to_rfc3339(),
        "submissions": board.submissions,
        "updated": board.updated,
        "refresh_seconds": board.refresh_seconds,
        "weeks": board.weeks,
    });
    render_value(config, templates, lang, "status.html", context)
}

/// One week's status board, with when it was made and the other weeks' boards.
pub struct StatusBoard<'a> {
    pub week: &'a ReportWeek,
    pub submissions: &'a SubmissionSummary,
    /// When the board was made (RFC 3339).
    pub updated: String,
    /// The page reloads itself after this many seconds.
    pub refresh_seconds: u64,
    /// The weeks with a board, most recent first: label, file name, reports received and owed.
    pub weeks: Vec<BoardLink>,
}

/// A link to a week's board.
#[derive(Debug, Clone, Serialize)]
pub struct BoardLink {
    pub label: String,
    pub file: String,
    pub received: usize,
    pub expected: usize,
}

/// Writes `receipts/<week>/<unit>/<file>.html` and `.json` under `out`; a receipt
/// whose content has not changed is left as it is.
pub fn write_receipt(
    config: &Config,
    out: &Path,
    report: &FileReport,
    template: &Compiled,
    lang: &Language,
) -> Result<(), ReceiptError> {
    let pages = receipt_pages(config, report, template, lang)?;
    write_pages(&out.join(receipt_stem_of(config, report)), &pages)
}

/// Writes the copy of a file's receipt into the receipts folder of the unit's
/// folder it lies in (see [`unit_receipt_stem`]), returning where; `None` when
/// the file lies in no such folder.
pub fn write_unit_receipt(
    config: &Config,
    inputs: &Path,
    report: &FileReport,
    template: &Compiled,
    lang: &Language,
) -> Option<Result<PathBuf, ReceiptError>> {
    let stem = unit_receipt_stem(config, inputs, report)?;
    let written = receipt_pages(config, report, template, lang).map_err(ReceiptError::from);
    Some(written.and_then(|pages| write_pages(&stem, &pages)).map(|()| with_extension(&stem, RECEIPT_EXTENSIONS[0])))
}

/// The receipt of a file as its two pages: HTML and JSON.
fn receipt_pages(
    config: &Config,
    report: &FileReport,
    template: &Compiled,
    lang: &Language,
) -> Result<[(&'static str, Vec<u8>); 2], RenderError> {
    let data = receipt(config, report, lang);
    let html = receipt_html(config, template, &data)?;
    let [html_ext, json_ext] = RECEIPT_EXTENSIONS;
    Ok([(html_ext, html.into_bytes()), (json_ext, receipt_json(&data))])
}

/// Writes a receipt's pages beside `stem`, leaving a page whose content has not changed as it is.
fn write_pages(stem: &Path, pages: &[(&'static str, Vec<u8>); 2]) -> Result<(), ReceiptError> {
    let mut first_error = Ok(());
    // One page that cannot be written does not keep the other from being written.
    for (ext, bytes) in pages {
        let path = with_extension(stem, ext);
        if std::fs::read(&path).is_ok_and(|old| old == *bytes) {
            continue;
        }
        if let Err(source) = crate::fs::write_atomic(&path, bytes) {
            first_error = first_error.and(Err(ReceiptError::Write { path, source }));
        }
    }
    first_error
}

/// `stem` with `ext` added (not replacing what follows its last dot, which is part of the name).
pub fn with_extension(stem: &std::path::Path, ext: &str) -> PathBuf {
    let mut name = stem.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(ext);
    stem.with_file_name(name)
}

/// Why a receipt could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("{}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}
