//! The ledger: every file ever seen in the shared folder, in a SQLite database,
//! and a content-addressed archive of every distinct version received.
//!
//! A ministry that overwrites or deletes its file loses nothing: the archive
//! keeps each version under its SHA-256, and the ledger keeps when it was first
//! seen (the received time for timeliness), what it was judged, and what
//! happened to the path since. WAL mode lets `watch` write while `build` reads.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, params};

use crate::model::FileReport;

/// File name of the database inside the state folder.
pub const DATABASE: &str = "ledger.sqlite";
/// Folder of the archive inside the state folder.
pub const ARCHIVE: &str = "archive";

/// The hash recorded for a file that could not be read when it arrived: no
/// version of its content is known, and nothing is archived.
pub const NOT_READ: &str = "";

/// An open ledger.
pub struct Ledger {
    conn: Connection,
    dir: PathBuf,
}

/// One version of one path, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub first_seen: DateTime<FixedOffset>,
    pub unit: Option<String>,
    pub week: Option<String>,
    pub status: String,
    pub deleted: bool,
}

/// Errors of the ledger, with the path of the state folder for the message.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("ledger database {path}: {source}")]
    Database { path: PathBuf, source: rusqlite::Error },
    #[error("archive {path}: {source}")]
    Archive { path: PathBuf, source: std::io::Error },
    #[error("không có sổ ghi {} (no ledger database); chạy `tonghop watch` để tạo, hoặc kiểm tra --state", path.display())]
    Missing { path: PathBuf },
    #[error("{} không phải sổ ghi của tonghop (not a tonghop ledger: it has no table of files)", path.display())]
    NotALedger { path: PathBuf },
    #[error(
        "sổ ghi {} bị mất hoặc rỗng trong khi kho lưu {} còn {files} tệp (the ledger is missing or empty, but the archive holds {files} files): \
         khôi phục sổ ghi từ bản sao lưu; hoặc, để bắt đầu lại, chuyển thư mục kho lưu đi nơi khác \
         (restore the ledger from a backup; or, to start afresh, move the archive folder away)",
        database.display(),
        archive.display()
    )]
    Lost { database: PathBuf, archive: PathBuf, files: usize },
}

/// Refuses a state folder whose database is missing or empty (0 bytes, which
/// SQLite would take for a new database) while its archive holds files: the
/// record of when each was received is lost, and must not silently start afresh.
pub fn refuse_if_lost(state_dir: &Path) -> Result<(), LedgerError> {
    let database = state_dir.join(DATABASE);
    let empty = match std::fs::metadata(&database) {
        Ok(m) => m.len() == 0,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    };
    let archive = state_dir.join(ARCHIVE);
    let files = if empty { archived_files(&archive) } else { 0 };
    if files > 0 {
        return Err(LedgerError::Lost { database, archive, files });
    }
    Ok(())
}

/// How many files the archive folder holds (none when there is no folder).
fn archived_files(archive: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(archive) else { return 0 };
    entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_file())).count()
}

/// The extension a version of `path` is archived under (`bin` when it has none).
pub fn extension_of(path: &str) -> String {
    Path::new(path).extension().and_then(|e| e.to_str()).unwrap_or("bin").to_string()
}

/// The content-addressed archive of a state folder.
#[derive(Debug, Clone)]
pub struct Archive {
    dir: PathBuf,
}

impl Archive {
    /// Where a version is kept.
    pub fn path(&self, sha256: &str, extension: &str) -> PathBuf {
        self.dir.join(format!("{sha256}.{}", extension.to_lowercase()))
    }

    /// Keeps `bytes` under their hash. A copy that is not these bytes (lost,
    /// damaged, replaced) is written again; one that is, is left alone.
    pub fn keep(&self, sha256: &str, extension: &str, bytes: &[u8]) -> Result<PathBuf, LedgerError> {
        let archived = self.path(sha256, extension);
        if archived_hash(&archived).ok().as_deref() != Some(sha256) {
            std::fs::create_dir_all(&self.dir)
                .map_err(|source| LedgerError::Archive { path: self.dir.clone(), source })?;
            crate::fs::write_atomic(&archived, bytes)
                .map_err(|source| LedgerError::Archive { path: archived.clone(), source })?;
        }
        Ok(archived)
    }

