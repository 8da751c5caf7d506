//! End-to-end tests of `ordlint check` on hostile inputs (#9): huge files, deep nesting,
//! empty and comment-only files, CRLF, unreadable files, broken and looping symbolic links,
//! and a file rewritten while it is being read.
//!
//! Each test puts the bad input next to a good file (a copy of `examples/lock_handoff.c`)
//! and checks three things: the bad file gets at most one clear warning line on stderr (when
//! it deserves one), the exit status is the documented one (1: the good file's diagnostic),
//! and the good file is still linted. A crash (exit 101 for a panic, a signal for a stack
//! overflow) fails every one of them.

mod project;

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ordlint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("ordlint").unwrap_or_else(|e| panic!("{e}"));
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

fn write(p: &Path, text: impl AsRef<[u8]>) {
    std::fs::write(p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

/// A temporary directory holding `good.c`, a copy of the bundled example (one
/// barrier-publication diagnostic at line 43), with that pedantic rule turned on.
fn dir_with_good_file() -> tempfile::TempDir {
    let dir = project::dir();
    let example =
        std::fs::read(root().join("examples/lock_handoff.c")).unwrap_or_else(|e| panic!("{e}"));
    write(&dir.path().join("good.c"), example);
    dir
}

/// What one run gave.
struct Outcome {
    code: i32,
    diagnostics: Vec<serde_json::Value>,
    stderr: String,
}

impl Outcome {
    /// The stderr lines that mention `name`.
    fn lines_about(&self, name: &str) -> Vec<&str> {
        self.stderr.lines().filter(|l| l.contains(name)).collect()
    }

    /// The single stderr line about `name`; fails unless there is exactly one.
    fn warning_about(&self, name: &str) -> &str {
        match self.lines_about(name).as_slice() {
            [line] => line,
            lines => panic!("expected one warning about {name}, got {lines:?}"),
        }
    }

    /// True when a diagnostic of `rule` is reported in a file whose path ends with `name`.
    fn reports(&self, name: &str, rule: &str) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d["path"].as_str().is_some_and(|p| p.ends_with(name)) && d["rule"] == rule)
    }

    /// Fails unless the run ended normally with status 1 and linted `good.c`.
    fn assert_good_file_linted(&self) {
        assert_eq!(self.code, 1, "exit status; stderr:\n{}", self.stderr);
        assert!(
            self.reports("good.c", "barrier-publication"),
            "good.c is still linted: {:?}",
            self.diagnostics
        );
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("internal error"),
            "{}",
            self.stderr
        );
    }
}

