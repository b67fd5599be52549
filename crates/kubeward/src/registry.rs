//! The one registry of every check, from every area crate.

use kubeward_core::{Registry, profile};

pub fn registry() -> Registry {
    let mut r = Registry::new();
    r.register(&kubeward_node::checks());
    r.register(&kubeward_workloads::checks());
    r.register(&kubeward_netpol::checks());
    r.register(&kubeward_audit::checks());
    r.register(&kubeward_aks::checks());
    r.register(&kubeward_profiles::checks());
    r.register(&kubeward_core::waiver::checks());
    // The fleet's own findings (a node that did not report, nodes that disagree).
    r.register(&[
        &kubeward_live::fleet::NODE_INCOMPLETE,
        &kubeward_live::fleet::NODES_DIFFER,
    ]);
    // Constraint checks (`GK/…`) this run has read so far (`--policy`, a cluster's constraints).
    r.register(&kubeward_core::dynamic::all());
    r
}

/// `kubeward --version`: the version and the benchmark profiles built in.
pub fn long_version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let mut s = String::from(env!("CARGO_PKG_VERSION"));
        s.push_str("\nbenchmark profiles:");
        for p in profile::BUILTIN {
            s.push_str(&format!("\n  {:<14} {}", p.id, p.title));
        }
        s
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn registry_invariants_hold() {
        if let Err(errors) = super::registry().validate() {
            panic!("registry invalid: {errors:?}");
        }
    }
}
