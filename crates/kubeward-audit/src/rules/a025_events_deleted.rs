//! Kubernetes events deleted by people.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A025",
    name: "events-deleted",
    since: "0.1.0",
    aliases: &[],
    title: "Kubernetes events deleted",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1070"), ms("MS-TA9022")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful delete or deletecollection of events (core or events.k8s.io) by anyone but the platform (the API server expires events itself, without delete requests).",
        why: "Events record scheduling, image pulls, kills and failures: deleting them hides an attacker's activity from people looking at the cluster.",
        fix: "Find out who deleted them and why; remove `delete` on events from people's roles; keep events outside the cluster (Container insights or an event exporter) so deletion does not erase them.",
        links: &[
            "https://microsoft.github.io/Threat-Matrix-for-Kubernetes/techniques/Delete%20K8S%20events/",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0031-3c1e-4b7a-9d2e-8a61c0d20031", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/events", "verb": "deletecollection", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "events", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0032-3c1e-4b7a-9d2e-8a61c0d20032", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/events", "verb": "list", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "events", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Fail, eval);

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
            &CHECK,
            json!({"verb": "deletecollection", "objectRef": {"resource": "events", "name": null}, "responseStatus": {"code": 200}})
        ));
    }

    #[test]
    fn silent_on_event_creation_and_platform() {
        assert!(!fires(&CHECK, json!({"objectRef": {"resource": "events"}})));
        assert!(!fires(
            &CHECK,
            json!({"verb": "delete", "user": {"username": "system:kube-controller-manager"}, "objectRef": {"resource": "events"}})
        ));
    }
}
