//! Reading and validating: one guarded read per file, then validation of what
//! was read (or the report of why it could not be read). A build reads only
//! what its cycle needs ([`read_for_cycle`]).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::inputs::{Listed, Source};
use super::progress::Progress;
use crate::aggregate::{self, CycleChoice, CycleError, CycleSpec};
use crate::ingest::{self, Ingested};
use crate::issue::{Code, Issue, Location};
use crate::model::{FileMeta, FileReport, FileStatus, RawWorkbook, ReportWeek, Superseded};
use crate::schema::Config;
use crate::validate;

/// Time spent in each stage, summed over the threads that ran it.
#[derive(Debug, Default)]
pub struct StageClock {
    read_ns: AtomicU64,
    validate_ns: AtomicU64,
}

impl StageClock {
    /// Seconds spent reading files (all threads together).
    pub fn read_seconds(&self) -> f64 {
        self.read_ns.load(Ordering::Relaxed) as f64 / 1e9
    }

    /// Seconds spent validating (all threads together).
    pub fn validate_seconds(&self) -> f64 {
        self.validate_ns.load(Ordering::Relaxed) as f64 / 1e9
    }

    fn add_read(&self, start: Instant) {
        self.read_ns.fetch_add(elapsed_ns(start), Ordering::Relaxed);
    }

    fn add_validate(&self, start: Instant) {
        self.validate_ns.fetch_add(elapsed_ns(start), Ordering::Relaxed);
    }
}

