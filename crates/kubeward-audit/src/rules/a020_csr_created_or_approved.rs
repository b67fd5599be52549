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
        bad: "",
        good: "",
    },
};

pub static CHECK: Check = Check {
    meta: &META,
    needs: Needs::METADATA,
    on_match: Status::Fail,
    eval,
    precondition: always,
};

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
