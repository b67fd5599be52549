//! P210: policy features the selected AKS engine does not enforce as written.

use std::collections::BTreeMap;

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Status};
use kubeward_inventory::Inventory;

use super::{object_source, workload_resource};
use crate::check::{Check, Ctx};
use crate::conn::Protocol;
use crate::engine::{Analysis, Direction, Endpoint, Engine};
use crate::examples::cilium_daemonset;
use crate::model::{NetPol, NpRule, Peer, PortRef};
use crate::selector::{Operator, Selector};

pub static META: CheckMeta = CheckMeta {
    code: "P210",
    name: "engine-unsupported-policy-feature",
    since: "0.1.0",
    aliases: &[],
    title: "Network policies use only features the cluster's policy engine enforces",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Default engine (netpol-analyzer semantics: an ipBlock never matches a pod): each ipBlock that covers a pod IP given by the inputs (status.podIP/podIPs), whose verdict depends on the engine (Azure NPM and Calico match pod IPs, Cilium does not), and, when the engine could not be known from the inputs, one INFO saying the ipBlock-to-pod verdicts are the fallback's. Per NetworkPolicy, features with documented gaps in the AKS engine given by --engine or found in the inputs: Azure NPM (no IPv6; endPort ignored by NPM v1; large ipBlock lists race on update; on Windows nodes no named ports, no SCTP, no negative selectors NotIn/DoesNotExist and no ipBlock except, reported per rule with the Windows workloads the policy selects; egress to the pod's own node always allowed, reported per egress-isolated workload and drawn in the connectivity list when the inputs give the pods' node addresses, status.hostIP), Azure CNI powered by Cilium (endPort only from Cilium 1.17; one named port mapping to different numbers on different pods; ipBlock never matching pods or nodes).",
        why: "A policy the engine silently narrows or widens is not the policy that was reviewed: endPort ignored means only the first port is opened, IPv6 blocks are not enforced, a rule Windows NPM cannot translate does not protect Windows pods as written, a default-deny egress policy under NPM still lets a pod reach its node (kubelet, node-local and host-network services), a 0.0.0.0/0 egress rule on Cilium does not reach pods or nodes.",
        fix: "Azure NPM: migrate to Azure CNI powered by Cilium (az aks update --network-dataplane cilium; Linux node pools only) or keep policies within NPM's limits (IPv4 only, at most a few ipBlocks per policy; for policies selecting Windows pods use numeric ports, TCP/UDP, In/Exists selectors and ipBlocks without except, splitting a CIDR into the ranges it should allow). Egress to the node cannot be closed by NetworkPolicy under NPM: keep node services authenticated (kubelet authn/authz is on by default on AKS) or move to Cilium. Cilium: upgrade to a Kubernetes version with Cilium 1.17+ for endPort (AKS 1.32+), give one port name one number, and add namespaceSelector/podSelector peers next to ipBlock for in-cluster destinations.",
        links: &[
            "https://learn.microsoft.com/azure/aks/use-network-policies",
            "https://learn.microsoft.com/azure/aks/migrate-from-npm-to-cilium-network-policy",
        ],
        bad: concat!(
            cilium_daemonset!(),
            "\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ports, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{protocol: TCP, port: 8000, endPort: 8100}]}]
"
        ),
        good: concat!(
            cilium_daemonset!(),
            "\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ports, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{protocol: TCP, port: 8000}, {protocol: TCP, port: 8100}]}]
"
        ),
    },
};

pub static CHECK: Check = Check::coverage(&META, evaluate);

