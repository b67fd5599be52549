//! Synthetic cluster snapshots for the benchmarks: a `kubectl get -o json`-style `v1/List`
//! (pretty-printed like kubectl), and small manifest folders. Deterministic: the same counts give
//! the same bytes.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

/// How many objects of each kind a snapshot holds.
pub struct Mix {
    pub namespaces: usize,
    pub deployments: usize,
    pub services: usize,
    pub roles: usize,
    pub role_bindings: usize,
    pub cluster_roles: usize,
}

impl Mix {
    /// `total` objects: mostly Deployments, plus Services, RBAC and namespaces.
    pub fn for_total(total: usize) -> Mix {
        let namespaces = (total / 200).max(1);
        let services = total / 8;
        let roles = total / 40;
        let role_bindings = total / 40;
        let cluster_roles = total / 200;
        let deployments = total - namespaces - services - roles - role_bindings - cluster_roles;
        Mix {
            namespaces,
            deployments,
            services,
            roles,
            role_bindings,
            cluster_roles,
        }
    }
    pub fn total(&self) -> usize {
        self.namespaces
            + self.deployments
            + self.services
            + self.roles
            + self.role_bindings
            + self.cluster_roles
    }
}

/// A Deployment of about 3 KB (pretty-printed) with an init-free pod of two containers; one in
/// four is hardened to restricted, the others break a varying control.
pub fn deployment(i: usize, ns: &str) -> Value {
    let name = format!("app-{i:06}");
    let hardened = i.is_multiple_of(4);
    let sc = if hardened {
        json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true})
    } else if i % 4 == 1 {
        json!({"privileged": i % 40 == 1, "capabilities": {"add": ["NET_ADMIN"]}})
    } else {
        json!({"runAsUser": 1000})
    };
    let container = |n: &str, image: &str, port: u64| {
        let mut c = json!({
            "name": n,
            "image": format!("contoso.azurecr.io/{image}:1.{}.{}", i % 17, i % 5),
            "ports": [{"containerPort": port, "protocol": "TCP"}],
            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
            "securityContext": sc,
        });
        if n == "app" {
            c["env"] = json!([
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": format!("{name}-db"), "key": "password"}}}
            ]);
            c["readinessProbe"] =
                json!({"httpGet": {"path": "/ready", "port": port}, "periodSeconds": 5});
            c["volumeMounts"] =
                json!([{"name": "config", "mountPath": "/etc/app", "readOnly": true}]);
        }
        c
    };
    let mut pod_sc = json!({"fsGroup": 2000});
    if hardened {
        pod_sc = json!({"runAsNonRoot": true, "runAsUser": 10001, "fsGroup": 2000, "seccompProfile": {"type": "RuntimeDefault"}});
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": format!("{:08x}-0000-4000-8000-{:012x}", i, i),
            "creationTimestamp": "2026-10-01T12:00:00Z",
            "labels": {"app.kubernetes.io/name": name, "team": format!("team-{}", i % 13)}
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": name, "team": format!("team-{}", i % 13)}},
                "spec": {
                    "serviceAccountName": format!("{name}-sa"),
                    "automountServiceAccountToken": i.is_multiple_of(3),
                    "hostNetwork": i % 97 == 5,
                    "securityContext": pod_sc,
                    "containers": [container("app", "shop/app", 8080), container("sidecar", "mesh/proxy", 15001)],
                    "volumes": [{"name": "config", "configMap": {"name": format!("{name}-config"), "defaultMode": 420}}],
                    "restartPolicy": "Always"
                }
            }
        },
        "status": {"replicas": 2, "readyReplicas": 2}
    })
}

fn service(i: usize, ns: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": format!("app-{i:06}"), "namespace": ns, "labels": {"app.kubernetes.io/name": format!("app-{i:06}")}},
        "spec": {"type": "ClusterIP", "clusterIP": format!("10.0.{}.{}", (i / 250) % 250, i % 250),
                 "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}],
                 "selector": {"app.kubernetes.io/name": format!("app-{i:06}")}}
    })
}

