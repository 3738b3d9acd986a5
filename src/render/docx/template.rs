//! The default template, packaged from its outline: the meeting document in
//! the format of Decree 30/2020/NĐ-CP (Appendix I), holding the tera tags that
//! [`super::render`] fills.
//!
//! The wording, the order of the paragraphs and their tera logic live in a text
//! file of the configuration folder, `<lang>/bao-cao-tong-hop.outline`, which
//! the administrator edits (docs/configuration.md §8): one line per paragraph
//! (`Style [options]: text`), block markers (`{%p … %}`), rules, tables (column
//! widths, rows, cells, `{%tr … %}` rows) and section breaks. This module reads
//! it and does the rest: page geometry, paragraph styles, WordprocessingML, zip.
//!
//! Format (Decree 30/2020/NĐ-CP, Appendix I):
//! - A4 portrait (210 × 297 mm); margins top 20 mm, bottom 20 mm, left 30 mm,
//!   right 15 mm;
//! - Times New Roman throughout (Unicode, TCVN 6909:2001), body 14 pt,
//!   justified, first line indented 1 cm, at least 6 pt between paragraphs;
//! - the styles the outline names: headings, title and subject, captions, the
//!   letterhead (12–13 pt, centred), table text, recipients (`Nơi nhận:` 12 pt
//!   bold italic, entries 11 pt), signature (bold, centred);
//! - page numbers centred in the top margin, not on the first page (a
//!   different first-page header), restarting after a section break.
//!
//! Nothing in the package is dated or random, so the bytes depend on the
//! outline only.

use std::path::Path;

use super::package::{self, Part};
use super::xml::escape;
use crate::language::Lang;

// Page geometry in twentieths of a point (1 mm = 56.7 twips).
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN_TOP: u32 = 1134; // 20 mm
const MARGIN_BOTTOM: u32 = 1134; // 20 mm
const MARGIN_LEFT: u32 = 1701; // 30 mm
const MARGIN_RIGHT: u32 = 851; // 15 mm
const HEADER_DISTANCE: u32 = 567; // the page number sits 10 mm from the top edge
/// The width of the text: 210 − 30 − 15 = 165 mm.
const TEXT_W: u32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Paragraph properties, written in the element order the schema requires.
#[derive(Default, Clone)]
struct PPr<'a> {
    style: Option<&'a str>,
    keep_next: bool,
    keep_lines: bool,
    page_break_before: bool,
    /// A bottom border: the short rules under the issuing body, the motto and the title.
    rule: bool,
    /// Spacing before and after, in twips.
    space: Option<(u32, u32)>,
    /// Left and right indents, in twips.
    indent: Option<(u32, u32)>,
    jc: Option<&'a str>,
    /// Run properties of the paragraph mark (a rule paragraph is made tiny by it).
    mark: Option<&'a str>,
    section: Option<String>,
}

impl PPr<'_> {
    fn xml(&self) -> String {
        let mut s = String::new();
        if let Some(style) = self.style {
            s.push_str(&format!("<w:pStyle w:val=\"{style}\"/>"));
        }
        if self.keep_next {
            s.push_str("<w:keepNext/>");
        }
        if self.keep_lines {
            s.push_str("<w:keepLines/>");
        }
        if self.page_break_before {
            s.push_str("<w:pageBreakBefore/>");
        }
        if self.rule {
            s.push_str("<w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>");
        }
        if let Some((before, after)) = self.space {
            s.push_str(&format!("<w:spacing w:before=\"{before}\" w:after=\"{after}\"/>"));
        }
        if let Some((left, right)) = self.indent {
            s.push_str(&format!("<w:ind w:left=\"{left}\" w:right=\"{right}\" w:firstLine=\"0\"/>"));
        }
        if let Some(jc) = self.jc {
            s.push_str(&format!("<w:jc w:val=\"{jc}\"/>"));
        }
        if let Some(mark) = self.mark {
            s.push_str(&format!("<w:rPr>{mark}</w:rPr>"));
        }
        if let Some(section) = &self.section {
            s.push_str(section);
        }
        if s.is_empty() { s } else { format!("<w:pPr>{s}</w:pPr>") }
    }
}

/// A run of text with direct formatting (`b`, `i`, size in half-points).
fn run(text: &str, bold: bool, italic: bool, size: Option<u32>) -> String {
    let mut rpr = String::new();
    if bold {
        rpr.push_str("<w:b/><w:bCs/>");
    }
    if italic {
        rpr.push_str("<w:i/><w:iCs/>");
    }
    if let Some(sz) = size {
        rpr.push_str(&format!("<w:sz w:val=\"{sz}\"/><w:szCs w:val=\"{sz}\"/>"));
    }
    let rpr = if rpr.is_empty() { rpr } else { format!("<w:rPr>{rpr}</w:rPr>") };
    format!("<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>", escape(text))
}

