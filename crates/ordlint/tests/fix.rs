//! End-to-end tests of `ordlint check --fix`, `--unsafe-fixes`, `--diff` and
//! `--add-suppressions` on temporary copies of fixtures.

mod project;

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

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn write(p: &Path, text: &str) {
    std::fs::write(p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

/// A temporary directory with copies of `fixtures/<rel>` (a file or a folder's files).
fn copy_fixture(rel: &str) -> tempfile::TempDir {
    let dir = project::dir();
    let src = root().join("fixtures").join(rel);
    let files: Vec<PathBuf> = if src.is_dir() {
        std::fs::read_dir(&src)
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect()
    } else {
        vec![src]
    };
    for f in files {
        let name = f.file_name().unwrap_or_default();
        write(&dir.path().join(name), &read(&f));
    }
    dir
}

/// A stale suppression (safe fix) and a barrier() publication (unsafe fix) in one file.
const MIXED: &str = "struct fw_loader {\n\tvoid *image;\n\tbool ready;\n};\n\nvoid fw_loader_complete(struct fw_loader *ld, void *image)\n{\n\t/* ordlint: allow(barrier-publication) -- stale */\n\tld->image = image;\n\tbarrier();\n\tld->ready = true;\n}\n";

#[test]
fn fix_applies_safe_fixes_only() {
    let dir = project::dir();
    let file = dir.path().join("loader.c");
    write(&file, MIXED);
    let (code, _, err) = run(ordlint(dir.path()).args(["check", "--fix", "loader.c"]));
    let after = read(&file);
    assert!(
        !after.contains("ordlint: allow"),
        "the safe fix removes the stale suppression:\n{after}"
    );
    assert!(
        after.contains("barrier();\n\tld->ready = true;"),
        "the unsafe fix is not applied by --fix:\n{after}"
    );
    assert_eq!(code, 1, "the barrier-publication diagnostic remains");
    assert!(
        err.contains("fixed 1 diagnostic in 1 file, 1 remaining (1 fixable with --unsafe-fixes)"),
        "{err}"
    );
}

#[test]
fn unsafe_fixes_complete_a_cross_file_pair_and_converge() {
    let dir = copy_fixture("barrier-publication/cross_file_completion");
    let (producer, consumer) = (dir.path().join("producer.c"), dir.path().join("consumer.c"));
    let (code, _, err) = run(ordlint(dir.path()).args(["check", "--unsafe-fixes", "."]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("fixed 1 diagnostic in 2 files, 0 remaining"),
        "{err}"
    );
    assert!(read(&producer).contains("smp_store_release(&slot->owner, MBOX_OWNER_HOST);"));
    assert!(read(&consumer).contains("smp_load_acquire(&slot->owner) != MBOX_OWNER_HOST"));
    // The fixed files re-lint clean for the rule.
    let (code, _, _) = run(ordlint(dir.path()).args([
        "check",
        "--select",
        "barrier-publication,unordered-flag-read",
        ".",
    ]));
    assert_eq!(code, 0);
    // Applying again changes nothing.
    let before = (read(&producer), read(&consumer));
    let (code, _, err) = run(ordlint(dir.path()).args(["check", "--unsafe-fixes", "."]));
    assert_eq!(code, 0);
    assert!(err.contains("fixed 0 diagnostics in 0 files"), "{err}");
    assert_eq!(before, (read(&producer), read(&consumer)));
}

#[test]
fn diff_writes_nothing_and_exits_1() {
    let dir = copy_fixture("barrier-publication/flag_without_reader.c");
    let file = dir.path().join("flag_without_reader.c");
    let original = read(&file);
    let (code, out, _) = run(ordlint(dir.path()).args([
        "check",
        "--diff",
        "--unsafe-fixes",
        "flag_without_reader.c",
    ]));
    assert_eq!(code, 1);
    assert!(
        out.starts_with("--- a/flag_without_reader.c\n+++ b/flag_without_reader.c\n"),
        "{out}"
    );
    assert!(out.contains("-\tbarrier();\n"), "{out}");
    assert!(
        out.contains("+\tsmp_store_release(&ld->ready, true);"),
        "{out}"
    );
    assert_eq!(read(&file), original);
    // Nothing to apply at the safe level: no diff, exit 0.
    let (code, out, _) =
        run(ordlint(dir.path()).args(["check", "--diff", "flag_without_reader.c"]));
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn crlf_file_stays_crlf() {
    let dir = copy_fixture("barrier-publication/flag_without_reader.c");
    let file = dir.path().join("flag_without_reader.c");
    write(&file, &read(&file).replace('\n', "\r\n"));
    let (_, _, err) = run(ordlint(dir.path()).args(["check", "--unsafe-fixes", "."]));
    let after = read(&file);
    assert!(
        after.contains("smp_store_release(&ld->ready, true);"),
        "{err}\n{after}"
    );
    assert_eq!(
        after.matches('\n').count(),
        after.matches("\r\n").count(),
        "every newline is still CRLF"
    );
}

#[cfg(unix)]
#[test]
fn permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = copy_fixture("barrier-publication/flag_without_reader.c");
    let file = dir.path().join("flag_without_reader.c");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640))
        .unwrap_or_else(|e| panic!("{e}"));
    run(ordlint(dir.path()).args(["check", "--unsafe-fixes", "."]));
    assert!(read(&file).contains("smp_store_release"));
    let mode = std::fs::metadata(&file).map(|m| m.permissions().mode() & 0o777);
    assert_eq!(mode.ok(), Some(0o640));
    let entries = std::fs::read_dir(dir.path())
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(entries, 2, "the file and ordlint.toml, no temporary file");
}

#[test]
fn stdin_fix_prints_the_fixed_source() {
    let dir = project::dir();
    let (code, out, err) = run(ordlint(dir.path())
        .args(["check", "--fix", "--stdin-filename", "loader.c"])
        .write_stdin(MIXED));
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        MIXED.replace("\t/* ordlint: allow(barrier-publication) -- stale */\n", "")
    );
}

#[test]
fn add_suppressions_silences_findings_and_is_idempotent() {
    let dir = copy_fixture("barrier-publication/flag_without_reader.c");
    let file = dir.path().join("flag_without_reader.c");
    let (code, _, err) = run(ordlint(dir.path()).args(["check", "--add-suppressions", "."]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("added 1 suppression comment in 1 file"),
        "{err}"
    );
    let once = read(&file);
    assert!(
        once.contains("\tbarrier();\n\t/* ordlint: allow(barrier-publication) -- TODO: justify */\n\tld->ready = true;"),
        "{once}"
    );
    let (code, _, _) = run(ordlint(dir.path()).args(["check", "."]));
    assert_eq!(
        code, 0,
        "the finding is silenced and the suppression is used"
    );
    run(ordlint(dir.path()).args(["check", "--add-suppressions", "."]));
    assert_eq!(read(&file), once);
}
