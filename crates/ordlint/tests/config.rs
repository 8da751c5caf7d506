//! End-to-end tests of `ordlint.toml`: discovery, `--config`, errors with lines, overrides,
//! exclusion, `--stdin-filename`; and every ```toml block of the book's configuration chapter.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ordlint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("ordlint").unwrap_or_else(|e| panic!("{e}"));
    c.current_dir(dir).env("NO_COLOR", "1");
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

fn write(p: &Path, text: &str) {
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

/// Turns on the pedantic rule that `FLAG` trips.
const PAIRING: &str = "extend-select = [\"barrier-publication\"]\n";

const FLAG: &str = "struct fw_loader {\n\tvoid *image;\n\tbool ready;\n};\n\nvoid fw_loader_complete(struct fw_loader *ld, void *image)\n{\n\tld->image = image;\n\tbarrier();\n\tld->ready = true;\n}\n";

/// A project (with `.git`, so discovery stops there) holding the flag case in `a/` and `arch/`.
fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(dir.path().join(".git")).unwrap_or_else(|e| panic!("{e}"));
    write(&dir.path().join("ordlint.toml"), config);
    write(&dir.path().join("a/flag.c"), FLAG);
    write(&dir.path().join("arch/arm64/flag.c"), FLAG);
    dir
}

fn rules_fired(out: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    format!(
                        "{}:{}",
                        d["path"].as_str().unwrap_or(""),
                        d["rule"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_unknown_key_is_an_error_with_its_line() {
    let dir = project("select = [\"default\"]\nselect-more = [\"x\"]\n");
    let (code, _, err) = run(ordlint(dir.path()).args(["check", "."]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("ordlint.toml:2: unknown field `select-more`"),
        "{err}"
    );
}

#[test]
fn an_unknown_rule_is_an_error_with_a_suggestion() {
    let dir = project("\n\nignore = [\"barrier-publicaton\"]\n");
    let (code, _, err) = run(ordlint(dir.path()).args(["check", "a"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ordlint.toml:3: unknown rule `barrier-publicaton` (did you mean `barrier-publication`?)"), "{err}");
}

#[test]
fn overrides_and_exclude_apply_per_path() {
    let dir = project(&format!(
        "{PAIRING}[[overrides]]\npaths = [\"arch/**\"]\nignore = [\"barrier-publication\"]\n"
    ));
    let (code, out, err) = run(ordlint(dir.path()).args(["check", "--format", "json", "."]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        rules_fired(&out),
        vec!["a/flag.c:barrier-publication".to_owned()]
    );
    let dir = project(&format!("{PAIRING}exclude = [\"a/**\"]\n"));
    let (_, out, _) = run(ordlint(dir.path()).args(["check", "--format", "json", "."]));
    assert_eq!(
        rules_fired(&out),
        vec!["arch/arm64/flag.c:barrier-publication".to_owned()]
    );
}

#[test]
fn the_config_flag_replaces_discovery() {
    let dir = project(&format!("{PAIRING}ignore = [\"barrier-publication\"]\n"));
    let (code, _, _) = run(ordlint(dir.path()).args(["check", "a"]));
    assert_eq!(code, 0, "the discovered config ignores the rule");
    write(&dir.path().join("other.toml"), PAIRING);
    let (code, _, _) = run(ordlint(dir.path()).args(["check", "--config", "other.toml", "a"]));
    assert_eq!(code, 1, "--config wins over the discovered file");
}

#[test]
fn stdin_filename_discovers_from_its_directory() {
    let dir = project(&format!(
        "{PAIRING}[[overrides]]\npaths = [\"arch/**\"]\nignore = [\"barrier-publication\"]\n"
    ));
    let (code, _, _) = run(ordlint(dir.path())
        .args(["check", "--stdin-filename", "arch/arm64/new.c"])
        .write_stdin(FLAG));
    assert_eq!(code, 0);
    let (code, _, _) = run(ordlint(dir.path())
        .args(["check", "--stdin-filename", "a/new.c"])
        .write_stdin(FLAG));
    assert_eq!(code, 1);
}

#[test]
fn every_toml_example_of_the_configuration_chapter_is_valid() {
    let page = std::fs::read_to_string(root().join("book/src/configuration.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in page.lines() {
        match &mut current {
            Some(b) if line.trim_start().starts_with("```") => {
                blocks.push(std::mem::take(b));
                current = None;
            }
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
            None if line.trim() == "```toml" => current = Some(String::new()),
            None => {}
        }
    }
    assert!(
        blocks.len() >= 3,
        "the chapter has too few ```toml examples"
    );
    for (i, b) in blocks.iter().enumerate() {
        if let Err(e) = ordlint_core::config::Config::parse(Path::new("ordlint.toml"), b) {
            panic!("toml block {} of configuration.md: {e}\n{b}", i + 1);
        }
    }
}

#[test]
fn kernel_api_helpers_are_lowered_like_the_kernel_api() {
    // The flag case with the project's own compiler barrier instead of barrier().
    let own = FLAG.replace("barrier();", "fw_compiler_barrier();");
    let dir = project(PAIRING);
    write(&dir.path().join("a/flag.c"), &own);
    std::fs::remove_dir_all(dir.path().join("arch")).unwrap_or_else(|e| panic!("{e}"));
    let (code, out, err) = run(ordlint(dir.path()).args(["check", "--format", "json", "."]));
    assert_eq!(
        (code, rules_fired(&out)),
        (0, vec![]),
        "unknown helper: {err}"
    );
    write(
        &dir.path().join("ordlint.toml"),
        &format!("{PAIRING}[kernel-api]\ncompiler-barriers = [\"fw_compiler_barrier\"]\n"),
    );
    let (code, out, err) = run(ordlint(dir.path()).args(["check", "--format", "json", "."]));
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        rules_fired(&out),
        vec!["a/flag.c:barrier-publication".to_owned()]
    );
    assert!(!err.contains("warning"), "{err}");
    let (code, _, _) = run(ordlint(dir.path())
        .args(["check", "--stdin-filename", "a/new.c"])
        .write_stdin(own));
    assert_eq!(code, 1, "stdin uses the same helpers");
}
