//! Which policy engine a cluster runs, read from the inputs where they show it: an AKS cluster
//! body (`networkProfile.networkPolicy`), a node's `NETWORK_POLICY`, or the engine's DaemonSet in
//! a snapshot. The analysis then applies that engine's semantics instead of a guess.

use std::collections::BTreeMap;

use kubeward_core::Source;
use kubeward_inventory::Inventory;

use crate::engine::Engine;

/// How the engine of an analysis was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EngineBasis {
    /// Named on the command line (`--engine NAME`) or by the caller.
    #[default]
    Given,
    /// Read from the inputs: what was observed, and where.
    Detected { observed: String, source: Source },
    /// Nothing in the inputs tells: the fallback engine is used (with why, in words).
    Unknown { why: String },
}

impl EngineBasis {
    pub fn is_unknown(&self) -> bool {
        matches!(self, EngineBasis::Unknown { .. })
    }
    /// One line for facts and notes.
    pub fn describe(&self) -> String {
        match self {
            EngineBasis::Given => "given with --engine".into(),
            EngineBasis::Detected { observed, source } => {
                format!("{observed} ({})", source_text(source))
            }
            EngineBasis::Unknown { why } => format!("not known: {why}"),
        }
    }
}

fn source_text(s: &Source) -> String {
    let mut out = s
        .file
        .as_deref()
        .map(str::to_string)
        .or_else(|| s.origin.clone())
        .unwrap_or_else(|| "inputs".into());
    if let Some(l) = s.line {
        out.push_str(&format!(":{l}"));
    }
    if let Some(k) = s.key.as_deref() {
        out.push_str(&format!(" {k}"));
    }
    out
}

/// The engine of an analysis and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineFact {
    pub engine: Engine,
    pub basis: EngineBasis,
}

impl EngineFact {
    pub fn given(engine: Engine) -> Self {
        EngineFact {
            engine,
            basis: EngineBasis::Given,
        }
    }
    /// The fallback when the engine cannot be known: the netpol-analyzer compatible default.
    pub fn unknown(why: impl Into<String>) -> Self {
        EngineFact {
            engine: Engine::Default,
            basis: EngineBasis::Unknown { why: why.into() },
        }
    }
}

/// AKS `networkProfile.networkPolicy` or a node's `NETWORK_POLICY` → engine. Empty, `none` and
/// (for the AKS field) absent mean no engine. Unknown words give `None`.
pub fn engine_of_network_policy(value: Option<&str>) -> Option<Engine> {
    match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("none") => Some(Engine::None),
        Some("azure") => Some(Engine::AzureNpm),
        Some("calico") => Some(Engine::Calico),
        Some("cilium") => Some(Engine::Cilium),
        Some(_) => None,
    }
}

/// The engine's own DaemonSet (or a pod it owns) in a snapshot: `azure-npm`, `calico-node`,
/// `cilium` in kube-system (Calico installed by the Tigera operator lives in calico-system).
fn engine_of_daemonset(namespace: &str, name: &str) -> Option<Engine> {
    match (namespace, name) {
        ("kube-system", "azure-npm" | "azure-npm-win") => Some(Engine::AzureNpm),
        ("kube-system" | "calico-system", "calico-node" | "calico-node-windows") => {
            Some(Engine::Calico)
        }
        ("kube-system", "cilium") => Some(Engine::Cilium),
        _ => None,
    }
}

