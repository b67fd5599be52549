//! CIS AKS 1.8.0 4.6.3: the default namespace should not be used.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Resource, Severity, Status,
};
use kubeward_inventory::Object;

use crate::Check;
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W460",
    name: "default-namespace-used",
    since: "0.1.0",
    aliases: &[],
    title: "The default namespace is not used",
    area: Area::Workloads,
    severity: Severity::Low,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.6.3"),
        RefStatic::cis_aks("1.7.0", "4.6.3"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Workloads, Services, Ingresses, ConfigMaps, Secrets, ServiceAccounts, Roles and RoleBindings in the `default` namespace (the `kubernetes` Service, the `kube-root-ca.crt` ConfigMap and the `default` ServiceAccount that Kubernetes itself creates are ignored). An object without `metadata.namespace` is MANUAL: it lands in whatever namespace the applying context uses, `default` unless set, so the CIS verdict depends on where it is applied.",
        why: "Everything in `default` shares one security boundary: RBAC, NetworkPolicies, Pod Security labels and quotas cannot tell the applications apart, and `default` is where anything applied without a namespace ends up.",
        fix: "Create a namespace per application or team (`kubectl create namespace NAME`), move the objects there (set `metadata.namespace` in the manifests, or `helm install -n NAME`), and label it for Pod Security. Restrict `default` with a deny-all NetworkPolicy and the Azure Policy built-in \"Kubernetes clusters should not use the default namespace\".",
        links: &["https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"],
        bad: deployment_example!(namespace: "default"),
        good: deployment_example!(),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

const KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "Rollout",
    "Service",
    "Ingress",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "PersistentVolumeClaim",
    "HorizontalPodAutoscaler",
];

fn created_by_kubernetes(o: &Object) -> bool {
    matches!(
        (o.kind.as_str(), o.name.as_str()),
        ("Service", "kubernetes")
            | ("ConfigMap", "kube-root-ca.crt")
            | ("ServiceAccount", "default")
    )
}

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut checked = 0usize;
    for o in ctx
        .inv
        .objects
        .iter()
        .filter(|o| KINDS.contains(&o.kind.as_str()))
    {
        if created_by_kubernetes(o) {
            continue;
        }
        checked += 1;
        match o.namespace.as_deref() {
            Some("default") => out.push(
                Finding::new(&META, Status::Fail, o.resource(), format!("{} {} is in the default namespace", o.kind, o.name))
                    .with_evidence(Evidence::observed("default", o.source("/metadata/namespace")).with_expected("a dedicated namespace")),
            ),
            None | Some("") => out.push(
                Finding::new(&META, Status::Manual, o.resource(), format!("{} {} names no namespace: it lands in the applying context's namespace (default unless set); check where it is applied", o.kind, o.name))
                    .with_evidence(Evidence::observed("absent", o.source("/metadata/namespace")).with_expected("a dedicated namespace")),
            ),
            Some(_) => {}
        }
    }
    if out.is_empty() {
        out.push(Finding::new(
            &META,
            Status::Pass,
            Resource::new("Namespace", "default"),
            format!("none of the {checked} namespaced objects is in the default namespace"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};

    #[test]
    fn explicit_default_fails_absent_warns() {
        let mut input = deployment(
            "d",
            "default",
            "      containers: [{name: app, image: nginx}]",
        );
        input.push_str("---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: kubernetes, namespace: default}\n");
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/metadata/namespace")
        );
        assert_eq!(
            f[1].status,
            Status::Manual,
            "the CIS verdict depends on where it is applied"
        );
    }

    #[test]
    fn dedicated_namespaces_pass() {
        let input = deployment("d", "shop", "      containers: [{name: app, image: nginx}]");
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Pass);
    }
}
