//! The deployment files of `contrib/` are valid for the programs that read them.
//!
//! - `contrib/tonghop-watch.service` is checked by `systemd-analyze verify`, with
//!   `ExecStart` pointing at the binary under test (the unit names the installed
//!   path, `/usr/local/bin/tonghop`, absent on a test machine). Where
//!   `systemd-analyze` is missing the check is skipped, saying so on the
//!   terminal, under CI too: CI runs in containers, where systemd is usually
//!   absent, and `.ci/run` does not install it.
//! - `contrib/smb.conf.example` is checked by `testparm -s` (package
//!   `samba-common-bin`). Without `testparm` the test fails, saying how to
//!   install it, unless `TONGHOP_SKIP_TOOL_TESTS=1` (see `common::tools`).
//!
//! Without either tool, the unit's `ExecStart` is still checked against
//! `tonghop watch --help`, and its sandbox against the folders it names.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common;
use crate::common::tools::{self, Tool};

const UNIT: &str = "contrib/tonghop-watch.service";
const SMB: &str = "contrib/smb.conf.example";
/// Where the unit expects the installed binary.
const INSTALLED: &str = "/usr/local/bin/tonghop";

fn read(path: &str) -> String {
    std::fs::read_to_string(common::crate_dir().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs a tool, or `None` when it is not installed.
fn run(program: &str, args: &[&std::ffi::OsStr]) -> Option<Output> {
    match Command::new(program).args(args).output() {
        Ok(output) => Some(output),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("cannot run {program}: {e}"),
    }
}

/// The values of `key=` in the unit's `[Service]` section, in order.
fn service_values<'u>(unit: &'u str, key: &str) -> Vec<&'u str> {
    let mut section = "";
    let mut values = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
        } else if section == "[Service]"
            && let Some(value) = line.strip_prefix(key).and_then(|rest| rest.strip_prefix('='))
        {
            values.push(value.trim());
        }
    }
    values
}

/// The words of `ExecStart` (the unit uses no quoting).
fn exec_start(unit: &str) -> Vec<&str> {
    let lines = service_values(unit, "ExecStart");
    assert_eq!(lines.len(), 1, "one ExecStart in {UNIT}");
    lines[0].split_whitespace().collect()
}

/// The value following `option` in `ExecStart`.
fn option_value<'u>(words: &[&'u str], option: &str) -> &'u str {
    let at = words.iter().position(|w| *w == option).unwrap_or_else(|| panic!("{UNIT}: ExecStart has no {option}"));
    words.get(at + 1).unwrap_or_else(|| panic!("{UNIT}: {option} without a value"))
}

fn paths(unit: &str, key: &str) -> Vec<PathBuf> {
    service_values(unit, key).iter().flat_map(|v| v.split_whitespace()).map(PathBuf::from).collect()
}

/// Whether `path` is one of `allowed` or below one of them.
fn covered(path: &Path, allowed: &[PathBuf]) -> bool {
    allowed.iter().any(|a| path.starts_with(a))
}

#[test]
fn service_runs_watch_with_options_it_has_and_a_sandbox_that_fits_its_folders() {
    let unit = read(UNIT);
    let words = exec_start(&unit);
    assert_eq!(words[0], INSTALLED, "{UNIT}: ExecStart runs the installed binary");
    assert_eq!(words[1], "watch", "{UNIT}: ExecStart runs tonghop watch");

    // Every option of ExecStart is one `tonghop watch` has.
    let help = Command::new(env!("CARGO_BIN_EXE_tonghop")).args(["watch", "--help"]).output().expect("watch --help");
    let help = String::from_utf8_lossy(&help.stdout);
    for option in words.iter().filter(|w| w.starts_with("--")) {
        assert!(help.contains(&format!("{option} ")), "{UNIT}: `tonghop watch` has no option {option}");
    }
    for option in ["--inputs", "--out", "--state", "--poll"] {
        assert!(words.contains(&option), "{UNIT}: ExecStart should name {option}");
    }

    // The service writes its outputs and state, and the copies of the receipts in the units'
    // folders of the inputs (the file permissions keep it out of everything else there);
    // its configuration is read-only.
    let (inputs, out, state) =
        (option_value(&words, "--inputs"), option_value(&words, "--out"), option_value(&words, "--state"));
    let writable = paths(&unit, "ReadWritePaths");
    let read_only = paths(&unit, "ReadOnlyPaths");
    for (what, path) in [("--out", out), ("--state", state), ("--inputs", inputs)] {
        assert!(covered(Path::new(path), &writable), "{UNIT}: {what} {path} is not in ReadWritePaths {writable:?}");
    }
    let config = Path::new(service_values(&unit, "WorkingDirectory")[0]).join("report_templates");
    assert!(covered(&config, &read_only), "{UNIT}: the configuration {config:?} is not in ReadOnlyPaths {read_only:?}");
    assert!(!covered(&config, &writable), "{UNIT}: the configuration must not be writable by the service");

    for (key, value) in
        [("Restart", "on-failure"), ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("KillSignal", "SIGTERM")]
    {
        assert_eq!(service_values(&unit, key), [value], "{UNIT}: {key}");
    }
    for key in ["User", "WorkingDirectory"] {
        assert_eq!(service_values(&unit, key).len(), 1, "{UNIT}: {key} is set once");
    }
    assert_ne!(service_values(&unit, "User"), ["root"], "{UNIT}: a dedicated user, not root");
}

