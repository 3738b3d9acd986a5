//! Robustness checks that run every text helper on the same arbitrary text.

use super::legacy::is_word_char;
use super::*;

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
