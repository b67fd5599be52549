//! Record of namespaces deleted (Falco's "K8s Namespace Deleted"), reported at INFO.
//! The evaluation is shared with the other rows of the family in `resource_activity`.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::resource_activity::{Actors, CORE, Row};
use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A049",
    name: "namespace-deleted",
    since: "0.1.0",
    aliases: &[],
    title: "Namespace deleted",
    area: Area::Audit,
    severity: Severity::Info,
    references: &[
        RefStatic::mitre("T1485"),
        ms("MS-TA9038"),
        falco("K8s Namespace Deleted"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful `delete` of namespaces by users outside `system:` (people and external identities; AKS's own identities and service accounts are skipped). Reported as INFO, one finding per identity with the first events and a count: a record for review, not an alert.",
        why: "Deleting a namespace deletes everything in it: the most destructive single request a person can send.",
        fix: "Nothing to fix by itself. Restrict `delete` on namespaces to the deployment identity; AKS Backup can restore namespaces.",
        links: &["https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0061-3c1e-4b7a-9d2e-8a61c0d20061", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop", "verb": "delete", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "namespaces", "name": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0062-3c1e-4b7a-9d2e-8a61c0d20062", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop", "verb": "delete", "user": {"username": "aksService", "groups": ["system:masters", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "namespaces", "name": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub(super) static ROW: Row = Row::new("delete", "namespaces", CORE, Actors::People);

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Info, |v, _| ROW.eval(v));
