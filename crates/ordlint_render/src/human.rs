//! Human output: codespan-reporting snippets with the partner sites as secondary labels.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::Buffer, Config};
use ordlint_diagnostics::{Applicability, Diagnostic, Location, Severity};
use std::collections::BTreeMap;

/// The texts of the files that diagnostics point into, by path.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    texts: BTreeMap<String, String>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record the text of `path`.
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.texts.insert(path.into(), text.into());
    }

    /// The text of `path`, if known.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.texts.get(path).map(String::as_str)
    }

    /// True when `path` is known.
    pub fn contains(&self, path: &str) -> bool {
        self.texts.contains_key(path)
    }
}

/// Render diagnostics for a terminal; `color` adds ANSI colours.
pub fn human(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let mut files = SimpleFiles::new();
    let mut ids = BTreeMap::new();
    let mut file_id = |path: &str| -> Option<usize> {
        if let Some(id) = ids.get(path) {
            return Some(*id);
        }
        let text = sources.get(path)?;
        let id = files.add(path.to_owned(), text.to_owned());
        ids.insert(path.to_owned(), id);
        Some(id)
    };
    let config = Config::default();
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let mut plain = String::new();
    let mut rendered = Vec::new();
    for d in diagnostics {
        let Some(primary) = file_id(&d.location.path).filter(|_| in_bounds(sources, &d.location))
        else {
            plain.push_str(&one_line(d));
            continue;
        };
        let mut labels = vec![Label::primary(primary, range(&d.location))];
        let mut notes = Vec::new();
        for r in &d.related {
            match file_id(&r.location.path).filter(|_| in_bounds(sources, &r.location)) {
                Some(id) => {
                    labels.push(Label::secondary(id, range(&r.location)).with_message(&r.message))
                }
                None => notes.push(format!(
                    "{}:{}:{}: {}",
                    r.location.path, r.location.start.line, r.location.start.column, r.message
                )),
            }
        }
        if let Some(help) = &d.help {
            notes.push(format!("help: {help}"));
        }
        if let Some(fix) = &d.fix {
            let how = match fix.applicability {
                Applicability::Safe => "fix available with --fix",
                Applicability::Unsafe => "fix available with --fix --unsafe-fixes",
                Applicability::DisplayOnly => "suggested fix",
            };
            notes.push(format!("{how}: {}", fix.message));
        }
        let cs = CsDiagnostic::new(severity(d.severity))
            .with_code(&d.rule)
            .with_message(&d.message)
            .with_labels(labels)
            .with_notes(notes);
        rendered.push(cs);
    }
    for cs in &rendered {
        if term::emit_to_write_style(&mut buffer, &config, &files, cs).is_err() {
            plain.push_str(&format!(
                "{}: {}\n",
                cs.code.as_deref().unwrap_or(""),
                cs.message
            ));
        }
    }
    let mut out = String::from_utf8_lossy(buffer.as_slice()).into_owned();
    out.push_str(&plain);
    out
}

fn in_bounds(sources: &SourceMap, l: &Location) -> bool {
    sources.get(&l.path).is_some_and(|t| {
        l.span.end <= t.len() && t.is_char_boundary(l.span.start) && t.is_char_boundary(l.span.end)
    })
}

fn range(l: &Location) -> std::ops::Range<usize> {
    l.span.start..l.span.end
}

fn severity(s: Severity) -> CsSeverity {
    match s {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    }
}

/// `path:line:col: severity[rule]: message`, for diagnostics whose file text is unavailable.
fn one_line(d: &Diagnostic) -> String {
    format!(
        "{}:{}:{}: {}[{}]: {}\n",
        d.location.path,
        d.location.start.line,
        d.location.start.column,
        d.severity,
        d.rule,
        d.message
    )
}
