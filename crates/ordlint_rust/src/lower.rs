//! The lowering proper: walks syn's items and expressions and emits IR events per function.
//! The crate's `//!` documents which Rust shapes produce which events; this module is the
//! one place that implements that table.

use crate::atomic_api::{
    atomic_method, fence_kind_for, free_fn, kernel_barrier, AtomicOpKind, COMPILER_FENCE, FENCE,
    PTR_READ_FNS, PTR_WRITE_FNS, VOLATILE_READ_FNS, VOLATILE_READ_METHOD, VOLATILE_WRITE_FNS,
    VOLATILE_WRITE_METHOD,
};
use crate::ordering::{LocalOrderings, OrderingNames};
use crate::source::span_of;
use crate::target::{
    addr_of_operand, classify_let, local_atomics, text_of, type_is_ref_like, Binding, Env, Place,
};
use ordlint_diagnostics::Span;
use ordlint_ir::{
    Access, Call, Event, EventKind, Fence, FenceKind, Function, Mark, Operand, Problem, Rmw, Scope,
    ScopeId, ScopeKind, Target,
};
use std::collections::HashSet;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

/// Deepest expression nesting the walker follows; deeper sub-expressions are skipped with a
/// (non-fatal) problem, so the walk cannot overflow the stack.
const MAX_EXPR_DEPTH: usize = 300;

/// File-wide facts the function lowering reads.
pub(crate) struct FileCx<'a> {
    /// The source text (offsets of all spans refer to it).
    pub src: &'a str,
    /// Imports and constants naming orderings.
    pub orderings: OrderingNames,
    /// Names of `static` items anywhere in the file.
    pub statics: HashSet<String>,
}

/// Output of lowering the items of a file.
#[derive(Default)]
pub(crate) struct Lowered {
    /// Lowered functions, in no particular order (the caller sorts them).
    pub functions: Vec<Function>,
    /// Non-fatal problems.
    pub problems: Vec<Problem>,
}

/// Lower every function-like item in `items` (recursing into modules, impls and traits).
pub(crate) fn lower_items(cx: &FileCx<'_>, items: &[syn::Item], out: &mut Lowered) {
    for item in items {
        lower_item(cx, item, out);
    }
}

fn lower_item(cx: &FileCx<'_>, item: &syn::Item, out: &mut Lowered) {
    match item {
        syn::Item::Fn(f) => lower_fn(
            cx,
            f.sig.ident.to_string(),
            &f.sig,
            &f.block,
            item.span(),
            out,
        ),
        syn::Item::Impl(i) => {
            let ty = type_name(cx.src, &i.self_ty);
            for ii in &i.items {
                if let syn::ImplItem::Fn(m) = ii {
                    lower_fn(
                        cx,
                        format!("{ty}::{}", m.sig.ident),
                        &m.sig,
                        &m.block,
                        ii.span(),
                        out,
                    );
                }
            }
        }
        syn::Item::Trait(t) => {
            for ti in &t.items {
                if let syn::TraitItem::Fn(m) = ti {
                    if let Some(body) = &m.default {
                        lower_fn(
                            cx,
                            format!("{}::{}", t.ident, m.sig.ident),
                            &m.sig,
                            body,
                            ti.span(),
                            out,
                        );
                    }
                }
            }
        }
        syn::Item::Mod(m) => {
            if let Some((_, items)) = &m.content {
                lower_items(cx, items, out);
            }
        }
        _ => {}
    }
}

/// `Stack` for `Stack<T>`, `Arc` for `Arc<T>`, the text for anything else.
fn type_name(src: &str, ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_else(|| text_of(src, ty).to_owned()),
        syn::Type::Reference(r) => type_name(src, &r.elem),
        syn::Type::Paren(p) => type_name(src, &p.elem),
        syn::Type::Group(g) => type_name(src, &g.elem),
        _ => text_of(src, ty).to_owned(),
    }
}

