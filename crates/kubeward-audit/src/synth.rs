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

/// How each event of [`Traffic`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// One `audit.k8s.io/v1` Event per line (an API server's log file, an audit webhook sink).
    Event,
    /// One AKS resource-log record per line, the event as JSON text in `properties.log`: what
    /// the diagnostic setting writes to a storage account's `PT1H.json` blobs.
    AksRecord,
}

/// Realistic AKS audit traffic, deterministic for a seed: mostly watches, gets and lists by
/// nodes, controllers and workloads, lease updates, some pod creations with bodies, secret
/// reads, and from a handful of people: execs (some suspicious), port-forwards, RBAC changes,
/// permission enumeration, refused secret lists in bursts from one address, token requests,
/// CSRs, CoreDNS and webhook changes. Watches and streams log `ResponseStarted` and, many events
/// later, `ResponseComplete` with the same auditID, so a request's stages lie far apart.
pub struct Traffic {
    rng: Rng,
    form: Form,
    /// Events written.
    n: u64,
    /// Requests started and not completed yet: (due at event number, completion event).
    open: std::collections::VecDeque<(u64, String)>,
    line: String,
}

const AKS_USERS: &[&str] = &[
    "system:node:aks-system-31846177-vmss000000",
    "system:node:aks-user-27361520-vmss000003",
    "system:serviceaccount:kube-system:coredns",
    "system:serviceaccount:monitoring:prometheus",
    "system:serviceaccount:kube-system:konnectivity-agent",
    "system:kube-controller-manager",
    "system:kube-scheduler",
];
const AKS_PEOPLE: &[&str] = &[
    "alice@contoso.com",
    "bob@contoso.com",
    "mallory@contoso.com",
];

impl Traffic {
    pub fn new(seed: u64, form: Form) -> Self {
        Traffic {
            rng: Rng::new(seed),
            form,
            n: 0,
            open: std::collections::VecDeque::new(),
            line: String::with_capacity(8192),
        }
    }

    /// Events written so far.
    pub fn events(&self) -> u64 {
        self.n
    }

    /// Write events until at least `bytes` were written; returns the bytes written.
    pub fn write(&mut self, out: &mut impl Write, bytes: u64) -> io::Result<u64> {
        let mut written = 0;
        while written < bytes {
            let ev = self.next_event();
            self.line.clear();
            match self.form {
                Form::Event => self.line.push_str(&ev),
                Form::AksRecord => self.record(&ev),
            }
            self.line.push('\n');
            out.write_all(self.line.as_bytes())?;
            written += self.line.len() as u64;
            self.n += 1;
        }
        Ok(written)
    }

    fn record(&mut self, ev: &str) {
        use std::fmt::Write as _;
        let log = serde_json::to_string(ev).unwrap_or_default();
        let _ = write!(
            self.line,
            r#"{{"operationName":"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read","category":"kube-audit","ccpNamespace":"65f1d2c3b4a5960001a2b3c4","resourceId":"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG-PROD/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-PROD","properties":{{"log":{log},"stream":"stdout","pod":"kube-apiserver-7c9d8b6f5-x2x4q"}},"time":"{}"}}"#,
            ts(self.n)
        );
    }

    /// The next event: a due completion, else a new request.
    fn next_event(&mut self) -> String {
        if self.open.front().is_some_and(|(due, _)| *due <= self.n)
            && let Some((_, ev)) = self.open.pop_front()
        {
            return ev;
        }
        self.request()
    }

