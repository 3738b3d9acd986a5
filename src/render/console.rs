//! What the console says: a file's verdict with its issues (`check`), the
//! summary of a build, the status of a week. Words come from the language's
//! `[console]` table; the commands only print these lines.

use crate::aggregate::{SubmissionRow, SubmissionSummary, Timeliness};
use crate::issue::Severity;
use crate::language::{ConsoleWords, Lang, Language, fill};
use crate::model::{FileCounts, FileReport, FileStatus, ReportWeek, Timings};
use crate::schema::Config;

/// What `build` did, as printed at the end (and as JSON with `--json`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct BuildReport {
    pub cycle: String,
    pub meeting: Option<chrono::NaiveDate>,
    pub weeks: Vec<String>,
    pub files: FileCounts,
    /// Files of weeks the cycle does not use, identified but not validated.
    pub other_weeks_files: usize,
    pub on_time: usize,
    pub late: usize,
    pub rejected: usize,
    pub missing: usize,
    pub overdue_tasks: usize,
    pub quality_flags: usize,
    /// The cycle's weekly reports not received on time: late, rejected or missing, by week then unit.
    pub not_on_time: Vec<SubmissionRow>,
    pub output_dir: String,
    pub outputs: Vec<String>,
    /// Where the time went, in seconds (never written into the outputs).
    pub timings: Timings,
}

