//! A generator of realistic AKS-like audit traffic (JSON lines of `audit.k8s.io/v1` Events of
//! about 1 KB), deterministic for a seed. Used by the benchmark and by tests; not by the CLI.

use std::io::{self, Write};

/// A small deterministic PRNG (xorshift64*), so generated logs are reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMESPACES: &[&str] = &[
    "default",
    "payments",
    "shop",
    "monitoring",
    "ingress-nginx",
    "kube-system",
];
const NODES: &[&str] = &[
    "aks-system-31846177-vmss000000",
    "aks-system-31846177-vmss000001",
    "aks-user-27361520-vmss000003",
    "aks-user-27361520-vmss000007",
];
const SERVICE_ACCOUNTS: &[&str] = &[
    "system:serviceaccount:kube-system:coredns",
    "system:serviceaccount:kube-system:konnectivity-agent",
    "system:serviceaccount:monitoring:prometheus",
    "system:serviceaccount:shop:cart",
    "system:serviceaccount:ingress-nginx:ingress-nginx",
    "system:serviceaccount:kube-system:ama-logs",
];
const PEOPLE: &[&str] = &["alice@contoso.com", "bob@contoso.com", "carol@contoso.com"];
const RESOURCES: &[&str] = &[
    "pods",
    "endpoints",
    "services",
    "configmaps",
    "nodes",
    "endpointslices",
    "deployments",
];