    fn id(&mut self) -> String {
        let r = &mut self.rng;
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            r.next_u64() as u32,
            r.below(0xffff),
            r.below(0xfff),
            r.below(0xfff),
            r.next_u64() & 0xffff_ffff_ffff
        )
    }

    /// Completes `started` (an event logged at ResponseStarted) `after` events from now.
    fn complete_later(&mut self, started: &str, after: u64, code: u16) {
        let done = started
            .replacen(
                r#""stage":"ResponseStarted""#,
                r#""stage":"ResponseComplete""#,
                1,
            )
            .replacen(r#""code":101"#, &format!(r#""code":{code}"#), 1);
        let due = self.n + after;
        // Keep the queue ordered by due time.
        let at = self.open.partition_point(|(d, _)| *d <= due);
        self.open.insert(at, (due, done));
    }

    fn request(&mut self) -> String {
        let roll = self.rng.below(10_000);
        let sys = AKS_USERS[self.rng.below(AKS_USERS.len() as u64) as usize];
        let person = AKS_PEOPLE[self.rng.below(AKS_PEOPLE.len() as u64) as usize];
        let ns = self.rng.pick(NAMESPACES);
        let res = self.rng.pick(RESOURCES);
        let n = self.rng.below(99_999);
        match roll {
            0..=2_199 => {
                // A watch: started now, completed up to ~40,000 events later.
                let ev = self.event(
                    sys,
                    "watch",
                    &Obj::new(res, ns, ""),
                    "ResponseStarted",
                    101,
                    "?allowWatchBookmarks=true&resourceVersion=48213377&timeoutSeconds=461&watch=true",
                    "",
                );
                let after = 1 + self.rng.below(40_000);
                self.complete_later(&ev, after, 200);
                ev
            }
            2_200..=5_799 => self.event(sys, "get", &Obj::new(res, ns, &format!("{}-{n:05}", res.trim_end_matches('s'))), "ResponseComplete", 200, "", ""),
            5_800..=6_999 => self.event(sys, "list", &Obj::new(res, ns, ""), "ResponseComplete", 200, "?limit=500&resourceVersion=0", ""),
            7_000..=8_399 => self.event(sys, "update", &Obj::group("leases", "kube-node-lease", &format!("aks-node-{}", n % 8), "coordination.k8s.io"), "ResponseComplete", 200, "", ""),
            8_400..=8_999 => self.event(sys, "patch", &Obj::sub("pods", ns, &format!("pod-{n:05}"), "status"), "ResponseComplete", 200, "", r#","requestObject":{"status":{"conditions":[{"type":"Ready","status":"True","lastProbeTime":null}]}}"#),
            9_000..=9_399 => self.event(sys, "get", &Obj::new("secrets", ns, &format!("sh.helm.release.v1.app.v{}", n % 9)), "ResponseComplete", 200, "", ""),
            9_400..=9_599 => self.event(sys, "create", &Obj::new("events", ns, ""), "ResponseComplete", 201, "", ""),
            9_600..=9_699 => {
                let (privileged, image) = match n % 50 {
                    0 => (r#","securityContext":{"privileged":true}"#, "docker.io/library/alpine:latest"),
                    1 => ("", "xmrig/xmrig:latest"),
                    _ => ("", "contoso.azurecr.io/shop/cart:2.4.1"),
                };
                let body = format!(
                    r#","requestObject":{{"kind":"Pod","apiVersion":"v1","metadata":{{"generateName":"cart-7d9f8c6b5-","labels":{{"app":"cart"}}}},"spec":{{"containers":[{{"name":"cart","image":"{image}"{privileged},"resources":{{"requests":{{"cpu":"100m","memory":"128Mi"}}}}}}],"serviceAccountName":"cart"}}}}"#
                );
                self.event("system:serviceaccount:kube-system:replicaset-controller", "create", &Obj::new("pods", ns, ""), "ResponseComplete", 201, "", &body)
            }
            9_700..=9_759 => {
                // Refused secret lists in bursts from one address.
                self.event(person, "list", &Obj::new("secrets", "kube-system", ""), "ResponseComplete", 403, "", "")
            }
            9_760..=9_799 => self.event(person, "create", &Obj::group("selfsubjectrulesreviews", "", "", "authorization.k8s.io"), "ResponseComplete", 201, "", ""),
            9_800..=9_839 => {
                // An exec: its stream starts now and ends a little later.
                let cmd = match n % 4 {
                    0 => "command=cat&command=%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken",
                    1 => "command=tar&command=cf&command=-&command=%2Fdata",
                    _ => "command=sh",
                };
                let q = format!("?{cmd}&container=app&stdin=true&stdout=true&tty=true");
                let ev = self.event(person, "create", &Obj::sub("pods", ns, &format!("web-{n:05}"), "exec"), "ResponseStarted", 101, &q, "");
                let after = 1 + self.rng.below(5_000);
                self.complete_later(&ev, after, 101);
                ev
            }
            9_840..=9_849 => self.event(person, "create", &Obj::sub("pods", ns, &format!("db-{n:05}"), "portforward"), "ResponseComplete", 101, "", ""),
            9_850..=9_869 => {
                let body = format!(
                    r#","requestObject":{{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{{"name":"tmp-admin-{n}"}},"roleRef":{{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"}},"subjects":[{{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"{person}"}}]}}"#
                );
                self.event(if n.is_multiple_of(2) { person } else { "masterclient" }, "create", &Obj::group("clusterrolebindings", "", "", "rbac.authorization.k8s.io"), "ResponseComplete", 201, "", &body)
            }
            9_870..=9_889 => {
                let body = r#","requestObject":{"kind":"Role","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"ops"},"rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]}"#;
                self.event(person, "create", &Obj::group("roles", ns, "", "rbac.authorization.k8s.io"), "ResponseComplete", 201, "", body)
            }
            9_890..=9_909 => self.event(person, "create", &Obj::sub("serviceaccounts", "kube-system", "default", "token"), "ResponseComplete", 201, "", ""),
            9_910..=9_919 => self.event(person, "create", &Obj::group("certificatesigningrequests", "", &format!("csr-{n}"), "certificates.k8s.io"), "ResponseComplete", 201, "", ""),
            9_920..=9_929 => self.event(person, "update", &Obj::new("configmaps", "kube-system", "coredns-custom"), "ResponseComplete", 200, "", ""),
            9_930..=9_939 => self.event(person, "deletecollection", &Obj::new("events", ns, ""), "ResponseComplete", 200, "", ""),
            9_940..=9_949 => self.event(person, "get", &Obj::sub("nodes", "", "aks-user-27361520-vmss000003", "proxy"), "ResponseComplete", 200, "", ""),
            9_950..=9_959 => self.event(person, "patch", &Obj::group("daemonsets", "kube-system", "kube-proxy", "apps"), "ResponseComplete", 200, "", ""),
            9_960..=9_969 => self.event(person, "update", &Obj::group("mutatingwebhookconfigurations", "", "aks-webhook-admission-controller", "admissionregistration.k8s.io"), "ResponseComplete", 200, "", ""),
            9_970..=9_979 => self.event("system:anonymous", "get", &Obj::new("secrets", "default", "db"), "ResponseComplete", 401, "", ""),
            9_980..=9_989 => self.event(person, "get", &Obj::new("secrets", ns, "db-credentials"), "ResponseComplete", 200, "", ""),
            _ => self.event(person, "delete", &Obj::group("deployments", ns, &format!("web-{n:05}"), "apps"), "ResponseComplete", 200, "", ""),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        user: &str,
        verb: &str,
        o: &Obj,
        stage: &str,
        code: u16,
        query: &str,
        body: &str,
    ) -> String {
        let id = self.id();
        let time = ts(self.n);
        let person = user.contains('@') || user == "masterclient";
        let groups = if user.starts_with("system:node:") {
            r#"["system:nodes","system:authenticated"]"#
        } else if user.starts_with("system:serviceaccount:") {
            r#"["system:serviceaccounts","system:authenticated"]"#
        } else if user == "masterclient" {
            r#"["system:masters","system:authenticated"]"#
        } else if person {
            r#"["5c0f9a4e-1111-4e4e-9e9e-000000000001","system:authenticated"]"#
        } else {
            r#"["system:authenticated"]"#
        };
        let ip = if person {
            // Refusals come in bursts from one outside address.
            if code == 403 {
                "198.51.100.23".to_string()
            } else {
                format!("203.0.113.{}", 7 + self.rng.below(3))
            }
        } else {
            format!("10.224.0.{}", 4 + self.rng.below(60))
        };
        let agent = if person {
            "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46"
        } else {
            "kubelet/v1.30.6 (linux/amd64) kubernetes/3a3d5e2"
        };
        let path = if o.group.is_empty() {
            "/api/v1".to_string()
        } else {
            format!("/apis/{}/v1", o.group)
        };
        let ns_path = if o.ns.is_empty() {
            String::new()
        } else {
            format!("/namespaces/{}", o.ns)
        };
        let name_path = if o.name.is_empty() {
            String::new()
        } else {
            format!("/{}", o.name)
        };
        let sub_path = if o.sub.is_empty() {
            String::new()
        } else {
            format!("/{}", o.sub)
        };
        let opt = |k: &str, v: &str| {
            if v.is_empty() {
                String::new()
            } else {
                format!(r#","{k}":"{v}""#)
            }
        };
        let (decision, reason) = match code {
            401 => ("", String::new()),
            403 => ("forbid", String::new()),
            _ => (
                "allow",
                format!(
                    r#"RBAC: allowed by ClusterRoleBinding \"system:{0}\" of ClusterRole \"system:{0}\""#,
                    o.resource
                ),
            ),
        };
        let level = if body.is_empty() {
            "Metadata"
        } else {
            "Request"
        };
        let annotations = if decision.is_empty() {
            String::new()
        } else {
            format!(
                r#","annotations":{{"authorization.k8s.io/decision":"{decision}","authorization.k8s.io/reason":"{reason}"}}"#
            )
        };
        format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"{level}","auditID":"{id}","stage":"{stage}","requestURI":"{path}{ns_path}/{res}{name_path}{sub_path}{query}","verb":"{verb}","user":{{"username":"{user}","groups":{groups}}},"sourceIPs":["{ip}"],"userAgent":"{agent}","objectRef":{{"resource":"{res}"{ns}{name}{group},"apiVersion":"v1"{sub}}},"responseStatus":{{"metadata":{{}},"code":{code}}}{body},"requestReceivedTimestamp":"{time}","stageTimestamp":"{time}"{annotations}}}"#,
            res = o.resource,
            ns = opt("namespace", o.ns),
            name = opt("name", o.name),
            group = opt("apiGroup", o.group),
            sub = opt("subresource", o.sub),
        )
    }
}

/// An objectRef.
struct Obj<'a> {
    resource: &'a str,
    ns: &'a str,
    name: &'a str,
    group: &'a str,
    sub: &'a str,
}

