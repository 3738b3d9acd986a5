//! Measuring an .ods file's `content.xml` before calamine reads it.
//!
//! calamine's ODS reader builds every sheet of the file while opening it: it
//! clones a cell's value for each of its `table:number-columns-repeated`, then
//! each row for each of its `table:number-rows-repeated`, and expands
//! `<text:s text:c="…"/>` into that many spaces. A 2 KB file can ask for
//! billions of cells or gigabytes of text. This module streams `content.xml`
//! once, with a small tag scanner (no tree, no text kept), and works out what
//! those expansions would cost, refusing the file before calamine sees it.
//!
//! The model over-approximates calamine: it looks at element names wherever
//! they appear (as calamine does), counts every cell with a value, a type, a
//! formula or any content, and every byte of text or attribute of such a cell.

use std::io::{Cursor, Read};

use super::problems::{grid_too_large, sheet_too_large, text_too_large};
use crate::issue::{Code, Issue, Location};
use crate::schema::Limits;

/// calamine caps a row at this many columns.
const CALAMINE_MAX_COLUMNS: u64 = 16_384;

/// Longest tag kept while scanning (attributes included). A longer tag is a
/// text bomb of its own: an attribute value is text the reader would hold.
fn max_tag_bytes(limits: &Limits) -> usize {
    usize::try_from(limits.max_text_bytes).unwrap_or(usize::MAX).saturating_add(64 * 1024)
}

/// Refuses the file when reading it would exceed the limits; `wanted` tells the
/// sheets the contract reads (whose extent is also held to the row and column limits).
pub fn check(bytes: &[u8], location: &Location, limits: &Limits, wanted: &dyn Fn(&str) -> bool) -> Result<(), Issue> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // calamine reports the broken archive itself
    };
    let Ok(content) = archive.by_name("content.xml") else {
        return Ok(());
    };
    // The zip entry was measured by the sniffer; `take` guards a lying header.
    let reader = content.take(limits.max_uncompressed_bytes);
    let mut model = Model::new(location, limits, wanted);
    let mut scanner = Scanner::new(reader, max_tag_bytes(limits));
    loop {
        match scanner.next() {
            Ok(Some(token)) => model.token(token)?,
            Ok(None) => break,
            // A tag longer than the whole text budget.
            Err(ScanError::TagTooLong) => {
                let (sheet, row, col) = model.position();
                return Err(text_too_large(location, &sheet, row, col, limits));
            }
            // Damaged zip data (a bad checksum, more bytes than declared): calamine
            // would fail on it too, but only after expanding what comes before.
            Err(ScanError::Io(detail)) => {
                return Err(Issue::new(Code::CorruptArchive, location.clone())
                    .message(
                        format!("Tệp bị hỏng hoặc chưa được chép đầy đủ (content.xml: {detail})."),
                        format!("The file is corrupt or was not copied completely (content.xml: {detail})."),
                    )
                    .hint(
                        "Mở tệp bằng LibreOffice Calc hoặc Excel, lưu lại rồi nộp lại.",
                        "Open the file in LibreOffice Calc or Excel, save it again and resubmit.",
                    ));
            }
        }
    }
    model.finish_table()?;
    Ok(())
}

// ---------------------------------------------------------------------------
// The cost model
// ---------------------------------------------------------------------------

struct Model<'a> {
    location: &'a Location,
    limits: &'a Limits,
    wanted: &'a dyn Fn(&str) -> bool,
    /// Text bytes the reader would hold, all sheets together.
    text: u64,
    /// Grid cells of the sheets already finished.
    grid: u64,
    table: Option<Table>,
}

struct Table {
    name: String,
    wanted: bool,
    /// Index of the next row.
    row: u64,
    /// First and last row holding a non-empty cell.
    rows: Option<(u64, u64)>,
    /// Highest column holding a non-empty cell.
    last_col: u64,
    /// The row being read: its repeat count and current column.
    in_row: bool,
    row_repeat: u64,
    col: u64,
    row_has_value: bool,
    /// The cell being read (its text is counted until the next cell or row event).
    cell: Option<CellCost>,
}

