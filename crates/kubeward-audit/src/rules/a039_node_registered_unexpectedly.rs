//! Nodes registered by identities other than the node itself.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A039",
    name: "node-registered-unexpectedly",
    since: "0.1.0",
    aliases: &[],
    title: "Node object created by an unexpected identity",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1078"),
        RefStatic::mitre("T1610"),
        falco("Untrusted Node Successfully Joined the Cluster"),
        falco("Untrusted Node Unsuccessfully Tried to Join the Cluster"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Create requests on nodes (successful or refused) by anyone but the kubelet registering itself (`system:node:<same name>`) or the AKS control plane. On AKS, nodes join through the node pools AKS manages.",
        why: "A node registered from outside the managed node pools receives pods, their secrets and service-account tokens: a rogue node is a way to harvest workload credentials.",
        fix: "Delete the node object (`kubectl delete node NAME`), find the credential used and revoke it; keep node bootstrap to AKS-managed node pools (`az aks nodepool list`).",
        links: &["https://kubernetes.io/docs/reference/access-authn-authz/node/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c004d-3c1e-4b7a-9d2e-8a61c0d2004d", "stage": "ResponseComplete", "requestURI": "/api/v1/nodes", "verb": "create", "user": {"username": "system:node:aks-nodepool1-12345678-vmss000000", "groups": ["system:nodes", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "nodes", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Node", "apiVersion": "v1", "metadata": {"name": "rogue-node"}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c004e-3c1e-4b7a-9d2e-8a61c0d2004e", "stage": "ResponseComplete", "requestURI": "/api/v1/nodes", "verb": "create", "user": {"username": "system:node:rogue-node", "groups": ["system:nodes", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "nodes", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Node", "apiVersion": "v1", "metadata": {"name": "rogue-node"}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "nodes"
        || !v.subresource().is_empty()
        || v.verb() != "create"
        || !v.is_final()
    {
        return None;
    }
    let user = v.username();
    let name = request_name(v);
    let itself = user
        .strip_prefix("system:node:")
        .is_some_and(|n| n == name || name.is_empty());
    if itself || matches!(user, "aksService" | "system:kube-controller-manager") {
        return None;
    }
    Some(format!(
        "node {name} created by {user} ({})",
        if v.succeeded() { "joined" } else { "refused" }
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_node_created_by_a_person_or_another_node() {
        assert!(fires(
            &CHECK,
            json!({"objectRef": {"resource": "nodes", "namespace": null, "name": "rogue-1"}})
        ));
        assert!(fires(
            &CHECK,
            json!({"user": {"username": "system:node:aks-np-1"}, "objectRef": {"resource": "nodes", "namespace": null, "name": "rogue-1"}})
        ));
        let refused = fires_with(
            &CHECK,
            &Config::default(),
            json!({"objectRef": {"resource": "nodes", "namespace": null, "name": "rogue-2"},
                   "responseStatus": {"code": 403}, "annotations": {"authorization.k8s.io/decision": "forbid"}}),
        )
        .unwrap();
        assert!(refused.contains("refused"), "{refused}");
    }

    #[test]
    fn silent_on_self_registration() {
        assert!(!fires(
            &CHECK,
            json!({"user": {"username": "system:node:aks-np-1", "groups": ["system:nodes"]}, "objectRef": {"resource": "nodes", "namespace": null, "name": "aks-np-1"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"verb": "patch", "objectRef": {"resource": "nodes", "name": "aks-np-1"}})
        ));
    }
}
