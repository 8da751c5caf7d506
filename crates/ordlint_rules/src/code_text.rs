//! The identifiers of C source text outside comments and literals, for rules that look
//! past the functions the IR holds (a name used anywhere in the file, the sleepers on a
//! wait queue).

/// The byte ranges of the identifiers in the code of `src`: comments, string and
/// character literals are skipped.
pub fn code_identifiers(src: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = src.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while let Some(&b) = bytes.get(i) {
            let next = bytes.get(i + 1).copied();
            match b {
                b'/' if next == Some(b'*') => {
                    i = src
                        .get(i + 2..)
                        .and_then(|s| s.find("*/"))
                        .map_or(bytes.len(), |k| i + 2 + k + 2);
                }
                b'/' if next == Some(b'/') => {
                    i = src
                        .get(i..)
                        .and_then(|s| s.find('\n'))
                        .map_or(bytes.len(), |k| i + k);
                }
                b'"' | b'\'' => {
                    let mut j = i + 1;
                    while let Some(&c) = bytes.get(j) {
                        if c == b'\\' {
                            j += 2;
                            continue;
                        }
                        j += 1;
                        if c == b || c == b'\n' {
                            break;
                        }
                    }
                    i = j;
                }
                _ if is_ident_byte(b) && !b.is_ascii_digit() => {
                    let start = i;
                    while bytes.get(i).copied().is_some_and(is_ident_byte) {
                        i += 1;
                    }
                    return Some((start, i));
                }
                _ if is_ident_byte(b) => {
                    // A number (`0x1f`, `10ul`): not an identifier.
                    while bytes.get(i).copied().is_some_and(is_ident_byte) {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
        }
        None
    })
}

/// True when `name` occurs as a whole identifier in the code of `src`.
pub fn code_mentions(src: &str, name: &str) -> bool {
    code_identifiers(src).any(|(s, e)| src.get(s..e) == Some(name))
}

/// True for the bytes of a C identifier.
pub fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The byte offset just past the `)` that closes the `(` at `open`, skipping nested
/// brackets; `None` when it is not closed.
pub fn closing_paren(src: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in src.as_bytes().iter().enumerate().skip(open) {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_mentions_skip_comments_and_strings() {
        let src = "/* foo_read */ x = \"foo_read\"; // foo_read\nfoo_readx();";
        assert!(!code_mentions(src, "foo_read"));
        assert!(code_mentions("int y = foo_read(p);", "foo_read"));
        assert!(
            !code_mentions("n = 0x1f;", "x1f"),
            "numbers are not identifiers"
        );
    }

    #[test]
    fn closing_paren_skips_nested_brackets() {
        let src = "f(a[(1)], g(b)) + 1";
        assert_eq!(closing_paren(src, 1), Some(15));
        assert_eq!(closing_paren("f(a", 1), None);
    }
}
