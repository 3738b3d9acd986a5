//! The reporting and meeting calendar (`calendar.toml`).
//!
//! A weekly report is due on a Monday and covers the `period_days` days ending at
//! the data cut-off, `cutoff_days_before_due` days before the Monday (default: the
//! Friday before). Meetings are the listed dates, then every `every_days` days
//! after the last listed one. A meeting's cycle holds the weekly reports due after
//! the previous meeting and on or before the meeting's data cut-off.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;

use super::source::{ConfigError, SourceFile};
use crate::model::ReportWeek;

/// The calendar, checked.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub timezone: Tz,
    pub deadline_time: NaiveTime,
    pub period_days: u64,
    pub cutoff_days_before_due: u64,
    /// The first Monday a weekly report was due.
    pub first_due: NaiveDate,
    pub meeting_cutoff_days_before: u64,
    /// Listed meeting dates, ascending.
    pub meeting_dates: Vec<NaiveDate>,
    pub meeting_every_days: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    timezone: Spanned<String>,
    deadline_time: Spanned<String>,
    period_days: Spanned<u64>,
    cutoff_days_before_due: Spanned<u64>,
    first_due: Spanned<String>,
    meetings: RawMeetings,
}

/// The most days a cut-off may lie before its deadline or meeting.
const MAX_OFFSET_DAYS: u64 = 31;

/// How many years after the first due Monday the calendar speaks of.
pub const HORIZON_YEARS: i32 = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeetings {
    cutoff_days_before: Spanned<u64>,
    dates: Vec<Spanned<String>>,
    every_days: Spanned<u64>,
}

fn iso_date(src: &SourceFile<'_>, value: &Spanned<String>) -> Result<NaiveDate, ConfigError> {
    NaiveDate::parse_from_str(value.get_ref(), "%Y-%m-%d").map_err(|_| {
        src.error_span(&value.span(), format!("\"{}\" is not a date in the form yyyy-mm-dd", value.get_ref()))
    })
}

impl Calendar {
    pub(crate) fn parse(src: &SourceFile<'_>) -> Result<Calendar, ConfigError> {
        let raw: RawCalendar = src.parse()?;
        let timezone: Tz = raw.timezone.get_ref().parse().map_err(|_| {
            src.error_span(
                &raw.timezone.span(),
                format!(
                    "unknown time zone \"{}\" (expected an IANA name such as Asia/Ho_Chi_Minh)",
                    raw.timezone.get_ref()
                ),
            )
        })?;
        let deadline_time = NaiveTime::parse_from_str(raw.deadline_time.get_ref(), "%H:%M")
            .map_err(|_| src.error_span(&raw.deadline_time.span(), "deadline_time must be HH:MM, e.g. \"17:00\""))?;
        if *raw.period_days.get_ref() == 0 || *raw.period_days.get_ref() > 31 {
            return Err(src.error_span(&raw.period_days.span(), "period_days must be between 1 and 31"));
        }
        if *raw.cutoff_days_before_due.get_ref() > MAX_OFFSET_DAYS {
            return Err(src.error_span(
                &raw.cutoff_days_before_due.span(),
                format!("cutoff_days_before_due must be at most {MAX_OFFSET_DAYS}: the cut-off is a few days before the deadline"),
            ));
        }
        if *raw.cutoff_days_before_due.get_ref() == 0 {
            return Err(src.error_span(
                &raw.cutoff_days_before_due.span(),
                "cutoff_days_before_due must be at least 1: Decree 09/2019/NĐ-CP asks for a working day between the data cut-off and the deadline",
            ));
        }
        let first_due = iso_date(src, &raw.first_due)?;
        if first_due.weekday() != Weekday::Mon {
            return Err(src.error_span(&raw.first_due.span(), format!("first_due {first_due} is not a Monday")));
        }
        if !(2000..=2200).contains(&first_due.year()) {
            return Err(
                src.error_span(&raw.first_due.span(), format!("first_due {first_due} must be between 2000 and 2200"))
            );
        }
        if *raw.meetings.cutoff_days_before.get_ref() > MAX_OFFSET_DAYS {
            return Err(src.error_span(
                &raw.meetings.cutoff_days_before.span(),
                format!("cutoff_days_before must be at most {MAX_OFFSET_DAYS}"),
            ));
        }
        let mut meeting_dates = Vec::new();
        for d in &raw.meetings.dates {
            let date = iso_date(src, d)?;
            if !(first_due.year() - 1..=first_due.year() + HORIZON_YEARS).contains(&date.year()) {
                return Err(src.error_span(
                    &d.span(),
                    format!("meeting {date} is more than {HORIZON_YEARS} years from first_due {first_due}"),
                ));
            }
            if let Some(&last) = meeting_dates.last()
                && date <= last
            {
                return Err(src.error_span(
                    &d.span(),
                    format!("meeting dates must be listed in increasing order without repeats ({date} after {last})"),
                ));
            }
            meeting_dates.push(date);
        }
        if meeting_dates.is_empty() {
            return Err(
                src.error_at(None, "[meetings] dates must list at least one meeting (it anchors the 14-day rule)")
            );
        }
        if *raw.meetings.every_days.get_ref() == 0 || *raw.meetings.every_days.get_ref() > 366 {
            return Err(src.error_span(&raw.meetings.every_days.span(), "every_days must be between 1 and 366"));
        }
        Ok(Calendar {
            timezone,
            deadline_time,
            period_days: *raw.period_days.get_ref(),
            cutoff_days_before_due: *raw.cutoff_days_before_due.get_ref(),
            first_due,
            meeting_cutoff_days_before: *raw.meetings.cutoff_days_before.get_ref(),
            meeting_dates,
            meeting_every_days: *raw.meetings.every_days.get_ref(),
        })
    }

