//! What a rule is and what it is handed: metadata, the check function, the context and the
//! report that turns byte spans into diagnostics.

use crate::pairing::PairingIndex;
use ordlint_diagnostics::{
    rule_url, Diagnostic, Fix, FixAvailability, LineIndex, Location, Related, RuleInfo, Severity,
    Span, Tier,
};
use ordlint_ir::{FileIr, Language};

/// Languages a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Langs {
    /// C only.
    C,
    /// Rust only.
    Rust,
    /// Both.
    Both,
}

impl Langs {
    /// True when the rule runs on files of `lang`.
    pub fn covers(self, lang: Language) -> bool {
        matches!(
            (self, lang),
            (Langs::Both, _) | (Langs::C, Language::C) | (Langs::Rust, Language::Rust)
        )
    }

    /// Lowercase language names.
    pub fn names(self) -> Vec<String> {
        match self {
            Langs::C => vec!["c".into()],
            Langs::Rust => vec!["rust".into()],
            Langs::Both => vec!["c".into(), "rust".into()],
        }
    }
}

/// A rule's declaration: everything the registry, the prefilter, the docs and the driver
/// need to know, and the check itself.
pub struct RuleDef {
    /// Kebab-case name; reads well after `allow(`.
    pub name: &'static str,
    /// The rule page (Markdown), the single source for `ordlint rule NAME` and the book.
    pub page: &'static str,
    /// Default or pedantic.
    pub tier: Tier,
    /// Default severity.
    pub severity: Severity,
    /// Languages covered.
    pub langs: Langs,
    /// Tokens at least one of which must occur in a file for the rule to be able to fire
    /// there (the prefilter's input; a test checks soundness on every fixture).
    pub triggers: &'static [&'static str],
    /// Tokens one of which must also occur in the file for the rule to fire there, beside a
    /// trigger (what it needs that is too common to trigger on); empty when a trigger is
    /// enough. The definitions lowered are still those around the triggers.
    pub also_needs: &'static [&'static str],
    /// The rule asks the pairing index about sites in *other* files (so the run must collect
    /// reader/writer facts from files beyond the candidates). Same-file pairing needs no flag.
    pub pairing: bool,
    /// The rule can also fire in files that lack its triggers but were pulled into the run
    /// because they access a location published elsewhere (a reader-side rule).
    pub fires_on_partners: bool,
    /// The rule checks the partners that "pairs with" comments name
    /// ([`crate::partner_comments`]): the run records which of them the files beyond the
    /// candidates mention.
    pub partner_names: bool,
    /// For a pairing rule: the sites it uses from other files, of locations published with
    /// CPU ordering (a release store, or a store after `smp_wmb()`/`smp_mb()`), are only in
    /// definitions that contain one of these tokens (a marked or atomic read, a polling loop,
    /// a publishing write); `None` when any access may count. Locations published after a
    /// compiler barrier always get every site. The run parses no other definition of other
    /// files for such locations.
    pub reader_shapes: Option<&'static [&'static str]>,
    /// Whether the rule offers fixes.
    pub fix: FixAvailability,
    /// The check, run once per file.
    pub check: fn(&RuleContext<'_>, &mut Report<'_>),
}

impl RuleDef {
    /// The first sentence under the page's "What it does" heading (or its first paragraph).
    pub fn summary(&self) -> String {
        page_summary(self.page)
    }

    /// Metadata for renderers.
    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            name: self.name.to_owned(),
            summary: self.summary(),
            tier: self.tier,
            default_severity: self.severity,
            languages: self.langs.names(),
            fix: self.fix,
            url: rule_url(self.name),
        }
    }
}

impl std::fmt::Debug for RuleDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleDef")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The first prose paragraph after "## What it does", joined into one line.
fn page_summary(page: &str) -> String {
    let body = page
        .split_once("## What it does")
        .map_or(page, |(_, rest)| rest);
    let para: Vec<&str> = body
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    para.join(" ")
}

