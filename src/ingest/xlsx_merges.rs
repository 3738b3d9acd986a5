//! Merged ranges of .xlsx sheets, found without parsing the sheets again.
//!
//! calamine reads merged ranges by tokenizing the whole sheet a second time
//! after its cells were streamed, which cost as much as reading the cells. The
//! `<mergeCells>` element comes after `<sheetData>` (ECMA-376 Part 1,
//! §18.3.1.99), so inflating the part and looking past the cells is enough:
//! cell text cannot be mistaken for markup there.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::Dimensions;
use quick_xml::events::Event;

/// The zip part of each sheet, by sheet name, from `xl/workbook.xml` and its relationships.
pub(crate) struct SheetParts<'b> {
    archive: zip::ZipArchive<Cursor<&'b [u8]>>,
    parts: HashMap<String, String>,
    /// Largest part inflated, as for every part a reader loads whole.
    max_part_bytes: u64,
}

impl<'b> SheetParts<'b> {
    /// Opens the package; `None` when its workbook or relationships cannot be read
    /// (the caller then asks calamine).
    pub fn open(bytes: &'b [u8], max_part_bytes: u64) -> Option<SheetParts<'b>> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let workbook = read_part(&mut archive, "xl/workbook.xml", max_part_bytes)?;
        let rels = read_part(&mut archive, "xl/_rels/workbook.xml.rels", max_part_bytes)?;
        let targets: HashMap<String, String> =
            attribute_pairs(&rels, "Relationship", "Id", "Target")?.into_iter().collect();
        let mut parts = HashMap::new();
        for (name, id) in attribute_pairs(&workbook, "sheet", "name", "id")? {
            if let Some(target) = targets.get(&id) {
                let path = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("xl/{target}"),
                };
                parts.entry(name).or_insert(path);
            }
        }
        Some(SheetParts { archive, parts, max_part_bytes })
    }

    /// The merged ranges of a sheet; `None` when its part cannot be found or read.
    pub fn merged(&mut self, sheet: &str) -> Option<Vec<Dimensions>> {
        let path = self.parts.get(sheet)?;
        let xml = read_part(&mut self.archive, path, self.max_part_bytes)?;
        Some(merged_ranges(&xml))
    }
}

fn read_part(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, path: &str, limit: u64) -> Option<Vec<u8>> {
    let part = archive.by_name(path).ok()?;
    let mut bytes = Vec::with_capacity(usize::try_from(part.size().min(limit)).unwrap_or(0));
    part.take(limit.saturating_add(1)).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= limit).then_some(bytes)
}

/// Attribute value by local name (`r:id` and `id` both answer to `id`).
fn attribute(e: &quick_xml::events::BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == local).map(|a| {
        // Sheet names are XML-escaped in the workbook (`&amp;`).
        quick_xml::escape::unescape(&a.value).map(|v| v.into_owned()).unwrap_or_else(|_| a.value.clone().into_owned())
    })
}

/// The values of two attributes of every element named `element` that has both
/// (for example each `<sheet>`'s name and relationship id).
fn attribute_pairs(xml: &[u8], element: &str, first: &str, second: &str) -> Option<Vec<(String, String)>> {
    let mut reader = quick_xml::Reader::from_str(std::str::from_utf8(xml).ok()?);
    let mut pairs = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == element => {
                if let (Some(a), Some(b)) = (attribute(&e, first), attribute(&e, second)) {
                    pairs.push((a, b));
                }
            }
            Event::Eof => return Some(pairs),
            _ => {}
        }
    }
}

/// The `<mergeCell ref="A1:B2"/>` ranges after the sheet's cells, with or without a namespace prefix.
fn merged_ranges(xml: &[u8]) -> Vec<Dimensions> {
    let after_cells = memchr::memmem::rfind(xml, b"sheetData").map_or(0, |at| at + "sheetData".len());
    let tail = &xml[after_cells..];
    let mut ranges = Vec::new();
    for at in memchr::memmem::find_iter(tail, b"mergeCell") {
        // `<mergeCell` or `<x:mergeCell`, and not `<mergeCells`.
        let is_tag_name = opens_tag(&tail[..at])
            && tail.get(at + "mergeCell".len()).is_some_and(|b| b.is_ascii_whitespace() || *b == b'/');
        if !is_tag_name {
            continue;
        }
        let tag = &tail[at..];
        let tag = &tag[..memchr::memchr(b'>', tag).unwrap_or(tag.len())];
        if let Some(range) = ref_attribute(tag).and_then(parse_range) {
            ranges.push(range);
        }
    }
    ranges
}

