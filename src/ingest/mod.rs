//! Stage 3: find input files and read the sheets the contract needs.
//!
//! Reading is defensive: a file's real format is sniffed from its bytes, zip
//! containers are measured before they are parsed, and sheet extents are
//! checked while cells stream in, so a hostile or broken file becomes an
//! [`Issue`] for that file instead of a crash of the whole run. Only the cells
//! of the contract's sheets are kept.

mod discover;
mod guard;
mod ods_scan;
mod problems;
mod received;
mod sniff;
mod xls_scan;
mod xlsx_merges;

use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{Data, DataRef, Dimensions, Range, Reader, Xls, Xlsx, XlsxFormulaMetadata};
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;

pub use discover::{EntryFilter, Found, FoundKind, Unopened, discover, discover_skipping, open_regular};
pub use guard::{CaughtPanic, catch_quietly};
pub use received::{BadLine, LineProblem, LogFile, RECEIVED_LOG, ReceivedLog};
pub use sniff::Sniffed;

use crate::contract::READ_SHEETS;
use crate::issue::{Issue, Location};
use crate::model::{CellValue, FileFormat, FileMeta, RawCell, RawSheet, RawWorkbook};
use crate::text::fold_key;

pub use crate::schema::Limits;
use discover::not_regular_any_more;
use problems::{
    empty_workbook, encrypted, grid_too_large, io_issue, read_failed, reader_crashed, sheet_too_large, text_too_large,
};
pub use problems::{file_too_large, size_label};

/// A file that was read, or the issue that stopped it.
pub struct Ingested {
    pub meta: FileMeta,
    pub result: Result<RawWorkbook, Issue>,
}

/// Reads one file: metadata, hash, format sniffing, limits, and the contract's sheets.
///
/// Never panics on file content: a panic inside a reader is caught and becomes
/// an `F010` issue for this file.
///
/// `received` is the time from a received-times log, when there is one; the
/// modification time is used otherwise.
pub fn read_file(path: &Path, display: &str, limits: &Limits, tz: Tz, received: Option<DateTime<Tz>>) -> Ingested {
    read_file_staged(path, display, limits, tz, received, None)
}

/// [`read_file`] read in two stages, as [`read_bytes_staged`] does; `decide`
/// also sees the file's metadata (its received time).
pub fn read_file_staged(
    path: &Path,
    display: &str,
    limits: &Limits,
    tz: Tz,
    received: Option<DateTime<Tz>>,
    decide: Option<&mut DecideFile<'_>>,
) -> Ingested {
    let location = Location::file(display);
    let mut meta = FileMeta { path: display.to_string(), size: 0, sha256: String::new(), received: None };
    // Opened without following a link and described from the handle: what is
    // read is the regular file listed, never what a link put in its place names.
    let (file, metadata) = match open_regular(path) {
        Ok(opened) => opened,
        Err(Unopened::NotRegular) => return Ingested { meta, result: Err(not_regular_any_more(&location)) },
        Err(Unopened::Gone(e) | Unopened::Failed(e)) => return Ingested { meta, result: Err(io_issue(&location, &e)) },
    };
    meta.size = metadata.len();
    meta.received =
        received.or_else(|| metadata.modified().ok().map(|t| DateTime::<chrono::Utc>::from(t).with_timezone(&tz)));
    if meta.size > limits.max_file_bytes {
        let issue = file_too_large(&location, meta.size, limits);
        return Ingested { meta, result: Err(issue) };
    }
    let bytes = match read_at_most(file, meta.size, limits.max_file_bytes) {
        Ok(b) => b,
        Err(e) => return Ingested { meta, result: Err(io_issue(&location, &e)) },
    };
    if bytes.len() as u64 > limits.max_file_bytes {
        // It grew past the limit after it was measured.
        meta.size = bytes.len() as u64;
        let issue = file_too_large(&location, meta.size, limits);
        return Ingested { meta, result: Err(issue) };
    }
    meta.sha256 = crate::fs::sha256_hex(&bytes);
    let result = match decide {
        Some(decide) => read_bytes_guarded(&bytes, &location, limits, Some(&mut |w: &RawWorkbook| decide(&meta, w))),
        None => read_bytes_guarded(&bytes, &location, limits, None),
    };
    Ingested { meta, result }
}

