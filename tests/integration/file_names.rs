//! File names as reporters give them: long (Vietnamese and CJK, up to the
//! 255 bytes of a name). Every name the program derives from one fits, and a
//! receipt that cannot be written stops nothing else.
//!
//! 1. A property over arbitrary name bytes and lengths (Unix): the names the
//!    program derives from a file (its receipt's, with extensions and
//!    temporaries) each fit in 255 bytes and can be written.
//! 2. End to end: a report named with 250 bytes of Vietnamese and CJK goes
//!    through `build` (exit 0, its receipt written); a receipt that cannot be
//!    written is said, and the rest is written.

#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;
use tonghop::ingest::discover;
use tonghop::render::receipt::receipt_stem;

use crate::common::{self, Book};

/// The most bytes one name may have on the file systems the outputs live on.
const NAME_MAX: usize = 255;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(128)
}

fn runner() -> TestRunner {
    let config = RunnerConfig { cases: cases(), failure_persistence: None, ..RunnerConfig::default() };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

/// A name a Unix file can have: any bytes but `/` and NUL, 1 to 255 of them,
/// not `.` or `..`. Skewed towards what reporters write: Vietnamese and CJK
/// text, bytes that are not UTF-8, ASCII letters in either case.
fn file_name() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => "[a-zA-Z0-9 ._#%-]{1,8}".prop_map(String::into_bytes),
        2 => "[àáảãạăắằẳẵặâấầẩẫậđêếềểễệôốồổỗộơớờởỡợưứừửữựÀĐƯ]{1,6}".prop_map(String::into_bytes),
        2 => "[报告周省市国]{1,6}".prop_map(String::into_bytes),
        1 => proptest::collection::vec(any::<u8>(), 1..4),
        1 => Just(b"\n".to_vec()),
    ];
    (proptest::collection::vec(piece, 1..40), 1..=NAME_MAX).prop_map(|(pieces, max)| {
        let mut name: Vec<u8> =
            pieces.concat().into_iter().map(|b| if b == b'/' || b == 0 { b'_' } else { b }).collect();
        name.truncate(max);
        if name == b"." || name == b".." {
            name.push(b'x');
        }
        name
    })
}

/// The receipt stems of the files of `dir`, by the name reports give each file.
fn stems_of(dir: &Path, week: Option<&str>, unit: Option<&str>) -> BTreeMap<String, PathBuf> {
    discover(&[dir.to_path_buf()])
        .into_iter()
        .map(|f| (f.display.clone(), receipt_stem(week, unit, &f.display)))
        .collect()
}

/// Every name of `stem` with `ext`, and the write of it, fits the system.
fn assert_writable(out: &Path, stem: &Path, ext: &str) -> Result<(), TestCaseError> {
    let mut path = out.join(stem).into_os_string();
    path.push(ext);
    let path = PathBuf::from(path);
    for name in path.strip_prefix(out).expect("inside out").iter() {
        prop_assert!(name.len() <= NAME_MAX, "{} bytes: {:?}", name.len(), name);
    }
    // The write goes through a temporary beside the file: it must fit too.
    tonghop::fs::write_atomic(&path, b"x").map_err(|e| TestCaseError::fail(format!("{}: {e}", path.display())))?;
    prop_assert!(path.exists());
    Ok(())
}

#[test]
fn every_name_derived_from_a_file_fits() {
    let strategy = (file_name(), file_name());
    runner()
        .run(&strategy, |(a, b)| {
            let tmp = tempfile::tempdir().expect("tmp");
            let inputs = tmp.path().join("in");
            std::fs::create_dir(&inputs).expect("mkdir");
            // The two names, and the first one in upper case.
            let upper = a.to_ascii_uppercase();
            let names: BTreeSet<Vec<u8>> = [a, b, upper].into_iter().collect();
            for name in &names {
                std::fs::write(inputs.join(OsStr::from_bytes(name)), b"x").expect("a file of that name");
            }
            for (week, unit) in [(Some("2025-W39"), Some("01")), (None, None)] {
                let stems = stems_of(&inputs, week, unit);
                let out = tmp.path().join("out");
                for stem in stems.values() {
                    assert_writable(&out, stem, ".html")?;
                    assert_writable(&out, stem, ".json")?;
                }
            }
            Ok(())
        })
        .unwrap();
}

