//! Reporter text is data, never code, in every output (docs/product.md §8).
//!
//! Reports whose free text (narrative rows, proposal addressees, task notes,
//! own tasks, contacts) carries markup, spreadsheet formulas, CDATA ends,
//! ampersands and control characters go through `tonghop build`; so does a
//! rejected file quoting such text in its issue messages, under a hostile file
//! name. Every output is then read back: the text must be there, intact, and
//! inert.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::TimeZone;
use serde_json::Value;
use tonghop::form::{Fill, FillValue, FormRequest, NarrativeFill, OwnTaskFill, TaskFill, write_form};
use tonghop::model::TaskStatus;
use tonghop::schema::Config;

/// The hostile texts, each unique so it can be found again.
const PAYLOADS: [&str; 10] = [
    "<script>alert('xss-1')</script>",
    "\"><img src=x onerror=alert('xss-2')>",
    "=HYPERLINK(\"http://evil.example/x3\",\"bấm vào đây\")",
    "+cmd|' /C calc'!A0 x4",
    "@SUM(1) x5",
    "-1+2 x6",
    "]]><x7/><![CDATA[",
    "Tom & Jerry &amp; &lt;x8&gt; &#60;",
    "x9 ${{7*7}} {{ 7*7 }} {% raw %}",
    "<w:p><w:r><w:t>x10</w:t></w:r></w:p>",
];

/// Control characters: removed by validation (with a V011 warning), so the
/// outputs hold the text without them.
const CONTROL: &str = "x11\u{1}\u{8}\u{b}\u{1b}[31m đỏ\u{7f}";
const CONTROL_CLEAN: &str = "x11[31m đỏ";

fn config() -> Config {
    Config::load(Path::new("report_templates")).expect("bundled config")
}

fn hostile_fill(config: &Config, unit: &str, offset: usize) -> Fill {
    let u = config.units.get(unit).expect("unit");
    let mut fill = Fill::default();
    fill.contacts.prepared_by = Some(PAYLOADS[(offset + 1) % PAYLOADS.len()].to_string());
    fill.contacts.approved_by = Some(PAYLOADS[(offset + 2) % PAYLOADS.len()].to_string());
    for c in config.schema.criteria_for(&u.unit_type) {
        let v = if c.is_numeric() { FillValue::Number(1.0) } else { FillValue::YesNo(true) };
        fill.values.insert(c.code.clone(), v);
    }
    for (i, t) in config.schema.tasks.iter().filter(|t| t.assigned_to(&u.code, &u.unit_type)).enumerate() {
        let note = Some(PAYLOADS[(offset + i) % PAYLOADS.len()].to_string());
        fill.tasks.insert(t.code.clone(), TaskFill { status: TaskStatus::InProgress, completed_on: None, note });
    }
    fill.own_tasks.push(OwnTaskFill {
        title: PAYLOADS[(offset + 3) % PAYLOADS.len()].to_string(),
        assigned_by: PAYLOADS[(offset + 4) % PAYLOADS.len()].to_string(),
        deadline: "30/11/2025".into(),
        progress: TaskFill { status: TaskStatus::InProgress, completed_on: None, note: Some(CONTROL.into()) },
    });
    let kinds = ["difficulty", "proposal", "highlight"];
    for (i, text) in PAYLOADS.iter().chain([&CONTROL]).enumerate() {
        let kind = kinds[i % kinds.len()];
        fill.narrative.push(NarrativeFill {
            kind: kind.into(),
            field: "other".into(),
            text: (*text).to_string(),
            addressee: (kind == "proposal").then(|| PAYLOADS[(i + 5) % PAYLOADS.len()].to_string()),
        });
    }
    fill
}

fn write_report(config: &Config, dir: &Path, name: &str, unit: &str, week: &str, fill: &Fill) -> PathBuf {
    let u = config.units.get(unit).expect("unit");
    let w = config.calendar.week_by_label(week).expect("week");
    let bytes =
        write_form(config, &FormRequest { unit_type: &u.unit_type, unit: Some(u), week: Some(w), fill: Some(fill) })
            .expect("form");
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let t = config.calendar.timezone.from_local_datetime(&w.due.and_hms_opt(9, 0, 0).unwrap()).single().unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(t.with_timezone(&chrono::Utc).into())
        .unwrap();
    path
}

