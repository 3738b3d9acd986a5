//! Deadlines as Government documents word them.
//!
//! Four wordings are in use, and each gives a different last day:
//! `trước ngày X` (before X: the last day is the day before), `chậm nhất ngày X`
//! or `hoàn thành trong ngày X` (by X), `trong tháng M` (by the last day of the
//! month) and `trong năm` (by 31 December). The wording is kept with the date.

use chrono::{Datelike, Days, NaiveDate};

use crate::model::{Deadline, DeadlineForm};
use crate::text::{fold_key, normalize_text, parse_date_text};

/// Reads a deadline in one of the four official wordings, or a bare date (`dd/mm/yyyy`).
///
/// ```
/// use tonghop::schema::parse_deadline;
/// use tonghop::model::DeadlineForm;
/// let d = parse_deadline("trước ngày 10/09/2025").unwrap();
/// assert_eq!(d.form, DeadlineForm::Before);
/// assert_eq!(d.last_day.to_string(), "2025-09-09");
/// assert_eq!(parse_deadline("trong tháng 9/2025").unwrap().last_day.to_string(), "2025-09-30");
/// assert_eq!(parse_deadline("trong năm 2025").unwrap().last_day.to_string(), "2025-12-31");
/// assert_eq!(parse_deadline("chậm nhất ngày 28/6/2025").unwrap().last_day.to_string(), "2025-06-28");
/// ```
pub fn parse_deadline(text: &str) -> Option<Deadline> {
    let text = normalize_text(text);
    let key = fold_key(&text);
    let (form, last_day) = if let Some(rest) = key.strip_prefix("truoc ngay ") {
        let date = date_from_key(rest)?;
        (DeadlineForm::Before, date.checked_sub_days(Days::new(1))?)
    } else if let Some(rest) = key
        .strip_prefix("cham nhat ngay ")
        .or_else(|| key.strip_prefix("hoan thanh trong ngay "))
        .or_else(|| key.strip_prefix("trong ngay "))
        .or_else(|| key.strip_prefix("ngay "))
    {
        (DeadlineForm::By, date_from_key(rest)?)
    } else if let Some(rest) = key.strip_prefix("trong thang ") {
        let mut parts = rest.split(' ');
        let month: u32 = parts.next()?.parse().ok()?;
        let year: i32 = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        (DeadlineForm::InMonth, last_day_of_month(year, month)?)
    } else if let Some(rest) = key.strip_prefix("trong nam ") {
        let year: i32 = rest.trim().parse().ok()?;
        (DeadlineForm::InYear, NaiveDate::from_ymd_opt(year, 12, 31)?)
    } else {
        (DeadlineForm::By, parse_date_text(&text)?)
    };
    Some(Deadline { text, form, last_day })
}

/// fold_key turns "10/09/2025" into "10 09 2025"; read it back as a date.
fn date_from_key(rest: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = rest.split(' ').collect();
    if parts.len() != 3 {
        return None;
    }
    parse_date_text(&parts.join("/"))
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    let last = next.pred_opt()?;
    debug_assert_eq!(last.month(), month);
    Some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> String {
        parse_deadline(s).map(|d| d.last_day.to_string()).unwrap_or_default()
    }

    #[test]
    fn the_four_wordings() {
        assert_eq!(day("trước ngày 10/9/2025"), "2025-09-09");
        assert_eq!(day("Trước ngày 01/01/2026"), "2025-12-31");
        assert_eq!(day("chậm nhất ngày 30/06/2025"), "2025-06-30");
        assert_eq!(day("hoàn thành trong ngày 30/06/2025"), "2025-06-30");
        assert_eq!(day("trong tháng 2/2024"), "2024-02-29");
        assert_eq!(day("trong tháng 12/2025"), "2025-12-31");
        assert_eq!(day("trong năm 2025"), "2025-12-31");
        assert_eq!(day("31/12/2025"), "2025-12-31");
    }

    #[test]
    fn keeps_the_wording() {
        let d = parse_deadline("  Chậm nhất ngày 28/6/2025 ").unwrap();
        assert_eq!(d.text, "Chậm nhất ngày 28/6/2025");
        assert_eq!(d.form, DeadlineForm::By);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in ["sớm", "trong tháng 13/2025", "trước ngày 31/02/2025", "trong năm", ""] {
            assert!(parse_deadline(bad).is_none(), "{bad}");
        }
    }
}