    /// Whether `day` is within the years the calendar can speak of: from a year
    /// before its first due Monday to [`HORIZON_YEARS`] after it. A date outside
    /// (a typo such as year 20255) names no week and no meeting.
    pub fn within_horizon(&self, day: NaiveDate) -> bool {
        let first = self.first_due.year();
        (first - 1..=first + HORIZON_YEARS).contains(&day.year())
    }

    /// The week whose due Monday is the most recent one on or before `today`.
    pub fn current_week(&self, today: NaiveDate) -> Option<ReportWeek> {
        let mut day = today;
        for _ in 0..7 {
            if let Some(w) = self.week_due(day) {
                return Some(w);
            }
            day = day.pred_opt()?;
        }
        None
    }

    /// The week whose report is due next at `now`: the first whose deadline has
    /// not passed (the calendar's first week before it starts). The week a
    /// blank form is prefilled for.
    ///
    /// ```
    /// use chrono::TimeZone;
    /// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
    /// let at = |d, h| config.calendar.timezone.with_ymd_and_hms(2025, 10, d, h, 0, 0).unwrap();
    /// let week = |d, h| config.calendar.coming_week(at(d, h)).unwrap().label();
    /// assert_eq!(week(1, 9), "2025-W41"); // Wednesday: due on Monday 6 October
    /// assert_eq!(week(6, 16), "2025-W41"); // Monday before 17:00
    /// assert_eq!(week(6, 18), "2025-W42"); // Monday after 17:00
    /// ```
    pub fn coming_week(&self, now: DateTime<Tz>) -> Option<ReportWeek> {
        let start = now.with_timezone(&self.timezone).date_naive().max(self.first_due);
        (0..=7).filter_map(|k| self.week_due(start.checked_add_days(Days::new(k))?)).find(|w| self.deadline(w) >= now)
    }

    /// The reporting week due on a Monday (`None` before the first due Monday or for another weekday).
    pub fn week_due(&self, due: NaiveDate) -> Option<ReportWeek> {
        if due.weekday() != Weekday::Mon || due < self.first_due {
            return None;
        }
        let to = due.checked_sub_days(Days::new(self.cutoff_days_before_due))?;
        let from = to.checked_sub_days(Days::new(self.period_days - 1))?;
        Some(ReportWeek { due, from, to })
    }

    /// The configured reporting week whose period is exactly `from`–`to`.
    pub fn week_for_period(&self, from: NaiveDate, to: NaiveDate) -> Option<ReportWeek> {
        let due = to.checked_add_days(Days::new(self.cutoff_days_before_due))?;
        self.week_due(due).filter(|w| w.from == from)
    }

    /// The configured reporting week whose period contains `day`, if any (for hints).
    pub fn week_containing(&self, day: NaiveDate) -> Option<ReportWeek> {
        let mut due = day.checked_add_days(Days::new(self.cutoff_days_before_due))?;
        while due.weekday() != Weekday::Mon {
            due = due.succ_opt()?;
        }
        self.week_due(due).filter(|w| w.from <= day && day <= w.to)
    }

