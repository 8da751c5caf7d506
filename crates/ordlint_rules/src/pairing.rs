//! The pairing index: every shared location (struct field or global) mapped to the sites that
//! write and read it, across all files of a run.
//!
//! Publication is a two-sided contract, so cross-site rules ask this index for the partner of
//! a writer (the reader that must become `smp_load_acquire`) or of a reader. The index is a
//! plain value built by an earlier pass and handed to `lint()`; it is never a global.

use ordlint_diagnostics::{LineIndex, Location};
use ordlint_ir::{
    EventKind, Fence, FenceKind, FileIr, Function, Language, LocationKey, LockTracker, Mark,
    Sharing, Target,
};
use std::collections::{BTreeSet, HashMap};

/// What a site does to the location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A store.
    Write,
    /// A load.
    Read,
    /// An atomic read-modify-write.
    ReadWrite,
}

/// One access to a shared location, summarised for use from other files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Where the access is: the whole access expression (`READ_ONCE(w->flag)`, or the
    /// assignment for a plain store), which is what a fix rewrites.
    pub location: Location,
    /// Struct type the accessed field belongs to, when the base's declared type is known
    /// (`six_lock_waiter` for `w->lock_acquired` with `struct six_lock_waiter *w`).
    pub owner: Option<String>,
    /// The fence directly before the access (nothing but comments and operand loads between).
    pub fence_before: Option<FenceKind>,
    /// The source text of the access's target (`w->lock_acquired`).
    pub target: String,
    /// Store, load or RMW.
    pub role: Role,
    /// How it is marked.
    pub mark: Mark,
    /// The API that performed it, if any (`READ_ONCE`, `smp_load_acquire`, …).
    pub api: Option<String>,
    /// Enclosing function's name.
    pub function: String,
    /// Language of the file.
    pub language: Language,
    /// The access is in a loop's controlling expression (a poll).
    pub polled: bool,
    /// The access is ordered on its own side: a release-or-stronger store or one after a
    /// store-ordering barrier in the same function; an acquire-or-stronger load or one followed
    /// by a load-ordering barrier.
    pub ordered: bool,
    /// Identities of the mutual-exclusion locks held at the access.
    pub locks: Vec<String>,
    /// The CPU is pinned at the access (IRQs or preemption off, or a spinlock held).
    pub cpu_pinned: bool,
}

/// Writers and readers of every shared location of a run.
#[derive(Debug, Default, Clone)]
pub struct PairingIndex {
    sites: HashMap<LocationKey, Vec<Site>>,
    functions: BTreeSet<String>,
}

impl PairingIndex {
    /// An empty index (a run of one file with no partners elsewhere).
    pub fn new() -> Self {
        Self::default()
    }

    /// Add every shared access of one lowered file.
    pub fn add_file(&mut self, path: &str, language: Language, ir: &FileIr, lines: &LineIndex) {
        for f in &ir.functions {
            self.functions.insert(f.name.clone());
            // Linear time: kernel functions can have thousands of events, so locks held, "a
            // store-ordering fence came before" and "a load-ordering fence comes after" are
            // tracked in one forward walk and one precomputed suffix.
            let load_fence_after = load_fence_suffix(f);
            let mut locks = LockTracker::default();
            let mut store_fence_seen = false;
            for (id, event) in f.events.iter().enumerate() {
                let held = locks.held.clone();
                locks.step(event);
                if let EventKind::Fence(fence) = &event.kind {
                    store_fence_seen |= fence.kind.orders_store_store();
                }
                let Some((access_role, target, mark, api)) = access_of(&event.kind) else {
                    continue;
                };
                let Some(key) = &target.key else { continue };
                if target.sharing != Sharing::Shared {
                    continue;
                }
                let site = Site {
                    location: Location::new(path, event.span, lines),
                    owner: owner_type(f, target),
                    fence_before: fence_directly_before(f, id).map(|(_, fence)| fence.kind),
                    target: target.text.clone(),
                    role: access_role,
                    mark,
                    api: api.map(str::to_owned),
                    function: f.name.clone(),
                    language,
                    polled: f.is_polled(id),
                    ordered: match access_role {
                        Role::Write => mark.is_release_or_stronger() || store_fence_seen,
                        Role::Read => {
                            mark.is_acquire_or_stronger()
                                || mark == Mark::Consume
                                || load_fence_after.get(id + 1).copied().unwrap_or(false)
                        }
                        Role::ReadWrite => {
                            mark.is_release_or_stronger() || mark.is_acquire_or_stronger()
                        }
                    },
                    locks: held
                        .iter()
                        .filter(|l| l.kind.is_mutual_exclusion())
                        .map(|l| l.identity())
                        .collect(),
                    cpu_pinned: held.iter().any(|l| l.kind.pins_cpu()),
                };
                self.sites.entry(key.clone()).or_default().push(site);
            }
        }
    }

