//! Permission discovery through self-subject reviews.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A030",
    name: "permission-enumeration",
    since: "0.1.0",
    aliases: &[],
    title: "Permissions enumerated with self-subject reviews",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[
        RefStatic::mitre("T1069"),
        RefStatic::mitre("T1613"),
        ms("MS-TA9029"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Creates of selfsubjectrulesreviews (what `kubectl auth can-i --list` sends) by service accounts, anonymous users or anyone but the platform. Single selfsubjectaccessreviews are left out: dashboards and CLIs send them routinely.",
        why: "Listing one's own permissions is the first thing an attacker does with a stolen token; workloads almost never need it.",
        fix: "If a workload's service account did this, look at that pod (`kubectl -n NS get pods -o wide`) and its token's use; people running `kubectl auth can-i --list` is normal and can be waived.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access",
        ],
        bad: "",
        good: "",
    },
};

pub static CHECK: Check = Check {
    meta: &META,
    needs: Needs::METADATA,
    on_match: Status::Warn,
    eval,
    precondition: always,
};

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "selfsubjectrulesreviews"
        || v.verb() != "create"
        || !v.is_final()
        || is_platform_identity(v.username())
    {
        return None;
    }
    Some(format!(
        "rules review by {} from {}",
        v.username(),
        v.user_agent()
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_rules_review() {
        assert!(fires(
            &CHECK,
            json!({"user": {"username": "system:serviceaccount:default:web"}, "objectRef": {"resource": "selfsubjectrulesreviews", "apiGroup": "authorization.k8s.io", "namespace": null, "name": null}})
        ));
    }

    #[test]
    fn silent_on_access_reviews() {
        assert!(!fires(
            &CHECK,
            json!({"objectRef": {"resource": "selfsubjectaccessreviews"}})
        ));
    }
}
