//! Rust frontend: lowers a Rust source file into the ordering IR (placeholder while the
//! lowering lands).

/// Lower a Rust source file into the ordering IR.
pub fn lower(_source: &str) -> ordlint_ir::FileIr {
    ordlint_ir::FileIr::default()
}