/// The bytes of an opened file, at most one more than `limit` (so that a file
/// grown past the limit since it was measured is seen to be, without reading it all).
fn read_at_most(file: std::fs::File, size: u64, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(limit)).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads workbook bytes (of any supported format) into the contract's sheets.
pub fn read_bytes(bytes: &[u8], location: &Location, limits: &Limits) -> Result<RawWorkbook, Issue> {
    read_bytes_staged(bytes, location, limits, None)
}

/// [`read_bytes`] in two stages: the general-information sheet first, then,
/// only if `decide` returns true on a workbook holding that sheet alone, the
/// other contract sheets (the workbook is opened once). A file without that
/// sheet is read whole, so that validation can say what is missing.
///
/// ```
/// use tonghop::{ingest, issue::Location};
/// let bytes = std::fs::read("inputs/2025-W37/01-ha-noi.xlsx").unwrap();
/// let location = Location::file("01-ha-noi.xlsx");
/// let limits = ingest::Limits::default();
/// let info = ingest::read_bytes_staged(&bytes, &location, &limits, Some(&mut |_| false)).unwrap();
/// assert!(info.info_only && info.sheets.len() == 1);
/// let whole = ingest::read_bytes_staged(&bytes, &location, &limits, Some(&mut |_| true)).unwrap();
/// assert!(!whole.info_only && whole.sheets.len() == 4);
/// ```
pub fn read_bytes_staged(
    bytes: &[u8],
    location: &Location,
    limits: &Limits,
    decide: Option<&mut Decide<'_>>,
) -> Result<RawWorkbook, Issue> {
    match sniff::sniff(bytes, location, limits)? {
        Sniffed::Xlsx => read_xlsx(bytes, location, limits, decide),
        Sniffed::Xls => read_xls(bytes, location, limits, decide),
        Sniffed::Ods => read_ods(bytes, location, limits, decide),
    }
}

/// [`read_bytes_staged`] that never panics on file content: a panic inside a
/// reader is caught, without its text on stderr, and becomes an `F010` issue
/// for this file, with its hint.
pub fn read_bytes_guarded(
    bytes: &[u8],
    location: &Location,
    limits: &Limits,
    decide: Option<&mut Decide<'_>>,
) -> Result<RawWorkbook, Issue> {
    catch_quietly(|| read_bytes_staged(bytes, location, limits, decide))
        .unwrap_or_else(|_| Err(reader_crashed(location)))
}

/// The titles in `names` to read, in file order: for each contract sheet, the
/// title written exactly as the contract's (Vietnamese or English) when there
/// is one, otherwise the first that matches it folded (case, accents). A
/// second title matching the same sheet (a hidden `CHI TIEU` beside
/// `Chỉ tiêu`) is not read; validation reports the pair (`S009`).
fn wanted_sheets(names: &[String]) -> Vec<String> {
    let titles = read_titles();
    let mut chosen: Vec<Option<&String>> = vec![None; titles.len()];
    for name in names {
        let key = fold_key(name);
        let Some(i) = titles.iter().position(|t| t.contains(&key)) else { continue };
        let exact = |n: &str| {
            let n = crate::text::normalize_text(n);
            READ_SHEETS[i].0 == n.trim() || READ_SHEETS[i].1 == n.trim()
        };
        if chosen[i].is_none_or(|c| !exact(c) && exact(name)) {
            chosen[i] = Some(name);
        }
    }
    names.iter().filter(|n| chosen.contains(&Some(*n))).cloned().collect()
}

/// The contract's sheet titles, folded once (Vietnamese and English for each).
fn read_titles() -> &'static [[String; 2]] {
    static TITLES: std::sync::OnceLock<Vec<[String; 2]>> = std::sync::OnceLock::new();
    TITLES.get_or_init(|| READ_SHEETS.iter().map(|(vi, en)| [fold_key(vi), fold_key(en)]).collect())
}

/// Whether a sheet title is the general-information sheet's.
fn is_info_sheet(name: &str) -> bool {
    read_titles()[0].contains(&fold_key(name))
}

/// [`Decide`] with the file's metadata (its received time) as well.
pub type DecideFile<'a> = dyn FnMut(&FileMeta, &RawWorkbook) -> bool + 'a;

/// Decides, from a workbook holding only its general-information sheet, whether
/// the rest of the workbook is worth reading (see [`read_bytes_staged`]).
pub type Decide<'a> = dyn FnMut(&RawWorkbook) -> bool + 'a;

