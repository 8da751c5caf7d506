//! One module per rule, plus `context`, the facts about execution context they share.

pub(crate) mod barrier_publication;
pub(crate) mod context;
pub(crate) mod invalid_suppression;
pub(crate) mod unordered_flag_read;
pub(crate) mod unused_suppression;
