//! What memory an expression names: the location key, the object it is reached through and
//! whether another thread can see it. Works on shapes only (no types): `self` fields,
//! dereferences, bindings known to hold references or raw pointers, statics.

use crate::atomic_api::{ATOMIC_TYPE_PREFIX, CELL_POINTER_METHODS};
use ordlint_ir::{LocationKey, Sharing};
use std::collections::{HashMap, HashSet};
use syn::spanned::Spanned;
use syn::visit::Visit;

/// What a function-local name is known to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binding {
    /// An owned value (a local struct, integer, `Box`): its fields are local.
    ByValue,
    /// A reference, raw pointer, `NonNull`, `Arc`/`Rc`: what it points to may be shared.
    RefLike,
    /// A `let x = AtomicX::new(..)` only used by direct method calls in this function.
    LocalAtomic,
}

/// The root an access is reached from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    /// `self`.
    SelfValue,
    /// An explicit `*` dereference.
    Deref,
    /// A binding holding a reference or pointer.
    Ref,
    /// A `static` (or a path naming one).
    Static,
    /// An owned local.
    ByValue,
    /// A local atomic that never escapes.
    LocalAtomic,
    /// A name we know nothing of (pattern and closure bindings).
    Unknown,
    /// The result of a call or method call, or another expression.
    Other,
}

impl Root {
    /// Whether a location reached from this root can be seen by another thread.
    pub(crate) fn sharing(self) -> Sharing {
        match self {
            Root::ByValue | Root::LocalAtomic => Sharing::Local,
            _ => Sharing::Shared,
        }
    }

    /// True when a plain read reached from this root is worth an event (derefs, `self`,
    /// references, statics; not owned locals or unknown names).
    pub(crate) fn plain_load_worthy(self) -> bool {
        matches!(
            self,
            Root::SelfValue | Root::Deref | Root::Ref | Root::Static
        )
    }
}

/// The analysed location of a place expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    /// Pairing key, if the location has a stable name.
    pub key: Option<LocationKey>,
    /// The object expression the field is reached through, as written.
    pub base: Option<String>,
    /// Where the access is rooted.
    pub root: Root,
}

/// Names known in one function, plus the file's statics.
pub(crate) struct Env<'a> {
    /// The source text (for operand text).
    pub src: &'a str,
    /// `static` items of the file, by name.
    pub statics: &'a HashSet<String>,
    /// Local bindings seen so far.
    pub bindings: HashMap<String, Binding>,
}

/// Source text of a syntax node, or `""` when its span is not inside `src`.
pub(crate) fn text_of<'s>(src: &'s str, node: &impl Spanned) -> &'s str {
    let s = crate::source::span_of(node.span());
    src.get(s.start..s.end).unwrap_or("")
}

fn single_ident(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
}

fn member_name(m: &syn::Member) -> String {
    match m {
        syn::Member::Named(i) => i.to_string(),
        syn::Member::Unnamed(i) => i.index.to_string(),
    }
}

