//! Walking the input paths: which files are workbooks to read, and which are
//! ignored and why. Nothing is skipped silently.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::issue::{Code, Issue, Location};

/// Extensions read as workbooks (compared case-insensitively).
pub const WORKBOOK_EXTENSIONS: [&str; 4] = ["xlsx", "xlsm", "xls", "ods"];

/// A path found under the inputs.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    /// How the file is named in messages: relative to the folder walked, or as given.
    pub display: String,
    pub kind: FoundKind,
}

#[derive(Debug, Clone)]
pub enum FoundKind {
    /// To be read and validated.
    Workbook,
    /// Not read, with the reason (an `I…` info issue).
    Ignored(Issue),
}

fn ignored(code: Code, display: &str, vi: &str, en: &str) -> FoundKind {
    FoundKind::Ignored(Issue::new(code, Location::file(display)).message(vi, en))
}

/// Classifies one file by its name and type, without opening it.
fn classify(path: &Path, display: &str, file_type: std::fs::FileType) -> FoundKind {
    if file_type.is_symlink() {
        return ignored(
            Code::NotRegularFile,
            display,
            "Liên kết tượng trưng: không đọc, để tránh đọc tệp ngoài thư mục nhận báo cáo.",
            "Symbolic link: not followed, so that nothing outside the inputs folder is read.",
        );
    }
    if !file_type.is_file() {
        return ignored(
            Code::NotRegularFile,
            display,
            "Không phải tệp thông thường (thiết bị, ống dẫn hoặc socket).",
            "Not a regular file (device, pipe or socket).",
        );
    }
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    if name.starts_with("~$") || name.starts_with(".~lock.") {
        return ignored(
            Code::LockFile,
            display,
            "Tệp khóa do Excel/LibreOffice tạo khi đang mở bảng tính.",
            "Lock file created by Excel/LibreOffice while a workbook is open.",
        );
    }
    if name.starts_with('.') {
        return ignored(Code::HiddenFile, display, "Tệp ẩn.", "Hidden file.");
    }
    let lower = name.to_lowercase();
    if name.starts_with('~')
        || lower.ends_with('~')
        || lower.ends_with(".tmp")
        || lower.ends_with(".part")
        || lower.ends_with(".crdownload")
    {
        return ignored(
            Code::TemporaryFile,
            display,
            "Tệp tạm (đang lưu hoặc đang tải về).",
            "Temporary file (being saved or downloaded).",
        );
    }
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if WORKBOOK_EXTENSIONS.contains(&extension.as_str()) {
        FoundKind::Workbook
    } else {
        FoundKind::Ignored(
            Issue::new(Code::UnsupportedType, Location::file(display))
                .message(
                    format!("Loại tệp «.{extension}» không phải bảng tính báo cáo."),
                    format!("File type \".{extension}\" is not a report workbook."),
                )
                .hint(
                    "Nộp báo cáo dạng .xlsx (hoặc .xls, .ods) theo biểu mẫu.",
                    "Submit the report as .xlsx (or .xls, .ods) using the form.",
                ),
        )
    }
}

/// Lists the files under the given paths (files as given, folders recursively),
/// in a stable order: each folder's entries sorted by name.
///
/// Symbolic links are reported, not followed; hidden folders are reported once
/// and not entered.
pub fn discover(paths: &[PathBuf]) -> Vec<Found> {
    discover_skipping(paths, &|_, _| None)
}

/// Says of a folder or regular file met below a path walked (by its path, and
/// whether it is a folder) whether it is skipped: `None` to enter or read it
/// as usual, or the issue it is reported with, once, instead.
pub type EntryFilter<'a> = dyn Fn(&Path, bool) -> Option<Issue> + 'a;

/// [`discover`], with the entries `skip` names reported as ignored, folders not entered.
pub fn discover_skipping(paths: &[PathBuf], skip: &EntryFilter<'_>) -> Vec<Found> {
    let mut found = Vec::new();
    for root in paths {
        let root_meta = match std::fs::symlink_metadata(root) {
            Ok(m) => m,
            Err(e) => {
                let display = root.display().to_string();
                found.push(Found {
                    path: root.clone(),
                    kind: FoundKind::Ignored(Issue::new(Code::Unreadable, Location::file(&display)).message(
                        format!("Không tìm thấy hoặc không đọc được: {e}."),
                        format!("Not found or unreadable: {e}."),
                    )),
                    display,
                });
                continue;
            }
        };
        if !root_meta.is_dir() {
            let display = root.display().to_string();
            found.push(Found { path: root.clone(), kind: classify(root, &display, root_meta.file_type()), display });
            continue;
        }
        let mut walker = WalkDir::new(root).follow_links(false).sort_by_file_name().min_depth(1).into_iter();
        while let Some(entry) = walker.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| root.clone());
                    let display = relative(root, &path);
                    found.push(Found {
                        kind: FoundKind::Ignored(Issue::new(Code::Unreadable, Location::file(&display)).message(
                            format!("Không đọc được thư mục hoặc tệp: {e}."),
                            format!("Cannot read this folder or file: {e}."),
                        )),
                        path,
                        display,
                    });
                    continue;
                }
            };
            let display = relative(root, entry.path());
            let file_type = entry.file_type();
            if file_type.is_dir() {
                if entry.file_name().to_string_lossy().starts_with('.') {
                    walker.skip_current_dir();
                    found.push(Found {
                        path: entry.path().to_path_buf(),
                        kind: ignored(Code::HiddenFile, &display, "Thư mục ẩn: không đọc.", "Hidden folder: not read."),
                        display,
                    });
                } else if let Some(issue) = skip(entry.path(), true) {
                    walker.skip_current_dir();
                    let issue = Issue { location: Location::file(&display), ..issue };
                    found.push(Found { path: entry.path().to_path_buf(), kind: FoundKind::Ignored(issue), display });
                }
                continue;
            }
            let kind = match skip(entry.path(), false).filter(|_| file_type.is_file()) {
                Some(issue) => FoundKind::Ignored(Issue { location: Location::file(&display), ..issue }),
                None => classify(entry.path(), &display, file_type),
            };
            found.push(Found { path: entry.path().to_path_buf(), kind, display });
        }
    }
    found
}

