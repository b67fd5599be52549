//! One test per NetworkPolicy / AdminNetworkPolicy semantic rule and per engine difference.

use kubeward_inventory::{LoadOptions, load_str};
use kubeward_netpol::engine::{Analysis, Endpoint, Engine, Options};
use kubeward_netpol::model::{Level, Model};

/// Namespaces `a` (labels team=blue) and `b` (team=green); pods a/web (app=web, port http=8080/TCP,
/// dns=53/UDP), a/db (app=db), b/client (app=client), b/host (hostNetwork).
const BASE: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: blue}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: green}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: a, labels: {app: web}}
spec:
  containers: [{name: c, ports: [{containerPort: 8080, name: http}, {containerPort: 53, name: dns, protocol: UDP}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: a, labels: {app: db}}
spec: {containers: [{name: c, ports: [{containerPort: 5432, name: http}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: b, labels: {app: client}}
spec: {containers: [{name: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: host, namespace: b, labels: {app: host}}
spec: {hostNetwork: true, containers: [{name: c}]}
"#;

struct World {
    model: Model,
}

fn world(policies: &str) -> World {
    let inv = load_str(
        "t.yaml",
        &format!("{BASE}---\n{policies}"),
        &LoadOptions::default(),
    );
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    World {
        model: Model::build(&inv),
    }
}

impl World {
    fn conn(&self, engine: Engine, src: &str, dst: &str) -> String {
        let a = Analysis::new(
            &self.model,
            Options {
                engine,
                ..Default::default()
            },
        );
        a.allowed(self.ep(&a, src), self.ep(&a, dst)).render()
    }
    fn ep(&self, a: &Analysis, name: &str) -> Endpoint {
        if let Ok(ip) = name.parse::<std::net::Ipv4Addr>() {
            let v = u32::from(ip) as u128;
            return Endpoint::Ip(v, v);
        }
        let i = self
            .model
            .workloads
            .iter()
            .position(|w| format!("{}/{}", w.namespace, w.name) == name)
            .unwrap_or_else(|| panic!("no workload {name}"));
        Endpoint::Class(a.class_of[i])
    }
    fn c(&self, src: &str, dst: &str) -> String {
        self.conn(Engine::Default, src, dst)
    }
}

fn np(name: &str, ns: &str, spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{spec}\n---\n"
    )
}

#[test]
fn no_policy_allows_everything() {
    let w = world("");
    assert_eq!(w.c("b/client", "a/web"), "All Connections");
    assert_eq!(w.c("a/web", "8.8.8.8"), "All Connections");
}

#[test]
fn policy_types_default_to_ingress_and_egress_only_with_egress_rules() {
    // no policyTypes, no egress section: ingress-only isolation
    let w = world(&np("p", "a", "  podSelector: {matchLabels: {app: web}}"));
    assert_eq!(w.c("b/client", "a/web"), "No Connections");
    assert_eq!(w.c("a/web", "b/client"), "All Connections");
    // an egress section turns Egress on
    let w = world(&np(
        "p",
        "a",
        "  podSelector: {matchLabels: {app: web}}\n  egress: [{to: [{podSelector: {}}]}]",
    ));
    assert_eq!(w.c("a/web", "b/client"), "No Connections");
    assert_eq!(w.c("a/web", "a/db"), "All Connections");
    // explicit Egress-only ignores an ingress list
    let w = world(&np(
        "p",
        "a",
        "  podSelector: {}\n  policyTypes: [Egress]\n  ingress: [{}]",
    ));
    assert_eq!(w.c("b/client", "a/web"), "All Connections");
    assert_eq!(w.c("a/web", "b/client"), "No Connections");
    assert!(
        w.model
            .problems
            .iter()
            .any(|p| p.level == Level::Warning && p.message.contains("ingress rules are ignored"))
    );
}

#[test]
fn empty_rule_allows_all_and_empty_list_allows_none() {
    let w = world(&np("p", "a", "  podSelector: {}\n  ingress: [{}]"));
    assert_eq!(w.c("b/client", "a/web"), "All Connections");
    assert_eq!(w.c("9.9.9.9", "a/web"), "All Connections");
    let w = world(&np("p", "a", "  podSelector: {}\n  ingress: []"));
    assert_eq!(w.c("b/client", "a/web"), "No Connections");
}

#[test]
fn pod_selector_alone_stays_in_the_policy_namespace() {
    let w = world(&np(
        "p",
        "a",
        "  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {}}]}]",
    ));
    assert_eq!(w.c("a/web", "a/db"), "All Connections");
    assert_eq!(w.c("b/client", "a/db"), "No Connections");
}

#[test]
fn namespace_and_pod_selector_in_one_peer_is_and_in_two_peers_is_or() {
    let and = world(&np(
        "p",
        "a",
        "  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {team: green}}, podSelector: {matchLabels: {app: web}}}]}]",
    ));
    assert_eq!(and.c("b/client", "a/db"), "No Connections");
    assert_eq!(and.c("a/web", "a/db"), "No Connections");
    let or = world(&np(
        "p",
        "a",
        "  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {team: green}}}, {podSelector: {matchLabels: {app: web}}}]}]",
    ));
    assert_eq!(or.c("b/client", "a/db"), "All Connections");
    assert_eq!(or.c("a/web", "a/db"), "All Connections");
}

#[test]
fn namespace_name_label_is_added_to_every_namespace() {
    let w = world(&np(
        "p",
        "a",
        "  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: b}}}]}]",
    ));
    assert_eq!(w.c("b/client", "a/web"), "All Connections");
    assert_eq!(w.c("a/db", "a/web"), "No Connections");
}

#[test]
fn ip_block_with_except_and_ipv6() {
    let w = world(&np(
        "p",
        "a",
        "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}, {ipBlock: {cidr: 'fd00::/8'}}]",
    ));
    assert_eq!(w.c("a/web", "10.2.3.4"), "All Connections");
    assert_eq!(w.c("a/web", "10.1.2.3"), "No Connections");
    assert_eq!(w.c("a/web", "11.0.0.1"), "No Connections");
    assert!(
        w.model.problems.is_empty(),
        "IPv6 CIDRs are valid: {:?}",
        w.model.problems
    );
}

#[test]
fn named_ports_resolve_on_the_destination_pod() {
    // ingress: against the selected pod; web's http is 8080, db's http is 5432
    let w = world(&np(
        "p",
        "a",
        "  podSelector: {}\n  ingress: [{ports: [{port: http}]}]",
    ));
    assert_eq!(w.c("b/client", "a/web"), "TCP 8080");
    assert_eq!(w.c("b/client", "a/db"), "TCP 5432");
    // protocol must match: dns is UDP on web
    let w = world(&np(
        "p",
        "a",
        "  podSelector: {}\n  ingress: [{ports: [{port: dns}]}]",
    ));
    assert_eq!(w.c("b/client", "a/web"), "No Connections");
    // egress: against the peer pod
    let w = world(&np(
        "p",
        "b",
        "  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{ports: [{port: dns, protocol: UDP}]}]",
    ));
    assert_eq!(w.c("b/client", "a/web"), "UDP 53");
    assert_eq!(w.c("b/client", "a/db"), "No Connections");
}

#[test]
fn end_port_and_protocols() {
    let w = world(&np(
        "p",
        "a",
        "  podSelector: {}\n  ingress: [{ports: [{port: 8000, endPort: 8100}, {protocol: UDP}, {protocol: SCTP, port: 9003}]}]",
    ));
    assert_eq!(
        w.c("b/client", "a/web"),
        "SCTP 9003,TCP 8000-8100,UDP 1-65535"
    );
}

#[test]
fn both_sides_must_allow() {
    let w = world(&format!(
        "{}{}",
        np(
            "in",
            "a",
            "  podSelector: {}\n  ingress: [{ports: [{port: 80}, {port: 443}]}]"
        ),
        np(
            "out",
            "b",
            "  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{ports: [{port: 443}, {port: 8443}]}]"
        )
    ));
    assert_eq!(w.c("b/client", "a/web"), "TCP 443");
}

const ANP_HEAD: &str = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n";

#[test]
fn admin_policies_precede_network_policies() {
    let deny_all_np = np("deny", "a", "  podSelector: {}\n  ingress: []");
    // Allow wins over a NetworkPolicy deny
    let w = world(&format!(
        "{deny_all_np}{ANP_HEAD}metadata: {{name: allow}}\nspec:\n  priority: 5\n  subject: {{namespaces: {{matchLabels: {{team: blue}}}}}}\n  ingress: [{{name: r, action: Allow, from: [{{namespaces: {{matchLabels: {{team: green}}}}}}], ports: [{{portNumber: {{port: 80}}}}]}}]\n"
    ));
    assert_eq!(w.c("b/client", "a/web"), "TCP 80");
    // Deny wins over a NetworkPolicy allow; lower priority number first
    let w = world(&format!(
        "{ANP_HEAD}metadata: {{name: first}}\nspec:\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  ingress: [{{name: d, action: Deny, from: [{{namespaces: {{}}}}], ports: [{{portRange: {{start: 1, end: 1000}}}}]}}]\n---\n{ANP_HEAD}metadata: {{name: second}}\nspec:\n  priority: 2\n  subject: {{namespaces: {{}}}}\n  ingress: [{{name: a, action: Allow, from: [{{namespaces: {{}}}}], ports: [{{portNumber: {{port: 80}}}}]}}]\n"
    ));
    assert_eq!(
        w.c("b/client", "a/web"),
        "SCTP 1-65535,TCP 1001-65535,UDP 1-65535"
    );
}

#[test]
fn pass_goes_to_network_policy_or_baseline() {
    let pass = format!(
        "{ANP_HEAD}metadata: {{name: pass}}\nspec:\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  ingress: [{{name: p, action: Pass, from: [{{namespaces: {{}}}}]}}]\n---\n"
    );
    let banp = "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n  ingress: [{name: d, action: Deny, from: [{namespaces: {}}]}]\n---\n";
    // not isolated by NetworkPolicy: the baseline denies
    let w = world(&format!("{pass}{banp}"));
    assert_eq!(w.c("b/client", "a/web"), "No Connections");
    // isolated: the NetworkPolicy decides and the baseline is not consulted
    let w = world(&format!(
        "{pass}{banp}{}",
        np(
            "p",
            "a",
            "  podSelector: {}\n  ingress: [{ports: [{port: 80}]}]"
        )
    ));
    assert_eq!(w.c("b/client", "a/web"), "TCP 80");
}

#[test]
fn networks_peers_match_external_addresses_not_pods() {
    let w = world(&format!(
        "{ANP_HEAD}metadata: {{name: anp}}\nspec:\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  egress:\n  - {{name: deny-net, action: Deny, to: [{{networks: [0.0.0.0/0]}}]}}\n  - {{name: deny-nodes, action: Deny, to: [{{nodes: {{matchLabels: {{role: x}}}}}}]}}\n"
    ));
    assert_eq!(w.c("a/web", "8.8.8.8"), "No Connections");
    assert_eq!(w.c("a/web", "b/client"), "All Connections");
}

#[test]
fn duplicate_priorities_are_errors_naming_both_and_analysis_goes_on() {
    let w = world(&format!(
        "{ANP_HEAD}metadata: {{name: one}}\nspec: {{priority: 3, subject: {{namespaces: {{}}}}}}\n---\n{ANP_HEAD}metadata: {{name: two}}\nspec: {{priority: 3, subject: {{namespaces: {{}}}}}}\n---\n{}",
        np("p", "a", "  podSelector: {}\n  ingress: []")
    ));
    let errs: Vec<_> = w
        .model
        .problems
        .iter()
        .filter(|p| p.level == Level::Error)
        .collect();
    assert_eq!(errs.len(), 2);
    assert!(
        errs.iter()
            .all(|e| e.message.contains("one, two") && e.message.contains("priority 3"))
    );
    assert_eq!(w.c("b/client", "a/web"), "No Connections");
}

#[test]
fn bad_input_names_the_object_and_others_are_analysed() {
    let bad = [
        (
            "cidr",
            "  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 300.0.0.0/8}}]}]",
            "not a valid CIDR",
        ),
        (
            "except",
            "  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]}]",
            "not inside cidr",
        ),
        (
            "port",
            "  podSelector: {}\n  ingress: [{ports: [{port: 70000}]}]",
            "outside 1-65535",
        ),
        (
            "endport",
            "  podSelector: {}\n  ingress: [{ports: [{port: 90, endPort: 80}]}]",
            "below port",
        ),
        (
            "operator",
            "  podSelector: {matchExpressions: [{key: a, operator: Contains, values: [x]}]}",
            "unknown operator",
        ),
        (
            "protocol",
            "  podSelector: {}\n  ingress: [{ports: [{protocol: ICMP}]}]",
            "not supported",
        ),
        (
            "mixed",
            "  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]",
            "cannot be combined",
        ),
    ];
    let mut text = String::from(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: a}\nspec: {podSelector: {}}\n---\n",
    );
    for (name, spec, _) in &bad {
        text.push_str(&np(&format!("bad-{name}"), "a", spec));
    }
    text.push_str(&np(
        "good",
        "a",
        "  podSelector: {matchLabels: {app: db}}\n  ingress: []",
    ));
    let w = world(&text);
    for (name, _, msg) in &bad {
        let p = w
            .model
            .problems
            .iter()
            .find(|p| p.object == format!("NetworkPolicy a/bad-{name}"))
            .unwrap_or_else(|| panic!("no problem for bad-{name}: {:?}", w.model.problems));
        assert_eq!(p.level, Level::Error);
        assert!(p.message.contains(msg), "{name}: {}", p.message);
    }
    assert!(
        w.model
            .problems
            .iter()
            .any(|p| p.level == Level::Error && p.message.contains("metadata.name is missing")),
        "{:?}",
        w.model.problems
    );
    // the valid policy still applies; the invalid ones (the nameless one isolating all of a) do not
    assert_eq!(w.c("b/client", "a/db"), "No Connections");
    assert_eq!(w.c("b/client", "a/web"), "All Connections");
}

#[test]
fn engine_ip_block_matches_pods_only_on_npm_and_calico() {
    // egress only to 10.244.0.0/16 (the assumed pod range)
    let w = world(&np(
        "p",
        "b",
        "  podSelector: {matchLabels: {app: client}}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 10.244.0.0/16}}]}]",
    ));
    assert_eq!(
        w.conn(Engine::Default, "b/client", "a/web"),
        "No Connections"
    );
    assert_eq!(
        w.conn(Engine::Cilium, "b/client", "a/web"),
        "No Connections"
    );
    assert_eq!(
        w.conn(Engine::AzureNpm, "b/client", "a/web"),
        "All Connections"
    );
    assert_eq!(
        w.conn(Engine::Calico, "b/client", "a/web"),
        "All Connections"
    );
}

#[test]
fn engine_aks_engines_do_not_enforce_admin_policies() {
    let w = world(&format!(
        "{ANP_HEAD}metadata: {{name: deny}}\nspec:\n  priority: 1\n  subject: {{namespaces: {{}}}}\n  ingress: [{{name: d, action: Deny, from: [{{namespaces: {{}}}}]}}]\n"
    ));
    assert_eq!(
        w.conn(Engine::Default, "b/client", "a/web"),
        "No Connections"
    );
    for e in [Engine::AzureNpm, Engine::Calico, Engine::Cilium] {
        assert_eq!(w.conn(e, "b/client", "a/web"), "All Connections", "{e:?}");
    }
}

#[test]
fn engine_host_network_pods_escape_selectors_on_aks_engines() {
    let w = world(&np(
        "p",
        "b",
        "  podSelector: {}\n  policyTypes: [Egress]\n  egress: []",
    ));
    assert_eq!(w.conn(Engine::Default, "b/host", "a/web"), "No Connections");
    assert_eq!(w.conn(Engine::Cilium, "b/host", "a/web"), "All Connections");
}

#[test]
fn engine_npm_lets_a_pod_reach_its_own_node_whatever_its_egress_policy() {
    // two replicas of one ReplicaSet on two nodes, a third pod whose node is unknown
    let y = r#"
apiVersion: v1
kind: Pod
metadata: {name: api-1, namespace: a, labels: {app: api}, ownerReferences: [{kind: ReplicaSet, name: api, controller: true}]}
spec: {containers: [{name: c}]}
status: {hostIP: 10.224.0.4, podIP: 10.244.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: api-2, namespace: a, labels: {app: api}, ownerReferences: [{kind: ReplicaSet, name: api, controller: true}]}
spec: {containers: [{name: c}]}
status: {hostIP: 10.224.0.9, podIP: 10.244.2.7}
---
apiVersion: v1
kind: Pod
metadata: {name: pending, namespace: a, labels: {app: api}}
spec: {containers: [{name: c}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-out, namespace: a}
spec: {podSelector: {}, policyTypes: [Egress]}
"#;
    let inv = load_str("t.yaml", y, &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let model = Model::build(&inv);
    let api = model
        .workloads
        .iter()
        .position(|w| w.name == "api")
        .expect("replicas grouped under their owner");
    assert_eq!(model.workloads[api].host_ips.len(), 2);
    let rows = |engine| {
        let a = Analysis::new(
            &model,
            Options {
                engine,
                ..Default::default()
            },
        );
        kubeward_netpol::connlist::compute(&a, &Default::default(), &Default::default()).triples()
    };
    let npm = rows(Engine::AzureNpm);
    for node in ["10.224.0.4", "10.224.0.9"] {
        assert!(
            npm.contains(&(
                "a/api[ReplicaSet]".to_string(),
                format!("{node}-{node}[External]"),
                "All Connections".to_string()
            )),
            "{npm:?}"
        );
    }
    // nothing else leaves: not the neighbouring address, not the pod whose node is unknown
    assert_eq!(
        npm.iter()
            .filter(|(s, d, _)| s.starts_with("a/") && d.ends_with("[External]"))
            .count(),
        2,
        "{npm:?}"
    );
    for engine in [Engine::Default, Engine::Calico, Engine::Cilium] {
        let other = rows(engine);
        assert!(
            !other
                .iter()
                .any(|(s, d, _)| s.starts_with("a/") && d.ends_with("[External]")),
            "{engine:?}: {other:?}"
        );
    }
}
