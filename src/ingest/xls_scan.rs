//! Measuring an .xls file before calamine reads it.
//!
//! calamine's xls reader parses every sheet while opening the file, and some of
//! what it does there is sized by the file's own claims:
//!
//! - each sheet becomes a full rectangle from its smallest to its largest cell
//!   position, and positions are 16-bit in the records whatever the format's
//!   256-column limit says: one cell at A1 and one at (65,535, 65,535) ask for
//!   4 billion cells (about 140 GB), which aborts the process;
//! - a `DIMENSIONS` record reserves rows × columns cells up front, with 32-bit rows;
//! - every `LABELSST` cell gets its own copy of the shared string it points to,
//!   so a 64 KB string referenced by 300,000 ten-byte records is 20 GB;
//! - formulas are rebuilt as text, a 5-byte token becoming a name of up to 255 characters;
//! - the compound file's sector chains are followed without a bound on cycles,
//!   and its FAT is assembled from as many sector numbers as the file lists.
//!
//! This module reads the compound file (strictly: a chain that loops, leaves the
//! file or points at a missing sector is a corrupt file) and walks the records
//! the way calamine does, adding up what calamine would build. Nothing is kept.

use super::problems::{grid_too_large, text_too_large};
use crate::issue::{Code, Issue, Location};
use crate::schema::Limits;

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
const CONTINUE: u16 = 0x003C;
const EOF: u16 = 0x000A;
const BOF: u16 = 0x0809;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn corrupt(location: &Location, detail: &str) -> Issue {
    Issue::new(Code::CorruptArchive, location.clone())
        .message(
            format!("Tệp .xls bị hỏng ({detail}); tệp không được mở để bảo vệ hệ thống."),
            format!("The .xls file is corrupt ({detail}); it was not opened, to protect the system."),
        )
        .hint(
            "Mở tệp bằng Excel hoặc LibreOffice, lưu lại dạng .xlsx rồi nộp lại.",
            "Open the file in Excel or LibreOffice, save it again as .xlsx and resubmit.",
        )
}

/// Refuses the file when reading it would exceed the limits or loop.
pub fn check(bytes: &[u8], location: &Location, limits: &Limits) -> Result<(), Issue> {
    let stream = match workbook_stream(bytes) {
        Ok(Some(stream)) => stream,
        // Not a compound file calamine can open: it reports that itself.
        Ok(None) => return Ok(()),
        Err(detail) => return Err(corrupt(location, detail)),
    };
    scan_biff(&stream, location, limits)
}

// ---------------------------------------------------------------------------
// Compound file (MS-CFB), read as calamine reads it, but strictly
// ---------------------------------------------------------------------------

struct Cfb<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    /// Highest sector number calamine accepts.
    max_id: usize,
    fat: Vec<u32>,
}

impl<'a> Cfb<'a> {
    /// The compound file as calamine opens it, without its FAT yet, and its
    /// major version; `None` when calamine would not take the bytes for one.
    fn open(bytes: &'a [u8]) -> Option<(Cfb<'a>, u16)> {
        const SIGNATURE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        if bytes.len() < 512 || !bytes.starts_with(SIGNATURE) {
            return None;
        }
        let header = &bytes[..512];
        let version = u16_at(header, 26).unwrap_or(0);
        let sector_size = match u16_at(header, 30) {
            Some(9) => 512,
            Some(12) => 4096,
            _ => return None,
        };
        if u16_at(header, 32) != Some(6) || bytes.len() < sector_size {
            return None;
        }
        let max_id = bytes.len() / sector_size;
        Some((Cfb { bytes, sector_size, max_id, fat: Vec::new() }, version))
    }

    /// A sector as calamine reads it: sector numbers up to the file length
    /// divided by the sector size are accepted, the last one possibly short.
    fn sector(&self, id: u32) -> Result<&'a [u8], &'static str> {
        let id = id as usize;
        if id > self.max_id {
            return Err("sector outside the file");
        }
        let start = (id + 1).saturating_mul(self.sector_size).min(self.bytes.len());
        let end = start.saturating_add(self.sector_size).min(self.bytes.len());
        Ok(&self.bytes[start..end])
    }

