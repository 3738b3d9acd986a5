//! The documentation lists exactly the error codes the program can emit, its
//! links lead to files of the repository, the commands it shows use options the
//! program has, and nothing cites a document the repository does not hold.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use tonghop::issue::Code;

use crate::common;

#[test]
fn error_code_catalogue_matches_the_docs() {
    let text = std::fs::read_to_string("docs/error-codes.md").expect("docs/error-codes.md");
    let documented: BTreeSet<String> = text
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .filter(|code| code.len() == 4 && code[1..].chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect();
    let catalogue: BTreeSet<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
    let undocumented: Vec<&String> = catalogue.difference(&documented).collect();
    let unknown: Vec<&String> = documented.difference(&catalogue).collect();
    assert!(undocumented.is_empty(), "codes missing from docs/error-codes.md: {undocumented:?}");
    assert!(unknown.is_empty(), "docs/error-codes.md lists codes the program does not have: {unknown:?}");
}

#[test]
fn readme_names_the_two_commands() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    assert!(readme.contains("cargo run --release -- build"));
    assert!(readme.contains("cargo test"));
    let ci = std::fs::read_to_string(".ci/run").expect(".ci/run");
    assert!(ci.contains("\ncargo test\n"), ".ci/run must run the README's test command");
}

#[test]
fn configuration_docs_give_every_limit_and_its_ceiling() {
    let text = std::fs::read_to_string("docs/configuration.md").expect("docs/configuration.md");
    for (key, ceiling, _) in tonghop::schema::LIMIT_CEILINGS {
        let row = text
            .lines()
            .find(|line| line.starts_with(&format!("| `{key}` |")))
            .unwrap_or_else(|| panic!("docs/configuration.md has no row for `{key}`"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | key | default | ceiling | what | issue |
        assert_eq!(cells[3].replace(' ', ""), ceiling.to_string(), "ceiling of `{key}` in: {row}");
    }
}

/// `README.md` and every Markdown file under `docs/`, relative to the crate root.
fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(dir).expect("read docs").map(|e| e.expect("entry").path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    let root = common::crate_dir();
    let mut found = vec![root.join("README.md")];
    walk(&root.join("docs"), &mut found);
    found
}

fn relative(path: &Path) -> String {
    path.strip_prefix(common::crate_dir()).unwrap_or(path).display().to_string()
}

/// The text of a Markdown file outside fenced code blocks and inline code, line by line.
fn prose_lines(text: &str) -> Vec<(usize, String)> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            // Odd pieces between backticks are inline code.
            let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
            lines.push((n + 1, prose));
        }
    }
    lines
}

/// The targets of the inline links and images of a line: `[text](target)`.
fn link_targets(line: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let end = after.find(')').unwrap_or(after.len());
        let target = after[..end].split_whitespace().next().unwrap_or("");
        targets.push(target.trim_matches(['<', '>']).to_string());
        rest = &after[end..];
    }
    // Reference definitions: `[label]: target`.
    if let Some(definition) = line.trim_start().strip_prefix('[')
        && let Some((_, target)) = definition.split_once("]: ")
    {
        targets.push(target.split_whitespace().next().unwrap_or("").to_string());
    }
    targets
}

/// The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces to hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings (repeated headings get `-1`, `-2`…).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut anchors = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        let Some(heading) = line.strip_prefix('#').filter(|_| !fenced) else { continue };
        let base = slug(heading.trim_start_matches('#'));
        let count = seen.entry(base.clone()).or_default();
        anchors.insert(if *count == 0 { base.clone() } else { format!("{base}-{count}") });
        *count += 1;
    }
    anchors
}

/// Decodes `%XX` escapes of a link target.
fn percent_decode(target: &str) -> String {
    let bytes = target.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = target.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn every_relative_link_of_the_docs_leads_to_a_file_of_the_repository() {
    let root = common::crate_dir().canonicalize().expect("crate dir");
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).expect("read markdown");
        for (line_number, line) in prose_lines(&text) {
            for target in link_targets(&line) {
                let place = format!("{}:{line_number}: {target}", relative(&file));
                if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (path, fragment) = target.split_once('#').unwrap_or((&target, ""));
                let resolved = if path.is_empty() {
                    file.clone()
                } else {
                    file.parent().expect("folder").join(percent_decode(path))
                };
                checked += 1;
                let Ok(resolved) = resolved.canonicalize() else {
                    broken.push(format!("{place} (no such file)"));
                    continue;
                };
                if !resolved.starts_with(&root) {
                    broken.push(format!("{place} (outside the repository)"));
                    continue;
                }
                if !fragment.is_empty() && resolved.extension().is_some_and(|e| e == "md") {
                    let target_text = std::fs::read_to_string(&resolved).expect("read link target");
                    if !anchors(&target_text).contains(&percent_decode(fragment)) {
                        broken.push(format!("{place} (no heading with this anchor)"));
                    }
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} links found: is the link parser right?");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// Text files of the repository that people read: documents, sources, tests,
/// benchmarks, configuration and templates, deployment files.
fn repository_text_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for path in entries.map(|e| e.expect("entry").path()) {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !matches!(name, "target" | "node_modules" | "corpus" | "artifacts") && !name.starts_with('.') {
                    walk(&path, found);
                }
            } else if ["rs", "md", "toml", "html", "outline", "service", "example", "sh"]
                .iter()
                .any(|ext| path.extension().is_some_and(|e| e == *ext))
            {
                found.push(path);
            }
        }
    }
    let root = common::crate_dir();
    let mut found =
        vec![root.join("README.md"), root.join("BENCHMARKS.md"), root.join("Cargo.toml"), root.join(".ci/run")];
    for dir in ["docs", "src", "tests", "benches", "fuzz", "report_templates", "contrib"] {
        walk(&root.join(dir), &mut found);
    }
    found
}

