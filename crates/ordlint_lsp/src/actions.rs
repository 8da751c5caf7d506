//! Code actions, answered statelessly (as ruff does) from what each diagnostic carries in its
//! `data`: the fix's edits, title and applicability, and the two suppression edits.

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, Range, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};
use ordlint_core::ir::Language;
use ordlint_diagnostics::{Applicability, LineIndex};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The directive a file-level suppression uses (`ordlint: allow-file(rule)`), as opposed to
/// the line form `ordlint: allow(rule)`.
pub const FILE_DIRECTIVE: &str = "allow-file";

/// What an ordlint diagnostic carries in `data` so code actions need no server state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiagnosticData {
    /// The rule name.
    pub rule: String,
    /// The document the diagnostic is in.
    pub uri: Uri,
    /// The document version the edits were computed against.
    pub version: i32,
    /// The rule's fix, if it has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fix: Option<FixData>,
    /// Inserts `ordlint: allow(rule)` on the line before the diagnostic.
    pub suppress_line: TextEdit,
    /// Inserts the file-level suppression at the top of the file.
    pub suppress_file: TextEdit,
}

/// A fix in LSP terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixData {
    /// Imperative title, from the rule.
    pub title: String,
    /// `safe` fixes are the preferred action; `display-only` ones are not offered as edits.
    pub applicability: Applicability,
    /// Edits per file, each list in document order and non-overlapping.
    pub changes: Vec<FileEdits>,
}

/// The edits of a fix in one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEdits {
    /// The file.
    pub uri: Uri,
    /// Its edits.
    pub edits: Vec<TextEdit>,
}

/// The edit that suppresses `rule` on 0-based `line`: a comment on a new line before it,
/// indented like it.
pub fn suppress_line_edit(
    lines: &LineIndex,
    text: &str,
    line: usize,
    rule: &str,
    lang: Language,
) -> TextEdit {
    let span = lines.line_span(line);
    let content = text.get(span.start..span.end).unwrap_or("");
    let indent: String = content
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let eol = line_ending(text, lines, line);
    let comment = match lang {
        Language::C => format!("/* ordlint: allow({rule}) -- reason */"),
        Language::Rust => format!("// ordlint: allow({rule}) -- reason"),
    };
    TextEdit::new(
        Range::new(Position::new(line as u32, 0), Position::new(line as u32, 0)),
        format!("{indent}{comment}{eol}"),
    )
}

/// The edit that suppresses `rule` in the whole file: a comment at the top, after an SPDX
/// licence line if the file starts with one (it must stay first in kernel sources).
pub fn suppress_file_edit(lines: &LineIndex, text: &str, rule: &str, lang: Language) -> TextEdit {
    let first = lines.line_span(0);
    let spdx = text
        .get(first.start..first.end)
        .is_some_and(|l| l.contains("SPDX-License-Identifier"));
    let line = usize::from(spdx && lines.line_count() > 1);
    let eol = line_ending(text, lines, 0);
    let comment = match lang {
        Language::C => format!("/* ordlint: {FILE_DIRECTIVE}({rule}) -- reason */"),
        Language::Rust => format!("// ordlint: {FILE_DIRECTIVE}({rule}) -- reason"),
    };
    TextEdit::new(
        Range::new(Position::new(line as u32, 0), Position::new(line as u32, 0)),
        format!("{comment}{eol}"),
    )
}

