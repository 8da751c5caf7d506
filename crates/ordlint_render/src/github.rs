//! `--format github`: GitHub Actions workflow commands, one line per diagnostic, which the
//! runner turns into annotations on the pull request's diff:
//!
//! ```text
//! ::warning file=PATH,line=L,endLine=L2,col=C,endColumn=C2,title=RULE::MESSAGE
//! ```
//!
//! Severity maps to `error`, `warning` or `notice`. Property values escape `%`, CR, LF, `:`
//! and `,`; the message escapes `%`, CR and LF (as `@actions/core` does), so hostile paths
//! and messages cannot end the command early or inject another one. Columns are given only
//! for single-line spans (GitHub ignores them otherwise). The message carries the help text,
//! the partner sites and the rule's page, one per line.

use ordlint_diagnostics::{rule_url, Diagnostic, Severity};

/// Render diagnostics as GitHub Actions workflow commands (an empty run prints nothing).
pub fn github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&command(d));
        out.push('\n');
    }
    out
}

/// The workflow command name of a severity.
pub fn command_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn command(d: &Diagnostic) -> String {
    let l = &d.location;
    let mut props = vec![
        ("file", l.path.clone()),
        ("line", l.start.line.max(1).to_string()),
        ("endLine", l.end.line.max(l.start.line).max(1).to_string()),
    ];
    if l.start.line == l.end.line {
        props.push(("col", l.start.column.max(1).to_string()));
        props.push(("endColumn", l.end.column.max(1).to_string()));
    }
    props.push(("title", format!("ordlint {}", d.rule)));
    let props: Vec<String> = props
        .into_iter()
        .map(|(k, v)| format!("{k}={}", escape_property(&v)))
        .collect();
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    for r in &d.related {
        message.push_str(&format!(
            "\nnote: {}:{}:{}: {}",
            r.location.path, r.location.start.line, r.location.start.column, r.message
        ));
    }
    if d.rule != "internal-error" {
        message.push_str(&format!("\nsee {}", rule_url(&d.rule)));
    }
    format!(
        "::{} {}::{}",
        command_name(d.severity),
        props.join(","),
        escape_data(&message)
    )
}

/// Escape a workflow command's message: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a workflow command's property value: as [`escape_data`], plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_breaks_only() {
        assert_eq!(escape_data("100% a:b,c\r\nd"), "100%25 a:b,c%0D%0Ad");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    }
}
