//! The meeting document (`bao-cao-tong-hop.docx`): rendered from the bundled
//! sample's cycle of 2 October 2025 and checked as a package (zip, XML), as an
//! official document (Decree 30/2020/NĐ-CP page, margins, fonts, the parts in
//! order), and as a template engine (tags Word split across runs, table-row
//! loops, hostile text, syntax errors, determinism). It is also converted to
//! PDF by LibreOffice Writer and read back with pdftotext: without them that
//! test fails, saying how to install them, unless `TONGHOP_SKIP_TOOL_TESTS=1`
//! (see `common::tools`).

use crate::common;
use crate::common::tools::{Tool, install, tools_ready};
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::NaiveDate;
use tonghop::aggregate::{CycleChoice, Summary, aggregate, resolve_cycle};
use tonghop::language::{Lang, Language};
use tonghop::render::docx::{build_template, render};
use tonghop::render::{Templates, format};
use tonghop::schema::Config;
use unicode_normalization::UnicodeNormalization;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| Config::load(&crate_dir().join("report_templates")).expect("bundled config"))
}

/// The summaries (Vietnamese, English) of the meeting of 2/10/2025 over freshly generated sample inputs.
fn summaries() -> &'static (Summary, Summary) {
    static SUMMARIES: OnceLock<(Summary, Summary)> = OnceLock::new();
    SUMMARIES.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("tmp");
        let inputs = tmp.path().join("inputs");
        let out = Command::new(env!("CARGO_BIN_EXE_tonghop"))
            .arg("--config")
            .arg(crate_dir().join("report_templates"))
            .args(["sample", "-o"])
            .arg(&inputs)
            .output()
            .expect("run tonghop sample");
        assert!(out.status.success(), "sample: {}", String::from_utf8_lossy(&out.stderr));
        let config = config();
        let reports = common::check_all(config, std::slice::from_ref(&inputs));
        let meeting = NaiveDate::from_ymd_opt(2025, 10, 2).expect("date");
        let cycle = resolve_cycle(&config.calendar, &CycleChoice::Meeting(meeting), &reports).expect("cycle");
        (aggregate(config, &cycle, &reports, "vi"), aggregate(config, &cycle, &reports, "en"))
    })
}

/// A bundled language.
fn language(code: &str) -> Language {
    Language::load(&[&crate_dir().join("report_templates")], code).expect("bundled language")
}

fn vi() -> &'static Language {
    static VI: OnceLock<Language> = OnceLock::new();
    VI.get_or_init(|| language("vi"))
}

fn en() -> &'static Language {
    static EN: OnceLock<Language> = OnceLock::new();
    EN.get_or_init(|| language("en"))
}

fn bundled() -> Templates {
    Templates { config_dir: crate_dir().join("report_templates"), override_dir: None }
}

fn render_vi() -> &'static Vec<u8> {
    static DOC: OnceLock<Vec<u8>> = OnceLock::new();
    DOC.get_or_init(|| render(config(), &summaries().0, &bundled(), vi()).expect("render vi"))
}

/// Every part of a zip, in order.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("the .docx opens as a zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let name = f.name().expect("name").to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("read entry");
            (name, data)
        })
        .collect()
}

fn part(bytes: &[u8], name: &str) -> String {
    let parts = unzip(bytes);
    let (_, data) = parts.into_iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no part {name}"));
    String::from_utf8(data).expect("utf-8 part")
}

