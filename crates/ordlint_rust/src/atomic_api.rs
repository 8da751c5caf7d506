//! The one table of Rust names the frontend recognises: atomic methods and where their
//! ordering arguments sit, fences, volatile accessors, plain raw-pointer accessors, functions
//! that free or drop, kernel-style barrier calls, and the module paths that export an atomic
//! `Ordering`.
//!
//! Everything here is data plus small lookups; the lowering in `lower.rs` decides when a name
//! applies (an atomic method only counts when its ordering argument resolves to
//! `atomic::Ordering`).

use ordlint_ir::{AtomicOrdering, FenceKind, RmwOp};

/// What an atomic method does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtomicOpKind {
    /// `load(ord)`: an atomic read.
    Load,
    /// `store(v, ord)`: an atomic write; the value is argument 0.
    Store,
    /// A read-modify-write of the given family.
    Rmw {
        /// Family of the operation.
        op: RmwOp,
        /// Whether the method returns the previous value (all `fetch_*`, `swap`,
        /// `compare_exchange*`); `false` for portable-atomic's `add`/`sub`/… which return `()`.
        returns_value: bool,
    },
}

/// One atomic method: its name, what it does, how many arguments it takes and which of them
/// are orderings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AtomicMethod {
    /// Method name as written (`fetch_sub`).
    pub name: &'static str,
    /// What it does.
    pub kind: AtomicOpKind,
    /// Exact number of arguments (receiver excluded).
    pub arity: usize,
    /// Index of the (success) ordering argument.
    pub ordering_arg: usize,
    /// Index of the failure ordering argument, for compare-exchange style methods.
    pub failure_arg: Option<usize>,
    /// Index of the bit-number argument, for portable-atomic's `bit_set`/`bit_clear`/`bit_toggle`.
    pub bit_arg: Option<usize>,
}

const fn rmw(name: &'static str, op: RmwOp, arity: usize, ordering_arg: usize) -> AtomicMethod {
    AtomicMethod {
        name,
        kind: AtomicOpKind::Rmw {
            op,
            returns_value: true,
        },
        arity,
        ordering_arg,
        failure_arg: None,
        bit_arg: None,
    }
}

const fn void_rmw(
    name: &'static str,
    op: RmwOp,
    arity: usize,
    ordering_arg: usize,
) -> AtomicMethod {
    AtomicMethod {
        name,
        kind: AtomicOpKind::Rmw {
            op,
            returns_value: false,
        },
        arity,
        ordering_arg,
        failure_arg: None,
        bit_arg: None,
    }
}

const fn cas(
    name: &'static str,
    arity: usize,
    ordering_arg: usize,
    failure_arg: Option<usize>,
) -> AtomicMethod {
    AtomicMethod {
        name,
        kind: AtomicOpKind::Rmw {
            op: RmwOp::CompareExchange,
            returns_value: true,
        },
        arity,
        ordering_arg,
        failure_arg,
        bit_arg: None,
    }
}

const fn bit(name: &'static str, op: RmwOp) -> AtomicMethod {
    AtomicMethod {
        name,
        kind: AtomicOpKind::Rmw {
            op,
            returns_value: true,
        },
        arity: 2,
        ordering_arg: 1,
        failure_arg: None,
        bit_arg: Some(0),
    }
}

/// Atomic methods of `std`/`core` atomics (`AtomicBool`, `AtomicUsize`, `AtomicPtr`, …), plus
/// the extra ones of `portable_atomic` and `loom` that take an ordering.
pub const ATOMIC_METHODS: &[AtomicMethod] = &[
    AtomicMethod {
        name: "load",
        kind: AtomicOpKind::Load,
        arity: 1,
        ordering_arg: 0,
        failure_arg: None,
        bit_arg: None,
    },
    AtomicMethod {
        name: "store",
        kind: AtomicOpKind::Store,
        arity: 2,
        ordering_arg: 1,
        failure_arg: None,
        bit_arg: None,
    },
    rmw("swap", RmwOp::Exchange, 2, 1),
    cas("compare_exchange", 4, 2, Some(3)),
    cas("compare_exchange_weak", 4, 2, Some(3)),
    cas("compare_and_swap", 3, 2, None),
    cas("fetch_update", 3, 0, Some(1)),
    cas("update", 3, 0, Some(1)),
    cas("try_update", 3, 0, Some(1)),
    rmw("fetch_add", RmwOp::Arith, 2, 1),
    rmw("fetch_sub", RmwOp::Arith, 2, 1),
    rmw("fetch_and", RmwOp::Arith, 2, 1),
    rmw("fetch_or", RmwOp::Arith, 2, 1),
    rmw("fetch_xor", RmwOp::Arith, 2, 1),
    rmw("fetch_nand", RmwOp::Arith, 2, 1),
    rmw("fetch_max", RmwOp::Arith, 2, 1),
    rmw("fetch_min", RmwOp::Arith, 2, 1),
    rmw("fetch_byte_add", RmwOp::Arith, 2, 1),
    rmw("fetch_byte_sub", RmwOp::Arith, 2, 1),
    rmw("fetch_ptr_add", RmwOp::Arith, 2, 1),
    rmw("fetch_ptr_sub", RmwOp::Arith, 2, 1),
    rmw("fetch_not", RmwOp::Arith, 1, 0),
    rmw("fetch_neg", RmwOp::Arith, 1, 0),
    void_rmw("add", RmwOp::Arith, 2, 1),
    void_rmw("sub", RmwOp::Arith, 2, 1),
    void_rmw("and", RmwOp::Arith, 2, 1),
    void_rmw("or", RmwOp::Arith, 2, 1),
    void_rmw("xor", RmwOp::Arith, 2, 1),
    void_rmw("not", RmwOp::Arith, 1, 0),
    void_rmw("neg", RmwOp::Arith, 1, 0),
    bit("bit_set", RmwOp::SetBit),
    bit("bit_clear", RmwOp::ClearBit),
    bit("bit_toggle", RmwOp::ChangeBit),
];

