//! A whole run over paths: walk, read, prefilter, lower, build the pairing index, lint.

use crate::prefilter::{PartnerEntry, PartnerFilter, Prefilter, ReaderGate};
use crate::progress::{report, Phase, ProgressSink};
use crate::{lint, ApiExtensions, LoweredFile, RuleSet, SourceFile};
use ordlint_diagnostics::Diagnostic;
use ordlint_ir::{FileIr, KeyKind, Language};
use ordlint_rules::PairingIndex;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Options of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Enabled rules.
    pub rules: RuleSet,
    /// Worker threads; `None` = all cores.
    pub jobs: Option<usize>,
    /// Skip files that contain no trigger token (on by default; off for soundness tests).
    pub prefilter: bool,
    /// Files larger than this many bytes are skipped with a message.
    pub max_file_bytes: u64,
    /// The project's own kernel-API helpers (`[kernel-api]` in `ordlint.toml`): lowered like
    /// the kernel's, and added to the prefilter's trigger tokens so files that use only them
    /// are still parsed.
    pub api: ApiExtensions,
    /// Where to report progress (files done, findings so far), if anywhere.
    pub progress: Option<ProgressSink>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            rules: RuleSet::defaults(),
            jobs: None,
            prefilter: true,
            max_file_bytes: 64 << 20,
            api: ApiExtensions::default(),
            progress: None,
        }
    }
}

/// A file that could not be linted, and why (one line, lowercase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The path.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// Counters of a run, for `--statistics` and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Files found by the walk with a C or Rust extension.
    pub files: usize,
    /// Bytes of the files that were lowered (candidates and partners).
    pub bytes: u64,
    /// Bytes actually parsed: the lowered definitions of sliced files, all of other files.
    pub parsed_bytes: u64,
    /// Files that contained a trigger token and were parsed.
    pub candidates: usize,
    /// Files parsed because they access a location a candidate publishes.
    pub partners: usize,
    /// Files whose lowering reported a fatal problem.
    pub unparsed: usize,
    /// Wall time of each phase in milliseconds: candidates (read, prefilter, lower),
    /// partners (scan, lower), index, lint.
    pub phase_ms: [u128; 4],
}

/// Everything a run produced.
#[derive(Debug, Default)]
pub struct RunResult {
    /// Diagnostics, sorted by (path, line, column, rule).
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be read, decoded or parsed, sorted by path.
    pub errors: Vec<FileError>,
    /// Counters.
    pub stats: RunStats,
}

/// Errors that stop a run before it starts (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A path given on the command line does not exist.
    #[error("{0}: no such file or directory")]
    Missing(String),
    /// The thread pool could not be created.
    #[error("cannot start {0} worker threads")]
    Threads(usize),
}

/// A partner-phase file: lowered (or failed) when it holds partner sites, and the partner
/// names it mentions.
type PartnerLoad = (Option<Result<LoweredFile, FileError>>, Vec<String>);

/// What loading one input item gave.
enum Loaded {
    /// Read, decoded and wanted by the filter of this phase.
    Source(SourceFile),
    /// Read, but not wanted by the filter of this phase.
    Other,
    /// Could not be read or decoded.
    Failed(FileError),
}

/// Lint every C and Rust file under `paths`.
pub fn check_paths(paths: &[PathBuf], options: &RunOptions) -> Result<RunResult, RunError> {
    for p in paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(RunError::Missing(p.display().to_string()));
        }
    }
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = options.jobs {
        builder = builder.num_threads(jobs.max(1));
    }
    let pool = builder
        .build()
        .map_err(|_| RunError::Threads(options.jobs.unwrap_or(0)))?;
    let (files, mut errors) = collect_files(paths);
    Ok(pool.install(|| {
        run_with(files, &mut errors, options, |p, wanted| {
            load(p, options, wanted)
        })
    }))
}

/// Lint in-memory sources as one run, exactly as `check_paths` would lint them from disk
/// (prefilter, pairing pass and all). Used by editors, stdin and the fixture harness.
pub fn check_sources(sources: Vec<SourceFile>, options: &RunOptions) -> RunResult {
    let mut errors = Vec::new();
    run_with(sources, &mut errors, options, |s, wanted| {
        if s.text.as_bytes().contains(&0) {
            return Loaded::Failed(FileError {
                path: s.path.clone(),
                message: "skipped: binary file (contains NUL bytes)".to_owned(),
            });
        }
        if !wanted(s.text.as_bytes()) {
            return Loaded::Other;
        }
        Loaded::Source(s.clone())
    })
}