/// Reads the contract sheets found in `sheet_names` with `read_sheet`, in file
/// order. With `decide`, the general-information sheet is read first and the
/// others only if `decide` says so; otherwise the workbook comes back with that
/// one sheet and `info_only` set.
fn read_wanted(
    format: FileFormat,
    sheet_names: Vec<String>,
    decide: Option<&mut Decide<'_>>,
    mut read_sheet: impl FnMut(&str) -> Result<RawSheet, Issue>,
) -> Result<RawWorkbook, Issue> {
    let wanted = wanted_sheets(&sheet_names);
    let info = wanted.iter().position(|n| is_info_sheet(n));
    let mut sheets = Vec::with_capacity(wanted.len());
    if let (Some(decide), Some(info)) = (decide, info) {
        let partial = RawWorkbook { format, sheet_names, sheets: vec![read_sheet(&wanted[info])?], info_only: true };
        if !decide(&partial) {
            return Ok(partial);
        }
        let RawWorkbook { sheet_names, sheets: read, .. } = partial;
        let mut info_sheet = read.into_iter().next();
        for (i, name) in wanted.iter().enumerate() {
            match info_sheet.take_if(|_| i == info) {
                Some(sheet) => sheets.push(sheet),
                None => sheets.push(read_sheet(name)?),
            }
        }
        return Ok(RawWorkbook { format, sheet_names, sheets, info_only: false });
    }
    for name in &wanted {
        sheets.push(read_sheet(name)?);
    }
    Ok(RawWorkbook { format, sheet_names, sheets, info_only: false })
}

fn check_extent(dims: &Dimensions, sheet: &str, location: &Location, limits: &Limits) -> Result<(), Issue> {
    let (row, col) = dims.end;
    if row >= limits.max_rows || col >= limits.max_cols {
        return Err(sheet_too_large(location, sheet, row, col, limits));
    }
    Ok(())
}

/// Prefix of the error text that marks a formula saved without a computed value.
///
/// Such a cell is carried as an [`CellValue::Error`] so that it can never pass
/// for a value; the marker cannot come from a file, where error cells only
/// hold the standard `#…!` codes that readers recognise.
const UNCALCULATED: &str = "#UNCALCULATED!";

/// The value of a cell holding a formula (its text when known) but no computed value:
/// the file was saved by a program that does not calculate.
pub fn uncalculated(formula: Option<&str>) -> CellValue {
    CellValue::Error(format!("{UNCALCULATED}{}", formula.unwrap_or_default()))
}

/// The formula text (empty when unknown) of a cell read as a formula without a computed value.
///
/// ```
/// use tonghop::ingest::{uncalculated, uncalculated_formula};
/// assert_eq!(uncalculated_formula(&uncalculated(Some("SUM(D5:D9)"))), Some("SUM(D5:D9)"));
/// assert_eq!(uncalculated_formula(&tonghop::model::CellValue::Error("#DIV/0!".into())), None);
/// ```
pub fn uncalculated_formula(value: &CellValue) -> Option<&str> {
    match value {
        CellValue::Error(e) => e.strip_prefix(UNCALCULATED),
        _ => None,
    }
}

/// What the cells kept from one file cost so far: text bytes and cells.
struct Budget<'a> {
    location: &'a Location,
    limits: &'a Limits,
    text: u64,
    cells: u64,
}

impl<'a> Budget<'a> {
    fn new(location: &'a Location, limits: &'a Limits) -> Budget<'a> {
        Budget { location, limits, text: 0, cells: 0 }
    }

    /// Accounts for one kept cell.
    fn keep(&mut self, value: &CellValue, sheet: &str, row: u32, col: u32) -> Result<(), Issue> {
        let bytes = match value {
            CellValue::Text(t) | CellValue::Error(t) => t.len() as u64,
            _ => 0,
        };
        self.text = self.text.saturating_add(bytes);
        if self.text > self.limits.max_text_bytes {
            return Err(text_too_large(self.location, sheet, row, col, self.limits));
        }
        // A hostile file may repeat one position many times: the cells kept are
        // counted, not only the extent.
        self.cells += 1;
        if self.cells > self.limits.max_grid_cells {
            return Err(grid_too_large(self.location, sheet, row, col, self.cells, self.limits));
        }
        Ok(())
    }
}

/// Merged ranges kept per sheet: they only produce warnings, and a hostile file
/// could declare millions.
const MAX_MERGES: usize = 1_000;