    /// The archived copy of a version, checked against its hash: a copy lost,
    /// replaced or damaged on disk is never taken for the version received.
    pub fn checked_copy(&self, sha256: &str, extension: &str) -> Result<PathBuf, ArchiveProblem> {
        let path = self.path(sha256, extension);
        match archived_hash(&path) {
            Ok(found) if found == sha256 => Ok(path),
            Ok(found) => Err(ArchiveProblem { path, kind: ArchiveProblemKind::Altered { found } }),
            Err(kind) => Err(ArchiveProblem { path, kind }),
        }
    }
}

/// An archived copy that is not the version it is filed under.
#[derive(Debug)]
pub struct ArchiveProblem {
    pub path: PathBuf,
    pub kind: ArchiveProblemKind,
}

#[derive(Debug)]
pub enum ArchiveProblemKind {
    Missing,
    /// A link or anything but a regular file: not followed.
    NotRegular,
    Unreadable(std::io::Error),
    /// Other bytes, with their hash.
    Altered {
        found: String,
    },
}

/// The SHA-256 of an archived copy, opened without following a link.
fn archived_hash(path: &Path) -> Result<String, ArchiveProblemKind> {
    use crate::ingest::Unopened;
    let (file, _) = crate::ingest::open_regular(path).map_err(|e| match e {
        Unopened::Gone(_) => ArchiveProblemKind::Missing,
        Unopened::NotRegular => ArchiveProblemKind::NotRegular,
        Unopened::Failed(e) => ArchiveProblemKind::Unreadable(e),
    })?;
    sha256_of_reader(file).map_err(ArchiveProblemKind::Unreadable)
}

/// The SHA-256 of everything a reader holds, read in blocks so that a file of
/// any size costs no memory, in lower-case hexadecimal.
pub fn sha256_of_reader(mut reader: impl std::io::Read) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut block)?;
        if n == 0 {
            return Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect());
        }
        hasher.update(&block[..n]);
    }
}

