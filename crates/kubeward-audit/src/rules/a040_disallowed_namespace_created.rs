//! Namespaces created outside the expected set.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A040",
    name: "disallowed-namespace-created",
    since: "0.1.0",
    aliases: &[],
    title: "Namespace created outside the allowed list",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1610"),
        ms("MS-TA9012"),
        falco("Create Disallowed Namespace"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create of a namespace whose name is not in the allowed list, by anyone but the platform. The list always holds Kubernetes' own namespaces (default, kube-system, kube-public, kube-node-lease) and those AKS, its add-ons and its extensions create (app-routing-system, aks-istio-*, gatekeeper-system, calico-system, tigera-operator, aks-command, flux-system, dapr-system and a few more); names added through the audit configuration (exact names or `*` prefixes) extend it.",
        why: "On a cluster whose namespaces come from a pipeline, a namespace nobody planned is where an intruder or a shadow deployment sets up: it starts without network policies, quotas or the RBAC the real ones get.",
        fix: "Delete the namespace if it is unexpected (`kubectl delete namespace NAME`) after checking what runs in it, or add it to the allowed list. Restrict `create` on namespaces to the deployment identity (Azure RBAC: do not hand out `Azure Kubernetes Service RBAC Cluster Admin` to people), and enforce naming with an Azure Policy / Gatekeeper constraint.",
        links: &[
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
            "https://learn.microsoft.com/azure/aks/concepts-security#kubernetes-namespaces",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c004f-3c1e-4b7a-9d2e-8a61c0d2004f", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "namespaces", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "xmr-pool"}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0050-3c1e-4b7a-9d2e-8a61c0d20050", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "namespaces", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": "gatekeeper-system"}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Warn, eval);

/// Namespaces Kubernetes, AKS and the add-ons and extensions AKS installs create themselves.
pub const DEFAULT_ALLOWED_NAMESPACES: &[&str] = &[
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    // Application routing add-on.
    "app-routing-system",
    // Istio-based service mesh add-on, and its ingress/egress gateways.
    "aks-istio-system",
    "aks-istio-ingress",
    "aks-istio-egress",
    // Azure Policy add-on.
    "gatekeeper-system",
    // Calico network policy.
    "calico-system",
    "tigera-operator",
    // `az aks command invoke` runs its pods here.
    "aks-command",
    // `az aks kollect` diagnostics.
    "aks-periscope",
    // Cluster extensions: GitOps (Flux), Dapr, App Configuration, Backup.
    "flux-system",
    "dapr-system",
    "azappconfig-system",
    "dataprotection-microsoft",
];

fn allowed(name: &str, cfg: &Config) -> bool {
    DEFAULT_ALLOWED_NAMESPACES.contains(&name)
        || cfg
            .allowed_namespaces
            .iter()
            .any(|p| match p.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => name == p,
            })
}

fn eval(v: &EventView, cfg: &Config) -> Option<String> {
    if v.verb() != "create"
        || v.resource() != "namespaces"
        || !v.subresource().is_empty()
        || !v.api_group().is_empty()
        || !is_completed_by_person(v)
    {
        return None;
    }
    // The API server copies the created object's name into objectRef; older logs only have it
    // in the body.
    let name = request_name(v);
    (!allowed(name, cfg)).then(|| {
        if name.is_empty() {
            "namespace created; its name was not logged".to_string()
        } else {
            format!("namespace {name} created; not in the allowed list")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn ns_create(name: &str) -> serde_json::Value {
        json!({"requestURI": "/api/v1/namespaces",
               "objectRef": {"resource": "namespaces", "namespace": null, "name": name},
               "requestObject": {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": name}}})
    }

    #[test]
    fn fires_on_unexpected_namespace() {
        let d = fires_with(&CHECK, &Config::default(), ns_create("crypto")).unwrap();
        assert!(d.contains("crypto"), "{d}");
        // Name only in the body.
        let mut ev = ns_create("x");
        ev["objectRef"]["name"] = serde_json::Value::Null;
        ev["requestObject"]["metadata"]["name"] = json!("miner");
        let d = fires_with(&CHECK, &Config::default(), ev).unwrap();
        assert!(d.contains("miner"), "{d}");
    }

    #[test]
    fn silent_for_aks_namespaces_configured_names_platform_and_failures() {
        assert!(!fires(&CHECK, ns_create("gatekeeper-system")));
        assert!(!fires(&CHECK, ns_create("kube-node-lease")));
        let cfg = Config {
            allowed_namespaces: vec!["team-*".into(), "shop".into()],
            ..Default::default()
        };
        assert!(fires_with(&CHECK, &cfg, ns_create("team-a")).is_none());
        assert!(fires_with(&CHECK, &cfg, ns_create("shop")).is_none());
        assert!(fires_with(&CHECK, &cfg, ns_create("shop2")).is_some());
        let mut by_aks = ns_create("crypto");
        by_aks["user"] = json!({"username": "aksService"});
        assert!(!fires(&CHECK, by_aks));
        let mut denied = ns_create("crypto");
        denied["responseStatus"] = json!({"code": 403});
        assert!(!fires(&CHECK, denied));
        let mut deleted = ns_create("crypto");
        deleted["verb"] = json!("delete");
        assert!(!fires(&CHECK, deleted));
    }
}
