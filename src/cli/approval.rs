//! The approval commands: `approve`, `diff`, `verify`, and `build --approved N`
//! (an approved version rebuilt from the archive).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{EXIT_OK, EXIT_REJECTED, print_json};
use crate::aggregate::{self, CycleChoice, Snapshot};
use crate::approvals;
use crate::error::{Error, Result};
use crate::language::{ApprovalWords, Language, fill};
use crate::ledger::Ledger;
use crate::pipeline::Pipeline;
use crate::pipeline::approve::{ApproveRequest, OnDisk};
use crate::render::{DATA_JSON, render_value};

/// The template of `tonghop diff`'s text.
pub const CHANGES_TEMPLATE: &str = "thay-doi.txt";

/// The approval words of the language, or of its built-in fallback.
pub fn approval_words(pipeline: &Pipeline<'_>) -> Result<ApprovalWords> {
    if let Some(words) = pipeline.lang().approval() {
        return Ok(words.clone());
    }
    let config = pipeline.config();
    let fallback = Language::load(&[config.dir.as_path()], pipeline.lang().fallback().code())
        .map_err(|e| Error::language(e, config.dir.clone()))?;
    Ok(fallback.approval().cloned().unwrap_or_else(|| unreachable!("checked when the language is loaded")))
}

/// What `build` says of its draft: how to approve it, or what changed since
/// the approved version (as many as the draft's changes section lists).
///
/// A cycle named by its weeks rather than a meeting cannot be approved: nothing is said of it.
pub fn draft_line(words: &ApprovalWords, summary: &crate::aggregate::Summary) -> Option<String> {
    let meeting = summary.cycle.meeting?.to_string();
    let Some(changes) = &summary.changes else {
        return Some(fill(&words.build_draft, &[("meeting", meeting)]));
    };
    let against = changes.against.as_ref();
    let values = [
        ("version", against.map_or_else(String::new, |a| a.version.to_string())),
        ("by", against.map_or_else(String::new, |a| a.by.clone())),
        ("at", against.map_or_else(String::new, |a| words.time_of(&a.at))),
        ("figures", changes.figures.len().to_string()),
        ("reports", changes.submissions.len().to_string()),
        ("tasks", changes.tasks.len().to_string()),
        ("files", changes.files.len().to_string()),
        ("meeting", meeting),
    ];
    Some(fill(if changes.any { &words.build_changes } else { &words.build_no_changes }, &values))
}

/// `tonghop approve`: approves the cycle as last built and says where the approved version is.
pub fn approve(pipeline: &Pipeline<'_>, request: &ApproveRequest) -> Result<ExitCode> {
    let words = approval_words(pipeline)?;
    // What is typed goes into every output on one line: no line breaks or runs of spaces.
    let one_line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut request = request.clone();
    request.by = one_line(&request.by);
    request.note = request.note.as_deref().map(one_line).filter(|n| !n.is_empty());
    if request.by.is_empty() {
        return Err(Error::Usage(
            "--by: ghi họ tên và chức vụ người phê duyệt, ví dụ --by \"Nguyễn Văn A, Thứ trưởng\" (the approver's name and title)".into(),
        ));
    }
    let done = pipeline.approve(&request)?;
    let (approval, written) = (&done.approval, &done.written);
    let at = words.time_of(&approval.at);
    let version = approval.version.to_string();
    println!(
        "{}",
        fill(
            &words.approved,
            &[
                ("cycle", written.cycle.id.clone()),
                ("version", version.clone()),
                ("by", approval.by.clone()),
                ("at", at)
            ]
        )
    );
    let files = written.outputs.join(", ");
    println!("{}", fill(&words.approved_dir, &[("dir", written.dir.display().to_string()), ("files", files)]));
    let inputs = [("count", approval.inputs.to_string()), ("sha", approval.inputs_sha256.clone())];
    println!("{}", fill(&words.inputs, &inputs));
    println!("{}", fill(&words.draft_compares, &[("dir", done.draft.display().to_string()), ("version", version)]));
    Ok(ExitCode::from(EXIT_OK))
}

