//! Inputs the mutation fuzzer (`ordlint_test::fuzz`, `scripts/fuzz.sh`) found failing, reduced
//! by hand, each checked against every invariant of the fuzzer (prefilter on and off).

use ordlint_test::fuzz::{check_input, Input};

fn check(path: &str, text: &str) {
    let input = Input {
        name: path.to_owned(),
        files: vec![(path.to_owned(), text.to_owned())],
    };
    for prefilter in [true, false] {
        if let Err(e) = check_input(&input, prefilter) {
            panic!("{path} (prefilter {prefilter}): {e}");
        }
    }
}

/// Seed 856487, case 295: a misspelt rule name broken over two lines was quoted with its
/// newline in the `invalid-suppression` message.
#[test]
fn a_rule_name_broken_over_lines_gives_a_one_line_message() {
    check(
        "a.c",
        "void f(struct s *p)\n{\n\t/* ordlint: allow(volati\ne-sync) */\n\tp->x = 1;\n}\n",
    );
}

/// Seed 1, case 5938: `barrier()&` followed by the store on the next line is one statement;
/// the fix deleted that statement, store included, and its rewrite of the store was skipped as
/// overlapping, so `--unsafe-fixes` deleted the store. Now the barrier stays.
#[test]
fn a_barrier_sharing_a_statement_with_the_store_is_not_deleted_with_it() {
    let text = "struct kick {\n\tint go;\n\tint ack;\n};\n\nvoid kick_wait(struct kick *k)\n{\n\twhile (!READ_ONCE(k->go))\t\tbarrier()&\n\tk->ack = 1;\n}\n\nint kick_acked(struct kick *k)\n{\n\treturn READ_ONCE(k->ack);\n}\n";
    check("a.c", text);
    let fixed = fix_all("a.c", text);
    assert!(
        fixed.contains("k->ack"),
        "the store survives the fix:\n{fixed}"
    );
    let text = "struct s {\n\tvoid *d;\n\tbool ready;\n};\n\nvoid pub_(struct s *p, void *d)\n{\n\tp->d = d;\n\tbarrier(), p->ready = true;\n}\n";
    check("b.c", text);
}

/// Seed 1, case 3195: a `clear_bit()` whose statement also holds the `wake_up_bit()`.
#[test]
fn a_clear_and_wake_in_one_statement_get_no_overlapping_fix() {
    check(
        "a.c",
        "struct obj { unsigned long flags; };\n\nvoid f(struct obj *o)\n{\n\tclear_bit(1, &o->flags),\n\twake_up_bit(&o->flags, 1);\n}\n",
    );
}

/// Seed 1, case 3921: a removed barrier inside a parse error has no statement span; its fix
/// deleted the empty range at offset 0, changed nothing and never converged.
#[test]
fn a_barrier_without_a_statement_gets_no_empty_fix() {
    check(
        "a.c",
        "int old_dev_peek(struct old_dev *d)\n{\n\tstruct old_buf *b = ACCESS_ONCE(d->cur);\n\nvoid old_dev_set_state(struct old_dev *d, int s)\nvoid old_dev_set_state(struct old_dev *d, int s)\n\tsmp_read_barrier_depends();\n\tACCESS_ONCE(d->irq_count) = 0;\n\treturn b->len;\n}\n",
    );
}

#[test]
fn a_barrier_sharing_a_statement_with_atomic_set_is_kept() {
    check(
        "a.c",
        "struct v { atomic_t x; };\n\nvoid f(struct v *v)\n{\n\tsmp_mb__before_atomic(), atomic_set(&v->x, 0);\n}\n",
    );
}

/// Every fix applied (unsafe ones too) until nothing changes; the final text of `path`.
fn fix_all(path: &str, text: &str) -> String {
    let sources: Vec<ordlint_core::SourceFile> =
        ordlint_core::SourceFile::new(path, text.to_owned())
            .into_iter()
            .collect();
    let options = ordlint_core::RunOptions {
        rules: ordlint_core::RuleSet::all(),
        ..ordlint_core::RunOptions::default()
    };
    let outcome = ordlint_core::fixing::fix_sources(
        sources,
        &options,
        ordlint_diagnostics::Applicability::Unsafe,
    );
    outcome
        .changed
        .get(path)
        .cloned()
        .unwrap_or_else(|| text.to_owned())
}

/// Seed 3, case 4306: a `clear_bit()` statement broken by a stray character has no statement
/// span, and the barrier was inserted after the empty statement at offset 0: at the top of
/// the file, every round, so fixing never converged.
#[test]
fn a_clear_without_a_statement_gets_no_barrier_at_the_top_of_the_file() {
    let text = "struct io_req { unsigned long flags; };\n\nvoid io_req_done(struct io_req *req)\n{\n\tclear_bit(3, &req->flags)\u{FFFD}\n\twake_up_bit(&req->flags, 3);\n}\n";
    check("a.c", text);
    assert!(!fix_all("a.c", text).starts_with('\n'));
}

/// Seed 3, case 16220, and seed 7777, cases 7224, 31092, 36474, 44690: one function that
/// polls `r->head` many times (a repeated chunk) got one diagnostic per round, whose fix made
/// one poll acquire, so `--fix` needed one round per poll and stopped after ten. The fix of
/// the one diagnostic per flag and function now covers every such poll of the flag.
#[test]
fn many_polls_of_one_flag_in_one_function_are_fixed_in_one_run() {
    let poll = "\tif (tail == READ_ONCE(r->head))\n\t\treturn NULL;\n\titem = r->buf[tail];\n";
    let text = format!(
        "struct ring {{ unsigned int head; void *buf[4]; }};\n\nvoid push(struct ring *r, void *p)\n{{\n\tr->buf[0] = p;\n\tsmp_store_release(&r->head, 1);\n}}\n\nvoid *pop(struct ring *r, unsigned int tail)\n{{\n\tvoid *item = NULL;\n{}\treturn item;\n}}\n",
        poll.repeat(13)
    );
    check("a.c", &text);
    let fixed = fix_all("a.c", &text);
    assert!(!fixed.contains("READ_ONCE(r->head)"), "{fixed}");
    assert_eq!(fixed.matches("smp_load_acquire(&r->head)").count(), 13);
}

/// Seed 20261126, case 83249: a `/*` comment that never closes, followed by thousands of
/// unclosed `[`, sent tree-sitter's error recovery into quadratic time (1.6 s for 32 KB, and
/// over the fuzzer's 2 s deadline with the fix loop). The unclosed comment is now blanked.
#[test]
fn an_unclosed_comment_before_many_brackets_is_linted_in_linear_time() {
    let text = format!(
        "void f(struct d *p)\n{{\n\tbarrier();\n\t/* ordl{}x{}\n",
        "[".repeat(100_000),
        "]".repeat(30_000)
    );
    let input = Input {
        name: "unclosed".to_owned(),
        files: vec![("a.c".to_owned(), text)],
    };
    // Case 1 is linted without the prefilter, as the fuzzer's odd cases are.
    if let Err(e) = ordlint_test::fuzz::run_one(&input, 1, std::time::Duration::from_secs(20)) {
        panic!("{e}");
    }
}
