//! Aggregating a cycle from its reports, rendering every output and writing
//! `outputs/<cycle>/` and the receipts of the cycle's files, under the output lock.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::driver::{Pipeline, Written};
use super::inputs::Sources;
use crate::aggregate::{self, CycleChoice, CycleSpec};
use crate::error::{Error, Result};
use crate::fs::{OutputLock, remove_stale_temporaries};
use crate::model::Timings;
use crate::model::{FileReport, FileStatus};
use crate::render::console::one_line;
use crate::render::{self, Compiled, receipt};

/// How long a run waits for another one writing the same outputs folder.
const LOCK_WAIT: Duration = Duration::from_secs(30);

impl Pipeline<'_> {
    /// Aggregates, renders and writes `out/<cycle>/` from checked reports, and
    /// the receipts of the cycle's files.
    ///
    /// `other_weeks_files` counts the files not read past their general
    /// information because their weeks do not count for the cycle. A file in
    /// a unit's folder of `inputs` laid out by `tonghop init` also gets the
    /// copy of its receipt in that folder's receipts folder.
    pub fn write_cycle(
        &self,
        reports: &[FileReport],
        choice: &CycleChoice,
        other_weeks_files: usize,
        out: &Path,
        sources: &Sources,
    ) -> Result<Written> {
        let stage = Instant::now();
        let (cycle, summary) = self.summarize(reports, choice, other_weeks_files, sources.state.as_deref())?;
        let aggregate = stage.elapsed().as_secs_f64();
        let dir = out.join(&cycle.id);
        let mut written = self.write_summary(&cycle, summary, reports, (out, &dir), &sources.inputs)?;
        written.timings.aggregate = aggregate;
        Ok(written)
    }

    /// The summary of a cycle as a draft: aggregated, and compared with the
    /// cycle's latest approved version when the ledger in `state` has one.
    pub(super) fn summarize(
        &self,
        reports: &[FileReport],
        choice: &CycleChoice,
        other_weeks_files: usize,
        state: Option<&Path>,
    ) -> Result<(CycleSpec, aggregate::Summary)> {
        let cycle = aggregate::resolve_cycle(&self.config.calendar, choice, reports)
            .map_err(|error| Error::Cycle { error, lang: self.lang.fallback() })?;
        let mut summary = aggregate::aggregate(self.config, &cycle, reports, self.lang.code());
        summary.other_weeks_files = other_weeks_files;
        let baseline = super::approve::approved_baseline(state, &cycle.id, None)?;
        summary.changes = baseline.map(|approved| self.changes_since(&approved, &summary)).transpose()?;
        Ok((cycle, summary))
    }

    /// Renders a summary and writes it into `dir` (the cycle's folder, or an
    /// approved version's), with the receipts of the cycle's files in `out`.
    pub(super) fn write_summary(
        &self,
        cycle: &CycleSpec,
        summary: aggregate::Summary,
        reports: &[FileReport],
        (out, dir): (&Path, &Path),
        inputs: &Path,
    ) -> Result<Written> {
        let stage = Instant::now();
        let outputs = render::render_all(self.config, &summary, &self.templates, &self.lang)?;
        let render = stage.elapsed().as_secs_f64();
        let mut written = self.write_rendered(cycle, summary, &outputs, reports, (out, dir), inputs)?;
        written.timings.render = render;
        Ok(written)
    }

    /// Writes rendered outputs into `dir` as one set, and the receipts of the
    /// cycle's files in `out`, under the output lock.
    pub(super) fn write_rendered(
        &self,
        cycle: &CycleSpec,
        summary: aggregate::Summary,
        outputs: &[render::Output],
        reports: &[FileReport],
        (out, dir): (&Path, &Path),
        inputs: &Path,
    ) -> Result<Written> {
        // Parsed before anything is written, so a broken template changes nothing.
        let template = self.receipt_template()?;
        let stage = Instant::now();
        let _lock = lock(out)?;
        remove_stale_temporaries(dir);
        render::write_outputs(dir, outputs).map_err(|(path, source)| Error::Write { path, source })?;
        self.write_receipts(reports, cycle, out, inputs, &template);
        let timings = Timings { write: stage.elapsed().as_secs_f64(), ..Timings::default() };
        Ok(Written {
            cycle: cycle.clone(),
            summary,
            outputs: outputs.iter().map(|o| o.name.clone()).collect(),
            dir: dir.to_path_buf(),
            timings,
        })
    }

    /// The cycle's files (and those whose week is unknown) get their receipts, so
    /// the report can link to the reasons; the template is parsed once, the
    /// receipts written in parallel, unchanged ones skipped.
    ///
    /// A receipt that cannot be written is that file's problem: said on stderr,
    /// while the others are written and the build goes on. Versions of one path
    /// (a build from the archive) share the path's receipt: the last received
    /// writes it, never two at once. The copies in the units' folders that
    /// cannot be written (a staff member building under an account that may
    /// not write there) are said in one line, with the first reason.
    fn write_receipts(
        &self,
        reports: &[FileReport],
        cycle: &CycleSpec,
        out: &Path,
        inputs: &Path,
        template: &Compiled,
    ) {
        let in_cycle = |r: &&FileReport| {
            r.status != FileStatus::Ignored && r.week.is_none_or(|w| cycle.weeks.iter().any(|c| c.due == w.due))
        };
        let mut latest: BTreeMap<PathBuf, &FileReport> = BTreeMap::new();
        for report in reports.iter().filter(in_cycle) {
            latest.insert(receipt::receipt_stem_of(self.config, report), report);
        }
        let receipts: Vec<&FileReport> = latest.into_values().collect();
        let written: Vec<(&FileReport, Option<receipt::ReceiptError>, Option<receipt::ReceiptError>)> = receipts
            .par_iter()
            .map(|report| {
                let outputs = receipt::write_receipt(self.config, out, report, template, &self.lang).err();
                let unit = receipt::write_unit_receipt(self.config, inputs, report, template, &self.lang)
                    .and_then(std::result::Result::err);
                (*report, outputs, unit)
            })
            .collect();
        for (report, error) in written.iter().filter_map(|(r, e, _)| e.as_ref().map(|e| (r, e))) {
            let line =
                format!("tonghop: {}: phiếu tiếp nhận không ghi được (receipt not written): {error}", report.file.path);
            eprintln!("{}", one_line(&line));
        }
        let unit_failures: Vec<&receipt::ReceiptError> = written.iter().filter_map(|(_, _, e)| e.as_ref()).collect();
        if let Some(first) = unit_failures.first() {
            let line = format!(
                "tonghop: {} phiếu tiếp nhận không ghi được vào thư mục của đơn vị ({} receipts not written in the units' folders): {first}",
                unit_failures.len(),
                unit_failures.len()
            );
            eprintln!("{}", one_line(&line));
        }
    }

    /// The receipt template, parsed.
    pub(super) fn receipt_template(&self) -> Result<Compiled> {
        Ok(Compiled::new(self.config, &self.templates, &self.lang, receipt::RECEIPT_TEMPLATE)?)
    }
}

/// The output lock of `out`, waiting for another run at most [`LOCK_WAIT`].
fn lock(out: &Path) -> Result<OutputLock> {
    OutputLock::acquire(out, LOCK_WAIT)
        .map_err(|source| Error::Lock { path: out.to_path_buf(), source })?
        .ok_or_else(|| Error::Locked { path: out.to_path_buf() })
}
