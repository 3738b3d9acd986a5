//! Numbers, percentages, dates and delays written the way each language
//! writes them, as its `language.toml` says: Vietnamese `94.402`, `73,8%`,
//! `05/09/2025`; English `94,402`, `73.8%`, `5 Sep 2025`. Shared by every
//! output so that a figure reads the same everywhere.

use chrono::NaiveDate;

use crate::language::Language;
use crate::text::format_vi_number;

/// A number with thousands separators and at most `decimals` decimals.
///
/// ```
/// use tonghop::{language::Language, render::format::number};
/// # let dir = [std::path::Path::new("report_templates")];
/// let (vi, en) = (Language::load(&dir, "vi").unwrap(), Language::load(&dir, "en").unwrap());
/// assert_eq!(number(94402.0, 0, &vi), "94.402");
/// assert_eq!(number(94402.0, 0, &en), "94,402");
/// assert_eq!(number(1234.5, 2, &vi), "1.234,5");
/// ```
pub fn number(value: f64, decimals: usize, lang: &Language) -> String {
    let numbers = lang.numbers();
    let mut out = String::new();
    // The Vietnamese form has one character for each separator, so it maps onto any language's.
    for c in format_vi_number(value, decimals).chars() {
        match c {
            '.' => out.push_str(&numbers.thousands),
            ',' => out.push_str(&numbers.decimal),
            other => out.push(other),
        }
    }
    out
}

/// A ratio as a percentage with one decimal: 0.738 → `73,8%` / `73.8%`.
///
/// ```
/// use tonghop::{language::Language, render::format::percent};
/// # let dir = [std::path::Path::new("report_templates")];
/// assert_eq!(percent(0.738, &Language::load(&dir, "vi").unwrap()), "73,8%");
/// assert_eq!(percent(1.0, &Language::load(&dir, "en").unwrap()), "100%");
/// ```
pub fn percent(ratio: f64, lang: &Language) -> String {
    percent_to(ratio, 1, lang)
}

/// A ratio as a percentage with `decimals` decimals (a change too small for one).
pub fn percent_to(ratio: f64, decimals: usize, lang: &Language) -> String {
    lang.numbers().percent.replace("{}", &number(ratio * 100.0, decimals, lang))
}

/// `value` rounded to `decimals` decimals, as it is shown.
pub fn round_to(value: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    (value * scale).round() / scale
}

/// A change with its sign: `+1.250`, `-3,5`, `0`.
pub fn signed(value: f64, decimals: usize, lang: &Language) -> String {
    let body = number(value, decimals, lang);
    if value > 0.0 && body.chars().any(|c| c.is_ascii_digit() && c != '0') { format!("+{body}") } else { body }
}

/// A change of a ratio in percentage points: +1,2 điểm % / +1.2 pts.
pub fn points(change: f64, lang: &Language) -> String {
    points_to(change, 1, lang)
}

/// [`points`] with `decimals` decimals.
pub fn points_to(change: f64, decimals: usize, lang: &Language) -> String {
    lang.numbers().points.replace("{}", &signed(change * 100.0, decimals, lang))
}

/// A date: `05/09/2025` in Vietnamese, `5 Sep 2025` in English.
pub fn date(day: NaiveDate, lang: &Language) -> String {
    lang.format_date(day)
}

/// Escapes reporter text for Markdown so that it stays text: no emphasis,
/// links, HTML, headings or table cells can come out of it; line breaks become spaces.
///
/// ```
/// assert_eq!(tonghop::render::format::escape_markdown("*a* [b](c) <x>|y"), r"\*a\* \[b\](c) &lt;x&gt;\|y");
/// ```
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

/// A delay in minutes as people say it: `2 giờ 40 phút` / `2 h 40 min`, days when long.
///
/// ```
/// use tonghop::{language::Language, render::format::duration};
/// # let dir = [std::path::Path::new("report_templates")];
/// let (vi, en) = (Language::load(&dir, "vi").unwrap(), Language::load(&dir, "en").unwrap());
/// assert_eq!(duration(160, &vi), "2 giờ 40 phút");
/// assert_eq!(duration(45, &en), "45 min");
/// assert_eq!(duration(1530, &vi), "1 ngày 1 giờ");
/// ```
pub fn duration(minutes: i64, lang: &Language) -> String {
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    let words = lang.words();
    let (day, hour, min) = (&words.day, &words.hour, &words.minute);
    match (d, h, m) {
        (0, 0, m) => format!("{m} {min}"),
        (0, h, 0) => format!("{h} {hour}"),
        (0, h, m) => format!("{h} {hour} {m} {min}"),
        (d, 0, _) => format!("{d} {day}"),
        (d, h, _) => format!("{d} {day} {h} {hour}"),
    }
}

/// An HTML id from any text: ASCII letters and digits, runs of anything else as one `-`.
///
/// ```
/// assert_eq!(tonghop::render::format::slug("2025-W39/24 Bắc Ninh.xlsx"), "2025-w39-24-b-c-ninh-xlsx");
/// ```
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}
