//! Receipts (one per input file, for the reporter) and the status board of a
//! week (for Home Affairs staff), as self-contained HTML and as JSON.

use std::path::PathBuf;

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
    let name = match file_path.rsplit_once(['/', '\\']) {
        None => file_path.to_string(),
        Some((folder, name)) if week == Some(folder) => name.to_string(),
        Some(_) => file_path.replace(['/', '\\'], "~"),
    };
    PathBuf::from(RECEIPTS)
        .join(week.map(safe_name).unwrap_or_else(|| "_khong-ro-tuan".into()))
        .join(unit.map(safe_name).unwrap_or_else(|| "_khong-ro-don-vi".into()))
        .join(format!("{}.{}", safe_name(&name), path_hash(file_path)))
}

/// The receipt stem of a checked file (see [`receipt_stem`]).
pub fn receipt_stem_of(report: &FileReport) -> PathBuf {
    let week = report.week.map(|w| w.label());
    receipt_stem(week.as_deref(), report.unit.as_deref(), &report.file.path)
}

/// The folder of the receipts in the outputs folder.
pub const RECEIPTS: &str = "receipts";

/// The extensions a receipt stem is written with.
pub const RECEIPT_EXTENSIONS: [&str; 2] = [".html", ".json"];

/// The longest name [`safe_name`] gives, in bytes. With the hash and the
/// extension of a receipt, or as a temporary while it is written, a name stays
/// well under the 255 bytes most file systems allow for one name.
pub const MAX_NAME_BYTES: usize = 200;

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

/// A file name derived from reporter data that is safe on every system: no
/// separators, no `..`, no control or reserved characters, no reserved device
/// names, not hidden, no trailing dot or space (which Windows drops), at most
/// [`MAX_NAME_BYTES`] bytes (cut between two characters).
///
/// ```
/// use tonghop::render::receipt::{MAX_NAME_BYTES, safe_name};
/// assert_eq!(safe_name("a/b:c"), "a_b_c");
/// assert_eq!(safe_name("..x"), "_x");
/// assert_eq!(safe_name("nul.txt"), "_nul.txt");
/// let long = safe_name(&"Hà Nội ".repeat(40));
/// assert!(long.len() <= MAX_NAME_BYTES && long.starts_with("Hà Nội Hà Nội") && !long.ends_with(' '));
/// ```
pub fn safe_name(text: &str) -> String {
    let mut out: String = text.chars().map(|c| if is_unsafe_in_name(c) { '_' } else { c }).collect();
    while out.contains("..") {
        out = out.replace("..", "_");
    }
    let trimmed = out.trim().trim_start_matches('.');
    // One byte is kept for the `_` that a reserved or empty name gets.
    let cut = crate::fs::truncate_to_bytes(trimmed, MAX_NAME_BYTES - 1).trim_end_matches(['.', ' ']);
    if cut.is_empty() || is_reserved_device(cut) { format!("_{cut}") } else { cut.to_string() }
}

/// Characters no file name of ours holds: controls, separators, and those Windows refuses.
fn is_unsafe_in_name(c: char) -> bool {
    c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
}

/// Whether Windows reserves the name for a device (`CON`, `nul.txt`, `COM1`).
fn is_reserved_device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("").to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
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
    let received = report.file.received;
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
        timeliness: Timeliness { deadline: deadline.map(|d| d.to_rfc3339()), on_time, minutes_late },
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
    out: &std::path::Path,
    report: &FileReport,
    template: &Compiled,
    lang: &Language,
) -> Result<(), ReceiptError> {
    let stem = out.join(receipt_stem_of(report));
    let data = receipt(config, report, lang);
    let html = receipt_html(config, template, &data)?;
    let [html_ext, json_ext] = RECEIPT_EXTENSIONS;
    let mut first_error = Ok(());
    // One page that cannot be written does not keep the other from being written.
    for (ext, bytes) in [(html_ext, html.into_bytes()), (json_ext, receipt_json(&data))] {
        let path = with_extension(&stem, ext);
        if std::fs::read(&path).is_ok_and(|old| old == bytes) {
            continue;
        }
        if let Err(source) = crate::fs::write_atomic(&path, &bytes) {
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
