//! The pairing index: every shared location (struct field or global) mapped to the sites that
//! write and read it, across all files of a run.
//!
//! Publication is a two-sided contract, so cross-site rules ask this index for the partner of
//! a writer (the reader that must become `smp_load_acquire`) or of a reader. The index is a
//! plain value built by an earlier pass and handed to `lint()`; it is never a global.

use ordlint_diagnostics::{LineIndex, Location};
use ordlint_ir::{
    Event, EventKind, Fence, FenceKind, FileIr, Function, Language, LocationKey, LockTracker, Mark,
    Sharing, Target,
};
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

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
    /// A load whose value is dereferenced later in the same function, directly
    /// (`gp->ops->flush()`) or through the local it is assigned to (`p = READ_ONCE(gp); …
    /// p->len`): the later reads carry an address dependency on it, which orders them after it
    /// on every architecture the kernel supports.
    pub dependent: bool,
    /// A load after which the function reads another shared location before any load-ordering
    /// fence or lock acquisition: a reader whose later reads the value may gate (message
    /// passing), as opposed to a lone test.
    pub reads_after: bool,
}

/// Writers and readers of every shared location of a run.
#[derive(Debug, Default, Clone)]
pub struct PairingIndex {
    sites: FxHashMap<LocationKey, Vec<Site>>,
    /// Functions defined or declared, and function-like macros defined, in the files of the run.
    functions: BTreeSet<String>,
    /// Names used in the lowered code of the run: called functions and the APIs of marked
    /// accesses, fences, atomics, locks and wake-ups.
    used: BTreeSet<String>,
    /// Built by [`PairingIndex::finish`] and dropped by any change, so that
    /// [`PairingIndex::partners`] does not scan every site of a common field name (`ready`,
    /// `flags`) for each access: that was quadratic in the number of sites, minutes for one
    /// generated file with tens of thousands of them. A key's sites are sorted by path, so a
    /// path's sites are found by binary search; only the owner order needs storing.
    lookup: Option<Lookup>,
}

/// For each key with owned sites: positions in `sites[key]` of the sites with an owner, sorted
/// by (owner, position). Four bytes a site, no cloned names (a whole-tree index holds over a
/// million sites).
#[derive(Debug, Default, Clone)]
struct Lookup {
    by_owner: FxHashMap<LocationKey, Vec<u32>>,
}

impl PairingIndex {
    /// An empty index (a run of one file with no partners elsewhere).
    pub fn new() -> Self {
        Self::default()
    }

