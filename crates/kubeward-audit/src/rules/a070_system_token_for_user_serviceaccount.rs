//! Service-account tokens minted by system identities for service accounts of application
//! namespaces.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A070",
    name: "system-token-for-user-serviceaccount",
    since: "0.1.0",
    aliases: &[],
    title: "System identity requested a token for an application service account",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1528"),
        RefStatic::mitre("T1550.001"),
        ms("MS-TA9016"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create on serviceaccounts/token (TokenRequest) by a system or platform identity (a kube-system or AKS add-on service account, a control-plane component, a kubelet, any `system:` user that is not an application's service account) for a service account in a namespace that is not Kubernetes' or AKS's own (kube-system, kube-public, kube-node-lease and the AKS add-on namespaces). A kubelet requests the tokens of the pods it runs: its requests are left out when the logged body binds the token to a Pod, and also when the log has no body (AKS logs serviceaccounts at Metadata level), since nothing then tells them apart. Requests by other identities are reported by A019 (serviceaccount-token-request).",
        why: "Platform identities have no business minting tokens for application service accounts: a stolen kube-system or add-on token used this way turns into every application's permissions, under an identity that most reviews and rules skip.",
        fix: "Find which component made the request and why (the user agent and source address are in the evidence); rotate the requesting service account's credentials if it was not expected, and remove `create` on `serviceaccounts/token` from roles bound to system service accounts that do not need it.",
        links: &[
            "https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/",
            "https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-tokens",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c00a0-3c1e-4b7a-9d2e-8a61c0d200a0", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/serviceaccounts/cart/token", "verb": "create", "user": {"username": "system:node:aks-nodepool1-12345678-vmss000000", "groups": ["system:nodes", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "serviceaccounts", "namespace": "shop", "name": "cart", "apiVersion": "v1", "subresource": "token"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "spec": {"audiences": ["api://AzureADTokenExchange"], "boundObjectRef": {"kind": "Secret", "apiVersion": "v1", "name": "cart-0"}}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c00a1-3c1e-4b7a-9d2e-8a61c0d200a1", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/serviceaccounts/cart/token", "verb": "create", "user": {"username": "system:node:aks-nodepool1-12345678-vmss000000", "groups": ["system:nodes", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "serviceaccounts", "namespace": "shop", "name": "cart", "apiVersion": "v1", "subresource": "token"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "spec": {"audiences": ["api://AzureADTokenExchange"], "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "cart-0"}}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Fail, eval);

/// Namespaces whose service accounts belong to Kubernetes or AKS.
fn is_system_namespace(ns: &str) -> bool {
    matches!(ns, "kube-system" | "kube-public" | "kube-node-lease")
        || AKS_ADDON_NAMESPACES.contains(&ns)
}

/// Platform identities, and other `system:` users that are not service accounts (service
/// accounts of application namespaces are A019's).
fn is_system_identity(user: &str) -> bool {
    is_platform_identity(user)
        || (user.starts_with("system:") && !user.starts_with("system:serviceaccount:"))
}

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let user = v.username();
    if v.resource() != "serviceaccounts"
        || v.subresource() != "token"
        || v.verb() != "create"
        || !v.is_final()
        || !v.succeeded()
        || !is_system_identity(user)
        || is_system_namespace(v.namespace())
    {
        return None;
    }
    if user.starts_with("system:node:") {
        let bound = v.object().map(|o| str_at(o, "/spec/boundObjectRef/kind"));
        if matches!(bound, None | Some("Pod")) {
            return None;
        }
    }
    Some(format!(
        "{user} requested a token for serviceaccount {}/{}",
        v.namespace(),
        v.name()
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn token(user: &str, ns: &str) -> serde_json::Value {
        json!({"user": {"username": user},
               "requestURI": format!("/api/v1/namespaces/{ns}/serviceaccounts/api/token"),
               "objectRef": {"resource": "serviceaccounts", "subresource": "token", "namespace": ns, "name": "api"}})
    }

    #[test]
    fn item8_fires_on_system_identities_minting_application_tokens() {
        let d = fires_with(
            &CHECK,
            &Config::default(),
            token("system:serviceaccount:kube-system:coredns", "payments"),
        )
        .unwrap();
        assert!(d.contains("payments/api"), "{d}");
        assert!(fires(
            &CHECK,
            token("system:kube-controller-manager", "payments")
        ));
        assert!(fires(&CHECK, token("aksService", "shop")));
        // A kubelet asking for a token bound to nothing (or to a Secret), as the body shows.
        let mut unbound = token("system:node:aks-np-1", "shop");
        unbound["requestObject"] = json!({"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "spec": {"audiences": ["api"], "expirationSeconds": 86400}});
        assert!(fires(&CHECK, unbound));
    }

    #[test]
    fn item8_silent_on_kubelets_for_pods_system_namespaces_and_people() {
        let mut pod_token = token("system:node:aks-np-1", "shop");
        pod_token["requestObject"] = json!({"kind": "TokenRequest", "spec": {"boundObjectRef": {"kind": "Pod", "name": "web-1", "apiVersion": "v1"}}});
        assert!(!fires(&CHECK, pod_token));
        // No body (Metadata level): a kubelet's request cannot be told apart.
        assert!(!fires(&CHECK, token("system:node:aks-np-1", "shop")));
        assert!(!fires(
            &CHECK,
            token("system:serviceaccount:kube-system:coredns", "kube-system")
        ));
        assert!(!fires(
            &CHECK,
            token("system:serviceaccount:kube-system:x", "gatekeeper-system")
        ));
        // People and workloads: A019.
        assert!(!fires(&CHECK, token("alice@contoso.com", "shop")));
        assert!(!fires(
            &CHECK,
            token("system:serviceaccount:shop:deployer", "shop")
        ));
        let mut refused = token("system:serviceaccount:kube-system:coredns", "shop");
        refused["responseStatus"] = json!({"code": 403});
        assert!(!fires(&CHECK, refused));
    }
}
