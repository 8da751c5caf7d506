//! Memory events: what a function does to memory, in a form both frontends produce.

use ordlint_diagnostics::Span;
use serde::{Deserialize, Serialize};

/// Index of a [`crate::Scope`] in its function's scope list.
pub type ScopeId = u32;

/// One memory-relevant thing a function does, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// What happens.
    pub kind: EventKind,
    /// The expression that does it (e.g. the call `barrier()` or the assignment
    /// `w->lock_acquired = true`), without a trailing `;`.
    pub span: Span,
    /// The innermost statement containing the event, with its `;` (what a fix deletes when it
    /// removes the event).
    pub stmt: Span,
    /// The innermost scope the event sits in.
    pub scope: ScopeId,
}

/// The kinds of events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// A barrier or fence.
    Fence(Fence),
    /// A write to memory.
    Store(Access),
    /// A read of memory.
    Load(Access),
    /// An atomic read-modify-write (atomic_inc, cmpxchg, test_and_set_bit, fetch_sub, …).
    Rmw(Rmw),
    /// A per-CPU operation (this_cpu_*, __this_cpu_*, raw_cpu_*, per_cpu_ptr, …).
    PerCpu(PerCpu),
    /// Taking a lock or entering a protected region (spin_lock, rcu_read_lock,
    /// local_irq_disable, preempt_disable, …).
    Lock(LockOp),
    /// Leaving such a region.
    Unlock(LockOp),
    /// Waking or checking for sleepers (wake_up, waitqueue_active, wake_up_bit, complete, …).
    Wake(Wake),
    /// Sleeping until a condition (wait_event, wait_for_completion, schedule, …).
    Wait(Wait),
    /// Any other call.
    Call(Call),
    /// A comment inside the function (many rules read them).
    Comment(Comment),
    /// `return`.
    Return,
    /// `goto label`.
    Goto(String),
    /// `label:`.
    Label(String),
}

/// A barrier or fence and the API that spelt it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fence {
    /// What it orders.
    pub kind: FenceKind,
    /// The API name as written (`barrier`, `smp_wmb`, `fence`, `compiler_fence`, …).
    pub api: String,
}

/// What a fence orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FenceKind {
    /// Compiler-only barrier (`barrier()`, `compiler_fence`): no CPU ordering at all.
    Compiler,
    /// Full SMP barrier (`smp_mb`, `fence(SeqCst)`).
    Full,
    /// Orders loads against loads (`smp_rmb`).
    Read,
    /// Orders stores against stores (`smp_wmb`).
    Write,
    /// Acquire fence (`fence(Acquire)`, `smp_acquire__after_ctrl_dep`).
    Acquire,
    /// Release fence (`fence(Release)`).
    Release,
    /// Acquire + release fence (`fence(AcqRel)`).
    AcqRel,
    /// Mandatory full barrier, also for devices (`mb`).
    DeviceFull,
    /// Mandatory read barrier (`rmb`).
    DeviceRead,
    /// Mandatory write barrier (`wmb`).
    DeviceWrite,
    /// DMA-coherent memory read barrier (`dma_rmb`).
    DmaRead,
    /// DMA-coherent memory write barrier (`dma_wmb`).
    DmaWrite,
    /// `smp_mb__before_atomic()`.
    BeforeAtomic,
    /// `smp_mb__after_atomic()`.
    AfterAtomic,
    /// `smp_mb__after_spinlock()`.
    AfterSpinlock,
    /// `smp_mb__after_unlock_lock()`.
    AfterUnlockLock,
}

impl FenceKind {
    /// True for fences that order stores before it against stores after it across CPUs.
    pub fn orders_store_store(self) -> bool {
        !matches!(
            self,
            FenceKind::Compiler
                | FenceKind::Read
                | FenceKind::Acquire
                | FenceKind::DmaRead
                | FenceKind::DeviceRead
        )
    }

