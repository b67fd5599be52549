//! Secret reads that did not succeed.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A062",
    name: "secret-read-refused",
    since: "0.1.0",
    aliases: &[],
    title: "Secret read attempted without success",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1552.007"),
        ms("MS-TA9025"),
        falco("K8s Secret Get Unsuccessfully Tried"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "get/list/watch on secrets by an authenticated identity other than AKS's own that ended without success: refused (403), not found (404, guessing names) or any other non-2xx code. Anonymous attempts are A015. Needs read verbs: `kube-audit` carries them, `kube-audit-admin` does not.",
        why: "Workloads read the secrets they are granted and know the names of; refused or missed secret reads are what a stolen token probing for credentials looks like.",
        fix: "Find the workload or person behind the identity (source IP, user agent in the evidence). A workload missing a permission needs a Role granting `get` on that one secret (`resourceNames`); anything else: revoke the credential (`kubectl delete secret` for a service-account token secret, `az aks rotate-certs` for the admin certificate).",
        links: &["https://kubernetes.io/docs/concepts/security/secrets-good-practices/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c007b-3c1e-4b7a-9d2e-8a61c0d2007b", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets/azure-wi-webhook-server-cert", "verb": "get", "user": {"username": "system:serviceaccount:shop:cart", "groups": ["system:serviceaccounts", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "name": "azure-wi-webhook-server-cert", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c007c-3c1e-4b7a-9d2e-8a61c0d2007c", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/secrets/cart-db", "verb": "get", "user": {"username": "system:serviceaccount:shop:cart", "groups": ["system:serviceaccounts", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "shop", "name": "cart-db", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::READS, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "secrets"
        || !v.is_read()
        || !v.subresource().is_empty()
        || !v.is_final()
        || v.succeeded()
        || is_anonymous(v)
        || is_platform_identity(v.username())
    {
        return None;
    }
    let outcome = match v.code() {
        Some(403) => "refused".to_string(),
        Some(404) => "not found".to_string(),
        Some(c) => format!("code {c}"),
        None => format!("decision {}", v.decision()),
    };
    Some(format!("{} {} {outcome}", v.verb(), object_name(v)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn secret_get(code: i64) -> serde_json::Value {
        json!({"verb": "get", "requestURI": "/api/v1/namespaces/shop/secrets/db",
               "objectRef": {"resource": "secrets", "namespace": "shop", "name": "db"},
               "responseStatus": {"code": code}})
    }

    #[test]
    fn fires_on_refused_and_missing_secret_reads() {
        let d = fires_with(&CHECK, &Config::default(), secret_get(403)).unwrap();
        assert!(d.contains("refused") && d.contains("shop/db"), "{d}");
        let d = fires_with(&CHECK, &Config::default(), secret_get(404)).unwrap();
        assert!(d.contains("not found"), "{d}");
    }

    #[test]
    fn silent_on_success_anonymous_platform_and_other_resources() {
        assert!(!fires(&CHECK, secret_get(200)));
        let mut anon = secret_get(403);
        anon["user"] =
            json!({"username": "system:anonymous", "groups": ["system:unauthenticated"]});
        assert!(!fires(&CHECK, anon));
        let mut csi = secret_get(403);
        csi["user"] = json!({"username": "system:serviceaccount:kube-system:csi-secrets-store-provider-azure"});
        assert!(!fires(&CHECK, csi));
        let mut cm = secret_get(403);
        cm["objectRef"]["resource"] = json!("configmaps");
        assert!(!fires(&CHECK, cm));
        let mut write = secret_get(403);
        write["verb"] = json!("create");
        assert!(!fires(&CHECK, write));
    }
}
