//! CronJobs created or changed by people.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A029",
    name: "cronjob-created",
    since: "0.1.0",
    aliases: &[],
    title: "CronJob created or modified",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[RefStatic::mitre("T1053.007"), ms("MS-TA9014")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch of CronJobs by anyone but the platform, with the images they run when the body is logged.",
        why: "A CronJob is persistence: it re-creates the attacker's container on a schedule even after the original pod is gone.",
        fix: "Confirm the job belongs to a known deployment pipeline; deploy CronJobs through GitOps so unexpected ones stand out; restrict `create` on batch/cronjobs.",
        links: &[
            "https://microsoft.github.io/Threat-Matrix-for-Kubernetes/techniques/Kubernetes%20CronJob/",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0039-3c1e-4b7a-9d2e-8a61c0d20039", "stage": "ResponseComplete", "requestURI": "/apis/batch/v1/namespaces/shop/cronjobs", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "cronjobs", "namespace": "shop", "apiVersion": "v1", "apiGroup": "batch"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "CronJob", "apiVersion": "batch/v1", "metadata": {"name": "cleanup"}, "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "cleanup", "image": "docker.io/library/alpine:3.20"}]}}}}}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c003a-3c1e-4b7a-9d2e-8a61c0d2003a", "stage": "ResponseComplete", "requestURI": "/apis/batch/v1/namespaces/shop/cronjobs/cleanup", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "cronjobs", "namespace": "shop", "name": "cleanup", "apiVersion": "v1", "apiGroup": "batch"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "cronjobs"
        || !v.subresource().is_empty()
        || !v.is_modify()
        || !is_completed_by_person(v)
    {
        return None;
    }
    let obj = v.object();
    let images: Vec<&str> = obj
        .and_then(pod_spec)
        .map(|s| containers(s).map(|c| str_at(c, "/image")).collect())
        .unwrap_or_default();
    let schedule = obj.map(|o| str_at(o, "/spec/schedule")).unwrap_or("");
    Some(format!(
        "{} {} schedule `{schedule}` images [{}]",
        v.verb(),
        object_name(v),
        images.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_cronjob_create() {
        let d = fires_with(&CHECK, &Config::default(), json!({"objectRef": {"resource": "cronjobs", "apiGroup": "batch", "name": "x"},
            "requestObject": {"kind": "CronJob", "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "m", "image": "evil/miner"}]}}}}}}})).unwrap();
        assert!(d.contains("evil/miner") && d.contains("*/5"), "{d}");
    }

    #[test]
    fn silent_on_jobs_spawned_by_controller() {
        assert!(!fires(&CHECK, json!({"objectRef": {"resource": "jobs"}})));
        assert!(!fires(
            &CHECK,
            json!({"verb": "update", "user": {"username": "system:serviceaccount:kube-system:cronjob-controller"}, "objectRef": {"resource": "cronjobs", "subresource": "status"}})
        ));
    }
}
