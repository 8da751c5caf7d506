//! Shared fix builders.
