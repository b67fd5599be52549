//! Connecting (kubeconfig, context, or in-cluster) and listing every kind with pagination.

use std::path::PathBuf;

use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use kubeward_core::{InputError, InputInfo};
use kubeward_inventory::{Inventory, Object, Origin};
use serde_json::Value;

use crate::kinds::{DISCOVERED, KINDS, KindSpec, MAX_DISCOVERED_KINDS};

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("cannot read kubeconfig {path}: {message}")]
    Kubeconfig { path: String, message: String },
    #[error("cannot configure a client: {0}")]
    Config(String),
    #[error("cannot reach the API server: {0}")]
    Connect(String),
}

#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// A kubeconfig file; `None` infers (KUBECONFIG, ~/.kube/config, then in-cluster).
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
}

/// A client for the cluster the options name. Read-only use is the caller's promise; the binary
/// only ever calls `list`, except the fleet scan.
pub async fn connect(opts: &ConnectOptions) -> Result<(Client, String), LiveError> {
    let kube_opts = KubeConfigOptions {
        context: opts.context.clone(),
        ..Default::default()
    };
    let config = match &opts.kubeconfig {
        Some(path) => {
            let kc = Kubeconfig::read_from(path).map_err(|e| LiveError::Kubeconfig {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            Config::from_custom_kubeconfig(kc, &kube_opts)
                .await
                .map_err(|e| LiveError::Config(e.to_string()))?
        }
        None if opts.context.is_some() => Config::from_kubeconfig(&kube_opts)
            .await
            .map_err(|e| LiveError::Config(e.to_string()))?,
        None => Config::infer()
            .await
            .map_err(|e| LiveError::Config(e.to_string()))?,
    };
    let name = format!("cluster:{}", config.cluster_url);
    let client = Client::try_from(config).map_err(|e| LiveError::Config(e.to_string()))?;
    Ok((client, name))
}

/// A kind that could not be listed, and why; the report shows what it prevented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotListed {
    pub spec: KindSpec,
    pub status: u16,
    pub message: String,
}

/// Everything listed from one cluster.
#[derive(Debug, Default)]
pub struct Collected {
    pub source_name: String,
    pub objects: Vec<Value>,
    /// Kinds RBAC forbade (403) or that failed otherwise.
    pub not_listed: Vec<NotListed>,
    /// Optional kinds the cluster does not serve (404): not an error.
    pub not_served: Vec<KindSpec>,
    /// Number of list requests made (pages).
    pub requests: usize,
}

/// Page size of list calls; the API server caps responses, continue tokens carry the rest.
pub const PAGE_SIZE: u32 = 500;
/// A cluster that needs more pages than this for one kind is answering in a loop.
const MAX_PAGES: usize = 100_000;

/// List every kind in `kinds` from the whole cluster.
pub async fn collect(client: &Client, source_name: &str, kinds: &[KindSpec]) -> Collected {
    let mut out = Collected {
        source_name: source_name.to_string(),
        ..Default::default()
    };
    for spec in kinds {
        let ar = ApiResource {
            group: spec.group.to_string(),
            version: spec.version.to_string(),
            api_version: spec.api_version(),
            kind: spec.kind.to_string(),
            plural: spec.plural.to_string(),
        };
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
        match list_kind(&api, spec, &mut out.requests).await {
            Ok(items) => out.objects.extend(items),
            Err(kube::Error::Api(status)) if status.code == 404 && spec.optional => {
                out.not_served.push(*spec)
            }
            Err(kube::Error::Api(status)) => out.not_listed.push(NotListed {
                spec: *spec,
                status: status.code,
                message: if status.message.is_empty() {
                    status.reason.clone()
                } else {
                    status.message.clone()
                },
            }),
            Err(e) => out.not_listed.push(NotListed {
                spec: *spec,
                status: 0,
                message: e.to_string(),
            }),
        }
    }
    out
}

/// Everything a scan reads from a cluster: every kind of the table, then every kind of the groups
/// whose kinds exist only at run time (Gatekeeper's constraints), found by API discovery.
pub async fn collect_cluster(client: &Client, source_name: &str) -> Collected {
    let mut out = collect(client, source_name, KINDS).await;
    for group in DISCOVERED {
        // What a failure names: the group's kinds as a whole.
        let whole = group.spec("(every kind of the group)", "*", false);
        out.requests += 1;
        match client.list_api_group_resources(&group.api_version()).await {
            Ok(list) => {
                let specs: Vec<KindSpec> = list
                    .resources
                    .iter()
                    // `k8sallowedrepos/status` and the like are subresources, not kinds.
                    .filter(|r| !r.name.contains('/') && r.verbs.iter().any(|v| v == "list"))
                    .take(MAX_DISCOVERED_KINDS)
                    .map(|r| group.spec(&r.kind, &r.name, r.namespaced))
                    .collect();
                let more = collect(client, source_name, &specs).await;
                out.objects.extend(more.objects);
                out.not_listed.extend(more.not_listed);
                out.not_served.extend(more.not_served);
                out.requests += more.requests;
            }
            // Gatekeeper is not installed: nothing to read, nothing wrong.
            Err(kube::Error::Api(status)) if status.code == 404 => out.not_served.push(whole),
            Err(kube::Error::Api(status)) => out.not_listed.push(NotListed {
                spec: whole,
                status: status.code,
                message: if status.message.is_empty() {
                    status.reason.clone()
                } else {
                    status.message.clone()
                },
            }),
            Err(e) => out.not_listed.push(NotListed {
                spec: whole,
                status: 0,
                message: e.to_string(),
            }),
        }
    }
    out
}

async fn list_kind(
    api: &Api<DynamicObject>,
    spec: &KindSpec,
    requests: &mut usize,
) -> Result<Vec<Value>, kube::Error> {
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut lp = ListParams::default().limit(PAGE_SIZE);
        if let Some(t) = &token {
            lp = lp.continue_token(t);
        }
        *requests += 1;
        let next = if spec.metadata_only {
            let page = api.list_metadata(&lp).await?;
            for item in page.items {
                let mut v = serde_json::json!({ "metadata": item.metadata });
                stamp(&mut v, spec);
                items.push(v);
            }
            page.metadata.continue_
        } else {
            let page = api.list(&lp).await?;
            for item in page.items {
                let mut v = serde_json::to_value(&item).unwrap_or(Value::Null);
                if v.is_object() {
                    stamp(&mut v, spec);
                    items.push(v);
                }
            }
            page.metadata.continue_
        };
        match next {
            Some(t) if !t.is_empty() => token = Some(t),
            _ => return Ok(items),
        }
    }
    Ok(items)
}