fn lower_fn(
    cx: &FileCx<'_>,
    name: String,
    sig: &syn::Signature,
    body: &syn::Block,
    span: proc_macro2::Span,
    out: &mut Lowered,
) {
    let mut f = Function::new(name, span_of(span), span_of(sig.ident.span()));
    if let syn::ReturnType::Type(_, ty) = &sig.output {
        f.return_type = Some(text_of(cx.src, ty).to_owned());
    }
    let mut env = Env {
        src: cx.src,
        statics: &cx.statics,
        bindings: Default::default(),
    };
    let local_orders = LocalOrderings::new();
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(r) => f
                .params
                .push(("self".to_owned(), text_of(cx.src, r).to_owned())),
            syn::FnArg::Typed(t) => {
                let pat = text_of(cx.src, &t.pat).to_owned();
                f.params
                    .push((pat.clone(), text_of(cx.src, &t.ty).to_owned()));
                if let syn::Pat::Ident(pi) = &*t.pat {
                    let b = if type_is_ref_like(&t.ty) {
                        Binding::RefLike
                    } else {
                        Binding::ByValue
                    };
                    env.bindings.insert(pi.ident.to_string(), b);
                }
            }
        }
    }
    let body_span = span_of(body.span());
    let mut lw = FnLowerer {
        cx,
        env,
        f,
        scope: 0,
        stmt: body_span,
        local_orders,
        local_atomics: local_atomics(body),
        depth: 0,
        too_deep: false,
        nested: Vec::new(),
    };
    lw.block(body);
    if lw.too_deep {
        out.problems.push(Problem {
            span: lw.f.name_span,
            message: format!(
                "expressions in `{}` nest too deep; the deepest parts were not lowered",
                lw.f.name
            ),
            fatal: false,
        });
    }
    let FnLowerer { f, nested, .. } = lw;
    out.functions.push(f);
    for item in nested {
        lower_item(cx, item, out);
    }
}

/// Whether the expression being walked is read for its value or names a place (assignment
/// target, method receiver, operand of `&`), which is not a read of its own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Value,
    Place,
}

struct FnLowerer<'a, 'ast> {
    cx: &'a FileCx<'a>,
    env: Env<'a>,
    f: Function,
    scope: ScopeId,
    stmt: Span,
    local_orders: LocalOrderings,
    local_atomics: HashSet<String>,
    depth: usize,
    too_deep: bool,
    nested: Vec<&'ast syn::Item>,
}

impl<'a, 'ast> FnLowerer<'a, 'ast> {
    fn text(&self, node: &impl Spanned) -> String {
        text_of(self.cx.src, node).to_owned()
    }

    fn operand(&self, node: &impl Spanned) -> Operand {
        Operand {
            text: self.text(node),
            span: span_of(node.span()),
        }
    }

    fn push(&mut self, kind: EventKind, span: Span) {
        self.f.events.push(Event {
            kind,
            span,
            stmt: self.stmt,
            scope: self.scope,
        });
    }

    fn open(&mut self, kind: ScopeKind, span: Span) -> ScopeId {
        let saved = self.scope;
        let id = ScopeId::try_from(self.f.scopes.len()).unwrap_or(ScopeId::MAX);
        self.f.scopes.push(Scope {
            kind,
            span,
            parent: Some(saved),
        });
        self.scope = id;
        saved
    }

    fn target(&self, node: &syn::Expr, place: Place) -> Target {
        Target {
            text: self.text(node),
            span: span_of(node.span()),
            key: place.key,
            base: place.base,
            sharing: place.root.sharing(),
        }
    }

    fn block(&mut self, b: &'ast syn::Block) {
        let saved = self.stmt;
        for s in &b.stmts {
            self.stmt = span_of(s.span());
            self.stmt_(s);
        }
        self.stmt = saved;
    }

    fn stmt_(&mut self, s: &'ast syn::Stmt) {
        match s {
            syn::Stmt::Local(l) => {
                if let Some(init) = &l.init {
                    self.expr(&init.expr, Ctx::Value);
                    if let Some((_, diverge)) = &init.diverge {
                        let saved = self.open(ScopeKind::Branch, span_of(diverge.span()));
                        self.expr(diverge, Ctx::Value);
                        self.scope = saved;
                    }
                }
                self.bind(&l.pat, l.init.as_ref().map(|i| &*i.expr));
            }
            syn::Stmt::Item(item) => self.nested.push(item),
            syn::Stmt::Expr(e, _) => self.expr(e, Ctx::Value),
            syn::Stmt::Macro(m) => self.mac(&m.mac, span_of(m.span())),
        }
    }

