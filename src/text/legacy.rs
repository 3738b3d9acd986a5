//! Legacy 8-bit Vietnamese font encodings (TCVN3 `.VnTime`, VNI-Times) read
//! as Windows-1252/Latin-1 characters: the encoding tables, the splitting of
//! text into words, and the conversion to Unicode. Telling whether a text
//! is in such an encoding is in the sibling `legacy_detection` module.

use unicode_normalization::UnicodeNormalization;

/// A legacy 8-bit Vietnamese font encoding, as it looks once the bytes have
/// been read as Windows-1252/Latin-1 characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyEncoding {
    /// TCVN 5712:1993 "VN3", the ABC encoding of the `.VnTime` (lowercase) and
    /// `.VnTimeH` (uppercase) fonts: one byte per Vietnamese letter.
    Tcvn3,
    /// VNI Windows (VNI-Times and friends): most toned letters are a base
    /// letter followed by a modifier byte.
    Vni,
}

/// TCVN3 (ABC, TCVN 5712:1993 VN3) byte, read as Latin-1, to the Unicode
/// letter it stands for.
///
/// Only the VN3 repertoire is mapped: the `.VnTime` font has the 67 lowercase
/// letters and the 7 uppercase `Ă Â Ê Ô Ơ Ư Đ`; uppercase toned letters are
/// typed with the `.VnTimeH` font at the same byte values as the lowercase
/// ones, so the bytes alone cannot tell the case. The VN1 extensions (uppercase
/// letters in the C0/C1 ranges and in the gaps of this table) never occur in
/// `.VnTime` text and are left alone, so that ordinary characters such as `À`
/// or `±` are not rewritten by mistake.
const TCVN3_TABLE: [(char, char); 74] = [
    // ¡ ¢ £ ¤ ¥ ¦ §
    ('\u{A1}', 'Ă'),
    ('\u{A2}', 'Â'),
    ('\u{A3}', 'Ê'),
    ('\u{A4}', 'Ô'),
    ('\u{A5}', 'Ơ'),
    ('\u{A6}', 'Ư'),
    ('\u{A7}', 'Đ'),
    // ¨ © ª « ¬ (soft hyphen) ®
    ('\u{A8}', 'ă'),
    ('\u{A9}', 'â'),
    ('\u{AA}', 'ê'),
    ('\u{AB}', 'ô'),
    ('\u{AC}', 'ơ'),
    ('\u{AD}', 'ư'),
    ('\u{AE}', 'đ'),
    // µ ¶ · ¸ ¹
    ('\u{B5}', 'à'),
    ('\u{B6}', 'ả'),
    ('\u{B7}', 'ã'),
    ('\u{B8}', 'á'),
    ('\u{B9}', 'ạ'),
    // » ¼ ½ ¾ Æ
    ('\u{BB}', 'ằ'),
    ('\u{BC}', 'ẳ'),
    ('\u{BD}', 'ẵ'),
    ('\u{BE}', 'ắ'),
    ('\u{C6}', 'ặ'),
    // Ç È É Ê Ë
    ('\u{C7}', 'ầ'),
    ('\u{C8}', 'ẩ'),
    ('\u{C9}', 'ẫ'),
    ('\u{CA}', 'ấ'),
    ('\u{CB}', 'ậ'),
    // Ì Î Ï Ð Ñ
    ('\u{CC}', 'è'),
    ('\u{CE}', 'ẻ'),
    ('\u{CF}', 'ẽ'),
    ('\u{D0}', 'é'),
    ('\u{D1}', 'ẹ'),
    // Ò Ó Ô Õ Ö
    ('\u{D2}', 'ề'),
    ('\u{D3}', 'ể'),
    ('\u{D4}', 'ễ'),
    ('\u{D5}', 'ế'),
    ('\u{D6}', 'ệ'),
    // × Ø Ü Ý Þ
    ('\u{D7}', 'ì'),
    ('\u{D8}', 'ỉ'),
    ('\u{DC}', 'ĩ'),
    ('\u{DD}', 'í'),
    ('\u{DE}', 'ị'),
    // ß á â ã ä
    ('\u{DF}', 'ò'),
    ('\u{E1}', 'ỏ'),
    ('\u{E2}', 'õ'),
    ('\u{E3}', 'ó'),
    ('\u{E4}', 'ọ'),
    // å æ ç è é
    ('\u{E5}', 'ồ'),
    ('\u{E6}', 'ổ'),
    ('\u{E7}', 'ỗ'),
    ('\u{E8}', 'ố'),
    ('\u{E9}', 'ộ'),
    // ê ë ì í î
    ('\u{EA}', 'ờ'),
    ('\u{EB}', 'ở'),
    ('\u{EC}', 'ỡ'),
    ('\u{ED}', 'ớ'),
    ('\u{EE}', 'ợ'),
    // ï ñ ò ó ô
    ('\u{EF}', 'ù'),
    ('\u{F1}', 'ủ'),
    ('\u{F2}', 'ũ'),
    ('\u{F3}', 'ú'),
    ('\u{F4}', 'ụ'),
    // õ ö ÷ ø ù
    ('\u{F5}', 'ừ'),
    ('\u{F6}', 'ử'),
    ('\u{F7}', 'ữ'),
    ('\u{F8}', 'ứ'),
    ('\u{F9}', 'ự'),
    // ú û ü ý þ
    ('\u{FA}', 'ỳ'),
    ('\u{FB}', 'ỷ'),
    ('\u{FC}', 'ỹ'),
    ('\u{FD}', 'ý'),
    ('\u{FE}', 'ỵ'),
];