fn is_screaming(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

impl Env<'_> {
    /// The root of a place expression.
    pub(crate) fn root(&self, e: &syn::Expr) -> Root {
        match e {
            syn::Expr::Paren(p) => self.root(&p.expr),
            syn::Expr::Group(g) => self.root(&g.expr),
            syn::Expr::Field(f) => self.root(&f.base),
            syn::Expr::Index(i) => self.root(&i.expr),
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => Root::Deref,
            syn::Expr::Path(p) if p.qself.is_none() => {
                match p.path.get_ident().map(|i| i.to_string()) {
                    Some(name) if name == "self" => Root::SelfValue,
                    Some(name) => match self.bindings.get(&name) {
                        Some(Binding::RefLike) => Root::Ref,
                        Some(Binding::ByValue) => Root::ByValue,
                        Some(Binding::LocalAtomic) => Root::LocalAtomic,
                        None if self.statics.contains(&name) => Root::Static,
                        None => Root::Unknown,
                    },
                    None => {
                        let last = p
                            .path
                            .segments
                            .last()
                            .map(|s| s.ident.to_string())
                            .unwrap_or_default();
                        if self.statics.contains(&last) || is_screaming(&last) {
                            Root::Static
                        } else {
                            Root::Other
                        }
                    }
                }
            }
            _ => Root::Other,
        }
    }

    /// The location a place expression (assignment target, read operand) names, or `None`
    /// when it names no memory we track (a plain local, a temporary).
    pub(crate) fn place(&self, e: &syn::Expr) -> Option<Place> {
        match e {
            syn::Expr::Paren(p) => self.place(&p.expr),
            syn::Expr::Group(g) => self.place(&g.expr),
            syn::Expr::Field(f) => Some(Place {
                key: Some(LocationKey::field(member_name(&f.member))),
                base: Some(text_of(self.src, &f.base).to_owned()),
                root: self.root(&f.base),
            }),
            syn::Expr::Index(i) => {
                let inner = self.place(&i.expr)?;
                Some(Place {
                    root: self.root(&i.expr),
                    ..inner
                })
            }
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                let through = self.pointer_field(&u.expr);
                Some(Place {
                    key: through.as_ref().map(|(k, _)| k.clone()),
                    base: Some(
                        through
                            .and_then(|(_, b)| b)
                            .unwrap_or_else(|| text_of(self.src, &u.expr).to_owned()),
                    ),
                    root: Root::Deref,
                })
            }
            syn::Expr::Path(p) if p.qself.is_none() => {
                let last = p.path.segments.last()?.ident.to_string();
                let is_static = match p.path.get_ident() {
                    Some(_) => !self.bindings.contains_key(&last) && self.statics.contains(&last),
                    None => self.statics.contains(&last),
                };
                is_static.then(|| Place {
                    key: Some(LocationKey::global(last)),
                    base: None,
                    root: Root::Static,
                })
            }
            _ => None,
        }
    }

    /// The receiver of an atomic method: a field (`self.head`, `(*ptr).refcnt`), a static
    /// (`COUNTER`, `Self::STATE`), or something without a stable name.
    pub(crate) fn atomic_receiver(&self, e: &syn::Expr) -> Place {
        let mut place = self.atomic_receiver_inner(e);
        // An owned local atomic (or a field of an owned local) may still be lent to threads; only
        // the `LocalAtomic` shape is known not to be.
        if place.root == Root::ByValue {
            place.root = Root::Other;
        }
        place
    }

    fn atomic_receiver_inner(&self, e: &syn::Expr) -> Place {
        match e {
            syn::Expr::Paren(p) => self.atomic_receiver_inner(&p.expr),
            syn::Expr::Group(g) => self.atomic_receiver_inner(&g.expr),
            syn::Expr::Reference(r) => self.atomic_receiver_inner(&r.expr),
            syn::Expr::Field(_) | syn::Expr::Index(_) => self.place(e).unwrap_or(Place {
                key: None,
                base: None,
                root: Root::Other,
            }),
            syn::Expr::Path(p) if p.qself.is_none() => {
                let last = p
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
                match p.path.get_ident() {
                    None => Place {
                        key: Some(LocationKey::global(last)),
                        base: None,
                        root: Root::Static,
                    },
                    Some(_) => match self.root(e) {
                        Root::Static => Place {
                            key: Some(LocationKey::global(last)),
                            base: None,
                            root: Root::Static,
                        },
                        Root::Unknown if is_screaming(&last) => Place {
                            key: Some(LocationKey::global(last)),
                            base: None,
                            root: Root::Static,
                        },
                        root => Place {
                            key: None,
                            base: None,
                            root,
                        },
                    },
                }
            }
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => Place {
                key: None,
                base: None,
                root: Root::Deref,
            },
            _ => Place {
                key: None,
                base: None,
                root: Root::Other,
            },
        }
    }

    /// The location a raw pointer operand of `read_volatile`/`write_volatile`/`ptr::write`
    /// points at: `&self.x`, `&raw mut self.x`, `addr_of!(self.x)`, `self.x.get()`,
    /// `self.x.as_ptr()`, casts of those; `&local` is a local; anything else an unnamed shared
    /// location.
    pub(crate) fn pointee(&self, e: &syn::Expr) -> Place {
        if let Some((key, base)) = self.pointer_field(e) {
            return Place {
                key: Some(key),
                base,
                root: self.pointer_root(e),
            };
        }
        Place {
            key: None,
            base: None,
            root: self.pointer_root(e),
        }
    }

    fn pointer_root(&self, e: &syn::Expr) -> Root {
        match e {
            syn::Expr::Paren(p) => self.pointer_root(&p.expr),
            syn::Expr::Group(g) => self.pointer_root(&g.expr),
            syn::Expr::Cast(c) => self.pointer_root(&c.expr),
            syn::Expr::Reference(r) => self.root(&r.expr),
            syn::Expr::RawAddr(r) => self.root(&r.expr),
            syn::Expr::Macro(m) => {
                addr_of_operand(m).map_or(Root::Deref, |inner| self.root(&inner))
            }
            _ => Root::Deref,
        }
    }

    /// `(key, base)` when the pointer expression points at a named field or static.
    fn pointer_field(&self, e: &syn::Expr) -> Option<(LocationKey, Option<String>)> {
        match e {
            syn::Expr::Paren(p) => self.pointer_field(&p.expr),
            syn::Expr::Group(g) => self.pointer_field(&g.expr),
            syn::Expr::Cast(c) => self.pointer_field(&c.expr),
            syn::Expr::Reference(r) => self.named(&r.expr),
            syn::Expr::RawAddr(r) => self.named(&r.expr),
            syn::Expr::Macro(m) => addr_of_operand(m).and_then(|inner| self.named(&inner)),
            syn::Expr::MethodCall(m)
                if CELL_POINTER_METHODS.contains(&m.method.to_string().as_str())
                    && m.args.is_empty() =>
            {
                self.named(&m.receiver)
            }
            _ => None,
        }
    }

    fn named(&self, e: &syn::Expr) -> Option<(LocationKey, Option<String>)> {
        let p = self.place(e)?;
        Some((p.key?, p.base))
    }
}