    fn bind(&mut self, pat: &syn::Pat, init: Option<&syn::Expr>) {
        let (ident, ty) = match pat {
            syn::Pat::Ident(p) => (p.ident.to_string(), None),
            syn::Pat::Type(t) => match &*t.pat {
                syn::Pat::Ident(p) => (p.ident.to_string(), Some(&*t.ty)),
                _ => return,
            },
            _ => return,
        };
        if let Some(o) = init.and_then(|e| self.cx.orderings.resolve(e, &self.local_orders)) {
            self.local_orders.insert(ident.clone(), o);
        } else {
            self.local_orders.remove(&ident);
        }
        let binding = if self.local_atomics.contains(&ident) {
            Binding::LocalAtomic
        } else {
            classify_let(ty, init)
        };
        self.env.bindings.insert(ident, binding);
    }

    fn expr(&mut self, e: &'ast syn::Expr, ctx: Ctx) {
        if self.depth >= MAX_EXPR_DEPTH {
            self.too_deep = true;
            return;
        }
        self.depth += 1;
        self.expr_inner(e, ctx);
        self.depth -= 1;
    }

    fn expr_inner(&mut self, e: &'ast syn::Expr, ctx: Ctx) {
        use syn::Expr as E;
        match e {
            E::Array(a) => a.elems.iter().for_each(|x| self.expr(x, Ctx::Value)),
            E::Assign(a) => self.assign(e, &a.left, &a.right),
            E::Binary(b) if is_compound_assign(&b.op) => self.assign(e, &b.left, &b.right),
            E::Binary(b) => {
                self.expr(&b.left, Ctx::Value);
                self.expr(&b.right, Ctx::Value);
            }
            E::Async(a) => {
                let saved = self.open(ScopeKind::Closure, span_of(e.span()));
                self.block(&a.block);
                self.scope = saved;
            }
            E::Await(a) => self.expr(&a.base, Ctx::Value),
            E::Block(b) => self.block(&b.block),
            E::Break(b) => {
                if let Some(x) = &b.expr {
                    self.expr(x, Ctx::Value);
                }
            }
            E::Call(c) => self.call(e, c),
            E::Cast(c) => self.expr(&c.expr, Ctx::Value),
            E::Closure(c) => {
                let saved = self.open(ScopeKind::Closure, span_of(e.span()));
                self.expr(&c.body, Ctx::Value);
                self.scope = saved;
            }
            E::Const(c) => self.block(&c.block),
            E::Field(f) => {
                self.expr(&f.base, Ctx::Place);
                self.plain_load(e, ctx);
            }
            E::ForLoop(l) => {
                self.expr(&l.expr, Ctx::Value);
                let saved = self.open(ScopeKind::Loop, span_of(e.span()));
                self.block(&l.body);
                self.scope = saved;
            }
            E::Group(g) => self.expr(&g.expr, ctx),
            E::If(i) => {
                let saved = self.open(ScopeKind::Condition, span_of(i.cond.span()));
                self.expr(&i.cond, Ctx::Value);
                self.scope = saved;
                self.open(ScopeKind::Branch, span_of(i.then_branch.span()));
                self.block(&i.then_branch);
                self.scope = saved;
                if let Some((_, els)) = &i.else_branch {
                    self.open(ScopeKind::Branch, span_of(els.span()));
                    self.expr(els, Ctx::Value);
                    self.scope = saved;
                }
            }
            E::Index(i) => {
                self.expr(&i.expr, Ctx::Place);
                self.expr(&i.index, Ctx::Value);
                self.plain_load(e, ctx);
            }
            E::Let(l) => self.expr(&l.expr, Ctx::Value),
            E::Loop(l) => {
                let saved = self.open(ScopeKind::Loop, span_of(e.span()));
                self.block(&l.body);
                self.scope = saved;
            }
            E::Macro(m) => {
                if let Some(inner) = addr_of_operand(m) {
                    // The operand is a place, not a read of its own.
                    lower_detached(self, &inner, Ctx::Place);
                } else {
                    self.mac(&m.mac, span_of(e.span()));
                }
            }
            E::Match(m) => {
                let saved = self.open(ScopeKind::Condition, span_of(m.expr.span()));
                self.expr(&m.expr, Ctx::Value);
                self.scope = saved;
                for arm in &m.arms {
                    self.open(ScopeKind::Branch, span_of(arm.span()));
                    if let syn::Pat::Guard(g) = &arm.pat {
                        self.expr(&g.guard, Ctx::Value);
                    }
                    self.expr(&arm.body, Ctx::Value);
                    self.scope = saved;
                }
            }
            E::MethodCall(m) => self.method_call(e, m),
            E::Paren(p) => self.expr(&p.expr, ctx),
            E::Path(_) => self.plain_load(e, ctx),
            E::Range(r) => {
                if let Some(x) = &r.start {
                    self.expr(x, Ctx::Value);
                }
                if let Some(x) = &r.end {
                    self.expr(x, Ctx::Value);
                }
            }
            E::RawAddr(r) => self.expr(&r.expr, Ctx::Place),
            E::Reference(r) => self.expr(&r.expr, Ctx::Place),
            E::Repeat(r) => self.expr(&r.expr, Ctx::Value),
            E::Return(r) => {
                if let Some(x) = &r.expr {
                    self.expr(x, Ctx::Value);
                }
                self.push(EventKind::Return, span_of(e.span()));
            }
            E::Struct(s) => {
                for fv in &s.fields {
                    self.expr(&fv.expr, Ctx::Value);
                }
                if let Some(rest) = &s.rest {
                    self.expr(rest, Ctx::Value);
                }
            }
            E::Try(t) => {
                self.expr(&t.expr, Ctx::Value);
                self.push(EventKind::Return, span_of(t.question_token.span()));
            }
            E::TryBlock(t) => self.block(&t.block),
            E::Tuple(t) => t.elems.iter().for_each(|x| self.expr(x, Ctx::Value)),
            E::Unary(u) => match u.op {
                syn::UnOp::Deref(_) => {
                    self.expr(&u.expr, Ctx::Value);
                    self.plain_load(e, ctx);
                }
                _ => self.expr(&u.expr, Ctx::Value),
            },
            E::Unsafe(u) => {
                let saved = self.open(ScopeKind::Unsafe, span_of(e.span()));
                self.block(&u.block);
                self.scope = saved;
            }
            E::While(w) => {
                let saved = self.open(ScopeKind::Loop, span_of(e.span()));
                let in_loop = self.open(ScopeKind::LoopCondition, span_of(w.cond.span()));
                self.expr(&w.cond, Ctx::Value);
                self.scope = in_loop;
                self.block(&w.body);
                self.scope = saved;
            }
            E::Yield(y) => {
                if let Some(x) = &y.expr {
                    self.expr(x, Ctx::Value);
                }
            }
            _ => {}
        }
    }