/// `tonghop build --approved N`: builds approved version N again from the
/// archive and compares it, file by file, with the approved bytes, and the
/// version's folder too. Exit 0 when every file is identical, 1 otherwise.
pub fn rebuild(
    pipeline: &Pipeline<'_>,
    state: &Path,
    out: &Path,
    choice: &CycleChoice,
    version: u32,
) -> Result<ExitCode> {
    let words = approval_words(pipeline)?;
    let cycle = aggregate::resolve_cycle(&pipeline.config().calendar, choice, &[])
        .map_err(|error| Error::Cycle { error, lang: pipeline.lang().fallback() })?;
    let rebuilt = pipeline.rebuild_approved(state, out, &cycle.id, version)?;
    let same = rebuilt.files.iter().filter(|f| f.same).count();
    let counts = [
        ("version", version.to_string()),
        ("cycle", cycle.id.clone()),
        ("same", same.to_string()),
        ("total", rebuilt.files.len().to_string()),
    ];
    println!("{}", fill(&words.rebuilt, &counts));
    let dir = rebuilt.dir.display().to_string();
    for file in &rebuilt.files {
        let values = [("name", file.name.clone()), ("dir", dir.clone())];
        if !file.same {
            println!("  {}", fill(&words.rebuilt_differs, &values[..1]));
        }
        match file.on_disk {
            OnDisk::Restored => println!("  {}", fill(&words.rebuilt_written, &values)),
            OnDisk::Altered => println!("  {}", fill(&words.rebuilt_altered, &values)),
            OnDisk::Approved => {}
        }
    }
    if rebuilt.config_changed {
        println!("{}", words.config_changed);
    }
    let intact = rebuilt.files.iter().all(|f| f.same && f.on_disk != OnDisk::Altered);
    Ok(ExitCode::from(if intact { EXIT_OK } else { EXIT_REJECTED }))
}

/// `tonghop verify FILE`: whether a file is an output of an approved version,
/// from its SHA-256 in the ledger. Exit 0 when it is, 1 when it matches none.
pub fn verify(pipeline: &Pipeline<'_>, state: &Path, file: &Path, json: bool) -> Result<ExitCode> {
    let sha = crate::fs::sha256_of_file(file).map_err(|_| Error::NoSuchPath { path: file.to_path_buf() })?;
    let found = match Ledger::open_read_only(state) {
        Ok(ledger) => approvals::by_output(&ledger, &sha)?,
        Err(crate::ledger::LedgerError::Missing { .. }) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    if json {
        let matches: Vec<serde_json::Value> = found
            .iter()
            .map(|(a, name)| serde_json::json!({ "cycle": a.cycle, "name": name, "approval": a.approval }))
            .collect();
        print_json(&serde_json::json!({ "file": file, "sha256": sha, "approved": matches }))?;
    } else {
        print!("{}", verify_text(&approval_words(pipeline)?, file, &sha, &found));
    }
    Ok(ExitCode::from(if found.is_empty() { EXIT_REJECTED } else { EXIT_OK }))
}

fn verify_text(words: &ApprovalWords, file: &Path, sha: &str, found: &[(approvals::Recorded, String)]) -> String {
    let shown = file.display().to_string();
    if found.is_empty() {
        return fill(&words.verify_none, &[("file", shown), ("sha", sha.to_string())]) + "\n";
    }
    found
        .iter()
        .map(|(a, name)| {
            let values = [
                ("file", shown.clone()),
                ("name", name.clone()),
                ("version", a.approval.version.to_string()),
                ("cycle", a.cycle.clone()),
                ("by", a.approval.by.clone()),
                ("at", words.time_of(&a.approval.at)),
            ];
            fill(&words.verify_match, &values) + "\n"
        })
        .collect()
}

/// `tonghop diff A B`: what changed from build A to build B (each a `data.json`
/// or a folder holding one). Exit 0 when nothing changed, 1 when something did.
pub fn diff(pipeline: &Pipeline<'_>, old: &Path, new: &Path, json: bool) -> Result<ExitCode> {
    let (before, after) = (read_snapshot(old)?, read_snapshot(new)?);
    let changes = aggregate::compare(&before, &after);
    if json {
        print_json(&changes)?;
    } else {
        // The later build's weeks, so that a figure's label names the period its value covers.
        let cycle = serde_json::json!({ "id": after.cycle.id, "weeks": after.cycle.weeks });
        let data = serde_json::json!({ "changes": changes, "cycle": cycle, "old": old, "new": new });
        let config = pipeline.config();
        let templates = crate::render::Templates { config_dir: config.dir.clone(), override_dir: None };
        print!("{}", render_value(config, &templates, pipeline.lang(), CHANGES_TEMPLATE, data)?);
    }
    Ok(ExitCode::from(if changes.any { EXIT_REJECTED } else { EXIT_OK }))
}

/// The build at `path`: a `data.json`, or a folder holding one (a cycle's
/// draft, or an approved version's `v<N>/`).
fn read_snapshot(path: &Path) -> Result<Snapshot> {
    let file: PathBuf = if path.is_dir() { path.join(DATA_JSON) } else { path.to_path_buf() };
    let bytes = std::fs::read(&file).map_err(|_| Error::NoSuchPath { path: file.clone() })?;
    Snapshot::parse(&bytes).map_err(|e| {
        Error::Usage(format!("{} không phải data.json của tonghop (not a tonghop data.json): {e}", file.display()))
    })
}
