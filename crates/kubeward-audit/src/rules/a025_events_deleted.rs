//! Kubernetes events deleted by people.

use kubeward_core::{CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = meta(
    "A025",
    "events-deleted",
    "Kubernetes events deleted",
    Severity::Medium,
    &[RefStatic::mitre("T1070"), ms("MS-TA9022")],
    CheckDoc {
        bad: "",
        good: "",
        what: "Successful delete or deletecollection of events (core or events.k8s.io) by anyone but the platform (the API server expires events itself, without delete requests).",
        why: "Events record scheduling, image pulls, kills and failures: deleting them hides an attacker's activity from people looking at the cluster.",
        fix: "Find out who deleted them and why; remove `delete` on events from people's roles; keep events outside the cluster (Container insights or an event exporter) so deletion does not erase them.",
        links: &[
            "https://microsoft.github.io/Threat-Matrix-for-Kubernetes/techniques/Delete%20K8S%20events/",
        ],
    },
);

pub static RULE: Rule = Rule {
    meta: &META,
    needs: Needs::METADATA,
    on_match: Status::Fail,
    eval,
    precondition: always,
};

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "events" || !matches!(v.verb(), "delete" | "deletecollection") {
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
    fn fires_on_deletecollection() {
        assert!(fires(
            &RULE,
            json!({"verb": "deletecollection", "objectRef": {"resource": "events", "name": null}, "responseStatus": {"code": 200}})
        ));
    }

    #[test]
    fn silent_on_event_creation_and_platform() {
        assert!(!fires(&RULE, json!({"objectRef": {"resource": "events"}})));
        assert!(!fires(
            &RULE,
            json!({"verb": "delete", "user": {"username": "system:kube-controller-manager"}, "objectRef": {"resource": "events"}})
        ));
    }
}
