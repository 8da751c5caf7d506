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

/// The bytes of the file at `path`, at most `max` of them: `Ok(None)` when it holds more,
/// also when it grew past the bound between a size check and the read (the read stops one
/// byte past the bound, so a file that keeps growing never costs more than `max` of memory).
pub fn read_bounded(path: &std::path::Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let size = file.metadata().map_or(0, |m| m.len());
    if size > max {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("f.c");
        std::fs::write(&path, "0123456789").unwrap_or_else(|e| panic!("{e}"));
        let read = |max| read_bounded(&path, max).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read(10).as_deref(), Some(&b"0123456789"[..]));
        assert_eq!(read(9), None);
        assert_eq!(read(0), None);
        assert!(read_bounded(&dir.path().join("missing.c"), 10).is_err());
    }
}
