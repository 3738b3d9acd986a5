//! Approving a cycle (`tonghop approve`), rebuilding an approved version from
//! the archive, and the approved version a draft is compared with.
//!
//! An approval is of the last build as it stands: the cycle is read again and
//! must give the very files the draft in `outputs/<cycle>/` lists. The approved
//! version is written to `outputs/<cycle>/v<N>/` and never rewritten; its
//! inputs and outputs are archived and recorded in the ledger by SHA-256.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;

use super::driver::{Pipeline, Written, settled_choice};
use super::inputs::{Listed, Source, Sources};
use super::progress::Quiet;
use super::read::{self, StageClock};
use crate::aggregate::{self, Approval, CycleChoice, CycleSpec, DocumentStatus, FileChange, Snapshot, Summary};
use crate::approvals::{self, ApprovedInput, ApprovedOutput, NewApproval, Recorded};
use crate::error::{Error, Result};
use crate::ledger::{self, Ledger};
use crate::model::{FileMeta, FileReport};
use crate::render::{self, DATA_JSON, Output};

/// What to approve, and by whom.
#[derive(Debug, Clone)]
pub struct ApproveRequest {
    pub sources: Sources,
    pub out: PathBuf,
    pub choice: CycleChoice,
    /// "NAME, TITLE".
    pub by: String,
    pub note: Option<String>,
    pub at: DateTime<Tz>,
}

/// A version approved and written.
pub struct ApprovedVersion {
    pub approval: Approval,
    pub written: Written,
    /// The cycle's draft, rewritten to compare with this version.
    pub draft: PathBuf,
}

/// An approved version built again from the archive.
pub struct Rebuilt {
    pub recorded: Recorded,
    pub dir: PathBuf,
    /// Each output, rebuilt and on disk.
    pub files: Vec<RebuiltFile>,
    /// The configuration or templates differ from those of the approval.
    pub config_changed: bool,
}

/// One output of an approved version built again.
pub struct RebuiltFile {
    pub name: String,
    /// The rebuilt bytes are those approved.
    pub same: bool,
    /// What the version's folder holds.
    pub on_disk: OnDisk,
}

/// The file of an approved version in its folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDisk {
    /// The approved bytes.
    Approved,
    /// Missing, and written again from the rebuild.
    Restored,
    /// Other bytes than those approved (edited since): left as it is.
    Altered,
}

