//! End-to-end: a third language added the way `docs/configuration.md` §9 says —
//! a copy of the English folder with its own `language.toml`, a few templates
//! translated, French labels on a few criteria and units — and built with the
//! real binary, without recompiling. Labels without a French text fall back to
//! English, as the French settings ask.

use crate::common;
use common::copy_dir;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{Data, Reader, open_workbook_auto};
use serde_json::Value;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tonghop"))
}

/// Replaces `from` by `to` in a file, which must hold it.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} holds no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// French: narrow no-break space between thousands, no-break space before the
/// percent sign, month names, validation messages in English.
const FRENCH: &str = r#"name = "Français"
fallback = "en"

[numbers]
thousands = "\u202F"
decimal = ","
percent = "{}\u00A0%"
points = "{}\u00A0points"

[dates]
date = "%-d %B %Y"
date_time = "%-d %B %Y, %H:%M"
day_month = "%d/%m"
months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
months_short = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]

[words]
day = "j"
hour = "h"
minute = "min"
yes = "Oui"
no = "Non"
on_time = "À l'heure"
late = "En retard"
rejected = "Refusé"
missing = "Manquant"
error = "erreur"
warning = "avertissement"
info = "information"
overdue = "En retard"

[charts]
not_reported = "non transmis"
checklist = "Liste de contrôle par province"
done = "fait"
not_done = "pas fait"
fewer_cycles = "{n} périodes seulement"
reporting_rate = "Rapports reçus / attendus"
fewer_weeks = "{n} semaines seulement"

[document]
provinces = "provinces"
units = "organismes"
letters = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z"]
two_digit_months = []
this_week = " cette semaine"
in_the_period = " sur la période"
period_weeks = " ({n} semaines)"
as_of = ", au {date}"

[workbook]
title = "Synthèse des rapports hebdomadaires"
author = "Ministère de l'Intérieur"
meeting = "Réunion du"
meeting_weeks = "semaines"
weeks = "Semaines"
cutoff = "Arrêté des données :"
flow = "flux"
stock = "stock"
ratios = "Taux (calculés sur les chiffres agrégés)"
checklist = "Liste de contrôle (organismes ayant fait)"
ratio_chart = "Taux : cette période et la précédente"
matrix_chart = "Dossiers reçus sur la période par province (B01)"
submission_chart = "Remise des rapports"

[workbook.sheets]
overview = "Vue d'ensemble"
matrix = "Matrice"
tasks = "Tâches"
submissions = "Remises"
issues = "Anomalies"
quality = "Qualité des données"
narrative = "Difficultés, propositions"

[workbook.columns]
overview = ["Code", "Critère", "Unité", "Type", "Cette période", "Période précédente", "Variation", "Variation (%)", "Organismes ayant transmis", "Organismes attendus", "Organismes manquants", "Sans les valeurs à vérifier (*)", "Variation sans elles", "Valeurs à vérifier de"]
matrix = ["Code", "Organisme", "Type"]
tasks = ["Organisme", "Code", "Tâche", "Prescrite par", "Échéance", "Dernier jour", "État", "Achevée le", "En retard", "Jours de retard", "Source"]
submissions = ["Code", "Organisme", "Semaine", "État", "Reçu le", "Minutes de retard", "Fichier retenu", "Fichiers remplacés", "Fichiers refusés"]
issues = ["Fichier", "Organisme", "Semaine", "Code", "Gravité", "Feuille", "Cellule", "Message", "Correction"]
quality = ["Organisme", "Critère", "Semaine", "Valeur", "Médiane des semaines précédentes", "Semaines", "Remarque", "Source"]
narrative = ["Type", "Domaine", "Organisme", "Contenu", "Destinataire", "Semaine", "Source"]
"#;

const B01_FR: &str = "Dossiers de procédure administrative reçus cette semaine";
const D01_FR: &str = "Personnes ayant une décision de départ (cumul)";
const R01_FR: &str = "Part des dossiers déposés en ligne";
const HANOI_FR: &str = "Hanoï";

