//! The background indexer: walks the workspace folders once and installs their pairing
//! index, reporting progress as it goes.

use crate::workspace::{self, SharedIndex};
use crossbeam_channel::Sender;
use ordlint_core::settings::RunSettings;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Progress of one indexing run.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexEvent {
    /// The walk found `files` C and Rust files.
    Begin {
        /// Run number.
        run: u32,
        /// Files to read.
        files: usize,
    },
    /// Percentage done.
    Report {
        /// Run number.
        run: u32,
        /// 0–100.
        percent: u32,
    },
    /// The index is installed (or the run was cancelled).
    End {
        /// Run number.
        run: u32,
        /// Files lowered into the index.
        indexed: usize,
        /// Files walked.
        files: usize,
        /// Wall time in milliseconds.
        millis: u128,
        /// False when cancelled before the end.
        complete: bool,
    },
}

/// Index `roots` on a new thread; setting the returned flag stops it between files.
pub fn spawn(
    run: u32,
    roots: Vec<PathBuf>,
    settings: Arc<RunSettings>,
    max_bytes: u64,
    index: SharedIndex,
    events: Sender<IndexEvent>,
) -> Arc<AtomicBool> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    let spawned = std::thread::Builder::new()
        .name("ordlint-index".to_owned())
        .spawn(move || {
            let started = Instant::now();
            let files = workspace::workspace_files(&roots);
            let _ = events.send(IndexEvent::Begin {
                run,
                files: files.len(),
            });
            let mut last = 0;
            let mut progress = |done: usize, total: usize| {
                let percent = (done * 100).checked_div(total).unwrap_or(100) as u32;
                if percent != last {
                    last = percent;
                    let _ = events.send(IndexEvent::Report { run, percent });
                }
            };
            let cancelled = || flag.load(Ordering::Relaxed);
            let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let (rules, api) = (&settings.rules, settings.api());
                workspace::build_index(&files, rules, &api, max_bytes, &mut progress, &cancelled)
                    .map(|built| (built, api))
            }));
            let (indexed, complete) = match built {
                Ok(Some(((built, indexed), api))) => {
                    index.install(built, api);
                    (indexed, true)
                }
                _ => (0, false),
            };
            let _ = events.send(IndexEvent::End {
                run,
                indexed,
                files: files.len(),
                millis: started.elapsed().as_millis(),
                complete,
            });
        });
    if spawned.is_err() {
        cancel.store(true, Ordering::Relaxed);
    }
    cancel
}
