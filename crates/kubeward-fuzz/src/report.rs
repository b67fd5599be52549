//! Saved JSON reports, as `render`, `report merge` and `scan` read them back, and the report every
//! other harness produces: it must survive being written and read again.

use std::sync::OnceLock;

use kubeward_core::{Registry, Report};
use kubeward_report::{Format, RenderOptions};

/// The checks of the areas this crate depends on (the SARIF rules); codes of other areas are
/// findings the renderers meet without metadata, as with a report from a newer kubeward.
fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| {
        let mut r = Registry::new();
        r.register(&kubeward_node::checks());
        r.register(&kubeward_workloads::checks());
        r.register(&kubeward_audit::checks());
        r.register(&kubeward_aks::checks());
        r.register(&kubeward_profiles::checks());
        r.register(&kubeward_core::waiver::checks());
        r
    })
}

/// A report written as JSON reads back as the same report.
pub(crate) fn roundtrip(report: &Report) {
    let text = serde_json::to_string(report).expect("a report serialises");
    let back: Report = serde_json::from_str(&text).expect("a written report reads back");
    let again = serde_json::to_string(&back).expect("a report serialises");
    assert_eq!(text, again, "a report changed on its way through JSON");
}

/// Finish a report an area produced from fuzzed input, and round-trip it.
pub(crate) fn check_report(mut report: Report) {
    report.finish();
    roundtrip(&report);
}

/// A saved report: read as `render` reads it, then rendered in every format.
pub fn saved_report(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut report) = serde_json::from_str::<Report>(text) else {
        return;
    };
    roundtrip(&report);
    // As `render` does before writing: the summary is recomputed, never trusted from the file.
    report.finish();
    // The same report as a baseline, in both forms: compared with itself, nothing is new and
    // nothing is gone.
    for form in [
        serde_json::to_string(&report).ok(),
        kubeward_core::baseline::Baseline::to_compact(&report).ok(),
    ]
    .into_iter()
    .flatten()
    {
        if let Ok(base) = kubeward_core::baseline::Baseline::parse(&form, "self") {
            let mut again = report.clone();
            kubeward_core::baseline::apply(&mut again, &base);
            let b = again.baseline.as_ref().expect("compared");
            assert_eq!(b.new, 0, "a report is new against itself");
            assert!(b.gone.is_empty(), "a report lost findings against itself");
        }
    }
    let _ = kubeward_core::baseline::Baseline::parse(text, "fuzz");
    let options = RenderOptions {
        color: false,
        verbose: true,
        sarif_include_absent: true,
    };
    for format in Format::ALL {
        let out = kubeward_report::render(&report, format, registry(), &options)
            .unwrap_or_else(|e| panic!("{format:?} rendering failed: {e}"));
        match format {
            Format::Json => {
                let back: Report = serde_json::from_str(&out).expect("the JSON output reads back");
                roundtrip(&back);
            }
            Format::Sarif => {
                serde_json::from_str::<serde_json::Value>(&out).expect("SARIF output is JSON");
            }
            _ => {}
        }
    }
}