fn merges_within(merged: &[Dimensions], limits: &Limits) -> Vec<((u32, u32), (u32, u32))> {
    merged
        .iter()
        .filter(|d| d.start.0 < limits.max_rows && d.start.1 < limits.max_cols)
        .take(MAX_MERGES)
        .map(|d| (d.start, (d.end.0.min(limits.max_rows), d.end.1.min(limits.max_cols))))
        .collect()
}

/// The serial numbers (days since the 1900 epoch) a spreadsheet shows as a
/// calendar date: 1 January 1900 to 31 December 9999.
const DATE_SERIALS: std::ops::Range<f64> = 1.0..2_958_466.0;

/// The serial Excel shows as 29 February 1900, a day that never was (Lotus
/// 1-2-3's leap-year error, kept for compatibility).
const FICTITIOUS_LEAP_DAY: f64 = 60.0;

/// Days between the 1904 epoch (used by old Mac workbooks) and the 1900 one.
const EPOCH_1904_OFFSET: f64 = 1462.0;

/// The calendar date of a date-formatted number, when it has one. The serial
/// is checked first: calamine converts it through a count of milliseconds that
/// panics out of range (−1e300), and turns NaN into its epoch (30/12/1899).
/// A serial with no date stays a number, which validation refuses where a date
/// is expected.
fn excel_date(dt: &calamine::ExcelDateTime) -> Option<NaiveDate> {
    if !dt.is_datetime() {
        return None;
    }
    let is_1904 = *dt == calamine::ExcelDateTime::new(dt.as_f64(), calamine::ExcelDateTimeType::DateTime, true);
    let serial = if is_1904 { dt.as_f64() + EPOCH_1904_OFFSET } else { dt.as_f64() };
    let fictitious = !is_1904 && serial.floor() == FICTITIOUS_LEAP_DAY;
    if !DATE_SERIALS.contains(&serial) || fictitious {
        return None;
    }
    dt.as_datetime().map(|d| d.date())
}

fn iso_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

fn cell_from_ref(value: DataRef<'_>) -> Option<CellValue> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::String(s) => CellValue::Text(s),
        DataRef::SharedString(s) => CellValue::Text(s.to_string()),
        DataRef::Int(i) => CellValue::Number(i as f64),
        DataRef::Float(f) => CellValue::Number(f),
        DataRef::Bool(b) => CellValue::Bool(b),
        DataRef::DateTime(dt) => match excel_date(&dt) {
            Some(d) => CellValue::Date(d),
            None => CellValue::Number(dt.as_f64()),
        },
        DataRef::DateTimeIso(s) => iso_date(&s).map(CellValue::Date).unwrap_or(CellValue::Text(s)),
        DataRef::DurationIso(s) => CellValue::Text(s),
        DataRef::Error(e) => CellValue::Error(e.to_string()),
    })
}

/// The value of a cell as read from an .xls or .ods range (`None` for an
/// empty cell). Public for the fuzz target, which feeds it arbitrary floats
/// and date serials: it must never panic, and a `Date` it gives lies between
/// 1 January 1900 and 31 December 9999.
///
/// ```
/// use calamine::{Data, ExcelDateTime, ExcelDateTimeType};
/// use tonghop::{ingest::cell_value, model::CellValue};
/// let serial = |v| Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
/// assert!(matches!(cell_value(&serial(45905.0)), Some(CellValue::Date(_))));
/// assert_eq!(cell_value(&serial(-1e300)), Some(CellValue::Number(-1e300)));
/// ```
pub fn cell_value(value: &Data) -> Option<CellValue> {
    Some(match value {
        Data::Empty => return None,
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Float(f) => CellValue::Number(*f),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(dt) => match excel_date(dt) {
            Some(d) => CellValue::Date(d),
            None => CellValue::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) => iso_date(s).map(CellValue::Date).unwrap_or(CellValue::Text(s.clone())),
        Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
    })
}

fn finish_sheet(mut sheet: RawSheet) -> RawSheet {
    sheet.cells.sort_by_key(|c| (c.row, c.col));
    sheet.cells.dedup_by_key(|c| (c.row, c.col));
    sheet
}

/// The formula text of an xlsx formula record, when the record carries it.
fn xlsx_formula_text(formula: &XlsxFormulaMetadata) -> Option<&str> {
    match formula {
        XlsxFormulaMetadata::Normal { formula } | XlsxFormulaMetadata::Shared { formula, .. } => Some(formula),
        // A cell sharing another cell's formula: its text would have to be expanded.
        _ => None,
    }
}

