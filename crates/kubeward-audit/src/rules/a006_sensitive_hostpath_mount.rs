//! hostPath volumes on sensitive host paths.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A006",
    name: "sensitive-hostpath-mount",
    since: "0.1.0",
    aliases: &[],
    title: "Pod mounts a sensitive host path",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1611"),
        RefStatic::mitre("T1552.001"),
        ms("MS-TA9013"),
        ms("MS-TA9026"),
        RefStatic::pss("baseline:hostPath"),
        falco("Create Sensitive Mount Pod"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful pod or workload writes with a hostPath volume on the host root, /etc, /proc, /root, /home, /var/lib/kubelet, /etc/kubernetes (incl. azure.json, the service principal file) or a container runtime socket.",
        why: "These paths hold the node's credentials and control its containers: mounting them is a container escape and, on AKS, can expose the cluster's service principal or kubelet identity.",
        fix: "Use emptyDir, a PersistentVolumeClaim or a CSI volume instead. Enforce Pod Security `baseline` (forbids hostPath) or the Azure Policy built-in 'Kubernetes cluster pod hostPath volumes should only use allowed host paths'.",
        links: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c000b-3c1e-4b7a-9d2e-8a61c0d2000b", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "web", "image": "contosoacr.azurecr.io/shop/web:1.4.2", "volumeMounts": [{"name": "host", "mountPath": "/host"}]}], "volumes": [{"name": "host", "hostPath": {"path": "/"}}]}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c000c-3c1e-4b7a-9d2e-8a61c0d2000c", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "web", "image": "contosoacr.azurecr.io/shop/web:1.4.2", "volumeMounts": [{"name": "cache", "mountPath": "/cache"}]}], "volumes": [{"name": "cache", "emptyDir": {}}]}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::pod_specs(), Status::Fail, eval);

const SENSITIVE: &[&str] = &[
    "/proc",
    "/etc",
    "/root",
    "/home",
    "/var/lib/kubelet",
    "/etc/kubernetes",
    "/var/run/docker.sock",
    "/run/containerd",
    "/var/run/containerd",
    "/run/containerd/containerd.sock",
    "/var/run/crio",
    "/var/lib/containerd",
    "/dev",
    "/boot",
    "/sys",
];

pub fn is_sensitive(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    p.is_empty()
        || SENSITIVE
            .iter()
            .any(|s| p == *s || p.starts_with(&format!("{s}/")))
}

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let spec = written_pod_spec(v)?;
    if all_aks_images(spec) {
        return None;
    }
    let paths: Vec<&str> = spec
        .get("volumes")
        .and_then(|x| x.as_array())
        .into_iter()
        .flatten()
        .filter_map(|vol| vol.pointer("/hostPath/path").and_then(|p| p.as_str()))
        .filter(|p| is_sensitive(p))
        .collect();
    (!paths.is_empty()).then(|| {
        format!(
            "{} {}: hostPath {}",
            v.verb(),
            object_name(v),
            paths.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_host_root_and_azure_json() {
        assert!(fires(
            &CHECK,
            pod(
                json!({"containers": [{"name": "x", "image": "alpine"}], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]})
            )
        ));
        assert!(fires(
            &CHECK,
            deployment(
                json!({"containers": [{"name": "x", "image": "alpine"}], "volumes": [{"name": "h", "hostPath": {"path": "/etc/kubernetes/azure.json", "type": "File"}}]})
            )
        ));
    }

    #[test]
    fn silent_on_harmless_paths_and_aks_pods() {
        assert!(!fires(
            &CHECK,
            pod(
                json!({"containers": [{"name": "x", "image": "alpine"}], "volumes": [{"name": "h", "hostPath": {"path": "/var/log/app"}}]})
            )
        ));
        assert!(!fires(
            &CHECK,
            pod(
                json!({"containers": [{"name": "x", "image": "mcr.microsoft.com/azuremonitor/containerinsights/ciprod:3.1"}], "volumes": [{"name": "h", "hostPath": {"path": "/etc"}}]})
            )
        ));
        assert!(!is_sensitive("/etcd-backup"));
        assert!(is_sensitive("/etc/"));
    }
}
