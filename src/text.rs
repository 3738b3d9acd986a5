//! Text helpers for the cells of Vietnamese government workbooks.
//!
//! Report cells are typed by hand on many different machines, so the same
//! value reaches us in many shapes: Unicode in NFC or NFD, look-alike letters,
//! non-breaking spaces, numbers typed as text in the Vietnamese or the English
//! convention, dates typed as text, yes/no answers in a dozen spellings, and
//! now and then text typed with a legacy 8-bit Vietnamese font (TCVN3
//! `.VnTime`, VNI-Times) that only reads correctly with that font installed.
//! Everything here is a pure function so it can run on every cell.

use std::sync::LazyLock;

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

// ---------------------------------------------------------------------------
// Normalisation and comparison keys
// ---------------------------------------------------------------------------

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
        if is_combining_mark(c) {
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

// ---------------------------------------------------------------------------
// Control characters
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Legacy 8-bit Vietnamese encodings
// ---------------------------------------------------------------------------

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

const COMBINING_GRAVE: char = '\u{0300}';
const COMBINING_ACUTE: char = '\u{0301}';
const COMBINING_CIRCUMFLEX: char = '\u{0302}';
const COMBINING_TILDE: char = '\u{0303}';
const COMBINING_BREVE: char = '\u{0306}';
const COMBINING_HOOK: char = '\u{0309}';
const COMBINING_HORN: char = '\u{031B}';
const COMBINING_DOT_BELOW: char = '\u{0323}';

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

fn convert_word(word: &str, encoding: LegacyEncoding) -> String {
    match encoding {
        LegacyEncoding::Tcvn3 => tcvn3_word(word),
        LegacyEncoding::Vni => vni_word(word),
    }
}

/// Whether a character can be part of a word of legacy-encoded text. TCVN3
/// uses symbols such as `µ ¸ «` and the soft hyphen as letters, so only
/// whitespace, ASCII punctuation and digits, controls and general punctuation
/// (curly quotes, dashes) separate words.
fn is_word_char(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_ascii_punctuation()
        || c.is_ascii_digit()
        || c.is_control()
        || ('\u{2000}'..='\u{206F}').contains(&c))
}

/// Splits text into alternating runs of word and non-word characters, each
/// tagged with `true` for a word.
fn segments(s: &str) -> Vec<(bool, &str)> {
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

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y')
}

/// Reads a character as a letter of the Vietnamese alphabet: returns the
/// lowercase letter without its tone mark, and the tone mark (a combining
/// character) if it carried one. Any other character (µ, ø, ß, symbols,
/// letters with foreign diacritics) gives `None`.
fn vietnamese_letter(c: char) -> Option<(char, Option<char>)> {
    let mut lowered = c.to_lowercase();
    let lower = lowered.next()?;
    if lowered.next().is_some() {
        return None;
    }
    if lower == 'đ' {
        return Some(('đ', None));
    }
    let mut parts = std::iter::once(lower).nfd();
    let base = parts.next()?;
    if !base.is_ascii_lowercase() {
        return None;
    }
    let mut shape = None;
    let mut tone = None;
    for mark in parts {
        match mark {
            COMBINING_GRAVE | COMBINING_ACUTE | COMBINING_TILDE | COMBINING_HOOK | COMBINING_DOT_BELOW
                if tone.is_none() =>
            {
                tone = Some(mark);
            }
            COMBINING_CIRCUMFLEX | COMBINING_BREVE | COMBINING_HORN if shape.is_none() => {
                shape = Some(mark);
            }
            _ => return None,
        }
    }
    let letter = match (base, shape) {
        (b, None) => b,
        ('a', Some(COMBINING_BREVE)) => 'ă',
        ('a', Some(COMBINING_CIRCUMFLEX)) => 'â',
        ('e', Some(COMBINING_CIRCUMFLEX)) => 'ê',
        ('o', Some(COMBINING_CIRCUMFLEX)) => 'ô',
        ('o', Some(COMBINING_HORN)) => 'ơ',
        ('u', Some(COMBINING_HORN)) => 'ư',
        _ => return None,
    };
    if tone.is_some() && !is_vowel(letter) {
        return None;
    }
    Some((letter, tone))
}

const INITIALS: [&str; 28] = [
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh", "p", "ph", "qu",
    "r", "s", "t", "th", "tr", "v", "x",
];

/// Final consonants; `k` is not standard orthography but is how Central
/// Highlands names are written ("Đắk Lắk", "Đăk Glei").
const FINALS: [&str; 10] = ["", "c", "ch", "k", "m", "n", "ng", "nh", "p", "t"];

