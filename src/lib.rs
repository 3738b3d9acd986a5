//! tonghop — the reporting aggregator of the Ministry of Home Affairs for the
//! two-level local government model.
//!
//! The program is a one-way pipeline, one module per stage:
//!
//! 1. [`schema`] — the configuration from `report_templates/`: criteria,
//!    units, calendar and resource limits, checked at start;
//! 2. [`form`] — the weekly workbook reporters fill in;
//! 3. [`ingest`] — finding the dropped files and reading them, defensively;
//! 4. [`validate`] — checking each file and locating every problem;
//! 5. [`aggregate`] — the summary of a cycle (pure: no I/O, no clock);
//! 6. [`render`] — the summary formatted: meeting document, HTML report,
//!    workbook, Markdown, `data.json`; receipts and the status board.
//!
//! [`pipeline`] is the driver that runs the stages for every command;
//! [`cli`] turns the commands' arguments into calls of the driver and prints
//! for people, [`watch`] is the event loop of the shared folder.
//!
//! Beside the stages: [`model`] holds the data that flows between them,
//! [`issue`] the catalogue of problems, [`contract`] the workbook contract's
//! titles and headers, [`text`] Vietnamese text handling, [`language`] the
//! languages of the outputs, [`ledger`] the record of every file received and
//! its archive, [`fs`] atomic writes and the output lock, [`error`] the
//! application's error type, [`sample`] the bundled sample inputs, [`init`]
//! the shared folder laid out for the units (`tonghop init`, `form --all-units`).

// An `Issue` (bilingual messages and a location) is the error value of reading
// a file; it is built once per bad file, so its size never matters.
#![allow(clippy::result_large_err)]

pub mod aggregate;
pub mod approvals;
pub mod cli;
pub mod contract;
pub mod error;
pub mod form;
pub mod fs;
pub mod ingest;
pub mod init;
pub mod issue;
pub mod language;
pub mod ledger;
pub mod model;
pub mod pipeline;
pub mod render;
pub mod sample;
pub mod schema;
pub mod text;
pub mod validate;
pub mod watch;

pub use error::{Error, Result};
