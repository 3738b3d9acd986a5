//! End-to-end: `tonghop build` on generated report files, checked against
//! hand-computed figures, provenance down to the cells, and byte-identical reruns.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, open_workbook_auto};
use chrono::{NaiveDate, TimeZone};
use serde_json::Value;
use tonghop::form::{Fill, FillValue, FormRequest, NarrativeFill, TaskFill, write_form};
use tonghop::model::TaskStatus;
use tonghop::schema::Config;

fn config() -> Config {
    Config::load(Path::new("report_templates")).expect("bundled config")
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tonghop"))
}

/// A complete, valid fill for a unit: zeros and "no" everywhere, every assigned
/// task in progress, then the given values and task statuses on top.
fn fill(config: &Config, unit: &str, values: &[(&str, f64)], tasks: &[(&str, TaskStatus, Option<NaiveDate>)]) -> Fill {
    let u = config.units.get(unit).expect("unit");
    let mut fill = Fill::default();
    fill.contacts.prepared_by = Some("Nguyễn Văn An".into());
    fill.contacts.approved_by = Some("Trần Thị Bình".into());
    for c in config.schema.criteria_for(&u.unit_type) {
        let v = if c.is_numeric() { FillValue::Number(0.0) } else { FillValue::YesNo(false) };
        fill.values.insert(c.code.clone(), v);
    }
    for (code, v) in values {
        let c = config.schema.criterion(code).expect("criterion");
        let v = if c.is_numeric() { FillValue::Number(*v) } else { FillValue::YesNo(*v > 0.0) };
        fill.values.insert(code.to_string(), v);
    }
    for t in config.schema.tasks.iter().filter(|t| t.assigned_to(&u.code, &u.unit_type)) {
        fill.tasks.insert(t.code.clone(), TaskFill { status: TaskStatus::InProgress, completed_on: None, note: None });
    }
    for (code, status, done) in tasks {
        fill.tasks.insert(code.to_string(), TaskFill { status: *status, completed_on: *done, note: None });
    }
    fill
}

/// Writes a filled report and sets its modification time (the received time).
fn write(
    config: &Config,
    dir: &Path,
    unit: &str,
    week: &str,
    fill: &Fill,
    received: (i32, u32, u32, u32, u32),
) -> PathBuf {
    let u = config.units.get(unit).expect("unit");
    let w = config.calendar.week_by_label(week).expect("week");
    let bytes =
        write_form(config, &FormRequest { unit_type: &u.unit_type, unit: Some(u), week: Some(w), fill: Some(fill) })
            .expect("form");
    let path = dir.join(format!("{week}-{unit}.xlsx"));
    std::fs::write(&path, bytes).expect("write");
    let (y, mo, d, h, mi) = received;
    let t = config.calendar.timezone.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("time");
    let file = std::fs::OpenOptions::new().write(true).open(&path).expect("open");
    file.set_modified(t.with_timezone(&chrono::Utc).into()).expect("mtime");
    path
}

