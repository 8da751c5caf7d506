//! `--format github`: workflow commands with hostile paths and messages.

use ordlint_diagnostics::{Diagnostic, LineIndex, Location, Related, Severity, Span};
use ordlint_render::github;

fn diag(path: &str, text: &str, span: Span, severity: Severity, message: &str) -> Diagnostic {
    Diagnostic {
        rule: "barrier-publication".to_owned(),
        severity,
        message: message.to_owned(),
        location: Location::new(path, span, &LineIndex::new(text)),
        help: None,
        fix: None,
        related: Vec::new(),
    }
}

/// Split one workflow command into (command, properties, message), the way the runner does:
/// the first `::` after the command ends the properties.
fn parse(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("not a command: {line}"));
    let (head, message) = rest
        .split_once("::")
        .unwrap_or_else(|| panic!("no message: {line}"));
    let (cmd, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .unwrap_or_else(|| panic!("bad property {p}"));
            (k.to_owned(), unescape(v))
        })
        .collect();
    (cmd.to_owned(), props, unescape(message))
}

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn hostile_path_and_message_round_trip_without_breaking_the_command() {
    let text = "a\nbb = 1;\n";
    let path = "dir,with:colons/100%,x\r\n::error file=evil.c::owned.c";
    let message = "store to `a,b` 100% unordered::error::x\r\nsecond line %0A literal";
    let d = diag(path, text, Span::new(2, 4), Severity::Warning, message);
    let out = github(&[d]);
    assert_eq!(out.lines().count(), 1, "one physical line: {out:?}");
    assert!(!out.trim_end().contains('\r'));
    let (cmd, props, msg) = parse(out.trim_end());
    assert_eq!(cmd, "warning");
    let get = |k: &str| {
        props
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {k} in {props:?}"))
    };
    assert_eq!(get("file"), path);
    assert_eq!(get("line"), "2");
    assert_eq!(get("endLine"), "2");
    assert_eq!(get("col"), "1");
    assert_eq!(get("endColumn"), "3");
    assert_eq!(get("title"), "ordlint barrier-publication");
    assert!(msg.starts_with(message), "{msg:?}");
    assert!(msg.ends_with("see https://ordlint.github.io/ordlint/rules/barrier-publication.html"));
}

#[test]
fn escaping_is_exact() {
    let d = diag(
        "a,b:c%.c",
        "x = 1;\n",
        Span::new(0, 1),
        Severity::Error,
        "50%: a,b\nc\r",
    );
    let out = github(&[d]);
    assert_eq!(
        out,
        "::error file=a%2Cb%3Ac%25.c,line=1,endLine=1,col=1,endColumn=2,title=ordlint barrier-publication::50%25: a,b%0Ac%0D%0Asee https://ordlint.github.io/ordlint/rules/barrier-publication.html\n"
    );
}

#[test]
fn severities_map_to_error_warning_notice() {
    let t = "x;\n";
    let cmds: Vec<String> = [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .map(|s| parse(github(&[diag("x.c", t, Span::new(0, 1), s, "m")]).trim_end()).0)
        .collect();
    assert_eq!(cmds, ["error", "warning", "notice"]);
}

#[test]
fn multi_line_spans_omit_columns_and_related_sites_are_notes() {
    let text = "a;\nb;\nc;\n";
    let mut d = diag("x.c", text, Span::new(0, 5), Severity::Warning, "m");
    d.help = Some("use `smp_store_release()`".to_owned());
    d.related.push(Related {
        location: Location::new("y.c", Span::new(3, 4), &LineIndex::new(text)),
        message: "reader polls without acquire".to_owned(),
    });
    let out = github(&[d]);
    let (_, props, msg) = parse(out.trim_end());
    let keys: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["file", "line", "endLine", "title"]);
    assert_eq!(
        msg,
        "m\nhelp: use `smp_store_release()`\nnote: y.c:2:1: reader polls without acquire\nsee https://ordlint.github.io/ordlint/rules/barrier-publication.html"
    );
}

#[test]
fn no_diagnostics_print_nothing() {
    assert_eq!(github(&[]), "");
}
