//! The commands behind the binary: each takes typed options, runs the stages
//! and prints for people (or JSON for programs). Exit codes: 0 all good,
//! 1 some file rejected, 2 usage or configuration error.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::form::{FormRequest, write_form};
use crate::issue::Severity;
use crate::model::{FileReport, FileStatus};
use crate::schema::{Config, UnitType};

pub use crate::language::{Lang, Language};

/// Exit status for a run whose files were all accepted (warnings allowed).
pub const EXIT_OK: i32 = 0;
/// Exit status when at least one file was rejected.
pub const EXIT_REJECTED: i32 = 1;
/// Exit status for a usage or configuration error.
pub const EXIT_USAGE: i32 = 2;

/// Loads the configuration or prints why it cannot be used.
pub fn load_config(dir: &Path) -> Result<Config, i32> {
    Config::load(dir).map_err(|e| {
        eprintln!("tonghop: cấu hình không hợp lệ / invalid configuration:\n  {e}");
        eprintln!("  Sửa tệp cấu hình rồi chạy lại (fix the file and run again).");
        EXIT_USAGE
    })
}

/// Loads the language of `--lang` from the templates folder or the configuration
/// folder, or prints why it cannot be used (an unknown code lists the installed
/// ones). With `warn`, says once how many labels the language lacks.
pub fn load_language(config: &Config, templates: Option<&Path>, code: &str, warn: bool) -> Result<Language, i32> {
    let dirs: Vec<&Path> = templates.into_iter().chain([config.dir.as_path()]).collect();
    let lang = Language::load(&dirs, code).map_err(|e| {
        match &e {
            crate::language::LanguageError::Unknown { code, available } => eprintln!(
                "tonghop: không có ngôn ngữ «{code}» (unknown language); có: {} (available)\n  \
                 Mỗi ngôn ngữ là một thư mục <mã>/ có {} trong {} (a language is such a folder; see docs/configuration.md).",
                available.join(", "),
                crate::language::SETTINGS_FILE,
                config.dir.display()
            ),
            crate::language::LanguageError::Invalid(e) => {
                eprintln!("tonghop: cấu hình ngôn ngữ không hợp lệ / invalid language settings:\n  {e}");
                eprintln!("  Sửa tệp rồi chạy lại (fix the file and run again).");
            }
        }
        EXIT_USAGE
    })?;
    if warn {
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
            && let Some(path) = crate::render::docx::document_texts_missing(&templates, &lang)
        {
            eprintln!(
                "tonghop: cảnh báo: {} không có [lang.{code}], dùng [lang.{fallback}] \
                 (warning: no [lang.{code}] texts, the {fallback} ones are used).",
                path.display()
            );
        }
    }
    Ok(lang)
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
pub fn form(config: &Config, options: &FormOptions) -> i32 {
    let unit = match &options.unit {
        Some(typed) => match config.units.resolve(typed) {
            Some(m) => Some(m.unit),
            None => {
                eprintln!("tonghop: không nhận ra đơn vị «{typed}» (unknown unit); ví dụ --unit 38 hoặc --unit BNV");
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    let unit_type = match (&options.unit_type, unit) {
        (Some(t), _) => {
            if !config.units.has_type(t) {
                let known: Vec<&str> = config.units.types().iter().map(|t| t.as_str()).collect();
                eprintln!("tonghop: loại đơn vị «{t}» không có (unknown unit type); dùng: {}", known.join(", "));
                return EXIT_USAGE;
            }
            UnitType(t.clone())
        }
        (None, Some(u)) => u.unit_type.clone(),
        (None, None) => {
            eprintln!("tonghop: cần --type (ministry, agency, province) hoặc --unit");
            return EXIT_USAGE;
        }
    };
    if let Some(u) = unit
        && u.unit_type != unit_type
    {
        eprintln!(
            "tonghop: đơn vị {} thuộc loại «{}», không phải «{}»",
            u.code,
            u.unit_type.as_str(),
            unit_type.as_str()
        );
        return EXIT_USAGE;
    }
    let week = match &options.week {
        Some(label) => match config.calendar.week_by_label(label) {
            Some(w) => Some(w),
            None => {
                eprintln!(
                    "tonghop: «{label}» không phải tuần báo cáo đã quy định (not a configured week); ví dụ 2025-W37"
                );
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    let out = options.out.clone().unwrap_or_else(|| {
        let mut name = format!("bieu-mau-{}", unit_type.as_str());
        if let Some(u) = unit {
            name.push('-');
            name.push_str(&u.code);
        }
        if let Some(w) = week {
            name.push('-');
            name.push_str(&w.label());
        }
        PathBuf::from(format!("{name}.xlsx"))
    });
    let bytes = match write_form(config, &FormRequest { unit_type: &unit_type, unit, week, fill: None }) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("tonghop: không tạo được biểu mẫu (cannot write the form): {e}");
            return EXIT_USAGE;
        }
    };
    if let Err(e) = write_atomic(&out, &bytes) {
        eprintln!("tonghop: không ghi được {} (cannot write): {e}", out.display());
        return EXIT_USAGE;
    }
    println!("{}", out.display());
    EXIT_OK
}

/// Writes a file through a temporary sibling and a rename, so a reader never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let file_name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// `tonghop check`: validates files and folders, prints the verdicts.
pub fn check(config: &Config, paths: &[PathBuf], json: bool, lang: Lang) -> i32 {
    // A mistyped path is a usage error, not a file to report on.
    if let Some(missing) = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
        eprintln!("tonghop: không tìm thấy {} (no such file or folder)", missing.display());
        return EXIT_USAGE;
    }
    // Reports are checked a batch at a time on all cores and printed in order,
    // so that memory stays that of one batch however many files there are.
    let listed: Vec<crate::Listed> = paths.iter().flat_map(|p| crate::list_folder(config, p)).collect();
    let clock = crate::StageClock::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut counts = FileCounts::default();
    let mut written = 0usize;
    let result: std::io::Result<()> = (|| {
        if json {
            let version = serde_json::to_string(&config.schema.version)?;
            write!(out, "{{\n  \"schema_version\": {version},\n  \"files\": [")?;
        }
        for batch in listed.chunks(CHECK_BATCH) {
            for report in crate::check_listed(config, batch, &clock) {
                counts.add(&report);
                if json {
                    // Pretty JSON has no raw line break inside a value: indenting
                    // each line nests the report in the array.
                    let body = serde_json::to_string_pretty(&report)?.replace('\n', "\n    ");
                    write!(out, "{}\n    {body}", if written > 0 { "," } else { "" })?;
                } else {
                    print_report(&mut out, config, &report, lang)?;
                }
                written += 1;
            }
        }
        let c = counts;
        if json {
            let summary = serde_json::to_string_pretty(&c)?.replace('\n', "\n  ");
            let close = if written > 0 { "\n  ]" } else { "]" };
            writeln!(out, "{close},\n  \"summary\": {summary}\n}}")?;
        } else {
            let total = written;
            match lang {
                Lang::Vi => writeln!(
                    out,
                    "Tổng cộng {total} tệp: {} tiếp nhận, {} tiếp nhận có cảnh báo, {} từ chối, {} bỏ qua.",
                    c.accepted, c.accepted_with_warnings, c.rejected, c.ignored
                )?,
                Lang::En => writeln!(
                    out,
                    "{total} files: {} accepted, {} accepted with warnings, {} rejected, {} ignored.",
                    c.accepted, c.accepted_with_warnings, c.rejected, c.ignored
                )?,
            }
        }
        out.flush()
    })();
    // A reader that went away (`| head`) is not an error worth reporting.
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("tonghop: {e}");
        return EXIT_USAGE;
    }
    if written == 0 {
        eprintln!("tonghop: không tìm thấy tệp nào (no files found)");
    }
    if counts.rejected > 0 { EXIT_REJECTED } else { EXIT_OK }
}

/// Files checked together by `check` before their reports are printed and dropped.
const CHECK_BATCH: usize = 256;

/// Prints a value as pretty JSON on stdout; a closed pipe (`| head`) is not an error worth a panic.
fn print_json(value: &impl serde::Serialize) -> Result<(), i32> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match serde_json::to_writer_pretty(&mut out, value) {
        Ok(()) => {
            let _ = writeln!(out).and_then(|()| out.flush());
            Ok(())
        }
        // A reader that went away is not an error worth reporting.
        Err(e) if e.is_io() => Ok(()),
        Err(e) => {
            eprintln!("tonghop: {e}");
            Err(EXIT_USAGE)
        }
    }
}

/// Counts of files by status.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct FileCounts {
    pub accepted: usize,
    pub accepted_with_warnings: usize,
    pub rejected: usize,
    pub ignored: usize,
}

pub fn count_files(reports: &[FileReport]) -> FileCounts {
    let mut s = FileCounts::default();
    for r in reports {
        s.add(r);
    }
    s
}

impl FileCounts {
    /// Counts one more file.
    pub fn add(&mut self, report: &FileReport) {
        match report.status {
            FileStatus::Accepted => self.accepted += 1,
            FileStatus::AcceptedWithWarnings => self.accepted_with_warnings += 1,
            FileStatus::Rejected => self.rejected += 1,
            FileStatus::Ignored => self.ignored += 1,
        }
    }
}

fn print_report(out: &mut impl Write, config: &Config, report: &FileReport, lang: Lang) -> std::io::Result<()> {
    let mark = match report.status {
        FileStatus::Accepted => "✔",
        FileStatus::AcceptedWithWarnings => "!",
        FileStatus::Rejected => "✘",
        FileStatus::Ignored => "-",
    };
    let status = if lang == Lang::Vi { report.status.label_vi() } else { report.status.label_en() };
    let mut understood = Vec::new();
    if let Some(unit) = report.unit.as_deref().and_then(|c| config.units.get(c)) {
        understood.push(format!("{} {}", unit.code, if lang == Lang::Vi { &unit.short } else { &unit.en }));
    }
    if let Some(week) = &report.week {
        understood.push(week.label());
    }
    let understood = if understood.is_empty() { String::new() } else { format!(" ({})", understood.join(", ")) };
    writeln!(out, "{mark} {} — {status}{understood}", report.file.path)?;
    for issue in &report.issues {
        let place = match (&issue.location.sheet, &issue.location.cell) {
            (Some(sheet), Some(cell)) => format!("{sheet}!{cell}: "),
            (Some(sheet), None) => format!("{sheet}: "),
            _ => String::new(),
        };
        let (severity, message, hint) = match lang {
            Lang::Vi => (issue.severity.label_vi(), &issue.message_vi, &issue.hint_vi),
            Lang::En => (issue.severity.label_en(), &issue.message_en, &issue.hint_en),
        };
        if issue.severity == Severity::Info && report.status == FileStatus::Ignored {
            writeln!(out, "    [{}] {message}", issue.code)?;
            continue;
        }
        write!(out, "    [{}] {severity} {place}{message}", issue.code)?;
        if !hint.is_empty() {
            write!(out, " → {hint}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// `tonghop sample`: writes the bundled sample inputs.
pub fn sample(config: &Config, out: &Path) -> i32 {
    match crate::sample::write(config, out) {
        Ok(files) => {
            println!("{} tệp mẫu đã ghi vào {} ({} sample files written)", files.len(), out.display(), files.len());
            EXIT_OK
        }
        Err(e) => {
            eprintln!("tonghop: không ghi được dữ liệu mẫu (cannot write the sample): {e}");
            EXIT_USAGE
        }
    }
}

/// Options of `tonghop build`.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub inputs: PathBuf,
    pub out: PathBuf,
    pub meeting: Option<chrono::NaiveDate>,
    pub weeks: Option<Vec<String>>,
    pub templates: Option<PathBuf>,
    /// The language of the outputs; its fallback is that of the messages.
    pub lang: Language,
    pub json: bool,
    /// The state folder of `watch` (ledger and archive), when there is one.
    pub state: Option<PathBuf>,
    /// Read every version from the archive instead of the inputs folder.
    pub from_archive: bool,
}

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
    pub output_dir: String,
    pub outputs: Vec<String>,
    /// Where the time went, in seconds (never written into the outputs).
    pub timings: Timings,
}

/// Seconds spent by stage in one `build`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Timings {
    /// Wall time of finding, reading and validating all files (parallel).
    pub read_and_validate_wall: f64,
    /// Reading time summed over threads.
    pub read_thread_seconds: f64,
    /// Validation time summed over threads.
    pub validate_thread_seconds: f64,
    pub aggregate: f64,
    pub render: f64,
    pub write: f64,
    pub total: f64,
}

/// An exclusive lock on an outputs folder, so that two runs never interleave writes.
///
/// Held for the lifetime of the value; the operating system releases it if the
/// process dies, so a killed run never leaves the folder locked.
pub struct OutputLock {
    _file: std::fs::File,
}

/// Name of the lock file in the outputs folder.
pub const LOCK_FILE: &str = ".tonghop.lock";

impl OutputLock {
    /// Takes the lock, waiting up to `wait` for another run to finish.
    pub fn acquire(out: &Path, wait: std::time::Duration) -> std::io::Result<Option<OutputLock>> {
        std::fs::create_dir_all(out)?;
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(out.join(LOCK_FILE))?;
        let deadline = std::time::Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(OutputLock { _file: file })),
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
                Err(std::fs::TryLockError::Error(e)) => return Err(e),
            }
        }
    }
}

