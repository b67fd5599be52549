//! `netpol explain`: which policies and rules allow or deny a connection, and why.

use std::fmt::Write;

use crate::conn::{ConnSet, Protocol};
use crate::coverage::p210_engine_unsupported_policy_feature::{negative, windows_gaps};
use crate::engine::{Analysis, Direction, Endpoint, Engine, ip_range_name};
use crate::error::NetpolError;
use crate::model::Peer;

/// One side of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Workload(usize),
    Ip(u128),
}

/// Find a workload by `ns/name`, `ns/name[Kind]` or `name` (namespace `default`), or parse an
/// IPv4 address.
pub fn resolve(a: &Analysis, spec: &str) -> Result<Target, NetpolError> {
    if let Ok(ip) = spec.parse::<std::net::Ipv4Addr>() {
        return Ok(Target::Ip(u32::from(ip) as u128));
    }
    let (ns, rest) = spec.split_once('/').unwrap_or(("default", spec));
    let (name, kind) = match rest.split_once('[') {
        Some((n, k)) => (n, Some(k.trim_end_matches(']'))),
        None => (rest, None),
    };
    let hits: Vec<usize> = a
        .model
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| w.namespace == ns && w.name == name && kind.is_none_or(|k| k == w.kind))
        .map(|(i, _)| i)
        .collect();
    match hits.as_slice() {
        [one] => Ok(Target::Workload(*one)),
        [] => Err(NetpolError::NoSuchWorkload(spec.to_string())),
        _ => Err(NetpolError::AmbiguousWorkload {
            spec: spec.to_string(),
            namespace: ns.to_string(),
            name: name.to_string(),
        }),
    }
}

/// Parse `8080/TCP`, `53/udp` or `8080` (TCP).
pub fn parse_port(s: &str) -> Result<(u16, Protocol), NetpolError> {
    let (p, proto) = s.split_once('/').unwrap_or((s, "TCP"));
    let port: u16 = p
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| NetpolError::BadPort(p.to_string()))?;
    let proto =
        Protocol::parse(proto).ok_or_else(|| NetpolError::BadProtocol(proto.to_string()))?;
    Ok((port, proto))
}

fn name_of(a: &Analysis, t: &Target) -> String {
    match t {
        Target::Workload(w) => a.model.workloads[*w].display_name(),
        Target::Ip(ip) => ip_range_name(*ip, *ip).replace("[External]", ""),
    }
}

fn endpoint(a: &Analysis, t: &Target) -> Endpoint {
    match t {
        Target::Workload(w) => Endpoint::Class(a.class_of[*w]),
        Target::Ip(ip) => Endpoint::Ip(*ip, *ip),
    }
}

/// Why a rule's peers miss the other endpoint, where the reason is structural (not just labels).
fn why_no_match(a: &Analysis, peers: &[Peer], other: Endpoint) -> String {
    let ip_peers = peers.iter().filter(|p| matches!(p, Peer::Ip(_))).count();
    match other {
        Endpoint::Class(_)
            if ip_peers == peers.len() && !a.options.engine.ip_block_matches_pods() =>
        {
            format!(
                ": its peers are ipBlocks, which never select pods under the {} engine",
                a.options.engine.as_str()
            )
        }
        Endpoint::Ip(..) if ip_peers == 0 => {
            ": its peers select pods and namespaces only, never external addresses".into()
        }
        Endpoint::Ip(..) => ": the address is outside its ipBlocks or inside an except".into(),
        Endpoint::Class(_) => String::new(),
    }
}

/// Explain every rule that decides traffic from `src` to `dst`.
/// One side's verdict, including an engine's implicit egress to the pod's own node.
fn side_allows(
    a: &Analysis,
    dir: Direction,
    class: usize,
    peer: Endpoint,
    dst_class: Option<usize>,
) -> ConnSet {
    match (dir, peer) {
        (Direction::Egress, Endpoint::Ip(lo, hi)) if a.own_node(class, lo, hi) => ConnSet::all(),
        _ => a.direction_allows(dir, class, peer, dst_class),
    }
}

