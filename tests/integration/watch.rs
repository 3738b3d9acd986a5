//! `tonghop watch` on a temporary folder: slow copies, renames into place,
//! overwrites, deletions, sub-folders, Ctrl-C. Bounded in time; the watcher is
//! always stopped (the guard kills it if a test fails).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common;

pub(crate) struct Watcher {
    pub(crate) child: Child,
}

impl Watcher {
    pub(crate) fn start(root: &Path, extra: &[&str]) -> Watcher {
        let child = Command::new(env!("CARGO_BIN_EXE_tonghop"))
            .args(["watch", "-v", "--settle", "0.3", "--interval", "0.5", "--inputs"])
            .arg(root.join("in"))
            .arg("--out")
            .arg(root.join("out"))
            .arg("--state")
            .arg(root.join("state"))
            .args(extra)
            .stderr(Stdio::piped())
            .spawn()
            .expect("start watch");
        Watcher { child }
    }

    /// Ctrl-C, then wait for a clean exit.
    pub(crate) fn interrupt(self) -> (bool, String) {
        self.signal("-INT")
    }

    /// `signal` (`-INT`, `-TERM`), then wait for a clean exit.
    pub(crate) fn signal(mut self, signal: &str) -> (bool, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args([signal, &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let mut log = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut err, &mut log);
                }
                return (status.success(), log);
            }
            assert!(Instant::now() < deadline, "watch did not stop on Ctrl-C");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn sample(dir: &Path) -> PathBuf {
    let sample = dir.join("sample");
    let status =
        Command::new(env!("CARGO_BIN_EXE_tonghop")).arg("sample").arg("-o").arg(&sample).stdout(Stdio::null()).status();
    assert!(status.expect("sample").success());
    sample
}

/// Waits until `check` holds, or fails after `limit`.
pub(crate) fn eventually(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Where the receipt of the file at `path` (relative to the inputs folder) is, with `ext`.
pub(crate) fn receipt_path(root: &Path, week: Option<&str>, unit: Option<&str>, path: &str, ext: &str) -> PathBuf {
    let stem = tonghop::render::receipt::receipt_stem(week, unit, path);
    tonghop::render::receipt::with_extension(&root.join("out").join(stem), ext)
}

pub(crate) fn receipt(root: &Path, week: &str, unit: &str, path: &str) -> Option<Value> {
    let path = receipt_path(root, Some(week), Some(unit), path, ".json");
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

pub(crate) fn archive_count(root: &Path) -> usize {
    std::fs::read_dir(root.join("state/archive")).map(|d| d.count()).unwrap_or(0)
}

pub(crate) fn ledger_rows(root: &Path) -> Vec<(String, String, Option<String>)> {
    let conn = rusqlite::Connection::open(root.join("state/ledger.sqlite")).expect("ledger");
    let mut stmt = conn.prepare("SELECT path, status, deleted_at FROM files ORDER BY id").expect("query");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn run_scenario(extra: &[&str]) {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let sample = sample(root);
    std::fs::create_dir_all(root.join("in")).expect("mkdir");
    let watcher = Watcher::start(root, extra);
    std::thread::sleep(Duration::from_millis(500));

    // 1. A slow copy: half the bytes, a pause longer than the settle time would allow a
    //    naive reader to see a truncated zip, then the rest. It must be accepted, not rejected.
    let bytes = std::fs::read(sample.join("2025-W37/01-ha-noi.xlsx")).expect("sample file");
    let target = root.join("in/01-ha-noi.xlsx");
    {
        let mut f = std::fs::File::create(&target).expect("create");
        f.write_all(&bytes[..bytes.len() / 2]).expect("write");
        f.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(900));
        f.write_all(&bytes[bytes.len() / 2..]).expect("write");
    }
    eventually(Duration::from_secs(15), "receipt of the slow copy", || {
        receipt(root, "2025-W37", "01", "01-ha-noi.xlsx").is_some()
    });
    let r = receipt(root, "2025-W37", "01", "01-ha-noi.xlsx").expect("receipt");
    assert_eq!(r["report"]["status"], "accepted", "a file still being copied must not be judged: {r:#}");
    assert!(r["values"].as_array().is_some_and(|v| !v.is_empty()), "figures as read are in the receipt");

    // 2. Rename into place, in a sub-folder; and a rejected file.
    std::fs::create_dir_all(root.join("in/bo")).expect("mkdir");
    std::fs::copy(sample.join("2025-W37/BNV-noi-vu.xlsx"), root.join("in/bo/.tmp-upload")).expect("copy");
    std::fs::rename(root.join("in/bo/.tmp-upload"), root.join("in/bo/BNV-noi-vu.xlsx")).expect("rename");
    std::fs::copy(sample.join("2025-W40/44-quang-tri.xlsx"), root.join("in/44-quang-tri.xlsx")).expect("copy");
    eventually(Duration::from_secs(15), "receipts of the renamed and the rejected file", || {
        receipt(root, "2025-W37", "BNV", "bo/BNV-noi-vu.xlsx").is_some()
            && receipt(root, "2025-W40", "44", "44-quang-tri.xlsx").is_some()
    });
    let rejected = receipt(root, "2025-W40", "44", "44-quang-tri.xlsx").expect("receipt");
    assert_eq!(rejected["report"]["status"], "rejected");
    assert_eq!(rejected["report"]["issues"][0]["code"], "X001");
    assert!(receipt_path(root, Some("2025-W40"), Some("44"), "44-quang-tri.xlsx", ".html").exists());

    // 3. Overwrite a file with another version: both versions archived.
    std::fs::copy(sample.join("2025-W38/01-ha-noi.xlsx"), root.join("in/01-ha-noi.xlsx")).expect("overwrite");
    eventually(Duration::from_secs(15), "the second version archived", || archive_count(root) == 4);

    // 4. Delete a file: recorded, not fatal, still archived.
    std::fs::remove_file(root.join("in/bo/BNV-noi-vu.xlsx")).expect("delete");
    eventually(Duration::from_secs(15), "deletion recorded", || {
        ledger_rows(root).iter().any(|(p, _, deleted)| p == "bo/BNV-noi-vu.xlsx" && deleted.is_some())
    });

    // 5. The status board and a draft report exist.
    eventually(Duration::from_secs(15), "status board", || root.join("out/status.html").exists());
    // The board shows the latest week with data, when it was made, reloads itself,
    // and links the boards of the other weeks with data.
    let read_board = || std::fs::read_to_string(root.join("out/status.html")).unwrap_or_default();
    eventually(Duration::from_secs(15), "the board of the latest week", || read_board().contains("tuần 2025-W38"));
    let board = read_board();
    assert!(board.contains("http-equiv=\"refresh\"") && board.contains("Cập nhật lúc"), "{board}");
    let weeks: Vec<&str> =
        ["2025-W37", "2025-W38"].into_iter().filter(|w| board.contains(&format!("status-{w}.html"))).collect();
    assert!(
        board.contains("tuần 2025-W38") && weeks == ["2025-W37"],
        "the latest week, links to the others: {weeks:?}"
    );
    assert!(root.join("out/status-2025-W37.html").exists());

    let (clean, log) = watcher.interrupt();
    assert!(clean, "watch must exit cleanly on Ctrl-C: {log}");
    let rows = ledger_rows(root);
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(archive_count(root), 4);
    assert_eq!(
        rows.iter().filter(|(p, _, _)| p == "01-ha-noi.xlsx").count(),
        2,
        "both versions of the overwritten file"
    );

    // Nothing lost: a rebuild from the archive still has the deleted ministry's report.
    let out = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(["build", "--json", "--from-archive", "--meeting", "2025-09-18", "--state"])
        .arg(root.join("state"))
        .arg("--out")
        .arg(root.join("rebuilt"))
        .output()
        .expect("build");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let data: Value =
        serde_json::from_slice(&std::fs::read(root.join("rebuilt/2025-09-18/data.json")).expect("data")).expect("json");
    let bnv = data["submissions"]["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["unit"] == "BNV" && r["week"] == "2025-W37")
        .cloned();
    assert_eq!(bnv.expect("BNV row")["file"], "bo/BNV-noi-vu.xlsx");

    // And a second start on the same folder does not process anything again.
    let again = Watcher::start(root, extra);
    std::thread::sleep(Duration::from_millis(1500));
    let (clean, _) = again.interrupt();
    assert!(clean);
    assert_eq!(ledger_rows(root).len(), 4, "already recorded versions are not processed twice");
}

#[test]
fn watch_with_file_system_events() {
    run_scenario(&[]);
}

#[test]
fn watch_by_polling() {
    run_scenario(&["--poll"]);
}

/// A file over the configured size limit is rejected from its size: receipt with
/// F006, a row in the ledger, nothing in the archive (its bytes are never loaded).
#[test]
fn watch_rejects_a_file_over_the_size_limit_without_keeping_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let sample = sample(root);
    let config = root.join("config");
    common::copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("report_templates"), &config);
    // The sample's reports are about 22 KB.
    std::fs::write(config.join("limits.toml"), "max_file_mb = 0.015\n").expect("limits");
    std::fs::create_dir_all(root.join("in")).expect("mkdir");
    let config_arg = config.to_string_lossy().into_owned();
    let watcher = Watcher::start(root, &["--config", &config_arg]);
    std::fs::copy(sample.join("2025-W37/01-ha-noi.xlsx"), root.join("in/01-ha-noi.xlsx")).expect("copy");
    let receipt_path = receipt_path(root, None, None, "01-ha-noi.xlsx", ".json");
    eventually(Duration::from_secs(15), "receipt of the file over the limit", || receipt_path.exists());
    let receipt: Value = serde_json::from_slice(&std::fs::read(&receipt_path).expect("receipt")).expect("json");
    assert_eq!(receipt["report"]["status"], "rejected");
    let issues = receipt["report"]["issues"].as_array().expect("issues");
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["code"], "F006");
    assert_eq!(issues[0]["location"]["file"], "01-ha-noi.xlsx");
    assert!(issues[0]["location"]["sheet"].is_null() && issues[0]["location"]["cell"].is_null());
    let (clean, log) = watcher.interrupt();
    assert!(clean, "{log}");
    assert_eq!(ledger_rows(root), vec![("01-ha-noi.xlsx".to_string(), "rejected".to_string(), None)]);
    assert_eq!(archive_count(root), 0, "a file over the limit is not archived");
    // Rebuilt from the ledger, the version is still there, rejected for its size.
    let output = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(["build", "--from-archive", "--weeks", "2025-W37", "--config", &config_arg, "--state"])
        .arg(root.join("state"))
        .arg("--out")
        .arg(root.join("rebuilt"))
        .output()
        .expect("build");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let data: Value =
        serde_json::from_slice(&std::fs::read(root.join("rebuilt/2025-W37/data.json")).expect("data")).expect("json");
    assert_eq!(data["files"][0]["status"], "rejected");
    assert_eq!(data["issues"][0]["issue"]["code"], "F006");
}

/// Names reporters give: one of 250 bytes, one with a newline, and a file
/// whose receipt cannot be written (a folder stands where it goes). `watch`
/// gives each of the others its receipt, says which receipt is missing and
/// why, keeps going, and every line of its log stays one line.
#[test]
fn watch_keeps_going_through_long_and_hostile_names() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let sample = sample(root);
    std::fs::create_dir_all(root.join("in")).expect("mkdir");
    let blocked = receipt_path(root, Some("2025-W37"), Some("04"), "04-cao-bang.xlsx", ".html");
    std::fs::create_dir_all(&blocked).expect("a folder where a receipt goes");
    let mut long = String::from("01 Báo cáo tuần Hà Nội ");
    while long.len() + "报".len() + ".xlsx".len() <= 250 {
        long.push('报');
    }
    long.push_str(".xlsx");
    let forged = "08\n12:00:00 gia-mao.xlsx → accepted.xlsx";
    let watcher = Watcher::start(root, &[]);
    for (from, to) in
        [("01-ha-noi.xlsx", long.as_str()), ("04-cao-bang.xlsx", "04-cao-bang.xlsx"), ("08-tuyen-quang.xlsx", forged)]
    {
        std::fs::copy(sample.join("2025-W37").join(from), root.join("in").join(to)).expect("copy");
    }
    eventually(Duration::from_secs(20), "receipts of the long and the forging names", || {
        receipt(root, "2025-W37", "01", &long).is_some() && receipt(root, "2025-W37", "08", forged).is_some()
    });
    eventually(Duration::from_secs(10), "the blocked file recorded", || ledger_rows(root).len() == 3);
    let (clean, log) = watcher.interrupt();
    assert!(clean, "watch goes on after a receipt it cannot write: {log}");
    assert!(receipt(root, "2025-W37", "04", "04-cao-bang.xlsx").is_some(), "its JSON receipt is still written");
    assert!(log.contains("04-cao-bang.xlsx: không ghi được phiếu tiếp nhận"), "{log}");
    for line in log.lines() {
        let timed =
            line.len() > 9 && line.as_bytes()[2] == b':' && line.as_bytes()[5] == b':' && line.as_bytes()[8] == b' ';
        // A rebuild of the draft says a receipt it cannot write as a build does.
        let from_a_rebuild = line.starts_with("tonghop: ");
        assert!(timed || from_a_rebuild, "a line of the log that is not one of its lines: {line:?}\n{log}");
    }
    assert!(log.contains("08\\n12:00:00 gia-mao.xlsx → accepted.xlsx → tiếp nhận"), "the name shown escaped: {log}");
}

