//! `ordlint.toml`: rule selection, severities, excluded paths, per-path overrides and the
//! project's own kernel-API helpers.
//!
//! A configuration is found by walking up from a file's directory to the first directory
//! holding `ordlint.toml`, stopping after a directory that holds `.git` (the repository root)
//! or at the filesystem root; `--config PATH` replaces discovery. Keys are kebab-case. An
//! unknown key, an unknown rule name or a value of the wrong type is an error that names the
//! file, the 1-based line and what was expected; nothing is silently ignored.
//!
//! Precedence, lowest first: the config's `select`/`extend-select`/`ignore`, then every
//! `[[overrides]]` entry whose `paths` match the file (in order; its `select` replaces,
//! `extend-select` and `ignore` add), then the command line (`--select` replaces and drops the
//! config's `extend-select`; `--extend-select` and `--ignore` add). `ignore` always wins over
//! `extend-select`.

use crate::ruleset::{RuleSelection, RuleSet};
use globset::{Glob, GlobSet, GlobSetBuilder};
use ordlint_c::ApiExtensions;
use ordlint_diagnostics::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file name looked for during discovery.
pub const CONFIG_FILE: &str = "ordlint.toml";

/// A configuration that cannot be used (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The configuration file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Invalid TOML, an unknown key, a wrong type, an unknown rule or a bad glob.
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The configuration file.
        path: PathBuf,
        /// 1-based line of the offending value (1 when unknown).
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Severity>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
    #[serde(default)]
    kernel_api: RawKernelApi,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOverride {
    paths: Vec<Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawKernelApi {
    #[serde(default)]
    compiler_barriers: Vec<String>,
    #[serde(default)]
    full_barriers: Vec<String>,
    #[serde(default)]
    write_barriers: Vec<String>,
    #[serde(default)]
    read_barriers: Vec<String>,
    #[serde(default)]
    release_stores: Vec<String>,
    #[serde(default)]
    acquire_loads: Vec<String>,
    #[serde(default)]
    locks: Vec<String>,
    #[serde(default)]
    unlocks: Vec<String>,
}

/// One `[[overrides]]` entry.
#[derive(Debug, Clone)]
struct Override {
    paths: GlobSet,
    select: Option<Vec<String>>,
    extend_select: Vec<String>,
    ignore: Vec<String>,
}

/// A loaded, validated `ordlint.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// The directory globs are relative to (the file's directory, absolute).
    pub dir: PathBuf,
    /// The top-level selection and severities.
    pub selection: RuleSelection,
    exclude: GlobSet,
    overrides: Vec<Override>,
    /// The project's kernel-API helpers (`[kernel-api]`).
    pub kernel_api: ApiExtensions,
}

