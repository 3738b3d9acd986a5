//! A report swapped for a symbolic link (or a pipe) between the listing of the
//! folder and the opening of the file: neither `check` nor `watch` may read
//! the link's target, and a pipe must not hang the run.
//!
//! The listing and the read are driven step by step through the library (the
//! same functions the pipeline runs), the swap done in between; a stress run
//! then swaps files back and forth while the driver checks the folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::TimeZone;
use tonghop::ingest::{self, FoundKind};
use tonghop::ledger::Ledger;
use tonghop::pipeline::{Arrival, Arrived, Pipeline};

use crate::common::{self, Book};

/// A valid report of `unit`, as bytes.
fn report_of(unit: &str) -> Vec<u8> {
    Book::valid(unit, "2025-W37").to_xlsx()
}

/// `inputs/01.xlsx` (Hà Nội's report), and outside the folder a valid report of
/// another unit (Huế), the target links will point at.
fn folder_and_outsider(root: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let inputs = root.join("inputs");
    std::fs::create_dir_all(&inputs).expect("mkdir");
    let inside = inputs.join("01.xlsx");
    std::fs::write(&inside, report_of("01")).expect("write");
    let outside = root.join("secret.xlsx");
    std::fs::write(&outside, report_of("46")).expect("write");
    (inputs, inside, outside)
}

/// Replaces `path` by a link to `target`, atomically (a rename over it).
fn swap_for_link(path: &Path, target: &Path) {
    let tmp = path.with_extension("swap");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).expect("symlink");
    std::fs::rename(&tmp, path).expect("rename");
}

fn pipeline_parts() -> (&'static tonghop::schema::Config, tonghop::language::Language) {
    let config = common::config();
    let lang = tonghop::language::Language::load(&[config.dir.as_path()], "vi").expect("Vietnamese");
    (config, lang)
}

#[test]
fn check_never_reads_a_link_put_in_place_of_a_listed_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (inputs, inside, outside) = folder_and_outsider(tmp.path());
    let config = common::config();
    let found = ingest::discover(std::slice::from_ref(&inputs));
    assert_eq!(found.len(), 1);
    assert!(matches!(found[0].kind, FoundKind::Workbook), "listed as a workbook");

    swap_for_link(&inside, &outside);
    let read = ingest::read_file(&found[0].path, &found[0].display, &config.limits, config.calendar.timezone, None);
    let issue = read.result.expect_err("the link is not read");
    assert_eq!(issue.code.as_str(), "F001");
    assert_eq!(issue.location.file, "01.xlsx");
    assert!(issue.message_en.contains("symbolic link"), "{}", issue.message_en);
    assert!(read.meta.sha256.is_empty(), "no byte of the target was hashed");
}

#[test]
fn check_never_hangs_on_a_pipe_put_in_place_of_a_listed_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (inputs, inside, _) = folder_and_outsider(tmp.path());
    let config = common::config();
    let found = ingest::discover(std::slice::from_ref(&inputs));
    std::fs::remove_file(&inside).expect("rm");
    let made = std::process::Command::new("mkfifo").arg(&inside).status();
    if !made.is_ok_and(|s| s.success()) {
        crate::common::tools::say_skipped(
            "check_never_hangs_on_a_pipe_put_in_place_of_a_listed_file",
            "mkfifo is not available",
        );
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let (path, display) = (found[0].path.clone(), found[0].display.clone());
    let limits = config.limits;
    let tz = config.calendar.timezone;
    std::thread::spawn(move || {
        let read = ingest::read_file(&path, &display, &limits, tz, None);
        let _ = tx.send(read.result.err().map(|i| i.code.as_str()));
    });
    let code = rx.recv_timeout(Duration::from_secs(10)).expect("reading a pipe must not hang");
    assert_eq!(code, Some("F001"));
}

#[test]
fn watch_never_archives_a_link_put_in_place_of_a_listed_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (inputs, inside, outside) = folder_and_outsider(tmp.path());
    let (config, lang) = pipeline_parts();
    let pipeline = Pipeline::new(config, lang, None);
    let state = tmp.path().join("state");
    let mut ledger = Ledger::open(&state).expect("ledger");
    swap_for_link(&inside, &outside);
    let received = config.calendar.timezone.with_ymd_and_hms(2025, 9, 8, 10, 0, 0).single().expect("time");
    let size = std::fs::metadata(&inside).expect("target").len();
    let arrival =
        Arrival { inputs: &inputs, path: &inside, display: "01.xlsx", size, received, judge_incomplete: true };
    let arrived = pipeline.receive(&mut ledger, &tmp.path().join("out"), &arrival).expect("receive");
    assert!(!matches!(arrived, Arrived::Recorded { .. }), "nothing recorded from a link: {arrived:?}");
    assert!(ledger.entries().expect("entries").is_empty());
    let archived = std::fs::read_dir(state.join("archive")).expect("archive").count();
    assert_eq!(archived, 0, "no byte from outside the folder is archived");
}

/// Files swapped back and forth between the report and a link to another
/// unit's report while the driver checks the folder: no report ever shows
/// the other unit.
#[test]
fn check_under_a_swapping_race_never_reads_outside_the_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (inputs, inside, outside) = folder_and_outsider(tmp.path());
    let bytes = std::fs::read(&inside).expect("read");
    let mut paths = vec![inside];
    for i in 0..15 {
        let path = inputs.join(format!("{i:02}-copy.xlsx"));
        std::fs::write(&path, &bytes).expect("write");
        paths.push(path);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (stop, paths, bytes) = (stop.clone(), paths.clone(), bytes.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                for path in &paths {
                    swap_for_link(path, &outside);
                }
                for path in &paths {
                    let tmp = path.with_extension("put");
                    std::fs::write(&tmp, &bytes).expect("write");
                    std::fs::rename(&tmp, path).expect("rename");
                }
            }
        })
    };
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut checked = 0;
    while Instant::now() < deadline {
        for report in common::check_all(common::config(), std::slice::from_ref(&inputs)) {
            checked += 1;
            assert_ne!(report.unit.as_deref(), Some("46"), "{} read through a link: {report:?}", report.file.path);
        }
    }
    stop.store(true, Ordering::SeqCst);
    swapper.join().expect("swapper");
    assert!(checked > 0);
}