fn para(ppr: &PPr<'_>, runs: &str) -> String {
    format!("<w:p>{}{runs}</w:p>", ppr.xml())
}

/// A short horizontal rule centred in a width, as a bordered empty paragraph.
fn rule(width: u32, line: u32) -> String {
    let side = width.saturating_sub(line) / 2;
    para(
        &PPr {
            style: Some("Rule"),
            rule: true,
            indent: Some((side, side)),
            mark: Some("<w:sz w:val=\"4\"/><w:szCs w:val=\"4\"/>"),
            ..PPr::default()
        },
        "",
    )
}

/// One table cell: width in twips, optional span over grid columns, paragraphs; centred vertically.
fn cell(width: u32, span: u32, body: &str) -> String {
    cell_aligned(width, span, "center", body)
}

/// A cell with its vertical alignment: the letterhead and signature blocks hang from the top.
fn cell_aligned(width: u32, span: u32, valign: &str, body: &str) -> String {
    let span = if span > 1 { format!("<w:gridSpan w:val=\"{span}\"/>") } else { String::new() };
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{span}<w:vAlign w:val=\"{valign}\"/></w:tcPr>{body}</w:tc>"
    )
}

/// A row; header rows repeat on every page, no row splits across pages.
fn row(cells: &[String], header: bool) -> String {
    let header = if header { "<w:tblHeader/>" } else { "" };
    format!("<w:tr><w:trPr><w:cantSplit/>{header}</w:trPr>{}</w:tr>", cells.concat())
}

/// A table over the text width; `grid` are the column widths.
fn table(grid: &[u32], borders: bool, rows: &[String]) -> String {
    let width: u32 = grid.iter().sum();
    let border = |side: &str| {
        if borders {
            format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>")
        } else {
            format!("<w:{side} w:val=\"nil\"/>")
        }
    };
    let borders_xml: String =
        ["top", "left", "bottom", "right", "insideH", "insideV"].iter().map(|s| border(s)).collect();
    let margins = if borders { 85 } else { 0 };
    let cols: String = grid.iter().map(|w| format!("<w:gridCol w:w=\"{w}\"/>")).collect();
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{width}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>{borders_xml}</w:tblBorders>\
         <w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"{margins}\" w:type=\"dxa\"/><w:right w:w=\"{margins}\" w:type=\"dxa\"/></w:tblCellMar>\
         <w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr>\
         <w:tblGrid>{cols}</w:tblGrid>{}</w:tbl>",
        rows.concat()
    )
}

/// The section properties: A4 portrait, the margins, the page-number header
/// from page 2 (`titlePg` gives the first page its own, empty header).
fn section(restart: bool, next_page: bool) -> String {
    let kind = if next_page { "<w:type w:val=\"nextPage\"/>" } else { "" };
    let restart = if restart { "<w:pgNumType w:start=\"1\"/>" } else { "" };
    format!(
        "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rIdHeader1\"/><w:headerReference w:type=\"first\" r:id=\"rIdHeader2\"/>\
         {kind}<w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/>\
         <w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" \
         w:header=\"{HEADER_DISTANCE}\" w:footer=\"{HEADER_DISTANCE}\" w:gutter=\"0\"/>{restart}<w:cols w:space=\"720\"/><w:titlePg/></w:sectPr>"
    )
}

/// The file of the outline, in each language folder of the configuration.
pub(crate) const OUTLINE_NAME: &str = "bao-cao-tong-hop.outline";

/// The shipped outlines, used when the configuration folder has none (a folder made
/// before the outline existed): the template is then the shipped one, as it always was.
const BUILT_IN_VI: &str = include_str!("../../../report_templates/vi/bao-cao-tong-hop.outline");
const BUILT_IN_EN: &str = include_str!("../../../report_templates/en/bao-cao-tong-hop.outline");

/// The paragraph styles the package defines (see [`styles_xml`]), the only ones an outline may name.
const STYLES: [&str; 18] = [
    "Normal",
    "BodyText",
    "Heading1",
    "Heading2",
    "Heading3",
    "Title",
    "Subtitle",
    "Caption",
    "Letterhead",
    "Rule",
    "TableText",
    "TableHeading",
    "TableNumber",
    "TableCenter",
    "RecipientsTitle",
    "Recipients",
    "Signature",
    "Header",
];

