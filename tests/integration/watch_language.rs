//! `tonghop watch` speaks the language of `--lang`: every line of its log is
//! one of the `[watch]` table of that language's `language.toml` (Vietnamese
//! by default, English with `--lang en`, and an added language without its own
//! table in the words of its fallback), timed in the configured time zone.
//! Each run is checked line by line against the patterns filled as the log
//! fills them, and for nothing lost.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{NaiveTime, Timelike};
use serde_json::Value;
use tonghop::language::{Language, WatchWords, fill};

use crate::watch::{Watcher, ledger_rows, receipt, receipt_path, sample};

const INTERVAL: f64 = 0.5;

/// The lines a run must print, from the language's own words.
struct Expected {
    words: WatchWords,
    lang: Language,
}

impl Expected {
    /// `code` as `config` holds it; its `[watch]` words, or its fallback's.
    fn load(config: &Path, code: &str) -> Expected {
        let lang = Language::load(&[config], code).expect("language");
        let words = match lang.watch() {
            Some(words) => words.clone(),
            None => {
                let fallback = Language::load(&[config], lang.fallback().code()).expect("fallback");
                fallback.watch().expect("a built-in language has [watch]").clone()
            }
        };
        Expected { words, lang }
    }

    fn seconds(&self, s: f64) -> String {
        fill(&self.words.seconds, &[("n", tonghop::render::format::number(s, 3, &self.lang))])
    }

    fn start(&self, root: &Path) -> String {
        let mode = fill(&self.words.polling, &[("interval", self.seconds(INTERVAL))]);
        let values = [
            ("inputs", shown(&root.join("in"))),
            ("mode", mode),
            ("out", shown(&root.join("out"))),
            ("state", shown(&root.join("state"))),
            ("known", "0".to_string()),
        ];
        fill(&self.words.start, &values)
    }

    /// The line of a file: `verdict` one of the verdict words, `reason` filled or empty.
    fn file(&self, path: &str, verdict: &str, unit: &str, week: &str, reason: String, receipt: &Path) -> String {
        let values = [
            ("path", path.to_string()),
            ("verdict", verdict.to_string()),
            ("about", fill(&self.words.about_unit_week, &[("unit", unit.into()), ("week", week.into())])),
            ("reason", reason),
            ("receipt", fill(&self.words.receipt, &[("path", shown(receipt))])),
            ("retry", String::new()),
        ];
        fill(&self.words.file, &values)
    }

    /// The reason of a rejection as its receipt gives it: the first error, in
    /// the built-in language of this one.
    fn reason(&self, receipt: &Value) -> String {
        let issues = receipt["report"]["issues"].as_array().expect("issues");
        let errors: Vec<&Value> = issues.iter().filter(|i| i["severity"] == "error").collect();
        let first = errors[0];
        let message = first[format!("message_{}", self.lang.fallback().code())].as_str().expect("message");
        let place = format!(
            "{}!{}: ",
            first["location"]["sheet"].as_str().expect("sheet"),
            first["location"]["cell"].as_str().expect("cell")
        );
        let more = match errors.len() - 1 {
            0 => String::new(),
            n => fill(&self.words.more, &[("n", n.to_string())]),
        };
        let values = [
            ("code", first["code"].as_str().expect("code").to_string()),
            ("place", place),
            ("message", message.strip_suffix('.').unwrap_or(message).to_string()),
            ("more", more),
        ];
        fill(&self.words.reason, &values)
    }
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// `watch --poll` on `root/in` in `code`, its log read as it comes.
struct Running {
    watcher: Watcher,
    log: Arc<Mutex<Vec<u8>>>,
    reader: std::thread::JoinHandle<()>,
}

impl Running {
    fn start(root: &Path, config: &Path, code: &str) -> Running {
        let child = Command::new(env!("CARGO_BIN_EXE_tonghop"))
            .arg("--config")
            .arg(config)
            .args(["--lang", code, "watch", "--poll", "--settle", "0.3", "--interval", &INTERVAL.to_string()])
            .arg("--inputs")
            .arg(root.join("in"))
            .arg("--out")
            .arg(root.join("out"))
            .arg("--state")
            .arg(root.join("state"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start watch");
        let mut watcher = Watcher { child };
        let log = Arc::new(Mutex::new(Vec::<u8>::new()));
        let mut stderr = watcher.child.stderr.take().expect("stderr");
        let sink = Arc::clone(&log);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = std::io::Read::read(&mut stderr, &mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("log").extend_from_slice(&buf[..n]);
            }
        });
        Running { watcher, log, reader }
    }

