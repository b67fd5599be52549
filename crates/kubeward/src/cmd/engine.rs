//! `--engine auto` (the default) and `--aks FILE`: which policy engine the network analysis
//! applies, read from the inputs where they show it.

use std::path::{Path, PathBuf};

use anyhow::bail;
use kubeward_core::Source;
use kubeward_inventory::Inventory;
use kubeward_netpol::engine_fact::{self, engine_of_network_policy};
use kubeward_netpol::{Engine, EngineBasis, EngineFact};
use kubeward_node::NodeFacts;

/// `--engine`: a named engine, or `auto` (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineChoice(pub Option<Engine>);

fn parse_engine_choice(s: &str) -> Result<EngineChoice, String> {
    if s == "auto" {
        return Ok(EngineChoice(None));
    }
    Engine::parse(s)
        .map(|e| EngineChoice(Some(e)))
        .ok_or_else(|| {
            format!("unknown engine {s:?} (auto, default, azure-npm, calico, cilium, none)")
        })
}

#[derive(clap::Args, Debug, Clone)]
pub struct EngineArg {
    /// Policy engine semantics: auto (from --aks, the engine's DaemonSet in the inputs; else
    /// default), default (netpol-analyzer compatible), azure-npm, calico, cilium, none
    #[arg(long, default_value = "auto", value_parser = parse_engine_choice)]
    pub engine: EngineChoice,
    /// An AKS cluster body (`az aks show`, ARM) whose networkProfile.networkPolicy names the
    /// engine, for --engine auto
    #[arg(long, value_name = "FILE")]
    pub aks: Option<PathBuf>,
}

impl EngineArg {
    /// The engine for these inputs (node reports, when the command reads them).
    pub fn resolve(&self, inv: &Inventory, nodes: &[NodeFacts]) -> anyhow::Result<EngineFact> {
        if let Some(e) = self.engine.0 {
            return Ok(EngineFact::given(e));
        }
        let aks = match &self.aks {
            Some(p) => Some(read_aks(p)?),
            None => None,
        };
        Ok(detect(aks.as_ref(), nodes, inv))
    }
}

fn read_aks(path: &Path) -> anyhow::Result<kubeward_aks::Inventory> {
    let shown = path.display().to_string();
    let file = kubeward_aks::InputFile::read(&shown, false)
        .map_err(|e| anyhow::anyhow!("--aks {shown}: {e}"))?;
    let inv = kubeward_aks::load(vec![file]);
    if inv.clusters.is_empty() {
        let why: Vec<String> = inv.errors.iter().map(|e| e.message.clone()).collect();
        bail!(
            "--aks {shown}: no AKS cluster body in it{}",
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join("; "))
            }
        );
    }
    Ok(inv)
}

/// `--engine auto`: the AKS cluster body first, then node reports, then the snapshot's
/// DaemonSets; the fallback (default engine) says why nothing told.
pub fn detect(
    aks: Option<&kubeward_aks::Inventory>,
    nodes: &[NodeFacts],
    inv: &Inventory,
) -> EngineFact {
    let mut why = Vec::new();
    if let Some(aks) = aks.filter(|a| !a.clusters.is_empty()) {
        match from_aks(aks) {
            Ok(f) => return f,
            Err(w) => why.push(w),
        }
    }
    match from_nodes(nodes) {
        Ok(Some(f)) => return f,
        Ok(None) => {}
        Err(w) => why.push(w),
    }
    let f = engine_fact::from_daemonsets(inv);
    match f.basis {
        EngineBasis::Unknown { why: w } if !why.is_empty() => {
            why.push(w);
            EngineFact::unknown(why.join("; "))
        }
        _ => f,
    }
}

fn from_aks(aks: &kubeward_aks::Inventory) -> Result<EngineFact, String> {
    let mut found: Vec<(Engine, String, Source)> = Vec::new();
    for c in &aks.clusters {
        let field = c.get("networkProfile.networkPolicy");
        if field.is_unresolved() {
            return Err(format!(
                "cluster {}: networkPolicy is an unresolved ARM expression",
                c.name
            ));
        }
        let Some(engine) = engine_of_network_policy(field.str()) else {
            return Err(format!(
                "cluster {}: unknown networkPolicy {}",
                c.name,
                field.display()
            ));
        };
        found.push((
            engine,
            format!("networkProfile.networkPolicy: {}", field.display()),
            field.source(),
        ));
    }
    let first = found.first().map(|f| f.0);
    if found.iter().any(|f| Some(f.0) != first) {
        return Err("the AKS inputs hold clusters with different engines".into());
    }
    match found.into_iter().next() {
        Some((engine, observed, source)) => Ok(EngineFact {
            engine,
            basis: EngineBasis::Detected { observed, source },
        }),
        None => Err("no AKS cluster body".into()),
    }
}

