//! Inline expectation markers (`//~ rule`, `//~^ rule`, `//~ note: rule`).

/// One expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// 1-based line the diagnostic (or note) must start on.
    pub line: u32,
    /// Rule name.
    pub rule: String,
    /// True for a related-site note, false for a primary diagnostic.
    pub note: bool,
}

/// Replace every marker comment with spaces (same length, so offsets stay) and return the
/// blanked text with the markers it held.
pub fn blank_markers(text: &str) -> (String, Vec<Marker>) {
    let mut out = String::with_capacity(text.len());
    let mut markers = Vec::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let line_no = i as u32 + 1;
        let Some(at) = line.find("//~") else {
            out.push_str(line);
            continue;
        };
        let (code, comment) = line.split_at(at);
        let body = comment.trim_end_matches(['\n', '\r']);
        for part in body
            .split("//~")
            .filter(|p| !p.trim().is_empty() || p.starts_with('^'))
        {
            let carets = part.chars().take_while(|c| *c == '^').count() as u32;
            let rest = part[carets as usize..].trim();
            let (note, rule) = match rest.strip_prefix("note:") {
                Some(r) => (true, r.trim()),
                None => (false, rest),
            };
            let rule = rule.split_whitespace().next().unwrap_or("").to_owned();
            markers.push(Marker {
                line: line_no.saturating_sub(carets),
                rule,
                note,
            });
        }
        out.push_str(code);
        out.push_str(&" ".repeat(body.len()));
        out.push_str(&comment[body.len()..]);
    }
    (out, markers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_caret_and_note_markers() {
        let text = "a = 1; //~ barrier-publication\n//~^ note: other\nb; //~ x //~ note: y\r\n";
        let (blanked, m) = blank_markers(text);
        assert_eq!(blanked.len(), text.len());
        assert!(!blanked.contains("//~"));
        assert!(blanked.ends_with("\r\n"));
        assert_eq!(
            m,
            vec![
                Marker {
                    line: 1,
                    rule: "barrier-publication".into(),
                    note: false
                },
                Marker {
                    line: 1,
                    rule: "other".into(),
                    note: true
                },
                Marker {
                    line: 3,
                    rule: "x".into(),
                    note: false
                },
                Marker {
                    line: 3,
                    rule: "y".into(),
                    note: true
                },
            ]
        );
    }
}
