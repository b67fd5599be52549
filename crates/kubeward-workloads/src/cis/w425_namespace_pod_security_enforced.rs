//! CIS AKS 1.8.0 4.2.1-4.2.5 ("minimise the admission of …"): namespaces enforce Pod Security.

use std::collections::BTreeMap;

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Resource, Severity, Source, Status,
};
use kubeward_inventory::{Object, is_workload};

use crate::Check;
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W425",
    name: "namespace-pod-security-enforced",
    since: "0.1.0",
    aliases: &[],
    title: "Namespaces enforce a Pod Security level at admission",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.2.1"),
        RefStatic::cis_aks("1.8.0", "4.2.2"),
        RefStatic::cis_aks("1.8.0", "4.2.3"),
        RefStatic::cis_aks("1.8.0", "4.2.4"),
        RefStatic::cis_aks("1.8.0", "4.2.5"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "The `pod-security.kubernetes.io/enforce` label of every namespace in the inputs (Namespace objects and namespaces workloads name). `baseline` stops privileged, hostPID, hostIPC and hostNetwork pods; `restricted` also stops privilege escalation. A namespace without the label, or at `privileged`, admits all of them. The Azure Policy add-on can enforce the same through Gatekeeper, which manifests do not show: hence MANUAL (a person confirms), not FAIL.",
        why: "CIS AKS 4.2 asks to minimise the admission of privileged and host-namespace pods: checking the workloads that exist today (W420-W424) is not enough if anyone can create a new one tomorrow.",
        fix: "Label each application namespace: `kubectl label namespace NS pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/enforce-version=latest` (or `baseline` first; `kubeward pss` shows which workloads each level would reject). Alternatively assign the Azure Policy initiative \"Kubernetes cluster pod security baseline standards for Linux-based workloads\" with the AKS Azure Policy add-on.",
        links: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
            "https://learn.microsoft.com/azure/aks/use-psa",
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
  labels:
    pod-security.kubernetes.io/enforce: baseline
"#,
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut namespaces: BTreeMap<String, Option<&Object>> = BTreeMap::new();
    for o in ctx.inv.of_kind("Namespace") {
        namespaces.insert(o.name.clone(), Some(o));
    }
    for o in ctx.inv.objects.iter().filter(|o| is_workload(o)) {
        if let Some(ns) = o.namespace.as_deref().filter(|s| !s.is_empty()) {
            namespaces.entry(ns.to_string()).or_insert(None);
        }
    }
    let mut out = Vec::new();
    for (ns, obj) in namespaces {
        let resource = Resource::new("Namespace", ns.clone());
        let Some(obj) = obj else {
            out.push(
                Finding::new(
                    &META,
                    Status::Manual,
                    resource,
                    format!("namespace {ns} is used by workloads but not in the inputs: its Pod Security labels are unknown"),
                )
                .with_evidence(Evidence::observed(
                    "Namespace object absent",
                    Source::origin("namespace named by workloads in the inputs"),
                )),
            );
            continue;
        };
        let pointer = "/metadata/labels/pod-security.kubernetes.io~1enforce";
        let f = match obj.label(ENFORCE) {
            Some(level @ ("baseline" | "restricted")) => Finding::new(
                &META,
                Status::Pass,
                resource,
                format!("namespace {ns} enforces Pod Security {level}"),
            )
            .with_evidence(Evidence::observed(level.to_string(), obj.source(pointer))),
            Some(other) => Finding::new(
                &META,
                // CIS AKS 4.2.x is met here only if Azure Policy denies such pods, which the
                // manifests do not show: a person's check, not a WARN.
                Status::Manual,
                resource,
                format!("namespace {ns} enforces Pod Security {other:?}: privileged and host-namespace pods are admitted"),
            )
            .with_evidence(
                Evidence::observed(other.to_string(), obj.source(pointer)).with_expected("baseline or restricted"),
            ),
            None => Finding::new(
                &META,
                // CIS AKS 4.2.x is met here only if Azure Policy denies such pods, which the
                // manifests do not show: a person's check, not a WARN.
                Status::Manual,
                resource,
                format!("namespace {ns} has no Pod Security enforce label: privileged and host-namespace pods are admitted unless Azure Policy denies them"),
            )
            .with_evidence(
                Evidence::observed("absent (privileged)", obj.source(pointer))
                    .with_expected("baseline or restricted"),
            ),
        };
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, run_check};

    #[test]
    fn enforce_labels_decide() {
        let input = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {pod-security.kubernetes.io/enforce: restricted}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b, labels: {pod-security.kubernetes.io/warn: restricted}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: c, labels: {pod-security.kubernetes.io/enforce: privileged}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n";
        let f = run_check(input, &ScanOptions::default(), evaluate);
        let status: Vec<(String, Status)> = f
            .iter()
            .map(|f| (f.resource.name.clone(), f.status))
            .collect();
        assert_eq!(
            status,
            vec![
                ("a".into(), Status::Pass),
                ("b".into(), Status::Manual),
                ("c".into(), Status::Manual),
                // A namespace's name sets nothing apart (see `scope`).
                ("kube-system".into(), Status::Manual)
            ]
        );
        assert_eq!(
            f[1].evidence[0].source.key.as_deref(),
            Some("/metadata/labels/pod-security.kubernetes.io~1enforce")
        );
    }

    #[test]
    fn namespace_known_only_from_workloads_is_manual() {
        let input =
            crate::ctx::deployment("d", "shop", "      containers: [{name: app, image: nginx}]");
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Manual);
    }
}
