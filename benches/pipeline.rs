//! The pipeline benchmark (issue 8, docs/product.md §8): how close `check` and `build`
//! come to the cost of reading the files at all, on one core and on all cores,
//! and how much memory they hold.
//!
//! ```sh
//! cargo bench --bench pipeline                         # N = 100 and 1,000
//! TONGHOP_BENCH_FULL=1 cargo bench --bench pipeline    # and 10,000
//! cargo bench --bench pipeline -- 300 3000             # chosen sizes (or TONGHOP_BENCH_SIZES=300,3000)
//! TONGHOP_BENCH_RUNS=5 cargo bench --bench pipeline    # repetitions per measurement (default 3)
//! TONGHOP_BENCH_BIN=/path/to/tonghop cargo bench …     # measure another build of the binary
//! ```
//!
//! For each N it generates N filled weekly reports with the project's own form
//! writer (cached under `target/bench-inputs/<N>/`, each file written only when
//! missing: delete the folder to regenerate), then runs, each as its own process
//! so that peak memory is per process, and each `TONGHOP_BENCH_RUNS` times:
//!
//! - (a) the floor: this binary re-invoked with a hidden argument, a plain
//!   single-threaded calamine pass opening every file and touching every cell
//!   of every sheet;
//! - (b) `tonghop check <dir> --json`, all cores;
//! - (c) `tonghop build --weeks <the last two weeks> --json`, `RAYON_NUM_THREADS=1`;
//! - (d) the same build on all cores.
//!
//! It prints the median wall time, the ratio to the floor, CPU time and peak
//! resident memory (from `/usr/bin/time -v`, or by polling `VmHWM` in
//! `/proc/<pid>/status` when it is missing), and the stage timings `build`
//! reports in its JSON. Tables are printed as Markdown for `BENCHMARKS.md`.
//! No assertion: the benchmark prints, the tests check correctness.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use rayon::prelude::*;
use tonghop::form::{Fill, FormRequest, write_form};
use tonghop::model::ReportWeek;
use tonghop::schema::{Config, Unit};
use tonghop::text::fold_key;

/// The hidden argument that turns this binary into the floor measurement.
const FLOOR_ARG: &str = "--tonghop-bench-floor";
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
/// The `tonghop` binary cargo built for this bench (`bench` profile = release + line tables).
const TONGHOP_BUILT: &str = env!("CARGO_BIN_EXE_tonghop");
const TIME: &str = "/usr/bin/time";

