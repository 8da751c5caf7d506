//! A cheap C tokenizer (no tree-sitter) for the text passes: annotation blanking, file facts and
//! definition slicing. It knows comments, string and character literals, preprocessor lines
//! (with backslash continuations), identifiers and punctuation; everything else is skipped.
//!
//! It never fails: malformed input (an unterminated comment, a string running into a newline)
//! is reported through [`Lexer::confused`] so the callers that must be sure can give up.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokKind {
    /// An identifier or keyword.
    Ident,
    /// One punctuation byte (`{`, `}`, `;`, `(`, `)`, `=`, `,`, …).
    Punct(u8),
    /// A preprocessor directive line, continuations included.
    Directive,
    /// A comment, delimiters included.
    Comment,
    /// A string or character literal.
    Literal,
    /// A number.
    Number,
}

/// One token: kind and byte range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tok {
    pub kind: TokKind,
    pub start: usize,
    pub end: usize,
}

/// Iterator over the tokens of a C text.
pub(crate) struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// True at the start of a line (only whitespace seen since the newline).
    line_start: bool,
    /// Set when the input looked malformed (unterminated comment or literal).
    pub confused: bool,
}

impl<'a> Lexer<'a> {
    /// A lexer over `text`.
    pub fn new(text: &'a str) -> Self {
        Lexer {
            bytes: text.as_bytes(),
            pos: 0,
            line_start: true,
            confused: false,
        }
    }

    fn at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    /// Skip a quoted literal starting at `self.pos` (the quote), honouring backslash escapes.
    fn literal(&mut self, quote: u8) {
        let mut i = self.pos + 1;
        loop {
            match self.bytes.get(i) {
                None => {
                    self.confused = true;
                    break;
                }
                Some(b'\\') => i += 2,
                Some(b'\n') => {
                    self.confused = true;
                    break;
                }
                Some(&b) if b == quote => {
                    i += 1;
                    break;
                }
                Some(_) => i += 1,
            }
        }
        self.pos = i.min(self.bytes.len());
    }
}

/// Where `*/` starts in `rest` (the text after a `/*`). Comments are a fifth of kernel C, so
/// this is a SIMD search rather than a byte loop.
fn comment_end(rest: &[u8]) -> Option<usize> {
    memchr::memmem::find(rest, b"*/")
}

/// True for bytes that may start an identifier.
pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$'
}

/// True for bytes that may continue an identifier.
pub(crate) fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

impl Iterator for Lexer<'_> {
    type Item = Tok;

    fn next(&mut self) -> Option<Tok> {
        loop {
            let b = *self.bytes.get(self.pos)?;
            if b == b'\n' {
                self.line_start = true;
                self.pos += 1;
                continue;
            }
            if b.is_ascii_whitespace()
                || (b == b'\\' && matches!(self.at(self.pos + 1), b'\n' | b'\r'))
            {
                self.pos += 1;
                continue;
            }
            let start = self.pos;
            let was_line_start = self.line_start;
            self.line_start = false;
            let kind = if b == b'/' && self.at(start + 1) == b'/' {
                // Line comment; a backslash-newline continues it.
                let mut i = start + 2;
                while let Some(&c) = self.bytes.get(i) {
                    if c == b'\n' {
                        let prev = if self.at(i.wrapping_sub(1)) == b'\r' {
                            i.wrapping_sub(2)
                        } else {
                            i.wrapping_sub(1)
                        };
                        if self.at(prev) != b'\\' {
                            break;
                        }
                    }
                    i += 1;
                }
                self.pos = i;
                TokKind::Comment
            } else if b == b'/' && self.at(start + 1) == b'*' {
                let end = self.bytes.get(start + 2..).and_then(comment_end);
                match end {
                    Some(e) => self.pos = start + 2 + e + 2,
                    None => {
                        self.confused = true;
                        self.pos = self.bytes.len();
                    }
                }
                TokKind::Comment
            } else if b == b'#' && was_line_start {
                // Directive: up to an unescaped newline, skipping comments inside it.
                let mut i = start + 1;
                while i < self.bytes.len() {
                    let c = self.bytes[i];
                    if c == b'\\' && matches!(self.at(i + 1), b'\n') {
                        i += 2;
                    } else if c == b'\\' && self.at(i + 1) == b'\r' && self.at(i + 2) == b'\n' {
                        i += 3;
                    } else if c == b'\n' {
                        break;
                    } else if c == b'/' && self.at(i + 1) == b'*' {
                        match self.bytes.get(i + 2..).and_then(comment_end) {
                            Some(e) => i += 2 + e + 2,
                            None => {
                                self.confused = true;
                                i = self.bytes.len();
                            }
                        }
                    } else if c == b'/' && self.at(i + 1) == b'/' {
                        while i < self.bytes.len() && self.bytes[i] != b'\n' {
                            i += 1;
                        }
                    } else {
                        i += 1;
                    }
                }
                self.pos = i;
                TokKind::Directive
            } else if b == b'"' || b == b'\'' {
                self.literal(b);
                TokKind::Literal
            } else if is_ident_start(b) {
                let mut i = start + 1;
                while is_ident_byte(self.at(i)) {
                    i += 1;
                }
                // String prefixes: L"…", u8"…".
                if matches!(self.at(i), b'"' | b'\'')
                    && matches!(&self.bytes[start..i], b"L" | b"u" | b"U" | b"u8")
                {
                    self.pos = i;
                    let q = self.at(i);
                    self.literal(q);
                    TokKind::Literal
                } else {
                    self.pos = i;
                    TokKind::Ident
                }
            } else if b.is_ascii_digit() || (b == b'.' && self.at(start + 1).is_ascii_digit()) {
                let mut i = start + 1;
                while is_ident_byte(self.at(i)) || self.at(i) == b'.' {
                    i += 1;
                }
                self.pos = i;
                TokKind::Number
            } else {
                // Skip the rest of a multi-byte UTF-8 character so tokens stay on boundaries.
                let mut i = start + 1;
                if b >= 0x80 {
                    while i < self.bytes.len() && (self.bytes[i] & 0xC0) == 0x80 {
                        i += 1;
                    }
                }
                self.pos = i;
                TokKind::Punct(b)
            };
            return Some(Tok {
                kind,
                start,
                end: self.pos,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(TokKind, &str)> {
        Lexer::new(s)
            .map(|t| (t.kind, &s[t.start..t.end]))
            .collect()
    }

    #[test]
    fn comments_strings_and_directives_are_single_tokens() {
        let s = "#define X { \\\n }\nint a = '{'; /* } */ char *s = \"}\\\"\"; // {\n";
        let toks = kinds(s);
        assert_eq!(toks[0], (TokKind::Directive, "#define X { \\\n }"));
        assert!(toks.contains(&(TokKind::Literal, "'{'")));
        assert!(toks.contains(&(TokKind::Comment, "/* } */")));
        assert!(toks.contains(&(TokKind::Literal, "\"}\\\"\"")));
        assert!(toks.contains(&(TokKind::Comment, "// {")));
        assert!(!toks
            .iter()
            .any(|(k, _)| matches!(k, TokKind::Punct(b'{' | b'}'))));
    }

    #[test]
    fn unterminated_comment_confuses() {
        let mut l = Lexer::new("int a; /* open");
        while l.next().is_some() {}
        assert!(l.confused);
    }
}
