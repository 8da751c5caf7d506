//! Runs every fixture case under `fixtures/<rule>/` and every rule page's examples.
//!
//! For each case: markers match diagnostics both ways; the prefilter changes nothing; `ok_`
//! cases are silent; the human rendering is snapshotted; fixes converge, the fixed text is
//! snapshotted, parses no worse than before and no longer triggers the case's rule.

use ordlint_core::{RuleSelection, RuleSet};
use ordlint_rules::all_rules;
use ordlint_test::{pages::code_blocks, Case};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from("../.."))
}

/// The default rules plus `rule` (which may be pedantic).
fn rules_for(rule: &str) -> RuleSet {
    rules_with(vec![rule.to_owned()])
}

/// The default tier plus `extra`.
fn rules_with(extra: Vec<String>) -> RuleSet {
    RuleSet::from_selection(&RuleSelection {
        extend_select: extra,
        ..RuleSelection::default()
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The rules a case runs with: the default tier, the rule whose folder holds it, and every
/// rule its markers name (a pedantic rule that the case shows staying quiet or taking over
/// a report, such as barrier-publication beside unordered-flag-read).
fn rules_for_case(rule: &str, case: &Case) -> RuleSet {
    let mut extra = vec![rule.to_owned()];
    for m in case.files.iter().flat_map(|f| &f.markers) {
        if !extra.contains(&m.rule) {
            extra.push(m.rule.clone());
        }
    }
    rules_with(extra)
}

fn cases(rule_dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(rule_dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| {
        p.file_name().is_some_and(|n| n != "snapshots")
            && (p.is_dir()
                || matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("c" | "h" | "rs")
                ))
    });
    v.sort();
    v
}

#[test]
fn fixtures_match_their_markers() {
    let root = root();
    let mut failures = Vec::new();
    let mut count = 0;
    for rule in all_rules() {
        let dir = root.join("fixtures").join(rule.name);
        for path in cases(&dir) {
            count += 1;
            let case =
                Case::load(&path, &root).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let rules = rules_for_case(rule.name, &case);
            let ok_case = case.name.starts_with("ok_");
            let marked = case
                .files
                .iter()
                .any(|f| f.markers.iter().any(|m| m.rule == rule.name));
            if ok_case && marked {
                failures.push(format!(
                    "{}: an ok_ case must carry no {} markers",
                    path.display(),
                    rule.name
                ));
            }
            if !ok_case
                && !case
                    .files
                    .iter()
                    .any(|f| f.markers.iter().any(|m| m.rule == rule.name && !m.note))
            {
                failures.push(format!(
                    "{}: a firing case must mark at least one {} diagnostic (or be named ok_*)",
                    path.display(),
                    rule.name
                ));
            }
            let with = case.run(&rules, true);
            if let Err(e) = case.check_markers(&with.diagnostics) {
                failures.push(e);
            }
            let without = case.run(&rules, false);
            if with.diagnostics != without.diagnostics {
                failures.push(format!(
                    "case `{}`: the prefilter changed the result (a trigger token is missing)",
                    case.name
                ));
            }
            for d in &with.diagnostics {
                if let Err(e) = message_style(&d.message) {
                    failures.push(format!("case `{}`: {}: {e}", case.name, d.rule));
                }
            }
            if !with.diagnostics.is_empty() {
                snapshot(&dir, &case.name, "", &case.render(&with.diagnostics));
                check_fixes(&case, &rules, rule.name, &dir, &mut failures);
            }
        }
    }
    assert!(
        count > 0,
        "no fixture cases found under {}",
        root.join("fixtures").display()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn check_fixes(case: &Case, rules: &RuleSet, rule: &str, dir: &Path, failures: &mut Vec<String>) {
    let fixed = match case.fix_to_fixed_point(rules) {
        Ok(f) => f,
        Err(e) => return failures.push(e),
    };
    if fixed.is_empty() {
        return;
    }
    let mut shown = String::new();
    for (path, text) in &fixed {
        // Blanked markers leave trailing spaces; they are not part of the fix.
        shown.push_str(&format!("--- {path}\n"));
        for line in text.lines() {
            shown.push_str(line.trim_end());
            shown.push('\n');
        }
    }
    snapshot(dir, &case.name, ".fixed", &shown);
    // The fixed files must parse no worse and be silent for this rule.
    let after = Case::from_texts(
        case.name.clone(),
        case.files
            .iter()
            .map(|f| {
                (
                    f.path.clone(),
                    fixed
                        .get(&f.path)
                        .cloned()
                        .unwrap_or_else(|| f.linted.clone()),
                )
            })
            .collect(),
    );
    let result = after.run(rules, true);
    if result.diagnostics.iter().any(|d| d.rule == rule) {
        failures.push(format!(
            "case `{}`: {rule} still fires after its fixes",
            case.name
        ));
    }
    let problems = |c: &Case| {
        c.files
            .iter()
            .filter_map(|f| ordlint_core::SourceFile::new(f.path.clone(), f.linted.clone()))
            .map(|s| ordlint_core::lower(&s).problems.len())
            .sum::<usize>()
    };
    if problems(&after) > problems(case) {
        failures.push(format!(
            "case `{}`: the fixed text has more parse problems than the original",
            case.name
        ));
    }
}

fn snapshot(dir: &Path, name: &str, suffix: &str, value: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir.join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(format!("{name}{suffix}"), value));
}

/// Messages start lowercase and have no trailing period (STYLE §6).
fn message_style(message: &str) -> Result<(), String> {
    if message.chars().next().is_some_and(|c| c.is_uppercase()) {
        return Err(format!("message starts with a capital: {message}"));
    }
    if message.ends_with('.') {
        return Err(format!("message ends with a period: {message}"));
    }
    Ok(())
}

#[test]
fn every_rule_has_a_page_and_fixtures_and_every_folder_a_rule() {
    let root = root();
    for rule in all_rules() {
        assert!(
            root.join("rules")
                .join(format!("{}.md", rule.name))
                .is_file(),
            "{} has no rules/{}.md",
            rule.name,
            rule.name
        );
        let dir = root.join("fixtures").join(rule.name);
        let cases = cases(&dir);
        assert!(
            cases.iter().any(|c| !c
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("ok_"))),
            "{} has no firing fixture",
            rule.name
        );
        assert!(
            cases.iter().any(|c| c
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("ok_"))),
            "{} has no ok_ fixture",
            rule.name
        );
    }
    for dir in ["fixtures", "rules"] {
        for entry in std::fs::read_dir(root.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".md")
                .to_owned();
            if name == "README" || name.starts_with('.') {
                continue;
            }
            assert!(
                all_rules().iter().any(|r| r.name == name),
                "{dir}/{name} names no registered rule"
            );
        }
    }
}

