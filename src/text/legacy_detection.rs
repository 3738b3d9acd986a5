//! Detection of text typed with a legacy 8-bit Vietnamese font: each word is
//! read as it stands and as converted from TCVN3 or VNI, and the readings
//! that spell Vietnamese syllables are weighed as evidence.

use super::legacy::{LegacyEncoding, convert_word, segments};
use super::syllable::{is_vowel, plausible_syllable};

/// Unicode letters that only Unicode Vietnamese text can contain: a text in a
/// legacy encoding read as Windows-1252/Latin-1 never has them. `Đ` is left
/// out on purpose, because [`normalize_text`] produces it from the TCVN3
/// byte `Ð`.
///
/// [`normalize_text`]: super::normalize_text
fn is_unicode_only_vietnamese(c: char) -> bool {
    matches!(c, 'ă' | 'Ă' | 'đ' | 'ĩ' | 'Ĩ' | 'ũ' | 'Ũ' | 'ơ' | 'Ơ' | 'ư' | 'Ư' | '\u{1EA0}'..='\u{1EF9}')
}

/// Evidence for one encoding, gathered word by word.
#[derive(Default)]
struct Evidence {
    /// Words (two characters or more) that are not Vietnamese as they stand
    /// but are once converted.
    gained: usize,
    /// Gained words of at least [`LONG_WORD_CHARS`] characters.
    gained_long: usize,
    /// Two-character gained words made of an ASCII consonant and one legacy
    /// letter, like "Hµ" (Hà) or "X·" (Xã).
    gained_short: usize,
    /// Words that are Vietnamese as they stand but not once converted.
    lost: usize,
    /// All-ASCII words that spell a Vietnamese syllable ("Giang", "Nam").
    ascii_vietnamese: usize,
}

/// Words needed for the several-words rule.
const MIN_GAINED_WORDS: usize = 2;

/// Length from which one converted word is evidence on its own; shorter ones
/// ("µm", "B¹") are too easily a unit or a footnote mark.
const LONG_WORD_CHARS: usize = 3;

/// Whether a two-character word is an ASCII consonant followed by a legacy
/// letter ("Hµ", "X·"). `¹` and `ª` are left out: after a letter they are far
/// more often a footnote mark or an ordinal indicator ("B¹") than TCVN3.
fn is_short_legacy_word(word: &str) -> bool {
    let mut chars = word.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(first), Some(second), None) => {
            first.is_ascii_alphabetic()
                && !is_vowel(first.to_ascii_lowercase())
                && !second.is_ascii()
                && !matches!(second, '\u{B9}' | '\u{AA}')
        }
        _ => false,
    }
}

impl Evidence {
    fn gather(s: &str, encoding: LegacyEncoding) -> Self {
        // VNI bytes carry the letter case, so a VNI reading must have
        // ordinary case; TCVN3 bytes do not, so its reading is checked
        // case-blind.
        let strict_converted = encoding == LegacyEncoding::Vni;
        let mut evidence = Evidence::default();
        for (is_word, word) in segments(s) {
            if !is_word {
                continue;
            }
            if word.is_ascii() {
                if plausible_syllable(word, true) {
                    evidence.ascii_vietnamese += 1;
                }
                continue;
            }
            let converted = convert_word(word, encoding);
            if converted == word {
                continue;
            }
            let as_is = plausible_syllable(word, true);
            let as_converted = plausible_syllable(&converted, strict_converted);
            let length = word.chars().count();
            match (as_is, as_converted) {
                // A single character is too weak: "µ" or "·" alone is a symbol.
                (false, true) if length >= 2 => {
                    evidence.gained += 1;
                    if length >= LONG_WORD_CHARS {
                        evidence.gained_long += 1;
                    } else if is_short_legacy_word(word) {
                        evidence.gained_short += 1;
                    }
                }
                (true, false) => evidence.lost += 1,
                _ => {}
            }
        }
        evidence
    }

    fn convincing(&self) -> bool {
        let several = self.gained >= MIN_GAINED_WORDS
            && (self.gained_long >= 1 || self.gained_short >= 2)
            && self.gained > 2 * self.lost;
        let lone_long = self.gained == 1 && self.lost == 0 && self.gained_long == 1;
        let lone_short = self.gained == 1 && self.lost == 0 && self.gained_short == 1 && self.ascii_vietnamese >= 1;
        several || lone_long || lone_short
    }
}