struct CellCost {
    col: u64,
    repeat: u64,
    text: u64,
    non_empty: bool,
}

/// Attributes whose presence makes a cell non-empty for calamine (or might).
const VALUE_ATTRS: [&str; 8] = [
    "office:value",
    "office:string-value",
    "office:date-value",
    "office:time-value",
    "office:boolean-value",
    "office:value-type",
    "calcext:value-type",
    "table:formula",
];

fn count_attr(tag: &Tag, name: &str) -> Option<u64> {
    tag.attr(name).map(|v| v.trim().parse::<u64>().unwrap_or(1))
}

impl<'a> Model<'a> {
    fn new(location: &'a Location, limits: &'a Limits, wanted: &'a dyn Fn(&str) -> bool) -> Model<'a> {
        Model { location, limits, wanted, text: 0, grid: 0, table: None }
    }

    /// Where the scan is, for messages: sheet, row and column (clamped to u32).
    fn position(&self) -> (String, u32, u32) {
        match &self.table {
            Some(t) => (t.name.clone(), clamp(t.row), clamp(t.col)),
            None => ("content.xml".to_string(), 0, 0),
        }
    }

    fn token(&mut self, token: Token) -> Result<(), Issue> {
        match token {
            Token::Start(tag) => self.start(&tag),
            Token::End(name) => self.end(&name),
            Token::Text(n) => {
                if let Some(cell) = self.table.as_mut().and_then(|t| t.cell.as_mut()) {
                    cell.text = cell.text.saturating_add(n);
                    cell.non_empty |= n > 0;
                }
                Ok(())
            }
        }
    }

    fn start(&mut self, tag: &Tag) -> Result<(), Issue> {
        match tag.name.as_str() {
            "table:table" => {
                self.finish_table()?;
                let name = tag.attr("table:name").map(unescape).unwrap_or_default();
                let wanted = (self.wanted)(&name);
                self.table = Some(Table {
                    name,
                    wanted,
                    row: 0,
                    rows: None,
                    last_col: 0,
                    in_row: false,
                    row_repeat: 1,
                    col: 0,
                    row_has_value: false,
                    cell: None,
                });
                if tag.empty {
                    self.finish_table()?;
                }
            }
            "table:table-row" => {
                if self.table.is_none() {
                    return Ok(());
                }
                self.finish_row()?;
                let table = self.table.as_mut().expect("in a table");
                table.in_row = true;
                table.row_repeat = count_attr(tag, "table:number-rows-repeated").unwrap_or(1).max(1);
                table.col = 0;
                table.row_has_value = false;
                if tag.empty {
                    self.finish_row()?;
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let Some(table) = self.table.as_mut() else { return Ok(()) };
                if !table.in_row {
                    return Ok(());
                }
                self.finish_cell()?;
                let table = self.table.as_mut().expect("in a table");
                let repeat = count_attr(tag, "table:number-columns-repeated").unwrap_or(1).max(1);
                let non_empty = VALUE_ATTRS.iter().any(|a| tag.attr(a).is_some());
                let text = ["office:string-value", "office:date-value", "office:time-value", "table:formula"]
                    .iter()
                    .filter_map(|a| tag.attr(a))
                    .map(|v| v.len() as u64)
                    .sum();
                table.cell = Some(CellCost { col: table.col, repeat, text, non_empty });
                table.col = table.col.saturating_add(repeat);
                if tag.empty {
                    self.finish_cell()?;
                }
            }
            "text:s" => {
                if let Some(cell) = self.table.as_mut().and_then(|t| t.cell.as_mut()) {
                    // Expanded into that many spaces.
                    cell.text = cell.text.saturating_add(count_attr(tag, "text:c").unwrap_or(1));
                    cell.non_empty = true;
                }
            }
            _ => {
                if let Some(cell) = self.table.as_mut().and_then(|t| t.cell.as_mut()) {
                    // Paragraphs, tabs and line breaks become a character; any child is content.
                    cell.text = cell.text.saturating_add(1);
                    cell.non_empty = true;
                }
            }
        }
        Ok(())
    }

    fn end(&mut self, name: &str) -> Result<(), Issue> {
        match name {
            "table:table" => self.finish_table(),
            "table:table-row" => self.finish_row(),
            "table:table-cell" | "table:covered-table-cell" => self.finish_cell(),
            _ => Ok(()),
        }
    }

    fn finish_cell(&mut self) -> Result<(), Issue> {
        let Some(table) = self.table.as_mut() else { return Ok(()) };
        let Some(cell) = table.cell.take() else { return Ok(()) };
        if !cell.non_empty {
            return Ok(());
        }
        table.row_has_value = true;
        let last = cell.col.saturating_add(cell.repeat - 1);
        table.last_col = table.last_col.max(last);
        let last_row = table.row.saturating_add(table.row_repeat - 1);
        if table.wanted && (last_row >= u64::from(self.limits.max_rows) || last >= u64::from(self.limits.max_cols)) {
            return Err(sheet_too_large(self.location, &table.name, clamp(last_row), clamp(last), self.limits));
        }
        // The value (and formula) is cloned for each repeated column, then each
        // repeated row is copied.
        let copies = cell.repeat.min(CALAMINE_MAX_COLUMNS).saturating_mul(table.row_repeat);
        self.text = self.text.saturating_add(cell.text.saturating_mul(copies));
        if self.text > self.limits.max_text_bytes {
            return Err(text_too_large(self.location, &table.name, clamp(table.row), clamp(cell.col), self.limits));
        }
        Ok(())
    }

    fn finish_row(&mut self) -> Result<(), Issue> {
        self.finish_cell()?;
        let Some(table) = self.table.as_mut() else { return Ok(()) };
        if !table.in_row {
            return Ok(());
        }
        table.in_row = false;
        let last_row = table.row.saturating_add(table.row_repeat - 1);
        if table.row_has_value {
            let first = table.rows.map_or(table.row, |(first, _)| first);
            table.rows = Some((first, last_row));
            // calamine lays out rows first..=last (empty rows between included)
            // by the columns up to the last one used.
            let cells = (last_row - first + 1).saturating_mul(table.last_col.saturating_add(1));
            let total = self.grid.saturating_add(cells);
            if total > self.limits.max_grid_cells {
                let name = table.name.clone();
                let (row, col) = (clamp(last_row), clamp(table.last_col));
                return Err(grid_too_large(self.location, &name, row, col, total, self.limits));
            }
        }
        table.row = last_row.saturating_add(1);
        table.row_repeat = 1;
        Ok(())
    }

    fn finish_table(&mut self) -> Result<(), Issue> {
        self.finish_row()?;
        if let Some(table) = self.table.take()
            && let Some((first, last)) = table.rows
        {
            let cells = (last - first + 1).saturating_mul(table.last_col.saturating_add(1));
            self.grid = self.grid.saturating_add(cells);
        }
        Ok(())
    }
}

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The five predefined XML entities (enough for sheet names in messages).
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

// ---------------------------------------------------------------------------
// A streaming tag scanner
// ---------------------------------------------------------------------------

/// A start tag: its name and raw attribute values.
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    empty: bool,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn parse(raw: &[u8]) -> Tag {
        let raw = String::from_utf8_lossy(raw);
        let (body, empty) = match raw.strip_suffix('/') {
            Some(body) => (body, true),
            None => (&*raw, false),
        };
        let name_end = body.find(|c: char| c.is_ascii_whitespace()).unwrap_or(body.len());
        let name = body[..name_end].to_string();
        let mut attrs = Vec::new();
        let mut rest = &body[name_end..];
        while let Some(eq) = rest.find('=') {
            let key = rest[..eq].trim().to_string();
            let after = rest[eq + 1..].trim_start();
            let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                break;
            };
            let value_start = &after[1..];
            let Some(close) = value_start.find(quote) else {
                break;
            };
            attrs.push((key, value_start[..close].to_string()));
            rest = &value_start[close + 1..];
        }
        Tag { name, attrs, empty }
    }
}

