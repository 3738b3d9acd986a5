//! The commands: each turns parsed arguments into calls of the driver
//! ([`crate::pipeline::Pipeline`]), prints for people (or JSON for programs)
//! and says how the run ended. Exit codes: 0 all good, 1 some file rejected,
//! 2 usage or configuration error (every [`Error`]).

mod approval;

pub use approval::{CHANGES_TEMPLATE, approve, diff, rebuild, verify};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::aggregate::CycleChoice;
use crate::error::{Error, Result};
use crate::form::{FormRequest, write_form};
use crate::language::{ConsoleWords, Language, WatchWords};
use crate::model::{FileCounts, ReportWeek};
use crate::pipeline::{BuildRequest, Pipeline, Progress, Sources};
use crate::render::console;
use crate::schema::{Config, UnitType};

/// Exit status for a run whose files were all accepted (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Exit status when at least one file was rejected.
pub const EXIT_REJECTED: u8 = 1;
/// Exit status for a usage or configuration error.
pub const EXIT_USAGE: u8 = 2;

/// Loads the language of `--lang` from the templates folder or the configuration
/// folder. With `warn`, says once how many labels the language lacks.
pub fn load_language(config: &Config, templates: Option<&Path>, code: &str, warn: bool) -> Result<Language> {
    let dirs: Vec<&Path> = templates.into_iter().chain([config.dir.as_path()]).collect();
    let lang = Language::load(&dirs, code).map_err(|e| Error::language(e, config.dir.clone()))?;
    if warn {
        warn_missing_labels(config, templates, &lang);
    }
    Ok(lang)
}

fn warn_missing_labels(config: &Config, templates: Option<&Path>, lang: &Language) {
    let missing = lang.missing_labels(config);
    let total: usize = missing.iter().map(|(_, n)| n).sum();
    let (code, fallback) = (lang.code(), lang.fallback().code());
    if total > 0 {
        let by: Vec<String> = missing.iter().map(|(table, n)| format!("{n} {table}")).collect();
        eprintln!(
            "tonghop: cảnh báo: {total} nhãn chưa có bản «{code}», dùng bản «{fallback}» \
             (warning: {total} labels have no {code} text, the {fallback} one is used): {}; \
             thêm {code} = \"…\" vào schema.toml, units.toml (add {code} keys).",
            by.join(", ")
        );
    }
    let templates =
        crate::render::Templates { config_dir: config.dir.clone(), override_dir: templates.map(Into::into) };
    if lang.builtin().is_none()
        && let Some(path) = crate::render::docx::document_texts_missing(&templates, lang)
    {
        eprintln!(
            "tonghop: cảnh báo: {} không có [lang.{code}], dùng [lang.{fallback}] \
             (warning: no [lang.{code}] texts, the {fallback} ones are used).",
            path.display()
        );
    }
}

/// The console's words: the language's own, or those of its built-in fallback.
fn console_words(config: &Config, lang: &Language) -> Result<ConsoleWords> {
    if let Some(words) = lang.console() {
        return Ok(words.clone());
    }
    // A built-in language cannot load without its [console] table.
    let fallback = fallback_language(config, lang)?;
    Ok(fallback.console().cloned().unwrap_or_else(|| unreachable!("checked when the language is loaded")))
}

/// The words of `watch`'s log: the language's own, or those of its built-in fallback.
fn watch_words(config: &Config, lang: &Language) -> Result<WatchWords> {
    if let Some(words) = lang.watch() {
        return Ok(words.clone());
    }
    // A built-in language cannot load without its [watch] table.
    let fallback = fallback_language(config, lang)?;
    Ok(fallback.watch().cloned().unwrap_or_else(|| unreachable!("checked when the language is loaded")))
}

/// The built-in language `lang` names as its fallback, for the words it leaves out.
fn fallback_language(config: &Config, lang: &Language) -> Result<Language> {
    Language::load(&[config.dir.as_path()], lang.fallback().code()).map_err(|e| Error::language(e, config.dir.clone()))
}

/// Options of `tonghop form`.
#[derive(Debug, Clone)]
pub struct FormOptions {
    pub unit_type: Option<String>,
    pub unit: Option<String>,
    pub week: Option<String>,
    pub out: Option<PathBuf>,
}

