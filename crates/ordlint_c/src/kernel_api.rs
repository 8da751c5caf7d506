//! The one table of Linux kernel API names the C frontend recognises, and what each one is.
//!
//! Everything the lowering knows about kernel names lives here: barriers, marked accesses,
//! atomics, bit operations, reference counts, per-CPU operations, locks and regions, wake-ups,
//! waits, iterator macros and member-taking macros. Exact names are kept in tables; the
//! regular families (`atomic_*`, `atomic64_*`, `atomic_long_*`, `this_cpu_*`, …) are decoded
//! by [`classify`] from their prefix and suffix. Names are facts about the kernel's API; the
//! semantics follow `Documentation/memory-barriers.txt` and `Documentation/atomic_t.txt`.

use ordlint_ir::{AtomicOrdering, FenceKind, LockKind, Mark, PerCpuOp, RmwOp, WakeKind};

/// What a recognised kernel API call is, as far as the lowering is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// A barrier or fence with no operands that matter.
    Fence(FenceKind),
    /// A store followed by a fence (`smp_store_mb(x, v)`, the deprecated `set_mb(x, v)`): the
    /// first argument is the target, the second the value.
    StoreThenFence(FenceKind),
    /// A marked load of the first argument.
    Load {
        /// How the load is marked.
        mark: Mark,
        /// True when the argument is a pointer to the location (`smp_load_acquire(&x)`,
        /// `atomic_read(&v)`), false when it names the location (`READ_ONCE(x)`).
        by_address: bool,
        /// True for the polling loads `smp_cond_load_*`, which spin until their condition holds.
        polled: bool,
    },
    /// A marked store: first argument the target, second the value.
    Store {
        /// How the store is marked.
        mark: Mark,
        /// True when the first argument is a pointer to the location.
        by_address: bool,
    },
    /// An atomic read-modify-write.
    Rmw {
        /// Operation family.
        op: RmwOp,
        /// Whether it returns a value (value-returning kernel RMWs are fully ordered unless
        /// suffixed).
        returns_value: bool,
        /// The ordering it provides.
        ordering: AtomicOrdering,
        /// Index of the argument that points to the atomic or bitmap word.
        target_arg: usize,
        /// Index of the bit-number argument, for bit operations.
        bit_arg: Option<usize>,
    },
    /// A per-CPU operation; the first argument is the per-CPU variable.
    PerCpu {
        /// Operation family.
        op: PerCpuOp,
        /// False for `__this_cpu_*`, `raw_cpu_*` and the pointer helpers that need preemption
        /// disabled by the caller.
        preempt_safe: bool,
    },
    /// Taking a lock or entering a region; the first argument (if any) is the object.
    Lock(LockKind),
    /// Releasing a lock or leaving a region.
    Unlock(LockKind),
    /// `guard(class)(args)`: a lock held until the end of the enclosing block.
    Guard,
    /// `scoped_guard(class, args) { … }`: a lock held for the following block.
    ScopedGuard,
    /// A wake-up or sleeper check.
    Wake(WakeKind),
    /// A sleep until a condition or an event.
    Wait,
}

/// Barriers and fences by name. Deprecated spellings are kept so a rule can flag them.
pub const FENCES: &[(&str, FenceKind)] = &[
    ("barrier", FenceKind::Compiler),
    ("barrier_data", FenceKind::Compiler),
    ("smp_mb", FenceKind::Full),
    ("smp_rmb", FenceKind::Read),
    ("smp_wmb", FenceKind::Write),
    ("__smp_mb", FenceKind::Full),
    ("__smp_rmb", FenceKind::Read),
    ("__smp_wmb", FenceKind::Write),
    ("virt_mb", FenceKind::Full),
    ("virt_rmb", FenceKind::Read),
    ("virt_wmb", FenceKind::Write),
    ("mb", FenceKind::DeviceFull),
    ("rmb", FenceKind::DeviceRead),
    ("wmb", FenceKind::DeviceWrite),
    ("dma_rmb", FenceKind::DmaRead),
    ("dma_wmb", FenceKind::DmaWrite),
    ("smp_mb__before_atomic", FenceKind::BeforeAtomic),
    ("smp_mb__after_atomic", FenceKind::AfterAtomic),
    ("__smp_mb__before_atomic", FenceKind::BeforeAtomic),
    ("__smp_mb__after_atomic", FenceKind::AfterAtomic),
    ("smp_mb__after_spinlock", FenceKind::AfterSpinlock),
    ("smp_mb__after_unlock_lock", FenceKind::AfterUnlockLock),
    ("smp_acquire__after_ctrl_dep", FenceKind::Acquire),
    // Deprecated (removed from the kernel, still found in old or out-of-tree code).
    ("smp_mb__before_clear_bit", FenceKind::BeforeAtomic),
    ("smp_mb__after_clear_bit", FenceKind::AfterAtomic),
    ("smp_read_barrier_depends", FenceKind::Read),
    ("read_barrier_depends", FenceKind::Read),
];

/// Fence APIs that the kernel has removed; lowered normally, listed so rules can name them.
pub const DEPRECATED_FENCES: &[&str] = &[
    "smp_mb__before_clear_bit",
    "smp_mb__after_clear_bit",
    "smp_read_barrier_depends",
    "read_barrier_depends",
    "set_mb",
];