fn tcvn3_char(c: char) -> Option<char> {
    // normalize_text folds the TCVN3 byte Ð (é) to Đ; genuine TCVN3 text
    // cannot contain U+0110, so reading it back as é is safe and lets
    // detection and conversion run on already-normalised text.
    if c == '\u{0110}' {
        return Some('é');
    }
    TCVN3_TABLE.iter().find(|&&(legacy, _)| legacy == c).map(|&(_, unicode)| unicode)
}

/// Converts one word of TCVN3 text.
///
/// A word typed with `.VnTimeH` (all capitals) has its toned letters at the
/// lowercase byte values; when the case-bearing characters of the word are
/// all uppercase (at least two of them), the converted letters are
/// uppercased too, so "NGUYÔN" gives "NGUYỄN" while "Hµ" stays "Hà".
fn tcvn3_word(word: &str) -> String {
    let mut upper = 0usize;
    let mut lower = 0usize;
    for c in word.chars() {
        if c.is_ascii_uppercase() || ('\u{A1}'..='\u{A7}').contains(&c) {
            upper += 1;
        } else if c.is_ascii_lowercase() || ('\u{A8}'..='\u{AE}').contains(&c) {
            lower += 1;
        }
    }
    let all_caps = upper >= 2 && lower == 0;
    let mut out = String::with_capacity(word.len() + 8);
    for c in word.chars() {
        match tcvn3_char(c) {
            Some(unicode) if all_caps => out.extend(unicode.to_uppercase()),
            Some(unicode) => out.push(unicode),
            None => out.push(c),
        }
    }
    out
}

pub(super) const COMBINING_GRAVE: char = '\u{0300}';
pub(super) const COMBINING_ACUTE: char = '\u{0301}';
pub(super) const COMBINING_CIRCUMFLEX: char = '\u{0302}';
pub(super) const COMBINING_TILDE: char = '\u{0303}';
pub(super) const COMBINING_BREVE: char = '\u{0306}';
pub(super) const COMBINING_HOOK: char = '\u{0309}';
pub(super) const COMBINING_HORN: char = '\u{031B}';
pub(super) const COMBINING_DOT_BELOW: char = '\u{0323}';

/// What a VNI modifier byte adds to the letter before it: an optional shape
/// mark (circumflex or breve) and an optional tone mark.
#[derive(Clone, Copy)]
struct VniModifier {
    shape: Option<char>,
    tone: Option<char>,
    uppercase: bool,
}