/// Removes `.name.tmp-PID` files a killed run left behind (only called under the output lock,
/// so no live writer owns them).
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') && name.contains(".tmp-") && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Reads and validates the inputs for a build: the folder, or the archive's versions.
/// Received times come from the ledger's first sight when there is one.
pub fn gather(
    config: &Config,
    options: &BuildOptions,
    clock: &crate::StageClock,
    progress: (&dyn Fn(usize), &(dyn Fn() + Sync)),
) -> Result<Vec<FileReport>, String> {
    let (listed, ledger) = inputs(config, options)?;
    progress.0(listed.len());
    let mut reports: Vec<FileReport> = {
        use rayon::prelude::*;
        listed
            .par_iter()
            .map(|item| {
                let report = crate::check_input(config, item, clock);
                progress.1();
                report
            })
            .collect()
    };
    received_from_ledger(config, options, ledger.as_ref(), &mut reports);
    Ok(reports)
}

/// The inputs of a run: the inputs folder listed (or, with `--from-archive`,
/// every version in the ledger), and the ledger when there is one.
fn inputs(
    config: &Config,
    options: &BuildOptions,
) -> Result<(Vec<crate::Listed>, Option<crate::ledger::Ledger>), String> {
    let ledger = match &options.state {
        Some(dir) if dir.join(crate::ledger::DATABASE).exists() || options.from_archive => {
            Some(crate::ledger::Ledger::open(dir).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    let listed = if options.from_archive {
        archive_listing(config, ledger.as_ref().ok_or("--from-archive needs --state")?)?
    } else if options.inputs.is_dir() {
        crate::list_folder(config, &options.inputs)
    } else {
        return Err(format!(
            "không có thư mục đầu vào {} (inputs folder not found); dùng --inputs DIR",
            options.inputs.display()
        ));
    };
    Ok((listed, ledger))
}

/// A file of the inputs folder that the ledger saw first counts as received then.
fn received_from_ledger(
    config: &Config,
    options: &BuildOptions,
    ledger: Option<&crate::ledger::Ledger>,
    reports: &mut [FileReport],
) {
    let Some(ledger) = ledger.filter(|_| !options.from_archive) else { return };
    for r in reports {
        if let Ok(Some(first)) = ledger.first_seen(&r.file.path, &r.file.sha256) {
            r.file.received = Some(first.with_timezone(&config.calendar.timezone));
        }
    }
}

/// Every version the ledger recorded, read from the archive. A version over the
/// size limit was recorded without being archived: its report comes from its size.
fn archive_listing(config: &Config, ledger: &crate::ledger::Ledger) -> Result<Vec<crate::Listed>, String> {
    let tz = config.calendar.timezone;
    let entries = ledger.entries().map_err(|e| e.to_string())?;
    Ok(entries
        .iter()
        .map(|e| {
            let received = Some(e.first_seen.with_timezone(&tz));
            if e.size > config.limits.max_file_bytes {
                let report = crate::too_large_report(config, &e.path, e.size, e.sha256.clone(), received);
                return crate::Listed::Settled(Box::new(report));
            }
            let ext = Path::new(&e.path).extension().and_then(|x| x.to_str()).unwrap_or("bin");
            crate::Listed::Workbook(crate::Source {
                path: ledger.archive_path(&e.sha256, ext),
                display: e.path.clone(),
                received,
            })
        })
        .collect())
}

/// What `build` reads: the workbooks of the inputs folder (or, with
/// `--from-archive`, every version in the ledger), as far as the cycle needs
/// them ([`crate::read_for_cycle`]).
pub fn gather_for_cycle(
    config: &Config,
    options: &BuildOptions,
    choice: &crate::aggregate::CycleChoice,
    clock: &crate::StageClock,
    progress: (&dyn Fn(usize), &(dyn Fn() + Sync)),
) -> Result<crate::CycleReports, String> {
    let (listed, ledger) = inputs(config, options)?;
    progress.0(listed.len());
    let mut read = crate::read_for_cycle(config, &listed, choice, clock, progress.1)
        .map_err(|e| if options.lang.fallback() == Lang::Vi { e.vi } else { e.en })?;
    received_from_ledger(config, options, ledger.as_ref(), &mut read.reports);
    Ok(read)
}

/// The outputs of a cycle, rendered and written (under the output lock).
pub struct Produced {
    pub cycle: crate::aggregate::CycleSpec,
    pub summary: crate::aggregate::Summary,
    pub outputs: Vec<String>,
    pub dir: PathBuf,
    pub timings: Timings,
}

/// Aggregates, renders and writes `out/<cycle>/` from checked reports.
///
/// `other_weeks_files` counts the files not read past their general
/// information because their weeks do not count for the cycle.
pub fn produce(
    config: &Config,
    reports: &[FileReport],
    choice: &crate::aggregate::CycleChoice,
    other_weeks_files: usize,
    out: &Path,
    templates: Option<PathBuf>,
    lang: &Language,
) -> Result<Produced, String> {
    let cycle = crate::aggregate::resolve_cycle(&config.calendar, choice, reports)
        .map_err(|e| if lang.fallback() == Lang::Vi { e.vi } else { e.en })?;
    let stage = std::time::Instant::now();
    let mut summary = crate::aggregate::aggregate(config, &cycle, reports, lang.code());
    summary.other_weeks_files = other_weeks_files;
    let aggregate = stage.elapsed().as_secs_f64();
    let stage = std::time::Instant::now();
    let templates = crate::render::Templates { config_dir: config.dir.clone(), override_dir: templates };
    let outputs = crate::render::render_all(config, &summary, &templates, lang)
        .map_err(|e| format!("không tạo được {} (cannot render): {}", e.output, e.message))?;
    let render = stage.elapsed().as_secs_f64();
    let stage = std::time::Instant::now();
    let _lock = OutputLock::acquire(out, std::time::Duration::from_secs(30))
        .map_err(|e| format!("không khóa được {} (cannot lock the outputs folder): {e}", out.display()))?
        .ok_or_else(|| {
            format!(
                "một lần chạy khác đang ghi vào {} (another run is writing this outputs folder); chạy lại sau",
                out.display()
            )
        })?;
    let dir = out.join(&cycle.id);
    remove_stale_temporaries(&dir);
    crate::render::write_outputs(&dir, &outputs)
        .map_err(|e| format!("không ghi được {} (cannot write): {e}", dir.display()))?;
    // The cycle's files (and those whose week is unknown) get their receipts, so the
    // report can link to the reasons; parsed once, written in parallel, unchanged ones skipped.
    let receipt_template =
        crate::render::Compiled::new(config, &templates, lang, crate::render::receipt::RECEIPT_TEMPLATE)
            .map_err(|e| e.to_string())?;
    let in_cycle = |r: &&FileReport| {
        r.status != crate::model::FileStatus::Ignored
            && r.week.is_none_or(|w| cycle.weeks.iter().any(|c| c.due == w.due))
    };
    {
        use rayon::prelude::*;
        let receipts: Vec<&FileReport> = reports.iter().filter(in_cycle).collect();
        receipts
            .par_iter()
            .try_for_each(|report| crate::watch::write_receipt(config, out, report, &receipt_template, lang))?;
    }
    let timings = Timings { aggregate, render, write: stage.elapsed().as_secs_f64(), ..Timings::default() };
    Ok(Produced { cycle, summary, outputs: outputs.into_iter().map(|o| o.name).collect(), dir, timings })
}

/// `tonghop build`: reads the inputs, aggregates the cycle and writes `outputs/<cycle>/`.
pub fn build(config: &Config, options: &BuildOptions) -> i32 {
    use std::io::IsTerminal;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(if options.lang.fallback() == Lang::Vi { "Đọc tệp" } else { "Reading" });
        bar
    });
    let started = std::time::Instant::now();
    let clock = crate::StageClock::default();
    let on_found = |n: usize| {
        if let Some(b) = &bar {
            b.set_length(n as u64);
        }
    };
    let on_file = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let choice = match (&options.meeting, &options.weeks) {
        (Some(m), _) => crate::aggregate::CycleChoice::Meeting(*m),
        (None, Some(w)) => crate::aggregate::CycleChoice::Weeks(w.clone()),
        (None, None) => crate::aggregate::CycleChoice::Latest,
    };
    let read = match gather_for_cycle(config, options, &choice, &clock, (&on_found, &on_file)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tonghop: {e}");
            return EXIT_USAGE;
        }
    };
    let ingest_wall = started.elapsed().as_secs_f64();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    // The cycle is settled: the latest one is named by its meeting from here on.
    let choice = match read.cycle.meeting {
        Some(meeting) => crate::aggregate::CycleChoice::Meeting(meeting),
        None => choice,
    };
    let reports = read.reports;
    let produced = match produce(
        config,
        &reports,
        &choice,
        read.not_needed,
        &options.out,
        options.templates.clone(),
        &options.lang,
    ) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("tonghop: {e}");
            return EXIT_USAGE;
        }
    };
    let timings = Timings {
        read_and_validate_wall: ingest_wall,
        read_thread_seconds: clock.read_seconds(),
        validate_thread_seconds: clock.validate_seconds(),
        total: started.elapsed().as_secs_f64(),
        ..produced.timings.clone()
    };
    let summary = &produced.summary;
    let report = BuildReport {
        cycle: produced.cycle.id.clone(),
        meeting: produced.cycle.meeting,
        weeks: produced.cycle.weeks.iter().map(|w| w.label()).collect(),
        files: count_files(&reports),
        other_weeks_files: read.not_needed,
        on_time: summary.submissions.on_time,
        late: summary.submissions.late,
        rejected: summary.submissions.rejected,
        missing: summary.submissions.missing,
        overdue_tasks: summary.tasks.overdue_count,
        quality_flags: summary.quality.len(),
        output_dir: produced.dir.display().to_string(),
        outputs: produced.outputs.clone(),
        timings,
    };
    if options.json {
        if let Err(code) = print_json(&report) {
            return code;
        }
    } else {
        print_build_report(&report, options.lang.fallback());
    }
    EXIT_OK
}

