//! Normalisation of cell text and loose comparison keys: Unicode NFC, the
//! look-alike `Ð`/`ð` folded to `Đ`/`đ`, non-breaking spaces made ordinary,
//! and the case-, diacritic- and punctuation-blind keys that names, headers
//! and configured labels are matched with.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::control_chars::is_invisible_char;

/// Normalises cell text so that visually identical texts compare equal.
///
/// The text is put in Unicode NFC (macOS and some web forms produce NFD), the
/// Icelandic look-alikes `Ð` (U+00D0) and `ð` (U+00F0) are folded to the
/// Vietnamese `Đ` (U+0110) and `đ` (U+0111) that were meant, the non-breaking
/// spaces U+00A0, U+202F and U+2007 become ordinary spaces, and both ends are
/// trimmed. Inner runs of spaces are kept: they may be meaningful to the
/// caller (see [`fold_key`] for a loose comparison key).
///
/// ```
/// use tonghop::text::normalize_text;
/// // "Hà Nội" in NFD, with a non-breaking space and a trailing space.
/// assert_eq!(normalize_text("Ha\u{300}\u{a0}No\u{323}\u{302}i "), "Hà Nội");
/// assert_eq!(normalize_text("\u{d0}ồng Nai"), "Đồng Nai");
/// ```
pub fn normalize_text(s: &str) -> String {
    let mapped_char = |c: char| matches!(c, '\u{00D0}' | '\u{00F0}' | '\u{00A0}' | '\u{202F}' | '\u{2007}');
    // Most cells are already NFC (Excel writes composed text): skip the composition pass.
    if s.is_ascii()
        || (unicode_normalization::is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes
            && !s.chars().any(mapped_char))
    {
        return s.trim().to_owned();
    }
    let mapped: String = s
        .nfc()
        .map(|c| match c {
            '\u{00D0}' => '\u{0110}',
            '\u{00F0}' => '\u{0111}',
            '\u{00A0}' | '\u{202F}' | '\u{2007}' => ' ',
            other => other,
        })
        .collect();
    mapped.trim().to_owned()
}

/// Whether a folded key (from [`fold_key`]) is the key of a configured label.
///
/// Labels of the configuration (statuses, kinds, fields) are compared with
/// every row a reporter writes; their keys are computed once per thread and
/// kept (at most a few thousand, then the memo starts over), not once per row.
///
/// ```
/// use tonghop::text::{fold_key, is_label_key};
/// assert!(is_label_key(&fold_key("ĐÃ HOÀN THÀNH"), "Đã hoàn thành"));
/// assert!(!is_label_key(&fold_key("Đang triển khai"), "Đã hoàn thành"));
/// ```
pub fn is_label_key(key: &str, label: &str) -> bool {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static KEYS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    }
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if let Some(known) = keys.get(label) {
            return known == key;
        }
        if keys.len() >= 4096 {
            keys.clear();
        }
        let folded = fold_key(label);
        let same = folded == key;
        keys.insert(label.to_string(), folded);
        same
    })
}

/// Builds a key for comparing names loosely (province names, column headers).
///
/// Applies [`normalize_text`], removes every diacritic (NFD, then combining
/// marks dropped), maps `đ`/`Đ` to `d` (the stroke is not a combining mark, so
/// NFD leaves it), lowercases, turns every run of non-alphanumeric characters
/// into a single space and trims. Headers and names typed with different tone
/// placement ("Hoá"/"Hóa"), case, spacing or punctuation then match.
///
/// ```
/// use tonghop::text::fold_key;
/// assert_eq!(fold_key("Thanh Hoá"), "thanh hoa");
/// assert_eq!(fold_key("THANH HOA"), "thanh hoa");
/// assert_eq!(fold_key("Thanh  Hóa."), "thanh hoa");
/// assert_eq!(fold_key("Đắk Lắk"), fold_key("Đăk Lăk"));
/// assert_eq!(fold_key("Khó khăn, kiến nghị"), "kho khan kien nghi");
/// ```
pub fn fold_key(s: &str) -> String {
    // Decomposing directly gives the same key as normalizing to NFC first (NFD of the NFC
    // form is the NFD form), and this runs for every header and label cell read.
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    if s.is_ascii() {
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(b.to_ascii_lowercase() as char);
            } else {
                pending_space = true;
            }
        }
        return out;
    }
    for c in s.nfd() {
        // An invisible character (a zero-width space, a direction mark) joins
        // what it sits between: "Chỉ\u{200B}tiêu" reads, and folds, as "Chỉtiêu".
        if is_combining_mark(c) || is_invisible_char(c) {
            continue;
        }
        let c = match c {
            // The look-alike eth (U+00D0, U+00F0) folds like đ, as normalize_text maps it.
            'đ' | 'Đ' | '\u{00D0}' | '\u{00F0}' => 'd',
            other => other,
        };
        for lower in c.to_lowercase() {
            if lower.is_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(lower);
            } else {
                pending_space = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // --- normalize_text -------------------------------------------------

    #[test]
    fn normalize_composes_nfd() {
        let nfd = "Ha\u{300} No\u{323}\u{302}i";
        assert_eq!(normalize_text(nfd), "Hà Nội");
        assert_eq!(normalize_text("Hà Nội"), "Hà Nội");
    }

    #[test]
    fn normalize_folds_eth_lookalikes() {
        assert_eq!(normalize_text("\u{D0}ồng Tháp"), "Đồng Tháp");
        assert_eq!(normalize_text("\u{F0}ường"), "đường");
    }

    #[test]
    fn normalize_replaces_non_breaking_spaces_and_trims() {
        assert_eq!(normalize_text("\u{A0} Tổng\u{A0}số\u{202F}xã\u{2007}1 \u{A0}"), "Tổng số xã 1");
        assert_eq!(normalize_text("\t Bắc  Ninh \n"), "Bắc  Ninh");
        assert_eq!(normalize_text(""), "");
        assert_eq!(normalize_text(" \u{A0} "), "");
    }

    // --- fold_key -------------------------------------------------------

    #[test]
    fn fold_key_brief_examples() {
        for s in ["Thanh Hoá", "Thanh Hóa", "THANH HOA", "Thanh  Hóa."] {
            assert_eq!(fold_key(s), "thanh hoa", "{s}");
        }
        assert_eq!(fold_key("Đắk Lắk"), "dak lak");
        assert_eq!(fold_key("Đăk Lăk"), "dak lak");
        assert_eq!(fold_key("Khó khăn, kiến nghị"), "kho khan kien nghi");
    }

    #[test]
    fn fold_key_handles_nfd_lookalikes_and_symbols() {
        assert_eq!(fold_key("Ða\u{300} Na\u{306}\u{303}ng"), "da nang");
        assert_eq!(fold_key("  --Bà Rịa – Vũng Tàu!! "), "ba ria vung tau");
        assert_eq!(fold_key("Số\u{A0}TT (1)"), "so tt 1");
        assert_eq!(fold_key("ƯỚC TÍNH"), "uoc tinh");
        assert_eq!(fold_key("...,,,"), "");
        assert_eq!(fold_key(""), "");
    }

    #[test]
    fn fold_key_ignores_invisible_characters() {
        assert_eq!(fold_key("Mã\u{200B} đơn\u{202E} vị"), "ma don vi");
        assert_eq!(fold_key("\u{FEFF}Chỉ ti\u{200D}êu"), "chi tieu");
    }
}