/// Everything a rule may look at for one file.
pub struct RuleContext<'a> {
    /// The file's path as reported.
    pub path: &'a str,
    /// The file's text (annotation blanking is not applied here: it is the real text).
    pub source: &'a str,
    /// The lowered file.
    pub ir: &'a FileIr,
    /// The file's language.
    pub language: Language,
    /// Line index of `source`.
    pub lines: &'a LineIndex,
    /// Writers and readers of shared locations across the whole run.
    pub index: &'a PairingIndex,
}

impl<'a> RuleContext<'a> {
    /// Source text of `span` (empty when out of range).
    pub fn text(&self, span: Span) -> &'a str {
        self.source.get(span.start..span.end).unwrap_or("")
    }

    /// Resolve a span of this file into a location.
    pub fn location(&self, span: Span) -> Location {
        Location::new(self.path, span, self.lines)
    }
}

/// Collects a rule's diagnostics for one file.
pub struct Report<'a> {
    rule: &'a RuleDef,
    ctx: &'a RuleContext<'a>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Report<'a> {
    /// A report for `rule` on the file of `ctx`.
    pub fn new(rule: &'a RuleDef, ctx: &'a RuleContext<'a>) -> Self {
        Report {
            rule,
            ctx,
            diagnostics: Vec::new(),
        }
    }

    /// Add a diagnostic at `span` of the current file; refine it through the returned builder.
    pub fn warn(&mut self, span: Span, message: impl Into<String>) -> DiagnosticBuilder<'_> {
        self.diagnostics.push(Diagnostic {
            rule: self.rule.name.to_owned(),
            severity: self.rule.severity,
            message: message.into(),
            location: self.ctx.location(span),
            help: None,
            fix: None,
            related: Vec::new(),
        });
        let len = self.diagnostics.len();
        DiagnosticBuilder {
            diagnostic: &mut self.diagnostics[len - 1],
        }
    }

    /// The collected diagnostics, with their texts on one line each (messages quote source
    /// text, which can span lines).
    pub fn finish(mut self) -> Vec<Diagnostic> {
        for d in &mut self.diagnostics {
            d.message = ordlint_diagnostics::one_line(&d.message);
            d.help = d.help.as_deref().map(ordlint_diagnostics::one_line);
            for r in &mut d.related {
                r.message = ordlint_diagnostics::one_line(&r.message);
            }
            if let Some(fix) = &mut d.fix {
                fix.message = ordlint_diagnostics::one_line(&fix.message);
            }
            // Edits of one fix that overlap cannot all be applied, and half a fix can change
            // meaning (delete a store whose rewrite was skipped): a rule bug, shown in debug
            // builds (the fuzzer's), and in release builds the diagnostic goes without a fix.
            let consistent = d.fix.as_ref().is_none_or(|fix| {
                fix.edits.iter().enumerate().all(|(i, e)| {
                    crate::fixes::disjoint(e, fix.edits.get(i + 1..).unwrap_or_default())
                })
            });
            debug_assert!(consistent, "{}: overlapping edits in one fix", d.rule);
            if !consistent {
                d.fix = None;
            }
        }
        self.diagnostics
    }
}

/// Refines the diagnostic just added.
pub struct DiagnosticBuilder<'r> {
    diagnostic: &'r mut Diagnostic,
}

impl DiagnosticBuilder<'_> {
    /// Set the help text (imperative).
    pub fn help(self, help: impl Into<String>) -> Self {
        self.diagnostic.help = Some(help.into());
        self
    }

    /// Add a partner site.
    pub fn related(self, location: Location, message: impl Into<String>) -> Self {
        self.diagnostic.related.push(Related {
            location,
            message: message.into(),
        });
        self
    }

    /// Attach a fix (`None` leaves the diagnostic without one).
    pub fn fix(self, fix: Option<Fix>) -> Self {
        self.diagnostic.fix = fix;
        self
    }
}
