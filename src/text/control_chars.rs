//! Control characters and noncharacters that an XLSX (XML 1.0) cell cannot
//! carry: detecting and stripping them.

/// True for the characters an XLSX (XML 1.0) cell cannot carry or that are
/// invisible garbage in a report: controls other than tab, LF and CR, and the
/// noncharacters U+FFFE and U+FFFF.
fn is_unwanted_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Tells whether the text contains characters that must not reach an output
/// workbook.
///
/// Detected: the C0 controls (U+0000–U+001F) except tab, line feed and
/// carriage return, DEL (U+007F), the C1 controls (U+0080–U+009F), and U+FFFE
/// and U+FFFF, which XML 1.0 forbids. Unpaired surrogates, also forbidden,
/// cannot occur in a Rust string. Such characters come from copy-pasting out
/// of other programs and make the written XLSX unreadable by Excel.
///
/// ```
/// use tonghop::text::has_control_chars;
/// assert!(has_control_chars("Tổng\u{0}số"));
/// assert!(!has_control_chars("Dòng 1\nDòng 2\tcột"));
/// ```
pub fn has_control_chars(s: &str) -> bool {
    s.chars().any(is_unwanted_char)
}

/// Removes the characters that [`has_control_chars`] detects, keeping tab,
/// line feed and carriage return.
///
/// ```
/// use tonghop::text::strip_control_chars;
/// assert_eq!(strip_control_chars("Tổng\u{7}\u{1b} số\n"), "Tổng số\n");
/// ```
pub fn strip_control_chars(s: &str) -> String {
    s.chars().filter(|&c| !is_unwanted_char(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // --- control characters ---------------------------------------------

    #[test]
    fn control_chars_detected() {
        for bad in [
            "a\u{0}b",
            "a\u{1}",
            "\u{8}",
            "\u{B}",
            "\u{C}",
            "\u{1F}",
            "\u{7F}",
            "\u{80}",
            "\u{9F}",
            "x\u{FFFE}",
            "\u{FFFF}",
        ] {
            assert!(has_control_chars(bad), "{bad:?}");
        }
        for good in ["", "Tổng số", "a\tb\nc\r\n", "\u{A0}\u{A0}", "\u{FFFD}", "\u{1F600}"] {
            assert!(!has_control_chars(good), "{good:?}");
        }
    }

    #[test]
    fn control_chars_stripped() {
        assert_eq!(strip_control_chars("\u{0}Tổng\u{7} số\u{1B}\t1\r\n\u{85}\u{FFFF}"), "Tổng số\t1\r\n");
        assert_eq!(strip_control_chars("Bình thường"), "Bình thường");
        assert!(!has_control_chars(&strip_control_chars("\u{1}\u{2}x\u{9F}\u{FFFE}")));
    }
}
