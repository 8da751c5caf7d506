//! The rules a run applies, file by file: an `ordlint.toml` (or none) merged with the
//! selection of the command line or of the editor. `ordlint check` and the language server
//! resolve their configuration through this one type, so that they report the same
//! diagnostics for the same file.
//!
//! A run lints with [`RunSettings::rules`], the union of every rule some file can get (so the
//! prefilter stays sound); the configuration's `exclude` and `[[overrides]]` then apply per
//! file, by dropping the diagnostics [`RunSettings::keep`] refuses.

use crate::config::{union, Config};
use crate::ruleset::{RuleSelection, RuleSet, UnknownRule};
use ordlint_c::ApiExtensions;
use ordlint_diagnostics::Diagnostic;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

/// A configuration merged with a command-line (or editor) selection.
#[derive(Debug)]
pub struct RunSettings {
    /// The rules to lint with: every rule some file can get.
    pub rules: RuleSet,
    config: Option<Config>,
    cli: RuleSelection,
    /// Each path's rule set (`None` when the path is excluded).
    per_file: Mutex<HashMap<String, Option<RuleSet>>>,
}

impl RunSettings {
    /// Merge `config` with `cli` (which wins, see [`crate::config`] for the precedence).
    /// An unknown rule name in `cli` is an error; the configuration's names were checked when
    /// it was loaded.
    pub fn new(config: Option<Config>, cli: RuleSelection) -> Result<RunSettings, UnknownRule> {
        let rules = match &config {
            Some(c) => union(&c.all_selections(&cli))?,
            None => RuleSet::from_selection(&cli)?,
        };
        Ok(RunSettings {
            rules,
            config,
            cli,
            per_file: Mutex::new(HashMap::new()),
        })
    }

    /// The default rules, with no configuration.
    pub fn defaults() -> RunSettings {
        RunSettings {
            rules: RuleSet::defaults(),
            config: None,
            cli: RuleSelection::default(),
            per_file: Mutex::new(HashMap::new()),
        }
    }

    /// The project's own helpers (the configuration's `[kernel-api]`), lowered like the kernel
    /// API they stand for; none without a configuration.
    pub fn api(&self) -> ApiExtensions {
        self.config
            .as_ref()
            .map(|c| c.kernel_api.clone())
            .unwrap_or_default()
    }

    /// The configuration, if one applies.
    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    /// True when the configuration excludes `path` (nothing is reported for it).
    pub fn excludes(&self, path: &Path) -> bool {
        self.config.as_ref().is_some_and(|c| c.excludes(path))
    }

    /// False for a diagnostic the configuration drops: its file is excluded, or its rule is
    /// not enabled for its file (an `[[overrides]]` entry). Internal errors are kept for the
    /// files that are not excluded.
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
            .is_some_and(|s| s.contains(&d.rule) || d.rule == crate::INTERNAL_ERROR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordlint_diagnostics::{LineIndex, Location, Severity, Span};

    fn diagnostic(path: &str, rule: &str) -> Diagnostic {
        Diagnostic {
            rule: rule.to_owned(),
            severity: Severity::Warning,
            message: String::new(),
            location: Location::new(path, Span::new(0, 0), &LineIndex::new("")),
            help: None,
            fix: None,
            related: Vec::new(),
        }
    }

    #[test]
    fn overrides_and_exclude_drop_diagnostics_per_file() {
        let config = Config::parse(
            Path::new("/proj/ordlint.toml"),
            "exclude = [\"gen/**\"]\n[[overrides]]\npaths = [\"arch/**\"]\nignore = [\"clear-bit-wake-up\"]\n",
        );
        let Ok(config) = config else {
            panic!("{config:?}")
        };
        let settings = RunSettings::new(Some(config), RuleSelection::default());
        let Ok(settings) = settings else {
            panic!("{settings:?}")
        };
        assert!(settings.rules.contains("clear-bit-wake-up"));
        assert!(settings.keep(&diagnostic("/proj/a.c", "clear-bit-wake-up")));
        assert!(!settings.keep(&diagnostic("/proj/arch/a.c", "clear-bit-wake-up")));
        assert!(!settings.keep(&diagnostic("/proj/gen/a.c", "clear-bit-wake-up")));
        assert!(settings.excludes(Path::new("/proj/gen/a.c")));
        assert!(settings.keep(&diagnostic("/proj/arch/a.c", crate::INTERNAL_ERROR)));
    }

    #[test]
    fn without_a_config_the_selection_alone_decides() {
        let cli = RuleSelection {
            ignore: vec!["barrier-publication".to_owned()],
            ..RuleSelection::default()
        };
        let settings = RunSettings::new(None, cli);
        assert!(settings.is_ok_and(|s| !s.rules.contains("barrier-publication")));
        let bad = RuleSelection {
            select: Some(vec!["no-such-rule".to_owned()]),
            ..RuleSelection::default()
        };
        assert!(RunSettings::new(None, bad).is_err());
    }
}