fn elapsed_ns(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// The report of a file read: validated when it could be read, the reason otherwise.
pub(super) fn validated(config: &Config, read: Ingested, clock: &StageClock, owner: Option<&str>) -> FileReport {
    let start = Instant::now();
    let mut report = match read.result {
        Ok(workbook) => validate::validate(config, read.meta, &workbook),
        Err(issue) => validate::unreadable(read.meta, issue),
    };
    check_week_folder(&mut report);
    check_unit_folder(config, &mut report, owner);
    clock.add_validate(start);
    report
}

/// `M012` when a file lies in a week's folder (`2025-W40/…`) but its period is
/// another week: it counts for the week its dates say, which may not be what
/// the reporter meant, so the receipt and `check` say so with both weeks.
fn check_week_folder(report: &mut FileReport) {
    let Some(week) = report.week.map(|w| w.label()) else { return };
    let Some(folder) = week_folder(&report.file.path).filter(|f| *f != week) else { return };
    let issue = Issue::new(Code::WeekFolderMismatch, Location::file(&report.file.path))
        .message(
            format!("Tệp nằm trong thư mục tuần {folder} nhưng kỳ báo cáo ghi trong tệp là tuần {week}; tệp được tính cho tuần {week}."),
            format!("The file is in the folder of week {folder}, but its period is week {week}; it counts for week {week}."),
        )
        .hint(
            format!("Nếu đây là báo cáo tuần {folder}, sửa «Từ ngày», «Đến ngày» trong trang Thông tin chung rồi gửi lại."),
            format!("If this is the report of week {folder}, correct «Từ ngày» and «Đến ngày» on the Thông tin chung sheet and send it again."),
        )
        .in_sheet(crate::contract::READ_SHEETS[0].0);
    report.issues.push(issue);
    if report.status != FileStatus::Ignored {
        report.status = FileStatus::from_issues(&report.issues);
    }
}

/// The week folder a file lies in (`2025-W40/…`), the innermost one.
fn week_folder(path: &str) -> Option<&str> {
    path.rsplit('/').skip(1).find(|part| is_week_label(part))
}

/// Notes on each report the accepted report of its unit and week it replaces
/// ([`aggregate::supersessions`], the order the summary picks winners by).
pub fn note_supersessions(reports: &mut [FileReport]) {
    for (i, j) in aggregate::supersessions(reports) {
        let replaced = Superseded { path: reports[j].file.path.clone(), received: reports[j].file.received };
        note_supersession(&mut reports[i], replaced);
    }
}

/// Notes on `report` the accepted report it replaces, and `M015` when it lies
/// in the folder of another week than the one it replaces: most often last
/// week's file copied and not updated, which would silently replace a good
/// report, so the receipt and `check` say so with both weeks.
pub fn note_supersession(report: &mut FileReport, replaced: Superseded) {
    let week = report.week.map(|w| w.label());
    if let (Some(folder), Some(week)) = (week_folder(&report.file.path), week)
        && folder != week
    {
        let (at_vi, at_en) = match replaced.received {
            Some(t) => (
                format!(", nhận lúc {}", t.format("%H:%M ngày %d/%m/%Y")),
                format!(", received {}", t.format("%Y-%m-%d %H:%M")),
            ),
            None => (String::new(), String::new()),
        };
        let path = &replaced.path;
        let issue = Issue::new(Code::SupersedesOtherWeek, Location::file(&report.file.path))
            .message(
                format!("Tệp nằm trong thư mục tuần {folder} nhưng thay thế báo cáo tuần {week} đã tiếp nhận: {path}{at_vi}."),
                format!("The file is in the folder of week {folder}, but it replaces the accepted report of week {week}: {path}{at_en}."),
            )
            .hint(
                format!("Nếu đây là báo cáo tuần {folder}, sửa «Từ ngày», «Đến ngày» rồi gửi lại; báo cáo tuần {week} trước đó sẽ được tính lại khi tệp này được sửa hoặc gỡ bỏ."),
                format!("If this is the report of week {folder}, correct «Từ ngày» and «Đến ngày» and send it again; the earlier report of week {week} counts again once this file is corrected or removed."),
            )
            .in_sheet(crate::contract::READ_SHEETS[0].0);
        report.issues.push(issue);
        if report.status != FileStatus::Ignored {
            report.status = FileStatus::from_issues(&report.issues);
        }
    }
    report.supersedes = Some(replaced);
}

/// `M013` when a file lies in a unit's folder (named by the unit's code, `38`
/// or `38 - Thanh Hóa`) but reports for another unit: where each unit may write
/// only in its own folder, the folder tells who dropped the file, and a report
/// in another unit's name is refused naming both.
fn check_unit_folder(config: &Config, report: &mut FileReport, owner: Option<&str>) {
    let Some(claimed) = report.unit.clone() else { return };
    let folder_unit = config.layout.unit_of_path(&config.units, &report.file.path);
    let folder_unit = folder_unit.or_else(|| config.units.get(owner?));
    let Some(owner) = folder_unit.filter(|u| u.code != claimed) else { return };
    let claimed_name = config.units.get(&claimed).map_or(claimed.clone(), |u| format!("{} {}", u.code, u.short));
    let owner_name = format!("{} {}", owner.code, owner.short);
    let issue = Issue::new(Code::UnitFolderMismatch, Location::file(&report.file.path))
        .message(
            format!("Tệp nằm trong thư mục của đơn vị {owner_name} nhưng «Mã đơn vị» ghi {claimed_name}."),
            format!("The file is in the folder of {owner_name}, but its «Mã đơn vị» names {claimed_name}."),
        )
        .hint(
            "Mỗi đơn vị chỉ nộp báo cáo của mình vào thư mục của mình: kiểm tra «Mã đơn vị» hoặc chuyển tệp sang đúng thư mục.",
            "Each unit submits its own report in its own folder: check «Mã đơn vị», or move the file to the right folder.",
        )
        .in_sheet(crate::contract::READ_SHEETS[0].0);
    report.issues.push(issue);
    report.status = FileStatus::Rejected;
    report.submission = None;
}

/// Whether a folder name is a week's label, `2025-W40`.
pub(crate) fn is_week_label(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 8 && b[..4].iter().all(u8::is_ascii_digit) && &b[4..6] == b"-W" && b[6..].iter().all(u8::is_ascii_digit)
}

/// Checks one listed input: a settled one as it is, a workbook read and validated.
pub(super) fn check_listed(config: &Config, item: &Listed, clock: &StageClock) -> FileReport {
    match item {
        Listed::Settled(report) => report.as_ref().clone(),
        Listed::Workbook(source) => {
            let start = Instant::now();
            let read = read_source(config, source, None);
            clock.add_read(start);
            validated(config, read, clock, source.owner.as_deref())
        }
    }
}

/// Checks listed inputs on all cores, in listing order.
pub(super) fn check_all(
    config: &Config,
    listed: &[Listed],
    clock: &StageClock,
    progress: &dyn Progress,
) -> Vec<FileReport> {
    listed
        .par_iter()
        .map(|item| {
            let report = check_listed(config, item, clock);
            progress.file_done();
            report
        })
        .collect()
}

fn read_source(config: &Config, source: &Source, decide: Option<&mut ingest::DecideFile<'_>>) -> Ingested {
    let tz = config.calendar.timezone;
    ingest::read_file_staged(&source.path, &source.display, &config.limits, tz, source.received, decide)
}

/// What a build read for one cycle.
pub struct CycleReports {
    /// The cycle, resolved from the user's choice and the files.
    pub cycle: CycleSpec,
    /// Reports of the files the cycle's summary may use, of every file whose
    /// unit or week could not be told, and of the settled files; in listing order.
    pub reports: Vec<FileReport>,
    /// Files identified by their general-information sheet as reports of weeks
    /// the summary does not use, and therefore not validated further.
    pub not_needed: usize,
}

/// A file read only as far as its general-information sheet.
struct Identified {
    source: usize,
    unit: String,
    week: ReportWeek,
}

/// Reports read so far with their listing positions (`order`), and the files only identified.
struct Reading<'a> {
    config: &'a Config,
    listed: &'a [Listed],
    clock: &'a StageClock,
    reports: Vec<FileReport>,
    order: Vec<usize>,
    pending: Vec<Identified>,
}

