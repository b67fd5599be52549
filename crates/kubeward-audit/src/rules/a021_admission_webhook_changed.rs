//! Admission webhook configurations written or deleted.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A021",
    name: "admission-webhook-changed",
    since: "0.1.0",
    aliases: &[],
    title: "Admission webhook configuration created, changed or deleted",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1546"),
        RefStatic::mitre("T1562.001"),
        ms("MS-TA9015"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch/delete of MutatingWebhookConfigurations or ValidatingWebhookConfigurations (and of ValidatingAdmissionPolicies and their bindings) by anyone but the platform (AKS add-ons in kube-system and aksService are allowlisted).",
        why: "A mutating webhook sees and can rewrite every object it matches (secrets included): a backdoor that injects containers. Deleting a validating webhook switches off policy enforcement such as Gatekeeper or Kyverno.",
        fix: "Review the webhook's service, rules and failurePolicy (`kubectl get mutatingwebhookconfigurations NAME -o yaml`); remove unknown ones; restrict write access to admissionregistration.k8s.io to cluster operators.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0029-3c1e-4b7a-9d2e-8a61c0d20029", "stage": "ResponseComplete", "requestURI": "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/gatekeeper-validating-webhook-configuration", "verb": "delete", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "validatingwebhookconfigurations", "name": "gatekeeper-validating-webhook-configuration", "apiVersion": "v1", "apiGroup": "admissionregistration.k8s.io"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c002a-3c1e-4b7a-9d2e-8a61c0d2002a", "stage": "ResponseComplete", "requestURI": "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/gatekeeper-validating-webhook-configuration", "verb": "delete", "user": {"username": "system:serviceaccount:gatekeeper-system:gatekeeper-admin", "groups": ["system:serviceaccounts", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "validatingwebhookconfigurations", "name": "gatekeeper-validating-webhook-configuration", "apiVersion": "v1", "apiGroup": "admissionregistration.k8s.io"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Fail, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if !matches!(
        v.resource(),
        "mutatingwebhookconfigurations"
            | "validatingwebhookconfigurations"
            | "validatingadmissionpolicies"
            | "validatingadmissionpolicybindings"
    ) || !v.is_write()
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
    fn fires_on_new_mutating_webhook() {
        assert!(fires(
            &CHECK,
            json!({"objectRef": {"resource": "mutatingwebhookconfigurations", "apiGroup": "admissionregistration.k8s.io", "namespace": null, "name": "inject"}})
        ));
        assert!(fires(
            &CHECK,
            json!({"verb": "delete", "objectRef": {"resource": "validatingwebhookconfigurations", "name": "gatekeeper"}, "responseStatus": {"code": 200}})
        ));
    }

    #[test]
    fn silent_on_reads_and_addons() {
        assert!(!fires(
            &CHECK,
            json!({"verb": "get", "objectRef": {"resource": "mutatingwebhookconfigurations"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"user": {"username": "system:serviceaccount:kube-system:azure-policy"}, "objectRef": {"resource": "validatingwebhookconfigurations"}})
        ));
    }
}
