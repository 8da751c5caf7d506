//! Open documents: the editor's live text of each file, its version, and incremental edits.

use crate::convert::{self, Encoding};
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use ordlint_core::ir::Language;
use ordlint_diagnostics::LineIndex;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

/// One document the client has opened.
#[derive(Debug, Clone)]
pub struct Document {
    /// The URI exactly as the client sent it (diagnostics are published to it).
    pub uri: Uri,
    /// The path diagnostics and the pairing index use: the file path for `file:` URIs,
    /// otherwise the URI text.
    pub path: String,
    /// C or Rust; `None` for documents ordlint does not lint.
    pub language: Option<Language>,
    /// The client's version of the text.
    pub version: i32,
    /// The live text.
    pub text: Arc<str>,
    /// Line index of `text`.
    pub lines: Arc<LineIndex>,
    /// `version`, shared with the lint worker so that it can drop work for an older version.
    pub latest: Arc<AtomicI32>,
}

impl Document {
    /// A document as opened by the client; the language comes from the path's extension,
    /// then from the client's language id (`c`, `cpp`, `rust`).
    pub fn new(uri: Uri, language_id: &str, version: i32, text: String) -> Self {
        let path = convert::uri_to_path(&uri).unwrap_or_else(|| uri.as_str().to_owned());
        let language = Language::from_path(&path).or(match language_id {
            "c" | "cpp" => Some(Language::C),
            "rust" => Some(Language::Rust),
            _ => None,
        });
        let lines = Arc::new(LineIndex::new(&text));
        Document {
            uri,
            path,
            language,
            version,
            text: text.into(),
            lines,
            latest: Arc::new(AtomicI32::new(version)),
        }
    }

    /// Apply the client's changes in order (ranged ones in `enc` columns; one without a
    /// range replaces the whole text) and take the new version.
    pub fn apply(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        enc: Encoding,
    ) {
        let mut text = self.text.to_string();
        let mut lines = Arc::clone(&self.lines);
        for change in changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let start = convert::offset(&lines, range.start, enc);
                    let end = convert::offset(&lines, range.end, enc).max(start);
                    if text.is_char_boundary(start)
                        && text.is_char_boundary(end)
                        && end <= text.len()
                    {
                        text.replace_range(start..end, &change.text);
                    }
                }
            }
            lines = Arc::new(LineIndex::new(&text));
        }
        self.version = version;
        self.latest.store(version, Ordering::Relaxed);
        self.text = text.into();
        self.lines = lines;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};
    use std::str::FromStr;

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order_with_utf16_columns() {
        let Ok(uri) = Uri::from_str("file:///t/a.c") else {
            return;
        };
        let mut doc = Document::new(uri, "c", 1, "é😀x;\nint y;\n".to_owned());
        assert_eq!(doc.language, Some(Language::C));
        // Column 3 in UTF-16 is just after the emoji.
        doc.apply(
            2,
            vec![change(0, 3, 0, 4, "z"), change(1, 4, 1, 5, "w")],
            Encoding::Utf16,
        );
        assert_eq!(&*doc.text, "é😀z;\nint w;\n");
        assert_eq!(doc.version, 2);
    }
}
