//! End-to-end tests of the `ordlint` binary: exit statuses, formats, bad input, `rule`.

mod project;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ordlint() -> Command {
    let mut c = Command::cargo_bin("ordlint").unwrap_or_else(|e| panic!("{e}"));
    c.current_dir(root()).env_remove("NO_COLOR");
    c
}

fn stdout_of(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bundled_example_reports_the_hand_off_in_human_form() {
    let (code, out, _) = stdout_of(ordlint().args(["check", "examples/lock_handoff.c"]));
    assert_eq!(code, 1);
    assert!(
        !out.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    insta::assert_snapshot!("example_human", out);
}

#[test]
fn no_progress_bar_or_other_noise_on_stderr_when_it_is_not_a_terminal() {
    let (code, out, err) = stdout_of(ordlint().args(["check", "examples"]));
    assert_eq!(code, 1, "{out}");
    assert_eq!(err, "", "stderr is a pipe here: no bar, no escape codes");
}

#[test]
fn json_output_has_the_documented_fields() {
    let (code, out, _) =
        stdout_of(ordlint().args(["check", "--format", "json", "examples/lock_handoff.c"]));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let first = &v[0];
    for field in [
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "rule",
        "severity",
        "message",
        "fix",
        "related",
    ] {
        assert!(first.get(field).is_some(), "missing {field}");
    }
    assert_eq!(first["rule"], "barrier-publication");
    assert_eq!(first["line"], 43);
    assert_eq!(first["fix"]["applicability"], "unsafe");
    assert_eq!(first["related"][0]["line"], 62);
    insta::assert_snapshot!("example_json", out);
}

#[test]
fn jsonl_prints_one_object_per_line() {
    let (code, out, _) = stdout_of(ordlint().args([
        "check",
        "--format",
        "jsonl",
        "examples/lock_handoff.c",
        "fixtures/unordered-flag-read",
    ]));
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 2);
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert!(v["rule"].is_string());
    }
}

#[test]
fn clean_code_exits_zero() {
    let (code, out, _) =
        stdout_of(ordlint().args(["check", "fixtures/barrier-publication/ok_release_acquire.c"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no memory-ordering smells found"));
}

#[test]
fn select_and_ignore_filter_rules() {
    let (code, _, _) = stdout_of(ordlint().args([
        "check",
        "--ignore",
        "barrier-publication",
        "examples/lock_handoff.c",
    ]));
    assert_eq!(code, 0);
    let (code, out, _) = stdout_of(ordlint().args([
        "check",
        "--select",
        "barrier-publication",
        "--format",
        "json",
        "fixtures",
    ]));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(v
        .as_array()
        .is_some_and(|a| a.iter().all(|d| d["rule"] == "barrier-publication")));
}

#[test]
fn usage_errors_exit_two_with_a_suggestion() {
    let (code, _, err) =
        stdout_of(ordlint().args(["check", "--select", "barrier-publicaton", "examples"]));
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `barrier-publication`"), "{err}");
    let (code, _, err) = stdout_of(ordlint().args(["check", "no/such/dir"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("no/such/dir: no such file or directory"),
        "{err}"
    );
    let (code, _, _) = stdout_of(ordlint().args(["check", "--format", "yaml"]));
    assert_eq!(code, 2);
}

#[test]
fn bad_files_get_one_warning_each_and_the_run_goes_on() {
    let dir = project::dir();
    let d = dir.path();
    std::fs::write(d.join("binary.c"), b"\x7fELF\x00\x00barrier()")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        d.join("latin1.c"),
        b"/* caf\xe9 */ void f(void) { barrier(); }",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        d.join("broken.c"),
        "void f(struct x *p) { p->a = 1; barrier(); p->done = true; ",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(d.join("dir.c")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(root().join("examples/lock_handoff.c"), d.join("good.c"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, out, err) = stdout_of(ordlint().args(["check", "--format", "json"]).arg(d));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("binary.c: skipped: binary file"), "{err}");
    assert!(err.contains("latin1.c: skipped: not valid UTF-8"), "{err}");
    assert!(
        !err.contains("dir.c"),
        "a directory named x.c is just walked: {err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}"));
    let paths: Vec<&str> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert!(paths.iter().any(|p| p.ends_with("good.c")), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.ends_with("broken.c")),
        "lowering goes on past syntax errors: {paths:?}"
    );
}

#[test]
fn stdin_is_linted_under_the_given_name() {
    let text = std::fs::read_to_string(root().join("examples/lock_handoff.c"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, out, _) = stdout_of(
        ordlint()
            .args([
                "check",
                "--extend-select",
                "barrier-publication",
                "--stdin-filename",
                "kernel/locking/handoff.c",
                "--format",
                "json",
            ])
            .write_stdin(text),
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("\"path\": \"kernel/locking/handoff.c\""),
        "{out}"
    );
}

#[test]
fn colour_is_forced_with_always_and_never_by_default_in_pipes() {
    let (_, out, _) =
        stdout_of(ordlint().args(["check", "--color", "always", "examples/lock_handoff.c"]));
    assert!(out.contains('\u{1b}'));
}

#[test]
fn rule_lists_and_shows_pages() {
    let (code, out, _) = stdout_of(ordlint().arg("rule"));
    assert_eq!(code, 0);
    assert!(
        out.contains("barrier-publication") && out.contains("unordered-flag-read"),
        "{out}"
    );
    let (code, out, _) = stdout_of(ordlint().args(["rule", "barrier-publication"]));
    assert_eq!(code, 0);
    assert!(out.starts_with("# barrier-publication"));
    let (code, _, err) = stdout_of(ordlint().args(["rule", "barier-publication"]));
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `barrier-publication`"), "{err}");
}
