//! Dates typed as text: day first ("dd/mm/yyyy") or ISO ("yyyy-mm-dd"), and
//! the days a date in a report can mean.

use std::ops::RangeInclusive;

use chrono::{Months, NaiveDate};

/// The first day a date in a weekly report can mean: 1 January 2000. The
/// reports follow the two-level local government of 2025 and the tasks of
/// documents of the years before it; an earlier date is a slip (01/01/1900, an
/// empty date cell shown as a date, a year typed as 0025 or 0000).
pub const FIRST_PLAUSIBLE_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(day) => day,
    None => panic!("1 January 2000 is a date"),
};

/// How far after the day a report was received its dates may go: deadlines of
/// plans run a few years ahead, never decades.
pub const PLAUSIBLE_YEARS_AHEAD: u32 = 10;

/// The days a date in a report received on `received` can mean: from
/// [`FIRST_PLAUSIBLE_DAY`] to [`PLAUSIBLE_YEARS_AHEAD`] years after the day
/// received (without an upper end when that day is not known).
///
/// ```
/// use chrono::NaiveDate;
/// use tonghop::text::plausible_days;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// let days = plausible_days(Some(d(2025, 9, 8)));
/// assert_eq!((*days.start(), *days.end()), (d(2000, 1, 1), d(2035, 9, 8)));
/// assert!(!days.contains(&d(1900, 1, 1)) && !days.contains(&d(2040, 1, 1)));
/// ```
pub fn plausible_days(received: Option<NaiveDate>) -> RangeInclusive<NaiveDate> {
    let last = received.and_then(|day| day.checked_add_months(Months::new(12 * PLAUSIBLE_YEARS_AHEAD)));
    FIRST_PLAUSIBLE_DAY..=last.unwrap_or(NaiveDate::MAX)
}

/// Parses a date typed as text, day first as Vietnamese write it:
/// "dd/mm/yyyy" or "d/m/yyyy", with `/`, `-` or `.` as the separator (the
/// same one twice), or ISO "yyyy-mm-dd". Surrounding whitespace is ignored.
/// The year must have 4 digits: a two-digit year is refused (`None`) rather
/// than guessed. Dates that do not exist (31/02/2025) and anything else give
/// `None`.
///
/// ```
/// use chrono::NaiveDate;
/// use tonghop::text::parse_date_text;
/// assert_eq!(parse_date_text("05/01/2025"), NaiveDate::from_ymd_opt(2025, 1, 5));
/// assert_eq!(parse_date_text("2025-01-05"), NaiveDate::from_ymd_opt(2025, 1, 5));
/// assert_eq!(parse_date_text("5/1/25"), None);
/// assert_eq!(parse_date_text("31/02/2025"), None);
/// ```
pub fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let trimmed = s.trim();
    let separator = trimmed.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let parts: Vec<&str> = trimmed.split(separator).collect();
    let [first, second, third] = parts.as_slice() else {
        return None;
    };
    if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let (year, month, day) =
        if separator == '-' && first.len() == 4 { (first, second, third) } else { (third, second, first) };
    if year.len() != 4 || !(1..=2).contains(&month.len()) || !(1..=2).contains(&day.len()) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    // --- parse_date_text ------------------------------------------------

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn dates_day_first() {
        assert_eq!(parse_date_text("05/01/2025"), ymd(2025, 1, 5));
        assert_eq!(parse_date_text("5/1/2025"), ymd(2025, 1, 5));
        assert_eq!(parse_date_text("31-12-2024"), ymd(2024, 12, 31));
        assert_eq!(parse_date_text("1.2.2025"), ymd(2025, 2, 1));
        assert_eq!(parse_date_text(" 29/02/2024 "), ymd(2024, 2, 29));
    }

    #[test]
    fn dates_iso() {
        assert_eq!(parse_date_text("2025-01-05"), ymd(2025, 1, 5));
        assert_eq!(parse_date_text("2025-1-5"), ymd(2025, 1, 5));
    }

    #[test]
    fn plausible_days_run_from_2000_to_ten_years_after_receipt() {
        let days = plausible_days(Some(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()));
        assert_eq!(*days.end(), NaiveDate::from_ymd_opt(2034, 2, 28).unwrap());
        assert!(days.contains(&FIRST_PLAUSIBLE_DAY));
        assert!(!days.contains(&NaiveDate::from_ymd_opt(1999, 12, 31).unwrap()));
        assert_eq!(*plausible_days(None).end(), NaiveDate::MAX);
        assert_eq!(*plausible_days(Some(NaiveDate::MAX)).end(), NaiveDate::MAX);
    }

    #[test]
    fn dates_refused() {
        for bad in [
            "",
            "5/1/25",
            "05-01-25",
            "31/02/2025",
            "29/02/2025",
            "32/01/2025",
            "00/01/2025",
            "01/13/2025",
            "01/2025",
            "01/01/2025/1",
            "01/01-2025",
            "2025/01/05",
            "2025.01.05",
            "001/01/2025",
            "01/01/02025",
            "a1/01/2025",
            "01/01/2025 10:00",
            "ngày 01/01/2025",
            "45658",
        ] {
            assert_eq!(parse_date_text(bad), None, "{bad}");
        }
    }
}
