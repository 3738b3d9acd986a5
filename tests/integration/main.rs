//! The integration tests, one binary (it links once): each module drives the
//! library or the `tonghop` binary the way its users do.

mod common;

mod bad_inputs;
mod browser;
mod build;
mod check_cli;
mod corpus;
mod dates;
mod docs;
mod docx;
mod fuzz_regressions;
mod injection;
mod invisible_chars;
mod kill;
mod language;
mod libreoffice;
mod numbers;
mod patched;
mod pinned;
mod properties;
mod watch;
mod window;