    /// Follows a chain from `start` until its end or until `len` bytes are
    /// gathered (as calamine does), refusing loops and chains that leave the file.
    fn chain(&self, mut id: u32, len: u64) -> Result<Vec<u8>, &'static str> {
        let mut out = Vec::new();
        let mut steps = 0usize;
        while id != ENDOFCHAIN {
            steps += 1;
            if steps > self.max_id + 1 {
                return Err("sector chain loops");
            }
            let sector = self.sector(id)?;
            let take = (len - out.len() as u64).min(sector.len() as u64) as usize;
            out.extend_from_slice(&sector[..take]);
            if out.len() as u64 >= len {
                break;
            }
            id = *self.fat.get(id as usize).ok_or("sector outside the allocation table")?;
        }
        Ok(out)
    }
}

struct Entry {
    name: String,
    start: u32,
    len: u64,
}

/// The 32-bit little-endian numbers a sector holds.
fn sector_numbers(sector: &[u8]) -> impl Iterator<Item = u32> + '_ {
    sector.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
}

/// Whether the bytes are a compound file whose directory holds the streams
/// `EncryptionInfo` and `EncryptedPackage`: a password-protected Office file
/// (MS-OFFCRYPTO). The directory is read, not searched as bytes, so a workbook
/// whose text mentions the word is not mistaken for one.
pub(super) fn is_encrypted_package(bytes: &[u8]) -> bool {
    let Some((mut cfb, _)) = Cfb::open(bytes) else { return false };
    let header = &bytes[..512];
    let Ok(fat) = read_fat(&cfb, header) else { return false };
    cfb.fat = fat;
    let Ok(entries) = read_directory(&cfb, header) else { return false };
    let has = |name: &str| entries.iter().any(|e| e.name.eq_ignore_ascii_case(name));
    has("EncryptedPackage") && has("EncryptionInfo")
}

/// The `Workbook` (or `Book`) stream calamine would read, `None` when the bytes
/// are not a compound file calamine accepts, or why the file is corrupt.
fn workbook_stream(bytes: &[u8]) -> Result<Option<Vec<u8>>, &'static str> {
    let Some((mut cfb, version)) = Cfb::open(bytes) else {
        return Ok(None);
    };
    let header = &bytes[..512];
    cfb.fat = read_fat(&cfb, header)?;
    let entries = read_directory(&cfb, header)?;
    let Some(root) = entries.first() else { return Ok(None) };
    if version != 3 && root.start == ENDOFCHAIN {
        return Ok(None);
    }
    let mini = MiniStream::read(&cfb, header, root)?;
    let find = |name: &str| entries.iter().find(|e| e.name.as_bytes().eq_ignore_ascii_case(name.as_bytes()));
    let read = |entry: &Entry| -> Result<Vec<u8>, &'static str> {
        if entry.len < 4096 { mini.chain(entry.start, entry.len) } else { cfb.chain(entry.start, entry.len) }
    };
    // calamine falls back to "Book" (BIFF5) when "Workbook" is missing or unreadable.
    match find("Workbook").map(read) {
        Some(Ok(stream)) => Ok(Some(stream)),
        Some(Err(e)) => match find("Book") {
            Some(book) => read(book).map(Some),
            None => Err(e),
        },
        None => match find("Book") {
            Some(book) => read(book).map(Some),
            None => Ok(None),
        },
    }
}

