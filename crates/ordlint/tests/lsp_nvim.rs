//! A real editor as the client: headless Neovim runs `ordlint lsp`, waits for the diagnostic,
//! applies ordlint's quick fix through its own code-action machinery, and writes the buffer;
//! this test checks the text. Skipped (loudly) only when `nvim` is not installed.

mod lsp_client;
mod project;

use lsp_client::{file_uri, root};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn neovim_applies_the_quickfix_and_the_diagnostic_goes_away() {
    let Ok(version) = Command::new("nvim").arg("--version").output() else {
        eprintln!("SKIPPED: neovim_applies_the_quickfix: `nvim` is not installed (apt-get install neovim)");
        return;
    };
    let version = String::from_utf8_lossy(&version.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned();
    // The example's finding is pedantic: the server finds this ordlint.toml beside the file.
    let dir = project::dir();
    let file = dir.path().join("lock_handoff.c");
    std::fs::copy(root().join("examples/lock_handoff.c"), &file).unwrap_or_else(|e| panic!("{e}"));
    let out = dir.path().join("buffer.c");
    let summary = dir.path().join("summary.json");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-u"])
        .arg(root().join("tests/nvim/init.lua"))
        .env("ORDLINT_BIN", env!("CARGO_BIN_EXE_ordlint"))
        .env("ORDLINT_FILE", &file)
        .env("ORDLINT_OUT", &out)
        .env("ORDLINT_SUMMARY", &summary)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start nvim: {e}"));
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{version} did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
    }
    assert!(status.success(), "{version} failed ({status}): {stderr}");

    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&summary).unwrap_or_else(|e| panic!("no summary: {e}; {stderr}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("{version}: {summary}");
    assert_eq!(summary["line"], 42, "{summary}");
    assert_eq!(
        summary["related_uri"],
        file_uri(&file).as_str(),
        "{summary}"
    );
    assert_eq!(summary["related_line"], 61, "{summary}");
    assert_eq!(summary["gone_after_fix"], true, "{summary}");

    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        text.contains("\t\tsmp_store_release(&w->lock_acquired, true);\n"),
        "{text}"
    );
    assert!(
        text.contains("\t\tif (smp_load_acquire(&wait->lock_acquired))\n"),
        "{text}"
    );
    assert!(!text.contains("barrier();"), "{text}");
    assert!(
        text.contains("\t\t__list_del(w->list.prev, w->list.next);\n\t\tsmp_store_release"),
        "{text}"
    );
}
