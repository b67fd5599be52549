//! The area's pipelines as library functions: inputs to the text of `netpol list` / `netpol diff`,
//! and to the findings and facts of `netpol coverage`. The CLI, the conformance tests, the
//! benchmarks and the check examples all go through them.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use kubeward_core::Finding;
use kubeward_inventory::Inventory;

use crate::check::{self, Ctx};
use crate::connlist::{self, ConnList, Format};
use crate::engine::{Analysis, Engine, Options};
use crate::engine_fact::EngineFact;
use crate::error::NetpolError;
use crate::model::Model;

/// What `netpol list` should produce.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub paths: Vec<PathBuf>,
    pub format: String,
    pub exposure: bool,
    pub engine: Engine,
}

pub fn load(paths: &[PathBuf]) -> Inventory {
    crate::load::load(paths)
}

/// Render the connectivity list (and exposure analysis when asked) of an inventory.
pub fn list_text(
    inv: &Inventory,
    format: &str,
    exposure: bool,
    engine: Engine,
) -> Result<String, NetpolError> {
    let fmt =
        Format::parse(format).ok_or_else(|| NetpolError::UnknownListFormat(format.to_string()))?;
    let model = Model::build(inv);
    let analysis = Analysis::new(
        &model,
        Options {
            engine,
            ..Default::default()
        },
    );
    let list = connections(&analysis);
    let mut out = Vec::new();
    render_list(&analysis, &list, fmt, exposure, &mut out)?;
    Ok(String::from_utf8(out)?)
}

pub fn list_for_paths(req: &ListRequest) -> Result<String, NetpolError> {
    let inv = load(&req.paths);
    list_text(&inv, &req.format, req.exposure, req.engine)
}

pub fn diff_for_paths(
    old: &[PathBuf],
    new: &[PathBuf],
    format: &str,
) -> Result<String, NetpolError> {
    let a = load(old);
    let b = load(new);
    crate::diff::diff_text(&a, &b, format, Engine::Default)
}

/// Every allowed connection of an analysis (no workload left out).
pub fn connections(analysis: &Analysis) -> ConnList {
    connlist::compute(analysis, &BTreeSet::new(), &BTreeSet::new())
}

/// Write a connectivity list, or with `exposure` the exposure analysis built on it.
pub fn render_list(
    analysis: &Analysis,
    list: &ConnList,
    format: Format,
    exposure: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if exposure {
        crate::exposure_analysis::render(analysis, list, format, out)
    } else {
        connlist::render(list, format, out)
    }
}

/// The analysis of a model under an engine and how that engine was chosen.
pub fn analyse<'m>(model: &'m Model, fact: &EngineFact) -> Analysis<'m> {
    Analysis::new(
        model,
        Options {
            engine: fact.engine,
            basis: fact.basis.clone(),
            ..Default::default()
        },
    )
}

/// Every check's findings over an analysis, in the order of [`check::CHECKS`].
pub fn findings(inv: &Inventory, analysis: &Analysis) -> Vec<Finding> {
    check::run(&Ctx::new(inv, analysis), None)
}

/// What `netpol coverage` reports: the findings of every check, and the facts of the analysis.
pub struct Coverage {
    pub findings: Vec<Finding>,
    pub facts: serde_json::Value,
}

/// `netpol coverage` over loaded inputs, under the engine the caller resolved.
pub fn coverage(inv: &Inventory, fact: &EngineFact) -> Coverage {
    let model = Model::build(inv);
    let analysis = analyse(&model, fact);
    let findings = findings(inv, &analysis);
    let facts = serde_json::json!({
        "engine": fact.engine.as_str(),
        "engine_basis": fact.basis.describe(),
        "workloads": model.workloads.len(),
        "network_policies": model.netpols.len(),
        "admin_network_policies": model.admin.len(),
        "baseline_admin_network_policy": model.baseline.is_some(),
        "pod_classes": analysis.classes.len(),
    });
    Coverage { findings, facts }
}
