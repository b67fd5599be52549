//! Changes in kube-system by people.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A022",
    name: "kube-system-change",
    since: "0.1.0",
    aliases: &[],
    title: "Object in kube-system changed by a person",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1036.005"),
        RefStatic::mitre("T1543"),
        ms("MS-TA9023"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch/delete of any object in kube-system (except events and leases) by an identity that is not a platform identity or a service account. Subresource requests count when they change the object (`status`, `scale`, `eviction`, `binding`, a custom resource's subresources). Those that open a session or mint a credential are left to the rules that report them, so that one request is not reported twice: pods/exec and pods/attach (A001), pods/portforward (A003), pods/ephemeralcontainers (A004), serviceaccounts/token (A019), and `proxy` on any resource, which relays a request and changes no object (nodes/proxy: A024).",
        why: "kube-system holds the cluster's own components; AKS manages it. Manual changes there are how attackers hide (a pod named like an add-on) or tamper with DNS, networking and policy components.",
        fix: "Find out who changed what and revert it; AKS reconciles its add-ons but not everything. Keep people out of kube-system: grant namespace-scoped Azure RBAC roles instead of cluster-wide write access.",
        links: &["https://learn.microsoft.com/azure/aks/concepts-security"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c002b-3c1e-4b7a-9d2e-8a61c0d2002b", "stage": "ResponseComplete", "requestURI": "/apis/apps/v1/namespaces/kube-system/deployments/metrics-server", "verb": "patch", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "deployments", "namespace": "kube-system", "name": "metrics-server", "apiVersion": "v1", "apiGroup": "apps"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c002c-3c1e-4b7a-9d2e-8a61c0d2002c", "stage": "ResponseComplete", "requestURI": "/apis/apps/v1/namespaces/shop/deployments/web", "verb": "patch", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "deployments", "namespace": "shop", "name": "web", "apiVersion": "v1", "apiGroup": "apps"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Warn, eval);

/// Subresource requests in kube-system left to other rules, with the rule that reports them
/// (`*` for any resource). These are sessions or credentials, not changes to the object; the
/// subresources that do change it (`status`, `scale`, `eviction`, `binding`, a custom
/// resource's own) stay with this rule.
const LEFT_TO_OTHERS: &[(&str, &str, &str)] = &[
    ("pods", "exec", "A001"),
    ("pods", "attach", "A001"),
    ("pods", "portforward", "A003"),
    ("pods", "ephemeralcontainers", "A004"),
    ("serviceaccounts", "token", "A019"),
    // A request relayed to a pod, service or node: it changes no object (A024 reports nodes).
    ("*", "proxy", "A024"),
];

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.namespace() != "kube-system"
        || !v.is_write()
        || matches!(v.resource(), "events" | "leases")
        || v.username().starts_with("system:")
        || LEFT_TO_OTHERS
            .iter()
            .any(|(r, sub, _)| v.subresource() == *sub && (*r == "*" || v.resource() == *r))
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
    fn fires_on_person_patching_kube_system() {
        assert!(fires(
            &CHECK,
            json!({"verb": "patch", "objectRef": {"resource": "daemonsets", "namespace": "kube-system", "name": "kube-proxy"}, "responseStatus": {"code": 200}})
        ));
    }

    fn sub(resource: &str, subresource: &str, verb: &str) -> serde_json::Value {
        json!({"verb": verb, "objectRef": {"resource": resource, "subresource": subresource, "namespace": "kube-system", "name": "x"}, "responseStatus": {"code": 201}})
    }

    /// Item 3 (issue 13): subresources another rule reports are not reported again here; those
    /// that change the object are.
    #[test]
    fn item3_subresources_split_with_other_rules() {
        for (r, s, verb) in [
            ("pods", "exec", "create"),
            ("pods", "attach", "create"),
            ("pods", "portforward", "create"),
            ("pods", "ephemeralcontainers", "patch"),
            ("serviceaccounts", "token", "create"),
            ("pods", "proxy", "create"),
            ("services", "proxy", "create"),
        ] {
            assert!(!fires(&CHECK, sub(r, s, verb)), "{r}/{s}");
        }
        for (r, s, verb) in [
            ("deployments", "scale", "patch"),
            ("deployments", "status", "update"),
            ("pods", "eviction", "create"),
            ("pods", "status", "patch"),
            ("pods", "binding", "create"),
            ("certificates", "status", "update"),
        ] {
            assert!(fires(&CHECK, sub(r, s, verb)), "{r}/{s}");
        }
        // Every rule named as covering a subresource exists.
        for (_, _, code) in LEFT_TO_OTHERS {
            assert!(CHECKS.iter().any(|r| r.meta.code == *code), "{code}");
        }
    }

    #[test]
    fn silent_on_controllers_events_and_other_namespaces() {
        assert!(!fires(
            &CHECK,
            json!({"user": {"username": "system:serviceaccount:kube-system:replicaset-controller"}, "objectRef": {"namespace": "kube-system"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"objectRef": {"resource": "events", "namespace": "kube-system"}})
        ));
        assert!(!fires(&CHECK, json!({})));
    }
}
