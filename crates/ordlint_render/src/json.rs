//! `--format json` and `--format jsonl`: flat, snake_case objects with 1-based positions.

use ordlint_diagnostics::{rule_url, Diagnostic, Location};
use serde::Serialize;

/// The JSON shape of one diagnostic (DESIGN §7): stable field names, 1-based lines/columns.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    /// File path.
    pub path: &'a str,
    /// 1-based start line.
    pub line: u32,
    /// 1-based start column (characters).
    pub column: u32,
    /// 1-based end line.
    pub end_line: u32,
    /// 1-based end column (characters, exclusive).
    pub end_column: u32,
    /// Rule name.
    pub rule: &'a str,
    /// `error`, `warning` or `info`.
    pub severity: &'a str,
    /// One-line message.
    pub message: &'a str,
    /// Advice, if any.
    pub help: Option<&'a str>,
    /// Link to the rule's page.
    pub url: String,
    /// The fix, if any.
    pub fix: Option<JsonFix<'a>>,
    /// Partner sites.
    pub related: Vec<JsonRelated<'a>>,
}

/// JSON shape of a fix.
#[derive(Debug, Serialize)]
pub struct JsonFix<'a> {
    /// `safe`, `unsafe` or `display-only`.
    pub applicability: &'a str,
    /// What the fix does.
    pub message: &'a str,
    /// The edits.
    pub edits: Vec<JsonEdit<'a>>,
}

/// JSON shape of an edit.
#[derive(Debug, Serialize)]
pub struct JsonEdit<'a> {
    /// File path.
    pub path: &'a str,
    /// 1-based start line.
    pub line: u32,
    /// 1-based start column.
    pub column: u32,
    /// 1-based end line.
    pub end_line: u32,
    /// 1-based end column (exclusive).
    pub end_column: u32,
    /// New text.
    pub replacement: &'a str,
}

/// JSON shape of a related site.
#[derive(Debug, Serialize)]
pub struct JsonRelated<'a> {
    /// File path.
    pub path: &'a str,
    /// 1-based start line.
    pub line: u32,
    /// 1-based start column.
    pub column: u32,
    /// 1-based end line.
    pub end_line: u32,
    /// 1-based end column (exclusive).
    pub end_column: u32,
    /// What the partner does.
    pub message: &'a str,
}

impl<'a> JsonDiagnostic<'a> {
    /// The JSON view of `d`.
    pub fn new(d: &'a Diagnostic) -> Self {
        let l = &d.location;
        JsonDiagnostic {
            path: &l.path,
            line: l.start.line,
            column: l.start.column,
            end_line: l.end.line,
            end_column: l.end.column,
            rule: &d.rule,
            severity: d.severity.as_str(),
            message: &d.message,
            help: d.help.as_deref(),
            url: rule_url(&d.rule),
            fix: d.fix.as_ref().map(|f| JsonFix {
                applicability: f.applicability.as_str(),
                message: &f.message,
                edits: f
                    .edits
                    .iter()
                    .map(|e| edit(&e.location, &e.replacement))
                    .collect(),
            }),
            related: d
                .related
                .iter()
                .map(|r| related(&r.location, &r.message))
                .collect(),
        }
    }
}

fn edit<'a>(l: &'a Location, replacement: &'a str) -> JsonEdit<'a> {
    JsonEdit {
        path: &l.path,
        line: l.start.line,
        column: l.start.column,
        end_line: l.end.line,
        end_column: l.end.column,
        replacement,
    }
}

fn related<'a>(l: &'a Location, message: &'a str) -> JsonRelated<'a> {
    JsonRelated {
        path: &l.path,
        line: l.start.line,
        column: l.start.column,
        end_line: l.end.line,
        end_column: l.end.column,
        message,
    }
}

/// One pretty-printed JSON array (an empty run prints `[]`).
pub fn json(diagnostics: &[Diagnostic]) -> String {
    let items: Vec<JsonDiagnostic<'_>> = diagnostics.iter().map(JsonDiagnostic::new).collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned());
    s.push('\n');
    s
}

/// One compact JSON object per line.
pub fn jsonl(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        if let Ok(line) = serde_json::to_string(&JsonDiagnostic::new(d)) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}
