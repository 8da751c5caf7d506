//! The tree walk: tree-sitter-c syntax of (blanked) kernel C → functions, events and scopes.
//!
//! One [`Walker`] lowers one function. Expressions are walked in evaluation order (operands
//! before the operation, the right-hand side before the store). Recursion is bounded by
//! [`MAX_DEPTH`]: a deeper subtree is skipped and reported, never followed to a stack overflow.
//! ERROR and MISSING nodes are walked through for whatever recognisable children they have.

use crate::blanking::Qualifier;
use crate::facts::Facts;
use crate::fields::Fields;
use crate::kernel_api::{self, Api};
use crate::lexer::{Lexer, TokKind};
use crate::locals::{LocalInfo, Locals};
use ordlint_diagnostics::Span;
use ordlint_ir::{
    Access, Call, Comment, CommentText, Declaration, Event, EventKind, Fence, FenceKind, FileIr,
    Function, LocationKey, LockKind, LockOp, Mark, Operand, PerCpu, PerCpuOp, Problem, Qualifiers,
    Rmw, Scope, ScopeId, ScopeKind, Sharing, Target, Wait, Wake,
};
use tree_sitter::{Node, Parser, Tree};

/// Deepest nesting (statements and expressions) the walker follows.
pub(crate) const MAX_DEPTH: usize = 256;

/// What every piece of a file is lowered against.
pub(crate) struct Input<'a> {
    /// The original text (operand and target texts come from here).
    pub source: &'a str,
    /// Facts from the whole file.
    pub facts: &'a Facts,
    /// Where `__rcu` / `__percpu` were blanked.
    pub qualifiers: &'a [(Span, Qualifier)],
    /// Project helpers added to the kernel API by configuration.
    pub api: &'a kernel_api::ApiExtensions,
}

thread_local! {
    /// One parser per thread: a file lowered around many definitions parses many small
    /// slices, and a parser keeps its allocations between parses.
    static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
}

/// Parse `text` with tree-sitter-c.
pub(crate) fn parse(text: &str) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&tree_sitter_c::LANGUAGE.into()).ok()?;
            *slot = Some(parser);
        }
        let parser = slot.as_mut()?;
        let tree = parser.parse(text, None);
        // A parse that did not finish (it never should without a timeout) leaves state behind.
        if tree.is_none() {
            parser.reset();
        }
        tree
    })
}

/// Lower `text` (blanked), which starts at byte `base` of the file, into `out`.
pub(crate) fn lower_text(input: &Input<'_>, base: usize, text: &str, out: &mut FileIr) {
    let Some(tree) = parse(text) else {
        out.problems.push(Problem {
            span: Span::new(base, base + text.len()),
            message: "tree-sitter could not parse this text".to_owned(),
            fatal: true,
        });
        return;
    };
    let first_function = out.functions.len();
    let mut top = TopLevel { input, base, out };
    top.items(tree.root_node(), 0);
    if let Some(mine) = out.functions.get_mut(first_function..) {
        mine.sort_by_key(|f| f.span.start);
    }
    let spans: Vec<Span> = out
        .functions
        .get(first_function..)
        .unwrap_or(&[])
        .iter()
        .map(|f| f.span)
        .collect();
    collect_comments(input.source, base, tree.root_node(), &spans, out);
}

