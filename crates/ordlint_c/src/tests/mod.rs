//! Behaviour tests of the C frontend on realistic kernel-shaped C, and a compact rendering of
//! the IR for snapshots.

mod render;

#[allow(clippy::type_complexity)]
mod lowering;