/// Marked loads: name, mark, whether the argument is a pointer, whether it polls.
pub const MARKED_LOADS: &[(&str, Mark, bool, bool)] = &[
    ("READ_ONCE", Mark::Once, false, false),
    ("__READ_ONCE", Mark::Once, false, false),
    ("ACCESS_ONCE", Mark::Once, false, false),
    ("smp_load_acquire", Mark::Acquire, true, false),
    ("__smp_load_acquire", Mark::Acquire, true, false),
    ("smp_cond_load_acquire", Mark::Acquire, true, true),
    ("smp_cond_load_relaxed", Mark::Once, true, true),
    ("rcu_dereference", Mark::Consume, false, false),
    ("rcu_dereference_bh", Mark::Consume, false, false),
    ("rcu_dereference_sched", Mark::Consume, false, false),
    ("rcu_dereference_check", Mark::Consume, false, false),
    ("rcu_dereference_bh_check", Mark::Consume, false, false),
    ("rcu_dereference_sched_check", Mark::Consume, false, false),
    ("rcu_dereference_protected", Mark::Consume, false, false),
    ("rcu_dereference_raw", Mark::Consume, false, false),
    ("rcu_dereference_raw_check", Mark::Consume, false, false),
    ("srcu_dereference", Mark::Consume, false, false),
    ("srcu_dereference_check", Mark::Consume, false, false),
    ("rcu_access_pointer", Mark::Consume, false, false),
    (
        "refcount_read",
        Mark::Atomic(AtomicOrdering::Relaxed),
        true,
        false,
    ),
];

/// Marked stores: name, mark, whether the first argument is a pointer.
pub const MARKED_STORES: &[(&str, Mark, bool)] = &[
    ("WRITE_ONCE", Mark::Once, false),
    ("__WRITE_ONCE", Mark::Once, false),
    ("smp_store_release", Mark::Release, true),
    ("__smp_store_release", Mark::Release, true),
    ("rcu_assign_pointer", Mark::Release, false),
    ("RCU_INIT_POINTER", Mark::Once, false),
    ("refcount_set", Mark::Atomic(AtomicOrdering::Relaxed), true),
    ("kref_init", Mark::Atomic(AtomicOrdering::Relaxed), true),
];

/// Stores followed by a fence: `smp_store_mb(x, v)` is `WRITE_ONCE(x, v); smp_mb();`.
pub const STORE_THEN_FENCE: &[(&str, FenceKind)] = &[
    ("smp_store_mb", FenceKind::Full),
    ("set_mb", FenceKind::Full),
];

/// Bit operations: name, family, returns a value, ordering. The bit number is the first
/// argument and the bitmap the second.
pub const BITOPS: &[(&str, RmwOp, bool, AtomicOrdering)] = &[
    ("set_bit", RmwOp::SetBit, false, AtomicOrdering::Relaxed),
    ("clear_bit", RmwOp::ClearBit, false, AtomicOrdering::Relaxed),
    (
        "change_bit",
        RmwOp::ChangeBit,
        false,
        AtomicOrdering::Relaxed,
    ),
    (
        "test_and_set_bit",
        RmwOp::SetBit,
        true,
        AtomicOrdering::SeqCst,
    ),
    (
        "test_and_clear_bit",
        RmwOp::ClearBit,
        true,
        AtomicOrdering::SeqCst,
    ),
    (
        "test_and_change_bit",
        RmwOp::ChangeBit,
        true,
        AtomicOrdering::SeqCst,
    ),
    (
        "test_and_set_bit_lock",
        RmwOp::SetBit,
        true,
        AtomicOrdering::Acquire,
    ),
    (
        "clear_bit_unlock",
        RmwOp::ClearBit,
        false,
        AtomicOrdering::Release,
    ),
    (
        "__clear_bit_unlock",
        RmwOp::ClearBit,
        false,
        AtomicOrdering::Release,
    ),
    // Non-atomic variants: lowered as RMWs so rules can see (and name) them.
    ("__set_bit", RmwOp::SetBit, false, AtomicOrdering::Relaxed),
    (
        "__clear_bit",
        RmwOp::ClearBit,
        false,
        AtomicOrdering::Relaxed,
    ),
    (
        "__change_bit",
        RmwOp::ChangeBit,
        false,
        AtomicOrdering::Relaxed,
    ),
    (
        "__test_and_set_bit",
        RmwOp::SetBit,
        true,
        AtomicOrdering::Relaxed,
    ),
    (
        "__test_and_clear_bit",
        RmwOp::ClearBit,
        true,
        AtomicOrdering::Relaxed,
    ),
];

/// Reference counts: name, returns a value, ordering, index of the counter argument.
pub const REFCOUNTS: &[(&str, bool, AtomicOrdering, usize)] = &[
    ("refcount_inc", false, AtomicOrdering::Relaxed, 0),
    ("refcount_add", false, AtomicOrdering::Relaxed, 1),
    ("refcount_dec", false, AtomicOrdering::Release, 0),
    ("refcount_inc_not_zero", true, AtomicOrdering::Relaxed, 0),
    ("refcount_add_not_zero", true, AtomicOrdering::Relaxed, 1),
    ("refcount_dec_and_test", true, AtomicOrdering::AcqRel, 0),
    ("refcount_sub_and_test", true, AtomicOrdering::AcqRel, 1),
    ("refcount_dec_and_lock", true, AtomicOrdering::AcqRel, 0),
    (
        "refcount_dec_and_lock_irqsave",
        true,
        AtomicOrdering::AcqRel,
        0,
    ),
    (
        "refcount_dec_and_mutex_lock",
        true,
        AtomicOrdering::AcqRel,
        0,
    ),
    ("refcount_dec_not_one", true, AtomicOrdering::Release, 0),
    ("refcount_dec_if_one", true, AtomicOrdering::Release, 0),
    ("kref_get", false, AtomicOrdering::Relaxed, 0),
    ("kref_get_unless_zero", true, AtomicOrdering::Relaxed, 0),
    ("kref_put", true, AtomicOrdering::AcqRel, 0),
    ("kref_put_lock", true, AtomicOrdering::AcqRel, 0),
    ("kref_put_mutex", true, AtomicOrdering::AcqRel, 0),
];

