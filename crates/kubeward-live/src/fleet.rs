//! The fleet node scan: one short Job per Linux node, pinned to it, running `kubeward node` with the
//! host mounted read-only; the node reports are read from the pods' logs and every Job created is
//! deleted again. This is the only code in kubeward that writes to a cluster, and it touches only
//! objects it created (labelled `app.kubernetes.io/managed-by=kubeward` and its run id).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, LogParams, PostParams};
use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, Report, Resource, Severity, Source, Status,
};
use serde_json::{Value, json};

pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by=kubeward";
pub const RUN_LABEL: &str = "kubeward.io/fleet-run";
const CONTAINER: &str = "kubeward";

pub static NODE_INCOMPLETE: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "K201",
    name: "fleet-node-incomplete",
    title: "Every node's scan finished and returned a report",
    area: Area::General,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "The fleet scan runs one Job per Linux node. This finding names a node whose Job did not \
               finish before the timeout, failed, or printed no readable report.",
        why: "A node that was not scanned is not known to be secure; it must not vanish from the report.",
        fix: "Look at the Job's pod (`kubectl -n <namespace> describe pod -l job-name=<job>`): an image \
              that cannot be pulled, a node that is NotReady, or admission (Azure Policy / PSA) rejecting \
              hostPID are the usual causes. Raise `--timeout` for slow image pulls.",
        links: &[],
    },
};

pub static NODES_DIFFER: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "K202",
    name: "fleet-nodes-differ",
    title: "All nodes give the same verdict for each check",
    area: Area::General,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Compares the node reports of a fleet scan (or of `kubeward report merge`) check by check.",
        why: "Nodes of one pool should be identical; a node that differs was changed by hand, runs an older \
              node image, or belongs to a pool with a different configuration.",
        fix: "Upgrade the node image of the pool that differs (`az aks nodepool upgrade --node-image-only`) \
              or reimage the node (`az vmss reimage`), so every node runs the pool's configuration.",
        links: &[],
    },
};

pub fn checks() -> Vec<&'static CheckMeta> {
    vec![&NODE_INCOMPLETE, &NODES_DIFFER]
}

#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Namespace the Jobs are created in (must exist; its Role is in `deploy/fleet-rbac.yaml`).
    pub namespace: String,
    /// Image holding the kubeward binary.
    pub image: String,
    /// How long to wait for all Jobs.
    pub timeout: Duration,
    /// How often to look at the Jobs.
    pub poll: Duration,
    /// At most this many looks at the Jobs (besides `timeout`): a bound that does not depend on
    /// the clock, so a test can tell a stuck node from a slow machine. `None`: only `timeout`.
    pub max_polls: Option<u32>,
    /// Extra arguments for `kubeward node` (e.g. `--benchmark cis-aks-1.8`).
    pub node_args: Vec<String>,
    /// Run id put in names and labels, so concurrent runs never touch each other's Jobs.
    pub run_id: String,
}

/// What happened on one node.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeOutcome {
    pub node: String,
    pub job: String,
    pub result: Result<Report, String>,
}

/// Progress events for a progress bar.
#[derive(Debug, Clone)]
pub enum FleetEvent {
    Started { nodes: usize },
    NodeDone { node: String, ok: bool },
    CleanedUp { deleted: usize },
}

#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error("cannot list nodes: {0}")]
    ListNodes(String),
    #[error("no Linux node found")]
    NoNodes,
}

fn jobs_resource() -> ApiResource {
    ApiResource {
        group: "batch".into(),
        version: "v1".into(),
        api_version: "batch/v1".into(),
        kind: "Job".into(),
        plural: "jobs".into(),
    }
}

fn core_resource(kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: kind.into(),
        plural: plural.into(),
    }
}

