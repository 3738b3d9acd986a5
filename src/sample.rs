//! The bundled sample inputs: every unit of the registry for the first four
//! reporting weeks (two meeting cycles), with plausible figures in the seeds'
//! orders of magnitude and a few realistic faults (late files, a missing unit,
//! a rejected file, a resubmission, an Office lock file).
//!
//! Generated, never typed by hand: `tonghop sample` rewrites `inputs/` with the
//! same bytes every time (a fixed pseudo-random sequence per unit and week).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use rust_xlsxwriter::XlsxError;

use crate::form::{Fill, FillValue, FormRequest, NarrativeFill, OwnTaskFill, TaskFill, write_form};
use crate::model::{ReportContacts, ReportWeek, TaskStatus};
use crate::schema::{Config, Unit};
use crate::text::fold_key;

/// One generated input file.
#[derive(Debug, Clone)]
pub struct SampleFile {
    /// Path relative to the inputs folder, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
    /// When the file is deemed received (written as its modification time).
    pub received: DateTime<Tz>,
}

/// A small deterministic generator (SplitMix64), seeded per unit and week.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Relative size of a unit (dossiers, staff), stable across weeks.
fn weight(unit: &Unit) -> f64 {
    match unit.code.as_str() {
        "01" | "79" => 3.2,
        _ => 0.55 + Rng::new(&format!("weight-{}", unit.code)).unit() * 1.3,
    }
}

fn slug(unit: &Unit) -> String {
    fold_key(&unit.short).split(' ').collect::<Vec<_>>().join("-")
}

fn contacts(unit: &Unit, rng: &mut Rng) -> ReportContacts {
    const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
    const MIDDLE: [&str; 6] = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc"];
    const GIVEN: [&str; 10] = ["An", "Bình", "Hà", "Hùng", "Lan", "Nam", "Phương", "Quân", "Thảo", "Tuấn"];
    let name = |rng: &mut Rng| {
        format!(
            "{} {} {}",
            FAMILY[rng.range(0, 7) as usize],
            MIDDLE[rng.range(0, 5) as usize],
            GIVEN[rng.range(0, 9) as usize]
        )
    };
    let preparer = name(rng);
    let leader = name(rng);
    let domain = if unit.unit_type.as_str() == "province" {
        format!("{}.gov.vn", slug(unit).replace('-', ""))
    } else {
        format!("{}.gov.vn", unit.code.to_lowercase())
    };
    ReportContacts {
        prepared_by: Some(preparer.clone()),
        phone: Some(format!("024.{:04}.{:04}", rng.range(3000, 3999), rng.range(1000, 9999))),
        email: Some(format!("vanphong@{domain}")),
        approved_by: Some(format!("{leader}, Phó Giám đốc")),
    }
}