enum Token {
    Start(Tag),
    End(String),
    /// Character data (or CDATA) of this many bytes.
    Text(u64),
}

enum ScanError {
    Io(String),
    TagTooLong,
}

struct Scanner<R> {
    reader: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    max_tag: usize,
    tag: Vec<u8>,
    /// A token read after a run of text, given on the next call.
    pending: Option<Token>,
}

impl<R: Read> Scanner<R> {
    fn new(reader: R, max_tag: usize) -> Scanner<R> {
        Scanner {
            reader,
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            pos: 0,
            len: 0,
            max_tag,
            tag: Vec::new(),
            pending: None,
        }
    }

    fn fill(&mut self) -> Result<bool, ScanError> {
        if self.pos < self.len {
            return Ok(true);
        }
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.pos = 0;
                    self.len = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ScanError::Io(e.to_string())),
            }
        }
    }

    /// Reads up to the next `>` (quotes honoured when `quoted`) into `self.tag`.
    fn read_tag(&mut self, quoted: bool) -> Result<bool, ScanError> {
        let mut quote: Option<u8> = None;
        while self.fill()? {
            let chunk = &self.buf[self.pos..self.len];
            for (i, &b) in chunk.iter().enumerate() {
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if quoted && (b == b'"' || b == b'\'') => quote = Some(b),
                    None if b == b'>' => {
                        self.tag.extend_from_slice(&chunk[..i]);
                        self.pos += i + 1;
                        return Ok(true);
                    }
                    None => {}
                }
            }
            self.tag.extend_from_slice(chunk);
            self.pos = self.len;
            if self.tag.len() > self.max_tag {
                return Err(ScanError::TagTooLong);
            }
        }
        Ok(false)
    }

    fn peek(&mut self) -> Result<Option<u8>, ScanError> {
        Ok(if self.fill()? { Some(self.buf[self.pos]) } else { None })
    }

    /// The next token: a start or end tag, or a run of text.
    fn next(&mut self) -> Result<Option<Token>, ScanError> {
        if let Some(token) = self.pending.take() {
            return Ok(Some(token));
        }
        loop {
            // Character data up to the next '<'.
            let mut text = 0u64;
            let mut at_markup = false;
            while self.fill()? {
                let chunk = &self.buf[self.pos..self.len];
                match chunk.iter().position(|&b| b == b'<') {
                    Some(i) => {
                        text += i as u64;
                        self.pos += i + 1;
                        at_markup = true;
                        break;
                    }
                    None => {
                        text += chunk.len() as u64;
                        self.pos = self.len;
                    }
                }
            }
            if !at_markup {
                return Ok((text > 0).then_some(Token::Text(text)));
            }
            let markup = self.markup()?;
            match (text > 0, markup) {
                (true, markup) => {
                    self.pending = markup;
                    return Ok(Some(Token::Text(text)));
                }
                (false, Some(markup)) => return Ok(Some(markup)),
                (false, None) => continue,
            }
        }
    }

    /// What follows a '<': a tag, or a comment, CDATA section, declaration or
    /// processing instruction (which may hold '>' and quotes).
    fn markup(&mut self) -> Result<Option<Token>, ScanError> {
        self.tag.clear();
        let special = matches!(self.peek()?, Some(b'!') | Some(b'?'));
        loop {
            if !self.read_tag(!special)? {
                return Ok(None);
            }
            if !special || special_complete(&self.tag) {
                break;
            }
            self.tag.push(b'>');
        }
        let tag = &self.tag;
        Ok(if let Some(cdata) = tag.strip_prefix(b"![CDATA[") {
            Some(Token::Text(cdata.len().saturating_sub(2) as u64))
        } else if special {
            None
        } else if let Some(name) = tag.strip_prefix(b"/") {
            Some(Token::End(String::from_utf8_lossy(name).trim().to_string()))
        } else {
            Some(Token::Start(Tag::parse(tag)))
        })
    }
}