impl Pipeline<'_> {
    /// Approves the cycle of `request`: checks that its inputs are those of the
    /// last build, writes version N, archives and records it, and rewrites the
    /// draft so that it compares with it.
    pub fn approve(&self, request: &ApproveRequest) -> Result<ApprovedVersion> {
        let state = request.sources.state.as_deref().ok_or(Error::ArchiveWithoutState)?;
        let (listed, read) = self.read_cycle(&request.sources, &request.choice, &StageClock::default(), &Quiet)?;
        let choice = settled_choice(&read.cycle, &request.choice);
        let (cycle, summary) = self.summarize(&read.reports, &choice, read.not_needed, None)?;
        refuse_if_changed(&request.out, &cycle, &summary)?;
        let mut ledger = Ledger::open(state)?;
        let version = approvals::latest(&ledger, &cycle.id)?.map_or(1, |a| a.approval.version + 1);
        let dir = version_dir(&request.out, &cycle.id, version);
        refuse_if_written(&dir)?;
        let inputs: Vec<ApprovedInput> = read.reports.iter().map(ApprovedInput::of).collect();
        archive_inputs(&ledger, &listed, &read.reports)?;
        let approval = Approval {
            version,
            by: request.by.clone(),
            at: request.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            note: request.note.clone(),
            inputs_sha256: approvals::inputs_fingerprint(&inputs),
            inputs: inputs.len(),
        };
        let stamped = self.stamped(summary, &approval, Some(state))?;
        let rendered = render::render_all(self.config, &stamped, &self.templates, &self.lang)?;
        // Recorded before the folder is written: should writing fail, the
        // version exists and `build --approved N` writes its files again.
        let outputs = archive_outputs(&ledger, &rendered)?;
        let weeks = cycle.weeks.iter().map(|w| w.label()).collect::<Vec<_>>().join(",");
        approvals::record(
            &mut ledger,
            &NewApproval {
                cycle: &cycle.id,
                weeks: &weeks,
                lang: self.lang.code(),
                config_sha256: &self.config_fingerprint(),
                other_weeks_files: read.not_needed,
                approval: &approval,
                inputs: &inputs,
                outputs: &outputs,
            },
        )?;
        drop(ledger);
        let (out, inputs) = (request.out.as_path(), request.sources.inputs.as_path());
        let written = self.write_rendered(&cycle, stamped, &rendered, &read.reports, (out, &dir), inputs)?;
        let draft = self.write_cycle(&read.reports, &choice, read.not_needed, out, &request.sources)?;
        Ok(ApprovedVersion { approval, written, draft: draft.dir })
    }

    /// Builds approved version `version` of `cycle` again from the archive, with
    /// the inputs, received times and approval it was recorded with, and
    /// compares every output with the approved bytes. Files missing from
    /// `out/<cycle>/v<N>/` are written; existing ones are never touched.
    pub fn rebuild_approved(&self, state: &Path, out: &Path, cycle: &str, version: u32) -> Result<Rebuilt> {
        let ledger = Ledger::open_read_only(state)?;
        let recorded = approvals::of_cycle(&ledger, cycle)?
            .into_iter()
            .find(|a| a.approval.version == version)
            .ok_or_else(|| Error::NoSuchApproval { cycle: cycle.to_string(), version })?;
        if recorded.lang != self.lang.code() {
            return Err(Error::ApprovedInAnotherLanguage { lang: recorded.lang.clone() });
        }
        let listed = approved_listing(self, &ledger, &recorded)?;
        let approved: BTreeMap<String, String> =
            approvals::outputs(&ledger, &recorded)?.into_iter().map(|o| (o.name, o.sha256)).collect();
        drop(ledger);
        let reports = read::check_all(self.config, &listed, &StageClock::default(), &Quiet);
        let (spec, summary) =
            self.summarize(&reports, &recorded_choice(&recorded), recorded.other_weeks_files, None)?;
        let stamped = self.stamped(summary, &recorded.approval, Some(state))?;
        let outputs = render::render_all(self.config, &stamped, &self.templates, &self.lang)?;
        let dir = version_dir(out, &spec.id, version);
        let files = restore_missing(&dir, &outputs, &approved)?;
        Ok(Rebuilt { config_changed: recorded.config_sha256 != self.config_fingerprint(), recorded, dir, files })
    }

    /// A summary as approved version `approval.version` states it: approved,
    /// by whom and when, and what changed since the version before it.
    fn stamped(&self, mut summary: Summary, approval: &Approval, state: Option<&Path>) -> Result<Summary> {
        summary.status = DocumentStatus::Approved;
        summary.approval = Some(approval.clone());
        summary.changes = None;
        let before = approved_baseline(state, &summary.cycle.id, Some(approval.version))?;
        summary.changes = before.map(|b| self.changes_since(&b, &summary)).transpose()?;
        Ok(summary)
    }

    /// What differs between an approved version and a summary.
    pub(super) fn changes_since(&self, approved: &Snapshot, summary: &Summary) -> Result<aggregate::Changes> {
        let now = Snapshot::of(summary)
            .map_err(|e| Error::Render(render::RenderError { output: DATA_JSON.into(), message: e.to_string() }))?;
        Ok(aggregate::compare(approved, &now))
    }

    /// SHA-256 over every file of the configuration folder and the template
    /// overrides (relative path and bytes, in path order).
    pub fn config_fingerprint(&self) -> String {
        let mut lines = String::new();
        let roots = std::iter::once(&self.templates.config_dir).chain(self.templates.override_dir.as_ref());
        for root in roots {
            let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
                .into_iter()
                .flatten()
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .collect();
            files.sort();
            for file in files {
                let hash = crate::fs::sha256_of_file(&file).unwrap_or_default();
                let relative = file.strip_prefix(root).unwrap_or(&file).display().to_string();
                lines.push_str(&format!("{relative}\t{hash}\n"));
            }
        }
        crate::fs::sha256_hex(lines.as_bytes())
    }
}

