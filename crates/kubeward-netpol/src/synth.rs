//! A generator of synthetic clusters (namespaces, workloads as owned pods, NetworkPolicies) for
//! benchmarks and scale tests. Deterministic: the same parameters give the same manifests.

use std::fmt::Write;

/// Size of a synthetic cluster.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub namespaces: usize,
    pub workloads: usize,
    pub pods: usize,
    pub policies: usize,
}

impl Scale {
    /// The target: 100 namespaces, 2,000 workloads, 10,000 pods, 1,000 policies.
    pub const TARGET: Scale = Scale {
        namespaces: 100,
        workloads: 2000,
        pods: 10_000,
        policies: 1000,
    };

    /// The target shrunk to `pods` pods, keeping its proportions.
    pub fn with_pods(pods: usize) -> Scale {
        let f = pods as f64 / 10_000.0;
        let n = |x: usize| ((x as f64 * f).round() as usize).max(1);
        Scale {
            namespaces: n(100),
            workloads: n(2000),
            pods,
            policies: n(1000),
        }
    }
}

const TIERS: [&str; 4] = ["web", "api", "db", "cache"];
const ENVS: [&str; 3] = ["prod", "staging", "dev"];

/// Manifests as one multi-document YAML text per namespace: (file name, text).
pub fn generate(s: Scale) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let wl_per_ns = s.workloads.div_ceil(s.namespaces);
    let pods_per_wl = (s.pods / s.workloads.max(1)).max(1);
    let pol_per_ns = s.policies.div_ceil(s.namespaces);
    let mut workloads_left = s.workloads;
    let mut policies_left = s.policies;
    for n in 0..s.namespaces {
        let ns = format!("ns-{n:03}");
        let mut y = String::new();
        let _ = write!(
            y,
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    env: {}\n    team: team-{}\n",
            ENVS[n % 3],
            n % 10
        );
        let count = wl_per_ns.min(workloads_left);
        workloads_left -= count;
        for w in 0..count {
            let app = format!("app-{w:02}");
            let tier = TIERS[w % 4];
            let rs = format!("{app}-5d8f7c9b4");
            for p in 0..pods_per_wl {
                let _ = write!(
                    y,
                    "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {rs}-p{p}\n  namespace: {ns}\n  labels:\n    app: {app}\n    tier: {tier}\n    pod-template-hash: 5d8f7c9b4\n  ownerReferences:\n  - apiVersion: apps/v1\n    kind: ReplicaSet\n    name: {rs}\n    controller: true\nspec:\n  containers:\n  - name: main\n    image: example.azurecr.io/{app}:1.0\n    ports:\n    - containerPort: {}\n      name: http\n    - containerPort: 9090\n      name: metrics\n",
                    8080 + (w % 3)
                );
            }
        }
        let count = pol_per_ns.min(policies_left);
        policies_left -= count;
        for k in 0..count {
            let _ = write!(y, "---\n{}", policy(&ns, n, k));
        }
        files.push((format!("{ns}.yaml"), y));
    }
    files
}

fn policy(ns: &str, n: usize, k: usize) -> String {
    let head = |name: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n"
        )
    };
    match k % 10 {
        // odd namespaces trust their environment instead of denying by default, so the list
        // holds hundreds of thousands of allowed pairs
        0 if n % 2 == 1 => {
            head("allow-same-env")
                + &format!(
                    "  podSelector: {{}}\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels: {{env: {}}}\n",
                    ENVS[n % 3]
                )
        }
        0 => {
            head("default-deny")
                + "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: kube-system\n      podSelector:\n        matchLabels:\n          k8s-app: kube-dns\n    ports:\n    - {protocol: UDP, port: 53}\n    - {protocol: TCP, port: 53}\n"
        }
        1 => {
            head("web-from-internet")
                + "  podSelector:\n    matchLabels: {tier: web}\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 0.0.0.0/0\n        except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]\n    ports: [{port: http}]\n"
        }
        2 => {
            head("api-from-web")
                + "  podSelector:\n    matchLabels: {tier: api}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels: {tier: web}\n    ports: [{port: 8081}, {port: 8082}]\n"
        }
        3 => {
            head("db-from-api")
                + "  podSelector:\n    matchLabels: {tier: db}\n  ingress:\n  - from:\n    - podSelector:\n        matchExpressions:\n        - {key: tier, operator: In, values: [api, cache]}\n    ports: [{port: 8080, endPort: 8090}]\n"
        }
        4 => {
            head("web-egress")
                + "  podSelector:\n    matchLabels: {tier: web}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - podSelector:\n        matchLabels: {tier: api}\n  - to:\n    - ipBlock: {cidr: 20.0.0.0/8}\n    ports: [{port: 443}]\n"
        }
        5 => {
            head("metrics-from-monitoring")
                + "  podSelector: {}\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchLabels: {team: team-0}\n      podSelector:\n        matchLabels: {tier: cache}\n    ports: [{port: metrics}]\n"
        }
        6 => {
            head("api-egress")
                + &format!(
                    "  podSelector:\n    matchLabels: {{tier: api}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - podSelector:\n        matchLabels: {{tier: db}}\n  - to:\n    - namespaceSelector:\n        matchLabels: {{env: {}}}\n      podSelector:\n        matchLabels: {{tier: api}}\n",
                    ENVS[(n + 1) % 3]
                )
        }
        7 => {
            head("cache-from-same-env")
                + &format!(
                    "  podSelector:\n    matchLabels: {{tier: cache}}\n  ingress:\n  - from:\n    - namespaceSelector:\n        matchExpressions:\n        - {{key: env, operator: NotIn, values: [{}]}}\n",
                    ENVS[n % 3]
                )
        }
        8 => {
            head("db-egress-backup")
                + &format!(
                    "  podSelector:\n    matchLabels: {{tier: db}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock:\n        cidr: 52.{}.0.0/16\n    ports: [{{port: 443}}, {{protocol: UDP, port: 1194}}]\n",
                    n % 250
                )
        }
        _ => {
            head(&format!("app-{k:02}-extra"))
                + &format!(
                    "  podSelector:\n    matchLabels: {{app: app-{:02}}}\n  ingress:\n  - from:\n    - podSelector: {{}}\n    ports: [{{port: 9090}}]\n",
                    k % 20
                )
        }
    }
}