/// The phases of a run, over any kind of input item `T` that `load` can read:
/// 1. load every item and lower those with a trigger token of an enabled rule (candidates);
/// 2. index the candidates and collect the locations they publish;
/// 3. when an enabled rule pairs sites across files, load the other items again and lower
///    the definitions that mention a published location (partners), and index them; when an
///    enabled rule checks the partners "pairs with" comments name, record which of the names
///    no candidate knows the other items mention;
/// 4. lint candidates with all enabled rules and partners with the reader-side rules.
fn run_with<T: Sync + Send>(
    items: Vec<T>,
    errors: &mut Vec<FileError>,
    options: &RunOptions,
    load: impl Fn(&T, &dyn Fn(&[u8]) -> bool) -> Loaded + Sync,
) -> RunResult {
    let mut stats = RunStats {
        files: items.len(),
        ..RunStats::default()
    };
    let mut clock = std::time::Instant::now();
    let mut lap = |slot: usize, stats: &mut RunStats| {
        if let Some(ms) = stats.phase_ms.get_mut(slot) {
            *ms += clock.elapsed().as_millis();
        }
        clock = std::time::Instant::now();
    };
    let prefilter = Prefilter::with_extra(&options.rules, &options.api.names());
    let wanted = |b: &[u8]| !options.prefilter || prefilter.matches(b);
    let progress = options.progress.as_ref();
    report(progress, |p| p.start(Phase::Reading, items.len()));
    let loaded: Vec<(usize, Result<Option<LoweredFile>, FileError>)> = items
        .par_iter()
        .enumerate()
        .map(|(i, item)| {
            report(progress, |p| p.advance(1, 0));
            let result = match load(item, &wanted) {
                // Lowered around its triggers, and around the uses of what those definitions
                // publish or declare, where same-file partners live.
                Loaded::Source(s) if options.prefilter => lower_guarded(s, |s| {
                    let offsets = prefilter.offsets(s.text.as_bytes());
                    LoweredFile::around_then(s, &offsets, &options.api, |ir, text| {
                        own_names_filter(ir).partner_offsets(text.as_bytes())
                    })
                })
                .map(Some),
                Loaded::Source(s) => {
                    lower_guarded(s, |s| LoweredFile::new_with(s, &options.api)).map(Some)
                }
                Loaded::Other => Ok(None),
                Loaded::Failed(e) => Err(e),
            };
            (i, result)
        })
        .collect();

    let mut candidates = Vec::new();
    let mut others = Vec::new();
    for (i, l) in loaded {
        match l {
            Ok(Some(f)) => candidates.push(f),
            Ok(None) => others.push(i),
            Err(e) => errors.push(e),
        }
    }
    stats.candidates = candidates.len();
    lap(0, &mut stats);

    let pairing = options.rules.iter().any(|r| r.pairing);
    let shapes = options.rules.reader_shapes();
    let filter = partner_filter(&candidates, pairing, shapes.as_deref());
    let gate = ReaderGate::new(shapes.as_deref().unwrap_or_default(), &options.api.names());
    // Also lower the definitions of candidates that mention what other candidates publish,
    // and index them, in parallel.
    candidates.par_iter_mut().for_each(|f| {
        let hits = filter.partner_hits(f.source.text.as_bytes());
        f.extend_around(&hits, &gate, &options.api);
    });
    let mut index = index_of(&candidates);
    lap(2, &mut stats);
    let wants_names = options.rules.iter().any(|r| r.partner_names);
    let partners: Vec<LoweredFile> = if pairing || wants_names {
        let names = if wants_names {
            unresolved_names_filter(&candidates, &index)
        } else {
            PartnerFilter::new(&[])
        };
        let mentions = |b: &[u8]| {
            !filter.partner_offsets(b).is_empty() || !names.partner_offsets(b).is_empty()
        };
        report(progress, |p| p.start(Phase::Partners, others.len()));
        // A file that only mentions a partner name is not lowered: the mention is recorded.
        let loaded: Vec<PartnerLoad> = others
            .into_par_iter()
            .inspect(|_| report(progress, |p| p.advance(1, 0)))
            .filter_map(|i| match load(items.get(i)?, &mentions) {
                Loaded::Source(s) => {
                    let found = words_at(&s.text, &names.partner_offsets(s.text.as_bytes()));
                    let hits = filter.partner_hits(s.text.as_bytes());
                    let file = (!hits.is_empty())
                        .then(|| {
                            lower_guarded(s, |s| {
                                LoweredFile::around_hits(s, &hits, &gate, &options.api)
                            })
                            .transpose()
                        })
                        .flatten();
                    Some((file, found))
                }
                Loaded::Other => None,
                Loaded::Failed(e) => Some((Some(Err(e)), Vec::new())),
            })
            .collect();
        let mut partners = Vec::new();
        for (file, found) in loaded {
            index.add_names(found);
            match file {
                Some(Ok(f)) => partners.push(f),
                Some(Err(e)) => errors.push(e),
                None => {}
            }
        }
        partners
    } else {
        Vec::new()
    };
    stats.partners = partners.len();
    lap(1, &mut stats);
    index.merge(index_of(&partners));
    index.finish();
    lap(2, &mut stats);

    let partner_rules = options.rules.partner_subset();
    report(progress, |p| {
        p.start(Phase::Linting, candidates.len() + partners.len())
    });
    let counted = |d: Vec<Diagnostic>| {
        report(progress, |p| p.advance(1, d.len()));
        d
    };
    let mut diagnostics: Vec<Diagnostic> = candidates
        .par_iter()
        .map(|f| counted(lint(f, &index, &options.rules)))
        .chain(
            partners
                .par_iter()
                .map(|f| counted(lint(f, &index, &partner_rules))),
        )
        .flatten()
        .collect();
    report(progress, |p| p.finish());
    diagnostics.sort_by(Diagnostic::output_order);
    lap(3, &mut stats);

    for f in candidates.iter().chain(&partners) {
        stats.bytes += f.source.text.len() as u64;
        stats.parsed_bytes += f.slices.as_ref().map_or(f.source.text.len() as u64, |s| {
            s.iter().map(|s| (s.end - s.start) as u64).sum()
        });
        if let Some(p) = f.ir.problems.iter().find(|p| p.fatal) {
            stats.unparsed += 1;
            errors.push(FileError {
                path: f.source.path.clone(),
                message: p.message.clone(),
            });
        }
    }
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    errors.dedup();
    // Freeing a whole-tree run's IR and index (millions of small allocations) takes about a
    // second on one core, and the caller only needs the diagnostics: free them on another
    // thread (a CLI run may exit before it is done, which frees them too).
    let garbage = (candidates, partners, index);
    let _ = std::thread::Builder::new()
        .name("ordlint-free".to_owned())
        .spawn(move || drop(garbage));
    RunResult {
        diagnostics,
        errors: std::mem::take(errors),
        stats,
    }
}

