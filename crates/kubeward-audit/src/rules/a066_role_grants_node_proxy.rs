//! Roles granting nodes/proxy.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::a012_wildcard_role::{role_rules, strings};
use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A066",
    name: "role-grants-node-proxy",
    since: "0.1.0",
    aliases: &[],
    title: "Role or ClusterRole grants nodes/proxy",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1098.006"),
        RefStatic::mitre("T1609"),
        ms("MS-TA9030"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create, update or patch of a Role or ClusterRole, by anyone but the platform, with a rule naming `nodes/proxy` (or `nodes/*`) in the core API group (or `*`), whatever the verbs. Rules granting every resource (`*`) are reported by A012 (wildcard-role) instead; the use of nodes/proxy is reported by A024 (node-proxy).",
        why: "nodes/proxy reaches the kubelet API of every node: it lists every pod and, with create (and with get over WebSocket), runs commands in any container without a pods/exec audit event. Monitoring agents usually need only nodes/metrics or nodes/stats.",
        fix: "Replace `nodes/proxy` with the narrower subresources the agent needs (`nodes/metrics`, `nodes/stats`), or drop it; keep the grant to a dedicated, audited agent service account.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/",
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0095-3c1e-4b7a-9d2e-8a61c0d20095", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterroles", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterroles", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "app-operator"}, "rules": [{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]}]}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0096-3c1e-4b7a-9d2e-8a61c0d20096", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/clusterroles", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "clusterroles", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": {"name": "app-operator"}, "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::ROLE_BODIES, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let rules = role_rules(v)?;
    let grants = rules.iter().find_map(|r| {
        let groups = strings(r, "apiGroups");
        let core = groups.is_empty() || groups.iter().any(|g| matches!(*g, "" | "*"));
        let res = strings(r, "resources");
        let named = res
            .iter()
            .find(|x| matches!(**x, "nodes/proxy" | "nodes/*"))?;
        (core && !res.contains(&"*")).then(|| (*named, strings(r, "verbs").join(",")))
    })?;
    Some(format!(
        "{} {}: grants {} ({})",
        v.verb(),
        object_name(v),
        grants.0,
        grants.1
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn item8_fires_on_nodes_proxy_with_any_verb() {
        let d = fires_with(
            &CHECK,
            &Config::default(),
            cluster_role(json!([{"apiGroups": [""], "resources": ["nodes", "nodes/proxy"], "verbs": ["get"]}])),
        )
        .unwrap();
        assert!(d.contains("nodes/proxy (get)"), "{d}");
        assert!(fires(
            &CHECK,
            cluster_role(
                json!([{"apiGroups": ["*"], "resources": ["nodes/*"], "verbs": ["create"]}])
            )
        ));
    }

    #[test]
    fn item8_silent_on_narrow_node_subresources_wildcards_and_platform() {
        assert!(!fires(
            &CHECK,
            cluster_role(
                json!([{"apiGroups": [""], "resources": ["nodes/metrics", "nodes/stats", "nodes"], "verbs": ["get"]}])
            )
        ));
        // Another group's resource of the same name is not the kubelet proxy.
        assert!(!fires(
            &CHECK,
            cluster_role(
                json!([{"apiGroups": ["metrics.k8s.io"], "resources": ["nodes/proxy"], "verbs": ["get"]}])
            )
        ));
        // Everything granted: A012 reports it.
        assert!(!fires(
            &CHECK,
            cluster_role(
                json!([{"apiGroups": [""], "resources": ["*", "nodes/proxy"], "verbs": ["*"]}])
            )
        ));
        let mut platform = cluster_role(
            json!([{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]}]),
        );
        platform["user"] = json!({"username": "aksService"});
        assert!(!fires(&CHECK, platform));
    }
}