impl Reading<'_> {
    /// Reads and validates the pending files `wanted` picks; false when there were none.
    fn complete(&mut self, wanted: &dyn Fn(&Identified) -> bool) -> bool {
        let (now, later): (Vec<Identified>, Vec<Identified>) =
            std::mem::take(&mut self.pending).into_iter().partition(|p| wanted(p));
        self.pending = later;
        let (config, listed, clock) = (self.config, self.listed, self.clock);
        let read: Vec<(usize, FileReport)> =
            now.par_iter().map(|p| (p.source, check_listed(config, &listed[p.source], clock))).collect();
        let any = !read.is_empty();
        self.push(read);
        any
    }

    fn push(&mut self, read: Vec<(usize, FileReport)>) {
        for (i, report) in read {
            self.reports.push(report);
            self.order.push(i);
        }
    }

    /// The reports in listing order.
    fn into_ordered(self) -> Vec<FileReport> {
        let mut ordered: Vec<(usize, FileReport)> = self.order.into_iter().zip(self.reports).collect();
        ordered.sort_by_key(|(i, _)| *i);
        ordered.into_iter().map(|(_, r)| r).collect()
    }

    /// The latest meeting with an accepted report, trying meetings from the
    /// latest identified one back until one has an accepted file.
    fn latest_cycle(&mut self) -> Result<CycleSpec, CycleError> {
        let calendar = &self.config.calendar;
        loop {
            let candidate = self
                .pending
                .iter()
                .map(|p| p.week)
                .chain(self.reports.iter().filter(|r| r.submission.is_some()).filter_map(|r| r.week))
                .filter_map(|w| calendar.meeting_for_week(&w))
                .max();
            let Some(meeting) = candidate else {
                return aggregate::resolve_cycle(calendar, &CycleChoice::Latest, &self.reports);
            };
            let in_meeting = |p: &Identified| calendar.meeting_for_week(&p.week) == Some(meeting);
            if !self.complete(&in_meeting) {
                return aggregate::resolve_cycle(calendar, &CycleChoice::Meeting(meeting), &self.reports);
            }
        }
    }

    /// One more week for each unit whose data-quality history is short, the
    /// most recent first, until every history is complete or nothing is left.
    fn extend_histories(&mut self, cycle: &CycleSpec) {
        let Some(start) = cycle.weeks.first().map(|w| w.due) else { return };
        loop {
            let mut more = BTreeSet::new();
            for unit in aggregate::history_short(self.config, cycle, &self.reports) {
                let week =
                    self.pending.iter().filter(|p| p.unit == unit && p.week.due < start).map(|p| p.week.due).max();
                if let Some(due) = week {
                    more.insert((unit, due));
                }
            }
            let wanted = |p: &Identified| more.contains(&(p.unit.clone(), p.week.due));
            if more.is_empty() || !self.complete(&wanted) {
                return;
            }
        }
    }
}

