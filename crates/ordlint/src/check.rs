//! `ordlint check`.

use crate::cli::{CheckArgs, ColorChoice, OutputFormat};
use anyhow::{Context, Result};
use ordlint_core::{check_paths, check_sources, RuleSelection, SourceFile};
use ordlint_diagnostics::{Applicability, Diagnostic, RuleInfo};
use ordlint_render::{github, human, json, jsonl, sarif, SourceMap};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Run `ordlint check` and return the exit status.
pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let selection = RuleSelection {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        ..RuleSelection::default()
    };
    let settings = crate::settings::resolve(args, selection)?;
    let rules = settings.rules.clone();
    if crate::fix_cmd::wanted(args) {
        return crate::fix_cmd::run(
            args,
            crate::settings::run_options(&settings, args),
            &settings,
        );
    }
    let filters = crate::ci::Filters::prepare(args)?;
    let rule_infos: Vec<RuleInfo> = rules.iter().map(|r| r.info()).collect();
    let mut sources = SourceMap::new();
    let mut result = match &args.stdin_filename {
        Some(name) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read stdin as UTF-8")?;
            let source = SourceFile::new(name, text.clone())
                .with_context(|| format!("{name}: not a C or Rust file name (.c, .h, .rs)"))?;
            sources.insert(name.clone(), text);
            check_sources(vec![source], &crate::settings::run_options(&settings, args))
        }
        None => {
            let paths = if args.paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                args.paths.clone()
            };
            check_paths(&paths, &crate::settings::run_options(&settings, args))?
        }
    };
    result.diagnostics.retain(|d| settings.keep(d));
    for e in &result.errors {
        eprintln!("ordlint: warning: {}: {}", e.path, e.message);
    }
    let (kept, written) =
        filters.apply(args, std::mem::take(&mut result.diagnostics), &mut sources)?;
    result.diagnostics = kept;
    if let (Some(n), Some(path)) = (written, &args.write_baseline) {
        eprintln!("ordlint: wrote {n} findings to {}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let out = match args.format {
        OutputFormat::Json => json(&result.diagnostics),
        OutputFormat::Jsonl => jsonl(&result.diagnostics),
        OutputFormat::Sarif => sarif(&result.diagnostics, &rule_infos),
        OutputFormat::Github => github(&result.diagnostics),
        OutputFormat::Human => {
            load_sources(&result.diagnostics, &mut sources);
            let mut s = human(&result.diagnostics, &sources, use_color(args.color));
            s.push_str(&summary(&result.diagnostics));
            s
        }
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`ordlint check | head`) is not an error worth a message.
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    if args.statistics {
        let s = &result.stats;
        eprintln!(
            "ordlint: {} files, {} parsed for triggers, {} parsed as partners ({} MiB, of which {} MiB of definitions parsed), {} unparsable, {} diagnostics",
            s.files,
            s.candidates,
            s.partners,
            s.bytes >> 20,
            s.parsed_bytes >> 20,
            s.unparsed,
            result.diagnostics.len()
        );
        let [lower, partners, index, lint] = s.phase_ms;
        eprintln!("ordlint: phases (ms): candidates {lower}, partners {partners}, index {index}, lint {lint}");
    }
    Ok(if result.diagnostics.is_empty() || args.exit_zero {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) fn load_sources(diagnostics: &[Diagnostic], sources: &mut SourceMap) {
    let paths = diagnostics.iter().flat_map(|d| {
        std::iter::once(&d.location.path).chain(d.related.iter().map(|r| &r.location.path))
    });
    for p in paths {
        if !sources.contains(p) {
            if let Ok(text) = std::fs::read_to_string(p) {
                sources.insert(p.clone(), text);
            }
        }
    }
}

pub(crate) fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn summary(diagnostics: &[Diagnostic]) -> String {
    if diagnostics.is_empty() {
        return "no memory-ordering smells found\n".to_owned();
    }
    let mut files: Vec<&str> = diagnostics
        .iter()
        .map(|d| d.location.path.as_str())
        .collect();
    files.sort_unstable();
    files.dedup();
    let count = |a: Applicability| {
        diagnostics
            .iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == a))
            .count()
    };
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let mut s = format!(
        "found {} in {}",
        plural(diagnostics.len(), "diagnostic"),
        plural(files.len(), "file")
    );
    let (safe, unsafe_) = (count(Applicability::Safe), count(Applicability::Unsafe));
    if safe + unsafe_ > 0 {
        s.push_str(&format!(
            " ({safe} fixable with --fix, {unsafe_} more with --unsafe-fixes)"
        ));
    }
    s.push('\n');
    s
}
