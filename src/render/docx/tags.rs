//! From a WordprocessingML part as Word or LibreOffice saved it to a tera
//! template.
//!
//! Word stores the text of a paragraph in runs (`<w:r><w:t>…</w:t></w:r>`) and
//! starts a new run whenever the formatting, the spell-check state or the
//! revision id changes, so a tag typed as `{{ cycle.id }}` often arrives as
//! `{{ cy` in one run and `cle.id }}` in the next, with `<w:proofErr/>`,
//! bookmarks or a `<w:rPr>` in between. That is the known failure of Word
//! templates; docxtpl's answer, used here too, is to look at the text of each
//! paragraph as a whole and move every tag back into the run it starts in.
//!
//! Only the text of `<w:t>` elements is read and changed, so the rest of the
//! XML (formatting, hyperlinks, tracked insertions) keeps its structure and
//! deleted text (`<w:delText>`) never becomes part of a tag.
//!
//! Then the block markers of docxtpl: `{%p … %}` applies to the whole
//! paragraph it is in and `{%tr … %}` to the whole table row, so that a loop
//! or a condition can repeat or drop rows and paragraphs without producing
//! broken XML. A paragraph or row holding only markers is replaced by them
//! (docxtpl's way: marker rows around the repeated rows); one holding other
//! content as well keeps it, with the markers before it (those typed before
//! any content) or after it (the rest), so `{%tr for u in rows %}` in the first
//! cell and `{%tr endfor %}` in the last repeats that very row.

use std::collections::BTreeMap;

use super::xml::{self, Token};

/// Which element a block marker controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkerKind {
    Paragraph,
    Row,
}

/// A `{%p … %}` or `{%tr … %}` marker, already rewritten as a plain tag.
#[derive(Debug, Clone)]
struct Marker {
    /// The token index of the element it controls.
    element: usize,
    /// Document-order position: (text token index, byte offset in its text).
    at: (usize, usize),
    tag: String,
}

/// One `<w:t>` element's text.
struct Segment {
    /// Index of the `<w:t>` opening token.
    open: usize,
    /// Index of its text token, when it has text.
    text: Option<usize>,
    raw: String,
    paragraph: Option<usize>,
    row: Option<usize>,
}

/// The delimiters of tera tags.
const OPENERS: [(&str, &str); 3] = [("{{", "}}"), ("{%", "%}"), ("{#", "#}")];