/// Figures of one unit for week `w` (0-based) of the sample.
fn figures(config: &Config, unit: &Unit, w: u32) -> Vec<(String, FillValue)> {
    let size = weight(unit);
    let mut stable = Rng::new(&format!("stable-{}", unit.code));
    let mut rng = Rng::new(&format!("week-{}-{w}", unit.code));
    // Trends stop after five weeks, so that the rules (D03 ≤ D02 ≤ D01, F02 ≤ F01) still
    // hold when many weeks are generated (the benchmark writes years of them).
    let wf = w.min(5) as f64;
    let n = |x: f64| FillValue::Number(x.round().max(0.0));
    let province = unit.unit_type.as_str() == "province";
    let mut out: Vec<(String, FillValue)> = Vec::new();
    let mut put = |code: &str, value: FillValue| out.push((code.to_string(), value));

    // A: institutions and decentralized procedures.
    put("A01", n(if rng.chance(0.35) { rng.range(1, 3) as f64 } else { 0.0 }));
    put("A02", n(rng.range(0, if province { 6 } else { 4 }) as f64));
    let a03 = (stable.range(12, 40) as f64 - 2.0 * wf).max(3.0);
    put("A03", n(a03));
    put("A04", n((a03 * 0.25).floor()));
    put("A05", n(stable.range(14, 38) as f64 + wf));
    put(
        "A06",
        n(if province { stable.range(1500, 2100) as f64 + 12.0 * wf } else { stable.range(60, 220) as f64 + wf }),
    );

    // B: dossiers. National orders of magnitude: 6.5 million in 7.5 weeks (1/7–23/8/2025).
    let b01 = if province { 21_000.0 * size } else { 600.0 + 3_000.0 * stable.unit() } * (0.93 + 0.14 * rng.unit());
    let b03 = b01 * (0.70 + 0.02 * wf + 0.06 * rng.unit()).min(0.97);
    let b04 = b01 * (0.76 + 0.08 * rng.unit());
    let b05 = b04 * (0.86 + 0.1 * rng.unit());
    put("B01", n(b01));
    put("B02", n(b01 * (0.70 + 0.08 * rng.unit())));
    put("B03", n(b03));
    put("B04", n(b04));
    put("B05", n(b05));
    put("B06", n((b01 * 0.012 * (1.0 - 0.1 * wf)).max(0.0)));
    let b08 = if province { stable.range(1_900, 2_300) as f64 } else { stable.range(80, 260) as f64 };
    put("B07", n((b08 * (0.78 + 0.04 * wf + 0.05 * stable.unit())).min(b08)));
    put("B08", n(b08));

    // C: organization (465 provincial agencies, 9,916 commune departments nationally).
    put("C01", n(stable.range(13, 14) as f64));
    put("C02", n(stable.range(230, 350) as f64));
    put("C03", n(stable.range(60, 150) as f64));

    // D: staff and leave policies (94,402 with decisions at 19/8/2025).
    let d01 = if province { 2_300.0 * size } else { 150.0 + 500.0 * stable.unit() } * (1.0 + 0.012 * wf);
    let d02 = d01 * (0.86 + 0.015 * wf);
    let d03 = d02 * (0.92 + 0.015 * wf);
    put("D01", n(d01));
    put("D02", n(d02));
    put("D03", n(d03));
    put("D04", n(stable.range(0, 25) as f64));
    put("D05", n(stable.range(2_500, 9_000) as f64 + 40.0 * wf));
    put("D06", n(stable.range(2_000, 8_000) as f64 + 55.0 * wf));

    // E: training.
    let conferences = rng.range(2, 3);
    put("E01", n(conferences as f64));
    put("E02", n(conferences as f64 * rng.range(30, 40) as f64));
    put("E03", n(conferences as f64 * rng.range(250, 320) as f64));

    // F: premises and funding.
    let f01 = stable.range(180, 900) as f64;
    put("F01", n(f01));
    put("F02", n(f01 * (0.32 + 0.06 * wf)));
    put("F03", FillValue::Number((d03 * 412.75 * 10.0).round() / 10.0));
    put("F04", n((stable.range(0, 24) as f64 - 2.0 * wf).max(0.0)));

    // G: digital infrastructure.
    put("G01", n(stable.range(3, 12) as f64 + (wf / 2.0).floor()));
    let incidents = if rng.chance(0.3) { rng.range(1, 3) } else { 0 };
    put("G02", n(incidents as f64));
    put("G03", n(incidents.saturating_sub(rng.range(0, 1)) as f64));

    // H: the 99/CĐ-TTg checklist; once done, stays done.
    for (i, c) in config.schema.criteria.iter().filter(|c| c.section == "H").enumerate() {
        let done_from_week = stable.range(0, 7) as f64 - (i % 3) as f64;
        put(&c.code, FillValue::YesNo(wf >= done_from_week));
    }
    out.retain(|(code, _)| config.schema.criterion(code).is_some_and(|c| c.reported_by_type(&unit.unit_type)));
    out
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn tasks(config: &Config, unit: &Unit, week: &ReportWeek, w: u32) -> std::collections::BTreeMap<String, TaskFill> {
    let mut stable = Rng::new(&format!("tasks-{}", unit.code));
    let mut out = std::collections::BTreeMap::new();
    for t in config.schema.tasks.iter().filter(|t| t.assigned_to(&unit.code, &unit.unit_type)) {
        let finish_week = stable.range(0, 9) as i64 - 3;
        let done_day = match t.code.as_str() {
            "NV01" | "NV02" | "NV03" => Some(t.deadline.last_day - Days::new(stable.range(0, 5))),
            "NV04" => Some(date(2025, 9, 24)),
            "NV05" => Some(date(2025, 9, 17)),
            _ => None,
        };
        let status = match done_day {
            Some(day) if (w as i64) >= finish_week && day <= week.to => TaskStatus::Completed,
            _ if w >= 1 || stable.chance(0.6) => TaskStatus::InProgress,
            _ => TaskStatus::NotStarted,
        };
        let (status, completed_on) = match status {
            TaskStatus::Completed => {
                // Late finishers record the date they really finished.
                let day = done_day.unwrap_or(week.to);
                let day = if finish_week > 0 { (week.to - Days::new(stable.range(0, 4))).max(day) } else { day };
                (TaskStatus::Completed, Some(day))
            }
            s => (s, None),
        };
        let note = match status {
            TaskStatus::InProgress if t.deadline.last_day < week.to => {
                Some("Đang hoàn thiện, dự kiến xong trong tháng".to_string())
            }
            _ => None,
        };
        out.insert(t.code.clone(), TaskFill { status, completed_on, note });
    }
    out
}

const DIFFICULTIES: [(&str, &str, Option<&str>); 10] = [
    ("difficulty", "digital", None),
    ("difficulty", "finance", None),
    ("difficulty", "procedures", None),
    ("difficulty", "organization", None),
    ("difficulty", "staff_policy", None),
    ("proposal", "finance", Some("Bộ Tài chính")),
    ("proposal", "digital", Some("Bộ Khoa học và Công nghệ")),
    ("proposal", "organization", Some("Bộ Nội vụ")),
    ("proposal", "land", Some("Bộ Nông nghiệp và Môi trường")),
    ("proposal", "institutions", Some("Thủ tướng Chính phủ")),
];

fn narrative_text(kind: &str, field: &str) -> &'static str {
    match (kind, field) {
        ("difficulty", "digital") => {
            "Hạ tầng mạng tại một số xã vùng sâu, vùng xa chưa ổn định; phần mềm giải quyết thủ tục hành chính còn gián đoạn vào giờ cao điểm."
        }
        ("difficulty", "finance") => {
            "Kinh phí chi trả chế độ cho người nghỉ việc chưa được bố trí đủ; việc xử lý nhà, đất dôi dư còn chậm do vướng thủ tục định giá."
        }
        ("difficulty", "procedures") => {
            "Một số thủ tục hành chính phân cấp cho cấp xã chưa được cấu hình đầy đủ trên Hệ thống giải quyết thủ tục hành chính của tỉnh."
        }
        ("difficulty", "organization") => {
            "Thiếu công chức có chuyên môn về đất đai, xây dựng, tài chính tại cấp xã sau sắp xếp."
        }
        ("difficulty", "staff_policy") => {
            "Hồ sơ đề nghị hưởng chính sách của một số trường hợp còn thiếu giấy tờ xác nhận thời gian công tác."
        }
        ("proposal", "finance") => {
            "Đề nghị sớm bổ sung kinh phí để chi trả dứt điểm chế độ cho người nghỉ việc theo Nghị định 178/2024/NĐ-CP."
        }
        ("proposal", "digital") => {
            "Đề nghị hướng dẫn thống nhất việc kết nối, chia sẻ dữ liệu giữa Hệ thống thông tin giải quyết thủ tục hành chính và các cơ sở dữ liệu chuyên ngành."
        }
        ("proposal", "organization") => {
            "Đề nghị hướng dẫn bố trí biên chế công chức cấp xã phù hợp với quy mô dân số và diện tích sau sắp xếp."
        }
        ("proposal", "land") => {
            "Đề nghị hướng dẫn thẩm quyền giải quyết thủ tục đất đai của cấp xã trong thời gian chuyển tiếp."
        }
        ("proposal", "institutions") => {
            "Đề nghị ban hành văn bản hướng dẫn xử lý các vướng mắc về thẩm quyền khi chuyển giao nhiệm vụ từ cấp huyện."
        }
        _ => "Tiếp tục rà soát, hoàn thiện quy chế làm việc của chính quyền cấp xã.",
    }
}

