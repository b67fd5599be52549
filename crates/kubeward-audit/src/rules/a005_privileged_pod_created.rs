//! Privileged containers in pods and workloads.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A005",
    name: "privileged-pod-created",
    since: "0.1.0",
    aliases: &[],
    title: "Privileged container created",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1611"),
        RefStatic::mitre("T1610"),
        ms("MS-TA9018"),
        RefStatic::pss("baseline:privileged"),
        falco("Create Privileged Pod"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch of a pod or of any workload (Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, ReplicationController, PodTemplate) whose containers, init or ephemeral containers set `securityContext.privileged: true`. AKS images (mcr.microsoft.com/oss/…, /aks/…) and platform identities are allowlisted.",
        why: "A privileged container has every capability and the host's devices: escaping to the node is one command away, and from the node the kubelet and node identity.",
        fix: "Remove `privileged: true`; grant only the capability needed. Enforce Pod Security Standards `baseline` or `restricted` with namespace labels (`pod-security.kubernetes.io/enforce: baseline`) or the Azure Policy add-on for AKS (`az aks enable-addons --addons azure-policy`) with the built-in 'Kubernetes cluster should not allow privileged containers'.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0009-3c1e-4b7a-9d2e-8a61c0d20009", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "web", "image": "contosoacr.azurecr.io/shop/web:1.4.2", "securityContext": {"privileged": true}}]}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c000a-3c1e-4b7a-9d2e-8a61c0d2000a", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "web", "image": "contosoacr.azurecr.io/shop/web:1.4.2", "securityContext": {"privileged": false, "allowPrivilegeEscalation": false}}]}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::pod_specs(), Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let spec = written_pod_spec(v)?;
    let bad = offending_containers(spec, |c| true_at(c, "/securityContext/privileged"));
    containers_detail(v, "privileged ", &bad)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    /// Argo Rollouts carry a Deployment-style pod template.
    #[test]
    fn fires_on_an_argo_rollout() {
        let rollout = json!({
            "requestURI": "/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts",
            "objectRef": {"resource": "rollouts", "apiGroup": "argoproj.io", "namespace": "shop", "name": "web"},
            "requestObject": {"kind": "Rollout", "apiVersion": "argoproj.io/v1alpha1", "metadata": {"name": "web"},
                "spec": {"replicas": 2, "template": {"metadata": {}, "spec": {"containers": [
                    {"name": "web", "image": "alpine", "securityContext": {"privileged": true}}]}}}}
        });
        assert!(fires(&CHECK, rollout));
    }

    #[test]
    fn fires_on_pod_and_deployment() {
        let spec = json!({"containers": [{"name": "x", "image": "alpine", "securityContext": {"privileged": true}}]});
        assert!(fires(&CHECK, pod(spec.clone())));
        assert!(fires(&CHECK, deployment(spec)));
        let init = json!({"containers": [{"name": "a", "image": "nginx"}], "initContainers": [{"name": "i", "image": "busybox", "securityContext": {"privileged": true}}]});
        assert!(fires(&CHECK, pod(init)));
    }

    #[test]
    fn silent_on_unprivileged_aks_images_and_controllers() {
        assert!(!fires(
            &CHECK,
            pod(
                json!({"containers": [{"name": "x", "image": "alpine", "securityContext": {"privileged": false}}]})
            )
        ));
        assert!(!fires(
            &CHECK,
            pod(
                json!({"containers": [{"name": "csi", "image": "mcr.microsoft.com/oss/kubernetes-csi/azuredisk-csi:v1.30.1", "securityContext": {"privileged": true}}]})
            )
        ));
        let mut ev = pod(
            json!({"containers": [{"name": "x", "image": "alpine", "securityContext": {"privileged": true}}]}),
        );
        ev["user"] = json!({"username": "system:serviceaccount:kube-system:daemon-set-controller"});
        // The controller creating its own DaemonSet's pod (item 7: only then).
        ev["requestObject"]["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent", "uid": "u", "controller": true}]);
        assert!(!fires(&CHECK, ev));
        let mut refused = pod(
            json!({"containers": [{"name": "x", "image": "alpine", "securityContext": {"privileged": true}}]}),
        );
        refused["responseStatus"] = json!({"code": 403});
        assert!(!fires(&CHECK, refused));
    }
}
