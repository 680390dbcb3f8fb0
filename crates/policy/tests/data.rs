//! Every shipped rule file loads, and every case file under `data/policies/tests` holds.

use innomesh_policy::cases::CaseFile;
use innomesh_policy::{Rule, SHIPPED};
use std::collections::HashMap;
use std::path::PathBuf;

fn policies_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/policies")
}

fn load_rules() -> HashMap<String, Rule> {
    let mut rules = HashMap::new();
    let mut names: Vec<_> = std::fs::read_dir(policies_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    assert!(
        !names.is_empty(),
        "no rule files in {}",
        policies_dir().display()
    );
    for p in names {
        let text = std::fs::read_to_string(&p).unwrap();
        let rule = Rule::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(
            p.file_stem().unwrap().to_str().unwrap(),
            rule.id,
            "a rule file is named after its id"
        );
        // Every fact is documented.
        for f in &rule.facts {
            assert!(
                !f.name.is_empty() && !f.description.is_empty(),
                "{}: {}",
                rule.id,
                f.key
            );
        }
        rules.insert(rule.id.clone(), rule);
    }
    rules
}

#[test]
fn every_rule_file_is_shipped_and_loads() {
    let rules = load_rules();
    let mut shipped: Vec<&str> = SHIPPED.iter().map(|(id, _)| *id).collect();
    let mut on_disk: Vec<&str> = rules.keys().map(String::as_str).collect();
    shipped.sort();
    on_disk.sort();
    assert_eq!(
        shipped, on_disk,
        "data/policies and SHIPPED must list the same rules"
    );
    for (id, _) in SHIPPED {
        innomesh_policy::shipped(id).unwrap().unwrap();
    }
}

#[test]
fn every_case_file_holds() {
    let rules = load_rules();
    let dir = policies_dir().join("tests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut total = 0;
    let mut covered = std::collections::HashSet::new();
    for p in files {
        let text = std::fs::read_to_string(&p).unwrap();
        let cases = CaseFile::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let rule = rules
            .get(&cases.policy)
            .unwrap_or_else(|| panic!("{}: no rule {}", p.display(), cases.policy));
        covered.insert(cases.policy.clone());
        total += cases.len();
        failures.extend(cases.run(rule));
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for id in rules.keys() {
        assert!(covered.contains(id), "rule {id} has no test cases");
    }
}
