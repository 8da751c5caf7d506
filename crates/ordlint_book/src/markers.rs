//! Expectation markers (`//~ rule`, `//~^ rule`, `//~ note: rule`) rewritten into comments a
//! reader understands: `// <-- rule`, `// ^ rule`, `// <-- related site of rule`.

/// Rewrite every marker comment of `text` (a page or a code block) for readers. Lines without
/// `//~` are kept byte for byte; the line ending of a rewritten line is kept.
pub fn for_readers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let Some(at) = line.find("//~") else {
            out.push_str(line);
            continue;
        };
        let (code, comment) = line.split_at(at);
        let body = comment.trim_end_matches(['\n', '\r']);
        let ending = &comment[body.len()..];
        let parts: Vec<String> = body
            .split("//~")
            .filter(|p| !p.trim().is_empty())
            .map(describe)
            .collect();
        out.push_str(code);
        out.push_str("// ");
        out.push_str(&parts.join("; "));
        out.push_str(ending);
    }
    out
}

/// One marker (the text after `//~`) as a reader's comment.
fn describe(marker: &str) -> String {
    let carets = marker.chars().take_while(|c| *c == '^').count();
    let rest = marker.get(carets..).unwrap_or("").trim();
    let (note, rule) = match rest.strip_prefix("note:") {
        Some(r) => (true, r.trim()),
        None => (false, rest),
    };
    let rule = rule.split_whitespace().next().unwrap_or("");
    let what = if note {
        format!("related site of {rule}")
    } else {
        rule.to_owned()
    };
    if carets == 0 {
        format!("<-- {what}")
    } else {
        format!("{} {what}", "^".repeat(carets))
    }
}

#[cfg(test)]
mod tests {
    use super::for_readers;

    #[test]
    fn trailing_marker_becomes_an_arrow() {
        assert_eq!(
            for_readers("\tw->done = true; //~ barrier-publication\n"),
            "\tw->done = true; // <-- barrier-publication\n"
        );
    }

    #[test]
    fn note_caret_and_several_markers_on_one_line() {
        assert_eq!(
            for_readers("x; //~ note: a\n//~^^ b\ny; //~ c //~ note: d\r\nz;"),
            "x; // <-- related site of a\n// ^^ b\ny; // <-- c; <-- related site of d\r\nz;"
        );
    }

    #[test]
    fn text_without_markers_is_unchanged() {
        let page = "# t\n\n```c\nint x; // a comment\n```\n";
        assert_eq!(for_readers(page), page);
    }
}