/// Lock and region entries. `*_trylock*` variants count as taking the lock.
pub const LOCKS: &[(&str, LockKind)] = &[
    ("spin_lock", LockKind::Spin),
    ("spin_lock_nested", LockKind::Spin),
    ("spin_lock_nest_lock", LockKind::Spin),
    ("spin_trylock", LockKind::Spin),
    ("raw_spin_lock", LockKind::Spin),
    ("raw_spin_lock_nested", LockKind::Spin),
    ("raw_spin_trylock", LockKind::Spin),
    ("arch_spin_lock", LockKind::Spin),
    ("spin_lock_irq", LockKind::SpinIrq),
    ("spin_lock_irqsave", LockKind::SpinIrq),
    ("spin_lock_irqsave_nested", LockKind::SpinIrq),
    ("spin_trylock_irq", LockKind::SpinIrq),
    ("spin_trylock_irqsave", LockKind::SpinIrq),
    ("raw_spin_lock_irq", LockKind::SpinIrq),
    ("raw_spin_lock_irqsave", LockKind::SpinIrq),
    ("raw_spin_lock_irqsave_nested", LockKind::SpinIrq),
    ("raw_spin_trylock_irq", LockKind::SpinIrq),
    ("raw_spin_trylock_irqsave", LockKind::SpinIrq),
    ("spin_lock_bh", LockKind::SpinBh),
    ("spin_trylock_bh", LockKind::SpinBh),
    ("raw_spin_lock_bh", LockKind::SpinBh),
    ("mutex_lock", LockKind::Mutex),
    ("mutex_lock_nested", LockKind::Mutex),
    ("mutex_lock_interruptible", LockKind::Mutex),
    ("mutex_lock_interruptible_nested", LockKind::Mutex),
    ("mutex_lock_killable", LockKind::Mutex),
    ("mutex_lock_killable_nested", LockKind::Mutex),
    ("mutex_lock_io", LockKind::Mutex),
    ("mutex_trylock", LockKind::Mutex),
    ("down", LockKind::Mutex),
    ("down_interruptible", LockKind::Mutex),
    ("down_killable", LockKind::Mutex),
    ("down_trylock", LockKind::Mutex),
    ("down_timeout", LockKind::Mutex),
    ("down_read", LockKind::Mutex),
    ("down_read_nested", LockKind::Mutex),
    ("down_read_killable", LockKind::Mutex),
    ("down_read_interruptible", LockKind::Mutex),
    ("down_read_trylock", LockKind::Mutex),
    ("down_write", LockKind::Mutex),
    ("down_write_nested", LockKind::Mutex),
    ("down_write_killable", LockKind::Mutex),
    ("down_write_trylock", LockKind::Mutex),
    ("rt_mutex_lock", LockKind::Mutex),
    ("rt_mutex_lock_interruptible", LockKind::Mutex),
    ("rt_mutex_trylock", LockKind::Mutex),
    ("read_lock", LockKind::RwLock),
    ("read_lock_irq", LockKind::RwLock),
    ("read_lock_irqsave", LockKind::RwLock),
    ("read_lock_bh", LockKind::RwLock),
    ("read_trylock", LockKind::RwLock),
    ("write_lock", LockKind::RwLock),
    ("write_lock_irq", LockKind::RwLock),
    ("write_lock_irqsave", LockKind::RwLock),
    ("write_lock_bh", LockKind::RwLock),
    ("write_trylock", LockKind::RwLock),
    ("rcu_read_lock", LockKind::RcuRead),
    ("rcu_read_lock_bh", LockKind::RcuRead),
    ("rcu_read_lock_sched", LockKind::RcuRead),
    ("rcu_read_lock_sched_notrace", LockKind::RcuRead),
    ("srcu_read_lock", LockKind::RcuRead),
    ("srcu_read_lock_nmisafe", LockKind::RcuRead),
    ("local_irq_disable", LockKind::IrqOff),
    ("local_irq_save", LockKind::IrqOff),
    ("raw_local_irq_disable", LockKind::IrqOff),
    ("raw_local_irq_save", LockKind::IrqOff),
    ("preempt_disable", LockKind::PreemptOff),
    ("preempt_disable_notrace", LockKind::PreemptOff),
    ("get_cpu", LockKind::PreemptOff),
    ("get_cpu_var", LockKind::PreemptOff),
    ("get_cpu_ptr", LockKind::PreemptOff),
    ("local_bh_disable", LockKind::BhOff),
    ("bit_spin_lock", LockKind::BitLock),
    ("bit_spin_trylock", LockKind::BitLock),
    ("write_seqlock", LockKind::SeqWrite),
    ("write_seqlock_irq", LockKind::SeqWrite),
    ("write_seqlock_irqsave", LockKind::SeqWrite),
    ("write_seqlock_bh", LockKind::SeqWrite),
    ("write_seqcount_begin", LockKind::SeqWrite),
    ("write_seqcount_begin_nested", LockKind::SeqWrite),
    ("raw_write_seqcount_begin", LockKind::SeqWrite),
    // Sleeping locks of an object, spelt after the object.
    ("lock_sock", LockKind::Mutex),
    ("lock_sock_nested", LockKind::Mutex),
    ("pipe_lock", LockKind::Mutex),
    ("inode_lock", LockKind::Mutex),
    ("inode_lock_nested", LockKind::Mutex),
    ("inode_lock_shared", LockKind::Mutex),
    ("inode_lock_shared_nested", LockKind::Mutex),
    // Assertions that the caller holds the lock: from here on it is held, and the function
    // has no matching unlock. Which family the lock is, the assertion does not say.
    ("lockdep_assert_held", LockKind::Other),
    ("lockdep_assert_held_once", LockKind::Other),
    ("lockdep_assert_held_read", LockKind::Other),
    ("lockdep_assert_held_write", LockKind::Other),
    ("assert_spin_locked", LockKind::Other),
    ("assert_raw_spin_locked", LockKind::Other),
    ("sock_owned_by_me", LockKind::Other),
];