/// The document as its outline describes it.
#[derive(Debug, Default)]
struct Outline {
    /// The language tag of the text (`vi-VN`), for spelling and the document properties.
    language: String,
    /// The title in the document properties.
    title: String,
    blocks: Vec<Block>,
}

#[derive(Debug)]
enum Block {
    Para(Para),
    /// A short horizontal rule of this length (twips), centred in the text or its cell.
    Rule(u32),
    /// The end of a section: the next one starts on a new page, its pages numbered from 1.
    SectionBreak,
    Table(Table),
}

/// A paragraph of one style holding one run of text (none when the text is empty).
#[derive(Debug)]
struct Para {
    style: String,
    options: Options,
    text: String,
}

/// Direct formatting of a paragraph (`[bold size=26 space=120,0]`).
#[derive(Debug, Default)]
struct Options {
    bold: bool,
    italic: bool,
    /// Font size in half-points.
    size: Option<u32>,
    /// Spacing before and after, in twips.
    space: Option<(u32, u32)>,
    keep_next: bool,
    keep_lines: bool,
    page_break_before: bool,
    align: Option<&'static str>,
}

#[derive(Debug)]
struct Table {
    /// Column widths in twips.
    widths: Vec<u32>,
    borders: bool,
    rows: Vec<Row>,
}

#[derive(Debug)]
enum Row {
    /// A row of cells; a header row repeats on every page.
    Cells { header: bool, cells: Vec<Cell> },
    /// A `{%tr … %}` marker, alone in a row across the table.
    Marker(String),
}

#[derive(Debug)]
struct Cell {
    /// Hung from the top rather than centred.
    top: bool,
    span: usize,
    content: Vec<Block>,
}

/// The lines of an outline that mean something, with their line numbers: comments and
/// blank lines dropped, a line ending in `\` joined to the next (whose indentation goes).
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let (number, mut line) = match pending.take() {
            Some((number, mut line)) => {
                line.push_str(raw.trim_start());
                (number, line)
            }
            None => {
                let trimmed = raw.trim();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                (i + 1, raw.trim_start().to_string())
            }
        };
        if line.ends_with('\\') {
            line.pop();
            pending = Some((number, line));
        } else {
            lines.push((number, line.trim_end().to_string()));
        }
    }
    lines.extend(pending.map(|(n, l)| (n, l.trim_end().to_string())));
    lines
}

fn number(text: &str, what: &str) -> Result<u32, String> {
    text.parse().map_err(|_| format!("{what} {text:?} is not a whole number"))
}

fn options(text: &str) -> Result<Options, String> {
    let mut o = Options::default();
    for word in text.split_whitespace() {
        match word.split_once('=') {
            None if word == "bold" => o.bold = true,
            None if word == "italic" => o.italic = true,
            None if word == "keep-next" => o.keep_next = true,
            None if word == "keep-lines" => o.keep_lines = true,
            None if word == "page-break-before" => o.page_break_before = true,
            Some(("size", n)) => o.size = Some(number(n, "size")?),
            Some(("space", pair)) => {
                let (before, after) = pair.split_once(',').ok_or("space=BEFORE,AFTER, in twips: space=120,0")?;
                o.space = Some((number(before, "space")?, number(after, "space")?));
            }
            Some(("align", a)) => {
                o.align = Some(match a {
                    "left" => "left",
                    "center" => "center",
                    "right" => "right",
                    "both" => "both",
                    _ => return Err(format!("align={a}: write left, center, right or both")),
                })
            }
            _ => {
                return Err(format!(
                    "unknown option {word:?}; the options are bold, italic, size=N, space=B,A, keep-next, \
                     keep-lines, page-break-before, align=…"
                ));
            }
        }
    }
    Ok(o)
}

/// `Style` or `Style [options]`, then the text.
fn paragraph(head: &str, text: &str) -> Result<Para, String> {
    let (style, options) = match head.split_once('[') {
        Some((style, rest)) => (style.trim(), self::options(rest.trim_end().strip_suffix(']').ok_or("missing ]")?)?),
        None => (head.trim(), Options::default()),
    };
    if !STYLES.contains(&style) {
        return Err(format!("unknown style {style:?}; the styles are {}", STYLES.join(", ")));
    }
    Ok(Para { style: style.to_string(), options, text: text.trim_start().to_string() })
}

/// `Style [options]: text`, or a `{%p … %}` marker alone (a body-text paragraph).
fn paragraph_line(line: &str) -> Result<Para, String> {
    if line.starts_with("{%p") {
        return paragraph("BodyText", line);
    }
    let (head, text) =
        line.split_once(':').ok_or("expected a paragraph, `Style: text` (for example `BodyText: …`), or a keyword")?;
    paragraph(head, text)
}

