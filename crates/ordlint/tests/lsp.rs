//! End-to-end tests of `ordlint lsp`: the real binary as a child process, real
//! Content-Length framed JSON-RPC on its stdio.

mod lsp_client;

use lsp_client::{action_edits, apply_edits, file_uri, root, Client};
use serde_json::{json, Value};
use std::time::Duration;

fn lock_handoff() -> String {
    std::fs::read_to_string(root().join("examples/lock_handoff.c"))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Settings that turn on the two pedantic pairing rules: the bundled example's finding is
/// a barrier-publication (book/src/precision.md says why that rule is pedantic).
fn pairing_rules() -> Value {
    json!({"extendSelect": ["barrier-publication", "unordered-flag-read"]})
}

fn has_rule(params: &Value, rule: &str) -> bool {
    params["diagnostics"]
        .as_array()
        .is_some_and(|d| d.iter().any(|d| d["code"] == rule))
}

fn find_rule<'a>(params: &'a Value, rule: &str) -> &'a Value {
    params["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == rule))
        .unwrap_or_else(|| panic!("no {rule} in {params:#}"))
}

#[test]
fn quickfix_from_a_code_action_makes_the_diagnostic_go_away() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("lock_handoff.c");
    let text = lock_handoff();
    std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{e}"));
    let uri = file_uri(&path);
    let mut c = Client::spawn();
    let init = c.initialize(json!({}), Some(dir.path()), pairing_rules());
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    c.open(&uri, &text);

    let published = c.diagnostics(&uri, |p| has_rule(p, "barrier-publication"));
    assert_eq!(published["version"], 1);
    let diag = find_rule(&published, "barrier-publication").clone();
    // Line 43 of the file, `w->lock_acquired = true` after two tabs.
    assert_eq!(diag["range"]["start"], json!({"line": 42, "character": 2}));
    assert_eq!(diag["source"], "ordlint");
    assert_eq!(diag["severity"], 2);
    assert_eq!(
        diag["codeDescription"]["href"],
        ordlint_diagnostics::rule_url("barrier-publication")
    );
    let related = diag["relatedInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(related.len(), 1, "{diag:#}");
    assert_eq!(related[0]["location"]["uri"], uri.as_str());
    assert_eq!(
        related[0]["location"]["range"]["start"],
        json!({"line": 61, "character": 6})
    );
    assert!(related[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("smp_load_acquire")));
    assert_eq!(diag["data"]["fix"]["applicability"], "unsafe");

    let resp = c.call(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diag["range"],
            "context": {"diagnostics": [diag]},
        }),
    );
    let actions = resp["result"].as_array().cloned().unwrap_or_default();
    let titles: Vec<&str> = actions.iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(
        titles.contains(&"ordlint: suppress barrier-publication on this line"),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"ordlint: suppress barrier-publication in this file"),
        "{titles:?}"
    );
    let fix = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.contains("smp_store_release"))
        })
        .unwrap_or_else(|| panic!("no fix in {titles:?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert!(
        fix.get("isPreferred").is_none(),
        "an unsafe fix is not preferred"
    );
    let edits = action_edits(fix, &uri);
    let fixed = apply_edits(&text, &edits);
    assert!(
        fixed.contains("smp_store_release(&w->lock_acquired, true);"),
        "{fixed}"
    );
    assert!(
        fixed.contains("if (smp_load_acquire(&wait->lock_acquired))"),
        "{fixed}"
    );
    assert!(!fixed.contains("barrier();"), "{fixed}");

    // Send the same edits as incremental changes, last first so each range is still valid.
    let mut sorted = edits.clone();
    sorted.sort_by_key(|e| {
        std::cmp::Reverse((
            e["range"]["start"]["line"].as_u64(),
            e["range"]["start"]["character"].as_u64(),
        ))
    });
    let changes: Vec<Value> = sorted
        .iter()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": changes}),
    );
    let after = c.diagnostics(&uri, |p| p["version"] == 2);
    assert!(!has_rule(&after, "barrier-publication"), "{after:#}");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn columns_are_utf16_by_default_and_utf8_when_offered() {
    let prefix = "\t\t/* ça 😀 */ ";
    let text = lock_handoff().replace(
        "\t\tw->lock_acquired = true;",
        &format!("{prefix}w->lock_acquired = true;"),
    );
    for (caps, encoding, column) in [
        (json!({}), "utf-16", prefix.encode_utf16().count()),
        (
            json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
            "utf-8",
            prefix.len(),
        ),
    ] {
        let mut c = Client::spawn();
        let init = c.initialize(caps, None, pairing_rules());
        assert_eq!(init["result"]["capabilities"]["positionEncoding"], encoding);
        let uri = "file:///nonexistent/ordlint-test/utf.c";
        c.open(uri, &text);
        let p = c.diagnostics(uri, |p| has_rule(p, "barrier-publication"));
        let d = find_rule(&p, "barrier-publication");
        assert_eq!(
            d["range"]["start"],
            json!({"line": 42, "character": column}),
            "{encoding}"
        );
        // An edit after the non-ASCII text, in the same encoding, lands where intended.
        let start = d["range"]["start"].clone();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
                {"range": {"start": start, "end": start}, "text": "/* x */ "}
            ]}),
        );
        let p = c.diagnostics(uri, |p| p["version"] == 2);
        let d = find_rule(&p, "barrier-publication");
        assert_eq!(d["range"]["start"]["character"], column + 8, "{encoding}");
        assert_eq!(c.shutdown(), 0);
    }
}