/// Builds the hostile inputs and returns (outputs folder, cycle folder).
fn build() -> (tempfile::TempDir, PathBuf) {
    let config = config();
    let tmp = tempfile::tempdir().unwrap();
    let inputs = tmp.path().join("inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    for (i, (unit, week)) in [("38", "2025-W39"), ("01", "2025-W40"), ("BNV", "2025-W40")].iter().enumerate() {
        let fill = hostile_fill(&config, unit, i);
        write_report(&config, &inputs, &format!("{unit}-{week}.xlsx"), unit, week, &fill);
    }
    // A rejected file: its issue messages quote the hostile text, under a hostile name.
    let mut bad = hostile_fill(&config, "79", 0);
    bad.values.insert("B01".into(), FillValue::Text(PAYLOADS[0].into()));
    bad.values.insert("B02".into(), FillValue::Text(PAYLOADS[2].into()));
    write_report(&config, &inputs, "79-\"><img src=x onerror=alert('name')>.xlsx", "79", "2025-W40", &bad);

    let out = tmp.path().join("outputs");
    let output = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(["build", "--json", "--meeting", "2025-10-02", "--inputs"])
        .arg(&inputs)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("build runs");
    assert!(output.status.success(), "build failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let cycle = out.join("2025-10-02");
    (tmp, cycle)
}

// ---------------------------------------------------------------------------
// Reading outputs back
// ---------------------------------------------------------------------------

/// Decodes the character references and entities HTML and XML escaping use.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if name.starts_with("#x") || name.starts_with("#X") => {
                u32::from_str_radix(&name[2..], 16).ok().and_then(char::from_u32)
            }
            _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Undoes Markdown escaping: a backslash before ASCII punctuation, then entities.
fn decode_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
            out.push(chars.next().unwrap());
        } else {
            out.push(c);
        }
    }
    decode_entities(&out)
}

/// The raw sequences that would make reporter text live markup or code.
const LIVE: [&str; 6] = ["<script>alert", "<img src=x", "<x7/>", "<w:t>x10", "]]><x7", "&lt;x8&gt; &#60;"];

fn assert_inert(output: &str, raw: &str) {
    for live in LIVE {
        // `&lt;x8&gt; &#60;` is the reporter's own literal text: escaped, it reads `&amp;lt;x8…`.
        assert!(!raw.contains(live), "{output} holds the live sequence {live:?}");
    }
}

fn zip_parts(path: &Path) -> BTreeMap<String, String> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts = BTreeMap::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.name().expect("entry name").to_string();
        if name.ends_with(".xml") || name.ends_with(".rels") || name.ends_with(".vml") {
            let mut text = String::new();
            f.read_to_string(&mut text).unwrap_or_else(|e| panic!("{name} is UTF-8: {e}"));
            parts.insert(name, text);
        }
    }
    parts
}

/// A small XML 1.0 well-formedness check: balanced, properly nested elements,
/// quoted attributes without `<`, no stray `<` or `&` in text, only the
/// characters XML 1.0 allows.
fn check_well_formed(name: &str, xml: &str) {
    for c in xml.chars() {
        let ok = matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}');
        assert!(ok, "{name}: character U+{:04X} is not allowed in XML 1.0", c as u32);
    }
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = xml;
    let check_text = |text: &str| {
        let mut t = text;
        while let Some(at) = t.find('&') {
            let end =
                t[at..].find(';').unwrap_or_else(|| panic!("{name}: bare & in {:?}", &t[at..t.len().min(at + 30)]));
            let entity = &t[at + 1..at + end];
            let known = matches!(entity, "lt" | "gt" | "amp" | "quot" | "apos")
                || (entity.starts_with('#') && entity.len() > 1);
            assert!(known, "{name}: unknown entity &{entity};");
            t = &t[at + end + 1..];
        }
        assert!(!text.contains('>') || !text.contains("]]>"), "{name}: ]]> in text");
    };
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open]);
        rest = &rest[open..];
        if let Some(body) = rest.strip_prefix("<![CDATA[") {
            let end = body.find("]]>").unwrap_or_else(|| panic!("{name}: unterminated CDATA"));
            rest = &body[end + 3..];
            continue;
        }
        if rest.starts_with("<!--") {
            let end = rest.find("-->").unwrap_or_else(|| panic!("{name}: unterminated comment"));
            rest = &rest[end + 3..];
            continue;
        }
        if rest.starts_with("<?") {
            let end = rest.find("?>").unwrap_or_else(|| panic!("{name}: unterminated declaration"));
            rest = &rest[end + 2..];
            continue;
        }
        // A tag: find its end outside quotes.
        let mut quote = None;
        let mut end = None;
        for (i, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), '<') => panic!("{name}: '<' inside an attribute value"),
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '<') => panic!("{name}: '<' inside a tag"),
                (None, '>') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let end = end.unwrap_or_else(|| panic!("{name}: unterminated tag"));
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(closing) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("{name}: </{closing}> without an opening tag"));
            assert_eq!(open, closing.trim(), "{name}: <{open}> closed by </{closing}>");
        } else if !tag.ends_with('/') {
            let tag_name = tag.split(|c: char| c.is_whitespace()).next().unwrap();
            stack.push(tag_name);
        }
    }
    check_text(rest);
    assert!(stack.is_empty(), "{name}: unclosed elements {stack:?}");
}