impl<'a> Obj<'a> {
    fn new(resource: &'a str, ns: &'a str, name: &'a str) -> Self {
        Obj {
            resource,
            ns,
            name,
            group: "",
            sub: "",
        }
    }
    fn group(resource: &'a str, ns: &'a str, name: &'a str, group: &'a str) -> Self {
        Obj {
            group,
            ..Obj::new(resource, ns, name)
        }
    }
    fn sub(resource: &'a str, ns: &'a str, name: &'a str, sub: &'a str) -> Self {
        Obj {
            sub,
            ..Obj::new(resource, ns, name)
        }
    }
}

/// An exec into a production pod (A001), its ResponseStarted stage, as the API server logs it.
pub fn exec_event(id: &str) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/prod/pods/web-7c9d/exec?command=sh&container=web&stdin=true&tty=true","verb":"create","user":{{"username":"alice@contoso.com","groups":["system:authenticated"]}},"sourceIPs":["203.0.113.7"],"userAgent":"kubectl/v1.30.6 (linux/amd64) kubernetes/3a3d5e2","objectRef":{{"resource":"pods","namespace":"prod","name":"web-7c9d","apiVersion":"v1","subresource":"exec"}},"responseStatus":{{"metadata":{{}},"code":101}},"requestReceivedTimestamp":"2026-12-07T02:10:00.000000Z","stageTimestamp":"2026-12-07T02:10:00.100000Z","annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"ops\""}}}}"#
    )
}