    /// A read of a place in value position: emitted only for derefs, `self` fields, fields
    /// through references or pointers, and statics.
    fn plain_load(&mut self, e: &syn::Expr, ctx: Ctx) {
        if ctx != Ctx::Value {
            return;
        }
        let Some(place) = self.env.place(e) else {
            return;
        };
        if !place.root.plain_load_worthy() {
            return;
        }
        let target = self.target(e, place);
        self.push(
            EventKind::Load(Access {
                target,
                mark: Mark::Plain,
                api: None,
                value: None,
            }),
            span_of(e.span()),
        );
    }

    fn assign(&mut self, whole: &syn::Expr, left: &'ast syn::Expr, right: &'ast syn::Expr) {
        self.expr(right, Ctx::Value);
        self.expr(left, Ctx::Place);
        let Some(place) = self.env.place(left) else {
            return;
        };
        let target = self.target(left, place);
        let value = Some(self.operand(right));
        self.push(
            EventKind::Store(Access {
                target,
                mark: Mark::Plain,
                api: None,
                value,
            }),
            span_of(whole.span()),
        );
    }

    fn args(&self, args: &Punctuated<syn::Expr, syn::Token![,]>) -> Vec<Operand> {
        args.iter().map(|a| self.operand(a)).collect()
    }