impl Config {
    /// Read and validate the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &text)
    }

    /// Validate the text of a configuration file that lives at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let invalid =
            |span: Option<std::ops::Range<usize>>, message: String| ConfigError::Invalid {
                path: path.to_path_buf(),
                line: span.map_or(1, |s| line_of(text, s.start)),
                message,
            };
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| invalid(e.span(), one_line(e.message())))?;
        let names = |list: &[Spanned<String>]| -> Result<Vec<String>, ConfigError> {
            list.iter()
                .map(|n| {
                    check_rule_name(n.get_ref())
                        .map(|()| n.get_ref().clone())
                        .map_err(|m| invalid(Some(n.span()), m))
                })
                .collect()
        };
        let globs = |list: &[Spanned<String>]| -> Result<GlobSet, ConfigError> {
            let mut b = GlobSetBuilder::new();
            for g in list {
                let glob = Glob::new(g.get_ref()).map_err(|e| {
                    invalid(
                        Some(g.span()),
                        format!("invalid glob `{}`: {}", g.get_ref(), e.kind()),
                    )
                })?;
                b.add(glob);
            }
            b.build()
                .map_err(|e| invalid(None, format!("invalid globs: {e}")))
        };
        let mut severity = BTreeMap::new();
        for (name, level) in &raw.severity {
            check_rule_name(name.get_ref()).map_err(|m| invalid(Some(name.span()), m))?;
            severity.insert(name.get_ref().clone(), *level);
        }
        let selection = RuleSelection {
            select: raw.select.as_deref().map(names).transpose()?,
            extend_select: names(&raw.extend_select)?,
            ignore: names(&raw.ignore)?,
            severity,
        };
        let mut overrides = Vec::new();
        for o in &raw.overrides {
            overrides.push(Override {
                paths: globs(&o.paths)?,
                select: o.select.as_deref().map(names).transpose()?,
                extend_select: names(&o.extend_select)?,
                ignore: names(&o.ignore)?,
            });
        }
        let k = raw.kernel_api;
        let dir = path
            .parent()
            .map(absolute)
            .unwrap_or_else(|| absolute(Path::new(".")));
        Ok(Config {
            path: path.to_path_buf(),
            dir,
            selection,
            exclude: globs(&raw.exclude)?,
            overrides,
            kernel_api: ApiExtensions {
                compiler_barriers: k.compiler_barriers,
                full_barriers: k.full_barriers,
                write_barriers: k.write_barriers,
                read_barriers: k.read_barriers,
                release_stores: k.release_stores,
                acquire_loads: k.acquire_loads,
                locks: k.locks,
                unlocks: k.unlocks,
            },
        })
    }

    /// `file` relative to the configuration's directory, `/`-separated (`None` outside it).
    fn relative(&self, file: &Path) -> Option<String> {
        let abs = absolute(file);
        abs.strip_prefix(&self.dir)
            .ok()
            .map(|r| r.to_string_lossy().replace('\\', "/"))
    }

    /// True when `file` matches an `exclude` glob.
    pub fn excludes(&self, file: &Path) -> bool {
        self.relative(file)
            .is_some_and(|r| self.exclude.is_match(&r))
    }

    /// The selection for `file`: the config's, then matching overrides, then `cli`.
    pub fn selection_for(&self, file: &Path, cli: &RuleSelection) -> RuleSelection {
        let mut sel = self.selection.clone();
        if let Some(rel) = self.relative(file) {
            for o in self.overrides.iter().filter(|o| o.paths.is_match(&rel)) {
                if let Some(s) = &o.select {
                    sel.select = Some(s.clone());
                }
                sel.extend_select.extend(o.extend_select.iter().cloned());
                sel.ignore.extend(o.ignore.iter().cloned());
            }
        }
        merge_cli(sel, cli)
    }

    /// Every selection any file under this configuration can get (for a run's prefilter).
    pub fn all_selections(&self, cli: &RuleSelection) -> Vec<RuleSelection> {
        let mut out = vec![merge_cli(self.selection.clone(), cli)];
        for o in &self.overrides {
            let mut sel = self.selection.clone();
            if let Some(s) = &o.select {
                sel.select = Some(s.clone());
            }
            sel.extend_select.extend(o.extend_select.iter().cloned());
            out.push(merge_cli(sel, cli));
        }
        out
    }
}

/// Apply the command line's selection on top of a configuration's.
pub fn merge_cli(mut sel: RuleSelection, cli: &RuleSelection) -> RuleSelection {
    if cli.select.is_some() {
        sel.select = cli.select.clone();
        sel.extend_select.clear();
    }
    sel.extend_select.extend(cli.extend_select.iter().cloned());
    sel.ignore.extend(cli.ignore.iter().cloned());
    sel.severity.extend(cli.severity.clone());
    sel
}

/// The `ordlint.toml` that applies to files in `dir`: `dir` and its parents, stopping after
/// a directory that holds `.git`, or at the filesystem root.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let start = absolute(dir);
    for d in start.ancestors() {
        let candidate = d.join(CONFIG_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
    }
    None
}

/// The union of rule sets a run needs when files may get any of `selections`.
pub fn union(selections: &[RuleSelection]) -> Result<RuleSet, crate::ruleset::UnknownRule> {
    let mut names: Vec<String> = Vec::new();
    let mut severity = BTreeMap::new();
    for s in selections {
        let set = RuleSet::from_selection(s)?;
        names.extend(set.iter().map(|r| r.name.to_owned()));
        severity.extend(s.severity.clone());
    }
    names.sort();
    names.dedup();
    if names.is_empty() {
        // An empty selection must stay empty, not fall back to the defaults.
        return RuleSet::from_selection(&RuleSelection {
            select: Some(Vec::new()),
            ..RuleSelection::default()
        });
    }
    RuleSet::from_selection(&RuleSelection {
        select: Some(names),
        severity,
        ..RuleSelection::default()
    })
}