fn line_ending(text: &str, lines: &LineIndex, line: usize) -> &'static str {
    let span = lines.line_span(line);
    if text.get(span.end..span.end + 2) == Some("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// How edits are sent back to this client.
#[derive(Debug, Clone, Copy, Default)]
pub struct EditSupport {
    /// The client accepts versioned `documentChanges`.
    pub document_changes: bool,
}

/// The code actions for the ordlint diagnostics in `params.context`: for each, its fix
/// (preferred when safe), "suppress on this line", and once per rule "suppress in this file".
pub fn code_actions(params: &CodeActionParams, support: EditSupport) -> Vec<CodeActionOrCommand> {
    if let Some(only) = &params.context.only {
        if !only
            .iter()
            .any(|k| k.as_str().starts_with("quickfix") || *k == CodeActionKind::EMPTY)
        {
            return Vec::new();
        }
    }
    let mut fixes = Vec::new();
    let mut lines = Vec::new();
    let mut files: Vec<CodeActionOrCommand> = Vec::new();
    let mut file_rules: Vec<String> = Vec::new();
    for diag in &params.context.diagnostics {
        if diag.source.as_deref() != Some(crate::SOURCE) {
            continue;
        }
        let Some(data) = diag
            .data
            .clone()
            .and_then(|d| serde_json::from_value::<DiagnosticData>(d).ok())
        else {
            continue;
        };
        if let Some(fix) = &data.fix {
            if fix.applicability != Applicability::DisplayOnly {
                let title = match fix.applicability {
                    Applicability::Safe => format!("ordlint: {}", fix.title),
                    _ => format!("ordlint: {} (unsafe: review the edits)", fix.title),
                };
                let changes: Vec<(Uri, Vec<TextEdit>)> = fix
                    .changes
                    .iter()
                    .map(|f| (f.uri.clone(), f.edits.clone()))
                    .collect();
                fixes.push(action(
                    title,
                    diag,
                    edit(changes, &data, support),
                    fix.applicability == Applicability::Safe,
                ));
            }
        }
        lines.push(action(
            format!("ordlint: suppress {} on this line", data.rule),
            diag,
            edit(
                vec![(data.uri.clone(), vec![data.suppress_line.clone()])],
                &data,
                support,
            ),
            false,
        ));
        if !file_rules.contains(&data.rule) {
            file_rules.push(data.rule.clone());
            files.push(action(
                format!("ordlint: suppress {} in this file", data.rule),
                diag,
                edit(
                    vec![(data.uri.clone(), vec![data.suppress_file.clone()])],
                    &data,
                    support,
                ),
                false,
            ));
        }
    }
    fixes.into_iter().chain(lines).chain(files).collect()
}

fn action(
    title: String,
    diag: &Diagnostic,
    edit: WorkspaceEdit,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diag.clone()]),
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

/// A workspace edit; the diagnostic's own document is pinned to the version the edits were
/// computed for when the client supports versioned edits (it then refuses stale ones).
fn edit(
    changes: Vec<(Uri, Vec<TextEdit>)>,
    data: &DiagnosticData,
    support: EditSupport,
) -> WorkspaceEdit {
    if support.document_changes {
        let edits = changes
            .into_iter()
            .map(|(uri, edits)| TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    version: (uri == data.uri).then_some(data.version),
                    uri,
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            })
            .collect();
        WorkspaceEdit {
            document_changes: Some(lsp_types::DocumentChanges::Edits(edits)),
            ..WorkspaceEdit::default()
        }
    } else {
        // lsp-types keys `changes` by `Uri`, whose hash and equality are its text.
        #[allow(clippy::mutable_key_type)]
        let mut map: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for (uri, edits) in changes {
            map.entry(uri).or_default().extend(edits);
        }
        WorkspaceEdit {
            changes: Some(map),
            ..WorkspaceEdit::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_suppression_matches_indentation_and_language() {
        let text = "int f(void)\n{\n\tx = 1;\n}\n";
        let lines = LineIndex::new(text);
        let c = suppress_line_edit(&lines, text, 2, "barrier-publication", Language::C);
        assert_eq!(
            c.new_text,
            "\t/* ordlint: allow(barrier-publication) -- reason */\n"
        );
        assert_eq!(c.range.start, Position::new(2, 0));
        let rs = suppress_line_edit(&lines, text, 2, "relaxed-publication", Language::Rust);
        assert_eq!(
            rs.new_text,
            "\t// ordlint: allow(relaxed-publication) -- reason\n"
        );
    }

    #[test]
    fn file_suppression_goes_after_the_spdx_line() {
        let text = "// SPDX-License-Identifier: GPL-2.0\n#include <x.h>\n";
        let lines = LineIndex::new(text);
        let e = suppress_file_edit(&lines, text, "barrier-publication", Language::C);
        assert_eq!(e.range.start, Position::new(1, 0));
        assert_eq!(
            e.new_text,
            "/* ordlint: allow-file(barrier-publication) -- reason */\n"
        );
    }
}
