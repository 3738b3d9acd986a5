//! Approval end to end: the sample built and approved, a late corrected report
//! dropped, built again. The draft states exactly what changed and why, the
//! approved version stays as approved, `verify` knows its files, `diff` says
//! what the draft's section says, and the archive rebuilds the approved
//! version byte for byte with the inputs folder gone.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Book, Output, crate_dir, run, vn_time};

const CYCLE: &str = "2025-10-02";
const APPROVER: &str = "Nguyễn Văn A, Thứ trưởng";
const CORRECTED: &str = "2025-W40/38-thanh-hoa-bo-sung.xlsx";

struct Folder {
    _dir: tempfile::TempDir,
    inputs: PathBuf,
    out: PathBuf,
    state: PathBuf,
}

impl Folder {
    /// The bundled sample, copied.
    fn sample() -> Folder {
        let dir = tempfile::tempdir().expect("tempdir");
        let inputs = dir.path().join("inputs");
        copy_tree(&crate_dir().join("inputs"), &inputs);
        Folder { out: dir.path().join("outputs"), state: dir.path().join("state"), inputs, _dir: dir }
    }

    /// `tonghop <command> --inputs --out --state <rest…>`.
    fn run(&self, command: &str, rest: &[&str]) -> Output {
        let mut args: Vec<String> = vec![command.into()];
        if command != "verify" {
            args.extend([
                "--inputs".into(),
                self.inputs.display().to_string(),
                "--out".into(),
                self.out.display().to_string(),
            ]);
        }
        args.extend(["--state".into(), self.state.display().to_string()]);
        args.extend(rest.iter().map(|s| s.to_string()));
        run(args)
    }

    fn draft(&self) -> PathBuf {
        self.out.join(CYCLE)
    }

    fn v1(&self) -> PathBuf {
        self.out.join(CYCLE).join("v1")
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
            let mtime = entry.metadata().expect("meta").modified().expect("mtime");
            std::fs::File::options().write(true).open(&target).expect("open").set_modified(mtime).expect("mtime");
        }
    }
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).expect("json")
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn hashes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read")))
        .collect();
    files.sort();
    files
}

/// Every figure and ratio value of a `data.json`, by code.
fn values(data: &Value) -> Vec<(String, Option<f64>)> {
    let figures =
        data["sections"].as_array().expect("sections").iter().flat_map(|s| s["figures"].as_array().expect("figures"));
    figures
        .chain(data["ratios"].as_array().expect("ratios"))
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["value"].as_f64()))
        .collect()
}

/// The text of a `.docx`'s body, its runs joined and tags dropped.
fn docx_text(path: &Path) -> String {
    use std::io::Read as _;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("docx")).expect("a zip");
    let mut xml = String::new();
    archive.by_name("word/document.xml").expect("the body").read_to_string(&mut xml).expect("utf-8");
    let mut text = String::new();
    let mut in_tag = false;
    for c in xml.replace("</w:p>", "\n").chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
}

/// A Vietnamese whole number: `2.196.380`.
fn vi_integer(n: f64) -> String {
    let digits = format!("{}", n.abs().round() as u64);
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    if n < 0.0 { format!("-{grouped}") } else { grouped }
}

/// Where two JSON values first differ, as a path and the two values.
fn first_difference(a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                first_difference(x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null))
                    .map(|d| format!("/{k}{d}"))
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (u, v))| first_difference(u, v).map(|d| format!("[{i}]{d}")))
        }
        _ if a == b => None,
        _ => Some(format!(": {a} ≠ {b}")),
    }
}

/// The corrected W40 report of Thanh Hóa, received on the Tuesday after its deadline.
fn drop_corrected(folder: &Folder) {
    let mut book = Book::valid("38", "2025-W40");
    book.received = vn_time(2025, 9, 30, 9, 0);
    book.write(&folder.inputs, CORRECTED);
}

