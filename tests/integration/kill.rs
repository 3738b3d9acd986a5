//! Crash safety: `tonghop build` killed with SIGKILL at any moment leaves each
//! output file either the previous complete version or the new complete
//! version, never a partial file (docs/product.md §8).
//!
//! A generated input set (KILL_FILES reports, 200 by default, cached under
//! `target/kill-inputs/`) in two variants: A (nine files in ten) and
//! B (all of them), which give different outputs. Reference builds of A and B
//! come first. Then the working outputs folder, holding a complete build, is
//! rebuilt alternately from B and A, and each run is killed: mostly from 0 ms
//! to a few hundred ms after it starts writing (the first change in the
//! cycle's folder), some while it reads. After each kill every file in the
//! outputs folder (cycle outputs and receipts) must be byte-identical to the A
//! or the B reference; temporary files may remain only as hidden dot-files
//! (`.name.tmp-PID-N`, the name cut to 48 bytes), which are counted and reported. A last, uninterrupted
//! build must give the B reference exactly (no lock is left behind).
//!
//! Bounded: kills stop KILL_SECONDS (40 by default) after the start, then one
//! last build runs. The long run (1,500 files, 100 kills):
//!
//! ```sh
//! cargo build --release
//! KILL_FILES=1500 KILL_ROUNDS=10 KILL_SECONDS=600 TONGHOP_BIN=target/release/tonghop \
//!     cargo test --test kill -- --nocapture
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::TimeZone;
use tonghop::form::{Fill, FillValue, FormRequest, NarrativeFill, TaskFill, write_form};
use tonghop::model::TaskStatus;
use tonghop::schema::Config;

const MEETING: &str = "2025-10-02";

fn config() -> Config {
    Config::load(Path::new("report_templates")).expect("bundled config")
}

fn files_wanted() -> usize {
    std::env::var("KILL_FILES").ok().and_then(|n| n.parse().ok()).unwrap_or(200)
}

/// The program under test: the test build, or `TONGHOP_BIN` (a release build,
/// for long runs on more files).
fn program() -> PathBuf {
    std::env::var_os("TONGHOP_BIN").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_tonghop")))
}

/// The generated inputs: `count` reports of every unit for the cycle's two
/// weeks and the weeks around them, resubmitted with other figures (the last
/// one received wins). Cached: generated once per count.
fn inputs(count: usize) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/kill-inputs");
    let dir = root.join(count.to_string());
    if dir.join("complete").exists() {
        return dir;
    }
    let config = config();
    let staging = root.join(format!("{count}.staging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).unwrap();
    let units: Vec<_> = config.units.units().iter().collect();
    let weeks = ["2025-W38", "2025-W39", "2025-W40", "2025-W41"];
    for i in 0..count {
        let unit = units[i % units.len()];
        let week = config.calendar.week_by_label(weeks[(i / units.len()) % weeks.len()]).unwrap();
        let round = i / (units.len() * weeks.len());
        let mut fill = Fill::default();
        fill.contacts.prepared_by = Some(format!("Người lập {i}"));
        fill.contacts.approved_by = Some("Lãnh đạo".into());
        for c in config.schema.criteria_for(&unit.unit_type) {
            let v = if c.is_numeric() {
                let v = ((i * 7 + c.code.len() * 13) % 50) as f64;
                FillValue::Number(c.max.map_or(v, |m| v.min(m)))
            } else {
                FillValue::YesNo(i % 3 == 0)
            };
            fill.values.insert(c.code.clone(), v);
        }
        for t in config.schema.tasks.iter().filter(|t| t.assigned_to(&unit.code, &unit.unit_type)) {
            fill.tasks
                .insert(t.code.clone(), TaskFill { status: TaskStatus::InProgress, completed_on: None, note: None });
        }
        fill.narrative.push(NarrativeFill {
            kind: "difficulty".into(),
            field: "other".into(),
            text: format!("Khó khăn số {i} của {}.", unit.short),
            addressee: None,
        });
        let bytes = write_form(
            &config,
            &FormRequest { unit_type: &unit.unit_type, unit: Some(unit), week: Some(week), fill: Some(&fill) },
        )
        .expect("form");
        let path = staging.join(format!("{i:04}-{}-{}.xlsx", unit.code, week.label()));
        std::fs::write(&path, bytes).unwrap();
        // Received on the due Monday, later for later rounds (resubmissions).
        let received =
            config.calendar.timezone.from_local_datetime(&week.due.and_hms_opt(8, 0, 0).unwrap()).single().unwrap()
                + chrono::Duration::minutes(round as i64 * 7);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(received.with_timezone(&chrono::Utc).into())
            .unwrap();
    }
    std::fs::write(staging.join("complete"), b"").unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&staging, &dir).unwrap();
    dir
}

