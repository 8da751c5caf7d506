//! The ordering IR: for each function, the memory events (fences, marked and plain accesses,
//! atomics, per-CPU ops, locks, wake-ups, calls, comments) in source order, with the scopes
//! (loops, conditions, branches) they sit in.
//!
//! Invariants: no syntax-tree type appears here (events carry byte spans and source text, not
//! nodes); both frontends (C and Rust) lower into these types, so a rule written against them
//! works for both languages where the meaning is the same.

mod event;
mod function;
mod shift;

pub use event::*;
pub use function::*;

use ordlint_diagnostics::Span;
use serde::{Deserialize, Serialize};

/// Source language of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// C, in Linux-kernel style.
    C,
    /// Rust.
    Rust,
}

impl Language {
    /// Lowercase name ("c", "rust").
    pub fn as_str(self) -> &'static str {
        match self {
            Language::C => "c",
            Language::Rust => "rust",
        }
    }

    /// The language a path's extension implies, if ordlint lints it.
    pub fn from_path(path: &str) -> Option<Language> {
        let ext = path.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "c" | "h" => Some(Language::C),
            "rs" => Some(Language::Rust),
            _ => None,
        }
    }
}

/// Something a frontend could not understand. Lowering never fails: it reports problems and
/// goes on with the rest of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Where the trouble is.
    pub span: Span,
    /// What went wrong, lowercase, no trailing period.
    pub message: String,
    /// True when the whole file could not be lowered (nothing in it was linted).
    pub fatal: bool,
}

/// The lowered form of one source file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileIr {
    /// Functions (C function definitions, Rust fns, methods and closures' parents) in source
    /// order.
    pub functions: Vec<Function>,
    /// Declarations outside functions that rules care about (e.g. `__rcu` or `volatile`
    /// struct fields and globals).
    pub declarations: Vec<Declaration>,
    /// Comments outside any function (e.g. a file-level suppression); comments inside a
    /// function are `Comment` events.
    pub comments: Vec<CommentText>,
    /// What the frontend could not lower.
    pub problems: Vec<Problem>,
    /// Names of the functions the file defines or declares at file scope, and of the
    /// function-like macros it defines, sorted: all of them, also where only slices of the file
    /// were lowered (C: from a token pass over the whole file). Empty for Rust, whose lowered
    /// `functions` are the whole file.
    #[serde(default)]
    pub defined_names: Vec<String>,
}

/// A comment and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentText {
    /// Byte range of the whole comment, delimiters included.
    pub span: Span,
    /// The comment's text, delimiters included.
    pub text: String,
}

/// A declaration whose qualifiers matter to rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    /// Field or variable name.
    pub name: String,
    /// Struct that declares the field; `None` for a global or static.
    pub owner: Option<String>,
    /// The declaration's span.
    pub span: Span,
    /// Qualifiers/annotations seen on it.
    pub qualifiers: Qualifiers,
}

/// Qualifiers of a declaration that ordlint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Qualifiers {
    /// Declared `__rcu` (an RCU-protected pointer).
    pub rcu: bool,
    /// Declared `volatile`.
    pub volatile: bool,
    /// Declared `__percpu` or `DEFINE_PER_CPU`.
    pub percpu: bool,
    /// Declared `static` inside a function, or at file scope.
    pub is_static: bool,
}
