//! Rust frontend: lowers one Rust source file (parsed with syn) into the ordering IR, telling
//! `atomic::Ordering` from `cmp::Ordering` by imports and paths.
//!
//! Invariants: lowering never fails and never panics on any input (a file syn cannot parse
//! gives one fatal [`Problem`](ordlint_ir::Problem) and no functions; bracket nesting deeper
//! than [`MAX_NESTING`] is refused before parsing); every span is a byte offset into the text
//! given to [`lower`]; no syn type escapes this crate.
//!
//! # What produces what
//!
//! **Functions.** One [`Function`](ordlint_ir::Function) per `fn` item (named `f`), `impl`
//! method (`Type::method`, `Type` = last path segment of the self type without generics, also
//! for trait impls: `impl Drop for Arc<T>` gives `Arc::drop`), trait default method
//! (`Trait::method`), and `fn` nested in a body (plain name, its own `Function`, not part of
//! the parent's events). Functions in inline `mod`s (including `#[cfg(test)] mod tests`) are
//! lowered too. `params` are `(pattern text, type text)`, with `("self", "&self")` for a
//! receiver. Functions are sorted by start offset.
//!
//! **Atomics.** A method call whose name and arity are in
//! [`atomic_api::ATOMIC_METHODS`] *and* whose ordering argument resolves to an
//! `atomic::Ordering` variant (see `ordering.rs`: qualified paths, renamed and glob imports,
//! `portable_atomic`, `loom`, `const`s and `let`s holding an ordering):
//! - `x.load(o)` → `Load { mark: Atomic(o), api: Some("load"), value: None }`;
//! - `x.store(v, o)` → `Store { mark: Atomic(o), api: Some("store"), value: Some(v) }`;
//! - `swap` → `Rmw { op: Exchange }`; `compare_exchange[_weak](cur, new, s, f)` →
//!   `Rmw { op: CompareExchange, ordering: s, failure_ordering: Some(f), args: [cur, new] }`;
//!   `fetch_update(s, f, closure)` (and `update`/`try_update`) → `CompareExchange` with
//!   `ordering: s`, `failure_ordering: Some(f)`, `args: [closure]`; `fetch_add/sub/and/or/xor/
//!   nand/max/min/…` → `Rmw { op: Arith }`; all with `returns_value: true`. portable-atomic's
//!   `add/sub/and/or/xor/not/neg(…, o)` → `Arith` with `returns_value: false`;
//!   `bit_set/bit_clear/bit_toggle(bit, o)` → `SetBit/ClearBit/ChangeBit` with `bit`.
//!
//!   An ordering that is not statically known (a parameter `order: Ordering`) makes the call a
//!   plain `Call` instead. The target is the receiver as written: a field receiver
//!   (`self.head`, `node.next`, `(*ptr).refcnt`, `&self.x`, `self.slots[i]`) gets
//!   `key: Field(last field)` and `base` = the object text; a path receiver (`COUNTER`,
//!   `Self::STATE`, a `static`, or an unknown SCREAMING_CASE name) gets `key: Global(name)`,
//!   `base: None`; anything else `key: None`. `sharing` is `Local` only for fields of owned
//!   locals and for a `let x = AtomicX::new(..)` that is used only as the receiver of direct
//!   method calls outside closures and macros; otherwise `Shared`.
//!
//! **Fences.** `fence(o)` / `atomic::fence(o)` → `Fence { kind, api: "fence" }` with
//! `SeqCst → Full`, `Acquire`, `Release`, `AcqRel` (a `Relaxed` or unresolved ordering gives a
//! `Call`); `compiler_fence(_)` → `Fence { Compiler, api: "compiler_fence" }`. Argument-less
//! kernel-style calls or macros (`smp_mb()`, `barrier()`, `smp_wmb!()`, …, see
//! [`atomic_api::KERNEL_BARRIERS`]) → the same fence kinds as in C.
//!
//! **Volatile.** `ptr::read_volatile(p)` / `read_volatile(p)` / `p.read_volatile()` →
//! `Load { mark: Volatile, api: Some("read_volatile") }`; `write_volatile(p, v)` /
//! `p.write_volatile(v)` → `Store { mark: Volatile, value: Some(v) }`. The target is the
//! pointer expression; its key is the field it points at for `&self.x`, `&raw mut self.x`,
//! `addr_of!(self.x)`, `self.x.get()`, `self.x.as_ptr()` (also through `as` casts).
//!
//! **Plain accesses.** `place = v` and compound `place op= v` → `Store { mark: Plain, api:
//! None, value: Some(v) }` (no `Load` for the compound read) when the place is a field
//! (`self.data`, `(*node).value`, `node.value`, `s.f`), an index of one (`self.buf[i]`, key =
//! the field), a deref (`*p`, key `None`, or the field for `*self.slot.get()`), or a `static`
//! (`key: Global`). Assignments to plain locals produce nothing. `ptr::write(p, v)` /
//! `ptr::write_unaligned` → `Store Plain` with `api: Some("ptr::write")`; `ptr::read(p)` →
//! `Load Plain`. In value position (not an assignment target, not a method receiver, not the
//! operand of `&`/`&raw`/`addr_of!`) a field, index, deref or static path produces
//! `Load { mark: Plain }` only when rooted at `self`, a `*` deref, a binding known to hold a
//! reference or pointer (parameter typed `&T`/`*mut T`/`NonNull`/`Arc`/`Rc`/`Pin`, or a `let`
//! initialised from `&…`, a pointer cast, `.as_ptr()`, `.load(..)`, `Box::into_raw`, …), or a
//! `static`. Sharing: `Local` for fields of owned locals, else `Shared`.
//!
//! **Calls.** `drop`, `mem::drop`, `Box::from_raw`, `Arc::from_raw`, `ptr::drop_in_place`,
//! `dealloc`, `free`, … (see [`atomic_api::FREE_FNS`]) → `Call` with the canonical name from
//! that table; other path calls → `Call { name: path as written without generics
//! ("thread::spawn"), receiver: None, args }`; method calls →
//! `Call { name: method, receiver: Some(receiver text), args }`. The event comes after the
//! events of its receiver and arguments (evaluation order); for assignments the value's events
//! come before the place's.
//!
//! **Scopes.** `loop`/`for`/`while` → `Loop` (span: the whole loop; a `for`'s iterator
//! expression is outside it); a `while` / `while let` condition → `LoopCondition` inside the
//! `Loop`. `if`/`if let` → `Condition` (the condition expression) and one `Branch` per block
//! (`else if` nests inside the else `Branch`); `match` → `Condition` (scrutinee) and one
//! `Branch` per arm (guard included); `let … else` → `Branch` for the else block. Closures and
//! `async` blocks → `Closure`; `unsafe {}` → `Unsafe`. Plain blocks open no scope.
//!
//! **Control flow.** `return e` → `Return` (span: the return expression, after `e`'s
//! events); `e?` → `Return` with the span of the `?` token.
//!
//! **Comments.** syn drops comments, so a lexer pass recovers `//` and `/* */` comments
//! (doc comments `///`, `//!`, `/** */`, `/*! */` are skipped). A comment inside a function's
//! span becomes a `Comment` event of the innermost such function, placed before the first event
//! starting after it, in the innermost scope containing it, with `stmt` = its own span; the
//! others go to `FileIr::comments`.
//!
//! **Macros.** A macro invocation whose tokens parse as comma-separated expressions
//! (`assert!`, `println!`, `vec![a, b]`, custom ones) has those expressions lowered in place;
//! other bodies (`vec![x; n]`, statement-like bodies, `macro_rules!`) are skipped. Macro
//! invocations produce no event of their own, except the kernel barrier names above.
//!
//! **Declarations.** Each `static` item gives a `Declaration` with `is_static` (and no
//! owner).

