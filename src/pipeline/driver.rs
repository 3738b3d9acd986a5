//! [`Pipeline`]: the configuration, language and templates of a run, and its
//! entry points.

use std::path::{Path, PathBuf};

use crate::aggregate::{CycleChoice, CycleSpec, SubmissionSummary, Summary, Timeliness, week_status, weeks_with_data};
use crate::error::{Error, Result};
use crate::language::Language;
use crate::model::{FileCounts, FileReport, FileStatus, ReportWeek, Superseded, Timings};
use crate::render::console::BuildReport;
use crate::render::receipt::{BoardLink, StatusBoard};

use super::inputs::{self, Listed, Sources, list_folder};
use super::progress::{Progress, Quiet};
use super::read::{self, CycleReports, StageClock, read_for_cycle};
use crate::render::Templates;
use crate::schema::Config;

/// The stages, with what every run needs.
pub struct Pipeline<'c> {
    pub(super) config: &'c Config,
    pub(super) lang: Language,
    pub(super) templates: Templates,
}

/// Files checked together by [`Pipeline::check`] before they are handed over
/// and dropped, so that memory stays that of one batch.
const CHECK_BATCH: usize = 256;

impl<'c> Pipeline<'c> {
    /// A pipeline writing in `lang`, with templates looked up first in
    /// `templates` (the user's overrides), then in the configuration folder.
    pub fn new(config: &'c Config, lang: Language, templates: Option<PathBuf>) -> Pipeline<'c> {
        let templates = Templates { config_dir: config.dir.clone(), override_dir: templates };
        Pipeline { config, lang, templates }
    }

    pub fn config(&self) -> &'c Config {
        self.config
    }

    pub fn lang(&self) -> &Language {
        &self.lang
    }

    /// Reads and validates every file under `paths` on all cores, a batch at a
    /// time, handing each batch's reports to `each` in discovery order.
    /// Ignored files get a report too (status `ignored`).
    ///
    /// ```
    /// # use tonghop::{pipeline::Pipeline, language::Language, schema::Config};
    /// let config = Config::load(std::path::Path::new("report_templates")).unwrap();
    /// let lang = Language::load(&[config.dir.as_path()], "vi").unwrap();
    /// let mut count = 0;
    /// Pipeline::new(&config, lang, None)
    ///     .check(&["inputs".into()], |batch| -> Result<(), tonghop::Error> { count += batch.len(); Ok(()) })
    ///     .unwrap();
    /// assert!(count > 200);
    /// ```
    pub fn check<E: From<Error>>(
        &self,
        paths: &[PathBuf],
        mut each: impl FnMut(Vec<FileReport>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        // A mistyped path is a usage error, not a file to report on.
        if let Some(missing) = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
            return Err(Error::NoSuchPath { path: missing.clone() }.into());
        }
        let listed: Vec<Listed> = paths.iter().flat_map(|p| list_folder(self.config, p)).collect();
        let clock = StageClock::default();
        // What a file replaces is told from the files checked before it and
        // with it, kept without their figures so that memory stays that of a batch.
        let mut earlier: Vec<FileReport> = Vec::new();
        for batch in listed.chunks(CHECK_BATCH) {
            let mut reports = read::check_all(self.config, batch, &clock, &Quiet);
            let first = earlier.len();
            earlier.extend(reports.iter().map(identity_only));
            for (i, j) in crate::aggregate::supersessions(&earlier).into_iter().filter(|(i, _)| *i >= first) {
                let replaced = Superseded { path: earlier[j].file.path.clone(), received: earlier[j].file.received };
                read::note_supersession(&mut reports[i - first], replaced);
            }
            each(reports)?;
        }
        Ok(())
    }

    /// Reads every input of `sources` whole (for the status of a week, and the
    /// draft `watch` keeps), with received times from the ledger when there is one.
    pub fn read_all(&self, sources: &Sources, progress: &dyn Progress) -> Result<Vec<FileReport>> {
        let (listed, ledger) = inputs::list_sources(self.config, sources)?;
        progress.files_found(listed.len());
        let mut reports = read::check_all(self.config, &listed, &StageClock::default(), progress);
        inputs::verify_archive_reads(sources, ledger.as_ref(), &mut reports)?;
        inputs::received_from_ledger(self.config, sources, ledger.as_ref(), &mut reports);
        read::note_supersessions(&mut reports);
        Ok(reports)
    }