#[test]
fn rule_page_examples_behave_as_documented() {
    let mut failures = Vec::new();
    for rule in all_rules() {
        let rules = rules_for(rule.name);
        let blocks = code_blocks(rule.page);
        let examples = blocks.iter().filter(|b| b.section == "Example").count();
        let good = blocks.iter().filter(|b| b.section == "Use instead").count();
        if examples == 0 || good == 0 {
            failures.push(format!(
                "{}: the page needs code blocks under both `## Example` and `## Use instead`",
                rule.name
            ));
        }
        for (i, b) in blocks.iter().enumerate() {
            let path = format!("rules/{}.md#{}.{}", rule.name, i + 1, b.ext);
            let case = Case::from_texts(
                format!("{}-{}", rule.name, i + 1),
                vec![(path.replace(".md#", "-example-"), b.code.clone())],
            );
            let result = case.run(&rules, true);
            match b.section.as_str() {
                "Example" => {
                    if !result.diagnostics.iter().any(|d| d.rule == rule.name) {
                        failures.push(format!(
                            "{}: the Example block {} does not fire",
                            rule.name,
                            i + 1
                        ));
                    }
                    if let Err(e) = case.check_markers(&result.diagnostics) {
                        failures.push(e);
                    }
                }
                "Use instead" if !result.diagnostics.is_empty() => {
                    failures.push(format!(
                        "{}: the Use instead block {} is not silent: {:?}",
                        rule.name,
                        i + 1,
                        result
                            .diagnostics
                            .iter()
                            .map(|d| &d.message)
                            .collect::<Vec<_>>()
                    ));
                }
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
