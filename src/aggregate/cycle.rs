//! Which weeks a build covers: a meeting's cycle, the latest one with data, or weeks named directly.

use chrono::{Days, NaiveDate};

use crate::model::{FileReport, ReportWeek};
use crate::schema::Calendar;

/// What the user asked for.
#[derive(Debug, Clone)]
pub enum CycleChoice {
    /// The latest meeting whose cycle has at least one accepted report.
    Latest,
    /// A meeting date of the calendar.
    Meeting(NaiveDate),
    /// Weeks named directly (`2025-W39`).
    Weeks(Vec<String>),
}

/// The cycle to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleSpec {
    pub id: String,
    pub meeting: Option<NaiveDate>,
    pub previous_meeting: Option<NaiveDate>,
    pub cutoff: NaiveDate,
    pub weeks: Vec<ReportWeek>,
    /// The weeks of the previous cycle, for comparisons.
    pub previous_weeks: Vec<ReportWeek>,
}

/// Why no cycle could be chosen; messages in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleError {
    pub vi: String,
    pub en: String,
}

impl std::fmt::Display for CycleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.vi, self.en)
    }
}

fn meeting_cycle(calendar: &Calendar, meeting: NaiveDate) -> CycleSpec {
    let previous_meeting = calendar.previous_meeting(meeting);
    CycleSpec {
        id: meeting.format("%Y-%m-%d").to_string(),
        meeting: Some(meeting),
        previous_meeting,
        cutoff: calendar.meeting_cutoff(meeting),
        weeks: calendar.cycle_weeks(meeting),
        previous_weeks: previous_meeting.map(|p| calendar.cycle_weeks(p)).unwrap_or_default(),
    }
}

/// Resolves the user's choice into weeks, given the files found.
///
/// ```
/// use tonghop::aggregate::{resolve_cycle, CycleChoice};
/// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
/// let meeting = chrono::NaiveDate::from_ymd_opt(2025, 10, 2).unwrap();
/// let cycle = resolve_cycle(&config.calendar, &CycleChoice::Meeting(meeting), &[]).unwrap();
/// let labels: Vec<String> = cycle.weeks.iter().map(|w| w.label()).collect();
/// assert_eq!(labels, ["2025-W39", "2025-W40"]);
/// ```
pub fn resolve_cycle(
    calendar: &Calendar,
    choice: &CycleChoice,
    reports: &[FileReport],
) -> Result<CycleSpec, CycleError> {
    let fmt = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
    match choice {
        CycleChoice::Meeting(date) => {
            if !calendar.within_horizon(*date) {
                return Err(CycleError {
                    vi: format!("Ngày {} nằm ngoài lịch báo cáo (từ {}).", fmt(*date), fmt(calendar.first_due)),
                    en: format!("{date} is outside the reporting calendar (which starts on {}).", calendar.first_due),
                });
            }
            if !calendar.is_meeting(*date) {
                let until = date.checked_add_days(Days::new(calendar.meeting_every_days * 2)).unwrap_or(*date);
                let nearby: Vec<String> =
                    calendar.meetings_until(until).into_iter().rev().take(4).rev().map(|d| d.to_string()).collect();
                return Err(CycleError {
                    vi: format!(
                        "Ngày {} không phải phiên họp trong lịch; các phiên gần đó: {}.",
                        fmt(*date),
                        nearby.join(", ")
                    ),
                    en: format!("{date} is not a meeting in the calendar; meetings nearby: {}.", nearby.join(", ")),
                });
            }
            Ok(meeting_cycle(calendar, *date))
        }
        CycleChoice::Latest => {
            let latest = reports
                .iter()
                .filter(|r| r.submission.is_some())
                .filter_map(|r| r.week.as_ref())
                .filter_map(|w| calendar.meeting_for_week(w))
                .max();
            match latest {
                Some(meeting) => Ok(meeting_cycle(calendar, meeting)),
                None => Err(CycleError {
                    vi: "Không có báo cáo nào được tiếp nhận trong thư mục đầu vào, nên không xác định được kỳ họp."
                        .into(),
                    en: "No accepted report in the inputs folder, so no meeting cycle can be chosen.".into(),
                }),
            }
        }
        CycleChoice::Weeks(labels) => {
            let mut weeks = Vec::new();
            for label in labels {
                match calendar.week_by_label(label) {
                    Some(w) => weeks.push(w),
                    None => {
                        return Err(CycleError {
                            vi: format!("«{label}» không phải tuần báo cáo đã quy định (ví dụ 2025-W37)."),
                            en: format!("\"{label}\" is not a configured reporting week (for example 2025-W37)."),
                        });
                    }
                }
            }
            weeks.sort();
            weeks.dedup();
            let Some(first) = weeks.first().copied() else {
                return Err(CycleError { vi: "Chưa nêu tuần nào.".into(), en: "No week given.".into() });
            };
            let previous_weeks: Vec<ReportWeek> = (1..=weeks.len() as u64)
                .rev()
                .filter_map(|k| calendar.week_due(first.due.checked_sub_days(Days::new(7 * k))?))
                .collect();
            let labels: Vec<String> = weeks.iter().map(|w| w.label()).collect();
            Ok(CycleSpec {
                id: labels.join("_"),
                meeting: None,
                previous_meeting: None,
                cutoff: weeks.last().map(|w| w.due).unwrap_or(first.due),
                weeks,
                previous_weeks,
            })
        }
    }
}