#[test]
fn malformed_messages_and_unknown_methods_get_errors_and_the_server_lives_on() {
    let mut c = Client::spawn();
    c.write_raw(b"Content-Length: 5\r\n\r\n{oops");
    let e = c.wait_for(|m| m["error"]["code"] == -32700);
    assert_eq!(e["id"], Value::Null);
    c.write_raw(b"Content-Length: nope\r\n\r\n");
    c.wait_for(|m| {
        m["error"]["code"] == -32700
            && m["error"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("Content-Length"))
    });
    c.send(&json!({"jsonrpc": "2.0", "id": 41}));
    let e = c.wait_for(|m| m["error"]["code"] == -32600);
    assert_eq!(e["id"], 41);
    // Before initialize, requests are refused.
    let early = c.call("textDocument/codeAction", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    c.initialize(json!({}), None, pairing_rules());
    let unknown = c.call("ordlint/noSuchMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let bad_params = c.call("textDocument/codeAction", json!({"textDocument": 3}));
    assert_eq!(bad_params["error"]["code"], -32602);
    // Notifications with bad params and for unopened documents are ignored.
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": "file:///never/opened.c", "version": 3}, "contentChanges": []}));
    c.notify("textDocument/didOpen", json!({"textDocument": 7}));
    // A code action for a file that was never opened: no actions, no error.
    let none = c.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": "file:///never/opened.c"},
               "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
               "context": {"diagnostics": []}}),
    );
    assert_eq!(none["result"], json!([]));
    // Text that is not C at all still gets an answer (empty), not a crash.
    let uri = "file:///nonexistent/garbage.c";
    c.open(uri, "}}}{{{ ) barrier(); x = ;;; \u{0}\u{1} WRITE_ONCE(");
    c.diagnostics(uri, |_| true);
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn close_clears_and_exit_codes_follow_the_protocol() {
    let mut c = Client::spawn();
    c.initialize(json!({}), None, pairing_rules());
    let uri = "file:///nonexistent/close.c";
    c.open(uri, &lock_handoff());
    c.diagnostics(uri, |p| has_rule(p, "barrier-publication"));
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    c.diagnostics(uri, |p| p["diagnostics"] == json!([]));
    assert_eq!(c.shutdown(), 0);

    let mut c = Client::spawn();
    c.initialize(json!({}), None, pairing_rules());
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), 1, "exit without shutdown");

    let mut c = Client::spawn();
    c.initialize(json!({}), None, pairing_rules());
    c.close_stdin();
    assert_eq!(c.wait_exit(), 0, "the client went away");
}

