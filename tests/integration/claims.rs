//! What the outputs say follows from `data.json`: each count, name and
//! figure a sentence states is derived here from the data and looked for in
//! the output that states it.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::run;

/// The sample built once into a folder of its own, with its console output.
struct Built {
    _dir: tempfile::TempDir,
    cycle: PathBuf,
    stdout: String,
    data: Value,
}

fn build_sample(lang: &str) -> Built {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let state = dir.path().join("state");
    let args = ["--lang".as_ref(), lang.as_ref(), "build".as_ref(), "--out".as_ref(), out.as_os_str()];
    let built = run(args.into_iter().chain(["--state".as_ref(), state.as_os_str()]));
    assert_eq!(built.code, 0, "{}", built.stderr);
    let cycle = out.join("2025-10-02");
    let data = serde_json::from_slice(&std::fs::read(cycle.join("data.json")).expect("data.json")).expect("json");
    Built { _dir: dir, cycle, stdout: built.stdout, data }
}

fn summary(data: &Value) -> &Value {
    data.get("summary").unwrap_or(data)
}

/// Every figure of the summary, section after section.
fn figures_of(s: &Value) -> Vec<&Value> {
    s["sections"].as_array().expect("sections").iter().flat_map(|x| x["figures"].as_array().expect("figures")).collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("an output")
}

#[test]
fn the_console_names_every_unit_not_on_time_with_its_week() {
    for lang in ["vi", "en"] {
        let built = build_sample(lang);
        let rows = summary(&built.data)["submissions"]["rows"].as_array().expect("rows").clone();
        let late: Vec<&Value> = rows.iter().filter(|r| r["timeliness"] != "on_time").collect();
        assert!(late.len() >= 3, "the sample has late, rejected and missing reports");
        for row in late {
            let (unit, week) = (row["unit"].as_str().expect("unit"), row["week"].as_str().expect("week"));
            let named = built.stdout.lines().any(|l| l.contains(&format!("{unit} ")) && l.contains(week));
            assert!(named, "{lang}: {unit} {week} is not named:\n{}", built.stdout);
            for file in row["rejected"].as_array().expect("rejected files") {
                assert!(built.stdout.contains(file.as_str().expect("path")), "{lang}: {file} not named");
            }
        }
        let _ = read(&built.cycle.join("tom-tat.md"));
    }
}

#[test]
fn every_label_names_the_period_its_figure_covers() {
    let config = crate::common::config();
    for code in ["vi", "en"] {
        let lang = tonghop::language::Language::load(&[config.dir.as_path()], code).expect("language");
        let (this_week, in_period) = (&lang.document().this_week, &lang.document().in_the_period);
        for c in &config.schema.criteria {
            let label = lang.label(&c.vi, &c.en, config.translations(tonghop::schema::LabelOf::Criterion, &c.code));
            for weeks in [1, 2, 3] {
                let shown = lang.period_label(label, c.kind, weeks, "26/09/2025");
                match c.kind {
                    tonghop::schema::Aggregation::Flow if weeks > 1 => {
                        assert!(!shown.contains(this_week.as_str()), "{code} {}: {shown}", c.code);
                        assert!(shown.contains(&weeks.to_string()), "{code} {}: {shown} names the weeks", c.code);
                        if label.contains(this_week.as_str()) {
                            assert!(shown.contains(in_period.as_str()), "{code} {}: {shown}", c.code);
                        }
                    }
                    tonghop::schema::Aggregation::Stock => {
                        assert!(shown.contains("26/09/2025"), "{code} {}: {shown} names its date", c.code)
                    }
                    _ => assert_eq!(shown, label, "{code} {}", c.code),
                }
            }
        }
    }
}

#[test]
fn the_summary_states_coverage_and_suspect_figures_as_data_json_has_them() {
    let built = build_sample("vi");
    let s = summary(&built.data);
    let md = read(&built.cycle.join("tom-tat.md"));
    assert!(md.lines().count() <= 40, "tom-tat.md is short: {} lines", md.lines().count());
    let sub = &s["submissions"];
    let received = format!("{}/{} báo cáo tuần", sub["received"], sub["expected"]);
    assert!(md.contains(&received), "{received} in:\n{md}");
    assert_eq!(sub["received"].as_u64(), Some(sub["on_time"].as_u64().unwrap() + sub["late"].as_u64().unwrap()));
    for row in sub["not_received"].as_array().expect("not received") {
        let unit = row["unit"].as_str().expect("unit");
        let name = crate::common::config().units.get(unit).expect("unit").short.clone();
        assert!(md.contains(&format!("{name} {}", row["week"].as_str().expect("week"))), "{name} in:\n{md}");
    }
    // A flow is counted in weekly reports, never as all units when a week is missing.
    let figures = figures_of(s);
    let b01 = figures.iter().find(|f| f["code"] == "B01").expect("B01");
    let cov = &b01["coverage"];
    assert!(
        md.contains(&format!("{}/{} báo cáo tuần có số liệu", cov["unit_weeks_reported"], cov["unit_weeks_expected"])),
        "{md}"
    );
    // The suspect figure: marked, with the figure and change without it, and the direction warning.
    let suspect = &b01["suspect"];
    assert!(suspect.is_object(), "the sample's planted jump makes B01 suspect");
    let b01_line = md.lines().find(|l| l.contains("**2.195.380**")).expect("B01 line");
    assert!(b01_line.contains("(*)") && b01_line.contains("1.931.168") && b01_line.contains("-56.238"), "{b01_line}");
    assert_eq!(suspect["direction_differs"], true);
    assert!(b01_line.contains("chiều thay đổi ngược lại"), "{b01_line}");
    // Every figure without a suspect value carries no mark.
    for f in figures.iter().filter(|f| f["suspect"].is_null()) {
        let value = f["value"].as_f64().map(|v| format!("**{}**", tonghop::text::format_vi_number(v, 0)));
        if let Some(line) = value.and_then(|v| md.lines().find(|l| l.contains(&v))) {
            assert!(!line.contains("(*)"), "{line}");
        }
    }
}