/// `table [borderless] WIDTH…`, `*` standing for the rest of the text width.
fn table_line(rest: &str) -> Result<Table, String> {
    let mut borders = true;
    let mut widths: Vec<Option<u32>> = Vec::new();
    for word in rest.split_whitespace() {
        match word {
            "borderless" => borders = false,
            "*" => widths.push(None),
            w => widths
                .push(Some(number(w, "width").and_then(|n| if n > 0 { Ok(n) } else { Err("a width of 0".into()) })?)),
        }
    }
    if widths.is_empty() {
        return Err("a table needs its column widths (twips; * for the rest of the text width)".into());
    }
    let known: u32 = widths.iter().flatten().sum();
    if widths.iter().filter(|w| w.is_none()).count() > 1 || (widths.contains(&None) && known >= TEXT_W) {
        return Err(format!("only one * per table, and the other widths must leave room ({TEXT_W} in all)"));
    }
    let widths = widths.into_iter().map(|w| w.unwrap_or(TEXT_W - known)).collect();
    Ok(Table { widths, borders, rows: Vec::new() })
}

/// `cell [top] [span=N] [Style [options]: text]`.
fn cell_line(rest: &str) -> Result<Cell, String> {
    let (head, text) = match rest.split_once(':') {
        Some((head, text)) => (head, Some(text)),
        None => (rest, None),
    };
    let mut cell = Cell { top: false, span: 1, content: Vec::new() };
    let mut words = head.split_whitespace().peekable();
    while let Some(word) = words.peek() {
        match (*word, word.strip_prefix("span=")) {
            ("top", _) => cell.top = true,
            (_, Some(n)) => cell.span = number(n, "span")?.max(1) as usize,
            _ => break,
        }
        words.next();
    }
    let style: Vec<&str> = words.collect();
    match text {
        Some(text) => cell.content.push(Block::Para(paragraph(&style.join(" "), text)?)),
        None if !style.is_empty() => return Err(format!("unknown cell option {:?}; write top or span=N", style[0])),
        None => {}
    }
    Ok(cell)
}

/// Reads an outline line by line; `table` opens a table that `end table` closes.
#[derive(Default)]
struct Parser {
    outline: Outline,
    table: Option<Table>,
    has: (bool, bool),
}

impl Parser {
    fn line(&mut self, line: &str) -> Result<(), String> {
        if let Some((key, value)) = line.split_once(" = ").filter(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase())) {
            return self.setting(key, value.trim());
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match word {
            "table" => self.open_table(rest),
            "end" if rest.trim() == "table" => self.end_table(),
            "row" => self.row(rest.trim()),
            "cell" => self.cell(rest),
            "rule" => self.push(Block::Rule(number(rest.trim(), "rule length")?)),
            "section-break" if self.table.is_some() => Err("a section cannot end inside a table".into()),
            "section-break" => self.push(Block::SectionBreak),
            w if w.starts_with("{%tr") => {
                let table = self.table.as_mut().ok_or("a {%tr … %} marker belongs in a table, between its rows")?;
                table.rows.push(Row::Marker(line.to_string()));
                Ok(())
            }
            _ => self.push(Block::Para(paragraph_line(line)?)),
        }
    }

    fn open_table(&mut self, rest: &str) -> Result<(), String> {
        if self.table.is_some() {
            return Err("a table cannot hold a table; close the first with `end table`".into());
        }
        self.table = Some(table_line(rest)?);
        Ok(())
    }

    fn cell(&mut self, rest: &str) -> Result<(), String> {
        let cell = cell_line(rest)?;
        match self.table.as_mut().and_then(|t| t.rows.last_mut()) {
            Some(Row::Cells { cells, .. }) => cells.push(cell),
            _ => return Err("`cell` belongs in a table, after `row`".into()),
        }
        Ok(())
    }