    /// Who has reported for `week`, from every input of `sources`.
    /// Who has reported for `week`, or (`None`) for the latest week with data
    /// (the week due on or before `today` when none has), from every input of `sources`.
    pub fn week_status(
        &self,
        sources: &Sources,
        week: Option<ReportWeek>,
        today: chrono::NaiveDate,
    ) -> Result<Option<(ReportWeek, SubmissionSummary)>> {
        let reports = self.read_all(sources, &Quiet)?;
        let Some(week) = week.or_else(|| self.default_week(&reports, today)) else { return Ok(None) };
        Ok(Some((week, week_status(self.config, &reports, week))))
    }

    /// Builds a cycle: reads what it needs from `request.sources`, aggregates,
    /// renders and writes `request.out/<cycle>/` and the receipts.
    pub fn build(&self, request: &BuildRequest, progress: &dyn Progress) -> Result<Built> {
        let started = std::time::Instant::now();
        let clock = StageClock::default();
        let (_, read) = self.read_cycle(&request.sources, &request.choice, &clock, progress)?;
        let read_wall = started.elapsed().as_secs_f64();
        let choice = settled_choice(&read.cycle, &request.choice);
        let written = self.write_cycle(&read.reports, &choice, read.not_needed, &request.out, &request.sources)?;
        let timings = Timings {
            read_and_validate_wall: read_wall,
            read_thread_seconds: clock.read_seconds(),
            validate_thread_seconds: clock.validate_seconds(),
            total: started.elapsed().as_secs_f64(),
            ..written.timings.clone()
        };
        Ok(Built { files: FileCounts::of(&read.reports), other_weeks_files: read.not_needed, written, timings })
    }

    /// Lists and reads what a build of `choice` needs from `sources`, with the
    /// received times and what each file replaces: the reading of `build` and `approve`.
    pub(super) fn read_cycle(
        &self,
        sources: &Sources,
        choice: &CycleChoice,
        clock: &StageClock,
        progress: &dyn Progress,
    ) -> Result<(Vec<Listed>, CycleReports)> {
        let (listed, ledger) = inputs::list_sources(self.config, sources)?;
        progress.files_found(listed.len());
        let mut read = read_for_cycle(self.config, &listed, choice, clock, progress)
            .map_err(|error| Error::Cycle { error, lang: self.lang.fallback() })?;
        inputs::verify_archive_reads(sources, ledger.as_ref(), &mut read.reports)?;
        inputs::received_from_ledger(self.config, sources, ledger.as_ref(), &mut read.reports);
        read::note_supersessions(&mut read.reports);
        Ok((listed, read))
    }

    /// Rebuilds the status boards and the draft of the latest cycle from every
    /// version the ledger holds, as `watch` keeps them: `status.html` for the
    /// latest week with data (the week due on or before `today` when none has),
    /// and `status-<week>.html` for each of the weeks with data before it. Each
    /// part that fails is said in the result, not fatal.
    pub fn refresh_board(&self, sources: &Sources, out: &Path, today: chrono::NaiveDate) -> Result<Refreshed> {
        let reports = self.read_all(sources, &Quiet)?;
        let board = self.write_boards(&reports, out, today);
        let has_data = reports.iter().any(|r| r.status != FileStatus::Ignored && r.submission.is_some());
        let draft = has_data.then(|| self.write_cycle(&reports, &CycleChoice::Latest, 0, out, sources));
        Ok(Refreshed { board, draft })
    }

    /// The week a status shows when none is asked for: the latest with data,
    /// or the week due on or before `today`.
    pub fn default_week(&self, reports: &[FileReport], today: chrono::NaiveDate) -> Option<ReportWeek> {
        weeks_with_data(reports, 1).into_iter().next().or_else(|| self.config.calendar.current_week(today))
    }

