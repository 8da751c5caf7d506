//! The server loop: lifecycle, document sync, debounced linting, publishing, code actions,
//! configuration, workspace indexing and cancellation. One thread owns all state; lints run
//! on the worker thread and the workspace index is built on the indexer thread.

use crate::actions::{self, EditSupport};
use crate::config::Settings;
use crate::convert::{self, Encoding};
use crate::documents::Document;
use crate::indexer::{self, IndexEvent};
use crate::lint::{self, Job, LintJob, LintOutcome};
use crate::project::{self, Projects};
use crate::transport::{self, Incoming, Outgoing};
use crate::workspace::SharedIndex;
use crossbeam_channel::{select, Receiver, Sender};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as n, Notification as _};
use lsp_types::request::{self as r, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    FileSystemWatcher, GlobPattern, InitializeParams, InitializeResult, LogTraceParams,
    MessageType, NumberOrString, ProgressParams, ProgressParamsValue, PublishDiagnosticsParams,
    Registration, RegistrationParams, SaveOptions, ServerCapabilities, ServerInfo, SetTraceParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TraceValue, Uri, WorkDoneProgress, WorkDoneProgressBegin,
    WorkDoneProgressCreateParams, WorkDoneProgressEnd, WorkDoneProgressReport,
};
use ordlint_core::pairing::PairingIndex;
use ordlint_core::RuleSelection;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `shutdown` then `exit`, or the client closed the stream.
    Clean,
    /// `exit` without `shutdown` (the protocol asks for exit status 1).
    WithoutShutdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Uninitialized,
    Running,
    ShuttingDown,
}

/// Progress reporting for the current indexing run.
#[derive(Debug)]
enum Progress {
    /// The client cannot show progress.
    Unsupported,
    /// `window/workDoneProgress/create` was sent; messages wait for the answer.
    Waiting(RequestId, Vec<WorkDoneProgress>),
    /// The token is usable.
    Ready,
}

/// Serve one client over `input`/`output` until `exit` or end of input.
pub fn serve<R, W>(input: R, output: W) -> Exit
where
    R: Read + Send + 'static,
    W: Write + Send + 'static,
{
    let incoming = transport::spawn_reader(input);
    let (out, writer) = transport::spawn_writer(output);
    let index = SharedIndex::default();
    let (done_tx, done_rx) = crossbeam_channel::unbounded();
    let (index_tx, index_rx) = crossbeam_channel::unbounded();
    let jobs = lint::spawn(index.clone(), done_tx);
    let mut server = Server::new(out, jobs, index, index_tx);
    let exit = server.run(&incoming, &done_rx, &index_rx);
    if let Some(cancel) = &server.indexer_cancel {
        cancel.store(true, Ordering::Relaxed);
    }
    drop(server);
    if let Some(w) = writer {
        let _ = w.join();
    }
    exit
}

struct Server {
    out: Sender<Outgoing>,
    jobs: Sender<Job>,
    index: SharedIndex,
    index_tx: Sender<IndexEvent>,
    phase: Phase,
    encoding: Encoding,
    edits: EditSupport,
    progress_supported: bool,
    watch_dynamic: bool,
    settings: Settings,
    /// The editor's rule selection, applied on top of each document's `ordlint.toml`.
    selection: RuleSelection,
    projects: Projects,
    docs: HashMap<Uri, Document>,
    due: HashMap<Uri, Instant>,
    in_flight: HashSet<Uri>,
    /// When each document's last lint was started.
    last_lint: HashMap<Uri, Instant>,
    roots: Vec<PathBuf>,
    indexer_cancel: Option<Arc<AtomicBool>>,
    index_run: u32,
    progress: Progress,
    next_id: i32,
    warned_large: HashSet<Uri>,
    trace: TraceValue,
}

