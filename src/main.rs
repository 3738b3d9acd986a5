//! Command-line entry point: argument parsing only; the work is in the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use tonghop::cli::{self, FormOptions};
use tonghop::pipeline::approve::ApproveRequest;
use tonghop::pipeline::{BuildRequest, Pipeline, Sources};
use tonghop::schema::Config;
use tonghop::watch::WatchOptions;

/// tonghop — tổng hợp báo cáo tuần về mô hình chính quyền địa phương 02 cấp
/// (weekly report aggregator of the Ministry of Home Affairs).
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Thư mục cấu hình: bộ tiêu chí, danh mục đơn vị, lịch (configuration folder).
    #[arg(long, global = true, default_value = "report_templates")]
    config: PathBuf,
    /// Ngôn ngữ: vi, en hoặc thư mục <mã>/ có language.toml trong thư mục cấu hình
    /// (language: vi, en or any <code>/ folder with a language.toml).
    #[arg(long, global = true, default_value = "vi")]
    lang: String,
    #[command(subcommand)]
    command: Command,
}

/// The folders a cycle is read from and written to (`build`, `approve`).
#[derive(clap::Args)]
struct Folders {
    /// Thư mục báo cáo nhận được (inputs folder).
    #[arg(long, default_value = "inputs")]
    inputs: PathBuf,
    /// Thư mục kết quả (outputs folder); kết quả ghi vào <out>/<kỳ>/.
    #[arg(long, default_value = "outputs")]
    out: PathBuf,
    /// Thư mục trạng thái của chế độ theo dõi: sổ ghi và kho lưu (state folder of `watch`).
    #[arg(long, default_value = "state")]
    state: PathBuf,
    /// Dựng lại từ kho lưu mọi phiên bản đã nhận (rebuild from the archive of every version received).
    #[arg(long)]
    from_archive: bool,
}

