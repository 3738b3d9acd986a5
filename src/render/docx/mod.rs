//! `bao-cao-tong-hop.docx`: the meeting document, from a Word template that
//! staff edit in Word or LibreOffice Writer.
//!
//! The template is an ordinary .docx holding tera tags in its text
//! (`{{ doc.fig.B01.value | num }}`, `{% if … %}`), with docxtpl's block
//! markers `{%p … %}` (the whole paragraph) and `{%tr … %}` (the whole table
//! row) for conditions and loops over paragraphs and rows. Rendering:
//!
//! 1. open the zip ([`package`]);
//! 2. in `word/document.xml`, the headers, footers and notes, move every tag
//!    Word split across runs back into one run and turn the block markers into
//!    tags around whole elements ([`tags`]);
//! 3. render with tera: the shared filters of [`crate::render::tera_for`]
//!    (`num`, `pct`, `signed`, `points`, `date`, `unit`), every value escaped
//!    for XML, stripped of the characters XML 1.0 forbids, its line breaks
//!    turned into `<w:br/>`;
//! 4. check that each rendered part is well-formed XML, fix the document
//!    properties' dates to the document date, zip again with fixed
//!    timestamps: the same summary always gives the same bytes.
//!
//! The default template is not a binary blob of unknown origin: [`build_template`]
//! packages it ([`template`]) from the text outline of the configuration folder
//! (`<lang>/bao-cao-tong-hop.outline`), and a test keeps the shipped file equal
//! to its output. The document's own data (issuing body, number, signer,
//! recipients, rankings) come from `report_templates/document.toml` ([`settings`]).

mod context;
mod package;
mod settings;
mod tags;
mod template;
mod xml;

use std::io::Write;

use tera::{ErrorKind, Tera};

use crate::aggregate::Summary;
use crate::language::{Lang, Language};
use crate::render::templates::{RenderError, Templates, context_of, lookups, tera_for};
use crate::schema::Config;

/// The file name of the template and of the output.
pub const DOCX_NAME: &str = "bao-cao-tong-hop.docx";

/// What an escaped line break becomes inside a `<w:t>`: end the text, break, go on.
const BREAK: &str = "</w:t><w:br/><w:t xml:space=\"preserve\">";
const TAB: &str = "</w:t><w:tab/><w:t xml:space=\"preserve\">";

/// Tera's escape function for WordprocessingML text: the five XML specials,
/// line breaks and tabs as Word elements, and the characters XML 1.0 cannot
/// carry (C0 controls, U+FFFE, U+FFFF) dropped, so that no reporter text can
/// break the document.
fn escape_docx(input: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let mut buf = String::with_capacity(input.len() + 16);
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '&' => buf.push_str("&amp;"),
            '<' => buf.push_str("&lt;"),
            '>' => buf.push_str("&gt;"),
            '"' => buf.push_str("&quot;"),
            '\'' => buf.push_str("&apos;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                buf.push_str(BREAK);
            }
            '\n' | '\u{2028}' | '\u{2029}' | '\u{85}' => buf.push_str(BREAK),
            '\t' => buf.push_str(TAB),
            c if xml::is_xml_char(c) && !matches!(c, '\u{7F}'..='\u{9F}') => buf.push(c),
            _ => {}
        }
    }
    out.write_all(buf.as_bytes())
}

/// Whether a part of the package is rendered as a template.
fn is_template_part(name: &str) -> bool {
    name == "word/document.xml"
        || name == "word/footnotes.xml"
        || name == "word/endnotes.xml"
        || ((name.starts_with("word/header") || name.starts_with("word/footer")) && name.ends_with(".xml"))
}

/// "…text before⟪here⟫text after…": the visible document text around a byte
/// offset of a prepared part, so that staff find the place in Word.
fn text_around(source: &str, offset: usize) -> String {
    let offset = (0..=offset.min(source.len())).rev().find(|&o| source.is_char_boundary(o)).unwrap_or(0);
    // The paragraph holding the offset, when there is one.
    let start = source[..offset].rfind("<w:p>").into_iter().chain(source[..offset].rfind("<w:p ")).max().unwrap_or(0);
    let end = source[offset..].find("</w:p>").map_or(source.len(), |e| offset + e);
    let before = xml::visible_text(&source[start..offset]);
    let after = xml::visible_text(&source[offset..end]);
    let before: Vec<char> = before.trim_start().chars().collect();
    let after: Vec<char> = after.trim_end().chars().collect();
    let head: String = before[before.len().saturating_sub(70)..].iter().collect();
    let tail: String = after[..after.len().min(70)].iter().collect();
    format!(
        "\"{}{head}⟪here⟫{tail}{}\"",
        if before.len() > 70 { "…" } else { "" },
        if after.len() > 70 { "…" } else { "" }
    )
}

