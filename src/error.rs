//! The one error type of the application: every way a command can fail as a
//! whole (as opposed to a bad file, which is an [`crate::issue::Issue`] of
//! that file), with the message people read. Every such failure exits with
//! status 2.

use std::path::PathBuf;

use crate::aggregate::CycleError;
use crate::language::{Lang, LanguageError, SETTINGS_FILE};
use crate::ledger::LedgerError;
use crate::render::RenderError;
use crate::schema::ConfigError;

/// Why a command could not do its work. Messages are bilingual, Vietnamese first.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "cấu hình không hợp lệ / invalid configuration:\n  {0}\n  Sửa tệp cấu hình rồi chạy lại (fix the file and run again)."
    )]
    Config(#[from] ConfigError),
    #[error(
        "không có ngôn ngữ «{code}» (unknown language); có: {} (available)\n  Mỗi ngôn ngữ là một thư mục <mã>/ có {SETTINGS_FILE} trong {} (a language is such a folder; see docs/configuration.md).",
        available.join(", "),
        config_dir.display()
    )]
    UnknownLanguage { code: String, available: Vec<String>, config_dir: PathBuf },
    #[error(
        "cấu hình ngôn ngữ không hợp lệ / invalid language settings:\n  {0}\n  Sửa tệp rồi chạy lại (fix the file and run again)."
    )]
    Language(ConfigError),
    /// No cycle to build; the message is in the language of the run's messages.
    #[error("{}", if *lang == Lang::Vi { &error.vi } else { &error.en })]
    Cycle { error: CycleError, lang: Lang },
    #[error("{0}")]
    Ledger(#[from] LedgerError),
    #[error(
        "mẫu văn bản không hợp lệ / invalid document outline:\n  {0}\n  Sửa tệp rồi chạy lại (fix the file and run again)."
    )]
    Outline(String),
    #[error("không tạo được {} (cannot render): {}", .0.output, .0.message)]
    Render(#[from] RenderError),
    #[error("không ghi được phiếu tiếp nhận (cannot write a receipt): {0}")]
    Receipt(#[from] crate::render::receipt::ReceiptError),
    #[error("không ghi được {} (cannot write): {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("không khóa được {} (cannot lock the outputs folder): {source}", path.display())]
    Lock { path: PathBuf, source: std::io::Error },
    #[error(
        "một lần chạy khác đang ghi vào {} (another run is writing this outputs folder); chạy lại sau",
        path.display()
    )]
    Locked { path: PathBuf },
    #[error("không có thư mục đầu vào {} (inputs folder not found); dùng --inputs DIR", path.display())]
    NoInputs { path: PathBuf },
    #[error("không tìm thấy {} (no such file or folder)", path.display())]
    NoSuchPath { path: PathBuf },
    #[error("--from-archive cần --state (needs --state)")]
    ArchiveWithoutState,
    #[error(
        "chưa có bản dự thảo {} (no draft to approve): chạy `tonghop build` và xem lại bản dự thảo trước khi phê duyệt (run `tonghop build` and review the draft first)",
        path.display()
    )]
    NotBuilt { path: PathBuf },
    #[error(
        "dữ liệu đầu vào đã thay đổi kể từ lần tổng hợp {} (the inputs changed since the last build):\n{}\n  Chạy lại `tonghop build`, xem lại bản dự thảo rồi phê duyệt (build again, review the draft, then approve).",
        draft.display(),
        changed_files(files)
    )]
    InputsChanged { draft: PathBuf, files: Vec<crate::aggregate::FileChange> },
    #[error("{} đã có, không ghi đè phiên bản đã phê duyệt (an approved version is never overwritten)", path.display())]
    VersionExists { path: PathBuf },
    #[error("kỳ {cycle} không có phiên bản phê duyệt v{version} (no approved version v{version} of this cycle)")]
    NoSuchApproval { cycle: String, version: u32 },
    #[error(
        "phiên bản này được phê duyệt bằng ngôn ngữ {lang}; chạy lại với --lang {lang} (approved in {lang}; run with --lang {lang})"
    )]
    ApprovedInAnotherLanguage { lang: String },
    #[error(
        "thiếu hoặc hỏng bản lưu của phiên bản đã phê duyệt: {what} (an archived copy of an approved version is missing or altered)"
    )]
    ApprovedCopyMissing { what: String },
    #[error("{} thay đổi trong khi phê duyệt (changed while approving); chạy lại (run again)", path.display())]
    ChangedWhileApproving { path: PathBuf },
    #[error("{}: {source}", path.display())]
    Watch { path: PathBuf, source: notify::Error },
    /// A command-line value that names nothing usable; the message says what to type.
    #[error("{0}")]
    Usage(String),
    #[error(
        "{} có nội dung khác bố cục thư mục dùng chung, chưa ghi gì; dùng thư mục khác hoặc --force \
         (holds entries that are not the layout of a shared folder; nothing written; use another folder or --force): {}",
        dir.display(),
        entries.join(", ")
    )]
    NotLayout { dir: PathBuf, entries: Vec<String> },
    #[error("{0}")]
    Sample(#[from] crate::sample::SampleError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The files an approval found changed since the draft, one per line.
fn changed_files(files: &[crate::aggregate::FileChange]) -> String {
    use crate::aggregate::FileChangeKind as K;
    let line = |f: &crate::aggregate::FileChange| {
        let how = match f.how {
            K::Added => "mới (added)",
            K::Replaced => "nội dung khác (replaced)",
            K::Removed => "không còn (removed)",
            K::Superseded => "bị thay thế (superseded)",
            K::Rejudged => "kết quả kiểm tra khác (judged otherwise)",
        };
        format!("  {}: {how}", crate::render::console::one_line(&f.path))
    };
    files.iter().map(line).collect::<Vec<_>>().join("\n")
}

impl Error {
    /// The error of a language that cannot be loaded from `config_dir`.
    pub fn language(error: LanguageError, config_dir: PathBuf) -> Error {
        match error {
            LanguageError::Unknown { code, available } => Error::UnknownLanguage { code, available, config_dir },
            LanguageError::Invalid(e) => Error::Language(e),
        }
    }

    /// The error of writing `path`.
    pub fn write(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Write { path, source }
    }
}

/// The result of a command.
pub type Result<T, E = Error> = std::result::Result<T, E>;
