//! The shared folder in daily operation: `tonghop init` lays out a folder per
//! unit (how-to, prefilled form, receipts folder); reports dropped there are
//! judged by the folder they lie in, and their receipts, which say what a file
//! replaces and a week that does not match its folder, are copied into the
//! unit's receipts folder, by `build` and by `watch` alike; the forms and
//! receipts folders are never read as inputs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::common::{self, Book, Report, check_json, config, run};
use crate::watch::{Watcher, eventually};

const THANH_HOA: &str = "38 - Thanh Hóa";
const NGHE_AN: &str = "40 - Nghệ An";
/// W40 is due on Monday 29 September 2025.
const W40: &str = "2025-W40";

fn tonghop(args: &[&std::ffi::OsStr]) -> common::Output {
    run(args.iter().copied())
}

fn init(dir: &Path, extra: &[&str]) -> common::Output {
    let mut args: Vec<&std::ffi::OsStr> = vec!["init".as_ref(), dir.as_os_str(), "--week".as_ref(), W40.as_ref()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    tonghop(&args)
}

/// Every JSON receipt under `dir`, by its path relative to `dir`.
fn receipts_under(dir: &Path) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
        if entry.path().extension().is_some_and(|e| e == "json") {
            let json = serde_json::from_slice(&std::fs::read(entry.path()).expect("read")).expect("JSON receipt");
            let relative = entry.path().strip_prefix(dir).expect("below").to_string_lossy().replace('\\', "/");
            out.push((relative, json));
        }
    }
    out
}

/// The receipt of the file at `path` (relative to the inputs) among `receipts`, and where it is.
fn receipt_of<'r>(receipts: &'r [(String, Value)], path: &str) -> (&'r str, &'r Value) {
    receipts
        .iter()
        .find(|(_, r)| r["report"]["file"]["path"] == path)
        .map(|(at, r)| (at.as_str(), r))
        .unwrap_or_else(|| panic!("a receipt of {path} among {:?}", receipts.iter().map(|r| &r.0).collect::<Vec<_>>()))
}

fn codes(receipt: &Value) -> Vec<&str> {
    receipt["report"]["issues"].as_array().expect("issues").iter().filter_map(|i| i["code"].as_str()).collect()
}

fn message(receipt: &Value, code: &str) -> String {
    let issues = receipt["report"]["issues"].as_array().expect("issues");
    let issue = issues.iter().find(|i| i["code"] == code).unwrap_or_else(|| panic!("{code} in {receipt}"));
    format!("{} / {}", issue["message_vi"].as_str().unwrap_or(""), issue["message_en"].as_str().unwrap_or(""))
}

