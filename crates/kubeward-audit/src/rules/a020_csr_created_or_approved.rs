//! Certificate signing requests created or approved by people.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A020",
    name: "csr-created-or-approved",
    since: "0.1.0",
    aliases: &[],
    title: "Certificate signing request created or approved outside node bootstrap",
    area: Area::Audit,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1649"), RefStatic::mitre("T1098")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create of certificatesigningrequests, or update of their approval subresource, by anyone but nodes, bootstrap tokens and the platform.",
        why: "An approved CSR for the kube-apiserver-client signer is a long-lived client certificate: a credential that survives password resets and cannot be revoked short of rotating the cluster CA.",
        fix: "Deny or delete unexpected CSRs (`kubectl certificate deny NAME`); remove `approve` on signers and `update` on certificatesigningrequests/approval from people; if a certificate was issued, rotate the cluster certificates with `az aks rotate-certs`.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0027-3c1e-4b7a-9d2e-8a61c0d20027", "stage": "ResponseComplete", "requestURI": "/apis/certificates.k8s.io/v1/certificatesigningrequests/bob-admin/approval", "verb": "update", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "certificatesigningrequests", "name": "bob-admin", "apiVersion": "v1", "subresource": "approval", "apiGroup": "certificates.k8s.io"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0028-3c1e-4b7a-9d2e-8a61c0d20028", "stage": "ResponseComplete", "requestURI": "/apis/certificates.k8s.io/v1/certificatesigningrequests/bob-admin", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "certificatesigningrequests", "name": "bob-admin", "apiVersion": "v1", "apiGroup": "certificates.k8s.io"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "certificatesigningrequests" || !v.is_final() || !v.succeeded() {
        return None;
    }
    let user = v.username();
    if is_platform_identity(user)
        || user.starts_with("system:bootstrap:")
        || v.in_group("system:bootstrappers")
        || v.in_group("system:nodes")
    {
        return None;
    }
    match (v.verb(), v.subresource()) {
        ("create", "") => Some(format!("CSR {} created", v.name())),
        ("update" | "patch", "approval") => Some(format!("CSR {} approval changed", v.name())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_user_csr_and_approval() {
        assert!(fires(
            &CHECK,
            json!({"objectRef": {"resource": "certificatesigningrequests", "apiGroup": "certificates.k8s.io", "namespace": null, "name": "mallory"}})
        ));
        assert!(fires(
            &CHECK,
            json!({"verb": "update", "objectRef": {"resource": "certificatesigningrequests", "subresource": "approval", "name": "mallory"}, "responseStatus": {"code": 200}})
        ));
    }

    #[test]
    fn silent_on_node_bootstrap() {
        assert!(!fires(
            &CHECK,
            json!({"user": {"username": "system:bootstrap:abcdef", "groups": ["system:bootstrappers"]}, "objectRef": {"resource": "certificatesigningrequests"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"user": {"username": "system:node:aks-np-1"}, "objectRef": {"resource": "certificatesigningrequests"}})
        ));
    }
}
