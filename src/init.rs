//! `tonghop init` and `tonghop form --all-units`: the shared folder laid out
//! for daily operation, a folder per unit of the registry
//! (`<code> - <name>/`, `layout.toml`), each holding a how-to, the unit's
//! prefilled form for the coming week in its forms folder, and its receipts
//! folder, where the receipts of the files the unit drops are copied.
//!
//! Laying out is idempotent: a folder or file already there is left as it is,
//! so running `init` again after units are added to the registry adds their
//! folders only. The forms and receipts folders are never read as inputs
//! ([`crate::pipeline::inputs::discover_inputs`]).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::json;

use crate::error::{Error, Result};
use crate::form::{FormRequest, write_form};
use crate::language::Language;
use crate::model::ReportWeek;
use crate::render::Templates;
use crate::schema::{Config, Unit, UnitType};

/// The template of the how-to, in `report_templates/<lang>/`.
pub const GUIDE_TEMPLATE: &str = "huong-dan.txt";

/// What laying out made.
#[derive(Debug, Default)]
pub struct Laid {
    /// Folders and files created, in the order they were made.
    pub created: Vec<PathBuf>,
    /// Units whose folder was there already.
    pub units_kept: usize,
    /// Units whose folder was made.
    pub units_new: usize,
}

/// The name of a unit's prefilled form: `bieu-mau-<type>-<code>-<week>.xlsx`,
/// as `tonghop form --unit … --week …` names it.
pub fn form_file_name(unit_type: &UnitType, unit: Option<&Unit>, week: Option<&ReportWeek>) -> String {
    let mut name = format!("bieu-mau-{}", unit_type.as_str());
    for part in [unit.map(|u| u.code.clone()), week.map(|w| w.label())].into_iter().flatten() {
        name.push('-');
        name.push_str(&part);
    }
    crate::fs::safe_name(&format!("{name}.xlsx"))
}

/// Lays out `dir` for `week`'s forms. Without `force`, a folder holding
/// anything but a layout (the units' folders as the layout names them, hidden
/// entries, the received-times log) is refused, and nothing is written.
pub fn lay_out(
    config: &Config,
    templates: &Templates,
    lang: &Language,
    dir: &Path,
    week: &ReportWeek,
    force: bool,
) -> Result<Laid> {
    if !force {
        let foreign = not_layout(config, dir)?;
        if !foreign.is_empty() {
            return Err(Error::NotLayout { dir: dir.to_path_buf(), entries: foreign });
        }
    }
    let guide = crate::render::Compiled::new(config, templates, lang, GUIDE_TEMPLATE)?;
    let mut laid = Laid::default();
    make_dir(dir, &mut laid.created)?;
    for unit in config.units.units() {
        let folder = dir.join(config.layout.folder_of(unit));
        if folder.is_dir() {
            laid.units_kept += 1;
        } else {
            laid.units_new += 1;
        }
        make_dir(&folder, &mut laid.created)?;
        let forms = folder.join(&config.layout.forms_folder);
        make_dir(&forms, &mut laid.created)?;
        make_dir(&folder.join(&config.layout.receipts_folder), &mut laid.created)?;
        let form = forms.join(form_file_name(&unit.unit_type, Some(unit), Some(week)));
        let guide_path = folder.join(&config.layout.guide_file);
        if !exists(&guide_path) {
            let text = guide.render_value(config, &guide_context(config, lang, unit, week))?;
            crate::fs::write_atomic(&guide_path, &windows_text(&text)).map_err(Error::write(&guide_path))?;
            laid.created.push(guide_path);
        }
        if !exists(&form) {
            write_unit_form(config, unit, week, &form)?;
            laid.created.push(form);
        }
    }
    Ok(laid)
}

/// Whether `dir` is laid out: some unit's folder there holds its forms folder.
pub fn is_laid_out(config: &Config, dir: &Path) -> bool {
    config.units.units().iter().any(|u| dir.join(config.layout.folder_of(u)).join(&config.layout.forms_folder).is_dir())
}

/// What `form --all-units` wrote.
#[derive(Debug, Default)]
pub struct FormsWritten {
    pub written: Vec<PathBuf>,
    /// Earlier prefilled forms replaced (removed from the forms folders).
    pub removed: Vec<PathBuf>,
    /// Units that have no folder in the layout (`tonghop init` adds them).
    pub without_folder: Vec<String>,
}

