//! One file arriving in the shared folder, as `watch` hands it over once it
//! has settled: read once (so the hash and the verdict are of the same bytes),
//! validated, recorded in the ledger, archived, and given its receipt.

use std::io::Read;
use std::path::Path;

use chrono::DateTime;
use chrono_tz::Tz;

use super::driver::Pipeline;
use super::inputs::too_large_report;
use super::read::{StageClock, validated};
use crate::error::Result;
use crate::fs::sha256_hex;
use crate::ingest::{self, Ingested, Unopened};
use crate::issue::{Code, Issue, Location};
use crate::ledger::{Ledger, NOT_READ, sha256_of_reader};
use crate::model::{FileMeta, FileReport};
use crate::render::receipt::{self, ReceiptError};

/// Whether a file's receipt was written: a receipt that could not be is that file's problem only.
pub type ReceiptResult = std::result::Result<(), ReceiptError>;

/// A file's receipts: in the outputs folder, and the copy in the receipts
/// folder of the unit's folder it lies in, when it lies in one (`None`), with
/// where it was written.
#[derive(Debug)]
pub struct Receipts {
    pub outputs: ReceiptResult,
    pub unit: Option<std::result::Result<std::path::PathBuf, ReceiptError>>,
}

/// A complete file in the inputs folder.
#[derive(Debug, Clone, Copy)]
pub struct Arrival<'a> {
    /// The inputs folder, where the units' folders are.
    pub inputs: &'a Path,
    pub path: &'a Path,
    /// Its path relative to the inputs folder, as reports name it.
    pub display: &'a str,
    pub size: u64,
    /// When it counts as received, if it is a version the ledger does not know.
    pub received: DateTime<Tz>,
    /// Whether a file that does not open yet is judged now (rejected) rather
    /// than left for a later pass, as a file still being copied would be.
    pub judge_incomplete: bool,
}

/// What became of an arriving file.
#[derive(Debug)]
pub enum Arrived {
    /// This version is in the ledger already.
    Known,
    /// Gone, or something other than a regular file (a link put in its place),
    /// since it was listed: nothing is recorded; the next pass sees what is there.
    Vanished,
    /// The system would not let it be read (permissions, an I/O error). The
    /// first time (and again once a version of it was read since), it is
    /// recorded as rejected (`F001`) with its receipt, in `recorded`; it is
    /// tried again on later passes, and received as soon as it can be read.
    Unreadable { reason: String, recorded: Option<(Box<FileReport>, Receipts)> },
    /// It does not open yet and may still be being copied.
    Incomplete,
    /// A new version, recorded and archived (unless over the size limit), and
    /// its receipt written or why not: a receipt that cannot be written is
    /// this file's problem, said in the log, never the end of `watch`.
    Recorded { report: Box<FileReport>, receipt: Receipts },
}