/// Why a listed file was not opened.
#[derive(Debug)]
pub enum Unopened {
    /// Nothing at the path any more.
    Gone(std::io::Error),
    /// A link, a folder, a pipe or a device stands at the path now: never read.
    NotRegular,
    /// The system would not open or describe it (permissions, I/O).
    Failed(std::io::Error),
}

/// Opens a listed file for reading without following a link, and describes it
/// from the handle rather than the path: a link or anything other than a
/// regular file put in its place after it was listed is never read, so no
/// bytes from outside the folder walked are read.
pub fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), Unopened> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    no_follow(&mut options);
    let file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Unopened::Gone(e),
        _ if is_link_refused(&e) => Unopened::NotRegular,
        _ => Unopened::Failed(e),
    })?;
    let metadata = file.metadata().map_err(Unopened::Failed)?;
    if !metadata.is_file() {
        return Err(Unopened::NotRegular);
    }
    Ok((file, metadata))
}

/// The issue of a file listed as a regular file that is something else (a
/// link, a folder, a pipe) when it is opened: it was swapped after listing.
pub fn not_regular_any_more(location: &Location) -> Issue {
    Issue::new(Code::Unreadable, location.clone())
        .message(
            "Tệp đã bị thay bằng liên kết tượng trưng hoặc không còn là tệp thông thường khi được đọc: không đọc, để tránh đọc tệp ngoài thư mục nhận báo cáo.",
            "The file was replaced by a symbolic link or something other than a regular file by the time it was read: not read, so that nothing outside the inputs folder is read.",
        )
        .hint("Chép chính tệp báo cáo vào thư mục (không dùng liên kết).", "Copy the report file itself into the folder (not a link).")
}

/// `O_NOFOLLOW`: the open fails on a link. `O_NONBLOCK`: a pipe put in the
/// file's place does not hang the open waiting for a writer (the handle's type
/// is checked next); reads of a regular file ignore it.
#[cfg(unix)]
fn no_follow(options: &mut std::fs::OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
}

#[cfg(not(unix))]
fn no_follow(_: &mut std::fs::OpenOptions) {}

/// Whether the open failed because of what stands at the path: a link
/// (`ELOOP` under `O_NOFOLLOW`) or a socket (`ENXIO`).
#[cfg(unix)]
fn is_link_refused(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENXIO))
}

#[cfg(not(unix))]
fn is_link_refused(_: &std::io::Error) -> bool {
    false
}

/// The path as reports name it: relative to `root`, names joined by `/` on
/// every system, each name kept whole (see [`crate::fs::lossless_name`]), so
/// that `\xff.xlsx` and `\xfe.xlsx` stay two files.
fn relative(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) => rel.iter().map(crate::fs::lossless_name).collect::<Vec<_>>().join("/"),
        Err(_) => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn opens_regular_files_only_and_never_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.xlsx");
        std::fs::write(&file, b"abc").unwrap();
        std::os::unix::fs::symlink(&file, dir.path().join("link.xlsx")).unwrap();
        let (_, metadata) = open_regular(&file).expect("a regular file opens");
        assert_eq!(metadata.len(), 3);
        assert!(matches!(open_regular(&dir.path().join("link.xlsx")), Err(Unopened::NotRegular)));
        assert!(matches!(open_regular(dir.path()), Err(Unopened::NotRegular)));
        assert!(matches!(open_regular(&dir.path().join("gone.xlsx")), Err(Unopened::Gone(_))));
    }

    #[test]
    fn classifies_by_name() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.xlsx", "~$a.xlsx", ".hidden.xlsx", "b.XLS", "notes.txt", "c.ods~", "d.tmp", ".~lock.e.ods#"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/x.xlsx"), b"x").unwrap();
        let found = discover(&[dir.path().to_path_buf()]);
        let summary: Vec<(String, String)> = found
            .iter()
            .map(|f| {
                let kind = match &f.kind {
                    FoundKind::Workbook => "read".to_string(),
                    FoundKind::Ignored(i) => i.code.to_string(),
                };
                (f.display.clone(), kind)
            })
            .collect();
        let get = |n: &str| summary.iter().find(|(d, _)| d == n).map(|(_, k)| k.as_str());
        assert_eq!(get("a.xlsx"), Some("read"));
        assert_eq!(get("b.XLS"), Some("read"));
        assert_eq!(get("~$a.xlsx"), Some("I001"));
        assert_eq!(get(".~lock.e.ods#"), Some("I001"));
        assert_eq!(get(".hidden.xlsx"), Some("I002"));
        assert_eq!(get(".git"), Some("I002"));
        assert_eq!(get(".git/x.xlsx"), None, "hidden folders are not entered");
        assert_eq!(get("c.ods~"), Some("I003"));
        assert_eq!(get("d.tmp"), Some("I003"));
        assert_eq!(get("notes.txt"), Some("I004"));
    }
}
