//! Which `Ordering` an expression means: `atomic::Ordering` (and which variant) versus
//! `cmp::Ordering` or anything else.
//!
//! The file's `use` items (at any depth: they are flattened, so `use super::*` in a test
//! module sees its parent's imports) decide which local names denote the atomic `Ordering`
//! type, which bare names are its variants, and which names denote `cmp::Ordering`. `const` and
//! `static` items whose value resolves to an ordering are followed too. The atomic variant names
//! (`Relaxed`, `Acquire`, `Release`, `AcqRel`, `SeqCst`) are not variants of `cmp::Ordering`, so
//! `Ordering::Acquire` is accepted even without an import; `Ordering::Less` never is.

use crate::atomic_api::{is_atomic_module, is_cmp_module, ordering_variant};
use ordlint_ir::AtomicOrdering;
use std::collections::{HashMap, HashSet};
use syn::visit::Visit;

/// Names in scope for resolving orderings in one file.
#[derive(Debug, Default)]
pub(crate) struct OrderingNames {
    /// Local names of the atomic `Ordering` type (`Ordering`, `AtOrd`, …).
    atomic_types: HashSet<String>,
    /// Local names of `cmp::Ordering`.
    cmp_types: HashSet<String>,
    /// Bare names imported as atomic variants (`Relaxed`, or `R` for `Relaxed as R`).
    variants: HashMap<String, AtomicOrdering>,
    /// A glob import that may bring the atomic variants in (`use …::Ordering::*`, or any glob
    /// we cannot see through, such as `use crate::prelude::*`).
    variant_glob: bool,
    /// `const`/`static` items holding an ordering.
    consts: HashMap<String, AtomicOrdering>,
}

/// Where an ordering might come from inside a function: `let` bindings holding one.
pub(crate) type LocalOrderings = HashMap<String, AtomicOrdering>;