/// A name of 250 bytes: Vietnamese, then CJK (three bytes a character).
fn long_name() -> String {
    let mut long = String::from("01 Báo cáo tuần Hà Nội ");
    while long.len() + "报".len() + ".xlsx".len() <= 250 {
        long.push('报');
    }
    long.push_str(".xlsx");
    long
}

/// The receipts written under `out/receipts`, by the file path each one is for.
fn receipts_by_file(out: &Path) -> BTreeMap<String, PathBuf> {
    let mut receipts = BTreeMap::new();
    for entry in walkdir::WalkDir::new(out.join("receipts")) {
        let entry = entry.expect("walk");
        if entry.path().extension().is_some_and(|e| e == "json") {
            let json: Value =
                serde_json::from_slice(&std::fs::read(entry.path()).expect("read")).expect("receipt JSON");
            let file = json["report"]["file"]["path"].as_str().expect("the file's path").to_string();
            let previous = receipts.insert(file.clone(), entry.path().to_path_buf());
            assert!(previous.is_none(), "two receipts for {file:?}");
        }
    }
    receipts
}

#[test]
fn a_report_named_with_250_bytes_builds_with_its_receipt() {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = tmp.path().join("in");
    Book::valid("01", "2025-W39").write(&inputs, &long_name());
    Book::valid("04", "2025-W39").write(&inputs, "04-cao-bang.xlsx");
    let out = tmp.path().join("out");
    let state = tmp.path().join("state");
    let mut args: Vec<&OsStr> = ["build", "--json", "--meeting", "2025-10-02", "--inputs"].map(OsStr::new).to_vec();
    args.extend([inputs.as_os_str(), OsStr::new("--out"), out.as_os_str(), OsStr::new("--state"), state.as_os_str()]);
    let run = common::run(&args);
    assert_eq!(run.code, 0, "build succeeds\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    let receipts = receipts_by_file(&out);
    assert!(receipts.contains_key(&long_name()), "the long name's receipt: {receipts:?}");
    for receipt in receipts.values() {
        assert!(receipt.with_extension("html").exists(), "{} beside its JSON", receipt.display());
        for name in receipt.strip_prefix(&out).expect("under out").iter() {
            assert!(name.len() <= NAME_MAX, "{} bytes: {name:?}", name.len());
        }
    }
}

/// A receipt that cannot be written (here a folder stands where it goes) is
/// that file's problem: the build ends well, says which receipt is missing and
/// why, and writes the outputs and every other receipt.
#[test]
fn a_receipt_that_cannot_be_written_stops_nothing_else() {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = tmp.path().join("in");
    Book::valid("01", "2025-W39").write(&inputs, "01-ha-noi.xlsx");
    Book::valid("04", "2025-W39").write(&inputs, "04-cao-bang.xlsx");
    let out = tmp.path().join("out");
    let blocked = out.join(receipt_stem(Some("2025-W39"), Some("01"), "01-ha-noi.xlsx"));
    let mut html = blocked.clone().into_os_string();
    html.push(".html");
    std::fs::create_dir_all(&html).expect("a folder where the receipt goes");
    let state = tmp.path().join("state");
    let mut args: Vec<&OsStr> = ["build", "--meeting", "2025-10-02", "--inputs"].map(OsStr::new).to_vec();
    args.extend([inputs.as_os_str(), OsStr::new("--out"), out.as_os_str(), OsStr::new("--state"), state.as_os_str()]);
    let run = common::run(&args);
    assert_eq!(run.code, 0, "build succeeds\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("01-ha-noi.xlsx") && run.stderr.contains("receipt not written"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(out.join("2025-10-02/index.html").exists(), "the cycle's outputs are written");
    let written = receipts_by_file(&out);
    assert!(written.contains_key("04-cao-bang.xlsx"), "the other file's receipt is written: {written:?}");
    assert!(written.contains_key("01-ha-noi.xlsx"), "the blocked file's JSON receipt is written: {written:?}");
}
