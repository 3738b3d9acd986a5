//! `watch` taking in what it finds: files already in the folder when it starts
//! are received when `build` would say (the received-times log, then the
//! modification time), not at the start; a lost ledger beside a full archive
//! is refused, not silently replaced by a fresh one.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::common::{self, Book};
use crate::watch::{Watcher, eventually};

/// The receipt (`.json`) of the file received as `path`, wherever it is filed.
pub(crate) fn receipt_of(root: &Path, path: &str) -> Option<Value> {
    fn walk(dir: &Path, path: &str) -> Option<Value> {
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let p = entry.path();
            let found = if p.is_dir() {
                walk(&p, path)
            } else if p.extension().is_some_and(|e| e == "json") {
                let json: Option<Value> = std::fs::read(&p).ok().and_then(|b| serde_json::from_slice(&b).ok());
                json.filter(|j| j["report"]["file"]["path"] == path)
            } else {
                None
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    walk(&root.join("out/receipts"), path)
}

fn received_in(receipt: &Value) -> DateTime<FixedOffset> {
    let text = receipt["report"]["file"]["received"].as_str().expect("a received time");
    DateTime::parse_from_rfc3339(text).expect("RFC 3339")
}

#[test]
fn files_there_before_the_start_are_received_as_build_counts_them() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let week = root.join("in/2025-W37");
    // Copied in just now (modification time: now), listed in the log as received on time.
    Book::valid("01", "2025-W37").write(&week, "01.xlsx");
    common::set_mtime(&week.join("01.xlsx"), chrono::Utc::now().fixed_offset());
    // Not listed: its modification time, on time.
    let mut hue = Book::valid("46", "2025-W37");
    hue.received = common::vn_time(2025, 9, 8, 10, 0);
    hue.write(&week, "46.xlsx");
    // Listed as received the day after the deadline.
    Book::valid("48", "2025-W37").write(&week, "48.xlsx");
    std::fs::write(
        root.join("in/received.tsv"),
        "2025-W37/01.xlsx\t2025-09-08T09:00:00+07:00\n2025-W37/48.xlsx\t2025-09-09T08:00:00+07:00\n",
    )
    .expect("log");
    // Rejected: the log line says why.
    std::fs::write(week.join("79.xlsx"), "Mã đơn vị,79\nSố liệu,12\n").expect("a CSV named .xlsx");

    let started = chrono::Utc::now().fixed_offset();
    let watcher = Watcher::start(root, &[]);
    eventually(Duration::from_secs(20), "receipts of the three files", || {
        ["01", "46", "48"].iter().all(|u| receipt_of(root, &format!("2025-W37/{u}.xlsx")).is_some())
    });
    let of = |unit: &str| receipt_of(root, &format!("2025-W37/{unit}.xlsx")).expect("receipt");
    assert_eq!(received_in(&of("01")), common::vn_time(2025, 9, 8, 9, 0), "the log's time");
    assert_eq!(of("01")["timeliness"]["on_time"], true);
    assert_eq!(received_in(&of("46")), common::vn_time(2025, 9, 8, 10, 0), "the modification time");
    assert_eq!(of("46")["timeliness"]["on_time"], true);
    assert_eq!(received_in(&of("48")), common::vn_time(2025, 9, 9, 8, 0), "the log's time");
    assert_eq!(of("48")["timeliness"]["on_time"], false);

    // A file arriving while watch runs is received when it is seen, whatever its
    // modification time or the log say.
    let mut late = Book::valid("04", "2025-W37");
    late.received = common::vn_time(2025, 9, 8, 10, 0);
    late.write(&week, "04.xlsx");
    eventually(Duration::from_secs(20), "receipt of the file arriving later", || {
        receipt_of(root, "2025-W37/04.xlsx").is_some()
    });
    let arrived = receipt_of(root, "2025-W37/04.xlsx").expect("receipt");
    assert!(received_in(&arrived) >= started - chrono::Duration::seconds(1), "{arrived:#}");
    let (clean, log) = watcher.interrupt();
    assert!(clean, "{log}");
    // The log is in Vietnamese by default.
    let line = log.lines().find(|l| l.contains("2025-W37/79.xlsx → từ chối")).unwrap_or_else(|| panic!("{log}"));
    assert!(line.contains(": [F003] "), "the line names the reason: {line}");
    assert!(line.contains("; phiếu tiếp nhận "), "and where the receipt is: {line}");
}

/// Runs `tonghop watch` on `root` and expects it to stop at once with an
/// error; returns its stderr.
fn watch_refuses(root: &Path) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tonghop"))
        .args(["watch", "--poll", "--interval", "0.2", "--inputs"])
        .arg(root.join("in"))
        .arg("--out")
        .arg(root.join("out"))
        .arg("--state")
        .arg(root.join("state"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("start watch");
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("watch started on a lost ledger instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr).expect("stderr");
    assert_eq!(status.code(), Some(2), "{stderr}");
    stderr
}

#[test]
fn a_lost_ledger_beside_a_full_archive_is_refused_naming_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    std::fs::create_dir_all(root.join("in")).expect("mkdir");
    std::fs::create_dir_all(root.join("state/archive")).expect("mkdir");
    std::fs::write(root.join("state/archive/0123.xlsx"), b"a version received earlier").expect("archive");
    let database = root.join("state/ledger.sqlite");

    // Missing, then empty (SQLite would take 0 bytes for a new database).
    for what in ["missing", "empty"] {
        if what == "empty" {
            std::fs::write(&database, b"").expect("empty ledger");
        }
        let stderr = watch_refuses(root);
        assert!(stderr.contains(&database.display().to_string()), "{what}: {stderr}");
        assert!(stderr.contains("archive holds 1 files"), "{what}: {stderr}");
        let size = std::fs::metadata(&database).map(|m| m.len()).unwrap_or(0);
        assert_eq!(size, 0, "{what}: no fresh ledger was created");

        let build = common::run([
            "build".as_ref(),
            "--state".as_ref(),
            root.join("state").as_os_str(),
            "--inputs".as_ref(),
            root.join("in").as_os_str(),
            "--out".as_ref(),
            root.join("out").as_os_str(),
        ]);
        assert_eq!(build.code, 2, "{what}: {build:?}");
        assert!(build.stderr.contains("ledger is missing or empty"), "{what}: {}", build.stderr);
    }
}

/// Every receipt (`.json`) of files received as `path`.
fn receipts_of(root: &Path, path: &str) -> Vec<Value> {
    fn walk(dir: &Path, path: &str, found: &mut Vec<Value>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p, path, found);
            } else if p.extension().is_some_and(|e| e == "json")
                && let Some(json) = std::fs::read(&p).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                && json["report"]["file"]["path"] == path
            {
                found.push(json);
            }
        }
    }
    let mut found = Vec::new();
    walk(&root.join("out/receipts"), path, &mut found);
    found
}

