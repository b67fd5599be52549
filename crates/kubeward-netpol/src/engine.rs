//! The reachability engine: pods grouped into equivalence classes by the labels and named ports
//! that policies actually look at; per direction, AdminNetworkPolicy → NetworkPolicy →
//! BaselineAdminNetworkPolicy precedence computed on connection sets.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use crate::conn::{ConnSet, Protocol};
use crate::intervals::IntervalSet;
use crate::model::{
    Action, AdminPeer, AdminPolicy, AdminRule, Model, NS_NAME_LABEL, NpRule, Peer, PortRef,
    PortSpec, Subject, Workload,
};
use crate::selector::{Labels, Selector};

/// Which policy engine's semantics to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub enum Engine {
    /// netpol-analyzer compatible: ipBlock never matches pods; ANP/BANP enforced; hostNetwork not
    /// special.
    #[default]
    Default,
    /// Azure Network Policy Manager: ipBlock matches pod IPs; ANP/BANP not enforced.
    AzureNpm,
    /// Calico (as managed by AKS): ipBlock matches pod IPs; ANP/BANP not enforced by AKS.
    Calico,
    /// Azure CNI powered by Cilium: ipBlock never matches pods or nodes; ANP/BANP not enforced.
    Cilium,
    /// No engine (AKS `networkPolicy: none`, an empty node `NETWORK_POLICY`): the API server
    /// accepts policies and nothing enforces them, so every connection is allowed.
    None,
}

impl Engine {
    pub fn parse(s: &str) -> Option<Engine> {
        match s {
            "default" | "generic" | "netpol-analyzer" => Some(Engine::Default),
            "azure-npm" | "azure" | "npm" => Some(Engine::AzureNpm),
            "calico" => Some(Engine::Calico),
            "cilium" => Some(Engine::Cilium),
            "none" => Some(Engine::None),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Default => "default",
            Engine::AzureNpm => "azure-npm",
            Engine::Calico => "calico",
            Engine::Cilium => "cilium",
            Engine::None => "none",
        }
    }
    /// Does an ipBlock select pods whose IP falls inside it?
    pub fn ip_block_matches_pods(self) -> bool {
        matches!(self, Engine::AzureNpm | Engine::Calico)
    }
    /// Are AdminNetworkPolicy/BaselineAdminNetworkPolicy enforced?
    pub fn enforces_admin_policies(self) -> bool {
        self == Engine::Default
    }
    /// Is a pod's egress to its own node's address allowed whatever its egress policies say?
    /// (Azure NPM, AKS "Secure traffic between pods using network policies".)
    pub fn allows_egress_to_own_node(self) -> bool {
        self == Engine::AzureNpm
    }
    /// Are hostNetwork pods ignored by selectors (treated as node traffic)?
    pub fn ignores_host_network_pods(self) -> bool {
        self != Engine::Default
    }
    /// Does anything enforce NetworkPolicy objects at all?
    pub fn enforces_policies(self) -> bool {
        self != Engine::None
    }
}

/// Analysis options.
#[derive(Debug, Clone)]
pub struct Options {
    pub engine: Engine,
    /// How the engine was chosen (given, read from the inputs, or a fallback).
    pub basis: crate::engine_fact::EngineBasis,
    /// Pod address range assumed for workloads without a known pod IP, when the engine matches
    /// ipBlocks against pod IPs (AKS's default pod CIDR for kubenet and Azure CNI Overlay).
    pub pod_cidr: (u128, u128),
}

impl Default for Options {
    fn default() -> Self {
        Options {
            engine: Engine::Default,
            basis: crate::engine_fact::EngineBasis::Given,
            // 10.244.0.0/16
            pod_cidr: (0x0AF4_0000, 0x0AF4_FFFF),
        }
    }
}

/// Name of the synthetic ingress-controller peer.
pub const INGRESS_CONTROLLER: &str = "{ingress-controller}";
const INGRESS_CONTROLLER_NS: &str = "ingress-controller-ns";

#[derive(Debug, Clone, Default)]
struct BitSet(Vec<u64>);

