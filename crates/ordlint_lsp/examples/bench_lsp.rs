//! Latency benchmark (not a test): time from sending `didChange` to receiving the
//! `publishDiagnostics` for that version, end to end through a real `ordlint lsp` process, on
//! a generated 5,000-line kernel-style C file after a one-line change.
//!
//! Run through `scripts/bench-lsp.sh`, or: `cargo run --release -p ordlint_lsp --example
//! bench_lsp -- target/release/ordlint [ROUNDS]`.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc;
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

    let mut child = match Command::new(&bin)
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot run {bin} lsp: {e}");
            std::process::exit(2);
        }
    };
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        std::process::exit(2);
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        while let Some(v) = read(&mut r) {
            if tx.send((Instant::now(), v)).is_err() {
                return;
            }
        }
    });
    let uri = "file:///bench/handoff.c";
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": {}}}),
    );
    wait(&rx, |v| v["id"] == 1);
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    let opened = Instant::now();
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "c", "version": 1, "text": text}}}),
    );
    let (at, first) = wait(&rx, |v| v["method"] == "textDocument/publishDiagnostics");
    let count = first["params"]["diagnostics"]
        .as_array()
        .map_or(0, Vec::len);
    println!(
        "file: {lines} lines, {} KiB, {count} diagnostics; didOpen -> publish: {:.1} ms",
        text.len() >> 10,
        ms(at - opened)
    );

    let mut samples = Vec::new();
    for round in 0..rounds {
        let version = round as i64 + 2;
        // A one-line change: rewrite `int spins = N;` in place (quiet before, so no debounce).
        std::thread::sleep(Duration::from_millis(150));
        let change = json!({"range": {"start": {"line": target, "character": 0},
                                      "end": {"line": target, "character": 100}},
                            "text": format!("\tint spins = {round};")});
        let sent = Instant::now();
        send(
            &mut stdin,
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}}),
        );
        let (at, v) = wait(&rx, |v| {
            v["method"] == "textDocument/publishDiagnostics" && v["params"]["version"] == version
        });
        if v["params"]["diagnostics"].as_array().map_or(0, Vec::len) != count {
            eprintln!("warning: diagnostic count changed in round {round}");
        }
        samples.push(ms(at - sent));
    }
    samples.sort_by(f64::total_cmp);
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "didChange -> publishDiagnostics over {rounds} one-line changes: median {:.1} ms, p90 {:.1} ms, max {:.1} ms (target < 50 ms)",
        pick(0.5),
        pick(0.9),
        pick(1.0)
    );
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    wait(&rx, |v| v["id"] == 2);
    send(&mut stdin, &json!({"jsonrpc": "2.0", "method": "exit"}));
    let _ = child.wait();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn send(w: &mut ChildStdin, v: &Value) {
    let body = v.to_string();
    let ok = write!(w, "Content-Length: {}\r\n\r\n{body}", body.len()).and_then(|()| w.flush());
    if ok.is_err() {
        eprintln!("the server went away");
        std::process::exit(1);
    }
}

fn wait(rx: &mpsc::Receiver<(Instant, Value)>, pred: impl Fn(&Value) -> bool) -> (Instant, Value) {
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok((at, v)) if pred(&v) => return (at, v),
            Ok(_) => {}
            Err(_) => {
                eprintln!("timed out waiting for the server");
                std::process::exit(1);
            }
        }
    }
}

fn read(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