fn vni_modifier(c: char) -> Option<VniModifier> {
    let (shape, tone) = match c.to_lowercase().next()? {
        'ø' => (None, Some(COMBINING_GRAVE)),
        'ù' => (None, Some(COMBINING_ACUTE)),
        'û' => (None, Some(COMBINING_HOOK)),
        'õ' => (None, Some(COMBINING_TILDE)),
        'ï' => (None, Some(COMBINING_DOT_BELOW)),
        'â' => (Some(COMBINING_CIRCUMFLEX), None),
        'à' => (Some(COMBINING_CIRCUMFLEX), Some(COMBINING_GRAVE)),
        'á' => (Some(COMBINING_CIRCUMFLEX), Some(COMBINING_ACUTE)),
        'å' => (Some(COMBINING_CIRCUMFLEX), Some(COMBINING_HOOK)),
        'ã' => (Some(COMBINING_CIRCUMFLEX), Some(COMBINING_TILDE)),
        'ä' => (Some(COMBINING_CIRCUMFLEX), Some(COMBINING_DOT_BELOW)),
        'ê' => (Some(COMBINING_BREVE), None),
        'è' => (Some(COMBINING_BREVE), Some(COMBINING_GRAVE)),
        'é' => (Some(COMBINING_BREVE), Some(COMBINING_ACUTE)),
        'ú' => (Some(COMBINING_BREVE), Some(COMBINING_HOOK)),
        'ü' => (Some(COMBINING_BREVE), Some(COMBINING_TILDE)),
        'ë' => (Some(COMBINING_BREVE), Some(COMBINING_DOT_BELOW)),
        _ => return None,
    };
    Some(VniModifier { shape, tone, uppercase: c.is_uppercase() })
}

/// A letter that can take a VNI modifier: the ASCII vowels, plus `ô`/`ö`
/// which VNI uses for `ơ`/`ư`.
#[derive(Clone, Copy)]
struct VniBase {
    letter: char,
    horn: bool,
    uppercase: bool,
}

fn vni_base(c: char) -> Option<VniBase> {
    let (letter, horn) = match c.to_lowercase().next()? {
        v @ ('a' | 'e' | 'o' | 'u' | 'y') => (v, false),
        'ô' => ('o', true),
        'ö' => ('u', true),
        _ => return None,
    };
    Some(VniBase { letter, horn, uppercase: c.is_uppercase() })
}

/// Combines a VNI base letter and modifier byte into one Unicode letter, or
/// `None` when VNI has no such pair (circumflex only on a/e/o, breve only on
/// a, no shape change on ơ/ư, and the two bytes in the same case as a VNI
/// keyboard produces them).
fn vni_combine(base: VniBase, modifier: VniModifier) -> Option<char> {
    if base.uppercase != modifier.uppercase {
        return None;
    }
    match modifier.shape {
        Some(COMBINING_CIRCUMFLEX) if base.horn || !matches!(base.letter, 'a' | 'e' | 'o') => {
            return None;
        }
        Some(COMBINING_BREVE) if base.horn || base.letter != 'a' => return None,
        _ => {}
    }
    let letter = if base.uppercase { base.letter.to_ascii_uppercase() } else { base.letter };
    let decomposed = [Some(letter), base.horn.then_some(COMBINING_HORN), modifier.shape, modifier.tone];
    let composed: String = decomposed.into_iter().flatten().nfc().collect();
    let mut chars = composed.chars();
    match (chars.next(), chars.next()) {
        (Some(single), None) => Some(single),
        _ => None,
    }
}

/// VNI bytes that stand for a whole letter on their own.
fn vni_single(c: char) -> Option<char> {
    Some(match c {
        'æ' => 'ỉ',
        'ó' => 'ĩ',
        'ò' => 'ị',
        'ô' => 'ơ',
        'ö' => 'ư',
        'î' => 'ỵ',
        'ñ' => 'đ',
        'Æ' => 'Ỉ',
        'Ó' => 'Ĩ',
        'Ò' => 'Ị',
        'Ô' => 'Ơ',
        'Ö' => 'Ư',
        'Î' => 'Ỵ',
        'Ñ' => 'Đ',
        _ => return None,
    })
}

fn vni_word(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pair = vni_base(c).and_then(|base| {
            let modifier = vni_modifier(*chars.get(i + 1)?)?;
            vni_combine(base, modifier)
        });
        if let Some(letter) = pair {
            out.push(letter);
            i += 2;
        } else {
            out.push(vni_single(c).unwrap_or(c));
            i += 1;
        }
    }
    out
}

pub(super) fn convert_word(word: &str, encoding: LegacyEncoding) -> String {
    match encoding {
        LegacyEncoding::Tcvn3 => tcvn3_word(word),
        LegacyEncoding::Vni => vni_word(word),
    }
}