fn check_rule_name(name: &str) -> Result<(), String> {
    let sel = RuleSelection {
        select: Some(vec![name.to_owned()]),
        ..RuleSelection::default()
    };
    RuleSet::from_selection(&sel)
        .map(|_| ())
        .map_err(|e| format!("{e}; expected a rule name, `ALL`, `default` or `pedantic`"))
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

fn one_line(message: &str) -> String {
    message.trim().replace('\n', "; ")
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/proj/ordlint.toml"), text)
    }

    fn err(text: &str) -> String {
        match parse(text) {
            Ok(_) => panic!("expected an error for {text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_full_config_parses() {
        let c = parse(
            r#"
select = ["default"]
extend-select = ["write-once-publication"]
ignore = ["volatile-sync"]
exclude = ["drivers/staging/**"]

[severity]
barrier-publication = "error"

[[overrides]]
paths = ["arch/**", "tools/**"]
ignore = ["barrier-publication"]

[kernel-api]
compiler-barriers = ["my_barrier"]
release-stores = ["my_publish"]
locks = ["my_lock"]
unlocks = ["my_unlock"]
"#,
        );
        let Ok(c) = c else { panic!("{c:?}") };
        assert_eq!(
            c.kernel_api.compiler_barriers,
            vec!["my_barrier".to_owned()]
        );
        assert!(c.excludes(Path::new("/proj/drivers/staging/x.c")));
        assert!(!c.excludes(Path::new("/proj/drivers/net/x.c")));
        let cli = RuleSelection::default();
        let arch = c.selection_for(Path::new("/proj/arch/x86/a.c"), &cli);
        assert!(arch.ignore.contains(&"barrier-publication".to_owned()));
        let other = c.selection_for(Path::new("/proj/kernel/a.c"), &cli);
        assert!(!other.ignore.contains(&"barrier-publication".to_owned()));
        assert_eq!(
            other.severity.get("barrier-publication"),
            Some(&Severity::Error)
        );
    }

    #[test]
    fn unknown_keys_rules_and_types_name_the_line() {
        assert!(err("select = [\"default\"]\nbogus = 1\n")
            .starts_with("/proj/ordlint.toml:2: unknown field `bogus`"));
        let e = err("\nignore = [\"barrier-publicaton\"]\n");
        assert!(
            e.starts_with("/proj/ordlint.toml:2: unknown rule `barrier-publicaton`"),
            "{e}"
        );
        assert!(e.contains("did you mean `barrier-publication`?"), "{e}");
        let e = err("select = \"default\"\n");
        assert!(e.starts_with("/proj/ordlint.toml:1:"), "{e}");
        assert!(e.contains("expected a sequence"), "{e}");
        let e = err("[severity]\nbarrier-publication = \"fatal\"\n");
        assert!(e.starts_with("/proj/ordlint.toml:2:"), "{e}");
        let e = err("[kernel-api]\nbarriers = [\"x\"]\n");
        assert!(
            e.starts_with("/proj/ordlint.toml:2: unknown field `barriers`"),
            "{e}"
        );
    }

    #[test]
    fn the_command_line_wins() {
        let cli = RuleSelection {
            select: Some(vec!["barrier-publication".into()]),
            ..RuleSelection::default()
        };
        let c = parse("extend-select = [\"write-once-publication\"]\n");
        let Ok(c) = c else { panic!() };
        let sel = c.selection_for(Path::new("/proj/a.c"), &cli);
        assert_eq!(sel.select, Some(vec!["barrier-publication".to_owned()]));
        assert!(sel.extend_select.is_empty());
    }

    #[test]
    fn discovery_stops_at_the_repository_root() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let repo = dir.path().join("repo");
        let sub = repo.join("a/b");
        std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join(CONFIG_FILE), "").unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir(repo.join(".git")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(discover(&sub), None);
        std::fs::write(repo.join("a").join(CONFIG_FILE), "").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            discover(&sub),
            Some(absolute(&repo.join("a").join(CONFIG_FILE)))
        );
    }
}
