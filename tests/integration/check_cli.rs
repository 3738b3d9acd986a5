//! End-to-end checks of the `tonghop check` command line: exit statuses,
//! configuration errors with file and line, the human output (codes and
//! `Sheet!Cell` locations, Vietnamese or English) and the `--json` shape.

use crate::common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A folder with the given books written into it.
fn folder(books: &[(&str, &Book)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, book) in books {
        book.write(dir.path(), name);
    }
    dir
}

fn with_bad_b01() -> Book {
    let mut b = Book::province();
    b.set_value("B01", "abc");
    b
}

fn with_warning() -> Book {
    let mut b = Book::province();
    b.set_value("G03", num(4.0)); // G03 ≤ G02 = 3 is a warning rule
    b
}

fn check_human(paths: &[&Path], lang: Option<&str>) -> Output {
    let mut args: Vec<String> = Vec::new();
    if let Some(lang) = lang {
        args.push("--lang".into());
        args.push(lang.into());
    }
    args.push("check".into());
    args.extend(paths.iter().map(|p| p.display().to_string()));
    run(args)
}

// ===========================================================================
// Exit statuses
// ===========================================================================

#[test]
fn exit_0_when_every_file_is_accepted() {
    let dir = folder(&[("38.xlsx", &Book::province()), ("bnv.xlsx", &Book::ministry())]);
    // On a folder, files accepted without remark are counted, not listed…
    let out = check_human(&[dir.path()], None);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(out.stdout.contains("✔ 2 tệp được tiếp nhận, không có vấn đề"), "{}", out.stdout);
    assert!(!out.stdout.contains("✔ 38.xlsx"), "{}", out.stdout);
    // …and listed with -v, or when named one by one.
    let verbose = run(["check", "-v", dir.path().to_str().expect("path")]);
    assert!(verbose.stdout.contains("✔ 38.xlsx — Tiếp nhận (38 Thanh Hóa, 2025-W37)"), "{}", verbose.stdout);
    assert!(verbose.stdout.contains("✔ bnv.xlsx — Tiếp nhận (BNV Nội vụ, 2025-W37)"), "{}", verbose.stdout);
    let named = check_human(&[&dir.path().join("38.xlsx")], None);
    assert!(named.stdout.contains("38.xlsx — Tiếp nhận (38 Thanh Hóa"), "{}", named.stdout);
}

#[test]
fn check_on_a_folder_names_the_rejected_files_at_the_end() {
    let dir = folder(&[("38.xlsx", &with_bad_b01()), ("bnv.xlsx", &Book::ministry())]);
    let out = check_human(&[dir.path()], None);
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "the rejection (2 lines), the count, the rejected files, the total:\n{}", out.stdout);
    assert_eq!(lines[3], "Tệp bị từ chối: 38.xlsx.");
}

#[test]
fn exit_0_when_files_only_have_warnings() {
    let dir = folder(&[("38.xlsx", &with_warning())]);
    let out = check_human(&[dir.path()], None);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(out.stdout.contains("[X001] Cảnh báo Chỉ tiêu!"), "{}", out.stdout);
}

#[test]
fn exit_1_when_some_file_is_rejected() {
    let dir = folder(&[("38.xlsx", &with_bad_b01()), ("bnv.xlsx", &Book::ministry())]);
    let out = check_human(&[dir.path()], None);
    assert_eq!(out.code, 1, "{out:#?}");
    let (code, _) = check_json_raw(&[dir.path()]);
    assert_eq!(code, 1, "--json gives the same exit status");
}

#[test]
fn exit_1_for_a_file_that_is_not_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("x.xlsx"), b"ma,so lieu\nB01,1\n", default_received());
    assert_eq!(check_human(&[dir.path()], None).code, 1);
}

#[test]
fn exit_2_without_paths() {
    let out = run(["check"]);
    assert_eq!(out.code, 2, "{out:#?}");
}

#[test]
fn exit_2_for_an_unknown_option() {
    let out = run(["check", "--frobnicate", "inputs"]);
    assert_eq!(out.code, 2, "{out:#?}");
}