#[test]
fn init_lays_out_a_folder_per_unit_with_its_how_to_form_and_receipts_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let share = tmp.path().join("share");
    let made = init(&share, &[]);
    assert_eq!(made.code, 0, "{made:?}");
    let config = config();
    for unit in config.units.units() {
        let folder = share.join(config.layout.folder_of(unit));
        assert!(made.stdout.contains(&format!("+ {}/", config.layout.folder_of(unit))), "{}", made.stdout);
        let guide = std::fs::read_to_string(folder.join("HUONG-DAN.txt")).expect("the how-to");
        for wanted in [unit.name.as_str(), &format!("mã đơn vị {}", unit.code), "17 giờ thứ Hai", "29/09/2025 17:00"]
        {
            assert!(guide.contains(wanted), "{} lacks {wanted:?}", folder.display());
        }
        assert!(guide.contains("bien-nhan\\2025-W40\\") && guide.contains("tonghop check"), "{guide}");
        assert!(guide.starts_with('\u{feff}') && guide.contains("\r\n"), "a text for Notepad");
        let form = format!("bieu-mau-{}-{}-{W40}.xlsx", unit.unit_type.as_str(), unit.code);
        assert!(folder.join("bieu-mau").join(&form).is_file(), "{form}");
        assert!(folder.join("bien-nhan").is_dir());
    }
    assert_eq!(std::fs::read_dir(&share).expect("share").count(), config.units.units().len());

    // The form opens as the unit's own, for the week, and is not a report: not filled.
    let form = share.join(THANH_HOA).join(format!("bieu-mau/bieu-mau-province-38-{W40}.xlsx"));
    let read = common::check_file(&form);
    assert_eq!(read.unit(), Some("38"), "{}", read.describe());
    assert_eq!(read.json["week"]["due"], "2025-09-29", "{}", read.describe());
    assert_eq!(read.status(), "rejected", "a blank form is never accepted: {}", read.describe());
    assert!(read.issues().iter().any(|i| i.code == "V001"), "{}", read.describe());

    // The whole share holds no report yet: the forms, receipts folders and how-tos are set aside.
    let reports = check_json(&[&share]);
    assert!(
        reports.iter().all(|r| r.status() == "ignored"),
        "{:?}",
        reports.iter().map(Report::describe).collect::<Vec<_>>()
    );
    let set_aside = |suffix: &str| reports.iter().filter(|r| r.path().ends_with(suffix)).count();
    assert_eq!(
        (set_aside("/bieu-mau"), set_aside("/bien-nhan"), set_aside("/HUONG-DAN.txt")),
        (56, 56, 56),
        "each reported once, as I009"
    );
    assert!(reports.iter().all(|r| r.issues().iter().all(|i| i.code == "I009")));

    // Again: nothing new, and a how-to edited by the administrator is kept.
    let guide = share.join(THANH_HOA).join("HUONG-DAN.txt");
    std::fs::write(&guide, "edited").expect("edit");
    let again = init(&share, &[]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("0 new unit folders, 56 already there; 0 entries made"), "{}", again.stdout);
    assert_eq!(std::fs::read_to_string(&guide).expect("guide"), "edited");

    // A unit's folder removed is laid out again, alone.
    std::fs::remove_dir_all(share.join(NGHE_AN)).expect("remove");
    let again = init(&share, &[]);
    assert!(again.stdout.contains("1 new unit folders, 55 already there"), "{}", again.stdout);
    assert!(share.join(NGHE_AN).join("HUONG-DAN.txt").is_file());

    // A folder of something else is refused, nothing written, unless --force.
    let other = tmp.path().join("other");
    Book::valid("38", W40).write(&other.join(W40), "38.xlsx");
    let refused = init(&other, &[]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains(W40) && refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(std::fs::read_dir(&other).expect("other").count(), 1, "nothing written");
    let forced = init(&other, &["--force"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    assert!(other.join(THANH_HOA).join("bien-nhan").is_dir() && other.join(W40).join("38.xlsx").is_file());

    // In English.
    let english = tmp.path().join("en");
    let made = tonghop(&[
        "--lang".as_ref(),
        "en".as_ref(),
        "init".as_ref(),
        english.as_os_str(),
        "--week".as_ref(),
        W40.as_ref(),
    ]);
    assert_eq!(made.code, 0, "{made:?}");
    let guide = std::fs::read_to_string(english.join(THANH_HOA).join("HUONG-DAN.txt")).expect("how-to");
    assert!(guide.contains("Every Monday at 17:00") && guide.contains("Thanh Hoa Province"), "{guide}");
}

#[test]
fn form_for_all_units_replaces_the_prefilled_forms_of_a_laid_out_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let share = tmp.path().join("share");
    assert_eq!(init(&share, &[]).code, 0);
    let forms = share.join(THANH_HOA).join("bieu-mau");
    std::fs::write(forms.join("ghi-chu.txt"), "the unit's own note").expect("note");
    let written = tonghop(&[
        "form".as_ref(),
        "--all-units".as_ref(),
        "--week".as_ref(),
        "2025-W41".as_ref(),
        "-o".as_ref(),
        share.as_os_str(),
    ]);
    assert_eq!(written.code, 0, "{written:?}");
    let mut names: Vec<String> =
        std::fs::read_dir(&forms).expect("forms").flatten().map(|e| e.file_name().to_string_lossy().into()).collect();
    names.sort();
    assert_eq!(names, ["bieu-mau-province-38-2025-W41.xlsx", "ghi-chu.txt"], "last week's form replaced, nothing else");
    let read = common::check_file(&forms.join("bieu-mau-province-38-2025-W41.xlsx"));
    assert_eq!((read.unit(), read.json["week"]["due"].as_str()), (Some("38"), Some("2025-10-06")));

    // A folder that is not laid out gets the forms flat.
    let flat = tmp.path().join("flat");
    let written = tonghop(&[
        "form".as_ref(),
        "--all-units".as_ref(),
        "--week".as_ref(),
        "2025-W41".as_ref(),
        "-o".as_ref(),
        flat.as_os_str(),
    ]);
    assert_eq!(written.code, 0, "{written:?}");
    assert_eq!(std::fs::read_dir(&flat).expect("flat").count(), 56);
    assert!(flat.join("bieu-mau-ministry-BNV-2025-W41.xlsx").is_file());
}

/// The drops of the scenario, with their received (modification) times.
struct Drops {
    share: PathBuf,
}

impl Drops {
    /// Thanh Hóa's report of W40 at 10:00 on the due Monday, its corrected
    /// resubmission at 15:00; Hà Nội's report dropped in Thanh Hóa's folder;
    /// Nghệ An's report of W40 in its W40 folder, then a copy of it (period
    /// W40, not updated) in its W41 folder; an unreadable file in Thanh Hóa's
    /// folder; a filled form saved in Thanh Hóa's forms folder.
    fn make(share: &Path) -> Drops {
        let thanh_hoa = share.join(THANH_HOA);
        Book::valid("38", W40).write(&thanh_hoa.join(W40), "bc.xlsx");
        let mut corrected = Book::valid("38", W40);
        corrected.set_value("B01", 12345.0);
        corrected.received = common::vn_time(2025, 9, 29, 15, 0);
        corrected.write(&thanh_hoa.join(W40), "bc-sua.xlsx");
        Book::valid("01", W40).write(&thanh_hoa, "bao-cao-ha-noi.xlsx");
        let nghe_an = share.join(NGHE_AN);
        Book::valid("40", W40).write(&nghe_an.join(W40), "bc.xlsx");
        let mut copied = Book::valid("40", W40);
        copied.received = common::vn_time(2025, 10, 6, 9, 0);
        copied.write(&nghe_an.join("2025-W41"), "bc.xlsx");
        common::write_file(&thanh_hoa.join("hong.xlsx"), b"not a workbook", common::vn_time(2025, 9, 29, 11, 0));
        Book::valid("38", W40).write(&thanh_hoa.join("bieu-mau"), "bieu-mau-province-38-2025-W40.xlsx");
        Drops { share: share.to_path_buf() }
    }

    fn unit_receipts(&self, folder: &str) -> Vec<(String, Value)> {
        receipts_under(&self.share.join(folder).join("bien-nhan"))
    }
}

#[test]
fn build_files_each_receipt_in_the_units_folder_too_saying_what_it_replaces() {
    let tmp = tempfile::tempdir().expect("tmp");
    let share = tmp.path().join("share");
    assert_eq!(init(&share, &[]).code, 0);
    let drops = Drops::make(&share);
    let out = tmp.path().join("out");
    let build = |_: ()| {
        tonghop(&[
            "build".as_ref(),
            "--inputs".as_ref(),
            share.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--state".as_ref(),
            tmp.path().join("state").as_os_str(),
            "--weeks".as_ref(),
            "2025-W40,2025-W41".as_ref(),
        ])
    };
    let built = build(());
    assert_eq!(built.code, 0, "{built:?}");
    let outputs = receipts_under(&out.join("receipts"));
    let thanh_hoa = drops.unit_receipts(THANH_HOA);
    let nghe_an = drops.unit_receipts(NGHE_AN);

    // Another unit's report in Thanh Hóa's folder: refused, and Thanh Hóa reads why.
    let (at, refused) = receipt_of(&thanh_hoa, &format!("{THANH_HOA}/bao-cao-ha-noi.xlsx"));
    assert!(at.starts_with("2025-W40/bao-cao-ha-noi.xlsx."), "{at}");
    assert_eq!(refused["report"]["status"], "rejected");
    assert!(codes(refused).contains(&"M013"), "{refused}");
    assert!(message(refused, "M013").contains("38 Thanh Hóa") && message(refused, "M013").contains("01 Hà Nội"));
    assert_eq!(receipt_of(&outputs, &format!("{THANH_HOA}/bao-cao-ha-noi.xlsx")).1, refused, "the same receipt");

    // The corrected resubmission says which file it replaces, received when.
    let first = format!("{THANH_HOA}/{W40}/bc.xlsx");
    let (at, corrected) = receipt_of(&thanh_hoa, &format!("{THANH_HOA}/{W40}/bc-sua.xlsx"));
    assert!(at.starts_with("2025-W40/bc-sua.xlsx."), "in its week's folder it keeps its name: {at}");
    assert_eq!(corrected["report"]["status"], "accepted", "{:?}", codes(corrected));
    assert_eq!(corrected["report"]["supersedes"]["path"], first.as_str());
    assert_eq!(corrected["report"]["supersedes"]["received"], "2025-09-29T10:00:00+07:00");
    // Its week came on time with the first file: the resubmission is not "late".
    assert_eq!(corrected["timeliness"]["on_time"], true, "{}", corrected["timeliness"]);
    assert_eq!(corrected["timeliness"]["from_earlier"], true);
    let html = std::fs::read_to_string(share.join(THANH_HOA).join("bien-nhan").join(at.replace(".json", ".html")))
        .expect("the HTML receipt");
    assert!(html.contains("Thay thế") && html.contains(&first) && html.contains("29/09/2025 10:00"), "{html}");
    let (_, original) = receipt_of(&thanh_hoa, &first);
    assert!(original["report"].get("supersedes").is_none(), "the first report replaces nothing");

    // Last week's file copied into the W41 folder, not updated: both weeks said, and what it replaces.
    let copy = format!("{NGHE_AN}/2025-W41/bc.xlsx");
    let (at, copied) = receipt_of(&nghe_an, &copy);
    assert!(at.starts_with("2025-W40/2025-W41~bc.xlsx."), "filed under the week it counts for: {at}");
    assert_eq!(codes(copied), ["M012", "M015"], "{copied}");
    for code in ["M012", "M015"] {
        let text = message(copied, code);
        assert!(text.contains("2025-W41") && text.contains(W40), "{code}: {text}");
    }
    assert!(message(copied, "M015").contains(&format!("{NGHE_AN}/{W40}/bc.xlsx")), "{copied}");
    assert_eq!(copied["report"]["status"], "accepted_with_warnings");
    // `check` says the same of it.
    let checked = check_json(&[&share]);
    let copy_checked = checked.iter().find(|r| r.path() == copy).expect("the copy checked");
    assert_eq!(copy_checked.issues().iter().map(|i| i.code.as_str()).collect::<Vec<_>>(), ["M012", "M015"]);
    assert!(checked.iter().all(|r| !r.path().contains("/bien-nhan/") && !r.path().contains("/bieu-mau/")));

    // A file whose week cannot be told is filed under the unit of its folder.
    let unreadable = format!("{THANH_HOA}/hong.xlsx");
    let (at, broken) = receipt_of(&thanh_hoa, &unreadable);
    assert!(at.starts_with("_khong-ro-tuan/hong.xlsx."), "{at}");
    assert_eq!(broken["report"]["status"], "rejected");
    let (at, _) = receipt_of(&outputs, &unreadable);
    assert!(at.starts_with("_khong-ro-tuan/38/"), "{at}");

    // The filled form saved among the blank forms is not read; no receipt is an input.
    assert!(outputs.iter().all(|(_, r)| !r["report"]["file"]["path"].as_str().unwrap_or("").contains("bieu-mau/")));
    let before: Vec<(String, Value)> = receipts_under(&share);
    let again = build(());
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(receipts_under(&share), before, "a second build reads no receipt and changes none");
    assert_eq!(receipts_under(&out.join("receipts")).len(), outputs.len());
}

#[test]
fn watch_copies_receipts_into_the_units_folder_and_says_what_a_resubmission_replaces() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let share = root.join("in");
    assert_eq!(init(&share, &[]).code, 0);
    let watcher = Watcher::start(root, &[]);
    let receipts = share.join(THANH_HOA).join("bien-nhan");
    let first = format!("{THANH_HOA}/{W40}/bc.xlsx");
    Book::valid("38", W40).write(&share.join(THANH_HOA).join(W40), "bc.xlsx");
    eventually(Duration::from_secs(30), "the first receipt in the unit's folder", || {
        receipts_under(&receipts).iter().any(|(_, r)| r["report"]["file"]["path"] == first.as_str())
    });
    let again = format!("{THANH_HOA}/{W40}/bc-sua.xlsx");
    let mut corrected = Book::valid("38", W40);
    corrected.set_value("B01", 12345.0);
    corrected.write(&share.join(THANH_HOA).join(W40), "bc-sua.xlsx");
    eventually(Duration::from_secs(30), "the resubmission's receipt in the unit's folder", || {
        receipts_under(&receipts).iter().any(|(_, r)| r["report"]["file"]["path"] == again.as_str())
    });
    let in_folder = receipts_under(&receipts);
    let (_, original) = receipt_of(&in_folder, &first);
    let (_, replacing) = receipt_of(&in_folder, &again);
    assert_eq!(replacing["report"]["supersedes"]["path"], first.as_str(), "{:?}", codes(replacing));
    assert_eq!(
        replacing["report"]["supersedes"]["received"], original["report"]["file"]["received"],
        "received when watch first saw it"
    );
    // The refresh of the draft rewrites the receipts from the archive: it says the same.
    eventually(Duration::from_secs(30), "the draft refreshed", || root.join("out/status.html").is_file());
    let (ok, log) = watcher.interrupt();
    assert!(ok, "{log}");
    let after = receipts_under(&receipts);
    let (_, rewritten) = receipt_of(&after, &again);
    assert_eq!(rewritten["report"]["supersedes"], replacing["report"]["supersedes"], "{log}");
    for line in log.lines().filter(|l| l.contains("bien-nhan")) {
        assert!(line.contains("; receipt "), "a receipts folder is named only as where a receipt went: {line}");
    }
    let rows = crate::watch::ledger_rows(root);
    assert_eq!(rows.len(), 2, "two files received, no receipt taken for one: {rows:?}");
}

/// A unit checking its own folder before submitting sees what a build of the
/// whole shared folder would say: another unit's report there is refused.
#[test]
fn check_of_one_units_folder_refuses_another_units_report_as_a_build_would() {
    let dir = tempfile::tempdir().expect("tempdir");
    let share = dir.path().join("share");
    assert_eq!(init(&share, &[]).code, 0);
    let folder = share.join(THANH_HOA);
    Book::valid("01", W40).write(&folder, "ha-noi.xlsx");
    Book::valid("38", W40).write(&folder, "thanh-hoa.xlsx");
    let reports = check_json(&[folder.as_path()]);
    let verdict = |name: &str| {
        let report = reports.iter().find(|r| r.path().ends_with(name)).unwrap_or_else(|| panic!("{name} checked"));
        let codes: Vec<String> = report.issues().iter().map(|i| i.code.to_string()).collect();
        (report.status().to_string(), codes)
    };
    let (status, codes) = verdict("ha-noi.xlsx");
    assert_eq!(status, "rejected");
    assert!(codes.iter().any(|c| c == "M013"), "{codes:?}");
    assert_eq!(verdict("thanh-hoa.xlsx").0, "accepted", "the unit's own report");
}