impl BitSet {
    fn new(n: usize) -> Self {
        BitSet(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn get(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

/// A peer of a connection as the engine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// An equivalence class of pods.
    Class(usize),
    /// An IPv4 address range `[lo, hi]` (one atom of the partition).
    Ip(u128, u128),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }
}

/// One pod class: what selectors can observe about its pods.
#[derive(Debug, Clone)]
pub struct Class {
    pub namespace: String,
    pub ns_labels: Labels,
    pub labels: Labels,
    /// The representative workload (first member).
    pub workload: usize,
    pub members: Vec<usize>,
    pub host_network: bool,
    pub pod_ips: Vec<IpAddr>,
    /// Node addresses of the class's pods, kept only when the engine lets pods reach their own
    /// node whatever the policies say.
    pub host_ips: Vec<IpAddr>,
}

struct CompiledRule {
    all_peers: bool,
    peers: BitSet,
    ips: IntervalSet,
    /// Precomputed ports when no named port is involved.
    fixed: Option<ConnSet>,
}

struct CompiledPolicy {
    ingress: Vec<CompiledRule>,
    egress: Vec<CompiledRule>,
}

struct CompiledAdminRule {
    action: Action,
    peers: BitSet,
    ips: IntervalSet,
    /// Deny/Pass rule with an empty peer: fails closed (everything).
    everything: bool,
    fixed: Option<ConnSet>,
}

struct CompiledAdmin {
    subject: BitSet,
    ingress: Vec<CompiledAdminRule>,
    egress: Vec<CompiledAdminRule>,
}

/// The compiled view of a model, ready for reachability queries.
pub struct Analysis<'m> {
    pub model: &'m Model,
    pub options: Options,
    /// The synthetic ingress controller: endpoint number `model.workloads.len()`, after the
    /// model's workloads (see [`Analysis::endpoint`]).
    ingress_controller: Workload,
    pub classes: Vec<Class>,
    pub class_of: Vec<usize>,
    pub ingress_controller_class: usize,
    policies: Vec<CompiledPolicy>,
    /// Per class: NetworkPolicies (indices) isolating it per direction.
    ingress_pols: Vec<Vec<usize>>,
    egress_pols: Vec<Vec<usize>>,
    admin: Vec<CompiledAdmin>,
    baseline: Option<CompiledAdmin>,
    all: ConnSet,
}

/// Label pairs and named ports of a pod as selectors see them.
type Projected = (Vec<(String, String)>, Vec<(String, u16, Protocol)>);
/// Everything that makes two pods distinguishable: namespace, projection, hostNetwork, pod IPs,
/// node IPs.
type ClassKey = (
    String,
    Vec<(String, String)>,
    Vec<(String, u16, Protocol)>,
    bool,
    Vec<IpAddr>,
    Vec<IpAddr>,
);

/// Which parts of labels and named ports selectors observe.
#[derive(Default)]
struct Projection {
    keys: BTreeSet<String>,
    values: BTreeSet<(String, String)>,
    port_names: BTreeSet<String>,
}

impl Projection {
    fn add(&mut self, s: &Selector) {
        for k in s.keys() {
            self.keys.insert(k.to_string());
        }
        for (k, v) in s.values() {
            self.values.insert((k.to_string(), v.to_string()));
        }
    }
    fn add_ports(&mut self, ports: &[PortSpec]) {
        for p in ports {
            if let PortRef::Named(n) | PortRef::NamedAnyProtocol(n) = &p.port {
                self.port_names.insert(n.clone());
            }
        }
    }
    fn project(&self, w: &Workload) -> Projected {
        let labels = w
            .labels
            .iter()
            .filter(|(k, _)| self.keys.contains(*k))
            .map(|(k, v)| {
                if self.values.contains(&(k.clone(), v.clone())) {
                    (k.clone(), v.clone())
                } else {
                    // a value no selector names: only its presence matters
                    (k.clone(), "\u{0}other".to_string())
                }
            })
            .collect();
        let ports = w
            .ports
            .iter()
            .filter_map(|p| {
                let n = p.name.as_ref()?;
                self.port_names
                    .contains(n)
                    .then(|| (n.clone(), p.port, p.protocol))
            })
            .collect();
        (labels, ports)
    }
}

impl<'m> Analysis<'m> {
    /// Endpoint `i`: a model workload, or (one past them) the synthetic ingress controller.
    pub fn endpoint(&self, i: usize) -> &Workload {
        self.model
            .workloads
            .get(i)
            .unwrap_or(&self.ingress_controller)
    }