fn from_nodes(nodes: &[NodeFacts]) -> Result<Option<EngineFact>, String> {
    let shown: Vec<(&NodeFacts, &str)> = nodes
        .iter()
        .filter_map(|n| n.network_policy.as_deref().map(|v| (n, v)))
        .collect();
    let Some(&(node, value)) = shown.first() else {
        return Ok(None);
    };
    if shown.iter().any(|(_, v)| v.trim() != value.trim()) {
        return Err("node reports give different NETWORK_POLICY values".into());
    }
    let engine = engine_of_network_policy(Some(value))
        .ok_or_else(|| format!("node {}: unknown NETWORK_POLICY {value:?}", node.name))?;
    Ok(Some(EngineFact {
        engine,
        basis: EngineBasis::Detected {
            observed: format!("NETWORK_POLICY=\"{value}\""),
            source: Source::origin(format!("node report {}", node.name)).with_key("NETWORK_POLICY"),
        },
    }))
}

/// For commands that print connectivity rather than a report: what the engine choice means for
/// the output, on standard error.
pub fn print_notes(fact: &EngineFact, inv: &Inventory, model: &kubeward_netpol::Model) {
    match &fact.basis {
        EngineBasis::Detected { .. } => {
            crate::eprintln_safe!(
                "note: policy engine {} ({})",
                fact.engine.as_str(),
                fact.basis.describe()
            );
        }
        EngineBasis::Unknown { why } => {
            crate::eprintln_safe!(
                "note: the policy engine is not known ({why}); analysed with the default engine, under which an ipBlock never matches a pod IP: ipBlock-to-pod verdicts depend on the engine (give --engine or --aks FILE)"
            );
        }
        EngineBasis::Given => {}
    }
    if fact.engine == Engine::None {
        crate::eprintln_safe!(
            "warning: no policy engine enforces NetworkPolicy: connectivity is analysed as all allowed"
        );
    }
    if fact.engine == Engine::Default {
        for f in
            kubeward_netpol::coverage::p210_engine_unsupported_policy_feature::ip_blocks_over_pods(
                inv,
                model,
                &fact.basis,
            )
            .into_iter()
            // the once-per-run INFO repeats the note above
            .filter(|f| f.status != kubeward_core::Status::Info)
        {
            crate::eprintln_safe!("note: {}: {}", f.resource.display(), f.message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_inventory::{LoadOptions, load_str};

    fn aks(network_policy: &str) -> kubeward_aks::Inventory {
        kubeward_aks::load(vec![kubeward_aks::InputFile {
            path: "cluster.json".into(),
            text: format!(
                r#"{{"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c", "type": "Microsoft.ContainerService/managedClusters", "name": "c", "properties": {{"networkProfile": {{"networkPlugin": "azure"{network_policy}}}}}}}"#
            ),
            forced_diagnostics: false,
        }])
    }

    fn node(v: Option<&str>) -> NodeFacts {
        NodeFacts {
            name: "aks-n1".into(),
            network_policy: v.map(str::to_string),
            ..Default::default()
        }
    }

    const CILIUM: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: cilium, namespace: kube-system}\nspec: {template: {spec: {containers: [{name: c, image: x}]}}}\n";

    // item 14: in `scan`, the AKS body first, then a node report's NETWORK_POLICY, then the
    // snapshot's DaemonSets; an empty NETWORK_POLICY means no engine
    #[test]
    fn item14_scan_engine_sources_in_order() {
        let snap = load_str("snap.yaml", CILIUM, &LoadOptions::default());
        let f = detect(
            Some(&aks(r#", "networkPolicy": "calico""#)),
            &[node(Some("azure"))],
            &snap,
        );
        assert_eq!(f.engine, Engine::Calico);
        assert!(
            f.basis.describe().contains("cluster.json"),
            "{}",
            f.basis.describe()
        );
        let f = detect(Some(&aks("")), &[], &snap);
        assert_eq!(f.engine, Engine::None, "absent networkPolicy: no engine");
        let f = detect(None, &[node(Some(""))], &snap);
        assert_eq!(f.engine, Engine::None);
        assert!(
            f.basis.describe().contains("NETWORK_POLICY=\"\""),
            "{}",
            f.basis.describe()
        );
        let f = detect(None, &[node(Some("azure"))], &snap);
        assert_eq!(f.engine, Engine::AzureNpm);
        // a node that does not show it leaves the DaemonSets to tell
        let f = detect(None, &[node(None)], &snap);
        assert_eq!(f.engine, Engine::Cilium);
        // disagreeing nodes: not known, and why
        let mut other = node(Some("calico"));
        other.name = "aks-n2".into();
        let f = detect(None, &[node(Some("azure")), other], &Inventory::default());
        assert!(f.basis.is_unknown());
        assert!(f.basis.describe().contains("different NETWORK_POLICY"));
        assert_eq!(f.engine, Engine::Default);
    }
}
