//! Conversions between ordlint's byte spans and LSP positions, and between file paths and
//! URIs. This is the only place that knows about UTF-16: ordlint's spans are byte offsets,
//! LSP positions are 0-based lines and columns in the negotiated encoding.

use lsp_types::{Position, PositionEncodingKind, Range, Uri};
use ordlint_diagnostics::{LineIndex, Span};
use std::str::FromStr;

/// The unit of LSP columns agreed with the client at initialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Columns count bytes (chosen whenever the client offers `utf-8`).
    Utf8,
    /// Columns count UTF-16 code units (the LSP default).
    Utf16,
}

impl Encoding {
    /// Pick the encoding from the client's `general.positionEncodings`: UTF-8 when offered,
    /// UTF-16 otherwise (every client must support it).
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        match offered {
            Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    /// The LSP name of this encoding.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// The LSP position of byte `offset` in the text indexed by `lines`.
pub fn position(lines: &LineIndex, offset: usize, enc: Encoding) -> Position {
    match enc {
        Encoding::Utf16 => {
            let (line, character) = lines.utf16_position(offset);
            Position::new(line, character)
        }
        Encoding::Utf8 => {
            let line = lines.line_of(offset);
            let start = lines.line_start(line);
            let end = lines.line_start(line + 1).max(start);
            let column = offset.clamp(start, end) - start;
            Position::new(line as u32, column as u32)
        }
    }
}

/// The LSP range of a byte span.
pub fn range(lines: &LineIndex, span: Span, enc: Encoding) -> Range {
    Range::new(
        position(lines, span.start, enc),
        position(lines, span.end, enc),
    )
}

/// The byte offset of an LSP position (columns past the end of a line clamp to its end;
/// lines past the end of the text clamp to the end of the text).
pub fn offset(lines: &LineIndex, pos: Position, enc: Encoding) -> usize {
    lines.offset_of(pos.line, pos.character, enc == Encoding::Utf16)
}

/// The file path of a `file:` URI (percent-decoded), or `None` for other schemes.
pub fn uri_to_path(uri: &Uri) -> Option<String> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    // `file:///x`, or `file://localhost/x`.
    let path = match rest.strip_prefix("localhost") {
        Some(p) if p.starts_with('/') => p,
        _ => rest,
    };
    if !path.starts_with('/') {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    percent_decode(path)
}

/// The `file:` URI of an absolute path; `None` for relative paths or when the result does not
/// parse as a URI.
pub fn path_to_uri(path: &str) -> Option<Uri> {
    if !path.starts_with('/') {
        return None;
    }
    let mut s = String::from("file://");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).ok()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns_differ_after_non_ascii() {
        // "é" is 2 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
        let text = "/* é😀 */ x = 1;\n";
        let lines = LineIndex::new(text);
        let x = text.find('x').unwrap_or(0);
        assert_eq!(position(&lines, x, Encoding::Utf16), Position::new(0, 10));
        assert_eq!(position(&lines, x, Encoding::Utf8), Position::new(0, 13));
        assert_eq!(offset(&lines, Position::new(0, 10), Encoding::Utf16), x);
        assert_eq!(offset(&lines, Position::new(0, 13), Encoding::Utf8), x);
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&both)), Encoding::Utf8);
    }

    #[test]
    fn paths_round_trip_through_uris() {
        let uri = path_to_uri("/tmp/a dir/ç.c");
        assert_eq!(
            uri.as_ref().map(|u| u.as_str().to_owned()),
            Some("file:///tmp/a%20dir/%C3%A7.c".to_owned())
        );
        assert_eq!(
            uri.as_ref().and_then(uri_to_path),
            Some("/tmp/a dir/ç.c".to_owned())
        );
        let untitled = Uri::from_str("untitled:Untitled-1").ok();
        assert_eq!(untitled.as_ref().and_then(uri_to_path), None);
    }
}
