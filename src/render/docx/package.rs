//! The .docx container: a zip of XML parts. Read with limits (a template is a
//! file anyone can drop in the override folder), written with fixed
//! timestamps, permissions and compression so that the same parts always give
//! the same bytes.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// One file of the package, in the order of the zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub name: String,
    pub data: Vec<u8>,
}

/// Largest part accepted from a template (a document with photos stays far below).
const MAX_PART: u64 = 64 * 1024 * 1024;
/// Largest package, all parts unpacked.
const MAX_TOTAL: u64 = 256 * 1024 * 1024;
/// Most parts in a package.
const MAX_PARTS: usize = 10_000;

/// Reads every part of a package, in zip order.
pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Part>, String> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a .docx (zip) file: {e}"))?;
    if archive.len() > MAX_PARTS {
        return Err(format!("{} parts in the package; at most {MAX_PARTS} are read", archive.len()));
    }
    let mut parts = Vec::with_capacity(archive.len());
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| format!("damaged zip entry {i}: {e}"))?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().map_err(|e| format!("zip entry {i} has an unreadable name: {e}"))?.to_string();
        // The declared size can lie; the read below is capped as well.
        if file.size() > MAX_PART {
            return Err(format!("{name} unpacks to {} bytes; at most {MAX_PART} are read", file.size()));
        }
        let mut data = Vec::new();
        (&mut file).take(MAX_PART + 1).read_to_end(&mut data).map_err(|e| format!("cannot unpack {name}: {e}"))?;
        if data.len() as u64 > MAX_PART {
            return Err(format!("{name} unpacks to more than {MAX_PART} bytes"));
        }
        total += data.len() as u64;
        if total > MAX_TOTAL {
            return Err(format!("the package unpacks to more than {MAX_TOTAL} bytes"));
        }
        parts.push(Part { name, data });
    }
    Ok(parts)
}

/// Writes the parts as a zip whose bytes depend on the parts only.
/// `[Content_Types].xml` goes first, as Office writes it and some readers expect.
pub(crate) fn write(parts: &[Part]) -> Result<Vec<u8>, String> {
    let mut ordered: Vec<&Part> = parts.iter().filter(|p| p.name == "[Content_Types].xml").collect();
    ordered.extend(parts.iter().filter(|p| p.name != "[Content_Types].xml"));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    // A fixed date instead of "now": the same inputs must give the same file.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(0o644);
    for part in ordered {
        zip.start_file(part.name.as_str(), options).map_err(|e| format!("zip {}: {e}", part.name))?;
        zip.write_all(&part.data).map_err(|e| format!("zip {}: {e}", part.name))?;
    }
    let cursor = zip.finish().map_err(|e| format!("zip: {e}"))?;
    Ok(cursor.into_inner())
}
