//! The sample build's outputs, pinned by their SHA-256: a change of the code
//! that changes any byte of any output (the five of the cycle in both built-in
//! languages, and every receipt) fails here, so that a refactoring is proved
//! to change nothing and a deliberate change is seen in review.
//!
//! After a deliberate change, rewrite the pins with
//! `TONGHOP_UPDATE_PINS=1 cargo test pinned` and commit `pinned-outputs.sha256`.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::common::{crate_dir, run};

const PINS: &str = "tests/integration/pinned-outputs.sha256";

/// Every file under `dir`, by its path relative to `dir`, with its SHA-256.
fn hashes(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk the outputs");
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || name.starts_with('.') {
            continue;
        }
        let bytes = std::fs::read(entry.path()).expect("read an output");
        let relative = entry.path().strip_prefix(dir).expect("below the folder").to_string_lossy().replace('\\', "/");
        out.insert(relative, Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect());
    }
    out
}

#[test]
fn sample_outputs_match_their_pinned_hashes() {
    let dir = tempfile::tempdir().expect("tempdir");
    for lang in ["vi", "en"] {
        let out = dir.path().join(lang);
        let state = dir.path().join("state");
        let args = ["--lang", lang, "build", "--out"];
        let built =
            run(args.iter().map(|a| a.as_ref()).chain([out.as_os_str(), "--state".as_ref(), state.as_os_str()]));
        assert_eq!(built.code, 0, "{}", built.stderr);
    }
    let actual: String = hashes(dir.path()).iter().map(|(path, sha)| format!("{sha}  {path}\n")).collect();
    let pins = crate_dir().join(PINS);
    if std::env::var_os("TONGHOP_UPDATE_PINS").is_some() {
        std::fs::write(&pins, &actual).expect("write the pins");
    }
    let expected = std::fs::read_to_string(&pins).expect("the pinned hashes");
    let differing: Vec<&str> = actual.lines().filter(|l| !expected.lines().any(|e| e == *l)).collect();
    let gone: Vec<&str> = expected.lines().filter(|l| !actual.lines().any(|a| a == *l)).collect();
    assert!(
        differing.is_empty() && gone.is_empty(),
        "outputs differ from {PINS} ({} new or changed, {} changed or gone); first: {:?} / {:?}",
        differing.len(),
        gone.len(),
        differing.first(),
        gone.first()
    );
    assert!(expected.lines().count() > 400, "every output and receipt is pinned");
}