pub mod atomic_api;
mod lower;
mod ordering;
mod source;
mod target;

use ordlint_diagnostics::Span;
use ordlint_ir::{
    Comment, CommentText, Declaration, Event, EventKind, FileIr, Function, Problem, Qualifiers,
};
use syn::spanned::Spanned;

/// Deepest bracket nesting (`(`, `[`, `{`) a file may have; deeper files get one fatal
/// "nesting too deep" problem instead of being parsed, since syn recurses per level.
pub const MAX_NESTING: usize = 256;

/// Largest parse-depth estimate (tokens of the open expression runs around any point, see
/// `source.rs`) a file may have; longer expressions get one fatal "expression too long"
/// problem instead of being parsed.
pub const MAX_EXPRESSION_RUN: usize = 16_384;

/// Parse-depth estimate above which a file is lowered on a helper thread with a
/// [`LARGE_STACK`] stack, so that syn's recursion fits whatever stack the caller runs on.
const RISKY_RUN: usize = 256;

/// Stack size of the helper thread for deep files (reserved address space; only the pages
/// touched are committed).
const LARGE_STACK: usize = 512 << 20;

/// Lower a Rust source file into the ordering IR. Never fails: a file syn cannot parse gives
/// one fatal `Problem` (with the line/column of syn's error in the message) and no functions.
pub fn lower(source: &str) -> FileIr {
    let scan = source::scan(source);
    if scan.max_depth > MAX_NESTING {
        let message = format!(
            "nesting too deep: more than {MAX_NESTING} levels of brackets; file not lowered"
        );
        let at = scan_span(scan.deepest_at);
        return refused(scan, at, message);
    }
    if scan.longest_run > MAX_EXPRESSION_RUN {
        let message =
            "expression too long or too deeply nested to lower; file not lowered".to_owned();
        let at = scan_span(scan.longest_run_at);
        return refused(scan, at, message);
    }
    if scan.longest_run <= RISKY_RUN {
        return lower_scanned(source, scan);
    }
    // Deep expressions: parse on a thread whose stack is sized for them. Everything proc-macro2
    // keeps per thread stays on that thread; the result holds only byte offsets and strings.
    let at = scan_span(scan.longest_run_at);
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("ordlint-rust-deep".to_owned())
            .stack_size(LARGE_STACK)
            .spawn_scoped(s, || lower_scanned(source, scan));
        match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
            Err(_) => {
                let message =
                    "expression too deeply nested to lower here (no thread for a larger stack)"
                        .to_owned();
                refused(source::Scan::default(), at, message)
            }
        }
    })
}

