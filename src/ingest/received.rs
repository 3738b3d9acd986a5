//! The optional received-times log of an inputs folder (`received.tsv`).
//!
//! A file's modification time is lost when files travel through e-mail, a zip
//! archive or version control. Whoever takes files in (an e-mail gateway, the
//! staff member copying attachments) may record when each arrived: one line per
//! file, its path relative to the folder, a tab, and an RFC 3339 time. A time
//! listed here takes precedence over the modification time.
//!
//! The log is read line by line: a line that cannot be used (not UTF-8 text, no
//! tab, no valid time, a path already listed) is kept aside with its number and
//! the reason, and every other line is used. A path listed twice keeps the time
//! of its first line, the earliest record of its receipt.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;

/// The log's file name, at the root of an inputs folder.
pub const RECEIVED_LOG: &str = "received.tsv";

/// Received times by relative path, and the lines that could not be used.
#[derive(Debug, Default, Clone)]
pub struct ReceivedLog {
    pub times: HashMap<String, DateTime<Tz>>,
    /// The lines not used, in file order.
    pub bad_lines: Vec<BadLine>,
}

/// A line of the log that is not used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based.
    pub line: usize,
    pub problem: LineProblem,
}

/// Why a line of the log is not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// Not UTF-8 text (a legacy encoding, a damaged copy); `column` is the
    /// 1-based byte position of the first byte that is not.
    NotUtf8 { column: usize },
    /// No tab between a path and a time.
    NoTab,
    /// Nothing before the tab.
    EmptyPath,
    /// The text after the tab is not an RFC 3339 time.
    BadTime { text: String },
    /// The path is listed on an earlier line, whose time is kept.
    Duplicate { path: String, first_line: usize },
}

/// What reading the log found at the root of a folder.
#[derive(Debug)]
pub enum LogFile {
    /// No log: none at the root, or something other than a regular file there
    /// (a link, which is never followed; the listing reports it).
    Absent,
    Read(ReceivedLog),
    /// A log the system would not let us read (permissions, I/O).
    Unreadable(std::io::Error),
}

impl ReceivedLog {
    /// Reads `dir/received.tsv` if there is one, without following a link.
    pub fn load(dir: &Path, tz: Tz) -> LogFile {
        use std::io::Read;
        let (mut file, _) = match super::discover::open_regular(&dir.join(RECEIVED_LOG)) {
            Ok(opened) => opened,
            Err(super::discover::Unopened::Failed(e)) => return LogFile::Unreadable(e),
            Err(_) => return LogFile::Absent,
        };
        let mut bytes = Vec::new();
        match file.read_to_end(&mut bytes) {
            Ok(_) => LogFile::Read(ReceivedLog::parse_bytes(&bytes, tz)),
            Err(e) => LogFile::Unreadable(e),
        }
    }

    /// Parses the log's text; `#` starts a comment line.
    ///
    /// ```
    /// use tonghop::ingest::{LineProblem, ReceivedLog};
    /// let text = "a.xlsx\t2025-09-08T09:15:00+07:00\nbad line\na.xlsx\t2025-09-09T09:15:00+07:00\n";
    /// let log = ReceivedLog::parse(text, chrono_tz::Asia::Ho_Chi_Minh);
    /// assert_eq!(log.times["a.xlsx"].to_rfc3339(), "2025-09-08T09:15:00+07:00");
    /// assert_eq!(log.bad_lines[0].line, 2);
    /// assert_eq!(log.bad_lines[1].problem, LineProblem::Duplicate { path: "a.xlsx".into(), first_line: 1 });
    /// ```
    pub fn parse(text: &str, tz: Tz) -> ReceivedLog {
        ReceivedLog::parse_bytes(text.as_bytes(), tz)
    }

    /// Parses the log's bytes line by line: one bad line never costs the others.
    pub fn parse_bytes(bytes: &[u8], tz: Tz) -> ReceivedLog {
        let mut log = ReceivedLog::default();
        let mut first_lines: HashMap<String, usize> = HashMap::new();
        for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let number = i + 1;
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            // Notepad and Excel start a UTF-8 file with a byte-order mark.
            let raw = if number == 1 { raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw) } else { raw };
            let (path, time) = match entry(raw) {
                Ok(Some(entry)) => entry,
                Ok(None) => continue,
                Err(problem) => {
                    log.bad_lines.push(BadLine { line: number, problem });
                    continue;
                }
            };
            if let Some(&first_line) = first_lines.get(&path) {
                log.bad_lines.push(BadLine { line: number, problem: LineProblem::Duplicate { path, first_line } });
                continue;
            }
            first_lines.insert(path.clone(), number);
            log.times.insert(path, time.with_timezone(&tz));
        }
        log
    }
}

/// The path and time of one line; `None` for a blank or comment line.
fn entry(raw: &[u8]) -> Result<Option<(String, DateTime<FixedOffset>)>, LineProblem> {
    // A comment is not data, whatever its encoding.
    if raw.starts_with(b"#") {
        return Ok(None);
    }
    let line = std::str::from_utf8(raw).map_err(|e| LineProblem::NotUtf8 { column: e.valid_up_to() + 1 })?;
    if line.trim().is_empty() {
        return Ok(None);
    }
    let (path, time) = line.split_once('\t').ok_or(LineProblem::NoTab)?;
    if path.trim().is_empty() {
        return Err(LineProblem::EmptyPath);
    }
    let time = DateTime::<FixedOffset>::parse_from_rfc3339(time.trim())
        .map_err(|_| LineProblem::BadTime { text: time.trim().to_string() })?;
    // Listed paths are compared with the folder's, which are written with `/`.
    Ok(Some((path.replace('\\', "/"), time)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::Asia::Ho_Chi_Minh;

    #[test]
    fn a_bad_byte_costs_its_line_only() {
        let bytes = b"a.xlsx\t2025-09-08T09:15:00+07:00\nb\xff.xlsx\t2025-09-08T09:15:00+07:00\nc.xlsx\t2025-09-08T10:00:00+07:00\n";
        let log = ReceivedLog::parse_bytes(bytes, TZ);
        assert_eq!(log.times.len(), 2);
        assert_eq!(log.bad_lines, vec![BadLine { line: 2, problem: LineProblem::NotUtf8 { column: 2 } }]);
    }

    #[test]
    fn reads_crlf_a_byte_order_mark_and_comments() {
        let bytes =
            "\u{feff}a.xlsx\t2025-09-08T09:15:00+07:00\r\n# note \u{ff}\r\n\r\nsub\\b.xlsx\t2025-09-08T09:15:00Z\r\n";
        let log = ReceivedLog::parse_bytes(bytes.as_bytes(), TZ);
        assert!(log.bad_lines.is_empty(), "{:?}", log.bad_lines);
        assert!(log.times.contains_key("a.xlsx") && log.times.contains_key("sub/b.xlsx"));
    }

    #[test]
    fn says_why_a_line_is_not_used() {
        let log = ReceivedLog::parse("no tab here\n\t2025-09-08T09:15:00Z\na.xlsx\tMonday\n", TZ);
        let problems: Vec<LineProblem> = log.bad_lines.into_iter().map(|b| b.problem).collect();
        assert_eq!(
            problems,
            [LineProblem::NoTab, LineProblem::EmptyPath, LineProblem::BadTime { text: "Monday".into() }]
        );
    }
}