    /// Forget everything a file contributed (for editors re-indexing one file).
    pub fn remove_file(&mut self, path: &str) {
        for sites in self.sites.values_mut() {
            sites.retain(|s| s.location.path != path);
        }
        self.sites.retain(|_, v| !v.is_empty());
    }

    /// Replace the sites of `path`, all filed under keys of `old`, by those of `new` (both
    /// indexes of that one file), re-sorting only the keys the two touch: the same result as
    /// `remove_file`, `merge` and `finish`, in time proportional to the file, not the index
    /// (an editor does this after each change to an open document).
    pub fn replace_file(&mut self, path: &str, old: &PairingIndex, new: &PairingIndex) {
        let keys: BTreeSet<&LocationKey> = old.sites.keys().chain(new.sites.keys()).collect();
        for key in keys {
            let sites = self.sites.entry(key.clone()).or_default();
            sites.retain(|s| s.location.path != path);
            sites.extend(new.sites(key).iter().cloned());
            sites.sort_by(|a, b| {
                (&a.location.path, a.location.span).cmp(&(&b.location.path, b.location.span))
            });
            sites.dedup();
            if sites.is_empty() {
                self.sites.remove(key);
            }
        }
        self.functions.extend(new.functions.iter().cloned());
    }

    /// Merge another index into this one (parallel builds merge per-file indexes).
    pub fn merge(&mut self, other: PairingIndex) {
        for (key, mut sites) in other.sites {
            self.sites.entry(key).or_default().append(&mut sites);
        }
        self.functions.extend(other.functions);
    }

    /// Sort every site list by (path, offset) so results do not depend on build order.
    pub fn finish(&mut self) {
        for sites in self.sites.values_mut() {
            sites.sort_by(|a, b| {
                (&a.location.path, a.location.span).cmp(&(&b.location.path, b.location.span))
            });
            sites.dedup();
        }
    }

    /// All sites of `key`.
    pub fn sites(&self, key: &LocationKey) -> &[Site] {
        self.sites.get(key).map_or(&[], Vec::as_slice)
    }

    /// Sites of `key` that can be the partner of an access in `path` to a field of `owner`:
    /// both owners known and equal; or, when either is unknown, a site in the same file. Globals
    /// pair within their file only: most cross-CPU flags on globals are `static`, and a name
    /// alone would pair unrelated statics of different files.
    pub fn partners(&self, key: &LocationKey, owner: Option<&str>, path: &str) -> Vec<&Site> {
        self.sites(key)
            .iter()
            .filter(|s| match (owner, s.owner.as_deref()) {
                // Two declared types that differ are different structures, even in one file.
                (Some(a), Some(b)) => a == b,
                _ => s.location.path == path,
            })
            .collect()
    }

    /// Sites that read `key` (loads and RMWs).
    pub fn readers<'s>(&'s self, key: &LocationKey) -> impl Iterator<Item = &'s Site> + 's {
        self.sites(key)
            .iter()
            .filter(|s| matches!(s.role, Role::Read | Role::ReadWrite))
    }

    /// Sites that write `key` (stores and RMWs).
    pub fn writers<'s>(&'s self, key: &LocationKey) -> impl Iterator<Item = &'s Site> + 's {
        self.sites(key)
            .iter()
            .filter(|s| matches!(s.role, Role::Write | Role::ReadWrite))
    }

    /// True when a function of this name is defined anywhere in the run.
    pub fn has_function(&self, name: &str) -> bool {
        self.functions.contains(name)
    }

    /// Number of distinct keys (for statistics).
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// True when nothing has been indexed.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }
}

fn access_of(kind: &EventKind) -> Option<(Role, &ordlint_ir::Target, Mark, Option<&str>)> {
    match kind {
        EventKind::Store(a) => Some((Role::Write, &a.target, a.mark, a.api.as_deref())),
        EventKind::Load(a) => Some((Role::Read, &a.target, a.mark, a.api.as_deref())),
        EventKind::Rmw(r) => Some((
            Role::ReadWrite,
            &r.target,
            Mark::Atomic(r.ordering),
            Some(r.api.as_str()),
        )),
        _ => None,
    }
}

