//! Bursts of refused requests (401/403) from one source address.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;
use crate::event::Event;

pub static META: CheckMeta = CheckMeta {
    code: "A065",
    name: "refusals-from-one-address",
    since: "0.1.0",
    aliases: &[],
    title: "Many refused requests from one source address in a short time",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1110"),
        RefStatic::mitre("T1613"),
        RefStatic::mitre("T1069"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "20 or more refused requests (code 401, code 403 or an authorizer `forbid`, on the event that completes the request) from one source address within 60 seconds, whoever the users were. The source address is the last entry of sourceIPs (the one the API server saw; earlier entries come from headers the client writes). One finding event per burst: after a burst is reported, the count for that address starts again. The window and threshold are fixed. Bursts are counted within each input file, in the order of its events, and events without a parseable time or address are not counted; at most 10,000 addresses are followed at once (addresses beyond that, within one window, are not counted). A031 (forbidden-requests) reports each refusal by identity; this rule is the per-address view.",
        why: "Bursts of refusals from one place are what scanners, credential sprays and permission enumeration with stolen tokens look like (each attempt refused until one works), even when every attempt uses a different identity or none.",
        fix: "Identify the address (a pod, a node, an outside host) and stop the activity; if it is outside the cluster, restrict the API server to known ranges (`az aks update --api-server-authorized-ip-ranges`) or make the cluster private, and rotate any credential it used.",
        links: &[
            "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/",
            "https://attack.mitre.org/techniques/T1110/",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0081-3c1e-4b7a-9d2e-8a61c0d20081", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0082-3c1e-4b7a-9d2e-8a61c0d20082", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:01.000000Z", "stageTimestamp": "2026-11-20T10:00:01.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0083-3c1e-4b7a-9d2e-8a61c0d20083", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:02.000000Z", "stageTimestamp": "2026-11-20T10:00:02.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0084-3c1e-4b7a-9d2e-8a61c0d20084", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:03.000000Z", "stageTimestamp": "2026-11-20T10:00:03.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0085-3c1e-4b7a-9d2e-8a61c0d20085", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:04.000000Z", "stageTimestamp": "2026-11-20T10:00:04.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0086-3c1e-4b7a-9d2e-8a61c0d20086", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:05.000000Z", "stageTimestamp": "2026-11-20T10:00:05.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0087-3c1e-4b7a-9d2e-8a61c0d20087", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:06.000000Z", "stageTimestamp": "2026-11-20T10:00:06.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0088-3c1e-4b7a-9d2e-8a61c0d20088", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:07.000000Z", "stageTimestamp": "2026-11-20T10:00:07.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0089-3c1e-4b7a-9d2e-8a61c0d20089", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:08.000000Z", "stageTimestamp": "2026-11-20T10:00:08.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c008a-3c1e-4b7a-9d2e-8a61c0d2008a", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:09.000000Z", "stageTimestamp": "2026-11-20T10:00:09.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c008b-3c1e-4b7a-9d2e-8a61c0d2008b", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:10.000000Z", "stageTimestamp": "2026-11-20T10:00:10.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c008c-3c1e-4b7a-9d2e-8a61c0d2008c", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:11.000000Z", "stageTimestamp": "2026-11-20T10:00:11.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c008d-3c1e-4b7a-9d2e-8a61c0d2008d", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:12.000000Z", "stageTimestamp": "2026-11-20T10:00:12.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c008e-3c1e-4b7a-9d2e-8a61c0d2008e", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:13.000000Z", "stageTimestamp": "2026-11-20T10:00:13.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c008f-3c1e-4b7a-9d2e-8a61c0d2008f", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:14.000000Z", "stageTimestamp": "2026-11-20T10:00:14.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0090-3c1e-4b7a-9d2e-8a61c0d20090", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:15.000000Z", "stageTimestamp": "2026-11-20T10:00:15.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0091-3c1e-4b7a-9d2e-8a61c0d20091", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:16.000000Z", "stageTimestamp": "2026-11-20T10:00:16.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0092-3c1e-4b7a-9d2e-8a61c0d20092", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:17.000000Z", "stageTimestamp": "2026-11-20T10:00:17.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0093-3c1e-4b7a-9d2e-8a61c0d20093", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:18.000000Z", "stageTimestamp": "2026-11-20T10:00:18.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0094-3c1e-4b7a-9d2e-8a61c0d20094", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:19.000000Z", "stageTimestamp": "2026-11-20T10:00:19.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0081-3c1e-4b7a-9d2e-8a61c0d20081", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0082-3c1e-4b7a-9d2e-8a61c0d20082", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:01.000000Z", "stageTimestamp": "2026-11-20T10:00:01.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}
{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0083-3c1e-4b7a-9d2e-8a61c0d20083", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/kube-system/secrets", "verb": "get", "user": {"username": "system:anonymous", "groups": ["system:unauthenticated"]}, "sourceIPs": ["198.51.100.23"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "namespace": "kube-system", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 403, "status": "Failure", "reason": "Forbidden"}, "requestReceivedTimestamp": "2026-11-20T10:00:02.000000Z", "stageTimestamp": "2026-11-20T10:00:02.010000Z", "annotations": {"authorization.k8s.io/decision": "forbid", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Warn, eval);

pub const WINDOW_SECONDS: i128 = 60;
pub const THRESHOLD: usize = 20;
const MAX_ADDRESSES: usize = 10_000;

/// A refused request, judged on the event that completes it.
fn is_refusal(ev: &Event) -> bool {
    ev.is_final() && (matches!(ev.code(), Some(401 | 403)) || ev.decision() == "forbid")
}

fn nanos(t: &str) -> Option<i128> {
    let t = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()?;
    Some(t.unix_timestamp_nanos())
}

/// Refusal times per source address, within the window: the scanner feeds it every event of a
/// file and hands the rule the count of a completed burst.
#[derive(Debug, Default)]
pub struct RefusalBursts {
    by_address: HashMap<IpAddr, VecDeque<i128>>,
}

impl RefusalBursts {
    /// For a refusal that makes its address reach the threshold within the window: the number
    /// of refusals in the burst (the address's count then starts over). `None` otherwise.
    #[cfg(test)]
    pub fn observe(&mut self, ev: &Event) -> Option<usize> {
        let (ip, now) = refusal_key(ev)?;
        self.observe_at(ip, now)
    }

    /// As [`RefusalBursts::observe`], for a refusal already reduced to its address and time.
    pub fn observe_at(&mut self, ip: IpAddr, now: i128) -> Option<usize> {
        let since = now - WINDOW_SECONDS * 1_000_000_000;
        if !self.by_address.contains_key(&ip) && self.by_address.len() >= MAX_ADDRESSES {
            self.by_address
                .retain(|_, times| times.back().is_some_and(|t| *t >= since));
            if self.by_address.len() >= MAX_ADDRESSES {
                return None;
            }
        }
        let times = self.by_address.entry(ip).or_default();
        while times.front().is_some_and(|t| *t < since) {
            times.pop_front();
        }
        times.push_back(now);
        if times.len() >= THRESHOLD {
            let n = times.len();
            times.clear();
            return Some(n);
        }
        None
    }
}

/// What the burst counter reads of a refusal: the address the API server saw and the time, in
/// nanoseconds. `None` for other events, and for refusals without either.
pub fn refusal_key(ev: &Event) -> Option<(IpAddr, i128)> {
    if !is_refusal(ev) {
        return None;
    }
    let ip = ev.remote_ip()?;
    let now = nanos(ev.time())?;
    Some((ip, now))
}

fn eval(v: &EventView, _: &Config) -> Option<String> {
    let n = v.refusal_burst?;
    let ip = v.remote_ip().map(|i| i.to_string()).unwrap_or_default();
    Some(format!(
        "{n} refused requests from {ip} within {WINDOW_SECONDS} s, the last: {} {} (code {})",
        v.verb(),
        object_name(v),
        v.code()
            .map(|c| c.to_string())
            .unwrap_or_else(|| "-".into())
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    /// A refusal from `ip` at second `s` of the day (401 for odd seconds, 403 otherwise).
    fn refusal(ip: &str, s: u32, user: &str) -> String {
        let code = if s % 2 == 1 { 401 } else { 403 };
        event(
            json!({"verb": "list", "user": {"username": user}, "sourceIPs": [ip],
            "objectRef": {"resource": "secrets", "namespace": "kube-system", "name": null},
            "responseStatus": {"code": code},
            "annotations": {"authorization.k8s.io/decision": "forbid"},
            "stageTimestamp": format!("2026-11-20T{:02}:{:02}:{:02}.000000Z", s / 3600, s / 60 % 60, s % 60)}),
        )
    }

    fn bursts(lines: &[String]) -> Vec<Option<usize>> {
        let mut b = RefusalBursts::default();
        lines
            .iter()
            .map(|l| b.observe(&serde_json::from_str::<Event>(l).unwrap()))
            .collect()
    }

    #[test]
    fn item8_a_burst_from_one_address_is_reported_once() {
        // 20 refusals 2 s apart from one address, each under another name: one burst at the 20th.
        let lines: Vec<String> = (0..25)
            .map(|i| refusal("198.51.100.9", 36_000 + 2 * i, &format!("user{i}")))
            .collect();
        let got = bursts(&lines);
        assert_eq!(got.iter().filter(|x| x.is_some()).count(), 1);
        assert_eq!(got[19], Some(20));
        // The rule reports the event the scanner marked.
        let ev: Event = serde_json::from_str(&lines[19]).unwrap();
        let mut view = EventView::new(&ev);
        view.refusal_burst = Some(20);
        let d = (CHECK.eval)(&view, &Config::default()).unwrap();
        assert!(
            d.starts_with("20 refused requests from 198.51.100.9 within 60 s"),
            "{d}"
        );
        view.refusal_burst = None;
        assert!((CHECK.eval)(&view, &Config::default()).is_none());
    }

    #[test]
    fn item8_slow_spread_or_allowed_requests_are_not_bursts() {
        // 30 refusals, one every 4 s: never 20 within 60 s.
        let slow: Vec<String> = (0..30)
            .map(|i| refusal("198.51.100.9", 36_000 + 4 * i, "eve"))
            .collect();
        assert!(bursts(&slow).iter().all(Option::is_none));
        // 40 refusals in 40 s, alternating between two addresses: 20 each, one burst each.
        let two: Vec<String> = (0..40)
            .map(|i| {
                refusal(
                    if i % 2 == 0 {
                        "198.51.100.9"
                    } else {
                        "203.0.113.4"
                    },
                    36_000 + i,
                    "eve",
                )
            })
            .collect();
        assert_eq!(bursts(&two).iter().filter(|x| x.is_some()).count(), 2);
        // The proxy-written first entry is not the address: the last one is.
        let forged: Vec<String> = (0..20)
            .map(|i| {
                refusal("198.51.100.9", 36_000 + i, "eve").replace(
                    "[\"198.51.100.9\"]",
                    &format!("[\"10.0.0.{i}\",\"198.51.100.9\"]"),
                )
            })
            .collect();
        assert_eq!(bursts(&forged)[19], Some(20));
        // Allowed requests and non-final stages are not refusals.
        let allowed: Vec<String> = (0..25)
            .map(|i| event(json!({"sourceIPs": ["198.51.100.9"], "stageTimestamp": format!("2026-11-20T10:00:{:02}.000000Z", i)})))
            .collect();
        assert!(bursts(&allowed).iter().all(Option::is_none));
        let started: Vec<String> = (0..25)
            .map(|i| {
                refusal("198.51.100.9", 36_000 + i, "eve")
                    .replace("ResponseComplete", "RequestReceived")
            })
            .collect();
        assert!(bursts(&started).iter().all(Option::is_none));
    }
}