/// Finds the tags in the raw (escaped) text of a paragraph: (start, end) byte
/// ranges. Quoted strings inside a tag may hold the closing delimiter. An
/// opener without a closer is left alone: tera then reports it with its place.
fn find_tags(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        let Some(&(_, close)) = OPENERS.iter().find(|(open, _)| bytes[i..].starts_with(open.as_bytes())) else {
            i += 1;
            continue;
        };
        let mut j = i + 2;
        let mut quote: Option<u8> = None;
        let mut end = None;
        while j < bytes.len() {
            let b = bytes[j];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' || b == b'`' => quote = Some(b),
                None if bytes[j..].starts_with(close.as_bytes()) => {
                    end = Some(j + close.len());
                    break;
                }
                None => {}
            }
            j += 1;
        }
        match end {
            Some(e) => {
                found.push((i, e));
                i = e;
            }
            None => i += 2,
        }
    }
    found
}

/// The tera source of a tag typed in a document: entities decoded, the curly
/// quotes and non-breaking spaces of autocorrect made plain again.
fn tag_source(raw: &str) -> String {
    xml::unescape(raw)
        .chars()
        .map(|c| match c {
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => '"',
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{00A0}' | '\u{202F}' => ' ',
            other => other,
        })
        .collect()
}

/// `{%p if x %}` → (Paragraph, `{% if x %}`); `{%tr for … %}` → (Row, …).
fn marker(tag: &str) -> Option<(MarkerKind, String)> {
    let body = tag.strip_prefix("{%")?.strip_suffix("%}")?;
    let body = body.strip_prefix('-').unwrap_or(body);
    let (kind, rest) = if let Some(rest) = body.strip_prefix("tr") {
        (MarkerKind::Row, rest)
    } else if let Some(rest) = body.strip_prefix('p') {
        (MarkerKind::Paragraph, rest)
    } else {
        return None;
    };
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some((kind, format!("{{% {} %}}", rest.trim())))
}

/// Rewrites a part so tera can render it: tags made contiguous, block markers
/// turned into tags around whole paragraphs and rows.
pub(crate) fn prepare(src: &str) -> Result<String, String> {
    let tokens = xml::tokenize(src).map_err(|e| format!("not well-formed XML: {e}"))?;
    let closes = xml::match_tags(&tokens).map_err(|e| format!("not well-formed XML: {e}"))?;
    let mut segments = text_segments(&tokens, &closes);
    let mut found =
        Found { markers: Vec::new(), first_content: BTreeMap::new(), has_tags: vec![false; segments.len()] };
    for members in paragraphs(&segments).values() {
        rewrite_paragraph(&mut segments, members, &mut found)?;
    }
    note_drawings(&tokens, &closes, &mut found.first_content);
    Ok(write_part(src, &tokens, &closes, &segments, found))
}

/// The `<w:t>` elements with their paragraph and row.
fn text_segments(tokens: &[Token<'_>], closes: &[Option<usize>]) -> Vec<Segment> {
    let mut segments: Vec<Segment> = Vec::new();
    // The open elements around the current token.
    let mut stack: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i] {
            Token::Open { name: "w:t", empty: false, .. } => {
                let innermost = |wanted: &str| {
                    stack
                        .iter()
                        .rev()
                        .copied()
                        .find(|&o| matches!(tokens[o], Token::Open { name, .. } if name == wanted))
                };
                let (paragraph, row) = (innermost("w:p"), innermost("w:tr"));
                let close = closes[i].unwrap_or(i);
                let text = (i + 1..close).find(|&k| matches!(tokens[k], Token::Text(_)));
                let raw = text.map(|k| tokens[k].raw().to_string()).unwrap_or_default();
                segments.push(Segment { open: i, text, raw, paragraph, row });
                i = close + 1;
                continue;
            }
            Token::Open { empty: false, .. } => stack.push(i),
            Token::Close { .. } => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
    segments
}

/// The segments paragraph by paragraph (segments outside paragraphs each on
/// their own), in document order: a tag split across runs is whole only in
/// its paragraph's text.
fn paragraphs(segments: &[Segment]) -> BTreeMap<(usize, usize), Vec<usize>> {
    let mut groups: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (k, s) in segments.iter().enumerate() {
        let key = match s.paragraph {
            Some(p) => (p, 0),
            None => (s.open, 1),
        };
        groups.entry(key).or_default().push(k);
    }
    groups
}

/// What the paragraphs' tags say about the part, gathered before it is written.
struct Found {
    markers: Vec<Marker>,
    /// For each controlled element, the first position holding content other than markers.
    first_content: BTreeMap<usize, (usize, usize)>,
    /// For each segment, whether a tag was moved into it.
    has_tags: Vec<bool>,
}

impl Found {
    /// Content at `key` in a segment: its paragraph and row hold more than markers from there on.
    fn note_content(&mut self, key: (usize, usize), seg: &Segment) {
        for element in [seg.paragraph, seg.row].into_iter().flatten() {
            note_first_content(&mut self.first_content, element, key);
        }
    }
}

fn note_first_content(first_content: &mut BTreeMap<usize, (usize, usize)>, element: usize, key: (usize, usize)) {
    let e = first_content.entry(element).or_insert(key);
    if key < *e {
        *e = key;
    }
}

/// A paragraph's text: the raw texts of its segments end to end, and where each starts.
struct Joined<'m> {
    members: &'m [usize],
    starts: Vec<usize>,
    text: String,
}

impl<'m> Joined<'m> {
    fn new(segments: &[Segment], members: &'m [usize]) -> Self {
        let mut text = String::new();
        let mut starts = Vec::with_capacity(members.len());
        for &k in members {
            starts.push(text.len());
            text.push_str(&segments[k].raw);
        }
        Joined { members, starts, text }
    }

    /// (member index, byte offset in its text) of a byte of the paragraph's text.
    fn locate(&self, pos: usize) -> (usize, usize) {
        // The last segment starting at or before `pos` holds it (empty segments share a start).
        let idx = self.starts.partition_point(|&s| s <= pos).saturating_sub(1);
        (idx, pos - self.starts[idx])
    }

    /// The segment holding a byte of the paragraph's text.
    fn segment<'s>(&self, segments: &'s [Segment], pos: usize) -> &'s Segment {
        &segments[self.members[self.locate(pos).0]]
    }

    /// The document-order position of a byte of the paragraph's text.
    fn key_of(&self, segments: &[Segment], pos: usize) -> (usize, usize) {
        let (idx, off) = self.locate(pos);
        let seg = &segments[self.members[idx]];
        (seg.text.unwrap_or(seg.open), off)
    }
}

/// Moves every tag of a paragraph back into the segment it starts in and takes
/// the block markers out, noting them and where the paragraph's content is.
fn rewrite_paragraph(segments: &mut [Segment], members: &[usize], found: &mut Found) -> Result<(), String> {
    let joined = Joined::new(segments, members);
    let tags = find_tags(&joined.text);
    note_visible_content(segments, &joined, &tags, found);
    // The tags, last first so that earlier byte offsets stay valid.
    let mut texts: Vec<String> = members.iter().map(|&k| segments[k].raw.clone()).collect();
    for &(start, end) in tags.iter().rev() {
        let source = tag_source(&joined.text[start..end]);
        let is_marker = record_tag(segments, &joined, start, &source, found)?;
        let (first, first_off) = joined.locate(start);
        cut_span(&mut texts, (first, first_off), joined.locate(end.saturating_sub(1)));
        // A normal tag goes back whole into the first segment it spans.
        if !is_marker {
            texts[first].insert_str(first_off, &source);
            found.has_tags[members[first]] = true;
        }
    }
    for (idx, &k) in members.iter().enumerate() {
        segments[k].raw = std::mem::take(&mut texts[idx]);
    }
    Ok(())
}

/// Notes the paragraph's visible content outside its tags: any text but white space.
fn note_visible_content(segments: &[Segment], joined: &Joined<'_>, tags: &[(usize, usize)], found: &mut Found) {
    let text = &joined.text;
    let mut cursor = 0;
    for &(start, end) in tags.iter().chain(std::iter::once(&(text.len(), text.len()))) {
        if let Some(p) = text[cursor..start].find(|c: char| !c.is_whitespace()) {
            let pos = cursor + p;
            found.note_content(joined.key_of(segments, pos), joined.segment(segments, pos));
        }
        cursor = end;
    }
}

/// Records the tag starting at `start`: a block marker (then `true`) with the
/// element it controls, any other tag as content of its paragraph and row.
/// A marker outside the element it names cannot be placed.
fn record_tag(
    segments: &[Segment],
    joined: &Joined<'_>,
    start: usize,
    source: &str,
    found: &mut Found,
) -> Result<bool, String> {
    let seg = joined.segment(segments, start);
    let Some((kind, tag)) = marker(source) else {
        found.note_content(joined.key_of(segments, start), seg);
        return Ok(false);
    };
    let element = match kind {
        MarkerKind::Paragraph => seg.paragraph,
        MarkerKind::Row => seg.row,
    };
    let Some(element) = element else {
        return Err(format!(
            "{} is not inside a {}",
            source,
            if kind == MarkerKind::Row { "table row" } else { "paragraph" }
        ));
    };
    found.markers.push(Marker { element, at: joined.key_of(segments, start), tag });
    Ok(true)
}

/// Cuts a tag out of every segment it spans: from `first` to `last`, each a
/// (member index, byte offset), both bytes included.
fn cut_span(texts: &mut [String], (first, first_off): (usize, usize), (last, last_off): (usize, usize)) {
    let last_off = last_off + 1;
    if first == last {
        texts[first].replace_range(first_off..last_off, "");
    } else {
        texts[first].truncate(first_off);
        for t in &mut texts[first + 1..last] {
            t.clear();
        }
        texts[last].replace_range(..last_off, "");
    }
}

/// Drawings and embedded objects are content too: a paragraph holding a picture is never dropped.
fn note_drawings(tokens: &[Token<'_>], closes: &[Option<usize>], first_content: &mut BTreeMap<usize, (usize, usize)>) {
    for (i, t) in tokens.iter().enumerate() {
        if let Token::Open { name: "w:drawing" | "w:pict" | "w:object", .. } = t {
            for wanted in ["w:p", "w:tr"] {
                if let Some(element) = enclosing(tokens, closes, i, wanted) {
                    note_first_content(first_content, element, (i, 0));
                }
            }
        }
    }
}

/// Writes the part out: an element holding nothing but markers replaced by
/// them, other markers before or after their element, the segments' new texts.
fn write_part(src: &str, tokens: &[Token<'_>], closes: &[Option<usize>], segments: &[Segment], found: Found) -> String {
    let Found { mut markers, first_content, has_tags } = found;
    // Markers by element, in document order.
    markers.sort_by_key(|m| m.at);
    let mut by_element: BTreeMap<usize, Vec<&Marker>> = BTreeMap::new();
    for m in &markers {
        by_element.entry(m.element).or_default().push(m);
    }
    // Elements holding nothing but markers are replaced by them; nested ones go with their parent.
    let replaced: BTreeMap<usize, usize> =
        by_element.keys().filter(|e| !first_content.contains_key(e)).map(|&e| (e, closes[e].unwrap_or(e))).collect();
    let segment_at: BTreeMap<usize, usize> = segments.iter().enumerate().map(|(k, s)| (s.open, k)).collect();

    let mut out = String::with_capacity(src.len() + 1024);
    // Markers to write after the token at their key, the close of their element.
    let mut after: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(&close) = replaced.get(&i) {
            // Every marker inside, in order (markers of nested elements included).
            for m in markers.iter().filter(|m| m.at.0 > i && m.at.0 < close) {
                out.push_str(&m.tag);
            }
            i = close + 1;
            continue;
        }
        if let Some(ms) = by_element.get(&i) {
            // Markers typed before the element's first content go before it, the rest after it.
            let first = first_content.get(&i).copied().unwrap_or((usize::MAX, 0));
            for m in ms {
                if m.at < first {
                    out.push_str(&m.tag);
                } else {
                    let close = closes[i].unwrap_or(i);
                    after.entry(close).or_default().push(m.tag.clone());
                }
            }
        }
        if let Some(&k) = segment_at.get(&i) {
            i = write_segment(&mut out, tokens, closes, i, &segments[k], has_tags[k]);
            continue;
        }
        out.push_str(tokens[i].raw());
        for tag in after.remove(&i).into_iter().flatten() {
            out.push_str(&tag);
        }
        i += 1;
    }
    out
}

/// Writes a `<w:t>` element's opening and new text, and gives the index of its
/// closing token, still to be written.
fn write_segment(
    out: &mut String,
    tokens: &[Token<'_>],
    closes: &[Option<usize>],
    i: usize,
    seg: &Segment,
    has_tags: bool,
) -> usize {
    let open = tokens[i].raw();
    // A tag moved here may leave spaces at an edge of the text, which Word keeps only with xml:space.
    if has_tags && !open.contains("xml:space") {
        out.push_str("<w:t xml:space=\"preserve\">");
    } else {
        out.push_str(open);
    }
    out.push_str(&seg.raw);
    // Skip to the closing </w:t>, dropping the original text token.
    let close = closes[i].unwrap_or(i);
    for t in &tokens[i + 1..close] {
        if !matches!(t, Token::Text(_)) {
            out.push_str(t.raw());
        }
    }
    close
}

/// Repairs what loops and conditions can leave behind in a filled part and
/// Word refuses to open: a table whose rows were all dropped is removed, and a
/// table cell that no longer ends with a paragraph gets an empty one.
pub(crate) fn tidy(xml: &str) -> Result<String, String> {
    let tokens = xml::tokenize(xml).map_err(|e| e.to_string())?;
    let closes = xml::match_tags(&tokens)?;
    let mut out = String::with_capacity(xml.len());
    // Open elements, each with the name of its last child element.
    let mut stack: Vec<(&str, Option<&str>)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i] {
            Token::Open { name, empty, .. } => {
                let close = closes[i].unwrap_or(i);
                if name == "w:tbl" && !empty {
                    let has_row = (i + 1..close).any(|k| {
                        matches!(tokens[k], Token::Open { name: "w:tr", .. })
                            && enclosing(&tokens, &closes, k, "w:tbl") == Some(i)
                    });
                    if !has_row {
                        i = close + 1;
                        continue;
                    }
                }
                if let Some(parent) = stack.last_mut() {
                    parent.1 = Some(name);
                }
                if !empty {
                    stack.push((name, None));
                }
            }
            Token::Close { name, .. } => {
                if let Some((open, last)) = stack.pop()
                    && open == "w:tc"
                    && last != Some("w:p")
                    && name == "w:tc"
                {
                    out.push_str("<w:p/>");
                }
            }
            _ => {}
        }
        out.push_str(tokens[i].raw());
        i += 1;
    }
    Ok(out)
}

/// The innermost element named `wanted` that contains token `i`.
fn enclosing(tokens: &[Token<'_>], closes: &[Option<usize>], i: usize, wanted: &str) -> Option<usize> {
    (0..i).rev().find(|&o| {
        matches!(tokens[o], Token::Open { name, empty: false, .. } if name == wanted)
            && closes[o].is_some_and(|c| c > i)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(body: &str) -> String {
        format!(r#"<w:document xmlns:w="w"><w:body>{body}</w:body></w:document>"#)
    }

    #[test]
    fn split_tags_are_joined_into_their_first_run() {
        let src = doc(
            r#"<w:p><w:r><w:t>Kỳ {{ cy</w:t></w:r><w:proofErr w:type="spellStart"/><w:r w:rsidR="00A1"><w:rPr><w:b/></w:rPr><w:t>cle.id }} xong</w:t></w:r></w:p>"#,
        );
        let out = prepare(&src).expect("prepare");
        assert!(out.contains(r#"<w:t xml:space="preserve">Kỳ {{ cycle.id }}</w:t>"#), "{out}");
        assert!(out.contains("<w:t> xong</w:t>"), "{out}");
        assert!(xml::check_well_formed(&out).is_ok());
    }

    #[test]
    fn smart_quotes_and_entities_inside_tags_become_plain() {
        let src = doc(r#"<w:p><w:r><w:t>{% if a &gt; 1 and b == “x” %}y{% endif %}</w:t></w:r></w:p>"#);
        let out = prepare(&src).expect("prepare");
        assert!(out.contains(r#"{% if a > 1 and b == "x" %}y{% endif %}"#), "{out}");
    }

    #[test]
    fn marker_only_rows_and_paragraphs_are_replaced() {
        let src = doc(concat!(
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{%tr for u in units %}</w:t></w:r></w:p></w:tc></w:tr>"#,
            r#"<w:tr><w:tc><w:p><w:r><w:t>{{ u }}</w:t></w:r></w:p></w:tc></w:tr>"#,
            r#"<w:tr><w:tc><w:p><w:r><w:t>{%tr endfor %}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
            r#"<w:p><w:r><w:t>{%p if x %}</w:t></w:r></w:p><w:p><w:r><w:t>X</w:t></w:r></w:p><w:p><w:r><w:t>{%p endif %}</w:t></w:r></w:p>"#,
        ));
        let out = prepare(&src).expect("prepare");
        assert!(out.contains(r#"<w:tbl>{% for u in units %}<w:tr>"#), "{out}");
        assert!(out.contains(r#"</w:tr>{% endfor %}</w:tbl>"#), "{out}");
        assert!(out.contains(r#"{% if x %}<w:p><w:r><w:t>X</w:t></w:r></w:p>{% endif %}"#), "{out}");
    }

    #[test]
    fn markers_beside_content_wrap_their_own_element() {
        let src = doc(concat!(
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{%tr for u in units %}{{ u }}</w:t></w:r></w:p></w:tc>"#,
            r#"<w:tc><w:p><w:r><w:t>x{%tr endfor %}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
        ));
        let out = prepare(&src).expect("prepare");
        assert!(out.starts_with(r#"<w:document xmlns:w="w"><w:body><w:tbl>{% for u in units %}<w:tr>"#), "{out}");
        assert!(out.contains(r#"</w:tr>{% endfor %}</w:tbl>"#), "{out}");
    }

    #[test]
    fn empty_tables_go_and_cells_keep_a_paragraph() {
        let src = doc(concat!(
            r#"<w:tbl><w:tblPr/><w:tblGrid/></w:tbl><w:p/>"#,
            r#"<w:tbl><w:tr><w:tc><w:tcPr/></w:tc><w:tc><w:p/><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>"#,
        ));
        let out = tidy(&src).expect("tidy");
        assert_eq!(
            out,
            doc(concat!(
                r#"<w:p/>"#,
                r#"<w:tbl><w:tr><w:tc><w:tcPr/><w:p/></w:tc><w:tc><w:p/><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl><w:p/></w:tc></w:tr></w:tbl>"#,
            ))
        );
    }

    #[test]
    fn unclosed_tags_are_left_for_tera_to_report() {
        let out = prepare(&doc(r#"<w:p><w:r><w:t>{{ a </w:t></w:r></w:p>"#)).expect("prepare");
        assert!(out.contains("{{ a "));
    }
}