/// `report_templates/` copied, with the folder `fr/` added as the documentation says.
pub(crate) fn with_french(root: &Path) -> PathBuf {
    let config = root.join("report_templates");
    copy_dir(&crate_dir().join("report_templates"), &config);
    let fr = config.join("fr");
    copy_dir(&config.join("en"), &fr);
    std::fs::write(fr.join("language.toml"), FRENCH).expect("language.toml");
    edit(&fr.join("index.html"), "<html lang=\"en\">", "<html lang=\"fr\">");
    edit(&fr.join("index.html"), "Headline figures and change since the previous meeting", "Chiffres clés");
    edit(&fr.join("tom-tat.md"), "{% endif %}Weekly reports summary", "{% endif %}Synthèse des rapports hebdomadaires");
    edit(&fr.join("receipt.html"), "Receipt of a weekly report", "Accusé de réception d'un rapport hebdomadaire");
    edit(&fr.join("status.html"), "<h1>Submissions for week", "<h1>Remises de la semaine");

    let schema = config.join("schema.toml");
    edit(
        &schema,
        "unit_en = \"dossiers\"\n",
        &format!("unit_en = \"dossiers\"\nfr = \"{B01_FR}\"\nunit_fr = \"dossiers\"\n"),
    );
    edit(
        &schema,
        "en = \"People with leave decisions (to date)\"\n",
        &format!("en = \"People with leave decisions (to date)\"\nfr = \"{D01_FR}\"\n"),
    );
    edit(
        &schema,
        "en = \"Online share of dossiers\"\n",
        &format!("en = \"Online share of dossiers\"\nfr = \"{R01_FR}\"\n"),
    );
    edit(&config.join("units.toml"), "en = \"Ha Noi City\"\n", &format!("en = \"Ha Noi City\"\nfr = \"{HANOI_FR}\"\n"));
    let document = config.join("document.toml");
    let text = std::fs::read_to_string(&document).expect("document.toml");
    let english = text.split("[lang.en]").nth(1).and_then(|t| t.split("\n# ").next()).expect("[lang.en]");
    let french = english.replace("MINISTRY OF HOME AFFAIRS", "MINISTÈRE DE L'INTÉRIEUR").replace("Ha Noi", "Hanoï");
    std::fs::write(&document, text.replacen("[lang.en]", &format!("[lang.fr]{french}\n[lang.en]"), 1)).expect("write");
    config
}

fn build(config: &Path, out: &Path, lang: &str) -> Output {
    bin()
        .arg("--config")
        .arg(config)
        .args(["--lang", lang, "build", "--json", "--meeting", "2025-10-02", "--inputs"])
        .arg(crate_dir().join("inputs"))
        .arg("--out")
        .arg(out)
        .arg("--state")
        .arg(out.join("no-state"))
        .output()
        .expect("run build")
}

/// `1234567` with a narrow no-break space between thousands, as the French settings ask.
fn french_thousands(value: f64) -> String {
    let digits = format!("{value:.0}");
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202F}');
        }
        out.push(d);
    }
    out
}

fn document_text(docx: &Path) -> String {
    let file = std::fs::File::open(docx).expect("docx");
    let mut zip = zip::ZipArchive::new(file).expect("zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("document.xml").read_to_string(&mut xml).expect("read");
    xml
}

fn figure<'d>(data: &'d Value, code: &str) -> &'d Value {
    data["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["figures"].as_array().into_iter().flatten())
        .chain(data["ratios"].as_array().into_iter().flatten())
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no figure {code}"))
}

