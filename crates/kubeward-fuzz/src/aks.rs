//! Azure JSON: `az aks show`, ARM templates, node pool lists, diagnostic settings and role
//! assignments, attached together, then every AKS check and the egress plan.

use kubeward_aks::egress::{self, FirewallTarget};
use kubeward_aks::{Ctx, InputFile};

use crate::report::check_report;

/// Several input files in one fuzz input: a NUL byte (never valid in JSON) separates them, and a
/// file opening with byte 1 is given as `--diagnostic-settings`.
fn files(data: &[u8]) -> Vec<InputFile> {
    data.split(|b| *b == 0)
        .take(8)
        .enumerate()
        .map(|(i, part)| {
            let (forced, part) = match part.strip_prefix(&[1]) {
                Some(rest) => (true, rest),
                None => (false, part),
            };
            InputFile {
                path: format!("in{i}.json"),
                text: String::from_utf8_lossy(part).into_owned(),
                forced_diagnostics: forced,
            }
        })
        .collect()
}

pub fn aks(data: &[u8]) {
    let files = files(data);
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let inv = kubeward_aks::load(files);

    // One bad file never hides another: each is read or reported.
    for p in &paths {
        assert!(
            inv.inputs.iter().any(|i| &i.path == p) || inv.errors.iter().any(|e| &e.path == p),
            "{p} is neither an input nor an input error"
        );
    }
    for e in &inv.errors {
        assert!(
            paths.contains(&e.path),
            "error for an unknown path {:?}",
            e.path
        );
    }

    let target = FirewallTarget {
        resource_group: "rg".into(),
        firewall: "fw".into(),
        source: "10.0.0.0/16".into(),
    };
    for c in &inv.clusters {
        let plan = egress::plan(c);
        let _ = egress::render_text(&plan);
        let _ = egress::render_firewall_cli(&plan, &target);
        let _ = egress::firewall_json(&plan, &target);
    }

    let ctx = Ctx {
        as_of: time::macros::date!(2026 - 06 - 01),
    };
    check_report(kubeward_aks::report_for(&inv, &ctx));
}
