//! Record of roles created (Falco's "K8s Role Created"), reported at INFO.
//! The evaluation is shared with the other rows of the family in `resource_activity`.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::resource_activity::{Actors, RBAC, Row};
use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A052",
    name: "role-created",
    since: "0.1.0",
    aliases: &[],
    title: "Role created",
    area: Area::Audit,
    severity: Severity::Info,
    references: &[RefStatic::mitre("T1098.006"), falco("K8s Role Created")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful `create` of roles by anyone but AKS's own identities (aksService, control-plane components, nodes, service accounts of kube-system and of the AKS add-on namespaces). Reported as INFO, one finding per identity with the first events and a count: a record for review, not an alert.",
        why: "Roles define permissions; A012, A013 and A041 judge what they grant, this row records each one.",
        fix: "Nothing to fix by itself. Review the rules with `kubectl get role -n NS NAME -o yaml`.",
        links: &["https://kubernetes.io/docs/reference/access-authn-authz/rbac/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0067-3c1e-4b7a-9d2e-8a61c0d20067", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "roles", "namespace": "shop", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0068-3c1e-4b7a-9d2e-8a61c0d20068", "stage": "ResponseComplete", "requestURI": "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles", "verb": "create", "user": {"username": "aksService", "groups": ["system:masters", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "roles", "namespace": "shop", "apiVersion": "v1", "apiGroup": "rbac.authorization.k8s.io"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub(super) static ROW: Row = Row::new("create", "roles", RBAC, Actors::All);

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Info, |v, _| ROW.eval(v));