/// A kubelet reading its node (no rule fires).
pub fn benign_event(id: &str) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"{id}","stage":"ResponseComplete","requestURI":"/api/v1/nodes/aks-user-27361520-vmss000003","verb":"get","user":{{"username":"system:node:aks-user-27361520-vmss000003","groups":["system:nodes","system:authenticated"]}},"sourceIPs":["10.224.0.7"],"userAgent":"kubelet/v1.30.6 (linux/amd64) kubernetes/3a3d5e2","objectRef":{{"resource":"nodes","name":"aks-user-27361520-vmss000003","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":200}},"requestReceivedTimestamp":"2026-12-07T02:10:01.000000Z","stageTimestamp":"2026-12-07T02:10:01.002000Z","annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}}}"#
    )
}

/// An Event Hubs message body as AKS diagnostic settings send it: a batch of resource-log
/// records of the cluster `resource_id`, each carrying one audit event as a JSON string.
pub fn event_hubs_body(events: &[String], resource_id: &str) -> String {
    let records: Vec<serde_json::Value> = events
        .iter()
        .map(|e| {
            serde_json::json!({
                "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
                "category": "kube-audit",
                "resourceId": resource_id,
                "properties": {"log": e, "stream": "stdout", "pod": "kube-apiserver-5f8c9d7b6-2xkqp"},
                "time": "2026-12-07T02:10:01.0000000Z",
            })
        })
        .collect();
    serde_json::json!({ "records": records }).to_string()
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

    #[test]
    fn traffic_is_deterministic_and_pairs_stages() {
        let make = |form| {
            let mut t = Traffic::new(3, form);
            let mut buf = Vec::new();
            t.write(&mut buf, 4_000_000).unwrap();
            (buf, t.events())
        };
        let (a, n) = make(Form::Event);
        assert_eq!(a, make(Form::Event).0);
        let mut started = std::collections::HashSet::new();
        let mut completed_after_start = 0;
        for line in a.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let ev: Event = serde_json::from_slice(line).unwrap();
            match ev.stage() {
                "ResponseStarted" => {
                    started.insert(ev.audit_id().to_string());
                }
                _ if started.contains(ev.audit_id()) => completed_after_start += 1,
                _ => {}
            }
        }
        assert!(completed_after_start > 10, "{completed_after_start}");
        let avg = 4_000_000 / n;
        assert!((600..1000).contains(&avg), "average {avg} bytes");
        let (r, _) = make(Form::AksRecord);
        assert!(r.starts_with(b"{\"operationName\""));
    }
}
