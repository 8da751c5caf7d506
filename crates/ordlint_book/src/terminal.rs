//! `ordlint rule NAME` for a terminal: a rule page rendered lightly.

use crate::markers::for_readers;

const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// How to print a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// For a terminal: headings in bold without their `#`s, code blocks indented by four
    /// spaces without their fences.
    Terminal,
    /// For a pipe or a file: the page's Markdown, unchanged apart from expectation markers.
    Plain,
}

/// Render `page` (a rule page's Markdown) in `style`. Expectation markers become reader
/// comments in both styles (see [`crate::markers`]). Never fails: unclosed fences simply run
/// to the end of the page.
pub fn render(page: &str, style: Style) -> String {
    let page = for_readers(page);
    if style == Style::Plain {
        return page;
    }
    let mut out = String::with_capacity(page.len() + 256);
    let mut in_code = false;
    for line in page.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            if !line.trim().is_empty() {
                out.push_str("    ");
                out.push_str(line);
            }
        } else if let Some(title) = heading(line) {
            out.push_str(BOLD);
            out.push_str(title);
            out.push_str(RESET);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The text of an ATX heading line (`# x`, `## x`, …), or `None`.
fn heading(line: &str) -> Option<&str> {
    let hashes = line.chars().take_while(|c| *c == '#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    line.get(hashes..)
        .filter(|rest| rest.starts_with(' '))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# r\n\n## Example\n\n```c\nx = 1; //~ r\n\ny = 2;\n```\n\nText `code`.\n";

    #[test]
    fn terminal_bolds_headings_and_indents_code() {
        assert_eq!(
            render(PAGE, Style::Terminal),
            "\x1b[1mr\x1b[0m\n\n\x1b[1mExample\x1b[0m\n\n    x = 1; // <-- r\n\n    y = 2;\n\nText `code`.\n"
        );
    }

    #[test]
    fn plain_keeps_markdown() {
        assert_eq!(
            render(PAGE, Style::Plain),
            PAGE.replace("//~ r", "// <-- r")
        );
    }

    #[test]
    fn hash_without_space_is_not_a_heading() {
        assert_eq!(heading("#include <x.h>"), None);
        assert_eq!(heading("### Deep"), Some("Deep"));
    }
}