fn print_build_report(r: &BuildReport, lang: Lang) {
    let f = &r.files;
    match lang {
        Lang::Vi => {
            match r.meeting {
                Some(m) => println!("Phiên họp {} — các tuần {}", m.format("%d/%m/%Y"), r.weeks.join(", ")),
                None => println!("Các tuần {}", r.weeks.join(", ")),
            }
            println!(
                "Tệp: {} tiếp nhận, {} có cảnh báo, {} từ chối, {} bỏ qua.",
                f.accepted, f.accepted_with_warnings, f.rejected, f.ignored
            );
            if r.other_weeks_files > 0 {
                println!(
                    "{} tệp của các tuần khác không dùng cho kỳ này (chỉ đọc phần thông tin chung; kiểm tra bằng tonghop check).",
                    r.other_weeks_files
                );
            }
            println!(
                "Báo cáo: {} đúng hạn, {} trễ hạn, {} bị từ chối, {} chưa nộp. Nhiệm vụ quá hạn: {}. Số liệu cần kiểm tra: {}.",
                r.on_time, r.late, r.rejected, r.missing, r.overdue_tasks, r.quality_flags
            );
            println!("Kết quả: {} ({})", r.output_dir, r.outputs.join(", "));
        }
        Lang::En => {
            match r.meeting {
                Some(m) => println!("Meeting of {m} — weeks {}", r.weeks.join(", ")),
                None => println!("Weeks {}", r.weeks.join(", ")),
            }
            println!(
                "Files: {} accepted, {} with warnings, {} rejected, {} ignored.",
                f.accepted, f.accepted_with_warnings, f.rejected, f.ignored
            );
            if r.other_weeks_files > 0 {
                println!(
                    "{} files of other weeks not used for this cycle (general information only read; check them with tonghop check).",
                    r.other_weeks_files
                );
            }
            println!(
                "Reports: {} on time, {} late, {} rejected, {} missing. Overdue tasks: {}. Figures to check: {}.",
                r.on_time, r.late, r.rejected, r.missing, r.overdue_tasks, r.quality_flags
            );
            println!("Outputs: {} ({})", r.output_dir, r.outputs.join(", "));
        }
    }
}