/// A small, independent XML well-formedness check: tags nest, one root,
/// attributes quoted and unique, entities known, only XML 1.0 characters.
fn check_xml(name: &str, xml: &str) {
    let fail = |at: usize, why: &str| -> ! {
        let from = xml[..at.min(xml.len())].char_indices().rev().nth(80).map_or(0, |(i, _)| i);
        panic!("{name} is not well-formed at byte {at}: {why}\n…{}", &xml[from..at.min(xml.len())])
    };
    let allowed =
        |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    if let Some((i, _)) = xml.char_indices().find(|&(_, c)| !allowed(c)) {
        fail(i, "a character XML 1.0 forbids");
    }
    let check_entities = |text: &str, at: usize| {
        let mut rest = text;
        while let Some(p) = rest.find('&') {
            let end = rest[p..].find(';').unwrap_or_else(|| fail(at, "& without ;"));
            let entity = &rest[p + 1..p + end];
            let ok = ["amp", "lt", "gt", "quot", "apos"].contains(&entity)
                || entity.strip_prefix("#x").is_some_and(|h| u32::from_str_radix(h, 16).is_ok())
                || entity.strip_prefix('#').is_some_and(|d| d.parse::<u32>().is_ok());
            if !ok {
                fail(at, &format!("unknown entity &{entity};"));
            }
            rest = &rest[p + end + 1..];
        }
    };
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    while i < xml.len() {
        let Some(lt) = xml[i..].find('<') else {
            if !xml[i..].trim().is_empty() {
                fail(i, "text after the root");
            }
            break;
        };
        let text = &xml[i..i + lt];
        if text.contains('>') && text.contains("]]>") {
            fail(i, "]]> in text");
        }
        if stack.is_empty() && !text.trim().is_empty() {
            fail(i, "text outside the root");
        }
        check_entities(text, i);
        let start = i + lt;
        let rest = &xml[start..];
        if rest.starts_with("<?") || rest.starts_with("<!--") {
            let close = if rest.starts_with("<?") { "?>" } else { "-->" };
            i = start + rest.find(close).unwrap_or_else(|| fail(start, "unterminated")) + close.len();
            continue;
        }
        // The end of the tag, outside quotes.
        let mut quote = None;
        let mut end = None;
        for (k, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '<') => fail(start + k, "< inside a tag"),
                (None, '>') => {
                    end = Some(k);
                    break;
                }
                _ => {}
            }
        }
        let end = end.unwrap_or_else(|| fail(start, "unterminated tag"));
        let tag = &rest[1..end];
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name.trim() => {}
                other => fail(start, &format!("</{name}> closes {other:?}")),
            }
        } else {
            let empty = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
            let name = &body[..name_end];
            if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || ":_-.".contains(c)) {
                fail(start, &format!("bad name {name:?}"));
            }
            // Attributes: name="value" …
            let mut attrs = body[name_end..].trim();
            let mut seen = Vec::new();
            while !attrs.is_empty() {
                let eq = attrs.find('=').unwrap_or_else(|| fail(start, "attribute without ="));
                let attr = attrs[..eq].trim();
                if seen.contains(&attr) {
                    fail(start, &format!("attribute {attr} twice"));
                }
                seen.push(attr);
                let value = attrs[eq + 1..].trim_start();
                let q =
                    value.chars().next().filter(|c| *c == '"' || *c == '\'').unwrap_or_else(|| fail(start, "unquoted"));
                let close = value[1..].find(q).unwrap_or_else(|| fail(start, "unterminated value"));
                check_entities(&value[1..1 + close], start);
                attrs = value[close + 2..].trim_start();
            }
            if stack.is_empty() {
                roots += 1;
            }
            if !empty {
                stack.push(name);
            }
        }
        i = start + end + 1;
    }
    assert!(stack.is_empty(), "{name}: unclosed {stack:?}");
    assert_eq!(roots, 1, "{name}: {roots} root elements");
}

/// The visible text of a WordprocessingML part: `<w:t>` contents, a newline per paragraph.
fn visible_text(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(p) = rest.find('<') {
        let Some(e) = rest[p..].find('>') else { break };
        let tag = &rest[p + 1..p + e];
        rest = &rest[p + e + 1..];
        if tag == "w:t" || tag.starts_with("w:t ") {
            let close = rest.find("</w:t>").unwrap_or(rest.len());
            out.push_str(&unescape(&rest[..close]));
            rest = &rest[close..];
        } else if tag == "/w:p" || tag == "w:br/" || tag == "w:tab/" {
            out.push(if tag == "w:tab/" { '\t' } else { '\n' });
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// A minimal .docx whose body is `body` (paragraphs and tables).
fn docx_with_body(body: &str) -> Vec<u8> {
    let files = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_string(),
        ),
        (
            "word/document.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
            ),
        ),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in files {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
        zip.write_all(text.as_bytes()).expect("write");
    }
    zip.finish().expect("finish").into_inner()
}

/// Renders `template` (the bytes of a .docx) put in an override folder.
fn render_with(template: &[u8], summary: &Summary) -> Result<Vec<u8>, tonghop::render::RenderError> {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("bao-cao-tong-hop.docx"), template).expect("write template");
    let templates =
        Templates { config_dir: crate_dir().join("report_templates"), override_dir: Some(dir.path().into()) };
    render(config(), summary, &templates, vi())
}

