//! P203: namespaces without a default-deny policy per direction.

use std::collections::BTreeMap;

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Source, Status,
};

use super::object_source;
use crate::check::{Check, Ctx};
use crate::examples::{default_deny_both, default_deny_ingress, web_deployment};

pub static META: CheckMeta = CheckMeta {
    code: "P203",
    name: "namespace-without-default-deny",
    since: "0.1.0",
    aliases: &[],
    title: "Every namespace with workloads has a default-deny policy for ingress and egress",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[kubeward_core::RefStatic::cis_aks("1.8.0", "5.4.4")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "NetworkPolicies with an empty podSelector (every pod of the namespace) that list Ingress / Egress in policyTypes.",
        why: "Without a catch-all policy, every new workload in the namespace starts fully open until someone writes a policy for it.",
        fix: "Apply per namespace: apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: default-deny, namespace: <ns>}, spec: {podSelector: {}, policyTypes: [Ingress, Egress]}, plus an egress rule to kube-dns (UDP/TCP 53) — `kubeward netpol generate` prints them.",
        links: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
        ],
        bad: concat!(web_deployment!(), "---\n", default_deny_ingress!()),
        good: concat!(web_deployment!(), "---\n", default_deny_both!()),
    },
};

pub static CHECK: Check = Check::coverage(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let (inv, a) = (ctx.inv, ctx.analysis);
    let mut per_ns: BTreeMap<&str, (bool, bool, Vec<String>)> = BTreeMap::new();
    for w in &a.model.workloads {
        per_ns.entry(w.namespace.as_str()).or_default();
    }
    for np in &a.model.netpols {
        if let Some(e) = per_ns.get_mut(np.namespace.as_str())
            && np.selector.is_empty()
        {
            e.0 |= np.affects_ingress;
            e.1 |= np.affects_egress;
            e.2.push(np.name.clone());
        }
    }
    let mut out = Vec::new();
    for (ns, (ing, egr, names)) in per_ns {
        let res = Resource::new("Namespace", ns);
        let src = inv
            .objects
            .iter()
            .position(|o| o.kind == "Namespace" && o.name == ns)
            .map_or_else(
                || Source::origin("namespace referenced by workloads"),
                |i| object_source(inv, i, "/metadata/name"),
            );
        let missing: Vec<&str> = [("Ingress", ing), ("Egress", egr)]
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(d, _)| *d)
            .collect();
        if missing.is_empty() {
            out.push(
                Finding::new(
                    &META,
                    Status::Pass,
                    res,
                    format!("catch-all policies: {}", names.join(", ")),
                )
                .with_evidence(Evidence::observed(names.join(","), src)),
            );
        } else {
            out.push(
                Finding::new(
                    &META,
                    Status::Fail,
                    res,
                    format!("no policy selects every pod for {}", missing.join(" and ")),
                )
                .with_evidence(
                    Evidence::observed(
                        if names.is_empty() {
                            "no catch-all policy".to_string()
                        } else {
                            names.join(",")
                        },
                        src,
                    )
                    .with_expected("podSelector: {} with policyTypes [Ingress, Egress]"),
                ),
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
    fn catch_all_per_direction() {
        assert_eq!(
            statuses(&run(TWO_APPS, Engine::Default, evaluate)),
            vec![("shop".into(), Status::Fail)]
        );
        let y = format!(
            "{TWO_APPS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: d, namespace: shop}}\nspec: {{podSelector: {{}}, policyTypes: [Ingress]}}\n"
        );
        let f = run(&y, Engine::Default, evaluate);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("Egress") && !f[0].message.contains("Ingress"));
        let y = format!(
            "{TWO_APPS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: d, namespace: shop}}\nspec: {{podSelector: {{}}, policyTypes: [Ingress, Egress]}}\n"
        );
        assert_eq!(
            statuses(&run(&y, Engine::Default, evaluate)),
            vec![("shop".into(), Status::Pass)]
        );
    }
}
