//! The progress bar of long `ordlint check` runs: drawn on stderr only when stderr is a
//! terminal (never in pipes, files or CI logs), and cleared when the run ends.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ordlint_core::{Phase, Progress, ProgressSink};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A bar of files done / total for the current phase, with the findings so far.
struct Bar {
    bar: ProgressBar,
    findings: AtomicUsize,
}

impl Progress for Bar {
    fn start(&self, phase: Phase, total: usize) {
        self.bar.set_prefix(phase.label());
        self.bar.set_length(total as u64);
        self.bar.set_position(0);
    }

    fn advance(&self, files: usize, findings: usize) {
        if findings > 0 {
            let n = self.findings.fetch_add(findings, Ordering::Relaxed) + findings;
            self.bar.set_message(format!("{n} findings"));
        }
        self.bar.inc(files as u64);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A progress sink for a run, or `None` when stderr is not a terminal or the user said no.
pub fn for_terminal(disabled: bool) -> Option<ProgressSink> {
    if disabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let style =
        ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} files {msg} ({elapsed})")
            .ok()?
            .progress_chars("=> ");
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
    bar.set_style(style);
    Some(ProgressSink(Arc::new(Bar {
        bar,
        findings: AtomicUsize::new(0),
    })))
}