/// The binary measured: `TONGHOP_BENCH_BIN` if set (e.g. a copy kept aside), else the one cargo built.
fn tonghop_bin() -> String {
    std::env::var("TONGHOP_BENCH_BIN").unwrap_or_else(|_| TONGHOP_BUILT.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(FLOOR_ARG) {
        let Some(dir) = args.get(1) else {
            eprintln!("usage: {FLOOR_ARG} DIR");
            std::process::exit(2);
        };
        floor(Path::new(dir));
        return;
    }
    if let Err(e) = run(&args) {
        eprintln!("pipeline bench: {e}");
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------- (a) the floor

/// Opens every workbook under `dir` with calamine and touches every cell of
/// every sheet, on one thread; prints what it saw so nothing is optimised away.
fn floor(dir: &Path) {
    use calamine::{Data, Reader, open_workbook_auto};
    let mut files = Vec::new();
    list_workbooks(dir, &mut files);
    files.sort();
    let (mut sheets, mut cells, mut bytes) = (0u64, 0u64, 0u64);
    for path in &files {
        let mut workbook = match open_workbook_auto(path) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                continue;
            }
        };
        for name in workbook.sheet_names() {
            let Ok(range) = workbook.worksheet_range(&name) else { continue };
            sheets += 1;
            for (_, _, value) in range.used_cells() {
                cells += 1;
                bytes += match value {
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.len() as u64,
                    Data::Float(_) | Data::Int(_) | Data::DateTime(_) => 8,
                    Data::Bool(_) | Data::Error(_) => 1,
                    Data::Empty => 0,
                };
            }
        }
    }
    let bytes = std::hint::black_box(bytes);
    println!("files={} sheets={sheets} cells={cells} text_bytes={bytes}", files.len());
}

fn list_workbooks(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => list_workbooks(&path, out),
            Ok(t) if t.is_file() && path.extension().is_some_and(|e| e == "xlsx") => out.push(path),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------- the driver

fn sizes(args: &[String]) -> Result<Vec<usize>, String> {
    let parse = |s: &str| s.trim().replace('_', "").parse::<usize>().map_err(|_| format!("not a size: {s:?}"));
    // `cargo bench` passes `--bench`; sizes are the other arguments.
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !positional.is_empty() {
        return positional.iter().map(|s| parse(s)).collect();
    }
    if let Ok(list) = std::env::var("TONGHOP_BENCH_SIZES") {
        return list.split(',').filter(|s| !s.trim().is_empty()).map(parse).collect();
    }
    let mut sizes = vec![100, 1_000];
    if std::env::var("TONGHOP_BENCH_FULL").is_ok_and(|v| v == "1") {
        sizes.push(10_000);
    }
    Ok(sizes)
}

fn run(args: &[String]) -> Result<(), String> {
    let sizes = sizes(args)?;
    let runs: usize = match std::env::var("TONGHOP_BENCH_RUNS") {
        Ok(v) => v.parse().map_err(|_| format!("TONGHOP_BENCH_RUNS={v:?} is not a number"))?,
        Err(_) => 3,
    };
    let runs = runs.max(1);
    let root = PathBuf::from(MANIFEST_DIR);
    // A binary of another version may need the configuration of its own version.
    let config_dir =
        std::env::var_os("TONGHOP_BENCH_CONFIG").map(PathBuf::from).unwrap_or_else(|| root.join("report_templates"));
    let config = Config::load(&config_dir).map_err(|e| format!("configuration: {e}"))?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let tonghop = tonghop_bin();
    let floor_exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let meter = if Path::new(TIME).is_file() { Meter::Time } else { Meter::Poll };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);

    println!("# tonghop pipeline benchmark");
    println!();
    println!("- binary: `{tonghop}`");
    println!("- cores: {cores}; repetitions: {runs} (median wall time; peak RSS is the largest of the runs)");
    println!(
        "- peak RSS from: {}",
        match meter {
            Meter::Time => "`/usr/bin/time -v` (Maximum resident set size)",
            Meter::Poll => "polling `VmHWM` in /proc/<pid>/status every 2 ms (/usr/bin/time not found)",
        }
    );
    let mut peaks: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    for &n in &sizes {
        let set = ensure_inputs(&config, &target.join("bench-inputs").join(n.to_string()), n)?;
        warm_cache(&set.dir);
        let out_dir = target.join("bench-outputs").join(n.to_string());
        let logs = out_dir.join("logs");
        std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
        let config_arg = config_dir.display().to_string();
        let dir_arg = set.dir.display().to_string();
        let weeks_arg = set.last_two_weeks.join(",");
        let build = |threads: Option<&str>| Job {
            program: PathBuf::from(&tonghop),
            args: vec![
                "--config".into(),
                config_arg.clone(),
                "build".into(),
                "--inputs".into(),
                dir_arg.clone(),
                "--out".into(),
                out_dir.join(if threads.is_some() { "build-1" } else { "build-all" }).display().to_string(),
                "--weeks".into(),
                weeks_arg.clone(),
                "--json".into(),
            ],
            rayon_threads: threads.map(str::to_string),
            keep_stdout: true,
        };
        let jobs = [
            (
                "(a) floor: calamine, every cell of every sheet, 1 thread",
                Job {
                    program: floor_exe.clone(),
                    args: vec![FLOOR_ARG.into(), dir_arg.clone()],
                    rayon_threads: None,
                    keep_stdout: true,
                },
            ),
            (
                "(b) `check DIR --json`, all cores",
                Job {
                    program: PathBuf::from(&tonghop),
                    args: vec!["--config".into(), config_arg.clone(), "check".into(), dir_arg.clone(), "--json".into()],
                    rayon_threads: None,
                    keep_stdout: false,
                },
            ),
            ("(c) `build --weeks …`, `RAYON_NUM_THREADS=1`", build(Some("1"))),
            ("(d) `build --weeks …`, all cores", build(None)),
        ];
        eprintln!("N = {n}: measuring {} × {runs} processes …", jobs.len());
        let load_before = load_average();
        let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); jobs.len()];
        // Interleaved, so that a slow moment of the machine spreads over all four.
        for run in 0..runs {
            for (i, (_, job)) in jobs.iter().enumerate() {
                let sample = measure(job, meter, &logs, &format!("{i}-{run}"))?;
                samples[i].push(sample);
            }
        }
        let results: Vec<Summary> = samples.iter().map(|s| summarize(s)).collect();
        print_size(n, &set, &jobs.iter().map(|(l, _)| *l).collect::<Vec<_>>(), &results, cores);
        println!();
        println!("Load average (1, 5, 15 min) before / after: {load_before} / {}", load_average());
        peaks.insert(n, (results[2].peak_kb, results[3].peak_kb));
    }
    if peaks.len() > 1 {
        println!();
        println!("## Peak memory of `build` against N");
        println!();
        println!("| N | build 1 thread (MB) | build all cores (MB) |");
        println!("|---:|---:|---:|");
        for (n, (one, all)) in &peaks {
            println!("| {n} | {:.1} | {:.1} |", mb(*one), mb(*all));
        }
        if let (Some(a), Some(b)) = (peaks.get(&1_000), peaks.get(&10_000)) {
            println!();
            println!(
                "Growth from N = 1,000 to 10,000: {:.2}× (1 thread), {:.2}× (all cores); target ≤ 1.5× and ≤ 256 MB.",
                b.0 as f64 / a.0.max(1) as f64,
                b.1 as f64 / a.1.max(1) as f64
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- measuring a process

#[derive(Clone, Copy, PartialEq, Eq)]
enum Meter {
    Time,
    Poll,
}

struct Job {
    program: PathBuf,
    args: Vec<String>,
    /// `Some(n)`: `RAYON_NUM_THREADS=n`; `None`: unset (all cores).
    rayon_threads: Option<String>,
    /// Keep stdout (for the floor's counts and build's JSON); otherwise it goes to /dev/null.
    keep_stdout: bool,
}

#[derive(Clone)]
struct Sample {
    wall: f64,
    /// User + system CPU seconds, when known.
    cpu: Option<f64>,
    peak_kb: u64,
    status: i32,
    stdout: String,
}

fn measure(job: &Job, meter: Meter, logs: &Path, tag: &str) -> Result<Sample, String> {
    let stdout_path = logs.join(format!("{tag}.stdout"));
    let stderr_path = logs.join(format!("{tag}.stderr"));
    let time_path = logs.join(format!("{tag}.time"));
    let mut command = match meter {
        Meter::Time => {
            let mut c = Command::new(TIME);
            c.arg("-v").arg("-o").arg(&time_path).arg(&job.program);
            c
        }
        Meter::Poll => Command::new(&job.program),
    };
    command.args(&job.args).current_dir(MANIFEST_DIR).stdin(Stdio::null());
    match &job.rayon_threads {
        Some(n) => command.env("RAYON_NUM_THREADS", n),
        None => command.env_remove("RAYON_NUM_THREADS"),
    };
    let open = |p: &Path| std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()));
    command.stdout(if job.keep_stdout { Stdio::from(open(&stdout_path)?) } else { Stdio::null() });
    command.stderr(Stdio::from(open(&stderr_path)?));
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("cannot start {}: {e}", job.program.display()))?;
    let mut polled_kb = 0u64;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {
                if meter == Meter::Poll {
                    polled_kb = polled_kb.max(vm_hwm_kb(child.id()).unwrap_or(0));
                    std::thread::sleep(Duration::from_millis(2));
                } else {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            Err(e) => return Err(format!("waiting for {}: {e}", job.program.display())),
        }
    };
    let wall = started.elapsed().as_secs_f64();
    let code = status.code().unwrap_or(-1);
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    // check and build exit 1 when some file is rejected; anything else is a failure.
    if code != 0 && code != 1 {
        let tail: String =
            stderr.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        return Err(format!("{} {} exited with {code}:\n{tail}", job.program.display(), job.args.join(" ")));
    }
    let stdout =
        if job.keep_stdout { std::fs::read_to_string(&stdout_path).unwrap_or_default() } else { String::new() };
    let (peak_kb, cpu) = match meter {
        Meter::Time => {
            let report = std::fs::read_to_string(&time_path).map_err(|e| format!("{}: {e}", time_path.display()))?;
            let field = |name: &str| {
                report.lines().find_map(|l| {
                    l.trim().strip_prefix(name).map(|v| v.trim().trim_start_matches(':').trim().to_string())
                })
            };
            let peak = field("Maximum resident set size (kbytes)").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            let user = field("User time (seconds)").and_then(|v| v.parse::<f64>().ok());
            let system = field("System time (seconds)").and_then(|v| v.parse::<f64>().ok());
            (peak, user.zip(system).map(|(u, s)| u + s))
        }
        Meter::Poll => (polled_kb, None),
    };
    Ok(Sample { wall, cpu, peak_kb, status: code, stdout })
}

