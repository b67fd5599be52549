//! Pods and workloads created in kube-system or kube-public by people.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A023",
    name: "pod-in-system-namespace",
    since: "0.1.0",
    aliases: &[],
    title: "Pod or workload created in a system namespace",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1036.005"),
        RefStatic::mitre("T1610"),
        ms("MS-TA9023"),
        falco("Pod Created in Kube Namespace"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create of pods or workloads in kube-system or kube-public by anyone but the platform, unless every container runs an AKS image (mcr.microsoft.com/oss/…, /aks/…).",
        why: "A container in kube-system blends in with add-ons, is rarely reviewed and often runs with powerful service accounts: a classic backdoor (Defender for Containers: 'New container in the kube-system namespace').",
        fix: "Delete the workload if it is not yours; deploy applications to their own namespaces; restrict create in kube-system to the platform (namespace-scoped Azure RBAC roles).",
        links: &[
            "https://microsoft.github.io/Threat-Matrix-for-Kubernetes/techniques/Pod%20or%20container%20name%20similarily/",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c002d-3c1e-4b7a-9d2e-8a61c0d2002d", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "tools", "namespace": "kube-system"}, "spec": {"containers": [{"name": "tools", "image": "docker.io/library/alpine:3.20"}]}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c002e-3c1e-4b7a-9d2e-8a61c0d2002e", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "tools", "namespace": "shop"}, "spec": {"containers": [{"name": "tools", "image": "docker.io/library/alpine:3.20"}]}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if !matches!(v.namespace(), "kube-system" | "kube-public")
        || v.verb() != "create"
        || !POD_BEARING.contains(&v.resource())
        || !v.subresource().is_empty()
        || !is_completed_by_person(v)
    {
        return None;
    }
    let images: Vec<String> = v
        .object()
        .and_then(pod_spec)
        .map(|s| {
            containers(s)
                .map(|c| str_at(c, "/image").to_string())
                .collect()
        })
        .unwrap_or_default();
    if !images.is_empty() && images.iter().all(|i| is_aks_image(i)) {
        return None;
    }
    let name = if v.name().is_empty() {
        v.object()
            .map(|o| str_at(o, "/metadata/name"))
            .unwrap_or("")
    } else {
        v.name()
    };
    Some(format!(
        "create {} {}/{name} images [{}]",
        v.resource(),
        v.namespace(),
        images.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_pod_in_kube_system() {
        let mut ev = pod(
            json!({"containers": [{"name": "coredns-x", "image": "docker.io/attacker/tools"}]}),
        );
        ev["objectRef"] = json!({"namespace": "kube-system", "name": "coredns-x"});
        assert!(fires(&CHECK, ev));
    }

    #[test]
    fn silent_on_aks_images_controllers_and_default_namespace() {
        let mut ev = pod(
            json!({"containers": [{"name": "c", "image": "mcr.microsoft.com/oss/kubernetes/coredns:v1.11"}]}),
        );
        ev["objectRef"] = json!({"namespace": "kube-system"});
        assert!(!fires(&CHECK, ev));
        assert!(!fires(
            &CHECK,
            json!({"user": {"username": "system:serviceaccount:kube-system:replicaset-controller"}, "objectRef": {"namespace": "kube-system"}})
        ));
        assert!(!fires(
            &CHECK,
            pod(json!({"containers": [{"name": "c", "image": "alpine"}]}))
        ));
    }
}