/// List items carry no apiVersion/kind of their own; put them back.
fn stamp(v: &mut Value, spec: &KindSpec) {
    if let Some(map) = v.as_object_mut() {
        map.insert("apiVersion".into(), Value::String(spec.api_version()));
        map.insert("kind".into(), Value::String(spec.kind.to_string()));
    }
}

impl Collected {
    /// The listed objects as an inventory (origin: the cluster), with one input error per kind that
    /// could not be listed.
    pub fn into_inventory(self) -> Inventory {
        let mut inv = Inventory::default();
        inv.inputs.push(InputInfo {
            kind: "cluster".into(),
            path: self.source_name.clone(),
            detail: Some(format!(
                "{} objects in {} list requests",
                self.objects.len(),
                self.requests
            )),
        });
        for n in &self.not_listed {
            inv.errors.push(InputError {
                path: self.source_name.clone(),
                line: None,
                message: format!(
                    "cannot list {} ({}): {}{} — not judged: {}",
                    n.spec.plural,
                    n.spec.api_version(),
                    if n.status == 403 {
                        "forbidden by RBAC: "
                    } else {
                        ""
                    },
                    n.message,
                    n.spec.needed_for
                ),
            });
        }
        let file: std::sync::Arc<str> = self.source_name.as_str().into();
        for (index, value) in self.objects.into_iter().enumerate() {
            let origin = Origin {
                file: std::sync::Arc::clone(&file),
                line: None,
                index,
                provenance: kubeward_inventory::Provenance::Live,
            };
            inv.objects.push(Object::from_value(value, origin));
        }
        inv
    }

