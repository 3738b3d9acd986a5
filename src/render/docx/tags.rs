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

    // The <w:t> elements with their paragraph and row.
    let mut segments: Vec<Segment> = Vec::new();
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

    // Paragraph by paragraph (segments outside paragraphs each on their own).
    let mut groups: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (k, s) in segments.iter().enumerate() {
        let key = match s.paragraph {
            Some(p) => (p, 0),
            None => (s.open, 1),
        };
        groups.entry(key).or_default().push(k);
    }
    let mut markers: Vec<Marker> = Vec::new();
    // For each controlled element, the first position holding content other than markers.
    let mut first_content: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    let mut has_tags = vec![false; segments.len()];
    for members in groups.values() {
        let mut joined = String::new();
        let mut starts = Vec::with_capacity(members.len());
        for &k in members {
            starts.push(joined.len());
            joined.push_str(&segments[k].raw);
        }
        let locate = |pos: usize| -> (usize, usize) {
            // The last segment starting at or before `pos` holds it (empty segments share a start).
            let idx = starts.partition_point(|&s| s <= pos).saturating_sub(1);
            (idx, pos - starts[idx])
        };
        let key_of = |pos: usize| -> (usize, usize) {
            let (idx, off) = locate(pos);
            let seg = &segments[members[idx]];
            (seg.text.unwrap_or(seg.open), off)
        };
        let tags = find_tags(&joined);
        let mut note_content = |pos: usize, seg: &Segment| {
            let key = key_of(pos);
            for element in [seg.paragraph, seg.row].into_iter().flatten() {
                let e = first_content.entry(element).or_insert(key);
                if key < *e {
                    *e = key;
                }
            }
        };
        // Visible content outside tags.
        let mut cursor = 0;
        for &(start, end) in tags.iter().chain(std::iter::once(&(joined.len(), joined.len()))) {
            if let Some(p) = joined[cursor..start].find(|c: char| !c.is_whitespace()) {
                let (idx, _) = locate(cursor + p);
                note_content(cursor + p, &segments[members[idx]]);
            }
            cursor = end;
        }
        // The tags, last first so that earlier byte offsets stay valid.
        let mut texts: Vec<String> = members.iter().map(|&k| segments[k].raw.clone()).collect();
        for &(start, end) in tags.iter().rev() {
            let source = tag_source(&joined[start..end]);
            let (first, first_off) = locate(start);
            let (last, last_off) = locate(end.saturating_sub(1));
            let last_off = last_off + 1;
            let seg = &segments[members[first]];
            let found = marker(&source);
            match &found {
                Some((kind, tag)) => {
                    let element = match kind {
                        MarkerKind::Paragraph => seg.paragraph,
                        MarkerKind::Row => seg.row,
                    };
                    let Some(element) = element else {
                        return Err(format!(
                            "{} is not inside a {}",
                            source,
                            if *kind == MarkerKind::Row { "table row" } else { "paragraph" }
                        ));
                    };
                    markers.push(Marker { element, at: key_of(start), tag: tag.clone() });
                }
                None => note_content(start, seg),
            }
            // Cut the tag out of every segment it spans; a normal tag goes back whole into the first.
            if first == last {
                texts[first].replace_range(first_off..last_off, "");
            } else {
                texts[first].truncate(first_off);
                for t in &mut texts[first + 1..last] {
                    t.clear();
                }
                texts[last].replace_range(..last_off, "");
            }
            if found.is_none() {
                texts[first].insert_str(first_off, &source);
                has_tags[members[first]] = true;
            }
        }
        for (idx, &k) in members.iter().enumerate() {
            segments[k].raw = std::mem::take(&mut texts[idx]);
        }
    }
    // Drawings and embedded objects are content too: a paragraph holding a picture is never dropped.
    for (i, t) in tokens.iter().enumerate() {
        if let Token::Open { name: "w:drawing" | "w:pict" | "w:object", .. } = t {
            for wanted in ["w:p", "w:tr"] {
                if let Some(element) = enclosing(&tokens, &closes, i, wanted) {
                    let e = first_content.entry(element).or_insert((i, 0));
                    if (i, 0) < *e {
                        *e = (i, 0);
                    }
                }
            }
        }
    }

    // Markers by element, in document order.
    markers.sort_by_key(|m| m.at);
    let mut by_element: BTreeMap<usize, Vec<&Marker>> = BTreeMap::new();
    for m in &markers {
        by_element.entry(m.element).or_default().push(m);
    }
    // Elements holding nothing but markers are replaced by them; nested ones go with their parent.
    let replaced: BTreeMap<usize, usize> =
        by_element.keys().filter(|e| !first_content.contains_key(e)).map(|&e| (e, closes[e].unwrap_or(e))).collect();
    let mut segment_at: BTreeMap<usize, usize> = BTreeMap::new();
    for (k, s) in segments.iter().enumerate() {
        segment_at.insert(s.open, k);
    }

    let mut out = String::with_capacity(src.len() + 1024);
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
            let seg = &segments[k];
            let open = tokens[i].raw();
            if has_tags[k] && !open.contains("xml:space") {
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
            i = close;
            continue;
        }
        out.push_str(tokens[i].raw());
        if let Some(tags) = after.remove(&i) {
            for t in tags {
                out.push_str(&t);
            }
        }
        i += 1;
    }
    Ok(out)
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
