//! Approvals of a cycle, kept in the ledger: who approved which version, when,
//! from exactly which input file versions (by SHA-256, archived), and the
//! SHA-256 of every output of the approved version.
//!
//! An approved version is never rewritten. Its inputs are archived when it is
//! approved, so that it can be rebuilt from the archive byte for byte, and any
//! output file (say the document printed for the meeting) can be recognised
//! from its hash alone.

use rusqlite::params;
use sha2::{Digest, Sha256};

use crate::aggregate::Approval;
use crate::issue::Issue;
use crate::ledger::{Ledger, LedgerError};
use crate::model::{FileReport, FileStatus};

/// One input file version an approved build used.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovedInput {
    /// The path as the build named it (relative to the inputs folder).
    pub path: String,
    /// Empty for a file that was not read as a workbook (ignored, unreadable).
    pub sha256: String,
    pub size: u64,
    /// RFC 3339, as the build counted it.
    pub received: Option<String>,
    pub status: FileStatus,
    /// The report of a file not read as a workbook, kept whole: there are no
    /// bytes in the archive to read it from again.
    pub settled: Option<Vec<Issue>>,
}

impl ApprovedInput {
    /// The record of one report of an approved build.
    pub fn of(report: &FileReport) -> ApprovedInput {
        ApprovedInput {
            path: report.file.path.clone(),
            sha256: report.file.sha256.clone(),
            size: report.file.size,
            received: report.file.received.map(|t| t.to_rfc3339()),
            status: report.status,
            settled: report.format.is_none().then(|| report.issues.clone()),
        }
    }

    /// Whether the version's bytes are in the archive (a workbook that was read).
    pub fn is_archived(&self) -> bool {
        self.settled.is_none() && !self.sha256.is_empty()
    }
}

/// One output of an approved version.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovedOutput {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

/// An approval as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub id: i64,
    pub cycle: String,
    /// The cycle's weeks (`2025-W39,2025-W40`), to build it again.
    pub weeks: String,
    /// The language its outputs were written in.
    pub lang: String,
    /// SHA-256 of the configuration and templates it was built with.
    pub config_sha256: String,
    /// Files of other weeks the build saw but did not need.
    pub other_weeks_files: usize,
    pub approval: Approval,
}

/// What is recorded when a cycle is approved.
pub struct NewApproval<'a> {
    pub cycle: &'a str,
    pub weeks: &'a str,
    pub lang: &'a str,
    pub config_sha256: &'a str,
    pub other_weeks_files: usize,
    pub approval: &'a Approval,
    pub inputs: &'a [ApprovedInput],
    pub outputs: &'a [ApprovedOutput],
}

