//! ordlint diagnostics as LSP diagnostics: range in the negotiated encoding, rule code and
//! link, severity, partner sites as related information, and fix + suppressions in `data`.

use crate::actions::{self, DiagnosticData, FileEdits, FixData};
use crate::convert::{self, Encoding};
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, NumberOrString, Range,
    TextEdit, Uri,
};
use ordlint_core::ir::Language;
use ordlint_diagnostics::{rule_url, Diagnostic, LineIndex, Location, Severity};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

/// The document a set of diagnostics belongs to, as it was linted.
#[derive(Debug, Clone, Copy)]
pub struct DocContext<'a> {
    /// The client's URI of the document.
    pub uri: &'a Uri,
    /// The path the diagnostics use for it.
    pub path: &'a str,
    /// The document version that was linted.
    pub version: i32,
    /// The linted text.
    pub text: &'a str,
    /// Its line index.
    pub lines: &'a LineIndex,
    /// Its language (decides the suppression comment syntax).
    pub language: Language,
    /// Column unit.
    pub encoding: Encoding,
}

/// Line indexes of the other files that diagnostics point into (partners, fix edits).
pub type OtherFiles = HashMap<String, Arc<LineIndex>>;

/// Convert one diagnostic.
pub fn to_lsp(d: &Diagnostic, doc: &DocContext<'_>, others: &OtherFiles) -> lsp_types::Diagnostic {
    let range = convert::range(doc.lines, d.location.span, doc.encoding);
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            Some(DiagnosticRelatedInformation {
                location: lsp_location(&r.location, doc, others)?,
                message: r.message.clone(),
            })
        })
        .collect();
    let fix = d.fix.as_ref().and_then(|f| {
        let mut changes: Vec<FileEdits> = Vec::new();
        for e in &f.edits {
            let loc = lsp_location(&e.location, doc, others)?;
            let edit = TextEdit::new(loc.range, e.replacement.clone());
            match changes.iter_mut().find(|c| c.uri == loc.uri) {
                Some(c) => c.edits.push(edit),
                None => changes.push(FileEdits {
                    uri: loc.uri,
                    edits: vec![edit],
                }),
            }
        }
        Some(FixData {
            title: f.message.clone(),
            applicability: f.applicability,
            changes,
        })
    });
    let line = doc.lines.line_of(d.location.span.start);
    let data = DiagnosticData {
        rule: d.rule.clone(),
        uri: doc.uri.clone(),
        version: doc.version,
        fix,
        suppress_line: actions::suppress_line_edit(
            doc.lines,
            doc.text,
            line,
            &d.rule,
            doc.language,
        ),
        suppress_file: actions::suppress_file_edit(doc.lines, doc.text, &d.rule, doc.language),
    };
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    lsp_types::Diagnostic {
        range,
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.clone())),
        code_description: Uri::from_str(&rule_url(&d.rule))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some(crate::SOURCE.to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: serde_json::to_value(data).ok(),
    }
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// An LSP location for an ordlint location in this document or another file; `None` when the
/// other file's path cannot be made into a URI.
fn lsp_location(
    loc: &Location,
    doc: &DocContext<'_>,
    others: &OtherFiles,
) -> Option<lsp_types::Location> {
    if loc.path == doc.path {
        return Some(lsp_types::Location::new(
            doc.uri.clone(),
            convert::range(doc.lines, loc.span, doc.encoding),
        ));
    }
    let uri = convert::path_to_uri(&loc.path)?;
    let range = match others.get(&loc.path) {
        Some(lines) => convert::range(lines, loc.span, doc.encoding),
        // The file could not be read again: character columns are right for ASCII lines.
        None => Range::new(
            lsp_types::Position::new(
                loc.start.line.saturating_sub(1),
                loc.start.column.saturating_sub(1),
            ),
            lsp_types::Position::new(
                loc.end.line.saturating_sub(1),
                loc.end.column.saturating_sub(1),
            ),
        ),
    };
    Some(lsp_types::Location::new(uri, range))
}

/// The paths other than `own` that diagnostics point into.
pub fn other_paths<'d>(diags: &'d [Diagnostic], own: &str) -> Vec<&'d str> {
    let mut paths: Vec<&str> = diags
        .iter()
        .flat_map(|d| {
            d.related.iter().map(|r| r.location.path.as_str()).chain(
                d.fix
                    .iter()
                    .flat_map(|f| f.edits.iter().map(|e| e.location.path.as_str())),
            )
        })
        .filter(|p| *p != own)
        .collect();
    paths.sort_unstable();
    paths.dedup();
    paths
}
