//! Just enough XML for WordprocessingML parts: a lexer that keeps every byte
//! (so a part can be rewritten without reformatting what Word wrote), a
//! well-formedness check for what we produce, and text escaping.
//!
//! A full XML library is not a dependency of the crate; the parts we touch are
//! plain UTF-8 XML without DTDs, which this lexer covers.

use std::fmt;

/// One piece of an XML document, pointing into the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `<name attr="…">` or `<name/>`.
    Open { name: &'a str, raw: &'a str, empty: bool },
    /// `</name>`.
    Close { name: &'a str, raw: &'a str },
    /// Character data between tags, still escaped.
    Text(&'a str),
    /// `<?…?>`, `<!--…-->`, `<![CDATA[…]]>`, `<!DOCTYPE…>`: kept as they are.
    Other(&'a str),
}

impl<'a> Token<'a> {
    /// The source bytes of the token.
    pub fn raw(&self) -> &'a str {
        match self {
            Token::Open { raw, .. } | Token::Close { raw, .. } | Token::Text(raw) | Token::Other(raw) => raw,
        }
    }
}

/// Why a part is not well-formed XML, with the byte offset of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (byte {})", self.message, self.offset)
    }
}

fn err(offset: usize, message: impl Into<String>) -> XmlError {
    XmlError { offset, message: message.into() }
}

/// Splits `src` into tokens. Attribute values may hold `>` (XML allows it),
/// so the end of a tag is searched outside quotes.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token<'_>>, XmlError> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            let end = src[i..].find('<').map_or(src.len(), |p| i + p);
            tokens.push(Token::Text(&src[i..end]));
            i = end;
            continue;
        }
        let rest = &src[i..];
        let special = [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("<!", ">")];
        if let Some((_, close)) = special.iter().find(|(open, _)| rest.starts_with(open)) {
            let end = rest.find(close).ok_or_else(|| err(i, "unterminated markup declaration"))? + close.len();
            tokens.push(Token::Other(&rest[..end]));
            i += end;
            continue;
        }
        let mut quote: Option<u8> = None;
        let mut j = i + 1;
        loop {
            let Some(&b) = bytes.get(j) else { return Err(err(i, "unterminated tag")) };
            match (quote, b) {
                (None, b'"' | b'\'') => quote = Some(b),
                (Some(q), b) if b == q => quote = None,
                (None, b'>') => break,
                (None, b'<') => return Err(err(j, "'<' inside a tag")),
                _ => {}
            }
            j += 1;
        }
        let raw = &src[i..=j];
        if let Some(inner) = raw.strip_prefix("</") {
            let name = inner[..inner.len() - 1].trim_end();
            tokens.push(Token::Close { name, raw });
        } else {
            let inner = &raw[1..raw.len() - 1];
            let empty = inner.ends_with('/');
            let inner = inner.strip_suffix('/').unwrap_or(inner);
            let name_end = inner.find(|c: char| c.is_ascii_whitespace()).unwrap_or(inner.len());
            tokens.push(Token::Open { name: &inner[..name_end], raw, empty });
        }
        i = j + 1;
    }
    Ok(tokens)
}

/// For every token index, the index of the token that closes it (opening
/// tags only; `None` for the rest). Fails when tags do not nest.
pub(crate) fn match_tags(tokens: &[Token<'_>]) -> Result<Vec<Option<usize>>, String> {
    let mut matches = vec![None; tokens.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t {
            Token::Open { empty: false, .. } => stack.push(i),
            Token::Open { empty: true, .. } => matches[i] = Some(i),
            Token::Close { name, .. } => {
                let Some(open) = stack.pop() else { return Err(format!("</{name}> closes nothing")) };
                let Token::Open { name: open_name, .. } = tokens[open] else { continue };
                if open_name != *name {
                    return Err(format!("<{open_name}> is closed by </{name}>"));
                }
                matches[open] = Some(i);
            }
            _ => {}
        }
    }
    match stack.last() {
        Some(&open) => Err(format!("<{}> is never closed", element_name(&tokens[open]))),
        None => Ok(matches),
    }
}

fn element_name<'a>(t: &Token<'a>) -> &'a str {
    match t {
        Token::Open { name, .. } | Token::Close { name, .. } => name,
        _ => "",
    }
}

/// Whether XML 1.0 allows the character in a document at all.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn is_name_char(c: char, first: bool) -> bool {
    c.is_alphabetic() || c == '_' || c == ':' || (!first && (c.is_ascii_digit() || c == '-' || c == '.'))
}

fn check_name(name: &str, offset: usize) -> Result<(), XmlError> {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if is_name_char(c, true) && chars.all(|c| is_name_char(c, false)) => Ok(()),
        _ => Err(err(offset, format!("bad element or attribute name {name:?}"))),
    }
}

/// Checks character data: only XML characters, and every `&` starts a known
/// entity or a character reference.
fn check_text(text: &str, offset: usize) -> Result<(), XmlError> {
    if let Some((p, c)) = text.char_indices().find(|&(_, c)| !is_xml_char(c) || c == '<') {
        return Err(err(offset + p, format!("character U+{:04X} is not allowed here", c as u32)));
    }
    let mut rest = text;
    let mut at = offset;
    while let Some(p) = rest.find('&') {
        let after = &rest[p + 1..];
        let end = after.find(';').ok_or_else(|| err(at + p, "'&' that starts no entity"))?;
        let entity = &after[..end];
        let ok = match entity {
            "amp" | "lt" | "gt" | "quot" | "apos" => true,
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32).is_some_and(is_xml_char)
            }
        };
        if !ok {
            return Err(err(at + p, format!("unknown entity &{entity};")));
        }
        at += p + 1 + end + 1;
        rest = &after[end + 1..];
    }
    Ok(())
}

