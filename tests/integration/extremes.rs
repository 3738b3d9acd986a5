//! Extreme configuration values and command-line dates: refused at start with
//! `file:line`, or as a usage error (exit 2), never a panic.

use std::path::{Path, PathBuf};

use crate::common::{copy_dir, crate_dir, run};

/// A copy of the configuration with `key = …` of `file` replaced by `line`.
fn config_with(dir: &Path, file: &str, key: &str, line: &str) -> PathBuf {
    let config = dir.join("report_templates");
    copy_dir(&crate_dir().join("report_templates"), &config);
    let path = config.join(file);
    let text = std::fs::read_to_string(&path).expect("config file");
    let replaced: Vec<String> = text
        .lines()
        .map(|l| if l.starts_with(&format!("{key} =")) { line.to_string() } else { l.to_string() })
        .collect();
    assert_ne!(text.lines().collect::<Vec<_>>(), replaced, "{key} is in {file}");
    std::fs::write(&path, replaced.join("\n") + "\n").expect("write config");
    config
}

fn no_panic(stderr: &str) {
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
}

#[test]
fn calendar_values_out_of_bounds_are_refused_with_their_line() {
    let cases = [
        ("cutoff_days_before_due", "cutoff_days_before_due = 1000000"),
        ("cutoff_days_before", "cutoff_days_before = 1000000"),
        ("every_days", "every_days = 100000000"),
        ("first_due", "first_due = \"9998-12-28\""),
        ("dates", "dates = [\"2025-09-04\", \"9999-12-30\"]"),
    ];
    for (key, line) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = config_with(dir.path(), "calendar.toml", key, line);
        let out =
            run(["--config".as_ref(), config.as_os_str(), "status".as_ref(), "--week".as_ref(), "2025-W37".as_ref()]);
        assert_eq!(out.code, 2, "{key}: {}", out.stderr);
        assert!(out.stderr.contains("calendar.toml:"), "{key}: {}", out.stderr);
        no_panic(&out.stderr);
    }
}

#[test]
fn dates_outside_the_calendar_on_the_command_line_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("out");
    let out_arg = out_dir.to_string_lossy().to_string();
    let runs: [&[&str]; 5] = [
        &["build", "--meeting", "+262142-12-31", "--out", &out_arg],
        &["build", "--meeting", "0001-01-01", "--out", &out_arg],
        &["build", "--weeks", "99999-W01", "--out", &out_arg],
        &["status", "--week", "262142-W01"],
        &["form", "--type", "province", "--week", "9999-W52"],
    ];
    for args in runs {
        let out = run(args.iter());
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        no_panic(&out.stderr);
    }
    assert!(!out_dir.join("+262142-12-31").exists());
}
