//! Fuzz target: the ingest entry point from bytes, then validation.
//!
//! Findings are what would hurt the run in production:
//!
//! - an abort: out of memory (libFuzzer's `-malloc_limit_mb`, by default the
//!   `-rss_limit_mb`), a stack overflow, a hang (`-timeout`);
//! - a panic in tonghop's own code (`src/ingest`, `src/validate`).
//!
//! A panic inside a dependency (calamine, zip) is not a finding by itself:
//! `ingest::read_file` catches it and rejects the file with `F010`, which is the
//! designed behaviour. The target does the same (catch_unwind) and prints each
//! new panic location once, so that they can be listed in `fuzz/README.md`.

#![no_main]

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use tonghop::ingest::{Limits, read_bytes};
use tonghop::issue::{Code, Location};
use tonghop::model::FileMeta;
use tonghop::schema::Config;

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../report_templates");
        Config::load(&dir).expect("the bundled report_templates load")
    })
}

/// Lets panics raised inside dependencies unwind (to the catch_unwind below);
/// any other panic goes to libFuzzer's hook, which aborts: a finding.
fn install_hook() {
    static HOOK: OnceLock<()> = OnceLock::new();
    HOOK.get_or_init(|| {
        static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let place =
                info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
            if place.contains("/.cargo/registry/") {
                let seen = SEEN.get_or_init(Default::default);
                if seen.lock().map(|mut s| s.insert(place.clone())).unwrap_or(false) {
                    let short = place.rsplit("/registry/src/").next().unwrap_or(&place);
                    eprintln!("DEPENDENCY PANIC (caught, F010 in production): {short}: {info}");
                }
                return;
            }
            fuzzer_hook(info);
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    install_hook();
    let config = config();
    let read = catch_unwind(AssertUnwindSafe(|| read_bytes(data, &Location::file("fuzz"), &Limits::default())));
    if let Ok(Ok(workbook)) = read {
        let meta = FileMeta { path: "fuzz".into(), size: data.len() as u64, sha256: String::new(), received: None };
        let report = tonghop::validate::validate(config, meta, &workbook);
        // `validate` catches its own panics quietly and rejects the file with
        // F010: for the fuzzer, that is a panic in tonghop's code, a finding.
        if report.issues.iter().any(|i| i.code == Code::ReaderCrashed) {
            panic!("tonghop's validation panicked on this input (F010 from validate)");
        }
    }
});