#[test]
fn a_language_added_without_code_is_built_end_to_end() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = with_french(tmp.path());
    let out = tmp.path().join("out");
    let run = build(&config, &out, "fr");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "build --lang fr: {stderr}");
    // Said once: how many labels have no French text, and that English stands in.
    assert_eq!(stderr.matches("labels have no fr text, the en one is used").count(), 1, "{stderr}");
    assert!(stderr.contains(" 55 [[unit]]") && stderr.contains(" 5 [[ratio]],"), "{stderr}");

    let report: Value = serde_json::from_slice(&run.stdout).expect("--json");
    let dir = out.join("2025-10-02");
    for name in ["data.json", "tom-tat.md", "index.html", "bao-cao-tong-hop.docx", "tong-hop.xlsx"] {
        assert!(dir.join(name).is_file(), "{name} written");
        assert!(report["outputs"].as_array().expect("outputs").iter().any(|o| o == name), "{name} listed");
    }
    let receipts: Vec<PathBuf> = walkdir::WalkDir::new(out.join("receipts"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().to_path_buf())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    assert!(receipts.len() > 100, "a receipt per file: {}", receipts.len());

    let data: Value = serde_json::from_slice(&std::fs::read(dir.join("data.json")).expect("data")).expect("json");
    assert_eq!(data["cycle"]["lang"], "fr");
    assert_eq!(figure(&data, "B01")["fr"], B01_FR, "data.json carries the labels of every language");
    let b01 = french_thousands(figure(&data, "B01")["value"].as_f64().expect("B01"));
    let d01 = french_thousands(figure(&data, "D01")["value"].as_f64().expect("D01"));
    let r01 = format!("{:.1}\u{A0}%", figure(&data, "R01")["value"].as_f64().expect("R01") * 100.0).replace('.', ",");
    assert!(b01.contains('\u{202F}') && r01.contains(','), "{b01} {r01}");

    // The summary: French title, French labels, French numbers; English where no French label exists.
    let md = std::fs::read_to_string(dir.join("tom-tat.md")).expect("md");
    assert!(md.starts_with("# DRAFT — Synthèse des rapports hebdomadaires — meeting of 2 octobre 2025"), "{md}");
    for expected in [
        // Labels name the period: a weekly count summed over the cycle, a level at its date.
        format!("- {}: **{b01}** dossiers", B01_FR.replace(" cette semaine", " sur la période (2 semaines)")),
        format!("- {D01_FR}, au 26 septembre 2025: **{d01}**"),
        format!("- {R01_FR}: **{r01}**"),
        "- Online public services on the National Public Service Portal (to date), au 26 septembre 2025: **"
            .to_string(),
    ] {
        assert!(md.contains(&expected), "{expected:?} in tom-tat.md:\n{md}");
    }

    // The reviewer's report: French page, labels, numbers and charts; unit names in French or English.
    let html = std::fs::read_to_string(dir.join("index.html")).expect("html");
    for expected in [
        "<html lang=\"fr\">",
        "Chiffres clés",
        &B01_FR.replace(" cette semaine", " sur la période (2 semaines)"),
        &b01,
        &r01,
        HANOI_FR,
        "Thanh Hoa Province",
        "Liste de contrôle par province",
        "Dossiers resolved in the period (2 semaines)",
    ] {
        assert!(html.contains(expected), "{expected:?} in index.html");
    }
    assert!(!html.contains("Hồ sơ thủ tục hành chính tiếp nhận"), "no Vietnamese label in the French report");

    // The meeting document: French issuer and labels (a flow's "cette semaine" read as the period), French numbers.
    let docx = document_text(&dir.join("bao-cao-tong-hop.docx"));
    for expected in [
        "MINISTÈRE DE L&apos;INTÉRIEUR",
        "Dossiers de procédure administrative reçus sur la période",
        &b01,
        "Personnes ayant une décision de départ (cumul)",
    ] {
        assert!(docx.contains(expected), "{expected:?} in the meeting document");
    }

    // The workbook: French sheets, headers and labels; English where no French label exists.
    let mut wb = open_workbook_auto(dir.join("tong-hop.xlsx")).expect("xlsx");
    assert_eq!(
        wb.sheet_names(),
        [
            "Vue d'ensemble",
            "Matrice",
            "Tâches",
            "Remises",
            "Anomalies",
            "Qualité des données",
            "Difficultés, propositions"
        ]
    );
    let overview = wb.worksheet_range("Vue d'ensemble").expect("overview");
    let row = |code: &str| {
        overview.rows().find(|r| r.first() == Some(&Data::String(code.into()))).map(|r| r.to_vec()).expect("row")
    };
    // The label names the period, and B01 holds the sample's value to check (*).
    let b01_label = format!("{} (*)", B01_FR.replace(" cette semaine", " sur la période (2 semaines)"));
    assert_eq!(row("B01")[1], Data::String(b01_label));
    assert_eq!(row("B01")[3], Data::String("flux".into()));
    assert_eq!(row("B04")[1], Data::String("Dossiers resolved in the period (2 semaines)".into()));
    assert!(overview.rows().any(|r| r.iter().any(|c| c == &Data::String("Critère".into()))), "French headers");
    let issues = wb.worksheet_range("Anomalies").expect("issues");
    assert!(issues.rows().skip(1).any(|r| r.get(4) == Some(&Data::String("erreur".into()))), "French severity");

    // A receipt: the French template, English validation messages (the fallback's).
    let rejected = receipts.iter().find(|p| p.to_string_lossy().contains("24-bac-ninh")).expect("rejected receipt");
    let receipt = std::fs::read_to_string(rejected).expect("receipt");
    assert!(receipt.contains("Accusé de réception d'un rapport hebdomadaire"), "{receipt}");
    assert!(receipt.contains("septembre 2025"), "French dates in the receipt");
}

#[test]
fn languages_are_checked_before_anything_runs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let config = with_french(tmp.path());
    let out = tmp.path().join("out");

    // An unknown language is a usage error naming the installed ones.
    let run = build(&config, &out, "de");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown language") && stderr.contains("en, fr, vi"), "{stderr}");
    assert!(!out.exists(), "nothing written");

    // A broken settings file is refused with its line.
    let settings = config.join("fr/language.toml");
    edit(&settings, "percent = \"{}\\u00A0%\"", "percent = \"\\u00A0%\"");
    let run = build(&config, &out, "fr");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("fr/language.toml:7:"), "{stderr}");
    std::fs::write(&settings, FRENCH).expect("restore");

    // Without French texts in document.toml the English ones are used, and the build says so.
    let document = config.join("document.toml");
    let text = std::fs::read_to_string(&document).expect("document.toml");
    std::fs::write(&document, text.replacen("[lang.fr]", "[lang.xx]", 1)).expect("write");
    let run = build(&config, &out, "fr");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("no [lang.fr] texts, the en ones are used"), "{stderr}");
    assert!(document_text(&out.join("2025-10-02/bao-cao-tong-hop.docx")).contains("MINISTRY OF HOME AFFAIRS"));

    // check speaks the fallback's language; the template generator never overwrites a translation.
    let check = bin()
        .arg("--config")
        .arg(&config)
        .args(["--lang", "fr", "check"])
        .arg(crate_dir().join("inputs/2025-W39"))
        .output()
        .expect("check");
    assert!(String::from_utf8_lossy(&check.stdout).contains(" files: "), "English console messages");
    let template = bin().arg("--config").arg(&config).args(["--lang", "fr", "template"]).output().expect("template");
    assert_eq!(template.status.code(), Some(2));
    let written = tmp.path().join("fr.docx");
    let template =
        bin().arg("--config").arg(&config).args(["--lang", "fr", "template", "-o"]).arg(&written).output().expect("t");
    assert!(template.status.success() && written.is_file(), "{}", String::from_utf8_lossy(&template.stderr));
}