/// The Job that scans one node. Host paths are mounted read-only; `hostPID` lets the scan read the
/// kubelet's command line; it tolerates every taint so tainted pools are scanned too.
pub fn job_manifest(opts: &FleetOptions, job_name: &str, node: &str) -> Value {
    let mut args = vec![
        "node".to_string(),
        "--root".into(),
        "/host".into(),
        "--proc".into(),
        "/host/proc".into(),
        "-o".into(),
        "json".into(),
        "--fail-on".into(),
        "never".into(),
    ];
    args.extend(opts.node_args.iter().cloned());
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": job_name,
            "namespace": opts.namespace,
            "labels": {
                "app.kubernetes.io/managed-by": "kubeward",
                "app.kubernetes.io/name": "kubeward-node-scan",
                RUN_LABEL: opts.run_id,
            },
            "annotations": { "kubeward.io/node": node },
        },
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": opts.timeout.as_secs().max(30),
            "ttlSecondsAfterFinished": 600,
            "template": {
                "metadata": { "labels": { "app.kubernetes.io/managed-by": "kubeward", RUN_LABEL: opts.run_id } },
                "spec": {
                    "nodeName": node,
                    "hostPID": true,
                    "restartPolicy": "Never",
                    "automountServiceAccountToken": false,
                    "tolerations": [{ "operator": "Exists" }],
                    "containers": [{
                        "name": CONTAINER,
                        "image": opts.image,
                        "args": args,
                        "securityContext": {
                            "readOnlyRootFilesystem": true,
                            "allowPrivilegeEscalation": false,
                            "capabilities": { "drop": ["ALL"], "add": ["DAC_READ_SEARCH"] },
                        },
                        "resources": {
                            "requests": { "cpu": "50m", "memory": "32Mi" },
                            "limits": { "memory": "128Mi" },
                        },
                        "volumeMounts": [{ "name": "host", "mountPath": "/host", "readOnly": true }],
                    }],
                    "volumes": [{ "name": "host", "hostPath": { "path": "/", "type": "Directory" } }],
                },
            },
        },
    })
}

/// Job names must be DNS labels; node names can be long, so the Job name carries an index.
fn job_name(run_id: &str, index: usize) -> String {
    let mut name = format!("kubeward-node-{run_id}-{index}");
    name.truncate(63);
    name
}

fn is_linux(node: &DynamicObject) -> bool {
    let labels = &node.metadata.labels;
    let os = labels.as_ref().and_then(|l| {
        l.get("kubernetes.io/os")
            .or_else(|| l.get("beta.kubernetes.io/os"))
    });
    // Nodes without the label predate it; they are Linux in every cluster that has them.
    os.is_none_or(|os| os == "linux")
}