/// `/proc/loadavg`'s first three fields: other work on the machine skews the wall times.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Summary {
    wall: f64,
    wall_min: f64,
    wall_max: f64,
    cpu: Option<f64>,
    peak_kb: u64,
    /// The median run's sample (its stdout holds the JSON of that run).
    median: Sample,
}

fn median_index(values: &[f64]) -> usize {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    order[order.len() / 2]
}

fn summarize(samples: &[Sample]) -> Summary {
    let walls: Vec<f64> = samples.iter().map(|s| s.wall).collect();
    let m = median_index(&walls);
    let cpus: Vec<f64> = samples.iter().filter_map(|s| s.cpu).collect();
    Summary {
        wall: walls[m],
        wall_min: walls.iter().copied().fold(f64::INFINITY, f64::min),
        wall_max: walls.iter().copied().fold(0.0, f64::max),
        cpu: (!cpus.is_empty()).then(|| cpus[median_index(&cpus)]),
        peak_kb: samples.iter().map(|s| s.peak_kb).max().unwrap_or(0),
        median: samples[m].clone(),
    }
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

fn print_size(n: usize, set: &InputSet, labels: &[&str], results: &[Summary], cores: usize) {
    let floor = results[0].wall;
    println!();
    println!(
        "## N = {n} files ({} weeks × up to {} units, {:.1} MB on disk; build --weeks {})",
        set.weeks,
        set.units,
        set.bytes as f64 / 1e6,
        set.last_two_weeks.join(",")
    );
    println!();
    if let Some(line) = results[0].median.stdout.lines().next() {
        println!("Floor saw: {line}");
    }
    if results[1].median.status != 0 {
        println!("**check exited {}: some files were rejected**", results[1].median.status);
    }
    for (label, r) in labels.iter().zip(results).skip(2) {
        if let Some(report) = parse_json(&r.median.stdout) {
            let files = &report["files"];
            println!(
                "{} — files read whole: {} accepted, {} with warnings, {} rejected, {} ignored; other weeks (general information only): {}; cycle: {} on time, {} late, {} missing; {} quality flags",
                label.split_whitespace().next().unwrap_or(""),
                files["accepted"],
                files["accepted_with_warnings"],
                files["rejected"],
                files["ignored"],
                report["other_weeks_files"],
                report["on_time"],
                report["late"],
                report["missing"],
                report["quality_flags"],
            );
        }
    }
    println!();
    println!("| measurement | wall (s), median | min–max (s) | ratio to floor | CPU user+sys (s) | peak RSS (MB) |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, r) in labels.iter().zip(results) {
        println!(
            "| {label} | {:.3} | {:.3}–{:.3} | {:.2} | {} | {:.1} |",
            r.wall,
            r.wall_min,
            r.wall_max,
            r.wall / floor,
            r.cpu.map(|c| format!("{c:.2}")).unwrap_or_else(|| "–".into()),
            mb(r.peak_kb)
        );
    }
    println!();
    println!("Where `build`'s time goes (seconds, from `build --json` `timings`, median run):");
    println!();
    println!("| stage | (c) 1 thread | share | (d) {cores} cores | share |");
    println!("|---|---:|---:|---:|---:|");
    let timings: Vec<Option<serde_json::Value>> =
        results[2..4].iter().map(|r| parse_json(&r.median.stdout).map(|v| v["timings"].clone())).collect();
    let get = |t: &Option<serde_json::Value>, k: &str| t.as_ref().and_then(|t| t[k].as_f64());
    let stages = [
        ("read_and_validate_wall", "find, read and validate (wall)"),
        ("read_thread_seconds", "↳ reading (summed over threads)"),
        ("validate_thread_seconds", "↳ validating (summed over threads)"),
        ("aggregate", "aggregate"),
        ("render", "render"),
        ("write", "write outputs"),
        ("total", "total (inside the process)"),
    ];
    for (key, label) in stages {
        let cell = |t: &Option<serde_json::Value>| match (get(t, key), get(t, "total")) {
            (Some(v), Some(total)) if total > 0.0 => format!("{v:.3} | {:.1} %", 100.0 * v / total),
            _ => "– | –".into(),
        };
        println!("| {label} | {} | {} |", cell(&timings[0]), cell(&timings[1]));
    }
    let outside = |i: usize| {
        get(&timings[i - 2], "total").map(|t| format!("{:.3}", results[i].wall - t)).unwrap_or_else(|| "–".into())
    };
    println!("| process start, configuration, JSON (wall − total) | {} | | {} | |", outside(2), outside(3));
    println!();
    let ratio = |i: usize| results[i].wall / floor;
    println!(
        "Targets at this N: c/a = {:.2} (≤ 1.10 at N = 10,000); d/a = {:.2} (≤ 0.60); build peak RSS {:.1} / {:.1} MB (≤ 256 MB); render share {} (< 10 %).",
        ratio(2),
        ratio(3),
        mb(results[2].peak_kb),
        mb(results[3].peak_kb),
        match (get(&timings[1], "render"), get(&timings[1], "total")) {
            (Some(r), Some(t)) if t > 0.0 => format!("{:.1} % (all cores)", 100.0 * r / t),
            _ => "–".into(),
        }
    );
}

fn parse_json(stdout: &str) -> Option<serde_json::Value> {
    serde_json::from_str(stdout.trim()).ok()
}

/// Reads every input once so that every measured run finds them in the page cache.
fn warm_cache(dir: &Path) {
    let mut files = Vec::new();
    list_workbooks(dir, &mut files);
    for f in files {
        let _ = std::hint::black_box(std::fs::read(f));
    }
}

// ---------------------------------------------------------------- generating the inputs

struct InputSet {
    dir: PathBuf,
    weeks: usize,
    units: usize,
    bytes: u64,
    last_two_weeks: Vec<String>,
}

/// N filled reports: file `i` is unit `i mod units` for week `i / units`, weeks
/// consecutive from the calendar's first due Monday, so each (unit, week) occurs
/// once and the last two weeks hold every unit (when N ≥ 2 × units, or one week does).
fn ensure_inputs(config: &Config, dir: &Path, n: usize) -> Result<InputSet, String> {
    let units = config.units.units();
    if units.is_empty() {
        return Err("the unit registry is empty".into());
    }
    let week_count = n.div_ceil(units.len());
    let weeks: Vec<ReportWeek> = (0..week_count as u64)
        .map(|k| {
            config
                .calendar
                .week_due(config.calendar.first_due + Days::new(7 * k))
                .ok_or_else(|| format!("week {k} is not a configured reporting week"))
        })
        .collect::<Result<_, _>>()?;
    let planned: Vec<(usize, &Unit, PathBuf)> = (0..n)
        .map(|i| {
            let (w, unit) = (i / units.len(), &units[i % units.len()]);
            (w, unit, dir.join(weeks[w].label()).join(format!("{}-{}.xlsx", unit.code, slug(unit))))
        })
        .collect();
    let missing: Vec<&(usize, &Unit, PathBuf)> = planned.iter().filter(|(_, _, p)| !p.is_file()).collect();
    if !missing.is_empty() {
        eprintln!("N = {n}: generating {} of {n} files under {} …", missing.len(), dir.display());
        let started = Instant::now();
        missing.par_iter().try_for_each(|(w, unit, path)| write_report(config, unit, &weeks[*w], *w as u32, path))?;
        eprintln!("N = {n}: generated in {:.1} s", started.elapsed().as_secs_f64());
    }
    let bytes = planned.iter().filter_map(|(_, _, p)| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
    let last_two_weeks = weeks.iter().rev().take(2).rev().map(ReportWeek::label).collect();
    Ok(InputSet { dir: dir.to_path_buf(), weeks: weeks.len(), units: units.len(), bytes, last_two_weeks })
}

fn write_report(config: &Config, unit: &Unit, week: &ReportWeek, w: u32, path: &Path) -> Result<(), String> {
    let fill = fill(config, unit, week, w);
    let bytes = write_form(
        config,
        &FormRequest { unit_type: &unit.unit_type, unit: Some(unit), week: Some(*week), fill: Some(&fill) },
    )
    .map_err(|e| format!("write_form {}: {e}", path.display()))?;
    let err = |e: std::io::Error| format!("{}: {e}", path.display());
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    // Through a temporary name, so an interrupted generation never leaves half a file behind.
    let tmp = path.with_extension(format!("xlsx.tmp-{}", std::process::id()));
    std::fs::write(&tmp, &bytes).map_err(err)?;
    let received = at(config.calendar.timezone, week.due, 9, 0);
    let file = std::fs::OpenOptions::new().write(true).open(&tmp).map_err(err)?;
    file.set_modified(received.with_timezone(&chrono::Utc).into()).map_err(err)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(err)
}

fn slug(unit: &Unit) -> String {
    fold_key(&unit.short).split(' ').collect::<Vec<_>>().join("-")
}

fn at(tz: Tz, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Tz> {
    let naive = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default());
    tz.from_local_datetime(&naive).earliest().unwrap_or_else(|| tz.from_utc_datetime(&naive))
}

/// The content of the bundled sample (`tonghop::sample::weekly_fill`): the same orders of
/// magnitude, every rule respected, stable per unit, a little noise per week.
fn fill(config: &Config, unit: &Unit, week: &ReportWeek, w: u32) -> Fill {
    tonghop::sample::weekly_fill(config, unit, week, w)
}