fn read_xlsx(
    bytes: &[u8],
    location: &Location,
    limits: &Limits,
    decide: Option<&mut Decide<'_>>,
) -> Result<RawWorkbook, Issue> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => encrypted(location),
        other => read_failed(location, other),
    })?;
    let sheet_names = workbook.sheet_names();
    if sheet_names.is_empty() {
        return Err(empty_workbook(location));
    }
    let mut budget = Budget::new(location, limits);
    let mut full_calc: Option<bool> = None;
    let mut parts: Option<Option<xlsx_merges::SheetParts>> = None;
    read_wanted(FileFormat::Xlsx, sheet_names, decide, |name| {
        let mut sheet = RawSheet { name: name.to_string(), ..RawSheet::default() };
        {
            // Streaming keeps calamine from allocating the declared grid, which a
            // 2 KB file can make gigantic (one cell at A1 and one at XFD1048576).
            // Formula metadata comes in the same pass, without expanding shared
            // formulas: it tells a formula saved without its value from an empty cell.
            let mut reader = workbook.worksheet_cells_reader(name).map_err(|e| read_failed(location, e))?;
            check_extent(&reader.dimensions(), name, location, limits)?;
            while let Some(cell) = reader.next_cell_with_formula_metadata().map_err(|e| read_failed(location, e))? {
                let (row, col) = cell.pos;
                if row >= limits.max_rows || col >= limits.max_cols {
                    return Err(sheet_too_large(location, name, row, col, limits));
                }
                let value = match (cell_from_ref(cell.value), &cell.formula) {
                    // An empty text result is what a program that does not
                    // calculate writes as a placeholder (and asks Excel to
                    // recalculate everything on opening); otherwise it is a
                    // formula whose result is the empty string.
                    (Some(CellValue::Text(t)), Some(formula))
                        if t.is_empty() && *full_calc.get_or_insert_with(|| recalculation_pending(bytes)) =>
                    {
                        uncalculated(xlsx_formula_text(formula))
                    }
                    (Some(value), _) => value,
                    (None, Some(formula)) => uncalculated(xlsx_formula_text(formula)),
                    (None, None) => continue,
                };
                budget.keep(&value, name, row, col)?;
                sheet.cells.push(RawCell { row, col, value });
            }
        }
        // Merged ranges matter only below the tables' headers, so the
        // information sheet is spared; calamine answers when the package's
        // own listing of its parts cannot be followed.
        if !is_info_sheet(name) {
            let parts = parts.get_or_insert_with(|| xlsx_merges::SheetParts::open(bytes, limits.max_loaded_part_bytes));
            let merged = match parts.as_mut().and_then(|p| p.merged(name)) {
                Some(merged) => Some(merged),
                None => workbook.merge_cells_by_sheet_name(name).ok(),
            };
            if let Some(merged) = merged {
                sheet.merged = merges_within(&merged, limits);
            }
        }
        Ok(finish_sheet(sheet))
    })
}

