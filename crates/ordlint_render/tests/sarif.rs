//! `--format sarif` against the official SARIF 2.1.0 schema (tests/data, see its README), and
//! by content: rule table, indices, locations, related locations and fixes.

use ordlint_diagnostics::{
    rule_url, Diagnostic, Edit, Fix, FixAvailability, LineIndex, Location, Related, RuleInfo,
    Severity, Span, Tier,
};
use ordlint_render::{sarif, sarif_value};
use serde_json::Value;

const WRITER: &str =
    "void publish(struct w *w)\n{\n\tw->data = 1;\n\tbarrier();\n\tw->ready = 1;\n}\n";
const READER: &str =
    "int poll(struct w *w)\n{\n\twhile (!w->ready)\n\t\tcpu_relax();\n\treturn w->data;\n}\n";

fn loc(path: &str, text: &str, needle: &str) -> Location {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {path}"));
    Location::new(
        path,
        Span::new(start, start + needle.len()),
        &LineIndex::new(text),
    )
}

fn info(name: &str, severity: Severity, fix: FixAvailability) -> RuleInfo {
    RuleInfo {
        name: name.to_owned(),
        summary: format!("Flags the {name} smell."),
        tier: Tier::Default,
        default_severity: severity,
        languages: vec!["c".to_owned()],
        fix,
        url: rule_url(name),
    }
}

/// Two rules over two files (one with a space and a percent sign in its name), a fix editing
/// both files, and an internal error whose rule is not in the table.
fn diagnostics() -> Vec<Diagnostic> {
    let writer = "drivers/net/writer.c";
    let reader = "drivers/net/read er%.c";
    vec![
        Diagnostic {
            rule: "barrier-publication".to_owned(),
            severity: Severity::Warning,
            message: "plain store to `w->ready` publishes earlier writes without release ordering"
                .to_owned(),
            location: loc(writer, WRITER, "w->ready = 1"),
            help: Some("use `smp_store_release(&w->ready, 1)`".to_owned()),
            fix: Some(Fix::unsafe_edits(
                "use smp_store_release() and smp_load_acquire()",
                vec![
                    Edit {
                        location: loc(reader, READER, "w->ready"),
                        replacement: "smp_load_acquire(&w->ready)".to_owned(),
                    },
                    Edit {
                        location: loc(writer, WRITER, "barrier();\n\tw->ready = 1;"),
                        replacement: "smp_store_release(&w->ready, 1);".to_owned(),
                    },
                ],
            )),
            related: vec![Related {
                location: loc(reader, READER, "w->ready"),
                message: "reader polls `w->ready` without acquire".to_owned(),
            }],
        },
        Diagnostic {
            rule: "unordered-flag-read".to_owned(),
            severity: Severity::Info,
            message: "plain read of `w->ready` orders nothing".to_owned(),
            location: loc(reader, READER, "w->ready"),
            help: None,
            fix: None,
            related: Vec::new(),
        },
        Diagnostic {
            rule: "internal-error".to_owned(),
            severity: Severity::Error,
            message: "internal error while linting x.c (rule): boom".to_owned(),
            location: loc("x.c", "", ""),
            help: None,
            fix: None,
            related: Vec::new(),
        },
    ]
}

fn rules() -> Vec<RuleInfo> {
    vec![
        info(
            "barrier-publication",
            Severity::Warning,
            FixAvailability::Sometimes,
        ),
        info(
            "unordered-flag-read",
            Severity::Info,
            FixAvailability::Never,
        ),
    ]
}