/// Vowel groups that end in a semivowel or are complete diphthongs: nothing
/// may follow them. The tone mark goes on the first vowel of a pair and on
/// the middle one of a triple, except in "uơ" (thuở).
const OPEN_NUCLEI: [&str; 31] = [
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ui", "ưi", "ưu", "ua", "ưa", "uơ",
    "iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyu",
];

/// Vowel groups that always need a final consonant; the tone mark goes on
/// their last vowel. The loanword group "oo" (xoong, boong) is left out: it
/// would make TCVN3 misreadings of VNI text such as "Khoâng" → "Khoõng" look
/// like Vietnamese.
const CLOSED_NUCLEI: [&str; 9] = ["ă", "â", "iê", "yê", "uô", "ươ", "uyê", "oă", "uâ"];

/// Vowel groups that may or may not have a final consonant. For "oa", "oe"
/// and "uy" both the old ("hòa") and the new ("hoà") tone placement are in use.
const FREE_NUCLEI: [&str; 14] = ["a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy"];

/// Whether a word's letters are in lowercase, Capitalised or ALL CAPS, as
/// real words are; TCVN3 read as Latin-1 often mixes case inside a word
/// ("ChÝ", "ViÖt").
fn conventional_case(word: &str) -> bool {
    let mut cased = word.chars().filter(|c| c.is_lowercase() || c.is_uppercase()).map(char::is_uppercase);
    let Some(first_upper) = cased.next() else {
        return true;
    };
    let rest: Vec<bool> = cased.collect();
    rest.iter().all(|&upper| !upper) || (first_upper && rest.iter().all(|&upper| upper))
}

/// Whether the tone mark may sit at `index` (0-based) of the vowel group.
fn tone_position_ok(nucleus: &str, index: usize) -> bool {
    let len = nucleus.chars().count();
    if len == 1 {
        index == 0
    } else if nucleus == "uơ" {
        index == 1
    } else if OPEN_NUCLEI.contains(&nucleus) {
        index == usize::from(len == 3)
    } else if CLOSED_NUCLEI.contains(&nucleus) {
        index == len - 1
    } else if nucleus == "uê" {
        index == 1
    } else {
        index <= 1
    }
}

/// Whether a word is spelled like one Vietnamese syllable: Vietnamese letters
/// only, a known initial consonant, vowel group and final consonant that fit
/// together ("nh"/"ch" only after a, ê, i, y; no "ng"/"c" after i, y), at most
/// one tone mark, placed on the vowel that carries it, and only the sắc or
/// nặng tone before the stop finals c, ch, p, t. This is a spelling check,
/// not a dictionary: it accepts syllables that happen not to be words, which
/// is all detection needs.
fn plausible_syllable(word: &str, strict_case: bool) -> bool {
    if strict_case && !conventional_case(word) {
        return false;
    }
    let mut letters = Vec::with_capacity(word.len());
    let mut tone: Option<(usize, char)> = None;
    for (i, c) in word.chars().enumerate() {
        let Some((letter, mark)) = vietnamese_letter(c) else {
            return false;
        };
        if let Some(mark) = mark {
            if tone.is_some() {
                return false;
            }
            tone = Some((i, mark));
        }
        letters.push(letter);
    }
    let Some(mut start) = letters.iter().position(|&c| is_vowel(c)) else {
        return false;
    };
    let end = start + letters[start..].iter().take_while(|&&c| is_vowel(c)).count();
    if letters[end..].iter().any(|&c| is_vowel(c)) {
        return false;
    }
    let mut initial: String = letters[..start].iter().collect();
    // "qu" and "gi" are written initials whose second letter looks like a vowel.
    if initial == "q" {
        if letters[start] != 'u' || end - start < 2 {
            return false;
        }
        initial.push('u');
        start += 1;
    } else if initial == "g" && letters[start] == 'i' && end - start > 1 {
        initial.push('i');
        start += 1;
    }
    let nucleus: String = letters[start..end].iter().collect();
    let nucleus = nucleus.as_str();
    let coda: String = letters[end..].iter().collect();
    let coda = coda.as_str();
    if !INITIALS.contains(&initial.as_str()) || !FINALS.contains(&coda) {
        return false;
    }
    let shape_ok = if OPEN_NUCLEI.contains(&nucleus) {
        coda.is_empty()
    } else if CLOSED_NUCLEI.contains(&nucleus) {
        !coda.is_empty()
    } else {
        FREE_NUCLEI.contains(&nucleus)
    };
    if !shape_ok {
        return false;
    }
    let last_vowel = letters[end - 1];
    if matches!(coda, "nh" | "ch") && !matches!(last_vowel, 'a' | 'ê' | 'i' | 'y') {
        return false;
    }
    if matches!(coda, "ng" | "c") && matches!(last_vowel, 'i' | 'y') {
        return false;
    }
    let tone_mark = tone.map(|(_, mark)| mark);
    if matches!(coda, "c" | "ch" | "p" | "t") && !matches!(tone_mark, Some(COMBINING_ACUTE | COMBINING_DOT_BELOW)) {
        return false;
    }
    match tone {
        Some((index, _)) => (start..end).contains(&index) && tone_position_ok(nucleus, index - start),
        None => true,
    }
}

