//! Numbers typed as text: parsing the Vietnamese, plain and English forms
//! (refusing the ambiguous ones), and formatting numbers the Vietnamese way.

/// Why a text could not be read as a number.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberTextError {
    /// The text can be read two ways (e.g. "1,234": Vietnamese decimal 1.234
    /// or English thousands 1234).
    Ambiguous {
        /// The value when the comma separates thousands.
        as_thousands: f64,
        /// The value when the comma is the decimal mark.
        as_decimal: f64,
    },
    /// Not a number at all ("abc", "12a", "1.23.4", "", "50%").
    NotANumber,
}

/// How the digit groups of a number text read.
enum Reading<'a> {
    Number { integer: String, fraction: &'a str },
    Ambiguous { head: &'a str, tail: &'a str },
}

/// A group that can open a thousands-grouped number: 1 to 3 digits, not
/// starting with 0.
fn thousands_head(group: &str) -> bool {
    (1..=3).contains(&group.len()) && !group.starts_with('0')
}

fn thousands_groups(groups: &[&str]) -> bool {
    match groups.split_first() {
        Some((head, rest)) => thousands_head(head) && rest.iter().all(|g| g.len() == 3),
        None => false,
    }
}

/// Reads digit groups and the separators between them (`' '` stands for any
/// space). `groups` has one more element than `separators`, none empty.
fn read_groups<'a>(groups: &[&'a str], separators: &[char]) -> Option<Reading<'a>> {
    let (Some(&last_sep), Some(&last_group)) = (separators.last(), groups.last()) else {
        return Some(Reading::Number { integer: groups.concat(), fraction: "" });
    };
    let spaces = separators.iter().filter(|&&c| c == ' ').count();
    let dots = separators.iter().filter(|&&c| c == '.').count();
    let commas = separators.iter().filter(|&&c| c == ',').count();

    if spaces > 0 {
        // Spaces group the thousands; one dot or comma may follow as the
        // decimal mark, and then it cannot be a thousands separator.
        let thousands_seps = if last_sep == ' ' { separators.len() } else { separators.len() - 1 };
        if spaces != thousands_seps {
            return None;
        }
        let integer_groups = &groups[..=thousands_seps];
        if !thousands_groups(integer_groups) {
            return None;
        }
        let fraction = if last_sep == ' ' { "" } else { last_group };
        return Some(Reading::Number { integer: integer_groups.concat(), fraction });
    }

    if dots > 0 && commas > 0 {
        // The last separator is the decimal mark, used once; the other one
        // groups thousands.
        let (before_last, _) = separators.split_at(separators.len() - 1);
        if before_last.contains(&last_sep) {
            return None;
        }
        let integer_groups = &groups[..groups.len() - 1];
        if !thousands_groups(integer_groups) {
            return None;
        }
        return Some(Reading::Number { integer: integer_groups.concat(), fraction: last_group });
    }

    if let [head, tail] = groups {
        if tail.len() == 3 && thousands_head(head) {
            return Some(if last_sep == '.' {
                Reading::Number { integer: groups.concat(), fraction: "" }
            } else {
                Reading::Ambiguous { head, tail }
            });
        }
        // Cannot be a thousands group, so the only reading is a decimal one.
        return Some(Reading::Number { integer: (*head).to_owned(), fraction: tail });
    }

    thousands_groups(groups).then(|| Reading::Number { integer: groups.concat(), fraction: "" })
}

fn digits_value(negative: bool, integer: &str, fraction: &str) -> Result<f64, NumberTextError> {
    let text = if fraction.is_empty() { integer.to_owned() } else { format!("{integer}.{fraction}") };
    let value: f64 = text.parse().map_err(|_| NumberTextError::NotANumber)?;
    if !value.is_finite() {
        return Err(NumberTextError::NotANumber);
    }
    // A typed "-0" is zero, not negative zero, which would print as "-0".
    Ok(if negative && value != 0.0 { -value } else { value })
}