/// A read-only connection; `immutable` reads the file as it stands, without
/// the locks and shared memory of WAL mode (for a folder we may not write).
fn connect_read_only(db: &Path, immutable: bool) -> rusqlite::Result<Connection> {
    use rusqlite::OpenFlags;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = if immutable {
        Connection::open_with_flags(format!("file:{}?immutable=1", uri_path(db)), flags)?
    } else {
        Connection::open_with_flags(db, flags)?
    };
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

/// A path as the path of a `file:` URI: every byte but letters, digits and
/// `/-._~` percent-encoded (a `?` or `#` in a folder name must not end the path).
fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(absolute.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = absolute.to_string_lossy().as_bytes().to_vec();
    bytes
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Ledger {
    /// Opens (creating if needed) the ledger in `state_dir`.
    ///
    /// A database missing or empty beside an archive that holds files is
    /// refused ([`LedgerError::Lost`]): starting afresh would count every file
    /// of the folder as received now.
    pub fn open(state_dir: &Path) -> Result<Ledger, LedgerError> {
        refuse_if_lost(state_dir)?;
        let db = state_dir.join(DATABASE);
        let wrap = |source| LedgerError::Database { path: db.clone(), source };
        std::fs::create_dir_all(state_dir.join(ARCHIVE))
            .map_err(|source| LedgerError::Archive { path: state_dir.join(ARCHIVE), source })?;
        let conn = Connection::open(&db).map_err(wrap)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(wrap)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(wrap)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(wrap)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS files (
                id INTEGER PRIMARY KEY,
                path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size INTEGER NOT NULL,
                first_seen TEXT NOT NULL,
                last_seen TEXT NOT NULL,
                unit TEXT,
                week TEXT,
                status TEXT NOT NULL,
                errors INTEGER NOT NULL DEFAULT 0,
                warnings INTEGER NOT NULL DEFAULT 0,
                supersedes INTEGER REFERENCES files(id),
                deleted_at TEXT,
                UNIQUE(path, sha256)
            );
            CREATE INDEX IF NOT EXISTS files_unit_week ON files(unit, week);
            CREATE TABLE IF NOT EXISTS approvals (
                id INTEGER PRIMARY KEY,
                cycle TEXT NOT NULL,
                version INTEGER NOT NULL,
                approved_by TEXT NOT NULL,
                approved_at TEXT NOT NULL,
                note TEXT,
                lang TEXT NOT NULL,
                weeks TEXT NOT NULL,
                inputs_sha256 TEXT NOT NULL,
                config_sha256 TEXT NOT NULL,
                other_weeks_files INTEGER NOT NULL,
                UNIQUE(cycle, version)
            );
            CREATE TABLE IF NOT EXISTS approval_inputs (
                approval INTEGER NOT NULL REFERENCES approvals(id),
                seq INTEGER NOT NULL,
                path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size INTEGER NOT NULL,
                received TEXT,
                status TEXT NOT NULL,
                settled TEXT,
                PRIMARY KEY(approval, seq)
            );
            CREATE TABLE IF NOT EXISTS approval_outputs (
                approval INTEGER NOT NULL REFERENCES approvals(id),
                name TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size INTEGER NOT NULL,
                PRIMARY KEY(approval, name)
            );
            CREATE INDEX IF NOT EXISTS approval_outputs_sha ON approval_outputs(sha256);
            CREATE TABLE IF NOT EXISTS events (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                path TEXT NOT NULL,
                sha256 TEXT,
                detail TEXT
            );",
        )
        .map_err(wrap)?;
        Ok(Ledger { conn, dir: state_dir.to_path_buf() })
    }

    /// Opens the ledger in `state_dir` for reading only: nothing is created or
    /// written, so that `status` and `build` work on a state folder they may
    /// not write (a copy, a read-only share, another account's `watch`).
    pub fn open_read_only(state_dir: &Path) -> Result<Ledger, LedgerError> {
        refuse_if_lost(state_dir)?;
        let db = state_dir.join(DATABASE);
        let wrap = |source| LedgerError::Database { path: db.clone(), source };
        if !db.is_file() {
            return Err(LedgerError::Missing { path: db });
        }
        let ledger = Ledger { conn: connect_read_only(&db, false).map_err(wrap)?, dir: state_dir.to_path_buf() };
        match ledger.has_files_table() {
            Ok(true) => return Ok(ledger),
            Ok(false) => return Err(LedgerError::NotALedger { path: db }),
            // A WAL database needs its shared-memory file beside it; in a folder
            // we may not write, with no writer running, there is none to use: the
            // database is then read as it stands on disk.
            Err(_) => {}
        }
        let ledger = Ledger { conn: connect_read_only(&db, true).map_err(wrap)?, dir: state_dir.to_path_buf() };
        match ledger.has_files_table().map_err(wrap)? {
            true => Ok(ledger),
            false => Err(LedgerError::NotALedger { path: db }),
        }
    }

    fn has_files_table(&self) -> rusqlite::Result<bool> {
        self.has_table("files")
    }

    /// Whether the database has a table (a ledger written before approvals has none of theirs).
    pub(crate) fn has_table(&self, name: &str) -> rusqlite::Result<bool> {
        self.conn
            .query_row("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", [name], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
    }

    pub(crate) fn database_path(&self) -> PathBuf {
        self.dir.join(DATABASE)
    }

    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub(crate) fn db_error(&self, source: rusqlite::Error) -> LedgerError {
        LedgerError::Database { path: self.dir.join(DATABASE), source }
    }

    /// Whether this exact version of this path was already recorded.
    pub fn knows(&self, path: &str, sha256: &str) -> Result<bool, LedgerError> {
        self.conn
            .query_row("SELECT 1 FROM files WHERE path = ?1 AND sha256 = ?2", params![path, sha256], |_| Ok(()))
            .optional()
            .map(|r| r.is_some())
            .map_err(|e| self.db_error(e))
    }

    /// The archive path of a version.
    pub fn archive_path(&self, sha256: &str, extension: &str) -> PathBuf {
        self.archive().path(sha256, extension)
    }

    /// The archive beside the ledger (which, unlike the ledger, threads may share).
    pub fn archive(&self) -> Archive {
        Archive { dir: self.dir.join(ARCHIVE) }
    }

    /// Records a checked file version: archives its bytes (`None` for a file
    /// over the size limit, which is recorded but not kept), stores its verdict,
    /// links it to the version of the same (unit, week) it supersedes. Returns
    /// the id of the superseded row, if any.
    pub fn record(
        &mut self,
        report: &FileReport,
        bytes: Option<&[u8]>,
        seen: DateTime<Tz>,
    ) -> Result<Option<i64>, LedgerError> {
        if let Some(bytes) = bytes {
            self.archive().keep(&report.file.sha256, &extension_of(&report.file.path), bytes)?;
        }
        let week = report.week.map(|w| w.label());
        let status =
            serde_json::to_value(report.status).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let errors = report.issues.iter().filter(|i| i.severity == crate::issue::Severity::Error).count() as i64;
        let warnings = report.issues.iter().filter(|i| i.severity == crate::issue::Severity::Warning).count() as i64;
        let at = seen.to_rfc3339();
        let tx =
            self.conn.transaction().map_err(|e| LedgerError::Database { path: self.dir.join(DATABASE), source: e })?;
        let superseded: Option<i64> = match (&report.unit, &week, report.submission.is_some()) {
            (Some(unit), Some(week), true) => tx
                .query_row(LATEST_ACCEPTED, params![unit, week], |r| r.get(0))
                .optional()
                .map_err(|e| LedgerError::Database { path: self.dir.join(DATABASE), source: e })?,
            _ => None,
        };
        tx.execute(
            "INSERT INTO files (path, sha256, size, first_seen, last_seen, unit, week, status, errors, warnings, supersedes)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT(path, sha256) DO UPDATE SET last_seen = excluded.last_seen, deleted_at = NULL,
                 first_seen = CASE WHEN excluded.sha256 = '' THEN excluded.first_seen ELSE files.first_seen END",
            params![report.file.path, report.file.sha256, report.file.size as i64, at, report.unit, week, status, errors, warnings, superseded],
        )
        .map_err(|e| LedgerError::Database { path: self.dir.join(DATABASE), source: e })?;
        tx.execute(
            "INSERT INTO events (at, kind, path, sha256, detail) VALUES (?1, 'received', ?2, ?3, ?4)",
            params![at, report.file.path, report.file.sha256, status],
        )
        .map_err(|e| LedgerError::Database { path: self.dir.join(DATABASE), source: e })?;
        tx.commit().map_err(|e| LedgerError::Database { path: self.dir.join(DATABASE), source: e })?;
        Ok(superseded)
    }

    /// Whether the latest record of a path is of it unreadable ([`NOT_READ`]):
    /// a file still unreadable is not recorded again, one unreadable again
    /// after a version of it was read is. (Recording it again moves its
    /// first sight to now, since that row stands for the path's state.)
    pub fn last_seen_unreadable(&self, path: &str) -> Result<bool, LedgerError> {
        self.conn
            .query_row(
                "SELECT sha256 FROM files WHERE path = ?1 ORDER BY first_seen DESC, id DESC LIMIT 1",
                params![path],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map(|sha| sha.as_deref() == Some(NOT_READ))
            .map_err(|e| self.db_error(e))
    }

    /// Records that a path has disappeared from the folder (its versions stay archived).
    pub fn mark_deleted(&self, path: &str, at: DateTime<Tz>) -> Result<(), LedgerError> {
        let changed = self
            .conn
            .execute(
                "UPDATE files SET deleted_at = ?1 WHERE path = ?2 AND deleted_at IS NULL",
                params![at.to_rfc3339(), path],
            )
            .map_err(|e| self.db_error(e))?;
        if changed > 0 {
            self.conn
                .execute(
                    "INSERT INTO events (at, kind, path) VALUES (?1, 'deleted', ?2)",
                    params![at.to_rfc3339(), path],
                )
                .map_err(|e| self.db_error(e))?;
        }
        Ok(())
    }

    /// Paths currently present according to the ledger (not marked deleted).
    pub fn present_paths(&self) -> Result<Vec<String>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT path FROM files WHERE deleted_at IS NULL ORDER BY path")
            .map_err(|e| self.db_error(e))?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(|e| self.db_error(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.db_error(e))
    }

    /// Every version ever recorded, oldest first.
    pub fn entries(&self) -> Result<Vec<Entry>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, sha256, size, first_seen, unit, week, status, deleted_at IS NOT NULL FROM files ORDER BY first_seen, id")
            .map_err(|e| self.db_error(e))?;
        let rows = stmt
            .query_map([], |r| {
                let first_seen: String = r.get(3)?;
                Ok(Entry {
                    path: r.get(0)?,
                    sha256: r.get(1)?,
                    size: r.get::<_, i64>(2)? as u64,
                    first_seen: DateTime::parse_from_rfc3339(&first_seen).unwrap_or_default(),
                    unit: r.get(4)?,
                    week: r.get(5)?,
                    status: r.get(6)?,
                    deleted: r.get(7)?,
                })
            })
            .map_err(|e| self.db_error(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.db_error(e))
    }

    /// When a version was first seen, by (path, sha256).
    /// The accepted version of a unit's report for a week (`2025-W40`) that a
    /// new accepted one would replace (the one [`Ledger::record`] links it
    /// to): its path and when it was first seen.
    pub fn latest_accepted(
        &self,
        unit: &str,
        week: &str,
    ) -> Result<Option<(String, DateTime<FixedOffset>)>, LedgerError> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                &format!("SELECT path, first_seen FROM files WHERE id = ({LATEST_ACCEPTED})"),
                params![unit, week],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.db_error(e))?;
        Ok(row.and_then(|(path, t)| Some((path, DateTime::parse_from_rfc3339(&t).ok()?))))
    }

    pub fn first_seen(&self, path: &str, sha256: &str) -> Result<Option<DateTime<FixedOffset>>, LedgerError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT first_seen FROM files WHERE path = ?1 AND sha256 = ?2", params![path, sha256], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.db_error(e))?;
        Ok(text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()))
    }
}