fn figure(summary: &Summary, code: &str) -> f64 {
    summary.sections.iter().flat_map(|s| &s.figures).find(|f| f.code == code).and_then(|f| f.value).expect("figure")
}

#[test]
fn the_document_opens_and_every_xml_part_is_well_formed() {
    let parts = unzip(render_vi());
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.first(), Some(&"[Content_Types].xml"));
    for wanted in ["word/document.xml", "word/styles.xml", "word/header1.xml", "docProps/core.xml", "_rels/.rels"] {
        assert!(names.contains(&wanted), "{wanted} missing from {names:?}");
    }
    for (name, data) in &parts {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            check_xml(name, std::str::from_utf8(data).expect("utf-8"));
        }
    }
    let document = part(render_vi(), "word/document.xml");
    assert!(!document.contains("{{") && !document.contains("{%"), "tags left in the document");
}

#[test]
fn page_margins_and_fonts_follow_decree_30() {
    let document = part(render_vi(), "word/document.xml");
    let attr = |tag: &str, name: &str| -> Vec<u32> {
        document
            .match_indices(&format!("<{tag} "))
            .map(|(p, _)| {
                let t = &document[p..p + document[p..].find('>').expect("tag end")];
                let v = t.split(&format!(" {name}=\"")).nth(1).expect("attribute");
                v[..v.find('"').expect("quote")].parse().expect("number")
            })
            .collect()
    };
    // Every section: A4 portrait (210 × 297 mm), margins top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
    let sections = attr("w:pgSz", "w:w").len();
    assert!(sections >= 1);
    assert!(attr("w:pgSz", "w:w").iter().all(|w| *w == 11906));
    assert!(attr("w:pgSz", "w:h").iter().all(|h| *h == 16838));
    let mm = |twips: u32| f64::from(twips) / 56.692;
    for (side, low, high) in
        [("w:top", 20.0, 25.0), ("w:bottom", 20.0, 25.0), ("w:left", 30.0, 35.0), ("w:right", 15.0, 20.0)]
    {
        let values = attr("w:pgMar", side);
        assert_eq!(values.len(), sections);
        assert!(values.iter().all(|v| mm(*v) >= low - 0.1 && mm(*v) <= high + 0.1), "{side} {values:?}");
    }
    // Page numbers from page 2: a different first page, a PAGE field in the default header.
    assert!(document.contains("<w:titlePg/>"));
    assert!(part(render_vi(), "word/header1.xml").contains(" PAGE "));
    assert!(!part(render_vi(), "word/header2.xml").contains("PAGE"));
    // Times New Roman everywhere, body 13–14 pt (26–28 half-points).
    let styles = part(render_vi(), "word/styles.xml");
    let defaults =
        &styles[styles.find("<w:docDefaults>").expect("defaults")..styles.find("</w:docDefaults>").expect("end")];
    for slot in ["w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"] {
        assert!(defaults.contains(&format!("{slot}=\"Times New Roman\"")), "{slot} is not Times New Roman");
    }
    let size = defaults.split("<w:sz w:val=\"").nth(1).and_then(|s| s[..s.find('"')?].parse::<u32>().ok());
    assert!(matches!(size, Some(26..=28)), "body size {size:?}");
    for xml in [&document, &styles] {
        for font in
            xml.match_indices("w:ascii=\"").map(|(p, _)| &xml[p + 9..p + 9 + xml[p + 9..].find('"').unwrap_or(0)])
        {
            assert_eq!(font, "Times New Roman");
        }
    }
}