fn issues(a: &Analysis, np: &NetPol) -> Vec<(String, String)> {
    let engine = a.options.engine;
    let rules: Vec<_> = np.ingress.iter().chain(&np.egress).collect();
    let mut out = Vec::new();
    let has_end_port = rules.iter().any(|r| {
        r.ports
            .iter()
            .any(|p| matches!(p.port, PortRef::Range(lo, hi) if hi > lo))
    });
    let ip_blocks: Vec<_> = rules
        .iter()
        .flat_map(|r| r.peers.iter())
        .filter_map(|p| match p {
            Peer::Ip(s) => Some(s),
            _ => None,
        })
        .collect();
    match engine {
        Engine::AzureNpm => {
            if ip_blocks.iter().any(|s| !s.v6.is_empty()) {
                out.push((
                    "/spec".into(),
                    "IPv6 ipBlock: Azure NPM does not support IPv6, the block is not enforced"
                        .into(),
                ));
            }
            if has_end_port {
                out.push(("/spec".into(), "endPort: NPM v1 ignored it (only the first port opened); verify the cluster runs NPM v2".into()));
            }
            if ip_blocks.len() > 4 {
                out.push(("/spec".into(), format!("{} ipBlocks: updating or deleting such a policy can briefly open connectivity on NPM (keep to 4 or fewer)", ip_blocks.len())));
            }
        }
        Engine::Cilium => {
            if has_end_port {
                out.push((
                    "/spec".into(),
                    "endPort is enforced only from Cilium 1.17 (AKS Kubernetes 1.32 and later)"
                        .into(),
                ));
            }
            // one name, several numbers among the pods the rules can resolve against
            let mut names: BTreeMap<&str, std::collections::BTreeSet<u16>> = BTreeMap::new();
            for r in &rules {
                for p in &r.ports {
                    if let PortRef::Named(n) = &p.port {
                        for w in &a.model.workloads {
                            if let Some(num) = w.named_port(n, p.protocol) {
                                names.entry(n.as_str()).or_default().insert(num);
                            }
                        }
                    }
                }
            }
            for (n, nums) in names {
                if nums.len() > 1 {
                    out.push(("/spec".into(), format!("named port {n} maps to {} different numbers on different pods: Cilium may enforce the wrong one (cilium/cilium#30003)", nums.len())));
                }
            }
            if np.egress.iter().any(|r| {
                r.peers.iter().any(|p| matches!(p, Peer::Ip(s) if s.v4.contains_range(0, u32::MAX as u128) || s.v4.spans().iter().any(|&(lo, hi)| hi - lo >= 0x00FF_FFFF)))
            }) {
                out.push(("/spec/egress".into(), "broad ipBlock egress: Cilium never matches pods or nodes with ipBlock, so in-cluster destinations need namespaceSelector/podSelector peers".into()));
            }
        }
        Engine::Calico | Engine::Default | Engine::None => {}
    }
    out
}

/// Negative requirements (NotIn/DoesNotExist) of a selector, as written.
pub(crate) fn negative(s: &Selector) -> Vec<String> {
    s.expressions
        .iter()
        .filter(|r| matches!(r.op, Operator::NotIn | Operator::DoesNotExist))
        .map(|r| format!("{} {}", r.key, r.op.as_str()))
        .collect()
}

/// Features of one rule that Azure NPM on Windows nodes does not support.
pub(crate) fn windows_gaps(r: &NpRule) -> Vec<String> {
    let mut out = Vec::new();
    for p in &r.ports {
        if let PortRef::Named(n) | PortRef::NamedAnyProtocol(n) = &p.port {
            out.push(format!("named port {n}"));
        }
        if p.protocol == Protocol::Sctp {
            out.push("protocol SCTP".to_string());
        }
    }
    for peer in &r.peers {
        match peer {
            Peer::Pods { namespaces, pods } => {
                for (what, sel) in [("namespaceSelector", namespaces), ("podSelector", pods)] {
                    if let Some(sel) = sel {
                        for n in negative(sel) {
                            out.push(format!("{what} {n}"));
                        }
                    }
                }
            }
            Peer::Ip(set) if set.text.contains(" except ") => {
                out.push(format!("ipBlock {}", set.text.trim()));
            }
            Peer::Ip(_) => {}
        }
    }
    out.dedup();
    out
}