    fn setting(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "language" => (self.outline.language, self.has.0) = (value.to_string(), true),
            "title" => (self.outline.title, self.has.1) = (value.to_string(), true),
            _ => return Err(format!("unknown setting {key:?}; the settings are language and title")),
        }
        Ok(())
    }

    fn row(&mut self, rest: &str) -> Result<(), String> {
        let header = match rest {
            "" => false,
            "header" => true,
            other => return Err(format!("row {other:?}: write `row` or `row header`")),
        };
        let table = self.table.as_mut().ok_or("`row` belongs in a table, after `table`")?;
        table.rows.push(Row::Cells { header, cells: Vec::new() });
        Ok(())
    }

    /// A paragraph or a rule: in the cell being written, or in the body.
    fn push(&mut self, block: Block) -> Result<(), String> {
        let Some(table) = self.table.as_mut() else {
            self.outline.blocks.push(block);
            return Ok(());
        };
        match table.rows.last_mut().and_then(|r| match r {
            Row::Cells { cells, .. } => cells.last_mut(),
            Row::Marker(_) => None,
        }) {
            Some(cell) => cell.content.push(block),
            None => return Err("inside a table, a paragraph belongs to a cell: write `row`, then `cell`, first".into()),
        }
        Ok(())
    }

    fn end_table(&mut self) -> Result<(), String> {
        let table = self.table.take().ok_or("`end table` without a table")?;
        for (i, row) in table.rows.iter().enumerate() {
            let Row::Cells { cells, .. } = row else { continue };
            let columns: usize = cells.iter().map(|c| c.span).sum();
            if columns != table.widths.len() {
                return Err(format!(
                    "row {} of the table ending here fills {columns} columns; the table has {}",
                    i + 1,
                    table.widths.len()
                ));
            }
            if cells.iter().any(|c| c.content.is_empty()) {
                return Err(format!("row {} of the table ending here has a cell without a paragraph", i + 1));
            }
        }
        self.outline.blocks.push(Block::Table(table));
        Ok(())
    }
}

/// Reads an outline; errors read `path:line: problem`.
fn parse(text: &str, path: &Path) -> Result<Outline, String> {
    let mut parser = Parser::default();
    let mut last = 0;
    for (number, line) in logical_lines(text) {
        parser.line(&line).map_err(|e| format!("{}:{number}: {e}", path.display()))?;
        last = number;
    }
    if parser.table.is_some() {
        return Err(format!("{}:{last}: a table is not closed; end it with `end table`", path.display()));
    }
    match parser.has {
        (true, true) => Ok(parser.outline),
        (false, _) => Err(format!("{}: missing `language = …` (for example vi-VN)", path.display())),
        (_, false) => Err(format!("{}: missing `title = …` (the document's title in its properties)", path.display())),
    }
}

/// A paragraph of the outline.
fn para_xml(p: &Para) -> String {
    let o = &p.options;
    let ppr = PPr {
        style: Some(&p.style),
        keep_next: o.keep_next,
        keep_lines: o.keep_lines,
        page_break_before: o.page_break_before,
        space: o.space,
        jc: o.align,
        ..PPr::default()
    };
    let runs = if p.text.is_empty() { String::new() } else { run(&p.text, o.bold, o.italic, o.size) };
    para(&ppr, &runs)
}

/// The blocks of the body or of a cell `width` wide; `sections` counts the sections ended so far.
fn blocks_xml(blocks: &[Block], width: u32, sections: &mut usize) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Para(p) => out.push_str(&para_xml(p)),
            Block::Rule(line) => out.push_str(&rule(width, *line)),
            Block::SectionBreak => {
                let first = *sections == 0;
                *sections += 1;
                let ppr = PPr { style: Some("Normal"), section: Some(section(!first, !first)), ..PPr::default() };
                out.push_str(&para(&ppr, ""));
            }
            Block::Table(t) => out.push_str(&table_xml(t)),
        }
    }
    out
}

fn table_xml(t: &Table) -> String {
    let total: u32 = t.widths.iter().sum();
    let rows: Vec<String> = t
        .rows
        .iter()
        .map(|r| match r {
            Row::Marker(text) => row(&[cell(total, t.widths.len() as u32, &para_xml(&marker_para(text)))], false),
            Row::Cells { header, cells } => {
                let mut column = 0;
                let cells: Vec<String> = cells
                    .iter()
                    .map(|c| {
                        let width: u32 = t.widths[column..column + c.span].iter().sum();
                        column += c.span;
                        let body = blocks_xml(&c.content, width, &mut 0);
                        cell_aligned(width, c.span as u32, if c.top { "top" } else { "center" }, &body)
                    })
                    .collect();
                row(&cells, *header)
            }
        })
        .collect();
    table(&t.widths, t.borders, &rows)
}

/// The paragraph of a `{%tr … %}` row.
fn marker_para(text: &str) -> Para {
    Para { style: "TableText".to_string(), options: Options::default(), text: text.to_string() }
}