/// Lines of `systemd-analyze verify` that do not concern the unit's own
/// content: the dedicated user does not exist on a test machine.
fn about_the_missing_user(line: &str) -> bool {
    let lower = line.to_lowercase();
    (lower.contains("user") || lower.contains("group"))
        && lower.contains("tonghop")
        && ["not exist", "not found", "resolve", "unknown"].iter().any(|w| lower.contains(w))
}

#[test]
fn service_unit_passes_systemd_analyze_verify() {
    let unit = read(UNIT);
    let tmp = tempfile::tempdir().expect("tmp");
    let copy = tmp.path().join("tonghop-watch.service");
    std::fs::write(&copy, unit.replace(INSTALLED, env!("CARGO_BIN_EXE_tonghop"))).expect("write unit");

    let Some(output) = run("systemd-analyze", &["verify".as_ref(), copy.as_os_str()]) else {
        // Not a tool to install for a test: it comes with systemd, which
        // containers (and so CI) usually lack. Skipped there, saying so.
        tools::say_skipped(
            "service_unit_passes_systemd_analyze_verify",
            &format!("systemd-analyze is not installed (it comes with systemd), so {UNIT} is not verified"),
        );
        return;
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Unknown keys and bad values are warnings with a zero exit status: any line
    // about the unit's own file fails, except that its user does not exist here.
    let problems: Vec<&str> =
        stderr.lines().filter(|line| line.contains("tonghop-watch") && !about_the_missing_user(line)).collect();
    assert!(output.status.success(), "systemd-analyze verify {UNIT} failed:\n{stderr}");
    assert!(problems.is_empty(), "systemd-analyze verify {UNIT}:\n{}", problems.join("\n"));
}

/// The sections of `testparm -s` output: name and `key = value` pairs.
fn smb_sections(dump: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in dump.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.to_string(), Vec::new()));
        } else if let (Some((key, value)), Some(last)) = (line.split_once(" = "), sections.last_mut()) {
            last.1.push((key.trim().to_lowercase(), value.trim().to_string()));
        }
    }
    sections
}

#[test]
fn samba_example_passes_testparm_and_lets_each_unit_write_its_own_folder_only() {
    let path = common::crate_dir().join(SMB);
    let testparm = Tool::program("testparm", &["--version"], tools::install::SAMBA);
    if !tools::tools_ready("samba_example_passes_testparm_and_lets_each_unit_write_its_own_folder_only", &[testparm]) {
        return;
    }
    let output = run("testparm", &["-s".as_ref(), path.as_os_str()]).expect("testparm is installed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "testparm -s {SMB} failed:\n{stderr}");
    assert!(stderr.contains("Loaded services file OK"), "testparm -s {SMB}:\n{stderr}");
    // testparm exits 0 on unknown parameters and unusable shares: its messages decide.
    for word in ["unknown", "ignoring", "warning", "error", "invalid", "unavailable"] {
        let bad: Vec<&str> = stderr.lines().filter(|l| l.to_lowercase().contains(word)).collect();
        assert!(bad.is_empty(), "testparm -s {SMB}: {}", bad.join("\n"));
    }

    // In testparm's canonical dump: every share that some account may write is
    // one unit's folder, written by that one account.
    let dump = String::from_utf8_lossy(&output.stdout);
    let sections = smb_sections(&dump);
    let config = common::config();
    let mut unit_shares = 0;
    for (name, keys) in sections.iter().filter(|(name, _)| name != "global") {
        let get = |key: &str| keys.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        for key in ["read only", "writeable", "writable", "write ok"] {
            let writable_by_all = match key {
                "read only" => get(key).is_some_and(|v| v.eq_ignore_ascii_case("no")),
                _ => get(key).is_some_and(|v| v.eq_ignore_ascii_case("yes")),
            };
            assert!(!writable_by_all, "{SMB}: [{name}] is writable by every user who may connect");
        }
        assert!(get("guest ok").is_none_or(|v| v.eq_ignore_ascii_case("no")), "{SMB}: [{name}] allows guests");
        let valid: Vec<&str> = get("valid users").map(|v| v.split_whitespace().collect()).unwrap_or_default();
        assert!(!valid.is_empty(), "{SMB}: [{name}] must name its valid users");
        let Some(writers) = get("write list") else { continue };
        let writers: Vec<&str> = writers.split_whitespace().collect();
        assert_eq!(writers.len(), 1, "{SMB}: [{name}] is written by one unit's account only: {writers:?}");
        assert!(!writers[0].starts_with('@'), "{SMB}: [{name}] is written by a group");
        assert!(valid.contains(&writers[0]), "{SMB}: [{name}]: the writer must be among the valid users");
        let share_path = get("path").unwrap_or_else(|| panic!("{SMB}: [{name}] has no path"));
        let folder = Path::new(share_path).file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let unit = config.layout.unit_of_folder(&config.units, folder);
        let unit = unit.unwrap_or_else(|| panic!("{SMB}: [{name}] writes {share_path}, not a unit's folder"));
        assert_eq!(folder, config.layout.folder_of(unit), "{SMB}: [{name}]: the folder as `tonghop init` names it");
        let others: Vec<&str> = valid.iter().copied().filter(|v| *v != writers[0]).collect();
        assert!(others.iter().all(|v| v.starts_with('@')), "{SMB}: [{name}]: another account may connect: {others:?}");
        unit_shares += 1;
    }
    assert!(unit_shares >= 2, "{SMB}: expected shares of several units, found {unit_shares}");
}