/// `tonghop watch`: runs until Ctrl-C.
pub fn watch(config: &Config, options: &crate::watch::WatchOptions) -> i32 {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    if let Err(e) = ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst)) {
        eprintln!("tonghop: {e}");
        return EXIT_USAGE;
    }
    match crate::watch::run(config, options, stop) {
        Ok(_) => EXIT_OK,
        Err(e) => {
            eprintln!("tonghop: {e}");
            EXIT_USAGE
        }
    }
}

/// `tonghop status`: who has reported for a week.
pub fn status(config: &Config, options: &BuildOptions, week: Option<&str>, json: bool) -> i32 {
    let week = match week {
        Some(label) => match config.calendar.week_by_label(label) {
            Some(w) => w,
            None => {
                eprintln!("tonghop: «{label}» không phải tuần báo cáo đã quy định (not a configured week)");
                return EXIT_USAGE;
            }
        },
        None => {
            let today = chrono::Utc::now().with_timezone(&config.calendar.timezone).date_naive();
            match crate::watch::current_week(config, today) {
                Some(w) => w,
                None => {
                    eprintln!("tonghop: chưa có tuần báo cáo nào (no reporting week yet); dùng --week");
                    return EXIT_USAGE;
                }
            }
        }
    };
    let reports = match gather(config, options, &crate::StageClock::default(), (&|_| {}, &|| {})) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tonghop: {e}");
            return EXIT_USAGE;
        }
    };
    let board = crate::watch::week_status(config, &reports, week);
    let mut out = std::io::stdout().lock();
    if json {
        let value = serde_json::json!({ "week": week.label(), "deadline": config.calendar.deadline(&week).to_rfc3339(), "submissions": board });
        return print_json(&value).err().unwrap_or(EXIT_OK);
    }
    let vi = options.lang.fallback() == Lang::Vi;
    let _ = writeln!(
        out,
        "{} {} — {}: {} · {}: {} · {}: {} · {}: {}",
        if vi { "Tuần" } else { "Week" },
        week.label(),
        if vi { "đúng hạn" } else { "on time" },
        board.on_time,
        if vi { "trễ hạn" } else { "late" },
        board.late,
        if vi { "bị từ chối" } else { "rejected" },
        board.rejected,
        if vi { "chưa nộp" } else { "missing" },
        board.missing
    );
    for row in &board.rows {
        use crate::aggregate::Timeliness;
        if row.timeliness == Timeliness::OnTime {
            continue;
        }
        let name = config.units.get(&row.unit).map(|u| if vi { u.short.as_str() } else { u.en.as_str() }).unwrap_or("");
        let what = match (row.timeliness, vi) {
            (Timeliness::Late, _) => format!(
                "{} {}",
                if vi { "trễ" } else { "late by" },
                crate::render::format::duration(row.minutes_late.unwrap_or(0), &options.lang)
            ),
            (Timeliness::Rejected, true) => "bị từ chối".into(),
            (Timeliness::Rejected, false) => "rejected".into(),
            (_, true) => "chưa nộp".into(),
            (_, false) => "missing".into(),
        };
        let _ = writeln!(out, "  {:<8} {:<28} {what}", row.unit, name);
    }
    EXIT_OK
}

/// `tonghop template`: rebuilds the meeting document's Word template from scratch.
///
/// The generator writes Vietnamese and English. For another language it writes
/// the fallback's template, to a file named with `-o` only, so that a
/// translated template is never overwritten.
pub fn template(config: &Config, out: Option<&Path>, lang: &Language) -> i32 {
    let path = match (out, lang.builtin()) {
        (Some(out), _) => out.to_path_buf(),
        (None, Some(_)) => config.dir.join(lang.code()).join(crate::render::docx::DOCX_NAME),
        (None, None) => {
            eprintln!(
                "tonghop: mẫu mặc định chỉ có tiếng Việt và tiếng Anh; dùng -o TỆP để ghi mẫu «{}» rồi dịch trong Word \
                 (the default template exists in vi and en only; write the {} one with -o FILE and translate it)",
                lang.fallback().code(),
                lang.fallback().code()
            );
            return EXIT_USAGE;
        }
    };
    match write_atomic(&path, &crate::render::docx::build_template(config, lang.fallback())) {
        Ok(()) => {
            println!("{}", path.display());
            EXIT_OK
        }
        Err(e) => {
            eprintln!("tonghop: không ghi được {} (cannot write): {e}", path.display());
            EXIT_USAGE
        }
    }
}
