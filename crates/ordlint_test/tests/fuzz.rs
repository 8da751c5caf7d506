//! Mutation fuzzing of lint and fix on every fixture and snippet (see `ordlint_test::fuzz`).
//!
//! The normal suite runs a short, fixed budget with a fixed seed, so it is deterministic;
//! `scripts/fuzz.sh` runs the same test with a long budget and a fresh seed, and prints the
//! seed and index of every failing input so that it can be replayed here.

use ordlint_test::fuzz::{corpus, fuzz, Settings};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from("../.."))
}

/// Seed of the normal suite.
const SEED: u64 = 0x0D1_1A7;

/// Inputs of the normal suite: the corpus once unmutated, then mutants (a few seconds).
const ITERATIONS: u64 = 400;

#[test]
fn mutated_fixtures_never_panic_hang_or_point_outside_their_file() {
    let corpus = corpus(&root());
    assert!(corpus.len() >= 60, "the corpus has every fixture case");
    // A debug build on a loaded 2-core machine is several times slower than the release
    // build that scripts/fuzz.sh uses with its 2 s deadline.
    let settings = Settings::from_env(SEED, ITERATIONS, Duration::from_secs(10));
    let report = fuzz(&corpus, &settings);
    eprintln!("fuzz: seed {}: {report}", settings.seed);
    let failures: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