impl Folders {
    /// Where the cycle's files come from, and the outputs folder.
    fn sources(self) -> (Sources, PathBuf) {
        (Sources { inputs: self.inputs, state: Some(self.state), from_archive: self.from_archive }, self.out)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Tạo biểu mẫu báo cáo tuần (write the weekly form for a unit type).
    Form {
        /// Loại đơn vị: ministry, agency, province (unit type).
        #[arg(long = "type")]
        unit_type: Option<String>,
        /// Điền sẵn mã đơn vị (prefill a unit: code or name).
        #[arg(long)]
        unit: Option<String>,
        /// Điền sẵn kỳ báo cáo, ví dụ 2025-W37 (prefill the reporting week).
        #[arg(long)]
        week: Option<String>,
        /// Tệp đầu ra (output file); mặc định bieu-mau-<type>.xlsx. Với --all-units: thư mục, mặc định inputs
        /// (with --all-units: the folder, by default inputs).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Biểu mẫu điền sẵn của mọi đơn vị, vào thư mục biểu mẫu của từng đơn vị khi thư mục đã được
        /// tonghop init bố trí (every unit's prefilled form; default week: the coming one).
        #[arg(long, conflicts_with_all = ["unit_type", "unit"])]
        all_units: bool,
    },
    /// Bố trí thư mục dùng chung: mỗi đơn vị một thư mục, có hướng dẫn, biểu mẫu, thư mục phiếu tiếp nhận
    /// (lay out the shared folder: a folder per unit with its how-to, form and receipts folder).
    Init {
        /// Thư mục dùng chung (the shared folder).
        dir: PathBuf,
        /// Tuần của biểu mẫu điền sẵn, ví dụ 2025-W41; mặc định tuần báo cáo tới (default: the coming week).
        #[arg(long)]
        week: Option<String>,
        /// Ghi cả khi thư mục có nội dung khác (write even where the folder holds other things).
        #[arg(long)]
        force: bool,
    },
    /// Kiểm tra tệp báo cáo (validate report files and folders).
    Check {
        /// Tệp hoặc thư mục (files or folders, read recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// In kết quả dạng JSON (print JSON for programs).
        #[arg(long)]
        json: bool,
        /// Liệt kê cả các tệp được tiếp nhận không có vấn đề (list the files accepted without remark too).
        #[arg(short, long)]
        verbose: bool,
    },
    /// Tổng hợp kỳ họp: đọc inputs/, ghi outputs/<kỳ>/ (build the meeting cycle's outputs).
    Build {
        /// Ngày họp trong lịch, yyyy-mm-dd (a meeting date of the calendar); mặc định: kỳ mới nhất có số liệu.
        #[arg(long, conflicts_with = "weeks")]
        meeting: Option<chrono::NaiveDate>,
        /// Các tuần, ví dụ 2025-W39,2025-W40 (name the weeks directly).
        #[arg(long, value_delimiter = ',')]
        weeks: Option<Vec<String>>,
        #[command(flatten)]
        folders: Folders,
        /// Thư mục mẫu văn bản của người dùng, thay mẫu mặc định cùng tên (template overrides).
        #[arg(long)]
        templates: Option<PathBuf>,
        /// In tóm tắt dạng JSON (print the run summary as JSON).
        #[arg(long)]
        json: bool,
        /// Dựng lại phiên bản đã phê duyệt N từ kho lưu và so với bản đã phê duyệt; cần --meeting
        /// (rebuild approved version N from the archive and compare it with the approved files).
        #[arg(long, requires = "meeting", value_name = "N")]
        approved: Option<u32>,
    },
    /// Phê duyệt kỳ họp như lần tổng hợp gần nhất: ghi outputs/<kỳ>/v<N>/ (approve the cycle as last built).
    Approve {
        /// Ngày họp, yyyy-mm-dd (the meeting date).
        #[arg(long)]
        meeting: chrono::NaiveDate,
        /// Người phê duyệt: "HỌ TÊN, CHỨC VỤ" (the approver: "NAME, TITLE").
        #[arg(long)]
        by: String,
        /// Ghi chú (a note).
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        folders: Folders,
        /// Mẫu văn bản của người dùng (template overrides).
        #[arg(long)]
        templates: Option<PathBuf>,
    },
    /// So sánh hai bản tổng hợp: data.json hoặc thư mục chứa nó (compare two builds: data.json files or their folders).
    Diff {
        /// Bản trước, ví dụ outputs/2025-10-02/v1 (the earlier build).
        old: PathBuf,
        /// Bản sau, ví dụ outputs/2025-10-02 (the later build).
        new: PathBuf,
        /// In dạng JSON (print JSON).
        #[arg(long)]
        json: bool,
    },
    /// Kiểm tra một tệp kết quả có đúng là bản đã phê duyệt (is this file an approved version?).
    Verify {
        /// Tệp kết quả, ví dụ bao-cao-tong-hop.docx (an output file).
        file: PathBuf,
        #[arg(long, default_value = "state")]
        state: PathBuf,
        /// In dạng JSON (print JSON).
        #[arg(long)]
        json: bool,
    },
    /// Theo dõi thư mục dùng chung: phiếu tiếp nhận, sổ ghi, bảng theo dõi (watch the shared folder).
    Watch {
        /// Thư mục nhận báo cáo (inputs folder).
        #[arg(long, default_value = "inputs")]
        inputs: PathBuf,
        /// Thư mục kết quả: phiếu tiếp nhận, bảng theo dõi, báo cáo dự thảo (outputs folder).
        #[arg(long, default_value = "outputs")]
        out: PathBuf,
        /// Thư mục trạng thái: sổ ghi và kho lưu (state folder: ledger and archive).
        #[arg(long, default_value = "state")]
        state: PathBuf,
        /// Quét định kỳ thay vì chờ sự kiện (poll, for SMB/NFS shares).
        #[arg(long)]
        poll: bool,
        /// Chu kỳ quét lại, giây (rescan and polling interval, seconds).
        #[arg(long, default_value_t = 5.0)]
        interval: f64,
        /// Thời gian tệp phải đứng yên trước khi đọc, giây (settle time, seconds).
        #[arg(long, default_value_t = 0.5)]
        settle: f64,
        /// Mẫu văn bản của người dùng (template overrides).
        #[arg(long)]
        templates: Option<PathBuf>,
        /// Khi tệp đến liên tục, vẫn cập nhật bảng theo dõi và báo cáo dự thảo sau tối đa chừng ấy giây
        /// (while files keep arriving, refresh the board and the draft at least this often, seconds).
        #[arg(long, default_value_t = 10.0)]
        refresh_every: f64,
        /// Ghi nhật ký chi tiết (verbose log).
        #[arg(short, long)]
        verbose: bool,
    },
    /// Tình hình nộp báo cáo của một tuần (who has reported for a week).
    Status {
        /// Tuần, ví dụ 2025-W37; mặc định tuần gần nhất có báo cáo (default: the latest week with data).
        #[arg(long)]
        week: Option<String>,
        #[arg(long, default_value = "inputs")]
        inputs: PathBuf,
        #[arg(long, default_value = "state")]
        state: PathBuf,
        /// In dạng JSON (print JSON).
        #[arg(long)]
        json: bool,
    },
    /// Tạo lại mẫu Word của báo cáo họp (rebuild the meeting document's Word template).
    Template {
        /// Tệp đầu ra; mặc định report_templates/<lang>/bao-cao-tong-hop.docx.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Tạo bộ dữ liệu mẫu (write the sample inputs: every unit, four weeks, a few faults).
    Sample {
        /// Thư mục đầu ra (output folder).
        #[arg(long, short, default_value = "inputs")]
        out: PathBuf,
        /// Ghi đè cả khi thư mục có tệp khác dữ liệu mẫu (write even where the folder holds other files).
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tonghop: {e}");
            ExitCode::from(cli::EXIT_USAGE)
        }
    }
}

fn run(args: Args) -> tonghop::Result<ExitCode> {
    let config = Config::load(&args.config)?;
    // Languages may live in the templates folder too; the commands that render say what they lack.
    let (templates, renders) = match &args.command {
        Command::Build { templates, .. } | Command::Watch { templates, .. } | Command::Approve { templates, .. } => {
            (templates.clone(), true)
        }
        _ => (None, false),
    };
    let lang = cli::load_language(&config, templates.as_deref(), &args.lang, renders)?;
    let pipeline = Pipeline::new(&config, lang.clone(), templates);
    match args.command {
        Command::Form { all_units: true, week, out, .. } => {
            cli::form_all_units(&config, week.as_deref(), &out.unwrap_or_else(|| PathBuf::from("inputs")))
        }
        Command::Form { unit_type, unit, week, out, .. } => {
            cli::form(&config, &FormOptions { unit_type, unit, week, out })
        }
        Command::Init { dir, week, force } => cli::init(&config, &lang, &dir, week.as_deref(), force),
        Command::Check { paths, json, verbose } => {
            // One file named is always shown; in folders, files accepted without remark are counted.
            let quiet = !verbose && paths.iter().any(|p| p.is_dir());
            cli::check(&pipeline, &paths, json, quiet)
        }
        Command::Sample { out, force } => cli::sample(&config, &out, force),
        Command::Template { out } => cli::template(&config, out.as_deref(), &lang),
        Command::Build { meeting: Some(meeting), folders, approved: Some(version), .. } => {
            let choice = cli::cycle_choice(Some(meeting), None);
            cli::rebuild(&pipeline, &folders.state, &folders.out, &choice, version)
        }
        Command::Build { meeting, weeks, folders, json, .. } => {
            let (sources, out) = folders.sources();
            cli::build(&pipeline, &BuildRequest { sources, out, choice: cli::cycle_choice(meeting, weeks) }, json)
        }
        Command::Watch { inputs, out, state, poll, interval, settle, refresh_every, verbose, .. } => {
            let seconds = |s: f64| Duration::from_secs_f64(s.clamp(0.01, 3600.0));
            let options = WatchOptions {
                inputs,
                state,
                out,
                poll,
                interval: seconds(interval),
                settle: seconds(settle),
                incomplete_grace: seconds((settle * 30.0).max(30.0)),
                rebuild_quiet: seconds(settle.max(1.0)),
                refresh_every: seconds(refresh_every),
                verbose,
            };
            cli::watch(&pipeline, &options)
        }
        Command::Approve { meeting, by, note, folders, .. } => {
            let (sources, out) = folders.sources();
            let at = chrono::Utc::now().with_timezone(&config.calendar.timezone);
            let choice = cli::cycle_choice(Some(meeting), None);
            cli::approve(&pipeline, &ApproveRequest { sources, out, choice, by, note, at })
        }
        Command::Diff { old, new, json } => cli::diff(&pipeline, &old, &new, json),
        Command::Verify { file, state, json } => cli::verify(&pipeline, &state, &file, json),
        Command::Status { week, inputs, state, json } => {
            // With a ledger, everything ever received counts, even a file since deleted.
            let from_archive = state.join(tonghop::ledger::DATABASE).exists();
            let sources = Sources { inputs, state: Some(state), from_archive };
            cli::status(&pipeline, &sources, week.as_deref(), json)
        }
    }
}
