//! One module per rule.

pub(crate) mod barrier_publication;
pub(crate) mod unordered_flag_read;