fn narrative(unit: &Unit, w: u32) -> Vec<NarrativeFill> {
    let mut rng = Rng::new(&format!("narrative-{}-{w}", unit.code));
    let mut items = vec![NarrativeFill {
        kind: "highlight".into(),
        field: "procedures".into(),
        text: format!(
            "Tỷ lệ hồ sơ trực tuyến trong tuần tiếp tục tăng; {} không để xảy ra gián đoạn trong tiếp nhận, giải quyết thủ tục hành chính.",
            unit.short
        ),
        addressee: None,
    }];
    for _ in 0..rng.range(1, 2) {
        let (kind, field, addressee) = DIFFICULTIES[rng.range(0, DIFFICULTIES.len() as u64 - 1) as usize];
        items.push(NarrativeFill {
            kind: kind.into(),
            field: field.into(),
            text: narrative_text(kind, field).into(),
            addressee: addressee.map(str::to_string),
        });
    }
    items.push(NarrativeFill {
        kind: "next_week".into(),
        field: "other".into(),
        text: "Tiếp tục theo dõi, đôn đốc chi trả chế độ, chính sách và xử lý tài sản dôi dư sau sắp xếp.".into(),
        addressee: None,
    });
    items
}

fn at(tz: Tz, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Tz> {
    let naive = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default());
    tz.from_local_datetime(&naive).earliest().unwrap_or_else(|| tz.from_utc_datetime(&naive))
}

