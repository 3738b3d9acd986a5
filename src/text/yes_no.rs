//! Yes/no answers typed in a cell, in their many Vietnamese and English
//! spellings.

use std::sync::LazyLock;

use super::normalise::fold_key;

const YES_WORDS: [&str; 13] =
    ["Có", "Co", "C", "x", "X", "Yes", "Y", "Đã", "Rồi", "Đã hoàn thành", "1", "TRUE", "Đúng"];

const NO_WORDS: [&str; 9] = ["Không", "Khong", "K", "No", "N", "Chưa", "0", "FALSE", "Sai"];

static YES_KEYS: LazyLock<Vec<String>> = LazyLock::new(|| YES_WORDS.iter().map(|w| fold_key(w)).collect());

static NO_KEYS: LazyLock<Vec<String>> = LazyLock::new(|| NO_WORDS.iter().map(|w| fold_key(w)).collect());

/// Parses a yes/no answer typed in a cell.
///
/// Yes: "Có", "Co", "C", "x", "X", "Yes", "Y", "Đã", "Rồi", "Đã hoàn thành",
/// "1", "TRUE", "Đúng". No: "Không", "Khong", "K", "No", "N", "Chưa", "0",
/// "FALSE", "Sai". The comparison uses [`fold_key`], so case, diacritics,
/// spacing and punctuation do not matter ("CÓ", "khong", "đã hoàn thành.").
/// Anything else gives `None`.
///
/// ```
/// use tonghop::text::parse_yes_no;
/// assert_eq!(parse_yes_no("Có"), Some(true));
/// assert_eq!(parse_yes_no("KHÔNG"), Some(false));
/// assert_eq!(parse_yes_no("Có lẽ"), None);
/// ```
pub fn parse_yes_no(s: &str) -> Option<bool> {
    let key = fold_key(s);
    if key.is_empty() {
        return None;
    }
    if YES_KEYS.contains(&key) {
        Some(true)
    } else if NO_KEYS.contains(&key) {
        Some(false)
    } else {
        None
    }
}

/// The answers [`parse_yes_no`] accepts, as `(yes_words, no_words)` in their
/// displayed spelling, for documentation and error hints.
///
/// ```
/// use tonghop::text::yes_no_synonyms;
/// let (yes, no) = yes_no_synonyms();
/// assert!(yes.contains(&"Có"));
/// assert!(no.contains(&"Không"));
/// ```
pub fn yes_no_synonyms() -> (&'static [&'static str], &'static [&'static str]) {
    (&YES_WORDS, &NO_WORDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    // --- yes / no -------------------------------------------------------

    #[test]
    fn yes_no_synonyms_parse_as_listed() {
        let (yes, no) = yes_no_synonyms();
        assert_eq!(yes.len(), 13);
        assert_eq!(no.len(), 9);
        for w in yes {
            assert_eq!(parse_yes_no(w), Some(true), "{w}");
        }
        for w in no {
            assert_eq!(parse_yes_no(w), Some(false), "{w}");
        }
        // No folded word may be both yes and no.
        for y in YES_KEYS.iter() {
            assert!(!NO_KEYS.contains(y), "{y}");
        }
    }

    #[test]
    fn yes_no_ignores_case_diacritics_and_spacing() {
        for w in ["CÓ", "có", " Có. ", "co\u{301}", "ĐÃ HOÀN THÀNH", "da hoan thanh", "rồi", "true", "đúng", "yes", "y"]
        {
            assert_eq!(parse_yes_no(w), Some(true), "{w}");
        }
        for w in ["KHÔNG", "không", "khong", "chưa", "CHUA", "false", "sai", "n", "k"] {
            assert_eq!(parse_yes_no(w), Some(false), "{w}");
        }
    }

    #[test]
    fn yes_no_refuses_other_answers() {
        for w in ["", " ", "Có lẽ", "Không rõ", "2", "1.0", "?", "Đang thực hiện", "ok"] {
            assert_eq!(parse_yes_no(w), None, "{w}");
        }
    }
}