    fn write_boards(&self, reports: &[FileReport], out: &Path, today: chrono::NaiveDate) -> Option<Result<()>> {
        let mut weeks = weeks_with_data(reports, BOARD_WEEKS);
        if weeks.is_empty() {
            weeks.extend(self.config.calendar.current_week(today));
        }
        let first = *weeks.first()?;
        let boards: Vec<(ReportWeek, SubmissionSummary)> =
            weeks.iter().map(|w| (*w, week_status(self.config, reports, *w))).collect();
        let links: Vec<BoardLink> = boards
            .iter()
            .map(|(w, b)| BoardLink {
                label: w.label(),
                file: board_file(w),
                received: b.received,
                expected: b.expected,
            })
            .collect();
        let updated = chrono::Utc::now().with_timezone(&self.config.calendar.timezone).to_rfc3339();
        let write = |week: &ReportWeek, submissions: &SubmissionSummary, name: String| -> Result<()> {
            let board = StatusBoard {
                week,
                submissions,
                updated: updated.clone(),
                refresh_seconds: BOARD_REFRESH,
                weeks: links.clone(),
            };
            let html = crate::render::receipt::status_html(self.config, &board, &self.templates, &self.lang)?;
            let path = out.join(name);
            crate::fs::write_atomic(&path, html.as_bytes()).map_err(Error::write(path))
        };
        let result = boards.iter().try_for_each(|(w, b)| write(w, b, board_file(w)));
        Some(result.and_then(|()| write(&first, &boards[0].1, STATUS_BOARD.to_string())))
    }
}

/// A report as far as telling what it replaces needs: without its issues,
/// figures, tasks and narrative.
fn identity_only(report: &FileReport) -> FileReport {
    let submission = report.submission.as_ref().map(|s| crate::model::Submission {
        unit: s.unit.clone(),
        week: s.week,
        form_version: s.form_version.clone(),
        contacts: Default::default(),
        values: Vec::new(),
        tasks: Vec::new(),
        narrative: Vec::new(),
    });
    FileReport {
        file: report.file.clone(),
        format: report.format,
        status: report.status,
        issues: Vec::new(),
        submission,
        read_values: Vec::new(),
        unit: report.unit.clone(),
        week: report.week,
        supersedes: None,
    }
}

/// The cycle as settled by the read: the latest one is named by its meeting from here on.
pub(super) fn settled_choice(cycle: &CycleSpec, asked: &CycleChoice) -> CycleChoice {
    match cycle.meeting {
        Some(meeting) => CycleChoice::Meeting(meeting),
        None => asked.clone(),
    }
}

/// Weeks with data that get a board of their own.
const BOARD_WEEKS: usize = 8;

/// How often an open board reloads itself, in seconds.
const BOARD_REFRESH: u64 = 30;

/// The file of a week's board: `status-2025-W40.html`.
fn board_file(week: &ReportWeek) -> String {
    format!("status-{}.html", week.label())
}

/// The status board's file name in the outputs folder.
pub const STATUS_BOARD: &str = "status.html";

/// What `watch`'s refresh did: the status board (when there is a current
/// week) and the draft (when there is data), each written or why not.
pub struct Refreshed {
    pub board: Option<Result<()>>,
    pub draft: Option<Result<Written>>,
}

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    pub sources: Sources,
    /// The outputs folder; the cycle is written to `out/<cycle>/`.
    pub out: PathBuf,
    pub choice: CycleChoice,
}

/// A cycle built.
pub struct Built {
    /// Files read, by status.
    pub files: FileCounts,
    /// Files of weeks the cycle does not use, identified but not validated.
    pub other_weeks_files: usize,
    pub written: Written,
    pub timings: Timings,
}

impl Built {
    pub fn summary(&self) -> &Summary {
        &self.written.summary
    }

    /// What the build did, as the console and `--json` tell it.
    pub fn report(&self) -> BuildReport {
        let (written, summary) = (&self.written, self.summary());
        BuildReport {
            cycle: written.cycle.id.clone(),
            meeting: written.cycle.meeting,
            weeks: written.cycle.weeks.iter().map(|w| w.label()).collect(),
            files: self.files,
            other_weeks_files: self.other_weeks_files,
            on_time: summary.submissions.on_time,
            late: summary.submissions.late,
            rejected: summary.submissions.rejected,
            missing: summary.submissions.missing,
            overdue_tasks: summary.tasks.overdue_count,
            quality_flags: summary.quality.len(),
            not_on_time: summary
                .submissions
                .rows
                .iter()
                .filter(|r| r.timeliness != Timeliness::OnTime)
                .cloned()
                .collect(),
            output_dir: written.dir.display().to_string(),
            outputs: written.outputs.clone(),
            timings: self.timings.clone(),
        }
    }
}

/// The outputs of a cycle, rendered and written.
pub struct Written {
    pub cycle: CycleSpec,
    pub summary: Summary,
    /// The file names written in the cycle's folder.
    pub outputs: Vec<String>,
    /// The cycle's folder.
    pub dir: PathBuf,
    pub timings: Timings,
}