    /// A snapshot: one `v1/List` of every object, for offline scans. Secrets and ConfigMaps were
    /// listed as metadata only, so no data or value is in it; `kubectl.kubernetes.io/last-applied-configuration`
    /// annotations are dropped too since they can embed the same data.
    pub fn snapshot(&self) -> Value {
        let items: Vec<Value> = self.objects.iter().cloned().map(redact).collect();
        // The mark tells a later scan these objects came from a cluster (see the inventory's
        // `Provenance`): only then do AKS and Kubernetes labels set objects apart.
        let mut list = serde_json::json!({ "apiVersion": "v1", "kind": "List", "metadata": {}, "items": items });
        list[kubeward_inventory::SNAPSHOT_MARKER] =
            serde_json::json!({ "source": self.source_name, "version": 1 });
        list
    }
}

/// Remove anything that could carry secret material from an object.
pub fn redact(mut v: Value) -> Value {
    let kind = v
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(map) = v.as_object_mut() {
        if kind == "Secret" || kind == "ConfigMap" {
            for field in ["data", "stringData", "binaryData"] {
                if let Some(Value::Object(entries)) = map.get_mut(field) {
                    for value in entries.values_mut() {
                        *value = Value::String("REDACTED".into());
                    }
                }
            }
        }
        if let Some(Value::Object(ann)) = map
            .get_mut("metadata")
            .and_then(|m| m.get_mut("annotations"))
        {
            ann.remove("kubectl.kubernetes.io/last-applied-configuration");
        }
        if let Some(Value::Object(meta)) = map.get_mut("metadata") {
            meta.remove("managedFields");
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_back_as_cluster_objects_and_live_objects_are_live() {
        let collected = || Collected {
            source_name: "aks-test".into(),
            objects: vec![serde_json::json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c", "namespace": "kube-system"}
            })],
            not_listed: Vec::new(),
            not_served: Vec::new(),
            requests: 1,
        };
        let text = serde_json::to_string(&collected().snapshot()).expect("json");
        let inv = kubeward_inventory::load_str(
            "snap.json",
            &text,
            &kubeward_inventory::LoadOptions::default(),
        );
        assert_eq!(inv.objects.len(), 1);
        assert_eq!(
            inv.objects[0].origin.provenance,
            kubeward_inventory::Provenance::Snapshot
        );
        assert_eq!(inv.inputs[0].kind, "snapshot");
        let live = collected().into_inventory();
        assert_eq!(
            live.objects[0].origin.provenance,
            kubeward_inventory::Provenance::Live
        );
        // The same List without the mark is an offline file.
        let plain = text.replacen("\"kubewardSnapshot\"", "\"other\"", 1);
        let inv = kubeward_inventory::load_str(
            "dump.json",
            &plain,
            &kubeward_inventory::LoadOptions::default(),
        );
        assert_eq!(
            inv.objects[0].origin.provenance,
            kubeward_inventory::Provenance::Offline
        );
    }

    #[test]
    fn redaction_removes_values_and_last_applied() {
        let v = serde_json::json!({
            "kind": "Secret",
            "metadata": {"name": "s", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"p\":\"c2VjcmV0\"}}", "keep": "x"}},
            "data": {"password": "c2VjcmV0"}
        });
        let r = redact(v);
        assert_eq!(r["data"]["password"], "REDACTED");
        assert!(
            r["metadata"]["annotations"]
                .get("kubectl.kubernetes.io/last-applied-configuration")
                .is_none()
        );
        assert_eq!(r["metadata"]["annotations"]["keep"], "x");
    }
}
