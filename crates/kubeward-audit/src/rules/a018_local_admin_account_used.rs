//! Use of AKS's local admin account.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A018",
    name: "local-admin-account-used",
    since: "0.1.0",
    aliases: &[],
    title: "AKS local admin account (masterclient) used",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1078.001"),
        ms("MS-TA9003"),
        RefStatic::cis_aks("1.8.0", "5.4.1"),
        // Falco's rule watches its `admin_k8s_users` list; on AKS those are these users.
        falco("Full K8s Administrative Access"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Any request (judged on the first of its stages in the log, so requests whose completion is missing count too) by `masterclient` or `clusterAdmin` (the certificate users of `az aks get-credentials --admin`), or by a member of `system:masters` who is not a platform identity.",
        why: "The local admin certificate is shared, bypasses Entra ID and RBAC (system:masters cannot be restricted), cannot be revoked per person and leaves no personal identity in the log: Microsoft calls it a non-auditable backdoor.",
        fix: "Disable local accounts: `az aks update -g RG -n CLUSTER --disable-local-accounts` (needs Entra ID integration), rotate the certificates to invalidate copies already handed out (`az aks rotate-certs`), and use Entra ID groups with Azure RBAC instead.",
        links: &["https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0023-3c1e-4b7a-9d2e-8a61c0d20023", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/secrets/db-credentials", "verb": "get", "user": {"username": "masterclient", "groups": ["system:masters", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "shop", "name": "db-credentials", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0024-3c1e-4b7a-9d2e-8a61c0d20024", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/secrets/db-credentials", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "shop", "name": "db-credentials", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    // Who made the request is known from its first stage on: judge the first one logged, so an
    // exec still streaming when the log was cut (no ResponseComplete) counts, and counts once.
    if !v.first_of_request {
        return None;
    }
    let user = v.authenticated_username();
    // The group is looked up last: most requests come from system identities.
    let local = matches!(user, "masterclient" | "clusterAdmin")
        || (!user.starts_with("system:")
            && !is_platform_identity(user)
            && v.user
                .as_ref()
                .is_some_and(|u| u.has_group("system:masters")));
    local.then(|| format!("{user}: {} {}", v.verb(), object_name(v)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_masterclient() {
        assert!(fires(
            &CHECK,
            json!({"user": {"username": "masterclient", "groups": ["system:masters", "system:authenticated"]}})
        ));
        assert!(fires(
            &CHECK,
            json!({"user": {"username": "kubernetes-admin", "groups": ["system:masters"]}})
        ));
    }

    #[test]
    fn silent_on_entra_users_and_platform() {
        assert!(!fires(&CHECK, json!({})));
        assert!(!fires(
            &CHECK,
            json!({"user": {"username": "aksService", "groups": ["system:masters"]}})
        ));
    }
}
