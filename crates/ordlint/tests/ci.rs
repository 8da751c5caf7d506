//! CI integration (#7), end to end: `--format sarif` (validated against the official schema)
//! and `github`, `--since` in real temporary git repositories, `--diff-file`, baselines, and
//! the CI examples kept in the repository.

mod project;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ordlint_in(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("ordlint").unwrap_or_else(|e| panic!("{e}"));
    c.current_dir(dir).env_remove("NO_COLOR");
    c
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_of(out: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    v.as_array().cloned().unwrap_or_default()
}

/// (path, line, rule) of each diagnostic of a `--format json` run.
fn sites(out: &str) -> Vec<(String, u64, String)> {
    json_of(out)
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or("").to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["rule"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// A struct and a function publishing `name##_ready` after a compiler-only barrier: one
/// `barrier-publication` finding, on the line of the flag store (4th line of the function).
fn smelly(name: &str) -> String {
    format!(
        "struct {name}_state {{\n\tvoid *image;\n\tbool ready;\n}};\n\nvoid {name}_complete(struct {name}_state *s, void *image)\n{{\n\ts->image = image;\n\tbarrier();\n\ts->ready = true;\n}}\n"
    )
}

/// The 1-based line of the flag store of `smelly(name)` inside `text`.
fn flag_line(text: &str, name: &str) -> u64 {
    let start = text
        .find(&format!("void {name}_complete"))
        .unwrap_or_else(|| panic!("no {name}"));
    let before = text[..start].lines().count() as u64;
    before + 5
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(p, text).unwrap_or_else(|e| panic!("{e}"));
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("git: {e}"));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------
// SARIF and GitHub formats

fn assert_valid_sarif(log: &Value) {
    let schema_path = root().join("crates/ordlint_render/tests/data/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&schema_path).unwrap_or_else(|e| panic!("{e}"));
    let schema: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn sarif_of_a_multi_rule_multi_file_run_is_valid_and_complete() {
    let (code, out, err) = run(ordlint_in(&root()).args([
        "check",
        "--format",
        "sarif",
        "--select",
        "ALL",
        "examples/lock_handoff.c",
        "fixtures",
    ]));
    assert_eq!(code, 1, "{err}");
    let log: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_valid_sarif(&log);

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let results = run["results"].as_array().cloned().unwrap_or_default();
    assert!(rules.len() >= 2, "{rules:?}");
    for r in &rules {
        let id = r["id"].as_str().unwrap_or("");
        if id != "internal-error" {
            assert_eq!(
                r["helpUri"],
                format!("https://ordlint.github.io/ordlint/rules/{id}.html")
            );
        }
    }
    let mut rule_ids = std::collections::BTreeSet::new();
    let mut uris = std::collections::BTreeSet::new();
    for res in &results {
        let index = res["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(
            rules.get(index).map(|r| &r["id"]),
            Some(&res["ruleId"]),
            "ruleIndex must point at ruleId: {res}"
        );
        rule_ids.insert(res["ruleId"].as_str().unwrap_or("").to_owned());
        let art = &res["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(art["uriBaseId"], "%SRCROOT%");
        uris.insert(art["uri"].as_str().unwrap_or("").to_owned());
    }
    assert!(rule_ids.len() >= 2, "{rule_ids:?}");
    assert!(uris.len() >= 2, "{uris:?}");

    // The bundled example: writer at 43, reader (related) at 62, an unsafe fix.
    let hand_off = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                == "examples/lock_handoff.c"
                && r["ruleId"] == "barrier-publication"
        })
        .unwrap_or_else(|| panic!("no result for the example"));
    let region = &hand_off["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 43);
    assert_eq!(region["startColumn"], 3);
    let related = &hand_off["relatedLocations"][0];
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 62);
    assert!(related["message"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("without acquire")));
    let fix = &hand_off["fixes"][0];
    assert_eq!(fix["properties"]["applicability"], "unsafe");
    let replacements = fix["artifactChanges"][0]["replacements"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!replacements.is_empty());
    assert!(replacements.iter().any(|r| r["insertedContent"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("smp_store_release"))));
    assert!(replacements
        .iter()
        .all(|r| r["deletedRegion"]["startLine"].as_u64().is_some()));
}

#[test]
fn sarif_of_a_clean_run_is_valid_and_exits_zero() {
    let (code, out, _) = run(ordlint_in(&root()).args([
        "check",
        "--format",
        "sarif",
        "fixtures/barrier-publication/ok_release_acquire.c",
    ]));
    assert_eq!(code, 0);
    let log: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}"));
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
}

#[test]
fn github_format_annotates_the_example() {
    let (code, out, _) =
        run(ordlint_in(&root()).args(["check", "--format", "github", "examples/lock_handoff.c"]));
    assert_eq!(code, 1);
    let first = out.lines().next().unwrap_or("");
    assert!(
        first.starts_with(
            "::warning file=examples/lock_handoff.c,line=43,endLine=43,col=3,endColumn="
        ),
        "{first}"
    );
    assert!(first.contains(",title=ordlint barrier-publication::"));
}

#[test]
fn github_format_escapes_hostile_file_names() {
    let dir = project::dir();
    let name = "we,ird:100%name.c";
    write(dir.path(), name, &smelly("fw"));
    let (code, out, err) = run(ordlint_in(dir.path()).args(["check", "--format", "github", name]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("::warning file=we%2Cird%3A100%25name.c,line=10,endLine=10,"),
        "{out}"
    );
    let message = out.split_once("::").map(|(_, r)| r).unwrap_or("");
    let message = message.split_once("::").map(|(_, m)| m).unwrap_or("");
    assert!(
        message.contains("%0A"),
        "help is on its own line: {message}"
    );
}

// ---------------------------------------------------------------------------------------
// --since and --diff-file

/// A repository with two committed files (`old.c` smelly, `clean.c` not), then a smelly
/// function added to `clean.c` (unstaged), one to `staged.c` (staged), and an untracked file.
fn repo_with_changes() -> tempfile::TempDir {
    let dir = project::dir();
    let d = dir.path();
    git(d, &["init", "-q"]);
    write(d, "drv/old.c", &smelly("old"));
    write(d, "drv/clean.c", "int clean(void)\n{\n\treturn 0;\n}\n");
    write(d, "drv/staged.c", "int staged(void)\n{\n\treturn 1;\n}\n");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    write(
        d,
        "drv/clean.c",
        &format!(
            "int clean(void)\n{{\n\treturn 0;\n}}\n\n{}",
            smelly("added")
        ),
    );
    write(
        d,
        "drv/staged.c",
        &format!(
            "{}\nint staged(void)\n{{\n\treturn 1;\n}}\n",
            smelly("staged")
        ),
    );
    git(d, &["add", "drv/staged.c"]);
    write(d, "drv/untracked.c", &smelly("fresh"));
    dir
}

#[test]
fn since_reports_only_findings_on_changed_lines() {
    let dir = repo_with_changes();
    let d = dir.path();
    let (code, out, _) = run(ordlint_in(d).args(["check", "--format", "json", "drv"]));
    assert_eq!(code, 1);
    assert_eq!(sites(&out).len(), 4, "all four without --since: {out}");

    let (code, out, err) =
        run(ordlint_in(d).args(["check", "--since", "HEAD", "--format", "json", "drv"]));
    assert_eq!(code, 1, "{err}");
    let clean = std::fs::read_to_string(d.join("drv/clean.c")).unwrap_or_default();
    assert_eq!(
        sites(&out),
        [
            (
                "drv/clean.c".to_owned(),
                flag_line(&clean, "added"),
                "barrier-publication".to_owned()
            ),
            (
                "drv/staged.c".to_owned(),
                10,
                "barrier-publication".to_owned()
            ),
            (
                "drv/untracked.c".to_owned(),
                10,
                "barrier-publication".to_owned()
            ),
        ],
        "the committed finding in old.c is not reported"
    );
}

#[test]
fn since_works_from_a_subdirectory_and_is_quiet_without_changes() {
    let dir = repo_with_changes();
    let d = dir.path();
    let sub = d.join("drv");
    let (code, out, err) =
        run(ordlint_in(&sub).args(["check", "--since", "HEAD", "--format", "json", "."]));
    assert_eq!(code, 1, "{err}");
    let paths: Vec<String> = sites(&out).into_iter().map(|s| s.0).collect();
    assert_eq!(paths, ["clean.c", "staged.c", "untracked.c"]);

    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "all"]);
    let (code, out, _) = run(ordlint_in(d).args(["check", "--since", "HEAD", "drv"]));
    assert_eq!(code, 0, "{out}");
    let (code, out, _) =
        run(ordlint_in(d).args(["check", "--since", "HEAD~1", "--format", "json", "drv"]));
    assert_eq!(code, 1);
    assert_eq!(sites(&out).len(), 3);
}

#[test]
fn since_deleting_a_barrier_flags_the_store_below() {
    let dir = project::dir();
    let d = dir.path();
    git(d, &["init", "-q"]);
    let ordered = smelly("wm").replace("\tbarrier();\n", "\tbarrier();\n\tsmp_wmb();\n");
    write(d, "w.c", &ordered);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    let (code, out, _) = run(ordlint_in(d).args(["check", "w.c"]));
    assert_eq!(code, 0, "smp_wmb() orders the publication: {out}");
    // The patch only deletes the smp_wmb() line; the finding sits on the untouched store
    // below the gap.
    write(d, "w.c", &smelly("wm"));
    let (code, out, _) =
        run(ordlint_in(d).args(["check", "--since", "HEAD", "--format", "json", "w.c"]));
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        sites(&out),
        [("w.c".to_owned(), 10, "barrier-publication".to_owned())]
    );
}

#[test]
fn since_outside_a_repository_or_with_a_bad_revision_exits_two() {
    let outside = project::dir();
    write(outside.path(), "a.c", &smelly("a"));
    let (code, _, err) = run(ordlint_in(outside.path())
        .env("GIT_CEILING_DIRECTORIES", outside.path())
        .args(["check", "--since", "HEAD", "a.c"]));
    assert_eq!(code, 2);
    assert!(err.contains("needs a git repository"), "{err}");

    let dir = repo_with_changes();
    let (code, _, err) =
        run(ordlint_in(dir.path()).args(["check", "--since", "no-such-branch", "drv"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown revision `no-such-branch`"), "{err}");
    let (code, _, err) = run(ordlint_in(dir.path()).args(["check", "--since=--output=x", "drv"]));
    assert_eq!(code, 2, "{err}");
    assert!(!dir.path().join("x").exists());
}

#[test]
fn diff_file_reports_only_the_patched_lines_without_git() {
    let dir = project::dir();
    let d = dir.path();
    let text = format!("{}\n{}", smelly("old"), smelly("new"));
    write(d, "drivers/x/main.c", &text);
    write(d, "drivers/x/other.c", &smelly("other"));
    // A mailed patch adding the second function after the first (with mail headers around).
    let old_lines = smelly("old").lines().count();
    let added: Vec<String> = smelly("new").lines().map(|l| format!("+{l}")).collect();
    let patch = format!(
        "From 1234 Mon Sep 17 00:00:00 2001\nFrom: A <a@example.invalid>\nSubject: [PATCH] x: add new\n\n---\n drivers/x/main.c | 12 ++++++++++++\n\ndiff --git a/drivers/x/main.c b/drivers/x/main.c\nindex 111..222 100644\n--- a/drivers/x/main.c\n+++ b/drivers/x/main.c\n@@ -{old_lines},0 +{},{} @@ void old_complete(struct old_state *s, void *image)\n+\n{}\n-- \n2.47.0\n",
        old_lines + 1,
        added.len() + 1,
        added.join("\n")
    );
    write(d, "fix.patch", &patch);
    let (code, out, err) = run(ordlint_in(d).args([
        "check",
        "--diff-file",
        "fix.patch",
        "--format",
        "json",
        "drivers",
    ]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        sites(&out),
        [(
            "drivers/x/main.c".to_owned(),
            flag_line(&text, "new"),
            "barrier-publication".to_owned()
        )]
    );
    // From stdin too.
    let (code, out, _) = run(ordlint_in(d)
        .args(["check", "--diff-file", "-", "--format", "json", "drivers"])
        .write_stdin(patch));
    assert_eq!(code, 1);
    assert_eq!(sites(&out).len(), 1);
}

#[test]
fn diff_file_errors_exit_two() {
    let dir = project::dir();
    write(dir.path(), "a.c", &smelly("a"));
    write(dir.path(), "bad.patch", "+++ b/a.c\n@@ -x +1 @@\n+a\n");
    let (code, _, err) =
        run(ordlint_in(dir.path()).args(["check", "--diff-file", "bad.patch", "a.c"]));
    assert_eq!(code, 2);
    assert!(err.contains("malformed hunk header"), "{err}");
    let (code, _, err) =
        run(ordlint_in(dir.path()).args(["check", "--diff-file", "missing.patch", "a.c"]));
    assert_eq!(code, 2);
    assert!(err.contains("cannot read patch missing.patch"), "{err}");
    let (code, _, _) = run(ordlint_in(dir.path()).args([
        "check",
        "--diff-file",
        "bad.patch",
        "--since",
        "HEAD",
        "a.c",
    ]));
    assert_eq!(code, 2, "--since and --diff-file conflict");
}

// ---------------------------------------------------------------------------------------
// Baselines

#[test]
fn baseline_survives_moved_code_and_still_reports_new_findings() {
    let dir = project::dir();
    let d = dir.path();
    let original = format!("{}\n{}", smelly("one"), smelly("two"));
    write(d, "src/a.c", &original);
    write(d, "src/b.c", &smelly("three"));

    let (code, out, err) =
        run(ordlint_in(d).args(["check", "--write-baseline", "base.json", "src"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "", "nothing on stdout");
    assert!(err.contains("wrote 3 findings to base.json"), "{err}");
    let text = std::fs::read_to_string(d.join("base.json")).unwrap_or_default();
    let base: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(base["version"], 1);
    let findings = base["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(findings.len(), 3);
    let keys: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or("").to_owned(),
                f["fingerprint"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "entries are sorted");
    assert!(!text.contains("\"line\""), "no line numbers in a baseline");

    // Writing again gives the same bytes.
    let (code, _, _) = run(ordlint_in(d).args(["check", "--write-baseline", "again.json", "src"]));
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(d.join("again.json")).unwrap_or_default(),
        text
    );

    let (code, out, _) = run(ordlint_in(d).args(["check", "--baseline", "base.json", "src"]));
    assert_eq!(code, 0, "everything is baselined: {out}");

    // Move the code down 50 lines with an unrelated function: still baselined.
    let filler: String = (0..10)
        .map(|i| format!("static int pad{i};\n"))
        .chain(std::iter::once("static int pad(void)\n{\n".to_owned()))
        .chain((0..36).map(|i| format!("\tpad{} = {i};\n", i % 10)))
        .chain(std::iter::once("\treturn 0;\n}\n".to_owned()))
        .collect();
    assert_eq!(filler.lines().count(), 50);
    let moved = format!("{filler}{original}");
    write(d, "src/a.c", &moved);
    let (code, out, _) = run(ordlint_in(d).args([
        "check",
        "--baseline",
        "base.json",
        "--format",
        "json",
        "src",
    ]));
    assert_eq!(code, 0, "moved code stays baselined: {out}");

    // A new finding in the same file is reported, and only it.
    let grown = format!("{moved}\n{}", smelly("four"));
    write(d, "src/a.c", &grown);
    let (code, out, _) = run(ordlint_in(d).args([
        "check",
        "--baseline",
        "base.json",
        "--format",
        "json",
        "src",
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        sites(&out),
        [(
            "src/a.c".to_owned(),
            flag_line(&grown, "four"),
            "barrier-publication".to_owned()
        )]
    );
}

#[test]
fn bad_baseline_exits_two() {
    let dir = project::dir();
    write(dir.path(), "a.c", &smelly("a"));
    write(dir.path(), "base.json", "[1, 2]");
    let (code, _, err) =
        run(ordlint_in(dir.path()).args(["check", "--baseline", "base.json", "a.c"]));
    assert_eq!(code, 2);
    assert!(err.contains("not an ordlint baseline"), "{err}");
    let (code, _, _) =
        run(ordlint_in(dir.path()).args(["check", "--baseline", "none.json", "a.c"]));
    assert_eq!(code, 2);
}

// ---------------------------------------------------------------------------------------
// Examples kept in the repository

fn yaml(path: &str) -> serde_yaml::Value {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `ordlint check …` command lines in a text (YAML `run:`/`entry:` values, book code).
fn ordlint_commands(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.find("ordlint check").map(|i| l[i..].to_owned()))
        .collect()
}

/// Every `--flag` of every `ordlint check` command in `text` is in `ordlint check --help`,
/// and every `--format` value is accepted.
fn assert_flags_exist(what: &str, text: &str) {
    let (_, help, _) = run(ordlint_in(&root()).args(["check", "--help"]));
    let commands = ordlint_commands(text);
    assert!(!commands.is_empty(), "{what}: no ordlint command");
    for cmd in commands {
        let words: Vec<&str> = cmd.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            if let Some(flag) = w.strip_prefix("--") {
                let flag = flag.split('=').next().unwrap_or(flag);
                assert!(
                    help.contains(&format!("--{flag}")),
                    "{what}: `--{flag}` is not a flag of `ordlint check`"
                );
                if flag == "format" {
                    let value = words.get(i + 1).copied().unwrap_or("");
                    assert!(
                        help.contains(value),
                        "{what}: `--format {value}` is not a format"
                    );
                }
            }
        }
    }
}

#[test]
fn github_workflow_example_parses_and_uses_real_flags() {
    let wf = yaml("examples/ci/github-workflow.yml");
    assert!(wf["on"]["pull_request"].is_null() || wf["on"]["pull_request"].is_mapping());
    assert!(
        wf["on"].get("pull_request").is_some(),
        "runs on pull requests"
    );
    let steps = wf["jobs"]["ordlint"]["steps"]
        .as_sequence()
        .cloned()
        .unwrap_or_default();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(uses
        .iter()
        .any(|u| u.starts_with("github/codeql-action/upload-sarif@")));
    assert_eq!(
        wf["jobs"]["ordlint"]["permissions"]["security-events"].as_str(),
        Some("write")
    );
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let all = runs.join("\n");
    assert!(all.contains("--format sarif"));
    assert!(all.contains("--format github"));
    assert!(all.contains("--since"));
    let sarif_file = steps
        .iter()
        .find_map(|s| s["with"]["sarif_file"].as_str())
        .unwrap_or("");
    assert!(
        all.contains(&format!("> {sarif_file}")),
        "uploads what it wrote"
    );
    assert_flags_exist("examples/ci/github-workflow.yml", &all);
}

#[test]
fn pre_commit_hooks_parse_and_use_real_flags() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_sequence().cloned().unwrap_or_default();
    assert!(!hooks.is_empty());
    let mut entries = Vec::new();
    for h in &hooks {
        for key in ["id", "name", "entry", "language"] {
            assert!(h[key].as_str().is_some(), "hook without {key}: {h:?}");
        }
        entries.push(h["entry"].as_str().unwrap_or("").to_owned());
    }
    assert_flags_exist(".pre-commit-hooks.yaml", &entries.join("\n"));
}

#[test]
fn ci_chapter_uses_real_flags() {
    let text = std::fs::read_to_string(root().join("book/src/ci.md")).unwrap_or_default();
    assert_flags_exist("book/src/ci.md", &text);
    let text = std::fs::read_to_string(root().join("book/src/kernel.md")).unwrap_or_default();
    assert_flags_exist("book/src/kernel.md", &text);
}
