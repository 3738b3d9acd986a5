//! Forms filled and saved by other programs: openpyxl fills a blank form,
//! LibreOffice Calc saves it as .xls and .ods, and every version is accepted
//! with the same figures. Without LibreOffice Calc or openpyxl the tests fail,
//! saying how to install them, unless `TONGHOP_SKIP_TOOL_TESTS=1` (see `common::tools`).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::tools::{Tool, install, tools_ready};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tonghop"))
}

/// Whether LibreOffice Calc and openpyxl are here (see `common::tools`).
fn tools_present(test: &str) -> bool {
    tools_ready(
        test,
        &[
            Tool::program("soffice", &["--version"], install::CALC),
            Tool::libreoffice_module("LibreOffice Calc", "libsclo.so", install::CALC),
            Tool::other(
                "python3 with openpyxl",
                Command::new("python3").args(["-c", "import openpyxl"]).output().is_ok_and(|o| o.status.success()),
                install::OPENPYXL,
            ),
        ],
    )
}

fn convert(files: &[PathBuf], format: &str, out: &Path, profile: &Path) {
    let status = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", format, "--outdir"])
        .arg(out)
        .args(files)
        .output()
        .expect("run soffice");
    assert!(status.status.success(), "soffice: {}", String::from_utf8_lossy(&status.stderr));
}

fn check(path: &Path) -> Value {
    let output = bin().arg("check").arg("--json").arg(path).output().expect("run check");
    serde_json::from_slice(&output.stdout).expect("json")
}

fn values(report: &Value) -> Vec<(String, Value)> {
    report["submission"]["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| (v["code"].as_str().unwrap_or("").to_string(), v["value"].clone()))
        .collect()
}

#[test]
fn form_filled_by_openpyxl_and_resaved_by_libreoffice_is_accepted_in_every_format() {
    if !tools_present("form_filled_by_openpyxl_and_resaved_by_libreoffice_is_accepted_in_every_format") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let blank = tmp.path().join("blank.xlsx");
    let status = bin()
        .args(["form", "--type", "province", "--unit", "38", "--week", "2025-W37", "-o"])
        .arg(&blank)
        .status()
        .expect("form");
    assert!(status.success());
    let filled_dir = tmp.path().join("filled");
    std::fs::create_dir(&filled_dir).expect("mkdir");
    let filled = filled_dir.join("38-thanh-hoa.xlsx");
    let fill = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fill_form.py"))
        .arg(&blank)
        .arg(&filled)
        .output()
        .expect("python3");
    assert!(fill.status.success(), "{}", String::from_utf8_lossy(&fill.stderr));
    let profile = tmp.path().join("lo-profile");
    convert(std::slice::from_ref(&filled), "xls", &filled_dir, &profile);
    convert(std::slice::from_ref(&filled), "ods", &filled_dir, &profile);

    let result = check(&filled_dir);
    let files = result["files"].as_array().expect("files");
    assert_eq!(files.len(), 3, "{result:#}");
    let reference = values(&files[0]);
    for f in files {
        assert_eq!(f["status"], "accepted", "{f:#}");
        assert_eq!(f["unit"], "38");
        assert_eq!(values(f), reference, "{} reads differently", f["file"]["path"]);
    }
    let b01 = reference.iter().find(|(c, _)| c == "B01").expect("B01");
    assert_eq!(b01.1["value"], 24310.0, "Vietnamese text number read as a number");
    let f03 = reference.iter().find(|(c, _)| c == "F03").expect("F03");
    assert_eq!(f03.1["value"], 12345.5);
}

#[test]
fn generated_reports_survive_a_libreoffice_round_trip() {
    if !tools_present("generated_reports_survive_a_libreoffice_round_trip") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let sample = tmp.path().join("sample");
    assert!(bin().arg("sample").arg("-o").arg(&sample).status().expect("sample").success());
    let originals: Vec<PathBuf> =
        ["2025-W37/BNV-noi-vu.xlsx", "2025-W37/NHNN-ngan-hang-nha-nuoc.xlsx", "2025-W38/01-ha-noi.xlsx"]
            .iter()
            .map(|p| sample.join(p))
            .filter(|p| p.exists())
            .collect();
    assert_eq!(originals.len(), 3, "sample names changed");
    let out = tmp.path().join("converted");
    std::fs::create_dir(&out).expect("mkdir");
    let profile = tmp.path().join("lo-profile");
    convert(&originals, "ods", &out, &profile);
    convert(&originals, "xls", &out, &profile);
    for original in &originals {
        let expected = values(&check(original)["files"][0]);
        let stem = original.file_stem().and_then(|s| s.to_str()).expect("stem");
        for ext in ["ods", "xls"] {
            let converted = out.join(format!("{stem}.{ext}"));
            let report = &check(&converted)["files"][0];
            assert_eq!(report["status"], "accepted", "{report:#}");
            assert_eq!(values(report), expected, "{}", converted.display());
        }
    }
}
