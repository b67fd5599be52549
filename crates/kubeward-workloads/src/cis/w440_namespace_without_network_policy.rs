//! CIS AKS 1.8.0 4.4.2: all namespaces have network policies defined.

use std::collections::BTreeMap;

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Resource, Severity, Source, Status,
};
use kubeward_inventory::{Object, is_workload};

use crate::Check;
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W440",
    name: "namespace-without-network-policy",
    since: "0.1.0",
    aliases: &[],
    title: "Every namespace has a network policy",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.4.2"),
        RefStatic::cis_aks("1.7.0", "4.4.2"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Each namespace in the inputs (Namespace objects and namespaces workloads name) for at least one policy that applies there: a Kubernetes NetworkPolicy, a Calico NetworkPolicy (`projectcalico.org` or `crd.projectcalico.org`) or a Cilium CiliumNetworkPolicy in the namespace, or a cluster-wide Calico GlobalNetworkPolicy, CiliumClusterwideNetworkPolicy or AdminNetworkPolicy (which may still exclude the namespace through its selector: read the note).",
        why: "Without any policy every pod accepts traffic from every pod in the cluster and may connect anywhere: one compromised pod can reach every database and internal API, and exfiltrate freely.",
        fix: "Enable a network policy engine (`az aks create/update --network-policy azure|calico|cilium`) and add at least a default-deny policy per namespace: `kind: NetworkPolicy`, `spec: {podSelector: {}, policyTypes: [Ingress, Egress]}`, then allow the flows each application needs (`kubeward netpol generate` can propose them).",
        links: &[
            "https://learn.microsoft.com/azure/aks/use-network-policies",
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
        ],
        bad: r#"apiVersion: v1
kind: Namespace
metadata:
  name: shop
"#,
        good: r#"apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-ingress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
"#,
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

/// Is this object a namespaced network policy of any engine?
fn is_namespaced_policy(o: &Object) -> bool {
    matches!(
        (o.kind.as_str(), o.group()),
        (
            "NetworkPolicy",
            "networking.k8s.io" | "projectcalico.org" | "crd.projectcalico.org"
        ) | ("CiliumNetworkPolicy", "cilium.io")
    )
}

/// Is this object a cluster-wide network policy of any engine?
fn is_cluster_policy(o: &Object) -> bool {
    matches!(
        (o.kind.as_str(), o.group()),
        (
            "GlobalNetworkPolicy",
            "projectcalico.org" | "crd.projectcalico.org"
        ) | ("CiliumClusterwideNetworkPolicy", "cilium.io")
            | (
                "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy",
                "policy.networking.k8s.io"
            )
    )
}

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    // namespace -> the Namespace object, if any
    let mut namespaces: BTreeMap<String, Option<&Object>> = BTreeMap::new();
    for o in ctx.inv.of_kind("Namespace") {
        namespaces.insert(o.name.clone(), Some(o));
    }
    for o in ctx.inv.objects.iter().filter(|o| is_workload(o)) {
        if let Some(ns) = o.namespace.as_deref().filter(|s| !s.is_empty()) {
            namespaces.entry(ns.to_string()).or_insert(None);
        }
    }
    let mut policies: BTreeMap<&str, Vec<&Object>> = BTreeMap::new();
    for p in ctx.inv.objects.iter().filter(|o| is_namespaced_policy(o)) {
        policies
            .entry(p.namespace.as_deref().unwrap_or("default"))
            .or_default()
            .push(p);
    }
    let cluster: Vec<&Object> = ctx
        .inv
        .objects
        .iter()
        .filter(|o| is_cluster_policy(o))
        .collect();

    let mut out = Vec::new();
    for (ns, obj) in &namespaces {
        let resource = Resource::new("Namespace", ns.clone());
        if let Some(ps) = policies.get(ns.as_str()) {
            let mut f = Finding::new(
                &META,
                Status::Pass,
                resource,
                format!(
                    "{} network polic{} in the namespace",
                    ps.len(),
                    if ps.len() == 1 { "y" } else { "ies" }
                ),
            );
            for p in ps {
                f = f.with_evidence(Evidence::observed(
                    format!("{} {}", p.kind, p.name),
                    p.source("/spec"),
                ));
            }
            out.push(f);
        } else if let Some(first) = cluster.first() {
            let names: Vec<String> = cluster
                .iter()
                .map(|p| format!("{} {}", p.kind, p.name))
                .collect();
            out.push(
                Finding::new(&META, Status::Pass, resource, format!("no namespaced policy, but cluster-wide policies exist: {}", names.join(", ")))
                    .with_evidence(
                        Evidence::observed(names.join(", "), first.source("/spec"))
                            .with_note("a cluster-wide policy applies unless its namespace selector excludes this namespace"),
                    ),
            );
        } else {
            let source = match obj {
                Some(o) => o.source("/metadata/name"),
                None => Source::origin("namespace named by workloads in the inputs"),
            };
            out.push(
                Finding::new(&META, Status::Fail, resource, format!("namespace {ns} has no network policy: all traffic to and from its pods is allowed"))
                    .with_evidence(Evidence::observed("0 policies", source).with_expected("at least one (default deny)")),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, run_check};

    const NS: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: blog}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n";

    #[test]
    fn namespace_without_policy_fails_and_with_one_passes() {
        let input = format!(
            "{NS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: shop}}\nspec: {{podSelector: {{}}}}\n"
        );
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(f.len(), 3, "kube-system is judged like any namespace");
        let system = f.iter().find(|f| f.resource.name == "kube-system");
        assert_eq!(system.map(|f| f.status), Some(Status::Fail));
        let blog = f.iter().find(|f| f.resource.name == "blog").expect("blog");
        assert_eq!(blog.status, Status::Fail);
        let shop = f.iter().find(|f| f.resource.name == "shop").expect("shop");
        assert_eq!(shop.status, Status::Pass);
    }

    #[test]
    fn calico_and_cilium_policies_count() {
        let input = format!(
            "{NS}---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {{name: c, namespace: shop}}\nspec: {{selector: all()}}\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: c, namespace: blog}}\nspec: {{endpointSelector: {{}}}}\n"
        );
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert!(
            f.iter()
                .filter(|f| f.resource.name != "kube-system")
                .all(|f| f.status == Status::Pass),
            "{f:#?}"
        );
    }

    #[test]
    fn cluster_wide_policies_cover_with_a_note() {
        let input = format!(
            "{NS}---\napiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\nmetadata: {{name: default-deny}}\nspec: {{selector: all()}}\n"
        );
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert!(f.iter().all(|f| f.status == Status::Pass));
        assert!(f[0].evidence[0].note.is_some());
    }
}
