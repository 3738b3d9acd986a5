//! File-system helpers at the ground floor of the pipeline: writing a file so
//! that a reader never sees half of it, the lock that keeps two runs from
//! writing one outputs folder, the temporaries a killed run leaves, hashing.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Writes a file through a temporary sibling and a rename, so a reader never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_file_name(temporary_name(path));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        // A write that failed leaves nothing behind for the next run to trip on.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// The longest a temporary file's name gets, in bytes: well under the 255 bytes
/// of a path component, whatever the length of the name it stands for.
pub const MAX_TEMPORARY_NAME_BYTES: usize = 1 + TEMPORARY_HINT_BYTES + ".tmp-".len() + 20 + 1 + 20;

/// How much of the final name a temporary keeps, so that a leftover says what it was.
const TEMPORARY_HINT_BYTES: usize = 48;

/// `.<start of the name>.tmp-<process>-<sequence>`: hidden, unique among the
/// writers of this process (receipts are written in parallel) and of other
/// processes, and bounded in length, so that a file whose own name is near the
/// system's limit still has a temporary.
fn temporary_name(path: &Path) -> String {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let hint = truncate_to_bytes(&name, TEMPORARY_HINT_BYTES);
    let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    format!(".{hint}.tmp-{}-{sequence}", std::process::id())
}

/// The longest start of `text` that fits in `max` bytes, cut between two characters.
///
/// ```
/// use tonghop::fs::truncate_to_bytes;
/// assert_eq!(truncate_to_bytes("Hà Nội", 3), "Hà");
/// assert_eq!(truncate_to_bytes("Hà Nội", 2), "H");
/// assert_eq!(truncate_to_bytes("Hà Nội", 100), "Hà Nội");
/// ```
pub fn truncate_to_bytes(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The longest name [`safe_name`] gives, in bytes. With the hash and the
/// extension of a receipt, or as a temporary while it is written, a name stays
/// well under the 255 bytes most file systems allow for one name.
pub const MAX_NAME_BYTES: usize = 200;

/// A file name derived from reporter data that is safe on every system: no
/// separators, no `..`, no control or reserved characters, no reserved device
/// names, not hidden, no trailing dot or space (which Windows drops), at most
/// [`MAX_NAME_BYTES`] bytes (cut between two characters).
///
/// ```
/// use tonghop::fs::{MAX_NAME_BYTES, safe_name};
/// assert_eq!(safe_name("a/b:c"), "a_b_c");
/// assert_eq!(safe_name("..x"), "_x");
/// assert_eq!(safe_name("nul.txt"), "_nul.txt");
/// let long = safe_name(&"Hà Nội ".repeat(40));
/// assert!(long.len() <= MAX_NAME_BYTES && long.starts_with("Hà Nội Hà Nội") && !long.ends_with(' '));
/// ```
pub fn safe_name(text: &str) -> String {
    let mut out: String = text.chars().map(|c| if is_unsafe_in_name(c) { '_' } else { c }).collect();
    while out.contains("..") {
        out = out.replace("..", "_");
    }
    let trimmed = out.trim().trim_start_matches('.');
    // One byte is kept for the `_` that a reserved or empty name gets.
    let cut = truncate_to_bytes(trimmed, MAX_NAME_BYTES - 1).trim_end_matches(['.', ' ']);
    if cut.is_empty() || is_reserved_device(cut) { format!("_{cut}") } else { cut.to_string() }
}

/// Characters no file name of ours holds: controls, separators, and those Windows refuses.
fn is_unsafe_in_name(c: char) -> bool {
    c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
}

/// Whether Windows reserves the name for a device (`CON`, `nul.txt`, `COM1`).
fn is_reserved_device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("").to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
}

/// Name of the lock file in the outputs folder.
pub const LOCK_FILE: &str = ".tonghop.lock";

/// An exclusive lock on an outputs folder, so that two runs never interleave writes.
///
/// Held for the lifetime of the value; the operating system releases it if the
/// process dies, so a killed run never leaves the folder locked.
pub struct OutputLock {
    _file: std::fs::File,
}

impl OutputLock {
    /// Takes the lock, waiting up to `wait` for another run to finish; `None` when it did not.
    pub fn acquire(out: &Path, wait: Duration) -> std::io::Result<Option<OutputLock>> {
        std::fs::create_dir_all(out)?;
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(out.join(LOCK_FILE))?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Some(OutputLock { _file: file })),
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
                Err(std::fs::TryLockError::Error(e)) => return Err(e),
            }
        }
    }
}

/// Removes `.name.tmp-PID-N` files a killed run left behind. Call it only under
/// the output lock, so that no live writer owns them.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') && name.contains(".tmp-") && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A file or folder name as text, without losing anything: every character
/// as it is (Vietnamese stays readable), a byte that is not UTF-8 written
/// `\xff` (a lone UTF-16 half on Windows `\u{d800}`), and a backslash
/// written `\\` so that no name can pass for an escaped one. Two names give
/// two texts, so two files never share a name in the ledger or the reports.
///
/// ```
/// # #[cfg(unix)] {
/// use std::ffi::OsStr;
/// use std::os::unix::ffi::OsStrExt;
/// use tonghop::fs::lossless_name;
/// assert_eq!(lossless_name(OsStr::new("Hà Nội.xlsx")), "Hà Nội.xlsx");
/// assert_eq!(lossless_name(OsStr::from_bytes(b"\xff.xlsx")), "\\xff.xlsx");
/// assert_eq!(lossless_name(OsStr::from_bytes(b"\\xff.xlsx")), "\\\\xff.xlsx");
/// # }
/// ```
pub fn lossless_name(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            push_escaping_backslashes(&mut out, chunk.valid());
            for byte in chunk.invalid() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        }
        out
    }
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStrExt;
        let mut out = String::new();
        for unit in char::decode_utf16(name.encode_wide()) {
            match unit {
                Ok(c) => push_escaping_backslashes(&mut out, c.encode_utf8(&mut [0; 4])),
                Err(lone) => out.push_str(&format!("\\u{{{:x}}}", lone.unpaired_surrogate())),
            }
        }
        out
    }
    #[cfg(not(any(unix, windows)))]
    {
        name.to_string_lossy().replace('\\', "\\\\")
    }
}

fn push_escaping_backslashes(out: &mut String, text: &str) {
    for c in text.chars() {
        if c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The SHA-256 of `bytes`, in lower-case hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The SHA-256 of a file read in blocks, so that a file of any size costs no memory.
pub fn sha256_of_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            return Ok(hex(&hasher.finalize()));
        }
        hasher.update(&block[..n]);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
