//! CoreDNS configuration changes.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A028",
    name: "coredns-modified",
    since: "0.1.0",
    aliases: &[],
    title: "CoreDNS configuration modified",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1557"), ms("MS-TA9035")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch/delete of the configmaps `coredns` or `coredns-custom` in kube-system by anyone but the platform.",
        why: "Whoever controls cluster DNS can redirect service names to their own pods and intercept traffic (Defender for Containers: 'CoreDNS modification').",
        fix: "Review the change (`kubectl -n kube-system get configmap coredns-custom -o yaml`); on AKS only `coredns-custom` is meant to be edited, by the platform team; revert unexpected entries.",
        links: &["https://learn.microsoft.com/azure/aks/coredns-custom"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0037-3c1e-4b7a-9d2e-8a61c0d20037", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/configmaps/coredns-custom", "verb": "update", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "configmaps", "namespace": "kube-system", "name": "coredns-custom", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0038-3c1e-4b7a-9d2e-8a61c0d20038", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/configmaps/web-config", "verb": "update", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "configmaps", "namespace": "shop", "name": "web-config", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "configmaps"
        || v.namespace() != "kube-system"
        || !matches!(v.name(), "coredns" | "coredns-custom")
        || !v.is_write()
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
    fn fires_on_coredns_custom_patch() {
        assert!(fires(
            &CHECK,
            json!({"verb": "patch", "objectRef": {"resource": "configmaps", "namespace": "kube-system", "name": "coredns-custom"}, "responseStatus": {"code": 200}})
        ));
    }

    #[test]
    fn silent_on_other_configmaps() {
        assert!(!fires(
            &CHECK,
            json!({"verb": "patch", "objectRef": {"resource": "configmaps", "namespace": "default", "name": "coredns"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"verb": "get", "objectRef": {"resource": "configmaps", "namespace": "kube-system", "name": "coredns"}})
        ));
    }
}