/// The operand of `addr_of!(x)` / `addr_of_mut!(x)` / `ptr::addr_of!(x)`.
pub(crate) fn addr_of_operand(m: &syn::ExprMacro) -> Option<syn::Expr> {
    let name = m.mac.path.segments.last()?.ident.to_string();
    if name != "addr_of" && name != "addr_of_mut" {
        return None;
    }
    syn::parse2::<syn::Expr>(m.mac.tokens.clone()).ok()
}

/// What a `let name = init` (or `let name: ty = init`) binds.
pub(crate) fn classify_let(ty: Option<&syn::Type>, init: Option<&syn::Expr>) -> Binding {
    if let Some(ty) = ty {
        if type_is_ref_like(ty) {
            return Binding::RefLike;
        }
    }
    match init {
        Some(e) if init_is_ref_like(e) => Binding::RefLike,
        _ => Binding::ByValue,
    }
}

/// True for `&T`, `*const T`, `*mut T`, `NonNull<T>`, `Arc<T>`, `Rc<T>`, `Pin<&T>`.
pub(crate) fn type_is_ref_like(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(_) | syn::Type::Ptr(_) => true,
        syn::Type::Paren(p) => type_is_ref_like(&p.elem),
        syn::Type::Group(g) => type_is_ref_like(&g.elem),
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            matches!(
                s.ident.to_string().as_str(),
                "NonNull" | "Arc" | "Rc" | "Pin" | "Weak"
            )
        }),
        _ => false,
    }
}

fn init_is_ref_like(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Paren(p) => init_is_ref_like(&p.expr),
        syn::Expr::Group(g) => init_is_ref_like(&g.expr),
        syn::Expr::Reference(_) | syn::Expr::RawAddr(_) => true,
        syn::Expr::Cast(c) => matches!(*c.ty, syn::Type::Ptr(_)),
        syn::Expr::Unsafe(u) => u
            .block
            .stmts
            .last()
            .is_some_and(|s| matches!(s, syn::Stmt::Expr(e, None) if init_is_ref_like(e))),
        syn::Expr::MethodCall(m) => {
            let name = m.method.to_string();
            match name.as_str() {
                "unwrap" | "expect" | "unwrap_unchecked" => init_is_ref_like(&m.receiver),
                "as_ptr" | "as_mut_ptr" | "get" | "get_mut" | "as_ref" | "as_mut" | "load"
                | "swap" | "clone" | "into_raw" | "cast" | "add" | "offset" => true,
                _ => false,
            }
        }
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) => {
                let segs: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                let last = segs.last().map(String::as_str).unwrap_or("");
                let ty = segs
                    .len()
                    .checked_sub(2)
                    .and_then(|i| segs.get(i))
                    .map(String::as_str)
                    .unwrap_or("");
                matches!(last, "into_raw" | "null" | "null_mut" | "dangling" | "leak")
                    || matches!(ty, "NonNull" | "Arc" | "Rc")
            }
            _ => false,
        },
        _ => false,
    }
}

