//! Text helpers for the cells of Vietnamese government workbooks.
//!
//! Report cells are typed by hand on many different machines, so the same
//! value reaches us in many shapes: Unicode in NFC or NFD, look-alike letters,
//! non-breaking spaces, numbers typed as text in the Vietnamese or the English
//! convention, dates typed as text, yes/no answers in a dozen spellings, and
//! now and then text typed with a legacy 8-bit Vietnamese font (TCVN3
//! `.VnTime`, VNI-Times) that only reads correctly with that font installed.
//! Everything here is a pure function so it can run on every cell.
//!
//! The helpers are grouped by concern, one submodule each, and re-exported
//! here so that every one is used as `crate::text::…`:
//!
//! - `normalise`: NFC normalisation and look-alike folding
//!   ([`normalize_text`]), and loose comparison keys ([`fold_key`],
//!   [`is_label_key`]);
//! - `control_chars`: characters an XLSX cell cannot carry and invisible
//!   ones that disguise text (bidirectional overrides, zero-width characters)
//!   ([`has_control_chars`], [`strip_control_chars`], [`unwanted_char_names`]);
//! - `legacy`: the TCVN3 and VNI legacy font encodings and their conversion
//!   to Unicode ([`LegacyEncoding`], [`convert_legacy`]);
//! - `syllable`: the spelling check of one Vietnamese syllable that detection
//!   relies on;
//! - `legacy_detection`: telling legacy-encoded text from Unicode
//!   ([`detect_legacy`]);
//! - `numbers`: numbers typed as text ([`parse_number_text`],
//!   [`NumberTextError`]) and Vietnamese number formatting
//!   ([`format_vi_number`]);
//! - `dates`: dates typed as text ([`parse_date_text`]) and the days a
//!   report's dates can mean ([`plausible_days`]);
//! - `yes_no`: yes/no answers ([`parse_yes_no`], [`yes_no_synonyms`]).

mod control_chars;
mod dates;
mod legacy;
mod legacy_detection;
mod normalise;
mod numbers;
mod syllable;
mod yes_no;

#[cfg(test)]
mod tests;

pub use control_chars::{has_control_chars, has_invisible_chars, strip_control_chars, unwanted_char_names};
pub use dates::{FIRST_PLAUSIBLE_DAY, PLAUSIBLE_YEARS_AHEAD, parse_date_text, plausible_days};
pub use legacy::{LegacyEncoding, convert_legacy};
pub use legacy_detection::detect_legacy;
pub use normalise::{fold_key, is_label_key, normalize_text};
pub use numbers::{NumberTextError, format_vi_number, parse_number_text};
pub use yes_no::{parse_yes_no, yes_no_synonyms};
