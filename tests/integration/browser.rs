//! The reviewer's HTML report in a real browser (Debian's Chromium, driven by
//! playwright-core from `tests/browser`): no request leaves the page, no console
//! error, the key figures are on screen, injected reporter text stays text.
//! Screenshots and the printed PDF are kept in `target/browser-artifacts/`.
//! A missing browser, Node.js or driver fails the test, saying how to install
//! it, unless `TONGHOP_SKIP_TOOL_TESTS=1` (see `common::tools`).

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::TimeZone;
use serde_json::Value;
use tonghop::form::{Fill, FillValue, FormRequest, NarrativeFill, TaskFill, write_form};
use tonghop::model::TaskStatus;
use tonghop::schema::Config;

use crate::common::tools::{Tool, install, tools_ready};

/// Whether Chromium, Node.js and playwright-core are here (see `common::tools`).
fn browser_ready(test: &str) -> bool {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    tools_ready(
        test,
        &[
            Tool::file("chromium", Path::new(&chromium), install::CHROMIUM),
            Tool::program("node", &["--version"], install::NODE),
            Tool::file("playwright-core", Path::new("tests/browser/node_modules/playwright-core"), install::PLAYWRIGHT),
        ],
    )
}

/// The hostile texts a reporter could type; each must show as text and do nothing.
const HOSTILE: [&str; 3] = [
    "<script>window.__pwned = 1; alert('pwned')</script>",
    "\"><img src=x onerror=\"window.__pwned = 2\">",
    "]]> & <b>đậm</b> =HYPERLINK(\"http://example.invalid\")",
];

fn inputs(dir: &Path) {
    let config = Config::load(Path::new("report_templates")).expect("config");
    for (unit, week, b01) in [
        ("01", "2025-W39", 12_000.0),
        ("01", "2025-W40", 13_000.0),
        ("79", "2025-W39", 20_000.0),
        ("79", "2025-W40", 21_500.0),
        ("BNV", "2025-W40", 300.0),
    ] {
        let u = config.units.get(unit).expect("unit");
        let w = config.calendar.week_by_label(week).expect("week");
        let mut fill = Fill::default();
        fill.contacts.prepared_by = Some("Nguyễn Văn An".into());
        fill.contacts.approved_by = Some("Trần Thị Bình".into());
        for c in config.schema.criteria_for(&u.unit_type) {
            fill.values.insert(
                c.code.clone(),
                if c.is_numeric() { FillValue::Number(0.0) } else { FillValue::YesNo(unit == "01") },
            );
        }
        fill.values.insert("B01".into(), FillValue::Number(b01));
        fill.values.insert("B03".into(), FillValue::Number(b01 * 0.75));
        for t in config.schema.tasks.iter().filter(|t| t.assigned_to(&u.code, &u.unit_type)) {
            fill.tasks
                .insert(t.code.clone(), TaskFill { status: TaskStatus::InProgress, completed_on: None, note: None });
        }
        if unit == "79" {
            for (i, text) in HOSTILE.iter().enumerate() {
                let kind = if i == 0 { "difficulty" } else { "proposal" };
                fill.narrative.push(NarrativeFill {
                    kind: kind.into(),
                    field: "finance".into(),
                    text: text.to_string(),
                    addressee: Some(text.to_string()),
                });
            }
        }
        let bytes = write_form(
            &config,
            &FormRequest { unit_type: &u.unit_type, unit: Some(u), week: Some(w), fill: Some(&fill) },
        )
        .expect("form");
        let path = dir.join(format!("{week}-{unit}.xlsx"));
        std::fs::write(&path, bytes).expect("write");
        let t = config
            .calendar
            .timezone
            .from_local_datetime(&w.due.and_hms_opt(9, 0, 0).expect("time"))
            .single()
            .expect("tz");
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("open")
            .set_modified(t.with_timezone(&chrono::Utc).into())
            .expect("mtime");
    }
}

