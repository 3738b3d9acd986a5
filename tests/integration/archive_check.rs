//! Every read from the archive is checked against the hash the ledger recorded:
//! a copy replaced by other bytes, or lost, is reported on its file (`F012`)
//! and its bytes are never used; receiving the same version again repairs it.

use std::path::Path;

use chrono::TimeZone;
use serde_json::Value;
use tonghop::ledger::Ledger;
use tonghop::pipeline::{Arrival, Pipeline};

use crate::common::{self, Book};
use crate::read_only_state::received_state;

/// The archived copy of `01.xlsx`.
fn archived_copy_of_01(state: &Path) -> std::path::PathBuf {
    let ledger = Ledger::open_read_only(state).expect("ledger");
    let entry = ledger.entries().expect("entries").into_iter().find(|e| e.path == "01.xlsx").expect("01.xlsx");
    ledger.archive_path(&entry.sha256, "xlsx")
}

/// `build --from-archive` of 2025-W37: its `--json` summary and its data.json.
fn rebuild(root: &Path, state: &Path) -> (Value, Value) {
    let out = root.join("rebuilt");
    let output = common::run([
        "build".as_ref(),
        "--json".as_ref(),
        "--from-archive".as_ref(),
        "--weeks".as_ref(),
        "2025-W37".as_ref(),
        "--state".as_ref(),
        state.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(output.code, 0, "{output:?}");
    let data = std::fs::read(out.join("2025-W37/data.json")).expect("data.json");
    (serde_json::from_str(&output.stdout).expect("--json"), serde_json::from_slice(&data).expect("data.json"))
}

/// The report of `01.xlsx` in data.json: its status and its issues' codes and English messages.
fn file_01(data: &Value) -> (String, Vec<(String, String)>) {
    let file = data["files"].as_array().expect("files").iter().find(|f| f["path"] == "01.xlsx").expect("01.xlsx");
    let issues = data["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter(|i| i["file"] == "01.xlsx")
        .map(|i| {
            (i["issue"]["code"].as_str().unwrap_or("").into(), i["issue"]["message_en"].as_str().unwrap_or("").into())
        })
        .collect();
    (file["status"].as_str().unwrap_or("").into(), issues)
}

#[test]
fn an_archived_copy_replaced_by_other_bytes_is_reported_and_never_used() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_, state) = received_state(tmp.path());
    // Another unit's valid report put in place of Hà Nội's archived copy.
    std::fs::write(archived_copy_of_01(&state), Book::valid("48", "2025-W37").to_xlsx()).expect("tamper");

    let (summary, data) = rebuild(tmp.path(), &state);
    let (status, issues) = file_01(&data);
    assert_eq!(status, "rejected");
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].0, "F012");
    assert!(issues[0].1.contains("has changed"), "{}", issues[0].1);
    assert_eq!(summary["on_time"], 1, "only Huế's report counts: {summary:#}");
    let units: Vec<&Value> = data["files"].as_array().expect("files").iter().map(|f| &f["unit"]).collect();
    assert!(!units.contains(&&Value::from("48")), "the replacing bytes are never read: {units:?}");

    let status = common::run([
        "status".as_ref(),
        "--json".as_ref(),
        "--week".as_ref(),
        "2025-W37".as_ref(),
        "--state".as_ref(),
        state.as_os_str(),
    ]);
    assert_eq!(status.code, 0, "{status:?}");
    let board: Value = serde_json::from_str(&status.stdout).expect("status --json");
    assert_eq!(board["submissions"]["on_time"], 1, "{board:#}");
}

#[test]
fn a_lost_archived_copy_is_reported_on_its_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (_, state) = received_state(tmp.path());
    std::fs::remove_file(archived_copy_of_01(&state)).expect("lose the copy");
    let (summary, data) = rebuild(tmp.path(), &state);
    let (status, issues) = file_01(&data);
    assert_eq!((status.as_str(), issues[0].0.as_str()), ("rejected", "F012"), "{issues:?}");
    assert!(issues[0].1.contains("is missing"), "{}", issues[0].1);
    assert_eq!(summary["on_time"], 1);
}

#[test]
fn receiving_a_version_again_repairs_its_archived_copy() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (inputs, state) = received_state(tmp.path());
    let copy = archived_copy_of_01(&state);
    std::fs::write(&copy, b"damaged").expect("damage");
    // The same bytes arrive under another name.
    let again = inputs.join("01-again.xlsx");
    std::fs::copy(inputs.join("01.xlsx"), &again).expect("copy");
    let config = common::config();
    let lang = tonghop::language::Language::load(&[config.dir.as_path()], "vi").expect("Vietnamese");
    let mut ledger = Ledger::open(&state).expect("ledger");
    let received = config.calendar.timezone.with_ymd_and_hms(2025, 9, 8, 11, 0, 0).single().expect("time");
    let size = std::fs::metadata(&again).expect("again").len();
    let arrival =
        Arrival { inputs: &inputs, path: &again, display: "01-again.xlsx", size, received, judge_incomplete: true };
    Pipeline::new(config, lang, None).receive(&mut ledger, &tmp.path().join("out"), &arrival).expect("receive");
    assert_eq!(std::fs::read(&copy).expect("copy"), std::fs::read(inputs.join("01.xlsx")).expect("original"));
}