/// Whether a character can be part of a word of legacy-encoded text. TCVN3
/// uses symbols such as `µ ¸ «` and the soft hyphen as letters, so only
/// whitespace, ASCII punctuation and digits, controls and general punctuation
/// (curly quotes, dashes) separate words.
pub(super) fn is_word_char(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_ascii_punctuation()
        || c.is_ascii_digit()
        || c.is_control()
        || ('\u{2000}'..='\u{206F}').contains(&c))
}

/// Splits text into alternating runs of word and non-word characters, each
/// tagged with `true` for a word.
pub(super) fn segments(s: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (i, c) in s.char_indices() {
        let is_word = is_word_char(c);
        match current {
            Some(kind) if kind != is_word => {
                out.push((kind, &s[start..i]));
                start = i;
                current = Some(is_word);
            }
            None => current = Some(is_word),
            _ => {}
        }
    }
    if let Some(kind) = current {
        out.push((kind, &s[start..]));
    }
    out
}

/// Converts legacy-encoded text (see [`detect_legacy`]) to Unicode NFC
/// Vietnamese.
///
/// * TCVN3 uses the TCVN 5712:1993 VN3 table of the `.VnTime`/`.VnTimeH`
///   fonts (the bytes `¡`–`§` are `Ă Â Ê Ô Ơ Ư Đ`, `¨`–`®` are
///   `ă â ê ô ơ ư đ`, and `µ`–`þ` the 60 toned lowercase vowels). Because
///   `.VnTimeH` shows capitals at the lowercase byte values, a word whose
///   cased characters are all capitals, at least two of them ("NGUYÔN" →
///   "NGUYỄN"), gets its converted letters uppercased; otherwise they stay
///   lowercase ("Hµ" → "Hà"). `Đ` (U+0110) is read as the byte `Ð` (é),
///   undoing the fold done by [`normalize_text`].
/// * VNI uses the VNI Windows table: a vowel `a e o u y` (or `ô` = ơ,
///   `ö` = ư) followed by a modifier byte (`ø ù û õ ï` for the five tones,
///   `â à á å ã ä` for the circumflex with each tone, `ê è é ú ü ë` for the
///   breve with each tone; capitals `Ø Ù Û Õ Ï Â À Á Å Ã Ä Ê È É Ú Ü Ë` after
///   capital vowels) becomes one letter, and the single bytes
///   `ô ö ñ ó ò æ î` (capitals `Ô Ö Ñ Ó Ò Æ Î`) are `ơ ư đ ĩ ị ỉ ỵ`.
///
/// Characters that are not part of the encoding (ASCII, digits, punctuation)
/// are kept as they are.
///
/// ```
/// use tonghop::text::{LegacyEncoding, convert_legacy};
/// assert_eq!(convert_legacy("Thµnh phè Hå ChÝ Minh", LegacyEncoding::Tcvn3), "Thành phố Hồ Chí Minh");
/// assert_eq!(convert_legacy("Boä Noäi vuï", LegacyEncoding::Vni), "Bộ Nội vụ");
/// ```
///
/// [`detect_legacy`]: super::detect_legacy
/// [`normalize_text`]: super::normalize_text
pub fn convert_legacy(s: &str, encoding: LegacyEncoding) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    for (is_word, segment) in segments(s) {
        if is_word {
            out.push_str(&convert_word(segment, encoding));
        } else {
            out.push_str(segment);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize_text;

    // --- legacy tables --------------------------------------------------

    /// TCVN3 bytes and their letters, listed in vowel order rather than byte
    /// order, so that a slip in one listing shows up against the other.
    const TCVN3_REFERENCE: (&str, &str) = (
        "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\u{AD}õøö÷ùúýûüþ¡¢§£¤¥¦",
        "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ",
    );

    #[test]
    fn tcvn3_table_matches_reference_listing() {
        let (legacy, unicode) = TCVN3_REFERENCE;
        let legacy: Vec<char> = legacy.chars().collect();
        let unicode: Vec<char> = unicode.chars().collect();
        assert_eq!(legacy.len(), 74);
        assert_eq!(unicode.len(), 74);
        for (l, u) in legacy.iter().zip(&unicode) {
            assert_eq!(tcvn3_char(*l), Some(*u), "byte {:#X}", u32::from(*l));
        }
        // Every table entry is in the reference listing and no target repeats.
        let mut targets: Vec<char> = TCVN3_TABLE.iter().map(|&(_, u)| u).collect();
        targets.sort_unstable();
        targets.dedup();
        assert_eq!(targets.len(), 74);
        for (l, _) in TCVN3_TABLE {
            assert!(legacy.contains(&l));
        }
    }

    #[test]
    fn tcvn3_leaves_other_characters_alone() {
        for c in ['a', 'Z', '1', ' ', 'À', 'Á', 'Â', 'Ã', 'à', '±', '°', 'º', '¿', 'ÿ', '€'] {
            assert_eq!(tcvn3_char(c), None, "{c}");
        }
    }

    #[test]
    fn vni_table_matches_reference_listing() {
        let lower_vni = "a aù aø aû aõ aï aâ aá aà aå aã aä aê aé aè aú aü aë \
                         e eù eø eû eõ eï eâ eá eà eå eã eä o où oø oû oõ oï oâ oá oà oå oã oä \
                         ô ôù ôø ôû ôõ ôï u uù uø uû uõ uï ö öù öø öû öõ öï i í ì æ ó ò \
                         y yù yø yû yõ î ñ";
        let lower_uni = "a á à ả ã ạ â ấ ầ ẩ ẫ ậ ă ắ ằ ẳ ẵ ặ \
                         e é è ẻ ẽ ẹ ê ế ề ể ễ ệ o ó ò ỏ õ ọ ô ố ồ ổ ỗ ộ \
                         ơ ớ ờ ở ỡ ợ u ú ù ủ ũ ụ ư ứ ừ ử ữ ự i í ì ỉ ĩ ị \
                         y ý ỳ ỷ ỹ ỵ đ";
        let upper_vni = "A AÙ AØ AÛ AÕ AÏ AÂ AÁ AÀ AÅ AÃ AÄ AÊ AÉ AÈ AÚ AÜ AË \
                         E EÙ EØ EÛ EÕ EÏ EÂ EÁ EÀ EÅ EÃ EÄ O OÙ OØ OÛ OÕ OÏ OÂ OÁ OÀ OÅ OÃ OÄ \
                         Ô ÔÙ ÔØ ÔÛ ÔÕ ÔÏ U UÙ UØ UÛ UÕ UÏ Ö ÖÙ ÖØ ÖÛ ÖÕ ÖÏ I Í Ì Æ Ó Ò \
                         Y YÙ YØ YÛ YÕ Î Ñ";
        let upper_uni = "A Á À Ả Ã Ạ Â Ấ Ầ Ẩ Ẫ Ậ Ă Ắ Ằ Ẳ Ẵ Ặ \
                         E É È Ẻ Ẽ Ẹ Ê Ế Ề Ể Ễ Ệ O Ó Ò Ỏ Õ Ọ Ô Ố Ồ Ổ Ỗ Ộ \
                         Ơ Ớ Ờ Ở Ỡ Ợ U Ú Ù Ủ Ũ Ụ Ư Ứ Ừ Ử Ữ Ự I Í Ì Ỉ Ĩ Ị \
                         Y Ý Ỳ Ỷ Ỹ Ỵ Đ";
        for (vni, uni) in [(lower_vni, lower_uni), (upper_vni, upper_uni)] {
            let vni: Vec<&str> = vni.split_whitespace().collect();
            let uni: Vec<&str> = uni.split_whitespace().collect();
            assert_eq!(vni.len(), 73);
            assert_eq!(vni.len(), uni.len());
            for (v, u) in vni.iter().zip(&uni) {
                assert_eq!(convert_legacy(v, LegacyEncoding::Vni), *u, "{v}");
            }
        }
    }

    #[test]
    fn vni_refuses_pairs_it_does_not_have() {
        // Circumflex on u/y/ơ/ư, breve on e/o, and mixed case stay as typed.
        for s in ["uâ", "yâ", "eê", "oé", "ôâ", "öê", "aØ", "Aø"] {
            let converted = convert_legacy(s, LegacyEncoding::Vni);
            assert_ne!(converted.chars().count(), 1, "{s} -> {converted}");
        }
        assert_eq!(convert_legacy("ê", LegacyEncoding::Vni), "ê");
        assert_eq!(convert_legacy("ø", LegacyEncoding::Vni), "ø");
    }

    // --- convert_legacy -------------------------------------------------

    #[test]
    fn convert_tcvn3_phrases() {
        let cases = [
            ("Hµ Néi", "Hà Nội"),
            ("Thµnh phè Hå ChÝ Minh", "Thành phố Hồ Chí Minh"),
            ("Bé Néi vô", "Bộ Nội vụ"),
            ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
            ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
            ("Uû ban nh©n d©n tØnh Qu¶ng Ng·i", "Uỷ ban nhân dân tỉnh Quảng Ngãi"),
            ("Ng\u{AD}êi lao ®éng", "Người lao động"),
            ("B¸o c¸o kÕt qu¶ n¨m 2024:", "Báo cáo kết quả năm 2024:"),
            ("§¾k L¾k", "Đắk Lắk"),
            ("Kh«ng", "Không"),
        ];
        for (legacy, expected) in cases {
            assert_eq!(convert_legacy(legacy, LegacyEncoding::Tcvn3), expected);
        }
    }

    #[test]
    fn convert_tcvn3_uppercase_words() {
        assert_eq!(convert_legacy("UBND TØNH NGHÖ AN", LegacyEncoding::Tcvn3), "UBND TỈNH NGHỆ AN");
        assert_eq!(convert_legacy("§¹I HéI", LegacyEncoding::Tcvn3), "ĐẠI HỘI");
        // One capital alone does not make a word all-caps.
        assert_eq!(convert_legacy("Hµ", LegacyEncoding::Tcvn3), "Hà");
        assert_eq!(convert_legacy("§i", LegacyEncoding::Tcvn3), "Đi");
    }

    #[test]
    fn convert_tcvn3_after_normalize_text() {
        // normalize_text folds the TCVN3 byte Ð (é) to Đ.
        let raw = "PhÐp tÝnh";
        let normalized = normalize_text(raw);
        assert_ne!(raw, normalized);
        assert_eq!(convert_legacy(raw, LegacyEncoding::Tcvn3), "Phép tính");
        assert_eq!(convert_legacy(&normalized, LegacyEncoding::Tcvn3), "Phép tính");
    }

    #[test]
    fn convert_vni_phrases() {
        let cases = [
            ("Haø Noäi", "Hà Nội"),
            ("Boä Noäi vuï", "Bộ Nội vụ"),
            ("Thaønh phoá Hoà Chí Minh", "Thành phố Hồ Chí Minh"),
            ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
            ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
            ("Ngöôøi lao ñoäng", "Người lao động"),
            ("Ñaék Laék", "Đắk Lắk"),
            ("Quyønh, thuôû, khuyûu", "Quỳnh, thuở, khuỷu"),
            ("HAØ NOÄI", "HÀ NỘI"),
            ("ÑAÉK LAÉK", "ĐẮK LẮK"),
            ("TÆNH QUAÛNG NGAÕI", "TỈNH QUẢNG NGÃI"),
        ];
        for (legacy, expected) in cases {
            assert_eq!(convert_legacy(legacy, LegacyEncoding::Vni), expected);
        }
    }

    #[test]
    fn convert_output_is_nfc_and_keeps_ascii() {
        for encoding in [LegacyEncoding::Tcvn3, LegacyEncoding::Vni] {
            assert_eq!(convert_legacy("ABC-123 (x@y.vn)", encoding), "ABC-123 (x@y.vn)");
            assert_eq!(convert_legacy("", encoding), "");
        }
        let out = convert_legacy("Ngöôøi", LegacyEncoding::Vni);
        assert_eq!(out, out.nfc().collect::<String>());
    }

    #[test]
    fn segments_cover_the_text() {
        let s = "Hµ Néi, 2024 – “Thµnh phè”";
        let parts = segments(s);
        assert_eq!(parts.iter().map(|(_, p)| *p).collect::<String>(), s);
        let words: Vec<&str> = parts.iter().filter(|(is_word, _)| *is_word).map(|(_, p)| *p).collect();
        assert_eq!(words, ["Hµ", "Néi", "Thµnh", "phè"]);
        assert!(segments("").is_empty());
    }
}