/// Names of `let x = AtomicX::new(..)` locals of `body` that are used only as receivers of
/// direct method calls outside closures (never moved, borrowed, or captured).
pub(crate) fn local_atomics(body: &syn::Block) -> HashSet<String> {
    let mut finder = LocalAtomicFinder::default();
    finder.visit_block(body);
    finder
        .candidates
        .difference(&finder.escaped)
        .cloned()
        .collect()
}

#[derive(Default)]
struct LocalAtomicFinder {
    candidates: HashSet<String>,
    escaped: HashSet<String>,
    closure_depth: usize,
}

fn is_atomic_new(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) => {
                let segs: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                matches!(segs.as_slice(), [.., ty, new] if ty.starts_with(ATOMIC_TYPE_PREFIX) && new == "new")
            }
            _ => false,
        },
        _ => false,
    }
}

impl<'ast> Visit<'ast> for LocalAtomicFinder {
    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let (syn::Pat::Ident(p), Some(init)) = (&l.pat, &l.init) {
            if is_atomic_new(&init.expr) && self.closure_depth == 0 {
                self.candidates.insert(p.ident.to_string());
            }
        }
        if let (syn::Pat::Type(t), Some(init)) = (&l.pat, &l.init) {
            if let syn::Pat::Ident(p) = &*t.pat {
                if is_atomic_new(&init.expr) && self.closure_depth == 0 {
                    self.candidates.insert(p.ident.to_string());
                }
            }
        }
        syn::visit::visit_local(self, l);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if self.closure_depth == 0 && single_ident(&m.receiver).is_some() {
            for a in &m.args {
                self.visit_expr(a);
            }
            return;
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let Some(i) = p.path.get_ident() {
            self.escaped.insert(i.to_string());
        }
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        self.closure_depth += 1;
        syn::visit::visit_expr_closure(self, c);
        self.closure_depth -= 1;
    }

    fn visit_expr_async(&mut self, a: &'ast syn::ExprAsync) {
        self.closure_depth += 1;
        syn::visit::visit_expr_async(self, a);
        self.closure_depth -= 1;
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // Identifiers inside macro bodies (`println!("{}", x.load(..))`, `spawn!(x)`) are not
        // analysed: any candidate named there escapes.
        for tt in m.tokens.clone() {
            mark_idents(tt, &mut self.escaped);
        }
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

fn mark_idents(tt: proc_macro2::TokenTree, out: &mut HashSet<String>) {
    match tt {
        proc_macro2::TokenTree::Ident(i) => {
            out.insert(i.to_string());
        }
        proc_macro2::TokenTree::Group(g) => {
            for t in g.stream() {
                mark_idents(t, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn local_atomic_escapes_through_macros_and_closures() {
        let b: syn::Block = syn::parse_str(
            "{ let x = AtomicUsize::new(0); let y = AtomicBool::new(false); let z = AtomicU8::new(0); \
               x.fetch_add(1, SeqCst); println!(\"{}\", y.load(SeqCst)); thread::spawn(move || z.load(SeqCst)); }",
        )
        .unwrap();
        let locals = local_atomics(&b);
        assert!(locals.contains("x"));
        assert!(!locals.contains("y"));
        assert!(!locals.contains("z"));
        let b: syn::Block = syn::parse_str(
            "{ let x = AtomicUsize::new(0); match c { Ordering::Less => println!(\"{}\", x.load(Relaxed)), _ => {} } }",
        )
        .unwrap();
        assert!(local_atomics(&b).is_empty());
    }
}
