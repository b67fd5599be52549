use std::fmt::Write;

use kubeward_core::{Registry, Report, Status};

use crate::RenderOptions;

/// Plain text for a person (a placeholder until the full renderer lands).
pub fn render(report: &Report, _registry: &Registry, options: &RenderOptions) -> String {
    let mut out = String::new();
    for f in &report.findings {
        if !options.verbose && matches!(f.status, Status::Pass | Status::NotApplicable) {
            continue;
        }
        let _ = writeln!(
            out,
            "[{}] {} {} {} — {}",
            f.status,
            f.code,
            f.name,
            f.resource.display(),
            f.message
        );
    }
    for e in &report.input_errors {
        let _ = writeln!(out, "input error: {}: {}", e.path, e.message);
    }
    out
}
