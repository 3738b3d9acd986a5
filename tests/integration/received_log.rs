//! The received-times log (`received.tsv`) read line by line: a line that
//! cannot be used (not UTF-8, no tab, no valid time, a path already listed) is
//! reported with its number and reason, and never costs the other lines.
//!
//! 1. Property: arbitrary logs (good lines, repeated paths, arbitrary bytes,
//!    lines without a tab or time, comments, blank lines, CRLF or LF) parse to
//!    exactly the first time of each path, and exactly the bad and repeated
//!    lines, each with its number.
//! 2. End to end: `check` on a folder whose log has a Latin-1 byte and a repeated path.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset, TimeZone};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use tonghop::ingest::{LineProblem, ReceivedLog};

use crate::common::{self, Book};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;

fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256);
    let config = RunnerConfig { cases, failure_persistence: None, ..RunnerConfig::default() };
    TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
}

/// One line of a generated log.
#[derive(Debug, Clone)]
enum Line {
    /// A path and a time; a path already listed makes it a repetition.
    Entry(String, DateTime<FixedOffset>),
    /// Bytes that are not UTF-8.
    NotUtf8(Vec<u8>),
    /// Text without a tab.
    NoTab(String),
    /// A path, a tab and text that is no time.
    BadTime(String, String),
    /// `#` and any bytes.
    Comment(Vec<u8>),
    /// Spaces only (or nothing).
    Blank(String),
}

/// What the parser must find for a line.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    Skipped,
    Used,
    NotUtf8,
    NoTab,
    BadTime(String),
    Duplicate(String, usize),
}

/// Paths as staff write them: Vietnamese letters, folders, spaces inside.
fn path() -> impl Strategy<Value = String> {
    // Few distinct paths, so that repetitions are frequent.
    "[a-c0-2]{1,2}(/[a-zđơư ]{0,3})?\\.xlsx"
}

fn time() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (1_500_000_000i64..2_000_000_000, -48i32..=56).prop_map(|(secs, quarter_hours)| {
        let offset = FixedOffset::east_opt(quarter_hours * 900).expect("offset");
        offset.timestamp_opt(secs, 0).single().expect("time")
    })
}

fn not_utf8() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(any::<u8>().prop_filter("one line", |b| *b != b'\n'), 0..40),
        any::<prop::sample::Index>(),
        prop::sample::select(vec![0xFFu8, 0xC0, 0x80, 0xE9]),
    )
        .prop_map(|(mut bytes, at, bad)| {
            let at = at.index(bytes.len() + 1);
            bytes.insert(at, bad);
            // Not a comment, and no valid sequence can absorb the byte at the end.
            bytes.insert(0, b'p');
            bytes.push(0xFF);
            bytes
        })
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        6 => (path(), time()).prop_map(|(p, t)| Line::Entry(p, t)),
        2 => not_utf8().prop_map(Line::NotUtf8),
        1 => "[a-z0-9 ./:+-]{0,20}[a-z]".prop_map(Line::NoTab),
        1 => (path(), "[a-z0-9 :+-]{0,12}x[a-z ]{0,5}").prop_map(|(p, t)| Line::BadTime(p, t)),
        1 => proptest::collection::vec(any::<u8>().prop_filter("one line", |b| *b != b'\n'), 0..20)
            .prop_map(|b| Line::Comment([b"#".as_slice(), &b].concat())),
        1 => " {0,3}".prop_map(Line::Blank),
    ]
}

/// The log's bytes, each line ended by LF or CRLF (the last one maybe by nothing).
fn log_bytes(lines: &[(Line, bool)], final_newline: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (line, crlf)) in lines.iter().enumerate() {
        match line {
            Line::Entry(p, t) => out.extend(format!("{p}\t{}", t.to_rfc3339()).bytes()),
            Line::NotUtf8(b) | Line::Comment(b) => out.extend(b),
            Line::NoTab(s) | Line::Blank(s) => out.extend(s.bytes()),
            Line::BadTime(p, t) => out.extend(format!("{p}\t{t}").bytes()),
        }
        if i + 1 < lines.len() || final_newline {
            out.extend(if *crlf { b"\r\n".as_slice() } else { b"\n" });
        }
    }
    out
}

/// What each line must give, and the times that must be used.
fn model(lines: &[(Line, bool)]) -> (Vec<Expected>, HashMap<String, DateTime<FixedOffset>>) {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut times = HashMap::new();
    let expected = lines
        .iter()
        .enumerate()
        .map(|(i, (line, _))| match line {
            Line::Entry(p, t) => match first.get(p) {
                Some(&n) => Expected::Duplicate(p.clone(), n),
                None => {
                    first.insert(p.clone(), i + 1);
                    times.insert(p.clone(), *t);
                    Expected::Used
                }
            },
            Line::NotUtf8(_) => Expected::NotUtf8,
            Line::NoTab(_) => Expected::NoTab,
            Line::BadTime(_, t) => Expected::BadTime(t.trim().to_string()),
            Line::Comment(_) | Line::Blank(_) => Expected::Skipped,
        })
        .collect();
    (expected, times)
}