/// The cells of one worksheet XML: (ref, style, type, value or inline text, formula).
struct XCell {
    r: String,
    s: usize,
    t: String,
    v: String,
    f: Option<String>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    Some(tag[at..at + tag[at..].find('"')?].to_string())
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open)?;
    let body = &s[a..];
    let start = body.find('>')? + 1;
    let end = body.find(close)?;
    (start <= end).then(|| &body[start..end])
}

fn sheet_cells(xml: &str) -> Vec<XCell> {
    let mut cells = Vec::new();
    let mut rest = xml;
    while let Some(at) = rest.find("<c ") {
        rest = &rest[at..];
        let tag_end = rest.find('>').unwrap();
        let tag = &rest[..tag_end];
        let (body, next) = if tag.ends_with('/') {
            ("", &rest[tag_end + 1..])
        } else {
            let close = rest.find("</c>").unwrap();
            (&rest[tag_end + 1..close], &rest[close + 4..])
        };
        cells.push(XCell {
            r: attr(tag, "r").unwrap_or_default(),
            s: attr(tag, "s").and_then(|s| s.parse().ok()).unwrap_or(0),
            t: attr(tag, "t").unwrap_or_default(),
            v: between(body, "<v", "</v>").or_else(|| between(body, "<t", "</t>")).unwrap_or("").to_string(),
            f: between(body, "<f", "</f>").map(str::to_string),
        });
        rest = next;
    }
    cells
}

fn shared_strings(xml: &str) -> Vec<String> {
    xml.split("<si>")
        .skip(1)
        .map(|si| {
            let si = &si[..si.find("</si>").unwrap_or(si.len())];
            let mut text = String::new();
            let mut rest = si;
            while let Some(t) = between(rest, "<t", "</t>") {
                text.push_str(t);
                rest = &rest[rest.find("</t>").unwrap() + 4..];
            }
            decode_entities(&text)
        })
        .collect()
}

/// Whether each cellXfs entry has quotePrefix="1".
fn quote_prefixed_styles(styles: &str) -> Vec<bool> {
    let xfs = between(styles, "<cellXfs", "</cellXfs>").expect("cellXfs");
    xfs.split("<xf ").skip(1).map(|xf| xf[..xf.find('>').unwrap()].contains("quotePrefix=\"1\"")).collect()
}

// ---------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------