    fn call(&mut self, whole: &'ast syn::Expr, c: &'ast syn::ExprCall) {
        for a in &c.args {
            self.expr(a, Ctx::Value);
        }
        let span = span_of(whole.span());
        let syn::Expr::Path(p) = &*c.func else {
            self.expr(&c.func, Ctx::Value);
            let kind = EventKind::Call(Call {
                name: self.text(&*c.func),
                receiver: None,
                args: self.args(&c.args),
            });
            self.push(kind, span);
            return;
        };
        let segs: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        let last = segs.last().map(String::as_str).unwrap_or("");
        let in_ptr = segs.len() >= 2 && segs.get(segs.len() - 2).is_some_and(|s| s == "ptr");
        let args: Vec<&syn::Expr> = c.args.iter().collect();
        let kind = match (last, args.as_slice()) {
            (FENCE, [ord]) => self
                .cx
                .orderings
                .resolve(ord, &self.local_orders)
                .and_then(fence_kind_for)
                .map(|kind| {
                    EventKind::Fence(Fence {
                        kind,
                        api: FENCE.to_owned(),
                    })
                }),
            (COMPILER_FENCE, [_]) => Some(EventKind::Fence(Fence {
                kind: FenceKind::Compiler,
                api: COMPILER_FENCE.to_owned(),
            })),
            (name, []) if kernel_barrier(name).is_some() => kernel_barrier(name).map(|kind| {
                EventKind::Fence(Fence {
                    kind,
                    api: name.to_owned(),
                })
            }),
            (name, [ptr]) if VOLATILE_READ_FNS.contains(&name) => {
                Some(self.pointer_access(ptr, None, Mark::Volatile, name, false))
            }
            (name, [ptr, v]) if VOLATILE_WRITE_FNS.contains(&name) => {
                Some(self.pointer_access(ptr, Some(v), Mark::Volatile, name, true))
            }
            (name, [ptr]) if in_ptr && PTR_READ_FNS.contains(&name) => {
                Some(self.pointer_access(ptr, None, Mark::Plain, &format!("ptr::{name}"), false))
            }
            (name, [ptr, v, ..]) if in_ptr && PTR_WRITE_FNS.contains(&name) => {
                Some(self.pointer_access(ptr, Some(v), Mark::Plain, &format!("ptr::{name}"), true))
            }
            _ => None,
        };
        if kind.is_none()
            && segs
                .last()
                .is_some_and(|s| s.starts_with(|c: char| c.is_ascii_uppercase()))
        {
            // `Some(x)`, `Ok(x)`, `Point(a, b)`: a tuple-struct or variant constructor, not a call.
            return;
        }
        let kind = kind.unwrap_or_else(|| {
            let name = free_fn(&segs)
                .map(str::to_owned)
                .unwrap_or_else(|| segs.join("::"));
            EventKind::Call(Call {
                name,
                receiver: None,
                args: self.args(&c.args),
            })
        });
        self.push(kind, span);
    }

    fn pointer_access(
        &self,
        ptr: &syn::Expr,
        value: Option<&syn::Expr>,
        mark: Mark,
        api: &str,
        store: bool,
    ) -> EventKind {
        let place = self.env.pointee(ptr);
        let target = self.target(ptr, place);
        let access = Access {
            target,
            mark,
            api: Some(api.to_owned()),
            value: value.map(|v| self.operand(v)),
        };
        if store {
            EventKind::Store(access)
        } else {
            EventKind::Load(access)
        }
    }

    fn method_call(&mut self, whole: &'ast syn::Expr, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        let span = span_of(whole.span());
        self.expr(&m.receiver, Ctx::Place);
        for a in &m.args {
            self.expr(a, Ctx::Value);
        }
        if let Some(kind) = self.atomic_event(m, &name) {
            self.push(kind, span);
            return;
        }
        let args: Vec<&syn::Expr> = m.args.iter().collect();
        let kind = match (name.as_str(), args.as_slice()) {
            (VOLATILE_READ_METHOD, []) => self.pointer_access(
                &m.receiver,
                None,
                Mark::Volatile,
                VOLATILE_READ_METHOD,
                false,
            ),
            (VOLATILE_WRITE_METHOD, [v]) => self.pointer_access(
                &m.receiver,
                Some(v),
                Mark::Volatile,
                VOLATILE_WRITE_METHOD,
                true,
            ),
            _ => EventKind::Call(Call {
                name,
                receiver: Some(self.operand(&*m.receiver)),
                args: self.args(&m.args),
            }),
        };
        self.push(kind, span);
    }

