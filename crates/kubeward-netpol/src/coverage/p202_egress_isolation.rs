//! P202: workloads no NetworkPolicy isolates for egress.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};
use kubeward_inventory::Inventory;

use super::{object_source, workload_resource};
use crate::engine::{Analysis, Direction};

pub static META: CheckMeta = CheckMeta {
    code: "P202",
    name: "workload-not-isolated-egress",
    title: "Workloads are isolated for egress by a NetworkPolicy",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[kubeward_core::RefStatic::cis_aks("1.8.0", "5.4.4")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Whether at least one NetworkPolicy in the workload's namespace selects its pods with Egress in its (effective) policyTypes.",
        why: "A pod that no policy selects for egress accepts every connection in that direction: one compromised pod reaches it (or it reaches anything), and later allow rules elsewhere do not protect it. CIS AKS 5.4.4 asks for network policy enabled and set as appropriate.",
        fix: "Add a default-deny policy to the namespace (podSelector: {}, policyTypes: [Egress]) and allow rules for the flows you need; `kubeward netpol generate PATH` writes them. On AKS the cluster needs a policy engine (az aks update --network-policy cilium|azure|calico).",
        links: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
        ],
    },
};

pub fn evaluate(inv: &Inventory, a: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for (wi, w) in a.model.workloads.iter().enumerate() {
        let c = a.class_of[wi];
        let pols = a.policies_selecting(c, Direction::Egress);
        let src = object_source(inv, w.object, "/metadata/labels");
        let f = if w.host_network && a.options.engine.ignores_host_network_pods() {
            Finding::new(
                &META,
                Status::Fail,
                workload_resource(w),
                "hostNetwork pods are not protected by NetworkPolicy under this engine",
            )
            .with_evidence(
                Evidence::observed("hostNetwork: true", object_source(inv, w.object, "/spec"))
                    .with_note("NetworkPolicy engines treat host-network pods as node traffic"),
            )
        } else if pols.is_empty() {
            Finding::new(&META, Status::Fail, workload_resource(w), "not isolated for egress: every connection is allowed")
                .with_evidence(Evidence::observed("no NetworkPolicy selects these pods for Egress", src).with_note("absent a selecting policy, Kubernetes allows all traffic in that direction"))
        } else {
            let names: Vec<String> = pols
                .iter()
                .map(|&p| a.model.netpols[p].display_name())
                .collect();
            Finding::new(
                &META,
                Status::Pass,
                workload_resource(w),
                format!("isolated for egress by {}", names.join(", ")),
            )
            .with_evidence(Evidence::observed(names.join(","), src))
        };
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TWO_APPS, run, statuses};
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn isolation_by_selecting_policy() {
        let y = format!(
            "{TWO_APPS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  policyTypes: [Ingress, Egress]\n"
        );
        let f = run(&y, Engine::Default, evaluate);
        assert_eq!(
            statuses(&f),
            vec![("web".into(), Status::Fail), ("db".into(), Status::Pass)]
        );
    }
}