#[test]
fn every_good_line_is_used_and_every_other_line_reported_with_its_number() {
    let strategy = (proptest::collection::vec((line(), any::<bool>()), 0..40), any::<bool>());
    runner()
        .run(&strategy, |(lines, final_newline)| {
            let log = ReceivedLog::parse_bytes(&log_bytes(&lines, final_newline), TZ);
            let (expected, times) = model(&lines);
            let used: HashMap<String, DateTime<FixedOffset>> =
                log.times.iter().map(|(p, t)| (p.clone(), t.fixed_offset())).collect();
            prop_assert_eq!(&used, &times, "the first time of every listed path, and nothing else");
            let reported: Vec<(usize, Expected)> = log
                .bad_lines
                .iter()
                .map(|b| {
                    let kind = match &b.problem {
                        LineProblem::NotUtf8 { .. } => Expected::NotUtf8,
                        LineProblem::NoTab => Expected::NoTab,
                        LineProblem::BadTime { text } => Expected::BadTime(text.clone()),
                        LineProblem::Duplicate { path, first_line } => Expected::Duplicate(path.clone(), *first_line),
                        LineProblem::EmptyPath => Expected::Skipped,
                    };
                    (b.line, kind)
                })
                .collect();
            let wanted: Vec<(usize, Expected)> = expected
                .into_iter()
                .enumerate()
                .filter(|(_, e)| !matches!(e, Expected::Used | Expected::Skipped))
                .map(|(i, e)| (i + 1, e))
                .collect();
            prop_assert_eq!(reported, wanted, "each bad or repeated line, with its number");
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

fn write_book(dir: &Path, name: &str, unit: &str) {
    let mut book = Book::valid(unit, "2025-W37");
    book.received = common::vn_time(2025, 9, 8, 10, 0);
    book.write(dir, name);
}

fn received_of(reports: &[common::Report], path: &str) -> DateTime<FixedOffset> {
    let report = reports.iter().find(|r| r.path() == path).unwrap_or_else(|| panic!("a report for {path}"));
    let text = report.json["file"]["received"].as_str().expect("a received time");
    DateTime::parse_from_rfc3339(text).expect("RFC 3339")
}

#[test]
fn check_uses_every_good_line_of_a_log_with_a_bad_byte_and_reports_the_rest() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    write_book(dir, "2025-W37/01.xlsx", "01");
    write_book(dir, "2025-W37/46.xlsx", "46");
    write_book(dir, "2025-W37/48.xlsx", "48");
    let mut log = b"# received times\n2025-W37/01.xlsx\t2025-09-08T18:30:00+07:00\n".to_vec();
    log.extend(b"2025-W37/Hu\xe9.xlsx\t2025-09-08T09:00:00+07:00\n"); // line 3: Latin-1
    log.extend(b"2025-W37/46.xlsx\t2025-09-08T19:00:00+07:00\n");
    log.extend(b"2025-W37/01.xlsx\t2025-09-08T08:00:00+07:00\n"); // line 5: listed on line 2
    std::fs::write(dir.join("received.tsv"), &log).expect("log");

    let reports = common::check_json(&[dir]);
    let log_report = reports.iter().find(|r| r.path() == "received.tsv").expect("the log's report");
    common::assert_status(log_report, "ignored");
    common::assert_codes(log_report, &["I007", "I008", "I008"]);
    let issues = log_report.issues();
    assert!(issues[0].message_en.contains("2 entries used") && issues[0].message_en.contains("3, 5"), "{issues:?}");
    assert!(issues[1].message_en.starts_with("Line 3: byte 12 is not UTF-8"), "{}", issues[1].message_en);
    assert!(issues[2].message_en.starts_with("Line 5:") && issues[2].message_en.contains("line 2"), "{issues:?}");
    assert_eq!(issues[2].severity, "warning");

    assert_eq!(received_of(&reports, "2025-W37/01.xlsx"), common::vn_time(2025, 9, 8, 18, 30), "the first line wins");
    assert_eq!(received_of(&reports, "2025-W37/46.xlsx"), common::vn_time(2025, 9, 8, 19, 0), "after the bad line");
    assert_eq!(received_of(&reports, "2025-W37/48.xlsx"), common::vn_time(2025, 9, 8, 10, 0), "not listed: mtime");
}

#[cfg(unix)]
#[test]
fn a_log_that_is_a_link_is_not_followed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("in");
    write_book(&dir, "01.xlsx", "01");
    let outside = tmp.path().join("outside.tsv");
    std::fs::write(&outside, "01.xlsx\t2025-09-08T18:30:00+07:00\n").expect("write");
    std::os::unix::fs::symlink(&outside, dir.join("received.tsv")).expect("symlink");
    let reports = common::check_json(&[&dir]);
    let log_report = reports.iter().find(|r| r.path() == "received.tsv").expect("the link's report");
    common::assert_codes(log_report, &["I005"]);
    assert_eq!(received_of(&reports, "01.xlsx"), common::vn_time(2025, 9, 8, 10, 0), "the link's times are not used");
}