/// The body: the outline's blocks, then the properties of the last section
/// (after a section break, a new page numbered from 1).
fn document_xml(outline: &Outline) -> String {
    let mut sections = 0;
    let body = blocks_xml(&outline.blocks, TEXT_W, &mut sections);
    let last = section(sections > 0, sections > 0);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>{body}{last}</w:body></w:document>"
    )
}

/// The outline of a language: `<config>/<lang>/bao-cao-tong-hop.outline`, or the shipped one
/// when the folder has none.
fn outline(config_dir: &Path, lang: Lang) -> Result<Outline, String> {
    let path = config_dir.join(lang.code()).join(OUTLINE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text, &path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let built_in = match lang {
                Lang::Vi => BUILT_IN_VI,
                Lang::En => BUILT_IN_EN,
            };
            parse(built_in, &Path::new("report_templates").join(lang.code()).join(OUTLINE_NAME))
        }
        Err(e) => Err(format!("{}: cannot read the outline ({e})", path.display())),
    }
}

/// The template package of a language, from the outline of the configuration folder.
pub(crate) fn build(config_dir: &Path, lang: Lang) -> Result<Vec<u8>, String> {
    zip_package(&outline(config_dir, lang)?)
}

/// One paragraph style. `ppr` and `rpr` are the inner XML of `w:pPr` and `w:rPr`.
fn style(id: &str, name: &str, based_on: Option<&str>, next: Option<&str>, ppr: &str, rpr: &str) -> String {
    let based = based_on.map(|b| format!("<w:basedOn w:val=\"{b}\"/>")).unwrap_or_default();
    let next = next.map(|n| format!("<w:next w:val=\"{n}\"/>")).unwrap_or_default();
    let ppr = if ppr.is_empty() { String::new() } else { format!("<w:pPr>{ppr}</w:pPr>") };
    let rpr = if rpr.is_empty() { String::new() } else { format!("<w:rPr>{rpr}</w:rPr>") };
    format!(
        "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/>{based}{next}<w:qFormat/>{ppr}{rpr}</w:style>"
    )
}

fn styles_xml(language: &str) -> String {
    let size = |half_points: u32| format!("<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/>");
    // Body text: justified, first line 1 cm, 6 pt before, 1.15 lines (Decree 30: single to 1.5 lines).
    let body_ppr = "<w:spacing w:before=\"120\" w:after=\"0\" w:line=\"276\" w:lineRule=\"auto\"/><w:ind w:firstLine=\"567\"/><w:jc w:val=\"both\"/>";
    let table_ppr =
        "<w:spacing w:before=\"30\" w:after=\"30\" w:line=\"240\" w:lineRule=\"auto\"/><w:ind w:firstLine=\"0\"/>";
    let styles = [
        String::from(
            "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/>\
             <w:pPr><w:widowControl/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:style>"
        ),
        style("BodyText", "Body Text", Some("Normal"), None, body_ppr, ""),
        style("Heading1", "heading 1", Some("BodyText"), Some("BodyText"), "<w:keepNext/><w:keepLines/><w:outlineLvl w:val=\"0\"/>", "<w:b/><w:bCs/>"),
        style("Heading2", "heading 2", Some("BodyText"), Some("BodyText"), "<w:keepNext/><w:keepLines/><w:outlineLvl w:val=\"1\"/>", "<w:b/><w:bCs/>"),
        style("Heading3", "heading 3", Some("BodyText"), Some("BodyText"), "<w:keepNext/><w:keepLines/><w:outlineLvl w:val=\"2\"/>", "<w:b/><w:bCs/><w:i/><w:iCs/>"),
        style("Title", "Title", Some("Normal"), None, "<w:keepNext/><w:keepLines/><w:jc w:val=\"center\"/>", "<w:b/><w:bCs/>"),
        style("Subtitle", "Subtitle", Some("Normal"), None, "<w:keepNext/><w:keepLines/><w:ind w:left=\"567\" w:right=\"567\"/><w:jc w:val=\"center\"/>", "<w:b/><w:bCs/>"),
        style("Caption", "caption", Some("Normal"), None, "<w:keepNext/><w:keepLines/><w:spacing w:before=\"240\" w:after=\"120\"/><w:jc w:val=\"center\"/>", &format!("<w:b/><w:bCs/>{}", size(26))),
        style("Letterhead", "Letterhead", Some("Normal"), None, "<w:jc w:val=\"center\"/>", &size(26)),
        style("Rule", "Rule", Some("Normal"), None, "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"120\" w:lineRule=\"exact\"/><w:jc w:val=\"center\"/>", &size(4)),
        style("TableText", "Table Contents", Some("Normal"), None, table_ppr, &size(24)),
        style("TableHeading", "Table Heading", Some("TableText"), None, "<w:keepNext/><w:jc w:val=\"center\"/>", "<w:b/><w:bCs/>"),
        style("TableNumber", "Table Number", Some("TableText"), None, "<w:jc w:val=\"right\"/>", ""),
        style("TableCenter", "Table Centered", Some("TableText"), None, "<w:jc w:val=\"center\"/>", ""),
        style("RecipientsTitle", "Recipients Heading", Some("Normal"), None, "<w:spacing w:before=\"0\" w:after=\"0\"/>", &format!("<w:b/><w:bCs/><w:i/><w:iCs/>{}", size(24))),
        style("Recipients", "Recipients", Some("Normal"), None, "", &size(22)),
        style("Signature", "Signature", Some("Normal"), None, "<w:keepNext/><w:keepLines/><w:jc w:val=\"center\"/>", "<w:b/><w:bCs/>"),
        style("Header", "header", Some("Normal"), None, "<w:jc w:val=\"center\"/>", &size(26)),
    ]
    .concat();
    let font = "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"Times New Roman\" w:cs=\"Times New Roman\"/>";
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"{W_NS}\">\
         <w:docDefaults><w:rPrDefault><w:rPr>{font}{}<w:lang w:val=\"{}\" w:eastAsia=\"{}\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
         {styles}\
         <w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\"><w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/></w:style>\
         <w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:semiHidden/>\
         <w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
         </w:styles>",
        size(28),
        escape(language),
        escape(language)
    )
}

