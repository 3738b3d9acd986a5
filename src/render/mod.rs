//! Stage 6: the summary written out — `data.json`, `tom-tat.md` (tera
//! templates from `report_templates/<lang>/`, overridable by a user folder) and
//! `tong-hop.xlsx`.
//!
//! Every output is a pure function of the summary: no clock, stable order, fixed
//! document timestamps, so the same inputs give the same bytes.

pub mod console;
pub mod docx;
pub mod format;
mod html;
pub mod receipt;
pub mod svg;
pub mod templates;
mod xlsx;

use std::path::Path;

use serde::Serialize;

use crate::aggregate::Summary;
use crate::language::Language;
use crate::schema::Config;

pub use templates::{
    Compiled, DATA_JSON, Output, REPORT_HTML, RenderError, SUMMARY_MD, Templates, WORKBOOK_XLSX, render_template,
    render_template_with, render_value, tera_for,
};
use templates::{Lookups, lookups};

/// `data.json`: the summary with provenance, for other systems (`docs/data-json.md`).
pub fn data_json(config: &Config, summary: &Summary) -> Result<Vec<u8>, RenderError> {
    #[derive(Serialize)]
    struct Document<'a> {
        format: &'static str,
        lookups: Lookups<'a>,
        #[serde(flatten)]
        summary: &'a Summary,
    }
    let doc = Document { format: "tonghop-data/1", lookups: lookups(config), summary };
    let mut bytes = serde_json::to_vec_pretty(&doc)
        .map_err(|e| RenderError { output: DATA_JSON.into(), message: e.to_string() })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Renders every output of this stage.
pub fn render_all(
    config: &Config,
    summary: &Summary,
    templates: &Templates,
    lang: &Language,
) -> Result<Vec<Output>, RenderError> {
    Ok(vec![
        Output { name: DATA_JSON.into(), bytes: data_json(config, summary)? },
        Output {
            name: SUMMARY_MD.into(),
            bytes: render_template(config, summary, templates, lang, SUMMARY_MD)?.into_bytes(),
        },
        Output { name: REPORT_HTML.into(), bytes: html::render(config, summary, templates, lang)?.into_bytes() },
        Output { name: docx::DOCX_NAME.into(), bytes: docx::render(config, summary, templates, lang)? },
        Output {
            name: WORKBOOK_XLSX.into(),
            bytes: xlsx::workbook(config, summary, lang)
                .map_err(|e| RenderError { output: WORKBOOK_XLSX.into(), message: e.to_string() })?,
        },
    ])
}

/// Writes outputs into `dir` as one set: every output is first written in full
/// beside its place, and only when all are written are they renamed into
/// place. A failure (a full disk) leaves the previous complete set as it was,
/// removes what it wrote, and names the file it could not write.
pub fn write_outputs(dir: &Path, outputs: &[Output]) -> Result<(), (std::path::PathBuf, std::io::Error)> {
    std::fs::create_dir_all(dir).map_err(|e| (dir.to_path_buf(), e))?;
    let mut staged = Vec::with_capacity(outputs.len());
    for o in outputs {
        let path = dir.join(&o.name);
        let tmp = dir.join(format!(".{}.tmp-{}", o.name, std::process::id()));
        if let Err(e) = write_synced(&tmp, &o.bytes) {
            for (written, _) in staged.iter().chain([&(tmp, path.clone())]) {
                let _ = std::fs::remove_file(written);
            }
            return Err((path, e));
        }
        staged.push((tmp, path));
    }
    for (tmp, path) in &staged {
        std::fs::rename(tmp, path).map_err(|e| (path.clone(), e))?;
    }
    Ok(())
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