#[test]
fn reporter_text_is_inert_in_every_output() {
    let (_tmp, cycle) = build();
    let expected_texts: Vec<&str> = PAYLOADS.iter().copied().chain([CONTROL_CLEAN]).collect();

    // --- tom-tat.md --------------------------------------------------------------
    let md = std::fs::read_to_string(cycle.join("tom-tat.md")).unwrap();
    assert_inert("tom-tat.md", &md);
    assert!(!md.contains('\u{1b}') && !md.contains('\u{1}'), "control characters in tom-tat.md");
    let md_text = decode_markdown(&md);
    // The summary lists proposals with their addressees.
    let proposals: Vec<&str> = (0..PAYLOADS.len())
        .filter(|i| i % 3 == 1)
        .flat_map(|i| [PAYLOADS[i], PAYLOADS[(i + 5) % PAYLOADS.len()]])
        .collect();
    for p in &proposals {
        assert!(md_text.contains(p), "tom-tat.md lacks the proposal text {p:?}");
    }

    // --- index.html -----------------------------------------------------------------
    let html = std::fs::read_to_string(cycle.join("index.html")).unwrap();
    assert_inert("index.html", &html);
    assert!(!html.contains("<script"), "index.html has a <script> element");
    assert!(
        !html.contains("onerror=alert('xss") || html.contains("&quot;&gt;&lt;img"),
        "raw event handler in index.html"
    );
    let html_text = decode_entities(&html);
    for p in &expected_texts {
        assert!(html_text.contains(p), "index.html lacks the text {p:?}");
    }
    // The rejected file is listed, its hostile name and quoted text escaped.
    assert!(html_text.contains("79-\"><img src=x onerror=alert('name')>.xlsx"), "the rejected file is listed");
    assert!(!html.contains("<img src=x onerror=alert('name')"), "file name live in index.html");

    // --- data.json -----------------------------------------------------------------
    let json: Value = serde_json::from_str(&std::fs::read_to_string(cycle.join("data.json")).unwrap())
        .expect("data.json is valid JSON");
    let mut strings = Vec::new();
    fn collect<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            Value::Object(o) => o.values().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    collect(&json, &mut strings);
    for p in &expected_texts {
        assert!(strings.iter().any(|s| s.contains(p)), "data.json lacks the text {p:?} intact");
    }
    assert!(!strings.iter().any(|s| s.contains('\u{1b}')), "control characters in data.json");

    // --- tong-hop.xlsx ----------------------------------------------------------------
    let parts = zip_parts(&cycle.join("tong-hop.xlsx"));
    for (name, xml) in &parts {
        check_well_formed(name, xml);
    }
    let sst = parts.get("xl/sharedStrings.xml").map(|x| shared_strings(x)).unwrap_or_default();
    let quoted = quote_prefixed_styles(&parts["xl/styles.xml"]);
    let mut found: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, xml) in parts.iter().filter(|(n, _)| n.starts_with("xl/worksheets/sheet")) {
        for cell in sheet_cells(xml) {
            let text = match cell.t.as_str() {
                "s" => cell.v.parse::<usize>().ok().and_then(|i| sst.get(i)).cloned().unwrap_or_default(),
                "inlineStr" | "str" => decode_entities(&cell.v),
                _ => String::new(),
            };
            for p in &expected_texts {
                if !text.contains(p) {
                    continue;
                }
                *found.entry(p).or_default() += 1;
                assert!(cell.f.is_none(), "{name}!{}: reporter text written as a formula {:?}", cell.r, cell.f);
                assert!(
                    matches!(cell.t.as_str(), "s" | "inlineStr"),
                    "{name}!{}: reporter text in a t={:?} cell",
                    cell.r,
                    cell.t
                );
                if text.starts_with(['=', '+', '-', '@']) {
                    assert!(
                        quoted.get(cell.s).copied().unwrap_or(false),
                        "{name}!{}: {text:?} starts like a formula but its style {} has no quotePrefix",
                        cell.r,
                        cell.s
                    );
                }
            }
        }
        for cell in sheet_cells(xml) {
            if let Some(f) = &cell.f {
                for fragment in ["HYPERLINK", "cmd|", "SUM(1)", "x5", "x6"] {
                    assert!(!f.contains(fragment), "{name}!{}: formula {f:?} from reporter text", cell.r);
                }
            }
        }
    }
    for p in &proposals {
        assert!(found.contains_key(p), "tong-hop.xlsx lacks the text {p:?}; found {found:?}");
    }
    for p in PAYLOADS.iter().filter(|p| p.starts_with(['=', '+', '-', '@'])) {
        assert!(found.contains_key(p), "tong-hop.xlsx lacks the formula-like text {p:?} (it must appear, quoted)");
    }

    // --- the meeting document (.docx), when the build writes one ---------------------------
    let docx: Vec<PathBuf> = std::fs::read_dir(&cycle)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "docx"))
        .collect();
    for path in &docx {
        let parts = zip_parts(path);
        assert!(parts.contains_key("word/document.xml"), "{} has a document part", path.display());
        for (name, xml) in &parts {
            check_well_formed(name, xml);
        }
        let doc = &parts["word/document.xml"];
        assert!(!doc.contains("<script") && !doc.contains("<x7/>"), "live markup in {}", path.display());
        assert!(!doc.contains("<w:t>x10"), "reporter text became WordprocessingML in {}", path.display());
        // Text runs hold the reporter text (split across runs at most by line breaks).
        let text = decode_entities(
            &doc.split("<w:t")
                .skip(1)
                .filter_map(|t| Some(&t[t.find('>')? + 1..t.find("</w:t>")?]))
                .collect::<String>(),
        );
        for p in &proposals {
            // The document ends each item with its own punctuation.
            let p = p.trim_end_matches(['.', ';', ',', ':']);
            assert!(text.contains(p), "{} lacks the proposal text {p:?}", path.display());
        }
    }

    // --- receipts (one page per file checked) -----------------------------------------------
    let receipts = cycle.parent().unwrap().join("receipts");
    let mut pages = 0;
    for entry in walk(&receipts) {
        let name = entry.display().to_string();
        let body = std::fs::read_to_string(&entry).unwrap();
        if name.ends_with(".html") {
            pages += 1;
            assert_inert(&name, &body);
            assert!(!body.contains("<img src=x onerror=alert('name')"), "{name}: file name live");
        } else if name.ends_with(".json") {
            serde_json::from_str::<Value>(&body).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
        }
        // A receipt's path comes from the file name: it stays inside the receipts folder.
        assert!(entry.starts_with(&receipts));
    }
    assert!(pages >= 4, "a receipt per file checked ({pages})");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}