fn scan_span(at: usize) -> Span {
    Span::new(at, at + 1)
}

fn refused(scan: source::Scan, span: Span, message: String) -> FileIr {
    FileIr {
        problems: vec![Problem {
            span,
            message,
            fatal: true,
        }],
        comments: scan.comments,
        ..FileIr::default()
    }
}

fn lower_scanned(source: &str, scan: source::Scan) -> FileIr {
    let mut ir = FileIr::default();
    let text = source::blank_prelude(source);
    // Spans live in a per-thread map; clear it when done (even when unwinding).
    let _guard = source::SpanMapGuard;
    let file = match syn::parse_file(&text) {
        Ok(f) => f,
        Err(e) => {
            ir.problems.push(syntax_problem(source, &e));
            ir.comments = scan.comments;
            return ir;
        }
    };
    let cx = lower::FileCx {
        src: source,
        orderings: ordering::OrderingNames::of_file(&file),
        statics: lower::statics_of(&file),
    };
    let mut out = lower::Lowered::default();
    lower::lower_items(&cx, &file.items, &mut out);
    ir.declarations = static_declarations(&file);
    let mut functions = out.functions;
    functions.sort_by_key(|f| (f.span.start, std::cmp::Reverse(f.span.end)));
    ir.comments = place_comments(&mut functions, scan.comments);
    ir.functions = functions;
    ir.problems = out.problems;
    // Drop the syntax tree (its drop recurses as deep as the parse did) before the guard runs.
    drop(file);
    ir
}

fn syntax_problem(source: &str, e: &syn::Error) -> Problem {
    let start = e.span().start();
    let range = e.span().byte_range();
    let (span, at) = if start.line == 0 {
        (
            Span::new(source.len(), source.len()),
            "at end of file".to_owned(),
        )
    } else {
        (
            Span::new(range.start, range.end),
            format!("at line {}, column {}", start.line, start.column + 1),
        )
    };
    Problem {
        span,
        message: format!("cannot parse Rust {at}: {e}"),
        fatal: true,
    }
}

fn static_declarations(file: &syn::File) -> Vec<Declaration> {
    use syn::visit::Visit;
    struct V(Vec<Declaration>);
    impl<'ast> Visit<'ast> for V {
        fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
            self.0.push(Declaration {
                name: s.ident.to_string(),
                owner: None,
                span: source::span_of(s.span()),
                qualifiers: Qualifiers {
                    is_static: true,
                    ..Qualifiers::default()
                },
            });
        }
    }
    let mut v = V(Vec::new());
    v.visit_file(file);
    v.0
}

/// Put each comment into the innermost function containing it (as a `Comment` event) and
/// return the ones outside every function.
fn place_comments(functions: &mut [Function], comments: Vec<CommentText>) -> Vec<CommentText> {
    let mut file_level = Vec::new();
    for c in comments {
        let owner = functions
            .iter_mut()
            .filter(|f| f.span.contains(c.span))
            .min_by_key(|f| f.span.len());
        let Some(f) = owner else {
            file_level.push(c);
            continue;
        };
        let scope = f
            .scopes
            .iter()
            .enumerate()
            .filter(|(_, s)| s.span.contains(c.span))
            .min_by_key(|(_, s)| s.span.len())
            .and_then(|(i, _)| u32::try_from(i).ok())
            .unwrap_or(0);
        let at = f
            .events
            .iter()
            .position(|e| e.span.start > c.span.start)
            .unwrap_or(f.events.len());
        let event = Event {
            kind: EventKind::Comment(Comment { text: c.text }),
            span: c.span,
            stmt: c.span,
            scope,
        };
        f.events.insert(at, event);
    }
    file_level
}