/// The inputs of the hand-computed example (meeting of 2/10/2025: weeks W39 and W40).
fn example_inputs(dir: &Path) {
    let config = config();
    let done = NaiveDate::from_ymd_opt(2025, 6, 25);
    // Hà Nội, both weeks on time.
    let hn39 = fill(
        &config,
        "01",
        &[
            ("B01", 1000.0),
            ("B02", 800.0),
            ("B03", 700.0),
            ("D01", 500.0),
            ("D03", 300.0),
            ("D02", 400.0),
            ("H01", 1.0),
        ],
        &[("NV01", TaskStatus::Completed, done)],
    );
    write(&config, dir, "01", "2025-W39", &hn39, (2025, 9, 22, 9, 0));
    let mut hn40 = fill(
        &config,
        "01",
        &[
            ("B01", 1200.0),
            ("B02", 1000.0),
            ("B03", 900.0),
            ("D01", 520.0),
            ("D02", 420.0),
            ("D03", 320.0),
            ("H01", 1.0),
        ],
        &[("NV01", TaskStatus::Completed, done)],
    );
    hn40.narrative.push(NarrativeFill {
        kind: "proposal".into(),
        field: "finance".into(),
        text: "Đề nghị bổ sung kinh phí <b>gấp</b>".into(),
        addressee: Some("Bộ Tài chính".into()),
    });
    write(&config, dir, "01", "2025-W40", &hn40, (2025, 9, 29, 16, 59));
    // TP. Hồ Chí Minh: W39 only, on Tuesday (late), nothing for W40; NV01 not started (overdue).
    let hcm = fill(
        &config,
        "79",
        &[("B01", 3000.0), ("B02", 2000.0), ("B03", 600.0), ("D01", 800.0), ("D02", 700.0), ("D03", 600.0)],
        &[("NV01", TaskStatus::NotStarted, None)],
    );
    write(&config, dir, "79", "2025-W39", &hcm, (2025, 9, 23, 8, 30));
    // Bộ Nội vụ, both weeks; NV03 (by 30/6/2025) not started: 92 days overdue at the cut-off 30/9.
    let bnv = |b01: f64, d01: f64| {
        fill(
            &config,
            "BNV",
            &[("B01", b01), ("B03", 50.0), ("D01", d01), ("D02", 30.0), ("D03", 20.0)],
            &[("NV03", TaskStatus::NotStarted, None)],
        )
    };
    write(&config, dir, "BNV", "2025-W39", &bnv(100.0, 40.0), (2025, 9, 22, 10, 0));
    write(&config, dir, "BNV", "2025-W40", &bnv(100.0, 45.0), (2025, 9, 29, 10, 0));
    // Previous cycle for the comparison: Hà Nội W38 only.
    let hn38 = fill(
        &config,
        "01",
        &[("B01", 900.0), ("B03", 600.0), ("D01", 480.0), ("D02", 380.0), ("D03", 280.0)],
        &[("NV01", TaskStatus::Completed, done)],
    );
    write(&config, dir, "01", "2025-W38", &hn38, (2025, 9, 15, 9, 0));
    // A file that is not a workbook at all.
    std::fs::write(dir.join("ghi-chu.xlsx"), b"day khong phai bang tinh").expect("write");
}

fn run_build(inputs: &Path, out: &Path, extra: &[&str], threads: Option<&str>) -> Value {
    let mut cmd = bin();
    cmd.args(["build", "--json", "--meeting", "2025-10-02", "--inputs"]).arg(inputs).arg("--out").arg(out).args(extra);
    if let Some(n) = threads {
        cmd.env("RAYON_NUM_THREADS", n);
    }
    let output = cmd.output().expect("run build");
    assert!(output.status.success(), "build failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("build --json")
}

fn figure<'v>(data: &'v Value, code: &str) -> &'v Value {
    data["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["figures"].as_array().into_iter().flatten())
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no figure {code}"))
}

