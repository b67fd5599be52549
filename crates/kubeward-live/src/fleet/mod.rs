//! The fleet node scan: one short Job per Linux node, pinned to it, running `kubeward node` with the
//! host mounted read-only; the node reports are read from the pods' logs and every Job created is
//! deleted again. This is the only code in kubeward that writes to a cluster, and it touches only
//! objects it created (labelled `app.kubernetes.io/managed-by=kubeward` and its run id).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, LogParams, PostParams};
use kubeward_core::{CheckMeta, Finding, Report};
use serde_json::{Value, json};

pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by=kubeward";
pub const RUN_LABEL: &str = "kubeward.io/fleet-run";
const CONTAINER: &str = "kubeward";

/// A node's entry in the fleet examples (node name to its `kubeward node -o json` report), cut to
/// its N123 finding: `(node, status, message)`. Macros (defined before the check modules, which
/// see them), so an example stays a `&'static str`.
macro_rules! n123_node_entry {
    ($node:literal, $status:literal, $message:literal) => {
        concat!(
            r#"  ""#,
            $node,
            r#"": {
    "schema_version": "2", "tool": {"name": "kubeward", "version": "0.1.0"}, "command": "node",
    "findings": [{"code": "N123", "name": "kubelet-read-only-port",
      "title": "The kubelet read-only port is disabled", "area": "node", "severity": "medium",
      "status": ""#,
            $status,
            r#"", "resource": {"kind": "Node", "name": ""#,
            $node,
            r#""},
      "message": ""#,
            $message,
            r#"", "remediation": ""}]
  }"#
        )
    };
}

/// A node report with no findings, as the fleet examples show it.
macro_rules! empty_node_report {
    () => {
        r#"{
    "schema_version": "2", "tool": {"name": "kubeward", "version": "0.1.0"},
    "command": "node", "findings": []
  }"#
    };
}

mod k201_fleet_node_incomplete;
mod k202_fleet_nodes_differ;

pub use k201_fleet_node_incomplete::META as NODE_INCOMPLETE;
pub use k202_fleet_nodes_differ::META as NODES_DIFFER;

/// A fleet check: it reads the outcome of every node of one fleet scan (or `report merge`).
pub struct Check {
    pub meta: &'static CheckMeta,
    pub eval: fn(&[NodeOutcome]) -> Vec<Finding>,
}

/// Every fleet check, in code order: [`merge`] runs them and [`checks`] lists them.
pub static CHECKS: &[&Check] = &[
    &k201_fleet_node_incomplete::CHECK,
    &k202_fleet_nodes_differ::CHECK,
];

pub fn checks() -> Vec<&'static CheckMeta> {
    CHECKS.iter().map(|c| c.meta).collect()
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
    pub result: Result<Report, NodeError>,
}