/// Text from a file (its name, a sheet's name, a value quoted in a message) made
/// safe for one line of a console or a log: control characters, line and
/// paragraph separators and the marks that reorder text are written as Rust
/// writes them (`\n`, `\u{202e}`), so a file named with a newline cannot forge
/// a line; everything else, Vietnamese included, is left as it is.
///
/// ```
/// use tonghop::render::console::one_line;
/// assert_eq!(one_line("Hà Nội.xlsx"), "Hà Nội.xlsx");
/// assert_eq!(one_line("a\n✔ b.xlsx — Chấp nhận"), "a\\n✔ b.xlsx — Chấp nhận");
/// assert_eq!(one_line("\u{1b}[31m\u{202e}x"), "\\u{1b}[31m\\u{202e}x");
/// ```
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(breaks_a_line) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if breaks_a_line(c) {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                _ => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            }
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// Whether a character could end, rewrite or reorder a line on a terminal or
/// in a log: controls (newline, carriage return, escape), the Unicode line and
/// paragraph separators, and the bidirectional marks and overrides.
fn breaks_a_line(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Appends `line` and a newline, with nothing in `line` able to start another.
fn push_line(out: &mut String, line: &str) {
    out.push_str(&one_line(line));
    out.push('\n');
}

/// A file's verdict on one line, then one line per issue with its code, place and hint.
pub fn file_verdict(config: &Config, report: &FileReport, lang: Lang) -> String {
    let mark = match report.status {
        FileStatus::Accepted => "✔",
        FileStatus::AcceptedWithWarnings => "!",
        FileStatus::Rejected => "✘",
        FileStatus::Ignored => "-",
    };
    let vi = lang == Lang::Vi;
    let status = if vi { report.status.label_vi() } else { report.status.label_en() };
    let mut understood = Vec::new();
    if let Some(unit) = report.unit.as_deref().and_then(|c| config.units.get(c)) {
        understood.push(format!("{} {}", unit.code, if vi { &unit.short } else { &unit.en }));
    }
    if let Some(week) = &report.week {
        understood.push(week.label());
    }
    let understood = if understood.is_empty() { String::new() } else { format!(" ({})", understood.join(", ")) };
    let mut out = String::new();
    push_line(&mut out, &format!("{mark} {} — {status}{understood}", report.file.path));
    for issue in &report.issues {
        let (severity, message, hint) = if vi {
            (issue.severity.label_vi(), &issue.message_vi, &issue.hint_vi)
        } else {
            (issue.severity.label_en(), &issue.message_en, &issue.hint_en)
        };
        if issue.severity == Severity::Info && report.status == FileStatus::Ignored {
            push_line(&mut out, &format!("    [{}] {message}", issue.code));
            continue;
        }
        let place = match (&issue.location.sheet, &issue.location.cell) {
            (Some(sheet), Some(cell)) => format!("{sheet}!{cell}: "),
            (Some(sheet), None) => format!("{sheet}: "),
            _ => String::new(),
        };
        let mut line = format!("    [{}] {severity} {place}{message}", issue.code);
        if !hint.is_empty() {
            line.push_str(&format!(" → {hint}"));
        }
        push_line(&mut out, &line);
    }
    out
}

fn n(value: usize) -> String {
    value.to_string()
}

/// The last line of `check`: files by status.
pub fn checked(words: &ConsoleWords, c: &FileCounts) -> String {
    let values = [
        ("total", n(c.total())),
        ("accepted", n(c.accepted)),
        ("warnings", n(c.accepted_with_warnings)),
        ("rejected", n(c.rejected)),
        ("ignored", n(c.ignored)),
    ];
    fill(&words.checked, &values)
}

/// The end of `check`: files by status, then (when accepted files were only
/// counted) how many, and the rejected files by name.
pub fn check_summary(words: &ConsoleWords, c: &FileCounts, quiet: bool, rejected: &[String]) -> String {
    let mut out = String::new();
    if quiet && c.accepted > 0 {
        push_line(&mut out, &fill(&words.accepted_quietly, &[("count", n(c.accepted))]));
    }
    if !rejected.is_empty() {
        push_line(&mut out, &fill(&words.rejected_files, &[("list", rejected.join(", "))]));
    }
    push_line(&mut out, &checked(words, c));
    out
}

/// The summary of a build: its cycle, files, reports and where the outputs are.
pub fn build_summary(config: &Config, words: &ConsoleWords, lang: &Language, r: &BuildReport) -> String {
    let weeks = r.weeks.join(", ");
    let mut lines = vec![match r.meeting {
        Some(m) => {
            fill(&words.meeting_weeks, &[("meeting", m.format(&words.meeting_date).to_string()), ("weeks", weeks)])
        }
        None => fill(&words.weeks, &[("weeks", weeks)]),
    }];
    let f = &r.files;
    let files = [
        ("accepted", n(f.accepted)),
        ("warnings", n(f.accepted_with_warnings)),
        ("rejected", n(f.rejected)),
        ("ignored", n(f.ignored)),
    ];
    lines.push(fill(&words.files, &files));
    if r.other_weeks_files > 0 {
        lines.push(fill(&words.other_weeks, &[("count", n(r.other_weeks_files))]));
    }
    let reports = [
        ("on_time", n(r.on_time)),
        ("late", n(r.late)),
        ("rejected", n(r.rejected)),
        ("missing", n(r.missing)),
        ("overdue", n(r.overdue_tasks)),
        ("flags", n(r.quality_flags)),
    ];
    lines.push(fill(&words.reports, &reports));
    lines.extend(not_on_time(config, words, lang, &r.not_on_time));
    lines.push(fill(&words.outputs, &[("dir", r.output_dir.clone()), ("files", r.outputs.join(", "))]));
    let mut out = String::new();
    for line in &lines {
        push_line(&mut out, line);
    }
    out
}

/// A line each for the late, rejected and missing units (those there are),
/// naming the unit, the week, and how late or which files were rejected.
fn not_on_time(config: &Config, words: &ConsoleWords, lang: &Language, rows: &[SubmissionRow]) -> Vec<String> {
    let vi = lang.fallback() == Lang::Vi;
    let name = |unit: &str| {
        let short = config.units.get(unit).map(|u| if vi { u.short.as_str() } else { u.en.as_str() });
        format!("{unit} {}", short.unwrap_or(""))
    };
    let item = |row: &SubmissionRow| match row.timeliness {
        Timeliness::Late => {
            let duration = super::format::duration(row.minutes_late.unwrap_or(0), lang);
            format!("{} ({}, {})", name(&row.unit), row.week, fill(&words.late_by, &[("duration", duration)]))
        }
        Timeliness::Rejected => format!("{} ({}: {})", name(&row.unit), row.week, row.rejected.join(", ")),
        _ => format!("{} ({})", name(&row.unit), row.week),
    };
    let mut lines = Vec::new();
    for (kind, pattern) in [
        (Timeliness::Late, &words.late_units),
        (Timeliness::Rejected, &words.rejected_units),
        (Timeliness::Missing, &words.missing_units),
    ] {
        let list: Vec<String> = rows.iter().filter(|r| r.timeliness == kind).map(item).collect();
        if !list.is_empty() {
            lines.push(fill(pattern, &[("list", list.join("; "))]));
        }
    }
    lines
}

/// The status of a week: the counts, then each unit not on time and why.
pub fn week_status(
    config: &Config,
    words: &ConsoleWords,
    lang: &Language,
    week: &ReportWeek,
    board: &SubmissionSummary,
) -> String {
    let head = [
        ("week", week.label()),
        ("on_time", n(board.on_time)),
        ("late", n(board.late)),
        ("rejected", n(board.rejected)),
        ("missing", n(board.missing)),
    ];
    let mut out = fill(&words.week_status, &head) + "\n";
    let vi = lang.fallback() == Lang::Vi;
    for row in board.rows.iter().filter(|r| r.timeliness != Timeliness::OnTime) {
        let name = config.units.get(&row.unit).map(|u| if vi { u.short.as_str() } else { u.en.as_str() }).unwrap_or("");
        let what = match row.timeliness {
            Timeliness::Late => {
                let duration = super::format::duration(row.minutes_late.unwrap_or(0), lang);
                fill(&words.late_by, &[("duration", duration)])
            }
            Timeliness::Rejected => words.rejected.clone(),
            _ => words.missing.clone(),
        };
        push_line(&mut out, &format!("  {:<8} {:<28} {what}", row.unit, name));
    }
    out
}
