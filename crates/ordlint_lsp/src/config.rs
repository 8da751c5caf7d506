//! Editor settings: rule selection and server tuning from `initializationOptions` and
//! `workspace/didChangeConfiguration`. The selection applies on top of the document's
//! `ordlint.toml` (see `crate::project`), as `ordlint check`'s flags do.

use ordlint_core::{RuleSelection, RuleSet};
use ordlint_diagnostics::Severity;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// Settings as the client sends them, either bare or under an `ordlint` key.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Exactly these rules (names, `ALL`, `default`, `pedantic`).
    pub select: Option<Vec<String>>,
    /// Rules added to the selection.
    pub extend_select: Vec<String>,
    /// Rules removed from the selection.
    pub ignore: Vec<String>,
    /// Severity per rule.
    pub severity: BTreeMap<String, Severity>,
    /// Least time between two lints of a document while edits keep coming, in milliseconds
    /// (default 100); the first edit after that long is linted at once.
    pub debounce_ms: Option<u64>,
    /// Documents larger than this many bytes are not linted (default 16 MiB).
    pub max_file_bytes: Option<u64>,
    /// Index the workspace folders for cross-file pairing (default true).
    pub index_workspace: Option<bool>,
}

impl Settings {
    /// Read settings from a JSON value; `null` gives the defaults.
    pub fn from_value(value: &Value) -> Result<Settings, String> {
        let inner = value.get("ordlint").unwrap_or(value);
        if inner.is_null() {
            return Ok(Settings::default());
        }
        serde_json::from_value(inner.clone()).map_err(|e| format!("invalid ordlint settings: {e}"))
    }

    /// The rule selection of these settings: what the command line's flags are to
    /// `ordlint check`, applied on top of the document's `ordlint.toml`.
    pub fn selection(&self) -> RuleSelection {
        RuleSelection {
            select: self.select.clone(),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
            severity: self.severity.clone(),
        }
    }

    /// The rule set these settings select alone (an error names an unknown rule).
    pub fn rules(&self) -> Result<RuleSet, String> {
        RuleSet::from_selection(&self.selection()).map_err(|e| format!("ordlint settings: {e}"))
    }

    /// The least time between two lints of one document.
    pub fn debounce(&self) -> Duration {
        Duration::from_millis(self.debounce_ms.unwrap_or(100))
    }

    /// The document size limit in bytes.
    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_bytes.unwrap_or(16 << 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_bare_or_under_ordlint() {
        let bare = Settings::from_value(&serde_json::json!({"ignore": ["barrier-publication"]}));
        let nested = Settings::from_value(
            &serde_json::json!({"ordlint": {"ignore": ["barrier-publication"]}}),
        );
        assert_eq!(bare, nested);
        let rules = bare.and_then(|s| s.rules());
        assert!(rules.is_ok_and(|r| !r.contains("barrier-publication")));
    }

    #[test]
    fn unknown_rules_are_an_error_message() {
        let s = Settings::from_value(&serde_json::json!({"select": ["nope-rule"]}));
        assert!(s.and_then(|s| s.rules()).is_err());
    }
}