/// Run the fleet scan. Always deletes the Jobs it created, whatever happened.
pub async fn run(
    client: &Client,
    opts: &FleetOptions,
    progress: &(dyn Fn(FleetEvent) + Sync),
) -> Result<Vec<NodeOutcome>, FleetError> {
    let nodes_api: Api<DynamicObject> =
        Api::all_with(client.clone(), &core_resource("Node", "nodes"));
    let nodes = nodes_api
        .list(&ListParams::default())
        .await
        .map_err(|e| FleetError::ListNodes(e.to_string()))?;
    let mut node_names: Vec<String> = nodes
        .items
        .iter()
        .filter(|n| is_linux(n))
        .filter_map(|n| n.metadata.name.clone())
        .collect();
    node_names.sort();
    if node_names.is_empty() {
        return Err(FleetError::NoNodes);
    }
    progress(FleetEvent::Started {
        nodes: node_names.len(),
    });

    let jobs: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), &opts.namespace, &jobs_resource());
    let pods: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        &opts.namespace,
        &core_resource("Pod", "pods"),
    );
    // Logs are a typed subresource in kube-rs; the Pod type is only used for that call.
    let pod_logs: Api<Pod> = Api::namespaced(client.clone(), &opts.namespace);

    let mut pending: BTreeMap<String, String> = BTreeMap::new(); // job -> node
    let mut created: Vec<String> = Vec::new();
    let mut outcomes: Vec<NodeOutcome> = Vec::new();
    for (i, node) in node_names.iter().enumerate() {
        let name = job_name(&opts.run_id, i);
        let manifest = job_manifest(opts, &name, node);
        let result = match serde_json::from_value::<DynamicObject>(manifest) {
            Ok(obj) => jobs
                .create(&PostParams::default(), &obj)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match result {
            Ok(_) => {
                created.push(name.clone());
                pending.insert(name, node.clone());
            }
            Err(e) => {
                progress(FleetEvent::NodeDone {
                    node: node.clone(),
                    ok: false,
                });
                outcomes.push(NodeOutcome {
                    node: node.clone(),
                    job: name,
                    result: Err(format!("cannot create the Job: {e}")),
                });
            }
        }
    }

    let deadline = Instant::now() + opts.timeout;
    let selector = format!("{RUN_LABEL}={}", opts.run_id);
    let mut polls = 0u32;
    while !pending.is_empty()
        && Instant::now() < deadline
        && opts.max_polls.is_none_or(|max| polls < max)
    {
        polls += 1;
        if let Ok(list) = jobs.list(&ListParams::default().labels(&selector)).await {
            for job in list.items {
                let Some(name) = job.metadata.name.clone() else {
                    continue;
                };
                let Some(node) = pending.get(&name).cloned() else {
                    continue;
                };
                let succeeded = job
                    .data
                    .pointer("/status/succeeded")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                let failed = job
                    .data
                    .pointer("/status/failed")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if succeeded > 0 || failed > 0 {
                    let result = read_report(&pods, &pod_logs, &name).await.and_then(|r| {
                        if succeeded > 0 {
                            Ok(r)
                        } else {
                            Err("the Job failed".to_string())
                        }
                    });
                    progress(FleetEvent::NodeDone {
                        node: node.clone(),
                        ok: result.is_ok(),
                    });
                    outcomes.push(NodeOutcome {
                        node,
                        job: name.clone(),
                        result,
                    });
                    pending.remove(&name);
                }
            }
        }
        if !pending.is_empty() {
            tokio::time::sleep(opts.poll).await;
        }
    }
    for (job, node) in pending {
        progress(FleetEvent::NodeDone {
            node: node.clone(),
            ok: false,
        });
        outcomes.push(NodeOutcome {
            node,
            job,
            result: Err(match opts.max_polls {
                Some(max) if polls >= max => {
                    format!("the Job did not finish within {max} looks at it")
                }
                _ => format!("the Job did not finish within {} s", opts.timeout.as_secs()),
            }),
        });
    }

    let mut deleted = 0;
    for name in &created {
        if jobs.delete(name, &DeleteParams::background()).await.is_ok() {
            deleted += 1;
        }
    }
    progress(FleetEvent::CleanedUp { deleted });
    outcomes.sort_by(|a, b| a.node.cmp(&b.node));
    Ok(outcomes)
}

