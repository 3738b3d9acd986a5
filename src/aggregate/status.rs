//! The submissions of one week, as the status board and `tonghop status` show them.

use super::{CycleSpec, SubmissionSummary, aggregate};
use crate::model::{FileReport, ReportWeek};
use crate::schema::Config;

/// Who has reported for `week`: on time, late, rejected, missing.
pub fn week_status(config: &Config, reports: &[FileReport], week: ReportWeek) -> SubmissionSummary {
    let cycle = CycleSpec {
        id: week.label(),
        meeting: None,
        previous_meeting: None,
        cutoff: week.due,
        weeks: vec![week],
        previous_weeks: Vec::new(),
    };
    aggregate(config, &cycle, reports, "vi").submissions
}