/// The FAT: the sectors the DIFAT lists (109 numbers in the header, then a
/// chain of DIFAT sectors), put end to end.
fn read_fat(cfb: &Cfb<'_>, header: &[u8]) -> Result<Vec<u32>, &'static str> {
    let mut difat: Vec<u32> = (0..109).filter_map(|i| u32_at(header, 76 + 4 * i)).collect();
    let mut id = u32_at(header, 68).unwrap_or(ENDOFCHAIN);
    let mut steps = 0usize;
    while id < RESERVED_SECTORS {
        steps += 1;
        if steps > cfb.max_id + 1 {
            return Err("DIFAT chain loops");
        }
        difat.extend(sector_numbers(cfb.sector(id)?));
        id = difat.pop().ok_or("empty DIFAT sector")?;
    }
    let fat_sectors: Vec<u32> = difat.into_iter().filter(|id| *id < DIFSECT).collect();
    // calamine copies one sector per listed number: the list may not be longer
    // than the file has sectors (beyond the header's 109 slots, which some
    // writers fill with zeros rather than "free").
    if fat_sectors.len() > cfb.max_id + 1 + 109 {
        return Err("allocation table larger than the file");
    }
    let mut fat = Vec::with_capacity(fat_sectors.len() * cfb.sector_size / 4);
    for id in fat_sectors {
        fat.extend(sector_numbers(cfb.sector(id)?));
    }
    Ok(fat)
}

/// The directory's entries: name, first sector and length of each stream.
fn read_directory(cfb: &Cfb<'_>, header: &[u8]) -> Result<Vec<Entry>, &'static str> {
    let dir_start = u32_at(header, 48).unwrap_or(ENDOFCHAIN);
    let dirs = cfb.chain(dir_start, u64::MAX)?;
    let entries = dirs
        .chunks_exact(128)
        .map(|e| {
            let units: Vec<u16> = e[..64].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            let mut name = String::from_utf16_lossy(&units);
            if let Some(nul) = name.find('\0') {
                name.truncate(nul);
            }
            let start = u32_at(e, 116).unwrap_or(ENDOFCHAIN);
            // Version 3 files (512-byte sectors) keep a 32-bit length, whatever the high bytes hold.
            let len = if cfb.sector_size == 512 {
                u64::from(u32_at(e, 120).unwrap_or(0))
            } else {
                u64_at(e, 120).unwrap_or(0)
            };
            Entry { name, start, len }
        })
        .collect();
    Ok(entries)
}

/// The mini stream (kept in the root entry's chain) and its allocation table,
/// where streams of fewer than 4,096 bytes are stored.
struct MiniStream {
    stream: Vec<u8>,
    fat: Vec<u32>,
}

impl MiniStream {
    fn read(cfb: &Cfb<'_>, header: &[u8], root: &Entry) -> Result<MiniStream, &'static str> {
        let mini_fat_start = u32_at(header, 60).unwrap_or(ENDOFCHAIN);
        let mini_fat_len = u64::from(u32_at(header, 64).unwrap_or(0));
        if mini_fat_len == 0 {
            return Ok(MiniStream { stream: Vec::new(), fat: Vec::new() });
        }
        let stream = cfb.chain(root.start, root.len)?;
        let fat = cfb.chain(mini_fat_start, mini_fat_len.saturating_mul(cfb.sector_size as u64))?;
        Ok(MiniStream { stream, fat: sector_numbers(&fat).collect() })
    }

    fn chain(&self, id: u32, len: u64) -> Result<Vec<u8>, &'static str> {
        mini_chain(&self.stream, &self.fat, id, len)
    }
}

/// A stream of fewer than 4,096 bytes, stored in 64-byte sectors of the mini stream.
fn mini_chain(stream: &[u8], fat: &[u32], mut id: u32, len: u64) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::new();
    let mut steps = 0usize;
    while id != ENDOFCHAIN {
        steps += 1;
        if steps > 64 {
            return Err("mini sector chain loops");
        }
        let start = id as usize * 64;
        let sector = stream.get(start..start + 64).ok_or("mini sector outside the mini stream")?;
        let take = (len - out.len() as u64).min(64) as usize;
        out.extend_from_slice(&sector[..take]);
        if out.len() as u64 >= len {
            break;
        }
        id = *fat.get(id as usize).ok_or("mini sector outside the allocation table")?;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// BIFF records, walked as calamine walks them
// ---------------------------------------------------------------------------

struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    /// The CONTINUE records that follow.
    cont: Vec<&'a [u8]>,
}

/// calamine's record iterator: a record and the CONTINUE records after it.
struct Records<'a> {
    stream: &'a [u8],
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;
    fn next(&mut self) -> Option<Record<'a>> {
        let typ = u16_at(self.stream, 0)?;
        let len = u16_at(self.stream, 2)? as usize;
        let data = self.stream.get(4..4 + len)?;
        self.stream = &self.stream[4 + len..];
        let mut cont = Vec::new();
        while self.stream.len() > 4 && u16_at(self.stream, 0) == Some(CONTINUE) {
            let len = u16_at(self.stream, 2)? as usize;
            cont.push(self.stream.get(4..4 + len)?);
            self.stream = &self.stream[4 + len..];
        }
        Some(Record { typ, data, cont })
    }
}

