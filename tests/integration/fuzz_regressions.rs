//! Every input the fuzzer (`fuzz/`, see `fuzz/README.md`) found harmful is kept
//! in `fuzz/regressions/` and checked here, by the real binary in a separate
//! process: an abort (out of memory, stack overflow) would kill it, so the run
//! finishing with a verdict for each file is the test.

use crate::common;

use std::process::Command;

use common::*;

/// The expected code of each regression file (by name); the others must simply be rejected.
const EXPECTED: [(&str, &str); 2] = [
    // A mutated .ods whose content.xml breaks off (more bytes than declared)
    // after a `<text:s text:c="2000000000"/>`: calamine expanded the spaces
    // (2 GB) before noticing the damage; the scan now refuses the entry.
    ("ods-text-s-bomb-behind-a-damaged-zip-entry.ods", "F005"),
    // A mutated .xls with a BoundSheet8 record too short for calamine, which
    // indexes past its end: a panic inside calamine, caught (F010).
    ("calamine-xls-boundsheet-short-record.xls", "F010"),
];

#[test]
fn fuzzer_findings_are_rejected_without_harm() {
    let dir = crate_dir().join("fuzz/regressions");
    let out = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(["check", "--json"])
        .arg(&dir)
        .current_dir(crate_dir())
        .output()
        .expect("tonghop runs");
    assert!(
        out.status.code().is_some(),
        "tonghop was killed by a signal on fuzz/regressions: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json output");
    let reports: Vec<Report> = json["files"].as_array().unwrap().iter().map(|j| Report { json: j.clone() }).collect();
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !n.starts_with('.') && n != "README.md")
        .collect();
    for name in &files {
        let r = reports.iter().find(|r| r.path() == name).unwrap_or_else(|| panic!("{name} is reported"));
        assert_status(r, "rejected");
        let codes: Vec<String> = r.issues().into_iter().map(|i| i.code).collect();
        assert!(codes.iter().all(|c| c.starts_with('F')), "{name}: {codes:?}");
        if let Some((_, code)) = EXPECTED.iter().find(|(n, _)| n == name) {
            assert_eq!(codes, [code.to_string()], "{name}");
        }
    }
    assert!(EXPECTED.iter().all(|(n, _)| files.iter().any(|f| f == n)), "every listed regression file is there");
}
