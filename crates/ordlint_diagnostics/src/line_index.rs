//! Byte offset ↔ line/column conversion for one text.

use crate::Position;

/// Start offsets of every line of a text, for converting byte offsets into 1-based
/// lines and character columns (and UTF-16 columns for the LSP server).
///
/// The text itself is kept only when it has a non-ASCII byte or a `\r`: in a plain ASCII text
/// with `\n` line ends, columns are byte distances, and a whole-tree run holds thousands of
/// indexes next to their sources.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
    text: Option<std::sync::Arc<str>>,
}

impl LineIndex {
    /// Index `text`. Lines end at `\n`; a `\r` before it belongs to the line.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text.as_bytes()));
        let plain = text.is_ascii() && !text.as_bytes().contains(&b'\r');
        LineIndex {
            line_starts,
            len: text.len(),
            text: (!plain).then(|| text.into()),
        }
    }

    /// The text of `span`, when the text is kept (`None`: plain ASCII, bytes are characters).
    fn kept(&self, start: usize, end: usize) -> Option<&str> {
        let text = self.text.as_deref()?;
        Some(text.get(start..end).unwrap_or(""))
    }

    /// `offset` clamped to the text and moved back to a character boundary.
    fn clamp(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.text.as_deref() {
            Some(text) => floor_char_boundary(text, offset),
            None => offset,
        }
    }

    /// Number of lines (a trailing newline starts an empty last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line containing byte `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// Byte offset where 0-based `line` starts (the text length past the end).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// Byte range of 0-based `line`, without its line terminator.
    pub fn line_span(&self, line: usize) -> crate::Span {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        let Some(text) = self.text.as_deref() else {
            // Plain text: every line but the last ends with one `\n`.
            if line + 1 < self.line_starts.len() && end > start {
                end -= 1;
            }
            return crate::Span::new(start, end);
        };
        let bytes = text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        crate::Span::new(start, end)
    }

    /// 1-based line and character column of byte `offset` (clamped; an offset inside a
    /// multi-byte character counts as that character).
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let column = self
            .kept(start, offset)
            .map_or(offset - start, |s| s.chars().count());
        Position {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }

    /// 0-based line and UTF-16 code-unit column of byte `offset`, as the LSP wants by default.
    pub fn utf16_position(&self, offset: usize) -> (u32, u32) {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let col = self
            .kept(start, offset)
            .map_or(offset - start, |s| s.encode_utf16().count());
        (line as u32, col as u32)
    }

    /// Byte offset of a 0-based line and a column in UTF-16 units (`utf16 = true`) or bytes
    /// (`utf16 = false`); columns past the end of the line clamp to the line end.
    pub fn offset_of(&self, line: u32, column: u32, utf16: bool) -> usize {
        let line = line as usize;
        if line >= self.line_starts.len() {
            return self.len;
        }
        let span = self.line_span(line);
        let Some(text) = self.kept(span.start, span.end) else {
            return span.start + (column as usize).min(span.end - span.start);
        };
        if !utf16 {
            return span.start + floor_char_boundary(text, (column as usize).min(text.len()));
        }
        let mut units = 0u32;
        for (i, ch) in text.char_indices() {
            if units >= column {
                return span.start + i;
            }
            units += ch.len_utf16() as u32;
        }
        span.end
    }

    /// Byte offset of a 1-based [`Position`] (character column).
    pub fn offset_of_position(&self, pos: Position) -> usize {
        let line = pos.line.saturating_sub(1) as usize;
        let span = self.line_span(line.min(self.line_starts.len().saturating_sub(1)));
        let col = pos.column.saturating_sub(1) as usize;
        let Some(text) = self.kept(span.start, span.end) else {
            return span.start + col.min(span.end - span.start);
        };
        text.char_indices()
            .nth(col)
            .map_or(span.end, |(i, _)| span.start + i)
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let idx = LineIndex::new("ab\nçd\r\nx");
        assert_eq!(idx.position(0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(3), Position { line: 2, column: 1 });
        // 'ç' is two bytes; 'd' is the second character.
        assert_eq!(idx.position(5), Position { line: 2, column: 2 });
        assert_eq!(idx.position(8), Position { line: 3, column: 1 });
        assert_eq!(idx.line_span(1), crate::Span::new(3, 6));
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let idx = LineIndex::new("😀x");
        assert_eq!(idx.utf16_position(4), (0, 2));
        assert_eq!(idx.offset_of(0, 2, true), 4);
        assert_eq!(idx.offset_of(9, 0, true), 5);
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let idx = LineIndex::new("a\n");
        assert_eq!(idx.position(99), Position { line: 2, column: 1 });
    }
}

#[cfg(test)]
mod plain_text_tests {
    use super::*;

    /// A plain ASCII text (index without the text) and the same text with one non-ASCII
    /// character far away (index with the text) answer every question alike.
    #[test]
    fn plain_ascii_answers_like_the_kept_text() {
        let plain = "int a;\n\tb = 1;\n\nlast";
        let kept = format!("{plain}\n/* é */");
        let (p, k) = (LineIndex::new(plain), LineIndex::new(&kept));
        assert!(p.text.is_none() && k.text.is_some());
        for offset in 0..=plain.len() {
            assert_eq!(p.position(offset), k.position(offset), "offset {offset}");
            assert_eq!(p.utf16_position(offset), k.utf16_position(offset));
        }
        for line in 0u32..4 {
            assert_eq!(
                p.line_span(line as usize),
                k.line_span(line as usize),
                "line {line}"
            );
            for column in 0..8 {
                assert_eq!(
                    p.offset_of(line, column, true),
                    k.offset_of(line, column, true)
                );
                assert_eq!(
                    p.offset_of(line, column, false),
                    k.offset_of(line, column, false)
                );
                let pos = Position {
                    line: line + 1,
                    column: column + 1,
                };
                assert_eq!(p.offset_of_position(pos), k.offset_of_position(pos));
            }
        }
        assert_eq!(p.position(999), Position { line: 4, column: 5 });
        assert_eq!(p.offset_of(9, 0, true), plain.len());
    }
}