/// `out[i]` is true when some event at index `i` or later is a fence ordering loads.
fn load_fence_suffix(f: &Function) -> Vec<bool> {
    let mut out = vec![false; f.events.len() + 1];
    for (i, e) in f.events.iter().enumerate().rev() {
        let here = matches!(&e.kind, EventKind::Fence(fence) if fence.kind.orders_load_load());
        let later = out.get(i + 1).copied().unwrap_or(false);
        if let Some(slot) = out.get_mut(i) {
            *slot = here || later;
        }
    }
    out
}

/// The fence directly before event `id`: walking back over comments and loads (the operands
/// of the access), the first other event must be a fence in the same scope.
pub fn fence_directly_before(f: &Function, id: usize) -> Option<(usize, &Fence)> {
    let scope = f.events.get(id)?.scope;
    for (j, e) in f.before(id) {
        match &e.kind {
            EventKind::Comment(_) | EventKind::Load(_) => continue,
            EventKind::Fence(fence) if e.scope == scope => return Some((j, fence)),
            _ => return None,
        }
    }
    None
}

/// The struct type a field access belongs to, from the declared type of its base variable
/// (`struct foo *p` → `foo`); `None` when the base is not a simple parameter or local.
pub fn owner_type(f: &Function, target: &Target) -> Option<String> {
    let base = target.base.as_deref()?.trim();
    let base = base.strip_prefix('&').unwrap_or(base).trim();
    if base == "self" {
        return Some("Self".to_owned());
    }
    if !base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let ty = f.type_of(base)?;
    type_name(ty)
}

/// The core type name of a declared type: `const struct foo *` → `foo`, `&Arc<Node<T>>` →
/// `Node`.
pub fn type_name(ty: &str) -> Option<String> {
    let words = ty
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .filter(|w| {
            !matches!(
                *w,
                "const"
                    | "volatile"
                    | "struct"
                    | "union"
                    | "enum"
                    | "mut"
                    | "dyn"
                    | "Arc"
                    | "Box"
                    | "Rc"
                    | "NonNull"
                    | "Option"
                    | "static"
            )
        })
        .find(|w| !w.chars().all(|c| c.is_ascii_uppercase() && w.len() == 1));
    words.map(str::to_owned)
}

/// A location a file publishes, and the struct type it belongs to when known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Published {
    /// The field or global.
    pub key: LocationKey,
    /// The owning struct type of a field, when the writer's base has a declared type.
    pub owner: Option<String>,
}

/// Locations a file publishes: stores to shared locations that are release-marked or come
/// right after a barrier, with data written before them. The run parses the parts of other files that mention these names
/// (and, for fields, their struct type: cross-file partners must agree on it), to find readers.
pub fn published_keys(ir: &FileIr) -> Vec<Published> {
    let mut keys = Vec::new();
    for f in &ir.functions {
        for (id, e) in f.events.iter().enumerate() {
            let EventKind::Store(a) = &e.kind else {
                continue;
            };
            let Some(key) = &a.target.key else { continue };
            if a.target.sharing != Sharing::Shared {
                continue;
            }
            let fenced = fence_directly_before(f, id).map(|(j, _)| j);
            let publishes = if a.mark.is_release_or_stronger() {
                Some(id)
            } else {
                fenced
            };
            // A publication publishes something: data written before the barrier or release.
            if publishes.is_some_and(|at| crate::rules::context::stores_data_before(f, at)) {
                keys.push(Published {
                    key: key.clone(),
                    owner: owner_type(f, &a.target),
                });
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The name a lock is compared by across functions: the last field of its identity
/// (`q->lock` and `queue->lock` are the same lock of the same kind of object), or the whole
/// identity for a global lock.
pub fn lock_name(identity: &str) -> &str {
    identity
        .rsplit(['>', '.'])
        .next()
        .unwrap_or(identity)
        .trim()
}

/// True when some lock of `a` has the same [`lock_name`] as some lock of `b`.
pub fn share_a_lock(a: &[String], b: &[String]) -> bool {
    a.iter()
        .any(|x| b.iter().any(|y| lock_name(x) == lock_name(y)))
}
