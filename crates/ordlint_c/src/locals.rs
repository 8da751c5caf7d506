//! Block-scoped table of a function's parameters and local variables, with what the lowering
//! needs to know to decide whether an access can be shared: pointer or not, array or not,
//! `static`, and whether a pointer came from `this_cpu_ptr`/`per_cpu_ptr`.

/// What is known about one local name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct LocalInfo {
    /// Declared with a `*` (or as a function parameter of array type, which decays).
    pub pointer: bool,
    /// Declared as an array (`int buf[16]`).
    pub array: bool,
    /// Declared `static` inside the function: behaves like a global.
    pub is_static: bool,
    /// A pointer assigned from `this_cpu_ptr(…)` / `per_cpu_ptr(…)`: points to per-CPU data.
    pub percpu_ptr: bool,
}

/// The locals in scope, innermost last.
#[derive(Debug, Default)]
pub(crate) struct Locals {
    names: Vec<(String, LocalInfo)>,
}

impl Locals {
    /// Declare `name` in the current block.
    pub fn declare(&mut self, name: &str, info: LocalInfo) {
        self.names.push((name.to_owned(), info));
    }

    /// The innermost declaration of `name`.
    pub fn get(&self, name: &str) -> Option<LocalInfo> {
        self.names
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, i)| *i)
    }

    /// Mark the innermost `name` as pointing to per-CPU data.
    pub fn mark_percpu_ptr(&mut self, name: &str) {
        if let Some((_, info)) = self.names.iter_mut().rev().find(|(n, _)| n == name) {
            info.percpu_ptr = true;
        }
    }

    /// A marker for the current block; [`Locals::leave`] drops what was declared after it.
    pub fn enter(&self) -> usize {
        self.names.len()
    }

    /// Leave a block entered at `mark`.
    pub fn leave(&mut self, mark: usize) {
        self.names.truncate(mark);
    }
}