/// Bounding box of the cell positions of one sheet.
#[derive(Default, Clone, Copy)]
struct BoundingBox(Option<(u32, u32, u32, u32)>);

impl BoundingBox {
    fn add(&mut self, row: u32, col: u32) {
        self.0 = Some(match self.0 {
            None => (row, row, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
        });
    }
    fn cells(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1))
    }
    fn corner(&self) -> (u32, u32) {
        self.0.map_or((0, 0), |(_, r1, _, c1)| (r1, c1))
    }
}

struct Sheet {
    pos: usize,
    name: String,
}

/// What the workbook globals say about the sheets' records.
struct Globals {
    sheets: Vec<Sheet>,
    /// The UTF-8 size bound of each shared string.
    sst: Vec<u64>,
    /// Bytes of text per byte of formula tokens.
    formula_factor: u64,
}

fn scan_biff(stream: &[u8], location: &Location, limits: &Limits) -> Result<(), Issue> {
    // An encrypted file: calamine stops with "password protected" before any sheet.
    let Some(globals) = read_globals(stream) else {
        return Ok(());
    };
    let mut scan = Scan { stream, location, limits, globals: &globals, text: 0, grid: 0, walked: 0 };
    for sheet in &globals.sheets {
        scan.sheet(sheet)?;
    }
    Ok(())
}

/// Walks the workbook globals up to their EOF: the sheets (BoundSheet8), the
/// shared string table, and the longest name a formula may show. `None` when
/// the file is encrypted (FilePass).
fn read_globals(stream: &[u8]) -> Option<Globals> {
    let mut sheets = Vec::new();
    let mut sst: Vec<u64> = Vec::new();
    // Longest name a formula token may expand to (sheet names, defined names), in bytes.
    let mut longest_name = 31usize;
    for record in (Records { stream }) {
        match record.typ {
            // FilePass.
            0x002F => return None,
            0x0085 => {
                if let Some(pos) = u32_at(record.data, 0) {
                    let name = sheet_name(record.data);
                    longest_name = longest_name.max(name.len());
                    sheets.push(Sheet { pos: pos as usize, name });
                }
            }
            // Lbl: a defined name of up to 255 characters.
            0x0018 => {
                let cch = record.data.get(3).copied().unwrap_or(0) as usize;
                longest_name = longest_name.max(3 * cch);
            }
            0x00FC => sst = sst_lengths(&record),
            EOF => break,
            _ => {}
        }
    }
    // Bytes of text per byte of formula tokens: a 5-byte name token (or 7-byte
    // 3-D reference) becomes the name and some punctuation.
    let formula_factor = ((3 * longest_name + 16) / 5).max(8) as u64;
    Some(Globals { sheets, sst, formula_factor })
}

/// The sheets' records walked one sheet after the other, with what calamine
/// would build for them added up across sheets: the limits are for the whole file.
struct Scan<'a> {
    stream: &'a [u8],
    location: &'a Location,
    limits: &'a Limits,
    globals: &'a Globals,
    /// Bytes of cell text.
    text: u64,
    /// Cells of the sheets' rectangles.
    grid: u64,
    /// Bytes of records walked. Sheets do not overlap in a real file; a file
    /// listing one sheet's records again and again would make calamine (and
    /// this walk) read them each time.
    walked: usize,
}