/// Annotations on a function definition (`void f(struct q *q) __must_hold(&q->lock)`) saying
/// that the lock named by their argument is held when the function is entered. The C
/// frontend lowers each into a [`LockKind::Other`] lock event at the annotation, before the
/// body's events. `__acquires()` says the opposite and is not listed.
pub const HELD_ON_ENTRY: &[&str] = &["__must_hold", "__releases"];

/// Lock and region exits, matching [`LOCKS`] by kind.
pub const UNLOCKS: &[(&str, LockKind)] = &[
    ("spin_unlock", LockKind::Spin),
    ("raw_spin_unlock", LockKind::Spin),
    ("arch_spin_unlock", LockKind::Spin),
    ("spin_unlock_irq", LockKind::SpinIrq),
    ("spin_unlock_irqrestore", LockKind::SpinIrq),
    ("raw_spin_unlock_irq", LockKind::SpinIrq),
    ("raw_spin_unlock_irqrestore", LockKind::SpinIrq),
    ("spin_unlock_bh", LockKind::SpinBh),
    ("raw_spin_unlock_bh", LockKind::SpinBh),
    ("mutex_unlock", LockKind::Mutex),
    ("up", LockKind::Mutex),
    ("up_read", LockKind::Mutex),
    ("up_write", LockKind::Mutex),
    ("rt_mutex_unlock", LockKind::Mutex),
    ("read_unlock", LockKind::RwLock),
    ("read_unlock_irq", LockKind::RwLock),
    ("read_unlock_irqrestore", LockKind::RwLock),
    ("read_unlock_bh", LockKind::RwLock),
    ("write_unlock", LockKind::RwLock),
    ("write_unlock_irq", LockKind::RwLock),
    ("write_unlock_irqrestore", LockKind::RwLock),
    ("write_unlock_bh", LockKind::RwLock),
    ("rcu_read_unlock", LockKind::RcuRead),
    ("rcu_read_unlock_bh", LockKind::RcuRead),
    ("rcu_read_unlock_sched", LockKind::RcuRead),
    ("rcu_read_unlock_sched_notrace", LockKind::RcuRead),
    ("srcu_read_unlock", LockKind::RcuRead),
    ("srcu_read_unlock_nmisafe", LockKind::RcuRead),
    ("local_irq_enable", LockKind::IrqOff),
    ("local_irq_restore", LockKind::IrqOff),
    ("raw_local_irq_enable", LockKind::IrqOff),
    ("raw_local_irq_restore", LockKind::IrqOff),
    ("preempt_enable", LockKind::PreemptOff),
    ("preempt_enable_notrace", LockKind::PreemptOff),
    ("preempt_enable_no_resched", LockKind::PreemptOff),
    ("put_cpu", LockKind::PreemptOff),
    ("put_cpu_var", LockKind::PreemptOff),
    ("put_cpu_ptr", LockKind::PreemptOff),
    ("local_bh_enable", LockKind::BhOff),
    ("bit_spin_unlock", LockKind::BitLock),
    ("__bit_spin_unlock", LockKind::BitLock),
    ("write_sequnlock", LockKind::SeqWrite),
    ("write_sequnlock_irq", LockKind::SeqWrite),
    ("write_sequnlock_irqrestore", LockKind::SeqWrite),
    ("write_sequnlock_bh", LockKind::SeqWrite),
    ("write_seqcount_end", LockKind::SeqWrite),
    ("raw_write_seqcount_end", LockKind::SeqWrite),
    ("release_sock", LockKind::Mutex),
    ("pipe_unlock", LockKind::Mutex),
    ("inode_unlock", LockKind::Mutex),
    ("inode_unlock_shared", LockKind::Mutex),
];

