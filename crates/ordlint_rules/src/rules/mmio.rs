//! MMIO accessor names (`writel`, `iowrite32`, `writel_relaxed`, …): the device side of the
//! ordering rules. The IR lowers them as ordinary calls; this is the one place that names them.

/// Width and endianness stems of the MMIO write accessors.
const WRITE_STEMS: &[&str] = &[
    "writeb",
    "writew",
    "writel",
    "writeq",
    "iowrite8",
    "iowrite16",
    "iowrite32",
    "iowrite64",
    "iowrite16be",
    "iowrite32be",
    "iowrite64be",
    "writesb",
    "writesw",
    "writesl",
    "writesq",
    "iowrite8_rep",
    "iowrite16_rep",
    "iowrite32_rep",
    "iowrite64_lo_hi",
    "iowrite64_hi_lo",
    "lo_hi_writeq",
    "hi_lo_writeq",
];

/// How an MMIO write accessor orders earlier normal memory writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MmioWrite {
    /// `writel()`, `iowrite32()`: ordered after all earlier memory writes (an implied `wmb()`).
    Ordered,
    /// `writel_relaxed()`, `__raw_writel()`: no ordering against normal memory at all.
    Relaxed,
}

/// Classify a called name as an MMIO write accessor.
pub(crate) fn mmio_write(name: &str) -> Option<MmioWrite> {
    if let Some(stem) = name.strip_suffix("_relaxed") {
        return WRITE_STEMS.contains(&stem).then_some(MmioWrite::Relaxed);
    }
    if let Some(stem) = name.strip_prefix("__raw_") {
        return WRITE_STEMS.contains(&stem).then_some(MmioWrite::Relaxed);
    }
    WRITE_STEMS.contains(&name).then_some(MmioWrite::Ordered)
}

/// Width and endianness stems of the MMIO read accessors.
const READ_STEMS: &[&str] = &[
    "readb",
    "readw",
    "readl",
    "readq",
    "ioread8",
    "ioread16",
    "ioread32",
    "ioread64",
    "ioread16be",
    "ioread32be",
    "ioread64be",
    "lo_hi_readq",
    "hi_lo_readq",
];

/// True when a called name is an MMIO read accessor (`readl`, `readl_relaxed`,
/// `__raw_readl`, `ioread32`, …): it reads a device register, never normal memory.
pub(crate) fn is_mmio_read(name: &str) -> bool {
    let stem = name
        .strip_suffix("_relaxed")
        .or_else(|| name.strip_prefix("__raw_"))
        .unwrap_or(name);
    READ_STEMS.contains(&stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relaxed_and_raw_writes_are_unordered() {
        assert_eq!(mmio_write("writel"), Some(MmioWrite::Ordered));
        assert_eq!(mmio_write("iowrite32"), Some(MmioWrite::Ordered));
        assert_eq!(mmio_write("writel_relaxed"), Some(MmioWrite::Relaxed));
        assert_eq!(mmio_write("__raw_writeq"), Some(MmioWrite::Relaxed));
        assert_eq!(mmio_write("write_lock"), None);
        assert!(is_mmio_read("readl_relaxed") && is_mmio_read("__raw_readw"));
        assert!(is_mmio_read("ioread32") && !is_mmio_read("read_lock"));
        assert_eq!(mmio_write("readl"), None);
    }
}