/// The approved version the summary of `cycle` is compared with: the latest,
/// or the latest before version `before`. Read from the archive, checked
/// against the hash the ledger recorded.
pub(super) fn approved_baseline(state: Option<&Path>, cycle: &str, before: Option<u32>) -> Result<Option<Snapshot>> {
    let Some(state) = state.filter(|s| s.join(ledger::DATABASE).is_file()) else { return Ok(None) };
    let ledger = Ledger::open_read_only(state)?;
    let all = approvals::of_cycle(&ledger, cycle)?;
    let Some(approved) = all.into_iter().rev().find(|a| before.is_none_or(|v| a.approval.version < v)) else {
        return Ok(None);
    };
    let data = approvals::outputs(&ledger, &approved)?
        .into_iter()
        .find(|o| o.name == DATA_JSON)
        .ok_or_else(|| Error::ApprovedCopyMissing { what: format!("v{} {DATA_JSON}", approved.approval.version) })?;
    let copy = ledger
        .archive()
        .checked_copy(&data.sha256, "json")
        .map_err(|p| Error::ApprovedCopyMissing { what: p.path.display().to_string() })?;
    let bytes = std::fs::read(&copy).map_err(Error::write(copy.clone()))?;
    let snapshot =
        Snapshot::parse(&bytes).map_err(|_| Error::ApprovedCopyMissing { what: copy.display().to_string() })?;
    Ok(Some(snapshot))
}

/// `outputs/<cycle>/v<N>/`.
pub fn version_dir(out: &Path, cycle: &str, version: u32) -> PathBuf {
    out.join(cycle).join(format!("v{version}"))
}

/// The cycle of a recorded approval: its meeting (the cycle's name), or its weeks.
fn recorded_choice(recorded: &Recorded) -> CycleChoice {
    match chrono::NaiveDate::parse_from_str(&recorded.cycle, "%Y-%m-%d") {
        Ok(meeting) => CycleChoice::Meeting(meeting),
        Err(_) => CycleChoice::Weeks(recorded.weeks.split(',').map(str::to_string).collect()),
    }
}

/// An approval is of the last build: the files read now must be those its
/// draft lists, each the same version and judged the same.
fn refuse_if_changed(out: &Path, cycle: &CycleSpec, fresh: &Summary) -> Result<()> {
    let path = out.join(&cycle.id).join(DATA_JSON);
    let Ok(bytes) = std::fs::read(&path) else { return Err(Error::NotBuilt { path }) };
    let built = Snapshot::parse(&bytes).map_err(|_| Error::NotBuilt { path: path.clone() })?;
    let now = Snapshot::of(fresh)
        .map_err(|e| Error::Render(render::RenderError { output: DATA_JSON.into(), message: e.to_string() }))?;
    let changed: Vec<FileChange> = aggregate::compare(&built, &now).files;
    if changed.is_empty() {
        return Ok(());
    }
    Err(Error::InputsChanged { draft: path, files: changed })
}

fn refuse_if_written(dir: &Path) -> Result<()> {
    let holds_files = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if holds_files {
        return Err(Error::VersionExists { path: dir.to_path_buf() });
    }
    Ok(())
}