/// Azure NPM on Windows: per rule (and the policy's own podSelector) with unsupported features,
/// the Windows workloads the policy selects.
fn windows_findings(inv: &Inventory, a: &Analysis, pi: usize, np: &NetPol) -> Vec<Finding> {
    let mut out = Vec::new();
    let selected = |dir: Direction| -> Vec<String> {
        a.model
            .workloads
            .iter()
            .enumerate()
            .filter(|(wi, w)| w.windows && a.policies_selecting(a.class_of[*wi], dir).contains(&pi))
            .map(|(_, w)| w.display_name())
            .collect()
    };
    let (win_in, win_out) = (selected(Direction::Ingress), selected(Direction::Egress));
    let mut any: Vec<String> = win_in.iter().chain(&win_out).cloned().collect();
    any.sort();
    any.dedup();
    if any.is_empty() {
        return out;
    }
    let mut emit = |pointer: &str, gaps: Vec<String>, workloads: &[String]| {
        if gaps.is_empty() || workloads.is_empty() {
            return;
        }
        let msg = format!(
            "azure-npm engine on Windows nodes: {pointer} uses {}, which NPM on Windows does not support; selects Windows workloads {}",
            gaps.join(", "),
            workloads.join(", ")
        );
        out.push(
            Finding::new(
                &META,
                Status::Warn,
                Resource::namespaced("NetworkPolicy", np.namespace.clone(), np.name.clone()),
                msg,
            )
            .with_evidence(
                Evidence::observed(gaps.join(", "), object_source(inv, np.object, pointer))
                    .with_note(format!("Windows workloads: {}", workloads.join(", "))),
            ),
        );
    };
    emit(
        "/spec/podSelector",
        negative(&np.selector)
            .into_iter()
            .map(|n| format!("podSelector {n}"))
            .collect(),
        &any,
    );
    for (rules, workloads) in [(&np.ingress, &win_in), (&np.egress, &win_out)] {
        for r in rules {
            emit(&r.pointer, windows_gaps(r), workloads);
        }
    }
    out
}

/// Azure NPM: egress to the pod's own node is allowed whatever the egress policies say. Per
/// egress-isolated workload whose policies would otherwise refuse some address.
fn own_node_findings(inv: &Inventory, a: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    if !a.options.engine.allows_egress_to_own_node() {
        return out;
    }
    let everything = Endpoint::Ip(0, u32::MAX as u128);
    for (wi, w) in a.model.workloads.iter().enumerate() {
        let class = a.class_of[wi];
        if w.host_network || !a.isolated(class, Direction::Egress) {
            continue;
        }
        let widened: Vec<String> = w
            .host_ips
            .iter()
            .filter(|ip| match ip {
                std::net::IpAddr::V4(v) => {
                    let n = u32::from(*v) as u128;
                    !a.direction_allows(Direction::Egress, class, Endpoint::Ip(n, n), None)
                        .is_all()
                }
                std::net::IpAddr::V6(_) => false,
            })
            .map(ToString::to_string)
            .collect();
        let (observed, msg) = if !w.host_ips.is_empty() {
            if widened.is_empty() {
                continue;
            }
            (
                format!("node address {}", widened.join(", ")),
                format!(
                    "azure-npm engine: egress to the pods' own node ({}) is allowed whatever the egress policies say; included in the connectivity list",
                    widened.join(", ")
                ),
            )
        } else {
            if a.direction_allows(Direction::Egress, class, everything, None)
                .is_all()
            {
                continue;
            }
            (
                "node address unknown (no status.hostIP in the inputs)".to_string(),
                "azure-npm engine: egress to the pods' own node is allowed whatever the egress policies say; the node address is not in the inputs, so this connection is missing from the connectivity list (analyse a cluster snapshot with pod status to include it)".to_string(),
            )
        };
        let names: Vec<String> = a
            .policies_selecting(class, Direction::Egress)
            .iter()
            .map(|&p| a.model.netpols[p].display_name())
            .collect();
        let pointer = if w.host_ips.is_empty() {
            "/spec"
        } else {
            "/status/hostIP"
        };
        out.push(
            Finding::new(&META, Status::Warn, workload_resource(w), msg).with_evidence(
                Evidence::observed(observed, object_source(inv, w.object, pointer)).with_note(
                    format!(
                        "egress isolated by {}; NPM exempts the pod's own node",
                        names.join(", ")
                    ),
                ),
            ),
        );
    }
    out
}

