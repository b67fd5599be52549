//! AdminNetworkPolicy / BaselineAdminNetworkPolicy parsing.

use kubeward_inventory::Object;
use kubeward_inventory::Value;

use super::netpol::{parse_port_number, parse_protocol, rule_list};
use super::*;
use crate::conn::Protocol;
use crate::selector::Selector;

pub(super) fn parse_admin(o: &Object, idx: usize, kind: AdminKind) -> Result<AdminPolicy, Problem> {
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
