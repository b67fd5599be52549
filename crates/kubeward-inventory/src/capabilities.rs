//! Linux capabilities, named once for every area: Pod Security's baseline list, the ones that reach
//! the host kernel, and the raw-network pair. Pod specs spell them `SYS_ADMIN` or `CAP_SYS_ADMIN`,
//! AppArmor `sys_admin`; [`canonical`] makes them comparable.

/// Pod Security Standards (baseline): the only capabilities `capabilities.add` may list.
pub const PSS_BASELINE_ALLOWED: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Capabilities that reach past the container into the host kernel, its hardware or its security
/// modules: mounting, modules, raw I/O, tracing other processes, rebooting, reading any file,
/// changing MAC policy, eBPF and perf.
pub const HOST_ESCAPE: &[&str] = &[
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_PTRACE",
    "SYS_BOOT",
    "DAC_READ_SEARCH",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "BPF",
    "PERFMON",
];

/// Capabilities that let a container reconfigure or spoof the node's network.
pub const NETWORK_CONTROL: &[&str] = &["NET_ADMIN", "NET_RAW"];

/// `cap_sys_admin`, `CAP_SYS_ADMIN`, ` sys_admin ` → `SYS_ADMIN`.
pub fn canonical(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => upper,
    }
}

/// Does `name` (any spelling) stand in `set`?
pub fn in_set(set: &[&str], name: &str) -> bool {
    let c = canonical(name);
    set.iter().any(|s| *s == c)
}

/// A capability a workload adds that is dangerous in a pod spec: any [`HOST_ESCAPE`] or
/// [`NETWORK_CONTROL`] one, or `ALL`.
pub fn dangerous_in_pod(name: &str) -> bool {
    let c = canonical(name);
    c == "ALL" || in_set(HOST_ESCAPE, &c) || in_set(NETWORK_CONTROL, &c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_agree() {
        assert_eq!(canonical("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(canonical(" sys_ptrace "), "SYS_PTRACE");
        assert!(in_set(HOST_ESCAPE, "mac_admin"));
        assert!(!in_set(HOST_ESCAPE, "NET_BIND_SERVICE"));
        assert!(dangerous_in_pod("CAP_NET_RAW") && dangerous_in_pod("all"));
        assert!(!dangerous_in_pod("CHOWN"));
    }

    #[test]
    fn baseline_allows_nothing_that_escapes() {
        for c in PSS_BASELINE_ALLOWED {
            assert!(!dangerous_in_pod(c), "{c}");
        }
    }
}