/// A complete, valid report of `unit` for `week` (the `w`-th week of the sample):
/// plausible figures in the seeds' orders of magnitude that respect every rule,
/// contacts, task progress and narrative rows. Deterministic.
pub fn weekly_fill(config: &Config, unit: &Unit, week: &ReportWeek, w: u32) -> Fill {
    let mut own_tasks = Vec::new();
    if unit.unit_type.as_str() == "province" && Rng::new(&format!("own-{}", unit.code)).chance(0.3) {
        own_tasks.push(OwnTaskFill {
            title: "Rà soát, bố trí sử dụng trụ sở dôi dư sau sắp xếp đơn vị hành chính".into(),
            assigned_by: "Kế hoạch của UBND tỉnh".into(),
            deadline: "trong tháng 10/2025".into(),
            progress: TaskFill { status: TaskStatus::InProgress, completed_on: None, note: None },
        });
    }
    Fill {
        contacts: contacts(unit, &mut Rng::new(&format!("contacts-{}", unit.code))),
        values: figures(config, unit, w).into_iter().collect(),
        tasks: tasks(config, unit, week, w),
        own_tasks,
        narrative: narrative(unit, w),
    }
}

/// Generates the sample files (in memory): four weeks of reports from every
/// unit, with a few faults for the outputs to show, and an Office lock file.
pub fn generate(config: &Config) -> Result<Vec<SampleFile>, XlsxError> {
    let weeks: Vec<ReportWeek> =
        (0..4).filter_map(|i| config.calendar.week_due(config.calendar.first_due + Days::new(7 * i))).collect();
    let mut files = Vec::new();
    for (w, week) in weeks.iter().enumerate() {
        let w = w as u32;
        for unit in config.units.units() {
            // Faults: Cà Mau misses the last week, the Academy of Social Sciences the third.
            if (unit.code == "96" && w == 3) || (unit.code == "VHLKHXH" && w == 2) {
                continue;
            }
            files.extend(unit_files(config, unit, week, w)?);
        }
    }
    if let Some(last) = weeks.last() {
        files.push(office_lock_file(config.calendar.timezone, last));
    }
    Ok(files)
}

/// The file(s) of one unit for the `w`-th week: one report, except for the
/// resubmission, and with the sample's faulty figures where it has them.
fn unit_files(config: &Config, unit: &Unit, week: &ReportWeek, w: u32) -> Result<Vec<SampleFile>, XlsxError> {
    let tz = config.calendar.timezone;
    let mut fill = weekly_fill(config, unit, week, w);
    let path = format!("{}/{}-{}.xlsx", week.label(), unit.code, slug(unit));
    // Resubmission: Bắc Ninh's first file of week 3 has B05 > B04, corrected at 15:00.
    if unit.code == "24" && w == 2 {
        let mut wrong = fill.clone();
        if let (Some(FillValue::Number(b04)), Some(v)) = (fill.values.get("B04").cloned(), wrong.values.get_mut("B05"))
        {
            *v = FillValue::Number(b04 + 1_250.0);
        }
        return Ok(vec![
            SampleFile { path, bytes: report(config, unit, week, &wrong)?, received: at(tz, week.due, 10, 5) },
            SampleFile {
                path: format!("{}/{}-{}-lan-2.xlsx", week.label(), unit.code, slug(unit)),
                bytes: report(config, unit, week, &fill)?,
                received: at(tz, week.due, 15, 10),
            },
        ]);
    }
    // A slip of the keyboard: Quảng Ninh's last week has an extra zero in B01 (a data-quality flag).
    if unit.code == "22"
        && w == 3
        && let Some(FillValue::Number(b01)) = fill.values.get_mut("B01")
    {
        *b01 *= 10.0;
    }
    // Rejected and never corrected: Quảng Trị's last week reports more online dossiers than dossiers.
    if unit.code == "44"
        && w == 3
        && let (Some(FillValue::Number(b01)), Some(v)) = (fill.values.get("B01").cloned(), fill.values.get_mut("B03"))
    {
        *v = FillValue::Number(b01 + 3_400.0);
    }
    Ok(vec![SampleFile { path, bytes: report(config, unit, week, &fill)?, received: received(tz, unit, week, w) }])
}

