//! Deletion of namespaces, volumes and workloads by people.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A035",
    name: "destructive-delete",
    since: "0.1.0",
    aliases: &[],
    title: "Namespace, volume or workload deleted by a person",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1485"),
        RefStatic::mitre("T1562.001"),
        ms("MS-TA9038"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful delete/deletecollection of namespaces, persistentvolumeclaims, persistentvolumes, deployments, statefulsets or daemonsets (and network policies) by anyone but the platform and service accounts.",
        why: "Mass deletion destroys data and services; deleting a security DaemonSet or a network policy switches defences off before an attack.",
        fix: "Check the deletion was planned; protect critical resources (AKS resource locks, Velero or AKS Backup for volumes, GitOps to restore workloads) and limit delete rights.",
        links: &[
            "https://learn.microsoft.com/azure/backup/azure-kubernetes-service-backup-overview",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0045-3c1e-4b7a-9d2e-8a61c0d20045", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/persistentvolumeclaims/data-db-0", "verb": "delete", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "persistentvolumeclaims", "namespace": "shop", "name": "data-db-0", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0046-3c1e-4b7a-9d2e-8a61c0d20046", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/persistentvolumeclaims/data-db-0", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "persistentvolumeclaims", "namespace": "shop", "name": "data-db-0", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if !matches!(v.verb(), "delete" | "deletecollection")
        || !v.subresource().is_empty()
        || !matches!(
            v.resource(),
            "namespaces"
                | "persistentvolumeclaims"
                | "persistentvolumes"
                | "deployments"
                | "statefulsets"
                | "daemonsets"
                | "networkpolicies"
        )
        || v.username().starts_with("system:")
    {
        return None;
    }
    succeeded_by_person(v)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_namespace_delete() {
        assert!(fires(
            &CHECK,
            json!({"verb": "delete", "objectRef": {"resource": "namespaces", "namespace": null, "name": "payments"}, "responseStatus": {"code": 200}})
        ));
    }

    #[test]
    fn silent_on_pod_deletes_and_controllers() {
        assert!(!fires(
            &CHECK,
            json!({"verb": "delete", "objectRef": {"resource": "pods"}, "responseStatus": {"code": 200}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"verb": "delete", "user": {"username": "system:serviceaccount:argocd:argocd-application-controller"}, "objectRef": {"resource": "deployments"}})
        ));
    }
}
