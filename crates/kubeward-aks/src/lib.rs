//! AKS cluster configuration checks and egress requirements from Azure JSON.
//!
//! Inputs (`az aks show`, `az resource show`, ARM templates, `az aks nodepool list`,
//! `az monitor diagnostic-settings list`, `az role assignment list`) are recognised by content and
//! read once into [`model::Cluster`]s; the checks in [`checks`] judge every cluster and every node
//! pool; [`egress`] derives what a firewall must allow for a cluster.

use kubeward_core::{CheckMeta, Report};

pub mod checks;
pub mod egress;
pub mod jsonpos;
pub mod load;
pub mod model;
pub mod recognize;
pub mod versions;

pub use checks::Ctx;
pub use load::{InputFile, Inventory, LoadError, load};

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    checks::ALL.iter().map(|c| c.meta).collect()
}

/// Reads the inputs, runs every check on every cluster and returns the report (not yet finished).
pub fn assess(files: Vec<InputFile>, ctx: &Ctx) -> Report {
    let inv = load(files);
    report_for(&inv, ctx)
}

pub fn report_for(inv: &Inventory, ctx: &Ctx) -> Report {
    let mut report = Report::new("aks check");
    if let Some(p) = kubeward_core::profile::find(kubeward_core::profile::CIS_AKS_1_8) {
        report.profile = Some(kubeward_core::ProfileChoice::new(
            p,
            "AKS cluster configuration: CIS AKS 1.8.0 sections 2.1 and 5, plus Azure Policy and Checkov AKS checks",
        ));
    }
    report.inputs.extend(inv.inputs.iter().cloned());
    report.input_errors.extend(inv.errors.iter().cloned());
    report.extend(checks::run(&inv.clusters, ctx));
    let clusters: Vec<serde_json::Value> = inv
        .clusters
        .iter()
        .map(|c| {
            serde_json::json!({
                "name": c.name,
                "source": c.file.path,
                "format": c.file.format.as_str(),
                "kubernetesVersion": c.get("currentKubernetesVersion").str().or(c.get("kubernetesVersion").str()),
                "location": c.location(),
                "nodePools": c.pools.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
                "diagnosticSettings": c.diagnostics.as_ref().map(|d| d.settings.len()),
                "roleAssignmentsGiven": c.role_assignments.is_some(),
            })
        })
        .collect();
    report.facts.insert(
        "aks".into(),
        serde_json::json!({
            "clusters": clusters,
            "versionTableAsOf": versions::TABLE_AS_OF,
            "judgedAsOf": ctx.as_of.to_string(),
        }),
    );
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_invariants_hold() {
        let r = kubeward_core::Registry::new().with(&checks());
        assert_eq!(r.validate(), Ok(()));
        for c in checks() {
            assert!(c.code.starts_with('Z'));
            assert!(
                !c.doc.what.is_empty() && !c.doc.why.is_empty() && !c.doc.fix.is_empty(),
                "{}",
                c.code
            );
            assert!(!c.doc.fix.contains("kubelet unit"), "{}", c.code);
        }
    }
}