#[test]
fn exit_2_when_the_config_folder_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("khong-co");
    let out = run([OsArg::from("--config"), missing.as_os_str().into(), "check".into(), dir.path().as_os_str().into()]);
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("units.toml"), "names the file it could not read: {}", out.stderr);
}

#[test]

fn exit_2_for_a_path_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("khong-co.xlsx");
    let out = check_human(&[&missing], None);
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("khong-co.xlsx"), "{}", out.stderr);
}

#[test]
fn empty_folder_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = check_human(&[dir.path()], None);
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(out.stderr.contains("không tìm thấy tệp nào"), "{}", out.stderr);
}

// ===========================================================================
// Broken configuration: exit 2, with the file and line
// ===========================================================================

type OsArg = std::ffi::OsString;

use common::copy_dir;

/// Copies `report_templates/` to a temporary folder, replaces the `nth`
/// (0-based) occurrence of `from` by `to` in `schema.toml`, and returns the
/// folder and the 1-based line of the replacement.
fn broken_schema(from: &str, to: &str, nth: usize) -> (tempfile::TempDir, PathBuf, usize) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("report_templates");
    copy_dir(&crate_dir().join("report_templates"), &config);
    let path = config.join("schema.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let (offset, _) = text.match_indices(from).nth(nth).unwrap_or_else(|| panic!("{from:?} occurs {} times", nth + 1));
    let line = text[..offset].matches('\n').count() + 1;
    let broken = format!("{}{}{}", &text[..offset], to, &text[offset + from.len()..]);
    std::fs::write(&path, broken).unwrap();
    (dir, config, line)
}

/// Runs `check` with the broken configuration and asserts exit 2 with `schema.toml:LINE` and `word` on stderr.
fn assert_config_error(config: &Path, line: usize, word: &str) {
    let inputs = folder(&[("38.xlsx", &Book::province())]);
    let out =
        run([OsArg::from("--config"), config.as_os_str().into(), "check".into(), inputs.path().as_os_str().into()]);
    assert_eq!(out.code, 2, "{out:#?}");
    let expected = format!("schema.toml:{line}");
    assert!(out.stderr.contains(&expected), "stderr names {expected}: {}", out.stderr);
    assert!(out.stderr.contains(word), "stderr mentions {word:?}: {}", out.stderr);
    assert!(out.stdout.is_empty(), "no verdicts with a broken config: {}", out.stdout);
}