impl Server {
    fn new(
        out: Sender<Outgoing>,
        jobs: Sender<Job>,
        index: SharedIndex,
        index_tx: Sender<IndexEvent>,
    ) -> Self {
        Server {
            out,
            jobs,
            index,
            index_tx,
            phase: Phase::Uninitialized,
            encoding: Encoding::Utf16,
            edits: EditSupport::default(),
            progress_supported: false,
            watch_dynamic: false,
            settings: Settings::default(),
            selection: RuleSelection::default(),
            projects: Projects::default(),
            docs: HashMap::new(),
            due: HashMap::new(),
            in_flight: HashSet::new(),
            last_lint: HashMap::new(),
            roots: Vec::new(),
            indexer_cancel: None,
            index_run: 0,
            progress: Progress::Unsupported,
            next_id: 0,
            warned_large: HashSet::new(),
            trace: TraceValue::Off,
        }
    }

    fn run(
        &mut self,
        incoming: &Receiver<Vec<Incoming>>,
        done: &Receiver<LintOutcome>,
        index_events: &Receiver<IndexEvent>,
    ) -> Exit {
        loop {
            let timeout = self
                .due
                .values()
                .min()
                .map_or(Duration::from_secs(3600), |t| {
                    t.saturating_duration_since(Instant::now())
                });
            select! {
                recv(incoming) -> msg => {
                    let mut batch = msg.unwrap_or_else(|_| vec![Incoming::Eof]);
                    batch.extend(incoming.try_iter().flatten());
                    if let Some(exit) = self.handle_batch(batch) {
                        return exit;
                    }
                }
                recv(done) -> outcome => {
                    if let Ok(outcome) = outcome {
                        self.on_linted(outcome);
                    }
                }
                recv(index_events) -> event => {
                    if let Ok(event) = event {
                        self.on_index_event(event);
                    }
                }
                default(timeout) => {}
            }
            self.dispatch_due();
        }
    }

    /// Handle the messages that arrived together: cancellations first, so a request
    /// cancelled before it was handled is answered with `RequestCancelled`.
    fn handle_batch(&mut self, batch: Vec<Incoming>) -> Option<Exit> {
        let cancelled: HashSet<RequestId> = batch
            .iter()
            .filter_map(|m| match m {
                Incoming::Message(Message::Notification(n)) if n.method == n::Cancel::METHOD => {
                    match n.params.get("id")? {
                        serde_json::Value::Number(x) => {
                            Some(RequestId::from(i32::try_from(x.as_i64()?).ok()?))
                        }
                        serde_json::Value::String(s) => Some(RequestId::from(s.clone())),
                        _ => None,
                    }
                }
                _ => None,
            })
            .collect();
        for msg in batch {
            match msg {
                Incoming::Eof => return Some(Exit::Clean),
                Incoming::Malformed { id, code, message } => {
                    self.send_raw(transport::error_response(id, code, &message));
                }
                Incoming::Message(Message::Request(req)) => {
                    if cancelled.contains(&req.id) {
                        self.respond_err(req.id, ErrorCode::RequestCanceled, "request cancelled");
                    } else {
                        self.on_request(req);
                    }
                }
                Incoming::Message(Message::Notification(not)) => {
                    if let Some(exit) = self.on_notification(not) {
                        return Some(exit);
                    }
                }
                Incoming::Message(Message::Response(resp)) => self.on_response(resp),
            }
        }
        None
    }

    // ----- requests -------------------------------------------------------------------------

