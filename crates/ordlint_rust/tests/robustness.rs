//! Hostile inputs: nothing may panic or overflow the stack.

#![allow(clippy::unwrap_used)]

use ordlint_rust::lower;

fn fatal_messages(src: &str) -> Vec<String> {
    lower(src)
        .problems
        .into_iter()
        .filter(|p| p.fatal)
        .map(|p| p.message)
        .collect()
}

#[test]
fn deep_bracket_nesting_is_refused_before_parsing() {
    let src = format!(
        "fn f() {{ let x = {}1{}; }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let ir = lower(&src);
    assert!(ir.functions.is_empty());
    assert_eq!(ir.problems.len(), 1);
    assert!(ir.problems[0].fatal);
    assert!(
        ir.problems[0].message.starts_with("nesting too deep"),
        "{}",
        ir.problems[0].message
    );
}

#[test]
fn nesting_just_under_the_limit_still_lowers() {
    let src = format!(
        "fn f() {{ let x = {}1{}; }}",
        "(".repeat(200),
        ")".repeat(200)
    );
    let ir = lower(&src);
    assert!(ir.problems.iter().all(|p| !p.fatal), "{:?}", ir.problems);
    assert_eq!(ir.functions.len(), 1);
}

/// Run `f` on a thread with a 2 MiB stack (the size rayon workers get), like `ordlint_core`.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap();
    handle.join().unwrap()
}

#[test]
fn long_chains_without_brackets_do_not_overflow() {
    for n in [1_000, 6_000, 40_000] {
        let cases = [
            format!("fn f() {{ let x = a{}; }}", " + a".repeat(n)),
            format!("fn f() {{ let x = a{}; }}", ".b".repeat(n)),
            format!("fn f() {{ let x = {}a; }}", "!".repeat(n)),
            format!("fn f() {{ let x = {}a; }}", "- ".repeat(n)),
            format!("fn f() {{ if a {{}}{} }}", " else if a {}".repeat(n)),
            format!("fn f() {{ let x = a{}; }}", ".b()".repeat(n)),
            format!("fn f() {{ let x = {}a; }}", "|| ".repeat(n)),
            format!("fn f() {{ let x = {}a; }}", "return ".repeat(n)),
            format!("type T = {}u8;", "&".repeat(n)),
            format!("fn f() {{ let x = a{}; }}", " = a".repeat(n)),
        ];
        for src in cases {
            let problems = on_small_stack(move || lower(&src).problems);
            if n >= 40_000 {
                assert!(
                    problems.iter().any(|p| p.fatal),
                    "a 40k-token chain is refused"
                );
            }
        }
    }
}

#[test]
fn a_deep_but_acceptable_chain_is_lowered_in_full() {
    let src = format!(
        "fn f(p: &S) {{ let x = p.a{}; p.n.store(x, Ordering::Release); }}",
        " + p.a".repeat(3_000)
    );
    let ir = on_small_stack(move || lower(&src));
    assert!(ir.problems.iter().all(|p| !p.fatal), "{:?}", ir.problems);
    let f = &ir.functions[0];
    assert!(matches!(
        f.events.last().map(|e| &e.kind),
        Some(ordlint_ir::EventKind::Store(_))
    ));
}

#[test]
fn syntax_error_gives_one_fatal_problem_with_position() {
    let src = "use std::sync::atomic::*;\nfn f() {\n    let x = ;\n}\n";
    let ir = lower(src);
    assert!(ir.functions.is_empty());
    assert_eq!(ir.problems.len(), 1, "{:?}", ir.problems);
    let p = &ir.problems[0];
    assert!(p.fatal);
    assert!(p.message.contains("line 3, column 13"), "{}", p.message);
    assert_eq!(&src[p.span.start..p.span.end], ";");
}

#[test]
fn garbage_never_panics() {
    let inputs = [
        "",
        "fn",
        "fn f(",
        "}}}}",
        "'",
        "\"",
        "r#\"",
        "/*",
        "/* /* */",
        "b'",
        "'\\u{",
        "#!",
        "\u{feff}",
        "fn f() { x.load( }",
        "impl { fn }",
        "fn f() { '\\'' }",
        "fn f() { é.load(Relaxed) }",
        "macro_rules! m { ($x:expr) => { $x.load(Relaxed) } }",
        "fn f() { m!(,,,); vec![1; 3]; println!(\"{}\", ); }",
    ];
    for src in inputs {
        let _ = lower(src);
    }
    let fatal = fatal_messages("fn f() { x.load( }");
    assert_eq!(fatal.len(), 1);
}