/// The engine shown by the DaemonSets of an inventory when exactly one engine shows; otherwise
/// the fallback, saying why.
pub fn from_daemonsets(inv: &Inventory) -> EngineFact {
    let mut found: BTreeMap<Engine, Source> = BTreeMap::new();
    for o in &inv.objects {
        let ns = o.namespace.as_deref().unwrap_or("");
        let hit = match o.kind.as_str() {
            "DaemonSet" => {
                engine_of_daemonset(ns, &o.name).map(|e| (e, o.source("/metadata/name")))
            }
            "Pod" => o
                .value
                .pointer("/metadata/ownerReferences")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .find_map(|r| {
                    let kind = r.get("kind").and_then(|k| k.as_str())?;
                    let name = r.get("name").and_then(|k| k.as_str())?;
                    (kind == "DaemonSet").then_some(())?;
                    engine_of_daemonset(ns, name)
                })
                .map(|e| (e, o.source("/metadata/ownerReferences"))),
            _ => None,
        };
        if let Some((e, src)) = hit {
            found.entry(e).or_insert(src);
        }
    }
    match found.len() {
        1 => match found.into_iter().next() {
            Some((engine, source)) => EngineFact {
                engine,
                basis: EngineBasis::Detected {
                    observed: format!("{} DaemonSet", daemonset_name(engine)),
                    source,
                },
            },
            None => EngineFact::unknown(NO_DAEMONSET),
        },
        0 => EngineFact::unknown(NO_DAEMONSET),
        _ => EngineFact::unknown(format!(
            "DaemonSets of several engines in the inputs ({})",
            found
                .keys()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

const NO_DAEMONSET: &str =
    "no azure-npm, calico-node or cilium DaemonSet in the inputs, and no --aks cluster body";

fn daemonset_name(e: Engine) -> &'static str {
    match e {
        Engine::AzureNpm => "azure-npm",
        Engine::Calico => "calico-node",
        Engine::Cilium => "cilium",
        Engine::Default | Engine::None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_inventory::{LoadOptions, load_str};

    #[test]
    fn aks_and_node_values_map_to_engines() {
        for (v, e) in [
            (Some("azure"), Some(Engine::AzureNpm)),
            (Some("Calico"), Some(Engine::Calico)),
            (Some("cilium"), Some(Engine::Cilium)),
            (Some("none"), Some(Engine::None)),
            (Some(""), Some(Engine::None)),
            (None, Some(Engine::None)),
            (Some("antrea"), None),
        ] {
            assert_eq!(engine_of_network_policy(v), e, "{v:?}");
        }
    }

    // item 14: the engine is a fact of the snapshot's kube-system DaemonSets
    #[test]
    fn item14_daemonsets_name_the_engine() {
        let ds = |ns: &str, name: &str| {
            format!(
                "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: {name}, namespace: {ns}}}\nspec: {{template: {{spec: {{containers: [{{name: c, image: x}}]}}}}}}\n"
            )
        };
        let load = |y: &str| load_str("snap.yaml", y, &LoadOptions::default());
        let f = from_daemonsets(&load(&ds("kube-system", "cilium")));
        assert_eq!(f.engine, Engine::Cilium);
        assert!(
            f.basis.describe().contains("snap.yaml:"),
            "{}",
            f.basis.describe()
        );
        let f = from_daemonsets(&load(&ds("calico-system", "calico-node")));
        assert_eq!(f.engine, Engine::Calico);
        let f = from_daemonsets(&load(&ds("kube-system", "azure-npm")));
        assert_eq!(f.engine, Engine::AzureNpm);
        // the same name elsewhere is not the engine
        let f = from_daemonsets(&load(&ds("shop", "cilium")));
        assert!(f.basis.is_unknown());
        assert_eq!(f.engine, Engine::Default);
        // a pod owned by the engine's DaemonSet
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: azure-npm-x1, namespace: kube-system, ownerReferences: [{kind: DaemonSet, name: azure-npm, apiVersion: apps/v1, uid: u}]}\nspec: {containers: [{name: c, image: x}]}\n";
        assert_eq!(from_daemonsets(&load(pod)).engine, Engine::AzureNpm);
        // two engines at once (a migration): not known
        let both = format!(
            "{}---\n{}",
            ds("kube-system", "cilium"),
            ds("kube-system", "azure-npm")
        );
        assert!(
            from_daemonsets(&load(&both))
                .basis
                .describe()
                .contains("several")
        );
    }
}