    pub fn new(model: &'m Model, options: Options) -> Analysis<'m> {
        let engine = options.engine;
        // Endpoints are the model's workloads, then the ingress controller (not a copy of the
        // workloads: a snapshot has tens of thousands).
        let ingress_controller = Workload {
            namespace: INGRESS_CONTROLLER_NS.to_string(),
            name: INGRESS_CONTROLLER.to_string(),
            kind: String::new(),
            labels: Labels::new(),
            ports: Vec::new(),
            host_network: false,
            pod_ips: Vec::new(),
            host_ips: Vec::new(),
            windows: false,
            object: usize::MAX,
        };
        let endpoints = || {
            model
                .workloads
                .iter()
                .chain(std::iter::once(&ingress_controller))
        };
        let ic_index = model.workloads.len();

        // Projection over everything selectors and ports look at.
        let mut proj = Projection::default();
        for np in &model.netpols {
            proj.add(&np.selector);
            for r in np.ingress.iter().chain(&np.egress) {
                proj.add_ports(&r.ports);
                for p in &r.peers {
                    if let Peer::Pods { pods: Some(s), .. } = p {
                        proj.add(s);
                    }
                }
            }
        }
        for a in model.admin.iter().chain(&model.baseline) {
            if let Subject::Pods { pods, .. } = &a.subject {
                proj.add(pods);
            }
            for r in a.ingress.iter().chain(&a.egress) {
                if let Some(ps) = &r.ports {
                    proj.add_ports(ps);
                }
                for p in &r.peers {
                    if let AdminPeer::Pods { pods, .. } = p {
                        proj.add(pods);
                    }
                }
            }
        }

        let mut key_to_class: HashMap<ClassKey, usize> = HashMap::new();
        let mut classes: Vec<Class> = Vec::new();
        let mut class_of = Vec::with_capacity(ic_index + 1);
        let keep_ips = engine.ip_block_matches_pods();
        for (wi, w) in endpoints().enumerate() {
            let (labels, ports) = proj.project(w);
            let host = w.host_network && engine.ignores_host_network_pods();
            let ips = if keep_ips {
                w.pod_ips.clone()
            } else {
                Vec::new()
            };
            let host_ips = if engine.allows_egress_to_own_node() {
                w.host_ips.clone()
            } else {
                Vec::new()
            };
            // the ingress controller always gets its own class
            let ic_marker = wi == ic_index;
            let key = (
                if ic_marker {
                    format!("\u{0}{}", w.namespace)
                } else {
                    w.namespace.clone()
                },
                labels,
                ports,
                host,
                ips,
                host_ips.clone(),
            );
            let ci = *key_to_class.entry(key).or_insert_with(|| {
                let ns_labels = model
                    .namespaces
                    .get(&w.namespace)
                    .cloned()
                    .unwrap_or_else(|| {
                        let mut l = Labels::new();
                        l.insert(NS_NAME_LABEL.to_string(), w.namespace.clone());
                        l
                    });
                classes.push(Class {
                    namespace: w.namespace.clone(),
                    ns_labels,
                    labels: w.labels.clone(),
                    workload: wi,
                    members: Vec::new(),
                    host_network: host,
                    pod_ips: w.pod_ips.clone(),
                    host_ips,
                });
                classes.len() - 1
            });
            classes[ci].members.push(wi);
            class_of.push(ci);
        }
        let nclasses = classes.len();
        let ingress_controller_class = class_of[ic_index];

        let pod_in_ips = |c: &Class, ips: &IntervalSet| -> bool {
            if !keep_ips || ips.is_empty() {
                return false;
            }
            if c.pod_ips.is_empty() {
                ips.contains_range(options.pod_cidr.0, options.pod_cidr.1)
            } else {
                c.pod_ips.iter().all(|ip| match ip {
                    IpAddr::V4(a) => ips.contains(u32::from(*a) as u128),
                    IpAddr::V6(_) => false,
                })
            }
        };

        // NetworkPolicies
        let mut policies = Vec::with_capacity(model.netpols.len());
        let mut ingress_pols = vec![Vec::new(); nclasses];
        let mut egress_pols = vec![Vec::new(); nclasses];
        for (pi, np) in model.netpols.iter().enumerate() {
            for (ci, c) in classes.iter().enumerate() {
                if c.host_network || ci == ingress_controller_class {
                    continue;
                }
                // with no engine a policy isolates nothing (its rules are still compiled, so
                // what they would match stays known)
                if engine.enforces_policies()
                    && c.namespace == np.namespace
                    && np.selector.matches(&c.labels)
                {
                    if np.affects_ingress {
                        ingress_pols[ci].push(pi);
                    }
                    if np.affects_egress {
                        egress_pols[ci].push(pi);
                    }
                }
            }
            let compile = |rules: &[NpRule]| -> Vec<CompiledRule> {
                rules
                    .iter()
                    .map(|r| {
                        let mut peers = BitSet::new(nclasses);
                        let mut ips = IntervalSet::new();
                        for p in &r.peers {
                            if let Peer::Ip(set) = p {
                                ips = ips.union(&set.v4);
                            }
                        }
                        for (ci, c) in classes.iter().enumerate() {
                            if c.host_network {
                                continue;
                            }
                            let hit = r.peers.iter().any(|p| match p {
                                Peer::Pods { namespaces, pods } => {
                                    let ns_ok = match namespaces {
                                        Some(s) => s.matches(&c.ns_labels),
                                        None => c.namespace == np.namespace,
                                    };
                                    ns_ok && pods.as_ref().is_none_or(|s| s.matches(&c.labels))
                                }
                                Peer::Ip(set) => pod_in_ips(c, &set.v4),
                            });
                            if hit {
                                peers.set(ci);
                            }
                        }
                        CompiledRule {
                            all_peers: r.peers.is_empty(),
                            peers,
                            ips,
                            fixed: fixed_ports(Some(&r.ports)),
                        }
                    })
                    .collect()
            };
            policies.push(CompiledPolicy {
                ingress: compile(&np.ingress),
                egress: compile(&np.egress),
            });
        }

        let compile_admin = |a: &AdminPolicy| -> CompiledAdmin {
            let mut subject = BitSet::new(nclasses);
            for (ci, c) in classes.iter().enumerate() {
                if c.host_network || ci == ingress_controller_class {
                    continue;
                }
                let hit = match &a.subject {
                    Subject::Namespaces(s) => s.matches(&c.ns_labels),
                    Subject::Pods { namespaces, pods } => {
                        namespaces.matches(&c.ns_labels) && pods.matches(&c.labels)
                    }
                };
                if hit {
                    subject.set(ci);
                }
            }
            let compile = |rules: &[AdminRule]| -> Vec<CompiledAdminRule> {
                rules
                    .iter()
                    .map(|r| {
                        let mut peers = BitSet::new(nclasses);
                        let mut ips = IntervalSet::new();
                        let mut everything = false;
                        for p in &r.peers {
                            match p {
                                AdminPeer::Networks(set) => ips = ips.union(&set.v4),
                                AdminPeer::Unknown => everything = r.action != Action::Allow,
                                _ => {}
                            }
                        }
                        for (ci, c) in classes.iter().enumerate() {
                            if c.host_network {
                                continue;
                            }
                            let hit = everything
                                || r.peers.iter().any(|p| match p {
                                    AdminPeer::Namespaces(s) => s.matches(&c.ns_labels),
                                    AdminPeer::Pods { namespaces, pods } => {
                                        namespaces.matches(&c.ns_labels) && pods.matches(&c.labels)
                                    }
                                    AdminPeer::Networks(set) => pod_in_ips(c, &set.v4),
                                    AdminPeer::Nodes(_) | AdminPeer::Unknown => false,
                                });
                            if hit {
                                peers.set(ci);
                            }
                        }
                        CompiledAdminRule {
                            action: r.action,
                            peers,
                            ips,
                            everything,
                            fixed: fixed_ports(r.ports.as_deref()),
                        }
                    })
                    .collect()
            };
            CompiledAdmin {
                subject,
                ingress: compile(&a.ingress),
                egress: compile(&a.egress),
            }
        };
        let (admin, baseline) = if engine.enforces_admin_policies() {
            (
                model.admin.iter().map(compile_admin).collect(),
                model.baseline.as_ref().map(compile_admin),
            )
        } else {
            (Vec::new(), None)
        };

        Analysis {
            model,
            options,
            ingress_controller,
            classes,
            class_of,
            ingress_controller_class,
            policies,
            ingress_pols,
            egress_pols,
            admin,
            baseline,
            all: ConnSet::all(),
        }
    }

    /// Is the class isolated (selected by some NetworkPolicy) in this direction?
    pub fn isolated(&self, class: usize, dir: Direction) -> bool {
        match dir {
            Direction::Ingress => !self.ingress_pols[class].is_empty(),
            Direction::Egress => !self.egress_pols[class].is_empty(),
        }
    }

    /// NetworkPolicies (model indices) that select the class in this direction.
    pub fn policies_selecting(&self, class: usize, dir: Direction) -> &[usize] {
        match dir {
            Direction::Ingress => &self.ingress_pols[class],
            Direction::Egress => &self.egress_pols[class],
        }
    }

    fn compiled_rule(&self, policy: usize, dir: Direction, rule: usize) -> Option<&CompiledRule> {
        let p = self.policies.get(policy)?;
        match dir {
            Direction::Ingress => p.ingress.get(rule),
            Direction::Egress => p.egress.get(rule),
        }
    }

    /// Can a NetworkPolicy rule's peers match anything (some analysed pod, an address range, or
    /// everything)?
    pub fn rule_matches_something(&self, policy: usize, dir: Direction, rule: usize) -> bool {
        self.compiled_rule(policy, dir, rule).is_some_and(|r| {
            r.all_peers
                || !r.ips.is_empty()
                || (0..self.classes.len())
                    .any(|c| c != self.ingress_controller_class && r.peers.get(c))
        })
    }

    /// Does rule `a` allow everything rule `b` allows (same policy and direction)?
    pub fn rule_covers(&self, policy: usize, dir: Direction, a: usize, b: usize) -> bool {
        let (Some(ra), Some(rb)) = (
            self.compiled_rule(policy, dir, a),
            self.compiled_rule(policy, dir, b),
        ) else {
            return false;
        };
        let (Some(pa), Some(pb)) = (&ra.fixed, &rb.fixed) else {
            return false;
        };
        if !pb.is_subset_of(pa) {
            return false;
        }
        if ra.all_peers {
            return true;
        }
        if rb.all_peers {
            return false;
        }
        rb.ips.is_subset_of(&ra.ips) && rb.peers.0.iter().zip(&ra.peers.0).all(|(x, y)| x & !y == 0)
    }

    /// What one NetworkPolicy rule allows towards/from `peer` (None: the rule's peers do not
    /// match it).
    pub fn np_rule_allows(
        &self,
        policy: usize,
        dir: Direction,
        rule: usize,
        peer: Endpoint,
        dst: Option<usize>,
    ) -> Option<ConnSet> {
        let r = self.compiled_rule(policy, dir, rule)?;
        if !Self::np_rule_matches(r, peer) {
            return None;
        }
        let np = self.model.netpols.get(policy)?;
        let src = match dir {
            Direction::Ingress => np.ingress.get(rule)?,
            Direction::Egress => np.egress.get(rule)?,
        };
        Some(match &r.fixed {
            Some(c) => c.clone(),
            None => self.resolve_ports(&src.ports, dst),
        })
    }

    /// Does an admin policy (index into `model.admin`, or None for the baseline) select `class`?
    pub fn admin_subject(&self, admin: Option<usize>, class: usize) -> bool {
        match admin {
            Some(i) => self.admin.get(i).is_some_and(|a| a.subject.get(class)),
            None => self.baseline.as_ref().is_some_and(|b| b.subject.get(class)),
        }
    }

    /// What one admin rule matches for `peer` (None: no match, or policies not enforced).
    pub fn admin_rule_allows(
        &self,
        admin: Option<usize>,
        dir: Direction,
        rule: usize,
        peer: Endpoint,
        dst: Option<usize>,
    ) -> Option<(Action, ConnSet)> {
        let (compiled, model) = match admin {
            Some(i) => (self.admin.get(i)?, self.model.admin.get(i)?),
            None => (self.baseline.as_ref()?, self.model.baseline.as_ref()?),
        };
        let (r, src) = match dir {
            Direction::Ingress => (compiled.ingress.get(rule)?, model.ingress.get(rule)?),
            Direction::Egress => (compiled.egress.get(rule)?, model.egress.get(rule)?),
        };
        if !Self::admin_rule_matches(r, peer) {
            return None;
        }
        Some((r.action, self.admin_rule_ports(r, src, dst)))
    }

    /// Does any AdminNetworkPolicy or the baseline select the class?
    pub fn admin_selects(&self, class: usize) -> bool {
        self.admin
            .iter()
            .chain(&self.baseline)
            .any(|a| a.subject.get(class))
    }

    /// The connections an admin or baseline rule covers: precomputed when it names no port,
    /// else resolved against `dst`'s named ports.
    fn admin_rule_ports(
        &self,
        rule: &CompiledAdminRule,
        src: &AdminRule,
        dst: Option<usize>,
    ) -> ConnSet {
        match &rule.fixed {
            Some(c) => c.clone(),
            None => self.resolve_ports(src.ports.as_deref().unwrap_or(&[]), dst),
        }
    }

    fn resolve_ports(&self, ports: &[PortSpec], dst: Option<usize>) -> ConnSet {
        self.resolve_ports_keeping_names(ports, dst, false)
    }

    /// Resolve rule ports against a destination class; with `keep_names`, named ports of an
    /// unknown destination stay symbolic (exposure to pods that do not exist yet).
    pub fn resolve_ports_keeping_names(
        &self,
        ports: &[PortSpec],
        dst: Option<usize>,
        keep_names: bool,
    ) -> ConnSet {
        if ports.is_empty() {
            return ConnSet::all();
        }
        let mut out = ConnSet::none();
        for p in ports {
            match &p.port {
                PortRef::Any => out.union_with(&ConnSet::protocol(p.protocol)),
                PortRef::Range(lo, hi) => {
                    out.union_with(&ConnSet::ports(p.protocol, *lo as u128, *hi as u128))
                }
                PortRef::Named(name) => {
                    if let Some(c) = dst {
                        let w = self.endpoint(self.classes[c].workload);
                        if let Some(n) = w.named_port(name, p.protocol) {
                            out.union_with(&ConnSet::ports(p.protocol, n as u128, n as u128));
                        }
                    } else if keep_names {
                        out.union_with(&ConnSet::named(p.protocol, name));
                    }
                }
                PortRef::NamedAnyProtocol(name) => {
                    if dst.is_none() && keep_names {
                        out.union_with(&ConnSet::named_any_protocol(name));
                    }
                    if let Some(c) = dst {
                        let w = self.endpoint(self.classes[c].workload);
                        for cp in &w.ports {
                            if cp.name.as_deref() == Some(name.as_str()) {
                                out.union_with(&ConnSet::ports(
                                    cp.protocol,
                                    cp.port as u128,
                                    cp.port as u128,
                                ));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    fn np_rule_matches(rule: &CompiledRule, peer: Endpoint) -> bool {
        rule.all_peers
            || match peer {
                Endpoint::Class(c) => rule.peers.get(c),
                Endpoint::Ip(lo, hi) => rule.ips.contains_range(lo, hi),
            }
    }

    fn admin_rule_matches(rule: &CompiledAdminRule, peer: Endpoint) -> bool {
        match peer {
            Endpoint::Class(c) => rule.peers.get(c),
            Endpoint::Ip(lo, hi) => rule.everything || rule.ips.contains_range(lo, hi),
        }
    }

    /// What NetworkPolicies allow in `dir` for `subject` with `peer`; None when not isolated.
    pub fn np_allowed(
        &self,
        dir: Direction,
        subject: usize,
        peer: Endpoint,
        dst: Option<usize>,
    ) -> Option<ConnSet> {
        let pols = self.policies_selecting(subject, dir);
        if pols.is_empty() {
            return None;
        }
        let mut allowed = ConnSet::none();
        for &pi in pols {
            let rules = match dir {
                Direction::Ingress => &self.policies[pi].ingress,
                Direction::Egress => &self.policies[pi].egress,
            };
            let src_rules = match dir {
                Direction::Ingress => &self.model.netpols[pi].ingress,
                Direction::Egress => &self.model.netpols[pi].egress,
            };
            for (ri, r) in rules.iter().enumerate() {
                if !Self::np_rule_matches(r, peer) {
                    continue;
                }
                match &r.fixed {
                    Some(c) => allowed.union_with(c),
                    None => allowed.union_with(&self.resolve_ports(&src_rules[ri].ports, dst)),
                }
                if allowed.is_all() {
                    return Some(allowed);
                }
            }
        }
        Some(allowed)
    }

    /// Connections allowed in one direction for `subject` (a class) talking with `peer`.
    /// `dst` is the destination class (for named ports), None for an IP destination.
    pub fn direction_allows(
        &self,
        dir: Direction,
        subject: usize,
        peer: Endpoint,
        dst: Option<usize>,
    ) -> ConnSet {
        let admins: Vec<&CompiledAdmin> = self
            .admin
            .iter()
            .filter(|a| a.subject.get(subject))
            .collect();
        let baseline = self.baseline.as_ref().filter(|b| b.subject.get(subject));
        if admins.is_empty() && baseline.is_none() {
            return self
                .np_allowed(dir, subject, peer, dst)
                .unwrap_or_else(|| self.all.clone());
        }
        let mut allowed = ConnSet::none();
        let mut undecided = ConnSet::all();
        let mut passed = ConnSet::none();
        'tiers: for (ai, a) in self.admin.iter().enumerate() {
            if !a.subject.get(subject) {
                continue;
            }
            let (rules, src_rules) = match dir {
                Direction::Ingress => (&a.ingress, &self.model.admin[ai].ingress),
                Direction::Egress => (&a.egress, &self.model.admin[ai].egress),
            };
            for (ri, r) in rules.iter().enumerate() {
                if !Self::admin_rule_matches(r, peer) {
                    continue;
                }
                let ports = self.admin_rule_ports(r, &src_rules[ri], dst);
                let hit = ports.intersect(&undecided);
                if hit.is_empty() {
                    continue;
                }
                match r.action {
                    Action::Allow => allowed.union_with(&hit),
                    Action::Deny => {}
                    Action::Pass => passed.union_with(&hit),
                }
                undecided = undecided.subtract(&hit);
                if undecided.is_empty() {
                    break 'tiers;
                }
            }
        }
        let remaining = undecided.union(&passed);
        if remaining.is_empty() {
            return allowed;
        }
        if let Some(np) = self.np_allowed(dir, subject, peer, dst) {
            allowed.union_with(&remaining.intersect(&np));
            return allowed;
        }
        let mut rest = remaining;
        if let (Some(b), Some(model_b)) = (baseline, self.model.baseline.as_ref()) {
            let (rules, src_rules) = match dir {
                Direction::Ingress => (&b.ingress, &model_b.ingress),
                Direction::Egress => (&b.egress, &model_b.egress),
            };
            for (ri, r) in rules.iter().enumerate() {
                if !Self::admin_rule_matches(r, peer) {
                    continue;
                }
                let ports = self.admin_rule_ports(r, &src_rules[ri], dst);
                let hit = ports.intersect(&rest);
                if hit.is_empty() {
                    continue;
                }
                if r.action == Action::Allow {
                    allowed.union_with(&hit);
                }
                rest = rest.subtract(&hit);
                if rest.is_empty() {
                    break;
                }
            }
        }
        allowed.union_with(&rest);
        allowed
    }

    /// Connections allowed from `src` to `dst` (both sides' policies).
    pub fn allowed(&self, src: Endpoint, dst: Endpoint) -> ConnSet {
        match (src, dst) {
            (Endpoint::Class(s), Endpoint::Class(d)) => {
                let e = if s == self.ingress_controller_class {
                    // the ingress controller's own egress is not modelled
                    self.all.clone()
                } else {
                    self.direction_allows(Direction::Egress, s, dst, Some(d))
                };
                if e.is_empty() {
                    return e;
                }
                let i = self.direction_allows(Direction::Ingress, d, src, Some(d));
                e.intersect(&i)
            }
            (Endpoint::Ip(..), Endpoint::Class(d)) => {
                self.direction_allows(Direction::Ingress, d, src, Some(d))
            }
            (Endpoint::Class(s), Endpoint::Ip(lo, hi)) => {
                if self.own_node(s, lo, hi) {
                    return self.all.clone();
                }
                self.direction_allows(Direction::Egress, s, dst, None)
            }
            (Endpoint::Ip(..), Endpoint::Ip(..)) => ConnSet::none(),
        }
    }

    /// Is `[lo, hi]` the (IPv4) node address of the class's pods, which the engine lets them reach
    /// whatever their egress policies say?
    pub fn own_node(&self, class: usize, lo: u128, hi: u128) -> bool {
        lo == hi
            && self.options.engine.allows_egress_to_own_node()
            && self.classes.get(class).is_some_and(|c| {
                !c.host_network
                    && c.host_ips
                        .iter()
                        .any(|ip| matches!(ip, IpAddr::V4(a) if u32::from(*a) as u128 == lo))
            })
    }

    /// IPv4 boundaries of ipBlocks in ingress rules (sources) and egress rules + ANP networks
    /// (destinations); under an engine that opens egress to the pod's own node, each known node
    /// address is its own destination atom.
    pub fn ip_boundaries(&self) -> (BTreeSet<u128>, BTreeSet<u128>) {
        let mut src = BTreeSet::new();
        let mut dst = BTreeSet::new();
        let add = |set: &mut BTreeSet<u128>, ips: &IntervalSet| {
            for &(lo, hi) in ips.spans() {
                set.insert(lo);
                if hi < u32::MAX as u128 {
                    set.insert(hi + 1);
                }
            }
        };
        for np in &self.model.netpols {
            for r in &np.ingress {
                for p in &r.peers {
                    if let Peer::Ip(s) = p {
                        add(&mut src, &s.v4);
                    }
                }
            }
            for r in &np.egress {
                for p in &r.peers {
                    if let Peer::Ip(s) = p {
                        add(&mut dst, &s.v4);
                    }
                }
            }
        }
        for c in &self.classes {
            for ip in &c.host_ips {
                if let IpAddr::V4(a) = ip {
                    let n = u32::from(*a) as u128;
                    dst.insert(n);
                    if n < u32::MAX as u128 {
                        dst.insert(n + 1);
                    }
                }
            }
        }
        if self.options.engine.enforces_admin_policies() {
            for a in self.model.admin.iter().chain(&self.model.baseline) {
                for r in &a.egress {
                    for p in &r.peers {
                        if let AdminPeer::Networks(s) = p {
                            add(&mut dst, &s.v4);
                        }
                    }
                }
            }
        }
        (src, dst)
    }
}

fn fixed_ports(ports: Option<&[PortSpec]>) -> Option<ConnSet> {
    let Some(ports) = ports else {
        return Some(ConnSet::all());
    };
    if ports.is_empty() {
        return Some(ConnSet::all());
    }
    let mut out = ConnSet::none();
    for p in ports {
        match p.port {
            PortRef::Any => out.union_with(&ConnSet::protocol(p.protocol)),
            PortRef::Range(lo, hi) => {
                out.union_with(&ConnSet::ports(p.protocol, lo as u128, hi as u128))
            }
            PortRef::Named(_) | PortRef::NamedAnyProtocol(_) => return None,
        }
    }
    Some(out)
}

/// Split `[0, 2^32-1]` at `cuts` into disjoint ranges.
pub fn ipv4_atoms(cuts: &BTreeSet<u128>) -> Vec<(u128, u128)> {
    let max = u32::MAX as u128;
    let mut out = Vec::new();
    let mut lo = 0u128;
    for &c in cuts {
        if c == 0 || c > max {
            continue;
        }
        out.push((lo, c - 1));
        lo = c;
    }
    out.push((lo, max));
    out
}

/// `10.0.0.0-10.255.255.255[External]`
pub fn ip_range_name(lo: u128, hi: u128) -> String {
    let a = std::net::Ipv4Addr::from(lo as u32);
    let b = std::net::Ipv4Addr::from(hi as u32);
    format!("{a}-{b}[External]")
}

/// Group map helper for callers: workloads per class.
pub fn members_by_class(a: &Analysis) -> BTreeMap<usize, Vec<usize>> {
    let mut m: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (w, &c) in a.class_of.iter().enumerate() {
        m.entry(c).or_default().push(w);
    }
    m
}
