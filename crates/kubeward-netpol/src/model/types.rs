//! The types of the policy model.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::conn::{ConnSet, Protocol};
use crate::intervals::IntervalSet;
use crate::selector::{Labels, Selector};

/// The label every namespace carries (set by the control plane since 1.22).
pub const NS_NAME_LABEL: &str = "kubernetes.io/metadata.name";

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
