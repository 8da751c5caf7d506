//! The configuration of one `ordlint check` run: `--config PATH` or the `ordlint.toml`
//! discovered from the linted paths, merged with the command line's rule flags.
//!
//! One configuration applies to a run: the one given with `--config`, else the first found
//! walking up from `--stdin-filename`'s directory, or from the first path (its directory for a
//! file), or from the current directory. How it applies per file is
//! `ordlint_core::settings::RunSettings`, shared with the language server.

use crate::cli::CheckArgs;
use anyhow::{Context, Result};
use ordlint_core::config::{discover, Config};
use ordlint_core::settings::RunSettings;
use ordlint_core::{RuleSelection, RunOptions};
use std::path::{Path, PathBuf};

/// Load the configuration for `args` and merge it with the command line.
pub fn resolve(args: &CheckArgs, cli: RuleSelection) -> Result<RunSettings> {
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => discover(&start_dir(args)),
    };
    let config = path.map(|p| Config::load(&p)).transpose()?;
    let context = config.as_ref().map(|c| c.path.display().to_string());
    let settings = RunSettings::new(config, cli);
    Ok(match context {
        Some(path) => settings.with_context(|| path)?,
        None => settings?,
    })
}

/// The options of a run for `args` under `settings`: the rules, `--jobs`, `--no-prefilter`,
/// the progress bar and the configuration's `[kernel-api]` helpers.
pub fn run_options(settings: &RunSettings, args: &CheckArgs) -> RunOptions {
    RunOptions {
        rules: settings.rules.clone(),
        jobs: args.jobs,
        prefilter: !args.no_prefilter,
        api: settings.api(),
        progress: crate::progress_bar::for_terminal(args.no_progress),
        ..RunOptions::default()
    }
}

fn start_dir(args: &CheckArgs) -> PathBuf {
    let dir_of = |p: &Path| -> PathBuf {
        if p.is_dir() {
            p.to_path_buf()
        } else {
            match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            }
        }
    };
    if let Some(name) = &args.stdin_filename {
        return dir_of(Path::new(name));
    }
    args.paths
        .first()
        .map_or_else(|| PathBuf::from("."), |p| dir_of(p))
}