#[test]
fn key_figures_and_parts_appear_in_document_order() {
    let (summary, _) = summaries();
    let text = visible_text(&part(render_vi(), "word/document.xml"));
    let b01 = format::number(figure(summary, "B01"), 0, vi());
    let d01 = format::number(figure(summary, "D01"), 0, vi());
    let online = summary.ratios.iter().find(|r| r.code == "R01").and_then(|r| r.value).expect("R01");
    let h01 = summary.statuses.iter().find(|s| s.code == "H01").expect("H01");
    let meeting = "02/10/2025";
    let expected = [
        "BỘ NỘI VỤ".to_string(),
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".into(),
        "Độc lập - Tự do - Hạnh phúc".into(),
        "Số:".into(),
        "/BC-BNV".into(),
        "Hà Nội, ngày".into(),
        "tháng 10 năm 2025".into(),
        "BÁO CÁO".into(),
        format!("(phục vụ Phiên họp Chính phủ ngày {meeting})"),
        "I. TÌNH HÌNH, KẾT QUẢ THỰC HIỆN".into(),
        format!("{b01} hồ sơ"),
        format!("chiếm {}", format::percent(online, vi())),
        format!("{d01} người"),
        format!("{}/{} địa phương đã công bố", h01.yes, h01.expected),
        "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN".into(),
        "III. NHIỆM VỤ, GIẢI PHÁP THỜI GIAN TỚI".into(),
        "IV. KIẾN NGHỊ, ĐỀ XUẤT".into(),
        "Đối với Thủ tướng Chính phủ".into(),
        "./.".into(),
        "Nơi nhận:".into(),
        "- Lưu: VT, CQĐP.".into(),
        "KT. BỘ TRƯỞNG".into(),
        "THỨ TRƯỞNG".into(),
        "Phụ lục".into(),
        "TP. Hồ Chí Minh".into(),
    ];
    let mut at = 0;
    for item in &expected {
        match text[at..].find(item.as_str()) {
            Some(p) => at += p + item.len(),
            None => panic!("{item:?} not found after byte {at} of:\n{}", &text[at.saturating_sub(300)..]),
        }
    }
    // The cities and provinces not yet done are named after the count.
    let first_no =
        h01.no_units.first().and_then(|c| config().units.get(c)).map(|u| u.short.clone()).expect("a no unit");
    let line = text.lines().find(|l| l.contains("địa phương đã công bố")).expect("H01 line");
    assert!(line.contains("chưa thực hiện") && line.contains(&first_no), "{line}");
    // The document is dated by the cycle, not by the clock.
    assert!(part(render_vi(), "docProps/core.xml").contains("2025-10-02T00:00:00Z"));
}

#[test]
fn tags_split_across_runs_as_word_writes_them_render() {
    let (summary, _) = summaries();
    // What Word saves after a spell-check mark and a formatting change inside the tags.
    let body = concat!(
        r#"<w:p><w:r><w:t xml:space="preserve">Kỳ </w:t></w:r><w:r><w:t>{{ cy</w:t></w:r><w:proofErr w:type="spellStart"/>"#,
        r#"<w:r w:rsidR="00B2"><w:rPr><w:b/></w:rPr><w:t>cle.id }}</w:t></w:r><w:proofErr w:type="spellEnd"/>"#,
        r#"<w:r><w:t xml:space="preserve">, hồ sơ: {</w:t></w:r><w:bookmarkStart w:id="0" w:name="x"/><w:r><w:t>{ doc.fig.B01</w:t></w:r>"#,
        r#"<w:bookmarkEnd w:id="0"/><w:r w:rsidRPr="00C3"><w:rPr><w:i/></w:rPr><w:t>.value | n</w:t></w:r><w:r><w:t>um }</w:t></w:r>"#,
        r#"<w:r><w:t>} hồ sơ.</w:t></w:r></w:p>"#,
        r#"<w:p><w:r><w:t>{%p if cycle.me</w:t></w:r><w:r><w:t>eting %}</w:t></w:r></w:p>"#,
        r#"<w:p><w:r><w:t>Phiên họp {{ cycle.meeting | date }}</w:t></w:r></w:p>"#,
        r#"<w:p><w:r><w:t>{%p endif %}</w:t></w:r></w:p>"#,
    );
    let out = render_with(&docx_with_body(body), summary).expect("render split tags");
    let document = part(&out, "word/document.xml");
    check_xml("document.xml", &document);
    let text = visible_text(&document);
    let b01 = format::number(figure(summary, "B01"), 0, vi());
    assert!(text.contains(&format!("Kỳ 2025-10-02, hồ sơ: {b01} hồ sơ.")), "{text}");
    assert!(text.contains("Phiên họp 02/10/2025"), "{text}");
    assert!(!text.contains('{') && !text.contains('}'), "{text}");
    // The block markers' paragraphs are gone, the conditional one is kept.
    assert_eq!(document.matches("<w:p>").count(), 2, "{document}");
}

