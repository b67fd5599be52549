//! The policy model: workloads (pod groups), namespaces, NetworkPolicies, AdminNetworkPolicies,
//! the BaselineAdminNetworkPolicy and ingress-controller exposure, built from an inventory.
//! Invalid objects become [`Problem`]s naming the object; everything else is still modelled.

mod anp;
mod backends;
mod netpol;
mod types;

use std::collections::BTreeMap;
use std::net::IpAddr;

use kubeward_inventory::Value;
use kubeward_inventory::workload;
use kubeward_inventory::{Inventory, Object, PodTemplate};

use crate::conn::Protocol;
use crate::selector::Labels;

use anp::parse_admin;
pub use netpol::parse_cidr;
use netpol::parse_netpol;
pub use types::*;

fn obj_label(o: &Object) -> String {
    match &o.namespace {
        Some(ns) => format!("{} {ns}/{}", o.kind, o.name),
        None => format!("{} {}", o.kind, o.name),
    }
}

fn problem(o: &Object, level: Level, pointer: &str, message: impl Into<String>) -> Problem {
    Problem {
        level,
        object: obj_label(o),
        file: o.origin.file.to_string(),
        line: o.line_of(pointer),
        pointer: pointer.to_string(),
        message: message.into(),
    }
}

fn is_netpol(o: &Object) -> bool {
    o.kind == "NetworkPolicy" && o.group() == "networking.k8s.io"
}

fn is_policy_api(o: &Object) -> bool {
    o.group() == "policy.networking.k8s.io"
}

/// The namespace an object lives in (`default` when not set).
pub fn namespace_of(o: &Object) -> String {
    match o.namespace.as_deref() {
        Some(ns) if !ns.is_empty() => ns.to_string(),
        _ => "default".to_string(),
    }
}

impl Model {
    /// Build the model of everything in `inv`.
    pub fn build(inv: &Inventory) -> Model {
        let mut m = Model::default();
        m.load_namespaces(inv);
        m.load_workloads(inv);
        for (idx, o) in inv.objects.iter().enumerate() {
            if is_netpol(o) {
                match parse_netpol(o, idx, &mut m.problems) {
                    Ok(np) => m.netpols.push(np),
                    Err(p) => m.problems.push(p),
                }
            } else if is_policy_api(o)
                && (o.kind == "AdminNetworkPolicy" || o.kind == "BaselineAdminNetworkPolicy")
            {
                let kind = if o.kind == "AdminNetworkPolicy" {
                    AdminKind::Admin
                } else {
                    AdminKind::Baseline
                };
                match parse_admin(o, idx, kind) {
                    Ok(a) if kind == AdminKind::Admin => m.admin.push(a),
                    Ok(a) => {
                        if o.name != "default" {
                            m.problems.push(problem(
                                o,
                                Level::Warning,
                                "/metadata/name",
                                "a BaselineAdminNetworkPolicy must be named \"default\" (the API rejects other names)",
                            ));
                        }
                        if let Some(prev) = &m.baseline {
                            m.problems.push(problem(
                                o,
                                Level::Error,
                                "/metadata/name",
                                format!(
                                    "only one BaselineAdminNetworkPolicy may exist; {} is already loaded, this one is ignored",
                                    prev.name
                                ),
                            ));
                        } else {
                            m.baseline = Some(a);
                        }
                    }
                    Err(p) => m.problems.push(p),
                }
            } else if is_unmodelled(o) {
                m.unmodelled.push(Unmodelled {
                    kind: o.kind.clone(),
                    api_version: o.api_version.clone(),
                    name: match &o.namespace {
                        Some(ns) => format!("{ns}/{}", o.name),
                        None => o.name.clone(),
                    },
                    object: idx,
                });
            }
        }
        m.check_duplicates(inv);
        for np in &m.netpols {
            m.namespaces
                .entry(np.namespace.clone())
                .or_insert_with(|| ns_labels(&np.namespace));
        }
        m.admin
            .sort_by(|a, b| (a.priority, &a.name).cmp(&(b.priority, &b.name)));
        m.load_ingress(inv);
        m
    }