    /// The configured week that shares the most days with `from`–`to` (the
    /// later one on a tie), for the hint of a period typed on other weekdays:
    /// Monday 22/09 – Sunday 28/09 is the week of 20/09 – 26/09, not the next one.
    ///
    /// ```
    /// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
    /// let d = |day| chrono::NaiveDate::from_ymd_opt(2025, 9, day).unwrap();
    /// assert_eq!(config.calendar.week_overlapping_most(d(22), d(28)).unwrap().label(), "2025-W40");
    /// ```
    pub fn week_overlapping_most(&self, from: NaiveDate, to: NaiveDate) -> Option<ReportWeek> {
        let (from, to) = if from <= to { (from, to) } else { (to, from) };
        let days = (to - from).num_days().min(366);
        let mut best: Option<(i64, ReportWeek)> = None;
        for offset in 0..=days {
            let Some(week) = from.checked_add_days(Days::new(offset as u64)).and_then(|d| self.week_containing(d))
            else {
                continue;
            };
            let overlap = (week.to.min(to) - week.from.max(from)).num_days() + 1;
            if best.is_none_or(|(most, _)| overlap >= most) {
                best = Some((overlap, week));
            }
        }
        best.map(|(_, week)| week)
    }

    /// Vietnamese names of the weekdays a period starts and ends on (`thứ Bảy`, `thứ Sáu` by default).
    pub fn period_weekdays_vi(&self) -> (&'static str, &'static str) {
        let due = self.first_due;
        let end = due - Days::new(self.cutoff_days_before_due);
        let start = end - Days::new(self.period_days - 1);
        (weekday_vi(start.weekday()), weekday_vi(end.weekday()))
    }

    /// The deadline time as Vietnamese write it: `17 giờ`, `16 giờ 30`.
    pub fn deadline_time_vi(&self) -> String {
        use chrono::Timelike;
        match self.deadline_time.minute() {
            0 => format!("{} giờ", self.deadline_time.hour()),
            m => format!("{} giờ {m:02}", self.deadline_time.hour()),
        }
    }

    /// The week labelled `2025-W37` (ISO week of the due Monday).
    ///
    /// ```
    /// let config = tonghop::schema::Config::load(std::path::Path::new("report_templates")).unwrap();
    /// let week = config.calendar.week_by_label("2025-W37").unwrap();
    /// assert_eq!(week.due.to_string(), "2025-09-08");
    /// assert_eq!((week.from.to_string(), week.to.to_string()), ("2025-08-30".into(), "2025-09-05".into()));
    /// ```
    pub fn week_by_label(&self, label: &str) -> Option<ReportWeek> {
        let (year, week) = label.trim().split_once("-W")?;
        let due = NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)?;
        self.week_due(due).filter(|w| self.within_horizon(w.due))
    }

    /// The submission deadline of a week: the due Monday at `deadline_time`, local time.
    pub fn deadline(&self, week: &ReportWeek) -> DateTime<Tz> {
        let naive = week.due.and_time(self.deadline_time);
        // Vietnam has no daylight-saving gaps; for zones that do, take the later instant.
        match self.timezone.from_local_datetime(&naive) {
            chrono::LocalResult::Single(t) => t,
            chrono::LocalResult::Ambiguous(_, later) => later,
            chrono::LocalResult::None => self.timezone.from_utc_datetime(&naive),
        }
    }

    /// Every meeting date up to and including `until`, ascending.
    pub fn meetings_until(&self, until: NaiveDate) -> Vec<NaiveDate> {
        let mut out: Vec<NaiveDate> = self.meeting_dates.iter().copied().filter(|d| *d <= until).collect();
        if let Some(&last) = self.meeting_dates.last() {
            let mut next = last;
            while let Some(d) = next.checked_add_days(Days::new(self.meeting_every_days)) {
                if d > until {
                    break;
                }
                out.push(d);
                next = d;
            }
        }
        out
    }

    /// Whether `date` is a meeting (listed or by the rule).
    pub fn is_meeting(&self, date: NaiveDate) -> bool {
        self.meetings_until(date).last() == Some(&date)
    }

    /// The meeting before `meeting`, if any.
    pub fn previous_meeting(&self, meeting: NaiveDate) -> Option<NaiveDate> {
        let before = meeting.pred_opt()?;
        self.meetings_until(before).last().copied()
    }

    /// The data cut-off of a meeting.
    pub fn meeting_cutoff(&self, meeting: NaiveDate) -> NaiveDate {
        meeting.checked_sub_days(Days::new(self.meeting_cutoff_days_before)).unwrap_or(meeting)
    }

    /// The weeks of a meeting's cycle: due after the previous meeting and on or
    /// before this meeting's data cut-off.
    pub fn cycle_weeks(&self, meeting: NaiveDate) -> Vec<ReportWeek> {
        let cutoff = self.meeting_cutoff(meeting);
        let after = self.previous_meeting(meeting);
        let mut weeks = Vec::new();
        let mut due = self.first_due;
        while due <= cutoff {
            if after.is_none_or(|p| due > p)
                && let Some(w) = self.week_due(due)
            {
                weeks.push(w);
            }
            match due.checked_add_days(Days::new(7)) {
                Some(d) => due = d,
                None => break,
            }
        }
        weeks
    }

    /// The meeting whose cycle holds a week, if any.
    pub fn meeting_for_week(&self, week: &ReportWeek) -> Option<NaiveDate> {
        let horizon =
            week.due.checked_add_days(Days::new(self.meeting_every_days + self.meeting_cutoff_days_before + 400))?;
        self.meetings_until(horizon).into_iter().find(|&m| self.cycle_weeks(m).iter().any(|w| w.due == week.due))
    }
}