/// Why a node gave no report. The text is what the K201 finding says after "was not scanned: ".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeError {
    #[error("cannot create the Job: {0}")]
    CreateJob(String),
    #[error("the Job failed")]
    JobFailed,
    #[error("the Job did not finish within {0} looks at it")]
    TooManyPolls(u32),
    #[error("the Job did not finish within {0} s")]
    Timeout(u64),
    #[error("cannot list the Job's pods: {0}")]
    ListPods(String),
    #[error("the Job has no pod")]
    NoPod,
    #[error("cannot read the log of pod {pod}: {message}")]
    ReadLog { pod: String, message: String },
    #[error("the pod printed no JSON report")]
    NoReport,
    #[error("the pod's report is not readable: {0}")]
    UnreadableReport(String),
    /// A saved node report given to `report merge` that cannot be read.
    #[error("cannot read {path}: {message}")]
    ReadFile { path: String, message: String },
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
                .map_err(|e| NodeError::CreateJob(e.to_string())),
            Err(e) => Err(NodeError::CreateJob(e.to_string())),
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
                    result: Err(e),
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
                            Err(NodeError::JobFailed)
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
                Some(max) if polls >= max => NodeError::TooManyPolls(max),
                _ => NodeError::Timeout(opts.timeout.as_secs()),
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
) -> Result<Report, NodeError> {
    let list = pods
        .list(&ListParams::default().labels(&format!("job-name={job}")))
        .await
        .map_err(|e| NodeError::ListPods(e.to_string()))?;
    let pod = list
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .next()
        .ok_or(NodeError::NoPod)?;
    let log = logs
        .logs(
            &pod,
            &LogParams {
                container: Some(CONTAINER.into()),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| NodeError::ReadLog {
            pod: pod.clone(),
            message: e.to_string(),
        })?;
    parse_node_report(&log)
}

/// A node report from a pod log: the JSON report, possibly after stray lines.
pub fn parse_node_report(log: &str) -> Result<Report, NodeError> {
    let start = log.find('{').ok_or(NodeError::NoReport)?;
    serde_json::from_str::<Report>(&log[start..])
        .map_err(|e| NodeError::UnreadableReport(e.to_string()))
}

/// Merge node reports into one: every finding kept (each names its node), and the findings of
/// every fleet check (incomplete nodes, checks whose verdict differs between nodes).
pub fn merge(outcomes: Vec<NodeOutcome>) -> Report {
    let mut report = Report::new("fleet");
    for check in CHECKS {
        report.extend((check.eval)(&outcomes));
    }
    let mut nodes = Vec::new();
    for outcome in outcomes {
        let Ok(node_report) = outcome.result else {
            continue;
        };
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
        nodes.push(outcome.node);
    }
    let scanned = nodes.len();
    report.facts.insert(
        "fleet".into(),
        json!({ "nodes": nodes, "scanned": scanned }),
    );
    report
}

/// The nodes that returned a report, in the order given, each with its report.
pub(crate) fn reports(outcomes: &[NodeOutcome]) -> impl Iterator<Item = (&str, &Report)> {
    outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok().map(|r| (o.node.as_str(), r)))
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

    #[test]
    fn every_check_has_its_file() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/fleet");
        if let Err(errors) = kubeward_core::registry::check_files(&dir, &checks()) {
            panic!("{errors:?}");
        }
        if let Err(errors) = kubeward_core::Registry::new().with(&checks()).validate() {
            panic!("{errors:?}");
        }
    }

    /// An example is an object: node name -> its report, or the text its pod printed instead.
    /// Each goes through the reading `report merge` does, then [`merge`].
    fn merged_example(text: &str) -> Report {
        let nodes: serde_json::Map<String, Value> = match serde_json::from_str(text) {
            Ok(n) => n,
            Err(e) => panic!("example is not a JSON object: {e}\n{text}"),
        };
        let outcomes = nodes
            .into_iter()
            .map(|(node, v)| NodeOutcome {
                job: format!("kubeward-node-example-{node}"),
                result: match &v {
                    Value::String(log) => parse_node_report(log),
                    other => parse_node_report(&other.to_string()),
                },
                node,
            })
            .collect();
        let mut report = merge(outcomes);
        report.finish();
        report
    }

    #[test]
    fn examples_fail_and_pass_as_documented() {
        use kubeward_core::Status;
        for check in CHECKS {
            let m = check.meta;
            let failing = |r: &Report| {
                r.findings.iter().any(|f| {
                    f.code == m.code
                        && matches!(f.status, Status::Fail | Status::Error | Status::Warn)
                })
            };
            let bad = merged_example(m.doc.bad);
            assert!(
                failing(&bad),
                "{}: bad example gives {:?}",
                m.code,
                bad.findings
            );
            let good = merged_example(m.doc.good);
            assert!(
                !failing(&good),
                "{}: good example gives {:?}",
                m.code,
                good.findings
            );
            assert!(good.input_errors.is_empty() && good.findings.iter().all(|f| f.code != "K201"));
        }
    }
}
