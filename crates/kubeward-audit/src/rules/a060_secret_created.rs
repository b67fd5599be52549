//! Record of secrets created (Falco's "K8s Secret Created"), reported at INFO.
//! The evaluation is shared with the other rows of the family in `resource_activity`.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::resource_activity::{Actors, CORE, Row};
use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A060",
    name: "secret-created",
    since: "0.1.0",
    aliases: &[],
    title: "Secret created",
    area: Area::Audit,
    severity: Severity::Info,
    references: &[RefStatic::mitre("T1552.007"), falco("K8s Secret Created")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful `create` of secrets outside kube-system by users outside `system:` (people and external identities; AKS's own identities and service accounts are skipped). Reported as INFO, one finding per identity with the first events and a count: a record for review, not an alert.",
        why: "Secrets created by hand bypass the secret store; on AKS their contents are never logged, so who created them is the only trace.",
        fix: "Nothing to fix by itself. Prefer Key Vault through the Secrets Store CSI driver to hand-made secrets.",
        links: &["https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0077-3c1e-4b7a-9d2e-8a61c0d20077", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/secrets", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0078-3c1e-4b7a-9d2e-8a61c0d20078", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/secrets", "verb": "create", "user": {"username": "aksService", "groups": ["system:masters", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub(super) static ROW: Row = Row::new("create", "secrets", CORE, Actors::PeopleOutsideKubeSystem);

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Info, |v, _| ROW.eval(v));