/// Guard classes of `guard(class)` / `scoped_guard(class, …)` and the lock family they take.
/// Unknown classes map to [`LockKind::Other`].
pub const GUARD_CLASSES: &[(&str, LockKind)] = &[
    ("spinlock", LockKind::Spin),
    ("raw_spinlock", LockKind::Spin),
    ("spinlock_nested", LockKind::Spin),
    ("raw_spinlock_nested", LockKind::Spin),
    ("spinlock_irq", LockKind::SpinIrq),
    ("spinlock_irqsave", LockKind::SpinIrq),
    ("raw_spinlock_irq", LockKind::SpinIrq),
    ("raw_spinlock_irqsave", LockKind::SpinIrq),
    ("spinlock_bh", LockKind::SpinBh),
    ("mutex", LockKind::Mutex),
    ("mutex_intr", LockKind::Mutex),
    ("rwsem_read", LockKind::Mutex),
    ("rwsem_write", LockKind::Mutex),
    ("read_lock", LockKind::RwLock),
    ("read_lock_irq", LockKind::RwLock),
    ("read_lock_irqsave", LockKind::RwLock),
    ("write_lock", LockKind::RwLock),
    ("write_lock_irq", LockKind::RwLock),
    ("write_lock_irqsave", LockKind::RwLock),
    ("rcu", LockKind::RcuRead),
    ("srcu", LockKind::RcuRead),
    ("irq", LockKind::IrqOff),
    ("irqsave", LockKind::IrqOff),
    ("preempt", LockKind::PreemptOff),
    ("preempt_notrace", LockKind::PreemptOff),
];

/// Wake-ups and sleeper checks.
pub const WAKES: &[(&str, WakeKind)] = &[
    ("wake_up", WakeKind::WakeUp),
    ("__wake_up", WakeKind::WakeUp),
    ("wake_up_all", WakeKind::WakeUp),
    ("wake_up_nr", WakeKind::WakeUp),
    ("wake_up_poll", WakeKind::WakeUp),
    ("wake_up_locked", WakeKind::WakeUp),
    ("wake_up_all_locked", WakeKind::WakeUp),
    ("wake_up_interruptible", WakeKind::WakeUp),
    ("wake_up_interruptible_all", WakeKind::WakeUp),
    ("wake_up_interruptible_nr", WakeKind::WakeUp),
    ("wake_up_interruptible_poll", WakeKind::WakeUp),
    ("wake_up_interruptible_sync", WakeKind::WakeUp),
    ("wake_up_interruptible_sync_poll", WakeKind::WakeUp),
    ("swake_up_one", WakeKind::WakeUp),
    ("swake_up_all", WakeKind::WakeUp),
    ("swake_up_locked", WakeKind::WakeUp),
    ("waitqueue_active", WakeKind::WaitqueueActive),
    ("swait_active", WakeKind::WaitqueueActive),
    ("wq_has_sleeper", WakeKind::WqHasSleeper),
    ("swq_has_sleeper", WakeKind::WqHasSleeper),
    ("wake_up_bit", WakeKind::WakeUpBit),
    ("wake_up_var", WakeKind::WakeUpBit),
    ("clear_and_wake_up_bit", WakeKind::ClearAndWakeUpBit),
    ("complete", WakeKind::Complete),
    ("complete_all", WakeKind::Complete),
    ("wake_up_process", WakeKind::WakeUpProcess),
    ("wake_up_state", WakeKind::WakeUpProcess),
];

/// Name prefixes of sleeps until a condition or event (`wait_event_interruptible_timeout`, …).
pub const WAIT_PREFIXES: &[&str] = &[
    "wait_event",
    "wait_on_bit",
    "wait_for_completion",
    "swait_event",
    "wait_var_event",
    "schedule_timeout",
    "schedule_hrtimeout",
];

/// Exact names of sleeps.
pub const WAITS: &[&str] = &[
    "schedule",
    "io_schedule",
    "io_schedule_timeout",
    "wait_on_bit",
    "wait_for_completion",
];

/// Macros whose arguments after the first `n` are type or member names, not expressions
/// (`container_of(ptr, type, member)`): only the first `n` arguments are lowered.
pub const MEMBER_MACROS: &[(&str, usize)] = &[
    ("container_of", 1),
    ("container_of_const", 1),
    ("list_entry", 1),
    ("list_entry_rcu", 1),
    ("list_first_entry", 1),
    ("list_first_entry_or_null", 1),
    ("list_last_entry", 1),
    ("list_next_entry", 1),
    ("list_prev_entry", 1),
    ("list_next_or_null_rcu", 2),
    ("list_first_or_null_rcu", 1),
    ("hlist_entry", 1),
    ("hlist_entry_safe", 1),
    ("llist_entry", 1),
    ("rb_entry", 1),
    ("rb_entry_safe", 1),
    ("sizeof_field", 0),
    ("typeof_member", 0),
    ("struct_size", 1),
    ("flex_array_size", 1),
    ("offsetofend", 0),
];

/// Identifiers that look like variables but are macros for something per-task or constant
/// (`current`): never lowered as loads.
pub const NOT_VARIABLES: &[&str] = &["current", "NULL", "true", "false"];

/// Project helpers a configuration adds to the kernel API (`[kernel-api]` in `ordlint.toml`):
/// each name is lowered exactly like the kernel API it stands for. Empty by default.
///
/// A name listed here wins over the built-in tables, so a project can also re-declare a kernel
/// name (rarely useful). Names are plain identifiers; function-like macros are matched by the
/// name before the parenthesis.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiExtensions {
    /// Compiler-only barriers, like `barrier()`.
    pub compiler_barriers: Vec<String>,
    /// Full SMP barriers, like `smp_mb()`.
    pub full_barriers: Vec<String>,
    /// Write barriers, like `smp_wmb()`.
    pub write_barriers: Vec<String>,
    /// Read barriers, like `smp_rmb()`.
    pub read_barriers: Vec<String>,
    /// Release stores taking a pointer and a value, like `smp_store_release(&x, v)`.
    pub release_stores: Vec<String>,
    /// Acquire loads taking a pointer, like `smp_load_acquire(&x)`.
    pub acquire_loads: Vec<String>,
    /// Lock helpers taking the lock object first, like `spin_lock(&l)`.
    pub locks: Vec<String>,
    /// Unlock helpers taking the lock object first, like `spin_unlock(&l)`.
    pub unlocks: Vec<String>,
}