/// Whether the bytes before an element name open a tag: `<` or `<prefix:`.
fn opens_tag(before: &[u8]) -> bool {
    match before.split_last() {
        Some((b'<', _)) => true,
        Some((b':', prefix)) => {
            let n = prefix
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                .count();
            n > 0 && prefix.len() > n && prefix[prefix.len() - n - 1] == b'<'
        }
        _ => false,
    }
}

/// The value of the `ref` attribute in a tag's text.
fn ref_attribute(tag: &[u8]) -> Option<&str> {
    let mut rest = tag;
    while let Some(at) = memchr::memmem::find(rest, b"ref") {
        let preceded = at > 0 && rest[at - 1].is_ascii_whitespace();
        let after = rest[at + 3..].trim_ascii_start();
        if preceded && let Some(value) = after.strip_prefix(b"=") {
            let value = value.trim_ascii_start();
            let quote = *value.first()?;
            if quote != b'"' && quote != b'\'' {
                return None;
            }
            let end = memchr::memchr(quote, &value[1..])?;
            return std::str::from_utf8(&value[1..1 + end]).ok();
        }
        rest = &rest[at + 3..];
    }
    None
}

/// `B3:D4` (or a single `B3`) as zero-based (row, column) corners.
fn parse_range(text: &str) -> Option<Dimensions> {
    let (start, end) = text.split_once(':').unwrap_or((text, text));
    Some(Dimensions::new(parse_cell(start)?, parse_cell(end)?))
}

fn parse_cell(cell: &str) -> Option<(u32, u32)> {
    let cell = cell.trim().trim_start_matches('$');
    let letters = cell.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = cell[..letters]
        .bytes()
        .try_fold(0u32, |acc, b| Some(acc * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1))?;
    let row: u32 = cell[letters..].trim_start_matches('$').parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

#[cfg(test)]
mod tests {
    use calamine::Reader;
    use rust_xlsxwriter::{Format, Workbook};

    use super::*;

    fn dims(d: &[Dimensions]) -> Vec<((u32, u32), (u32, u32))> {
        let mut v: Vec<_> = d.iter().map(|d| (d.start, d.end)).collect();
        v.sort();
        v
    }

    #[test]
    fn same_ranges_as_calamine() {
        let mut workbook = Workbook::new();
        let format = Format::new();
        for (name, merges) in [
            ("Thông tin chung", vec![(0u32, 0u16, 0u32, 3u16)]),
            ("Chỉ tiêu & số liệu", vec![(4, 1, 6, 2), (10, 0, 10, 5), (20, 3, 25, 3)]),
            ("Trống", vec![]),
        ] {
            let sheet = workbook.add_worksheet();
            sheet.set_name(name).unwrap();
            sheet.write_string(0, 0, "<mergeCell ref=\"A1:Z99\"/> sheetData").unwrap();
            for (r0, c0, r1, c1) in merges {
                sheet.merge_range(r0, c0, r1, c1, "gộp", &format).unwrap();
            }
        }
        let bytes = workbook.save_to_buffer().unwrap();
        let mut calamine: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes.as_slice())).unwrap();
        let mut parts = SheetParts::open(&bytes, 1 << 20).unwrap();
        for name in calamine.sheet_names() {
            let expected = calamine.merge_cells_by_sheet_name(&name).unwrap();
            assert_eq!(dims(&parts.merged(&name).unwrap()), dims(&expected), "{name}");
        }
        assert!(parts.merged("Không có").is_none());
    }

    #[test]
    fn prefixed_elements_and_quotes() {
        let xml = br#"<x:worksheet><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>x:mergeCell ref="A1:B2"</x:t></x:is></x:c></x:row></x:sheetData>
            <x:mergeCells count="2"><x:mergeCell ref='C3:D4'/><x:mergeCell  ref = "$E$5:F6" /></x:mergeCells></x:worksheet>"#;
        assert_eq!(dims(&merged_ranges(xml)), vec![((2, 2), (3, 3)), ((4, 4), (5, 5))]);
        assert_eq!(parse_cell("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_cell("A0"), None);
        assert_eq!(parse_cell("ABCD1"), None);
    }
}