/// The fingerprint of a build's inputs: SHA-256 of one line per file version
/// (path, SHA-256, received time as JSON), sorted.
pub fn inputs_fingerprint(inputs: &[ApprovedInput]) -> String {
    let mut lines: Vec<String> =
        inputs.iter().map(|i| serde_json::json!([i.path, i.sha256, i.received]).to_string()).collect();
    lines.sort();
    let mut hasher = Sha256::new();
    for line in lines {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The approvals of a cycle, oldest first (none in a ledger older than approvals).
pub fn of_cycle(ledger: &Ledger, cycle: &str) -> Result<Vec<Recorded>, LedgerError> {
    select(ledger, "WHERE cycle = ?1 ORDER BY version", cycle)
}

/// The cycle's latest approval, if any.
pub fn latest(ledger: &Ledger, cycle: &str) -> Result<Option<Recorded>, LedgerError> {
    Ok(of_cycle(ledger, cycle)?.pop())
}

/// The approvals whose outputs include a file with this hash, with the file's name.
pub fn by_output(ledger: &Ledger, sha256: &str) -> Result<Vec<(Recorded, String)>, LedgerError> {
    if !has_approvals(ledger)? {
        return Ok(Vec::new());
    }
    let names: Vec<(i64, String)> = query(
        ledger,
        "SELECT approval, name FROM approval_outputs WHERE sha256 = ?1 ORDER BY approval, name",
        params![sha256],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let mut found = Vec::new();
    for (id, name) in names {
        found.extend(select(ledger, "WHERE id = ?1", id)?.into_iter().map(|a| (a, name.clone())));
    }
    Ok(found)
}

/// The input file versions an approval used, in the order the build read them.
pub fn inputs(ledger: &Ledger, approval: &Recorded) -> Result<Vec<ApprovedInput>, LedgerError> {
    query(
        ledger,
        "SELECT path, sha256, size, received, status, settled FROM approval_inputs WHERE approval = ?1 ORDER BY seq",
        params![approval.id],
        |r| {
            let status: String = r.get(4)?;
            let settled: Option<String> = r.get(5)?;
            Ok(ApprovedInput {
                path: r.get(0)?,
                sha256: r.get(1)?,
                size: r.get::<_, i64>(2)? as u64,
                received: r.get(3)?,
                status: serde_json::from_value(serde_json::Value::String(status)).unwrap_or(FileStatus::Rejected),
                settled: settled.and_then(|s| serde_json::from_str(&s).ok()),
            })
        },
    )
}

/// The outputs of an approved version, by name.
pub fn outputs(ledger: &Ledger, approval: &Recorded) -> Result<Vec<ApprovedOutput>, LedgerError> {
    query(
        ledger,
        "SELECT name, sha256, size FROM approval_outputs WHERE approval = ?1 ORDER BY name",
        params![approval.id],
        |r| Ok(ApprovedOutput { name: r.get(0)?, sha256: r.get(1)?, size: r.get::<_, i64>(2)? as u64 }),
    )
}

/// Records an approval in one transaction; its version must be the next of its cycle.
pub fn record(ledger: &mut Ledger, new: &NewApproval<'_>) -> Result<(), LedgerError> {
    let path = ledger.database_path();
    let tx = ledger.connection_mut().transaction();
    let done = tx.and_then(|tx| {
        insert(&tx, new)?;
        tx.commit()
    });
    done.map_err(|source| LedgerError::Database { path, source })
}

fn insert(tx: &rusqlite::Transaction<'_>, new: &NewApproval<'_>) -> rusqlite::Result<()> {
    let approval = new.approval;
    tx.execute(
        "INSERT INTO approvals (cycle, version, approved_by, approved_at, note, lang, weeks, inputs_sha256, config_sha256, other_weeks_files)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![new.cycle, approval.version, approval.by, approval.at, approval.note, new.lang, new.weeks, approval.inputs_sha256, new.config_sha256, new.other_weeks_files as i64],
    )?;
    let id = tx.last_insert_rowid();
    for (seq, i) in new.inputs.iter().enumerate() {
        let status = serde_json::to_value(i.status).ok().and_then(|v| v.as_str().map(str::to_string));
        let settled = i.settled.as_ref().map(|issues| serde_json::to_string(issues).unwrap_or_default());
        tx.execute(
            "INSERT INTO approval_inputs (approval, seq, path, sha256, size, received, status, settled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id, seq as i64, i.path, i.sha256, i.size as i64, i.received, status, settled],
        )?;
    }
    for o in new.outputs {
        tx.execute(
            "INSERT INTO approval_outputs (approval, name, sha256, size) VALUES (?1, ?2, ?3, ?4)",
            params![id, o.name, o.sha256, o.size as i64],
        )?;
    }
    tx.execute(
        "INSERT INTO events (at, kind, path, detail) VALUES (?1, 'approved', ?2, ?3)",
        params![approval.at, new.cycle, format!("v{} {}", approval.version, approval.by)],
    )?;
    Ok(())
}

fn has_approvals(ledger: &Ledger) -> Result<bool, LedgerError> {
    ledger.has_table("approvals").map_err(|e| ledger.db_error(e))
}

fn select(ledger: &Ledger, filter: &str, key: impl rusqlite::ToSql) -> Result<Vec<Recorded>, LedgerError> {
    if !has_approvals(ledger)? {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, cycle, version, approved_by, approved_at, note, lang, weeks, inputs_sha256, config_sha256, other_weeks_files,
                (SELECT COUNT(*) FROM approval_inputs WHERE approval = approvals.id)
         FROM approvals {filter}"
    );
    query(ledger, &sql, params![key], |r| {
        Ok(Recorded {
            id: r.get(0)?,
            cycle: r.get(1)?,
            weeks: r.get(7)?,
            lang: r.get(6)?,
            config_sha256: r.get(9)?,
            other_weeks_files: r.get::<_, i64>(10)? as usize,
            approval: Approval {
                version: r.get(2)?,
                by: r.get(3)?,
                at: r.get(4)?,
                note: r.get(5)?,
                inputs_sha256: r.get(8)?,
                inputs: r.get::<_, i64>(11)? as usize,
            },
        })
    })
}

fn query<T>(
    ledger: &Ledger,
    sql: &str,
    params: impl rusqlite::Params,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, LedgerError> {
    let wrap = |e| ledger.db_error(e);
    let mut stmt = ledger.connection().prepare(sql).map_err(wrap)?;
    let rows = stmt.query_map(params, row).map_err(wrap)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(wrap)
}
