//! CI filters of `ordlint check`, between the run and the renderer: `--since REV` and
//! `--diff-file PATCH` (report only findings on changed lines), `--baseline FILE` (report only
//! findings not recorded) and `--write-baseline FILE` (record them).
//!
//! The run itself is unchanged: whole files are linted, because the pairing index needs them;
//! only what is reported shrinks. Errors here (not a git repository, unknown revision,
//! unreadable patch or baseline) are usage errors, exit status 2.

use crate::cli::CheckArgs;
use anyhow::{bail, Context, Result};
use ordlint_core::baseline::Baseline;
use ordlint_core::changed_lines::{normalize, ChangedLines};
use ordlint_diagnostics::Diagnostic;
use ordlint_render::SourceMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The filters requested on the command line, read before the run so that a bad revision
/// or file fails fast.
pub(crate) struct Filters {
    changed: Option<ChangedLines>,
    baseline: Option<Baseline>,
    cwd: PathBuf,
}

impl Filters {
    /// Read the patch, ask git and load the baseline, as the flags say.
    pub(crate) fn prepare(args: &CheckArgs) -> Result<Filters> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let cwd = cwd.canonicalize().unwrap_or(cwd);
        let changed = match (&args.since, &args.diff_file) {
            (Some(rev), _) => Some(git_changed_lines(rev, &cwd)?),
            (None, Some(patch)) => {
                let text = read_patch(patch)?;
                let parsed = ChangedLines::parse(&text)
                    .with_context(|| format!("{}: not a unified diff", patch.display()))?;
                Some(parsed.with_base(&cwd))
            }
            (None, None) => None,
        };
        let baseline = match &args.baseline {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read baseline {}", path.display()))?;
                Some(
                    Baseline::from_json(&text)
                        .with_context(|| format!("{}: cannot use baseline", path.display()))?,
                )
            }
            None => None,
        };
        Ok(Filters {
            changed,
            baseline,
            cwd,
        })
    }

    /// Write the baseline when asked (returning how many findings it records), then keep the
    /// diagnostics the filters let through. `sources` gains the texts the fingerprints need.
    pub(crate) fn apply(
        &self,
        args: &CheckArgs,
        diagnostics: Vec<Diagnostic>,
        sources: &mut SourceMap,
    ) -> Result<(Vec<Diagnostic>, Option<usize>)> {
        let needs_texts = args.write_baseline.is_some() || self.baseline.is_some();
        if needs_texts {
            crate::check::load_sources(&diagnostics, sources);
        }
        let text_of = |p: &str| sources.get(p);
        let written = match &args.write_baseline {
            Some(path) => {
                let baseline = Baseline::from_diagnostics(&diagnostics, &text_of);
                write_atomically(path, &baseline.to_json())?;
                Some(baseline.findings.len())
            }
            None => None,
        };
        let mut kept = diagnostics;
        if let Some(baseline) = &self.baseline {
            kept = baseline.new_findings(kept, &text_of);
        }
        if let Some(changed) = &self.changed {
            let resolve = |p: &str| normalize(&self.cwd.join(p));
            kept = changed.retain(kept, &resolve);
        }
        Ok((kept, written))
    }
}

fn read_patch(path: &Path) -> Result<String> {
    let bytes = if path == Path::new("-") {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)
            .context("cannot read the patch from stdin")?;
        b
    } else {
        std::fs::read(path).with_context(|| format!("cannot read patch {}", path.display()))?
    };
    // Mailed patches may carry bytes that are not UTF-8 in their headers; paths and hunk
    // headers are ASCII in practice.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Write `text` to `path` through a temporary file in the same directory and a rename.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file name", path.display()))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write baseline {}", path.display()))
}

/// Lines changed in the working tree (staged and unstaged) since `rev`, plus untracked
/// files as wholly new, with paths anchored at the repository root.
fn git_changed_lines(rev: &str, cwd: &Path) -> Result<ChangedLines> {
    if rev.starts_with('-') || rev.is_empty() {
        bail!("--since: `{rev}` is not a revision");
    }
    let top = git(cwd, &["rev-parse", "--show-toplevel"]).map_err(|e| {
        anyhow::anyhow!(
            "--since needs a git repository: {} is not inside one ({e})",
            cwd.display()
        )
    })?;
    let top = PathBuf::from(top.trim_end_matches(['\n', '\r']));
    let top = top.canonicalize().unwrap_or(top);
    let spec = format!("{rev}^{{commit}}");
    let commit = git(
        &top,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )
    .map_err(|_| anyhow::anyhow!("--since: unknown revision `{rev}`"))?;
    let commit = commit.trim();
    let diff = git(
        &top,
        &[
            "-c",
            "core.quotePath=false",
            "diff",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--find-renames",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            commit,
            "--",
        ],
    )
    .with_context(|| format!("--since: git diff {rev} failed"))?;
    let mut changed = ChangedLines::parse(&diff)
        .with_context(|| format!("--since: cannot read git's diff against {rev}"))?
        .with_base(&top);
    let untracked = git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])
        .with_context(|| "--since: git ls-files failed".to_owned())?;
    for name in untracked.split('\0').filter(|n| !n.is_empty()) {
        changed.add_whole_file(&top.join(name));
    }
    Ok(changed)
}

/// Run git in `dir`; its stdout, or its first stderr line as the error.
fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .context("cannot run git (is it installed?)")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or("").trim().to_owned();
        bail!(if first.is_empty() {
            format!("git exited with {}", out.status)
        } else {
            first
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