#[test]
fn settings_select_rules_and_limit_file_size() {
    let mut c = Client::spawn();
    c.initialize(
        json!({}),
        None,
        json!({"extendSelect": ["barrier-publication"], "ignore": ["barrier-publication"], "maxFileBytes": 1000}),
    );
    let small = "file:///nonexistent/small.c";
    let text = lock_handoff();
    c.open(small, &text[..]);
    // Over the size limit: published empty, and said in the log.
    let p = c.diagnostics(small, |_| true);
    assert_eq!(p["diagnostics"], json!([]));
    c.wait_for(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("not linted"))
    });
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ordlint": {"extendSelect": ["barrier-publication"], "ignore": ["barrier-publication"]}}}),
    );
    let p = c.diagnostics(small, |_| true);
    assert!(!has_rule(&p, "barrier-publication"), "{p:#}");
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ordlint": {"extendSelect": ["barrier-publication"]}}}),
    );
    c.diagnostics(small, |p| has_rule(p, "barrier-publication"));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ordlint": {"select": ["no-such-rule"]}}}),
    );
    c.wait_for(|m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("no-such-rule"))
    });
    assert_eq!(c.shutdown(), 0);
}

/// A workspace folder holding the cross-file barrier-publication fixture: `producer.c`
/// publishes, `consumer.c` reads.
fn cross_file_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let src = root().join("fixtures/barrier-publication/cross_file_completion");
    for name in ["producer.c", "consumer.c"] {
        let text = std::fs::read_to_string(src.join(name)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join(name), text).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

/// Wait for the end of the indexing progress and check its message says `summary`.
fn wait_for_index_end(c: &mut Client, summary: &str) {
    let end = c.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    assert!(
        end["params"]["value"]["message"]
            .as_str()
            .is_some_and(|s| s.contains(summary)),
        "{end:#}"
    );
}

#[test]
fn workspace_index_names_the_reader_in_another_file_with_progress() {
    let dir = cross_file_workspace();
    let producer = dir.path().join("producer.c");
    let consumer_uri = file_uri(&dir.path().join("consumer.c"));
    let uri = file_uri(&producer);
    let mut c = Client::spawn();
    c.initialize(
        json!({"window": {"workDoneProgress": true}}),
        Some(dir.path()),
        pairing_rules(),
    );
    c.wait_for(|m| m["method"] == "window/workDoneProgress/create");
    c.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin");
    wait_for_index_end(&mut c, "indexed 2 of 2");
    let text = std::fs::read_to_string(&producer).unwrap_or_else(|e| panic!("{e}"));
    c.open(&uri, &text);
    let p = c.diagnostics(&uri, |p| has_rule(p, "barrier-publication"));
    let d = find_rule(&p, "barrier-publication");
    let related = &d["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], consumer_uri.as_str(), "{d:#}");
    assert_eq!(related["range"]["start"]["line"], 5);
    // The fix edits the reader in the other file too.
    let other = action_edits(
        &json!({"edit": {"changes": d["data"]["fix"]["changes"].as_array().map(|l| {
            l.iter().map(|f| (f["uri"].as_str().unwrap_or("").to_owned(), f["edits"].clone())).collect::<serde_json::Map<_, _>>()
        })}}),
        &consumer_uri,
    );
    assert_eq!(other.len(), 1, "{d:#}");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn the_workspace_is_indexed_only_when_a_selected_rule_pairs_across_files() {
    let dir = cross_file_workspace();
    let mut c = Client::spawn();
    // The default rules: none of them reads other files, so nothing is indexed.
    c.initialize(
        json!({"window": {"workDoneProgress": true}}),
        Some(dir.path()),
        Value::Null,
    );
    c.wait_for(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("not indexed"))
    });
    assert!(
        !c.seen
            .iter()
            .any(|m| m["method"] == "window/workDoneProgress/create"),
        "no indexing progress without a pairing rule"
    );
    // Selecting the pairing rules in the editor starts the index, which finds the reader.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ordlint": pairing_rules()}}),
    );
    wait_for_index_end(&mut c, "indexed 2 of 2");
    let producer = dir.path().join("producer.c");
    let uri = file_uri(&producer);
    let text = std::fs::read_to_string(&producer).unwrap_or_else(|e| panic!("{e}"));
    c.open(&uri, &text);
    let p = c.diagnostics(&uri, |p| has_rule(p, "barrier-publication"));
    let related = &find_rule(&p, "barrier-publication")["relatedInformation"][0]["location"];
    assert_eq!(
        related["uri"],
        file_uri(&dir.path().join("consumer.c")).as_str()
    );
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn a_restarted_index_ends_the_progress_it_began() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // Enough files with a trigger that the first run is still going when it is restarted.
    for i in 0..600 {
        let text = format!(
            "struct fw_{i} {{\n\tvoid *image;\n\tbool ready;\n}};\n\nvoid fw_{i}_done(struct fw_{i} *f, void *image)\n{{\n\tf->image = image;\n\tbarrier();\n\tf->ready = true;\n}}\n"
        );
        std::fs::write(dir.path().join(format!("fw_{i}.c")), text)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let token = |run: u32| format!("ordlint/index/{run}");
    let progress = |m: &Value, run: u32, kind: &str| {
        m["method"] == "$/progress"
            && m["params"]["token"] == token(run).as_str()
            && m["params"]["value"]["kind"] == kind
    };
    let mut c = Client::spawn();
    c.initialize(
        json!({"window": {"workDoneProgress": true}}),
        Some(dir.path()),
        pairing_rules(),
    );
    c.wait_for(|m| progress(m, 1, "begin"));
    // Another pairing selection: the index is built again, and the first run's progress
    // is ended rather than left spinning in the editor.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ordlint": {"extendSelect": ["barrier-publication", "unordered-flag-read", "unpaired-write-barrier"]}}}),
    );
    let first = c.wait_for(|m| progress(m, 1, "end"));
    let second = c.wait_for(|m| progress(m, 2, "end"));
    assert!(
        second["params"]["value"]["message"]
            .as_str()
            .is_some_and(|s| s.contains("indexed 600 of 600")),
        "{first:#} {second:#}"
    );
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn a_burst_of_edits_publishes_only_the_newest_version() {
    let mut c = Client::spawn();
    c.initialize(json!({}), None, pairing_rules());
    let uri = "file:///nonexistent/burst.c";
    let text = lock_handoff();
    c.open(uri, &text);
    c.diagnostics(uri, |p| p["version"] == 1);
    for v in 2..=20 {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": format!("{text}\n/* {v} */\n")}]}),
        );
    }
    let last = c.diagnostics(uri, |p| p["version"] == 20);
    assert!(has_rule(&last, "barrier-publication"));
    // Nothing older than what was published last arrives afterwards.
    let late = c.try_wait_for(
        &|m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] != 20
        },
        Duration::from_millis(400),
    );
    assert!(late.is_none(), "{late:#?}");
    let versions: Vec<i64> = c
        .seen
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .filter_map(|m| m["params"]["version"].as_i64())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(versions.len() < 10, "the burst was debounced: {versions:?}");
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn suppression_actions_silence_the_rule_on_the_line_and_in_the_file() {
    let text = lock_handoff();
    for (which, expected) in [
        ("on this line", "\t\t/* ordlint: allow(barrier-publication) -- reason */\n\t\tw->lock_acquired = true;"),
        ("in this file", "// SPDX-License-Identifier: GPL-2.0\n/* ordlint: allow-file(barrier-publication) -- reason */\n"),
    ] {
        let mut c = Client::spawn();
        c.initialize(json!({"workspace": {"workspaceEdit": {"documentChanges": true}}}), None, pairing_rules());
        let uri = "file:///nonexistent/suppress.c";
        c.open(uri, &text);
        let p = c.diagnostics(uri, |p| has_rule(p, "barrier-publication"));
        let diag = find_rule(&p, "barrier-publication").clone();
        let resp = c.call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag]}}),
        );
        let title = format!("ordlint: suppress barrier-publication {which}");
        let action = resp["result"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["title"] == title.as_str()))
            .unwrap_or_else(|| panic!("no {title:?} in {resp:#}"))
            .clone();
        // Versioned edits: pinned to the version the diagnostic was computed for.
        assert_eq!(action["edit"]["documentChanges"][0]["textDocument"]["version"], 1);
        let edits = action_edits(&action, uri);
        let suppressed = apply_edits(&text, &edits);
        assert!(suppressed.contains(expected), "{suppressed}");
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": suppressed}]}),
        );
        let after = c.diagnostics(uri, |p| p["version"] == 2);
        assert_eq!(after["diagnostics"], json!([]), "{which}: {after:#}");
        assert_eq!(c.shutdown(), 0);
    }
}