#[test]
fn a_stream_of_drops_refreshes_the_board_and_sigterm_stops_cleanly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let sample = sample(root);
    std::fs::create_dir_all(root.join("in")).expect("inputs");
    let watcher = Watcher::start(root, &["--poll", "--refresh-every", "1.5", "--lang", "en"]);
    // Drop a file about every 0.35 s for 6 s: the quiet time is never reached,
    // yet the board must appear while the stream goes on.
    let files: Vec<PathBuf> = walkdir::WalkDir::new(sample.join("2025-W37"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.path().extension().is_some_and(|x| x == "xlsx") && !e.file_name().to_string_lossy().starts_with('~')
        })
        .map(|e| e.path().to_path_buf())
        .take(18)
        .collect();
    let mut board_during_stream = false;
    let first = files[0].file_name().expect("name").to_string_lossy().to_string();
    for (i, file) in files.iter().enumerate() {
        std::fs::copy(file, root.join("in").join(file.file_name().expect("name"))).expect("drop");
        std::thread::sleep(Duration::from_millis(350));
        // The first file dropped is on a board made before the last one is dropped.
        let board = std::fs::read_to_string(root.join("out/status.html")).unwrap_or_default();
        board_during_stream |= i + 1 < files.len() && board.contains(&first);
    }
    assert!(board_during_stream, "the board was refreshed while files kept arriving");
    let (clean, log) = watcher.signal("-TERM");
    assert!(clean, "watch stops cleanly on SIGTERM: {log}");
    let first = log.lines().next().unwrap_or_default();
    assert!(first.contains("watching") && first.contains("(polling every 0.5 s)"), "{log}");
    assert!(first.contains("the ledger knows 0 file versions"), "{log}");
    assert!(log.lines().any(|l| l.contains("→") && l.contains("; receipt ")), "the receipt path is logged: {log}");
    assert!(log.lines().last().is_some_and(|l| l.contains("stopped: file versions received ")), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}