/// Whether a comment, CDATA section, declaration or processing instruction read
/// up to a '>' is complete.
fn special_complete(tag: &[u8]) -> bool {
    if tag.starts_with(b"!--") {
        tag.len() >= 5 && tag.ends_with(b"--")
    } else if tag.starts_with(b"![CDATA[") {
        tag.ends_with(b"]]")
    } else if tag.starts_with(b"?") {
        tag.ends_with(b"?")
    } else {
        // <!DOCTYPE …> with an internal subset in brackets.
        !tag.contains(&b'[') || tag.trim_ascii_end().ends_with(b"]")
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn ods(tables: &str) -> Vec<u8> {
        let content = format!(
            r#"<?xml version="1.0"?><office:document-content><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("content.xml", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
        zip.finish().unwrap().into_inner()
    }

    fn scan(tables: &str) -> Result<(), Issue> {
        let wanted = |name: &str| name == "Chỉ tiêu";
        check(&ods(tables), &Location::file("t.ods"), &Limits::default(), &wanted)
    }

    const FILLED: &str = r#"<table:table-cell office:value-type="float" office:value="1"/>"#;

    #[test]
    fn an_ordinary_table_passes() {
        let row = format!("<table:table-row>{FILLED}{FILLED}</table:table-row>");
        let trailing = r#"<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
        assert!(scan(&format!(r#"<table:table table:name="Chỉ tiêu">{row}{row}{trailing}</table:table>"#)).is_ok());
    }

    #[test]
    fn repeated_filled_rows_on_a_contract_sheet_are_refused_where_they_end() {
        let rows = format!(r#"<table:table-row table:number-rows-repeated="30000">{FILLED}</table:table-row>"#);
        let issue = scan(&format!(r#"<table:table table:name="Chỉ tiêu">{rows}</table:table>"#)).unwrap_err();
        assert_eq!(issue.code, Code::SheetTooLarge);
        assert_eq!(issue.location.cell.as_deref(), Some("A30000"));
        // Elsewhere only the grid budget applies: 30,000 × 1 cells is fine.
        assert!(scan(&format!(r#"<table:table table:name="Nháp">{rows}</table:table>"#)).is_ok());
    }

    #[test]
    fn markup_in_comments_and_quoted_attributes_is_not_counted() {
        let comment = r#"<!-- <table:table-row table:number-rows-repeated="999999999"><table:table-cell office:value="1" table:number-columns-repeated="16384"/></table:table-row> -->"#;
        let quoted = r#"<table:table-row><table:table-cell office:value-type="string" office:string-value="a > b &lt;table:table-row table:number-rows-repeated=&quot;9&quot;"/></table:table-row>"#;
        assert!(scan(&format!(r#"<table:table table:name="Nháp">{comment}{quoted}</table:table>"#)).is_ok());
    }

    #[test]
    fn expanded_spaces_and_repeated_text_count_as_text() {
        let spaces = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="6000000"/>b</text:p></table:table-cell></table:table-row>"#;
        let issue = scan(&format!(r#"<table:table table:name="Nháp">{spaces}</table:table>"#)).unwrap_err();
        assert!(issue.message_en.contains("too much text"), "{}", issue.message_en);
        // 1 KB of text in a cell repeated over 100 columns and 100 rows is 10 MB once read.
        let text = "x".repeat(1000);
        let repeated = format!(
            r#"<table:table-row table:number-rows-repeated="100"><table:table-cell office:value-type="string" table:number-columns-repeated="100"><text:p>{text}</text:p></table:table-cell></table:table-row>"#
        );
        let issue = scan(&format!(r#"<table:table table:name="Nháp">{repeated}</table:table>"#)).unwrap_err();
        assert!(issue.message_en.contains("too much text"), "{}", issue.message_en);
    }

    #[test]
    fn empty_rows_between_filled_ones_count_in_the_grid() {
        let gap = r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row>"#;
        let wide = format!(
            r#"<table:table-row><table:table-cell table:number-columns-repeated="99"/>{FILLED}</table:table-row>"#
        );
        let issue = scan(&format!(r#"<table:table table:name="Nháp">{wide}{gap}{wide}</table:table>"#)).unwrap_err();
        assert!(issue.message_en.contains("cells"), "{}", issue.message_en);
    }
}
