//! P210: policy features the selected AKS engine does not enforce as written.

use std::collections::BTreeMap;

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Status};
use kubeward_inventory::Inventory;

use super::object_source;
use crate::engine::{Analysis, Engine};
use crate::model::{NetPol, Peer, PortRef};

pub static META: CheckMeta = CheckMeta {
    code: "P210",
    name: "engine-unsupported-policy-feature",
    title: "Network policies use only features the cluster's policy engine enforces",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Per NetworkPolicy, features with documented gaps in the AKS engine given by --engine: Azure NPM (no IPv6; endPort ignored by NPM v1; large ipBlock lists race on update), Azure CNI powered by Cilium (endPort only from Cilium 1.17; one named port mapping to different numbers on different pods; ipBlock never matching pods or nodes).",
        why: "A policy the engine silently narrows or widens is not the policy that was reviewed: endPort ignored means only the first port is opened, IPv6 blocks are not enforced, a 0.0.0.0/0 egress rule on Cilium does not reach pods or nodes.",
        fix: "Azure NPM: migrate to Azure CNI powered by Cilium (az aks update --network-dataplane cilium) or keep policies within NPM's limits (IPv4 only, at most a few ipBlocks per policy). Cilium: upgrade to a Kubernetes version with Cilium 1.17+ for endPort (AKS 1.32+), give one port name one number, and add namespaceSelector/podSelector peers next to ipBlock for in-cluster destinations.",
        links: &[
            "https://learn.microsoft.com/azure/aks/use-network-policies",
            "https://learn.microsoft.com/azure/aks/migrate-from-npm-to-cilium-network-policy",
        ],
    },
};

fn issues(a: &Analysis, np: &NetPol) -> Vec<(String, String)> {
    let engine = a.options.engine;
    let rules: Vec<_> = np.ingress.iter().chain(&np.egress).collect();
    let mut out = Vec::new();
    let has_end_port = rules.iter().any(|r| {
        r.ports
            .iter()
            .any(|p| matches!(p.port, PortRef::Range(lo, hi) if hi > lo))
    });
    let ip_blocks: Vec<_> = rules
        .iter()
        .flat_map(|r| r.peers.iter())
        .filter_map(|p| match p {
            Peer::Ip(s) => Some(s),
            _ => None,
        })
        .collect();
    match engine {
        Engine::AzureNpm => {
            if ip_blocks.iter().any(|s| !s.v6.is_empty()) {
                out.push((
                    "/spec".into(),
                    "IPv6 ipBlock: Azure NPM does not support IPv6, the block is not enforced"
                        .into(),
                ));
            }
            if has_end_port {
                out.push(("/spec".into(), "endPort: NPM v1 ignored it (only the first port opened); verify the cluster runs NPM v2".into()));
            }
            if ip_blocks.len() > 4 {
                out.push(("/spec".into(), format!("{} ipBlocks: updating or deleting such a policy can briefly open connectivity on NPM (keep to 4 or fewer)", ip_blocks.len())));
            }
        }
        Engine::Cilium => {
            if has_end_port {
                out.push((
                    "/spec".into(),
                    "endPort is enforced only from Cilium 1.17 (AKS Kubernetes 1.32 and later)"
                        .into(),
                ));
            }
            // one name, several numbers among the pods the rules can resolve against
            let mut names: BTreeMap<&str, std::collections::BTreeSet<u16>> = BTreeMap::new();
            for r in &rules {
                for p in &r.ports {
                    if let PortRef::Named(n) = &p.port {
                        for w in &a.model.workloads {
                            if let Some(num) = w.named_port(n, p.protocol) {
                                names.entry(n.as_str()).or_default().insert(num);
                            }
                        }
                    }
                }
            }
            for (n, nums) in names {
                if nums.len() > 1 {
                    out.push(("/spec".into(), format!("named port {n} maps to {} different numbers on different pods: Cilium may enforce the wrong one (cilium/cilium#30003)", nums.len())));
                }
            }
            if np.egress.iter().any(|r| {
                r.peers.iter().any(|p| matches!(p, Peer::Ip(s) if s.v4.contains_range(0, u32::MAX as u128) || s.v4.spans().iter().any(|&(lo, hi)| hi - lo >= 0x00FF_FFFF)))
            }) {
                out.push(("/spec/egress".into(), "broad ipBlock egress: Cilium never matches pods or nodes with ipBlock, so in-cluster destinations need namespaceSelector/podSelector peers".into()));
            }
        }
        Engine::Calico | Engine::Default => {}
    }
    out
}

pub fn evaluate(inv: &Inventory, a: &Analysis) -> Vec<Finding> {
    if a.options.engine == Engine::Default {
        return Vec::new();
    }
    let mut out = Vec::new();
    for np in &a.model.netpols {
        for (ptr, msg) in issues(a, np) {
            out.push(
                Finding::new(
                    &META,
                    Status::Warn,
                    Resource::namespaced("NetworkPolicy", np.namespace.clone(), np.name.clone()),
                    format!("{} engine: {msg}", a.options.engine.as_str()),
                )
                .with_evidence(Evidence::observed(msg, object_source(inv, np.object, &ptr))),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TWO_APPS, run};
    use super::*;

    #[test]
    fn per_engine_gaps() {
        let y = format!(
            "{TWO_APPS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{}}\n  ingress: [{{ports: [{{port: 8000, endPort: 8100}}]}}]\n  egress: [{{to: [{{ipBlock: {{cidr: 0.0.0.0/0}}}}, {{ipBlock: {{cidr: 'fd00::/8'}}}}]}}]\n"
        );
        let npm = run(&y, Engine::AzureNpm, evaluate);
        assert!(npm.iter().any(|f| f.message.contains("IPv6")), "{npm:?}");
        assert!(npm.iter().any(|f| f.message.contains("endPort")));
        let cil = run(&y, Engine::Cilium, evaluate);
        assert!(cil.iter().any(|f| f.message.contains("Cilium 1.17")));
        assert!(cil.iter().any(|f| f.message.contains("never matches pods")));
        assert!(run(&y, Engine::Default, evaluate).is_empty());
        assert!(run(&y, Engine::Calico, evaluate).is_empty());
    }
}
