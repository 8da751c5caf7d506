//! `cargo run -p ordlint_book`: regenerate the book's rule reference from the rule pages and
//! the registry, then report what still needs a human (pages without rules and the reverse).

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let changed = match ordlint_book::write(&root) {
        Ok(changed) => changed,
        Err(e) => {
            eprintln!("ordlint_book: error: {e}");
            return ExitCode::from(2);
        }
    };
    for path in &changed {
        println!("wrote {path}");
    }
    if changed.is_empty() {
        println!("book rule reference is up to date");
    }
    match ordlint_book::check(&root) {
        Ok(problems) if problems.is_empty() => ExitCode::SUCCESS,
        Ok(problems) => {
            for p in problems {
                eprintln!("ordlint_book: {p}");
            }
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("ordlint_book: error: {e}");
            ExitCode::from(2)
        }
    }
}