/// Unicode letters that only Unicode Vietnamese text can contain: a text in a
/// legacy encoding read as Windows-1252/Latin-1 never has them. `Đ` is left
/// out on purpose, because [`normalize_text`] produces it from the TCVN3
/// byte `Ð`.
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

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Yes / no
// ---------------------------------------------------------------------------

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

    // --- syllable check -------------------------------------------------

    #[test]
    fn syllable_check_accepts_vietnamese() {
        for w in [
            "Hà", "Nội", "nghiêng", "người", "khuyên", "quốc", "giữa", "gì", "thuở", "khuỷu", "Quỳnh", "huỳnh", "hoặc",
            "yêu", "ông", "à", "Đắk", "TỈNH", "oẳn",
        ] {
            assert!(plausible_syllable(w, true), "{w}");
        }
    }

    #[test]
    fn syllable_check_enforces_phonotactics() {
        // Both tone placements of oa/oe/uy are in use.
        for w in ["hoà", "hòa", "thuỷ", "thủy", "khoẻ", "khỏe", "quý", "giết", "già", "gửi"] {
            assert!(plausible_syllable(w, true), "{w}");
        }
        for w in [
            "ngheọ",  // tone on the semivowel
            "maù",    // tone on the semivowel
            "tíên",   // tone on the first vowel of iê
            "qúy",    // tone on the u of qu
            "tèt",    // huyền before a stop final
            "tot",    // no tone before a stop final
            "tỉng",   // ng after i
            "vónh",   // nh after o
            "khoõng", // oo is left out
        ] {
            assert!(!plausible_syllable(w, true), "{w}");
        }
    }

    #[test]
    fn syllable_check_rejects_non_vietnamese() {
        for w in
            ["Néi", "Hµ", "hello", "ăa", "tiê", "câ", "hàá", "ChÝ", "Müller", "naïve", "nana", "fan", "qu", "ab", "kh"]
        {
            assert!(!plausible_syllable(w, true), "{w}");
        }
        // Mixed case only matters for the text as it stands.
        assert!(plausible_syllable("ChÍ", false));
    }

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

    // --- robustness -------------------------------------------------------

    /// Deterministic pseudo-random strings over a pool that mixes ASCII,
    /// separators, Latin-1 legacy bytes, Vietnamese letters and controls.
    fn pseudo_random_strings() -> Vec<String> {
        let pool: Vec<char> = "aAeoOuyHNgi0123456789 .,-+/%\u{A0}\u{202F}µ¸¶·¹¨©ª«¬\u{AD}®§ÐÖÝ\
                               øùûõïâàáåãäêèéúüëôöñóòæîÔÖÑăđơưộĐ\u{0}\u{7F}\u{85}\u{301}"
            .chars()
            .collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..3000)
            .map(|_| {
                let len = usize::try_from(next() % 12).unwrap_or(0);
                (0..len)
                    .map(|_| {
                        let index = usize::try_from(next()).unwrap_or(0) % pool.len();
                        pool[index]
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn functions_hold_their_invariants_on_arbitrary_text() {
        for s in pseudo_random_strings() {
            let key = fold_key(&s);
            assert_eq!(key.trim(), key, "{s:?}");
            assert!(!key.contains("  "), "{s:?}");
            assert!(!key.chars().any(|c| c.is_uppercase()), "{s:?}");

            let normalized = normalize_text(&s);
            assert_eq!(normalize_text(&normalized), normalized, "{s:?}");

            assert!(!has_control_chars(&strip_control_chars(&s)), "{s:?}");

            match parse_number_text(&s) {
                Ok(v) => assert!(v.is_finite(), "{s:?}"),
                Err(NumberTextError::Ambiguous { as_thousands, as_decimal }) => {
                    assert!(as_thousands.is_finite() && as_decimal.is_finite())
                }
                Err(NumberTextError::NotANumber) => {}
            }

            let _ = parse_date_text(&s);
            let _ = parse_yes_no(&s);
            let _ = detect_legacy(&s);
            for encoding in [LegacyEncoding::Tcvn3, LegacyEncoding::Vni] {
                let converted = convert_legacy(&s, encoding);
                // Separators survive conversion untouched.
                let separators = |t: &str| -> String { t.chars().filter(|&c| !is_word_char(c)).collect() };
                assert_eq!(separators(&converted), separators(&s), "{s:?}");
            }
        }
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