/// Reads what the summary of one cycle needs, and no more.
///
/// Every workbook's general-information sheet is read, which tells its unit and
/// week; the rest of a workbook is read and validated only when its week may
/// count ([`aggregate::weeks_needed`], then older weeks for units whose
/// data-quality history is short, [`aggregate::history_short`]). For
/// [`CycleChoice::Latest`], the latest meeting is found first, from
/// the identified weeks and the files that turn out to be accepted. The
/// summary is the one every file fully validated would give; only the list of
/// files it shows is limited to those read.
pub fn read_for_cycle(
    config: &Config,
    listed: &[Listed],
    choice: &CycleChoice,
    clock: &StageClock,
    progress: &dyn Progress,
) -> Result<CycleReports, CycleError> {
    let planned = match choice {
        CycleChoice::Latest => None,
        other => Some(aggregate::resolve_cycle(&config.calendar, other, &[])?),
    };
    let needed = planned.as_ref().map(|c| aggregate::weeks_needed(config, c));
    let wanted = |week: &ReportWeek| needed.as_ref().is_some_and(|n| n.contains(&week.due));
    let first = first_pass(config, listed, clock, progress, &wanted);
    let mut reading = Reading { config, listed, clock, reports: Vec::new(), order: Vec::new(), pending: Vec::new() };
    for (i, read) in first.into_iter().enumerate() {
        match read {
            Ok(report) => reading.push(vec![(i, report)]),
            Err(identified) => reading.pending.push(identified),
        }
    }
    let cycle = match planned {
        Some(cycle) => cycle,
        None => reading.latest_cycle()?,
    };
    let needed = aggregate::weeks_needed(config, &cycle);
    reading.complete(&|p| needed.contains(&p.week.due));
    reading.extend_histories(&cycle);
    let not_needed = reading.pending.len();
    // The final order never depends on what was read when.
    Ok(CycleReports { cycle, reports: reading.into_ordered(), not_needed })
}

/// Every workbook read as far as its general-information sheet, and further
/// when `wanted` says its week counts (or its unit or week cannot be told).
fn first_pass(
    config: &Config,
    listed: &[Listed],
    clock: &StageClock,
    progress: &dyn Progress,
    wanted: &(dyn Fn(&ReportWeek) -> bool + Sync),
) -> Vec<Result<FileReport, Identified>> {
    listed
        .par_iter()
        .enumerate()
        .map(|(i, listed)| {
            let read = match listed {
                Listed::Settled(report) => Ok(report.as_ref().clone()),
                Listed::Workbook(source) => read_staged(config, i, source, clock, wanted),
            };
            progress.file_done();
            read
        })
        .collect()
}

/// Reads one workbook's general-information sheet and, when `wanted` says its
/// week may count (or its unit or week cannot be told), the rest of it.
fn read_staged(
    config: &Config,
    index: usize,
    source: &Source,
    clock: &StageClock,
    wanted: &(dyn Fn(&ReportWeek) -> bool + Sync),
) -> Result<FileReport, Identified> {
    let start = Instant::now();
    let mut identity = None;
    let read = read_source(
        config,
        source,
        Some(&mut |meta: &FileMeta, workbook: &RawWorkbook| match validate::identify(config, meta, workbook) {
            Some((unit, week)) if !wanted(&week) => {
                identity = Some((unit, week));
                false
            }
            _ => true,
        }),
    );
    clock.add_read(start);
    if let (Ok(workbook), Some((unit, week))) = (&read.result, identity)
        && workbook.info_only
    {
        return Err(Identified { source: index, unit, week });
    }
    Ok(validated(config, read, clock, source.owner.as_deref()))
}
