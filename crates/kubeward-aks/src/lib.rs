//! AKS cluster configuration checks and egress requirements from Azure JSON.
//!
//! Inputs (`az aks show`, `az resource show`, ARM templates, `az aks nodepool list`,
//! `az monitor diagnostic-settings list`, `az role assignment list`) are recognised by content and
//! read once into [`model::Cluster`]s; the checks in [`checks`] judge every cluster and every node
//! pool; [`egress`] derives what a firewall must allow for a cluster.

use std::path::PathBuf;

use kubeward_core::{CheckMeta, Report};

pub mod checks;
pub mod egress;
pub mod jsonpos;
pub mod load;
pub mod model;
pub mod recognize;
pub mod versions;

#[cfg(test)]
mod shape_tests;

pub use checks::Ctx;
pub use load::{InputFile, Inventory, LoadError, load};

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    checks::CHECKS.iter().map(|c| c.meta).collect()
}

/// The inputs of one run: the files read, and those that could not be read (reported as input
/// errors, after the errors found while loading the others).
#[derive(Default)]
pub struct Inputs {
    pub files: Vec<InputFile>,
    pub errors: Vec<kubeward_core::InputError>,
}

impl Inputs {
    /// Reads `files` (recognised by content) and then `diagnostics` (given as
    /// `--diagnostic-settings`, where an empty list means "no setting").
    pub fn read(files: &[PathBuf], diagnostics: &[PathBuf]) -> Self {
        let mut inputs = Inputs::default();
        let all = files
            .iter()
            .map(|f| (f, false))
            .chain(diagnostics.iter().map(|f| (f, true)));
        for (path, forced) in all {
            match InputFile::read(&path.display().to_string(), forced) {
                Ok(f) => inputs.files.push(f),
                Err(e) => inputs.errors.push(e.to_input_error()),
            }
        }
        inputs
    }
}

impl From<Vec<InputFile>> for Inputs {
    fn from(files: Vec<InputFile>) -> Self {
        Inputs {
            files,
            errors: Vec::new(),
        }
    }
}

/// What `kubeward aks check` reports, and whether there was any cluster to judge.
pub struct Assessment {
    /// The report, not yet finished.
    pub report: Report,
    /// How many clusters the inputs held (none is a usage error for the CLI).
    pub clusters: usize,
}

/// The AKS pipeline: loads the inputs into clusters, runs every check on every cluster and
/// returns the report (not yet finished).
pub fn assess(inputs: impl Into<Inputs>, ctx: &Ctx) -> Assessment {
    let Inputs { files, errors } = inputs.into();
    let inv = load(files);
    let mut report = report_for(&inv, ctx);
    report.input_errors.extend(errors);
    Assessment {
        report,
        clusters: inv.clusters.len(),
    }
}

/// The report of an inventory already loaded (for runs that read AKS inputs among others).
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