/// The node report printed by the Job's pod.
async fn read_report(
    pods: &Api<DynamicObject>,
    logs: &Api<Pod>,
    job: &str,
) -> Result<Report, String> {
    let list = pods
        .list(&ListParams::default().labels(&format!("job-name={job}")))
        .await
        .map_err(|e| format!("cannot list the Job's pods: {e}"))?;
    let pod = list
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .next()
        .ok_or_else(|| "the Job has no pod".to_string())?;
    let log = logs
        .logs(
            &pod,
            &LogParams {
                container: Some(CONTAINER.into()),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| format!("cannot read the log of pod {pod}: {e}"))?;
    parse_node_report(&log)
}

/// A node report from a pod log: the JSON report, possibly after stray lines.
pub fn parse_node_report(log: &str) -> Result<Report, String> {
    let start = log
        .find('{')
        .ok_or_else(|| "the pod printed no JSON report".to_string())?;
    serde_json::from_str::<Report>(&log[start..])
        .map_err(|e| format!("the pod's report is not readable: {e}"))
}

/// Merge node reports into one: every finding kept (each names its node), incomplete nodes as
/// findings, and a finding per check whose verdict differs between nodes.
pub fn merge(outcomes: Vec<NodeOutcome>) -> Report {
    let mut report = Report::new("fleet");
    // check code -> node -> status
    let mut verdicts: BTreeMap<String, BTreeMap<String, Status>> = BTreeMap::new();
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    let mut scanned = 0usize;
    for outcome in outcomes {
        match outcome.result {
            Ok(node_report) => {
                scanned += 1;
                for f in &node_report.findings {
                    let worst = verdicts
                        .entry(f.code.to_string())
                        .or_default()
                        .entry(outcome.node.clone())
                        .or_insert(f.status);
                    // A check with several findings on one node: keep the most severe status.
                    *worst = (*worst).min(f.status);
                    titles
                        .entry(f.code.to_string())
                        .or_insert_with(|| format!("{} {}", f.code, f.name));
                }
                if report.profile.is_none() {
                    report.profile = node_report.profile.clone();
                }
                report.inputs.push(kubeward_core::InputInfo {
                    kind: "node-report".into(),
                    path: outcome.node.clone(),
                    detail: Some(outcome.job.clone()),
                });
                report.findings.extend(node_report.findings);
                report.input_errors.extend(node_report.input_errors);
                if let Some(facts) = node_report.facts.get("node") {
                    report
                        .facts
                        .insert(format!("node/{}", outcome.node), facts.clone());
                }
            }
            Err(reason) => {
                report.push(
                    Finding::new(
                        &NODE_INCOMPLETE,
                        Status::Error,
                        Resource::new("Node", &outcome.node),
                        format!("node {} was not scanned: {reason}", outcome.node),
                    )
                    .with_evidence(Evidence::observed(
                        reason,
                        Source::origin(format!("Job {}", outcome.job)),
                    )),
                );
            }
        }
    }
    let nodes: Vec<String> = report.inputs.iter().map(|i| i.path.clone()).collect();
    for (code, per_node) in &verdicts {
        let mut distinct: BTreeMap<Status, Vec<&str>> = BTreeMap::new();
        for node in &nodes {
            // A check missing on a node (e.g. another profile) counts as its own verdict.
            match per_node.get(node) {
                Some(st) => distinct.entry(*st).or_default().push(node),
                None => distinct
                    .entry(Status::NotApplicable)
                    .or_default()
                    .push(node),
            }
        }
        if distinct.len() > 1 {
            let summary: Vec<String> = distinct
                .iter()
                .map(|(st, ns)| format!("{st} on {}", ns.join(", ")))
                .collect();
            let title = titles.get(code).cloned().unwrap_or_else(|| code.clone());
            let mut f = Finding::new(
                &NODES_DIFFER,
                Status::Warn,
                Resource::new("Check", code),
                format!("{title}: {}", summary.join("; ")),
            );
            for (st, ns) in &distinct {
                for n in ns {
                    f.evidence.push(
                        Evidence::observed(
                            st.as_str(),
                            Source::origin(format!("node report of {n}")),
                        )
                        .with_note(format!("check {code}")),
                    );
                }
            }
            report.push(f);
        }
    }
    report.facts.insert(
        "fleet".into(),
        json!({ "nodes": nodes, "scanned": scanned }),
    );
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_is_pinned_read_only_and_tolerant() {
        let opts = FleetOptions {
            namespace: "kubeward".into(),
            image: "img:1".into(),
            timeout: Duration::from_secs(120),
            poll: Duration::from_secs(2),
            max_polls: None,
            node_args: vec![],
            run_id: "abc".into(),
        };
        let job = job_manifest(&opts, &job_name("abc", 3), "aks-nodepool1-1-vmss000000");
        assert_eq!(job["metadata"]["name"], "kubeward-node-abc-3");
        let spec = &job["spec"]["template"]["spec"];
        assert_eq!(spec["nodeName"], "aks-nodepool1-1-vmss000000");
        assert_eq!(spec["hostPID"], true);
        assert_eq!(spec["containers"][0]["volumeMounts"][0]["readOnly"], true);
        assert_eq!(spec["tolerations"][0]["operator"], "Exists");
        assert!(spec.get("privileged").is_none());
    }

    #[test]
    fn long_run_ids_still_give_dns_labels() {
        assert!(job_name(&"x".repeat(80), 12).len() <= 63);
    }
}
