//! Figures that are not figures: a number cell storing NaN or an infinity
//! (`1e999`, `NaN`, `inf`), a value so large that the national total would
//! overflow (1.7e308), a whole number beyond 2^53 that a float cannot hold
//! exactly. Each is refused at its cell (`V002`, `V005`, `V006`), in every
//! format, and never leaves a required figure silently missing; the schema's
//! own bounds are checked when it is loaded. Property tests run arbitrary
//! stored numbers and arbitrary number texts through the fixture into `check`.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;
use tonghop::issue::{Severity, a1};
use tonghop::model::{FileReport, FileStatus};
use tonghop::schema::{Config, Criterion};

use crate::common::*;
use crate::patched::{self, PLACEHOLDER};

/// The criterion the tests write into: required, a count, `min = 0`, no
/// `max`, in no cross-field rule (a rule would refuse the file elsewhere).
const CODE: &str = "A02";

/// Writes `bytes` as `name` in a fresh folder, checks it with the binary and
/// also returns what it printed on stderr.
fn check_written(bytes: &[u8], name: &str) -> (Report, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    write_file(&path, bytes, default_received());
    let out = run([std::ffi::OsStr::new("check"), "--json".as_ref(), path.as_os_str()]);
    let json: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("JSON ({e}): {out:#?}"));
    let report = Report { json: json["files"][0].clone() };
    (report, out.stderr)
}

/// The province's book with [`PLACEHOLDER`] as the figure of [`CODE`].
fn book_with_placeholder() -> Book {
    let mut book = Book::province();
    book.set_value(CODE, PLACEHOLDER);
    book
}

/// Asserts the file was refused with `code` at the criterion's value cell, and nothing on stderr.
#[track_caller]
fn assert_refused_at_value(report: &Report, stderr: &str, code: &str, book: &Book) {
    assert_status(report, "rejected");
    assert_issue_sev(report, code, "error", Some(CRITERIA), Some(&book.value_cell(CODE)));
    assert!(!stderr.contains("panicked"), "no panic text on stderr: {stderr}");
    assert!(report.value(CODE).is_none(), "no value kept: {}", report.describe());
}

#[test]
fn stored_nan_and_infinities_are_v002_at_the_cell_in_xlsx_and_ods() {
    let book = book_with_placeholder();
    for stored in ["1e999", "-1e999", "NaN", "nan", "inf", "-inf", "Infinity", "1E+400"] {
        for (ext, bytes) in [("xlsx", patched::xlsx_number(&book, stored)), ("ods", patched::ods_number(&book, stored))]
        {
            let (report, stderr) = check_written(&bytes, &format!("38.{ext}"));
            assert_refused_at_value(&report, &stderr, "V002", &book);
            let issue = assert_issue(&report, "V002", Some(CRITERIA), Some(&book.value_cell(CODE)));
            assert!(issue.message_en.contains(CODE), "{stored} in .{ext}: {}", issue.message_en);
        }
    }
}

#[test]
fn stored_nan_and_infinities_are_v002_at_the_cell_in_xls() {
    let book = book_with_placeholder();
    for stored in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let (report, stderr) = check_written(&patched::xls_number(&book, stored), "38.xls");
        assert_refused_at_value(&report, &stderr, "V002", &book);
    }
}

#[test]
fn figures_beyond_the_default_bound_are_refused_at_the_cell() {
    let book = book_with_placeholder();
    for stored in ["1.7e308", "1e300", "1e16", "1000000000000001"] {
        let (report, stderr) = check_written(&patched::xlsx_number(&book, stored), "38.xlsx");
        assert_refused_at_value(&report, &stderr, "V006", &book);
        let issue = assert_issue(&report, "V006", Some(CRITERIA), Some(&book.value_cell(CODE)));
        // A huge figure is shown as a power of ten, not hundreds of digits.
        assert!(issue.message_vi.chars().count() < 200, "{}", issue.message_vi);
    }
    // A02 has `min = 0`; a criterion without `min` is bounded below by the default.
    let (report, stderr) = check_written(&patched::xlsx_number(&book, "-1.7e308"), "38.xlsx");
    assert_refused_at_value(&report, &stderr, "V005", &book);
}