impl ApiExtensions {
    /// True when no name is added.
    pub fn is_empty(&self) -> bool {
        self.lists().iter().all(|l| l.is_empty())
    }

    /// Every added name.
    pub fn names(&self) -> Vec<&str> {
        self.lists()
            .iter()
            .flat_map(|l| l.iter().map(String::as_str))
            .collect()
    }

    fn lists(&self) -> [&[String]; 8] {
        [
            &self.compiler_barriers,
            &self.full_barriers,
            &self.write_barriers,
            &self.read_barriers,
            &self.release_stores,
            &self.acquire_loads,
            &self.locks,
            &self.unlocks,
        ]
    }

    /// Classify a called name: the project's helpers first, then [`classify`].
    pub fn classify(&self, name: &str) -> Option<Api> {
        let has = |list: &[String]| list.iter().any(|n| n == name);
        if has(&self.compiler_barriers) {
            Some(Api::Fence(FenceKind::Compiler))
        } else if has(&self.full_barriers) {
            Some(Api::Fence(FenceKind::Full))
        } else if has(&self.write_barriers) {
            Some(Api::Fence(FenceKind::Write))
        } else if has(&self.read_barriers) {
            Some(Api::Fence(FenceKind::Read))
        } else if has(&self.release_stores) {
            Some(Api::Store {
                mark: Mark::Release,
                by_address: true,
            })
        } else if has(&self.acquire_loads) {
            Some(Api::Load {
                mark: Mark::Acquire,
                by_address: true,
                polled: false,
            })
        } else if has(&self.locks) {
            Some(Api::Lock(LockKind::Other))
        } else if has(&self.unlocks) {
            Some(Api::Unlock(LockKind::Other))
        } else {
            classify(name)
        }
    }
}

/// Classify a called name. `None` means an ordinary call.
pub fn classify(name: &str) -> Option<Api> {
    if let Some((_, k)) = FENCES.iter().find(|(n, _)| *n == name) {
        return Some(Api::Fence(*k));
    }
    if let Some((_, k)) = STORE_THEN_FENCE.iter().find(|(n, _)| *n == name) {
        return Some(Api::StoreThenFence(*k));
    }
    if let Some((_, mark, by_address, polled)) = MARKED_LOADS.iter().find(|(n, ..)| *n == name) {
        return Some(Api::Load {
            mark: *mark,
            by_address: *by_address,
            polled: *polled,
        });
    }
    if let Some((_, mark, by_address)) = MARKED_STORES.iter().find(|(n, ..)| *n == name) {
        return Some(Api::Store {
            mark: *mark,
            by_address: *by_address,
        });
    }
    if let Some((_, op, returns_value, ordering)) = BITOPS.iter().find(|(n, ..)| *n == name) {
        return Some(Api::Rmw {
            op: *op,
            returns_value: *returns_value,
            ordering: *ordering,
            target_arg: 1,
            bit_arg: Some(0),
        });
    }
    if let Some((_, returns_value, ordering, target_arg)) =
        REFCOUNTS.iter().find(|(n, ..)| *n == name)
    {
        return Some(Api::Rmw {
            op: RmwOp::Refcount,
            returns_value: *returns_value,
            ordering: *ordering,
            target_arg: *target_arg,
            bit_arg: None,
        });
    }
    if let Some((_, k)) = LOCKS.iter().find(|(n, _)| *n == name) {
        return Some(Api::Lock(*k));
    }
    if let Some((_, k)) = UNLOCKS.iter().find(|(n, _)| *n == name) {
        return Some(Api::Unlock(*k));
    }
    if let Some((_, k)) = WAKES.iter().find(|(n, _)| *n == name) {
        return Some(Api::Wake(*k));
    }
    if WAITS.contains(&name) || WAIT_PREFIXES.iter().any(|p| name.starts_with(p)) {
        return Some(Api::Wait);
    }
    match name {
        "guard" => return Some(Api::Guard),
        "scoped_guard" | "scoped_cond_guard" => return Some(Api::ScopedGuard),
        _ => {}
    }
    classify_atomic(name)
        .or_else(|| classify_xchg(name))
        .or_else(|| classify_percpu(name))
}

/// The lock family a guard class takes (`spinlock_irqsave` → [`LockKind::SpinIrq`]).
pub fn guard_class(class: &str) -> LockKind {
    GUARD_CLASSES
        .iter()
        .find(|(n, _)| *n == class)
        .map_or(LockKind::Other, |(_, k)| *k)
}

/// True for iterator macros used like a loop header (`list_for_each_entry(pos, head, m) { … }`,
/// `for_each_possible_cpu(cpu)`, `hlist_for_each_entry_rcu`, …): any name containing
/// `for_each`.
pub fn is_loop_macro(name: &str) -> bool {
    name.contains("for_each")
}

