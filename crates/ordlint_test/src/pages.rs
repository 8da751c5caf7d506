//! Executable rule pages: the code blocks under "## Example" must fire as marked, the ones
//! under "## Use instead" must be silent.

/// A fenced code block of a rule page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageBlock {
    /// The heading the block sits under ("Example", "Use instead").
    pub section: String,
    /// File extension implied by the fence language (`c` or `rs`).
    pub ext: &'static str,
    /// The code.
    pub code: String,
}

/// The C and Rust code blocks of a page, with the `##` section each sits under.
pub fn code_blocks(page: &str) -> Vec<PageBlock> {
    let mut blocks = Vec::new();
    let mut section = String::new();
    let mut current: Option<(&'static str, String)> = None;
    for line in page.lines() {
        if let Some((ext, code)) = current.as_mut() {
            if line.trim_start().starts_with("```") {
                blocks.push(PageBlock {
                    section: section.clone(),
                    ext,
                    code: std::mem::take(code),
                });
                current = None;
            } else {
                code.push_str(line);
                code.push('\n');
            }
            continue;
        }
        if let Some(h) = line.strip_prefix("## ") {
            section = h.trim().to_owned();
        } else if let Some(lang) = line.trim_start().strip_prefix("```") {
            let ext = match lang.trim() {
                "c" => "c",
                "rust" | "rs" => "rs",
                _ => "",
            };
            current = Some((ext, String::new()));
        }
    }
    blocks.into_iter().filter(|b| !b.ext.is_empty()).collect()
}
