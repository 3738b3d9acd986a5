//! The fixture workbook in the other formats the program reads, written by hand
//! from the specifications (no office suite needed): `.ods` (OpenDocument: a zip
//! of XML) and `.xls` (BIFF8 records in a compound file). Also the raw builders,
//! for files no office suite would write.

use std::io::{Cursor, Write as _};

use super::{Book, Cell, Sheet};

// ---------------------------------------------------------------------------
// OpenDocument spreadsheet
// ---------------------------------------------------------------------------

pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An `.ods` file whose `content.xml` body (inside `<office:spreadsheet>`) is `tables`.
///
/// Nothing may separate the cells of a row (calamine refuses whitespace there).
pub fn ods_with_tables(tables: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    ods_with_content(content.as_bytes())
}

/// An `.ods` package around the given `content.xml` bytes.
pub fn ods_with_content(content: &[u8]) -> Vec<u8> {
    let manifest = br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(manifest).unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content).unwrap();
    zip.finish().unwrap().into_inner()
}

fn ods_cell(cell: &Cell) -> String {
    let p = |t: &str| format!("<text:p>{}</text:p>", xml_escape(t));
    match cell {
        Cell::Text(t) => format!(r#"<table:table-cell office:value-type="string">{}</table:table-cell>"#, p(t)),
        Cell::Number(n) => format!(r#"<table:table-cell office:value-type="float" office:value="{n}"/>"#),
        Cell::Date(d) => format!(r#"<table:table-cell office:value-type="date" office:date-value="{d}"/>"#),
        Cell::Bool(b) => format!(r#"<table:table-cell office:value-type="boolean" office:boolean-value="{b}"/>"#),
        // What a program that does not calculate writes: the formula, no value.
        Cell::Formula(f) => format!(r#"<table:table-cell table:formula="of:={}"/>"#, xml_escape(f)),
        Cell::FormulaValue(f, v) => format!(
            r#"<table:table-cell table:formula="of:={}" office:value-type="float" office:value="{v}"/>"#,
            xml_escape(f)
        ),
        // What LibreOffice writes for an error result.
        Cell::ErrorFormula(f, e) => format!(
            r#"<table:table-cell table:formula="of:={}" office:value-type="string" office:string-value="" calcext:value-type="error">{}</table:table-cell>"#,
            xml_escape(f),
            p(e)
        ),
    }
}

/// One `<table:table>` element for a sheet (empty rows and cells as repeats).
pub fn ods_table(sheet: &Sheet) -> String {
    let mut out = format!(r#"<table:table table:name="{}">"#, xml_escape(&sheet.name));
    let mut next_row = 0;
    let rows: std::collections::BTreeSet<u32> = sheet.cells.keys().map(|(r, _)| *r).collect();
    for row in rows {
        if row > next_row {
            out.push_str(&format!(
                r#"<table:table-row table:number-rows-repeated="{}"><table:table-cell/></table:table-row>"#,
                row - next_row
            ));
        }
        out.push_str("<table:table-row>");
        let mut next_col = 0;
        for (&(_, col), cell) in sheet.cells.range((row, 0)..=(row, u32::MAX)) {
            if col > next_col {
                out.push_str(&format!(r#"<table:table-cell table:number-columns-repeated="{}"/>"#, col - next_col));
            }
            out.push_str(&ods_cell(cell));
            next_col = col + 1;
        }
        out.push_str("</table:table-row>");
        next_row = row + 1;
    }
    if next_row == 0 {
        out.push_str("<table:table-row><table:table-cell/></table:table-row>");
    }
    out.push_str("</table:table>");
    out
}

impl Book {
    /// The workbook as `.ods` bytes (merged ranges are not written).
    pub fn to_ods(&self) -> Vec<u8> {
        let tables: String = self.sheets.iter().map(ods_table).collect();
        ods_with_tables(&tables)
    }

    /// The workbook as `.xls` (BIFF8) bytes. Dates are written as numbers with a
    /// date format, formulas as a constant (`1`) with the fixture's cached value.
    pub fn to_xls(&self) -> Vec<u8> {
        let sheets: Vec<(String, Vec<Vec<u8>>)> = self
            .sheets
            .iter()
            .map(|s| {
                let mut records = Vec::new();
                for (&(r, c), cell) in &s.cells {
                    records.push(xls_cell(r as u16, c as u16, cell));
                }
                for m in &s.merges {
                    records.push(xls_merge(&[(m.first, m.last)]));
                }
                (s.name.clone(), records)
            })
            .collect();
        xls_workbook(&sheets, &[])
    }
}

// ---------------------------------------------------------------------------
// BIFF8 records and the compound file around them
// ---------------------------------------------------------------------------

/// One BIFF record: type, length, data.
pub fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + data.len());
    out.extend_from_slice(&typ.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
    out
}

fn le16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// XLUnicodeString: 16-bit length, flags (UTF-16), characters.
fn xl_string(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut out = Vec::new();
    le16(&mut out, units.len() as u16);
    out.push(1);
    for u in units {
        le16(&mut out, u);
    }
    out
}

/// A NUMBER record.
pub fn xls_number(row: u16, col: u16, xf: u16, value: f64) -> Vec<u8> {
    let mut d = Vec::new();
    for x in [row, col, xf] {
        le16(&mut d, x);
    }
    d.extend_from_slice(&value.to_le_bytes());
    record(0x0203, &d)
}

/// A LABEL record (the string in the record).
pub fn xls_label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let mut d = Vec::new();
    for x in [row, col, 0] {
        le16(&mut d, x);
    }
    d.extend(xl_string(text));
    record(0x0204, &d)
}

/// A LABELSST record: a reference to the shared string `index`.
pub fn xls_label_sst(row: u16, col: u16, index: u32) -> Vec<u8> {
    let mut d = Vec::new();
    for x in [row, col, 0] {
        le16(&mut d, x);
    }
    d.extend_from_slice(&index.to_le_bytes());
    record(0x00FD, &d)
}

/// A FORMULA record for `=1` with an 8-byte cached result.
fn xls_formula(row: u16, col: u16, cached: [u8; 8]) -> Vec<u8> {
    let mut d = Vec::new();
    for x in [row, col, 0] {
        le16(&mut d, x);
    }
    d.extend_from_slice(&cached);
    le16(&mut d, 0); // flags
    d.extend_from_slice(&[0; 4]); // chn
    le16(&mut d, 3); // cce
    d.extend_from_slice(&[0x1E, 1, 0]); // PtgInt 1
    record(0x0006, &d)
}

fn xls_cell(row: u16, col: u16, cell: &Cell) -> Vec<u8> {
    match cell {
        Cell::Text(t) => xls_label(row, col, t),
        Cell::Number(n) => xls_number(row, col, 0, *n),
        Cell::Date(d) => {
            let days = (*d - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days();
            xls_number(row, col, 1, days as f64)
        }
        Cell::Bool(b) => {
            let mut d = Vec::new();
            for x in [row, col, 0] {
                le16(&mut d, x);
            }
            d.extend_from_slice(&[u8::from(*b), 0]);
            record(0x0205, &d)
        }
        Cell::FormulaValue(_, v) => xls_formula(row, col, v.to_le_bytes()),
        // A string result announced but its STRING record missing: no value.
        Cell::Formula(_) => xls_formula(row, col, [0, 0, 0, 0, 0, 0, 0xFF, 0xFF]),
        Cell::ErrorFormula(_, e) => {
            let code = match e.as_str() {
                "#NULL!" => 0x00,
                "#DIV/0!" => 0x07,
                "#VALUE!" => 0x0F,
                "#REF!" => 0x17,
                "#NAME?" => 0x1D,
                "#NUM!" => 0x24,
                _ => 0x2A,
            };
            xls_formula(row, col, [2, 0, code, 0, 0, 0, 0xFF, 0xFF])
        }
    }
}

/// A merged range: (first row, first column), (last row, last column).
pub type MergedRange = ((u32, u32), (u32, u32));

/// A MERGECELLS record.
pub fn xls_merge(ranges: &[MergedRange]) -> Vec<u8> {
    let mut d = Vec::new();
    le16(&mut d, ranges.len() as u16);
    for ((r0, c0), (r1, c1)) in ranges {
        for x in [*r0, *r1, *c0, *c1] {
            le16(&mut d, x as u16);
        }
    }
    record(0x00E5, &d)
}

/// A DIMENSIONS record (BIFF8: 32-bit rows), rows and columns one past the last.
pub fn xls_dimensions(first_row: u32, rows_end: u32, first_col: u16, cols_end: u16) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend_from_slice(&first_row.to_le_bytes());
    d.extend_from_slice(&rows_end.to_le_bytes());
    le16(&mut d, first_col);
    le16(&mut d, cols_end);
    le16(&mut d, 0);
    record(0x0200, &d)
}

/// An SST record holding the given strings (each must fit the record).
pub fn xls_sst(strings: &[&str]) -> Vec<u8> {
    let mut d = Vec::new();
    d.extend_from_slice(&(strings.len() as u32).to_le_bytes());
    d.extend_from_slice(&(strings.len() as u32).to_le_bytes());
    for s in strings {
        d.extend(xl_string(s));
    }
    record(0x00FC, &d)
}

fn bof(kind: u16) -> Vec<u8> {
    let mut d = Vec::new();
    for x in [0x0600, kind, 0x0DBB, 0x07CC] {
        le16(&mut d, x);
    }
    d.extend_from_slice(&[0; 8]);
    record(0x0809, &d)
}

/// A Workbook stream: globals (two XF records: general and a date format,
/// then `extra_globals`, e.g. an SST), and each sheet's records.
pub fn xls_stream(sheets: &[(String, Vec<Vec<u8>>)], extra_globals: &[Vec<u8>]) -> Vec<u8> {
    let mut globals = bof(0x0005);
    for ifmt in [0u16, 14] {
        let mut d = vec![0u8; 20];
        d[2..4].copy_from_slice(&ifmt.to_le_bytes());
        globals.extend(record(0x00E0, &d));
    }
    for r in extra_globals {
        globals.extend_from_slice(r);
    }
    // BoundSheet8 records hold the sheets' offsets: lay them out first.
    let bound = |name: &str, pos: u32| {
        let units: Vec<u16> = name.encode_utf16().collect();
        let mut d = Vec::new();
        d.extend_from_slice(&pos.to_le_bytes());
        d.extend_from_slice(&[0, 0, units.len() as u8, 1]);
        for u in units {
            le16(&mut d, u);
        }
        record(0x0085, &d)
    };
    let bound_len: usize = sheets.iter().map(|(name, _)| bound(name, 0).len()).sum();
    let eof = record(0x000A, &[]);
    let mut pos = globals.len() + bound_len + eof.len();
    let mut bodies = Vec::new();
    for (name, records) in sheets {
        let mut body = bof(0x0010);
        for r in records {
            body.extend_from_slice(r);
        }
        body.extend_from_slice(&eof);
        globals.extend(bound(name, pos as u32));
        pos += body.len();
        bodies.push(body);
    }
    globals.extend_from_slice(&eof);
    for body in bodies {
        globals.extend(body);
    }
    globals
}

/// An `.xls` file: [`xls_stream`] in a compound file.
pub fn xls_workbook(sheets: &[(String, Vec<Vec<u8>>)], extra_globals: &[Vec<u8>]) -> Vec<u8> {
    compound_file("Workbook", &xls_stream(sheets, extra_globals))
}

const FREESECT: u32 = 0xFFFF_FFFF;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FATSECT: u32 = 0xFFFF_FFFD;

/// A version-3 compound file (512-byte sectors) holding one stream. The stream
/// is padded to 4,096 bytes so that it lives in ordinary sectors.
pub fn compound_file(stream_name: &str, stream: &[u8]) -> Vec<u8> {
    compound_file_parts(stream_name, stream).0
}

/// [`compound_file`], also giving the sector number of the directory (for
/// tests that corrupt the allocation table).
pub fn compound_file_parts(stream_name: &str, stream: &[u8]) -> (Vec<u8>, u32) {
    let mut data = stream.to_vec();
    if data.len() < 4096 {
        data.resize(4096, 0);
    }
    let n = data.len().div_ceil(512);
    let mut fat_sectors = 1;
    while fat_sectors * 128 < n + 1 + fat_sectors {
        fat_sectors += 1;
    }
    assert!(fat_sectors <= 109, "stream too large for this writer");
    let dir = fat_sectors as u32;
    let first = dir + 1;
    let mut fat = vec![FREESECT; fat_sectors * 128];
    for entry in fat.iter_mut().take(fat_sectors) {
        *entry = FATSECT;
    }
    fat[dir as usize] = ENDOFCHAIN;
    for i in 0..n {
        let id = first as usize + i;
        fat[id] = if i + 1 == n { ENDOFCHAIN } else { (id + 1) as u32 };
    }
    let mut header = Vec::with_capacity(512);
    header.extend_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    header.extend_from_slice(&[0; 16]);
    for x in [0x003E, 3, 0xFFFE, 9, 6] {
        le16(&mut header, x);
    }
    header.extend_from_slice(&[0; 6]);
    for x in [0, fat_sectors as u32, dir, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0] {
        header.extend_from_slice(&x.to_le_bytes());
    }
    for i in 0..109 {
        let v = if i < fat_sectors { i as u32 } else { FREESECT };
        header.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(header.len(), 512);

    let entry = |name: &str, typ: u8, child: u32, start: u32, size: u32| {
        let mut e = vec![0u8; 128];
        let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
        for (i, u) in units.iter().enumerate() {
            e[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        e[64..66].copy_from_slice(&((units.len() * 2) as u16).to_le_bytes());
        e[66] = typ;
        e[67] = 1; // black
        e[68..72].copy_from_slice(&FREESECT.to_le_bytes());
        e[72..76].copy_from_slice(&FREESECT.to_le_bytes());
        e[76..80].copy_from_slice(&child.to_le_bytes());
        e[116..120].copy_from_slice(&start.to_le_bytes());
        e[120..124].copy_from_slice(&size.to_le_bytes());
        e
    };
    let mut directory = entry("Root Entry", 5, 1, ENDOFCHAIN, 0);
    directory.extend(entry(stream_name, 2, FREESECT, first, data.len() as u32));
    let mut unused = vec![0u8; 128];
    for at in [68, 72, 76] {
        unused[at..at + 4].copy_from_slice(&FREESECT.to_le_bytes());
    }
    directory.extend_from_slice(&unused);
    directory.extend_from_slice(&unused);

    let mut out = header;
    for v in &fat {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend(directory);
    data.resize(n * 512, 0);
    out.extend(data);
    (out, dir)
}

/// What Excel writes for "Encrypt with password": a compound file whose
/// directory holds the streams `EncryptedPackage` and `EncryptionInfo`.
pub fn encrypted_package() -> Vec<u8> {
    let (mut file, dir) = compound_file_parts("EncryptedPackage", &[0x5a; 4096]);
    // The directory's third entry, unused by `compound_file`, becomes `EncryptionInfo`.
    let at = (dir as usize + 1) * 512 + 2 * 128;
    let units: Vec<u16> = "EncryptionInfo".encode_utf16().chain([0]).collect();
    for (i, u) in units.iter().enumerate() {
        file[at + 2 * i..at + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    file[at + 64..at + 66].copy_from_slice(&((units.len() * 2) as u16).to_le_bytes());
    file[at + 66] = 2;
    file[at + 116..at + 120].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
    file
}

/// Sets entry `index` of the first FAT sector of a [`compound_file`].
pub fn set_fat_entry(file: &mut [u8], index: u32, value: u32) {
    let at = 512 + 4 * index as usize;
    file[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

// ---------------------------------------------------------------------------
// Zip archives, including hand-made bombs
// ---------------------------------------------------------------------------

/// A zip archive of the given (name, content) entries, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

pub const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;
pub const WORKBOOK_XML: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;

/// Size of the hand-made bomb's big entry, and its CRC-32 (zlib.crc32 of 300 MiB of zeros).
pub const BOMB_SIZE: u32 = 300 << 20;
pub const BOMB_CRC: u32 = 0x6dfb_08c4;

/// Deflate bit writer (bits are packed from the least significant bit).
pub struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// Huffman codes go most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let reversed = code.reverse_bits() >> (32 - len);
        self.put(reversed, len);
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

pub fn deflate_zeros(size: u32) -> Vec<u8> {
    let mut bits = Bits { out: Vec::new(), acc: 0, n: 0 };
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE = 01, fixed Huffman
    let literal_zero = |b: &mut Bits| b.code(0x30, 8);
    literal_zero(&mut bits);
    let rest = size - 1;
    for _ in 0..rest / 258 {
        bits.code(0xC5, 8); // length code 285 = 258
        bits.code(0, 5); // distance code 0 = 1
    }
    for _ in 0..rest % 258 {
        literal_zero(&mut bits);
    }
    bits.code(0, 7); // end of block (256)
    bits.finish()
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zip file written field by field: (name, method, crc, uncompressed size, data).
pub fn raw_zip(entries: &[(&str, u16, u32, u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let le16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
    let le32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
    for (name, method, crc, size, data) in entries {
        let offset = out.len() as u32;
        le32(&mut out, 0x0403_4b50);
        for x in [20, 0, *method, 0, 0x21] {
            le16(&mut out, x);
        }
        for x in [*crc, data.len() as u32, *size] {
            le32(&mut out, x);
        }
        le16(&mut out, name.len() as u16);
        le16(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        le32(&mut central, 0x0201_4b50);
        for x in [20, 20, 0, *method, 0, 0x21] {
            le16(&mut central, x);
        }
        for x in [*crc, data.len() as u32, *size] {
            le32(&mut central, x);
        }
        for x in [name.len() as u16, 0, 0, 0, 0] {
            le16(&mut central, x);
        }
        le32(&mut central, 0);
        le32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    for x in [0, 0, entries.len() as u16, entries.len() as u16] {
        le16(&mut out, x);
    }
    le32(&mut out, central.len() as u32);
    le32(&mut out, central_offset);
    le16(&mut out, 0);
    out
}

pub fn bomb_300_mib() -> Vec<u8> {
    let stored = |name: &'static str, data: &[u8]| (name, 0u16, crc32(data), data.len() as u32, data.to_vec());
    raw_zip(&[
        stored("[Content_Types].xml", CONTENT_TYPES),
        stored("xl/workbook.xml", WORKBOOK_XML),
        ("xl/worksheets/sheet1.xml", 8, BOMB_CRC, BOMB_SIZE, deflate_zeros(BOMB_SIZE)),
    ])
}