#[test]
fn figures_up_to_the_default_bound_are_kept_exactly() {
    for figure in [0.0, 1.0, 999_999_999_999_999.0, 1e15] {
        let mut book = Book::province();
        book.set_value(CODE, figure);
        let report = check_book(&book, "38.xlsx");
        assert_status(&report, "accepted");
        assert_eq!(report.number(CODE), Some(figure));
    }
}

#[test]
fn figures_typed_as_text_beyond_the_bound_or_exactness_are_refused() {
    // 2^53 + 1 reads as 2^53: refused, not kept one less than typed.
    let huge = format!("1{}", "0".repeat(300));
    for typed in ["9007199254740993", "9.007.199.254.740.993", huge.as_str()] {
        let mut book = Book::province();
        book.set_value(CODE, typed);
        let report = check_book(&book, "38.xlsx");
        assert_status(&report, "rejected");
        assert_issue(&report, "V006", Some(CRITERIA), Some(&book.value_cell(CODE)));
    }
    // Too many digits to be a finite number at all.
    let mut book = Book::province();
    book.set_value(CODE, "9".repeat(400));
    let report = check_book(&book, "38.xlsx");
    assert_issue(&report, "V002", Some(CRITERIA), Some(&book.value_cell(CODE)));
}

/// Copies `report_templates/` to a temporary folder, with `edit` applied to `schema.toml`.
fn config_with_schema(edit: impl Fn(&str) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("report_templates");
    copy_dir(&crate_dir().join("report_templates"), &config);
    let path = config.join("schema.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(&text)).unwrap();
    (dir, config)
}

/// `schema.toml` with `line` added after A02's `min = 0`, and the 1-based line it lands on.
fn a02_with(text: &str, line: &str) -> (String, usize) {
    let at = text.find(r#"code = "A02""#).expect("A02");
    let min = at + text[at..].find("min = 0\n").expect("A02 has min = 0") + "min = 0\n".len();
    let line_no = text[..min].matches('\n').count() + 1;
    (format!("{}{line}\n{}", &text[..min], &text[min..]), line_no)
}

#[test]
fn schema_bounds_that_are_not_finite_or_beyond_exactness_are_refused_at_load_with_their_line() {
    for bound in ["max = nan", "max = inf", "max = 1e20", "max = 9007199254740992", "min = -inf", "min = -1e300"] {
        let (key, _) = bound.split_once(" = ").unwrap();
        // `min` is already set: replace it rather than repeating the key.
        let (_dir, dir) = config_with_schema(|text| {
            let (text, _) = a02_with(text, bound);
            if key == "min" { text.replacen(&format!("min = 0\n{bound}"), bound, 1) } else { text }
        });
        let text = std::fs::read_to_string(dir.join("schema.toml")).unwrap();
        let expected_line = text[..text.find(bound).unwrap()].matches('\n').count() + 1;
        let error = Config::load(&dir).expect_err(bound);
        assert_eq!(error.line, Some(expected_line), "{bound}: {error}");
        assert!(error.message.contains(CODE) && error.message.contains(key), "{bound}: {error}");
        // The same through the binary: exit 2, file and line on stderr.
        let out = run([
            std::ffi::OsStr::new("--config"),
            dir.as_os_str(),
            "check".as_ref(),
            crate_dir().join("inputs/2025-W37").as_os_str(),
        ]);
        assert_eq!(out.code, 2, "{out:#?}");
        assert!(out.stderr.contains(&format!("schema.toml:{expected_line}")), "{}", out.stderr);
    }
}

#[test]
fn a_schema_max_up_to_two_to_the_53_minus_one_keeps_every_digit() {
    let (_dir, dir) = config_with_schema(|text| a02_with(text, "max = 9007199254740991").0);
    let config = Config::load(&dir).expect("the largest exact bound loads");
    assert_eq!(config.schema.criterion(CODE).map(Criterion::upper_bound), Some(Criterion::EXACT_LIMIT));
    let files = tempfile::tempdir().unwrap();
    let write = |name: &str, typed: &str| {
        let mut book = Book::province();
        book.set_value(CODE, typed);
        book.write(files.path(), name)
    };
    let exact = write("exact.xlsx", "9007199254740991");
    let beyond = write("beyond.xlsx", "9007199254740993");
    let reports = check_all(&config, &[exact, beyond]);
    let number = |r: &FileReport| {
        r.submission.as_ref().and_then(|s| s.values.iter().find(|v| v.code == CODE)).map(|v| v.value.clone())
    };
    assert_eq!(reports[0].status, FileStatus::Accepted, "{:?}", reports[0].issues);
    assert_eq!(number(&reports[0]), Some(tonghop::model::Value::Number(9_007_199_254_740_991.0)));
    assert_eq!(reports[1].status, FileStatus::Rejected);
    assert!(reports[1].issues.iter().any(|i| i.code.as_str() == "V006"), "{:?}", reports[1].issues);
}

#[test]
fn huge_figures_never_make_the_national_total_overflow() {
    let inputs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    // Two provinces at the default bound (accepted), two at 1.7e308 (refused).
    for (unit, stored) in [("01", "1e15"), ("79", "1e15"), ("38", "1.7e308"), ("04", "1.7e308")] {
        let mut book = Book::valid(unit, "2025-W39");
        book.set_value(CODE, PLACEHOLDER);
        write_file(&inputs.path().join(format!("{unit}.xlsx")), &patched::xlsx_number(&book, stored), book.received);
    }
    let result = run([
        std::ffi::OsStr::new("build"),
        "--json".as_ref(),
        "--weeks".as_ref(),
        "2025-W39".as_ref(),
        "--inputs".as_ref(),
        inputs.path().as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
        "--state".as_ref(),
        out.path().join("state").as_os_str(),
    ]);
    assert_eq!(result.code, 0, "{result:#?}");
    assert!(!result.stderr.contains("panicked"), "{}", result.stderr);
    let data = data_json(out.path());
    let figure = data["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["figures"].as_array().into_iter().flatten())
        .find(|f| f["code"] == CODE)
        .expect("A02 is a figure");
    assert_eq!(figure["value"].as_f64(), Some(2e15), "a finite total, not null: {figure}");
    assert_eq!(figure["coverage"]["reported"], 2, "{figure}");
}

/// The `data.json` of the only cycle written under `out`.
fn data_json(out: &Path) -> Value {
    let cycle = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("data.json").is_file())
        .expect("a cycle folder with data.json");
    serde_json::from_slice(&std::fs::read(cycle.join("data.json")).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    let config = RunnerConfig { cases, failure_persistence: None, ..RunnerConfig::default() };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

/// Checks one file through the driver, in process (a panic would be an `F010`).
fn check_one(path: PathBuf) -> FileReport {
    let mut reports = check_all(config(), &[path]);
    assert_eq!(reports.len(), 1);
    reports.remove(0)
}

/// The invariant: the figure is kept, finite, within the default bound and
/// equal to `expected` when given; or the file is refused with an error at
/// the figure's cell. Never a reader crash.
fn figure_kept_or_refused_at_its_cell(report: &FileReport, cell: &str, expected: Option<f64>) -> Result<(), String> {
    let codes: Vec<&str> = report.issues.iter().map(|i| i.code.as_str()).collect();
    if codes.contains(&"F010") {
        return Err(format!("a crash: {:?}", report.issues));
    }
    let at_cell =
        report.issues.iter().any(|i| i.severity == Severity::Error && i.location.cell.as_deref() == Some(cell));
    if report.status == FileStatus::Rejected {
        return if at_cell { Ok(()) } else { Err(format!("refused, but not at {cell}: {:?}", report.issues)) };
    }
    let kept = report.submission.as_ref().and_then(|s| s.values.iter().find(|v| v.code == CODE));
    let Some(tonghop::model::Value::Number(n)) = kept.map(|v| &v.value) else {
        return Err(format!("accepted without its required figure: {:?}", report.issues));
    };
    if !n.is_finite() || n.abs() > Criterion::DEFAULT_LIMIT || n.fract() != 0.0 {
        return Err(format!("accepted {n}"));
    }
    match expected {
        Some(e) if e != *n => Err(format!("kept {n} for {e}")),
        _ => Ok(()),
    }
}

/// Any float at all, the special ones weighted up.
fn any_float() -> impl Strategy<Value = f64> {
    prop_oneof![
        2 => any::<f64>(),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(f64::MIN_POSITIVE / 4.0),
        1 => (0u64..1 << 20).prop_map(|k| 9_007_199_254_740_992.0 + 2.0 * k as f64),
        1 => (0.0..1e15f64).prop_map(f64::floor),
        1 => 1e15..1.7e308f64,
    ]
}

/// How a float may be stored as the text of a `<v>`: as Rust writes it, or in exponent form.
fn stored_forms(n: f64) -> [String; 2] {
    [format!("{n}"), format!("{n:e}")]
}

#[test]
fn any_stored_float_is_kept_exactly_or_refused_at_its_cell() {
    let book = book_with_placeholder();
    let cell = book.value_cell(CODE);
    let dir = tempfile::tempdir().unwrap();
    runner(48)
        .run(&(any_float(), 0usize..3), |(n, format)| {
            let (name, bytes) = match format {
                0 => ("v.xlsx", patched::xlsx_number(&book, &stored_forms(n)[0])),
                1 => ("v.ods", patched::ods_number(&book, &stored_forms(n)[1])),
                _ => ("v.xls", patched::xls_number(&book, n)),
            };
            let path = dir.path().join(name);
            write_file(&path, &bytes, book.received);
            let report = check_one(path);
            // The stored text reads back as `n` itself (NaN aside).
            let expected = if n.is_nan() { None } else { Some(n) };
            figure_kept_or_refused_at_its_cell(&report, &cell, expected).map_err(TestCaseError::fail)
        })
        .unwrap();
}

/// Texts that look more or less like numbers: digits, separators, signs, exponents, words.
fn number_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => "[0-9]{1,6}",
        2 => Just(".".to_string()),
        2 => Just(",".to_string()),
        1 => Just(" ".to_string()),
        1 => Just("\u{a0}".to_string()),
        1 => Just("-".to_string()),
        1 => Just("+".to_string()),
        1 => Just("e".to_string()),
        1 => Just("E308".to_string()),
        1 => Just("NaN".to_string()),
        1 => Just("inf".to_string()),
        1 => Just("9".repeat(330)),
        1 => Just("9007199254740993".to_string()),
    ];
    proptest::collection::vec(piece, 1..6).prop_map(|p| p.concat())
}

#[test]
fn any_number_text_is_kept_or_refused_at_its_cell() {
    let cell = Book::province().value_cell(CODE);
    let dir = tempfile::tempdir().unwrap();
    runner(64)
        .run(&number_text(), |typed| {
            let mut book = Book::province();
            book.set_value(CODE, typed.as_str());
            let path = book.write(dir.path(), "t.xlsx");
            let report = check_one(path);
            figure_kept_or_refused_at_its_cell(&report, &cell, None).map_err(TestCaseError::fail)
        })
        .unwrap();
}

#[test]
fn the_fixture_cell_is_where_the_issues_point() {
    // The invariant above compares A1 references: make sure both sides spell them alike.
    let book = Book::province();
    let (row, col) = parse_a1(&book.value_cell(CODE));
    assert_eq!(a1(row, col), book.value_cell(CODE));
}
