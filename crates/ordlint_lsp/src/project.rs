//! `ordlint.toml` for open documents. Each document gets the configuration `ordlint check FILE`
//! would use: the first `ordlint.toml` walking up from the document's directory (stopping at
//! the repository root), merged with the editor's settings as the command line's flags would
//! be (`ordlint_core::settings::RunSettings`, shared with the CLI).
//!
//! Files are read once and read again when the client reports a change. A file that does not
//! load is reported once (with its path and line) and its last good version stays in force; a
//! file that was never good is ignored until it is fixed.

use ordlint_core::config::{discover, Config, ConfigError, CONFIG_FILE};
use ordlint_core::settings::RunSettings;
use ordlint_core::RuleSelection;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The configurations of the documents the server lints.
#[derive(Debug, Default)]
pub struct Projects {
    /// The configuration file that applies to each directory, if any.
    discovered: HashMap<PathBuf, Option<PathBuf>>,
    /// The last good version of each configuration file.
    loaded: HashMap<PathBuf, Config>,
    /// Configuration files whose last read failed; they are not read again until the client
    /// reports a change.
    broken: HashSet<PathBuf>,
    /// Each configuration in force (`None`: none) merged with the editor's selection.
    merged: HashMap<Option<PathBuf>, Arc<RunSettings>>,
}

/// True when `path` names a configuration file.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == std::ffi::OsStr::new(CONFIG_FILE))
}

impl Projects {
    /// The settings for the files in directory `dir` (`None` for documents that are not files,
    /// which get no configuration). Errors met on the way (a configuration file that does not
    /// load) are appended to `errors`.
    pub fn settings_for(
        &mut self,
        dir: Option<&Path>,
        editor: &RuleSelection,
        errors: &mut Vec<String>,
    ) -> Arc<RunSettings> {
        let config = dir
            .filter(|d| d.is_absolute())
            .and_then(|dir| self.config_in(dir, errors));
        if let Some(merged) = self.merged.get(&config) {
            return Arc::clone(merged);
        }
        let config_file = config.as_ref().and_then(|p| self.loaded.get(p)).cloned();
        let settings = RunSettings::new(config_file, editor.clone()).unwrap_or_else(|e| {
            errors.push(format!("ordlint settings: {e}"));
            RunSettings::defaults()
        });
        let settings = Arc::new(settings);
        self.merged.insert(config, Arc::clone(&settings));
        settings
    }

    /// The configuration file in force for documents in `dir`: the one discovery finds, when
    /// it loads (now or before).
    fn config_in(&mut self, dir: &Path, errors: &mut Vec<String>) -> Option<PathBuf> {
        let found = self
            .discovered
            .entry(dir.to_path_buf())
            .or_insert_with(|| discover(dir))
            .clone()?;
        if !self.loaded.contains_key(&found) && !self.broken.contains(&found) {
            self.load(&found, errors);
        }
        self.loaded.contains_key(&found).then_some(found)
    }

    /// Read `path` (again); on failure keep its last good version and report the error. A
    /// deleted file is forgotten.
    fn load(&mut self, path: &Path, errors: &mut Vec<String>) {
        match Config::load(path) {
            Ok(config) => {
                self.broken.remove(path);
                self.loaded.insert(path.to_path_buf(), config);
            }
            Err(ConfigError::Read { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                // Deleted: documents fall back to the next file up, or to none.
                self.broken.remove(path);
                self.loaded.remove(path);
            }
            Err(e) => {
                let kept = if self.loaded.contains_key(path) {
                    "the last good version stays in force"
                } else {
                    "it is ignored until it is fixed"
                };
                errors.push(format!("ordlint: {e} ({kept})"));
                self.broken.insert(path.to_path_buf());
            }
        }
    }

    /// Configuration files were created, changed or deleted: read them again, and find the
    /// file of every directory anew.
    pub fn files_changed(&mut self, paths: &[PathBuf], errors: &mut Vec<String>) {
        for p in paths {
            self.load(p, errors);
        }
        self.discovered.clear();
        self.merged.clear();
    }

    /// The editor's selection changed.
    pub fn editor_changed(&mut self) {
        self.merged.clear();
    }
}