/// The paragraphs of a .docx as plain text.
fn docx_paragraphs(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).expect("docx");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").expect("document part"), &mut xml)
        .expect("xml");
    xml.split("</w:p>")
        .map(|p| {
            p.split("<w:t")
                .skip(1)
                .filter_map(|t| t.split_once('>').map(|(_, rest)| rest))
                .map(|t| t.split("</w:t>").next().unwrap_or(""))
                .collect::<String>()
        })
        .map(|t| t.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn the_meeting_document_states_coverage_and_suspect_changes_as_data_json_has_them() {
    let built = build_sample("vi");
    let s = summary(&built.data);
    let paragraphs = docx_paragraphs(&built.cycle.join("bao-cao-tong-hop.docx"));
    let sub = &s["submissions"];
    let opening = paragraphs.iter().find(|p| p.starts_with("Thực hiện Nghị quyết")).expect("opening");
    assert!(opening.contains(&format!("đã nhận {}/{} báo cáo tuần", sub["received"], sub["expected"])), "{opening}");
    let figures = figures_of(s);
    let b01 = figures.iter().find(|f| f["code"] == "B01").expect("B01");
    let fmt = |v: &Value| tonghop::text::format_vi_number(v.as_f64().expect("a number"), 0);
    let sentence = paragraphs.iter().find(|p| p.contains(&fmt(&b01["value"]))).expect("the B01 sentence");
    assert!(sentence.contains("trong kỳ (2 tuần)"), "{sentence}");
    assert!(sentence.contains(&format!("tăng {}", fmt(&b01["change"]))), "{sentence}");
    assert!(sentence.contains("(*)") && sentence.contains(&fmt(&b01["suspect"]["value"])), "{sentence}");
    let change = b01["suspect"]["change"].as_f64().expect("change without");
    assert!(
        change < 0.0 && sentence.contains(&format!("giảm {}", tonghop::text::format_vi_number(-change, 0))),
        "{sentence}"
    );
    assert!(sentence.contains("chiều thay đổi ngược lại"), "{sentence}");
    let cov = &b01["coverage"];
    assert!(
        sentence.contains(&format!("{}/{} báo cáo tuần", cov["unit_weeks_reported"], cov["unit_weeks_expected"])),
        "{sentence}"
    );
    // A ratio whose direction depends on the suspect value says so where it states it.
    let r01 = s["ratios"].as_array().expect("ratios").iter().find(|r| r["code"] == "R01").expect("R01");
    assert_eq!(r01["suspect"]["direction_differs"], true);
    let online = paragraphs.iter().find(|p| p.contains("hồ sơ trực tuyến") && p.contains("chiếm")).expect("R01 share");
    assert!(online.contains("(*)") && online.contains("chiều thay đổi ngược lại"), "{online}");
    // No other sentence carries the mark.
    for p in paragraphs.iter().filter(|p| p.contains("(*)")) {
        assert!(p.contains("Quảng Ninh"), "a mark without its reason: {p}");
    }
}

/// The visible text of an HTML page, roughly: tags dropped, entities of the page decoded.
fn html_text(html: &str) -> String {
    let body = html.split("<body>").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_reviewers_page_states_coverage_and_suspect_figures_as_data_json_has_them() {
    let built = build_sample("vi");
    let s = summary(&built.data);
    let text = html_text(&read(&built.cycle.join("index.html")));
    let sub = &s["submissions"];
    assert!(text.contains(&format!("Đã nhận {}/{} báo cáo tuần", sub["received"], sub["expected"])), "{text}");
    for row in
        sub["not_received"].as_array().expect("not received").iter().chain(sub["late_rows"].as_array().expect("late"))
    {
        let name = crate::common::config().units.get(row["unit"].as_str().expect("unit")).expect("unit").short.clone();
        assert!(text.contains(&format!("{name} {}", row["week"].as_str().expect("week"))), "{name} not named");
    }
    let figures = figures_of(s);
    let b01 = figures.iter().find(|f| f["code"] == "B01").expect("B01");
    let cov = &b01["coverage"];
    let fmt = |v: &Value| tonghop::text::format_vi_number(v.as_f64().expect("a number"), 0);
    // The card: the figure marked, the period named, the figure without the suspect value, the reports counted.
    let card = format!("Hồ sơ thủ tục hành chính tiếp nhận trong kỳ (2 tuần) {} (*)", fmt(&b01["value"]));
    assert!(text.contains(&card), "{card:?} in the page");
    let without = format!(
        "Nếu loại trừ số liệu cần kiểm tra: {}, {}",
        fmt(&b01["suspect"]["value"]),
        fmt(&b01["suspect"]["change"])
    );
    assert!(text.contains(&without), "{without:?} in the page");
    assert!(
        text.contains(&format!(
            "{}/{} báo cáo tuần có số liệu",
            cov["unit_weeks_reported"], cov["unit_weeks_expected"]
        ))
    );
    // Nothing says every unit reported a flow a unit skipped a week of.
    let units = format!("{}/{} đơn vị có số liệu", cov["reported"], cov["expected"]);
    assert!(!text.contains(&format!("{} {units}", fmt(&b01["value"]))), "B01 counted in units");
    // Overdue tasks are grouped: each group states its number of units.
    for g in s["tasks"]["overdue_groups"].as_array().expect("groups") {
        let n = g["units"].as_array().expect("units").len();
        assert!(text.contains(&format!("{} ngày {n} :", g["days_overdue"])), "group of {n} units");
    }
}