/// The id of the latest accepted version of a unit (`?1`) for a week (`?2`).
const LATEST_ACCEPTED: &str =
    "SELECT id FROM files WHERE unit = ?1 AND week = ?2 AND status IN ('accepted','accepted_with_warnings')
     ORDER BY first_seen DESC, id DESC LIMIT 1";

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::issue::{Code, Issue, Location};
    use crate::model::FileMeta;

    fn report(sha256: &str) -> FileReport {
        let meta = FileMeta { path: "a.xlsx".into(), size: 3, sha256: sha256.into(), received: None };
        crate::validate::unreadable(meta, Issue::new(Code::Unreadable, Location::file("a.xlsx")))
    }

    fn at(hour: u32) -> DateTime<Tz> {
        chrono_tz::Asia::Ho_Chi_Minh.with_ymd_and_hms(2025, 9, 8, hour, 0, 0).single().expect("time")
    }

    /// A file unreadable is recorded once; read since, it is not "still"
    /// unreadable; unreadable again, it is recorded again, as of then.
    #[test]
    fn an_unreadable_path_is_known_until_a_version_of_it_is_read() {
        let state = tempfile::tempdir().expect("tmp");
        let mut ledger = Ledger::open(state.path()).expect("ledger");
        assert!(!ledger.last_seen_unreadable("a.xlsx").expect("query"));
        ledger.record(&report(NOT_READ), None, at(9)).expect("record");
        assert!(ledger.last_seen_unreadable("a.xlsx").expect("query"));
        ledger.record(&report("abc"), Some(b"abc"), at(10)).expect("record");
        assert!(!ledger.last_seen_unreadable("a.xlsx").expect("query"));
        ledger.record(&report(NOT_READ), None, at(11)).expect("record");
        assert!(ledger.last_seen_unreadable("a.xlsx").expect("query"));
        let unread: Vec<Entry> =
            ledger.entries().expect("entries").into_iter().filter(|e| e.sha256.is_empty()).collect();
        assert_eq!(unread.len(), 1);
        assert_eq!(unread[0].first_seen, at(11).fixed_offset());
    }

    #[test]
    fn a_lost_ledger_is_refused_and_an_empty_state_folder_is_not() {
        let state = tempfile::tempdir().expect("tmp");
        assert!(refuse_if_lost(state.path()).is_ok(), "nothing there yet");
        std::fs::create_dir_all(state.path().join(ARCHIVE)).expect("mkdir");
        std::fs::write(state.path().join(ARCHIVE).join("abc.xlsx"), b"abc").expect("write");
        assert!(matches!(Ledger::open(state.path()), Err(LedgerError::Lost { files: 1, .. })));
        assert!(!state.path().join(DATABASE).exists(), "no fresh ledger created");
    }
}