#[test]
fn a_table_row_loop_yields_one_row_per_unit() {
    let (summary, _) = summaries();
    let cell = |t: &str| format!("<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>");
    let row = |cells: &[&str]| format!("<w:tr>{}</w:tr>", cells.iter().map(|c| cell(c)).collect::<String>());
    // docxtpl's marker rows around the repeated row, and the one-row form.
    let body = format!(
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>{}{}{}{}</w:tbl><w:p/><w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>{}</w:tbl>",
        row(&["Đơn vị", "Hồ sơ"]),
        row(&["{%tr for u in matrix %}", ""]),
        row(&["{{ u.unit | unit }}", "{{ u.values[0][1] | num }}"]),
        row(&["{%tr endfor %}", ""]),
        row(&["{%tr for u in doc.rankings.top_dossiers %}{{ u.name }}", "{{ u.v.B01 | num }}{%tr endfor %}"]),
    );
    let out = render_with(&docx_with_body(&body), summary).expect("render row loop");
    let document = part(&out, "word/document.xml");
    check_xml("document.xml", &document);
    let tables: Vec<&str> = document.split("<w:tbl>").skip(1).collect();
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[0].matches("<w:tr>").count(), 1 + summary.matrix.len(), "header + one row per unit");
    assert_eq!(tables[1].matches("<w:tr>").count(), 10, "the ten provinces of the ranking");
    let text = visible_text(&document);
    for row in &summary.matrix {
        let name = &config().units.get(&row.unit).expect("unit").short;
        assert!(text.contains(name.as_str()), "{name} missing");
    }
    // The shipped template's appendix: one row per expected unit, plus a row per unit type and the header.
    let shipped = part(render_vi(), "word/document.xml");
    let appendix = shipped.split("<w:tbl>").last().expect("appendix table");
    let units: std::collections::BTreeSet<&str> = summary.submissions.rows.iter().map(|r| r.unit.as_str()).collect();
    assert_eq!(appendix.matches("<w:tr>").count(), 1 + config().units.types().len() + units.len());
}

#[test]
fn hostile_reporter_text_stays_text_and_the_xml_still_parses() {
    let (summary, _) = summaries();
    let mut summary = summary.clone();
    let hostile = [
        "<script>alert('x')</script>",
        "]]><w:p>",
        "A & B &amp; C",
        "ctrl\u{1}\u{8}\u{b}\u{1f}\u{fffe}char",
        "\"><img src=x onerror=x>",
        "{{ doc.signer.name }} {% raw %}",
        "dòng một\ndòng hai\r\ndòng ba",
    ];
    let text = hostile.join(" | ");
    let group = summary.narrative.difficulties.first_mut().expect("difficulties in the sample");
    group.merged[0].text = text.clone();
    let addressee = summary.narrative.proposals_by_addressee.first_mut().expect("proposals in the sample");
    addressee.addressee = hostile[4].to_string();
    if let Some(t) = summary.tasks.items.iter_mut().find(|t| t.overdue) {
        t.title = hostile[0].to_string();
    }
    let out = render(config(), &summary, &bundled(), vi()).expect("render hostile text");
    for (name, data) in unzip(&out) {
        if name.ends_with(".xml") {
            check_xml(&name, std::str::from_utf8(&data).expect("utf-8"));
        }
    }
    let document = part(&out, "word/document.xml");
    assert!(!document.contains("<script>") && !document.contains("<img"), "markup leaked into the XML");
    assert!(!document.contains('\u{1}') && !document.contains('\u{fffe}'));
    let visible = visible_text(&document);
    for shown in ["<script>alert('x')</script>", "]]><w:p>", "A & B &amp; C", "ctrlchar", "\"><img src=x onerror=x>"] {
        assert!(visible.contains(shown), "{shown:?} not shown as text");
    }
    // Tera never sees reporter text as a template; line breaks become <w:br/>.
    assert!(visible.contains("{{ doc.signer.name }} {% raw %}"));
    assert!(visible.contains("dòng một\ndòng hai\ndòng ba"), "line breaks");
    assert!(document.contains("dòng một</w:t><w:br/>"));
}

#[test]
fn the_shipped_templates_are_the_generator_output() {
    for (lang, code) in [(Lang::Vi, "vi"), (Lang::En, "en")] {
        let path = crate_dir().join("report_templates").join(code).join("bao-cao-tong-hop.docx");
        let shipped = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let generated = build_template(config(), lang).expect("the shipped outline");
        assert!(
            shipped == generated,
            "{} differs from the generator; regenerate it with the template command (or update the generator)",
            path.display()
        );
        assert_eq!(generated, build_template(config(), lang).expect("outline"), "the generator is deterministic");
        for (name, data) in unzip(&generated) {
            if name.ends_with(".xml") || name.ends_with(".rels") {
                check_xml(&name, std::str::from_utf8(&data).expect("utf-8"));
            }
        }
    }
}