    /// True for fences that order loads before it against loads after it across CPUs.
    pub fn orders_load_load(self) -> bool {
        !matches!(
            self,
            FenceKind::Compiler
                | FenceKind::Write
                | FenceKind::Release
                | FenceKind::DmaWrite
                | FenceKind::DeviceWrite
        )
    }

    /// True for a full (store→load ordering) barrier.
    pub fn is_full(self) -> bool {
        matches!(
            self,
            FenceKind::Full
                | FenceKind::DeviceFull
                | FenceKind::AfterSpinlock
                | FenceKind::AfterUnlockLock
                | FenceKind::BeforeAtomic
                | FenceKind::AfterAtomic
        )
    }
}

/// How an access is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mark {
    /// A plain C access or a plain Rust place expression: a data race if shared.
    Plain,
    /// `READ_ONCE` / `WRITE_ONCE`: no tearing, no ordering.
    Once,
    /// `smp_store_release`, `rcu_assign_pointer`, `atomic_set_release`.
    Release,
    /// `smp_load_acquire`, `atomic_read_acquire`.
    Acquire,
    /// `rcu_dereference*`: address-dependency ordering only.
    Consume,
    /// An atomic access with an explicit ordering (Rust `load`/`store`, kernel
    /// `atomic_read`/`atomic_set`, which are relaxed).
    Atomic(AtomicOrdering),
    /// `volatile` or `read_volatile`/`write_volatile`.
    Volatile,
}

impl Mark {
    /// True when the access orders earlier accesses before it as a store (release or
    /// stronger).
    pub fn is_release_or_stronger(self) -> bool {
        matches!(
            self,
            Mark::Release
                | Mark::Atomic(
                    AtomicOrdering::Release | AtomicOrdering::AcqRel | AtomicOrdering::SeqCst
                )
        )
    }

    /// True when the access orders later accesses after it as a load (acquire or stronger).
    pub fn is_acquire_or_stronger(self) -> bool {
        matches!(
            self,
            Mark::Acquire
                | Mark::Atomic(
                    AtomicOrdering::Acquire | AtomicOrdering::AcqRel | AtomicOrdering::SeqCst
                )
        )
    }
}

/// Memory ordering of an atomic operation (Rust's `Ordering`, and the kernel's naming
/// conventions: `_relaxed`, `_acquire`, `_release`, fully ordered = `SeqCst`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AtomicOrdering {
    /// No ordering.
    Relaxed,
    /// Acquire.
    Acquire,
    /// Release.
    Release,
    /// Acquire and release.
    AcqRel,
    /// Sequentially consistent / fully ordered.
    SeqCst,
}

impl AtomicOrdering {
    /// Rust spelling (`Relaxed`, `SeqCst`, …).
    pub fn rust_name(self) -> &'static str {
        match self {
            AtomicOrdering::Relaxed => "Relaxed",
            AtomicOrdering::Acquire => "Acquire",
            AtomicOrdering::Release => "Release",
            AtomicOrdering::AcqRel => "AcqRel",
            AtomicOrdering::SeqCst => "SeqCst",
        }
    }
}

/// An expression operand kept as source text with its span.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Operand {
    /// Source text, exactly as written.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// What memory an access names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    /// The lvalue as written (`w->lock_acquired`, `self.head`, `GLOBAL`, `*p`).
    pub text: String,
    /// Where it is.
    pub span: Span,
    /// The key the pairing index files it under (`None` when the location has no stable name,
    /// e.g. `*p` or `a[i]` with a local array).
    pub key: Option<LocationKey>,
    /// The object expression the field is reached through (`w` in `w->lock_acquired`).
    pub base: Option<String>,
    /// Whether another context can see this location.
    pub sharing: Sharing,
}

/// Whether a location can be seen by another CPU or thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sharing {
    /// A field reached through a pointer, a global, a static, a `self` field.
    Shared,
    /// A local variable (or a field of a local struct value) that never escapes.
    Local,
    /// Per-CPU data: only this CPU (and its interrupts) touches it.
    PerCpu,
}