/// The header of pages 2 and after: the page number, centred in the top margin.
fn header_xml(with_number: bool) -> String {
    let number = if with_number {
        "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
         <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>"
    } else {
        ""
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:hdr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\">\
         <w:p><w:pPr><w:pStyle w:val=\"Header\"/></w:pPr>{number}</w:p></w:hdr>"
    )
}

fn content_types() -> String {
    let main = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Default Extension=\"png\" ContentType=\"image/png\"/><Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>\
         <Override PartName=\"/word/document.xml\" ContentType=\"{main}.document.main+xml\"/>\
         <Override PartName=\"/word/styles.xml\" ContentType=\"{main}.styles+xml\"/>\
         <Override PartName=\"/word/settings.xml\" ContentType=\"{main}.settings+xml\"/>\
         <Override PartName=\"/word/fontTable.xml\" ContentType=\"{main}.fontTable+xml\"/>\
         <Override PartName=\"/word/header1.xml\" ContentType=\"{main}.header+xml\"/>\
         <Override PartName=\"/word/header2.xml\" ContentType=\"{main}.header+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
         </Types>"
    )
}

fn relationships(items: &[(&str, &str, &str)]) -> String {
    let rels: String = items
        .iter()
        .map(|(id, kind, target)| format!("<Relationship Id=\"{id}\" Type=\"{kind}\" Target=\"{target}\"/>"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}</Relationships>"
    )
}

const OFFICE_REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn core_xml(outline: &Outline) -> String {
    // A fixed date: rendering replaces it with the document date, never the clock.
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>tonghop</dc:creator><dc:language>{}</dc:language>\
         <dcterms:created xsi:type=\"dcterms:W3CDTF\">2025-09-01T00:00:00Z</dcterms:created>\
         <dcterms:modified xsi:type=\"dcterms:W3CDTF\">2025-09-01T00:00:00Z</dcterms:modified></cp:coreProperties>",
        escape(&outline.title),
        escape(&outline.language)
    )
}

fn settings_xml(language: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:settings xmlns:w=\"{W_NS}\"><w:zoom w:percent=\"100\"/>\
         <w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/>\
         <w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
         <w:themeFontLang w:val=\"{}\"/></w:settings>",
        escape(language)
    )
}

fn font_table() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:fonts xmlns:w=\"{W_NS}\">\
         <w:font w:name=\"Times New Roman\"><w:panose1 w:val=\"02020603050405020304\"/><w:charset w:val=\"00\"/>\
         <w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font></w:fonts>"
    )
}

