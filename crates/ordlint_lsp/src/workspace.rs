//! The workspace's pairing index: built in the background from the files on disk, then kept
//! current one file at a time (open documents contribute their live text instead of the disk
//! copy), so that a writer in one file can name its reader in another.

use ordlint_core::ir::Language;
use ordlint_core::pairing::PairingIndex;
use ordlint_core::prefilter::Prefilter;
use ordlint_core::{ApiExtensions, LoweredFile, RuleSet, SourceFile};
use ordlint_diagnostics::LineIndex;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// What an open document contributes: the line index of the indexed text and its own sites.
#[derive(Debug, Clone)]
pub struct LiveEntry {
    /// Line index of the live text that was indexed (for converting partner spans).
    pub lines: Arc<LineIndex>,
    /// The document's own sites, kept so a rebuilt disk index can take them back.
    pub own: PairingIndex,
}

/// The index and the entries of the documents whose live text it holds.
#[derive(Debug, Default)]
pub struct IndexState {
    /// Writers and readers of every shared location in the workspace.
    pub index: PairingIndex,
    /// Open documents (by path) whose entries come from the editor, not the disk.
    pub live: HashMap<String, LiveEntry>,
    /// The project's helpers the disk files are lowered with (those the index was built with).
    pub api: ApiExtensions,
}

impl IndexState {
    /// Replace `file`'s entries with its live text's (the lint of an open document). Only the
    /// keys the document's old and new text file sites under are touched.
    pub fn set_live(&mut self, file: &LoweredFile, lines: Arc<LineIndex>) {
        let path = &file.source.path;
        let mut own = PairingIndex::new();
        file.add_to_index(&mut own);
        own.finish();
        match self.live.get(path) {
            Some(old) => self.index.replace_file(path, &old.own, &own),
            None => {
                // Its sites so far came from the disk, under keys nothing here records.
                self.index.remove_file(path);
                self.index.merge(own.clone());
                self.index.finish();
            }
        }
        self.live.insert(path.clone(), LiveEntry { lines, own });
    }
}

/// The index shared between the lint worker and the background indexer.
#[derive(Debug, Default, Clone)]
pub struct SharedIndex(Arc<Mutex<IndexState>>);

impl SharedIndex {
    /// Lock the state (a panic elsewhere never makes the index unusable).
    pub fn lock(&self) -> MutexGuard<'_, IndexState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replace the disk part of the index with `built`, keeping the live documents' entries.
    pub fn install(&self, mut built: PairingIndex, api: ApiExtensions) {
        let mut state = self.lock();
        state.api = api;
        for (path, entry) in &state.live {
            built.remove_file(path);
            built.merge(entry.own.clone());
        }
        built.finish();
        state.index = built;
    }

    /// A document was closed: its entries come from the disk again.
    pub fn close(&self, path: &str, max_bytes: u64) {
        self.lock().live.remove(path);
        self.refresh_from_disk(path, max_bytes);
    }

    /// Re-read one file from disk into the index (or drop it when it is gone), unless the
    /// editor holds it open.
    pub fn refresh_from_disk(&self, path: &str, max_bytes: u64) {
        let api = self.lock().api.clone();
        let lowered = lower_disk_file(Path::new(path), max_bytes, &api);
        let mut state = self.lock();
        if state.live.contains_key(path) {
            return;
        }
        state.index.remove_file(path);
        if let Some(f) = lowered {
            f.add_to_index(&mut state.index);
        }
        state.index.finish();
    }
}

/// Every C and Rust file under `roots`, honouring `.ignore` everywhere and `.gitignore` in git
/// repositories (as `ordlint check` does), sorted.
pub fn workspace_files(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in roots {
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .parents(true)
            .git_ignore(true)
            .require_git(true)
            .build();
        for entry in walker.flatten() {
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            if is_file && Language::from_path(&entry.path().to_string_lossy()).is_some() {
                files.push(entry.into_path());
            }
        }
    }
    files.sort();
    files.dedup();
    files
}

/// Read and lower one file from disk; `None` when it is unreadable, too large, binary, not
/// UTF-8 or not C/Rust. Lowering runs under `catch_unwind`.
pub fn lower_disk_file(path: &Path, max_bytes: u64, api: &ApiExtensions) -> Option<LoweredFile> {
    let text = read_text(path, max_bytes)?;
    lower_text(&path.to_string_lossy(), text, api)
}

fn read_text(path: &Path, max_bytes: u64) -> Option<String> {
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let bytes = ordlint_core::source::read_bounded(path, max_bytes).ok()??;
    if bytes.contains(&0) {
        return None;
    }
    String::from_utf8(bytes).ok()
}

fn lower_text(path: &str, text: String, api: &ApiExtensions) -> Option<LoweredFile> {
    let source = SourceFile::new(path, text)?;
    std::panic::catch_unwind(|| LoweredFile::new_with(source, api)).ok()
}

