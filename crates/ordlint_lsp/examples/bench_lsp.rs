//! Latency benchmark (not a test): time from sending `didChange` to receiving the
//! `publishDiagnostics` for that version, end to end through a real `ordlint lsp` process, on
//! a generated 5,000-line kernel-style C file after a one-line change.
//!
//! Run through `scripts/bench-lsp.sh`, or: `cargo run --release -p ordlint_lsp --example
//! bench_lsp -- target/release/ordlint [ROUNDS]`.
//!
//! The server is asked for verbose traces (`$/logTrace`), which say where its time went in
//! each lint (lowering, index, rules, conversion); their medians are printed too.

#[path = "../../ordlint/tests/lsp_client/mod.rs"]
mod lsp_client;

use lsp_client::Client;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// One hand-off writer and its polling reader, with `{n}` made unique per copy.
const UNIT: &str = r#"
struct hl_waiter_{n} {
	struct list_head	list;
	struct task_struct	*task;
	bool			lock_acquired;
};

static void hl_wakeup_{n}(struct hl_lock *lock, struct hl_waiter_{n} *w)
{
	raw_spin_lock(&lock->wait_lock);
	__list_del(w->list.prev, w->list.next);
	barrier();
	w->lock_acquired = true;
	wake_up_process(w->task);
	raw_spin_unlock(&lock->wait_lock);
}

static int hl_slowpath_{n}(struct hl_lock *lock, struct hl_waiter_{n} *wait)
{
	int spins = 0;

	wait->task = current;
	wait->lock_acquired = false;
	raw_spin_lock(&lock->wait_lock);
	list_add_tail(&wait->list, &lock->wait_list);
	raw_spin_unlock(&lock->wait_lock);
	while (1) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		if (wait->lock_acquired)
			break;
		spins++;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return spins;
}
"#;

fn main() {
    let mut args = std::env::args().skip(1);
    let bin = args
        .next()
        .unwrap_or_else(|| "target/release/ordlint".to_owned());
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(50);

    let mut text = String::from("// SPDX-License-Identifier: GPL-2.0\n#include <linux/sched.h>\n");
    let mut n = 0;
    while text.lines().count() < 5000 {
        text.push_str(&UNIT.replace("{n}", &n.to_string()));
        n += 1;
    }
    let lines = text.lines().count();
    // The line to change: `int spins = 0;` in the middle copy.
    let target = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("int spins = 0;"))
        .nth(n / 2)
        .map_or(0, |(i, _)| i);

    let mut c = Client::spawn_program(&bin);
    let uri = "file:///bench/handoff.c";
    c.call(
        "initialize",
        // Every rule that can fire on the generated code, the pedantic pairing ones included:
        // the heaviest configuration an editor is likely to run.
        json!({"processId": null, "rootUri": null, "capabilities": {}, "trace": "verbose",
               "initializationOptions": {"extendSelect": ["barrier-publication", "unordered-flag-read"]}}),
    );
    c.notify("initialized", json!({}));
    let opened = Instant::now();
    c.open(uri, &text);
    let (at, first) = c.wait_for_timed(|v| v["method"] == "textDocument/publishDiagnostics");
    let count = first["params"]["diagnostics"]
        .as_array()
        .map_or(0, Vec::len);
    println!(
        "file: {lines} lines, {} KiB, {count} diagnostics; didOpen -> publish: {:.1} ms",
        text.len() >> 10,
        ms(at - opened)
    );

    let mut samples = Vec::new();
    // Server-side phases of each lint, from its traces: lower, index, rules, convert, total.
    let mut phases: [Vec<f64>; 5] = Default::default();
    for round in 0..rounds {
        let version = round as i64 + 2;
        c.drop_pending();
        // A one-line change: rewrite `int spins = N;` in place (quiet before, so no debounce).
        std::thread::sleep(Duration::from_millis(150));
        let change = json!({"range": {"start": {"line": target, "character": 0},
                                      "end": {"line": target, "character": 100}},
                            "text": format!("\tint spins = {round};")});
        let sent = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        let (at, v) = c.wait_for_timed(|v| {
            v["method"] == "textDocument/publishDiagnostics" && v["params"]["version"] == version
        });
        if v["params"]["diagnostics"].as_array().map_or(0, Vec::len) != count {
            eprintln!("warning: diagnostic count changed in round {round}");
        }
        samples.push(ms(at - sent));
        // The trace is sent before the diagnostics, so it is here already (unless the server
        // sends none: older versions did not).
        let needle = format!("version {version} ");
        let trace = c.try_wait_for(
            &|v: &Value| {
                v["method"] == "$/logTrace"
                    && v["params"]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(&needle))
            },
            Duration::from_millis(20),
        );
        if let Some(trace) = trace {
            for (slot, value) in phases.iter_mut().zip(trace_phases(&trace["params"])) {
                slot.push(value);
            }
        }
    }
    println!(
        "didChange -> publishDiagnostics over {rounds} one-line changes: median {:.1} ms, p90 {:.1} ms, max {:.1} ms (target < 50 ms)",
        quantile(&mut samples, 0.5),
        quantile(&mut samples, 0.9),
        quantile(&mut samples, 1.0)
    );
    let [lower, index, rules, convert, total] = &mut phases;
    if total.is_empty() {
        println!("the server sent no traces");
    } else {
        println!(
        "server medians: lower {:.2} ms, index {:.2} ms, rules {:.2} ms, convert {:.2} ms, whole lint {:.2} ms",
        quantile(lower, 0.5),
        quantile(index, 0.5),
        quantile(rules, 0.5),
        quantile(convert, 0.5),
        quantile(total, 0.5)
    );
    }
    let _ = c.shutdown();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn quantile(samples: &mut [f64], q: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let i = ((samples.len().saturating_sub(1)) as f64 * q).round() as usize;
    samples.get(i).copied().unwrap_or(f64::NAN)
}

/// The numbers of a verbose lint trace, in order: lower, index, rules, convert (from
/// `verbose`), then the whole lint (from `message`).
fn trace_phases(params: &Value) -> Vec<f64> {
    let numbers = |s: &str| -> Vec<f64> {
        s.split(" ms")
            .filter_map(|part| part.rsplit(' ').next()?.parse().ok())
            .collect()
    };
    let mut out = numbers(params["verbose"].as_str().unwrap_or(""));
    out.extend(numbers(params["message"].as_str().unwrap_or("")));
    out
}