/// `ordlint check --format json ARGS…` in `dir`.
fn check_json(dir: &Path, args: &[&str]) -> Outcome {
    let out = ordlint(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let diagnostics = serde_json::from_str::<serde_json::Value>(&stdout)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    Outcome {
        code: out.status.code().unwrap_or(-1),
        diagnostics,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A kernel-style function with one barrier-publication finding, named `name`.
fn publication(name: &str) -> String {
    format!(
        "struct {name}_ctx {{\n\tvoid *data;\n\tbool ready;\n}};\n\n\
         void {name}_publish(struct {name}_ctx *c, void *d)\n{{\n\tc->data = d;\n\tbarrier();\n\tc->ready = true;\n}}\n"
    )
}

/// 50 MB is under the 64 MiB `max_file_bytes` limit, so the file is linted, not skipped: the
/// kernel's largest sources are generated register headers (a few MB to tens of MB) that
/// contain no trigger token, and the prefilter plus per-definition slicing keep the cost of
/// a big file proportional to the code around its triggers, not to its size.
#[test]
fn a_50_mb_file_is_linted_in_bounded_time() {
    let dir = dir_with_good_file();
    let mut text = String::with_capacity(50 << 20);
    text.push_str("/* generated register definitions */\n");
    let mut i = 0u64;
    while text.len() < 50_000_000 {
        text.push_str(&format!(
            "#define mmREG_{i:08X}_BASE_IDX 0x{i:08x} /* block {} */\n",
            i % 97
        ));
        i += 1;
    }
    // One real finding deep inside the big file: it must be found.
    text.push_str(&publication("huge"));
    write(&dir.path().join("huge.c"), &text);
    let started = Instant::now();
    let outcome = check_json(dir.path(), &["."]);
    let took = started.elapsed();
    outcome.assert_good_file_linted();
    assert!(
        outcome.reports("huge.c", "barrier-publication"),
        "the big file is linted: {:?}",
        outcome.diagnostics
    );
    assert!(
        outcome.lines_about("huge.c").is_empty(),
        "{}",
        outcome.stderr
    );
    // About 10 s in a debug build; the margin is for a loaded CI machine.
    assert!(took < Duration::from_secs(90), "took {took:?}");
}

/// Over the limit, the file is skipped with one line saying so.
#[test]
fn a_file_over_the_size_limit_is_skipped_with_a_message() {
    let dir = dir_with_good_file();
    let file = std::fs::File::create(dir.path().join("blob.c")).unwrap_or_else(|e| panic!("{e}"));
    // Sparse: 65 MiB of zero bytes costs no disk.
    file.set_len(65 << 20).unwrap_or_else(|e| panic!("{e}"));
    let outcome = check_json(dir.path(), &["."]);
    outcome.assert_good_file_linted();
    let line = outcome.warning_about("blob.c");
    assert!(
        line.ends_with("blob.c: skipped: file is 65 MiB, over the 64 MiB limit"),
        "{line}"
    );
}

/// `open` then `n` copies of … deep nesting … `close`, inside a function that also holds a
/// trigger token (so the prefilter lets the file through to the parser).
fn deep_c(open: &str, close: &str, n: usize) -> String {
    format!(
        "{}\nint deep(int x)\n{{\n\tbarrier();\n\treturn {}x{};\n}}\n",
        publication("deep"),
        open.repeat(n),
        close.repeat(n)
    )
}

fn deep_rust(open: &str, close: &str, n: usize) -> String {
    format!(
        "use std::sync::atomic::{{AtomicBool, Ordering}};\n\
         pub fn publish(flag: &AtomicBool) {{\n    flag.store(true, Ordering::Relaxed);\n}}\n\
         pub fn deep(x: u32) -> u32 {{\n    {}x{}\n}}\n",
        open.repeat(n),
        close.repeat(n)
    )
}

/// C: tree-sitter parses without recursion; the lowering stops at `MAX_DEPTH` (256) levels and
/// reports the skipped subtree as a problem of that function only, so the other functions of
/// the file are still linted and there is nothing to warn about on stderr.
#[test]
fn ten_thousand_nested_parentheses_in_c_do_not_overflow() {
    let dir = dir_with_good_file();
    write(&dir.path().join("parens.c"), deep_c("(", ")", 10_000));
    let outcome = check_json(dir.path(), &["."]);
    outcome.assert_good_file_linted();
    assert!(
        outcome.reports("parens.c", "barrier-publication"),
        "the shallow function of the deep file is still linted: {:?}",
        outcome.diagnostics
    );
}

#[test]
fn ten_thousand_nested_braces_in_c_do_not_overflow() {
    let dir = dir_with_good_file();
    write(&dir.path().join("braces.c"), deep_c("{", "}", 10_000));
    let outcome = check_json(dir.path(), &["."]);
    outcome.assert_good_file_linted();
    assert!(
        outcome.reports("braces.c", "barrier-publication"),
        "{:?}",
        outcome.diagnostics
    );
}

/// Rust: syn recurses per bracket level, so a file nested deeper than 256 levels is refused
/// before parsing, with one warning line.
#[test]
fn ten_thousand_nested_parentheses_in_rust_are_refused_with_a_message() {
    let dir = dir_with_good_file();
    write(&dir.path().join("parens.rs"), deep_rust("(", ")", 10_000));
    let outcome = check_json(dir.path(), &["."]);
    outcome.assert_good_file_linted();
    let line = outcome.warning_about("parens.rs");
    assert!(
        line.ends_with(
            "parens.rs: nesting too deep: more than 256 levels of brackets; file not lowered"
        ),
        "{line}"
    );
}

#[test]
fn ten_thousand_nested_braces_in_rust_are_refused_with_a_message() {
    let dir = dir_with_good_file();
    write(&dir.path().join("braces.rs"), deep_rust("{", "}", 10_000));
    let outcome = check_json(dir.path(), &["."]);
    outcome.assert_good_file_linted();
    let line = outcome.warning_about("braces.rs");
    assert!(line.contains("braces.rs: nesting too deep"), "{line}");
}

#[test]
fn empty_and_comment_only_files_are_quiet() {
    let dir = dir_with_good_file();
    let d = dir.path();
    write(&d.join("empty.c"), "");
    write(&d.join("empty.rs"), "");
    write(
        &d.join("comment.c"),
        "/* barrier(); smp_wmb(); WRITE_ONCE(x, 1); */\n",
    );
    write(&d.join("comment.rs"), "// x.store(1, Ordering::Relaxed);\n");
    write(&d.join("open_comment.c"), "/* barrier(); never closed");
    let outcome = check_json(d, &["."]);
    outcome.assert_good_file_linted();
    for name in [
        "empty.c",
        "empty.rs",
        "comment.c",
        "comment.rs",
        "open_comment.c",
    ] {
        assert!(outcome.lines_about(name).is_empty(), "{}", outcome.stderr);
        assert!(
            !outcome.diagnostics.iter().any(|d| d["path"] == name),
            "{:?}",
            outcome.diagnostics
        );
    }
    // Alone, they are a clean run.
    let outcome = check_json(d, &["empty.c", "comment.c", "empty.rs", "comment.rs"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
}

/// Lines and columns of a CRLF file are those of its LF twin (`\r` ends no line and is not a
/// column); `--fix` keeping CRLF is tested in `fix.rs` (`crlf_file_stays_crlf`).
#[test]
fn crlf_files_report_the_same_lines_and_columns() {
    let dir = dir_with_good_file();
    let d = dir.path();
    let lf = std::fs::read_to_string(d.join("good.c")).unwrap_or_else(|e| panic!("{e}"));
    write(&d.join("crlf.c"), lf.replace('\n', "\r\n"));
    let outcome = check_json(d, &["."]);
    outcome.assert_good_file_linted();
    let positions = |name: &str| -> Vec<(String, serde_json::Value)> {
        let mut v: Vec<(String, serde_json::Value)> = outcome
            .diagnostics
            .iter()
            .filter(|x| x["path"] == name)
            .map(|x| {
                let related: Vec<serde_json::Value> = x["related"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        serde_json::json!([r["line"], r["column"], r["end_line"], r["end_column"]])
                    })
                    .collect();
                (
                    x["rule"].as_str().unwrap_or_default().to_owned(),
                    serde_json::json!([
                        x["line"],
                        x["column"],
                        x["end_line"],
                        x["end_column"],
                        related
                    ]),
                )
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert!(!positions("crlf.c").is_empty());
    assert_eq!(positions("crlf.c"), positions("good.c"));
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_a_warning_and_the_run_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = dir_with_good_file();
    let secret = dir.path().join("secret.c");
    write(&secret, publication("secret"));
    let closed = dir.path().join("closed");
    std::fs::create_dir(&closed).unwrap_or_else(|e| panic!("{e}"));
    write(&closed.join("inner.c"), publication("inner"));
    for p in [&secret, &closed] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o000))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let outcome = check_json(dir.path(), &["."]);
    outcome.assert_good_file_linted();
    // Root (and CAP_DAC_OVERRIDE) reads a mode-000 file anyway: then there is nothing to warn
    // about and the file is simply linted, so the message cannot be checked.
    if std::fs::read(&secret).is_ok() {
        eprintln!("running with permission to read mode-000 files (root?): message not checked");
        assert!(outcome.reports("secret.c", "barrier-publication"));
    } else {
        let line = outcome.warning_about("secret.c");
        assert!(
            line.ends_with("secret.c: cannot read: permission denied"),
            "{line}"
        );
        let line = outcome.warning_about("closed");
        assert!(
            line.ends_with("closed: cannot walk: permission denied"),
            "{line}"
        );
    }
    for p in [&secret, &closed] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_is_a_warning_and_the_run_goes_on() {
    let dir = dir_with_good_file();
    std::os::unix::fs::symlink("gone.c", dir.path().join("dangling.c"))
        .unwrap_or_else(|e| panic!("{e}"));
    let outcome = check_json(dir.path(), &["."]);
    outcome.assert_good_file_linted();
    let line = outcome.warning_about("dangling.c");
    assert!(
        line.ends_with("dangling.c: skipped: broken symbolic link (no such file or directory)"),
        "{line}"
    );
}

/// `a.c -> b.c -> a.c` gets one warning per link; a link to a parent directory is not
/// followed by the walk (no endless descent), so it costs nothing and says nothing.
#[cfg(unix)]
#[test]
fn symlink_loops_end_with_a_warning_and_the_run_goes_on() {
    let dir = dir_with_good_file();
    let d = dir.path();
    std::os::unix::fs::symlink("b.c", d.join("a.c")).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("a.c", d.join("b.c")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(d.join("sub")).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("..", d.join("sub/up.c")).unwrap_or_else(|e| panic!("{e}"));
    let outcome = check_json(d, &["."]);
    outcome.assert_good_file_linted();
    for name in ["a.c", "b.c"] {
        let line = outcome.warning_about(&format!("warning: {name}:"));
        assert!(
            line.ends_with(&format!(
                "{name}: skipped: broken symbolic link (too many levels of symbolic links)"
            )),
            "{line}"
        );
    }
    assert!(outcome.lines_about("up").is_empty(), "{}", outcome.stderr);
    assert_eq!(
        outcome
            .diagnostics
            .iter()
            .filter(|x| x["rule"] == "barrier-publication")
            .count(),
        1,
        "good.c is linted once, not again through sub/up: {:?}",
        outcome.diagnostics
    );
    // Named on the command line, the directory link is walked once.
    let outcome = check_json(d, &["sub/up"]);
    outcome.assert_good_file_linted();
}

/// A thread rewrites the file (whole, truncated, empty, grown) while ordlint reads it many
/// times: no run may crash, and every diagnostic in it must lie within the longest version.
#[test]
fn a_file_rewritten_while_being_read_never_crashes_a_run() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let dir = dir_with_good_file();
    let path = dir.path().join("moving.c");
    let full = format!("{}{}", publication("moving"), publication("other"));
    let line_count = full.lines().count() as u64;
    write(&path, &full);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, path, full) = (Arc::clone(&stop), path.clone(), full.clone());
        std::thread::spawn(move || {
            let mut i = 0usize;
            while !stop.load(Ordering::Acquire) {
                let cut = (i * 37) % (full.len() + 1);
                let text = match i % 4 {
                    0 => full.as_str(),
                    1 => full.get(..cut).unwrap_or(""),
                    2 => "",
                    _ => full.get(cut..).unwrap_or(""),
                };
                // Truncate-and-write in place (not a rename), so readers can see any state.
                let _ = std::fs::write(&path, text);
                i += 1;
            }
        })
    };
    let mut runs = 0;
    let started = Instant::now();
    while runs < 20 || started.elapsed() < Duration::from_secs(2) {
        let format = if runs % 2 == 0 { "json" } else { "human" };
        let out = ordlint(dir.path())
            .args(["check", "--format", format, "."])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let code = out.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(code == 0 || code == 1, "exit {code}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.lines().all(|l| !l.contains("moving.c")),
            "a file shorter than before is not an error: {stderr}"
        );
        if format == "json" {
            let stdout = String::from_utf8_lossy(&out.stdout);
            let v: serde_json::Value =
                serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
            for d in v.as_array().into_iter().flatten() {
                if d["path"] == "moving.c" {
                    let end = d["end_line"].as_u64().unwrap_or(u64::MAX);
                    assert!(end <= line_count + 1, "{d}");
                }
            }
            assert!(stdout.contains("good.c"));
        }
        runs += 1;
        if runs >= 200 {
            break;
        }
    }
    stop.store(true, Ordering::Release);
    writer.join().unwrap_or_else(|_| panic!("writer thread"));
}