/// How many leading arguments of a member-taking macro are expressions, if `name` is one.
pub fn member_macro_expr_args(name: &str) -> Option<usize> {
    MEMBER_MACROS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, k)| *k)
}

/// Split a kernel ordering suffix: `_relaxed`, `_acquire`, `_release`. Returns the stem and the
/// ordering (`None` when unsuffixed).
fn split_ordering(name: &str) -> (&str, Option<AtomicOrdering>) {
    for (suffix, ord) in [
        ("_relaxed", AtomicOrdering::Relaxed),
        ("_acquire", AtomicOrdering::Acquire),
        ("_release", AtomicOrdering::Release),
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return (stem, Some(ord));
        }
    }
    (name, None)
}

/// `atomic_*`, `atomic64_*`, `atomic_long_*` (and `raw_atomic*`): reads, sets and RMWs.
fn classify_atomic(name: &str) -> Option<Api> {
    let rest = [
        "raw_atomic_long_",
        "raw_atomic64_",
        "raw_atomic_",
        "atomic_long_",
        "atomic64_",
        "atomic_",
    ]
    .iter()
    .find_map(|p| name.strip_prefix(p))?;
    match rest {
        "read" => {
            return Some(Api::Load {
                mark: Mark::Atomic(AtomicOrdering::Relaxed),
                by_address: true,
                polled: false,
            })
        }
        "read_acquire" => {
            return Some(Api::Load {
                mark: Mark::Acquire,
                by_address: true,
                polled: false,
            })
        }
        "set" => {
            return Some(Api::Store {
                mark: Mark::Atomic(AtomicOrdering::Relaxed),
                by_address: true,
            })
        }
        "set_release" => {
            return Some(Api::Store {
                mark: Mark::Release,
                by_address: true,
            })
        }
        "cond_read_acquire" => {
            return Some(Api::Load {
                mark: Mark::Acquire,
                by_address: true,
                polled: true,
            })
        }
        "cond_read_relaxed" => {
            return Some(Api::Load {
                mark: Mark::Once,
                by_address: true,
                polled: true,
            })
        }
        _ => {}
    }
    let (stem, suffix) = split_ordering(rest);
    const VOID_OPS: &[&str] = &["inc", "dec", "add", "sub", "and", "or", "xor", "andnot"];
    // Operations whose atomic is the second argument (`atomic_add(i, v)`).
    const VALUE_FIRST: &[&str] = &[
        "add",
        "sub",
        "and",
        "or",
        "xor",
        "andnot",
        "add_return",
        "sub_return",
        "fetch_add",
        "fetch_sub",
        "fetch_and",
        "fetch_or",
        "fetch_xor",
        "fetch_andnot",
        "sub_and_test",
        "add_negative",
    ];
    const RETURNING: &[&str] = &[
        "inc_return",
        "dec_return",
        "add_return",
        "sub_return",
        "fetch_add",
        "fetch_sub",
        "fetch_inc",
        "fetch_dec",
        "fetch_and",
        "fetch_or",
        "fetch_xor",
        "fetch_andnot",
        "inc_and_test",
        "dec_and_test",
        "sub_and_test",
        "add_negative",
        "inc_not_zero",
        "add_unless",
        "fetch_add_unless",
        "dec_if_positive",
        "dec_unless_positive",
        "inc_unless_negative",
    ];
    let target_arg = usize::from(VALUE_FIRST.contains(&stem));
    if VOID_OPS.contains(&stem) && suffix.is_none() {
        return Some(Api::Rmw {
            op: RmwOp::Arith,
            returns_value: false,
            ordering: AtomicOrdering::Relaxed,
            target_arg,
            bit_arg: None,
        });
    }
    let op = match stem {
        "xchg" => RmwOp::Exchange,
        "cmpxchg" | "try_cmpxchg" => RmwOp::CompareExchange,
        s if RETURNING.contains(&s) => RmwOp::Arith,
        _ => return None,
    };
    Some(Api::Rmw {
        op,
        returns_value: true,
        ordering: suffix.unwrap_or(AtomicOrdering::SeqCst),
        target_arg,
        bit_arg: None,
    })
}

/// Plain `xchg`/`cmpxchg`/`try_cmpxchg` (and `cmpxchg64`, suffixed forms) on ordinary memory.
fn classify_xchg(name: &str) -> Option<Api> {
    let (stem, suffix) = split_ordering(name);
    let op = match stem {
        "xchg" => RmwOp::Exchange,
        "cmpxchg" | "cmpxchg64" | "try_cmpxchg" | "try_cmpxchg64" | "cmpxchg_local" => {
            RmwOp::CompareExchange
        }
        _ => return None,
    };
    Some(Api::Rmw {
        op,
        returns_value: true,
        ordering: suffix.unwrap_or(AtomicOrdering::SeqCst),
        target_arg: 0,
        bit_arg: None,
    })
}

