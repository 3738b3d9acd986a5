//! The accepted submission that counts for each (unit, week).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::model::{FileReport, ReportWeek, Submission};

/// The accepted submission used for one (unit, week), with its file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Winner<'r> {
    pub report: &'r FileReport,
    pub submission: &'r Submission,
}

impl Winner<'_> {
    pub fn file(&self) -> &str {
        &self.report.file.path
    }
}

/// Winning submissions by (unit code, due Monday), for every week found in the inputs.
pub(crate) struct Winners<'r> {
    pub by_key: BTreeMap<(String, NaiveDate), Winner<'r>>,
}

impl<'r> Winners<'r> {
    pub fn get(&self, unit: &str, week: &ReportWeek) -> Option<&Winner<'r>> {
        self.by_key.get(&(unit.to_string(), week.due))
    }
}
