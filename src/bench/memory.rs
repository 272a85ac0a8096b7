//! Peak resident memory of this process, from /proc (Linux).

/// Resets the peak-RSS high-water mark, so the next reading covers only what follows.
pub fn reset_peak() {
    // Writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0); elsewhere the peak covers the run.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident set size in MiB, if the platform tells.
pub fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
