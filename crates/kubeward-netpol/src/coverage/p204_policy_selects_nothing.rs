//! P204: NetworkPolicies whose podSelector matches no workload among the inputs.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Status};

use super::object_source;
use crate::check::{Check, Ctx};
use crate::examples::web_deployment;

pub static META: CheckMeta = CheckMeta {
    code: "P204",
    name: "policy-selects-nothing",
    since: "0.1.0",
    aliases: &[],
    title: "Every NetworkPolicy selects some pods",
    area: Area::Netpol,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The pods each NetworkPolicy's podSelector matches in its namespace.",
        why: "A policy that selects nothing protects nothing: usually a label typo or a workload renamed, leaving the intended pods open.",
        fix: "Correct spec.podSelector to the labels of the pod template (kubectl get pods -n <ns> --show-labels), or delete the stale policy.",
        links: &[],
        bad: concat!(
            web_deployment!(),
            "\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: wbe}}
  policyTypes: [Ingress]
"
        ),
        good: concat!(
            web_deployment!(),
            "\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
"
        ),
    },
};

pub static CHECK: Check = Check::coverage(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let (inv, a) = (ctx.inv, ctx.analysis);
    let mut out = Vec::new();
    for np in &a.model.netpols {
        let hits = a
            .model
            .workloads
            .iter()
            .filter(|w| w.namespace == np.namespace && np.selector.matches(&w.labels))
            .count();
        let res = Resource::namespaced("NetworkPolicy", np.namespace.clone(), np.name.clone());
        let src = object_source(inv, np.object, "/spec/podSelector");
        if hits == 0 {
            out.push(
                Finding::new(
                    &META,
                    Status::Warn,
                    res,
                    format!(
                        "podSelector {} matches no workload in namespace {}",
                        np.selector.describe(),
                        np.namespace
                    ),
                )
                .with_evidence(
                    Evidence::observed(np.selector.describe(), src)
                        .with_note("judged against the analysed inputs only"),
                ),
            );
        } else {
            out.push(
                Finding::new(
                    &META,
                    Status::Pass,
                    res,
                    format!("selects {hits} workload(s)"),
                )
                .with_evidence(Evidence::observed(np.selector.describe(), src)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TWO_APPS, run, statuses};
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn typo_selector_warns() {
        let y = format!(
            "{TWO_APPS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: typo, namespace: shop}}\nspec: {{podSelector: {{matchLabels: {{app: wbe}}}}}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: ok, namespace: shop}}\nspec: {{podSelector: {{matchLabels: {{app: web}}}}}}\n"
        );
        assert_eq!(
            statuses(&run(&y, Engine::Default, evaluate)),
            vec![("typo".into(), Status::Warn), ("ok".into(), Status::Pass)]
        );
    }
}