impl OrderingNames {
    /// Collect the imports and ordering constants of `file`.
    pub(crate) fn of_file(file: &syn::File) -> Self {
        let mut names = OrderingNames::default();
        let mut collector = Collector {
            names: &mut names,
            consts: Vec::new(),
        };
        collector.visit_file(file);
        let consts = std::mem::take(&mut collector.consts);
        // Constants may be defined through each other; a few passes reach a fixed point.
        for _ in 0..4 {
            let mut changed = false;
            for (name, expr) in &consts {
                if names.consts.contains_key(name) {
                    continue;
                }
                if let Some(o) = names.resolve(expr, &LocalOrderings::new()) {
                    names.consts.insert(name.clone(), o);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        names
    }

    /// The atomic ordering `expr` denotes, if it denotes one this file can name statically.
    pub(crate) fn resolve(
        &self,
        expr: &syn::Expr,
        locals: &LocalOrderings,
    ) -> Option<AtomicOrdering> {
        match expr {
            syn::Expr::Paren(p) => self.resolve(&p.expr, locals),
            syn::Expr::Group(g) => self.resolve(&g.expr, locals),
            syn::Expr::Path(p) if p.qself.is_none() => self.resolve_path(&p.path, locals),
            _ => None,
        }
    }

    fn resolve_path(&self, path: &syn::Path, locals: &LocalOrderings) -> Option<AtomicOrdering> {
        let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        match segs.as_slice() {
            [] => None,
            [name] => {
                if let Some(o) = locals.get(name) {
                    return Some(*o);
                }
                if let Some(o) = self.variants.get(name) {
                    return Some(*o);
                }
                if let Some(o) = self.consts.get(name) {
                    return Some(*o);
                }
                if self.variant_glob {
                    return ordering_variant(name);
                }
                None
            }
            [.., ty, variant] => {
                if let Some(o) = ordering_variant(variant) {
                    let atomic_type = self.atomic_types.contains(ty)
                        || (ty == "Ordering" && !self.cmp_types.contains(ty));
                    return atomic_type.then_some(o);
                }
                // `Self::ORDER`, `Config::ORDER`, `crate::ORDER`.
                self.consts.get(variant).copied()
            }
        }
    }

    fn add_use(&mut self, prefix: &[String], leaf: UseLeaf<'_>) {
        match leaf {
            UseLeaf::Name { name, local } => {
                if name == "Ordering" {
                    if is_atomic_module(prefix) {
                        self.atomic_types.insert(local.to_owned());
                    } else if is_cmp_module(prefix) {
                        self.cmp_types.insert(local.to_owned());
                    }
                } else if let Some(o) = ordering_variant(name) {
                    if let Some((last, module)) = prefix.split_last() {
                        if (last == "Ordering" && !is_cmp_module(module))
                            || self.atomic_types.contains(last)
                        {
                            self.variants.insert(local.to_owned(), o);
                        }
                    }
                }
            }
            UseLeaf::Glob => match prefix.split_last() {
                Some((last, module)) if last == "Ordering" => {
                    if !is_cmp_module(module) {
                        self.variant_glob = true;
                    }
                }
                _ if is_atomic_module(prefix) => {
                    self.atomic_types.insert("Ordering".to_owned());
                }
                _ if is_cmp_module(prefix) => {
                    self.cmp_types.insert("Ordering".to_owned());
                }
                _ => self.variant_glob = true,
            },
        }
    }
}

enum UseLeaf<'a> {
    Name { name: &'a str, local: &'a str },
    Glob,
}

struct Collector<'n> {
    names: &'n mut OrderingNames,
    consts: Vec<(String, syn::Expr)>,
}

impl Collector<'_> {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name == "self" {
                    return;
                }
                self.names.add_use(
                    prefix,
                    UseLeaf::Name {
                        name: &name,
                        local: &name,
                    },
                );
            }
            syn::UseTree::Rename(r) => {
                let name = r.ident.to_string();
                let local = r.rename.to_string();
                if name == "self" {
                    return;
                }
                self.names.add_use(
                    prefix,
                    UseLeaf::Name {
                        name: &name,
                        local: &local,
                    },
                );
            }
            syn::UseTree::Glob(_) => self.names.add_use(prefix, UseLeaf::Glob),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut prefix = Vec::new();
        self.use_tree(&mut prefix, &u.tree);
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.consts.push((c.ident.to_string(), (*c.expr).clone()));
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        self.consts.push((s.ident.to_string(), (*s.expr).clone()));
    }

    fn visit_impl_item_const(&mut self, c: &'ast syn::ImplItemConst) {
        self.consts.push((c.ident.to_string(), c.expr.clone()));
    }

    fn visit_trait_item_const(&mut self, c: &'ast syn::TraitItemConst) {
        if let Some((_, e)) = &c.default {
            self.consts.push((c.ident.to_string(), e.clone()));
        }
    }

    // Function bodies hold no imports that matter at file scope (a `use` inside a function is
    // rare and is still collected, since `visit_block` is not overridden), so the default walk
    // is fine.
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn resolve_in(file: &str, expr: &str) -> Option<AtomicOrdering> {
        let f: syn::File = syn::parse_str(file).unwrap();
        let e: syn::Expr = syn::parse_str(expr).unwrap();
        OrderingNames::of_file(&f).resolve(&e, &LocalOrderings::new())
    }

    #[test]
    fn qualified_paths_resolve() {
        assert_eq!(
            resolve_in("", "Ordering::Relaxed"),
            Some(AtomicOrdering::Relaxed)
        );
        assert_eq!(
            resolve_in("", "atomic::Ordering::SeqCst"),
            Some(AtomicOrdering::SeqCst)
        );
        assert_eq!(
            resolve_in("", "std::sync::atomic::Ordering::Acquire"),
            Some(AtomicOrdering::Acquire)
        );
        assert_eq!(
            resolve_in("", "core::sync::atomic::Ordering::Release"),
            Some(AtomicOrdering::Release)
        );
    }

    #[test]
    fn cmp_ordering_is_never_atomic() {
        let file = "use std::cmp::Ordering; use std::sync::atomic::Ordering as AtOrd;";
        assert_eq!(resolve_in(file, "Ordering::Less"), None);
        assert_eq!(resolve_in(file, "Ordering::Greater"), None);
        assert_eq!(
            resolve_in(file, "AtOrd::Acquire"),
            Some(AtomicOrdering::Acquire)
        );
        assert_eq!(resolve_in("use std::cmp::Ordering::*;", "Less"), None);
        assert_eq!(resolve_in("", "Less"), None);
    }

    #[test]
    fn glob_and_listed_variant_imports_resolve_bare_names() {
        assert_eq!(
            resolve_in("use std::sync::atomic::Ordering::*;", "AcqRel"),
            Some(AtomicOrdering::AcqRel)
        );
        let listed = "use core::sync::atomic::Ordering::{Acquire, Release as Rel};";
        assert_eq!(resolve_in(listed, "Acquire"), Some(AtomicOrdering::Acquire));
        assert_eq!(resolve_in(listed, "Rel"), Some(AtomicOrdering::Release));
        assert_eq!(resolve_in(listed, "Relaxed"), None);
        assert_eq!(resolve_in("", "Relaxed"), None);
    }

    #[test]
    fn other_crates_and_renames_resolve() {
        assert_eq!(
            resolve_in("use portable_atomic::Ordering as O;", "O::SeqCst"),
            Some(AtomicOrdering::SeqCst)
        );
        assert_eq!(
            resolve_in(
                "use loom::sync::atomic::{AtomicUsize, Ordering::*};",
                "Relaxed"
            ),
            Some(AtomicOrdering::Relaxed)
        );
        assert_eq!(resolve_in("", "MyOrd::Relaxed"), None);
    }

    #[test]
    fn constants_holding_an_ordering_resolve() {
        let file = "use std::sync::atomic::Ordering; const LOAD: Ordering = Ordering::Acquire; const ALIAS: Ordering = LOAD; \
                    struct S; impl S { const ST: Ordering = Ordering::Release; }";
        assert_eq!(resolve_in(file, "LOAD"), Some(AtomicOrdering::Acquire));
        assert_eq!(resolve_in(file, "ALIAS"), Some(AtomicOrdering::Acquire));
        assert_eq!(resolve_in(file, "Self::ST"), Some(AtomicOrdering::Release));
    }
}
