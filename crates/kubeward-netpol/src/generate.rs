//! `netpol generate`: default-deny policies per namespace (DNS egress to kube-dns kept open) and
//! least-privilege policies from a list of wanted flows, printed as YAML.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::conn::Protocol;
use crate::error::FlowError;
use crate::model::{Model, NS_NAME_LABEL, Workload, parse_cidr};

/// One wanted connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// `ns/name` of a workload, or a CIDR / IPv4 address for an external peer.
    pub src: String,
    pub dst: String,
    pub protocol: Protocol,
    pub port: Option<u16>,
}

/// Read flows from CSV (`src,dst,port` with port like `TCP 8080`, `8080/TCP`, `8080` or empty)
/// or JSON (`[{"src":…,"dst":…,"port":…,"protocol":…}]`).
pub fn parse_flows(text: &str) -> Result<Vec<Flow>, FlowError> {
    const MAX_FLOWS: usize = 100_000;
    let trimmed = text.trim_start();
    let mut flows = Vec::new();
    if trimmed.starts_with('[') {
        let v: Value = serde_json::from_str(text).map_err(FlowError::Json)?;
        for (i, f) in v.as_array().into_iter().flatten().enumerate() {
            let get = |k: &str| f.get(k).and_then(Value::as_str).map(str::to_string);
            let src = get("src").ok_or(FlowError::MissingField {
                index: i,
                field: "src",
            })?;
            let dst = get("dst").ok_or(FlowError::MissingField {
                index: i,
                field: "dst",
            })?;
            let port_text = match f.get("port") {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            let proto_text = get("protocol").unwrap_or_default();
            flows.push(make_flow(src, dst, &port_text, &proto_text).map_err(|e| {
                FlowError::InFlow {
                    index: i,
                    error: Box::new(e),
                }
            })?);
        }
    } else {
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || (i == 0 && line.starts_with("src")) {
                continue;
            }
            let cols: Vec<&str> = line.splitn(3, ',').map(str::trim).collect();
            if cols.len() < 2 {
                return Err(FlowError::TooFewColumns(i + 1));
            }
            let port = cols.get(2).copied().unwrap_or("").trim_matches('"');
            flows.push(
                make_flow(cols[0].to_string(), cols[1].to_string(), port, "").map_err(|e| {
                    FlowError::OnLine {
                        line: i + 1,
                        error: Box::new(e),
                    }
                })?,
            );
        }
    }
    if flows.len() > MAX_FLOWS {
        return Err(FlowError::TooMany(MAX_FLOWS));
    }
    Ok(flows)
}

fn make_flow(src: String, dst: String, port: &str, proto: &str) -> Result<Flow, FlowError> {
    let port = port.trim();
    let (mut protocol, number) = if port.is_empty() {
        (Protocol::Tcp, None)
    } else if let Some((p, pr)) = port.split_once('/') {
        (
            Protocol::parse(pr).ok_or_else(|| FlowError::UnknownProtocol(pr.to_string()))?,
            Some(p),
        )
    } else if let Some((pr, p)) = port.split_once(' ') {
        (
            Protocol::parse(pr).ok_or_else(|| FlowError::UnknownProtocol(pr.to_string()))?,
            Some(p),
        )
    } else {
        (Protocol::Tcp, Some(port))
    };
    if !proto.is_empty() {
        protocol =
            Protocol::parse(proto).ok_or_else(|| FlowError::UnknownProtocol(proto.to_string()))?;
    }
    let port = match number {
        None => None,
        Some(n) => Some(
            n.trim()
                .parse::<u16>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| FlowError::BadPort(n.to_string()))?,
        ),
    };
    Ok(Flow {
        src,
        dst,
        protocol,
        port,
    })
}

fn find<'m>(m: &'m Model, spec: &str) -> Option<&'m Workload> {
    let (ns, name) = spec.split_once('/').unwrap_or(("default", spec));
    let name = name.split('[').next().unwrap_or(name);
    m.workloads
        .iter()
        .find(|w| w.namespace == ns && w.name == name)
}