impl Scan<'_> {
    /// Walks one sheet's substream to its EOF, skipping the substreams nested
    /// in it (charts, embedded objects), then adds its rectangles to the grid.
    fn sheet(&mut self, sheet: &Sheet) -> Result<(), Issue> {
        let Some(sheet_stream) = self.stream.get(sheet.pos..) else {
            return Ok(());
        };
        let mut cells = SheetCells::default();
        let mut seen_bof = false;
        let mut depth = 0usize;
        for record in (Records { stream: sheet_stream }) {
            self.walked += 4 + record.data.len() + record.cont.iter().map(|c| 4 + c.len()).sum::<usize>();
            if self.walked > self.stream.len() {
                return Err(corrupt(self.location, "sheets overlap"));
            }
            if depth > 0 {
                match record.typ {
                    BOF => depth += 1,
                    EOF => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match record.typ {
                BOF if seen_bof => depth += 1,
                BOF => seen_bof = true,
                EOF => break,
                // Dimensions: calamine reserves rows × columns cells.
                0x0200 => self.check_dimensions(sheet, record.data)?,
                typ => {
                    let cell_text = cells.add(typ, record.data, self.globals);
                    self.text = self.text.saturating_add(cell_text);
                    if self.text > self.limits.max_text_bytes {
                        let (row, col) = cells.last;
                        return Err(text_too_large(self.location, &sheet.name, row, col, self.limits));
                    }
                }
            }
        }
        for bbox in [cells.values, cells.formulas] {
            self.grid = self.grid.saturating_add(bbox.cells());
            if self.grid > self.limits.max_grid_cells {
                let (row, col) = bbox.corner();
                return Err(grid_too_large(self.location, &sheet.name, row, col, self.grid, self.limits));
            }
        }
        Ok(())
    }

    /// The cells a DIMENSIONS record makes calamine reserve, on their own, must fit the grid limit.
    fn check_dimensions(&self, sheet: &Sheet, data: &[u8]) -> Result<(), Issue> {
        if let Some((start, end)) = dimensions(data) {
            let rows = end.0.wrapping_sub(start.0).wrapping_add(1) as u64;
            let cols = end.1.wrapping_sub(start.1).wrapping_add(1) as u64;
            let reserved = rows.saturating_mul(cols);
            if reserved > self.limits.max_grid_cells {
                return Err(grid_too_large(self.location, &sheet.name, end.0, end.1, reserved, self.limits));
            }
        }
        Ok(())
    }
}

/// The cells calamine would build for one sheet.
#[derive(Default)]
struct SheetCells {
    values: BoundingBox,
    /// calamine keeps formulas in a rectangle of their own.
    formulas: BoundingBox,
    /// The last cell met, for messages.
    last: (u32, u32),
}

impl SheetCells {
    /// Adds a record's cells; gives the bytes of text calamine builds for it.
    fn add(&mut self, typ: u16, d: &[u8], globals: &Globals) -> u64 {
        let pos = || Some((u32::from(u16_at(d, 0)?), u32::from(u16_at(d, 2)?)));
        match typ {
            // Number, BoolErr, RK.
            0x0203 | 0x0205 | 0x027E => {
                if let Some((r, c)) = pos() {
                    self.value(r, c);
                }
                0
            }
            // Label, RString: the string is in the record.
            0x0204 | 0x00D6 => match pos() {
                Some((r, c)) => {
                    self.value(r, c);
                    3 * d.len() as u64
                }
                None => 0,
            },
            // LabelSst: a copy of a shared string.
            0x00FD => match (pos(), u32_at(d, 6)) {
                (Some((r, c)), Some(i)) => {
                    self.value(r, c);
                    globals.sst.get(i as usize).copied().unwrap_or(0)
                }
                _ => 0,
            },
            // String: the text result of the formula before it.
            0x0207 => 3 * d.len() as u64,
            // MulRk: a run of numbers on one row.
            0x00BD => {
                if let (Some(row), Some(first), Some(last_col)) =
                    (u16_at(d, 0), u16_at(d, 2), d.len().checked_sub(2).and_then(|at| u16_at(d, at)))
                    && last_col >= first
                {
                    self.values.add(u32::from(row), u32::from(first));
                    self.value(u32::from(row), u32::from(last_col));
                }
                0
            }
            // Formula: a cached value, and the formula rebuilt as text.
            0x0006 => match pos() {
                Some((r, c)) if d.len() >= 20 => {
                    self.value(r, c);
                    self.formulas.add(r, c);
                    globals.formula_factor.saturating_mul((d.len() - 20) as u64).saturating_add(64)
                }
                _ => 0,
            },
            _ => 0,
        }
    }

    fn value(&mut self, row: u32, col: u32) {
        self.values.add(row, col);
        self.last = (row, col);
    }
}

/// calamine's reading of a DIMENSIONS record: (first row, first column), (last row, last column).
#[allow(clippy::type_complexity)]
fn dimensions(r: &[u8]) -> Option<((u32, u32), (u32, u32))> {
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (u32::from(u16_at(r, 0)?), u32::from(u16_at(r, 2)?), u32::from(u16_at(r, 4)?), u32::from(u16_at(r, 6)?)),
        14 | 16 => (u32_at(r, 0)?, u32_at(r, 4)?, u32::from(u16_at(r, 8)?), u32::from(u16_at(r, 10)?)),
        _ => return None,
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    Some(if 1 <= rl && 1 <= cl { ((rf, cf), (rl - 1, cl - 1)) } else { ((rf, cf), (rf, cf)) })
}

/// A sheet's name from its BoundSheet8 record, for messages (BIFF8 Unicode or
/// 8-bit; the code page is not applied).
fn sheet_name(data: &[u8]) -> String {
    let cch = data.get(6).copied().unwrap_or(0) as usize;
    let name = match data.get(7) {
        Some(flags) if flags & 1 == 1 => {
            let units: Vec<u16> = data
                .get(8..)
                .unwrap_or_default()
                .chunks_exact(2)
                .take(cch)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        Some(0) => data.get(8..).unwrap_or_default().iter().take(cch).map(|&b| char::from(b)).collect(),
        _ => data.get(7..).unwrap_or_default().iter().take(cch).map(|&b| char::from(b)).collect(),
    };
    name.replace('\0', "")
}

/// Upper bounds of the UTF-8 size of each string of the shared string table,
/// walked as calamine walks it (characters may continue in CONTINUE records,
/// each starting with a new flags byte).
fn sst_lengths(record: &Record<'_>) -> Vec<u64> {
    let mut out = Vec::new();
    let Some(data) = record.data.get(8..) else { return out };
    let mut cur = Cursor { data, cont: record.cont.iter().copied().collect() };
    while !cur.data.is_empty() || cur.next_record() {
        match rich_string_len(&mut cur) {
            Some(len) => out.push(len),
            None => break,
        }
    }
    out
}

struct Cursor<'a> {
    data: &'a [u8],
    cont: std::collections::VecDeque<&'a [u8]>,
}

impl Cursor<'_> {
    fn next_record(&mut self) -> bool {
        match self.cont.pop_front() {
            Some(d) => {
                self.data = d;
                true
            }
            None => false,
        }
    }
    fn skip(&mut self, mut len: u64) -> Option<()> {
        while len > 0 {
            if self.data.is_empty() && !self.next_record() {
                return None;
            }
            let n = len.min(self.data.len() as u64) as usize;
            self.data = &self.data[n..];
            len -= n as u64;
        }
        Some(())
    }
}