fn with_status<'v>(receipts: &'v [Value], status: &str) -> Option<&'v Value> {
    receipts.iter().find(|r| r["report"]["status"] == status)
}

/// `watch` run as `nobody` on `root/in`, writing `root/out` and `root/state`.
fn watch_as_nobody(test: &str, root: &Path) -> Option<Watcher> {
    for dir in ["out", "state"] {
        crate::unprivileged::owned_by_nobody(&root.join(dir));
    }
    crate::unprivileged::readable_by_all(root);
    let mut cmd = crate::unprivileged::tonghop(test)?;
    cmd.args(["--lang", "en", "watch", "-v", "--settle", "0.3", "--interval", "0.5", "--inputs"]).arg(root.join("in"));
    cmd.arg("--out").arg(root.join("out")).arg("--state").arg(root.join("state")).stderr(Stdio::piped());
    Some(Watcher { child: cmd.spawn().expect("start watch") })
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A file the service cannot read is recorded as rejected (F001) with a
/// receipt and a log line, never holds back the others or the status board,
/// is tried again, and is received normally once it can be read.
#[test]
fn an_unreadable_file_is_recorded_retried_and_never_blocks_the_others() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let inputs = root.join("in");
    let mut ha_noi = Book::valid("01", "2025-W37");
    ha_noi.received = common::vn_time(2025, 9, 8, 9, 0);
    ha_noi.write(&inputs, "01.xlsx");
    let mut hue = Book::valid("46", "2025-W37");
    hue.received = common::vn_time(2025, 9, 8, 10, 0);
    let locked = hue.write(&inputs, "46.xlsx");
    set_mode(&locked, 0o000);
    crate::unprivileged::readable_by_all(&inputs);
    set_mode(&inputs.join("01.xlsx"), 0o644);

    let Some(watcher) = watch_as_nobody("an_unreadable_file_is_recorded…", root) else { return };
    eventually(Duration::from_secs(20), "receipts of both files and the status board", || {
        with_status(&receipts_of(root, "01.xlsx"), "accepted").is_some()
            && with_status(&receipts_of(root, "46.xlsx"), "rejected").is_some()
            && root.join("out/status.html").exists()
    });
    let rejected = receipts_of(root, "46.xlsx");
    let rejected = with_status(&rejected, "rejected").expect("the F001 receipt");
    let issues = rejected["report"]["issues"].as_array().expect("issues");
    assert_eq!(issues.len(), 1, "{rejected:#}");
    assert_eq!(issues[0]["code"], "F001");
    assert_eq!(issues[0]["location"]["file"], "46.xlsx");
    assert!(issues[0]["message_en"].as_str().is_some_and(|m| m.contains("Permission denied")), "{rejected:#}");
    let rows = crate::watch::ledger_rows(root);
    assert!(rows.contains(&("46.xlsx".to_string(), "rejected".to_string(), None)), "a ledger row: {rows:?}");

    // Readable now: received as any file, at its first sight (its modification
    // time, since it was there at the start), so on time.
    set_mode(&locked, 0o644);
    eventually(Duration::from_secs(20), "the readable version received", || {
        with_status(&receipts_of(root, "46.xlsx"), "accepted").is_some()
    });
    let accepted = receipts_of(root, "46.xlsx");
    let accepted = with_status(&accepted, "accepted").expect("accepted");
    assert_eq!(received_in(accepted), common::vn_time(2025, 9, 8, 10, 0));
    assert_eq!(accepted["timeliness"]["on_time"], true);
    std::thread::sleep(Duration::from_millis(1500));
    let (clean, log) = watcher.interrupt();
    assert!(clean, "{log}");
    assert!(log.contains("46.xlsx → rejected: [F001] The file cannot be read"), "a log line with the reason: {log}");
    assert!(log.contains("46.xlsx → accepted (46, 2025-W37)"), "{log}");
    let logged_rejections = log.matches("46.xlsx → rejected").count();
    assert_eq!(logged_rejections, 1, "recorded once, however often it is tried: {log}");

    // The failed attempt is history: the week counts Huế on time, nothing rejected.
    let status = common::run([
        "status".as_ref(),
        "--json".as_ref(),
        "--week".as_ref(),
        "2025-W37".as_ref(),
        "--state".as_ref(),
        root.join("state").as_os_str(),
    ]);
    assert_eq!(status.code, 0, "{status:?}");
    let board: Value = serde_json::from_str(&status.stdout).expect("status --json");
    assert_eq!(board["submissions"]["on_time"], 2, "{board:#}");
    assert_eq!(board["submissions"]["rejected"], 0, "{board:#}");
}
