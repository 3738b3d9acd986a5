//! Property tests: valid forms, mutated.
//!
//! 1. Bytes: a valid report in each format (.xlsx, .ods, .xls) with random
//!    byte flips, truncations and spliced-in chunks. Reading and validating
//!    never panic (in process, through the same entry points as the program),
//!    and every file gets a status; then the binary checks all of them in one
//!    run and reports each one.
//! 2. Values: random figures, in every accepted way of writing them (numbers,
//!    numbers as text with or without separators, yes/no synonyms), written
//!    through the fixture builder: the file is accepted and the figures read
//!    are exactly the ones written.
//!
//! Bounded: 64 cases each, deterministic seeds (set PROPTEST_CASES to run more).

use crate::common;

use std::collections::BTreeMap;
use std::sync::Mutex;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use tonghop::ingest::{self, Limits};
use tonghop::model::{FileStatus, Value};
use tonghop::schema::ValueType;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64)
}

fn runner() -> TestRunner {
    let config = RunnerConfig { cases: cases(), failure_persistence: None, ..RunnerConfig::default() };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

/// One way of damaging bytes.
#[derive(Debug, Clone)]
enum Mutation {
    /// XOR the byte at (position × len) with a non-zero mask.
    Flip(f64, u8),
    /// Keep only the first (fraction × len) bytes.
    Truncate(f64),
    /// Copy a chunk of the file over another place.
    Splice(f64, f64, usize),
    /// Insert bytes.
    Insert(f64, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (0.0..1.0f64, 1u8..=255).prop_map(|(p, m)| Mutation::Flip(p, m)),
        1 => (0.0..1.0f64).prop_map(Mutation::Truncate),
        1 => (0.0..1.0f64, 0.0..1.0f64, 1usize..512).prop_map(|(a, b, n)| Mutation::Splice(a, b, n)),
        1 => (0.0..1.0f64, proptest::collection::vec(any::<u8>(), 1..64)).prop_map(|(p, v)| Mutation::Insert(p, v)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let at = |f: f64, len: usize| ((f * len as f64) as usize).min(len.saturating_sub(1));
    match m {
        Mutation::Flip(p, mask) => {
            let i = at(*p, bytes.len());
            bytes[i] ^= mask;
        }
        Mutation::Truncate(f) => bytes.truncate((f * bytes.len() as f64) as usize),
        Mutation::Splice(a, b, n) => {
            if bytes.is_empty() {
                return;
            }
            let (from, to) = (at(*a, bytes.len()), at(*b, bytes.len()));
            let n = (*n).min(bytes.len() - from).min(bytes.len() - to);
            let chunk = bytes[from..from + n].to_vec();
            bytes[to..to + n].copy_from_slice(&chunk);
        }
        Mutation::Insert(p, v) => {
            let i = at(*p, bytes.len() + 1);
            bytes.splice(i..i, v.iter().copied());
        }
    }
}

fn meta(path: &str, received: chrono::DateTime<chrono::FixedOffset>) -> tonghop::model::FileMeta {
    let tz = config().calendar.timezone;
    tonghop::model::FileMeta {
        path: path.into(),
        size: 0,
        sha256: String::new(),
        received: Some(received.with_timezone(&tz)),
    }
}

#[test]
fn mutated_bytes_never_panic_and_every_file_gets_a_status() {
    let book = Book::province();
    let originals = [("xlsx", book.to_xlsx()), ("ods", book.to_ods()), ("xls", book.to_xls())];
    let dir = tempfile::tempdir().unwrap();
    let written = Mutex::new(Vec::new());
    let strategy = (0usize..3, proptest::collection::vec(mutation(), 1..6));
    let mut runner = runner();
    runner
        .run(&strategy, |(format, mutations)| {
            let (ext, original) = &originals[format];
            let mut bytes = original.clone();
            for m in &mutations {
                apply(&mut bytes, m);
            }
            // In process, as the program does it: `read_file` catches panics
            // inside the readers, `validate` catches its own.
            let mut files = written.lock().unwrap();
            let name = format!("mutated-{:03}.{ext}", files.len());
            let path = dir.path().join(&name);
            write_file(&path, &bytes, book.received);
            let tz = config().calendar.timezone;
            let read = ingest::read_file(&path, &name, &Limits::default(), tz, None);
            let report = match read.result {
                Ok(workbook) => tonghop::validate::validate(config(), meta(&name, book.received), &workbook),
                Err(issue) => tonghop::validate::unreadable(read.meta, issue),
            };
            prop_assert!(report.status != FileStatus::Ignored);
            if report.status == FileStatus::Rejected {
                prop_assert!(!report.issues.is_empty(), "a rejection has its reasons");
                prop_assert!(report.submission.is_none());
            }
            files.push(name);
            Ok(())
        })
        .unwrap();

    // The binary, on all of them at once: one report per file, each with a verdict.
    let files = written.into_inner().unwrap();
    let reports = check_json(&[dir.path()]);
    assert_eq!(reports.len(), files.len(), "one report per file");
    for r in &reports {
        assert!(files.iter().any(|f| f == r.path()), "unexpected report {}", r.path());
        assert!(["accepted", "accepted_with_warnings", "rejected"].contains(&r.status()), "{}", r.describe());
    }
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// How a figure is written in its cell.
#[derive(Debug, Clone, Copy)]
enum Spelling {
    Number,
    Plain,
    /// Dots between thousands (Vietnamese).
    Dots,
    /// Spaces (or no-break spaces) between thousands.
    Spaces(bool),
    /// Surrounded by blanks.
    Padded,
}

fn group(digits: &str, sep: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// The cell for a number with at most two decimals, in the given spelling.
/// The spellings are the accepted, unambiguous ones: a comma is a decimal
/// comma only with one or two digits after it.
fn spell(value: f64, spelling: Spelling) -> Cell {
    let cents = (value * 100.0).round() as i64;
    let (int, frac) = (cents / 100, cents % 100);
    let decimals = if frac == 0 {
        String::new()
    } else if frac % 10 == 0 {
        format!(",{}", frac / 10)
    } else {
        format!(",{frac:02}")
    };
    let digits = int.to_string();
    match spelling {
        Spelling::Number => Cell::Number(value),
        Spelling::Plain => text(format!("{digits}{decimals}")),
        Spelling::Dots if int >= 1000 => text(format!("{}{decimals}", group(&digits, "."))),
        Spelling::Spaces(nbsp) => text(format!("{}{decimals}", group(&digits, if nbsp { "\u{a0}" } else { " " }))),
        Spelling::Padded => text(format!("  {digits}{decimals}\u{a0}")),
        Spelling::Dots => text(format!("{digits}{decimals}")),
    }
}

fn spelling() -> impl Strategy<Value = Spelling> {
    prop_oneof![
        Just(Spelling::Number),
        Just(Spelling::Plain),
        Just(Spelling::Dots),
        any::<bool>().prop_map(Spelling::Spaces),
        Just(Spelling::Padded),
    ]
}

fn yes_no_cell(answer: bool, how: u8) -> Cell {
    match (answer, how % 4) {
        (b, 0) => Cell::Bool(b),
        (b, 1) => Cell::Number(if b { 1.0 } else { 0.0 }),
        (true, 2) => text("Có"),
        (false, 2) => text("KHÔNG"),
        (true, _) => text("x"),
        (false, _) => text("chưa"),
    }
}

fn holds(op: tonghop::schema::Op, l: f64, r: f64) -> bool {
    use tonghop::schema::Op;
    match op {
        Op::Le => l <= r,
        Op::Lt => l < r,
        Op::Ge => l >= r,
        Op::Gt => l > r,
        Op::Eq => l == r,
    }
}

#[test]
fn random_figures_in_every_accepted_spelling_are_read_exactly() {
    let config = config();
    let unit = config.units.get("38").unwrap();
    let criteria: Vec<_> = config.schema.criteria_for(&unit.unit_type).collect();
    let numeric: Vec<_> = criteria.iter().filter(|c| c.is_numeric()).collect();
    let yes_no: Vec<_> = criteria.iter().filter(|c| c.value_type == ValueType::YesNo).collect();
    let strategy = (
        proptest::collection::vec((0u32..2_000_000, 0u32..100, spelling()), numeric.len()),
        proptest::collection::vec((any::<bool>(), any::<u8>()), yes_no.len()),
    );
    let mut runner = runner();
    runner
        .run(&strategy, |(numbers, answers)| {
            // Figures within each criterion's bounds, whole for counts.
            let mut figures: BTreeMap<String, f64> = BTreeMap::new();
            for (c, (n, cents, _)) in numeric.iter().zip(&numbers) {
                let mut v = f64::from(*n);
                if c.value_type == ValueType::Decimal {
                    v += f64::from(*cents) / 100.0;
                }
                if let Some(max) = c.max {
                    v = v.min(max);
                }
                if let Some(min) = c.min {
                    v = v.max(min);
                }
                figures.insert(c.code.clone(), v);
            }
            // Cross-field rules hold (lower the left side when they do not).
            for _ in 0..10 {
                for rule in &config.schema.rules {
                    let (Some(&l), Some(&r)) = (figures.get(&rule.left), figures.get(&rule.right)) else { continue };
                    if !holds(rule.op, l, r) {
                        use tonghop::schema::Op;
                        let fixed = match rule.op {
                            Op::Lt => (r - 1.0).max(0.0),
                            Op::Gt => r + 1.0,
                            _ => r,
                        };
                        figures.insert(rule.left.clone(), fixed);
                    }
                }
            }
            let mut book = Book::province();
            for (c, (_, _, how)) in numeric.iter().zip(&numbers) {
                book.set_value(&c.code, spell(figures[&c.code], *how));
            }
            for (c, (answer, how)) in yes_no.iter().zip(&answers) {
                book.set_value(&c.code, yes_no_cell(*answer, *how));
            }
            let bytes = book.to_xlsx();
            let workbook = ingest::read_bytes(&bytes, &tonghop::issue::Location::file("p.xlsx"), &Limits::default())
                .map_err(|i| TestCaseError::fail(format!("not read: {i:?}")))?;
            let report = tonghop::validate::validate(config, meta("p.xlsx", book.received), &workbook);
            let codes: Vec<&str> = report.issues.iter().map(|i| i.code.as_str()).collect();
            prop_assert!(
                matches!(report.status, FileStatus::Accepted | FileStatus::AcceptedWithWarnings),
                "rejected: {:?}",
                report
                    .issues
                    .iter()
                    .map(|i| format!("{} {:?} {}", i.code.as_str(), i.location.cell, i.message_en))
                    .collect::<Vec<_>>()
            );
            // Warnings may only come from rules that warn (a ratio above another…).
            prop_assert!(codes.iter().all(|c| *c == "X001"), "unexpected issues {codes:?}");
            let submission = report.submission.as_ref().expect("accepted files have a submission");
            for (code, written) in &figures {
                let read = submission.values.iter().find(|v| &v.code == code).map(|v| v.value.clone());
                prop_assert_eq!(read, Some(Value::Number(*written)), "{}", code);
            }
            for (c, (answer, _)) in yes_no.iter().zip(&answers) {
                let read = submission.values.iter().find(|v| v.code == c.code).map(|v| v.value.clone());
                prop_assert_eq!(read, Some(Value::YesNo(*answer)), "{}", c.code);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_figures_survive_every_format() {
    // The same random-free book in the three formats gives the same submission.
    let book = Book::province();
    let read = |bytes: Vec<u8>| {
        let wb = ingest::read_bytes(&bytes, &tonghop::issue::Location::file("f"), &Limits::default()).expect("read");
        let report = tonghop::validate::validate(config(), meta("f", book.received), &wb);
        assert_eq!(report.status, FileStatus::Accepted, "{:?}", report.issues);
        report.submission.unwrap().values.into_iter().map(|v| (v.code, v.value)).collect::<Vec<_>>()
    };
    let xlsx = read(book.to_xlsx());
    assert_eq!(read(book.to_ods()), xlsx);
    assert_eq!(read(book.to_xls()), xlsx);
}
