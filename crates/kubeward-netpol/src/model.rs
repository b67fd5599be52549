//! The policy model: workloads (pod groups), namespaces, NetworkPolicies, AdminNetworkPolicies,
//! the BaselineAdminNetworkPolicy and ingress-controller exposure, built from an inventory.
//! Invalid objects become [`Problem`]s naming the object; everything else is still modelled.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use kubeward_inventory::Value;
use kubeward_inventory::workload;
use kubeward_inventory::{Inventory, Object, PodTemplate};

use crate::conn::{ConnSet, Protocol};
use crate::error::SpecError;
use crate::intervals::IntervalSet;
use crate::selector::{Labels, Selector};

/// The label every namespace carries (set by the control plane since 1.22).
pub const NS_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Bounds on untrusted input.
const MAX_RULES: usize = 10_000;
const MAX_PEERS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warning,
}

/// Something wrong (or notable) in one input object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub level: Level,
    /// `NetworkPolicy ns/name`
    pub object: String,
    pub file: String,
    pub line: Option<u32>,
    /// JSON pointer of the offending field inside the object.
    pub pointer: String,
    pub message: String,
}

impl Problem {
    pub fn display(&self) -> String {
        let lvl = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let loc = match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        };
        format!(
            "{lvl}: {} ({loc} {}): {}",
            self.object, self.pointer, self.message
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: Protocol,
}

/// One analysed endpoint: a workload, or a bare pod (pods owned by a controller are grouped
/// under their owner).
#[derive(Debug, Clone)]
pub struct Workload {
    pub namespace: String,
    pub name: String,
    pub kind: String,
    pub labels: Labels,
    pub ports: Vec<ContainerPort>,
    pub host_network: bool,
    pub pod_ips: Vec<IpAddr>,
    /// Node addresses (`status.hostIP`) of this workload's pods; empty when not known (templates,
    /// pods not yet scheduled).
    pub host_ips: Vec<IpAddr>,
    /// Scheduled only on Windows nodes (`kubernetes.io/os: windows` node selector or required
    /// node affinity, or `spec.os.name: windows`).
    pub windows: bool,
    /// Index of the defining object in the inventory.
    pub object: usize,
}

impl Workload {
    /// `ns/name[Kind]`
    pub fn display_name(&self) -> String {
        format!("{}/{}[{}]", self.namespace, self.name, self.kind)
    }

