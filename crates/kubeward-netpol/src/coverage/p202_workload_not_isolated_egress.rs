//! P202: workloads no NetworkPolicy isolates for egress.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use crate::check::{Check, Ctx};
use crate::engine::Direction;
use crate::examples::web_deployment;

pub static META: CheckMeta = CheckMeta {
    code: "P202",
    name: "workload-not-isolated-egress",
    since: "0.1.0",
    aliases: &[],
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
        bad: web_deployment!(),
        good: concat!(
            web_deployment!(),
            "\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
"
        ),
    },
};

pub static CHECK: Check = Check::coverage(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    super::isolation_findings(&META, Direction::Egress, ctx)
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_isolation_by_selecting_policy;
    use super::*;

    #[test]
    fn isolation_by_selecting_policy() {
        assert_isolation_by_selecting_policy(evaluate);
    }
}