#[test]
fn nothing_cites_the_product_contract_outside_the_repository() {
    // The contract's cited sections are in docs/product.md; a citation names that file.
    let needle = ["PROD", "UCT"].concat();
    let files = repository_text_files();
    assert!(files.len() > 50, "only {} files found", files.len());
    let mut citations = Vec::new();
    for file in &files {
        let text = String::from_utf8_lossy(&std::fs::read(file).expect("read")).into_owned();
        for (n, line) in text.lines().enumerate() {
            if line.contains(&needle) {
                citations.push(format!("{}:{}: {}", relative(file), n + 1, line.trim()));
            }
        }
    }
    assert!(citations.is_empty(), "cite docs/product.md instead:\n{}", citations.join("\n"));
    let product = std::fs::read_to_string(common::crate_dir().join("docs/product.md")).expect("docs/product.md");
    for section in ["## 3.", "## 4.", "## 5.", "## 6.", "## 8."] {
        assert!(product.contains(section), "docs/product.md lacks the cited section {section}");
    }
}

const SUBCOMMANDS: [&str; 7] = ["form", "check", "build", "watch", "status", "template", "sample"];

/// The long options of `tonghop <subcommand> --help` (global options included).
fn options_of(subcommand: &str) -> BTreeSet<String> {
    let output =
        Command::new(env!("CARGO_BIN_EXE_tonghop")).args([subcommand, "--help"]).output().expect("tonghop --help");
    let help = String::from_utf8_lossy(&output.stdout);
    long_options(&help).into_iter().collect()
}

/// The `--option` words of a text.
fn long_options(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2 && w.as_bytes()[2].is_ascii_lowercase())
        .map(|w| w.trim_end_matches('-').to_string())
        .collect()
}

/// The pieces of code of a Markdown file: each inline code span, and each line
/// of a fenced block (a line ending in `\` joined with the next).
fn code_pieces(text: &str) -> Vec<(usize, String)> {
    let mut pieces = Vec::new();
    let mut fenced = false;
    let mut pending: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            let (start, mut joined) = pending.take().unwrap_or((n + 1, String::new()));
            joined.push_str(line.trim_end_matches('\\'));
            joined.push(' ');
            if line.ends_with('\\') {
                pending = Some((start, joined));
            } else {
                pieces.push((start, joined));
            }
        } else {
            pieces.extend(line.split('`').skip(1).step_by(2).map(|code| (n + 1, code.to_string())));
        }
    }
    pieces
}

#[test]
fn commands_shown_in_the_docs_use_options_the_program_has() {
    let help: BTreeMap<&str, BTreeSet<String>> = SUBCOMMANDS.iter().map(|s| (*s, options_of(s))).collect();
    let mut wrong = Vec::new();
    let mut commands = 0;
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).expect("read markdown");
        for (line_number, piece) in code_pieces(&text) {
            // Each `tonghop` of the piece starts a command, up to the next one.
            for command in piece.split("tonghop ").skip(1) {
                // The subcommand is the first word that is not a global option or its value.
                let mut words = command.split_whitespace();
                let subcommand = loop {
                    match words.next() {
                        Some("--config" | "--lang") => _ = words.next(),
                        Some(w) if w.starts_with("--config=") || w.starts_with("--lang=") => {}
                        other => break other,
                    }
                };
                let Some(subcommand) = subcommand.filter(|w| SUBCOMMANDS.contains(w)) else { continue };
                commands += 1;
                for option in long_options(command) {
                    if !help[subcommand].contains(&option) {
                        wrong
                            .push(format!("{}:{line_number}: `tonghop {subcommand}` has no {option}", relative(&file)));
                    }
                }
            }
        }
    }
    assert!(commands > 20, "only {commands} commands found in the docs");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
