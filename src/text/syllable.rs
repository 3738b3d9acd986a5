//! A spelling check for one Vietnamese syllable (letters, initial consonant,
//! vowel group, final consonant and tone mark), which legacy-encoding
//! detection uses to tell which reading of a word is Vietnamese.

use unicode_normalization::UnicodeNormalization;

use super::legacy::{
    COMBINING_ACUTE, COMBINING_BREVE, COMBINING_CIRCUMFLEX, COMBINING_DOT_BELOW, COMBINING_GRAVE, COMBINING_HOOK,
    COMBINING_HORN, COMBINING_TILDE,
};

pub(super) fn is_vowel(c: char) -> bool {
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
pub(super) fn plausible_syllable(word: &str, strict_case: bool) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