/// Parses a number typed as text, accepting the Vietnamese form (dot
/// thousands, comma decimal) as well as the plain and English forms, and
/// refusing anything that could mean two different values.
///
/// Rules (part of the published file-format contract):
///
/// * Surrounding whitespace is ignored. One leading `-` or `+` is allowed,
///   directly before the first digit. The number must start and end with a
///   digit (".5" and "12." are refused).
/// * Spaces, NBSP (U+00A0) or narrow NBSP (U+202F) between digit groups are
///   thousands separators: the first group has 1–3 digits and does not start
///   with 0, each following group has exactly 3 ("94 402", "1 234 567"). A
///   single `.` or `,` may then end the number as its decimal mark
///   ("94 402,5", "1 234.5").
/// * No separator: the digits as they are ("94402" → 94402, "0" → 0).
/// * Only dots: one or more dots each followed by exactly 3 digits, with 1–3
///   digits before the first (not starting with 0) → thousands ("94.402" →
///   94402, "1.234.567" → 1234567). A single dot that cannot be a thousands
///   separator — followed by a number of digits other than 3, or preceded by
///   more than 3 digits or a leading 0 — is a decimal point ("12.5" → 12.5,
///   "0.75" → 0.75, "0.234" → 0.234, "1234.567" → 1234.567). Anything else
///   with dots ("1.23.4", "1234.567.8") is not a number.
/// * Only commas: several commas each followed by exactly 3 digits, with 1–3
///   digits before the first (not starting with 0) → thousands ("1,234,567" →
///   1234567). A single comma followed by exactly 3 digits with 1–3 digits
///   before ("1,234", "94,402") is [`NumberTextError::Ambiguous`] (Vietnamese
///   decimal comma or English thousands). A single comma that cannot be a
///   thousands separator is a decimal comma ("12,5" → 12.5, "1234,56" →
///   1234.56, "0,234" → 0.234: a leading zero group is never a thousands
///   group). Anything else with commas is not a number.
/// * Both dots and commas: the last separator is the decimal mark and occurs
///   once; the other one separates thousands, with well-formed groups:
///   "1.234,5" → 1234.5 (Vietnamese), "1,234.5" → 1234.5 (English);
///   "1.2,3" is not a number.
/// * A percent sign, currency text, letters, exponents, an empty string, or
///   any other character → [`NumberTextError::NotANumber`].
///
/// ```
/// use tonghop::text::{NumberTextError, parse_number_text};
/// assert_eq!(parse_number_text("94.402"), Ok(94402.0));
/// assert_eq!(parse_number_text("1.234,5"), Ok(1234.5));
/// assert_eq!(parse_number_text("-12,5"), Ok(-12.5));
/// assert_eq!(
///     parse_number_text("1,234"),
///     Err(NumberTextError::Ambiguous { as_thousands: 1234.0, as_decimal: 1.234 })
/// );
/// assert_eq!(parse_number_text("50%"), Err(NumberTextError::NotANumber));
/// ```
pub fn parse_number_text(s: &str) -> Result<f64, NumberTextError> {
    let trimmed = s.trim();
    let (negative, body) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let mut groups: Vec<&str> = Vec::new();
    let mut separators: Vec<char> = Vec::new();
    let mut start = 0;
    for (i, c) in body.char_indices() {
        if c.is_ascii_digit() {
            continue;
        }
        let separator = match c {
            '.' | ',' => c,
            ' ' | '\u{00A0}' | '\u{202F}' => ' ',
            _ => return Err(NumberTextError::NotANumber),
        };
        groups.push(&body[start..i]);
        separators.push(separator);
        start = i + c.len_utf8();
    }
    groups.push(&body[start..]);
    if groups.iter().any(|g| g.is_empty()) {
        return Err(NumberTextError::NotANumber);
    }
    match read_groups(&groups, &separators) {
        Some(Reading::Number { integer, fraction }) => digits_value(negative, &integer, fraction),
        Some(Reading::Ambiguous { head, tail }) => Err(NumberTextError::Ambiguous {
            as_thousands: digits_value(negative, &format!("{head}{tail}"), "")?,
            as_decimal: digits_value(negative, head, tail)?,
        }),
        None => Err(NumberTextError::NotANumber),
    }
}

