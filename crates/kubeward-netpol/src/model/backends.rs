//! Ingress and Gateway API backends: which Services an Ingress or a route sends traffic to.

use std::collections::{BTreeMap, BTreeSet};

use kubeward_inventory::Value;
use kubeward_inventory::{Inventory, Object};

use super::*;
use crate::conn::{ConnSet, Protocol};

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

impl Model {
    /// Workloads an Ingress or Route reaches, through which Services and ports.
    pub(super) fn load_ingress(&mut self, inv: &Inventory) {
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
