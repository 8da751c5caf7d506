//! `--format sarif`: one SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format),
//! as GitHub code scanning and other CI dashboards read it.
//!
//! One run with one tool component (`ordlint`) whose `rules` are the enabled rules, in the
//! order given, followed by any rule that only appears in results (such as `internal-error`).
//! Each result names its rule by id and index, carries the primary site, the partner sites as
//! `relatedLocations` and the fix as `fixes`. Paths are emitted as relative URIs against the
//! `%SRCROOT%` base (the directory `ordlint check` ran in) unless they are absolute, in which
//! case they become `file://` URIs. Columns count Unicode code points (`columnKind`), as
//! ordlint's `Position` does; end columns are exclusive, as in SARIF.
//!
//! Deliberately absent: fingerprints (GitHub's upload action computes its own line hashes),
//! artifact tables and invocation records; the renderer does no I/O.

use ordlint_diagnostics::{
    rule_url, Applicability, Diagnostic, Fix, Location, RuleInfo, Severity, RULE_DOCS_BASE,
};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The `$schema` URI written at the top of the log.
pub const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The URI base id that relative artifact URIs are resolved against (the working directory of
/// the run, which CI sets to the repository root).
pub const SRCROOT: &str = "%SRCROOT%";

/// Render `diagnostics` as one pretty-printed SARIF 2.1.0 log. `rules` describes the enabled
/// rules (from `RuleDef::info()` in the CLI); rules named by diagnostics but missing from it get
/// a minimal descriptor (id, level and, except for `internal-error`, the rule page) so every
/// `ruleIndex` is valid.
pub fn sarif(diagnostics: &[Diagnostic], rules: &[RuleInfo]) -> String {
    let mut s = serde_json::to_string_pretty(&sarif_value(diagnostics, rules))
        .unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}

/// The SARIF log as a JSON value (see [`sarif`]).
pub fn sarif_value(diagnostics: &[Diagnostic], rules: &[RuleInfo]) -> Value {
    let mut descriptors: Vec<Value> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for r in rules {
        if !index.contains_key(&r.name) {
            index.insert(r.name.clone(), descriptors.len());
            descriptors.push(rule_descriptor(r));
        }
    }
    let mut extra: BTreeMap<&str, Severity> = BTreeMap::new();
    for d in diagnostics {
        if !index.contains_key(&d.rule) {
            extra.entry(&d.rule).or_insert(d.severity);
        }
    }
    for (name, severity) in extra {
        index.insert(name.to_owned(), descriptors.len());
        let mut descriptor = json!({
            "id": name,
            "name": name,
            "shortDescription": { "text": name },
            "defaultConfiguration": { "level": level(severity) },
        });
        if name != "internal-error" {
            descriptor["helpUri"] = Value::from(rule_url(name));
        }
        descriptors.push(descriptor);
    }
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| result(d, index.get(&d.rule).copied().unwrap_or(0)))
        .collect();
    json!({
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ordlint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": information_uri(),
                    "rules": descriptors,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// The book's front page: the rule reference's base without its last segment.
fn information_uri() -> String {
    let base = RULE_DOCS_BASE.trim_end_matches('/');
    match base.rsplit_once('/') {
        Some((book, _)) => format!("{book}/"),
        None => base.to_owned(),
    }
}

/// SARIF `level` of a severity: `info` becomes `note`.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule_descriptor(r: &RuleInfo) -> Value {
    let tier = match r.tier {
        ordlint_diagnostics::Tier::Default => "default",
        ordlint_diagnostics::Tier::Pedantic => "pedantic",
    };
    let fix = match r.fix {
        ordlint_diagnostics::FixAvailability::Always => "always",
        ordlint_diagnostics::FixAvailability::Sometimes => "sometimes",
        ordlint_diagnostics::FixAvailability::Never => "never",
    };
    let summary = if r.summary.trim().is_empty() {
        r.name.clone()
    } else {
        r.summary.clone()
    };
    let full = format!(
        "{summary} Languages: {}. Tier: {tier}. Fix: {fix}.",
        r.languages.join(", ")
    );
    let mut tags = vec![
        Value::from("memory-ordering"),
        Value::from(tier),
        Value::from("correctness"),
    ];
    tags.extend(r.languages.iter().map(|l| Value::from(l.as_str())));
    json!({
        "id": r.name,
        "name": r.name,
        "shortDescription": { "text": summary },
        "fullDescription": { "text": full },
        "help": {
            "text": format!("{summary}\nSee {} for examples, the fix and how to suppress it.", r.url),
            "markdown": format!("{summary}\n\nSee [{}]({}) for examples, the fix and how to suppress it.", r.name, r.url),
        },
        "helpUri": r.url,
        "defaultConfiguration": { "level": level(r.default_severity) },
        "properties": { "tags": tags },
    })
}

fn result(d: &Diagnostic, rule_index: usize) -> Value {
    let text = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let mut r = Map::new();
    r.insert("ruleId".into(), Value::from(d.rule.as_str()));
    r.insert("ruleIndex".into(), Value::from(rule_index));
    r.insert("level".into(), Value::from(level(d.severity)));
    r.insert("message".into(), json!({ "text": text }));
    r.insert(
        "locations".into(),
        json!([{ "physicalLocation": physical(&d.location) }]),
    );
    if !d.related.is_empty() {
        let related: Vec<Value> = d
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                json!({
                    "id": i,
                    "physicalLocation": physical(&rel.location),
                    "message": { "text": rel.message },
                })
            })
            .collect();
        r.insert("relatedLocations".into(), Value::from(related));
    }
    if let Some(fix) = &d.fix {
        r.insert("fixes".into(), json!([fix_value(fix)]));
    }
    Value::Object(r)
}

