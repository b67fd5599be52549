//! DaemonSets created or changed by someone other than the platform.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A064",
    name: "daemonset-changed-by-person",
    since: "0.1.0",
    aliases: &[],
    title: "DaemonSet created or changed by a non-platform identity",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1610"),
        RefStatic::mitre("T1543"),
        ms("MS-TA9008"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create, update or patch of a DaemonSet (not its status) by an identity that is not a platform identity (AKS's own, Kubernetes' components, service accounts of the AKS add-on namespaces), in any namespace. Changes in kube-system by people are also reported by A022 (kube-system-change), and privileged or host-sharing pod templates by A005-A010: this rule is about the DaemonSet itself, which puts a pod on every node.",
        why: "A DaemonSet runs its pod on every node, including new ones: the shortest way from one identity with write access to code on the whole fleet (miners, node-level backdoors, log shippers that read every pod's files).",
        fix: "Confirm the DaemonSet is expected (a known agent, deployed by the usual pipeline) and delete it otherwise (`kubectl delete daemonset -n NS NAME`). Restrict `create`/`patch` on `daemonsets` to the deployment pipeline's identity, and enforce Pod Security admission `baseline` or `restricted` on application namespaces.",
        links: &[
            "https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
            "https://attack.mitre.org/techniques/T1610/",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c009f-3c1e-4b7a-9d2e-8a61c0d2009f", "stage": "ResponseComplete", "requestURI": "/apis/apps/v1/namespaces/kube-system/daemonsets/cloud-node-manager", "verb": "patch", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "daemonsets", "namespace": "kube-system", "name": "cloud-node-manager", "apiVersion": "v1", "apiGroup": "apps"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c009e-3c1e-4b7a-9d2e-8a61c0d2009e", "stage": "ResponseComplete", "requestURI": "/apis/apps/v1/namespaces/kube-system/daemonsets/cloud-node-manager", "verb": "patch", "user": {"username": "aksService", "groups": ["system:masters", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "daemonsets", "namespace": "kube-system", "name": "cloud-node-manager", "apiVersion": "v1", "apiGroup": "apps"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "daemonsets" || !v.subresource().is_empty() || !v.is_modify() {
        return None;
    }
    succeeded_by_person(v)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn ds(user: &str, verb: &str) -> serde_json::Value {
        json!({"verb": verb, "user": {"username": user},
               "requestURI": "/apis/apps/v1/namespaces/monitoring/daemonsets",
               "objectRef": {"resource": "daemonsets", "apiGroup": "apps", "namespace": "monitoring", "name": "node-agent"}})
    }

    #[test]
    fn item8_fires_on_daemonset_written_by_a_person_or_workload() {
        let d = fires_with(
            &CHECK,
            &Config::default(),
            ds("alice@contoso.com", "create"),
        )
        .unwrap();
        assert!(d.contains("daemonsets monitoring/node-agent"), "{d}");
        assert!(fires(
            &CHECK,
            ds("system:serviceaccount:ci:deployer", "patch")
        ));
        assert!(fires(&CHECK, ds("masterclient", "update")));
    }

    #[test]
    fn item8_silent_on_platform_reads_deletes_status_and_refusals() {
        assert!(!fires(&CHECK, ds("aksService", "patch")));
        assert!(!fires(
            &CHECK,
            ds("system:serviceaccount:kube-system:addon-manager", "update")
        ));
        assert!(!fires(&CHECK, ds("alice@contoso.com", "get")));
        assert!(!fires(&CHECK, ds("alice@contoso.com", "delete")));
        let mut status = ds("alice@contoso.com", "patch");
        status["objectRef"]["subresource"] = json!("status");
        assert!(!fires(&CHECK, status));
        let mut refused = ds("alice@contoso.com", "create");
        refused["responseStatus"] = json!({"code": 403});
        assert!(!fires(&CHECK, refused));
        assert!(!fires(&CHECK, json!({"verb": "create"})));
    }
}