fn role(i: usize, ns: &str) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": format!("role-{i:05}"), "namespace": ns},
        "rules": [
            {"apiGroups": [""], "resources": ["configmaps", "pods"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": if i.is_multiple_of(10) { json!(["secrets"]) } else { json!(["services"]) }, "verbs": ["get"]}
        ]
    })
}

fn role_binding(i: usize, ns: &str) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": format!("rb-{i:05}"), "namespace": ns},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": format!("role-{i:05}")},
        "subjects": [{"kind": "ServiceAccount", "name": format!("app-{i:06}-sa"), "namespace": ns}]
    })
}

fn cluster_role(i: usize) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": format!("cr-{i:04}")},
        "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": if i.is_multiple_of(25) { json!(["*"]) } else { json!(["get", "list"]) }}]
    })
}

fn namespace(i: usize) -> Value {
    let mut labels = json!({"kubernetes.io/metadata.name": format!("ns-{i:04}")});
    if i.is_multiple_of(3) {
        labels["pod-security.kubernetes.io/enforce"] = json!("baseline");
        labels["pod-security.kubernetes.io/warn"] = json!("restricted");
    }
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": format!("ns-{i:04}"), "labels": labels}})
}

/// Every object of the mix, in kubectl's order (namespaces first), produced one at a time.
pub fn objects(mix: &Mix) -> impl Iterator<Item = Value> + '_ {
    let ns = move |i: usize| format!("ns-{:04}", i % mix.namespaces);
    (0..mix.namespaces)
        .map(namespace)
        .chain((0..mix.deployments).map(move |i| deployment(i, &ns(i))))
        .chain((0..mix.services).map(move |i| service(i, &ns(i))))
        .chain((0..mix.roles).map(move |i| role(i, &ns(i))))
        .chain((0..mix.role_bindings).map(move |i| role_binding(i, &ns(i))))
        .chain((0..mix.cluster_roles).map(cluster_role))
}

/// Write the snapshot as one pretty-printed `v1/List`, streaming (no whole-document value).
pub fn write_list(path: &Path, mix: &Mix) -> std::io::Result<u64> {
    let file = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    w.write_all(b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n")?;
    for (n, obj) in objects(mix).enumerate() {
        if n > 0 {
            w.write_all(b",\n")?;
        }
        let text = serde_json::to_string_pretty(&obj).map_err(std::io::Error::other)?;
        for (k, line) in text.lines().enumerate() {
            if k > 0 {
                w.write_all(b"\n")?;
            }
            w.write_all(b"        ")?;
            w.write_all(line.as_bytes())?;
        }
    }
    w.write_all(b"\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n")?;
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// A manifest folder of `count` YAML files (one object each, a typical repository layout).
pub fn write_folder(dir: &Path, count: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mix = Mix {
        namespaces: 2,
        deployments: count * 6 / 10,
        services: count - 2 - count * 6 / 10 - count / 10,
        roles: count / 20,
        role_bindings: count / 10 - count / 20,
        cluster_roles: 0,
    };
    for (n, obj) in objects(&mix).enumerate() {
        let kind = obj["kind"]
            .as_str()
            .unwrap_or("object")
            .to_ascii_lowercase();
        let yaml = to_yaml(&obj, 0);
        std::fs::write(dir.join(format!("{n:03}-{kind}.yaml")), yaml)?;
    }
    Ok(())
}

/// A small YAML emitter for generated data (block style, strings quoted when needed).
fn to_yaml(v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                match val {
                    Value::Object(x) if !x.is_empty() => {
                        out.push_str(&format!("{pad}{k}:\n{}", to_yaml(val, indent + 2)))
                    }
                    Value::Array(x) if !x.is_empty() => {
                        out.push_str(&format!("{pad}{k}:\n{}", to_yaml(val, indent)))
                    }
                    _ => out.push_str(&format!("{pad}{k}: {}\n", scalar(val))),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                let inner = to_yaml(item, indent + 2);
                match item {
                    Value::Object(_) | Value::Array(_) if !inner.is_empty() => {
                        out.push_str(&format!("{pad}- {}", &inner[indent + 2..]))
                    }
                    _ => out.push_str(&format!("{pad}- {}\n", scalar(item))),
                }
            }
        }
        _ => out.push_str(&format!("{pad}{}\n", scalar(v))),
    }
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}