/// A byte offset from `line:col` (1-based line, 1-based column in characters).
fn offset_of(source: &str, line: usize, col: usize) -> usize {
    let line_start = source.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum::<usize>();
    let rest = &source[line_start.min(source.len())..];
    line_start + rest.char_indices().nth(col.saturating_sub(1)).map_or(rest.len(), |(i, _)| i)
}

/// A tera error as staff can act on it: the problem, and the document text around it.
fn explain(e: &tera::Error, name: &str, source: &str) -> String {
    match e.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            format!("{}; text around the error: {}", report.message(), text_around(source, report.span().range.start))
        }
        _ => {
            let full = e.to_string();
            let first = full.lines().next().unwrap_or_default().trim_start_matches("error: ").to_string();
            // Unknown filters and the like come as a finished report: "--> name:line:col".
            let marker = format!("--> {name}:");
            let place = full.find(&marker).and_then(|p| {
                let mut it = full[p + marker.len()..].split(|c: char| !c.is_ascii_digit());
                let line = it.next()?.parse().ok()?;
                let col = it.next()?.parse().ok()?;
                Some(offset_of(source, line, col))
            });
            let mut text = match place {
                Some(o) => format!("{first}; text around the error: {}", text_around(source, o)),
                None => first,
            };
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                text.push_str(&format!(": {c}"));
                cause = c.source();
            }
            text
        }
    }
}

/// Replaces the text of every `<tag …>…</tag>` element.
fn set_element_text(xml: &str, tag: &str, value: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    while let Some(p) = rest.find(&open) {
        let after_name = &rest[p + open.len()..];
        let is_tag = after_name.starts_with('>') || after_name.starts_with(' ');
        let (Some(gt), Some(end)) = (after_name.find('>'), after_name.find(&close)) else { break };
        if !is_tag || gt > end || after_name[..gt].ends_with('/') {
            out.push_str(&rest[..p + open.len()]);
            rest = after_name;
            continue;
        }
        out.push_str(&rest[..p + open.len() + gt + 1]);
        out.push_str(value);
        out.push_str(&close);
        rest = &after_name[end + close.len()..];
    }
    out.push_str(rest);
    out
}

/// Renders the meeting document of a cycle from the template
/// `bao-cao-tong-hop.docx` found by `templates` for `lang` (the `--templates`
/// folder first, then `report_templates/<lang>/`), with the document settings
/// of `document.toml`. Returns the bytes of the .docx.
///
/// Errors name the template and, for a tera error, show the document text
/// around the problem; a template whose control tags would break the document
/// structure is refused rather than written.
pub fn render(
    config: &Config,
    summary: &Summary,
    templates: &Templates,
    lang: &Language,
) -> Result<Vec<u8>, RenderError> {
    let err = |message: String| RenderError { output: DOCX_NAME.to_string(), message };
    let path = templates.find(lang, DOCX_NAME).ok_or_else(|| {
        err(format!(
            "no template {}/{DOCX_NAME} in {} (nor in the override folder); `tonghop template` writes the default one",
            lang.code(),
            templates.config_dir.display()
        ))
    })?;
    let shown = path.display().to_string();
    let bytes = std::fs::read(&path).map_err(|e| err(format!("{shown}: {e}")))?;
    let parts = package::read(&bytes).map_err(|e| err(format!("{shown}: {e}")))?;

    let settings_path = settings::locate(&templates.config_dir, templates.override_dir.as_deref());
    let settings = settings::load(&settings_path, config).map_err(err)?;
    let text = document_texts(&settings, lang).ok_or_else(|| {
        err(format!(
            "{}: no [lang.{}] table (the document's texts in that language)",
            settings_path.display(),
            lang.code()
        ))
    })?;
    let doc = context::build(config, summary, &settings, text, lang);

    let mut context = context_of(summary, lang, DOCX_NAME)?;
    context.insert("lookups", &lookups(config));
    context.insert("doc", &doc);

    let mut tera: Tera = tera_for(config, lang);
    tera.autoescape_on(vec![".xml"]);
    tera.set_escape_fn(escape_docx);

    let date = format!("{}T00:00:00Z", doc.date.format("%Y-%m-%d"));
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        if part.name == "docProps/core.xml" {
            // The properties Word shows: dated like the document, never by the clock.
            let text = String::from_utf8_lossy(&part.data);
            let text = set_element_text(&text, "dcterms:created", &date);
            let text = set_element_text(&text, "dcterms:modified", &date);
            out.push(package::Part { name: part.name, data: text.into_bytes() });
            continue;
        }
        if !is_template_part(&part.name) {
            out.push(part);
            continue;
        }
        let where_ = format!("{shown} ({})", part.name);
        let source = String::from_utf8(part.data).map_err(|_| err(format!("{where_}: not UTF-8 text")))?;
        let prepared = tags::prepare(&source).map_err(|e| err(format!("{where_}: {e}")))?;
        let name = format!("{DOCX_NAME}/{}", part.name);
        tera.add_raw_template(&name, &prepared)
            .map_err(|e| err(format!("{where_}: template syntax error: {}", explain(&e, &name, &prepared))))?;
        let rendered = tera
            .render(&name, &context)
            .map_err(|e| err(format!("{where_}: cannot fill the template: {}", explain(&e, &name, &prepared))))?;
        xml::check_well_formed(&rendered).map_err(|e| {
            err(format!(
                "{where_}: the filled document is not valid XML ({e}), near {}; a {{% if %}} or {{% for %}} \
                 probably opens in one paragraph or table cell and closes in another: put such tags alone in \
                 their paragraph as {{%p … %}} or in their table row as {{%tr … %}}",
                text_around(&rendered, e.offset)
            ))
        })?;
        let rendered = tags::tidy(&rendered).map_err(|e| err(format!("{where_}: {e}")))?;
        out.push(package::Part { name: part.name, data: rendered.into_bytes() });
    }
    package::write(&out).map_err(err)
}