/// Comments outside functions, by an iterative cursor walk that does not enter functions.
fn collect_comments(
    source: &str,
    base: usize,
    root: Node<'_>,
    functions: &[Span],
    out: &mut FileIr,
) {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let span = Span::new(base + node.start_byte(), base + node.end_byte());
        let inside_function = functions.iter().any(|f| f.contains(span));
        if node.kind() == "comment" && !inside_function {
            out.comments.push(CommentText {
                span,
                text: source.get(span.start..span.end).unwrap_or("").to_owned(),
            });
        }
        if !inside_function && node.kind() != "function_definition" && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Node kinds that are statements (walked by [`Walker::stmt`]).
fn is_statement(kind: &str) -> bool {
    kind.ends_with("_statement")
        || kind == "declaration"
        || kind == "comment"
        || kind.starts_with("preproc_")
}

/// `(x)` → `x`, iteratively.
fn strip_parens(mut n: Node<'_>) -> Node<'_> {
    for _ in 0..MAX_DEPTH * 64 {
        if n.kind() != "parenthesized_expression" {
            break;
        }
        let mut cursor = n.walk();
        let inner: Vec<Node<'_>> = n
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect();
        match inner.as_slice() {
            [only] => n = *only,
            _ => break,
        }
    }
    n
}

/// Strip parentheses and casts.
fn strip_casts(mut n: Node<'_>) -> Node<'_> {
    for _ in 0..MAX_DEPTH {
        n = strip_parens(n);
        match n.kind() {
            "cast_expression" => match n.field("value") {
                Some(v) => n = v,
                None => break,
            },
            _ => break,
        }
    }
    n
}

/// If `n` is `&x` (through parentheses and casts), `x`.
fn strip_address_of(n: Node<'_>) -> Option<Node<'_>> {
    let n = strip_casts(n);
    if n.kind() == "pointer_expression" && operator(n) == Some("&") {
        return n.field("argument").map(strip_parens);
    }
    None
}

/// The operator token of a unary/pointer/field/assignment expression.
fn operator<'t>(n: Node<'t>) -> Option<&'t str> {
    n.field("operator").map(|o| o.kind())
}

fn named_children(n: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = n.walk();
    n.named_children(&mut cursor).collect()
}

/// Arguments of a call, without comments.
fn call_args(call: Node<'_>) -> Vec<Node<'_>> {
    call.field("arguments")
        .map(|a| {
            named_children(a)
                .into_iter()
                .filter(|c| c.kind() != "comment")
                .collect()
        })
        .unwrap_or_default()
}

/// True for names that look like macro constants: no lowercase letter, at least one uppercase.
fn is_macro_like(name: &str) -> bool {
    name.bytes().any(|b| b.is_ascii_uppercase()) && !name.bytes().any(|b| b.is_ascii_lowercase())
}

/// The innermost identifier a declarator declares (through pointer, array, function and
/// parenthesised declarators).
fn declared_name(mut d: Node<'_>) -> Option<Node<'_>> {
    for _ in 0..MAX_DEPTH {
        match d.kind() {
            "identifier" | "field_identifier" | "type_identifier" => return Some(d),
            _ => {
                d = d.field("declarator").or_else(|| {
                    named_children(d)
                        .into_iter()
                        .find(|c| c.kind() != "comment")
                })?;
            }
        }
    }
    None
}

/// What the declarator chain from `d` down to its name contains.
fn declarator_shape(mut d: Node<'_>) -> (bool, bool, bool) {
    let (mut pointer, mut array, mut function) = (false, false, false);
    for _ in 0..MAX_DEPTH {
        match d.kind() {
            "pointer_declarator" | "abstract_pointer_declarator" => pointer = true,
            "array_declarator" => array = true,
            "function_declarator" => function = true,
            _ => {}
        }
        match d.field("declarator") {
            Some(next) => d = next,
            None => break,
        }
    }
    (pointer, array, function)
}

/// Names of the `this_cpu_ptr` family: pointers to per-CPU data.
fn is_percpu_ptr_call(n: Node<'_>, source: &str, base: usize) -> bool {
    let n = strip_casts(n);
    n.kind() == "call_expression"
        && n.field("function").is_some_and(|f| {
            let name = source
                .get(base + f.start_byte()..base + f.end_byte())
                .unwrap_or("");
            matches!(
                name,
                "this_cpu_ptr" | "raw_cpu_ptr" | "__this_cpu_ptr" | "per_cpu_ptr" | "get_cpu_ptr"
            )
        })
}

/// The file-level walk: functions, declarations, ERROR recovery.
struct TopLevel<'a, 'o> {
    input: &'a Input<'a>,
    base: usize,
    out: &'o mut FileIr,
}

impl TopLevel<'_, '_> {
    fn span(&self, n: Node<'_>) -> Span {
        Span::new(self.base + n.start_byte(), self.base + n.end_byte())
    }

    fn text(&self, n: Node<'_>) -> &str {
        self.input
            .source
            .get(self.base + n.start_byte()..self.base + n.end_byte())
            .unwrap_or("")
    }

    /// Walk the children of a file-level container (translation unit, `#if` block, ERROR).
    fn items(&mut self, container: Node<'_>, depth: usize) {
        if depth > MAX_DEPTH {
            self.out.problems.push(Problem {
                span: self.span(container),
                message: format!(
                    "nesting deeper than {MAX_DEPTH} levels at file scope was skipped"
                ),
                fatal: false,
            });
            return;
        }
        let mut cursor = container.walk();
        let children: Vec<Node<'_>> = container.children(&mut cursor).collect();
        for (i, n) in children.iter().enumerate() {
            match n.kind() {
                "function_definition" => self.function(*n),
                "compound_statement" => {
                    // A body whose header tree-sitter could not make into a definition.
                    let header = children.get(..i).and_then(|before| {
                        before
                            .iter()
                            .rev()
                            .find(|c| c.is_named() && c.kind() != "comment" && !c.is_missing())
                            .copied()
                    });
                    self.recovered_function(header, *n);
                }
                "declaration" | "type_definition" | "struct_specifier" | "union_specifier" => {
                    let is_header = children
                        .get(i + 1)
                        .is_some_and(|c| c.kind() == "compound_statement");
                    if !is_header {
                        self.declarations(*n, None, 0);
                    }
                }
                "ERROR" | "translation_unit" | "linkage_specification" | "declaration_list" => {
                    self.items(*n, depth + 1)
                }
                k if k.starts_with("preproc_if")
                    || k == "preproc_else"
                    || k.starts_with("preproc_elif") =>
                {
                    self.items(*n, depth + 1)
                }
                _ => {}
            }
        }
    }

    /// Record declarations rules care about: every file-scope variable, and struct fields that
    /// are `__rcu`, `__percpu` or `volatile`.
    fn declarations(&mut self, n: Node<'_>, owner: Option<String>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match n.kind() {
            "struct_specifier" | "union_specifier" => {
                let Some(body) = n.field("body") else {
                    return;
                };
                let name = n.field("name").map(|t| self.text(t).to_owned()).or(owner);
                for field in named_children(body) {
                    if field.kind() != "field_declaration" {
                        continue;
                    }
                    if let Some(ty) = field.field("type") {
                        self.declarations(ty, name.clone(), depth + 1);
                    }
                    let nested_body = field
                        .field("type")
                        .and_then(|t| t.field("body"))
                        .map(|b| self.span(b));
                    let qualifiers = self.qualifiers_in(field, nested_body);
                    if !(qualifiers.rcu || qualifiers.percpu || qualifiers.volatile) {
                        continue;
                    }
                    let mut cursor = field.walk();
                    for d in field.children_by_field_name("declarator", &mut cursor) {
                        if let Some(id) = declared_name(d) {
                            self.out.declarations.push(Declaration {
                                name: self.text(id).to_owned(),
                                owner: name.clone(),
                                span: self.span(field),
                                qualifiers,
                            });
                        }
                    }
                }
            }
            "type_definition" => {
                if let Some(ty) = n.field("type") {
                    self.declarations(ty, None, depth + 1);
                }
            }
            "declaration" => {
                if let Some(ty) = n.field("type") {
                    self.declarations(ty, None, depth + 1);
                }
                let span = self.span(n);
                // DEFINE_PER_CPU and friends are recorded from the token pass.
                if self
                    .input
                    .facts
                    .percpu_decls
                    .iter()
                    .any(|d| d.span.start < span.end && span.start < d.span.end)
                {
                    return;
                }
                let is_static = named_children(n)
                    .iter()
                    .any(|c| c.kind() == "storage_class_specifier" && self.text(*c) == "static");
                let nested_body = n
                    .field("type")
                    .and_then(|t| t.field("body"))
                    .map(|b| self.span(b));
                let qualifiers = Qualifiers {
                    is_static,
                    ..self.qualifiers_in(n, nested_body)
                };
                let mut cursor = n.walk();
                let declarators: Vec<Node<'_>> = n
                    .children_by_field_name("declarator", &mut cursor)
                    .collect();
                for d in declarators {
                    if declarator_shape(d).2 {
                        continue; // a prototype
                    }
                    let Some(id) = declared_name(d) else { continue };
                    let name = self.text(id).to_owned();
                    if is_c_keyword(&name) {
                        continue;
                    }
                    self.out.declarations.push(Declaration {
                        name,
                        owner: None,
                        span,
                        qualifiers,
                    });
                }
            }
            _ => {}
        }
    }

    /// `__rcu`/`__percpu` blanked inside `n`, and a `volatile` token in it.
    fn qualifiers_in(&self, n: Node<'_>, exclude: Option<Span>) -> Qualifiers {
        let span = self.span(n);
        let outside = |s: Span| exclude.is_none_or(|e| !e.contains(s));
        let mut q = Qualifiers::default();
        for (s, kind) in self.input.qualifiers {
            if span.contains(*s) && outside(*s) {
                match kind {
                    Qualifier::Rcu => q.rcu = true,
                    Qualifier::PerCpu => q.percpu = true,
                }
            }
        }
        let text = self.input.source.get(span.start..span.end).unwrap_or("");
        q.volatile = Lexer::new(text).any(|t| {
            t.kind == TokKind::Ident
                && text.get(t.start..t.end) == Some("volatile")
                && outside(Span::new(span.start + t.start, span.start + t.end))
        });
        q
    }

    fn function(&mut self, n: Node<'_>) {
        let Some(body) = n.field("body") else {
            return;
        };
        let declarator = n.field("declarator");
        // Find the function declarator, counting pointer levels of the return type.
        let mut fdecl = None;
        let mut stars = 0usize;
        let mut d = declarator;
        for _ in 0..MAX_DEPTH {
            let Some(cur) = d else { break };
            match cur.kind() {
                "function_declarator" => {
                    fdecl = Some(cur);
                    break;
                }
                "pointer_declarator" => stars += 1,
                _ => {}
            }
            d = cur.field("declarator");
        }
        let name_node = fdecl
            .and_then(|f| f.field("declarator"))
            .and_then(declared_name);
        let (name, name_span) = match name_node {
            Some(id) => (self.text(id).to_owned(), self.span(id)),
            None => ("<unnamed>".to_owned(), self.span(n)),
        };
        let mut f = Function::new(name, self.span(n), name_span);
        f.return_type = n.field("type").map(|t| {
            let ty = self.text(t).to_owned();
            if stars > 0 {
                format!("{ty} {}", "*".repeat(stars))
            } else {
                ty
            }
        });
        let mut locals = Locals::default();
        if let Some(params) = fdecl.and_then(|f| f.field("parameters")) {
            for p in named_children(params) {
                if p.kind() != "parameter_declaration" {
                    continue;
                }
                let Some(decl) = p.field("declarator") else {
                    continue;
                };
                let Some(id) = declared_name(decl) else {
                    continue;
                };
                let name = self.text(id).to_owned();
                let (pointer, array, function) = declarator_shape(decl);
                locals.declare(
                    &name,
                    LocalInfo {
                        pointer: pointer || array || function,
                        ..LocalInfo::default()
                    },
                );
                f.params.push((name, self.param_type(p, id)));
            }
        }
        let head = Span::new(
            fdecl.map_or(self.span(n).start, |d| self.span(d).end),
            self.span(body).start,
        );
        f.events.extend(self.held_on_entry(head));
        self.lower_body(f, locals, n, body);
    }

    /// Lock events for the `__must_hold(x)` / `__releases(x)` annotations in `head`, the text
    /// between a function's declarator and its body (blanked for the parser, read here from
    /// the original text): the lock is held when the function is entered.
    fn held_on_entry(&self, head: Span) -> Vec<Event> {
        let text = self.input.source.get(head.start..head.end).unwrap_or("");
        let mut events = Vec::new();
        for api in kernel_api::HELD_ON_ENTRY {
            for (at, _) in text.match_indices(api) {
                let after = at + api.len();
                let Some(rest) = text.get(after..) else {
                    continue;
                };
                let Some(open) = rest.find(|c: char| !c.is_whitespace()) else {
                    continue;
                };
                if !rest.get(open..).is_some_and(|r| r.starts_with('(')) {
                    continue;
                }
                let inner_start = after + open + 1;
                let mut depth = 1usize;
                let mut close = None;
                for (i, c) in text.get(inner_start..).unwrap_or("").char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                close = Some(inner_start + i);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let Some(close) = close else { continue };
                let object = text.get(inner_start..close).map(|t| Operand {
                    text: t.trim().to_owned(),
                    span: Span::new(head.start + inner_start, head.start + close),
                });
                let span = Span::new(head.start + at, head.start + close + 1);
                events.push(Event {
                    kind: EventKind::Lock(LockOp {
                        api: (*api).to_owned(),
                        kind: LockKind::Other,
                        object,
                    }),
                    span,
                    stmt: span,
                    scope: 0,
                });
            }
        }
        events.sort_by_key(|e| e.span.start);
        events
    }

    /// The parameter's text without its name, whitespace collapsed (`struct foo *`).
    fn param_type(&self, p: Node<'_>, name: Node<'_>) -> String {
        let whole = self.text(p);
        let (s, e) = (
            name.start_byte() - p.start_byte(),
            name.end_byte() - p.start_byte(),
        );
        let without = format!(
            "{} {}",
            whole.get(..s).unwrap_or(""),
            whole.get(e..).unwrap_or("")
        );
        let mut out = without.split_whitespace().collect::<Vec<_>>().join(" ");
        out = out.replace("* ", "*").replace(" )", ")").replace("( ", "(");
        out
    }

    /// A function body found without a `function_definition` around it.
    fn recovered_function(&mut self, header: Option<Node<'_>>, body: Node<'_>) {
        let found = header.and_then(|h| self.header_name(h));
        let Some((name_node, args)) = found else {
            self.out.problems.push(Problem {
                span: self.span(body),
                message: "a function body without a recognisable header was skipped".to_owned(),
                fatal: false,
            });
            return;
        };
        let callee = self.text(name_node).to_owned();
        // SYSCALL_DEFINEn(name, …) names the function by its first argument.
        let (name, name_span) = match args.and_then(|a| named_children(a).into_iter().next()) {
            Some(first) if callee.contains("SYSCALL_DEFINE") => {
                (self.text(first).to_owned(), self.span(first))
            }
            _ => (callee, self.span(name_node)),
        };
        let start = header.map_or(body, |h| h);
        let span = self.span(start).cover(self.span(body));
        let f = Function::new(name, span, name_span);
        let mut locals = Locals::default();
        // Every name in the header's argument list might be a parameter.
        if let Some(a) = args {
            let mut cursor = a.walk();
            let mut stack = vec![a];
            while let Some(x) = stack.pop() {
                if matches!(x.kind(), "identifier" | "type_identifier") {
                    locals.declare(
                        self.text(x),
                        LocalInfo {
                            pointer: true,
                            ..LocalInfo::default()
                        },
                    );
                }
                if stack.len() < MAX_DEPTH {
                    stack.extend(x.named_children(&mut cursor));
                }
            }
        }
        let whole = header.unwrap_or(body);
        self.lower_body(f, locals, whole, body);
    }

    /// The name node and argument list of the last call-like thing in a broken header.
    fn header_name<'t>(&self, header: Node<'t>) -> Option<(Node<'t>, Option<Node<'t>>)> {
        let mut best: Option<(Node<'t>, Option<Node<'t>>)> = None;
        let mut cursor = header.walk();
        let mut stack = vec![header];
        let mut visited = 0usize;
        while let Some(x) = stack.pop() {
            visited += 1;
            if visited > 4096 {
                break;
            }
            let candidate = match x.kind() {
                "function_declarator" => x
                    .field("declarator")
                    .and_then(declared_name)
                    .map(|n| (n, x.field("parameters"))),
                "call_expression" => x
                    .field("function")
                    .filter(|f| f.kind() == "identifier")
                    .map(|n| (n, x.field("arguments"))),
                "macro_type_specifier" => x.field("name").map(|n| (n, Some(x))),
                _ => None,
            };
            if let Some(c) = candidate {
                if best.is_none_or(|(b, _)| c.0.start_byte() > b.start_byte()) {
                    best = Some(c);
                }
            }
            stack.extend(x.named_children(&mut cursor));
        }
        best.or_else(|| (header.kind() == "identifier").then_some((header, None)))
    }

    fn lower_body(&mut self, f: Function, locals: Locals, whole: Node<'_>, body: Node<'_>) {
        let mut w = Walker {
            input: self.input,
            base: self.base,
            f,
            locals,
            scope: 0,
            stmt: Span::default(),
            depth: 0,
            too_deep: false,
            nested: Vec::new(),
        };
        w.stmt(body);
        if w.too_deep {
            self.out.problems.push(Problem {
                span: w.f.span,
                message: format!(
                    "nesting deeper than {MAX_DEPTH} levels in `{}` was skipped",
                    w.f.name
                ),
                fatal: false,
            });
        } else if has_real_error(whole) || (whole.id() != body.id() && has_real_error(body)) {
            self.out.problems.push(Problem {
                span: w.f.span,
                message: format!(
                    "part of `{}` did not parse (a kernel macro?); the rest was lowered",
                    w.f.name
                ),
                fatal: false,
            });
        }
        self.out.functions.push(w.f);
        for (start, end) in w.nested {
            let inner = whole
                .descendant_for_byte_range(start, end)
                .filter(|d| d.kind() == "function_definition");
            if let Some(inner) = inner {
                self.function(inner);
            }
        }
    }
}

/// True when `n` holds an ERROR node, or a MISSING node other than the `;` tree-sitter expects
/// after an iterator-macro header (`list_for_each_entry(…) {`), which is normal kernel C.
/// Iterative, and only enters subtrees that contain errors.
fn has_real_error(n: Node<'_>) -> bool {
    if !n.has_error() {
        return false;
    }
    let mut cursor = n.walk();
    loop {
        let node = cursor.node();
        // `container_of(p, struct foo, member)`: a type among the arguments parses as an ERROR
        // of bare words; that is normal kernel C, not a syntax problem.
        let type_in_args = node.parent().is_some_and(|p| p.kind() == "argument_list")
            && named_children(node)
                .iter()
                .all(|c| c.kind() == "identifier");
        if node.is_error() && !type_in_args {
            return true;
        }
        if node.is_missing() {
            let benign = node.kind() == ";"
                && node
                    .parent()
                    .is_some_and(|p| p.kind() == "expression_statement");
            if !benign {
                return true;
            }
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node().id() == n.id() {
                return false;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
        }
    }
}

fn is_c_keyword(name: &str) -> bool {
    matches!(
        name,
        "void"
            | "int"
            | "char"
            | "long"
            | "short"
            | "unsigned"
            | "signed"
            | "float"
            | "double"
            | "static"
            | "extern"
            | "const"
            | "struct"
            | "union"
            | "enum"
            | "inline"
            | "bool"
            | "_Bool"
    )
}

/// Lowers one function body.
struct Walker<'a> {
    input: &'a Input<'a>,
    base: usize,
    f: Function,
    locals: Locals,
    scope: ScopeId,
    /// The innermost statement being walked.
    stmt: Span,
    depth: usize,
    too_deep: bool,
    /// Byte ranges (in the parsed text) of function definitions found inside this body.
    nested: Vec<(usize, usize)>,
}

impl Walker<'_> {
    fn span(&self, n: Node<'_>) -> Span {
        Span::new(self.base + n.start_byte(), self.base + n.end_byte())
    }

    fn text(&self, n: Node<'_>) -> &str {
        self.input
            .source
            .get(self.base + n.start_byte()..self.base + n.end_byte())
            .unwrap_or("")
    }

    fn operand(&self, n: Node<'_>) -> Operand {
        Operand {
            text: self.text(n).to_owned(),
            span: self.span(n),
        }
    }

    /// The span of a statement without its trailing `;`.
    fn span_without_semicolon(&self, n: Node<'_>) -> Span {
        let span = self.span(n);
        let last = n.child(n.child_count().saturating_sub(1));
        match last {
            Some(l) if l.kind() == ";" && !l.is_missing() => {
                Span::new(span.start, self.base + l.start_byte())
            }
            _ => span,
        }
        .trim_end(self.input.source)
    }

    fn emit(&mut self, kind: EventKind, span: Span) {
        self.f.events.push(Event {
            kind,
            span,
            stmt: self.stmt,
            scope: self.scope,
        });
    }

    fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            self.too_deep = true;
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Run `f` inside a new scope of `kind` over `span`.
    fn in_scope(&mut self, kind: ScopeKind, span: Span, f: impl FnOnce(&mut Self)) {
        let id = ScopeId::try_from(self.f.scopes.len()).unwrap_or(ScopeId::MAX);
        self.f.scopes.push(Scope {
            kind,
            span,
            parent: Some(self.scope),
        });
        let saved = self.scope;
        self.scope = id;
        f(self);
        self.scope = saved;
    }

    /// The declared type of a local, from its declaration `n` and its own declarator `decl`
    /// (`struct foo *f = &r->desc[i]` → `struct foo *`; `int a, *p` → `int` and `int *`):
    /// the specifiers before the first declarator without storage classes, then a `*` per
    /// pointer level and `[]` per array level of this declarator, whitespace collapsed.
    fn local_type(&self, n: Node<'_>, decl: Node<'_>) -> String {
        let first = n
            .field("declarator")
            .map_or(n.end_byte(), |d| d.start_byte());
        let specifiers = self
            .text(n)
            .get(..first.saturating_sub(n.start_byte()))
            .unwrap_or("");
        let mut ty: Vec<&str> = specifiers
            .split_whitespace()
            .filter(|w| !matches!(*w, "static" | "register" | "extern" | "auto"))
            .collect();
        let mut suffix = String::new();
        let mut d = decl;
        for _ in 0..MAX_DEPTH {
            match d.kind() {
                "pointer_declarator" => suffix.push('*'),
                "array_declarator" => suffix.push_str("[]"),
                _ => {}
            }
            match d.field("declarator") {
                Some(next) => d = next,
                None => break,
            }
        }
        if !suffix.is_empty() {
            ty.push(&suffix);
        }
        ty.join(" ")
    }

    fn comment(&mut self, n: Node<'_>) {
        let text = self.text(n).to_owned();
        self.emit(EventKind::Comment(Comment { text }), self.span(n));
    }

    // ---- statements -------------------------------------------------------------------------

    fn stmt(&mut self, n: Node<'_>) {
        if !self.enter() {
            return;
        }
        let saved = self.stmt;
        match n.kind() {
            "compound_statement" => {
                let mark = self.locals.enter();
                self.seq(&named_children(n));
                self.locals.leave(mark);
            }
            "expression_statement" => {
                self.stmt = self.span(n);
                for c in named_children(n) {
                    self.expr(c);
                }
            }
            "declaration" => {
                self.stmt = self.span(n);
                self.declaration(n);
            }
            "if_statement" => self.if_statement(n),
            "while_statement" => {
                self.stmt = self.span(n);
                self.in_scope(ScopeKind::Loop, self.span(n), |w| {
                    if let Some(c) = n.field("condition") {
                        w.in_scope(ScopeKind::LoopCondition, w.span(c), |w| w.expr(c));
                    }
                    if let Some(b) = n.field("body") {
                        w.stmt(b);
                    }
                });
            }
            "do_statement" => {
                self.stmt = self.span(n);
                let cond = n.field("condition");
                let is_once = cond
                    .is_some_and(|c| self.text(c).split_whitespace().collect::<String>() == "(0)");
                if is_once {
                    // `do { … } while (0)` is a block, not a loop.
                    if let Some(b) = n.field("body") {
                        self.stmt(b);
                    }
                } else {
                    self.in_scope(ScopeKind::Loop, self.span(n), |w| {
                        if let Some(b) = n.field("body") {
                            w.stmt(b);
                        }
                        if let Some(c) = cond {
                            w.stmt = w.span(n);
                            w.in_scope(ScopeKind::LoopCondition, w.span(c), |w| w.expr(c));
                        }
                    });
                }
            }
            "for_statement" => {
                self.stmt = self.span(n);
                let mark = self.locals.enter();
                self.in_scope(ScopeKind::Loop, self.span(n), |w| {
                    if let Some(i) = n.field("initializer") {
                        if i.kind() == "declaration" {
                            w.declaration(i);
                        } else {
                            w.expr(i);
                        }
                    }
                    if let Some(c) = n.field("condition") {
                        w.in_scope(ScopeKind::LoopCondition, w.span(c), |w| w.expr(c));
                    }
                    if let Some(b) = n.field("body") {
                        w.stmt(b);
                    }
                    if let Some(u) = n.field("update") {
                        w.stmt = w.span(n);
                        w.expr(u);
                    }
                });
                self.locals.leave(mark);
            }
            "switch_statement" => {
                self.stmt = self.span(n);
                if let Some(c) = n.field("condition") {
                    self.in_scope(ScopeKind::Condition, self.span(c), |w| w.expr(c));
                }
                if let Some(b) = n.field("body") {
                    self.stmt(b);
                }
            }
            "case_statement" => {
                let value = n.field("value").map(|v| v.id());
                let body: Vec<Node<'_>> = named_children(n)
                    .into_iter()
                    .filter(|c| Some(c.id()) != value)
                    .collect();
                self.in_scope(ScopeKind::Branch, self.span(n), |w| w.seq(&body));
            }
            "return_statement" => {
                self.stmt = self.span(n);
                for c in named_children(n) {
                    self.expr(c);
                }
                self.emit(EventKind::Return, self.span_without_semicolon(n));
            }
            "goto_statement" => {
                self.stmt = self.span(n);
                let label = n
                    .field("label")
                    .map(|l| self.text(l).to_owned())
                    .unwrap_or_default();
                self.emit(EventKind::Goto(label), self.span_without_semicolon(n));
            }
            "labeled_statement" => {
                if let Some(l) = n.field("label") {
                    self.stmt = self.span(n);
                    let colon = n.children(&mut n.walk()).find(|c| c.kind() == ":");
                    let span = self
                        .span(l)
                        .cover(colon.map_or(self.span(l), |c| self.span(c)));
                    self.emit(EventKind::Label(self.text(l).to_owned()), span);
                    self.stmt = saved;
                    let label_id = l.id();
                    for c in named_children(n).into_iter().filter(|c| c.id() != label_id) {
                        self.stmt(c);
                    }
                }
            }
            "attributed_statement" => {
                for c in named_children(n)
                    .into_iter()
                    .filter(|c| c.kind() != "attribute_declaration")
                {
                    self.stmt(c);
                }
            }
            "comment" => self.comment(n),
            // `scoped_guard(rcu) { … }` and `for_each_online_cpu(cpu) { … }` with one bare
            // argument parse as a function definition: lower it as the macro block it is.
            "function_definition" => match self.macro_definition(n) {
                Some((name, arg, header, body)) => self.macro_block(name, vec![arg], header, body),
                // Garbled macros can swallow the next function into this body: lower it apart.
                None => self.nested.push((n.start_byte(), n.end_byte())),
            },
            "break_statement"
            | "continue_statement"
            | "type_definition"
            | "preproc_def"
            | "preproc_function_def"
            | "preproc_call"
            | "preproc_include" => {}
            k if k.starts_with("preproc_") => {
                // `#ifdef` inside a body: walk every branch's statements in order.
                let mut cursor = n.walk();
                let kids: Vec<Node<'_>> = n
                    .children(&mut cursor)
                    .enumerate()
                    .filter(|(i, c)| {
                        c.is_named()
                            && !matches!(
                                n.field_name_for_child(u32::try_from(*i).unwrap_or(u32::MAX)),
                                Some("condition" | "name")
                            )
                    })
                    .map(|(_, c)| c)
                    .collect();
                self.seq(&kids);
            }
            "ERROR" => self.error(n),
            _ => self.expr(n),
        }
        self.stmt = saved;
        self.leave();
    }

    /// A sequence of statements, joining iterator-macro headers with the statement after them.
    fn seq(&mut self, kids: &[Node<'_>]) {
        let mut i = 0;
        while let Some(k) = kids.get(i) {
            if let (Some(call), Some(body)) = (self.macro_header(*k), kids.get(i + 1)) {
                if is_statement(body.kind()) && body.kind() != "comment" {
                    let name = call
                        .field("function")
                        .map(|f| self.text(f).to_owned())
                        .unwrap_or_default();
                    self.macro_block(name, call_args(call), self.span(*k), *body);
                    i += 2;
                    continue;
                }
            }
            self.stmt(*k);
            i += 1;
        }
    }

    /// If `n` is `for_each_x(…)` / `scoped_guard(…)` with no `;` (a header whose body follows),
    /// the call.
    fn macro_header<'t>(&self, n: Node<'t>) -> Option<Node<'t>> {
        if n.kind() != "expression_statement" {
            return None;
        }
        let last = n.child(n.child_count().checked_sub(1)?)?;
        if last.kind() == ";" && !last.is_missing() {
            return None;
        }
        let call = named_children(n)
            .into_iter()
            .next()
            .filter(|c| c.kind() == "call_expression")?;
        let callee = call
            .field("function")
            .filter(|f| f.kind() == "identifier")?;
        let name = self.text(callee);
        (kernel_api::is_loop_macro(name) || self.input.api.classify(name) == Some(Api::ScopedGuard))
            .then_some(call)
    }

    /// If the nested function definition `n` is an iterator macro or `scoped_guard` with one
    /// bare argument and a body (`scoped_guard(irqsave) { … }`): its name, argument, the span
    /// of the call and the body.
    fn macro_definition<'t>(&self, n: Node<'t>) -> Option<(String, Node<'t>, Span, Node<'t>)> {
        let callee = n
            .field("type")
            .filter(|t| matches!(t.kind(), "type_identifier" | "identifier"))?;
        let declarator = n
            .field("declarator")
            .filter(|d| d.kind() == "parenthesized_declarator")?;
        let arg = named_children(declarator).into_iter().next()?;
        let body = n
            .field("body")
            .filter(|b| b.kind() == "compound_statement")?;
        let name = self.text(callee);
        let header = Span::new(self.span(callee).start, self.span(declarator).end);
        (kernel_api::is_loop_macro(name) || self.input.api.classify(name) == Some(Api::ScopedGuard))
            .then(|| (name.to_owned(), arg, header, body))
    }

    /// A macro call that heads a block (`list_for_each_entry(pos, head, m) { … }`,
    /// `scoped_guard(spinlock, &l) { … }`): `header` spans the call, `body` is the block.
    fn macro_block(&mut self, name: String, args: Vec<Node<'_>>, header: Span, body: Node<'_>) {
        let whole = header.cover(self.span(body));
        let saved = self.stmt;
        self.stmt = header;
        if self.input.api.classify(&name) == Some(Api::ScopedGuard) {
            let class = args
                .first()
                .map(|a| self.text(*a).to_owned())
                .unwrap_or_default();
            let object_index = if name == "scoped_cond_guard" { 2 } else { 1 };
            for a in args.iter().skip(1) {
                self.expr(*a);
            }
            let op = LockOp {
                api: name,
                kind: kernel_api::guard_class(&class),
                object: args.get(object_index).map(|a| self.operand(*a)),
            };
            self.emit(EventKind::Lock(op.clone()), header);
            self.stmt = saved;
            self.stmt(body);
            // The guard is dropped at the end of the block: the unlock points at the header.
            self.stmt = whole;
            self.emit(EventKind::Unlock(op), header);
        } else {
            self.in_scope(ScopeKind::Loop, whole, |w| {
                w.in_scope(ScopeKind::LoopCondition, header, |w| {
                    // Bare identifiers are the cursor, the list member or a CPU variable.
                    for a in args.iter().filter(|a| a.kind() != "identifier") {
                        w.expr(*a);
                    }
                    let call_ev = Call {
                        name,
                        receiver: None,
                        args: args.iter().map(|a| w.operand(*a)).collect(),
                    };
                    w.emit(EventKind::Call(call_ev), header);
                });
                w.stmt = saved;
                w.stmt(body);
            });
        }
        self.stmt = saved;
    }

    /// Whatever recognisable pieces an ERROR node has.
    fn error(&mut self, n: Node<'_>) {
        let kids: Vec<Node<'_>> = named_children(n)
            .into_iter()
            .filter(|c| {
                !matches!(
                    c.kind(),
                    "identifier" | "type_identifier" | "primitive_type"
                )
            })
            .collect();
        self.seq(&kids);
    }

    fn if_statement(&mut self, n: Node<'_>) {
        self.stmt = self.span(n);
        if let Some(c) = n.field("condition") {
            self.in_scope(ScopeKind::Condition, self.span(c), |w| w.expr(c));
        }
        if let Some(c) = n.field("consequence") {
            self.in_scope(ScopeKind::Branch, self.span(c), |w| w.stmt(c));
        }
        if let Some(a) = n.field("alternative") {
            self.in_scope(ScopeKind::Branch, self.span(a), |w| {
                for c in named_children(a) {
                    w.stmt(c);
                }
            });
        }
    }

    fn declaration(&mut self, n: Node<'_>) {
        let kids = named_children(n);
        let storage = |w: &Self, s: &str| {
            kids.iter()
                .any(|c| c.kind() == "storage_class_specifier" && w.text(*c) == s)
        };
        let is_static = storage(self, "static");
        let is_extern = storage(self, "extern");
        let mut cursor = n.walk();
        let declarators: Vec<Node<'_>> = n
            .children_by_field_name("declarator", &mut cursor)
            .collect();
        // `for_each_cpu(cpu, mask) x = 0;` can come out as a declaration of a macro type.
        let loop_macro = n
            .field("type")
            .filter(|t| t.kind() == "macro_type_specifier")
            .and_then(|t| t.field("name"))
            .filter(|name| kernel_api::is_loop_macro(self.text(*name)));
        if let Some(name) = loop_macro {
            self.in_scope(ScopeKind::Loop, self.span(n), |w| {
                w.in_scope(ScopeKind::LoopCondition, w.span(name), |_| {});
                for d in &declarators {
                    if let Some(v) = d.field("value") {
                        w.expr(v);
                    }
                }
            });
            return;
        }
        for d in declarators {
            let (decl, value) = if d.kind() == "init_declarator" {
                (d.field("declarator"), d.field("value"))
            } else {
                (Some(d), None)
            };
            if let Some(v) = value {
                self.expr(v);
            }
            let Some(decl) = decl else { continue };
            let (pointer, array, function) = declarator_shape(decl);
            if function || is_extern {
                continue;
            }
            if let Some(id) = declared_name(decl) {
                let percpu_ptr =
                    value.is_some_and(|v| is_percpu_ptr_call(v, self.input.source, self.base));
                let name = self.text(id).to_owned();
                self.locals.declare(
                    &name,
                    LocalInfo {
                        pointer,
                        array,
                        is_static,
                        percpu_ptr,
                    },
                );
                let ty = self.local_type(n, decl);
                self.f.locals.push((name, ty));
            }
        }
    }

    // ---- expressions ------------------------------------------------------------------------

    fn expr(&mut self, n: Node<'_>) {
        if !self.enter() {
            return;
        }
        match n.kind() {
            "identifier" => self.plain_load(n),
            "field_expression" | "subscript_expression" => {
                self.address(n);
                self.plain_load(n);
            }
            "pointer_expression" => {
                if operator(n) == Some("&") {
                    if let Some(a) = n.field("argument") {
                        self.address(a);
                    }
                } else {
                    self.address(n);
                    self.plain_load(n);
                }
            }
            "call_expression" => self.call(n),
            "assignment_expression" => self.assignment(n),
            "update_expression" => {
                if let Some(a) = n.field("argument") {
                    self.address(a);
                    if let Some(t) = self.plain_target(a) {
                        let mark = self.plain_mark(a);
                        self.emit(
                            EventKind::Load(Access {
                                target: t.clone(),
                                mark,
                                api: None,
                                value: None,
                            }),
                            self.span(n),
                        );
                        self.emit(
                            EventKind::Store(Access {
                                target: t,
                                mark,
                                api: None,
                                value: None,
                            }),
                            self.span(n),
                        );
                    }
                }
            }
            "conditional_expression" => {
                if let Some(c) = n.field("condition") {
                    self.in_scope(ScopeKind::Condition, self.span(c), |w| w.expr(c));
                }
                for field in ["consequence", "alternative"] {
                    if let Some(c) = n.field(field) {
                        self.in_scope(ScopeKind::Branch, self.span(c), |w| w.expr(c));
                    }
                }
            }
            "cast_expression" | "compound_literal_expression" | "initializer_pair" => {
                if let Some(v) = n.field("value") {
                    self.expr(v);
                }
            }
            "gnu_asm_expression" => {
                // An asm with a "memory" clobber is at least a compiler barrier.
                let clobbers = n.field("clobbers").map(|c| self.text(c)).unwrap_or("");
                if clobbers.contains("\"memory\"") {
                    let fence = Fence {
                        kind: FenceKind::Compiler,
                        api: "asm".to_owned(),
                    };
                    self.emit(EventKind::Fence(fence), self.span(n));
                }
            }
            "comment" => self.comment(n),
            "compound_statement" => self.stmt(n),
            "ERROR" => self.error(n),
            "sizeof_expression"
            | "alignof_expression"
            | "offsetof_expression"
            | "string_literal"
            | "concatenated_string"
            | "number_literal"
            | "char_literal"
            | "true"
            | "false"
            | "null"
            | "type_descriptor"
            | "field_identifier"
            | "type_identifier"
            | "primitive_type"
            | "statement_identifier"
            | "field_designator"
            | "subscript_designator"
            | "macro_type_specifier"
            | "sized_type_specifier"
            | "struct_specifier"
            | "escape_sequence" => {}
            _ => {
                for c in named_children(n) {
                    if is_statement(c.kind()) {
                        self.stmt(c);
                    } else {
                        self.expr(c);
                    }
                }
            }
        }
        self.leave();
    }

    /// Evaluate what is needed to find the address of lvalue `n` (not `n` itself).
    fn address(&mut self, n: Node<'_>) {
        if !self.enter() {
            return;
        }
        let n = strip_parens(n);
        match n.kind() {
            "identifier" => {}
            "field_expression" => {
                if let Some(a) = n.field("argument") {
                    if operator(n) == Some("->") {
                        self.expr(a);
                    } else {
                        self.address(a);
                    }
                }
            }
            "subscript_expression" => {
                if let Some(a) = n.field("argument") {
                    self.address(a);
                }
                if let Some(i) = n.field("index") {
                    self.expr(i);
                }
            }
            "pointer_expression" if operator(n) == Some("*") => {
                if let Some(a) = n.field("argument") {
                    self.expr(a);
                }
            }
            _ => self.expr(n),
        }
        self.leave();
    }

    fn plain_load(&mut self, n: Node<'_>) {
        if let Some(target) = self.plain_target(n) {
            let mark = self.plain_mark(n);
            self.emit(
                EventKind::Load(Access {
                    target,
                    mark,
                    api: None,
                    value: None,
                }),
                self.span(n),
            );
        }
    }

    /// `*(volatile T *)&x` is a volatile access; everything else unmarked is plain.
    fn plain_mark(&self, n: Node<'_>) -> Mark {
        let n = strip_parens(n);
        if n.kind() == "pointer_expression" && operator(n) == Some("*") {
            let arg = n.field("argument").map(strip_parens);
            if let Some(cast) = arg.filter(|a| a.kind() == "cast_expression") {
                if cast
                    .field("type")
                    .is_some_and(|t| self.text(t).contains("volatile"))
                {
                    return Mark::Volatile;
                }
            }
        }
        Mark::Plain
    }

    /// The target of a plain access to `n`, or `None` when no event should be emitted (locals,
    /// function names, macro-like constants, enumerators, non-lvalues).
    fn plain_target(&self, n: Node<'_>) -> Option<Target> {
        let n = strip_parens(n);
        match n.kind() {
            "identifier" => {
                let name = self.text(n);
                if let Some(l) = self.locals.get(name) {
                    if !l.is_static {
                        return None;
                    }
                } else if is_macro_like(name)
                    || is_c_keyword(name)
                    || kernel_api::NOT_VARIABLES.contains(&name)
                    || self.input.facts.functions.contains(name)
                    || self.input.facts.enumerators.contains(name)
                {
                    return None;
                }
                Some(self.target(n))
            }
            "field_expression" | "subscript_expression" => Some(self.target(n)),
            "pointer_expression" if operator(n) == Some("*") => Some(self.target(n)),
            _ => None,
        }
    }

    /// The target for lvalue `n`, whatever it is.
    fn target(&self, n: Node<'_>) -> Target {
        let n = strip_parens(n);
        let (key, base, sharing) = self.lvalue(n, 0);
        Target {
            text: self.text(n).to_owned(),
            span: self.span(n),
            key,
            base,
            sharing,
        }
    }

    /// The target for an API argument that is a pointer to the location: `&x` gives `x`,
    /// any other pointer expression `p` gives a target written `p` with no key.
    fn pointed_target<'t>(&self, arg: Node<'t>) -> (Target, Option<Node<'t>>) {
        match strip_address_of(arg) {
            Some(inner) => (self.target(inner), Some(inner)),
            None => {
                let sharing = self.pointee_sharing(arg, 0);
                (
                    Target {
                        text: self.text(arg).to_owned(),
                        span: self.span(arg),
                        key: None,
                        base: None,
                        sharing,
                    },
                    None,
                )
            }
        }
    }

    /// Key, base text and sharing of lvalue `n`.
    fn lvalue(&self, n: Node<'_>, depth: usize) -> (Option<LocationKey>, Option<String>, Sharing) {
        if depth > MAX_DEPTH {
            return (None, None, Sharing::Shared);
        }
        let n = strip_parens(n);
        match n.kind() {
            "identifier" => {
                let name = self.text(n);
                match self.locals.get(name) {
                    Some(l) if l.is_static => {
                        (Some(LocationKey::global(name)), None, Sharing::Shared)
                    }
                    Some(_) => (None, None, Sharing::Local),
                    None if self.input.facts.percpu_vars.contains(name) => {
                        (Some(LocationKey::global(name)), None, Sharing::PerCpu)
                    }
                    None => (Some(LocationKey::global(name)), None, Sharing::Shared),
                }
            }
            "field_expression" => {
                let key = n.field("field").map(|f| LocationKey::field(self.text(f)));
                let arg = n.field("argument");
                let base = arg.map(|a| self.text(strip_parens(a)).to_owned());
                let sharing = match arg {
                    Some(a) if operator(n) == Some(".") => self.lvalue(a, depth + 1).2,
                    Some(a) => self.pointee_sharing(a, depth + 1),
                    None => Sharing::Shared,
                };
                (key, base, sharing)
            }
            "subscript_expression" => {
                let Some(a) = n.field("argument").map(strip_parens) else {
                    return (None, None, Sharing::Shared);
                };
                let (key, base, sharing) = self.lvalue(a, depth + 1);
                let sharing = match a.kind() {
                    "identifier" => match self.locals.get(self.text(a)) {
                        Some(l) if l.array && !l.is_static => Sharing::Local,
                        Some(l) if l.percpu_ptr => Sharing::PerCpu,
                        Some(l) if l.pointer || l.is_static => Sharing::Shared,
                        _ => sharing,
                    },
                    "field_expression" | "subscript_expression" => sharing,
                    _ => self.pointee_sharing(a, depth + 1),
                };
                (key, base, sharing)
            }
            "pointer_expression" if operator(n) == Some("*") => {
                let sharing = n
                    .field("argument")
                    .map_or(Sharing::Shared, |a| self.pointee_sharing(a, depth + 1));
                (None, None, sharing)
            }
            "call_expression" => {
                // `per_cpu(var, cpu)` used as an lvalue.
                let callee = n.field("function").map(|f| self.text(f)).unwrap_or("");
                let args = call_args(n);
                match (callee, args.first()) {
                    ("per_cpu", Some(v)) => (
                        Some(LocationKey::global(self.text(*v))),
                        None,
                        Sharing::PerCpu,
                    ),
                    _ => (None, None, Sharing::Shared),
                }
            }
            _ => (None, None, Sharing::Shared),
        }
    }

    /// Sharing of the memory pointer expression `p` points to.
    fn pointee_sharing(&self, p: Node<'_>, depth: usize) -> Sharing {
        if depth > MAX_DEPTH {
            return Sharing::Shared;
        }
        let p = strip_casts(p);
        match p.kind() {
            "identifier" => match self.locals.get(self.text(p)) {
                Some(l) if l.percpu_ptr => Sharing::PerCpu,
                Some(l) if l.array && !l.is_static => Sharing::Local,
                _ => Sharing::Shared,
            },
            "call_expression" if is_percpu_ptr_call(p, self.input.source, self.base) => {
                Sharing::PerCpu
            }
            "pointer_expression" if operator(p) == Some("&") => p
                .field("argument")
                .map_or(Sharing::Shared, |a| self.lvalue(a, depth + 1).2),
            _ => Sharing::Shared,
        }
    }

    fn assignment(&mut self, n: Node<'_>) {
        let left = n.field("left");
        let right = n.field("right");
        let op = n.field("operator").map(|o| o.kind()).unwrap_or("=");
        if let Some(r) = right {
            self.expr(r);
        }
        let Some(l) = left else { return };
        let l = strip_parens(l);
        let value = right.map(|r| self.operand(r));
        // `ACCESS_ONCE(x) = v` (the old spelling of WRITE_ONCE).
        if l.kind() == "call_expression"
            && l.field("function")
                .is_some_and(|f| self.text(f) == "ACCESS_ONCE")
        {
            if let Some(arg) = call_args(l).first() {
                self.address(*arg);
                let target = self.target(*arg);
                let access = Access {
                    target,
                    mark: Mark::Once,
                    api: Some("ACCESS_ONCE".to_owned()),
                    value,
                };
                self.emit(EventKind::Store(access), self.span(n));
            }
            return;
        }
        self.address(l);
        if op == "=" && l.kind() == "identifier" {
            if let Some(r) = right {
                if is_percpu_ptr_call(r, self.input.source, self.base) {
                    let name = self.text(l).to_owned();
                    self.locals.mark_percpu_ptr(&name);
                }
            }
        }
        let target = match l.kind() {
            "call_expression" => Some(self.target(l)),
            _ => self.plain_target(l),
        };
        if let Some(t) = target {
            let mark = self.plain_mark(l);
            if op != "=" {
                self.emit(
                    EventKind::Load(Access {
                        target: t.clone(),
                        mark,
                        api: None,
                        value: None,
                    }),
                    self.span(n),
                );
            }
            self.emit(
                EventKind::Store(Access {
                    target: t,
                    mark,
                    api: None,
                    value,
                }),
                self.span(n),
            );
        }
    }

    fn plain_call(&mut self, n: Node<'_>, callee: Node<'_>, args: &[Node<'_>]) {
        let name = self.text(callee).to_owned();
        if callee.kind() != "identifier" {
            self.address(callee);
        }
        match kernel_api::member_macro_expr_args(&name) {
            Some(k) => {
                for a in args.iter().take(k) {
                    self.expr(*a);
                }
            }
            None if name.starts_with("DEFINE_") || name.starts_with("DECLARE_") => {
                // `DECLARE_WAITQUEUE(wait, current);` declares a local.
                if let Some(first) = args.first().filter(|a| a.kind() == "identifier") {
                    let local = self.text(*first).to_owned();
                    self.locals.declare(&local, LocalInfo::default());
                }
                for a in args.iter().skip(1) {
                    self.expr(*a);
                }
            }
            None => {
                for a in args {
                    self.expr(*a);
                }
            }
        }
        let call = Call {
            name,
            receiver: None,
            args: args.iter().map(|a| self.operand(*a)).collect(),
        };
        self.emit(EventKind::Call(call), self.span(n));
    }

    fn call(&mut self, n: Node<'_>) {
        let Some(callee) = n.field("function") else {
            for c in named_children(n) {
                self.expr(c);
            }
            return;
        };
        let args = call_args(n);
        // `guard(class)(&lock);`
        if callee.kind() == "call_expression"
            && callee
                .field("function")
                .is_some_and(|f| self.text(f) == "guard")
        {
            let class = call_args(callee)
                .first()
                .map(|c| self.text(*c).to_owned())
                .unwrap_or_default();
            for a in &args {
                self.expr(*a);
            }
            let op = LockOp {
                api: "guard".to_owned(),
                kind: kernel_api::guard_class(&class),
                object: args.first().map(|a| self.operand(*a)),
            };
            self.emit(EventKind::Lock(op), self.span(n));
            return;
        }
        let name = if callee.kind() == "identifier" {
            self.text(callee).to_owned()
        } else {
            String::new()
        };
        let api = if name.is_empty() {
            None
        } else {
            self.input.api.classify(&name)
        };
        let span = self.span(n);
        match api {
            None | Some(Api::Guard) => self.plain_call(n, callee, &args),
            Some(Api::Fence(kind)) => {
                for a in &args {
                    self.expr(*a);
                }
                self.emit(EventKind::Fence(Fence { kind, api: name }), span);
            }
            Some(Api::Load {
                mark,
                by_address,
                polled,
            }) => {
                let Some(first) = args.first() else {
                    return self.plain_call(n, callee, &args);
                };
                let (target, inner) = if by_address {
                    self.pointed_target(*first)
                } else {
                    (self.target(*first), Some(strip_parens(*first)))
                };
                let rest = args.get(1..).unwrap_or(&[]);
                let body = |w: &mut Self| {
                    match inner {
                        Some(i) => w.address(i),
                        None => w.expr(*first),
                    }
                    if !polled {
                        for a in rest {
                            w.expr(*a);
                        }
                    }
                    w.emit(
                        EventKind::Load(Access {
                            target,
                            mark,
                            api: Some(name),
                            value: None,
                        }),
                        span,
                    );
                    if polled {
                        for a in rest {
                            w.expr(*a);
                        }
                    }
                };
                if polled {
                    self.in_scope(ScopeKind::Loop, span, |w| {
                        w.in_scope(ScopeKind::LoopCondition, span, body)
                    });
                } else {
                    body(self);
                }
            }
            Some(Api::Store { mark, by_address }) => {
                self.marked_store(n, callee, &args, &name, mark, by_address)
            }
            Some(Api::StoreThenFence(kind)) => {
                self.marked_store(n, callee, &args, &name, Mark::Once, false);
                self.emit(EventKind::Fence(Fence { kind, api: name }), span);
            }
            Some(Api::Rmw {
                op,
                returns_value,
                ordering,
                target_arg,
                bit_arg,
            }) => {
                let Some(t) = args.get(target_arg) else {
                    return self.plain_call(n, callee, &args);
                };
                for (i, a) in args.iter().enumerate() {
                    if i != target_arg {
                        self.expr(*a);
                    }
                }
                let (target, inner) = self.pointed_target(*t);
                match inner {
                    Some(i) => self.address(i),
                    None => self.expr(*t),
                }
                let bit = bit_arg.and_then(|b| args.get(b)).map(|b| self.operand(*b));
                let others = args
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != target_arg && Some(*i) != bit_arg)
                    .map(|(_, a)| self.operand(*a))
                    .collect();
                let rmw = Rmw {
                    target,
                    api: name,
                    op,
                    returns_value,
                    ordering,
                    failure_ordering: None,
                    bit,
                    args: others,
                };
                self.emit(EventKind::Rmw(rmw), span);
            }
            Some(Api::PerCpu { op, preempt_safe }) => {
                let Some(var) = args.first() else {
                    return self.plain_call(n, callee, &args);
                };
                if matches!(
                    strip_parens(*var).kind(),
                    "identifier" | "field_expression" | "subscript_expression"
                ) {
                    self.address(*var);
                } else {
                    self.expr(*var);
                }
                let rest = args.get(1..).unwrap_or(&[]);
                for a in rest {
                    self.expr(*a);
                }
                let negative = rest
                    .first()
                    .is_some_and(|a| is_negative_literal(self.text(*a)));
                let op = match op {
                    PerCpuOp::Inc if negative => PerCpuOp::Dec,
                    PerCpuOp::Dec if negative => PerCpuOp::Inc,
                    other => other,
                };
                let pc = PerCpu {
                    api: name,
                    op,
                    preempt_safe,
                    var: self.operand(*var),
                    args: rest.iter().map(|a| self.operand(*a)).collect(),
                };
                self.emit(EventKind::PerCpu(pc), span);
            }
            Some(Api::Lock(kind) | Api::Unlock(kind)) => {
                self.object_args(&args);
                let op = LockOp {
                    api: name,
                    kind,
                    object: args.first().map(|a| self.operand(*a)),
                };
                let ev = if matches!(api, Some(Api::Lock(_))) {
                    EventKind::Lock(op)
                } else {
                    EventKind::Unlock(op)
                };
                self.emit(ev, span);
            }
            Some(Api::ScopedGuard) => {
                for a in args.iter().skip(1) {
                    self.expr(*a);
                }
                let class = args
                    .first()
                    .map(|a| self.text(*a).to_owned())
                    .unwrap_or_default();
                let op = LockOp {
                    api: name,
                    kind: kernel_api::guard_class(&class),
                    object: args.get(1).map(|a| self.operand(*a)),
                };
                self.emit(EventKind::Lock(op), span);
            }
            Some(Api::Wake(kind)) => {
                // `wake_up_process(w->task)` really reads `w->task` (the hand-off bug reads it
                // after publishing), so wake arguments are evaluated as values.
                for a in &args {
                    self.expr(*a);
                }
                let wake = Wake {
                    api: name,
                    kind,
                    object: args.first().map(|a| self.operand(*a)),
                    args: args.iter().skip(1).map(|a| self.operand(*a)).collect(),
                };
                self.emit(EventKind::Wake(wake), span);
            }
            Some(Api::Wait) => {
                self.object_args(&args);
                let wait = Wait {
                    api: name,
                    args: args.iter().map(|a| self.operand(*a)).collect(),
                };
                self.emit(EventKind::Wait(wait), span);
            }
        }
    }

    /// Arguments whose first one names an object (a lock, a wait queue): its address is
    /// evaluated, but it is not read.
    fn object_args(&mut self, args: &[Node<'_>]) {
        for (i, a) in args.iter().enumerate() {
            if i == 0
                && matches!(
                    strip_parens(*a).kind(),
                    "identifier" | "field_expression" | "subscript_expression"
                )
            {
                self.address(*a);
            } else {
                self.expr(*a);
            }
        }
    }

    fn marked_store(
        &mut self,
        n: Node<'_>,
        callee: Node<'_>,
        args: &[Node<'_>],
        name: &str,
        mark: Mark,
        by_address: bool,
    ) {
        let (Some(t), Some(v)) = (args.first(), args.get(1)) else {
            return self.plain_call(n, callee, args);
        };
        self.expr(*v);
        let (target, inner) = if by_address {
            self.pointed_target(*t)
        } else {
            (self.target(*t), Some(strip_parens(*t)))
        };
        match inner {
            Some(i) => self.address(i),
            None => self.expr(*t),
        }
        let access = Access {
            target,
            mark,
            api: Some(name.to_owned()),
            value: Some(self.operand(*v)),
        };
        self.emit(EventKind::Store(access), self.span(n));
    }
}

/// `-1`, `- 4`, `-(2)`: a literal negative number.
fn is_negative_literal(text: &str) -> bool {
    let Some(rest) = text.trim().strip_prefix('-') else {
        return false;
    };
    let rest = rest
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim();
    !rest.is_empty()
        && rest.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && rest.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Span helpers.
trait SpanExt {
    /// Drop trailing whitespace inside the span.
    fn trim_end(self, source: &str) -> Span;
}

impl SpanExt for Span {
    fn trim_end(self, source: &str) -> Span {
        let text = source.get(self.start..self.end).unwrap_or("");
        Span::new(self.start, self.start + text.trim_end().len())
    }
}
