//! The programs some tests drive (LibreOffice, pdftotext, Python's openpyxl,
//! Chromium with playwright-core, testparm), and what a test does when one is
//! missing: it fails, naming the tool and how to install it (the lines of the
//! README), so that a test that did not run never passes for one that did.
//!
//! Setting `TONGHOP_SKIP_TOOL_TESTS=1` turns those failures into skips that
//! say so on the terminal; under CI (`CI` set) the variable is ignored, and
//! `.ci/run` installs every tool. `systemd-analyze` is the exception: it needs
//! systemd, which containers usually lack, so its test is skipped, saying why,
//! where systemd is not installed ([`say_skipped`]).

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

/// The variable that turns a missing tool from a failure into a skip, outside CI.
pub const SKIP_TOOL_TESTS: &str = "TONGHOP_SKIP_TOOL_TESTS";

/// One program or library a test needs, whether it is here, and how to install it.
#[derive(Debug, Clone)]
pub struct Tool {
    /// What is needed, as a reader would look for it.
    pub name: String,
    /// The command that installs it.
    pub install: &'static str,
    pub present: bool,
}

impl Tool {
    /// A program, present when `program args` runs and exits with success.
    pub fn program(program: &str, args: &[&str], install: &'static str) -> Tool {
        let present = Command::new(program).args(args).output().is_ok_and(|o| o.status.success());
        Tool { name: program.to_string(), install, present }
    }

    /// A program, present when it can be started at all (`pdftotext -v` exits
    /// with an error status).
    pub fn startable(program: &str, args: &[&str], install: &'static str) -> Tool {
        let present = Command::new(program).args(args).output().is_ok();
        Tool { name: program.to_string(), install, present }
    }

    /// A file or folder the tool is made of.
    pub fn file(name: &str, path: &Path, install: &'static str) -> Tool {
        Tool { name: format!("{name} ({})", path.display()), install, present: path.exists() }
    }

    /// A module of LibreOffice (Calc is `libsclo.so`, Writer `libswlo.so`),
    /// looked for beside the `soffice` program found on the `PATH`: `soffice`
    /// runs without them, and fails only on the document it cannot open.
    pub fn libreoffice_module(name: &str, library: &str, install: &'static str) -> Tool {
        let usual = ["/usr/lib/libreoffice/program", "/opt/libreoffice/program"].map(std::path::PathBuf::from);
        let beside_soffice = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
            .map(|dir| dir.join("soffice"))
            .find(|soffice| soffice.exists())
            .and_then(|soffice| std::fs::canonicalize(soffice).ok())
            .and_then(|soffice| soffice.parent().map(Path::to_path_buf));
        let present = usual.iter().chain(beside_soffice.as_ref()).any(|dir| dir.join(library).exists());
        Tool { name: format!("{name} ({library})"), install, present }
    }

    /// Anything else, told by the caller.
    pub fn other(name: &str, present: bool, install: &'static str) -> Tool {
        Tool { name: name.to_string(), install, present }
    }
}

/// The install lines of the README, one per tool.
pub mod install {
    pub const CALC: &str = "apt-get install libreoffice-calc-nogui";
    pub const WRITER: &str = "apt-get install libreoffice-writer-nogui";
    pub const POPPLER: &str = "apt-get install poppler-utils";
    pub const OPENPYXL: &str = "pip install openpyxl";
    pub const CHROMIUM: &str = "apt-get install chromium fonts-liberation2";
    pub const NODE: &str = "apt-get install nodejs npm";
    pub const PLAYWRIGHT: &str = "npm ci --prefix tests/browser";
    pub const SAMBA: &str = "apt-get install samba-common-bin";
}

/// Whether `test` can run with these tools. When some are missing it fails,
/// naming each with its install line, unless [`SKIP_TOOL_TESTS`] is set
/// outside CI: then it says the test is skipped, and why, and gives `false`.
#[track_caller]
pub fn tools_ready(test: &str, tools: &[Tool]) -> bool {
    let under_ci = std::env::var_os("CI").is_some();
    let opted_out = std::env::var(SKIP_TOOL_TESTS).is_ok_and(|v| v == "1");
    match verdict(test, tools, under_ci, opted_out) {
        Verdict::Run => true,
        Verdict::Skip(why) => {
            say_skipped(test, &why);
            false
        }
        Verdict::Fail(why) => panic!("{why}"),
    }
}

/// What a test does about the tools it needs.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Run,
    /// Skipped, for this reason.
    Skip(String),
    /// Failed, with this message.
    Fail(String),
}

/// The policy of [`tools_ready`], given whether CI is on and the tests of
/// missing tools were asked to be skipped.
pub fn verdict(test: &str, tools: &[Tool], under_ci: bool, opted_out: bool) -> Verdict {
    let missing: Vec<&Tool> = tools.iter().filter(|t| !t.present).collect();
    if missing.is_empty() {
        return Verdict::Run;
    }
    let list: String = missing.iter().map(|t| format!("\n  - {}: {}", t.name, t.install)).collect();
    if opted_out && !under_ci {
        return Verdict::Skip(format!("{SKIP_TOOL_TESTS}=1 and missing:{list}"));
    }
    let what_to_do = if under_ci {
        format!("Under CI (`CI` set) every tool is required, whatever {SKIP_TOOL_TESTS} says; .ci/run installs them.")
    } else {
        format!(
            "Install them (README.md, \"Some tests drive other programs\"), or set {SKIP_TOOL_TESTS}=1 to skip the tests that need them."
        )
    };
    Verdict::Fail(format!("{test} needs tools that are not installed:{list}\n{what_to_do}"))
}

/// Says on the terminal that `test` is skipped, and why. Written to the
/// process's standard error itself, not through `eprintln!`, which the test
/// harness captures and shows only for a failing test: a skipped test passes,
/// and its reason would never be seen.
pub fn say_skipped(test: &str, why: &str) {
    let _ = writeln!(std::io::stderr().lock(), "skipped {test}: {why}");
}

#[test]
fn a_missing_tool_fails_its_test_unless_skipping_is_asked_outside_ci() {
    let present = Tool::other("present-tool", true, "nothing");
    let missing = Tool::other("missing-tool", false, "apt-get install missing-tool");
    for (under_ci, opted_out) in [(false, false), (false, true), (true, false), (true, true)] {
        assert_eq!(verdict("t", std::slice::from_ref(&present), under_ci, opted_out), Verdict::Run);
    }
    let both = [present, missing.clone()];
    let Verdict::Fail(why) = verdict("t", &both, false, false) else { panic!("fails without the opt-out") };
    assert!(why.contains("missing-tool: apt-get install missing-tool") && !why.contains("present-tool"), "{why}");
    assert!(why.contains(SKIP_TOOL_TESTS), "says how to skip: {why}");
    let Verdict::Skip(why) = verdict("t", &both, false, true) else { panic!("skipped with the opt-out") };
    assert!(why.contains("missing-tool: apt-get install missing-tool"), "{why}");
    let Verdict::Fail(why) = verdict("t", &both, true, true) else { panic!("fails under CI, opt-out or not") };
    assert!(why.contains("Under CI"), "{why}");
}