/// The atomic method called `name` taking `arity` arguments, if any.
pub fn atomic_method(name: &str, arity: usize) -> Option<&'static AtomicMethod> {
    ATOMIC_METHODS
        .iter()
        .find(|m| m.name == name && m.arity == arity)
}

/// The variant names of `atomic::Ordering`, with their meaning. None of them is a variant of
/// `cmp::Ordering`, so a variant name alone identifies an atomic ordering.
pub const ORDERING_VARIANTS: &[(&str, AtomicOrdering)] = &[
    ("Relaxed", AtomicOrdering::Relaxed),
    ("Acquire", AtomicOrdering::Acquire),
    ("Release", AtomicOrdering::Release),
    ("AcqRel", AtomicOrdering::AcqRel),
    ("SeqCst", AtomicOrdering::SeqCst),
];

/// The variant names of `cmp::Ordering`: never an atomic ordering.
pub const CMP_ORDERING_VARIANTS: &[&str] = &["Less", "Equal", "Greater"];

/// The atomic ordering a variant name denotes (`"Acquire"` → `Acquire`).
pub fn ordering_variant(name: &str) -> Option<AtomicOrdering> {
    ORDERING_VARIANTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, o)| *o)
}

/// Crates whose root module exports an atomic `Ordering` directly (`portable_atomic::Ordering`).
pub const ATOMIC_ROOT_CRATES: &[&str] = &["portable_atomic", "atomic", "atomic_float"];

/// True when the module path `segments` (the path without its final `Ordering`) exports the
/// atomic `Ordering`: any module whose last segment is `atomic` (`std::sync::atomic`,
/// `core::sync::atomic`, `loom::sync::atomic`, `crossbeam_utils::atomic`, `crate::sync::atomic`)
/// or one of [`ATOMIC_ROOT_CRATES`].
pub fn is_atomic_module(segments: &[String]) -> bool {
    match segments {
        [] => false,
        [only] => only == "atomic" || ATOMIC_ROOT_CRATES.contains(&only.as_str()),
        [.., last] => last == "atomic",
    }
}

/// True when the module path `segments` exports `cmp::Ordering` (`std::cmp`, `core::cmp`, `cmp`).
pub fn is_cmp_module(segments: &[String]) -> bool {
    segments.last().is_some_and(|s| s == "cmp")
}

/// The fence a `fence(ord)` with a resolved ordering performs; `None` for `Relaxed` (which
/// panics at run time and orders nothing).
pub fn fence_kind_for(ordering: AtomicOrdering) -> Option<FenceKind> {
    match ordering {
        AtomicOrdering::Relaxed => None,
        AtomicOrdering::Acquire => Some(FenceKind::Acquire),
        AtomicOrdering::Release => Some(FenceKind::Release),
        AtomicOrdering::AcqRel => Some(FenceKind::AcqRel),
        AtomicOrdering::SeqCst => Some(FenceKind::Full),
    }
}

/// Function name of the CPU fence (`std::sync::atomic::fence`).
pub const FENCE: &str = "fence";

/// Function name of the compiler-only fence (`std::sync::atomic::compiler_fence`).
pub const COMPILER_FENCE: &str = "compiler_fence";

/// Kernel-Rust-style barrier functions or macros taking no argument, with the fence they are.
pub const KERNEL_BARRIERS: &[(&str, FenceKind)] = &[
    ("barrier", FenceKind::Compiler),
    ("smp_mb", FenceKind::Full),
    ("smp_rmb", FenceKind::Read),
    ("smp_wmb", FenceKind::Write),
    ("mb", FenceKind::DeviceFull),
    ("rmb", FenceKind::DeviceRead),
    ("wmb", FenceKind::DeviceWrite),
    ("dma_rmb", FenceKind::DmaRead),
    ("dma_wmb", FenceKind::DmaWrite),
    ("smp_mb__before_atomic", FenceKind::BeforeAtomic),
    ("smp_mb__after_atomic", FenceKind::AfterAtomic),
    ("smp_mb__after_spinlock", FenceKind::AfterSpinlock),
    ("smp_mb__after_unlock_lock", FenceKind::AfterUnlockLock),
];