#[test]
fn a_template_syntax_error_names_the_template_and_shows_the_text_around_it() {
    let (summary, _) = summaries();
    let body = concat!(
        r#"<w:p><w:r><w:t>Mở đầu đúng.</w:t></w:r></w:p>"#,
        r#"<w:p><w:r><w:t xml:space="preserve">Tổng số hồ sơ tiếp nhận: {{ doc.fig.B01.value | num </w:t></w:r><w:r><w:t>) }} hồ sơ</w:t></w:r></w:p>"#,
    );
    let e = render_with(&docx_with_body(body), summary).expect_err("a syntax error is refused");
    assert_eq!(e.output, "bao-cao-tong-hop.docx");
    assert!(e.message.contains("bao-cao-tong-hop.docx"), "{}", e.message);
    assert!(e.message.contains("Tổng số hồ sơ tiếp nhận"), "no text around the error: {}", e.message);
    assert!(!e.message.contains("<w:r>"), "XML shown to staff: {}", e.message);
    // An unknown variable is refused the same way, at render time.
    let body = r#"<w:p><w:r><w:t>Kỳ họp {{ cycle.nothing_here }} xong</w:t></w:r></w:p>"#;
    let e = render_with(&docx_with_body(body), summary).expect_err("unknown variable");
    assert!(e.message.contains("Kỳ họp") && e.message.contains("bao-cao-tong-hop.docx"), "{}", e.message);
    // Control tags that would cut a paragraph in two are refused, not written.
    let body = r#"<w:p><w:r><w:t>{% if false %}a</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>b{% endif %}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#;
    let e = render_with(&docx_with_body(body), summary).expect_err("broken structure");
    assert!(e.message.contains("{%p"), "{}", e.message);
}

#[test]
fn a_broken_document_toml_is_refused_with_its_line() {
    let (summary, _) = summaries();
    let dir = tempfile::tempdir().expect("tmp");
    let good = std::fs::read_to_string(crate_dir().join("report_templates/document.toml")).expect("document.toml");
    let broken = good.replacen("date = \"meeting\"", "date = \"tomorrow\"", 1);
    let line = broken.lines().position(|l| l.starts_with("date = ")).expect("date line") + 1;
    std::fs::write(dir.path().join("document.toml"), broken).expect("write");
    let templates =
        Templates { config_dir: crate_dir().join("report_templates"), override_dir: Some(dir.path().into()) };
    let e = render(config(), summary, &templates, vi()).expect_err("refused");
    assert!(e.message.contains(&format!("document.toml:{line}:")), "{}", e.message);
}

#[test]
fn two_renders_give_identical_bytes_and_english_works() {
    let (summary, summary_en) = summaries();
    let again = render(config(), summary, &bundled(), vi()).expect("render again");
    assert!(&again == render_vi(), "two renders differ");
    let english = render(config(), summary_en, &bundled(), en()).expect("render en");
    assert_eq!(english, render(config(), summary_en, &bundled(), en()).expect("render en again"));
    let text = visible_text(&part(&english, "word/document.xml"));
    let b01 = format::number(figure(summary_en, "B01"), 0, en());
    for item in [
        "MINISTRY OF HOME AFFAIRS",
        "SOCIALIST REPUBLIC OF VIET NAM",
        "REPORT",
        "I. SITUATION AND RESULTS",
        &b01,
        "IV. PROPOSALS",
        "Recipients:",
        "Appendix",
    ] {
        assert!(text.contains(item), "{item:?} missing from the English document");
    }
    assert!(!text.contains("Nơi nhận"), "Vietnamese left in the English document");
}

// ---------------------------------------------------------------------------
// LibreOffice
// ---------------------------------------------------------------------------

/// Whether LibreOffice Writer and pdftotext are here (see `common::tools`).
fn office_present(test: &str) -> bool {
    tools_ready(
        test,
        &[
            Tool::program("soffice", &["--version"], install::WRITER),
            Tool::libreoffice_module("LibreOffice Writer", "libswlo.so", install::WRITER),
            Tool::startable("pdftotext", &["-v"], install::POPPLER),
        ],
    )
}