impl Pipeline<'_> {
    /// Processes one arriving file: see [`Arrived`].
    ///
    /// The file is opened without following a link and measured from the
    /// handle, so that what is hashed, judged and archived is the regular file
    /// of the folder, never what a link put in its place after listing names.
    pub fn receive(&self, ledger: &mut Ledger, out: &Path, arrival: &Arrival<'_>) -> Result<Arrived> {
        let (file, metadata) = match ingest::open_regular(arrival.path) {
            Ok(opened) => opened,
            Err(Unopened::Failed(e)) => return self.receive_unreadable(ledger, out, arrival, &e),
            Err(Unopened::Gone(_) | Unopened::NotRegular) => return Ok(Arrived::Vanished),
        };
        let limit = self.config.limits.max_file_bytes;
        if metadata.len() > limit {
            return self.receive_too_large(ledger, out, arrival, file, metadata.len());
        }
        let mut bytes = Vec::new();
        if let Err(e) = file.take(limit.saturating_add(1)).read_to_end(&mut bytes) {
            return self.receive_unreadable(ledger, out, arrival, &e);
        }
        if bytes.len() as u64 > limit {
            // It grew since it was measured: still being written; measured again on a later pass.
            return Ok(Arrived::Incomplete);
        }
        let sha = sha256_hex(&bytes);
        if ledger.knows(arrival.display, &sha)? {
            return Ok(Arrived::Known);
        }
        let report = self.check_bytes(arrival.display, &bytes, sha, arrival.received);
        let incomplete = report.issues.iter().any(|i| matches!(i.code, Code::CorruptArchive | Code::ReadFailed));
        if incomplete && !arrival.judge_incomplete {
            return Ok(Arrived::Incomplete);
        }
        let (report, receipt) = self.record(ledger, out, arrival.inputs, report, Some(&bytes), arrival.received)?;
        Ok(Arrived::Recorded { report, receipt })
    }

    /// A file over the size limit is never loaded: hashed as a stream,
    /// rejected from its size, recorded, not archived.
    fn receive_too_large(
        &self,
        ledger: &mut Ledger,
        out: &Path,
        arrival: &Arrival<'_>,
        file: std::fs::File,
        size: u64,
    ) -> Result<Arrived> {
        let sha = match sha256_of_reader(file) {
            Ok(sha) => sha,
            Err(e) => return self.receive_unreadable(ledger, out, arrival, &e),
        };
        if ledger.knows(arrival.display, &sha)? {
            return Ok(Arrived::Known);
        }
        let report = too_large_report(self.config, arrival.display, size, sha, Some(arrival.received));
        let (report, receipt) = self.record(ledger, out, arrival.inputs, report, None, arrival.received)?;
        Ok(Arrived::Recorded { report, receipt })
    }

    /// A file the system would not let us read: recorded as rejected with its
    /// receipt, once (the ledger knows it, with no hash, until a version of it
    /// is read), so that it is said at once and holds nothing back; `watch`
    /// tries it again at every rescan.
    fn receive_unreadable(
        &self,
        ledger: &mut Ledger,
        out: &Path,
        arrival: &Arrival<'_>,
        error: &std::io::Error,
    ) -> Result<Arrived> {
        let reason = error.to_string();
        if ledger.last_seen_unreadable(arrival.display)? {
            return Ok(Arrived::Unreadable { reason, recorded: None });
        }
        let meta = FileMeta {
            path: arrival.display.to_string(),
            size: arrival.size,
            sha256: NOT_READ.to_string(),
            received: Some(arrival.received),
        };
        let report = crate::validate::unreadable(meta, cannot_read(arrival.display, error));
        let recorded = self.record(ledger, out, arrival.inputs, report, None, arrival.received)?;
        Ok(Arrived::Unreadable { reason, recorded: Some(recorded) })
    }

    fn record(
        &self,
        ledger: &mut Ledger,
        out: &Path,
        inputs: &Path,
        report: FileReport,
        bytes: Option<&[u8]>,
        received: DateTime<Tz>,
    ) -> Result<(Box<FileReport>, Receipts)> {
        // A template that does not compile is the configuration's fault: said
        // before anything is recorded, so the file is taken again once it is fixed.
        let template = self.receipt_template()?;
        let mut report = report;
        self.note_replaced(ledger, &mut report)?;
        ledger.record(&report, bytes, received)?;
        let outputs = receipt::write_receipt(self.config, out, &report, &template, &self.lang);
        let unit = receipt::write_unit_receipt(self.config, inputs, &report, &template, &self.lang);
        Ok((Box::new(report), Receipts { outputs, unit }))
    }

    /// Notes on an accepted report the version it replaces, the one the
    /// ledger links it to, as a build from the archive tells it.
    fn note_replaced(&self, ledger: &Ledger, report: &mut FileReport) -> Result<()> {
        let (Some(unit), Some(week), true) = (&report.unit, report.week, report.submission.is_some()) else {
            return Ok(());
        };
        if let Some((path, first_seen)) = ledger.latest_accepted(unit, &week.label())? {
            let received = Some(first_seen.with_timezone(&self.config.calendar.timezone));
            super::read::note_supersession(report, crate::model::Superseded { path, received });
        }
        Ok(())
    }

    /// Validates bytes already read, through the same guarded read as a file of a folder.
    pub fn check_bytes(&self, display: &str, bytes: &[u8], sha256: String, received: DateTime<Tz>) -> FileReport {
        let meta = FileMeta { path: display.to_string(), size: bytes.len() as u64, sha256, received: Some(received) };
        let limits = &self.config.limits;
        if meta.size > limits.max_file_bytes {
            return too_large_report(self.config, display, meta.size, meta.sha256, meta.received);
        }
        let result = ingest::read_bytes_guarded(bytes, &Location::file(display), limits, None);
        validated(self.config, Ingested { meta, result }, &StageClock::default(), None)
    }
}

/// The issue of a file `watch` cannot read: what the system said, and that
/// it will be received as soon as it can be read.
fn cannot_read(display: &str, error: &std::io::Error) -> Issue {
    Issue::new(Code::Unreadable, Location::file(display))
        .message(
            format!("Không đọc được tệp ({error}); tệp được thử đọc lại và sẽ được tiếp nhận ngay khi đọc được."),
            format!("The file cannot be read ({error}); it is tried again and will be received as soon as it can be read."),
        )
        .hint(
            "Kiểm tra quyền truy cập tệp và thư mục dùng chung (tài khoản của dịch vụ phải đọc được tệp), hoặc chép lại tệp.",
            "Check the permissions of the file and the shared folder (the service's account must be able to read it), or copy the file again.",
        )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::language::Language;
    use crate::model::FileStatus;
    use crate::schema::Config;

    #[test]
    fn check_bytes_applies_the_configured_limits() {
        let mut config = Config::load(Path::new("report_templates")).expect("bundled config");
        let bytes = std::fs::read("inputs/2025-W37/01-ha-noi.xlsx").expect("a sample file");
        let received = config.calendar.timezone.with_ymd_and_hms(2025, 9, 8, 10, 0, 0).single().expect("a time");
        let lang = Language::load(&[config.dir.as_path()], "vi").expect("Vietnamese");
        let report =
            Pipeline::new(&config, lang.clone(), None).check_bytes("01-ha-noi.xlsx", &bytes, String::new(), received);
        assert_eq!(report.status, FileStatus::Accepted, "{:?}", report.issues);

        config.limits.max_file_bytes = 16 * 1024;
        let report = Pipeline::new(&config, lang, None).check_bytes("01-ha-noi.xlsx", &bytes, String::new(), received);
        assert_eq!(report.status, FileStatus::Rejected);
        let codes: Vec<Code> = report.issues.iter().map(|i| i.code).collect();
        assert_eq!(codes, [Code::FileTooLarge]);
        assert_eq!(report.issues[0].location, Location::file("01-ha-noi.xlsx"));
    }
}
