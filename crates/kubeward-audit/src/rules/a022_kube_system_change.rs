//! Changes in kube-system by people.

use kubeward_core::{CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = meta(
    "A022",
    "kube-system-change",
    "Object in kube-system changed by a person",
    Severity::Medium,
    &[
        RefStatic::mitre("T1036.005"),
        RefStatic::mitre("T1543"),
        ms("MS-TA9023"),
    ],
    CheckDoc {
        what: "Successful create/update/patch/delete of any object in kube-system (except events and leases) by an identity that is not a platform identity or a service account.",
        why: "kube-system holds the cluster's own components; AKS manages it. Manual changes there are how attackers hide (a pod named like an add-on) or tamper with DNS, networking and policy components.",
        fix: "Find out who changed what and revert it; AKS reconciles its add-ons but not everything. Keep people out of kube-system: grant namespace-scoped Azure RBAC roles instead of cluster-wide write access.",
        links: &["https://learn.microsoft.com/azure/aks/concepts-security"],
    },
);

pub static RULE: Rule = Rule {
    meta: &META,
    needs: Needs::METADATA,
    on_match: Status::Warn,
    eval,
    precondition: always,
};

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.namespace() != "kube-system"
        || !v.is_write()
        || matches!(v.resource(), "events" | "leases")
        || v.username().starts_with("system:")
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
    fn fires_on_person_patching_kube_system() {
        assert!(fires(
            &RULE,
            json!({"verb": "patch", "objectRef": {"resource": "daemonsets", "namespace": "kube-system", "name": "kube-proxy"}, "responseStatus": {"code": 200}})
        ));
    }

    #[test]
    fn silent_on_controllers_events_and_other_namespaces() {
        assert!(!fires(
            &RULE,
            json!({"user": {"username": "system:serviceaccount:kube-system:replicaset-controller"}, "objectRef": {"namespace": "kube-system"}})
        ));
        assert!(!fires(
            &RULE,
            json!({"objectRef": {"resource": "events", "namespace": "kube-system"}})
        ));
        assert!(!fires(&RULE, json!({})));
    }
}
