//! Record of namespaces created (Falco's "K8s Namespace Created"), reported at INFO.
//! The evaluation is shared with the other rows of the family in `resource_activity`.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::resource_activity::{Actors, CORE, Row};
use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A048",
    name: "namespace-created",
    since: "0.1.0",
    aliases: &[],
    title: "Namespace created",
    area: Area::Audit,
    severity: Severity::Info,
    references: &[RefStatic::mitre("T1610"), falco("K8s Namespace Created")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful `create` of namespaces by anyone but AKS's own identities (aksService, control-plane components, nodes, service accounts of kube-system and of the AKS add-on namespaces). Reported as INFO, one finding per identity with the first events and a count: a record for review, not an alert.",
        why: "Every namespace is a new space for workloads with its own RBAC and policies; A040 warns about names outside the allowed list, this row records all of them.",
        fix: "Nothing to fix by itself. Give new namespaces network policies, quotas and bindings through the same pipeline that creates them.",
        links: &["https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c005f-3c1e-4b7a-9d2e-8a61c0d2005f", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "namespaces", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0060-3c1e-4b7a-9d2e-8a61c0d20060", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces", "verb": "create", "user": {"username": "aksService", "groups": ["system:masters", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "namespaces", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub(super) static ROW: Row = Row::new("create", "namespaces", CORE, Actors::All);

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Info, |v, _| ROW.eval(v));