/// Detects text typed with a legacy Vietnamese 8-bit font and stored as
/// Windows-1252/Latin-1 characters, which is what a workbook holds when a cell
/// was typed with `.VnTime` (TCVN3/ABC) or VNI-Times: "Hµ Néi" is TCVN3 and
/// "Haø Noäi" is VNI for "Hà Nội".
///
/// The heuristic scores each encoding word by word:
///
/// 1. Text without any character in U+0080–U+00FF (or `Đ`, see below) is
///    never legacy: plain ASCII, English, numbers, e-mail addresses.
/// 2. Text containing a letter only Unicode Vietnamese has (ă ĩ ũ ơ ư đ in
///    either case, or any letter of U+1EA0–U+1EF9 such as ộ) is Unicode.
/// 3. Each word with a non-ASCII character is converted with the encoding's
///    table (TCVN3's one-byte letters such as `µ ¸ ¶ · ¹ ¨ © ª « ¬ ® Ý Ö`, or
///    VNI's base vowel + modifier byte pairs such as `aø oä uï` and single
///    bytes `ô ö ñ ó ò æ î`) and both readings are spelling-checked as one
///    Vietnamese syllable: letters of the alphabet only; a valid initial,
///    vowel group and final that fit together; at most one tone mark, on the
///    vowel that carries it; only sắc or nặng before c, ch, p, t; ordinary
///    letter case, except for the TCVN3 reading, whose bytes carry no case.
///    A word is *gained* when it reads as Vietnamese only once converted and
///    has at least 2 characters; *long* when it has at least 3; *short* when
///    it is an ASCII consonant and one legacy letter ("Hµ", "X·"). A word is
///    *lost* when it reads as Vietnamese only as it stands.
/// 4. The encoding is reported when
///    - at least 2 words are gained, one of them long or two of them short,
///      and the gains outnumber twice the losses; or
///    - exactly one word is gained, nothing is lost, and that word is long,
///      or is short and the text also has an all-ASCII word that spells a
///      Vietnamese syllable ("Hµ Giang").
///
///    If both encodings qualify, the one with more gained words wins; a tie
///    gives `None`.
///
/// So one stray symbol (`®`, `µm`, `·`, a footnote `¹`) in otherwise Unicode
/// or English text is not enough, and ordinary Unicode Vietnamese that only
/// uses Latin-1 letters ("Có", "Không", "Cà Mau", "Hòa Bình") is left alone
/// because it already reads as Vietnamese. Very short legacy texts ("Hµ" or
/// "X·" alone) and texts whose every word also reads as Unicode ("Cã" for
/// "Có", "Hoà sô" for "Hồ sơ") are not reported.
///
/// The check works on the raw cell text and on text already passed through
/// [`normalize_text`] (whose `Ð` → `Đ` fold is undone for TCVN3).
///
/// ```
/// use tonghop::text::{LegacyEncoding, detect_legacy};
/// assert_eq!(detect_legacy("Hµ Néi"), Some(LegacyEncoding::Tcvn3));
/// assert_eq!(detect_legacy("Haø Noäi"), Some(LegacyEncoding::Vni));
/// assert_eq!(detect_legacy("Hà Nội"), None);
/// assert_eq!(detect_legacy("Không"), None);
/// ```
///
/// [`normalize_text`]: super::normalize_text
pub fn detect_legacy(s: &str) -> Option<LegacyEncoding> {
    let may_be_legacy = s.chars().any(|c| ('\u{80}'..='\u{FF}').contains(&c) || c == '\u{0110}');
    if !may_be_legacy || s.chars().any(is_unicode_only_vietnamese) {
        return None;
    }
    let tcvn3 = Evidence::gather(s, LegacyEncoding::Tcvn3);
    let vni = Evidence::gather(s, LegacyEncoding::Vni);
    match (tcvn3.convincing(), vni.convincing()) {
        (true, false) => Some(LegacyEncoding::Tcvn3),
        (false, true) => Some(LegacyEncoding::Vni),
        (true, true) if tcvn3.gained > vni.gained => Some(LegacyEncoding::Tcvn3),
        (true, true) if vni.gained > tcvn3.gained => Some(LegacyEncoding::Vni),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{convert_legacy, normalize_text};

    // --- detect_legacy --------------------------------------------------

    #[test]
    fn detects_tcvn3() {
        for s in [
            "Hµ Néi",
            "Thµnh phè Hå ChÝ Minh",
            "Céng hoµ x· héi chñ nghÜa ViÖt Nam",
            "§éc lËp - Tù do - H¹nh phóc",
            "B¸o c¸o kÕt qu¶ thùc hiÖn n¨m 2024",
            "Uû ban nh©n d©n tØnh",
            "Ng\u{AD}êi lao ®éng",
            "Kh«ng",
            "UBND TØNH NGHÖ AN",
        ] {
            assert_eq!(detect_legacy(s), Some(LegacyEncoding::Tcvn3), "{s}");
        }
    }

    #[test]
    fn detects_tcvn3_after_normalize_text() {
        let s = normalize_text("KÕt qu¶ phÐp tÝnh\u{A0}");
        assert_eq!(detect_legacy(&s), Some(LegacyEncoding::Tcvn3));
    }

    #[test]
    fn detects_vni() {
        for s in [
            "Haø Noäi",
            "Boä Noäi vuï",
            "Thaønh phoá Hoà Chí Minh",
            "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam",
            "Ñoäc laäp - Töï do - Haïnh phuùc",
            "Ngöôøi lao ñoäng",
            "Khoâng",
            "HAØ NOÄI",
        ] {
            assert_eq!(detect_legacy(s), Some(LegacyEncoding::Vni), "{s}");
        }
    }

    #[test]
    fn ignores_unicode_vietnamese() {
        for s in [
            "Hà Nội",
            "Thành phố Hồ Chí Minh",
            "Cộng hòa xã hội chủ nghĩa Việt Nam",
            "Có",
            "Không",
            "Cà Mau",
            "Hòa Bình",
            "Tây Ninh",
            "Bà Rịa – Vũng Tàu",
            "Đi",
            "Bé",
            "Toán",
            "Hoàng Văn Thái",
            "Đà Lạt",
            "Quận 1, TP. HCM",
            // NFD input has no Latin-1 letters at all.
            "Ha\u{300} No\u{323}\u{302}i",
        ] {
            assert_eq!(detect_legacy(s), None, "{s}");
            assert_eq!(detect_legacy(&normalize_text(s)), None, "{s}");
        }
    }

    #[test]
    fn ignores_ascii_numbers_and_addresses() {
        for s in [
            "",
            "Hello world",
            "Total 94.402",
            "1,234.5",
            "2025-01-31",
            "nguyen.van.a@gmail.com",
            "https://example.gov.vn/bao-cao?id=5",
        ] {
            assert_eq!(detect_legacy(s), None, "{s}");
        }
    }

    #[test]
    fn ignores_stray_symbols_and_foreign_words() {
        for s in [
            "Microsoft® Office©",
            "Price £5 – 10%",
            "25 µm",
            "· Report · Summary",
            "Cà Mau ®",
            "Cà Mau¹",
            "Bé Na©",
            "Báo cáo năm 2024 ®",
            "Café José Müller",
            "naïve façade",
            "São Paulo",
            "Señor Niño",
            "Straße Zürich Ångström",
            "Noël",
            "25°C ±2",
            "½ kg",
            "5 × 3 ÷ 2",
            "10 µm x 20 µm",
            "Dong B¹",
            "Cot B¹, C¹",
            "« Guillemets »",
            "¿Qué pasa? ¡Hola!",
            "Björk Guðmundsdóttir",
            "Þór Øresund Æon",
            "Crème brûlée à la carte",
            "Où est la gare? Ça va très bien",
            "Ich möchte ein Bier, Größe 42",
            "Düsseldorf Köln Málaga León Bogotá Perú Québec Genève",
            "Renée Chloë Beyoncé Pokémon Hämäläinen Søren",
            "piñata jalapeño Año Nuevo Mañana",
            "§ 3 Abs. 2",
            "¶ Paragraph",
            "¼ cup sugar, ½ cup milk",
            "© 2024 ABC Corp.",
        ] {
            assert_eq!(detect_legacy(s), None, "{s}");
        }
    }

    #[test]
    fn detects_short_legacy_text_with_support() {
        for s in ["Hµ Giang", "Cµ Mau", "Hå s¬", "Tû lÖ", "Bé Néi vô", "Tèt", "ThÓ thao"] {
            assert_eq!(detect_legacy(s), Some(LegacyEncoding::Tcvn3), "{s}");
        }
        for s in ["Caàn Thô", "Y teá", "Du lòch", "Maù", "Traàn Thò B", "Vónh Long"] {
            assert_eq!(detect_legacy(s), Some(LegacyEncoding::Vni), "{s}");
        }
    }

    #[test]
    fn very_short_or_ambiguous_legacy_text_is_not_reported() {
        // Too short to tell from a stray symbol.
        for s in ["Hµ", "X·", "Sö"] {
            assert_eq!(detect_legacy(s), None, "{s}");
        }
        // Every word also reads as Unicode Vietnamese ("Có", "Hồ sơ").
        for s in ["Cã", "Hoà sô", "Ghi chó"] {
            assert_eq!(detect_legacy(s), None, "{s}");
        }
        // "Chöa" is VNI "Chưa" but also TCVN3 "Chửa": a tie.
        assert_eq!(detect_legacy("Chöa"), None);
    }

    #[test]
    fn detected_text_converts_to_plausible_vietnamese() {
        for s in ["Thµnh phè Hå ChÝ Minh", "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam"] {
            let Some(encoding) = detect_legacy(s) else {
                panic!("not detected: {s}");
            };
            let converted = convert_legacy(s, encoding);
            assert_eq!(detect_legacy(&converted), None, "{converted}");
            assert!(
                segments(&converted)
                    .into_iter()
                    .filter(|(is_word, _)| *is_word)
                    .all(|(_, w)| plausible_syllable(w, true)),
                "{converted}"
            );
        }
    }
}
