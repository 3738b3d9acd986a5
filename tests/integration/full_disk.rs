//! A full disk while writing the outputs: the error names the file, the
//! previous complete outputs stay as they were, and no temporary is left.
//! The disk is a small tmpfs mounted in a private mount namespace (needs root,
//! as tests run in CI; skipped with a word elsewhere).

use std::path::Path;
use std::process::Command;

use crate::common::crate_dir;

/// Runs `script` with `$OUT` a tmpfs of `size`, mounted for this script only.
fn on_small_disk(out: &Path, size: &str, script: &str) -> Option<std::process::Output> {
    let mount = format!("mount -t tmpfs -o size={size} none \"$OUT\" || exit 97; {script}");
    let output = Command::new("unshare")
        .args(["-m", "sh", "-c", &mount])
        .env("OUT", out)
        .env("BIN", env!("CARGO_BIN_EXE_tonghop"))
        .current_dir(crate_dir())
        .output()
        .ok()?;
    (output.status.code() != Some(97)).then_some(output)
}

fn files_below(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().display().to_string(), std::fs::read(e.path()).expect("read")))
        .collect();
    files.sort();
    files
}

#[test]
fn a_full_disk_names_the_file_and_leaves_the_previous_outputs_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    let snapshot = dir.path().join("before");
    // Build once with room, keep a copy, fill the disk but for 100 KB, build again.
    let script = format!(
        "\"$BIN\" build --out \"$OUT\" --state \"$OUT/state\" >/dev/null || exit 90; \
         cp -r \"$OUT\" \"{snapshot}\"; \
         free=$(df -k --output=avail \"$OUT\" | tail -1); \
         dd if=/dev/zero of=\"$OUT/filler\" bs=1k count=$((free - 100)) 2>/dev/null; \
         \"$BIN\" build --out \"$OUT\" --state \"$OUT/state\"; echo \"exit=$?\"; \
         rm \"$OUT/filler\"; cp -r \"$OUT\" \"{after}\"",
        snapshot = snapshot.display(),
        after = dir.path().join("after").display(),
    );
    let Some(output) = on_small_disk(&out, "16m", &script) else {
        assert!(std::env::var_os("CI").is_none(), "CI must be able to mount a tmpfs in a namespace");
        crate::common::tools::say_skipped(
            "a_full_disk_names_the_file_and_leaves_the_previous_outputs_whole",
            "cannot mount a tmpfs here (needs root and user namespaces)",
        );
        return;
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("exit=2"), "the second build fails: {stdout} {stderr}");
    assert!(stderr.contains("2025-10-02/") && stderr.contains("(cannot write)"), "names the file: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let before = files_below(&snapshot.join("2025-10-02"));
    let after = files_below(&dir.path().join("after/2025-10-02"));
    let names = |files: &[(String, Vec<u8>)]| -> Vec<String> {
        files.iter().map(|(p, _)| Path::new(p).file_name().unwrap_or_default().to_string_lossy().into_owned()).collect()
    };
    assert_eq!(names(&before), names(&after), "no temporary is left, nothing is missing");
    let same = before.iter().zip(&after).all(|((_, a), (_, b))| a == b);
    assert!(same, "the previous outputs are whole and unchanged");
    assert_eq!(before.len(), 5, "the five outputs of the cycle");
}