/// Validate `log` against the vendored official schema, formats included.
fn assert_valid_sarif(log: &Value) {
    let schema_text = include_str!("data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(schema_text).unwrap_or_else(|e| panic!("{e}"));
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

#[test]
fn multi_rule_multi_file_log_is_valid_sarif() {
    let text = sarif(&diagnostics(), &rules());
    let log: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_valid_sarif(&log);
}

#[test]
fn empty_run_is_valid_sarif_with_the_rule_table() {
    let log = sarif_value(&[], &rules());
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn schema_rejects_a_broken_log() {
    // The validator is live: a result without a message fails.
    let mut log = sarif_value(&diagnostics(), &rules());
    if let Some(r) = log["runs"][0]["results"][0].as_object_mut() {
        r.remove("message");
    }
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let validator = jsonschema::draft4::new(&schema).unwrap_or_else(|e| panic!("{e}"));
    assert!(!validator.is_valid(&log));
}

#[test]
fn driver_lists_rules_with_descriptions_links_and_levels() {
    let log = sarif_value(&diagnostics(), &rules());
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "ordlint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        driver["informationUri"],
        "https://ordlint.github.io/ordlint/"
    );
    let ids: Vec<&str> = driver["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "barrier-publication",
            "unordered-flag-read",
            "internal-error"
        ]
    );
    let bp = &driver["rules"][0];
    assert_eq!(bp["name"], "barrier-publication");
    assert_eq!(
        bp["helpUri"],
        "https://ordlint.github.io/ordlint/rules/barrier-publication.html"
    );
    assert_eq!(
        bp["shortDescription"]["text"],
        "Flags the barrier-publication smell."
    );
    assert!(bp["fullDescription"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("Languages: c")));
    assert_eq!(bp["defaultConfiguration"]["level"], "warning");
    assert_eq!(driver["rules"][1]["defaultConfiguration"]["level"], "note");
    assert_eq!(driver["rules"][2]["defaultConfiguration"]["level"], "error");
}

#[test]
fn results_carry_rule_index_level_locations_related_and_fixes() {
    let log = sarif_value(&diagnostics(), &rules());
    let results = &log["runs"][0]["results"];
    let first = &results[0];
    assert_eq!(first["ruleId"], "barrier-publication");
    assert_eq!(first["ruleIndex"], 0);
    assert_eq!(first["level"], "warning");
    assert_eq!(
        first["message"]["text"],
        "plain store to `w->ready` publishes earlier writes without release ordering\nhelp: use `smp_store_release(&w->ready, 1)`"
    );
    let phys = &first["locations"][0]["physicalLocation"];
    assert_eq!(phys["artifactLocation"]["uri"], "drivers/net/writer.c");
    assert_eq!(phys["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        phys["region"],
        serde_json::json!({"startLine": 5, "startColumn": 2, "endLine": 5, "endColumn": 14})
    );

    let related = &first["relatedLocations"][0];
    assert_eq!(related["id"], 0);
    assert_eq!(
        related["message"]["text"],
        "reader polls `w->ready` without acquire"
    );
    let rphys = &related["physicalLocation"];
    assert_eq!(
        rphys["artifactLocation"]["uri"],
        "drivers/net/read%20er%25.c"
    );
    assert_eq!(rphys["region"]["startLine"], 3);
    assert_eq!(rphys["region"]["startColumn"], 10);

    let fix = &first["fixes"][0];
    assert_eq!(
        fix["description"]["text"],
        "use smp_store_release() and smp_load_acquire()"
    );
    assert_eq!(fix["properties"]["applicability"], "unsafe");
    let changes = fix["artifactChanges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(changes.len(), 2, "one change per file");
    let writer_change = changes
        .iter()
        .find(|c| c["artifactLocation"]["uri"] == "drivers/net/writer.c")
        .unwrap_or_else(|| panic!("no change for the writer: {changes:?}"));
    let rep = &writer_change["replacements"][0];
    assert_eq!(
        rep["deletedRegion"],
        serde_json::json!({"startLine": 4, "startColumn": 2, "endLine": 5, "endColumn": 15})
    );
    assert_eq!(
        rep["insertedContent"]["text"],
        "smp_store_release(&w->ready, 1);"
    );

    let second = &results[1];
    assert_eq!(second["ruleId"], "unordered-flag-read");
    assert_eq!(second["ruleIndex"], 1);
    assert_eq!(second["level"], "note");
    assert!(second.get("relatedLocations").is_none());
    assert!(second.get("fixes").is_none());

    let third = &results[2];
    assert_eq!(third["ruleId"], "internal-error");
    assert_eq!(third["ruleIndex"], 2);
    assert_eq!(third["level"], "error");
}