/// Name under which the pairing index files a location.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocationKey {
    /// Field or global.
    pub kind: KeyKind,
    /// The field name (`lock_acquired`) or the global's name.
    pub name: String,
}

impl LocationKey {
    /// A struct-field key.
    pub fn field(name: impl Into<String>) -> Self {
        LocationKey {
            kind: KeyKind::Field,
            name: name.into(),
        }
    }

    /// A global/static key.
    pub fn global(name: impl Into<String>) -> Self {
        LocationKey {
            kind: KeyKind::Global,
            name: name.into(),
        }
    }
}

/// Kinds of location keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KeyKind {
    /// A struct field, keyed by its name.
    Field,
    /// A global or static variable.
    Global,
}

/// A load or a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// What is accessed.
    pub target: Target,
    /// How the access is marked.
    pub mark: Mark,
    /// The API that performed it (`WRITE_ONCE`, `smp_load_acquire`, `store`, …); `None` for a
    /// plain assignment or read.
    pub api: Option<String>,
    /// The stored value, for stores.
    pub value: Option<Operand>,
}

/// An atomic read-modify-write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rmw {
    /// The atomic or bitmap operated on (for bit ops, the bitmap word; `bit` holds the bit).
    pub target: Target,
    /// API as written (`atomic_inc`, `test_and_set_bit_lock`, `fetch_sub`, …).
    pub api: String,
    /// Family of operation.
    pub op: RmwOp,
    /// Whether the operation returns a value. In the kernel, value-returning RMWs without a
    /// suffix are fully ordered and void ones are unordered.
    pub returns_value: bool,
    /// The ordering the operation provides.
    pub ordering: AtomicOrdering,
    /// Ordering on failure, for compare-exchange with an explicit failure ordering (Rust).
    pub failure_ordering: Option<AtomicOrdering>,
    /// For bit operations, the bit number expression.
    pub bit: Option<Operand>,
    /// Other arguments (the addend, the new value, …).
    pub args: Vec<Operand>,
}

/// Families of read-modify-write operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RmwOp {
    /// Add, sub, inc, dec, and, or, xor, andnot, fetch_* arithmetic.
    Arith,
    /// Exchange / swap.
    Exchange,
    /// Compare-and-exchange (cmpxchg, try_cmpxchg, compare_exchange[_weak]).
    CompareExchange,
    /// Set a bit (set_bit, test_and_set_bit[_lock]).
    SetBit,
    /// Clear a bit (clear_bit, test_and_clear_bit, clear_bit_unlock).
    ClearBit,
    /// Flip a bit.
    ChangeBit,
    /// refcount_* and kref_* operations.
    Refcount,
}

/// A per-CPU operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerCpu {
    /// API as written (`this_cpu_inc`, `__this_cpu_add`, `per_cpu_ptr`, …).
    pub api: String,
    /// What it does.
    pub op: PerCpuOp,
    /// `this_cpu_*` ops are safe against preemption and interrupts by themselves;
    /// `__this_cpu_*` and `raw_cpu_*` need the caller to have disabled preemption.
    pub preempt_safe: bool,
    /// The per-CPU variable expression (first argument).
    pub var: Operand,
    /// Other arguments (value, cpu number).
    pub args: Vec<Operand>,
}

/// Per-CPU operation families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PerCpuOp {
    /// this_cpu_read.
    Read,
    /// this_cpu_write.
    Write,
    /// this_cpu_inc / this_cpu_add with a positive operand.
    Inc,
    /// this_cpu_dec / this_cpu_sub.
    Dec,
    /// Other value-changing ops (and, or, xchg, cmpxchg, add_return).
    Other,
    /// this_cpu_ptr / raw_cpu_ptr: this CPU's instance.
    LocalPtr,
    /// per_cpu_ptr(var, cpu) / per_cpu(var, cpu): another CPU's instance.
    RemotePtr,
}

