//! The integration tests, one binary (it links once): each module drives the
//! library or the `tonghop` binary the way its users do.

mod common;

mod approval;
mod archive_check;
mod bad_inputs;
mod browser;
mod build;
mod check_cli;
mod claims;
mod corpus;
mod dates;
mod deployment;
mod docs;
mod docx;
mod extremes;
mod file_names;
mod full_disk;
mod fuzz_regressions;
mod hostile_folder;
mod init_layout;
mod injection;
mod invisible_chars;
mod kill;
mod language;
mod libreoffice;
mod link_race;
mod numbers;
mod patched;
mod pinned;
mod properties;
mod read_only_state;
mod received_log;
mod unknown_unit;
mod unprivileged;
mod watch;
mod watch_intake;
mod watch_language;
mod window;
