//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Find memory-ordering smells in kernel-style C and Rust.
#[derive(Debug, Parser)]
#[command(name = "ordlint", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories (default: the current directory).
    Check(Box<CheckArgs>),
    /// List the rules, or show one rule's page.
    Rule(RuleArgs),
    /// Run the language server on stdin/stdout (for editors).
    Lsp,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Source snippets for a terminal.
    Human,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// One SARIF 2.1.0 log (GitHub code scanning and other dashboards).
    Sarif,
    /// GitHub Actions workflow commands (annotations on a pull request).
    Github,
}

/// When to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments of `ordlint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to lint (.c, .h, .rs); directories are walked honouring .gitignore.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Enable exactly these rules (comma-separated names, `ALL`, `default` or `pedantic`).
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Enable these rules on top of the selection (e.g. pedantic ones).
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Disable these rules.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print counters (files, parsed, partners) to stderr at the end.
    #[arg(long)]
    pub statistics: bool,
    /// Do not draw the progress bar (it is drawn on stderr only when stderr is a terminal).
    #[arg(long)]
    pub no_progress: bool,
    /// Exit 0 even when diagnostics are found (report-only pipelines).
    #[arg(long)]
    pub exit_zero: bool,
    /// Parse every file, even those without any rule's trigger tokens (slow; for testing).
    #[arg(long, hide = true)]
    pub no_prefilter: bool,
    /// Read the source from stdin and lint it as if it were this path.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Use this configuration file instead of discovering `ordlint.toml`.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Apply safe fixes (re-linting until nothing changes) and report what remains.
    #[arg(long)]
    pub fix: bool,
    /// Also apply unsafe fixes (partner sites in other files, loop rewrites); implies --fix.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what --fix (or --unsafe-fixes) would change; write nothing.
    #[arg(long)]
    pub diff: bool,
    /// Write an `ordlint: allow(…) -- TODO: justify` comment above each finding.
    #[arg(long, conflicts_with_all = ["fix", "unsafe_fixes", "diff"])]
    pub add_suppressions: bool,
    /// Report only findings on lines added or changed since this git revision (working tree,
    /// staged and unstaged changes and untracked files included); whole files are still linted.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Like --since, with the changed lines read from a unified diff (`-` for stdin), e.g. a
    /// mailed patch applied to the tree; its paths (`b/` stripped) are relative to the current
    /// directory.
    #[arg(long, value_name = "PATCH", conflicts_with = "since")]
    pub diff_file: Option<PathBuf>,
    /// Report only findings not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record all current findings in this baseline file, print nothing and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// Arguments of `ordlint rule`.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// The rule to show; without it, all rules are listed.
    pub name: Option<String>,
    /// Print the trigger tokens of the default rules as one regular expression (for the
    /// benchmark's file-scan floor).
    #[arg(long, hide = true, conflicts_with = "name")]
    pub triggers: bool,
    /// With `--triggers`: add these rules to the default ones (comma-separated), as
    /// `ordlint check --extend-select` does.
    #[arg(
        long,
        hide = true,
        requires = "triggers",
        value_delimiter = ',',
        value_name = "RULES"
    )]
    pub extend_select: Vec<String>,
}
