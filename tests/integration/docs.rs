//! The documentation lists exactly the error codes the program can emit.

use std::collections::BTreeSet;

use tonghop::issue::Code;

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