#[test]
fn a_request_cancelled_as_it_is_sent_is_answered_request_cancelled() {
    let mut c = Client::spawn();
    c.initialize(json!({}), None, pairing_rules());
    let params = json!({"textDocument": {"uri": "file:///never/opened.c"},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": []}});
    // The request and its cancellation in one write: the server reads them as one batch and
    // answers the request with RequestCancelled instead of a result.
    c.send_together(&[
        json!({"jsonrpc": "2.0", "id": "first", "method": "textDocument/codeAction", "params": params}),
        json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": "first"}}),
    ]);
    let first = c.wait_for(|m| m["id"] == "first");
    assert_eq!(first["error"]["code"], -32800, "{first:#}");
    assert!(first.get("result").is_none(), "{first:#}");
    // A cancellation that comes after the answer changes nothing: no second response.
    let second = c.call("textDocument/codeAction", params);
    assert_eq!(second["result"], json!([]));
    let id = second["id"].clone();
    c.notify("$/cancelRequest", json!({"id": id}));
    let late = c.try_wait_for(&|m: &Value| m["id"] == id, Duration::from_millis(300));
    assert!(late.is_none(), "{late:#?}");
    assert_eq!(c.shutdown(), 0);
}

/// An empty directory marked as a repository root (where the search for ordlint.toml stops).
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(dir.path().join(".git")).unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[test]
fn ordlint_toml_applies_and_reloads_when_it_changes() {
    let dir = repository();
    let config = dir.path().join("ordlint.toml");
    let write = |text: &str| std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
    write("ignore = [\"barrier-publication\"]\n");
    let path = dir.path().join("src/lock_handoff.c");
    std::fs::create_dir(dir.path().join("src")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&path, lock_handoff()).unwrap_or_else(|e| panic!("{e}"));
    let uri = file_uri(&path);
    let mut c = Client::spawn();
    c.initialize(
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        Some(dir.path()),
        pairing_rules(),
    );
    let registration = c.wait_for(|m| m["method"] == "client/registerCapability");
    let globs = registration["params"]["registrations"][0]["registerOptions"]["watchers"].clone();
    assert!(
        globs
            .as_array()
            .is_some_and(|w| w.iter().any(|g| g["globPattern"] == "**/ordlint.toml")),
        "{globs:#}"
    );
    c.open(&uri, &lock_handoff());
    let p = c.diagnostics(&uri, |_| true);
    assert!(
        !has_rule(&p, "barrier-publication"),
        "ignored by ordlint.toml: {p:#}"
    );
    let changed = json!({"changes": [{"uri": file_uri(&config), "type": 2}]});

    // A broken file is reported with its line, and the last good version stays in force.
    write("ignore = [\"barrier-publication\"]\nselect = [\n");
    c.notify("workspace/didChangeWatchedFiles", changed.clone());
    let shown = c.wait_for(|m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1, "an error: {shown:#}");
    let message = shown["params"]["message"].as_str().unwrap_or("");
    assert!(message.contains("ordlint.toml:2:"), "{message}");
    assert!(message.contains("last good"), "{message}");
    c.drop_pending();
    let p = c.diagnostics(&uri, |_| true);
    assert!(!has_rule(&p, "barrier-publication"), "still ignored: {p:#}");

    // Fixed without the ignore: the diagnostic is back.
    write("# no ignores\n");
    c.notify("workspace/didChangeWatchedFiles", changed.clone());
    c.diagnostics(&uri, |p| has_rule(p, "barrier-publication"));

    // Deleted: no configuration, the defaults apply.
    write("ignore = [\"barrier-publication\"]\n");
    c.notify("workspace/didChangeWatchedFiles", changed.clone());
    c.diagnostics(&uri, |p| !has_rule(p, "barrier-publication"));
    std::fs::remove_file(&config).unwrap_or_else(|e| panic!("{e}"));
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&config), "type": 3}]}),
    );
    c.diagnostics(&uri, |p| has_rule(p, "barrier-publication"));
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn ordlint_toml_kernel_api_helpers_are_lowered_in_the_editor() {
    let dir = repository();
    let config = dir.path().join("ordlint.toml");
    let own = lock_handoff().replace("barrier();", "fw_compiler_barrier();");
    assert_ne!(own, lock_handoff());
    let uri = file_uri(&dir.path().join("handoff.c"));
    let mut c = Client::spawn();
    c.initialize(json!({}), Some(dir.path()), pairing_rules());
    c.open(&uri, &own);
    let p = c.diagnostics(&uri, |_| true);
    assert!(
        !has_rule(&p, "barrier-publication"),
        "unknown helper: {p:#}"
    );
    // The project names its compiler barrier: the same text is linted as with barrier().
    std::fs::write(
        &config,
        "[kernel-api]\ncompiler-barriers = [\"fw_compiler_barrier\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&config), "type": 1}]}),
    );
    c.diagnostics(&uri, |p| has_rule(p, "barrier-publication"));
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn ordlint_toml_overrides_and_exclude_follow_the_document_path() {
    let dir = repository();
    std::fs::write(
        dir.path().join("ordlint.toml"),
        "exclude = [\"gen/**\"]\n[[overrides]]\npaths = [\"arch/**\"]\nignore = [\"barrier-publication\"]\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut c = Client::spawn();
    c.initialize(json!({}), Some(dir.path()), pairing_rules());
    for (sub, fires) in [("kernel", true), ("arch/arm64", false), ("gen", false)] {
        let uri = file_uri(&dir.path().join(sub).join("handoff.c"));
        c.open(&uri, &lock_handoff());
        let p = c.diagnostics(&uri, |_| true);
        assert_eq!(has_rule(&p, "barrier-publication"), fires, "{sub}: {p:#}");
    }
    assert_eq!(c.shutdown(), 0);
}

#[test]
fn steady_typing_is_linted_while_it_lasts() {
    let mut c = Client::spawn();
    c.initialize(
        json!({}),
        None,
        json!({"debounceMs": 100, "extendSelect": ["barrier-publication"]}),
    );
    let uri = "file:///nonexistent/typing.c";
    let text = lock_handoff();
    c.open(uri, &text);
    c.diagnostics(uri, |p| p["version"] == 1);
    // A keystroke every 30 ms for 1.5 s, never quiet for the debounce interval.
    let last = 51;
    for v in 2..=last {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [
                {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                 "text": " "}
            ]}),
        );
        std::thread::sleep(Duration::from_millis(30));
    }
    let final_publish = c.diagnostics(uri, |p| p["version"] == last);
    assert!(has_rule(&final_publish, "barrier-publication"));
    let during: Vec<i64> = c
        .seen
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .filter_map(|m| m["params"]["version"].as_i64())
        .filter(|v| (2..last).contains(v))
        .collect();
    // About one lint per 100 ms; the first edit is linted at once.
    assert!(during.len() >= 2, "diagnostics while typing: {during:?}");
    assert!(during.len() < 40, "the edits were coalesced: {during:?}");
    assert_eq!(c.shutdown(), 0);
}
