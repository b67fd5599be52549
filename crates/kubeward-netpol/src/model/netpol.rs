//! NetworkPolicy parsing, and the field parsers (ports, protocols, CIDRs) AdminNetworkPolicy
//! shares.

use kubeward_inventory::Object;
use kubeward_inventory::Value;

use super::*;
use crate::conn::Protocol;
use crate::error::SpecError;
use crate::intervals::IntervalSet;
use crate::selector::Selector;

/// Bounds on untrusted input.
const MAX_RULES: usize = 10_000;
const MAX_PEERS: usize = 10_000;

pub(super) fn parse_netpol(
    o: &Object,
    idx: usize,
    problems: &mut Vec<Problem>,
) -> Result<NetPol, Problem> {
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
pub(super) fn rule_list<'v>(
    o: &Object,
    spec: &'v Value,
    dir: &str,
) -> Result<&'v [Value], Problem> {
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

pub(super) fn parse_port_number(v: &Value, what: &'static str) -> Result<u16, SpecError> {
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

pub(super) fn parse_protocol(v: Option<&Value>) -> Result<Protocol, SpecError> {
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