    fn on_request(&mut self, req: Request) {
        match (self.phase, req.method.as_str()) {
            (Phase::Uninitialized, r::Initialize::METHOD) => self.initialize(req),
            (Phase::Uninitialized, _) => {
                self.respond_err(
                    req.id,
                    ErrorCode::ServerNotInitialized,
                    "server not initialized",
                );
            }
            (_, r::Initialize::METHOD) => {
                self.respond_err(req.id, ErrorCode::InvalidRequest, "already initialized");
            }
            (Phase::ShuttingDown, _) => {
                self.respond_err(req.id, ErrorCode::InvalidRequest, "server is shutting down");
            }
            (_, r::Shutdown::METHOD) => {
                self.phase = Phase::ShuttingDown;
                if let Some(cancel) = &self.indexer_cancel {
                    cancel.store(true, Ordering::Relaxed);
                }
                self.respond(req.id, serde_json::Value::Null);
            }
            (_, r::CodeActionRequest::METHOD) => {
                match serde_json::from_value::<CodeActionParams>(req.params) {
                    Ok(params) => {
                        let edits = self.edits;
                        let actions =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                actions::code_actions(&params, edits)
                            }));
                        match actions {
                            Ok(actions) => self.respond(req.id, actions),
                            Err(_) => {
                                self.respond_err(req.id, ErrorCode::InternalError, "internal error")
                            }
                        }
                    }
                    Err(e) => self.respond_err(req.id, ErrorCode::InvalidParams, &e.to_string()),
                }
            }
            _ => {
                let msg = format!("unknown method {}", req.method);
                self.respond_err(req.id, ErrorCode::MethodNotFound, &msg);
            }
        }
    }

    fn initialize(&mut self, req: Request) {
        let params: InitializeParams = match serde_json::from_value(req.params) {
            Ok(p) => p,
            Err(e) => {
                self.respond_err(req.id, ErrorCode::InvalidParams, &e.to_string());
                return;
            }
        };
        let caps = &params.capabilities;
        self.encoding = Encoding::negotiate(
            caps.general
                .as_ref()
                .and_then(|g| g.position_encodings.as_deref()),
        );
        self.edits.document_changes = caps
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.document_changes)
            .unwrap_or(false);
        self.progress_supported = caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false);
        self.watch_dynamic = caps
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.trace = params.trace.unwrap_or_default();
        if let Some(options) = &params.initialization_options {
            self.apply_settings(options);
        }
        #[allow(deprecated)]
        let root_uri = params.root_uri.clone();
        self.roots = match &params.workspace_folders {
            Some(folders) if !folders.is_empty() => folders
                .iter()
                .filter_map(|f| convert::uri_to_path(&f.uri))
                .map(PathBuf::from)
                .collect(),
            _ => root_uri
                .as_ref()
                .and_then(convert::uri_to_path)
                .map(PathBuf::from)
                .into_iter()
                .collect(),
        };
        let result = InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(self.encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        resolve_provider: Some(false),
                        ..CodeActionOptions::default()
                    },
                )),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "ordlint".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
        };
        self.phase = Phase::Running;
        self.respond(req.id, result);
    }

    // ----- notifications --------------------------------------------------------------------

    fn on_notification(&mut self, not: Notification) -> Option<Exit> {
        if not.method == n::Exit::METHOD {
            return Some(match self.phase {
                Phase::ShuttingDown => Exit::Clean,
                _ => Exit::WithoutShutdown,
            });
        }
        if self.phase != Phase::Running {
            return None;
        }
        let method = not.method.clone();
        let handled = match method.as_str() {
            n::Initialized::METHOD => {
                self.on_initialized();
                Ok(())
            }
            n::DidOpenTextDocument::METHOD => parse(not).map(|p| self.did_open(p)),
            n::DidChangeTextDocument::METHOD => parse(not).map(|p| self.did_change(p)),
            n::DidSaveTextDocument::METHOD => parse(not).map(|p| self.did_save(p)),
            n::DidCloseTextDocument::METHOD => parse(not).map(|p| self.did_close(p)),
            n::DidChangeWatchedFiles::METHOD => parse(not).map(|p| self.did_change_watched(p)),
            n::DidChangeConfiguration::METHOD => parse(not)
                .map(|p: DidChangeConfigurationParams| self.did_change_configuration(&p.settings)),
            n::DidChangeWorkspaceFolders::METHOD => parse(not).map(|p| self.did_change_folders(p)),
            n::SetTrace::METHOD => parse(not).map(|p: SetTraceParams| self.trace = p.value),
            // $/cancelRequest is handled per batch; other notifications need nothing.
            _ => Ok(()),
        };
        if let Err(e) = handled {
            self.log(
                MessageType::WARNING,
                &format!("ignored malformed {method}: {e}"),
            );
        }
        None
    }

    fn on_initialized(&mut self) {
        if self.watch_dynamic {
            let watchers = ["**/*.c", "**/*.h", "**/*.rs", "**/ordlint.toml"]
                .iter()
                .map(|g| FileSystemWatcher {
                    glob_pattern: GlobPattern::String((*g).to_owned()),
                    kind: None,
                })
                .collect();
            let params = RegistrationParams {
                registrations: vec![Registration {
                    id: "ordlint-watch".to_owned(),
                    method: n::DidChangeWatchedFiles::METHOD.to_owned(),
                    register_options: serde_json::to_value(
                        DidChangeWatchedFilesRegistrationOptions { watchers },
                    )
                    .ok(),
                }],
            };
            self.request(r::RegisterCapability::METHOD, params);
        }
        self.start_indexing();
    }

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let d = p.text_document;
        let doc = Document::new(d.uri.clone(), &d.language_id, d.version, d.text);
        self.docs.insert(d.uri.clone(), doc);
        self.schedule(&d.uri, Instant::now());
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        let enc = self.encoding;
        let Some(doc) = self.docs.get_mut(&uri) else {
            return;
        };
        doc.apply(p.text_document.version, p.content_changes, enc);
        // Linted at once, unless the document was linted less than the debounce interval ago:
        // during a burst of edits it is linted at that rate, each time with its newest text
        // (and never twice at a time: a lint waits for the one in flight).
        let now = Instant::now();
        let due = self
            .last_lint
            .get(&uri)
            .map_or(now, |t| (*t + self.settings.debounce()).max(now));
        self.schedule(&uri, due);
    }

    fn did_save(&mut self, p: DidSaveTextDocumentParams) {
        if let Some(path) = convert::uri_to_path(&p.text_document.uri).map(PathBuf::from) {
            // Without file watching, saving ordlint.toml in the editor is how it changes.
            if !self.watch_dynamic && project::is_config_file(&path) {
                self.configs_changed(&[path]);
                return;
            }
        }
        // The index already holds the live text; other documents may pair with it.
        self.relint_others(Some(&p.text_document.uri));
    }

    fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        let uri = p.text_document.uri;
        if let Some(doc) = self.docs.remove(&uri) {
            // A lint of it still running has nothing left to publish.
            doc.latest.store(i32::MIN, Ordering::Relaxed);
            let _ = self.jobs.send(Job::Close(doc.path));
        }
        self.due.remove(&uri);
        self.last_lint.remove(&uri);
        self.warned_large.remove(&uri);
        self.notify(
            n::PublishDiagnostics::METHOD,
            PublishDiagnosticsParams::new(uri, Vec::new(), None),
        );
        self.relint_others(None);
    }

    fn did_change_watched(&mut self, p: DidChangeWatchedFilesParams) {
        let (configs, sources): (Vec<PathBuf>, Vec<PathBuf>) = p
            .changes
            .iter()
            .filter_map(|c| convert::uri_to_path(&c.uri))
            .map(PathBuf::from)
            .partition(|p| project::is_config_file(p));
        if !configs.is_empty() {
            self.configs_changed(&configs);
        }
        let open: HashSet<&str> = self.docs.values().map(|d| d.path.as_str()).collect();
        let paths: Vec<String> = sources
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .filter(|p| !open.contains(p.as_str()))
            .collect();
        if !paths.is_empty() {
            let _ = self.jobs.send(Job::Refresh(paths));
            self.relint_others(None);
        }
    }

    /// `ordlint.toml` files were created, changed or deleted: read them again, report the ones
    /// that do not load, lint every document again and rebuild the index (its rules may differ).
    fn configs_changed(&mut self, paths: &[PathBuf]) {
        let mut errors = Vec::new();
        self.projects.files_changed(paths, &mut errors);
        for e in errors {
            self.show(MessageType::ERROR, &e);
        }
        self.relint_others(None);
        self.start_indexing();
    }

    fn did_change_configuration(&mut self, settings: &serde_json::Value) {
        // Clients that pull configuration send `null`; keep the current settings then.
        if settings.is_null() {
            return;
        }
        let before = (self.selection.clone(), self.settings.index_workspace);
        self.apply_settings(settings);
        // The index holds the files the selected rules trigger on: a new selection may
        // need another index, or none.
        if (self.selection.clone(), self.settings.index_workspace) != before {
            self.start_indexing();
        }
        self.relint_others(None);
    }

    fn did_change_folders(&mut self, p: DidChangeWorkspaceFoldersParams) {
        let removed: HashSet<PathBuf> = p
            .event
            .removed
            .iter()
            .filter_map(|f| convert::uri_to_path(&f.uri))
            .map(PathBuf::from)
            .collect();
        self.roots.retain(|r| !removed.contains(r));
        self.roots.extend(
            p.event
                .added
                .iter()
                .filter_map(|f| convert::uri_to_path(&f.uri))
                .map(PathBuf::from),
        );
        self.start_indexing();
    }

    fn apply_settings(&mut self, value: &serde_json::Value) {
        match Settings::from_value(value).and_then(|s| s.rules().map(|_| s)) {
            Ok(settings) => {
                self.selection = settings.selection();
                self.settings = settings;
                self.projects.editor_changed();
            }
            Err(e) => self.show(MessageType::WARNING, &e),
        }
    }

    /// The settings for documents in `dir`, reporting configuration files that do not load.
    fn settings_for(&mut self, dir: Option<&Path>) -> Arc<ordlint_core::settings::RunSettings> {
        let mut errors = Vec::new();
        let settings = self
            .projects
            .settings_for(dir, &self.selection, &mut errors);
        for e in errors {
            self.show(MessageType::ERROR, &e);
        }
        settings
    }

    // ----- linting --------------------------------------------------------------------------

    fn schedule(&mut self, uri: &Uri, due: Instant) {
        self.due.insert(uri.clone(), due);
    }

    fn relint_others(&mut self, except: Option<&Uri>) {
        let due = Instant::now() + self.settings.debounce();
        let uris: Vec<Uri> = self
            .docs
            .keys()
            .filter(|u| Some(*u) != except)
            .cloned()
            .collect();
        for uri in uris {
            let at = self.due.get(&uri).map_or(due, |t| (*t).min(due));
            self.schedule(&uri, at);
        }
    }

    fn dispatch_due(&mut self) {
        let now = Instant::now();
        let ready: Vec<Uri> = self
            .due
            .iter()
            .filter(|(uri, t)| **t <= now && !self.in_flight.contains(*uri))
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in ready {
            self.due.remove(&uri);
            let Some(path) = self
                .docs
                .get(&uri)
                .filter(|d| d.language.is_some())
                .map(|d| PathBuf::from(&d.path))
            else {
                continue;
            };
            let settings = self.settings_for(path.parent());
            let Some((doc, Some(language))) = self.docs.get(&uri).map(|d| (d, d.language)) else {
                continue;
            };
            let job = LintJob {
                uri: uri.clone(),
                path: doc.path.clone(),
                language,
                version: doc.version,
                text: Arc::clone(&doc.text),
                lines: Arc::clone(&doc.lines),
                settings,
                encoding: self.encoding,
                max_bytes: self.settings.max_file_bytes(),
                latest: Arc::clone(&doc.latest),
            };
            if self.jobs.send(Job::Lint(job)).is_ok() {
                self.last_lint.insert(uri.clone(), now);
                self.in_flight.insert(uri);
            }
        }
    }

    fn on_linted(&mut self, outcome: LintOutcome) {
        self.in_flight.remove(&outcome.uri);
        self.trace_lint(&outcome);
        let Some(doc) = self.docs.get(&outcome.uri) else {
            return;
        };
        // Never publish results for text the client no longer has.
        if doc.version != outcome.version {
            return;
        }
        if let Some(note) = &outcome.skipped {
            if self.warned_large.insert(outcome.uri.clone()) {
                self.log(MessageType::WARNING, note);
            }
        }
        self.notify(
            n::PublishDiagnostics::METHOD,
            PublishDiagnosticsParams::new(outcome.uri, outcome.diagnostics, Some(outcome.version)),
        );
    }

    /// `$/logTrace` of a finished lint, when the client asked for traces: its time, and with
    /// `verbose` where the time went.
    fn trace_lint(&self, outcome: &LintOutcome) {
        if self.trace == TraceValue::Off {
            return;
        }
        let t = &outcome.timing;
        let what = if outcome.superseded {
            "dropped (superseded)"
        } else {
            "linted"
        };
        let message = format!(
            "{what} {} version {} in {:.1} ms",
            outcome.uri.as_str(),
            outcome.version,
            t.total
        );
        let verbose = (self.trace == TraceValue::Verbose).then(|| {
            let lowered = if t.lowering.whole_file {
                "whole file".to_owned()
            } else {
                format!(
                    "{} of {} definitions",
                    t.lowering.lowered, t.lowering.definitions
                )
            };
            format!(
                "lower {:.2} ms ({lowered}), index {:.2} ms, rules {:.2} ms, convert {:.2} ms",
                t.lower, t.index, t.rules, t.convert
            )
        });
        self.notify(n::LogTrace::METHOD, LogTraceParams { message, verbose });
    }

    // ----- workspace indexing ---------------------------------------------------------------

    fn start_indexing(&mut self) {
        if let Some(cancel) = self.indexer_cancel.take() {
            cancel.store(true, Ordering::Relaxed);
            // The stopped run's events are ignored from now on: end its progress here, or
            // the client shows it running forever.
            if matches!(self.progress, Progress::Ready) {
                self.send_progress(WorkDoneProgress::End(WorkDoneProgressEnd {
                    message: Some("indexing stopped".to_owned()),
                }));
            }
            self.progress = Progress::Unsupported;
        }
        if self.roots.is_empty() || self.settings.index_workspace == Some(false) {
            return;
        }
        // The rules and helpers `ordlint check` would use for the first folder.
        let first = self.roots.first().cloned();
        let settings = self.settings_for(first.as_deref());
        if !settings.rules.looks_across_files() {
            // No selected rule reads other files (the default tier has none): reading the
            // workspace would only cost CPU. Selecting a pairing rule starts it.
            self.index.install(PairingIndex::new(), settings.api());
            self.log(
                MessageType::INFO,
                "ordlint: the workspace is not indexed: no selected rule pairs across files",
            );
            return;
        }
        self.index_run += 1;
        self.progress = if self.progress_supported {
            let id = self.request(
                r::WorkDoneProgressCreate::METHOD,
                WorkDoneProgressCreateParams {
                    token: self.progress_token(),
                },
            );
            Progress::Waiting(id, Vec::new())
        } else {
            Progress::Unsupported
        };
        self.indexer_cancel = Some(indexer::spawn(
            self.index_run,
            self.roots.clone(),
            settings,
            self.settings.max_file_bytes(),
            self.index.clone(),
            self.index_tx.clone(),
        ));
    }

    fn progress_token(&self) -> NumberOrString {
        NumberOrString::String(format!("ordlint/index/{}", self.index_run))
    }

    fn on_index_event(&mut self, event: IndexEvent) {
        let run = match &event {
            IndexEvent::Begin { run, .. }
            | IndexEvent::Report { run, .. }
            | IndexEvent::End { run, .. } => *run,
        };
        if run != self.index_run {
            return;
        }
        let value = match event {
            IndexEvent::Begin { files, .. } => WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: "ordlint: indexing".to_owned(),
                cancellable: Some(false),
                message: Some(format!("{files} C and Rust files")),
                percentage: Some(0),
            }),
            IndexEvent::Report { percent, .. } => {
                WorkDoneProgress::Report(WorkDoneProgressReport {
                    cancellable: Some(false),
                    message: None,
                    percentage: Some(percent),
                })
            }
            IndexEvent::End {
                indexed,
                files,
                millis,
                complete,
                ..
            } => {
                let message = if complete {
                    format!("indexed {indexed} of {files} files in {millis} ms")
                } else {
                    "indexing stopped".to_owned()
                };
                self.log(MessageType::INFO, &format!("ordlint: {message}"));
                // The run is over: nothing to stop or to end when the next one starts.
                self.indexer_cancel = None;
                if complete {
                    self.relint_others(None);
                }
                WorkDoneProgress::End(WorkDoneProgressEnd {
                    message: Some(message),
                })
            }
        };
        match &mut self.progress {
            Progress::Unsupported => {}
            Progress::Waiting(_, buffered) => buffered.push(value),
            Progress::Ready => self.send_progress(value),
        }
    }

    fn send_progress(&self, value: WorkDoneProgress) {
        self.notify(
            n::Progress::METHOD,
            ProgressParams {
                token: self.progress_token(),
                value: ProgressParamsValue::WorkDone(value),
            },
        );
    }

    fn on_response(&mut self, resp: Response) {
        if let Progress::Waiting(id, buffered) = &mut self.progress {
            if *id == resp.id {
                let buffered = std::mem::take(buffered);
                self.progress = if resp.response_result.is_ok() {
                    for value in buffered {
                        self.send_progress(value);
                    }
                    Progress::Ready
                } else {
                    Progress::Unsupported
                };
            }
        }
    }

    // ----- output ---------------------------------------------------------------------------

    fn respond(&self, id: RequestId, result: impl serde::Serialize) {
        let value = serde_json::to_value(result).unwrap_or(serde_json::Value::Null);
        self.send(Message::Response(Response {
            id,
            response_result: Ok(value),
        }));
    }

    fn respond_err(&self, id: RequestId, code: ErrorCode, message: &str) {
        self.send(Message::Response(Response::new_err(
            id,
            code as i32,
            message.to_owned(),
        )));
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        #[derive(serde::Serialize)]
        struct Note<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: P,
        }
        let note = Note {
            jsonrpc: "2.0",
            method,
            params,
        };
        if let Ok(text) = serde_json::to_string(&note) {
            let _ = self.out.send(Outgoing::Text(text));
        }
    }

    fn request(&mut self, method: &str, params: impl serde::Serialize) -> RequestId {
        self.next_id += 1;
        let id = RequestId::from(format!("ordlint-{}", self.next_id));
        let params = serde_json::to_value(params).unwrap_or(serde_json::Value::Null);
        self.send(Message::Request(Request {
            id: id.clone(),
            method: method.to_owned(),
            params,
        }));
        id
    }

    fn log(&self, typ: MessageType, message: &str) {
        self.notify(
            n::LogMessage::METHOD,
            lsp_types::LogMessageParams {
                typ,
                message: message.to_owned(),
            },
        );
    }

    fn show(&self, typ: MessageType, message: &str) {
        self.notify(
            n::ShowMessage::METHOD,
            lsp_types::ShowMessageParams {
                typ,
                message: message.to_owned(),
            },
        );
    }

    fn send(&self, msg: Message) {
        let _ = self.out.send(Outgoing::Message(msg));
    }

    fn send_raw(&self, value: serde_json::Value) {
        let _ = self.out.send(Outgoing::Raw(value));
    }
}

fn parse<P: serde::de::DeserializeOwned>(not: Notification) -> Result<P, serde_json::Error> {
    serde_json::from_value(not.params)
}