fn labels_value(w: &Workload) -> Value {
    Value::Object(
        w.labels
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// A pod selector matching exactly the pods of `w` among the analysed workloads of its namespace:
/// its labels, plus `DoesNotExist` on a label that sets apart every other workload those labels
/// would also match (a canary with an extra `track` label, a pod without labels). Workloads with
/// identical labels cannot be told apart; that is reported in `warnings`.
fn exact_selector(m: &Model, w: &Workload, warnings: &mut Vec<String>) -> Value {
    let mut excluded: Vec<String> = Vec::new();
    for o in m.workloads.iter().filter(|o| {
        o.namespace == w.namespace
            && !(o.name == w.name && o.kind == w.kind)
            && w.labels.iter().all(|(k, v)| o.labels.get(k) == Some(v))
    }) {
        match o.labels.keys().find(|k| !w.labels.contains_key(*k)) {
            Some(k) => {
                if !excluded.contains(k) {
                    excluded.push(k.clone());
                }
            }
            None => {
                let warning = format!(
                    "{} and {} have the same pod labels: a policy for one applies to both",
                    w.display_name(),
                    o.display_name()
                );
                if !warnings.contains(&warning) {
                    warnings.push(warning);
                }
            }
        }
    }
    let mut sel = serde_json::Map::new();
    if !w.labels.is_empty() {
        sel.insert("matchLabels".into(), labels_value(w));
    }
    if !excluded.is_empty() {
        excluded.sort();
        sel.insert(
            "matchExpressions".into(),
            Value::Array(
                excluded
                    .into_iter()
                    .map(|k| json!({"key": k, "operator": "DoesNotExist"}))
                    .collect(),
            ),
        );
    }
    Value::Object(sel)
}

fn peer_for(m: &Model, spec: &str, warnings: &mut Vec<String>) -> Result<Value, FlowError> {
    if let Ok((_, _, _)) = parse_cidr(spec) {
        return Ok(json!({"ipBlock": {"cidr": spec}}));
    }
    if let Ok(ip) = spec.parse::<std::net::IpAddr>() {
        let cidr = if ip.is_ipv4() {
            format!("{ip}/32")
        } else {
            format!("{ip}/128")
        };
        return Ok(json!({"ipBlock": {"cidr": cidr}}));
    }
    let w = find(m, spec).ok_or_else(|| FlowError::NoSuchWorkload(spec.to_string()))?;
    Ok(json!({
        "namespaceSelector": {"matchLabels": {NS_NAME_LABEL: w.namespace}},
        "podSelector": exact_selector(m, w, warnings),
    }))
}

fn port_value(f: &Flow) -> Value {
    match f.port {
        Some(p) => json!({"protocol": f.protocol.as_str(), "port": p}),
        None => json!({"protocol": f.protocol.as_str()}),
    }
}

fn dns_egress() -> Value {
    json!({
        "to": [{
            "namespaceSelector": {"matchLabels": {NS_NAME_LABEL: "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    })
}

/// Namespaces AKS manages: a default-deny there breaks DNS, konnectivity and add-ons.
pub fn is_system_namespace(ns: &str) -> bool {
    ns.starts_with("kube-")
        || matches!(
            ns,
            "gatekeeper-system"
                | "calico-system"
                | "tigera-operator"
                | "app-routing-system"
                | "aks-command"
        )
}

/// Default-deny (ingress and egress, DNS kept) for every namespace that has workloads, except
/// the system namespaces AKS manages.
pub fn default_deny(m: &Model) -> Vec<Value> {
    let mut nss: Vec<&str> = m
        .workloads
        .iter()
        .map(|w| w.namespace.as_str())
        .filter(|ns| !is_system_namespace(ns))
        .collect();
    nss.sort();
    nss.dedup();
    nss.into_iter()
        .map(|ns| {
            json!({
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": "default-deny", "namespace": ns,
                             "labels": {"app.kubernetes.io/managed-by": "kubeward"}},
                "spec": {
                    "podSelector": {},
                    "policyTypes": ["Ingress", "Egress"],
                    "egress": [dns_egress()],
                },
            })
        })
        .collect()
}

fn note_system_namespace(w: &Workload, warnings: &mut Vec<String>) {
    let warning = format!(
        "no policy written for {} in {}: AKS manages that namespace and it is not default-denied",
        w.display_name(),
        w.namespace
    );
    if !warnings.contains(&warning) {
        warnings.push(warning);
    }
}

/// Least-privilege policies and the warnings met while writing them.
#[derive(Debug, Default)]
pub struct Generated {
    pub policies: Vec<Value>,
    pub warnings: Vec<String>,
}

/// One policy per workload that takes part in a flow: its allowed ingress and egress.
pub fn from_flows(m: &Model, flows: &[Flow]) -> Result<Generated, FlowError> {
    let mut warnings = Vec::new();
    let mut ingress: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    let mut egress: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    for f in flows {
        if let Some(w) = find(m, &f.src).filter(|w| is_system_namespace(&w.namespace)) {
            note_system_namespace(w, &mut warnings);
        } else if let Some(w) = find(m, &f.src) {
            let rule =
                json!({"to": [peer_for(m, &f.dst, &mut warnings)?], "ports": [port_value(f)]});
            egress
                .entry((w.namespace.clone(), w.name.clone()))
                .or_default()
                .push(rule);
        }
        // a policy in a namespace AKS manages would isolate its pods (an ingress policy on
        // kube-dns admits only the listed clients and breaks DNS for the rest); those namespaces
        // get no default-deny either, so the flow is already allowed on that side
        if let Some(w) = find(m, &f.dst).filter(|w| is_system_namespace(&w.namespace)) {
            note_system_namespace(w, &mut warnings);
        } else if let Some(w) = find(m, &f.dst) {
            let rule =
                json!({"from": [peer_for(m, &f.src, &mut warnings)?], "ports": [port_value(f)]});
            ingress
                .entry((w.namespace.clone(), w.name.clone()))
                .or_default()
                .push(rule);
        }
        if find(m, &f.src).is_none() && find(m, &f.dst).is_none() {
            return Err(FlowError::NoWorkloadSide {
                src: f.src.clone(),
                dst: f.dst.clone(),
            });
        }
    }
    let mut keys: Vec<(String, String)> = ingress.keys().chain(egress.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for (ns, name) in keys {
        let Some(w) = m
            .workloads
            .iter()
            .find(|w| w.namespace == ns && w.name == name)
        else {
            continue;
        };
        let mut types = Vec::new();
        let mut spec = serde_json::Map::new();
        spec.insert("podSelector".into(), exact_selector(m, w, &mut warnings));
        if let Some(r) = ingress.get(&(ns.clone(), name.clone())) {
            types.push("Ingress");
            spec.insert("ingress".into(), Value::Array(r.clone()));
        }
        if let Some(r) = egress.get(&(ns.clone(), name.clone())) {
            types.push("Egress");
            spec.insert("egress".into(), Value::Array(r.clone()));
        }
        spec.insert("policyTypes".into(), json!(types));
        out.push(json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": format!("allow-{name}"), "namespace": ns,
                         "labels": {"app.kubernetes.io/managed-by": "kubeward"}},
            "spec": Value::Object(spec),
        }));
    }
    Ok(Generated {
        policies: out,
        warnings,
    })
}

/// Render values as a multi-document YAML stream.
pub fn to_yaml(docs: &[Value]) -> String {
    let mut out = String::new();
    for d in docs {
        out.push_str("---\n");
        emit(d, 0, &mut out);
    }
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let plain = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
                && !s
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '.')
                && !matches!(
                    s.as_str(),
                    "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "Y" | "N"
                );
            if plain {
                s.clone()
            } else {
                serde_json::to_string(s).unwrap_or_default()
            }
        }
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Array(a) if a.is_empty() => "[]".into(),
        other => other.to_string(),
    }
}

fn is_scalar(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => true,
    }
}

fn emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, val) in m {
                let key = scalar(&Value::String(k.clone()));
                if is_scalar(val) {
                    out.push_str(&format!("{pad}{key}: {}\n", scalar(val)));
                } else {
                    out.push_str(&format!("{pad}{key}:\n"));
                    emit(val, indent + 2, out);
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for item in a {
                if is_scalar(item) {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                } else {
                    let mut inner = String::new();
                    emit(item, indent + 2, &mut inner);
                    // put the first line after the dash
                    let trimmed = inner.trim_start_matches(' ');
                    out.push_str(&format!("{pad}- {trimmed}"));
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Analysis, Endpoint, Options};
    use kubeward_inventory::{LoadOptions, load_str};

    const APPS: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x}]}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: shop}\nspec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: x}]}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: coredns, namespace: kube-system}\nspec: {template: {metadata: {labels: {k8s-app: kube-dns}}, spec: {containers: [{name: c, image: x}]}}}\n";

    #[test]
    fn generated_policies_allow_exactly_the_wanted_flows() {
        let inv = load_str("a.yaml", APPS, &LoadOptions::default());
        let m = Model::build(&inv);
        let flows = parse_flows(
            "src,dst,port\nshop/web,shop/db,TCP 5432\nshop/web,kube-system/coredns,UDP 53\n",
        )
        .expect("valid csv");
        let mut docs = default_deny(&m);
        let generated = from_flows(&m, &flows).expect("flows resolve");
        assert!(
            generated
                .warnings
                .iter()
                .any(|w| w.contains("no policy written for kube-system/coredns")),
            "{:?}",
            generated.warnings
        );
        docs.extend(generated.policies);
        let yaml = to_yaml(&docs);
        // re-analyse the inputs plus the generated policies
        let all = format!("{APPS}{yaml}");
        let inv2 = load_str("b.yaml", &all, &LoadOptions::default());
        assert!(inv2.errors.is_empty(), "{:?}\n{yaml}", inv2.errors);
        let m2 = Model::build(&inv2);
        assert!(m2.problems.is_empty(), "{:?}", m2.problems);
        let a = Analysis::new(&m2, Options::default());
        let idx = |n: &str| {
            m2.workloads
                .iter()
                .position(|w| w.name == n)
                .expect("workload")
        };
        let c = |n: &str| Endpoint::Class(a.class_of[idx(n)]);
        assert_eq!(a.allowed(c("web"), c("db")).render(), "TCP 5432");
        assert!(a.allowed(c("db"), c("web")).is_empty());
        assert_eq!(a.allowed(c("web"), c("coredns")).render(), "TCP 53,UDP 53");
        // a flow naming kube-dns must not isolate it: db keeps DNS too
        assert_eq!(a.allowed(c("db"), c("coredns")).render(), "TCP 53,UDP 53");
        assert!(
            a.allowed(c("web"), Endpoint::Ip(0x0808_0808, 0x0808_0808))
                .is_empty()
        );
    }

    #[test]
    fn generated_selectors_leave_out_look_alike_workloads() {
        // web-canary carries web's labels and more; bare has no labels at all
        let apps = format!(
            "{APPS}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web-canary, namespace: shop}}\nspec: {{template: {{metadata: {{labels: {{app: web, track: canary}}}}, spec: {{containers: [{{name: c, image: x}}]}}}}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: bare, namespace: shop}}\nspec: {{containers: [{{name: c, image: x}}]}}\n"
        );
        let inv = load_str("a.yaml", &apps, &LoadOptions::default());
        let m = Model::build(&inv);
        let flows = parse_flows("shop/web,shop/db,5432\nshop/bare,8.8.8.8,443\n").expect("csv");
        let mut docs = default_deny(&m);
        let generated = from_flows(&m, &flows).expect("flows resolve");
        assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
        docs.extend(generated.policies);
        let yaml = to_yaml(&docs);
        let inv2 = load_str("b.yaml", &format!("{apps}{yaml}"), &LoadOptions::default());
        let m2 = Model::build(&inv2);
        assert!(m2.problems.is_empty(), "{:?}\n{yaml}", m2.problems);
        let a = Analysis::new(&m2, Options::default());
        let c = |n: &str| {
            let i = m2
                .workloads
                .iter()
                .position(|w| w.name == n)
                .expect("workload");
            Endpoint::Class(a.class_of[i])
        };
        let google = Endpoint::Ip(0x0808_0808, 0x0808_0808);
        assert_eq!(a.allowed(c("web"), c("db")).render(), "TCP 5432");
        assert_eq!(a.allowed(c("bare"), google).render(), "TCP 443");
        for (src, dst) in [
            (c("web-canary"), c("db")),
            (c("bare"), c("db")),
            (c("web"), google),
            (c("web-canary"), google),
            (c("db"), google),
        ] {
            assert!(a.allowed(src, dst).is_empty(), "unwanted flow\n{yaml}");
        }
    }

    #[test]
    fn identical_labels_are_reported() {
        let apps = format!(
            "{APPS}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web-copy, namespace: shop}}\nspec: {{template: {{metadata: {{labels: {{app: web}}}}, spec: {{containers: [{{name: c, image: x}}]}}}}}}\n"
        );
        let m = Model::build(&load_str("a.yaml", &apps, &LoadOptions::default()));
        let flows = parse_flows("shop/web,shop/db,5432\n").expect("csv");
        let generated = from_flows(&m, &flows).expect("flows resolve");
        assert!(
            generated
                .warnings
                .iter()
                .any(|w| w.contains("shop/web[Deployment] and shop/web-copy[Deployment]")),
            "{:?}",
            generated.warnings
        );
    }

    #[test]
    fn flows_parse_and_reject() {
        let f = parse_flows(r#"[{"src":"a/b","dst":"10.0.0.0/8","port":443}]"#).expect("json");
        assert_eq!(f[0].port, Some(443));
        assert!(parse_flows("a/b,c/d,TCP 70000\n").is_err());
        assert!(parse_flows("a/b,c/d,ICMP 1\n").is_err());
    }
}
