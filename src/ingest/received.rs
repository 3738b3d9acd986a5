//! The optional received-times log of an inputs folder (`received.tsv`).
//!
//! A file's modification time is lost when files travel through e-mail, a zip
//! archive or version control. Whoever takes files in (an e-mail gateway, the
//! staff member copying attachments) may record when each arrived: one line per
//! file, its path relative to the folder, a tab, and an RFC 3339 time. A time
//! listed here takes precedence over the modification time.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

/// The log's file name, at the root of an inputs folder.
pub const RECEIVED_LOG: &str = "received.tsv";

/// Received times by relative path, and the lines that could not be read (1-based).
#[derive(Debug, Default, Clone)]
pub struct ReceivedLog {
    pub times: HashMap<String, DateTime<Tz>>,
    pub bad_lines: Vec<usize>,
}

impl ReceivedLog {
    /// Reads `dir/received.tsv` if there is one.
    pub fn load(dir: &Path, tz: Tz) -> Option<ReceivedLog> {
        let text = std::fs::read_to_string(dir.join(RECEIVED_LOG)).ok()?;
        Some(ReceivedLog::parse(&text, tz))
    }

    /// Parses the log's text; `#` starts a comment line.
    ///
    /// ```
    /// let log = tonghop::ingest::ReceivedLog::parse("a.xlsx\t2025-09-08T09:15:00+07:00\nbad line\n", chrono_tz::Asia::Ho_Chi_Minh);
    /// assert_eq!(log.times["a.xlsx"].to_rfc3339(), "2025-09-08T09:15:00+07:00");
    /// assert_eq!(log.bad_lines, vec![2]);
    /// ```
    pub fn parse(text: &str, tz: Tz) -> ReceivedLog {
        let mut log = ReceivedLog::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let parsed = line
                .split_once('\t')
                .and_then(|(path, time)| Some((path, DateTime::<FixedOffset>::parse_from_rfc3339(time.trim()).ok()?)));
            match parsed {
                Some((path, time)) => {
                    log.times.insert(path.to_string(), time.with_timezone(&tz));
                }
                None => log.bad_lines.push(i + 1),
            }
        }
        log
    }
}