/// Formats a number the Vietnamese way for messages and hints: `.` between
/// thousands, `,` as the decimal mark, at most `max_decimals` decimals
/// (rounded), no trailing zeros, and no sign on a value that rounds to zero.
/// NaN and infinities, which never come from a valid cell, are written as
/// Rust writes them ("NaN", "inf", "-inf").
///
/// ```
/// use tonghop::text::format_vi_number;
/// assert_eq!(format_vi_number(94402.0, 0), "94.402");
/// assert_eq!(format_vi_number(1234.5, 2), "1.234,5");
/// assert_eq!(format_vi_number(-5.0, 0), "-5");
/// assert_eq!(format_vi_number(0.736, 1), "0,7");
/// ```
pub fn format_vi_number(value: f64, max_decimals: usize) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let fixed = format!("{:.*}", max_decimals, value.abs());
    let (integer, fraction) = fixed.split_once('.').unwrap_or((fixed.as_str(), ""));
    let fraction = fraction.trim_end_matches('0');
    let is_zero = fraction.is_empty() && integer.bytes().all(|b| b == b'0');
    let mut out = String::with_capacity(fixed.len() + fixed.len() / 3 + 1);
    if value < 0.0 && !is_zero {
        out.push('-');
    }
    let len = integer.len();
    for (i, digit) in integer.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push('.');
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push(',');
        out.push_str(fraction);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // --- parse_number_text ----------------------------------------------

    fn num(s: &str) -> Result<f64, NumberTextError> {
        parse_number_text(s)
    }

    #[test]
    fn numbers_without_separators() {
        assert_eq!(num("94402"), Ok(94402.0));
        assert_eq!(num("0"), Ok(0.0));
        assert_eq!(num("007"), Ok(7.0));
        assert_eq!(num("  42 "), Ok(42.0));
        assert_eq!(num("\u{A0}42\u{A0}"), Ok(42.0));
        assert_eq!(num("-5"), Ok(-5.0));
        assert_eq!(num("+5"), Ok(5.0));
        let zero = num("-0");
        assert_eq!(zero, Ok(0.0));
        assert!(zero.is_ok_and(|z| z.is_sign_positive()));
    }

    #[test]
    fn numbers_with_space_thousands() {
        assert_eq!(num("94 402"), Ok(94402.0));
        assert_eq!(num("1 234 567"), Ok(1_234_567.0));
        assert_eq!(num("94\u{A0}402"), Ok(94402.0));
        assert_eq!(num("94\u{202F}402"), Ok(94402.0));
        assert_eq!(num("94 402,5"), Ok(94402.5));
        assert_eq!(num("1 234.5"), Ok(1234.5));
        assert_eq!(num("1 234,567"), Ok(1234.567));
        assert_eq!(num("-1 234"), Ok(-1234.0));
        for bad in ["12 34", "1234 567", "0 234", "1  234", "1 234.567,5", "1 234,5 6", "1.234 567", "- 5"] {
            assert_eq!(num(bad), Err(NumberTextError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn numbers_with_dots() {
        assert_eq!(num("94.402"), Ok(94402.0));
        assert_eq!(num("1.234.567"), Ok(1_234_567.0));
        assert_eq!(num("12.5"), Ok(12.5));
        assert_eq!(num("0.75"), Ok(0.75));
        assert_eq!(num("1234.5"), Ok(1234.5));
        assert_eq!(num("12.3456"), Ok(12.3456));
        assert_eq!(num("0.234"), Ok(0.234));
        assert_eq!(num("1234.567"), Ok(1234.567));
        assert_eq!(num("-94.402"), Ok(-94402.0));
        for bad in ["1.23.4", "1234.567.8", "0.234.567", "1.2345.678", "12.", ".5", "1..2"] {
            assert_eq!(num(bad), Err(NumberTextError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn numbers_with_commas() {
        assert_eq!(num("1,234,567"), Ok(1_234_567.0));
        assert_eq!(num("12,5"), Ok(12.5));
        assert_eq!(num("1234,56"), Ok(1234.56));
        assert_eq!(num("0,234"), Ok(0.234));
        assert_eq!(num("1234,567"), Ok(1234.567));
        assert_eq!(num("1,234"), Err(NumberTextError::Ambiguous { as_thousands: 1234.0, as_decimal: 1.234 }));
        assert_eq!(num("94,402"), Err(NumberTextError::Ambiguous { as_thousands: 94402.0, as_decimal: 94.402 }));
        assert_eq!(num("-100,000"), Err(NumberTextError::Ambiguous { as_thousands: -100_000.0, as_decimal: -100.0 }));
        for bad in ["1,23,456", "1,2,3", "0,234,567", ",5", "5,", "1,,234"] {
            assert_eq!(num(bad), Err(NumberTextError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn numbers_with_dots_and_commas() {
        assert_eq!(num("1.234,5"), Ok(1234.5));
        assert_eq!(num("1,234.5"), Ok(1234.5));
        assert_eq!(num("1.234.567,89"), Ok(1_234_567.89));
        assert_eq!(num("1,234,567.89"), Ok(1_234_567.89));
        assert_eq!(num("1.234,567"), Ok(1234.567));
        assert_eq!(num("-1.234,5"), Ok(-1234.5));
        for bad in ["1.2,3", "1,2.3", "1.234,5,6", "1,234.5.6", "1.234,567.8", "0.234,5", "1234.567,8"] {
            assert_eq!(num(bad), Err(NumberTextError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn not_numbers() {
        for bad in [
            "",
            "   ",
            "abc",
            "12a",
            "50%",
            "100 đồng",
            "$5",
            "5 VND",
            "1e5",
            "--5",
            "+-5",
            "-",
            "+",
            "1/2",
            "0x1F",
            "½",
            "١٢",
            "NaN",
            "inf",
        ] {
            assert_eq!(num(bad), Err(NumberTextError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn huge_numbers_are_refused_not_infinite() {
        let huge = "9".repeat(400);
        assert_eq!(num(&huge), Err(NumberTextError::NotANumber));
    }

    #[test]
    fn long_digit_strings_with_decimals_still_parse() {
        let text = format!("{},5", "1".repeat(30));
        let value = num(&text);
        assert!(matches!(value, Ok(v) if v > 1e29 && v.is_finite()), "{value:?}");
    }

    // --- format_vi_number -----------------------------------------------

    #[test]
    fn format_brief_examples() {
        assert_eq!(format_vi_number(94402.0, 0), "94.402");
        assert_eq!(format_vi_number(1234.5, 2), "1.234,5");
        assert_eq!(format_vi_number(-5.0, 0), "-5");
        assert_eq!(format_vi_number(0.736, 1), "0,7");
    }

    #[test]
    fn format_grouping_rounding_and_signs() {
        assert_eq!(format_vi_number(0.0, 2), "0");
        assert_eq!(format_vi_number(-0.0, 2), "0");
        assert_eq!(format_vi_number(-0.004, 2), "0");
        assert_eq!(format_vi_number(999.0, 0), "999");
        assert_eq!(format_vi_number(1000.0, 0), "1.000");
        assert_eq!(format_vi_number(1_234_567.891, 2), "1.234.567,89");
        assert_eq!(format_vi_number(-1_234_567.0, 3), "-1.234.567");
        assert_eq!(format_vi_number(999.96, 1), "1.000");
        assert_eq!(format_vi_number(12.5, 0), "12");
        assert_eq!(format_vi_number(0.125, 5), "0,125");
        assert_eq!(format_vi_number(1e15, 0), "1.000.000.000.000.000");
        assert_eq!(format_vi_number(f64::NAN, 2), "NaN");
        assert_eq!(format_vi_number(f64::INFINITY, 2), "inf");
    }

    #[test]
    fn format_then_parse_round_trips() {
        for value in [94402.0, 1234.5, -5.0, 0.25, 1_234_567.89, -0.5] {
            let text = format_vi_number(value, 2);
            assert_eq!(parse_number_text(&text), Ok(value), "{text}");
        }
    }
}
