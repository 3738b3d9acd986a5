//! Commands that only read (`status`, `build --state`, `build --from-archive`)
//! work on a state folder they may not write: run as `nobody` on a ledger and
//! archive owned by root, with `watch` stopped (no shared-memory file beside
//! the database) or running (its files there, not writable by `nobody`).

use std::path::{Path, PathBuf};

use chrono::TimeZone;
use serde_json::Value;
use tonghop::ledger::Ledger;
use tonghop::pipeline::{Arrival, Pipeline};

use crate::common::{self, Book};
use crate::unprivileged;

/// Two reports of 2025-W37 in `root/in`, received through the pipeline as
/// `watch` receives them: `root/state` holds their ledger and archive.
pub(crate) fn received_state(root: &Path) -> (PathBuf, PathBuf) {
    let (inputs, state) = (root.join("in"), root.join("state"));
    let config = common::config();
    let lang = tonghop::language::Language::load(&[config.dir.as_path()], "vi").expect("Vietnamese");
    let pipeline = Pipeline::new(config, lang, None);
    let mut ledger = Ledger::open(&state).expect("ledger");
    let received = config.calendar.timezone.with_ymd_and_hms(2025, 9, 8, 10, 0, 0).single().expect("time");
    for unit in ["01", "46"] {
        let name = format!("{unit}.xlsx");
        let path = Book::valid(unit, "2025-W37").write(&inputs, &name);
        let size = std::fs::metadata(&path).expect("written").len();
        let arrival = Arrival { inputs: &inputs, path: &path, display: &name, size, received, judge_incomplete: true };
        pipeline.receive(&mut ledger, &root.join("receipts"), &arrival).expect("received");
    }
    drop(ledger);
    unprivileged::readable_by_all(root);
    (inputs, state)
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into())
        .collect();
    names.sort();
    names
}

/// `status` and both kinds of `build` as `nobody`, each of which must succeed
/// and see the two reports on time; the state folder is left as it was.
fn read_only_commands_work(test: &str, root: &Path, inputs: &Path, state: &Path) {
    let before = listing(state);
    let Some(mut status) = unprivileged::tonghop(test) else { return };
    let output = status
        .args(["status", "--json", "--week", "2025-W37", "--inputs"])
        .arg(inputs)
        .arg("--state")
        .arg(state)
        .output()
        .expect("status");
    assert!(output.status.success(), "status: {}", String::from_utf8_lossy(&output.stderr));
    let board: Value = serde_json::from_slice(&output.stdout).expect("status --json");
    assert_eq!(board["submissions"]["on_time"], 2, "{board:#}");

    for (name, from_archive) in [("archive", true), ("inputs", false)] {
        let out = root.join(format!("out-{name}"));
        unprivileged::owned_by_nobody(&out);
        let Some(mut build) = unprivileged::tonghop(test) else { return };
        build.args(["build", "--json", "--weeks", "2025-W37", "--inputs"]).arg(inputs).arg("--state").arg(state);
        build.arg("--out").arg(&out);
        if from_archive {
            build.arg("--from-archive");
        }
        let output = build.output().expect("build");
        assert!(output.status.success(), "build from {name}: {}", String::from_utf8_lossy(&output.stderr));
        let report: Value = serde_json::from_slice(&output.stdout).expect("build --json");
        assert_eq!(report["on_time"], 2, "build from {name}: {report:#}");
    }
    assert_eq!(listing(state), before, "nothing created in the state folder");
}

#[test]
fn read_only_commands_work_on_a_state_folder_they_may_not_write() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (inputs, state) = received_state(tmp.path());
    assert!(!state.join("ledger.sqlite-shm").exists(), "no writer: no shared-memory file");
    read_only_commands_work("read_only_state", tmp.path(), &inputs, &state);
}

#[test]
fn read_only_commands_work_while_watch_holds_the_ledger() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (inputs, state) = received_state(tmp.path());
    // A writer, as `watch` is: its WAL and shared-memory files are root's.
    let writer = Ledger::open(&state).expect("ledger");
    assert!(writer.entries().expect("entries").len() == 2);
    read_only_commands_work("read_only_state (with a writer)", tmp.path(), &inputs, &state);
}

#[test]
fn a_missing_ledger_is_a_clear_error_for_a_rebuild_from_the_archive() {
    let tmp = tempfile::tempdir().expect("tmp");
    let state = tmp.path().join("state");
    std::fs::create_dir_all(&state).expect("mkdir");
    let output = common::run([
        "build".as_ref(),
        "--from-archive".as_ref(),
        "--state".as_ref(),
        state.as_os_str(),
        "--out".as_ref(),
        tmp.path().join("out").as_os_str(),
    ]);
    assert_eq!(output.code, 2, "{output:?}");
    assert!(output.stderr.contains("ledger.sqlite") && output.stderr.contains("no ledger"), "{}", output.stderr);
    assert!(!state.join("ledger.sqlite").exists(), "a read-only command creates nothing");
}