/// `this_cpu_*`, `__this_cpu_*`, `raw_cpu_*`, `per_cpu_ptr`, `per_cpu`.
fn classify_percpu(name: &str) -> Option<Api> {
    match name {
        "per_cpu_ptr" | "per_cpu" => {
            return Some(Api::PerCpu {
                op: PerCpuOp::RemotePtr,
                preempt_safe: true,
            })
        }
        "this_cpu_ptr" | "raw_cpu_ptr" | "__this_cpu_ptr" => {
            return Some(Api::PerCpu {
                op: PerCpuOp::LocalPtr,
                preempt_safe: false,
            })
        }
        _ => {}
    }
    let (rest, preempt_safe) = if let Some(r) = name.strip_prefix("__this_cpu_") {
        (r, false)
    } else if let Some(r) = name.strip_prefix("this_cpu_") {
        (r, true)
    } else {
        (name.strip_prefix("raw_cpu_")?, false)
    };
    let op = match rest {
        "read" => PerCpuOp::Read,
        "write" => PerCpuOp::Write,
        "inc" | "add" => PerCpuOp::Inc,
        "dec" | "sub" => PerCpuOp::Dec,
        "and" | "or" | "xchg" | "cmpxchg" | "try_cmpxchg" | "cmpxchg64" | "cmpxchg128"
        | "add_return" | "sub_return" | "inc_return" | "dec_return" | "cmpxchg_double" => {
            PerCpuOp::Other
        }
        _ => return None,
    };
    Some(Api::PerCpu { op, preempt_safe })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_helpers_classify_like_the_api_they_stand_for() {
        let ext = ApiExtensions {
            compiler_barriers: vec!["my_barrier".into()],
            release_stores: vec!["my_publish".into()],
            unlocks: vec!["my_unlock".into()],
            ..ApiExtensions::default()
        };
        assert_eq!(
            ext.classify("my_barrier"),
            Some(Api::Fence(FenceKind::Compiler))
        );
        assert_eq!(
            ext.classify("my_publish"),
            Some(Api::Store {
                mark: Mark::Release,
                by_address: true
            })
        );
        assert_eq!(
            ext.classify("my_unlock"),
            Some(Api::Unlock(LockKind::Other))
        );
        assert_eq!(ext.classify("smp_mb"), classify("smp_mb"));
        assert_eq!(ApiExtensions::default().classify("my_barrier"), None);
    }

    #[test]
    fn lower_with_sees_a_project_barrier() {
        let src = "void f(struct s *p)\n{\n\tp->a = 1;\n\tmy_barrier();\n\tp->b = 1;\n}\n";
        let fences = |ir: ordlint_ir::FileIr| {
            ir.functions
                .iter()
                .flat_map(|f| f.events.iter())
                .filter(|e| matches!(e.kind, ordlint_ir::EventKind::Fence(_)))
                .count()
        };
        let ext = ApiExtensions {
            compiler_barriers: vec!["my_barrier".into()],
            ..ApiExtensions::default()
        };
        assert_eq!(fences(crate::lower(src)), 0);
        assert_eq!(fences(crate::lower_with(src, &ext)), 1);
    }

    #[test]
    fn atomic_families_decode_ordering_and_operand_position() {
        assert_eq!(
            classify("atomic_add"),
            Some(Api::Rmw {
                op: RmwOp::Arith,
                returns_value: false,
                ordering: AtomicOrdering::Relaxed,
                target_arg: 1,
                bit_arg: None
            })
        );
        assert_eq!(
            classify("atomic64_fetch_add_release"),
            Some(Api::Rmw {
                op: RmwOp::Arith,
                returns_value: true,
                ordering: AtomicOrdering::Release,
                target_arg: 1,
                bit_arg: None
            })
        );
        assert_eq!(
            classify("atomic_long_cmpxchg_acquire"),
            Some(Api::Rmw {
                op: RmwOp::CompareExchange,
                returns_value: true,
                ordering: AtomicOrdering::Acquire,
                target_arg: 0,
                bit_arg: None
            })
        );
        assert_eq!(
            classify("atomic_dec_and_test"),
            Some(Api::Rmw {
                op: RmwOp::Arith,
                returns_value: true,
                ordering: AtomicOrdering::SeqCst,
                target_arg: 0,
                bit_arg: None
            })
        );
        assert_eq!(classify("atomic_frobnicate"), None);
    }

    #[test]
    fn percpu_prefixes_decide_preempt_safety() {
        assert_eq!(
            classify("this_cpu_inc"),
            Some(Api::PerCpu {
                op: PerCpuOp::Inc,
                preempt_safe: true
            })
        );
        assert_eq!(
            classify("__this_cpu_inc"),
            Some(Api::PerCpu {
                op: PerCpuOp::Inc,
                preempt_safe: false
            })
        );
        assert_eq!(
            classify("raw_cpu_read"),
            Some(Api::PerCpu {
                op: PerCpuOp::Read,
                preempt_safe: false
            })
        );
        assert_eq!(
            classify("per_cpu_ptr"),
            Some(Api::PerCpu {
                op: PerCpuOp::RemotePtr,
                preempt_safe: true
            })
        );
    }

    #[test]
    fn locks_waits_and_loop_macros_are_recognised() {
        assert_eq!(
            classify("spin_lock_irqsave"),
            Some(Api::Lock(LockKind::SpinIrq))
        );
        assert_eq!(
            classify("spin_unlock_irqrestore"),
            Some(Api::Unlock(LockKind::SpinIrq))
        );
        assert_eq!(
            classify("wait_event_interruptible_timeout"),
            Some(Api::Wait)
        );
        assert_eq!(
            classify("smp_mb__after_clear_bit"),
            Some(Api::Fence(FenceKind::AfterAtomic))
        );
        assert!(is_loop_macro("hlist_for_each_entry_rcu"));
        assert_eq!(guard_class("spinlock_irqsave"), LockKind::SpinIrq);
        assert_eq!(
            classify("xchg_relaxed").map(|a| matches!(a, Api::Rmw { .. })),
            Some(true)
        );
    }
}