/// Default engine: every ipBlock that covers a pod IP the inputs give (status.podIP(s)). Whether
/// it matches that pod is the engine's choice, and the default engine says no.
pub fn ip_blocks_over_pods(
    inv: &Inventory,
    model: &crate::model::Model,
    basis: &crate::engine_fact::EngineBasis,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let why = match basis {
        crate::engine_fact::EngineBasis::Unknown { why } => {
            format!("the cluster's engine is not known ({why})")
        }
        _ => "default engine".to_string(),
    };
    let mut any_block = false;
    for np in &model.netpols {
        for r in np.ingress.iter().chain(&np.egress) {
            for p in &r.peers {
                let Peer::Ip(set) = p else { continue };
                let covered: Vec<String> = model
                    .workloads
                    .iter()
                    .filter_map(|w| {
                        let ips: Vec<String> = w
                            .pod_ips
                            .iter()
                            .filter(|ip| match ip {
                                std::net::IpAddr::V4(v) => set.v4.contains(u32::from(*v) as u128),
                                std::net::IpAddr::V6(_) => false,
                            })
                            .map(ToString::to_string)
                            .collect();
                        (!ips.is_empty())
                            .then(|| format!("{} ({})", w.display_name(), ips.join(", ")))
                    })
                    .collect();
                any_block = true;
                if covered.is_empty() {
                    continue;
                }
                let block = set.text.trim();
                out.push(
                    Finding::new(
                        &META,
                        Status::Warn,
                        Resource::namespaced("NetworkPolicy", np.namespace.clone(), np.name.clone()),
                        format!(
                            "{why}: ipBlock {block} at {} covers the pod IP of {}; analysed as not matching those pods (netpol-analyzer semantics), but Azure NPM and Calico match pod IPs with ipBlock and Cilium does not: the verdict depends on the engine (give --engine or --aks FILE)",
                            r.pointer,
                            covered.join(", ")
                        ),
                    )
                    .with_evidence(
                        Evidence::observed(
                            format!("ipBlock {block}"),
                            object_source(inv, np.object, &r.pointer),
                        )
                        .with_note(format!("pods inside it: {}", covered.join(", "))),
                    ),
                );
            }
        }
    }
    // Not known and not given: say once that every ipBlock-to-pod verdict is the fallback's.
    if any_block && let crate::engine_fact::EngineBasis::Unknown { why } = basis {
        out.push(
            Finding::new(
                &META,
                Status::Info,
                Resource::new("Cluster", "cluster"),
                "the cluster's policy engine is not known: analysed with the default engine, under which an ipBlock never matches a pod IP; ipBlock-to-pod verdicts depend on the engine (give --engine or --aks FILE)",
            )
            .with_evidence(
                Evidence::observed("engine not known", kubeward_core::Source::origin("inputs"))
                    .with_note(why.clone()),
            ),
        );
    }
    out
}

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let (inv, a) = (ctx.inv, ctx.analysis);
    match a.options.engine {
        Engine::Default => return ip_blocks_over_pods(inv, a.model, &a.options.basis),
        Engine::None => return Vec::new(),
        _ => {}
    }
    let mut out = Vec::new();
    if a.options.engine == Engine::AzureNpm {
        for (pi, np) in a.model.netpols.iter().enumerate() {
            out.extend(windows_findings(inv, a, pi, np));
        }
        out.extend(own_node_findings(inv, a));
    }
    for np in &a.model.netpols {
        for (ptr, msg) in issues(a, np) {
            out.push(
                Finding::new(
                    &META,
                    Status::Warn,
                    Resource::namespaced("NetworkPolicy", np.namespace.clone(), np.name.clone()),
                    format!("{} engine: {msg}", a.options.engine.as_str()),
                )
                .with_evidence(Evidence::observed(msg, object_source(inv, np.object, &ptr))),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TWO_APPS, run};
    use super::*;

    #[test]
    fn per_engine_gaps() {
        let y = format!(
            "{TWO_APPS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{}}\n  ingress: [{{ports: [{{port: 8000, endPort: 8100}}]}}]\n  egress: [{{to: [{{ipBlock: {{cidr: 0.0.0.0/0}}}}, {{ipBlock: {{cidr: 'fd00::/8'}}}}]}}]\n"
        );
        let npm = run(&y, Engine::AzureNpm, evaluate);
        assert!(npm.iter().any(|f| f.message.contains("IPv6")), "{npm:?}");
        assert!(npm.iter().any(|f| f.message.contains("endPort")));
        let cil = run(&y, Engine::Cilium, evaluate);
        assert!(cil.iter().any(|f| f.message.contains("Cilium 1.17")));
        assert!(cil.iter().any(|f| f.message.contains("never matches pods")));
        assert!(run(&y, Engine::Default, evaluate).is_empty());
        assert!(run(&y, Engine::Calico, evaluate).is_empty());
    }

    // item 14: under the default engine, an ipBlock over a known pod IP is named, with why
    #[test]
    fn item14_default_engine_names_ip_blocks_over_known_pod_ips() {
        let server = "apiVersion: v1\nkind: Pod\nmetadata: {name: server, namespace: shop, labels: {app: server}}\nspec: {containers: [{name: c, image: x}]}\nstatus: {podIP: 10.244.1.7, podIPs: [{ip: 10.244.1.7}]}\n";
        let pol = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: to-cidr, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 10.244.1.0/24, except: [10.244.1.128/25]}}]\n  - to: [{ipBlock: {cidr: 192.0.2.0/24}}]\n";
        let y = format!("{TWO_APPS}---\n{server}---\n{pol}");
        let f = run(&y, Engine::Default, evaluate);
        assert_eq!(f.len(), 1, "{f:#?}");
        let m = &f[0].message;
        assert!(m.contains("ipBlock 10.244.1.0/24"), "{m}");
        assert!(m.contains("/spec/egress/0"), "{m}");
        assert!(m.contains("shop/server[Pod] (10.244.1.7)"), "{m}");
        assert!(m.contains("depends on the engine"), "{m}");
        assert_eq!(f[0].evidence[0].source.line, Some(30));
        // the pod inside `except` is not covered
        let y2 = y.replace("10.244.1.7", "10.244.1.200");
        assert!(run(&y2, Engine::Default, evaluate).is_empty());
        // engines that decide it say nothing of the kind
        for e in [Engine::AzureNpm, Engine::Calico, Engine::Cilium] {
            assert!(
                !run(&y, e, evaluate)
                    .iter()
                    .any(|f| f.message.contains("depends on the engine")),
                "{e:?}"
            );
        }
    }

    const WIN_POLICY: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: win, namespace: shop}\nspec:\n  podSelector: {matchExpressions: [{key: tier, operator: NotIn, values: [batch]}]}\n  ingress:\n  - from: [{podSelector: {matchExpressions: [{key: legacy, operator: DoesNotExist}]}}]\n    ports: [{port: http}, {port: 3868, protocol: SCTP}]\n  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 8080}]\n  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\n";

    fn iis(os: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: iis, namespace: shop}}\nspec:\n  template:\n    metadata: {{labels: {{app: iis}}}}\n    spec:\n      {os}\n      containers: [{{name: c, image: x, ports: [{{containerPort: 80, name: http}}]}}]\n"
        )
    }

    #[test]
    fn npm_windows_gaps_name_policy_rule_and_windows_workloads() {
        let y = format!(
            "{}---\n{TWO_APPS}---\n{WIN_POLICY}",
            iis("nodeSelector: {kubernetes.io/os: windows}")
        );
        let f = run(&y, Engine::AzureNpm, evaluate);
        let win: Vec<&Finding> = f.iter().filter(|f| f.message.contains("Windows")).collect();
        assert_eq!(win.len(), 3, "{win:#?}");
        let msg = |ptr: &str| {
            win.iter()
                .find(|f| f.message.contains(&format!(": {ptr} uses")))
                .map(|f| f.message.clone())
                .unwrap_or_default()
        };
        assert!(msg("/spec/podSelector").contains("podSelector tier NotIn"));
        let ing = msg("/spec/ingress/0");
        for part in [
            "podSelector legacy DoesNotExist",
            "named port http",
            "protocol SCTP",
            "shop/iis[Deployment]",
        ] {
            assert!(ing.contains(part), "{part}: {ing}");
        }
        // only Windows workloads are named, though web and db are selected too
        assert!(!ing.contains("shop/web"), "{ing}");
        assert!(msg("/spec/egress/0").contains("except 10.1.0.0/16"));
        // the numeric TCP rule is fine
        assert!(msg("/spec/ingress/1").is_empty());
        assert!(
            win.iter()
                .all(|f| f.resource.name == "win" && f.status == Status::Warn)
        );
        // other engines: no Windows findings
        for e in [Engine::Calico, Engine::Cilium, Engine::Default] {
            assert!(
                !run(&y, e, evaluate)
                    .iter()
                    .any(|f| f.message.contains("Windows")),
                "{e:?}"
            );
        }
    }

    #[test]
    fn npm_windows_gaps_need_a_selected_windows_workload() {
        // Linux only: the same policy raises nothing about Windows
        let linux = format!("{TWO_APPS}---\n{WIN_POLICY}");
        let f = run(&linux, Engine::AzureNpm, evaluate);
        assert!(!f.iter().any(|f| f.message.contains("Windows")), "{f:#?}");
        // affinity and spec.os recognise Windows too; an affinity that admits Linux does not
        let affinity = |values: &str| {
            format!(
                "affinity: {{nodeAffinity: {{requiredDuringSchedulingIgnoredDuringExecution: {{nodeSelectorTerms: [{{matchExpressions: [{{key: kubernetes.io/os, operator: In, values: [{values}]}}]}}]}}}}}}"
            )
        };
        for (os, windows) in [
            (affinity("windows"), true),
            ("os: {name: windows}".to_string(), true),
            (affinity("windows, linux"), false),
            ("nodeSelector: {kubernetes.io/os: linux}".to_string(), false),
        ] {
            let y = format!("{}---\n{WIN_POLICY}", iis(&os));
            let f = run(&y, Engine::AzureNpm, evaluate);
            assert_eq!(
                f.iter()
                    .any(|f| f.message.contains("Windows workloads shop/iis")),
                windows,
                "{os}: {f:#?}"
            );
        }
    }

    #[test]
    fn npm_own_node_egress() {
        let deny_out = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-out, namespace: shop}\nspec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}\n";
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: job, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}\nstatus: {hostIP: 10.224.0.4, podIP: 10.244.0.9}\n";
        let y = format!("{TWO_APPS}---\n{pod}---\n{deny_out}");
        let f = run(&y, Engine::AzureNpm, evaluate);
        let node: Vec<&Finding> = f
            .iter()
            .filter(|f| f.message.contains("own node"))
            .collect();
        assert_eq!(node.len(), 2, "{node:#?}");
        let web = node.iter().find(|f| f.resource.name == "web").expect("web");
        assert!(web.message.contains("not in the inputs"), "{}", web.message);
        let job = node.iter().find(|f| f.resource.name == "job").expect("job");
        assert!(job.message.contains("(10.224.0.4)"), "{}", job.message);
        assert!(job.message.contains("included in the connectivity list"));
        // db is not egress-isolated: nothing to widen
        assert!(!node.iter().any(|f| f.resource.name == "db"));
        // egress already open to every address: no gap
        let open = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: open, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Egress], egress: [{}]}\n";
        let y = format!("{TWO_APPS}---\n{pod}---\n{open}");
        assert!(
            !run(&y, Engine::AzureNpm, evaluate)
                .iter()
                .any(|f| f.message.contains("own node"))
        );
        // only NPM exempts the node
        let y = format!("{TWO_APPS}---\n{pod}---\n{deny_out}");
        for e in [Engine::Calico, Engine::Cilium, Engine::Default] {
            assert!(
                !run(&y, e, evaluate)
                    .iter()
                    .any(|f| f.message.contains("own node")),
                "{e:?}"
            );
        }
    }
}