fn soffice(args: &[&str], file: &Path, out: &Path, profile: &Path) {
    let output = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .arg("--headless")
        .args(args)
        .arg("--outdir")
        .arg(out)
        .arg(file)
        .output()
        .expect("run soffice");
    assert!(output.status.success(), "soffice: {}", String::from_utf8_lossy(&output.stderr));
}

fn pdf_text(pdf: &Path) -> String {
    let output = Command::new("pdftotext").arg(pdf).arg("-").output().expect("run pdftotext");
    assert!(output.status.success(), "pdftotext: {}", String::from_utf8_lossy(&output.stderr));
    let text: String = String::from_utf8_lossy(&output.stdout).nfc().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn libreoffice_converts_the_document_to_pdf_with_title_header_and_figures() {
    if !office_present("libreoffice_converts_the_document_to_pdf_with_title_header_and_figures") {
        return;
    }
    let (summary, _) = summaries();
    let tmp = tempfile::tempdir().expect("tmp");
    let profile = tmp.path().join("profile");
    let docx = tmp.path().join("bao-cao-tong-hop.docx");
    std::fs::write(&docx, render_vi()).expect("write docx");
    soffice(&["--convert-to", "pdf"], &docx, tmp.path(), &profile);
    let text = pdf_text(&tmp.path().join("bao-cao-tong-hop.pdf"));
    let b01 = format::number(figure(summary, "B01"), 0, vi());
    let d03 = format::number(figure(summary, "D03"), 0, vi());
    for item in [
        "BỘ NỘI VỤ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO",
        b01.as_str(),
        d03.as_str(),
        "Nơi nhận:",
        "KT. BỘ TRƯỞNG",
    ] {
        assert!(text.contains(item), "{item:?} not in the PDF text:\n{text}");
    }

    // A staff member opens the template in Writer, changes a sentence and saves it as .docx:
    // LibreOffice rewrites the whole XML (its own runs, rsids, styles); the next build shows the change.
    let edit = tmp.path().join("edit");
    std::fs::create_dir(&edit).expect("mkdir");
    let template = edit.join("bao-cao-tong-hop.docx");
    std::fs::copy(crate_dir().join("report_templates/vi/bao-cao-tong-hop.docx"), &template).expect("copy");
    let saved = tmp.path().join("saved");
    soffice(&["--convert-to", "docx:MS Word 2007 XML"], &template, &saved, &profile);
    let resaved = std::fs::read(saved.join("bao-cao-tong-hop.docx")).expect("LibreOffice's .docx");
    let old = "Bộ Nội vụ tiếp tục theo dõi, đôn đốc";
    let new = "Bộ Nội vụ sẽ tiếp tục theo dõi sát, đôn đốc";
    let parts = unzip(&resaved);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut changed = false;
    for (name, data) in parts {
        let data = if name == "word/document.xml" {
            let xml = String::from_utf8(data).expect("utf-8");
            changed = xml.contains(old);
            xml.replace(old, new).into_bytes()
        } else {
            data
        };
        zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
        zip.write_all(&data).expect("write");
    }
    assert!(changed, "the sentence is not in one run of LibreOffice's XML");
    let edited = zip.finish().expect("finish").into_inner();
    let out = render_with(&edited, summary).expect("render the template saved by LibreOffice");
    let text = visible_text(&part(&out, "word/document.xml"));
    assert!(text.contains(new), "the edited sentence is not in the document");
    assert!(text.contains(&b01), "the figures are gone after LibreOffice saved the template");
    assert!(!text.contains("{{") && !text.contains("{%"), "tags left after LibreOffice saved the template");
}

#[test]
fn a_broken_outline_is_a_located_configuration_error_not_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("report_templates");
    common::copy_dir(&common::crate_dir().join("report_templates"), &config);
    let outline = config.join("vi/bao-cao-tong-hop.outline");
    let mut text = std::fs::read_to_string(&outline).expect("outline");
    let line = text.lines().count() + 1;
    text.push_str("BodyText [zzz]: text\n");
    std::fs::write(&outline, text).expect("write outline");
    let out = common::run([
        "--config".as_ref(),
        config.as_os_str(),
        "template".as_ref(),
        "-o".as_ref(),
        dir.path().join("t.docx").as_os_str(),
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains(&format!("bao-cao-tong-hop.outline:{line}: unknown option")), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(!dir.path().join("t.docx").exists(), "nothing is written");
}