/// The pairing index of `files`, built in parallel (unfinished: the caller merges and
/// finishes). A file's sites stay together and in order, so [`PairingIndex::finish`] makes the
/// result independent of how the work was split.
fn index_of(files: &[LoweredFile]) -> PairingIndex {
    files
        .par_iter()
        .fold(PairingIndex::new, |mut index, f| {
            f.add_to_index(&mut index);
            index
        })
        .reduce(PairingIndex::new, |mut a, b| {
            a.merge(b);
            a
        })
}

/// The partner filter for the locations the candidates publish: a field needs its struct
/// type named in the file too; globals and fields whose type is unknown pair only within
/// their own file (see `PairingIndex::partners`), so they are left out. With reader `shapes`
/// (see `RuleSet::reader_shapes`), the locations published with CPU ordering are gated, or
/// left out when no rule uses their readers.
fn partner_filter(
    candidates: &[LoweredFile],
    pairing: bool,
    shapes: Option<&[&str]>,
) -> PartnerFilter {
    if !pairing {
        return PartnerFilter::new(&[]);
    }
    let published: Vec<ordlint_rules::pairing::Published> = candidates
        .iter()
        .flat_map(|f| ordlint_rules::pairing::published_keys(&f.ir))
        .collect();
    let entries: Vec<PartnerEntry> = published
        .iter()
        .filter_map(|p| {
            let gated = shapes.is_some() && !p.after_compiler_barrier;
            if gated && shapes.is_some_and(|s| s.is_empty()) {
                return None;
            }
            match (p.key.kind, p.owner.as_deref()) {
                (KeyKind::Global, _) => None,
                (KeyKind::Field, Some(owner)) => Some(PartnerEntry {
                    name: &p.key.name,
                    member: true,
                    with: Some(owner),
                    gated,
                }),
                (KeyKind::Field, None) => None,
            }
        })
        .collect();
    PartnerFilter::new(&entries)
}