fn weekday_vi(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "thứ Hai",
        Weekday::Tue => "thứ Ba",
        Weekday::Wed => "thứ Tư",
        Weekday::Thu => "thứ Năm",
        Weekday::Fri => "thứ Sáu",
        Weekday::Sat => "thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::Config;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn calendar() -> super::Calendar {
        Config::load(std::path::Path::new("report_templates")).unwrap().calendar
    }

    #[test]
    fn default_period_is_saturday_to_friday() {
        let c = calendar();
        let w = c.week_due(d(2025, 9, 15)).unwrap();
        assert_eq!((w.from, w.to), (d(2025, 9, 6), d(2025, 9, 12)));
        assert_eq!(w.label(), "2025-W38");
        assert!(c.week_due(d(2025, 9, 16)).is_none(), "not a Monday");
        assert!(c.week_due(d(2025, 9, 1)).is_none(), "before the first due Monday");
        assert_eq!(c.week_for_period(d(2025, 9, 6), d(2025, 9, 12)), Some(w));
        assert_eq!(c.week_for_period(d(2025, 9, 8), d(2025, 9, 14)), None);
        assert_eq!(c.week_containing(d(2025, 9, 10)), Some(w));
        assert_eq!(c.period_weekdays_vi(), ("thứ Bảy", "thứ Sáu"));
        assert_eq!(c.deadline_time_vi(), "17 giờ");
    }

    #[test]
    fn deadline_is_monday_17h_in_hanoi() {
        let c = calendar();
        let w = c.week_due(d(2025, 9, 8)).unwrap();
        assert_eq!(c.deadline(&w).to_rfc3339(), "2025-09-08T17:00:00+07:00");
    }

    #[test]
    fn cycles_follow_listed_dates_then_the_rule() {
        let c = calendar();
        let dues = |m| c.cycle_weeks(m).iter().map(|w| w.due).collect::<Vec<_>>();
        assert_eq!(dues(d(2025, 9, 18)), vec![d(2025, 9, 8), d(2025, 9, 15)]);
        assert_eq!(dues(d(2025, 10, 2)), vec![d(2025, 9, 22), d(2025, 9, 29)]);
        // After the last listed date (30/10) the 14-day rule continues.
        assert!(c.is_meeting(d(2025, 11, 13)));
        assert!(!c.is_meeting(d(2025, 11, 6)));
        assert_eq!(c.previous_meeting(d(2025, 11, 13)), Some(d(2025, 10, 30)));
        assert_eq!(dues(d(2025, 11, 13)), vec![d(2025, 11, 3), d(2025, 11, 10)]);
        let w = c.week_due(d(2025, 9, 29)).unwrap();
        assert_eq!(c.meeting_for_week(&w), Some(d(2025, 10, 2)));
    }
}