/// `tonghop form`: writes a blank (or prefilled) weekly form.
pub fn form(config: &Config, options: &FormOptions) -> Result<ExitCode> {
    let unit = match &options.unit {
        Some(typed) => Some(config.units.resolve(typed).map(|m| m.unit).ok_or_else(|| {
            Error::Usage(format!("không nhận ra đơn vị «{typed}» (unknown unit); ví dụ --unit 38 hoặc --unit BNV"))
        })?),
        None => None,
    };
    let unit_type = form_unit_type(config, options.unit_type.as_deref(), unit)?;
    let week = options.week.as_deref().map(|label| configured_week(config, label)).transpose()?;
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(crate::init::form_file_name(&unit_type, unit, week.as_ref())));
    let bytes = write_form(config, &FormRequest { unit_type: &unit_type, unit, week, fill: None })
        .map_err(|e| Error::Usage(format!("không tạo được biểu mẫu (cannot write the form): {e}")))?;
    crate::fs::write_atomic(&out, &bytes).map_err(Error::write(&out))?;
    println!("{}", out.display());
    Ok(ExitCode::from(EXIT_OK))
}

/// `tonghop form --all-units`: every unit's form prefilled for `week` (by
/// default the coming week), in each unit's forms folder of a laid-out `dir`,
/// or in `dir` itself.
pub fn form_all_units(config: &Config, week: Option<&str>, dir: &Path) -> Result<ExitCode> {
    let week = match week {
        Some(label) => configured_week(config, label)?,
        None => coming_week(config)?,
    };
    let done = crate::init::write_all_forms(config, dir, &week)?;
    for path in &done.removed {
        println!("- {}", path.display());
    }
    for path in &done.written {
        println!("{}", path.display());
    }
    println!(
        "{} biểu mẫu tuần {} đã ghi ({} forms of week {} written)",
        done.written.len(),
        week.label(),
        done.written.len(),
        week.label()
    );
    if !done.without_folder.is_empty() {
        let units = done.without_folder.join(", ");
        eprintln!(
            "tonghop: cảnh báo: chưa có thư mục cho đơn vị {units}; chạy «tonghop init {}» để thêm \
             (warning: no folder for units {units}; run tonghop init to add them)",
            dir.display()
        );
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// `tonghop init`: lays out the shared folder, a folder per unit with its
/// how-to, its form for `week` (by default the coming week) and its receipts folder.
pub fn init(config: &Config, lang: &Language, dir: &Path, week: Option<&str>, force: bool) -> Result<ExitCode> {
    let week = match week {
        Some(label) => configured_week(config, label)?,
        None => coming_week(config)?,
    };
    let templates = crate::render::Templates { config_dir: config.dir.clone(), override_dir: None };
    let laid = crate::init::lay_out(config, &templates, lang, dir, &week, force)?;
    for path in &laid.created {
        let shown = path.strip_prefix(dir).ok().filter(|p| !p.as_os_str().is_empty()).unwrap_or(path);
        let slash = if path.is_dir() { "/" } else { "" };
        println!("+ {}{slash}", shown.display());
    }
    println!(
        "{}: {} thư mục đơn vị mới, {} đã có; {} mục đã tạo; biểu mẫu tuần {} \
         ({} new unit folders, {} already there; {} entries made; forms of week {})",
        dir.display(),
        laid.units_new,
        laid.units_kept,
        laid.created.len(),
        week.label(),
        laid.units_new,
        laid.units_kept,
        laid.created.len(),
        week.label()
    );
    Ok(ExitCode::from(EXIT_OK))
}

/// The week whose report is due next, by the clock.
fn coming_week(config: &Config) -> Result<ReportWeek> {
    let now = chrono::Utc::now().with_timezone(&config.calendar.timezone);
    config.calendar.coming_week(now).ok_or_else(|| {
        Error::Usage("không xác định được tuần báo cáo tới (no coming reporting week); dùng --week".into())
    })
}

/// The unit type of a form: `--type`, or the type of `--unit`; both must agree.
fn form_unit_type(config: &Config, typed: Option<&str>, unit: Option<&crate::schema::Unit>) -> Result<UnitType> {
    let unit_type = match (typed, unit) {
        (Some(t), _) if !config.units.has_type(t) => {
            let known: Vec<&str> = config.units.types().iter().map(|t| t.as_str()).collect();
            return Err(Error::Usage(format!(
                "loại đơn vị «{t}» không có (unknown unit type); dùng: {}",
                known.join(", ")
            )));
        }
        (Some(t), _) => UnitType(t.to_string()),
        (None, Some(u)) => u.unit_type.clone(),
        (None, None) => return Err(Error::Usage("cần --type (ministry, agency, province) hoặc --unit".into())),
    };
    match unit {
        Some(u) if u.unit_type != unit_type => Err(Error::Usage(format!(
            "đơn vị {} thuộc loại «{}», không phải «{}»",
            u.code,
            u.unit_type.as_str(),
            unit_type.as_str()
        ))),
        _ => Ok(unit_type),
    }
}

/// A week named on the command line, which the calendar must know.
fn configured_week(config: &Config, label: &str) -> Result<ReportWeek> {
    config.calendar.week_by_label(label).ok_or_else(|| {
        Error::Usage(format!("«{label}» không phải tuần báo cáo đã quy định (not a configured week); ví dụ 2025-W37"))
    })
}

/// `tonghop check`: validates files and folders, prints the verdicts a batch at a time.
/// With `quiet`, files accepted without any remark are counted, not listed, and
/// the last lines name the rejected files.
pub fn check(pipeline: &Pipeline<'_>, paths: &[PathBuf], json: bool, quiet: bool) -> Result<ExitCode> {
    let words = console_words(pipeline.config(), pipeline.lang())?;
    let lang = pipeline.lang().fallback();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut counts = FileCounts::default();
    let mut rejected = Vec::new();
    let printed = (|| -> Result<()> {
        if json {
            let version = serde_json::to_string(&pipeline.config().schema.version).map_err(std::io::Error::from)?;
            write!(out, "{{\n  \"schema_version\": {version},\n  \"files\": [")?;
        }
        pipeline.check(paths, |batch| -> Result<()> {
            for report in &batch {
                let first = counts.total() == 0;
                counts.add(report);
                if json {
                    // Pretty JSON has no raw line break inside a value: indenting
                    // each line nests the report in the array.
                    let body =
                        serde_json::to_string_pretty(report).map_err(std::io::Error::from)?.replace('\n', "\n    ");
                    write!(out, "{}\n    {body}", if first { "" } else { "," })?;
                } else if !(quiet && report.status == crate::model::FileStatus::Accepted && report.issues.is_empty()) {
                    write!(out, "{}", console::file_verdict(pipeline.config(), report, lang))?;
                }
                if report.status == crate::model::FileStatus::Rejected {
                    rejected.push(report.file.path.clone());
                }
            }
            Ok(())
        })?;
        if json {
            let summary = serde_json::to_string_pretty(&counts).map_err(std::io::Error::from)?.replace('\n', "\n  ");
            let close = if counts.total() > 0 { "\n  ]" } else { "]" };
            writeln!(out, "{close},\n  \"summary\": {summary}\n}}")?;
        } else {
            write!(out, "{}", console::check_summary(&words, &counts, quiet, &rejected))?;
        }
        Ok(out.flush()?)
    })();
    match printed {
        // A reader that went away (`| head`) is not an error worth reporting.
        Err(Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    if counts.total() == 0 {
        eprintln!("tonghop: không tìm thấy tệp nào (no files found)");
    }
    Ok(ExitCode::from(if counts.rejected > 0 { EXIT_REJECTED } else { EXIT_OK }))
}

/// `tonghop sample`: writes the bundled sample inputs (into a folder that holds
/// nothing else, unless `force`).
pub fn sample(config: &Config, out: &Path, force: bool) -> Result<ExitCode> {
    let files = crate::sample::write(config, out, force)?;
    println!("{} tệp mẫu đã ghi vào {} ({} sample files written)", files.len(), out.display(), files.len());
    Ok(ExitCode::from(EXIT_OK))
}

/// A progress bar on stderr, when it is a terminal.
struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    fn new(label: &str) -> Bar {
        use std::io::IsTerminal;
        Bar(std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(label.to_string());
            bar
        }))
    }
}

impl Progress for Bar {
    fn files_found(&self, count: usize) {
        self.0.iter().for_each(|b| b.set_length(count as u64));
    }

    fn file_done(&self) {
        self.0.iter().for_each(|b| b.inc(1));
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.iter().for_each(indicatif::ProgressBar::finish_and_clear);
    }
}

/// `tonghop build`: reads the inputs, aggregates the cycle and writes `outputs/<cycle>/`.
pub fn build(pipeline: &Pipeline<'_>, request: &BuildRequest, json: bool) -> Result<ExitCode> {
    let words = console_words(pipeline.config(), pipeline.lang())?;
    let built = {
        let bar = Bar::new(&words.reading);
        pipeline.build(request, &bar)?
    };
    let report = built.report();
    if json {
        print_json(&report)?;
    } else {
        print!("{}", console::build_summary(pipeline.config(), &words, pipeline.lang(), &report));
        if let Some(line) = approval::draft_line(&approval::approval_words(pipeline)?, built.summary()) {
            println!("{line}");
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// Prints a value as pretty JSON on stdout; a closed pipe (`| head`) is not an error.
fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match serde_json::to_writer_pretty(&mut out, value) {
        Ok(()) => {
            let _ = writeln!(out).and_then(|()| out.flush());
            Ok(())
        }
        Err(e) if e.is_io() => Ok(()),
        Err(e) => Err(Error::Io(e.into())),
    }
}

/// `tonghop watch`: runs until Ctrl-C or SIGTERM, its log in the language's words.
pub fn watch(pipeline: &Pipeline<'_>, options: &crate::watch::WatchOptions) -> Result<ExitCode> {
    let words = watch_words(pipeline.config(), pipeline.lang())?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst))
        .map_err(|e| Error::Usage(e.to_string()))?;
    crate::watch::run(pipeline, options, &words, stop)?;
    Ok(ExitCode::from(EXIT_OK))
}

/// `tonghop status`: who has reported for a week (by default the latest one due).
pub fn status(pipeline: &Pipeline<'_>, sources: &Sources, week: Option<&str>, json: bool) -> Result<ExitCode> {
    let config = pipeline.config();
    let week = week.map(|label| configured_week(config, label)).transpose()?;
    let today = chrono::Utc::now().with_timezone(&config.calendar.timezone).date_naive();
    let (week, board) = pipeline
        .week_status(sources, week, today)?
        .ok_or_else(|| Error::Usage("chưa có tuần báo cáo nào (no reporting week yet); dùng --week".into()))?;
    if json {
        let deadline = config.calendar.deadline(&week).to_rfc3339();
        print_json(&serde_json::json!({ "week": week.label(), "deadline": deadline, "submissions": board }))?;
        return Ok(ExitCode::from(EXIT_OK));
    }
    let words = console_words(config, pipeline.lang())?;
    print!("{}", console::week_status(config, &words, pipeline.lang(), &week, &board));
    Ok(ExitCode::from(EXIT_OK))
}

/// `tonghop template`: rebuilds the meeting document's Word template from scratch.
///
/// The generator writes Vietnamese and English. For another language it writes
/// the fallback's template, to a file named with `-o` only, so that a
/// translated template is never overwritten.
pub fn template(config: &Config, out: Option<&Path>, lang: &Language) -> Result<ExitCode> {
    let path = match (out, lang.builtin()) {
        (Some(out), _) => out.to_path_buf(),
        (None, Some(_)) => config.dir.join(lang.code()).join(crate::render::docx::DOCX_NAME),
        (None, None) => {
            let fallback = lang.fallback().code();
            return Err(Error::Usage(format!(
                "mẫu mặc định chỉ có tiếng Việt và tiếng Anh; dùng -o TỆP để ghi mẫu «{fallback}» rồi dịch trong Word \
                 (the default template exists in vi and en only; write the {fallback} one with -o FILE and translate it)"
            )));
        }
    };
    let bytes = crate::render::docx::build_template(config, lang.fallback()).map_err(Error::Outline)?;
    crate::fs::write_atomic(&path, &bytes).map_err(Error::write(&path))?;
    println!("{}", path.display());
    Ok(ExitCode::from(EXIT_OK))
}

/// The cycle asked for: a meeting, weeks, or the latest with data.
pub fn cycle_choice(meeting: Option<chrono::NaiveDate>, weeks: Option<Vec<String>>) -> CycleChoice {
    match (meeting, weeks) {
        (Some(m), _) => CycleChoice::Meeting(m),
        (None, Some(w)) => CycleChoice::Weeks(w),
        (None, None) => CycleChoice::Latest,
    }
}