/// A filter for the functions that "pairs with" comments of the candidates name and that no
/// candidate defines, declares or uses: a mention in any other file of the run makes them
/// known (see `PairingIndex::add_names`).
fn unresolved_names_filter(candidates: &[LoweredFile], index: &PairingIndex) -> PartnerFilter {
    let mut names: Vec<String> = candidates
        .iter()
        .flat_map(|f| ordlint_rules::partner_comments::comment_referents(&f.ir))
        .filter(|n| !index.knows_name(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    let entries: Vec<PartnerEntry> = names
        .iter()
        .map(|n| PartnerEntry {
            name: n,
            member: false,
            with: None,
            gated: false,
        })
        .collect();
    PartnerFilter::new(&entries)
}

/// The identifiers that start at `offsets` of `text`, without duplicates.
fn words_at(text: &str, offsets: &[usize]) -> Vec<String> {
    let mut words: Vec<String> = offsets
        .iter()
        .filter_map(|&at| {
            let rest = text.get(at..)?;
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            rest.get(..end).map(str::to_owned)
        })
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// A filter for the names a lowered file publishes itself (its same-file partners need no
/// struct type to pair).
/// Also the names of its qualified declarations (`__rcu`, `volatile`, per-CPU): the
/// functions that use them are where rules about those declarations fire.
fn own_names_filter(ir: &FileIr) -> PartnerFilter {
    let published = ordlint_rules::pairing::published_keys(ir);
    let mut entries: Vec<PartnerEntry> = published
        .iter()
        .map(|p| PartnerEntry {
            name: &p.key.name,
            member: p.key.kind == KeyKind::Field,
            with: None,
            gated: false,
        })
        .collect();
    entries.extend(ir.declarations.iter().map(|d| PartnerEntry {
        name: &d.name,
        member: false,
        with: None,
        gated: false,
    }));
    PartnerFilter::new(&entries)
}

/// Lower `source` with `lower`, turning a panic into a per-file error.
fn lower_guarded<T>(
    source: SourceFile,
    lower: impl FnOnce(SourceFile) -> T,
) -> Result<T, FileError> {
    let path = source.path.clone();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lower(source))).map_err(|p| {
        FileError {
            path,
            message: format!("internal error while parsing: {}", crate::panic_message(&p)),
        }
    })
}

/// Read and decode one file; `wanted` decides from its bytes whether this phase needs it.
fn load(path: &Path, options: &RunOptions, wanted: &dyn Fn(&[u8]) -> bool) -> Loaded {
    let display = display_path(path);
    let fail = |message: String| {
        Loaded::Failed(FileError {
            path: display.clone(),
            message,
        })
    };
    let bytes = match crate::source::read_bounded(path, options.max_file_bytes) {
        Ok(Some(b)) => b,
        Ok(None) => {
            let size = std::fs::metadata(path).map_or(options.max_file_bytes + 1, |m| m.len());
            return fail(format!(
                "skipped: file is {} MiB, over the {} MiB limit",
                size >> 20,
                options.max_file_bytes >> 20
            ));
        }
        Err(e) => return fail(format!("cannot read: {}", io_message(&e))),
    };
    if bytes.contains(&0) {
        return fail("skipped: binary file (contains NUL bytes)".to_owned());
    }
    if !wanted(&bytes) {
        return Loaded::Other;
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return fail(format!(
                "skipped: not valid UTF-8 (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        }
    };
    let Some(language) = Language::from_path(&display) else {
        return fail("skipped: not a C or Rust file".to_owned());
    };
    Loaded::Source(SourceFile::with_language(display, text, language))
}

fn io_message(e: &std::io::Error) -> String {
    // The OS's own words: walk errors wrap them in "io error for operation on PATH: …".
    let s = e
        .get_ref()
        .and_then(|inner| inner.source())
        .map_or_else(|| e.to_string(), ToString::to_string);
    s.split(" (os error").next().unwrap_or(&s).to_lowercase()
}

/// The path as shown to users: relative paths stay relative, without a leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

/// Walk `paths`, keeping C and Rust files (explicitly named files are kept whatever their
/// extension, and then reported if not lintable). Honours `.ignore` files everywhere and
/// `.gitignore` inside git repositories (as ripgrep does: a kernel tarball ships a
/// `.gitignore` that ignores everything but `debian/`).
fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<FileError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .parents(true)
            .git_ignore(true)
            .require_git(true)
            .build();
        for entry in walker {
            match entry {
                Ok(e) => {
                    let explicit = e.depth() == 0;
                    let is_file = e.file_type().is_some_and(|t| t.is_file());
                    let is_link = e.file_type().is_some_and(|t| t.is_symlink());
                    let lintable = Language::from_path(&e.path().to_string_lossy()).is_some();
                    if is_link && lintable {
                        match std::fs::metadata(e.path()) {
                            Ok(m) if m.is_file() => files.push(e.into_path()),
                            Ok(_) => {}
                            Err(err) => errors.push(FileError {
                                path: display_path(e.path()),
                                message: format!(
                                    "skipped: broken symbolic link ({})",
                                    io_message(&err)
                                ),
                            }),
                        }
                    } else if is_file && (lintable || explicit) {
                        files.push(e.into_path());
                    } else if explicit
                        && !is_file
                        && lintable
                        && !e.file_type().is_some_and(|t| t.is_dir())
                    {
                        errors.push(FileError {
                            path: display_path(e.path()),
                            message: "skipped: not a regular file".to_owned(),
                        });
                    }
                }
                Err(err) => errors.push(FileError {
                    path: err_path(&err),
                    message: format!("cannot walk: {}", walk_message(&err)),
                }),
            }
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn err_path(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { path, .. } => display_path(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        _ => String::from("<walk>"),
    }
}

fn walk_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => walk_message(err),
        ignore::Error::Io(e) => io_message(e),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c_file(path: &str, text: &str) -> SourceFile {
        SourceFile::with_language(path, text.to_owned(), Language::C)
    }

    /// A writer that publishes `ring->ready` with smp_store_release() and `ring->done` after
    /// barrier(); readers of both in other files, some in definitions with no reader shape.
    fn ring_files() -> Vec<SourceFile> {
        let writer = "void ring_publish(struct fw_ring *r)\n{\n\tr->len = 64;\n\
                      \tsmp_store_release(&r->ready, 1);\n\tr->len = 32;\n\tbarrier();\n\
                      \tr->done = 1;\n}\n";
        let poll = "int ring_wait(struct fw_ring *r)\n{\n\twhile (!READ_ONCE(r->ready))\n\
                    \t\tcpu_relax();\n\treturn r->len;\n}\n";
        let test_only = "int ring_peek(struct fw_ring *r)\n{\n\tif (r->ready)\n\
                         \t\treturn r->len;\n\treturn 0;\n}\n";
        let done = "int ring_done(struct fw_ring *r)\n{\n\tif (r->done)\n\
                    \t\treturn r->len;\n\treturn 0;\n}\n";
        vec![
            c_file("writer.c", writer),
            c_file("poll.c", poll),
            c_file("peek.c", test_only),
            c_file("done.c", done),
        ]
    }

    #[test]
    fn partner_definitions_without_a_reader_shape_are_not_parsed() {
        let pairing = RunOptions {
            rules: RuleSet::defaults_and_pairing(),
            ..RunOptions::default()
        };
        let result = check_sources(ring_files(), &pairing);
        let fired: Vec<(&str, &str)> = result
            .diagnostics
            .iter()
            .map(|d| (d.location.path.as_str(), d.rule.as_str()))
            .collect();
        assert_eq!(
            fired,
            [
                ("poll.c", "unordered-flag-read"),
                ("writer.c", "barrier-publication")
            ]
        );
        // The barrier() flag's reader counts whatever its shape: it is a related site.
        let publication = &result.diagnostics[1];
        assert!(
            publication
                .related
                .iter()
                .any(|r| r.location.path == "done.c"),
            "{publication:#?}"
        );
        // peek.c only tests the release-published flag with a plain read: never reported, so
        // its definition is not parsed.
        assert_eq!(result.stats.partners, 2, "{:?}", result.stats);
        // With a rule that counts every reader, it is.
        let every_reader = RunOptions {
            rules: RuleSet::from_selection(&crate::RuleSelection {
                select: Some(vec![
                    "default".into(),
                    "barrier-publication".into(),
                    "unordered-flag-read".into(),
                    "unpaired-write-barrier".into(),
                ]),
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("{e:?}")),
            ..RunOptions::default()
        };
        let result = check_sources(ring_files(), &every_reader);
        assert_eq!(result.stats.partners, 3, "{:?}", result.stats);
    }

    #[test]
    fn stores_after_device_barriers_are_not_published_to_other_files() {
        let text = "struct ring { int len; int head; int state; int ready; int done; };\n\
                    void a(struct ring *r) { r->len = 1; wmb(); r->head = 2; }\n\
                    void b(struct ring *r) { r->len = 1; dma_wmb(); r->state = 2; }\n\
                    void c(struct ring *r) { r->len = 1; smp_wmb(); r->ready = 1; }\n\
                    void d(struct ring *r) { r->len = 1; barrier(); r->done = 1; }\n";
        let source = SourceFile::with_language("ring.c", text.to_owned(), Language::C);
        let file = LoweredFile::new(source);
        let mut names: Vec<String> = ordlint_rules::pairing::published_keys(&file.ir)
            .into_iter()
            .map(|p| p.key.name)
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["done", "ready"]);
    }
}