/// Keeps every workbook version the approved build read in the archive, from
/// the file the build listed, checked against the hash it read.
fn archive_inputs(ledger: &Ledger, listed: &[Listed], reports: &[FileReport]) -> Result<()> {
    let on_disk: BTreeMap<&str, &Path> = listed
        .iter()
        .filter_map(|l| match l {
            Listed::Workbook(s) => Some((s.display.as_str(), s.path.as_path())),
            Listed::Settled(_) => None,
        })
        .collect();
    let archive = ledger.archive();
    for report in reports.iter().filter(|r| ApprovedInput::of(r).is_archived()) {
        let (sha, path) = (&report.file.sha256, report.file.path.as_str());
        let Some(file) = on_disk.get(path) else { continue };
        let bytes = std::fs::read(file).map_err(Error::write(file.to_path_buf()))?;
        if &crate::fs::sha256_hex(&bytes) != sha {
            return Err(Error::ChangedWhileApproving { path: file.to_path_buf() });
        }
        archive.keep(sha, &ledger::extension_of(path), &bytes)?;
    }
    Ok(())
}

/// Keeps every output of the approved version in the archive (so that a draft
/// can always be compared with it) and returns their hashes.
fn archive_outputs(ledger: &Ledger, rendered: &[Output]) -> Result<Vec<ApprovedOutput>> {
    let archive = ledger.archive();
    let mut outputs = Vec::new();
    for output in rendered {
        let sha256 = crate::fs::sha256_hex(&output.bytes);
        archive.keep(&sha256, &ledger::extension_of(&output.name), &output.bytes)?;
        outputs.push(ApprovedOutput { name: output.name.clone(), sha256, size: output.bytes.len() as u64 });
    }
    Ok(outputs)
}

/// The inputs of an approval as a listing: each workbook from its archived
/// copy (checked against its hash), each other file as it was reported.
fn approved_listing(pipeline: &Pipeline<'_>, ledger: &Ledger, recorded: &Recorded) -> Result<Vec<Listed>> {
    let tz = pipeline.config.calendar.timezone;
    let archive = ledger.archive();
    let received = |i: &ApprovedInput| {
        i.received.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&tz))
    };
    approvals::inputs(ledger, recorded)?
        .into_iter()
        .map(|input| {
            if let Some(issues) = &input.settled {
                let meta = FileMeta {
                    path: input.path.clone(),
                    size: input.size,
                    sha256: input.sha256.clone(),
                    received: received(&input),
                };
                return Ok(Listed::Settled(Box::new(settled_report(meta, input.status, issues.clone()))));
            }
            let copy = archive
                .checked_copy(&input.sha256, &ledger::extension_of(&input.path))
                .map_err(|p| Error::ApprovedCopyMissing { what: format!("{} ({})", input.path, p.path.display()) })?;
            Ok(Listed::Workbook(Source {
                path: copy,
                display: input.path.clone(),
                received: received(&input),
                owner: None,
            }))
        })
        .collect()
}

fn settled_report(file: FileMeta, status: crate::model::FileStatus, issues: Vec<crate::issue::Issue>) -> FileReport {
    FileReport {
        file,
        format: None,
        status,
        issues,
        submission: None,
        read_values: Vec::new(),
        unit: None,
        week: None,
        supersedes: None,
    }
}

/// Compares rebuilt outputs with the approved hashes, and the files of the
/// version's folder too; writes those missing (when the rebuild gives the
/// approved bytes), leaves the others as they are.
fn restore_missing(dir: &Path, outputs: &[Output], approved: &BTreeMap<String, String>) -> Result<Vec<RebuiltFile>> {
    let is_approved = |o: &Output| approved.get(&o.name) == Some(&crate::fs::sha256_hex(&o.bytes));
    let missing: Vec<Output> =
        outputs.iter().filter(|o| !dir.join(&o.name).exists() && is_approved(o)).cloned().collect();
    if !missing.is_empty() {
        render::write_outputs(dir, &missing).map_err(|(path, source)| Error::Write { path, source })?;
    }
    Ok(outputs
        .iter()
        .map(|o| {
            let on_disk = if missing.iter().any(|m| m.name == o.name) {
                OnDisk::Restored
            } else if crate::fs::sha256_of_file(&dir.join(&o.name)).ok().as_ref() == approved.get(&o.name) {
                OnDisk::Approved
            } else {
                OnDisk::Altered
            };
            RebuiltFile { name: o.name.clone(), same: is_approved(o), on_disk }
        })
        .collect())
}
