//! Entry points that turn inputs into the text of `netpol list` / `netpol diff`, shared by the
//! CLI and the conformance tests.

use std::collections::BTreeSet;
use std::path::PathBuf;

use kubeward_inventory::Inventory;

use crate::connlist::{self, Format};
use crate::engine::{Analysis, Engine, Options};
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
) -> Result<String, String> {
    let fmt = Format::parse(format)
        .ok_or_else(|| format!("unknown output format {format:?} (txt, json, csv, md, dot)"))?;
    let model = Model::build(inv);
    let analysis = Analysis::new(
        &model,
        Options {
            engine,
            ..Default::default()
        },
    );
    let list = connlist::compute(&analysis, &BTreeSet::new(), &BTreeSet::new());
    let mut out = Vec::new();
    if exposure {
        crate::exposure_analysis::render(&analysis, &list, fmt, &mut out)
            .map_err(|e| e.to_string())?;
    } else {
        connlist::render(&list, fmt, &mut out).map_err(|e| e.to_string())?;
    }
    String::from_utf8(out).map_err(|e| e.to_string())
}

pub fn list_for_paths(req: &ListRequest) -> Result<String, String> {
    let inv = load(&req.paths);
    list_text(&inv, &req.format, req.exposure, req.engine)
}

pub fn diff_for_paths(old: &[PathBuf], new: &[PathBuf], format: &str) -> Result<String, String> {
    let a = load(old);
    let b = load(new);
    crate::diff::diff_text(&a, &b, format, Engine::Default)
}