#[test]
fn config_unknown_aggregation_kind() {
    let (_dir, config, line) = broken_schema(r#"kind = "flow""#, r#"kind = "flw""#, 2);
    assert_config_error(&config, line, "flw");
}

#[test]
fn config_duplicate_criterion_code() {
    // The second criterion (A02) is renamed A01: the error is on the duplicate's line.
    let (_dir, config, line) = broken_schema(r#"code = "A02""#, r#"code = "A01""#, 0);
    assert_config_error(&config, line, "A01");
}

#[test]
fn config_rule_naming_an_unknown_code() {
    let (_dir, config, line) = broken_schema(r#"left = "B03""#, r#"left = "B33""#, 0);
    assert_config_error(&config, line, "B33");
}

#[test]
fn config_reported_by_a_unit_type_nobody_has() {
    let (_dir, config, line) = broken_schema(r#"reported_by = ["province"]"#, r#"reported_by = ["provine"]"#, 0);
    assert_config_error(&config, line, "provine");
}

#[test]
fn config_toml_syntax_error() {
    let (_dir, config, line) = broken_schema(r#"code = "C03""#, r#"code = "C03"#, 0);
    assert_config_error(&config, line, "");
}

// ===========================================================================
// Resource limits set by the administrator (limits.toml)
// ===========================================================================

/// Copies `report_templates/` to a temporary folder with `limits` as its `limits.toml`.
fn config_with_limits(limits: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("report_templates");
    copy_dir(&crate_dir().join("report_templates"), &config);
    std::fs::write(config.join("limits.toml"), limits).unwrap();
    (dir, config)
}

/// Runs `check --json` on `paths` with the configuration folder `config`.
fn check_json_with(config: &Path, paths: &[&Path]) -> (i32, Vec<Report>) {
    let mut args: Vec<OsArg> = vec!["--config".into(), config.as_os_str().into(), "check".into(), "--json".into()];
    args.extend(paths.iter().map(|p| p.as_os_str().to_os_string()));
    let out = run(args);
    let json: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("JSON ({e}): {out:#?}"));
    let files = json["files"].as_array().expect("files").iter().cloned().map(|json| Report { json }).collect();
    (out.code, files)
}

#[test]
fn limits_file_max_file_size_rejects_a_normal_sample_file() {
    let sample = crate_dir().join("inputs/2025-W37/01-ha-noi.xlsx");
    let size = std::fs::metadata(&sample).unwrap().len();
    assert!(size > 16 * 1024, "the sample file is over 16 KB ({size} bytes)");

    let (_dir, bundled) = config_with_limits("# nothing set: the defaults\n");
    let (code, reports) = check_json_with(&bundled, &[&sample]);
    assert_eq!(code, 0, "accepted under the default limits");
    assert_status(&reports[0], "accepted");

    let (_dir, tiny) = config_with_limits("# 16 KB\nmax_file_mb = 0.015625\n");
    let (code, reports) = check_json_with(&tiny, &[&sample]);
    assert_eq!(code, 1);
    let r = &reports[0];
    let issue = assert_issue(r, "F006", None, None);
    assert_codes(r, &["F006"]);
    assert_status(r, "rejected");
    assert_eq!(issue.file, sample.display().to_string());
    assert!(
        issue.message_en.contains(&format!("The file is {size} bytes, over the limit of 16 KB (16384 bytes)")),
        "{issue:?}"
    );
    assert!(issue.message_vi.contains("vượt giới hạn 16 KB (16384 byte)"), "{issue:?}");
}

#[test]
fn limits_file_max_rows_points_at_the_farthest_cell_of_the_sheet() {
    let book = Book::province();
    let max_rows = 10;
    let contract = [INFO, CRITERIA, TASKS, NARRATIVE];
    // The contract sheets are read in file order; the first one past the limit stops the file.
    let (sheet, (row, col)) = book
        .sheets
        .iter()
        .filter(|s| contract.contains(&s.name.as_str()))
        .map(|s| (s.name.clone(), s.extent()))
        .find(|(_, (row, _))| *row >= max_rows)
        .expect("a contract sheet over 10 rows");
    let dir = folder(&[("38.xlsx", &book)]);
    let (_config_dir, config) = config_with_limits(&format!("max_rows = {max_rows}\n"));
    let (code, reports) = check_json_with(&config, &[&dir.path().join("38.xlsx")]);
    assert_eq!(code, 1);
    let r = &reports[0];
    let issue = assert_issue(r, "F008", Some(&sheet), Some(&a1(row, col)));
    assert_codes(r, &["F008"]);
    assert_status(r, "rejected");
    assert!(issue.message_en.contains(&format!("beyond the limit of {max_rows} rows × 200 columns")), "{issue:?}");
}

#[test]
fn limits_file_applies_to_build() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = tmp.path().join("inputs");
    std::fs::create_dir(&inputs).unwrap();
    let sample = inputs.join("01-ha-noi.xlsx");
    std::fs::copy(crate_dir().join("inputs/2025-W39/01-ha-noi.xlsx"), &sample).unwrap();
    let out = tmp.path().join("outputs");
    let (_dir, config) = config_with_limits("max_file_mb = 0.015625\n");
    let run_out = run([
        OsArg::from("--config"),
        config.as_os_str().into(),
        "build".into(),
        "--json".into(),
        "--weeks".into(),
        "2025-W39".into(),
        "--inputs".into(),
        inputs.as_os_str().into(),
        "--out".into(),
        out.as_os_str().into(),
        "--state".into(),
        tmp.path().join("state").as_os_str().into(),
    ]);
    assert_eq!(run_out.code, 0, "{run_out:#?}");
    let report: Value = serde_json::from_str(&run_out.stdout).expect("build --json");
    let data_path = out.join(report["cycle"].as_str().expect("cycle")).join("data.json");
    let data: Value = serde_json::from_slice(&std::fs::read(data_path).unwrap()).unwrap();
    let file = data["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == "01-ha-noi.xlsx")
        .unwrap_or_else(|| panic!("the file is listed: {}", data["files"]));
    assert_eq!(file["status"], "rejected", "{file}");
    let issues: Vec<&Value> =
        data["issues"].as_array().expect("issues").iter().filter(|i| i["file"] == "01-ha-noi.xlsx").collect();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0]["issue"]["code"], "F006");
    assert_eq!(issues[0]["issue"]["location"], serde_json::json!({"file": "01-ha-noi.xlsx"}));
}

// ===========================================================================
// Human output
// ===========================================================================

#[test]
fn human_output_has_codes_and_sheet_cell_locations_in_vietnamese() {
    let dir = folder(&[("38.xlsx", &with_bad_b01())]);
    let out = check_human(&[dir.path()], None);
    assert_eq!(out.code, 1);
    let line =
        out.stdout.lines().find(|l| l.contains("[V002]")).unwrap_or_else(|| panic!("a V002 line: {}", out.stdout));
    assert!(line.contains("Lỗi Chỉ tiêu!D8:"), "{line}");
    assert!(line.contains("không phải là số"), "{line}");
    assert!(line.contains("→"), "with a hint: {line}");
    assert!(out.stdout.contains("✘ 38.xlsx — Từ chối"), "{}", out.stdout);
    assert!(
        out.stdout.contains("Tổng cộng 1 tệp: 0 tiếp nhận, 0 tiếp nhận có cảnh báo, 1 từ chối, 0 bỏ qua."),
        "{}",
        out.stdout
    );
}

#[test]
fn human_output_in_english() {
    let dir = folder(&[("38.xlsx", &with_bad_b01()), ("bnv.xlsx", &Book::ministry())]);
    let out = check_human(&[dir.path()], Some("en"));
    assert_eq!(out.code, 1);
    let line =
        out.stdout.lines().find(|l| l.contains("[V002]")).unwrap_or_else(|| panic!("a V002 line: {}", out.stdout));
    assert!(line.contains("error Chỉ tiêu!D8:"), "{line}");
    assert!(line.contains("is not a number"), "{line}");
    assert!(!line.contains("không phải là số"), "{line}");
    assert!(out.stdout.contains("✘ 38.xlsx — rejected"), "{}", out.stdout);
    assert!(out.stdout.contains("✔ 1 files accepted without remark"), "{}", out.stdout);
    assert!(out.stdout.contains("Rejected files: 38.xlsx."), "{}", out.stdout);
    assert!(
        out.stdout.contains("2 files: 1 accepted, 0 accepted with warnings, 1 rejected, 0 ignored."),
        "{}",
        out.stdout
    );
}

#[test]
fn human_output_for_file_level_and_ignored_issues() {
    let dir = tempfile::tempdir().unwrap();
    write_file(&dir.path().join("a.xlsx"), b"", default_received());
    write_file(&dir.path().join("~$a.xlsx"), b"lock", default_received());
    let out = check_human(&[dir.path()], Some("en"));
    assert!(out.stdout.contains("✘ a.xlsx — rejected"), "{}", out.stdout);
    assert!(out.stdout.contains("[F005] error The file is empty"), "no location prefix: {}", out.stdout);
    assert!(out.stdout.contains("- ~$a.xlsx — ignored"), "{}", out.stdout);
    assert!(out.stdout.contains("[I001]"), "{}", out.stdout);
}

// ===========================================================================
// JSON output
// ===========================================================================

#[test]
fn json_output_shape() {
    let dir =
        folder(&[("a-38.xlsx", &with_bad_b01()), ("b-bnv.xlsx", &Book::ministry()), ("c-38.xlsx", &with_warning())]);
    write_file(&dir.path().join("d.txt"), b"notes", default_received());
    let (code, json) = check_json_raw(&[dir.path()]);
    assert_eq!(code, 1);
    assert_eq!(json["schema_version"], "1.0");
    let files = json["files"].as_array().expect("files array");
    let paths: Vec<&str> = files.iter().map(|f| f["file"]["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["a-38.xlsx", "b-bnv.xlsx", "c-38.xlsx", "d.txt"], "stable order");
    let statuses: Vec<&str> = files.iter().map(|f| f["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["rejected", "accepted", "accepted_with_warnings", "ignored"]);
    assert_eq!(
        json["summary"],
        serde_json::json!({"accepted": 1, "accepted_with_warnings": 1, "rejected": 1, "ignored": 1})
    );

    let rejected = &files[0];
    assert_eq!(rejected["format"], "xlsx");
    assert_eq!(rejected["unit"], "38");
    assert_eq!(rejected["week"], serde_json::json!({"due": "2025-09-08", "from": "2025-08-30", "to": "2025-09-05"}));
    assert!(rejected["submission"].is_null(), "no submission for a rejected file");
    let issue = &rejected["issues"][0];
    assert_eq!(issue["code"], "V002");
    assert_eq!(issue["severity"], "error");
    assert_eq!(issue["location"], serde_json::json!({"file": "a-38.xlsx", "sheet": "Chỉ tiêu", "cell": "D8"}));
    for key in ["message_vi", "message_en", "hint_vi", "hint_en"] {
        assert!(issue[key].as_str().is_some_and(|s| !s.is_empty()), "{key} in {issue}");
    }

    let accepted = &files[1];
    assert_eq!(accepted["file"]["received"], "2025-09-08T10:00:00+07:00", "mtime in Vietnam time");
    let bytes = std::fs::read(dir.path().join("b-bnv.xlsx")).unwrap();
    let sha: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(accepted["file"]["sha256"], sha.as_str());
    assert_eq!(accepted["file"]["size"], bytes.len());
    let sub = &accepted["submission"];
    assert_eq!(sub["unit"], "BNV");
    assert_eq!(sub["form_version"], "1.0");
    assert_eq!(sub["contacts"]["prepared_by"], "Nguyễn Thị Minh Anh");
    let a01 = sub["values"].as_array().unwrap().iter().find(|v| v["code"] == "A01").unwrap();
    assert_eq!(
        a01,
        &serde_json::json!({"code": "A01", "value": {"type": "number", "value": 3.0}, "source": {"sheet": "Chỉ tiêu", "cell": "D5"}})
    );

    let ignored = &files[3];
    assert_eq!(ignored["issues"][0]["code"], "I004");
    assert_eq!(ignored["issues"][0]["severity"], "info");
}

#[test]
fn json_does_not_depend_on_lang() {
    let dir = folder(&[("38.xlsx", &with_bad_b01())]);
    let vi = run([OsArg::from("check"), "--json".into(), dir.path().as_os_str().into()]);
    let en = run([OsArg::from("--lang"), "en".into(), "check".into(), "--json".into(), dir.path().as_os_str().into()]);
    let parse = |s: &str| serde_json::from_str::<Value>(s).expect("JSON");
    assert_eq!(parse(&vi.stdout), parse(&en.stdout));
}

#[test]
fn same_inputs_give_the_same_json() {
    let dir = folder(&[("a.xlsx", &with_bad_b01()), ("b.xlsx", &Book::ministry()), ("c.xlsx", &with_warning())]);
    let first = run([OsArg::from("check"), "--json".into(), dir.path().as_os_str().into()]);
    let second = run([OsArg::from("check"), "--json".into(), dir.path().as_os_str().into()]);
    assert_eq!(first.stdout, second.stdout);
}

// ===========================================================================
// The generated form, checked as a reporter would leave it
// ===========================================================================

#[test]

fn blank_generated_form_points_at_the_empty_input_cells() {
    let dir = tempfile::tempdir().unwrap();
    let form = dir.path().join("bieu-mau.xlsx");
    let out = run([OsArg::from("form"), "--type".into(), "province".into(), "--out".into(), form.as_os_str().into()]);
    assert_eq!(out.code, 0, "{out:#?}");
    set_mtime(&form, default_received());
    let r = check_file(&form);
    // The generated form has labels in A and inputs in B, from row 4 (B3 is the unit type).
    assert_issue(&r, "M001", Some(INFO), Some("B4"));
    assert_issue(&r, "M004", Some(INFO), Some("B5"));
    assert_issue(&r, "M004", Some(INFO), Some("B6"));
    assert_issue(&r, "M010", Some(INFO), Some("B7"));
    assert_issue(&r, "M010", Some(INFO), Some("B10"));
    // The unit is unknown, but the form says it is a province's: every value and
    // every task of a province is owed, and said so in the same round.
    let note = assert_issue_sev(&r, "M014", "info", Some(INFO), Some("B3"));
    assert!(note.message_en.contains("Province or centrally-run city"), "{note}");
    let config = common::config();
    let province = tonghop::schema::UnitType("province".into());
    let criteria = config.schema.criteria_for(&province).filter(|c| c.required).count();
    let tasks = config.schema.tasks.iter().filter(|t| t.assigned_to_every_unit_of(Some(&province))).count();
    let mut codes = vec!["M001", "M004", "M004", "M010", "M010", "M014"];
    codes.extend(std::iter::repeat_n("V001", criteria));
    codes.extend(std::iter::repeat_n("T003", tasks));
    assert_codes(&r, &codes);
    assert_status(&r, "rejected");
}

#[test]
fn a_report_in_another_weeks_folder_is_said_with_both_weeks() {
    let dir = tempfile::tempdir().expect("tmp");
    let folder = dir.path().join("2025-W40");
    std::fs::create_dir_all(&folder).expect("week folder");
    // The fixture's period is 2025-W37; dropped in the folder of 2025-W40.
    Book::province().write(&folder, "38.xlsx");
    Book::province().write(dir.path(), "38-o-goc.xlsx");
    let reports = check_json(&[dir.path()]);
    let moved = reports.iter().find(|r| r.path().ends_with("2025-W40/38.xlsx")).expect("the moved report");
    let issue = assert_issue_sev(moved, "M012", "warning", Some(INFO), None);
    assert!(issue.message_vi.contains("2025-W40") && issue.message_vi.contains("2025-W37"), "{issue}");
    assert_status(moved, "accepted_with_warnings");
    let at_root = reports.iter().find(|r| r.path().ends_with("38-o-goc.xlsx")).expect("the report at the root");
    assert!(!at_root.issues().iter().any(|i| i.code == "M012"), "a file outside week folders is not judged by them");
}

#[test]
fn a_report_in_another_units_folder_is_refused_naming_both() {
    let dir = tempfile::tempdir().expect("tmp");
    for folder in ["01 - Hà Nội", "38 - Thanh Hóa", "BNV"] {
        std::fs::create_dir_all(dir.path().join(folder)).expect("unit folder");
    }
    // Thanh Hóa's report (the fixture's unit) in Hà Nội's folder, and in its own.
    Book::province().write(&dir.path().join("01 - Hà Nội"), "bc.xlsx");
    Book::province().write(&dir.path().join("38 - Thanh Hóa"), "bc.xlsx");
    Book::ministry().write(&dir.path().join("BNV"), "bc.xlsx");
    let reports = check_json(&[dir.path()]);
    let wrong = reports.iter().find(|r| r.path().starts_with("01 - Hà Nội/")).expect("the report in Hà Nội's folder");
    let issue = assert_issue(wrong, "M013", Some(INFO), None);
    assert!(issue.message_vi.contains("01 Hà Nội") && issue.message_vi.contains("38 Thanh Hóa"), "{issue}");
    assert_status(wrong, "rejected");
    for own in ["38 - Thanh Hóa/", "BNV/"] {
        let r = reports.iter().find(|r| r.path().starts_with(own)).expect("a report in its own folder");
        assert!(!r.issues().iter().any(|i| i.code == "M013"), "{own}");
    }
}