/// Write `n` events (one per line) to `out`; returns the bytes written.
pub fn write_events(out: &mut impl Write, n: u64, seed: u64) -> io::Result<u64> {
    let mut rng = Rng::new(seed);
    let mut written = 0u64;
    let mut line = String::with_capacity(4096);
    for i in 0..n {
        line.clear();
        event(&mut rng, i, &mut line);
        line.push('\n');
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    Ok(written)
}

fn ts(i: u64) -> String {
    let s = i / 200;
    format!(
        "2026-11-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        20 + (s / 86_400) % 8,
        (s / 3600) % 24,
        (s / 60) % 60,
        s % 60,
        (i * 4_999) % 1_000_000
    )
}

/// One event of a realistic mix: mostly watches, gets and lists by nodes and controllers,
/// lease and status updates, some writes by people with bodies, a rare exec.
pub fn event(rng: &mut Rng, i: u64, out: &mut String) {
    use std::fmt::Write as _;
    let roll = rng.below(1000);
    let ns = rng.pick(NAMESPACES);
    let time = ts(i);
    let id = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        rng.next_u64() as u32,
        rng.below(0xffff),
        rng.below(0xfff),
        rng.below(0xfff),
        rng.next_u64() & 0xffff_ffff_ffff
    );
    let (user, groups, extra): (String, &str, String) = match roll % 10 {
        0..=3 => {
            let node = rng.pick(NODES);
            (
                format!("system:node:{node}"),
                r#"["system:nodes","system:authenticated"]"#,
                String::new(),
            )
        }
        4..=7 => {
            let sa = rng.pick(SERVICE_ACCOUNTS);
            let node = rng.pick(NODES);
            (
                sa.to_string(),
                r#"["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]"#,
                format!(
                    r#","extra":{{"authentication.kubernetes.io/credential-id":["JTI=6e1c{:04x}-1b2c-4d3e-9f40-5a6b7c8d9e0f"],"authentication.kubernetes.io/node-name":["{node}"],"authentication.kubernetes.io/pod-name":["{}-7d9f8c6b5-x{:04x}"]}}"#,
                    rng.below(0xffff),
                    sa.rsplit(':').next().unwrap_or("pod"),
                    rng.below(0xffff)
                ),
            )
        }
        8 => (
            rng.pick(PEOPLE).to_string(),
            r#"["5c0f9a4e-1111-4e4e-9e9e-000000000001","system:authenticated"]"#,
            String::new(),
        ),
        _ => (
            "system:kube-controller-manager".to_string(),
            r#"["system:authenticated"]"#,
            String::new(),
        ),
    };
    let (verb, resource, sub, body, level, code) = match roll {
        0..=449 => ("watch", rng.pick(RESOURCES), "", "", "Request", 200),
        450..=699 => ("get", rng.pick(RESOURCES), "", "", "Request", 200),
        700..=799 => ("list", rng.pick(RESOURCES), "", "", "Request", 200),
        800..=899 => ("update", "leases", "", "", "Metadata", 200),
        900..=949 => (
            "patch",
            "pods",
            "status",
            r#","requestObject":{"status":{"conditions":[{"type":"Ready","status":"True","lastProbeTime":null}]}}"#,
            "Request",
            200,
        ),
        950..=979 => (
            "create",
            "pods",
            "",
            r#","requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"generateName":"cart-7d9f8c6b5-","labels":{"app":"cart"}},"spec":{"containers":[{"name":"cart","image":"contoso.azurecr.io/shop/cart:2.4.1","ports":[{"containerPort":8080}],"resources":{"requests":{"cpu":"100m","memory":"128Mi"}}}],"serviceAccountName":"cart"}}"#,
            "RequestResponse",
            201,
        ),
        980..=994 => ("get", "secrets", "", "", "Metadata", 200),
        995..=997 => ("create", "pods", "exec", "", "Metadata", 101),
        _ => ("list", "secrets", "", "", "Metadata", 403),
    };
    let name = if verb == "list" || verb == "watch" || (verb == "create" && sub.is_empty()) {
        String::new()
    } else {
        format!(
            r#","name":"{}-{:05}""#,
            resource.trim_end_matches('s'),
            rng.below(99_999)
        )
    };
    let api = if resource == "leases" {
        r#","apiGroup":"coordination.k8s.io","apiVersion":"v1""#
    } else if resource == "deployments" {
        r#","apiGroup":"apps","apiVersion":"v1""#
    } else {
        r#","apiVersion":"v1""#
    };
    let subres = if sub.is_empty() {
        String::new()
    } else {
        format!(r#","subresource":"{sub}""#)
    };
    let query = match verb {
        "watch" => {
            "?allowWatchBookmarks=true&resourceVersion=48213377&timeout=7m41s&timeoutSeconds=461&watch=true"
        }
        "list" => "?limit=500&resourceVersion=0",
        _ if sub == "exec" => "?command=sh&container=cart&stdin=true&stdout=true&tty=true",
        _ => "",
    };
    let decision = if code == 403 { "forbid" } else { "allow" };
    let reason = if code == 403 {
        String::new()
    } else {
        format!(
            r#"RBAC: allowed by ClusterRoleBinding \"system:{}\" of ClusterRole \"system:{}\" to Group \"system:authenticated\""#,
            resource, resource
        )
    };
    let _ = write!(
        out,
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"{level}","auditID":"{id}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/{ns}/{resource}{query}","verb":"{verb}","user":{{"username":"{user}","uid":"{uid:08x}-aaaa-bbbb-cccc-000000000000","groups":{groups}{extra}}},"sourceIPs":["10.224.0.{ip}"],"userAgent":"kube-controller-manager/v1.30.6 (linux/amd64) kubernetes/3a3d5e2/system:serviceaccount:kube-system:generic-garbage-collector","objectRef":{{"resource":"{resource}","namespace":"{ns}"{name}{api}{subres}}},"responseStatus":{{"metadata":{{}},"code":{code}}}{body},"requestReceivedTimestamp":"{time}","stageTimestamp":"{time}","annotations":{{"authorization.k8s.io/decision":"{decision}","authorization.k8s.io/reason":"{reason}"}}}}"#,
        uid = rng.next_u64() as u32,
        ip = 4 + rng.below(200),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    #[test]
    fn generated_events_decode_and_average_about_one_kilobyte() {
        let mut buf = Vec::new();
        let bytes = write_events(&mut buf, 2_000, 7).unwrap();
        let mut n = 0;
        for line in buf.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let ev: Event = serde_json::from_slice(line).unwrap();
            assert!(!ev.audit_id().is_empty());
            n += 1;
        }
        assert_eq!(n, 2_000);
        let avg = bytes / 2_000;
        assert!((700..1400).contains(&avg), "average {avg} bytes");
    }
}