    fn atomic_event(&self, m: &syn::ExprMethodCall, name: &str) -> Option<EventKind> {
        let method = atomic_method(name, m.args.len())?;
        let args: Vec<&syn::Expr> = m.args.iter().collect();
        let ordering = self
            .cx
            .orderings
            .resolve(args.get(method.ordering_arg)?, &self.local_orders)?;
        let failure = method
            .failure_arg
            .and_then(|i| args.get(i))
            .and_then(|a| self.cx.orderings.resolve(a, &self.local_orders));
        let place = self.env.atomic_receiver(&m.receiver);
        let target = self.target(&m.receiver, place);
        let mark = Mark::Atomic(ordering);
        Some(match method.kind {
            AtomicOpKind::Load => EventKind::Load(Access {
                target,
                mark,
                api: Some(name.to_owned()),
                value: None,
            }),
            AtomicOpKind::Store => {
                let value = args.first().map(|v| self.operand(*v));
                EventKind::Store(Access {
                    target,
                    mark,
                    api: Some(name.to_owned()),
                    value,
                })
            }
            AtomicOpKind::Rmw { op, returns_value } => {
                let others = args
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| {
                        *i != method.ordering_arg
                            && Some(*i) != method.failure_arg
                            && Some(*i) != method.bit_arg
                    })
                    .map(|(_, a)| self.operand(*a))
                    .collect();
                EventKind::Rmw(Rmw {
                    target,
                    api: name.to_owned(),
                    op,
                    returns_value,
                    ordering,
                    failure_ordering: failure,
                    bit: method
                        .bit_arg
                        .and_then(|i| args.get(i))
                        .map(|b| self.operand(*b)),
                    args: others,
                })
            }
        })
    }

    fn mac(&mut self, mac: &syn::Macro, span: Span) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name == "macro_rules" {
            return;
        }
        if mac.tokens.is_empty() {
            if let Some(kind) = kernel_barrier(&name) {
                self.push(EventKind::Fence(Fence { kind, api: name }), span);
            }
            return;
        }
        let parser = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(exprs) = syn::parse::Parser::parse2(parser, mac.tokens.clone()) {
            for e in &exprs {
                lower_detached(self, e, Ctx::Value);
            }
        }
    }
}

/// Lower an expression tree parsed on the fly from a macro body into `outer`'s function. The
/// tree does not live as long as the file's syntax tree, so a short-lived lowerer borrows
/// `outer`'s state for the walk and hands it back.
fn lower_detached(outer: &mut FnLowerer<'_, '_>, e: &syn::Expr, ctx: Ctx) {
    let mut inner = FnLowerer {
        cx: outer.cx,
        env: Env {
            src: outer.env.src,
            statics: outer.env.statics,
            bindings: std::mem::take(&mut outer.env.bindings),
        },
        f: std::mem::take(&mut outer.f),
        scope: outer.scope,
        stmt: outer.stmt,
        local_orders: std::mem::take(&mut outer.local_orders),
        local_atomics: std::mem::take(&mut outer.local_atomics),
        depth: outer.depth,
        too_deep: outer.too_deep,
        // Items declared inside macro bodies are not lowered: they are rare, and the parsed
        // tree does not outlive this call.
        nested: Vec::new(),
    };
    inner.expr(e, ctx);
    outer.env.bindings = inner.env.bindings;
    outer.f = inner.f;
    outer.local_orders = inner.local_orders;
    outer.local_atomics = inner.local_atomics;
    outer.too_deep = inner.too_deep;
}

fn is_compound_assign(op: &syn::BinOp) -> bool {
    use syn::BinOp as B;
    matches!(
        op,
        B::AddAssign(_)
            | B::SubAssign(_)
            | B::MulAssign(_)
            | B::DivAssign(_)
            | B::RemAssign(_)
            | B::BitXorAssign(_)
            | B::BitAndAssign(_)
            | B::BitOrAssign(_)
            | B::ShlAssign(_)
            | B::ShrAssign(_)
    )
}

/// Names of all `static` items in `file`, at any depth.
pub(crate) fn statics_of(file: &syn::File) -> HashSet<String> {
    use syn::visit::Visit;
    struct V(HashSet<String>);
    impl<'ast> Visit<'ast> for V {
        fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
            self.0.insert(s.ident.to_string());
        }
    }
    let mut v = V(HashSet::new());
    v.visit_file(file);
    v.0
}