fn fix_value(fix: &Fix) -> Value {
    // Edits are sorted by (path, span) at construction, so grouping keeps file order stable.
    let mut by_path: Vec<(&str, Vec<Value>)> = Vec::new();
    for e in &fix.edits {
        let replacement = json!({
            "deletedRegion": region(&e.location),
            "insertedContent": { "text": e.replacement },
        });
        match by_path.last_mut() {
            Some((p, list)) if *p == e.location.path => list.push(replacement),
            _ => by_path.push((&e.location.path, vec![replacement])),
        }
    }
    let changes: Vec<Value> = by_path
        .into_iter()
        .map(|(path, replacements)| {
            json!({
                "artifactLocation": artifact(path),
                "replacements": replacements,
            })
        })
        .collect();
    let applicability = match fix.applicability {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe",
        Applicability::DisplayOnly => "display-only",
    };
    json!({
        "description": { "text": fix.message },
        "artifactChanges": changes,
        "properties": { "applicability": applicability },
    })
}

fn physical(l: &Location) -> Value {
    json!({
        "artifactLocation": artifact(&l.path),
        "region": region(l),
    })
}

fn region(l: &Location) -> Value {
    json!({
        "startLine": l.start.line.max(1),
        "startColumn": l.start.column.max(1),
        "endLine": l.end.line.max(l.start.line).max(1),
        "endColumn": l.end.column.max(1),
    })
}

fn artifact(path: &str) -> Value {
    let (uri, absolute) = path_uri(path);
    if absolute {
        json!({ "uri": uri })
    } else {
        json!({ "uri": uri, "uriBaseId": SRCROOT })
    }
}

/// A path as a URI reference: `/` separators, percent-encoded outside the unreserved and
/// sub-delimiter characters; absolute paths become `file://` URIs (second value `true`).
pub fn path_uri(path: &str) -> (String, bool) {
    let slashed = path.replace('\\', "/");
    let slashed = slashed.strip_prefix("./").unwrap_or(&slashed);
    let bytes = slashed.as_bytes();
    let drive = bytes.get(1) == Some(&b':')
        && bytes.get(2) == Some(&b'/')
        && bytes.first().is_some_and(u8::is_ascii_alphabetic);
    let absolute = slashed.starts_with('/') || drive;
    let mut out = String::new();
    if absolute {
        out.push_str("file://");
        if drive {
            out.push('/');
        }
    }
    for b in slashed.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            )
            || (b == b':' && absolute);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    (out, absolute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_stay_relative_and_are_percent_encoded() {
        assert_eq!(
            path_uri("drivers/net/a b%#?.c"),
            ("drivers/net/a%20b%25%23%3F.c".to_owned(), false)
        );
        assert_eq!(path_uri("./x.c"), ("x.c".to_owned(), false));
        assert_eq!(path_uri("a:b.c"), ("a%3Ab.c".to_owned(), false));
    }

    #[test]
    fn absolute_paths_become_file_uris() {
        assert_eq!(
            path_uri("/src/linux/x.c"),
            ("file:///src/linux/x.c".to_owned(), true)
        );
        assert_eq!(
            path_uri("C:\\k\\x.c"),
            ("file:///C:/k/x.c".to_owned(), true)
        );
    }

    #[test]
    fn information_uri_is_the_book_root() {
        assert_eq!(information_uri(), "https://ordlint.github.io/ordlint/");
    }
}