/// A lock, unlock or region-entry/exit operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockOp {
    /// API as written (`spin_lock_irqsave`, `rcu_read_unlock`, …).
    pub api: String,
    /// Family.
    pub kind: LockKind,
    /// The lock object (first argument), if any.
    pub object: Option<Operand>,
}

impl LockOp {
    /// The lock's identity for matching lock and unlock, and writer and reader regions: the
    /// object text with a leading `&` removed, or the family name for object-less regions.
    pub fn identity(&self) -> String {
        match &self.object {
            Some(o) => o.text.trim_start_matches('&').trim().to_owned(),
            None => format!("{:?}", self.kind),
        }
    }
}

/// Lock and region families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LockKind {
    /// spin_lock*, raw_spin_lock*, also disables preemption.
    Spin,
    /// spin_lock_irq*/irqsave: also disables interrupts.
    SpinIrq,
    /// spin_lock_bh.
    SpinBh,
    /// mutex_lock*, down, down_read/write, rt_mutex.
    Mutex,
    /// read_lock / write_lock (rwlock).
    RwLock,
    /// rcu_read_lock / srcu_read_lock.
    RcuRead,
    /// local_irq_disable / local_irq_save.
    IrqOff,
    /// preempt_disable.
    PreemptOff,
    /// local_bh_disable.
    BhOff,
    /// A bit lock (bit_spin_lock, test_and_set_bit_lock used as a lock).
    BitLock,
    /// Sequence counter write side (write_seqlock, write_seqcount_begin).
    SeqWrite,
    /// A project lock helper named in configuration, Rust `Mutex::lock`, or a lock of unknown
    /// family that the code asserts is held (`lockdep_assert_held()`, `__must_hold()`): such
    /// an event has no matching unlock.
    Other,
}

impl LockKind {
    /// True when holding this keeps the code on one CPU (no preemption, no migration).
    pub fn pins_cpu(self) -> bool {
        matches!(
            self,
            LockKind::Spin
                | LockKind::SpinIrq
                | LockKind::SpinBh
                | LockKind::IrqOff
                | LockKind::PreemptOff
                | LockKind::BhOff
                | LockKind::RwLock
                | LockKind::BitLock
        )
    }

    /// True when this is a mutual-exclusion lock (as opposed to a CPU-local region).
    pub fn is_mutual_exclusion(self) -> bool {
        matches!(
            self,
            LockKind::Spin
                | LockKind::SpinIrq
                | LockKind::SpinBh
                | LockKind::Mutex
                | LockKind::RwLock
                | LockKind::BitLock
                | LockKind::SeqWrite
                | LockKind::Other
        )
    }
}

/// A wake-up or sleeper check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wake {
    /// API as written.
    pub api: String,
    /// Family.
    pub kind: WakeKind,
    /// The wait queue, completion, word or task (first argument).
    pub object: Option<Operand>,
    /// Other arguments (e.g. the bit of `wake_up_bit`).
    pub args: Vec<Operand>,
}

/// Wake-up families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WakeKind {
    /// wake_up, wake_up_all, wake_up_interruptible, …
    WakeUp,
    /// waitqueue_active / swait_active: a lockless check for sleepers.
    WaitqueueActive,
    /// wq_has_sleeper: the same check with the needed smp_mb().
    WqHasSleeper,
    /// wake_up_bit / wake_up_var.
    WakeUpBit,
    /// clear_and_wake_up_bit.
    ClearAndWakeUpBit,
    /// complete / complete_all.
    Complete,
    /// wake_up_process / wake_up_state.
    WakeUpProcess,
}

/// A sleep-until-condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wait {
    /// API as written.
    pub api: String,
    /// All arguments.
    pub args: Vec<Operand>,
}

/// Any call that is not recognised as one of the other kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    /// Function or macro name (for Rust, the last path segment or method name).
    pub name: String,
    /// Receiver for a method call (Rust), as written.
    pub receiver: Option<Operand>,
    /// Arguments.
    pub args: Vec<Operand>,
}

/// A comment inside a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The text with its delimiters.
    pub text: String,
}
