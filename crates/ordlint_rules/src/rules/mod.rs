//! One module per rule, plus `context`, the facts about execution context they share.

pub(crate) mod atomic_set_unlock;
pub(crate) mod barrier_publication;
pub(crate) mod bit_lock_release;
pub(crate) mod clear_bit_wake_up;
pub(crate) mod compiler_fence_publication;
pub(crate) mod context;
pub(crate) mod deprecated_barrier_api;
pub(crate) mod invalid_suppression;
pub(crate) mod lockword;
pub(crate) mod mb_atomic_non_rmw;
pub(crate) mod mmio;
pub(crate) mod neighbours;
pub(crate) mod percpu;
pub(crate) mod publication;
pub(crate) mod rcu_plain_publication;
pub(crate) mod relaxed_consume;
pub(crate) mod relaxed_publication;
pub(crate) mod relaxed_refcount_release;
pub(crate) mod smp_barrier_for_device;
pub(crate) mod this_cpu_ordering;
pub(crate) mod this_cpu_unpaired;
pub(crate) mod unordered_flag_read;
pub(crate) mod unused_suppression;
pub(crate) mod volatile_sync;
pub(crate) mod waitqueue_active_unordered;
pub(crate) mod write_once_publication;
