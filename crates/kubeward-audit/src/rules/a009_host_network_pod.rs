//! Pods and workloads that set `hostNetwork: true`.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A009",
    name: "host-network-pod",
    since: "0.1.0",
    aliases: &[],
    title: "Pod uses the host network namespace",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1611"),
        ms("MS-TA9036"),
        RefStatic::pss("baseline:hostNamespaces"),
        falco("Create HostNetwork Pod"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful pod or workload writes whose pod spec sets `hostNetwork: true`. Pods made only of AKS images and writes by platform identities are allowlisted.",
        why: "Sharing this host namespace lets the pod bind node ports, sniff node traffic, bypass network policies and reach the node's local services and the instance metadata endpoint.",
        fix: "Remove `hostNetwork` from the pod template. Enforce Pod Security `baseline` on the namespace (label `pod-security.kubernetes.io/enforce=baseline`) or the matching Azure Policy built-in for AKS (host namespaces / host network and ports).",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0011-3c1e-4b7a-9d2e-8a61c0d20011", "stage": "ResponseComplete", "requestURI": "/apis/apps/v1/namespaces/shop/deployments", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "deployments", "namespace": "shop", "apiVersion": "v1", "apiGroup": "apps"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"hostNetwork": true, "containers": [{"name": "web", "image": "contosoacr.azurecr.io/shop/web:1.4.2"}]}}}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0012-3c1e-4b7a-9d2e-8a61c0d20012", "stage": "ResponseComplete", "requestURI": "/apis/apps/v1/namespaces/shop/deployments", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "deployments", "namespace": "shop", "apiVersion": "v1", "apiGroup": "apps"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "contosoacr.azurecr.io/shop/web:1.4.2"}]}}}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::pod_specs(), Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    host_namespace_shared(v, "hostNetwork")
}