#[test]
fn build_matches_hand_computed_figures() {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = tmp.path().join("inputs");
    std::fs::create_dir(&inputs).expect("mkdir");
    example_inputs(&inputs);
    let out = tmp.path().join("outputs");
    let report = run_build(&inputs, &out, &[], None);
    assert_eq!(report["cycle"], "2025-10-02");
    assert_eq!(report["weeks"], serde_json::json!(["2025-W39", "2025-W40"]));
    let dir = out.join("2025-10-02");
    let data: Value = serde_json::from_slice(&std::fs::read(dir.join("data.json")).expect("data.json")).expect("json");

    // Flow: 1000 + 1200 (Hà Nội) + 3000 (HCM, one week) + 100 + 100 (BNV).
    let b01 = figure(&data, "B01");
    assert_eq!(b01["value"], 5400.0);
    assert_eq!(b01["coverage"]["reported"], 3);
    assert_eq!(b01["coverage"]["expected"], 48);
    assert_eq!(b01["coverage"]["partial_units"], serde_json::json!(["79"]));
    // Previous cycle (W37, W38): Hà Nội's 900 only.
    assert_eq!(b01["previous"], 900.0);
    assert_eq!(b01["change"], 4500.0);
    // Stock: latest week per unit: 520 + 800 + 45.
    assert_eq!(figure(&data, "D01")["value"], 1365.0);
    // Ratio from aggregates: B03 = 700 + 900 + 600 + 50 + 50 = 2300 over 5400.
    let r01 = data["ratios"].as_array().expect("ratios").iter().find(|r| r["code"] == "R01").expect("R01");
    assert_eq!((r01["numerator"].as_f64(), r01["denominator"].as_f64()), (Some(2300.0), Some(5400.0)));
    // R02 = B02/B01 over provinces only: (800 + 1000 + 2000) / (1000 + 1200 + 3000).
    let r02 = data["ratios"].as_array().expect("ratios").iter().find(|r| r["code"] == "R02").expect("R02");
    assert!((r02["value"].as_f64().expect("R02") - 3800.0 / 5200.0).abs() < 1e-12);
    // Status: Hà Nội yes, HCM no, 32 provinces not reported.
    let h01 = data["statuses"].as_array().expect("statuses").iter().find(|s| s["code"] == "H01").expect("H01");
    assert_eq!((h01["yes"].as_u64(), h01["expected"].as_u64()), (Some(1), Some(34)));
    assert_eq!(h01["no_units"], serde_json::json!(["79"]));

    // Timeliness.
    let row = |unit: &str, week: &str| {
        data["submissions"]["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["unit"] == unit && r["week"] == week)
            .cloned()
            .expect("row")
    };
    assert_eq!(row("01", "2025-W40")["timeliness"], "on_time", "16:59 is before 17:00");
    assert_eq!(row("79", "2025-W39")["timeliness"], "late");
    assert_eq!(row("79", "2025-W39")["minutes_late"], 15 * 60 + 30);
    assert_eq!(row("79", "2025-W40")["timeliness"], "missing");
    assert_eq!(data["submissions"]["on_time"], 4);
    assert_eq!(data["submissions"]["late"], 1);
    assert_eq!(data["submissions"]["missing"], 112 - 5);

    // Overdue tasks against the cut-off 30/9/2025.
    let overdue: Vec<(String, String, i64)> = data["tasks"]["items"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter(|t| t["overdue"] == true)
        .map(|t| {
            (
                t["unit"].as_str().unwrap_or("").to_string(),
                t["code"].as_str().unwrap_or("").to_string(),
                t["days_overdue"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert!(overdue.contains(&("79".into(), "NV01".into(), 94)), "{overdue:?}");
    assert!(overdue.contains(&("BNV".into(), "NV03".into(), 92)), "{overdue:?}");
    assert!(!overdue.iter().any(|(u, c, _)| u == "01" && c == "NV01"), "completed is never overdue");

    // The broken file is listed as rejected with its reason.
    let files = data["files"].as_array().expect("files");
    let bad = files.iter().find(|f| f["path"] == "ghi-chu.xlsx").expect("bad file listed");
    assert_eq!(bad["status"], "rejected");

    // Every figure traces to an existing cell holding that value.
    let mut cache: BTreeMap<String, calamine::Sheets<std::io::BufReader<std::fs::File>>> = BTreeMap::new();
    let mut checked = 0;
    for section in data["sections"].as_array().expect("sections") {
        for f in section["figures"].as_array().expect("figures") {
            for s in f["sources"].as_array().expect("sources") {
                let file = s["file"].as_str().expect("file");
                let wb = cache
                    .entry(file.to_string())
                    .or_insert_with(|| open_workbook_auto(inputs.join(file)).expect("open source"));
                let range = wb.worksheet_range(s["sheet"].as_str().expect("sheet")).expect("sheet");
                let (row, col) = a1_to_pos(s["cell"].as_str().expect("cell"));
                let cell = range.get_value((row, col)).cloned().unwrap_or(Data::Empty);
                let value = match cell {
                    Data::Float(v) => v,
                    Data::Int(v) => v as f64,
                    other => panic!("{file} {}: {other:?}", s["cell"]),
                };
                assert_eq!(value, s["value"].as_f64().expect("value"), "{file} {}", s["cell"]);
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} sources");

    // The Markdown summary keeps reporter text inert.
    let md = std::fs::read_to_string(dir.join("tom-tat.md")).expect("md");
    assert!(md.contains("&lt;b&gt;gấp&lt;/b&gt;"), "{md}");
    assert!(md.contains("5.400"), "Vietnamese thousands separator");
}

fn a1_to_pos(cell: &str) -> (u32, u32) {
    let letters: String = cell.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits: String = cell.chars().skip_while(|c| c.is_ascii_alphabetic()).collect();
    let col = letters.bytes().fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1)) - 1;
    (digits.parse::<u32>().expect("row") - 1, col)
}

#[test]
fn outputs_are_byte_identical_across_runs_and_thread_counts() {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = tmp.path().join("inputs");
    std::fs::create_dir(&inputs).expect("mkdir");
    example_inputs(&inputs);
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    run_build(&inputs, &a, &[], Some("1"));
    run_build(&inputs, &b, &[], None);
    for name in ["data.json", "tom-tat.md", "tong-hop.xlsx"] {
        let x = std::fs::read(a.join("2025-10-02").join(name)).expect("a");
        let y = std::fs::read(b.join("2025-10-02").join(name)).expect("b");
        assert!(x == y, "{name} differs between a single-threaded and a parallel run");
    }
}

#[test]
fn english_outputs_and_template_override() {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = tmp.path().join("inputs");
    std::fs::create_dir(&inputs).expect("mkdir");
    example_inputs(&inputs);
    let out = tmp.path().join("out");
    run_build(&inputs, &out, &["--lang", "en"], None);
    let md = std::fs::read_to_string(out.join("2025-10-02/tom-tat.md")).expect("md");
    assert!(md.contains("Weekly reports summary") && md.contains("5,400"), "{md}");

    let overrides = tmp.path().join("my-templates");
    std::fs::create_dir_all(overrides.join("vi")).expect("mkdir");
    std::fs::write(overrides.join("vi/tom-tat.md"), "Tổng số hồ sơ: {% for s in sections %}{% for f in s.figures %}{% if f.code == \"B01\" %}{{ f.value | num }}{% endif %}{% endfor %}{% endfor %}\n").expect("write");
    let out2 = tmp.path().join("out2");
    run_build(&inputs, &out2, &["--templates", overrides.to_str().expect("path")], None);
    assert_eq!(std::fs::read_to_string(out2.join("2025-10-02/tom-tat.md")).expect("md"), "Tổng số hồ sơ: 5.400\n");

    // The HTML report is overridable the same way.
    std::fs::write(overrides.join("vi/index.html"), "<p>{{ cycle.id }}: {{ submissions.late }}</p>\n").expect("write");
    let out4 = tmp.path().join("out4");
    run_build(&inputs, &out4, &["--templates", overrides.to_str().expect("path")], None);
    assert_eq!(std::fs::read_to_string(out4.join("2025-10-02/index.html")).expect("html"), "<p>2025-10-02: 1</p>\n");

    // A template with a syntax error is refused with its name and the place of the error.
    std::fs::write(overrides.join("vi/tom-tat.md"), "{% for x in %}\n").expect("write");
    let output = bin()
        .args(["build", "--meeting", "2025-10-02", "--inputs"])
        .arg(&inputs)
        .arg("--out")
        .arg(tmp.path().join("out3"))
        .arg("--templates")
        .arg(&overrides)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("tom-tat.md") && stderr.contains("1:"), "{stderr}");
}

#[test]
fn xlsx_holds_numbers_readable_by_another_reader() {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = tmp.path().join("inputs");
    std::fs::create_dir(&inputs).expect("mkdir");
    example_inputs(&inputs);
    let out = tmp.path().join("out");
    run_build(&inputs, &out, &[], None);
    let mut wb = open_workbook_auto(out.join("2025-10-02/tong-hop.xlsx")).expect("open xlsx");
    let names = wb.sheet_names();
    assert!(names.iter().any(|n| n == "Tổng quan") && names.iter().any(|n| n == "Ma trận"), "{names:?}");
    let overview = wb.worksheet_range("Tổng quan").expect("overview");
    let b01_row = overview.rows().find(|r| r.first() == Some(&Data::String("B01".into()))).expect("B01 row");
    assert_eq!(b01_row[4], Data::Float(5400.0), "numbers stored as numbers");
}

#[test]
fn bundled_sample_inputs_match_their_generator() {
    let tmp = tempfile::tempdir().expect("tmp");
    assert!(bin().arg("sample").arg("-o").arg(tmp.path()).status().expect("sample").success());
    let list = |root: &Path| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| e.path().strip_prefix(root).ok().map(Path::to_path_buf))
            .collect();
        files.sort();
        files
    };
    let generated = list(tmp.path());
    assert_eq!(generated, list(Path::new("inputs")), "run `cargo run --release -- sample` and commit inputs/");
    for f in &generated {
        let same = std::fs::read(tmp.path().join(f)).ok() == std::fs::read(Path::new("inputs").join(f)).ok();
        assert!(same, "inputs/{} differs from the generator: run `cargo run --release -- sample`", f.display());
    }
}

#[test]
fn sample_never_replaces_files_that_are_not_the_sample() {
    let tmp = tempfile::tempdir().expect("tmp");
    let real = tmp.path().join("2025-W37/01-ha-noi.xlsx");
    std::fs::create_dir_all(real.parent().expect("folder")).expect("mkdir");
    std::fs::write(&real, b"a real report").expect("write");
    let other = tmp.path().join("bao-cao-cua-so.xlsx");
    std::fs::write(&other, b"another report").expect("write");
    let out = bin().arg("sample").arg("-o").arg(tmp.path()).output().expect("sample");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("01-ha-noi.xlsx") && stderr.contains("bao-cao-cua-so.xlsx"), "{stderr}");
    assert_eq!(std::fs::read(&real).expect("kept"), b"a real report", "nothing is replaced");
    assert!(!tmp.path().join("received.tsv").exists(), "nothing is written");

    // The sample again over itself is allowed (it changes nothing); --force overwrites.
    std::fs::remove_file(&other).expect("remove");
    assert!(bin().args(["sample", "--force", "-o"]).arg(tmp.path()).status().expect("force").success());
    assert_ne!(std::fs::read(&real).expect("replaced"), b"a real report");
    assert!(bin().arg("sample").arg("-o").arg(tmp.path()).status().expect("again").success());
}

#[test]
fn sample_content_stays_valid_over_years_of_weeks() {
    // The benchmark writes thousands of weeks from the sample's generator.
    let config = config();
    for unit_code in ["01", "BNV", "NHNN", "96"] {
        let unit = config.units.get(unit_code).expect("unit");
        for w in [0u32, 7, 60, 178] {
            let due = config.calendar.first_due + chrono::Days::new(7 * u64::from(w));
            let week = config.calendar.week_due(due).expect("week");
            let fill = tonghop::sample::weekly_fill(&config, unit, &week, w);
            let bytes = write_form(
                &config,
                &FormRequest { unit_type: &unit.unit_type, unit: Some(unit), week: Some(week), fill: Some(&fill) },
            )
            .expect("form");
            let location = tonghop::issue::Location::file("x.xlsx");
            let workbook = tonghop::ingest::read_bytes(&bytes, &location, &Default::default()).expect("read");
            let received = config.calendar.deadline(&week);
            let meta = tonghop::model::FileMeta {
                path: "x.xlsx".into(),
                size: 0,
                sha256: String::new(),
                received: Some(received),
            };
            let report = tonghop::validate::validate(&config, meta, &workbook);
            assert_eq!(
                report.status,
                tonghop::model::FileStatus::Accepted,
                "{unit_code} week {w}: {:#?}",
                report.issues
            );
        }
    }
}