    /// Add every shared access of one lowered file, and the names it defines and uses;
    /// `source` is the file's text.
    pub fn add_file(
        &mut self,
        path: &str,
        language: Language,
        ir: &FileIr,
        source: &str,
        lines: &LineIndex,
    ) {
        self.lookup = None;
        self.functions.extend(ir.defined_names.iter().cloned());
        for f in &ir.functions {
            self.functions.insert(f.name.clone());
            self.used
                .extend(f.events.iter().filter_map(used_name).map(str::to_owned));
            // Linear time: kernel functions can have thousands of events, so locks held, "a
            // store-ordering fence came before" and "a load-ordering fence comes after" are
            // tracked in one forward walk and one precomputed suffix.
            let load_fence_after = load_fence_suffix(f);
            let other_read_after = other_read_suffix(f);
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
                    dependent: access_role == Role::Read
                        && dereferenced_later(f, id, source).is_some(),
                    reads_after: access_role == Role::Read
                        && other_read_after.get(id).copied().unwrap_or(false),
                };
                self.sites.entry(key.clone()).or_default().push(site);
            }
        }
    }

    /// Record names that occur in files of the run that were not lowered (the run looks for
    /// the partners "pairs with" comments name there); [`PairingIndex::knows_name`] knows them.
    pub fn add_names(&mut self, names: impl IntoIterator<Item = String>) {
        self.used.extend(names);
    }

    /// Forget everything a file contributed (for editors re-indexing one file).
    pub fn remove_file(&mut self, path: &str) {
        self.lookup = None;
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
        self.lookup = None;
        for (key, mut sites) in other.sites {
            self.sites.entry(key).or_default().append(&mut sites);
        }
        self.functions.extend(other.functions);
        self.used.extend(other.used);
    }

    /// Sort every site list by (path, offset) so results do not depend on build order, and
    /// build the owner lookup.
    pub fn finish(&mut self) {
        use rayon::prelude::*;
        // A whole-tree index holds hundreds of thousands of sites: sort the keys in parallel.
        let by_owner: FxHashMap<LocationKey, Vec<u32>> = self
            .sites
            .par_iter_mut()
            .filter_map(|(key, sites)| {
                sites.sort_by(|a, b| {
                    (&a.location.path, a.location.span).cmp(&(&b.location.path, b.location.span))
                });
                sites.dedup();
                let mut owned: Vec<u32> = (0..sites.len() as u32)
                    .filter(|i| sites.get(*i as usize).is_some_and(|s| s.owner.is_some()))
                    .collect();
                if owned.is_empty() {
                    return None;
                }
                owned.sort_by(|a, b| {
                    let owner = |i: &u32| sites.get(*i as usize).and_then(|s| s.owner.as_deref());
                    owner(a).cmp(&owner(b)).then(a.cmp(b))
                });
                Some((key.clone(), owned))
            })
            .collect();
        self.lookup = Some(Lookup { by_owner });
    }

    /// All sites of `key`.
    pub fn sites(&self, key: &LocationKey) -> &[Site] {
        self.sites.get(key).map_or(&[], Vec::as_slice)
    }

    /// Sites of `key` that can be the partner of an access in `path` to a field of `owner`:
    /// both owners known and equal; or, when either is unknown, a site in the same file. Globals
    /// pair within their file only: most cross-CPU flags on globals are `static`, and a name
    /// alone would pair unrelated statics of different files.
    /// In the order of [`PairingIndex::sites`].
    pub fn partners(&self, key: &LocationKey, owner: Option<&str>, path: &str) -> Vec<&Site> {
        let sites = self.sites(key);
        let Some(lookup) = &self.lookup else {
            return sites
                .iter()
                .filter(|s| match (owner, s.owner.as_deref()) {
                    // Two declared types that differ are different structures, even in one file.
                    (Some(a), Some(b)) => a == b,
                    _ => s.location.path == path,
                })
                .collect();
        };
        // Sites are sorted by path: this file's are one run.
        let from = sites.partition_point(|s| s.location.path.as_str() < path);
        let to = sites.partition_point(|s| s.location.path.as_str() <= path);
        let same_file = sites.get(from..to).unwrap_or_default();
        let Some(a) = owner else {
            return same_file.iter().collect();
        };
        let owned = lookup.by_owner.get(key).map_or(&[][..], Vec::as_slice);
        let owner_of = |i: &u32| sites.get(*i as usize).and_then(|s| s.owner.as_deref());
        let lo = owned.partition_point(|i| owner_of(i) < Some(a));
        let hi = owned.partition_point(|i| owner_of(i) <= Some(a));
        let mut positions: Vec<usize> = owned
            .get(lo..hi)
            .unwrap_or_default()
            .iter()
            .map(|i| *i as usize)
            .chain((from..to).filter(|i| sites.get(*i).is_some_and(|s| s.owner.is_none())))
            .collect();
        positions.sort_unstable();
        positions.iter().filter_map(|i| sites.get(*i)).collect()
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

    /// True when a function of this name is defined or declared at file scope (or a
    /// function-like macro of this name defined) in some file of the run, also outside the
    /// parts of the file that were lowered.
    pub fn has_function(&self, name: &str) -> bool {
        self.functions.contains(name)
    }

    /// True when the run knows `name`: [`PairingIndex::has_function`], a name the lowered
    /// code of the run calls or uses as an API (`smp_rmb`, `READ_ONCE`, `foo_update`), or one
    /// recorded by [`PairingIndex::add_names`].
    pub fn knows_name(&self, name: &str) -> bool {
        self.functions.contains(name) || self.used.contains(name)
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

/// The name an event calls or uses as an API, if any.
fn used_name(e: &Event) -> Option<&str> {
    match &e.kind {
        EventKind::Call(c) => Some(c.name.as_str()),
        EventKind::Fence(f) => Some(f.api.as_str()),
        EventKind::Load(a) | EventKind::Store(a) => a.api.as_deref(),
        EventKind::Rmw(r) => Some(r.api.as_str()),
        EventKind::PerCpu(p) => Some(p.api.as_str()),
        EventKind::Lock(l) | EventKind::Unlock(l) => Some(l.api.as_str()),
        EventKind::Wake(w) => Some(w.api.as_str()),
        EventKind::Wait(w) => Some(w.api.as_str()),
        _ => None,
    }
}

/// When the value of the load at `id` is assigned to a local (`p = READ_ONCE(gp)`, `struct
/// foo *p = gp`), the first later event of the function that accesses memory through that
/// local (`p->len`, `p[i]`, `*p`).
pub(crate) fn dereferenced_later(f: &Function, id: usize, source: &str) -> Option<usize> {
    let e = f.events.get(id)?;
    let loaded = match &e.kind {
        EventKind::Load(a) => a.target.text.as_str(),
        _ => return None,
    };
    let local = source
        .get(e.stmt.start..e.span.start)
        .and_then(assigned_local);
    let through = |t: &Target| {
        local.is_some_and(|l| accesses_through(t, l))
            || t.base
                .as_deref()
                .is_some_and(|b| b.trim_start_matches(['(', '*', ' ']) == loaded)
    };
    f.after(id)
        .find(|(_, later)| match &later.kind {
            EventKind::Load(a) | EventKind::Store(a) => through(&a.target),
            EventKind::Rmw(r) => through(&r.target),
            _ => false,
        })
        .map(|(k, _)| k)
}

/// `out[i]` is true when, after event `i`, the function loads a shared location other than
/// the one event `i` loads before any fence that orders loads or any lock acquisition (one
/// backward pass keeping the nearest two distinct locations loaded later).
fn other_read_suffix(f: &Function) -> Vec<bool> {
    /// A later shared load's location (`None` for one without a key, like `*p`).
    type Loc<'a> = Option<&'a LocationKey>;
    let mut out = vec![false; f.events.len()];
    let mut nearest: Option<Loc<'_>> = None;
    let mut other: Option<Loc<'_>> = None;
    for (i, e) in f.events.iter().enumerate().rev() {
        let mine: Option<Loc<'_>> = match &e.kind {
            EventKind::Load(a) if a.target.sharing == Sharing::Shared => {
                Some(a.target.key.as_ref())
            }
            _ => None,
        };
        if let Some(k) = mine {
            if let Some(slot) = out.get_mut(i) {
                *slot = nearest.is_some_and(|n| n != k || k.is_none()) || other.is_some();
            }
        }
        match &e.kind {
            EventKind::Fence(fence) if fence.kind.orders_load_load() => {
                nearest = None;
                other = None;
            }
            EventKind::Lock(l) if l.kind.is_mutual_exclusion() => {
                nearest = None;
                other = None;
            }
            _ => {
                if let Some(k) = mine {
                    if nearest != Some(k) {
                        other = nearest;
                    }
                    nearest = Some(k);
                }
            }
        }
    }
    out
}

/// The local the text before an expression assigns it to: `p = `, `struct foo *p = `,
/// `if ((p = ` → `p`. Compound assignments and comparisons are not assignments.
fn assigned_local(before: &str) -> Option<&str> {
    let t = before.trim_end();
    let t = t.strip_suffix('=')?;
    if t.ends_with(['=', '!', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^']) {
        return None;
    }
    let t = t.trim_end();
    let start = t
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = t.get(start..)?;
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    ok.then_some(name)
}

/// True when `target` is memory reached through the pointer held by the local `name`.
fn accesses_through(target: &Target, name: &str) -> bool {
    let text = target.text.trim_start_matches(['(', '*', ' ']);
    let base = target
        .base
        .as_deref()
        .unwrap_or("")
        .trim_start_matches(['(', '*', ' ']);
    let through = |t: &str| {
        t.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with("->") || rest.starts_with('['))
    };
    through(text)
        || base == name
        || through(base)
        || (target.text.trim_start().starts_with('*') && text == name)
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
    /// Published by a plain store after a compiler barrier (`barrier()`), not with CPU
    /// ordering: every reader counts (see `RuleDef::reader_shapes`).
    pub after_compiler_barrier: bool,
}

/// Locations a file publishes: stores to shared locations that are release-marked or come
/// right after a barrier that orders them for other CPUs, with data written before them. The run parses the parts of other files that mention these names
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
            let fence =
                fence_directly_before(f, id).filter(|(_, fence)| publishes_after(fence.kind));
            let (publishes, after_compiler_barrier) = if a.mark.is_release_or_stronger() {
                (Some(id), false)
            } else {
                (
                    fence.map(|(j, _)| j),
                    fence.is_some_and(|(_, f)| f.kind == FenceKind::Compiler),
                )
            };
            // A publication publishes something: data written before the barrier or release.
            if publishes.is_some_and(|at| crate::rules::context::stores_data_before(f, at)) {
                keys.push(Published {
                    key: key.clone(),
                    owner: owner_type(f, &a.target),
                    after_compiler_barrier,
                });
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// True for the fences after which a store publishes to other CPUs for some pairing rule:
/// `barrier()` (barrier-publication's smell), `smp_wmb()`, `smp_mb()` and release fences.
/// `wmb()`, `dma_wmb()` and the like order memory for a device; the stores after them (a
/// driver's descriptor writes, by the thousand in a kernel tree) have no CPU reader to find.
fn publishes_after(kind: FenceKind) -> bool {
    matches!(
        kind,
        FenceKind::Compiler
            | FenceKind::Write
            | FenceKind::Full
            | FenceKind::Release
            | FenceKind::AcqRel
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use ordlint_diagnostics::Span;

    fn site(path: &str, at: usize, owner: Option<&str>) -> Site {
        let lines = LineIndex::new(&" ".repeat(100));
        Site {
            location: Location::new(path, Span::new(at, at + 1), &lines),
            owner: owner.map(str::to_owned),
            fence_before: None,
            target: "p->ready".to_owned(),
            role: Role::Read,
            mark: Mark::Plain,
            api: None,
            function: "f".to_owned(),
            language: Language::C,
            polled: false,
            ordered: false,
            locks: Vec::new(),
            cpu_pinned: false,
            dependent: false,
            reads_after: Default::default(),
        }
    }

    #[test]
    fn partners_from_the_lookup_are_those_of_the_scan() {
        let key = LocationKey::field("ready");
        let mut index = PairingIndex::new();
        let mut at = 0;
        for path in ["a.c", "b.c"] {
            for owner in [Some("x"), Some("y"), None, Some("x"), None] {
                at += 1;
                index
                    .sites
                    .entry(key.clone())
                    .or_default()
                    .push(site(path, at, owner));
            }
        }
        let queries: Vec<(Option<&str>, &str)> = [Some("x"), Some("y"), Some("z"), None]
            .into_iter()
            .flat_map(|o| ["a.c", "b.c", "c.c"].map(|p| (o, p)))
            .collect();
        let scanned: Vec<Vec<Site>> = queries
            .iter()
            .map(|(o, p)| index.partners(&key, *o, p).into_iter().cloned().collect())
            .collect();
        index.finish();
        assert!(index.lookup.is_some());
        for ((o, p), expected) in queries.iter().zip(&scanned) {
            let found: Vec<Site> = index.partners(&key, *o, p).into_iter().cloned().collect();
            assert_eq!(&found, expected, "owner {o:?}, path {p}");
        }
        assert_eq!(index.partners(&key, Some("x"), "a.c").len(), 6);
    }
    use ordlint_ir::{Access, Call};

    fn target(text: &str, base: Option<&str>, key: &str) -> Target {
        Target {
            text: text.into(),
            span: Span::default(),
            key: Some(LocationKey::field(key)),
            base: base.map(Into::into),
            sharing: Sharing::Shared,
        }
    }

    fn event(kind: EventKind, span: Span, stmt: Span) -> Event {
        Event {
            kind,
            span,
            stmt,
            scope: 0,
        }
    }

    fn load(t: Target, mark: Mark, api: Option<&str>) -> EventKind {
        EventKind::Load(Access {
            target: t,
            mark,
            api: api.map(Into::into),
            value: None,
        })
    }

    #[test]
    fn assigned_locals_are_assignments_not_comparisons() {
        assert_eq!(assigned_local("\tstruct rt *re = "), Some("re"));
        assert_eq!(assigned_local("p = "), Some("p"));
        assert_eq!(assigned_local("if ((p = "), Some("p"));
        assert_eq!(assigned_local("if (x == "), None);
        assert_eq!(assigned_local("n += "), None);
        assert_eq!(assigned_local("foo("), None);
    }

    #[test]
    fn a_read_whose_value_is_dereferenced_is_dependent() {
        let src = "re = READ_ONCE(rc->last); x = re->gw; y = rc->n;";
        let mut f = Function::new("f", Span::new(0, src.len()), Span::new(0, 1));
        f.events.push(event(
            load(
                target("rc->last", Some("rc"), "last"),
                Mark::Once,
                Some("READ_ONCE"),
            ),
            Span::new(5, 24),
            Span::new(0, 25),
        ));
        f.events.push(event(
            load(target("rc->n", Some("rc"), "n"), Mark::Plain, None),
            Span::new(44, 49),
            Span::new(40, 50),
        ));
        assert_eq!(dereferenced_later(&f, 0, src), None);
        f.events.insert(
            1,
            event(
                load(target("re->gw", Some("re"), "gw"), Mark::Plain, None),
                Span::new(30, 36),
                Span::new(26, 37),
            ),
        );
        assert_eq!(dereferenced_later(&f, 0, src), Some(1));
        // The later read of `rc->n` is through `rc`, not through the loaded value.
        assert_eq!(dereferenced_later(&f, 2, src), None);
    }

    #[test]
    fn a_pointer_read_dereferenced_in_place_is_dependent() {
        let src = "cookie->dom->ops->flush(cookie->dom);";
        let mut f = Function::new("f", Span::new(0, src.len()), Span::new(0, 1));
        f.events.push(event(
            load(
                target("cookie->dom", Some("cookie"), "dom"),
                Mark::Plain,
                None,
            ),
            Span::new(0, 11),
            Span::new(0, 37),
        ));
        f.events.push(event(
            load(
                target("cookie->dom->ops", Some("cookie->dom"), "ops"),
                Mark::Plain,
                None,
            ),
            Span::new(0, 16),
            Span::new(0, 37),
        ));
        assert_eq!(dereferenced_later(&f, 0, src), Some(1));
        assert_eq!(dereferenced_later(&f, 1, src), None);
    }

    #[test]
    fn reads_after_stop_at_read_barriers_and_locks() {
        let ev = |kind| event(kind, Span::default(), Span::default());
        let flag = || ev(load(target("q->head", Some("q"), "head"), Mark::Once, None));
        let data = || {
            ev(load(
                target("q->slot", Some("q"), "slot"),
                Mark::Plain,
                None,
            ))
        };
        let rmb = || {
            ev(EventKind::Fence(Fence {
                kind: FenceKind::Read,
                api: "smp_rmb".into(),
            }))
        };
        let mut f = Function::new("f", Span::new(0, 1), Span::new(0, 1));
        f.events = vec![flag(), data()];
        assert_eq!(other_read_suffix(&f), [true, false]);
        f.events = vec![flag(), rmb(), data()];
        assert_eq!(other_read_suffix(&f), [false, false, false]);
        f.events = vec![flag(), flag()];
        assert_eq!(other_read_suffix(&f), [false, false]);
        f.events = vec![flag(), flag(), data()];
        assert_eq!(other_read_suffix(&f), [true, true, false]);
    }

    #[test]
    fn the_index_knows_defined_and_used_names() {
        let src = "void f(void) { foo_update(); }";
        let mut f = Function::new("f", Span::new(0, src.len()), Span::new(5, 6));
        f.events.push(event(
            EventKind::Call(Call {
                name: "foo_update".into(),
                receiver: None,
                args: Vec::new(),
            }),
            Span::new(15, 27),
            Span::new(15, 28),
        ));
        let ir = FileIr {
            functions: vec![f],
            defined_names: vec!["f".into(), "ring_peek".into()],
            ..FileIr::default()
        };
        let mut index = PairingIndex::new();
        index.add_file("a.c", Language::C, &ir, src, &LineIndex::new(src));
        assert!(index.has_function("ring_peek") && index.has_function("f"));
        assert!(!index.has_function("foo_update"));
        assert!(index.knows_name("foo_update"));
        assert!(!index.knows_name("foo_read"));
    }
}
