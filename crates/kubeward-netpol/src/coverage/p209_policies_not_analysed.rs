//! P209: policy kinds of other engines that are present but not analysed.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Status};

use super::object_source;
use crate::check::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "P209",
    name: "policies-not-analysed",
    since: "0.1.0",
    aliases: &[],
    title: "All network policy kinds present are analysed",
    area: Area::Netpol,
    severity: Severity::Info,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Calico (projectcalico.org, crd.projectcalico.org), Cilium (cilium.io), Antrea, MultiNetworkPolicy and ClusterNetworkPolicy objects among the inputs.",
        why: "These policies change reachability (Calico tiers and Deny rules, Cilium deny rules and entities) in ways the NetworkPolicy analysis does not model: the reported connectivity is then neither an upper nor a lower bound.",
        fix: "Review these policies separately (calicoctl, cilium policy trace / Hubble), or express the same intent with Kubernetes NetworkPolicy where possible.",
        links: &[
            "https://docs.tigera.io/calico/latest/network-policy/",
            "https://docs.cilium.io/en/stable/security/policy/",
        ],
        bad: "\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress: [{fromEndpoints: [{matchLabels: {app: gateway}}]}]
",
        good: "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: gateway}}}]}]
",
    },
};

pub static CHECK: Check = Check::coverage(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let (inv, a) = (ctx.inv, ctx.analysis);
    a.model
        .unmodelled
        .iter()
        .map(|u| {
            let res = match u.name.split_once('/') {
                Some((ns, n)) => Resource::namespaced(u.kind.clone(), ns, n),
                None => Resource::new(u.kind.clone(), u.name.clone()),
            };
            Finding::new(
                &META,
                Status::Warn,
                res,
                format!(
                    "{} ({}) is present but not analysed: reachability results do not include it",
                    u.kind, u.api_version
                ),
            )
            .with_evidence(Evidence::observed(
                u.api_version.clone(),
                object_source(inv, u.object, "/spec"),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::run;
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn calico_and_cilium_reported() {
        let y = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec: {}\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: ns}\nspec: {}\n---\napiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: k, namespace: ns}\nspec: {}\n";
        let f = run(y, Engine::Default, evaluate);
        let kinds: Vec<&str> = f.iter().map(|f| f.resource.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec![
                "GlobalNetworkPolicy",
                "CiliumNetworkPolicy",
                "NetworkPolicy"
            ]
        );
    }
}
