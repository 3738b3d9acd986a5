//! Dates typed as text: day first ("dd/mm/yyyy") or ISO ("yyyy-mm-dd").

use chrono::NaiveDate;

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