    fn load_namespaces(&mut self, inv: &Inventory) {
        for o in inv.of_kind("Namespace") {
            let mut labels: Labels = o
                .labels()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            labels.insert(NS_NAME_LABEL.to_string(), o.name.clone());
            self.namespaces.insert(o.name.clone(), labels);
        }
    }

    fn load_workloads(&mut self, inv: &Inventory) {
        let mut seen: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        for (idx, o) in inv.objects.iter().enumerate() {
            // the kinds come from the shared vocabulary (Argo Rollouts included); KubeVirt has its own
            if !workload::is_workload(o) || o.group() == "kubevirt.io" {
                continue;
            }
            let Some(t) = PodTemplate::of(o) else {
                continue;
            };
            let ns = namespace_of(o);
            let (name, kind) = if o.kind == "Pod" {
                owner_of(o).unwrap_or_else(|| (o.name.clone(), "Pod".to_string()))
            } else {
                (o.name.clone(), o.kind.clone())
            };
            let key = (ns.clone(), name.clone(), kind.clone());
            let pod_ips = pod_ips(o);
            let host_ip = host_ip(o);
            // Pods join their owner's workload (replicas). A second object of the same kind,
            // namespace and name (another file) is its own workload, so what is found about it
            // points at its own file and line.
            let existing = seen.get(&key).copied().filter(|&e| {
                o.kind == "Pod"
                    || inv
                        .objects
                        .get(self.workloads[e].object)
                        .is_some_and(|first| first.kind == "Pod")
            });
            if let Some(existing) = existing {
                // another replica of the same owner: keep the first pod's labels and ports
                let w = &mut self.workloads[existing];
                w.pod_ips.extend(pod_ips);
                if let Some(h) = host_ip
                    && !w.host_ips.contains(&h)
                {
                    w.host_ips.push(h);
                }
                continue;
            }
            let labels: Labels = t
                .labels()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let mut ports = Vec::new();
            for c in t.containers() {
                if c.kind != kubeward_inventory::ContainerKind::Regular {
                    continue;
                }
                for p in c
                    .value
                    .get("ports")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let Some(port) = p
                        .get("containerPort")
                        .and_then(Value::as_u64)
                        .and_then(|n| u16::try_from(n).ok())
                    else {
                        continue;
                    };
                    let protocol = p
                        .get("protocol")
                        .and_then(Value::as_str)
                        .and_then(Protocol::parse)
                        .unwrap_or(Protocol::Tcp);
                    ports.push(ContainerPort {
                        name: p.get("name").and_then(Value::as_str).map(str::to_string),
                        port,
                        protocol,
                    });
                }
            }
            let host_network = t
                .spec
                .get("hostNetwork")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            self.namespaces
                .entry(ns.clone())
                .or_insert_with(|| ns_labels(&ns));
            seen.insert(key, self.workloads.len());
            self.workloads.push(Workload {
                namespace: ns,
                name,
                kind,
                labels,
                ports,
                host_network,
                pod_ips,
                host_ips: host_ip.into_iter().collect(),
                // the scheduling question: os.name, node selector or required affinity
                windows: workload::runs_on_windows_nodes(t.spec).is_some(),
                object: idx,
            });
        }
    }

    fn check_duplicates(&mut self, inv: &Inventory) {
        let mut by_prio: BTreeMap<i64, Vec<&AdminPolicy>> = BTreeMap::new();
        for a in &self.admin {
            by_prio.entry(a.priority).or_default().push(a);
        }
        let mut extra = Vec::new();
        for (prio, list) in by_prio {
            if list.len() > 1 {
                let names: Vec<String> = list.iter().map(|a| a.name.clone()).collect();
                for a in &list {
                    if let Some(o) = inv.objects.get(a.object) {
                        extra.push(problem(
                            o,
                            Level::Error,
                            "/spec/priority",
                            format!(
                                "AdminNetworkPolicies {} share priority {prio}: which one wins is undefined (implementations may pick either); they are evaluated in name order",
                                names.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        let mut names: BTreeMap<(String, String), usize> = BTreeMap::new();
        for np in &self.netpols {
            *names
                .entry((np.namespace.clone(), np.name.clone()))
                .or_default() += 1;
        }
        for ((ns, name), n) in names {
            if n > 1
                && let Some(np) = self
                    .netpols
                    .iter()
                    .find(|p| p.namespace == ns && p.name == name)
                && let Some(o) = inv.objects.get(np.object)
            {
                extra.push(problem(
                        o,
                        Level::Warning,
                        "/metadata/name",
                        format!("{n} NetworkPolicies named {ns}/{name}: a cluster holds only one; all are analysed"),
                    ));
            }
        }
        self.problems.extend(extra);
    }
}

fn ns_labels(ns: &str) -> Labels {
    let mut l = Labels::new();
    l.insert(NS_NAME_LABEL.to_string(), ns.to_string());
    l
}

fn owner_of(o: &Object) -> Option<(String, String)> {
    let refs = o.value.pointer("/metadata/ownerReferences")?.as_array()?;
    let r = refs
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))?;
    let name = r.get("name")?.as_str()?.to_string();
    let kind = r
        .get("kind")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .unwrap_or("Pod")
        .to_string();
    let api_version = r.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    // static pods are "owned" by their Node: they stay pods
    let workload_kind =
        kind != "PodTemplate" && workload::template_pointers(&kind, api_version).is_some();
    if kind != "Pod" && !workload_kind {
        return None;
    }
    Some((name, kind))
}

/// The node address of a scheduled pod.
fn host_ip(o: &Object) -> Option<IpAddr> {
    if o.kind != "Pod" {
        return None;
    }
    o.value
        .pointer("/status/hostIP")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}

fn pod_ips(o: &Object) -> Vec<IpAddr> {
    if o.kind != "Pod" {
        return Vec::new();
    }
    let mut out = Vec::new();
    if let Some(ip) = o.value.pointer("/status/podIP").and_then(Value::as_str)
        && let Ok(a) = ip.parse()
    {
        out.push(a);
    }
    for ip in o
        .value
        .pointer("/status/podIPs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(a) = ip
            .get("ip")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            && !out.contains(&a)
        {
            out.push(a);
        }
    }
    out
}

fn is_unmodelled(o: &Object) -> bool {
    let g = o.group();
    (g == "projectcalico.org" || g == "crd.projectcalico.org")
        && matches!(
            o.kind.as_str(),
            "NetworkPolicy"
                | "GlobalNetworkPolicy"
                | "StagedNetworkPolicy"
                | "StagedGlobalNetworkPolicy"
                | "StagedKubernetesNetworkPolicy"
                | "NetworkSet"
                | "GlobalNetworkSet"
                | "HostEndpoint"
                | "Tier"
        )
        || g == "cilium.io"
            && matches!(
                o.kind.as_str(),
                "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy" | "CiliumCIDRGroup"
            )
        || g == "policy.networking.k8s.io" && o.kind == "ClusterNetworkPolicy"
        || g == "crd.antrea.io" && o.kind.ends_with("NetworkPolicy")
        || g == "k8s.cni.cncf.io" && o.kind == "MultiNetworkPolicy"
}

#[cfg(test)]
mod tests {
    use kubeward_inventory::{LoadOptions, load_str};
    use serde_json::json;

    use super::Model;

    /// What the model calls a Windows workload: the scheduling question of the shared vocabulary.
    fn runs_on_windows(spec: &kubeward_inventory::Value) -> bool {
        kubeward_inventory::workload::runs_on_windows_nodes(spec).is_some()
    }

    // a deliberate change: Argo Rollouts are workloads here too, as in every other area
    #[test]
    fn argo_rollout_is_a_workload_with_its_template_labels() {
        let y = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      nodeSelector: {kubernetes.io/os: windows}\n      containers: [{name: web, image: x, ports: [{containerPort: 8080, name: http}]}]\n---\napiVersion: example.com/v1\nkind: Rollout\nmetadata: {name: other, namespace: shop}\nspec: {template: {spec: {containers: [{name: c, image: x}]}}}\n";
        let inv = load_str("r.yaml", y, &LoadOptions::default());
        let m = Model::build(&inv);
        assert_eq!(m.workloads.len(), 1, "{:#?}", m.workloads);
        let w = &m.workloads[0];
        assert_eq!((w.kind.as_str(), w.name.as_str()), ("Rollout", "web"));
        assert_eq!(w.labels.get("app").map(String::as_str), Some("web"));
        assert!(w.windows);
    }

    #[test]
    fn windows_pods_are_recognised_by_os_selector_affinity_or_os_name() {
        let term = |values: serde_json::Value| json!({"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": values}]});
        let affinity = |terms: Vec<serde_json::Value>| json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}});
        for spec in [
            json!({"nodeSelector": {"kubernetes.io/os": "windows"}}),
            json!({"os": {"name": "windows"}}),
            affinity(vec![term(json!(["windows"]))]),
            affinity(vec![term(json!(["windows"])), term(json!(["windows"]))]),
        ] {
            assert!(runs_on_windows(&(&spec).into()), "{spec}");
        }
        for spec in [
            json!({}),
            json!({"nodeSelector": {"kubernetes.io/os": "linux"}}),
            json!({"os": {"name": "linux"}}),
            affinity(vec![]),
            affinity(vec![term(json!(["windows", "linux"]))]),
            // one term admits any OS
            affinity(vec![
                term(json!(["windows"])),
                json!({"matchExpressions": []}),
            ]),
            json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "NotIn", "values": ["windows"]}]}
            ]}}}}),
        ] {
            assert!(!runs_on_windows(&(&spec).into()), "{spec}");
        }
    }
}