/// The texts of `document.toml` for a language: its own `[lang.<code>]`, or
/// for a language not built in, its fallback's.
fn document_texts<'s>(settings: &'s settings::DocumentSettings, lang: &Language) -> Option<&'s settings::LangText> {
    settings.text.get(lang.code()).or_else(|| match lang.builtin() {
        Some(_) => None,
        None => settings.text.get(lang.fallback().code()),
    })
}

/// Whether `document.toml` (found as [`render`] finds it) lacks the texts of
/// `lang`, whose fallback's are then used: the path of the file when it does.
pub fn document_texts_missing(templates: &Templates, lang: &Language) -> Option<std::path::PathBuf> {
    let path = settings::locate(&templates.config_dir, templates.override_dir.as_deref());
    let text = std::fs::read_to_string(&path).ok()?;
    let raw: toml::Table = toml::from_str(&text).ok()?;
    let has = raw.get("lang").and_then(toml::Value::as_table).is_some_and(|t| t.contains_key(lang.code()));
    (!has).then_some(path)
}

/// Writes the default template for `lang`: an A4 document in the format of
/// Decree 30/2020/NĐ-CP holding the tera tags of the meeting document, packaged
/// from the outline `<config>/<lang>/bao-cao-tong-hop.outline` (its wording,
/// paragraphs, tables and tera logic; the shipped outline when the folder has
/// none). The bytes depend on nothing but the outline, so the shipped
/// `report_templates/<lang>/bao-cao-tong-hop.docx` can be checked against it.
///
/// A broken or unreadable outline is reported as `path:line: problem`.
pub fn build_template(config: &Config, lang: Lang) -> Result<Vec<u8>, String> {
    template::build(&config.dir, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_text_as_text() {
        let mut out = Vec::new();
        escape_docx("a<b>&\"'\u{1}\u{FFFE}x\r\ny\tz", &mut out).expect("write");
        let s = String::from_utf8(out).expect("utf8");
        assert_eq!(s, format!("a&lt;b&gt;&amp;&quot;&apos;x{BREAK}y{TAB}z"));
    }

    #[test]
    fn core_dates_are_replaced() {
        let xml = r#"<cp:coreProperties><dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T10:00:00Z</dcterms:created><dcterms:modified xsi:type="x">z</dcterms:modified></cp:coreProperties>"#;
        let out = set_element_text(xml, "dcterms:created", "D");
        let out = set_element_text(&out, "dcterms:modified", "D");
        assert!(out.contains(r#"<dcterms:created xsi:type="dcterms:W3CDTF">D</dcterms:created>"#), "{out}");
        assert!(out.contains(r#"<dcterms:modified xsi:type="x">D</dcterms:modified>"#), "{out}");
    }

    #[test]
    fn error_context_is_document_text() {
        let src = "<w:body><w:p><w:r><w:t>Tổng số {{ x | nope }} hồ sơ</w:t></w:r></w:p></w:body>";
        let at = src.find("nope").expect("offset");
        let around = text_around(src, at);
        assert_eq!(around, "\"Tổng số {{ x | ⟪here⟫nope }} hồ sơ\"");
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
    }
}
