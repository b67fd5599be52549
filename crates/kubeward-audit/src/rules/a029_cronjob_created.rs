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
        bad: "",
        good: "",
    },
};

pub static CHECK: Check = Check {
    meta: &META,
    needs: Needs::METADATA,
    on_match: Status::Warn,
    eval,
    precondition: always,
};

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