/// Writes every unit's form prefilled for `week`: into each unit's forms
/// folder when `dir` is laid out, replacing the unit's prefilled forms of
/// other weeks there, and into `dir` itself otherwise.
pub fn write_all_forms(config: &Config, dir: &Path, week: &ReportWeek) -> Result<FormsWritten> {
    let laid_out = is_laid_out(config, dir);
    let mut done = FormsWritten::default();
    let mut targets: Vec<(&Unit, PathBuf)> = Vec::new();
    for unit in config.units.units() {
        let name = form_file_name(&unit.unit_type, Some(unit), Some(week));
        if !laid_out {
            targets.push((unit, dir.join(name)));
            continue;
        }
        let folder = dir.join(config.layout.folder_of(unit));
        if !folder.is_dir() {
            done.without_folder.push(unit.code.clone());
            continue;
        }
        targets.push((unit, folder.join(&config.layout.forms_folder).join(name)));
    }
    targets.par_iter().map(|(unit, path)| write_unit_form(config, unit, week, path)).collect::<Result<Vec<()>>>()?;
    for (unit, path) in &targets {
        if laid_out {
            done.removed.extend(remove_other_forms(unit, path)?);
        }
        done.written.push(path.clone());
    }
    Ok(done)
}

/// Removes from a unit's forms folder its prefilled forms other than `kept`:
/// only files named as this program names the unit's forms
/// (`bieu-mau-<type>-<code>-<week>.xlsx`), never anything else there.
fn remove_other_forms(unit: &Unit, kept: &Path) -> Result<Vec<PathBuf>> {
    let Some(folder) = kept.parent() else { return Ok(Vec::new()) };
    let prefix = format!("bieu-mau-{}-{}-", unit.unit_type.as_str(), unit.code);
    let mut removed = Vec::new();
    let entries = std::fs::read_dir(folder).map_err(Error::write(folder))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let week = name.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(".xlsx"));
        let is_form = week.is_some_and(crate::pipeline::read::is_week_label);
        if is_form && entry.path() != kept && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path()).map_err(Error::write(entry.path()))?;
            removed.push(entry.path());
        }
    }
    removed.sort();
    Ok(removed)
}

fn write_unit_form(config: &Config, unit: &Unit, week: &ReportWeek, path: &Path) -> Result<()> {
    let request = FormRequest { unit_type: &unit.unit_type, unit: Some(unit), week: Some(*week), fill: None };
    let bytes = write_form(config, &request)
        .map_err(|e| Error::Usage(format!("không tạo được biểu mẫu (cannot write the form): {e}")))?;
    crate::fs::write_atomic(path, &bytes).map_err(Error::write(path))
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn make_dir(path: &Path, created: &mut Vec<PathBuf>) -> Result<()> {
    if exists(path) {
        return Ok(());
    }
    std::fs::create_dir_all(path).map_err(Error::write(path))?;
    created.push(path.to_path_buf());
    Ok(())
}

/// The entries at the top of `dir` (at most ten named) that a layout does not
/// hold: anything but the units' folders as the layout names them, hidden
/// entries and the received-times log.
fn not_layout(config: &Config, dir: &Path) -> Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(Error::Write { path: dir.to_path_buf(), source }),
    };
    let folders: std::collections::HashSet<String> =
        config.units.units().iter().map(|u| config.layout.folder_of(u)).collect();
    let mut foreign: Vec<String> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let ours =
                name.starts_with('.') || name == crate::ingest::RECEIVED_LOG || (is_dir && folders.contains(&name));
            (!ours).then_some(name)
        })
        .collect();
    foreign.sort();
    foreign.truncate(10);
    Ok(foreign)
}

/// What the how-to template reads.
fn guide_context(config: &Config, lang: &Language, unit: &Unit, week: &ReportWeek) -> serde_json::Value {
    let layout = &config.layout;
    let folder = layout.folder_of(unit);
    let form = form_file_name(&unit.unit_type, Some(unit), Some(week));
    let example = format!("{}.xlsx", crate::fs::safe_name(&format!("{} {}", unit.code, unit.short)));
    let receipt_example = format!(
        "{}/{}",
        layout.receipts_folder,
        crate::render::receipt::unit_receipt_name(&folder, &example, Some(&week.label()))
    );
    json!({
        "unit": {
            "code": unit.code,
            "name": lang.unit_full(config, unit),
            "short": lang.unit_short(config, unit),
        },
        "folder": folder,
        "forms_folder": layout.forms_folder,
        "receipts_folder": layout.receipts_folder,
        "form_file": form,
        "example_file": example,
        "receipt_example": receipt_example,
        "week": week,
        "week_label": week.label(),
        "deadline": config.calendar.deadline(week).to_rfc3339(),
        "deadline_time": config.calendar.deadline_time.format("%H:%M").to_string(),
        "deadline_time_vi": config.calendar.deadline_time_vi(),
        "timezone": config.calendar.timezone.name(),
    })
}

/// Text for Notepad and every Windows editor: a byte-order mark, so that the
/// Vietnamese letters are read as UTF-8, and CR LF line ends.
fn windows_text(text: &str) -> Vec<u8> {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(text.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes());
    bytes
}
