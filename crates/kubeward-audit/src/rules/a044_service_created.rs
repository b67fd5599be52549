//! Record of services created (Falco's "K8s Service Created"), reported at INFO.
//! The evaluation is shared with the other rows of the family in `resource_activity`.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::resource_activity::{Actors, CORE, Row};
use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A044",
    name: "service-created",
    since: "0.1.0",
    aliases: &[],
    title: "Service created",
    area: Area::Audit,
    severity: Severity::Info,
    references: &[
        RefStatic::mitre("T1133"),
        ms("MS-TA9005"),
        falco("K8s Service Created"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful `create` of services by anyone but AKS's own identities (aksService, control-plane components, nodes, service accounts of kube-system and of the AKS add-on namespaces). Reported as INFO, one finding per identity with the first events and a count: a record for review, not an alert.",
        why: "A new service may expose a workload inside or (LoadBalancer, NodePort) outside the cluster.",
        fix: "Nothing to fix by itself. Check the service type with `kubectl get svc -n NS NAME -o wide`; on AKS use the `service.beta.kubernetes.io/azure-load-balancer-internal` annotation for internal-only services.",
        links: &["https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0057-3c1e-4b7a-9d2e-8a61c0d20057", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/services", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "services", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0058-3c1e-4b7a-9d2e-8a61c0d20058", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/services", "verb": "create", "user": {"username": "aksService", "groups": ["system:masters", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "services", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub(super) static ROW: Row = Row::new("create", "services", CORE, Actors::All);

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Info, |v, _| ROW.eval(v));
