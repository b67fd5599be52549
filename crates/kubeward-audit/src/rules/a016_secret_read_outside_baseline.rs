//! Secret reads by identities outside the expected set.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A016",
    name: "secret-read-outside-baseline",
    since: "0.1.0",
    aliases: &[],
    title: "Secret read by an identity outside the baseline",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1552.007"),
        ms("MS-TA9025"),
        falco("K8s Secret Get Successfully"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful get/list/watch on secrets by an authenticated identity that is neither a platform identity (aksService, system components, nodes, service accounts of kube-system and of AKS-managed add-ons: app-routing-system, aks-istio-system, gatekeeper-system, calico-system, tigera-operator) nor in the baseline given with `--secret-readers FILE` or `--secret-reader NAME` (exact names, prefixes ending in `*`, or `group:NAME`). Anonymous reads are A015.",
        why: "Secrets hold tokens, passwords and keys; a read by an unexpected identity (a person's account, a stolen service-account token) is credential theft until proven otherwise.",
        fix: "Confirm the access; remove secret read permissions the identity should not hold (Role rules on `secrets`), move application secrets to Azure Key Vault with the Secrets Store CSI driver (`az aks enable-addons --addons azure-keyvault-secrets-provider`) and add expected readers to the baseline.",
        links: &["https://learn.microsoft.com/azure/aks/csi-secrets-store-driver"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c001f-3c1e-4b7a-9d2e-8a61c0d2001f", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "list", "user": {"username": "system:serviceaccount:shop:cart", "groups": ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0020-3c1e-4b7a-9d2e-8a61c0d20020", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets/azure-kv-tls", "verb": "get", "user": {"username": "system:serviceaccount:kube-system:csi-secrets-store-provider-azure", "groups": ["system:serviceaccounts", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "name": "azure-kv-tls", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::READS, Status::Fail, eval);

fn eval(v: &EventView, cfg: &Config) -> Option<String> {
    if v.resource() != "secrets"
        || !v.is_read()
        || !v.is_final()
        || !v.succeeded()
        || is_anonymous(v)
        || is_platform_identity(v.username())
        || cfg.secret_readers.iter().any(|p| user_matches(p, v))
    {
        return None;
    }
    Some(format!("{} {}", v.verb(), object_name(v)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn read(user: &str, groups: serde_json::Value) -> serde_json::Value {
        json!({"verb": "list", "user": {"username": user, "groups": groups}, "objectRef": {"resource": "secrets", "name": null, "namespace": "payments"}, "responseStatus": {"code": 200}})
    }

    #[test]
    fn fires_outside_the_baseline() {
        assert!(fires(
            &CHECK,
            read("system:serviceaccount:default:web", json!([]))
        ));
        let cfg = Config {
            secret_readers: vec!["system:serviceaccount:argocd:*".into()],
            ..Default::default()
        };
        assert!(fires_with(&CHECK, &cfg, read("mallory@contoso.com", json!([]))).is_some());
    }

    #[test]
    fn silent_for_baseline_platform_and_refused() {
        let cfg = Config {
            secret_readers: vec!["system:serviceaccount:argocd:*".into(), "group:sre".into()],
            ..Default::default()
        };
        assert!(
            fires_with(
                &CHECK,
                &cfg,
                read("system:serviceaccount:argocd:argocd-server", json!([]))
            )
            .is_none()
        );
        assert!(fires_with(&CHECK, &cfg, read("sam@contoso.com", json!(["sre"]))).is_none());
        assert!(!fires(
            &CHECK,
            read(
                "system:serviceaccount:kube-system:csi-secrets-store",
                json!([])
            )
        ));
        let mut refused = read("mallory@contoso.com", json!([]));
        refused["responseStatus"] = json!({"code": 403});
        assert!(!fires(&CHECK, refused));
    }
}