/// Checks the attributes of an opening tag: `name="value"` pairs, each name once.
fn check_attributes(raw: &str, name: &str, offset: usize) -> Result<(), XmlError> {
    let inner = &raw[1 + name.len()..raw.len() - 1];
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    let mut seen: Vec<&str> = Vec::new();
    let mut rest = inner;
    loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            return Ok(());
        }
        if trimmed.len() == rest.len() {
            return Err(err(offset, format!("attributes of <{name}> need spaces between them")));
        }
        let eq = trimmed.find('=').ok_or_else(|| err(offset, format!("attribute without value in <{name}>")))?;
        let attr = trimmed[..eq].trim_end();
        check_name(attr, offset)?;
        if seen.contains(&attr) {
            return Err(err(offset, format!("attribute {attr} repeated in <{name}>")));
        }
        seen.push(attr);
        let value_part = trimmed[eq + 1..].trim_start();
        let quote = value_part.chars().next().filter(|c| *c == '"' || *c == '\'');
        let quote = quote.ok_or_else(|| err(offset, format!("unquoted attribute {attr} in <{name}>")))?;
        let close = value_part[1..].find(quote).ok_or_else(|| err(offset, "unterminated attribute value"))?;
        check_text(&value_part[1..1 + close], offset)?;
        rest = &value_part[1 + close + 1..];
    }
}

/// Whether `src` is a well-formed XML document: one root element, tags that
/// nest, valid names, attributes, entities and characters.
pub(crate) fn check_well_formed(src: &str) -> Result<(), XmlError> {
    let tokens = tokenize(src)?;
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut offset = 0;
    for t in &tokens {
        match t {
            Token::Open { name, raw, empty } => {
                check_name(name, offset)?;
                check_attributes(raw, name, offset)?;
                if stack.is_empty() {
                    roots += 1;
                    if roots > 1 {
                        return Err(err(offset, "more than one root element"));
                    }
                }
                if !empty {
                    stack.push(name);
                }
            }
            Token::Close { name, .. } => match stack.pop() {
                Some(open) if open == *name => {}
                Some(open) => return Err(err(offset, format!("<{open}> is closed by </{name}>"))),
                None => return Err(err(offset, format!("</{name}> closes nothing"))),
            },
            Token::Text(text) => {
                if stack.is_empty() && !text.trim().is_empty() {
                    return Err(err(offset, "text outside the root element"));
                }
                check_text(text, offset)?;
            }
            Token::Other(raw) => {
                if raw.starts_with("<![CDATA[") && stack.is_empty() {
                    return Err(err(offset, "CDATA outside the root element"));
                }
            }
        }
        offset += t.raw().len();
    }
    match (stack.last(), roots) {
        (Some(open), _) => Err(err(src.len(), format!("<{open}> is never closed"))),
        (None, 0) => Err(err(0, "no root element")),
        _ => Ok(()),
    }
}

/// Escapes text for character data or a double-quoted attribute, dropping
/// the characters XML 1.0 cannot carry at all.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Decodes the predefined entities and character references of character data.
/// Unknown entities are kept as written.
pub(crate) fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        let decoded = after.find(';').filter(|&e| e <= 10).and_then(|e| {
            let c = match &after[..e] {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                other => {
                    let code = if let Some(hex) = other.strip_prefix("#x") {
                        u32::from_str_radix(hex, 16).ok()
                    } else {
                        other.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    code.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The visible text of a stretch of XML: tags removed, entities decoded.
pub(crate) fn visible_text(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(p) = rest.find('<') {
        out.push_str(&rest[..p]);
        match rest[p..].find('>') {
            Some(e) => {
                let tag = &rest[p..p + e + 1];
                // A paragraph end reads as a space, so words of two paragraphs do not stick together.
                if tag.starts_with("</w:p>") || tag.starts_with("<w:tab") || tag.starts_with("<w:br") {
                    out.push(' ');
                }
                rest = &rest[p + e + 1..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    unescape(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_every_byte() {
        let src = r#"<?xml version="1.0"?><a x="1>2"><b/>t &amp; u<!-- c --></a>"#;
        let tokens = tokenize(src).expect("tokens");
        let joined: String = tokens.iter().map(|t| t.raw()).collect();
        assert_eq!(joined, src);
        assert!(matches!(tokens[1], Token::Open { name: "a", empty: false, .. }));
        assert!(matches!(tokens[2], Token::Open { name: "b", empty: true, .. }));
    }

    #[test]
    fn well_formedness() {
        assert!(check_well_formed(r#"<a x="1"><b>&amp;&#x41;</b></a>"#).is_ok());
        assert!(check_well_formed("<a><b></a></b>").is_err());
        assert!(check_well_formed("<a>&nope;</a>").is_err());
        assert!(check_well_formed("<a>\u{1}</a>").is_err());
        assert!(check_well_formed("<a x=1></a>").is_err());
        assert!(check_well_formed("<a></a><b></b>").is_err());
        assert!(check_well_formed("<a>x < y</a>").is_err());
    }

    #[test]
    fn escaping_round_trips_and_drops_forbidden_characters() {
        assert_eq!(escape("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
        assert_eq!(unescape("a&lt;b&gt;&amp;&quot;&#65;&#x42;&zz;"), "a<b>&\"AB&zz;");
        assert_eq!(visible_text("<w:p><w:r><w:t>A &amp; B</w:t></w:r></w:p>"), "A & B ");
    }
}
