//! C frontend: kernel-style C source → ordering IR.
//!
//! Invariants: lowering never fails (problems are data); one bad function never drops its
//! file; spans are byte offsets into the original text (annotation blanking keeps lengths).

/// Lower a C source text into the ordering IR.
pub fn lower(source: &str) -> ordlint_ir::FileIr {
    let _ = source;
    ordlint_ir::FileIr::default()
}