/// The whole template package of an outline.
fn zip_package(outline: &Outline) -> Result<Vec<u8>, String> {
    let part = |name: &str, text: String| Part { name: name.to_string(), data: text.into_bytes() };
    let parts = vec![
        part("[Content_Types].xml", content_types()),
        part(
            "_rels/.rels",
            relationships(&[
                ("rId1", &format!("{OFFICE_REL}/officeDocument"), "word/document.xml"),
                (
                    "rId2",
                    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                    "docProps/core.xml",
                ),
                ("rId3", &format!("{OFFICE_REL}/extended-properties"), "docProps/app.xml"),
            ]),
        ),
        part(
            "docProps/app.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>tonghop</Application></Properties>".to_string(),
        ),
        part("docProps/core.xml", core_xml(outline)),
        part("word/document.xml", document_xml(outline)),
        part("word/styles.xml", styles_xml(&outline.language)),
        part("word/settings.xml", settings_xml(&outline.language)),
        part("word/fontTable.xml", font_table()),
        part("word/header1.xml", header_xml(true)),
        part("word/header2.xml", header_xml(false)),
        part(
            "word/_rels/document.xml.rels",
            relationships(&[
                ("rIdStyles", &format!("{OFFICE_REL}/styles"), "styles.xml"),
                ("rIdSettings", &format!("{OFFICE_REL}/settings"), "settings.xml"),
                ("rIdFonts", &format!("{OFFICE_REL}/fontTable"), "fontTable.xml"),
                ("rIdHeader1", &format!("{OFFICE_REL}/header"), "header1.xml"),
                ("rIdHeader2", &format!("{OFFICE_REL}/header"), "header2.xml"),
            ]),
        ),
    ];
    package::write(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::docx::xml::check_well_formed;

    fn shipped(lang: Lang) -> Outline {
        outline(Path::new("report_templates"), lang).expect("outline")
    }

    #[test]
    fn every_part_is_well_formed_and_the_bytes_are_stable() {
        for lang in [Lang::Vi, Lang::En] {
            let o = shipped(lang);
            let parts =
                [document_xml(&o), styles_xml(&o.language), settings_xml(&o.language), core_xml(&o), header_xml(true)];
            for xml in parts {
                check_well_formed(&xml).unwrap_or_else(|e| panic!("{e}: {}", &xml[e.offset.saturating_sub(80)..]));
            }
            assert_eq!(zip_package(&o), zip_package(&shipped(lang)));
        }
    }

    #[test]
    fn without_an_outline_file_the_shipped_one_is_used() {
        let empty = std::env::temp_dir().join("tonghop-no-outline");
        for lang in [Lang::Vi, Lang::En] {
            assert_eq!(build(&empty, lang), build(Path::new("report_templates"), lang));
        }
    }

    #[test]
    fn every_style_an_outline_may_name_is_defined() {
        let styles = styles_xml("vi-VN");
        for style in STYLES {
            assert!(styles.contains(&format!("w:styleId=\"{style}\"")), "{style}");
        }
    }

    #[test]
    fn long_lines_continue_and_comments_go() {
        let text = "# a comment\n\nBodyText: a \\\n    {% if x %}b\\\n  {% endif %}\n  Title: t\n";
        let lines = logical_lines(text);
        assert_eq!(lines, vec![(3, "BodyText: a {% if x %}b{% endif %}".to_string()), (6, "Title: t".to_string())]);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let path = Path::new("vi/bao-cao-tong-hop.outline");
        let err = |text: &str| parse(text, path).expect_err(text);
        let head = "language = vi-VN\ntitle = T\n";
        assert!(
            err(&format!("{head}Bodytext: x\n"))
                .starts_with("vi/bao-cao-tong-hop.outline:3: unknown style \"Bodytext\"")
        );
        assert!(err(&format!("{head}BodyText [blod]: x\n")).contains(":3: unknown option \"blod\""));
        assert!(err(&format!("{head}table 100 *\nrow\ncell TableText: a\nend table\n")).contains(":6: row 1"));
        assert!(err(&format!("{head}table 100\nBodyText: a\n")).contains(":4: inside a table"));
        assert!(err(&format!("{head}table 100\nrow\ncell TableText: a\n")).contains(":5: a table is not closed"));
        assert!(err(&format!("{head}{{%tr for x in y %}}\n")).contains(":3: a {%tr"));
        assert!(err("title = T\n").contains("missing `language"));
        let o =
            parse(&format!("{head}table borderless 100 *\nrow\ncell top span=2 Title [bold]: a: b\nend table\n"), path)
                .expect("outline");
        let Block::Table(t) = &o.blocks[0] else { panic!("{o:?}") };
        assert_eq!(t.widths, vec![100, TEXT_W - 100]);
        assert!(!t.borders);
        let Row::Cells { cells, .. } = &t.rows[0] else { panic!("{t:?}") };
        assert!(cells[0].top && cells[0].span == 2);
        let Block::Para(p) = &cells[0].content[0] else { panic!("{cells:?}") };
        assert_eq!((p.style.as_str(), p.text.as_str(), p.options.bold), ("Title", "a: b", true));
    }
}
