//! Record of rolebindings deleted (Falco's "K8s RoleBinding Deleted"), reported at INFO.
//! The evaluation is shared with the other rows of the family in `resource_activity`.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::resource_activity::{Actors, RBAC, Row};
use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A057",
    name: "rolebinding-deleted",
    since: "0.1.0",
    aliases: &[],
    title: "RoleBinding deleted",
    area: Area::Audit,
    severity: Severity::Info,
    references: &[RefStatic::mitre("T1531"), falco("K8s RoleBinding Deleted")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful `delete` of rolebindings by anyone but AKS's own identities (aksService, control-plane components, nodes, service accounts of kube-system and of the AKS add-on namespaces). Reported as INFO, one finding per identity with the first events and a count: a record for review, not an alert.",
        why: "Deleting a binding removes access from its subjects.",
        fix: "Nothing to fix by itself. Restore an unplanned delete from source control.",
        links: &["https://kubernetes.io/docs/reference/access-authn-authz/rbac/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0071-3c1e-4b7a-9d2e-8a61c0d20071", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings/ops-access", "verb": "delete", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "rolebindings", "namespace": "shop", "name": "ops-access", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0072-3c1e-4b7a-9d2e-8a61c0d20072", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings/ops-access", "verb": "delete", "user": {"username": "aksService", "groups": ["system:masters", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "rolebindings", "namespace": "shop", "name": "ops-access", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub(super) static ROW: Row = Row::new("delete", "rolebindings", RBAC, Actors::All);

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Info, |v, _| ROW.eval(v));
