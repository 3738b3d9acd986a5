//! File names as reporters give them: long (Vietnamese and CJK, up to the
//! 255 bytes of a name), not UTF-8, differing only in case or after a long
//! common beginning, with `#`, `%`, newlines. Every file gets its own receipt,
//! at a path the system accepts; the report links to it; the console and the
//! log keep one line per file.
//!
//! 1. A property over arbitrary name bytes and lengths (Unix): the names the
//!    program derives from a file (its receipt's, with extensions and
//!    temporaries) each fit in 255 bytes and can be written; two files give
//!    two receipt stems, distinct even ignoring case.
//! 2. End to end: a folder of such files goes through `build` (exit 0, a
//!    receipt per file, every link of `index.html` to a receipt resolves, every
//!    `id` its own) and `check` (no line forged by a name); a receipt that
//!    cannot be written is said, and the rest is written.

#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
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
fn every_name_derived_from_a_file_fits_and_is_its_own() {
    let strategy = (file_name(), file_name());
    runner()
        .run(&strategy, |(a, b)| {
            let tmp = tempfile::tempdir().expect("tmp");
            let inputs = tmp.path().join("in");
            std::fs::create_dir(&inputs).expect("mkdir");
            // The two names, and the first one in upper case (another file on a
            // case-sensitive disk, the same one on SMB or Windows).
            let upper = a.to_ascii_uppercase();
            let names: BTreeSet<Vec<u8>> = [a, b, upper].into_iter().collect();
            for name in &names {
                std::fs::write(inputs.join(OsStr::from_bytes(name)), b"x").expect("a file of that name");
            }
            for (week, unit) in [(Some("2025-W39"), Some("01")), (None, None)] {
                let stems = stems_of(&inputs, week, unit);
                prop_assert_eq!(stems.len(), names.len(), "one name in reports per file: {:?}", stems.keys());
                let distinct: BTreeSet<&PathBuf> = stems.values().collect();
                prop_assert_eq!(distinct.len(), names.len(), "one receipt per file: {:?}", stems);
                let folded: BTreeSet<String> = stems.values().map(|s| s.to_string_lossy().to_lowercase()).collect();
                prop_assert_eq!(folded.len(), names.len(), "one receipt per file, ignoring case: {:?}", stems);
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

/// The hostile names of the end-to-end test, each with the unit whose report it holds.
fn hostile_names() -> Vec<(OsString, &'static str)> {
    let shared: String = "Báo cáo tuần Sở Nội vụ ".chars().chain("bao-cao-".chars().cycle()).take(160).collect();
    let twin = |tail: char| format!("{shared}{}.xlsx", tail.to_string().repeat(35));
    vec![
        (long_name().into(), "01"),
        (OsString::from_vec(b"\xff.xlsx".to_vec()), "04"),
        (OsString::from_vec(b"\xfe.xlsx".to_vec()), "04"),
        (twin('A').into(), "08"),
        (twin('B').into(), "11"),
        ("BC#40 Hà Nội.xlsx".into(), "12"),
        ("100%25.xlsx".into(), "14"),
        ("bc\n✔ gia-mao — Chấp nhận.xlsx".into(), "15"),
        ("Hoa-Thuong.xlsx".into(), "19"),
        ("hoa-thuong.xlsx".into(), "20"),
    ]
}

/// A folder of rejected reports (so that `index.html` links to each one's
/// receipt) under the hostile names.
fn hostile_inputs(dir: &Path) -> usize {
    let names = hostile_names();
    for (name, unit) in &names {
        let mut book = Book::valid(unit, "2025-W39");
        book.set_value("B01", "không phải số");
        let path = book.write(dir, "tmp.xlsx");
        std::fs::rename(&path, dir.join(name)).expect("rename to the hostile name");
    }
    names.len()
}

/// `%XX` decoded, the way a browser resolves a link.
fn percent_decode(link: &str) -> Vec<u8> {
    let bytes = link.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("two hex digits after %"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The values of `attribute="…"` in an HTML page.
fn attributes<'h>(html: &'h str, attribute: &str) -> Vec<&'h str> {
    let marker = format!(" {attribute}=\"");
    html.match_indices(&marker)
        .map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            &rest[..rest.find('"').expect("a closing quote")]
        })
        .collect()
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

/// `build` of the hostile folder into `root/out`: the number of files, and the outputs folder.
fn build_hostile(root: &Path) -> (usize, PathBuf) {
    let inputs = root.join("in");
    std::fs::create_dir(&inputs).expect("mkdir");
    let count = hostile_inputs(&inputs);
    let out = root.join("out");
    let state = root.join("state");
    let mut args: Vec<&OsStr> = ["build", "--json", "--meeting", "2025-10-02", "--inputs"].map(OsStr::new).to_vec();
    args.extend([inputs.as_os_str(), OsStr::new("--out"), out.as_os_str(), OsStr::new("--state"), state.as_os_str()]);
    let run = common::run(&args);
    assert_eq!(run.code, 0, "build succeeds\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    (count, out)
}

#[test]
fn hostile_names_build_with_a_receipt_each_and_ids_of_their_own() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (count, out) = build_hostile(tmp.path());
    let inputs = tmp.path().join("in");

    // Every file its own receipt, named after its own path.
    let checked = common::check_json(&[inputs.as_path()]);
    let paths: BTreeSet<String> = checked.iter().map(|r| r.path().to_string()).collect();
    assert_eq!(paths.len(), count, "every file has a name of its own in reports: {paths:#?}");
    let receipts = receipts_by_file(&out);
    assert_eq!(receipts.keys().cloned().collect::<BTreeSet<_>>(), paths, "a receipt per file");
    for receipt in receipts.values() {
        let html = receipt.with_extension("html");
        assert!(html.exists(), "{} beside its JSON", html.display());
        for name in receipt.strip_prefix(&out).expect("under out").iter() {
            assert!(name.len() <= NAME_MAX, "{} bytes: {name:?}", name.len());
        }
    }
    let folded: BTreeSet<String> = receipts.values().map(|p| p.to_string_lossy().to_lowercase()).collect();
    assert_eq!(folded.len(), count, "receipts stay apart on a disk that ignores case");

    // The report: ids of their own, and every link within the page goes to one.
    let index = std::fs::read_to_string(out.join("2025-10-02/index.html")).expect("index.html");
    let ids = attributes(&index, "id");
    let mut seen = BTreeSet::new();
    for id in &ids {
        assert!(seen.insert(*id), "id {id:?} appears twice in index.html");
    }
    for fragment in attributes(&index, "href").into_iter().filter_map(|h| h.strip_prefix('#')) {
        assert!(seen.contains(fragment), "#{fragment} links to no id");
    }
}

#[test]
fn every_receipt_link_of_the_report_resolves() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (count, out) = build_hostile(tmp.path());
    let cycle = out.join("2025-10-02");
    let index = std::fs::read_to_string(cycle.join("index.html")).expect("index.html");
    let links: Vec<&str> = attributes(&index, "href").into_iter().filter(|h| h.contains("receipts/")).collect();
    assert_eq!(links.len(), count, "a receipt link per rejected file: {links:#?}");
    let mut linked = BTreeSet::new();
    for link in links {
        assert!(!link.contains(['#', '?', ' ']), "{link}: a character that ends or splits a path");
        let target = cycle.join(OsStr::from_bytes(&percent_decode(link)));
        assert!(target.exists(), "{link} resolves to {}, which does not exist", target.display());
        linked.insert(target.canonicalize().expect("canonical"));
    }
    assert_eq!(linked.len(), count, "each link to another receipt");
}

#[test]
fn a_name_never_forges_a_line_of_check() {
    let tmp = tempfile::tempdir().expect("tmp");
    let count = hostile_inputs(tmp.path());
    let run = common::run([OsStr::new("check"), tmp.path().as_os_str()]);
    assert_eq!(run.code, 1, "all rejected\n{}{}", run.stdout, run.stderr);
    let verdicts = run.stdout.lines().filter(|l| l.starts_with("✘ ")).count();
    assert_eq!(verdicts, count, "one verdict line per file:\n{}", run.stdout);
    for line in run.stdout.lines() {
        assert!(!line.starts_with("✔ gia-mao"), "a line forged by a file name:\n{}", run.stdout);
        let known = ["✔ ", "! ", "✘ ", "- ", "    [", "Tệp bị từ chối: "].iter().any(|start| line.starts_with(start));
        assert!(known || line == run.stdout.lines().last().unwrap_or_default(), "an unexpected line: {line:?}");
    }
    assert!(run.stdout.contains("bc\\n✔ gia-mao — Chấp nhận.xlsx"), "the name shown, escaped:\n{}", run.stdout);
    assert!(run.stdout.contains("BC#40 Hà Nội.xlsx"), "Vietnamese stays readable:\n{}", run.stdout);
    assert!(run.stdout.contains("\\xff.xlsx") && run.stdout.contains("\\xfe.xlsx"), "bytes shown:\n{}", run.stdout);
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
