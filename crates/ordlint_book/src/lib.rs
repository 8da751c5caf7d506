//! Rule pages for readers. `rules/<name>.md` is written for two audiences at once: the
//! fixture harness, which runs its `## Example` and `## Use instead` blocks (with `//~`
//! expectation markers), and people. This crate turns a page into what people read: the
//! book's rule reference (`book/src/rules/*.md`, generated from the pages and the registry,
//! see [`reference`](mod@reference)) and the terminal view of `ordlint rule NAME` (see [`terminal`]).
//!
//! Invariants: the generated reference is a pure function of the registry, the pages and the
//! book's `SUMMARY.md`; nothing under `book/src/rules/` is edited by hand, and a test fails
//! (naming the command that regenerates it) when the files on disk differ from what this
//! crate would write. Rendering never fails on any page text; only file I/O returns errors.

pub mod markers;
pub mod reference;
pub mod terminal;

pub use reference::{check, write, BookError, Problem};

/// The command that regenerates the book's rule reference, quoted in every staleness message.
pub const REGENERATE: &str = "cargo run -p ordlint_book";

/// The same, as a test run (what CI runs, with the env var set to write instead of compare).
pub const REGENERATE_VIA_TEST: &str = "ORDLINT_BLESS=1 cargo test -p ordlint_book";