/// One XLUnicodeRichExtendedString: the UTF-8 size bound of its characters.
fn rich_string_len(cur: &mut Cursor<'_>) -> Option<u64> {
    if cur.data.is_empty() {
        return Some(0);
    }
    let cch = u16_at(cur.data, 0)? as usize;
    let flags = *cur.data.get(2)?;
    cur.data = &cur.data[3..];
    let mut high = flags & 1 != 0;
    let mut runs = 0u64;
    let mut ext = 0u64;
    if flags & 8 != 0 {
        runs = u64::from(u16_at(cur.data, 0)?);
        cur.data = &cur.data[2..];
    }
    if flags & 4 != 0 {
        ext = u64::from(u32_at(cur.data, 0)?);
        cur.data = &cur.data[4..];
    }
    let mut left = cch;
    while left > 0 {
        let available = if high { cur.data.len() / 2 } else { cur.data.len() };
        let n = available.min(left);
        cur.data = &cur.data[if high { 2 * n } else { n }..];
        left -= n;
        if left > 0 {
            if !cur.next_record() {
                return None;
            }
            high = *cur.data.first()? & 1 != 0;
            cur.data = &cur.data[1..];
        }
    }
    cur.skip(runs * 4)?;
    cur.skip(ext)?;
    // Each character is one UTF-16 unit: at most 3 bytes of UTF-8.
    Some(3 * cch as u64)
}
