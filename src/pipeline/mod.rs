//! The driver: the one place where the stages run, for every command.
//!
//! [`Pipeline`] holds what every run needs (the configuration, the language of
//! the outputs, the templates) and has three entry points, in the manner of
//! mdBook's `MDBook` and zola's `Site`:
//!
//! - [`Pipeline::check`]: files and folders read and validated, batch by batch
//!   (`tonghop check`);
//! - [`Pipeline::build`]: a cycle built: inputs listed with their received
//!   times ([`inputs`]), read as far as the cycle needs ([`read`]),
//!   aggregated, rendered and written with the receipts ([`write`])
//!   (`tonghop build`, and `watch`'s draft);
//! - [`Pipeline::receive`]: one arriving file validated, recorded, archived and
//!   given its receipt (`tonghop watch`, [`receive`]).
//!
//! The commands (`cli`) and the watcher's event loop (`watch`) call these and
//! nothing below them; nothing here calls back up.

pub mod approve;
mod driver;
pub mod inputs;
mod progress;
pub mod read;
pub mod receive;
pub mod write;

pub use crate::model::{FileCounts, Timings};
pub use crate::render::console::BuildReport;
pub use driver::{BuildRequest, Built, Pipeline, Refreshed, STATUS_BOARD, Written};
pub use inputs::{Listed, Source, Sources, list_folder, too_large_report};
pub use progress::{Progress, Quiet};
pub use read::{CycleReports, StageClock, read_for_cycle};
pub use receive::{Arrival, Arrived, Receipts};
