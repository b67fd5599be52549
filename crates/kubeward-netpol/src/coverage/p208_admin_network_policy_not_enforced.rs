//! P208: AdminNetworkPolicy / BaselineAdminNetworkPolicy on engines that do not enforce them.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Status};

use super::object_source;
use crate::check::{Check, Ctx};
use crate::engine::Engine;
use crate::examples::cilium_daemonset;

pub static META: CheckMeta = CheckMeta {
    code: "P208",
    name: "admin-network-policy-not-enforced",
    since: "0.1.0",
    aliases: &[],
    title: "AdminNetworkPolicies are enforced by the cluster's policy engine",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "AdminNetworkPolicy and BaselineAdminNetworkPolicy objects (policy.networking.k8s.io/v1alpha1) with the selected engine.",
        why: "None of the AKS-managed engines (Azure NPM, Calico as managed by AKS, Azure CNI powered by Cilium) documents AdminNetworkPolicy support: the guardrails these objects describe are probably not applied, and the cluster behaves as if only NetworkPolicy existed.",
        fix: "Express cluster-wide guardrails as NetworkPolicies in every namespace (or CiliumClusterwideNetworkPolicy on Azure CNI powered by Cilium), enforced through Azure Policy or a GitOps baseline; keep ANPs only where the CNI implements them.",
        links: &[
            "https://network-policy-api.sigs.k8s.io/",
            "https://learn.microsoft.com/azure/aks/use-network-policies",
        ],
        bad: concat!(cilium_daemonset!(), "\
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-from-sandbox}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress: [{name: sandbox, action: Deny, from: [{namespaces: {matchLabels: {env: sandbox}}}]}]
"),
        good: concat!(cilium_daemonset!(), "\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-from-sandbox, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [sandbox]}]}}]}]
"),
    },
};

pub static CHECK: Check = Check::coverage(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let (inv, a) = (ctx.inv, ctx.analysis);
    let engine = a.options.engine;
    a.model
        .admin
        .iter()
        .chain(&a.model.baseline)
        .map(|p| {
            let res = Resource::new(p.kind_name(), p.name.clone());
            let src = object_source(inv, p.object, "/spec");
            if engine == Engine::Default {
                Finding::new(&META, Status::Info, res, "analysed as enforced (default engine); AKS-managed engines do not document AdminNetworkPolicy support")
                    .with_evidence(Evidence::observed(p.kind_name(), src))
            } else {
                Finding::new(&META, Status::Warn, res, format!("the {} engine does not enforce {}: it was left out of the analysis", engine.as_str(), p.kind_name()))
                    .with_evidence(Evidence::observed(p.kind_name(), src).with_expected("NetworkPolicy per namespace"))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::run;
    use super::*;

    const ANP: &str = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: guard}\nspec:\n  priority: 10\n  subject: {namespaces: {}}\n  ingress: [{name: deny, action: Deny, from: [{namespaces: {}}]}]\n";

    #[test]
    fn warns_on_aks_engines() {
        assert_eq!(run(ANP, Engine::Default, evaluate)[0].status, Status::Info);
        for e in [Engine::AzureNpm, Engine::Calico, Engine::Cilium] {
            let f = run(ANP, e, evaluate);
            assert_eq!(f[0].status, Status::Warn);
            assert!(f[0].message.contains(e.as_str()));
        }
    }
}
