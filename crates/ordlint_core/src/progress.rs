//! Progress of a run, reported to an observer the caller provides (the CLI draws a bar on a
//! tty). The engine only counts; it never prints.

use std::fmt;
use std::sync::Arc;

/// The phases a run goes through, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading every file and lowering those with a trigger token.
    Reading,
    /// Reading the other files again for partner sites of what the candidates publish.
    Partners,
    /// Linting the lowered files.
    Linting,
}

impl Phase {
    /// A short lowercase label.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Reading => "reading",
            Phase::Partners => "partners",
            Phase::Linting => "linting",
        }
    }
}

/// Observer of a run's progress. Called from worker threads, so it must be cheap and
/// thread-safe.
pub trait Progress: Send + Sync {
    /// A phase starts with `total` files to go through.
    fn start(&self, phase: Phase, total: usize);
    /// `files` more files are done; `findings` more diagnostics were found.
    fn advance(&self, files: usize, findings: usize);
    /// The run is over.
    fn finish(&self);
}

/// A shareable [`Progress`] in [`crate::RunOptions`].
#[derive(Clone)]
pub struct ProgressSink(pub Arc<dyn Progress>);

impl fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressSink")
    }
}

/// Report to `sink`, if there is one.
pub(crate) fn report(sink: Option<&ProgressSink>, call: impl FnOnce(&dyn Progress)) {
    if let Some(s) = sink {
        call(s.0.as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check_sources, RunOptions, SourceFile};
    use std::sync::Mutex;

    /// Records every call.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<(Option<Phase>, usize, usize)>>);

    impl Progress for Recorder {
        fn start(&self, phase: Phase, total: usize) {
            if let Ok(mut v) = self.0.lock() {
                v.push((Some(phase), total, 0));
            }
        }
        fn advance(&self, files: usize, findings: usize) {
            if let Ok(mut v) = self.0.lock() {
                v.push((None, files, findings));
            }
        }
        fn finish(&self) {}
    }

    #[test]
    fn every_file_of_every_phase_is_counted_with_the_findings() {
        let flag = "struct w { int data; bool ready; };\nvoid publish(struct w *w)\n{\n\tw->data = 1;\n\tbarrier();\n\tw->ready = true;\n}\n";
        let sources: Vec<SourceFile> = [("a.c", flag), ("b.c", "int x;\n"), ("c.c", "int y;\n")]
            .iter()
            .filter_map(|(p, t)| SourceFile::new(*p, (*t).to_owned()))
            .collect();
        let recorder = Arc::new(Recorder::default());
        let options = RunOptions {
            rules: crate::RuleSet::defaults_and_pairing(),
            progress: Some(ProgressSink(recorder.clone())),
            ..RunOptions::default()
        };
        let result = check_sources(sources, &options);
        let calls = recorder.0.lock().map(|v| v.clone()).unwrap_or_default();
        let done_in = |phase: Phase| -> (usize, usize) {
            let start = calls.iter().position(|c| c.0 == Some(phase));
            let Some(start) = start else { return (0, 0) };
            calls
                .iter()
                .skip(start + 1)
                .take_while(|c| c.0.is_none())
                .fold((0, 0), |(f, d), c| (f + c.1, d + c.2))
        };
        assert!(calls.contains(&(Some(Phase::Reading), 3, 0)));
        assert_eq!(done_in(Phase::Reading).0, 3);
        assert!(calls.contains(&(Some(Phase::Partners), 2, 0)));
        assert_eq!(done_in(Phase::Partners).0, 2);
        assert_eq!(
            done_in(Phase::Linting),
            (1, result.diagnostics.len()),
            "one candidate linted, its findings counted"
        );
        assert!(!result.diagnostics.is_empty());
    }
}