    fn log(&self) -> String {
        String::from_utf8_lossy(&self.log.lock().expect("log")).into_owned()
    }

    /// Waits until a line of the log holds `needle`.
    fn wait_for(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.log().contains(needle) {
            assert!(Instant::now() < deadline, "no line with {needle:?} after 30 s:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM, as a service stop sends; the whole log once it has exited cleanly.
    fn terminate(mut self) -> String {
        let pid = libc::pid_t::try_from(self.watcher.child.id()).expect("pid");
        // SAFETY: a signal to our own child process, which has not been waited for yet.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "SIGTERM sent");
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.watcher.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "watch did not stop on SIGTERM:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        };
        self.reader.join().expect("log reader");
        let log = String::from_utf8_lossy(&self.log.lock().expect("log")).into_owned();
        assert_eq!(status.code(), Some(0), "watch exits 0 on SIGTERM:\n{log}");
        log
    }
}

/// The line's time and text: `HH:MM:SS text`.
fn timed(line: &str) -> (NaiveTime, &str) {
    let (time, text) = line.split_once(' ').unwrap_or_else(|| panic!("a line without its time: {line:?}"));
    let time = NaiveTime::parse_from_str(time, "%H:%M:%S").unwrap_or_else(|_| panic!("not a time: {line:?}"));
    (time, text)
}

/// Seconds between two times of day, around midnight.
fn apart(a: NaiveTime, b: NaiveTime) -> u32 {
    let d = a.num_seconds_from_midnight().abs_diff(b.num_seconds_from_midnight());
    d.min(86_400 - d)
}

/// One run of `watch` in `code` on an accepted and a rejected report; returns
/// its log's lines without their times.
fn run_in(code: &str, config: &Path) -> Vec<String> {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let sample = sample(root);
    std::fs::create_dir_all(root.join("in")).expect("inputs");
    for (week, file) in [("2025-W37", "01-ha-noi.xlsx"), ("2025-W40", "44-quang-tri.xlsx")] {
        std::fs::copy(sample.join(week).join(file), root.join("in").join(file)).expect("copy");
    }
    let expected = Expected::load(config, code);
    let board = root.join("out/status.html");
    let draft = root.join("out/2025-09-18");

    let running = Running::start(root, config, code);
    // The refresh line names the board and the draft: it comes after both verdicts.
    running.wait_for(&shown(&draft));
    let log = running.terminate();

    // Nothing lost: both files in the ledger, with their receipts; the board and the draft written.
    let mut rows = ledger_rows(root);
    rows.sort();
    assert_eq!(
        rows,
        [
            ("01-ha-noi.xlsx".to_string(), "accepted".to_string(), None),
            ("44-quang-tri.xlsx".to_string(), "rejected".to_string(), None)
        ],
        "{log}"
    );
    let accepted_receipt = receipt_path(root, Some("2025-W37"), Some("01"), "01-ha-noi.xlsx", ".html");
    let rejected_receipt = receipt_path(root, Some("2025-W40"), Some("44"), "44-quang-tri.xlsx", ".html");
    for path in [&accepted_receipt, &rejected_receipt] {
        assert!(path.is_file(), "the receipt the log names exists: {}", path.display());
    }
    let rejected = receipt(root, "2025-W40", "44", "44-quang-tri.xlsx").expect("the rejection's receipt");
    assert!(board.is_file() && draft.join("data.json").is_file(), "board and draft written");

    // An added language warns of its missing labels before the log begins.
    let lines: Vec<&str> = log.lines().filter(|l| !l.starts_with("tonghop: ")).collect();
    let tz = tonghop::schema::Config::load(config).expect("config").calendar.timezone;
    let now = chrono::Utc::now();
    let (local, utc) = (now.with_timezone(&tz).time(), now.time());
    let mut texts = Vec::new();
    for line in &lines {
        let (time, text) = timed(line);
        // Vietnam is seven hours from UTC: the time is the configured zone's.
        assert!(apart(time, local) < apart(time, utc), "{line:?} is not in {tz} time ({local} there, {utc} UTC)");
        texts.push(text.to_string());
    }
    let w = &expected.words;
    let accepted = expected.file("01-ha-noi.xlsx", &w.accepted, "01", "2025-W37", String::new(), &accepted_receipt);
    let reason = expected.reason(&rejected);
    let rejected = expected.file("44-quang-tri.xlsx", &w.rejected, "44", "2025-W40", reason, &rejected_receipt);
    let refreshed = fill(&w.refreshed, &[("new", "2".into()), ("board", shown(&board)), ("dir", shown(&draft))]);
    let stopped = fill(&w.stopped, &[("received", "2".into()), ("deleted", "0".into()), ("rebuilds", "1".into())]);
    // The two files settle in the same pass; their order is the folder's.
    let mut verdicts = texts.get(1..3).map(<[String]>::to_vec).unwrap_or_default();
    verdicts.sort();
    assert_eq!(texts.len(), 5, "start, two verdicts, a refresh, the stop:\n{log}");
    assert_eq!(texts[0], expected.start(root), "{log}");
    assert_eq!(verdicts, [accepted, rejected], "{log}");
    assert_eq!(texts[3], refreshed, "{log}");
    assert_eq!(texts[4], stopped, "{log}");
    texts
}

#[test]
fn watch_speaks_vietnamese_by_default_and_english_on_request() {
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("report_templates");
    let vi = run_in("vi", &config);
    assert!(vi[0].starts_with("Bắt đầu theo dõi ") && vi[0].contains("quét định kỳ mỗi 0,5 giây"), "{vi:?}");
    assert!(vi.iter().any(|l| l.starts_with("01-ha-noi.xlsx → tiếp nhận (01, 2025-W37); phiếu tiếp nhận ")));
    let rejection = vi.iter().find(|l| l.starts_with("44-quang-tri.xlsx → từ chối (44, 2025-W40): [X001] "));
    assert!(rejection.is_some_and(|l| l.contains(": Quy tắc QT03: ")), "the message in Vietnamese: {vi:?}");
    assert!(vi[3].starts_with("Đã cập nhật bảng theo dõi ") && vi[4].starts_with("Đã dừng: "), "{vi:?}");

    let en = run_in("en", &config);
    assert!(en[0].starts_with("watching ") && en[0].contains("polling every 0.5 s"), "{en:?}");
    assert!(en.iter().any(|l| l.starts_with("01-ha-noi.xlsx → accepted (01, 2025-W37); receipt ")));
    let rejection = en.iter().find(|l| l.starts_with("44-quang-tri.xlsx → rejected (44, 2025-W40): [X001] "));
    assert!(rejection.is_some_and(|l| l.contains(": Rule QT03: ")), "the message in English: {en:?}");
    assert!(en[3].starts_with("status board ") && en[4].starts_with("stopped: "), "{en:?}");
}

/// A language added without a `[watch]` table (the French of the language
/// test) logs in the words of its fallback, English, with its own numbers.
#[test]
fn an_added_language_without_watch_words_logs_in_its_fallback() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = crate::language::with_french(tmp.path());
    let fr = run_in("fr", &config);
    assert!(fr[0].starts_with("watching ") && fr[0].contains("polling every 0,5 s"), "{fr:?}");
    assert!(fr.iter().any(|l| l.contains(": Rule QT03: ")), "{fr:?}");
}
