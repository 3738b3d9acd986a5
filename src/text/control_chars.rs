//! Characters that must not reach an output: the controls and noncharacters an
//! XLSX (XML 1.0) cell cannot carry, and the invisible characters that change
//! how text reads without being seen (bidirectional overrides, zero-width
//! characters): detecting, naming and stripping them.

/// True for the characters an XLSX (XML 1.0) cell cannot carry or that are
/// invisible garbage in a report: controls other than tab, LF and CR, and the
/// noncharacters U+FFFE and U+FFFF.
fn is_control_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// True for the invisible format characters that alter text without showing:
///
/// - the bidirectional controls: the embeddings and overrides U+202A–U+202E
///   (U+202E, RIGHT-TO-LEFT OVERRIDE, shows "gnp.exe" for "exe.png"), the
///   isolates U+2066–U+2069, and the marks U+200E, U+200F and U+061C;
/// - the zero-width characters U+200B–U+200D, the word joiner U+2060, the
///   invisible operators U+2061–U+2064, the deprecated format characters
///   U+206A–U+206F, U+180E and the byte-order mark U+FEFF, which make two
///   texts that look the same differ (a code, a name, a number).
///
/// Vietnamese text has no use for any of them.
pub(crate) fn is_invisible_char(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

/// True for every character [`strip_control_chars`] removes.
fn is_unwanted_char(c: char) -> bool {
    is_control_char(c) || is_invisible_char(c)
}

/// Tells whether the text contains characters that must not reach an output.
///
/// Detected: the C0 controls (U+0000–U+001F) except tab, line feed and
/// carriage return, DEL (U+007F), the C1 controls (U+0080–U+009F), and U+FFFE
/// and U+FFFF, which XML 1.0 forbids (unpaired surrogates, also forbidden,
/// cannot occur in a Rust string); and the invisible bidirectional controls
/// (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) and zero-width
/// characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, and the deprecated
/// U+180E, U+206A–U+206F). Such characters come
/// from copy-pasting out of other programs and web pages, or are planted: the
/// first make the written XLSX unreadable by Excel, the others reverse or
/// disguise what a reader sees.
///
/// ```
/// use tonghop::text::has_control_chars;
/// assert!(has_control_chars("Tổng\u{0}số"));
/// assert!(has_control_chars("Hà Nội\u{202E}"));
/// assert!(has_control_chars("94\u{200B}402"));
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
/// assert_eq!(strip_control_chars("\u{202E}gnp.exe\u{200B}"), "gnp.exe");
/// ```
pub fn strip_control_chars(s: &str) -> String {
    s.chars().filter(|&c| !is_unwanted_char(c)).collect()
}

/// The distinct characters [`strip_control_chars`] would remove, as `U+202E`,
/// in order of first appearance, at most `max` of them (for messages).
///
/// ```
/// use tonghop::text::unwanted_char_names;
/// assert_eq!(unwanted_char_names("a\u{202E}b\u{200B}c\u{202E}", 5), ["U+202E", "U+200B"]);
/// ```
pub fn unwanted_char_names(s: &str, max: usize) -> Vec<String> {
    let mut found: Vec<char> = Vec::new();
    for c in s.chars().filter(|&c| is_unwanted_char(c)) {
        if !found.contains(&c) {
            found.push(c);
            if found.len() == max {
                break;
            }
        }
    }
    found.into_iter().map(|c| format!("U+{:04X}", u32::from(c))).collect()
}

/// Whether the text holds any of the invisible characters (not only controls).
///
/// ```
/// use tonghop::text::has_invisible_chars;
/// assert!(has_invisible_chars("\u{FEFF}Hà Nội"));
/// assert!(!has_invisible_chars("Tổng\u{0}số"));
/// ```
pub fn has_invisible_chars(s: &str) -> bool {
    s.chars().any(is_invisible_char)
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

    // --- invisible characters -------------------------------------------

    /// Every character of the class, as the red-team report lists it and beyond.
    fn invisible_class() -> Vec<char> {
        let ranges = [
            (0x200B, 0x200F),
            (0x202A, 0x202E),
            (0x2060, 0x2064),
            (0x2066, 0x206F),
            (0x061C, 0x061C),
            (0x180E, 0x180E),
            (0xFEFF, 0xFEFF),
        ];
        ranges.iter().flat_map(|&(a, b)| (a..=b).filter_map(char::from_u32)).collect()
    }

    #[test]
    fn every_bidi_and_zero_width_character_is_detected_and_stripped() {
        for c in invisible_class() {
            let text = format!("Hà{c}Nội");
            assert!(has_control_chars(&text), "U+{:04X}", u32::from(c));
            assert!(has_invisible_chars(&text), "U+{:04X}", u32::from(c));
            assert_eq!(strip_control_chars(&text), "HàNội", "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn visible_neighbours_of_the_class_are_kept() {
        // Spaces, the soft hyphen, the combining grapheme joiner and
        // Vietnamese combining tone marks all have a use.
        for good in ["\u{2007}", "\u{202F}", "\u{205F}", "\u{00AD}", "a\u{0301}", "\u{2010}", "\u{2065}"] {
            assert!(!has_control_chars(good), "{good:?}");
        }
    }

    #[test]
    fn names_are_distinct_and_bounded() {
        assert_eq!(unwanted_char_names("\u{0}\u{0}\u{202E}", 5), ["U+0000", "U+202E"]);
        assert_eq!(unwanted_char_names("\u{200B}\u{200C}\u{200D}", 2), ["U+200B", "U+200C"]);
        assert!(unwanted_char_names("Hà Nội", 5).is_empty());
    }
}
