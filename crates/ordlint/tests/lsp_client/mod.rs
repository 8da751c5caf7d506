//! A minimal LSP client for tests: spawns `ordlint lsp`, speaks Content-Length framed
//! JSON-RPC over its stdio, answers the server's own requests, and waits for messages.
//!
//! Shared by the end-to-end tests of this crate and by the latency benchmark
//! (`crates/ordlint_lsp/examples/bench_lsp.rs` includes this file with `#[path]`).
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(30);

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn file_uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Messages with the time they were read.
    rx: Receiver<(Instant, Value)>,
    /// Every message received so far, in order (including those already consumed by waits).
    pub seen: Vec<Value>,
    pending: Vec<(Instant, Value)>,
    next_id: i64,
}

impl Client {
    /// The `ordlint` binary of this build (integration tests), else `ordlint` on the PATH.
    pub fn spawn() -> Client {
        Client::spawn_program(option_env!("CARGO_BIN_EXE_ordlint").unwrap_or("ordlint"))
    }

    /// `program lsp`.
    pub fn spawn_program(program: &str) -> Client {
        let mut child = Command::new(program)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program} lsp: {e}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_message(&mut r) {
                if tx.send((Instant::now(), v)).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            seen: Vec::new(),
            pending: Vec::new(),
            next_id: 0,
        }
    }

    pub fn write_raw(&mut self, bytes: &[u8]) {
        let stdin = self
            .stdin
            .as_mut()
            .unwrap_or_else(|| panic!("stdin closed"));
        stdin
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("write: {e}"));
        stdin.flush().unwrap_or_else(|e| panic!("flush: {e}"));
    }

    pub fn send(&mut self, v: &Value) {
        self.send_together(std::slice::from_ref(v));
    }

    /// Send several messages in one write, so the server reads them together.
    pub fn send_together(&mut self, messages: &[Value]) {
        let mut bytes = Vec::new();
        for v in messages {
            let body = v.to_string();
            bytes.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).bytes());
        }
        self.write_raw(&bytes);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Send a request and wait for its response.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    /// Next message (answering server requests along the way), or `None` after `timeout`.
    fn next(&mut self, timeout: Duration) -> Option<(Instant, Value)> {
        match self.rx.recv_timeout(timeout) {
            Ok((at, v)) => {
                self.seen.push(v.clone());
                if v.get("method").is_some() && v.get("id").is_some() {
                    let id = v["id"].clone();
                    self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                }
                Some((at, v))
            }
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Wait for a message matching `pred`; others are kept for later waits.
    pub fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        self.try_wait_for(&pred, WAIT)
            .unwrap_or_else(|| panic!("timed out; seen: {:#?}", self.seen))
    }

    pub fn try_wait_for(
        &mut self,
        pred: &dyn Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Option<Value> {
        self.try_wait_for_timed(pred, timeout).map(|(_, v)| v)
    }

    /// Wait for a message matching `pred`, and the time it was read.
    pub fn wait_for_timed(&mut self, pred: impl Fn(&Value) -> bool) -> (Instant, Value) {
        self.try_wait_for_timed(&pred, WAIT)
            .unwrap_or_else(|| panic!("timed out; seen: {:#?}", self.seen))
    }

    fn try_wait_for_timed(
        &mut self,
        pred: &dyn Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Option<(Instant, Value)> {
        if let Some(i) = self.pending.iter().position(|(_, v)| pred(v)) {
            return Some(self.pending.remove(i));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let (at, v) = self.next(left)?;
            if pred(&v) {
                return Some((at, v));
            }
            self.pending.push((at, v));
        }
    }

    /// Forget the messages received so far that no wait has taken.
    pub fn drop_pending(&mut self) {
        self.pending.clear();
    }

    /// Wait for diagnostics published for `uri` that satisfy `pred`.
    pub fn diagnostics(&mut self, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let uri = uri.to_owned();
        self.wait_for(move |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && pred(&m["params"])
        })["params"]
            .clone()
    }

    pub fn initialize(
        &mut self,
        capabilities: Value,
        root: Option<&Path>,
        options: Value,
    ) -> Value {
        let folders = root
            .map(|r| json!([{"uri": file_uri(r), "name": "ws"}]))
            .unwrap_or(Value::Null);
        let resp = self.call(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root.map(file_uri),
                "workspaceFolders": folders,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        resp
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "c", "version": 1, "text": text}}),
        );
    }

    /// `shutdown`, `exit`, and the exit status.
    pub fn shutdown(mut self) -> i32 {
        let resp = self.call("shutdown", Value::Null);
        assert!(resp.get("error").is_none(), "{resp}");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn wait_exit(&mut self) -> i32 {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
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

/// Byte offset of an LSP position in `text`, columns in UTF-16 units.
pub fn offset_utf16(text: &str, line: u64, character: u64) -> usize {
    let mut start = 0;
    for _ in 0..line {
        start += text[start..]
            .find('\n')
            .map_or(text.len() - start, |i| i + 1);
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0;
    for (i, ch) in text[start..end].char_indices() {
        if units >= character {
            return start + i;
        }
        units += ch.len_utf16() as u64;
    }
    end
}

/// Apply LSP text edits (non-overlapping, against the original text) to `text`.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            let s = offset_utf16(
                text,
                r["start"]["line"].as_u64().unwrap_or(0),
                r["start"]["character"].as_u64().unwrap_or(0),
            );
            let t = offset_utf16(
                text,
                r["end"]["line"].as_u64().unwrap_or(0),
                r["end"]["character"].as_u64().unwrap_or(0),
            );
            (s, t, e["newText"].as_str().unwrap_or("").to_owned())
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_owned();
    for (s, t, new) in spans {
        out.replace_range(s..t, &new);
    }
    out
}

/// The edits of `action` for `uri`, whether sent as `changes` or `documentChanges`.
pub fn action_edits(action: &Value, uri: &str) -> Vec<Value> {
    let edit = &action["edit"];
    if let Some(list) = edit["changes"][uri].as_array() {
        return list.clone();
    }
    edit["documentChanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["textDocument"]["uri"] == uri)
        .flat_map(|d| d["edits"].as_array().cloned().unwrap_or_default())
        .collect()
}
