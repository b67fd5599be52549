//! What a benchmark reports about its own process, read from procfs: peak and current resident
//! memory, and CPU time (a figure other processes on a shared machine do not inflate, unlike wall
//! time). Shared by every crate's benchmarks through `#[path]`; each uses only some of it.
#![allow(dead_code)]

/// A `/proc/self/status` memory line (`VmHWM:`, `VmRSS:`), in KiB.
pub fn status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Peak resident memory so far (VmHWM), in KiB.
pub fn peak_kib() -> Option<u64> {
    status_kib("VmHWM:")
}

/// Peak resident memory so far (VmHWM), in MiB.
pub fn peak_mib() -> Option<f64> {
    peak_kib().map(|k| k as f64 / 1024.0)
}

/// Resident memory now (VmRSS), in MiB.
pub fn rss_mib() -> Option<f64> {
    status_kib("VmRSS:").map(|k| k as f64 / 1024.0)
}

/// User + system CPU time of this process so far, in seconds.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (in parentheses, and it may hold spaces): utime and stime are
    // fields 14 and 15 of the line, 11 and 12 after the name, in 100 Hz ticks.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// [`cpu_seconds`] in ms, 0 when procfs cannot tell.
pub fn cpu_ms() -> f64 {
    cpu_seconds().map_or(0.0, |s| s * 1000.0)
}