#[test]
fn an_approved_version_stays_and_the_draft_says_what_changed_since() {
    let folder = Folder::sample();
    let built = folder.run("build", &[]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let draft = json(&folder.draft().join("data.json"));
    assert_eq!((draft["status"].as_str(), draft["approval"].is_null()), (Some("draft"), true));
    assert!(text(&folder.draft().join("tom-tat.md")).lines().next().unwrap().contains("DỰ THẢO"));
    assert!(text(&folder.draft().join("index.html")).contains("class=\"draft-banner\""));

    let approved = folder.run("approve", &["--meeting", CYCLE, "--by", APPROVER]);
    assert_eq!(approved.code, 0, "{}", approved.stderr);
    assert!(approved.stdout.contains("v1") && approved.stdout.contains(APPROVER), "{}", approved.stdout);
    let v1 = json(&folder.v1().join("data.json"));
    assert_eq!(v1["status"], "approved");
    assert_eq!(v1["approval"]["by"], APPROVER);
    assert_eq!(v1["approval"]["version"], 1);
    let md = text(&folder.v1().join("tom-tat.md"));
    assert!(!md.lines().next().unwrap().contains("DỰ THẢO") && md.contains(APPROVER), "{md}");
    assert!(text(&folder.v1().join("index.html")).contains(v1["approval"]["inputs_sha256"].as_str().unwrap()));
    // The draft, rewritten, compares with v1: nothing changed.
    let draft = json(&folder.draft().join("data.json"));
    assert_eq!(
        (draft["changes"]["any"].as_bool(), draft["changes"]["against"]["version"].as_u64()),
        (Some(false), Some(1))
    );
    assert!(text(&folder.draft().join("tom-tat.md")).contains("Không có thay đổi"));
    let approved_files = hashes(&folder.v1());
    assert_eq!(approved_files.len(), 5);

    // A corrected report arrives late: approving again is refused until a build shows it.
    drop_corrected(&folder);
    let refused = folder.run("approve", &["--meeting", CYCLE, "--by", APPROVER]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains(CORRECTED), "the refusal names the new file: {}", refused.stderr);
    assert!(!folder.out.join(CYCLE).join("v2").exists());

    let rebuilt = folder.run("build", &[]);
    assert_eq!(rebuilt.code, 0, "{}", rebuilt.stderr);
    let draft = json(&folder.draft().join("data.json"));
    let changes = &draft["changes"];
    assert_eq!(changes["any"], true);
    // The console counts what the draft's section lists.
    let count = |part: &str| changes[part].as_array().unwrap().len();
    let counts = format!(
        "): {} số liệu, {} báo cáo tuần, {} nhiệm vụ, {} tệp;",
        count("figures"),
        count("submissions"),
        count("tasks"),
        count("files")
    );
    let line = rebuilt.stdout.lines().find(|l| l.starts_with("Thay đổi so với bản đã phê duyệt v1"));
    let line = line.unwrap_or_else(|| panic!("the build says what changed:\n{}", rebuilt.stdout));
    assert!(line.contains(APPROVER) && line.contains(&counts), "{line}\nexpected {counts}");
    assert_eq!(changes["against"]["by"], APPROVER);

    // Exactly the figures whose value differs between v1 and the draft, each caused by the corrected file.
    let before: std::collections::BTreeMap<String, Option<f64>> = values(&v1).into_iter().collect();
    let moved: Vec<String> = values(&draft)
        .into_iter()
        .filter(|(code, value)| match (before[code], value) {
            (Some(a), Some(b)) => (a - b).abs() > 1e-9 * a.abs().max(1.0),
            (a, b) => a != *b,
        })
        .map(|(code, _)| code)
        .collect();
    let stated: Vec<String> =
        changes["figures"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect();
    assert_eq!(stated, moved, "the changes list exactly the figures that moved");
    assert!(!stated.is_empty());
    for f in changes["figures"].as_array().unwrap() {
        let causes = f["causes"].as_array().unwrap();
        assert!(!causes.is_empty(), "{f}");
        for c in causes {
            assert_eq!((c["unit"].as_str(), c["new_file"].as_str()), (Some("38"), Some(CORRECTED)), "{c}");
            assert_eq!(c["old_file"], "2025-W40/38-thanh-hoa.xlsx");
        }
    }
    let files: Vec<(&str, &str)> = changes["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["how"].as_str().unwrap()))
        .collect();
    assert_eq!(files, [(CORRECTED, "added"), ("2025-W40/38-thanh-hoa.xlsx", "superseded")]);

    // The approved version is as approved.
    assert_eq!(hashes(&folder.v1()), approved_files, "v1 is never rewritten");

    // `verify` knows v1's document; an edited copy is no version.
    let document = folder.v1().join("bao-cao-tong-hop.docx");
    let verified = folder.run("verify", &[document.to_str().unwrap()]);
    assert_eq!(verified.code, 0, "{}{}", verified.stdout, verified.stderr);
    assert!(verified.stdout.contains("v1") && verified.stdout.contains(APPROVER) && verified.stdout.contains(CYCLE));
    let edited = folder.out.join("edited.docx");
    let mut bytes = std::fs::read(&document).unwrap();
    bytes.extend_from_slice(b" ");
    std::fs::write(&edited, bytes).unwrap();
    let refused = folder.run("verify", &[edited.to_str().unwrap()]);
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    let draft_document = folder.draft().join("bao-cao-tong-hop.docx");
    assert_eq!(folder.run("verify", &[draft_document.to_str().unwrap()]).code, 1, "the draft is no approved version");

    // `diff v1 draft --json` lists the same changes as the draft's section.
    let diff = run(["diff", folder.v1().to_str().unwrap(), folder.draft().to_str().unwrap(), "--json"]);
    assert_eq!(diff.code, 1, "changes found: {}", diff.stderr);
    let listed: Value = serde_json::from_str(&diff.stdout).expect("json");
    assert_eq!(first_difference(&listed, changes), None, "diff --json and the draft's section differ");
    let people = run(["diff", folder.v1().to_str().unwrap(), folder.draft().to_str().unwrap()]);
    for code in &stated {
        assert!(people.stdout.contains(&format!("- {code} ")), "{code} in:\n{}", people.stdout);
    }
    assert_eq!(run(["diff", folder.v1().to_str().unwrap(), folder.v1().to_str().unwrap()]).code, 0);

    // With the inputs folder gone, the archive rebuilds v1 byte for byte.
    std::fs::remove_dir_all(&folder.inputs).unwrap();
    std::fs::remove_dir_all(folder.v1()).unwrap();
    let again = folder.run("build", &["--meeting", CYCLE, "--approved", "1"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("5/5"), "{}", again.stdout);
    assert_eq!(hashes(&folder.v1()), approved_files, "rebuilt from the archive, the same bytes");

    // A file of v1 edited since is said, and left as it is.
    let page = folder.v1().join("index.html");
    let edited_page = format!("{}<!-- edited -->", text(&page));
    std::fs::write(&page, &edited_page).unwrap();
    let checked = folder.run("build", &["--meeting", CYCLE, "--approved", "1"]);
    assert_eq!(checked.code, 1, "{}", checked.stdout);
    assert!(checked.stdout.lines().any(|l| l.contains("index.html") && l.contains("v1")), "{}", checked.stdout);
    assert_eq!(text(&page), edited_page, "never overwritten");
}

/// The changes section of each output states each changed figure, its new
/// value and the file that changed it, as `data.json` has them.
#[test]
fn the_changes_section_states_what_data_json_holds() {
    let folder = Folder::sample();
    assert_eq!(folder.run("build", &[]).code, 0);
    assert_eq!(folder.run("approve", &["--meeting", CYCLE, "--by", APPROVER, "--note", "Bản trình phiên họp"]).code, 0);
    drop_corrected(&folder);
    assert_eq!(folder.run("build", &[]).code, 0);
    let data = json(&folder.draft().join("data.json"));
    let md = text(&folder.draft().join("tom-tat.md"));
    let html = text(&folder.draft().join("index.html"));
    let section = md
        .split("## Thay đổi so với bản đã phê duyệt")
        .nth(1)
        .expect("a changes section")
        .split("\n## ")
        .next()
        .unwrap();
    let figures = data["changes"]["figures"].as_array().unwrap();
    for (i, f) in figures.iter().enumerate() {
        let code = f["code"].as_str().unwrap();
        assert!(html.contains(&format!("<td>{code} ")), "{code} in the page's changes table");
        if f["is_ratio"] == false && f["new"].as_f64().is_some_and(|v| v.fract() == 0.0) {
            let new = vi_integer(f["new"].as_f64().unwrap());
            assert!(html.contains(&new), "{code}: {new} in the page");
            if i < 6 {
                assert!(section.contains(&format!("**{new}**")), "{code}: {new} in tom-tat.md:\n{section}");
            }
        }
        if i < 6 {
            assert!(section.contains(&format!("- {code} ")), "{code} in tom-tat.md");
            assert!(section.contains(CORRECTED), "the file that changed it");
        }
    }
    if figures.len() > 6 {
        assert!(section.contains(&format!("Và {} số liệu khác", figures.len() - 6)), "{section}");
    }
    let document = docx_text(&folder.draft().join("bao-cao-tong-hop.docx"));
    let annex = document.split("THAY ĐỔI SO VỚI BẢN ĐÃ PHÊ DUYỆT").nth(1).expect("the document's changes appendix");
    assert!(annex.contains(APPROVER), "the appendix names the approved version's approver");
    for f in figures {
        let code = f["code"].as_str().unwrap();
        assert!(annex.contains(&format!("- {code} ")), "{code} in the document's appendix");
    }
    assert!(annex.contains(CORRECTED), "the appendix names the file");
    assert!(document.contains("DỰ THẢO"), "the draft document says so");
    let approved = docx_text(&folder.v1().join("bao-cao-tong-hop.docx"));
    assert!(!approved.contains("DỰ THẢO") && approved.contains(APPROVER), "the approved document states its approval");
    assert!(html.contains("Bản trình phiên họp") || !html.contains("da-phe-duyet"), "a draft shows no approval note");
    let v1 = text(&folder.v1().join("index.html"));
    assert!(v1.contains("Bản trình phiên họp"), "the approved version states its note");
}