    /// Resolve a named port on this workload's containers.
    pub fn named_port(&self, name: &str, protocol: Protocol) -> Option<u16> {
        self.ports
            .iter()
            .find(|p| p.protocol == protocol && p.name.as_deref() == Some(name))
            .map(|p| p.port)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Any,
    Range(u16, u16),
    Named(String),
    /// AdminNetworkPolicy `namedPort`: a container port name of any protocol.
    NamedAnyProtocol(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    pub protocol: Protocol,
    pub port: PortRef,
}

/// Addresses of an `ipBlock` (cidr minus except) or of ANP `networks`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpSet {
    pub v4: IntervalSet,
    pub v6: IntervalSet,
    /// The boundaries as written, for atoms: (cidr, excepts)
    pub text: String,
}

impl IpSet {
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }
    pub fn contains_ip(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.v4.contains(u32::from(a) as u128),
            IpAddr::V6(a) => self.v6.contains(u128::from(a)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// `podSelector` and/or `namespaceSelector` (None = not given).
    Pods {
        namespaces: Option<Selector>,
        pods: Option<Selector>,
    },
    Ip(IpSet),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpRule {
    /// Empty = every source/destination.
    pub peers: Vec<Peer>,
    /// Empty = every port and protocol.
    pub ports: Vec<PortSpec>,
    /// JSON pointer of the rule, e.g. `/spec/ingress/0`.
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub struct NetPol {
    pub namespace: String,
    pub name: String,
    pub object: usize,
    pub selector: Selector,
    pub affects_ingress: bool,
    pub affects_egress: bool,
    pub ingress: Vec<NpRule>,
    pub egress: Vec<NpRule>,
}

impl NetPol {
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allow,
    Deny,
    Pass,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "Allow",
            Action::Deny => "Deny",
            Action::Pass => "Pass",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminPeer {
    Namespaces(Selector),
    Pods {
        namespaces: Selector,
        pods: Selector,
    },
    Networks(IpSet),
    Nodes(Selector),
    /// A peer with no known field: fails closed (matches nothing for Allow, everything for Deny/Pass).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRule {
    pub name: String,
    pub action: Action,
    pub peers: Vec<AdminPeer>,
    /// None = every port.
    pub ports: Option<Vec<PortSpec>>,
    pub pointer: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Namespaces(Selector),
    Pods {
        namespaces: Selector,
        pods: Selector,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminKind {
    Admin,
    Baseline,
}

#[derive(Debug, Clone)]
pub struct AdminPolicy {
    pub kind: AdminKind,
    pub name: String,
    pub priority: i64,
    pub subject: Subject,
    pub ingress: Vec<AdminRule>,
    pub egress: Vec<AdminRule>,
    pub object: usize,
}

impl AdminPolicy {
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            AdminKind::Admin => "AdminNetworkPolicy",
            AdminKind::Baseline => "BaselineAdminNetworkPolicy",
        }
    }
}

/// A workload reachable through an Ingress or Route (via a Service) on some ports.
#[derive(Debug, Clone)]
pub struct IngressExposure {
    pub workload: usize,
    pub conns: ConnSet,
    /// `Ingress ns/name` or `Route ns/name`
    pub via: Vec<String>,
}

/// Policies of other engines that are detected but not analysed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unmodelled {
    pub kind: String,
    pub api_version: String,
    pub name: String,
    pub object: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Model {
    pub namespaces: BTreeMap<String, Labels>,
    pub workloads: Vec<Workload>,
    pub netpols: Vec<NetPol>,
    /// Sorted by priority, then name.
    pub admin: Vec<AdminPolicy>,
    pub baseline: Option<AdminPolicy>,
    pub ingress_exposure: Vec<IngressExposure>,
    pub problems: Vec<Problem>,
    pub unmodelled: Vec<Unmodelled>,
}

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

    fn load_ingress(&mut self, inv: &Inventory) {
        let services: Vec<&Object> = inv
            .objects
            .iter()
            .filter(|o| o.kind == "Service" && o.group().is_empty())
            .collect();
        let mut exposure: BTreeMap<usize, (ConnSet, BTreeSet<String>)> = BTreeMap::new();
        for o in &inv.objects {
            let is_ingress = o.kind == "Ingress"
                && (o.group().starts_with("networking.k8s.io") || o.group() == "extensions");
            let is_route = o.kind == "Route" && o.group() == "route.openshift.io";
            if !is_ingress && !is_route {
                continue;
            }
            let ns = namespace_of(o);
            let backends = if is_ingress {
                ingress_backends(&o.value)
            } else {
                route_backends(&o.value)
            };
            for (svc_name, port_sel) in backends {
                let Some(svc) = services
                    .iter()
                    .find(|s| s.name == svc_name && namespace_of(s) == ns)
                else {
                    self.problems.push(problem(
                        o,
                        Level::Warning,
                        "/spec",
                        format!("backend Service {ns}/{svc_name} is not among the inputs; ignored"),
                    ));
                    continue;
                };
                for (wi, conns) in self.service_targets(svc, &port_sel) {
                    let e = exposure.entry(wi).or_default();
                    e.0.union_with(&conns);
                    e.1.insert(obj_label(o));
                }
            }
        }
        for (workload, (conns, via)) in exposure {
            if !conns.is_empty() {
                self.ingress_exposure.push(IngressExposure {
                    workload,
                    conns,
                    via: via.into_iter().collect(),
                });
            }
        }
    }

    /// Workloads a Service selects and the target ports reached through the chosen service ports.
    fn service_targets(&self, svc: &Object, sel: &BackendPort) -> Vec<(usize, ConnSet)> {
        let ns = namespace_of(svc);
        let Some(selector) = svc
            .value
            .pointer("/spec/selector")
            .and_then(Value::as_object)
        else {
            return Vec::new();
        };
        if selector.is_empty() {
            return Vec::new();
        }
        let ports: Vec<&Value> = svc
            .value
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let chosen: Vec<&Value> = ports.iter().copied().filter(|p| sel.matches(p)).collect();
        let mut out = Vec::new();
        for (wi, w) in self.workloads.iter().enumerate() {
            if w.namespace != ns {
                continue;
            }
            let selected = selector.iter().all(|(k, v)| {
                v.as_str()
                    .is_some_and(|v| w.labels.get(k.as_str()).is_some_and(|x| x == v))
            });
            if !selected {
                continue;
            }
            let mut conns = ConnSet::none();
            for p in &chosen {
                let protocol = p
                    .get("protocol")
                    .and_then(Value::as_str)
                    .and_then(Protocol::parse)
                    .unwrap_or(Protocol::Tcp);
                let target = match p.get("targetPort") {
                    Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                    Some(Value::String(s)) => match s.parse::<u16>() {
                        Ok(n) => Some(n),
                        Err(_) => w.named_port(s, protocol),
                    },
                    _ => p
                        .get("port")
                        .and_then(Value::as_u64)
                        .and_then(|n| u16::try_from(n).ok()),
                };
                if let Some(t) = target {
                    conns.union_with(&ConnSet::ports(protocol, t as u128, t as u128));
                }
            }
            if !conns.is_empty() {
                out.push((wi, conns));
            }
        }
        out
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

/// Which service ports a backend reference selects.
#[derive(Debug, Clone)]
enum BackendPort {
    All,
    Number(u64),
    Name(String),
    /// Route `targetPort`: a service port name or target port (name or number)
    Target(Value),
}

impl BackendPort {
    fn matches(&self, p: &Value) -> bool {
        match self {
            BackendPort::All => true,
            // netpol-analyzer also accepts the target port's number here
            BackendPort::Number(n) => {
                p.get("port").and_then(Value::as_u64) == Some(*n)
                    || p.get("targetPort").and_then(Value::as_u64) == Some(*n)
            }
            BackendPort::Name(s) => p.get("name").and_then(Value::as_str) == Some(s.as_str()),
            BackendPort::Target(t) => match t {
                Value::String(s) => {
                    p.get("name").and_then(Value::as_str) == Some(s.as_str())
                        || p.get("targetPort").and_then(Value::as_str) == Some(s.as_str())
                }
                Value::Number(n) => {
                    let tp = p.get("targetPort").and_then(Value::as_u64);
                    let port = p.get("port").and_then(Value::as_u64);
                    tp == n.as_u64() || (tp.is_none() && port == n.as_u64())
                }
                _ => true,
            },
        }
    }
}

fn backend_of(b: &Value) -> Option<(String, BackendPort)> {
    if let Some(svc) = b.get("service") {
        let name = svc.get("name")?.as_str()?.to_string();
        let port = match svc.get("port") {
            Some(p) => {
                if let Some(n) = p.get("number").and_then(Value::as_u64) {
                    BackendPort::Number(n)
                } else if let Some(s) = p.get("name").and_then(Value::as_str) {
                    BackendPort::Name(s.to_string())
                } else {
                    BackendPort::All
                }
            }
            None => BackendPort::All,
        };
        return Some((name, port));
    }
    // extensions/v1beta1 and networking.k8s.io/v1beta1
    let name = b.get("serviceName")?.as_str()?.to_string();
    let port = match b.get("servicePort") {
        Some(Value::Number(n)) => n.as_u64().map_or(BackendPort::All, BackendPort::Number),
        Some(Value::String(s)) => BackendPort::Name(s.to_string()),
        _ => BackendPort::All,
    };
    Some((name, port))
}

fn ingress_backends(v: &Value) -> Vec<(String, BackendPort)> {
    let mut out = Vec::new();
    for p in ["/spec/defaultBackend", "/spec/backend"] {
        if let Some(b) = v.pointer(p).and_then(backend_of) {
            out.push(b);
        }
    }
    for rule in v
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for path in rule
            .pointer("/http/paths")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(b) = path.get("backend").and_then(backend_of) {
                out.push(b);
            }
        }
    }
    out
}

fn route_backends(v: &Value) -> Vec<(String, BackendPort)> {
    let port = match v.pointer("/spec/port/targetPort") {
        Some(t) if !t.is_null() => BackendPort::Target(t.clone()),
        _ => BackendPort::All,
    };
    let mut out = Vec::new();
    let mut targets: Vec<&Value> = v.pointer("/spec/to").into_iter().collect();
    targets.extend(
        v.pointer("/spec/alternateBackends")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    );
    for t in targets {
        let kind = t.get("kind").and_then(Value::as_str).unwrap_or("Service");
        if kind != "Service" {
            continue;
        }
        if let Some(name) = t.get("name").and_then(Value::as_str) {
            out.push((name.to_string(), port.clone()));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// NetworkPolicy parsing

fn parse_netpol(o: &Object, idx: usize, problems: &mut Vec<Problem>) -> Result<NetPol, Problem> {
    let err = |ptr: &str, msg: String| problem(o, Level::Error, ptr, msg);
    if o.name.trim().is_empty() {
        return Err(err(
            "/metadata",
            "metadata.name is missing: the API server rejects a NetworkPolicy without a name"
                .into(),
        ));
    }
    let spec = o.value.get("spec").unwrap_or(&Value::Null);
    let selector = Selector::parse(spec.get("podSelector").unwrap_or(&Value::Null))
        .map_err(|e| err("/spec/podSelector", e.to_string()))?;
    let ingress = parse_np_rules(o, spec, "ingress", "from", problems)?;
    let egress = parse_np_rules(o, spec, "egress", "to", problems)?;
    let (affects_ingress, affects_egress) = match spec.get("policyTypes") {
        Some(Value::Array(types)) if !types.is_empty() => {
            let mut i = false;
            let mut e = false;
            for (n, t) in types.iter().enumerate() {
                match t.as_str() {
                    Some("Ingress") => i = true,
                    Some("Egress") => e = true,
                    _ => {
                        return Err(err(
                            &format!("/spec/policyTypes/{n}"),
                            format!("policyTypes holds {t}; only Ingress and Egress exist"),
                        ));
                    }
                }
            }
            (i, e)
        }
        // Default: Ingress always; Egress when the policy has egress rules.
        _ => (true, !egress.is_empty()),
    };
    if !affects_ingress && !ingress.is_empty() {
        problems.push(problem(
            o,
            Level::Warning,
            "/spec/ingress",
            "ingress rules are ignored: policyTypes does not list Ingress",
        ));
    }
    if !affects_egress && !egress.is_empty() {
        problems.push(problem(
            o,
            Level::Warning,
            "/spec/egress",
            "egress rules are ignored: policyTypes does not list Egress",
        ));
    }
    Ok(NetPol {
        namespace: namespace_of(o),
        name: o.name.clone(),
        object: idx,
        selector,
        affects_ingress,
        affects_egress,
        ingress,
        egress,
    })
}

/// The `spec.<dir>` rule list of a policy (absent or null: no rules).
fn rule_list<'v>(o: &Object, spec: &'v Value, dir: &str) -> Result<&'v [Value], Problem> {
    match spec.get(dir) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(problem(
            o,
            Level::Error,
            &format!("/spec/{dir}"),
            format!("{dir} must be a list"),
        )),
    }
}

fn parse_np_rules(
    o: &Object,
    spec: &Value,
    dir: &str,
    peers_key: &str,
    problems: &mut Vec<Problem>,
) -> Result<Vec<NpRule>, Problem> {
    let err = |ptr: &str, msg: String| problem(o, Level::Error, ptr, msg);
    let list = rule_list(o, spec, dir)?;
    if list.len() > MAX_RULES {
        return Err(err(
            &format!("/spec/{dir}"),
            format!("more than {MAX_RULES} rules"),
        ));
    }
    let mut rules = Vec::new();
    for (ri, r) in list.iter().enumerate() {
        let rptr = format!("/spec/{dir}/{ri}");
        let mut peers = Vec::new();
        let peer_list = match r.get(peers_key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.iter().collect(),
            Some(_) => return Err(err(&rptr, format!("{peers_key} must be a list"))),
        };
        if peer_list.len() > MAX_PEERS {
            return Err(err(&rptr, format!("more than {MAX_PEERS} peers")));
        }
        for (pi, p) in peer_list.iter().enumerate() {
            let pptr = format!("{rptr}/{peers_key}/{pi}");
            let ip = p.get("ipBlock").filter(|v| !v.is_null());
            let ns = p.get("namespaceSelector").filter(|v| !v.is_null());
            let pod = p.get("podSelector").filter(|v| !v.is_null());
            if let Some(ip) = ip {
                if ns.is_some() || pod.is_some() {
                    return Err(err(
                        &pptr,
                        "ipBlock cannot be combined with podSelector or namespaceSelector in one peer".into(),
                    ));
                }
                peers.push(Peer::Ip(parse_ip_block(ip).map_err(|e| {
                    let field = if matches!(
                        e,
                        SpecError::ExceptNotString
                            | SpecError::BadExcept(_)
                            | SpecError::ExceptOutsideCidr { .. }
                    ) {
                        "except"
                    } else {
                        "cidr"
                    };
                    err(&format!("{pptr}/ipBlock/{field}"), e.to_string())
                })?));
            } else if ns.is_none() && pod.is_none() {
                return Err(err(
                    &pptr,
                    "a peer must set podSelector, namespaceSelector or ipBlock".into(),
                ));
            } else {
                let namespaces = ns
                    .map(Selector::parse)
                    .transpose()
                    .map_err(|e| err(&format!("{pptr}/namespaceSelector"), e.to_string()))?;
                let pods = pod
                    .map(Selector::parse)
                    .transpose()
                    .map_err(|e| err(&format!("{pptr}/podSelector"), e.to_string()))?;
                peers.push(Peer::Pods { namespaces, pods });
            }
        }
        let ports = parse_np_ports(r.get("ports"), &rptr).map_err(|(p, m)| err(&p, m))?;
        if ports.iter().any(|p| matches!(p.port, PortRef::Named(_)))
            && peers.iter().any(|p| matches!(p, Peer::Ip(_)))
            && dir == "egress"
        {
            problems.push(problem(
                o,
                Level::Warning,
                &rptr,
                "a named port never matches an ipBlock destination (names resolve against pod container ports)",
            ));
        }
        rules.push(NpRule {
            peers,
            ports,
            pointer: rptr,
        });
    }
    Ok(rules)
}

fn parse_port_number(v: &Value, what: &'static str) -> Result<u16, SpecError> {
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse::<i64>().ok(),
        _ => None,
    }
    .ok_or_else(|| SpecError::PortNotNumber {
        what,
        value: v.to_string(),
    })?;
    if !(1..=65535).contains(&n) {
        return Err(SpecError::PortOutOfRange { what, value: n });
    }
    Ok(n as u16)
}

fn parse_protocol(v: Option<&Value>) -> Result<Protocol, SpecError> {
    match v {
        None | Some(Value::Null) => Ok(Protocol::Tcp),
        Some(Value::String(s)) => match s.as_str() {
            "TCP" => Ok(Protocol::Tcp),
            "UDP" => Ok(Protocol::Udp),
            "SCTP" => Ok(Protocol::Sctp),
            other => Err(SpecError::UnknownProtocol(other.to_string())),
        },
        Some(other) => Err(SpecError::ProtocolNotString(other.to_string())),
    }
}

fn parse_np_ports(v: Option<&Value>, rptr: &str) -> Result<Vec<PortSpec>, (String, String)> {
    let list = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err((format!("{rptr}/ports"), "ports must be a list".into())),
    };
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let ptr = format!("{rptr}/ports/{i}");
        let protocol =
            parse_protocol(p.get("protocol")).map_err(|e| (ptr.clone(), e.to_string()))?;
        let end = p.get("endPort").filter(|v| !v.is_null());
        let port = match p.get("port") {
            None | Some(Value::Null) => {
                if end.is_some() {
                    return Err((ptr, "endPort requires a numeric port".into()));
                }
                PortRef::Any
            }
            Some(Value::String(s)) if s.parse::<i64>().is_err() => {
                if end.is_some() {
                    return Err((ptr, "endPort cannot be used with a named port".into()));
                }
                if s.is_empty() || s.len() > 15 {
                    return Err((ptr, format!("named port {s:?} is not a valid port name")));
                }
                PortRef::Named(s.to_string())
            }
            Some(v) => {
                let lo = parse_port_number(v, "port").map_err(|e| (ptr.clone(), e.to_string()))?;
                let hi = match end {
                    Some(e) => {
                        let hi = parse_port_number(e, "endPort")
                            .map_err(|e| (ptr.clone(), e.to_string()))?;
                        if hi < lo {
                            return Err((ptr, format!("endPort {hi} is below port {lo}")));
                        }
                        hi
                    }
                    None => lo,
                };
                PortRef::Range(lo, hi)
            }
        };
        out.push(PortSpec { protocol, port });
    }
    Ok(out)
}

/// Parse one CIDR into (is_v4, lo, hi).
pub fn parse_cidr(s: &str) -> Result<(bool, u128, u128), SpecError> {
    let net: ipnet::IpNet = s
        .trim()
        .parse()
        .map_err(|_| SpecError::BadCidr(s.to_string()))?;
    Ok(match net.trunc() {
        ipnet::IpNet::V4(n) => (
            true,
            u32::from(n.network()) as u128,
            u32::from(n.broadcast()) as u128,
        ),
        ipnet::IpNet::V6(n) => (false, u128::from(n.network()), u128::from(n.broadcast())),
    })
}

fn parse_ip_block(v: &Value) -> Result<IpSet, SpecError> {
    let cidr = v
        .get("cidr")
        .and_then(Value::as_str)
        .ok_or(SpecError::NoCidr)?;
    let (v4, lo, hi) = parse_cidr(cidr)?;
    let mut set = IntervalSet::range(lo, hi);
    let mut text = cidr.to_string();
    for e in v
        .get("except")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let es = e.as_str().ok_or(SpecError::ExceptNotString)?;
        let (ev4, elo, ehi) = parse_cidr(es).map_err(|e| SpecError::BadExcept(Box::new(e)))?;
        if ev4 != v4 || elo < lo || ehi > hi {
            return Err(SpecError::ExceptOutsideCidr {
                except: es.to_string(),
                cidr: cidr.to_string(),
            });
        }
        set = set.subtract(&IntervalSet::range(elo, ehi));
        text.push_str(&format!(" except {es}"));
    }
    Ok(if v4 {
        IpSet {
            v4: set,
            v6: IntervalSet::new(),
            text,
        }
    } else {
        IpSet {
            v4: IntervalSet::new(),
            v6: set,
            text,
        }
    })
}

// ---------------------------------------------------------------------------------------------
// AdminNetworkPolicy / BaselineAdminNetworkPolicy parsing

fn parse_admin(o: &Object, idx: usize, kind: AdminKind) -> Result<AdminPolicy, Problem> {
    let err = |ptr: &str, msg: String| problem(o, Level::Error, ptr, msg);
    let spec = o.value.get("spec").unwrap_or(&Value::Null);
    let priority = if kind == AdminKind::Admin {
        let p = spec
            .get("priority")
            .and_then(Value::as_i64)
            .ok_or_else(|| err("/spec/priority", "priority is required (0-1000)".into()))?;
        if !(0..=1000).contains(&p) {
            return Err(err(
                "/spec/priority",
                format!("priority {p} is outside 0-1000"),
            ));
        }
        p
    } else {
        i64::MAX
    };
    let subj = spec
        .get("subject")
        .ok_or_else(|| err("/spec/subject", "subject is required".into()))?;
    let subject = if let Some(ns) = subj.get("namespaces").filter(|v| !v.is_null()) {
        Subject::Namespaces(
            Selector::parse(ns).map_err(|e| err("/spec/subject/namespaces", e.to_string()))?,
        )
    } else if let Some(p) = subj.get("pods").filter(|v| !v.is_null()) {
        Subject::Pods {
            namespaces: Selector::parse(p.get("namespaceSelector").unwrap_or(&Value::Null))
                .map_err(|e| err("/spec/subject/pods/namespaceSelector", e.to_string()))?,
            pods: Selector::parse(p.get("podSelector").unwrap_or(&Value::Null))
                .map_err(|e| err("/spec/subject/pods/podSelector", e.to_string()))?,
        }
    } else {
        return Err(err(
            "/spec/subject",
            "subject must set namespaces or pods".into(),
        ));
    };
    let ingress = parse_admin_rules(o, spec, "ingress", "from", kind)?;
    let egress = parse_admin_rules(o, spec, "egress", "to", kind)?;
    Ok(AdminPolicy {
        kind,
        name: o.name.clone(),
        priority,
        subject,
        ingress,
        egress,
        object: idx,
    })
}

fn parse_admin_rules(
    o: &Object,
    spec: &Value,
    dir: &str,
    peers_key: &str,
    kind: AdminKind,
) -> Result<Vec<AdminRule>, Problem> {
    let err = |ptr: &str, msg: String| problem(o, Level::Error, ptr, msg);
    let list = rule_list(o, spec, dir)?;
    if list.len() > 100 {
        return Err(err(
            &format!("/spec/{dir}"),
            format!("{} rules; the API allows at most 100", list.len()),
        ));
    }
    let mut out = Vec::new();
    for (ri, r) in list.iter().enumerate() {
        let rptr = format!("/spec/{dir}/{ri}");
        let action = match r.get("action").and_then(Value::as_str) {
            Some("Allow") => Action::Allow,
            Some("Deny") => Action::Deny,
            Some("Pass") if kind == AdminKind::Admin => Action::Pass,
            other => {
                return Err(err(
                    &format!("{rptr}/action"),
                    format!(
                        "action {} is not valid here ({})",
                        other.unwrap_or("<missing>"),
                        if kind == AdminKind::Admin {
                            "Allow, Deny or Pass"
                        } else {
                            "Allow or Deny"
                        }
                    ),
                ));
            }
        };
        let mut peers = Vec::new();
        for (pi, p) in r
            .get(peers_key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let pptr = format!("{rptr}/{peers_key}/{pi}");
            let peer = if let Some(ns) = p.get("namespaces").filter(|v| !v.is_null()) {
                AdminPeer::Namespaces(
                    Selector::parse(ns)
                        .map_err(|e| err(&format!("{pptr}/namespaces"), e.to_string()))?,
                )
            } else if let Some(pods) = p.get("pods").filter(|v| !v.is_null()) {
                AdminPeer::Pods {
                    namespaces: Selector::parse(
                        pods.get("namespaceSelector").unwrap_or(&Value::Null),
                    )
                    .map_err(|e| err(&format!("{pptr}/pods/namespaceSelector"), e.to_string()))?,
                    pods: Selector::parse(pods.get("podSelector").unwrap_or(&Value::Null))
                        .map_err(|e| err(&format!("{pptr}/pods/podSelector"), e.to_string()))?,
                }
            } else if let Some(nets) = p.get("networks").filter(|v| !v.is_null()) {
                if dir != "egress" {
                    return Err(err(
                        &pptr,
                        "networks peers exist only in egress rules".into(),
                    ));
                }
                let mut set = IpSet::default();
                let mut texts = Vec::new();
                for n in nets.as_array().into_iter().flatten() {
                    let s = n.as_str().ok_or_else(|| {
                        err(
                            &format!("{pptr}/networks"),
                            "networks must be CIDR strings".into(),
                        )
                    })?;
                    let (v4, lo, hi) = parse_cidr(s)
                        .map_err(|e| err(&format!("{pptr}/networks"), e.to_string()))?;
                    if v4 {
                        set.v4.insert(lo, hi);
                    } else {
                        set.v6.insert(lo, hi);
                    }
                    texts.push(s.to_string());
                }
                set.text = texts.join(",");
                AdminPeer::Networks(set)
            } else if let Some(nodes) = p.get("nodes").filter(|v| !v.is_null()) {
                if dir != "egress" {
                    return Err(err(&pptr, "nodes peers exist only in egress rules".into()));
                }
                AdminPeer::Nodes(
                    Selector::parse(nodes)
                        .map_err(|e| err(&format!("{pptr}/nodes"), e.to_string()))?,
                )
            } else {
                AdminPeer::Unknown
            };
            peers.push(peer);
        }
        let ports = match r.get("ports") {
            None | Some(Value::Null) => None,
            Some(Value::Array(list)) => {
                let mut ps = Vec::new();
                for (i, p) in list.iter().enumerate() {
                    let ptr = format!("{rptr}/ports/{i}");
                    if let Some(pn) = p.get("portNumber") {
                        let protocol = parse_protocol(pn.get("protocol"))
                            .map_err(|e| err(&ptr, e.to_string()))?;
                        let port =
                            parse_port_number(pn.get("port").unwrap_or(&Value::Null), "port")
                                .map_err(|e| err(&ptr, e.to_string()))?;
                        ps.push(PortSpec {
                            protocol,
                            port: PortRef::Range(port, port),
                        });
                    } else if let Some(pr) = p.get("portRange") {
                        let protocol = parse_protocol(pr.get("protocol"))
                            .map_err(|e| err(&ptr, e.to_string()))?;
                        let lo =
                            parse_port_number(pr.get("start").unwrap_or(&Value::Null), "start")
                                .map_err(|e| err(&ptr, e.to_string()))?;
                        let hi = parse_port_number(pr.get("end").unwrap_or(&Value::Null), "end")
                            .map_err(|e| err(&ptr, e.to_string()))?;
                        if hi < lo {
                            return Err(err(
                                &ptr,
                                format!("portRange end {hi} is below start {lo}"),
                            ));
                        }
                        ps.push(PortSpec {
                            protocol,
                            port: PortRef::Range(lo, hi),
                        });
                    } else if let Some(n) = p.get("namedPort").and_then(Value::as_str) {
                        ps.push(PortSpec {
                            protocol: Protocol::Tcp,
                            port: PortRef::NamedAnyProtocol(n.to_string()),
                        });
                    } else {
                        return Err(err(
                            &ptr,
                            "a port must set portNumber, portRange or namedPort".into(),
                        ));
                    }
                }
                Some(ps)
            }
            Some(_) => return Err(err(&format!("{rptr}/ports"), "ports must be a list".into())),
        };
        out.push(AdminRule {
            name: r
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            action,
            peers,
            ports,
            pointer: rptr,
        });
    }
    Ok(out)
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