pub fn explain(a: &Analysis, src: &Target, dst: &Target, port: Option<(u16, Protocol)>) -> String {
    let mut out = String::new();
    let (sn, dn) = (name_of(a, src), name_of(a, dst));
    let se = endpoint(a, src);
    let de = endpoint(a, dst);
    let dst_class = match dst {
        Target::Workload(w) => Some(a.class_of[*w]),
        Target::Ip(_) => None,
    };
    let total = a.allowed(se, de);
    let _ = writeln!(out, "Connections {sn} => {dn}: {}", total.render());
    let probe = port.map(|(p, proto)| ConnSet::ports(proto, p as u128, p as u128));
    if let (Some((p, proto)), Some(probe)) = (port, &probe) {
        // name the side(s) that refuse the port: the source's egress, the destination's ingress
        let refused_by: Vec<String> = [
            (Direction::Egress, src, de, &sn),
            (Direction::Ingress, dst, se, &dn),
        ]
        .into_iter()
        .filter_map(|(dir, subject, peer, side)| match subject {
            Target::Workload(w) => {
                let side_result = side_allows(a, dir, a.class_of[*w], peer, dst_class);
                (!probe.is_subset_of(&side_result)).then(|| format!("{} of {side}", dir.as_str()))
            }
            Target::Ip(_) => None,
        })
        .collect();
        if probe.is_subset_of(&total) {
            let _ = writeln!(out, "{proto} {p}: ALLOWED");
        } else if refused_by.is_empty() {
            let _ = writeln!(out, "{proto} {p}: DENIED");
        } else {
            let _ = writeln!(out, "{proto} {p}: DENIED by {}", refused_by.join(" and "));
        }
    }
    for (dir, subject, peer, side) in [
        (Direction::Egress, src, de, &sn),
        (Direction::Ingress, dst, se, &dn),
    ] {
        let _ = writeln!(out, "\n{} of {side}:", dir.as_str());
        let Target::Workload(w) = subject else {
            let _ = writeln!(out, "  external address: no policy applies on this side");
            continue;
        };
        let class = a.class_of[*w];
        let result = side_allows(a, dir, class, peer, dst_class);
        let _ = writeln!(out, "  result: {}", result.render());
        if let (Direction::Egress, Endpoint::Ip(lo, hi)) = (dir, peer)
            && a.own_node(class, lo, hi)
        {
            let _ = writeln!(
                out,
                "  {} engine: the address is the node these pods run on; egress to the pod's own node is allowed whatever the policies below say",
                a.options.engine.as_str()
            );
        }
        if let (Some((p, proto)), Some(probe)) = (port, &probe) {
            let verdict = if probe.is_subset_of(&result) {
                "allowed"
            } else {
                "denied"
            };
            let _ = writeln!(out, "  {proto} {p}: {verdict} on this side");
        }
        for (ai, p) in a.model.admin.iter().enumerate() {
            if !a.admin_subject(Some(ai), class) {
                continue;
            }
            let rules = match dir {
                Direction::Ingress => &p.ingress,
                Direction::Egress => &p.egress,
            };
            for (ri, r) in rules.iter().enumerate() {
                if let Some((action, conns)) =
                    a.admin_rule_allows(Some(ai), dir, ri, peer, dst_class)
                {
                    let _ = writeln!(
                        out,
                        "  AdminNetworkPolicy {} (priority {}) rule {} {:?}: {} {}",
                        p.name,
                        p.priority,
                        ri + 1,
                        r.name,
                        action.as_str(),
                        conns.render()
                    );
                }
            }
        }
        let pols = a.policies_selecting(class, dir);
        if pols.is_empty() {
            let _ = writeln!(
                out,
                "  no NetworkPolicy selects {side} for {}: {}",
                dir.as_str(),
                if a.model.baseline.is_some() && a.admin_subject(None, class) {
                    "BaselineAdminNetworkPolicy decides what ANPs leave open"
                } else {
                    "allowed by the system default (allow all)"
                }
            );
        }
        let windows_npm = a.options.engine == Engine::AzureNpm && a.endpoint(*w).windows;
        for &pi in pols {
            let np = &a.model.netpols[pi];
            let rules = match dir {
                Direction::Ingress => &np.ingress,
                Direction::Egress => &np.egress,
            };
            let selector_gaps = if windows_npm {
                negative(&np.selector)
            } else {
                Vec::new()
            };
            if !selector_gaps.is_empty() {
                let _ = writeln!(
                    out,
                    "  caveat: {side} runs on Windows nodes, where Azure NPM does not support the podSelector of {} ({}): the policy may not apply as written",
                    np.display_name(),
                    selector_gaps.join(", ")
                );
            }
            if rules.is_empty() {
                let _ = writeln!(
                    out,
                    "  NetworkPolicy {} selects {side} and allows no {} (deny)",
                    np.display_name(),
                    dir.as_str()
                );
            }
            for (ri, rule) in rules.iter().enumerate() {
                match a.np_rule_allows(pi, dir, ri, peer, dst_class) {
                    Some(c) if !c.is_empty() => {
                        let _ = writeln!(
                            out,
                            "  NetworkPolicy {} {} rule #{} allows {}",
                            np.display_name(),
                            dir.as_str(),
                            ri + 1,
                            c.render()
                        );
                    }
                    Some(_) => {
                        let _ = writeln!(
                            out,
                            "  NetworkPolicy {} {} rule #{} matches the peer but none of its ports resolve",
                            np.display_name(),
                            dir.as_str(),
                            ri + 1
                        );
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "  NetworkPolicy {} {} rule #{} does not match the peer{}",
                            np.display_name(),
                            dir.as_str(),
                            ri + 1,
                            why_no_match(a, &rule.peers, peer)
                        );
                    }
                }
                let gaps = if windows_npm {
                    windows_gaps(rule)
                } else {
                    Vec::new()
                };
                if !gaps.is_empty() {
                    let _ = writeln!(
                        out,
                        "    caveat: {side} runs on Windows nodes, where Azure NPM does not support {}: this rule may not be enforced as written",
                        gaps.join(", ")
                    );
                }
            }
        }
        if let Some(b) = &a.model.baseline
            && a.admin_subject(None, class)
        {
            let rules = match dir {
                Direction::Ingress => &b.ingress,
                Direction::Egress => &b.egress,
            };
            for (ri, r) in rules.iter().enumerate() {
                if let Some((action, conns)) = a.admin_rule_allows(None, dir, ri, peer, dst_class) {
                    let _ = writeln!(
                        out,
                        "  BaselineAdminNetworkPolicy rule {} {:?}: {} {}",
                        ri + 1,
                        r.name,
                        action.as_str(),
                        conns.render()
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Options;
    use crate::model::Model;
    use kubeward_inventory::{LoadOptions, load_str};

    #[test]
    fn names_the_allowing_rule_and_the_verdict() {
        let y = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x}]}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: shop}\nspec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: x}]}}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: nobody}}}]}, {from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]\n";
        let inv = load_str("t.yaml", y, &LoadOptions::default());
        let m = Model::build(&inv);
        let a = Analysis::new(&m, Options::default());
        let s = resolve(&a, "shop/web").expect("found");
        let d = resolve(&a, "shop/db[Deployment]").expect("found");
        let text = explain(&a, &s, &d, Some((5432, Protocol::Tcp)));
        assert!(
            text.contains("Connections shop/web[Deployment] => shop/db[Deployment]: TCP 5432"),
            "{text}"
        );
        assert!(text.contains("TCP 5432: ALLOWED"), "{text}");
        assert!(text.contains("rule #1 does not match the peer"), "{text}");
        assert!(text.contains("rule #2 allows TCP 5432"), "{text}");
        assert!(text.contains("allowed by the system default"), "{text}");
        let text = explain(&a, &s, &d, Some((80, Protocol::Tcp)));
        assert!(
            text.contains("TCP 80: DENIED by Ingress of shop/db[Deployment]\n"),
            "{text}"
        );
        assert!(text.contains("TCP 80: denied on this side"), "{text}");
        assert!(text.contains("TCP 80: allowed on this side"), "{text}");
        assert!(resolve(&a, "shop/none").is_err());
    }

    #[test]
    fn says_why_an_ip_block_rule_misses() {
        let y = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x}]}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: shop}\nspec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: x}]}}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: out, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}, {to: [{podSelector: {}}], ports: [{port: 5432}]}]\n";
        let m = Model::build(&load_str("t.yaml", y, &LoadOptions::default()));
        let a = Analysis::new(&m, Options::default());
        let web = resolve(&a, "shop/web").expect("found");
        let text = explain(&a, &web, &resolve(&a, "shop/db").expect("found"), None);
        assert!(
            text.contains("rule #1 does not match the peer: its peers are ipBlocks, which never select pods under the default engine"),
            "{text}"
        );
        let imds = resolve(&a, "169.254.169.254").expect("ip");
        let text = explain(&a, &web, &imds, None);
        assert!(
            text.contains("rule #1 does not match the peer: the address is outside its ipBlocks or inside an except"),
            "{text}"
        );
        assert!(
            text.contains(
                "rule #2 does not match the peer: its peers select pods and namespaces only"
            ),
            "{text}"
        );
    }

    #[test]
    fn npm_allows_egress_to_the_pods_own_node_only() {
        let y = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}\nstatus: {hostIP: 10.224.0.4, podIP: 10.244.1.5}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-out, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Egress]}\n";
        let m = Model::build(&load_str("t.yaml", y, &LoadOptions::default()));
        let npm = Analysis::new(
            &m,
            Options {
                engine: Engine::AzureNpm,
                ..Default::default()
            },
        );
        let web = resolve(&npm, "shop/web").expect("found");
        let node = resolve(&npm, "10.224.0.4").expect("ip");
        let text = explain(&npm, &web, &node, Some((10250, Protocol::Tcp)));
        assert!(text.contains("TCP 10250: ALLOWED"), "{text}");
        assert!(
            text.contains("egress to the pod's own node is allowed"),
            "{text}"
        );
        let other = resolve(&npm, "10.224.0.5").expect("ip");
        let text = explain(&npm, &web, &other, Some((10250, Protocol::Tcp)));
        assert!(text.contains("TCP 10250: DENIED by Egress"), "{text}");
        // other engines: the node address is just another denied destination
        for engine in [Engine::Default, Engine::Calico, Engine::Cilium] {
            let a = Analysis::new(
                &m,
                Options {
                    engine,
                    ..Default::default()
                },
            );
            let text = explain(&a, &web, &node, Some((10250, Protocol::Tcp)));
            assert!(
                text.contains("TCP 10250: DENIED by Egress"),
                "{engine:?}: {text}"
            );
        }
    }

    #[test]
    fn windows_npm_caveats_name_the_unsupported_features() {
        let y = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: iis, namespace: shop}\nspec: {template: {metadata: {labels: {app: iis}}, spec: {nodeSelector: {kubernetes.io/os: windows}, containers: [{name: c, image: x, ports: [{containerPort: 80, name: http}]}]}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x, ports: [{containerPort: 80, name: http}]}]}}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: in, namespace: shop}\nspec:\n  podSelector: {matchExpressions: [{key: app, operator: NotIn, values: [db]}]}\n  ingress: [{ports: [{port: http}]}]\n";
        let m = Model::build(&load_str("t.yaml", y, &LoadOptions::default()));
        let text = |engine, dst: &str| {
            let a = Analysis::new(
                &m,
                Options {
                    engine,
                    ..Default::default()
                },
            );
            let s = resolve(&a, "shop/web").expect("found");
            let d = resolve(&a, dst).expect("found");
            explain(&a, &s, &d, None)
        };
        let iis = text(Engine::AzureNpm, "shop/iis");
        assert!(
            iis.contains("does not support named port http: this rule"),
            "{iis}"
        );
        assert!(iis.contains("podSelector of shop/in (app NotIn)"), "{iis}");
        // a Linux destination, or another engine: no caveat
        assert!(!text(Engine::AzureNpm, "shop/web").contains("caveat"));
        assert!(!text(Engine::Calico, "shop/iis").contains("caveat"));
    }
}