/// The fence a kernel-style barrier name denotes.
pub fn kernel_barrier(name: &str) -> Option<FenceKind> {
    KERNEL_BARRIERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, k)| *k)
}

/// Free functions reading through a pointer with volatile semantics (`ptr::read_volatile(p)`).
pub const VOLATILE_READ_FNS: &[&str] = &["read_volatile"];

/// Free functions writing through a pointer with volatile semantics (`ptr::write_volatile(p, v)`).
pub const VOLATILE_WRITE_FNS: &[&str] = &["write_volatile"];

/// Method forms: `p.read_volatile()` (0 arguments) and `p.write_volatile(v)` (1 argument).
pub const VOLATILE_READ_METHOD: &str = "read_volatile";

/// See [`VOLATILE_READ_METHOD`].
pub const VOLATILE_WRITE_METHOD: &str = "write_volatile";

/// Free functions doing a plain (non-atomic, non-volatile) read through a raw pointer, called
/// through a `ptr` path (`ptr::read(p)`, `core::ptr::read_unaligned(p)`).
pub const PTR_READ_FNS: &[&str] = &["read", "read_unaligned"];

/// Free functions doing a plain write through a raw pointer (`ptr::write(p, v)`).
pub const PTR_WRITE_FNS: &[&str] = &["write", "write_unaligned", "write_bytes"];

/// Calls that free or drop memory, as (path suffix as written, canonical `Call` name). A call
/// whose path ends with the suffix (after `std::`/`core::`/`alloc::` prefixes) gets the
/// canonical name, so rules match one spelling.
pub const FREE_FNS: &[(&[&str], &str)] = &[
    (&["drop"], "drop"),
    (&["mem", "drop"], "drop"),
    (&["Box", "from_raw"], "Box::from_raw"),
    (&["Arc", "from_raw"], "Arc::from_raw"),
    (&["Rc", "from_raw"], "Rc::from_raw"),
    (
        &["Arc", "decrement_strong_count"],
        "Arc::decrement_strong_count",
    ),
    (&["drop_in_place"], "ptr::drop_in_place"),
    (&["ptr", "drop_in_place"], "ptr::drop_in_place"),
    (&["dealloc"], "dealloc"),
    (&["alloc", "dealloc"], "dealloc"),
    (&["Global", "deallocate"], "dealloc"),
    (&["free"], "free"),
    (&["libc", "free"], "free"),
    (&["kfree"], "kfree"),
    (&["bindings", "kfree"], "kfree"),
];

/// The canonical name of a free/drop call whose path segments are `segments`, if it is one.
pub fn free_fn(segments: &[String]) -> Option<&'static str> {
    FREE_FNS
        .iter()
        .filter(|(suffix, _)| {
            segments.len() >= suffix.len()
                && segments[segments.len() - suffix.len()..]
                    .iter()
                    .zip(suffix.iter())
                    .all(|(a, b)| a == b)
        })
        .max_by_key(|(suffix, _)| suffix.len())
        .map(|(_, name)| *name)
}

/// Type-name prefix of the atomic types (`AtomicUsize`, `AtomicPtr`, `AtomicBool`, …); a
/// `let x = AtomicX::new(..)` local starts with it.
pub const ATOMIC_TYPE_PREFIX: &str = "Atomic";

/// Methods that turn a cell or a place into the raw pointer or reference they wrap; a field
/// behind them still names the field (`*self.slot.get() = v` writes field `slot`).
pub const CELL_POINTER_METHODS: &[&str] = &[
    "get",
    "get_mut",
    "as_ptr",
    "as_mut_ptr",
    "as_mut",
    "as_ref",
    "raw_get",
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn segs(s: &str) -> Vec<String> {
        s.split("::").map(str::to_owned).collect()
    }

    #[test]
    fn atomic_methods_are_found_by_name_and_arity() {
        assert_eq!(
            atomic_method("load", 1).map(|m| m.kind),
            Some(AtomicOpKind::Load)
        );
        assert!(atomic_method("load", 2).is_none());
        let cas = atomic_method("compare_exchange", 4);
        assert_eq!(cas.and_then(|m| m.failure_arg), Some(3));
    }

    #[test]
    fn atomic_and_cmp_modules_are_told_apart() {
        assert!(is_atomic_module(&segs("std::sync::atomic")));
        assert!(is_atomic_module(&segs("portable_atomic")));
        assert!(is_atomic_module(&segs("loom::sync::atomic")));
        assert!(!is_atomic_module(&segs("std::cmp")));
        assert!(is_cmp_module(&segs("core::cmp")));
    }

    #[test]
    fn free_calls_get_canonical_names() {
        assert_eq!(free_fn(&segs("std::mem::drop")), Some("drop"));
        assert_eq!(free_fn(&segs("Box::from_raw")), Some("Box::from_raw"));
        assert_eq!(
            free_fn(&segs("core::ptr::drop_in_place")),
            Some("ptr::drop_in_place")
        );
        assert_eq!(free_fn(&segs("Box::new")), None);
    }
}