/// Build the pairing index of `files` the way a check run does: files with a trigger token of
/// the enabled rules (or a name of the project's helpers), then the files that mention a name
/// those publish; each lowered with the helpers. `progress` is called
/// with (files done, files total) after each file; `cancelled` is polled between files.
pub fn build_index(
    files: &[PathBuf],
    rules: &RuleSet,
    api: &ApiExtensions,
    max_bytes: u64,
    progress: &mut dyn FnMut(usize, usize),
    cancelled: &dyn Fn() -> bool,
) -> Option<(PairingIndex, usize)> {
    let prefilter = Prefilter::with_extra(rules, &api.names());
    let total = files.len() * 2;
    let mut index = PairingIndex::new();
    let mut indexed = 0;
    let mut published = HashSet::new();
    let mut others = Vec::new();
    for (i, path) in files.iter().enumerate() {
        if cancelled() {
            return None;
        }
        if let Some(text) = read_text(path, max_bytes) {
            if prefilter.matches(text.as_bytes()) {
                if let Some(f) = lower_text(&path.to_string_lossy(), text, api) {
                    published.extend(stored_names(&f));
                    f.add_to_index(&mut index);
                    indexed += 1;
                }
            } else {
                others.push(path);
            }
        }
        progress(i + 1, total);
    }
    let skipped = files.len() - others.len();
    for (i, path) in others.iter().enumerate() {
        if cancelled() {
            return None;
        }
        if let Some(text) = read_text(path, max_bytes) {
            if mentions_any(&text, &published) {
                if let Some(f) = lower_text(&path.to_string_lossy(), text, api) {
                    f.add_to_index(&mut index);
                    indexed += 1;
                }
            }
        }
        progress(files.len() + skipped + i + 1, total);
    }
    progress(total, total);
    index.finish();
    Some((index, indexed))
}

/// Names of the shared fields and globals a file stores to: a superset of what it publishes,
/// read straight from the IR so that partner files are found as a check run finds them.
fn stored_names(file: &LoweredFile) -> Vec<String> {
    file.ir
        .functions
        .iter()
        .flat_map(|f| f.events.iter())
        .filter_map(|e| match &e.kind {
            ordlint_core::ir::EventKind::Store(a) => a.target.key.as_ref().map(|k| k.name.clone()),
            _ => None,
        })
        .collect()
}

/// True when `text` contains one of `names` as a whole identifier.
fn mentions_any(text: &str, names: &HashSet<String>) -> bool {
    if names.is_empty() {
        return false;
    }
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| !word.is_empty() && names.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowered(path: &str, text: &str) -> LoweredFile {
        let source = SourceFile::new(path, text.to_owned());
        LoweredFile::new(source.unwrap_or_else(|| panic!("{path}")))
    }

    /// Every key any of `files` files a site under.
    fn keys(files: &[&LoweredFile]) -> Vec<ordlint_core::ir::LocationKey> {
        let mut keys: Vec<_> = files
            .iter()
            .flat_map(|f| f.ir.functions.iter())
            .flat_map(|f| f.events.iter())
            .filter_map(|e| match &e.kind {
                ordlint_core::ir::EventKind::Store(a) | ordlint_core::ir::EventKind::Load(a) => {
                    a.target.key.clone()
                }
                _ => None,
            })
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    #[test]
    fn live_edits_leave_the_index_as_a_fresh_build_would() {
        let disk = lowered(
            "/w/reader.c",
            "void r(struct w *w)\n{\n\twhile (!w->done)\n\t\tcpu_relax();\n\tuse(w->data);\n}\n",
        );
        let v1 = lowered(
            "/w/writer.c",
            "void a(struct w *w)\n{\n\tw->data = 1;\n\tbarrier();\n\tw->done = 1;\n}\n",
        );
        let v2 = lowered(
            "/w/writer.c",
            "void a(struct w *w)\n{\n\tw->data = 2;\n\tw->other = 3;\n\tbarrier();\n}\n",
        );
        let mut state = IndexState::default();
        disk.add_to_index(&mut state.index);
        v1.add_to_index(&mut state.index); // the disk copy of the file, before it was opened
        state.index.finish();
        state.set_live(&v1, Arc::new(v1.lines.clone()));
        state.set_live(&v2, Arc::new(v2.lines.clone()));
        let mut fresh = PairingIndex::new();
        disk.add_to_index(&mut fresh);
        v2.add_to_index(&mut fresh);
        fresh.finish();
        for key in keys(&[&disk, &v1, &v2]) {
            assert_eq!(state.index.sites(&key), fresh.sites(&key), "{key:?}");
        }
    }

    #[test]
    fn identifiers_match_whole_words_only() {
        let names: HashSet<String> = ["done".to_owned()].into_iter().collect();
        assert!(mentions_any("while (!p->done)", &names));
        assert!(!mentions_any("while (!p->done_x)", &names));
    }
}