/// The two input folders: A (nine files in ten) and B (all), as hard links.
fn variants(base: &Path, work: &Path) -> (PathBuf, PathBuf) {
    let mut names: Vec<PathBuf> = std::fs::read_dir(base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    names.sort();
    let (a, b) = (work.join("inputs-a"), work.join("inputs-b"));
    for (dir, keep) in [(&a, 9), (&b, 10)] {
        std::fs::create_dir_all(dir).unwrap();
        // A leaves out every tenth file (of every unit and week): other figures.
        for p in names.iter().enumerate().filter(|(i, _)| i % 10 < keep).map(|(_, p)| p) {
            std::fs::hard_link(p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
    (a, b)
}

fn build_command(inputs: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(program());
    cmd.args(["build", "--json", "--meeting", MEETING, "--inputs"])
        .arg(inputs)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// A complete build: its wall time, and when its rendering and writing began
/// (from the stage timings of `--json`).
fn build(inputs: &Path, out: &Path) -> (Duration, Duration) {
    let start = Instant::now();
    let output = build_command(inputs, out).stdout(Stdio::piped()).output().expect("build runs");
    assert!(output.status.success(), "build of {} failed", inputs.display());
    let length = start.elapsed();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("build --json");
    let t = &json["timings"];
    let writing = t["render"].as_f64().unwrap_or(0.0) + t["write"].as_f64().unwrap_or(0.0);
    (length, length.saturating_sub(Duration::from_secs_f64(writing)))
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().to_string();
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// When a run is killed: after a delay from its start, or after a delay from
/// its first write into the cycle's folder.
#[derive(Clone, Copy)]
enum Kill {
    After(Duration),
    IntoWrites(Duration),
}

fn is_hidden(rel: &str) -> bool {
    Path::new(rel).file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

#[test]
fn build_killed_at_any_moment_leaves_complete_outputs() {
    let count = files_wanted();
    let base = inputs(count);
    // Counted from here (the inputs are cached): kills stop when it runs out.
    let budget = Duration::from_secs(std::env::var("KILL_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(40));
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let (inputs_a, inputs_b) = variants(&base, tmp.path());

    // References, and the working folder holding a complete build of A.
    let (ref_a, ref_b, work) = (tmp.path().join("ref-a"), tmp.path().join("ref-b"), tmp.path().join("work"));
    let timing_a = build(&inputs_a, &ref_a);
    let timing_b = build(&inputs_b, &ref_b);
    let status = Command::new("cp").arg("-a").arg(&ref_a).arg(&work).status().unwrap();
    assert!(status.success());
    let (ref_a, ref_b) = (files(&ref_a), files(&ref_b));
    let outputs: Vec<&String> = ref_b.keys().filter(|k| k.starts_with(MEETING)).collect();
    assert!(outputs.len() >= 4, "the cycle's outputs: {outputs:?}");
    for name in &outputs {
        assert_ne!(ref_a.get(*name), ref_b.get(*name), "{name}: the variants differ");
    }

    // Kill runs alternating B and A (each run changes every output). Per round:
    // eight kills timed from the moment the run starts writing (the first change
    // in the cycle's folder): 0 ms to a few hundred ms into the writes, and past
    // their end; then two at fixed delays, while files are read.
    // Rounds (KILL_ROUNDS, 1 by default) shift the delays to sample other moments.
    let rounds: u32 = std::env::var("KILL_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(1).max(1);
    let mut plan = Vec::new();
    for round in 0..rounds {
        for k in 0..10u32 {
            let b = plan.len() % 2 == 0;
            let (_, writing_from) = if b { timing_b } else { timing_a };
            // The writes first: within the time budget, they matter most.
            let when = match k {
                8 => Kill::After(Duration::from_millis(20 + 7 * u64::from(round))),
                9 => Kill::After(writing_from * (round + 1) / (rounds + 1)),
                _ => Kill::IntoWrites(Duration::from_micros(
                    [0u64, 2_000, 8_000, 25_000, 60_000, 120_000, 250_000, 600_000][k as usize] * u64::from(round + 1)
                        / u64::from(rounds),
                )),
            };
            plan.push((b, when));
        }
    }
    let cycle_dir = work.join(MEETING);
    let mut leftovers = BTreeMap::new();
    let mut kills = Vec::new();
    let mut interrupted = 0;
    let mut mixed = 0;
    for (b, when) in plan {
        if started.elapsed() > budget {
            break;
        }
        let inputs = if b { &inputs_b } else { &inputs_a };
        let before = files(&work);
        let stamp = std::fs::metadata(&cycle_dir).and_then(|m| m.modified()).ok();
        let mut child = build_command(inputs, &work).spawn().unwrap();
        let delay = match when {
            Kill::After(delay) => {
                std::thread::sleep(delay);
                delay
            }
            Kill::IntoWrites(delay) => {
                // Wait for the first file to be created or renamed into the cycle's folder.
                let start = Instant::now();
                while child.try_wait().unwrap().is_none()
                    && std::fs::metadata(&cycle_dir).and_then(|m| m.modified()).ok() == stamp
                {
                    std::thread::sleep(Duration::from_micros(500));
                }
                std::thread::sleep(delay);
                start.elapsed()
            }
        };
        let killed = child.try_wait().unwrap().is_none();
        if killed {
            child.kill().unwrap(); // SIGKILL
            interrupted += 1;
        }
        child.wait().unwrap();
        kills.push(format!(
            "{}{} ms{}",
            if matches!(when, Kill::IntoWrites(_)) { "writes+" } else { "" },
            match when {
                Kill::After(d) | Kill::IntoWrites(d) => d.as_millis(),
            },
            if killed { "" } else { " (had finished)" }
        ));

        let now = files(&work);
        for (rel, bytes) in &now {
            if is_hidden(rel) {
                // A temporary file of a write cut short, or the lock file.
                if ref_b.contains_key(rel) {
                    continue; // the lock file, there after every build
                }
                // Counted once per file, by the output it was meant to become.
                let name = Path::new(rel).file_name().unwrap().to_string_lossy().to_string();
                assert!(name.contains(".tmp-"), "{rel}: an unexpected hidden file");
                let kind = if rel.starts_with(MEETING) { name.split(".tmp-").next().unwrap() } else { "receipts" };
                leftovers.entry(kind.to_string()).or_insert_with(BTreeSet::new).insert(rel.clone());
                continue;
            }
            let (a, b) = (ref_a.get(rel), ref_b.get(rel));
            assert!(a.is_some() || b.is_some(), "{rel}: not an output of either build (after a kill at {delay:?})");
            assert!(
                Some(bytes) == a || Some(bytes) == b,
                "{rel}: neither the previous nor the new complete version after a kill at {delay:?} ({} bytes)",
                bytes.len()
            );
        }
        for name in &outputs {
            assert!(now.contains_key(*name), "{name} disappeared after a kill at {delay:?}");
        }
        // A kill between two writes leaves some outputs new and some previous.
        let (mut from_a, mut from_b) = (0, 0);
        for (rel, bytes) in now.iter().filter(|(rel, _)| !is_hidden(rel) && ref_a.get(*rel) != ref_b.get(*rel)) {
            if ref_a.get(rel) == Some(bytes) {
                from_a += 1;
            } else {
                from_b += 1;
            }
        }
        if killed && from_a > 0 && from_b > 0 && now != before {
            mixed += 1;
        }
    }
    let (length, writing_from) = timing_b;
    let leftovers: BTreeMap<String, usize> = leftovers.into_iter().map(|(k, v)| (k, v.len())).collect();
    eprintln!(
        "kill test: {count} files, build {:.2} s (rendering and writing from {:.2} s), {interrupted} of {} runs killed ({mixed} of them cut between two writes: outputs changed, partly previous and partly new), at {}; hidden leftovers: {leftovers:?}",
        length.as_secs_f64(),
        writing_from.as_secs_f64(),
        kills.len(),
        kills.join(", ")
    );
    assert!(interrupted >= 1, "at least one run was killed");

    // A last, uninterrupted build gives B's outputs exactly: nothing is left locked.
    build(&inputs_b, &work);
    let now = files(&work);
    for name in &outputs {
        assert_eq!(now.get(*name), ref_b.get(*name), "{name} after a complete build");
    }
}
