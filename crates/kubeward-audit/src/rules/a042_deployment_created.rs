//! Record of deployments created (Falco's "K8s Deployment Created"), reported at INFO.
//! The evaluation is shared with the other rows of the family in `resource_activity`.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::resource_activity::{APPS, Actors, Row};
use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A042",
    name: "deployment-created",
    since: "0.1.0",
    aliases: &[],
    title: "Deployment created",
    area: Area::Audit,
    severity: Severity::Info,
    references: &[
        RefStatic::mitre("T1610"),
        ms("MS-TA9008"),
        falco("K8s Deployment Created"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful `create` of deployments by anyone but AKS's own identities (aksService, control-plane components, nodes, service accounts of kube-system and of the AKS add-on namespaces). Reported as INFO, one finding per identity with the first events and a count: a record for review, not an alert.",
        why: "New deployments are new code running in the cluster; the list lets a reviewer match them against releases.",
        fix: "Nothing to fix by itself. If a deployment is unexpected, find who created it (the identity and source IP in the evidence) and delete it with `kubectl delete deployment -n NS NAME`.",
        links: &["https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0053-3c1e-4b7a-9d2e-8a61c0d20053", "stage": "ResponseComplete", "requestURI": "/apis/apps/v1/namespaces/shop/deployments", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "deployments", "namespace": "shop", "apiVersion": "v1", "apiGroup": "apps"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0054-3c1e-4b7a-9d2e-8a61c0d20054", "stage": "ResponseComplete", "requestURI": "/apis/apps/v1/namespaces/shop/deployments", "verb": "create", "user": {"username": "aksService", "groups": ["system:masters", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "deployments", "namespace": "shop", "apiVersion": "v1", "apiGroup": "apps"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub(super) static ROW: Row = Row::new("create", "deployments", APPS, Actors::All);

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Info, |v, _| ROW.eval(v));
