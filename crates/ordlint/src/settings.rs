//! The configuration of one `ordlint check` run: `--config PATH` or the `ordlint.toml`
//! discovered from the linted paths, merged with the command line's rule flags.
//!
//! One configuration applies to a run: the one given with `--config`, else the first found
//! walking up from `--stdin-filename`'s directory, or from the first path (its directory for a
//! file), or from the current directory. Its `[[overrides]]` and `exclude` apply per file,
//! by filtering the run's diagnostics; the run itself lints with the union of every rule a
//! file can get, so the prefilter stays sound.

use crate::cli::CheckArgs;
use anyhow::{Context, Result};
use ordlint_core::config::{discover, union, Config};
use ordlint_core::{RuleSelection, RuleSet, RunOptions};
use ordlint_diagnostics::Diagnostic;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The resolved configuration of a run.
#[derive(Debug)]
pub struct Settings {
    /// The rules the run lints with (every rule some file can get).
    pub rules: RuleSet,
    config: Option<Config>,
    cli: RuleSelection,
    per_file: Mutex<HashMap<String, Option<RuleSet>>>,
}

impl Settings {
    /// Load the configuration for `args` and merge it with the command line.
    pub fn resolve(args: &CheckArgs, cli: RuleSelection) -> Result<Settings> {
        let path = match &args.config {
            Some(p) => Some(p.clone()),
            None => discover(&start_dir(args)),
        };
        let config = path.map(|p| Config::load(&p)).transpose()?;
        let rules = match &config {
            Some(c) => {
                union(&c.all_selections(&cli)).with_context(|| format!("{}", c.path.display()))?
            }
            None => RuleSet::from_selection(&cli)?,
        };
        Ok(Settings {
            rules,
            config,
            cli,
            per_file: Mutex::new(HashMap::new()),
        })
    }

    /// The options of a run for `args`: the rules, `--jobs`, `--no-prefilter` and the
    /// configuration's `[kernel-api]` helpers.
    pub fn run_options(&self, args: &CheckArgs) -> RunOptions {
        RunOptions {
            rules: self.rules.clone(),
            jobs: args.jobs,
            prefilter: !args.no_prefilter,
            api: self
                .config
                .as_ref()
                .map(|c| c.kernel_api.clone())
                .unwrap_or_default(),
            progress: crate::progress_bar::for_terminal(args.no_progress),
            ..RunOptions::default()
        }
    }

    /// False for a diagnostic the configuration drops: its file is excluded, or its rule is
    /// not enabled for its file (an `[[overrides]]` entry).
    pub fn keep(&self, d: &Diagnostic) -> bool {
        let Some(config) = &self.config else {
            return true;
        };
        let path = &d.location.path;
        let Ok(mut cache) = self.per_file.lock() else {
            return true;
        };
        let set = cache.entry(path.clone()).or_insert_with(|| {
            let p = Path::new(path);
            if config.excludes(p) {
                None
            } else {
                RuleSet::from_selection(&config.selection_for(p, &self.cli)).ok()
            }
        });
        set.as_ref()
            .is_some_and(|s| s.contains(&d.rule) || d.rule == ordlint_core::INTERNAL_ERROR)
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
