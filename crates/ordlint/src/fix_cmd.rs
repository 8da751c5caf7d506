//! `ordlint check --fix | --unsafe-fixes | --diff | --add-suppressions`.
//!
//! The fixing loop lives in `ordlint_core::fixing`; this module reads the run's files, writes
//! the results (or prints a unified diff, or the fixed stdin source) and reports.

use crate::check::{load_sources, use_color};
use crate::cli::{CheckArgs, OutputFormat};
use anyhow::{Context, Result};
use ordlint_core::fixing::{fix_sources_with, read_sources, write_atomic, FixOutcome};
use ordlint_core::settings::RunSettings;
use ordlint_core::suppression::add_suppressions;
use ordlint_core::{check_paths, check_sources, RunOptions, RunResult, SourceFile};
use ordlint_diagnostics::{Applicability, Diagnostic};
use ordlint_render::{human, json, jsonl, SourceMap};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// True when `args` asks for fixing, a diff or suppressions rather than a plain check.
pub fn wanted(args: &CheckArgs) -> bool {
    args.fix || args.unsafe_fixes || args.diff || args.add_suppressions
}

/// Run the fixing modes of `ordlint check`.
pub fn run(args: &CheckArgs, options: RunOptions, settings: &RunSettings) -> Result<ExitCode> {
    let min = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    if let Some(name) = &args.stdin_filename {
        return stdin(args, name, &options, min, settings);
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    // A first, ordinary run: when it offers nothing to apply, no file is held in memory.
    let mut first = check_paths(&paths, &options)?;
    first.diagnostics.retain(|d| settings.keep(d));
    for e in &first.errors {
        eprintln!("ordlint: warning: {}: {}", e.path, e.message);
    }
    if args.add_suppressions {
        return suppress(args, &first);
    }
    let applicable = first
        .diagnostics
        .iter()
        .any(|d| d.fix.as_ref().is_some_and(|f| f.applicability >= min));
    let outcome = if applicable {
        fix_sources_with(read_sources(&paths), &options, min, &|d| settings.keep(d))
    } else {
        FixOutcome {
            converged: true,
            remaining: first,
            ..FixOutcome::default()
        }
    };
    for e in &outcome.refused {
        eprintln!("ordlint: warning: {}: {}", e.path, e.message);
    }
    if !outcome.converged {
        eprintln!(
            "ordlint: warning: fixes did not converge after {} rounds; files are {} as they stood after the last round",
            ordlint_core::fixing::MAX_FIX_ROUNDS,
            if args.diff { "shown" } else { "written" }
        );
    }
    if args.diff {
        let mut out = String::new();
        for (path, new) in &outcome.changed {
            let old = std::fs::read_to_string(path).unwrap_or_default();
            out.push_str(&unified_diff(path, &old, new));
        }
        print(&out);
        return Ok(if outcome.changed.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    for (path, text) in &outcome.changed {
        write_atomic(Path::new(path), text)?;
    }
    report(args, &outcome.remaining.diagnostics, &mut SourceMap::new());
    eprintln!("{}", fix_summary(&outcome, min));
    Ok(exit(args, &outcome.remaining.diagnostics))
}

/// `--stdin-filename` with a fixing flag: the fixed source goes to stdout, the rest to stderr.
fn stdin(
    args: &CheckArgs,
    name: &str,
    options: &RunOptions,
    min: Applicability,
    settings: &RunSettings,
) -> Result<ExitCode> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read stdin as UTF-8")?;
    let source = SourceFile::new(name, text.clone())
        .with_context(|| format!("{name}: not a C or Rust file name (.c, .h, .rs)"))?;
    if args.add_suppressions {
        let mut result = check_sources(vec![source.clone()], options);
        result.diagnostics.retain(|d| settings.keep(d));
        let (new, _) = add_suppressions(name, &text, source.language, &result.diagnostics);
        print(&new);
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = fix_sources_with(vec![source], options, min, &|d| settings.keep(d));
    let new = outcome.changed.get(name).cloned().unwrap_or(text.clone());
    for e in &outcome.refused {
        eprintln!("ordlint: warning: {}: {}", e.path, e.message);
    }
    if args.diff {
        print(&unified_diff(name, &text, &new));
        return Ok(if new == text {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    print(&new);
    eprintln!("{}", fix_summary(&outcome, min));
    Ok(exit(args, &outcome.remaining.diagnostics))
}

/// `--add-suppressions`: a comment above each finding's line, written atomically.
fn suppress(args: &CheckArgs, result: &RunResult) -> Result<ExitCode> {
    let mut by_file: BTreeMap<&str, Vec<Diagnostic>> = BTreeMap::new();
    for d in &result.diagnostics {
        by_file
            .entry(d.location.path.as_str())
            .or_default()
            .push(d.clone());
    }
    let (mut comments, mut files) = (0, 0);
    for (path, diags) in by_file {
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("ordlint: warning: {path}: cannot read, no suppression added");
            continue;
        };
        let Some(source) = SourceFile::new(path, String::new()) else {
            continue;
        };
        let (new, n) = add_suppressions(path, &text, source.language, &diags);
        if n > 0 && new != text {
            write_atomic(Path::new(path), &new)?;
            comments += n;
            files += 1;
        }
    }
    let _ = args;
    eprintln!(
        "added {} in {}",
        plural(comments, "suppression comment"),
        plural(files, "file")
    );
    Ok(ExitCode::SUCCESS)
}

/// A unified diff of one file (`--- a/PATH`, `+++ b/PATH`), empty when nothing changed.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

fn report(args: &CheckArgs, diagnostics: &[Diagnostic], sources: &mut SourceMap) {
    let out = match args.format {
        OutputFormat::Json => json(diagnostics),
        OutputFormat::Jsonl => jsonl(diagnostics),
        OutputFormat::Sarif => {
            let infos: Vec<_> = ordlint_rules::all_rules()
                .iter()
                .map(|r| r.info())
                .collect();
            ordlint_render::sarif(diagnostics, &infos)
        }
        OutputFormat::Github => ordlint_render::github(diagnostics),
        OutputFormat::Human => {
            let mut sources = std::mem::take(sources);
            load_sources(diagnostics, &mut sources);
            human(diagnostics, &sources, use_color(args.color))
        }
    };
    print(&out);
}

/// "fixed N diagnostics in M files, K remaining (J fixable with --unsafe-fixes)".
fn fix_summary(outcome: &FixOutcome, min: Applicability) -> String {
    let remaining = &outcome.remaining.diagnostics;
    let mut s = format!(
        "fixed {} in {}, {} remaining",
        plural(outcome.fixed, "diagnostic"),
        plural(outcome.changed.len(), "file"),
        remaining.len()
    );
    let more_unsafe = remaining
        .iter()
        .filter(|d| {
            d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Unsafe)
        })
        .count();
    if min == Applicability::Safe && more_unsafe > 0 {
        s.push_str(&format!(" ({more_unsafe} fixable with --unsafe-fixes)"));
    }
    if !outcome.refused.is_empty() {
        s.push_str(&format!(
            "; {} not written because fixing would break them",
            plural(outcome.refused.len(), "file")
        ));
    }
    s
}

fn plural(n: usize, w: &str) -> String {
    if n == 1 {
        format!("{n} {w}")
    } else {
        format!("{n} {w}s")
    }
}

fn exit(args: &CheckArgs, remaining: &[Diagnostic]) -> ExitCode {
    if remaining.is_empty() || args.exit_zero {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print(s: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe is not an error worth a message.
    let _ = stdout.write_all(s.as_bytes()).and_then(|()| stdout.flush());
}