fn run_in_browser(report: &Path, artifacts: &Path) -> Value {
    std::fs::create_dir_all(artifacts).expect("artifacts");
    let output = Command::new("node")
        .arg("tests/browser/check.mjs")
        .arg(report.canonicalize().expect("report path"))
        .arg(artifacts.canonicalize().expect("artifacts path"))
        .output()
        .expect("node");
    assert!(output.status.success(), "browser run failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("browser json")
}

fn build(lang: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("inputs");
    std::fs::create_dir(&dir).expect("mkdir");
    inputs(&dir);
    let status = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(["build", "--meeting", "2025-10-02", "--lang", lang, "--inputs"])
        .arg(&dir)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .status()
        .expect("build");
    assert!(status.success());
    let report = tmp.path().join("out/2025-10-02/index.html");
    (tmp, report)
}

#[test]
fn report_is_self_contained_inert_and_shows_the_key_figures() {
    if !browser_ready("report_is_self_contained_inert_and_shows_the_key_figures") {
        return;
    }
    let (_tmp, report) = build("vi");
    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../browser-artifacts/vi");
    let r = run_in_browser(&report, &artifacts);
    assert_eq!(r["requests"], serde_json::json!([]), "no request may leave the page");
    assert_eq!(r["console_errors"], serde_json::json!([]));
    assert_eq!(r["page_errors"], serde_json::json!([]));
    assert_eq!(r["dialogs"], serde_json::json!([]), "injected script ran");
    assert_eq!(r["pwned"], Value::Null, "injected handler ran");
    assert_eq!(r["script_elements"], 0, "the report carries no script at all");
    assert_eq!(r["external_resources"], serde_json::json!([]));
    assert_eq!(r["lang"], "vi");
    let text = r["text"].as_str().expect("text");
    // B01: 12.000 + 13.000 + 20.000 + 21.500 + 300 = 66.800; R01 = 75 %.
    for expected in
        ["Phiên họp Chính phủ ngày 02/10/2025", "66.800", "75%", "Nhiệm vụ quá hạn", "TP. Hồ Chí Minh", "Chưa nộp"]
    {
        assert!(text.contains(expected), "{expected:?} not on the page");
    }
    // The hostile texts are shown as text.
    assert!(text.contains("<script>window.__pwned = 1; alert('pwned')</script>"), "script text not shown as text");
    assert!(text.contains("=HYPERLINK("));
    for file in ["report.png", "report-mobile.png", "report.pdf"] {
        let meta = std::fs::metadata(artifacts.join(file)).expect("artifact");
        assert!(meta.len() > 10_000, "{file} is suspiciously small");
    }
}

#[test]
fn english_report_reads_in_english() {
    if !browser_ready("english_report_reads_in_english") {
        return;
    }
    let (_tmp, report) = build("en");
    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../browser-artifacts/en");
    let r = run_in_browser(&report, &artifacts);
    assert_eq!(r["lang"], "en");
    assert_eq!(r["requests"], serde_json::json!([]));
    let text = r["text"].as_str().expect("text");
    for expected in ["Government meeting of 2 Oct 2025", "66,800", "Overdue tasks", "Ho Chi Minh City", "Missing"] {
        assert!(text.contains(expected), "{expected:?} not on the page");
    }
}

/// The number of pages of a PDF, from `pdfinfo` (poppler-utils, installed with the browser).
fn pdf_pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo (apt-get install poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let line = text.lines().find(|l| l.starts_with("Pages:")).expect("a page count");
    line["Pages:".len()..].trim().parse().expect("a number")
}

/// The bundled sample, built as a leader reads it.
fn build_sample(lang: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let status = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(["build", "--lang", lang, "--out"])
        .arg(tmp.path().join("out"))
        .arg("--state")
        .arg(tmp.path().join("state"))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("build");
    assert!(status.success());
    let report = tmp.path().join("out/2025-10-02/index.html");
    (tmp, report)
}

#[test]
fn the_first_screen_names_who_is_missing_and_marks_the_suspect_figures() {
    if !browser_ready("the_first_screen_names_who_is_missing_and_marks_the_suspect_figures") {
        return;
    }
    for (lang, words) in [
        (
            "vi",
            [
                "109/112 báo cáo tuần",
                "Quảng Trị 2025-W40",
                "Cà Mau 2025-W40",
                "Công Thương 2025-W39",
                "(*)",
                "1.931.168",
            ],
        ),
        (
            "en",
            [
                "109/112 weekly reports",
                "Quang Tri Province 2025-W40",
                "Ca Mau Province 2025-W40",
                "Industry and Trade 2025-W39",
                "(*)",
                "1,931,168",
            ],
        ),
    ] {
        let (_tmp, report) = build_sample(lang);
        let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("../browser-artifacts/sample-{lang}"));
        let r = run_in_browser(&report, &artifacts);
        let first = r["first_screen"].as_str().expect("first screen");
        for expected in words {
            assert!(first.contains(expected), "{lang}: {expected:?} is not on the first screen:\n{first}");
        }
        // The suspect mark stands on the figure whose aggregate holds the flagged value, and on no other card.
        assert!(first.contains("2.195.380 (*)") || first.contains("2,195,380 (*)"), "{lang}: {first}");
        let pages = pdf_pages(&artifacts.join("report.pdf"));
        assert!(pages <= 12, "{lang}: the printed report is {pages} A4 pages, at most 12");
    }
}