/// When a unit's report of the `w`-th week arrives: on the due Monday between
/// 8:00 and 16:20, except for the sample's two late reports.
fn received(tz: Tz, unit: &Unit, week: &ReportWeek, w: u32) -> DateTime<Tz> {
    // Late: Lai Châu on Tuesday morning of week 2, Bộ Công Thương on Monday evening of week 3.
    if unit.code == "12" && w == 1 {
        return at(tz, week.due + Days::new(1), 9, 30);
    }
    if unit.code == "BCT" && w == 2 {
        return at(tz, week.due, 19, 40);
    }
    let mut rng = Rng::new(&format!("received-{}-{w}", unit.code));
    at(tz, week.due, 8, 0) + chrono::Duration::minutes(rng.range(0, 500) as i64)
}

/// A unit's filled form for a week.
fn report(config: &Config, unit: &Unit, week: &ReportWeek, fill: &Fill) -> Result<Vec<u8>, XlsxError> {
    write_form(
        config,
        &FormRequest { unit_type: &unit.unit_type, unit: Some(unit), week: Some(*week), fill: Some(fill) },
    )
}

/// An Office lock file left next to a workbook someone still has open: the
/// reading passes over it with a note (I001), not an error.
fn office_lock_file(tz: Tz, week: &ReportWeek) -> SampleFile {
    let mut lock = vec![0u8; 165];
    let owner = "vanphong".as_bytes();
    lock[0] = owner.len() as u8;
    lock[1..1 + owner.len()].copy_from_slice(owner);
    SampleFile {
        path: format!("{}/~$79-tp-ho-chi-minh.xlsx", week.label()),
        bytes: lock,
        received: at(tz, week.due, 16, 0),
    }
}

/// Why the sample was not written.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error(
        "{} có tệp không thuộc dữ liệu mẫu, chưa ghi gì; dùng thư mục khác (-o) hoặc --force để ghi đè \
         (holds files that are not the sample; nothing written; use another folder or --force): {}",
        dir.display(),
        files.join(", ")
    )]
    NotSample { dir: PathBuf, files: Vec<String> },
    #[error("không tạo được dữ liệu mẫu (cannot make the sample): {0}")]
    Form(#[from] XlsxError),
    #[error("không ghi được dữ liệu mẫu (cannot write the sample): {0}")]
    Io(#[from] std::io::Error),
}

/// Writes the sample into `dir`: the workbooks and `received.tsv`, with the
/// workbooks' modification times set to their received times.
///
/// A folder that holds anything else (real reports, say) is left untouched
/// unless `force`: the sample never silently replaces a unit's report.
pub fn write(config: &Config, dir: &Path, force: bool) -> Result<Vec<PathBuf>, SampleError> {
    let files = generate(config)?;
    // Modification times do not survive a copy through e-mail or git; the log keeps them.
    let mut log = String::from("# Thời điểm nhận tệp (received times): đường dẫn<TAB>thời điểm RFC 3339\n");
    for f in &files {
        log.push_str(&format!("{}\t{}\n", f.path, f.received.to_rfc3339()));
    }
    if !force {
        let foreign = not_sample(dir, &files, &log);
        if !foreign.is_empty() {
            return Err(SampleError::NotSample { dir: dir.to_path_buf(), files: foreign });
        }
    }
    let mut written = Vec::new();
    let log_path = dir.join(crate::ingest::RECEIVED_LOG);
    crate::fs::write_atomic(&log_path, log.as_bytes())?;
    written.push(log_path);
    for f in files {
        let path = dir.join(&f.path);
        crate::fs::write_atomic(&path, &f.bytes)?;
        let file = std::fs::OpenOptions::new().write(true).open(&path)?;
        file.set_modified(f.received.with_timezone(&chrono::Utc).into())?;
        written.push(path);
    }
    Ok(written)
}

/// The files under `dir` (at most ten named) that are not the sample's own
/// bytes: anything writing the sample would replace or leave mixed with it.
fn not_sample(dir: &Path, files: &[SampleFile], log: &str) -> Vec<String> {
    let mut expected: std::collections::BTreeMap<PathBuf, &[u8]> =
        files.iter().map(|f| (PathBuf::from(&f.path), f.bytes.as_slice())).collect();
    expected.insert(PathBuf::from(crate::ingest::RECEIVED_LOG), log.as_bytes());
    let mut foreign = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name().into_iter().flatten() {
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_path_buf();
        let same = expected.get(&relative).is_some_and(|bytes| std::fs::read(entry.path()).is_ok_and(|b| b == *bytes));
        if !same && foreign.len() < 10 {
            foreign.push(relative.display().to_string());
        }
    }
    foreign
}