#[cfg(test)]
mod same_name_tests {
    use kubeward_inventory::{LoadOptions, load_str};

    use super::Model;
    use crate::coverage::p201_workload_not_isolated_ingress;
    use crate::engine::{Analysis, Options};

    // item 16: two DaemonSets of the same namespace and name in two files are two workloads, and
    // each finding points at its own file; pods still join their owner
    #[test]
    fn item16_same_named_objects_in_two_files_stay_apart() {
        let ds = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: logging}\nspec: {template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: c, image: x}]}}}\n";
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: agent-x1, namespace: logging, labels: {app: agent}, ownerReferences: [{kind: DaemonSet, name: agent, apiVersion: apps/v1, uid: u, controller: true}]}\nspec: {containers: [{name: c, image: x}]}\nstatus: {podIP: 10.244.0.5}\n";
        let mut inv = load_str("a.yaml", ds, &LoadOptions::default());
        inv.merge(load_str(
            "b.yaml",
            &format!("# copy\n{ds}---\n{pod}"),
            &LoadOptions::default(),
        ));
        let model = Model::build(&inv);
        assert_eq!(model.workloads.len(), 2, "{:#?}", model.workloads);
        // the pod joined the second DaemonSet (the latest of that name)
        assert_eq!(model.workloads[1].pod_ips.len(), 1);
        let a = Analysis::new(&model, Options::default());
        let f = p201_workload_not_isolated_ingress::evaluate(&crate::check::Ctx::new(&inv, &a));
        let files: Vec<(Option<&str>, Option<u32>)> = f
            .iter()
            .map(|f| {
                (
                    f.evidence[0].source.file.as_deref(),
                    f.evidence[0].source.line,
                )
            })
            .collect();
        assert_eq!(files.len(), 2, "{f:#?}");
        assert_eq!(files[0].0, Some("a.yaml"));
        assert_eq!(files[1].0, Some("b.yaml"));
        // b.yaml's copy starts one line lower
        assert_eq!(files[1].1.zip(files[0].1).map(|(b, a)| b - a), Some(1));
    }
}
