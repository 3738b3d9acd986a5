//! Receipt latency of `tonghop watch`: time from a file landing in the shared
//! folder (renamed into place, as a copy tool finishes) to its receipt being
//! written, over many drops, in event mode and in polling mode.
//!
//! `cargo bench --bench receipts` (set `TONGHOP_DROPS` for the count, default 100).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn binary() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/tonghop");
    if !path.exists() {
        let status = Command::new("cargo").args(["build", "--release", "--quiet"]).status().expect("cargo build");
        assert!(status.success(), "cargo build --release failed");
    }
    path
}

struct Watch(Child);

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn measure(bin: &Path, files: &[PathBuf], poll: bool, settle: &str) -> Vec<f64> {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = tmp.path().join("in");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&inputs).expect("mkdir");
    let mut args = vec!["watch", "--settle", settle, "--interval", "1"];
    if poll {
        args.push("--poll");
    }
    let _watch = Watch(
        Command::new(bin)
            .args(&args)
            .arg("--inputs")
            .arg(&inputs)
            .arg("--out")
            .arg(&out)
            .arg("--state")
            .arg(tmp.path().join("state"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stderr(Stdio::null())
            .spawn()
            .expect("watch"),
    );
    std::thread::sleep(Duration::from_millis(1500));
    let mut latencies = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let name = format!("drop-{i:04}.xlsx");
        let staging = inputs.join(format!(".{name}.part"));
        std::fs::copy(file, &staging).expect("copy");
        let landed = Instant::now();
        std::fs::rename(&staging, inputs.join(&name)).expect("rename");
        let deadline = landed + Duration::from_secs(30);
        loop {
            let found = walkdir::WalkDir::new(out.join("receipts"))
                .into_iter()
                .filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy() == format!("{name}.json"));
            if found {
                latencies.push(landed.elapsed().as_secs_f64());
                break;
            }
            assert!(Instant::now() < deadline, "no receipt for {name}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    latencies
}

fn main() {
    let drops: usize = std::env::var("TONGHOP_DROPS").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let bin = binary();
    let tmp = tempfile::tempdir().expect("tmp");
    let status = Command::new(&bin)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["sample", "-o"])
        .arg(tmp.path())
        .stdout(Stdio::null())
        .status()
        .expect("sample");
    assert!(status.success());
    let sample: Vec<PathBuf> = walkdir::WalkDir::new(tmp.path())
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name().to_string_lossy().ends_with(".xlsx") && !e.file_name().to_string_lossy().starts_with('~')
        })
        .map(|e| e.path().to_path_buf())
        .collect();
    let files: Vec<PathBuf> = sample.iter().cycle().take(drops).cloned().collect();
    println!("receipt latency over {drops} drops (seconds), settle 0.5 s");
    println!("{:<10} {:>8} {:>8} {:>8}", "mode", "p50", "p95", "max");
    for (mode, poll) in [("events", false), ("polling", true)] {
        let mut l = measure(&bin, &files, poll, "0.5");
        l.sort_by(f64::total_cmp);
        println!("{:<10} {:>8.3} {:>8.3} {:>8.3}", mode, percentile(&l, 0.5), percentile(&l, 0.95), l[l.len() - 1]);
    }
}
