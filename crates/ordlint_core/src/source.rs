//! A source file in memory: its path, text and language.

use ordlint_ir::Language;

/// One file's text, decoded as UTF-8, with its language.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as reported in diagnostics.
    pub path: String,
    /// The text.
    pub text: String,
    /// The language, from the extension.
    pub language: Language,
}

impl SourceFile {
    /// A source file, or `None` when the path's extension is not one ordlint lints.
    pub fn new(path: impl Into<String>, text: String) -> Option<Self> {
        let path = path.into();
        let language = Language::from_path(&path)?;
        Some(SourceFile {
            path,
            text,
            language,
        })
    }

    /// A source file with an explicit language.
    pub fn with_language(path: impl Into<String>, text: String, language: Language) -> Self {
        SourceFile {
            path: path.into(),
            text,
            language,
        }
    }
}
