//! Service accounts created in kube-system or kube-public by people.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A034",
    name: "serviceaccount-in-system-namespace",
    since: "0.1.0",
    aliases: &[],
    title: "Service account created in a system namespace",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1136"),
        RefStatic::mitre("T1078.001"),
        falco("Service Account Created in Kube Namespace"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create of serviceaccounts in kube-system or kube-public by anyone but the platform.",
        why: "A new identity in kube-system looks like an add-on's and is a quiet place to bind powerful roles to.",
        fix: "Delete it unless an approved component needs it; create application identities in their own namespaces.",
        links: &["https://kubernetes.io/docs/concepts/security/service-accounts/"],
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
    if v.resource() != "serviceaccounts"
        || !v.subresource().is_empty()
        || v.verb() != "create"
        || !matches!(v.namespace(), "kube-system" | "kube-public")
        || !is_completed_by_person(v)
    {
        return None;
    }
    let name = match v.name() {
        "" => v
            .object()
            .map(|o| str_at(o, "/metadata/name"))
            .unwrap_or(""),
        n => n,
    };
    Some(format!("serviceaccount {}/{name} created", v.namespace()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_user_created_sa() {
        assert!(fires(
            &CHECK,
            json!({"objectRef": {"resource": "serviceaccounts", "namespace": "kube-system", "name": "metrics-helper"}})
        ));
    }

    #[test]
    fn silent_elsewhere_and_for_token_requests() {
        assert!(!fires(
            &CHECK,
            json!({"objectRef": {"resource": "serviceaccounts", "namespace": "apps"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"objectRef": {"resource": "serviceaccounts", "namespace": "kube-system", "subresource": "token"}})
        ));
    }
}