/// Whether the workbook asks to be fully recalculated when opened
/// (`<calcPr fullCalcOnLoad="1"/>`), which programs that write formulas
/// without calculating them do: its cached formula results are placeholders.
fn recalculation_pending(bytes: &[u8]) -> bool {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else { return false };
    let Ok(part) = archive.by_name("xl/workbook.xml") else { return false };
    let mut xml = Vec::new();
    if part.take(4 * 1024 * 1024).read_to_end(&mut xml).is_err() {
        return false;
    }
    let xml = String::from_utf8_lossy(&xml);
    xml.find("<calcPr")
        .and_then(|at| xml[at..].split('>').next())
        .is_some_and(|calc| calc.contains(r#"fullCalcOnLoad="1""#) || calc.contains(r#"fullCalcOnLoad="true""#))
}

/// Error texts of formula results (LibreOffice stores them as the cell text in .ods).
/// (LibreOffice's own errors read `Err:502` and the like.)
const ERROR_TEXTS: [&str; 7] = ["#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"];

/// The cells of a sheet read as a whole range (.xls, .ods), with the cells
/// holding a formula but no computed value marked as such.
fn range_sheet(
    name: &str,
    range: &Range<Data>,
    formulas: Option<&Range<String>>,
    budget: &mut Budget<'_>,
) -> Result<RawSheet, Issue> {
    let (location, limits) = (budget.location, budget.limits);
    let mut sheet = RawSheet { name: name.to_string(), ..RawSheet::default() };
    if let (Some(start), Some(end)) = (range.start(), range.end()) {
        check_extent(&Dimensions::new(start, end), name, location, limits)?;
        for (r, c, value) in range.used_cells() {
            let (row, col) = (start.0 + r as u32, start.1 + c as u32);
            if let Some(value) = cell_value(value) {
                budget.keep(&value, name, row, col)?;
                sheet.cells.push(RawCell { row, col, value });
            }
        }
    }
    if let Some(formulas) = formulas
        && let (Some(start), Some(end)) = (formulas.start(), formulas.end())
    {
        check_extent(&Dimensions::new(start, end), name, location, limits)?;
        let mut uncalculated_cells = Vec::new();
        for (r, c, formula) in formulas.used_cells() {
            let (row, col) = (start.0 + r as u32, start.1 + c as u32);
            if formula.is_empty() {
                continue;
            }
            match range.get_value((row, col)) {
                None | Some(Data::Empty) => {}
                // LibreOffice writes an error result as text: read it as the error it is.
                Some(Data::String(t)) if ERROR_TEXTS.contains(&t.trim()) || t.trim().starts_with("Err:") => {
                    // The range's cells were kept in row-major order.
                    if let Ok(i) = sheet.cells.binary_search_by_key(&(row, col), |c| (c.row, c.col)) {
                        sheet.cells[i].value = CellValue::Error(t.trim().to_string());
                    }
                    continue;
                }
                Some(_) => continue,
            }
            let value = uncalculated(Some(formula.trim_start_matches("of:").trim_start_matches('=')));
            budget.keep(&value, name, row, col)?;
            uncalculated_cells.push(RawCell { row, col, value });
        }
        // Appended after the loop: the binary search above needs the range's order.
        sheet.cells.extend(uncalculated_cells);
    }
    Ok(sheet)
}

fn read_xls(
    bytes: &[u8],
    location: &Location,
    limits: &Limits,
    decide: Option<&mut Decide<'_>>,
) -> Result<RawWorkbook, Issue> {
    // calamine lays out every sheet as a full grid while opening the file, from
    // positions a hostile file chooses freely (up to 65,536 × 65,536 cells), and
    // copies shared strings into every cell using them: measure first.
    xls_scan::check(bytes, location, limits)?;
    let mut workbook: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsError::Password => encrypted(location),
        other => read_failed(location, other),
    })?;
    let sheet_names = workbook.sheet_names();
    if sheet_names.is_empty() {
        return Err(empty_workbook(location));
    }
    let mut budget = Budget::new(location, limits);
    read_wanted(FileFormat::Xls, sheet_names, decide, |name| {
        let range = workbook.worksheet_range(name).map_err(|e| read_failed(location, e))?;
        let formulas = workbook.worksheet_formula(name).ok();
        let mut sheet = range_sheet(name, &range, formulas.as_ref(), &mut budget)?;
        if !is_info_sheet(name)
            && let Ok(merged) = workbook.merge_cells_by_sheet_name(name)
        {
            sheet.merged = merges_within(&merged, limits);
        }
        Ok(finish_sheet(sheet))
    })
}

fn read_ods(
    bytes: &[u8],
    location: &Location,
    limits: &Limits,
    decide: Option<&mut Decide<'_>>,
) -> Result<RawWorkbook, Issue> {
    // calamine expands `number-rows-repeated` / `number-columns-repeated` and
    // `<text:s text:c=…>` of every sheet while opening the file: measure first.
    ods_scan::check(bytes, location, limits, &|name| !wanted_sheets(&[name.to_string()]).is_empty())?;
    let mut workbook: calamine::Ods<_> = calamine::Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::OdsError::Password => encrypted(location),
        other => read_failed(location, other),
    })?;
    let sheet_names = workbook.sheet_names();
    if sheet_names.is_empty() {
        return Err(empty_workbook(location));
    }
    let mut budget = Budget::new(location, limits);
    read_wanted(FileFormat::Ods, sheet_names, decide, |name| {
        let range = workbook.worksheet_range(name).map_err(|e| read_failed(location, e))?;
        let formulas = workbook.worksheet_formula(name).ok();
        Ok(finish_sheet(range_sheet(name, &range, formulas.as_ref(), &mut budget)?))
    })
}
