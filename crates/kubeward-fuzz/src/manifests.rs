//! Manifests: YAML streams and JSON (objects, Lists, snapshots), then every workload check.

use kubeward_core::Report;
use kubeward_inventory::{Inventory, LoadOptions, PodTemplate, load_bytes};

use crate::line_count;
use crate::report::check_report;

const NAME: &str = "fuzz.yaml";

/// Limits well below the defaults keep each run fast; the code paths are the same.
fn options() -> LoadOptions {
    LoadOptions {
        max_document_bytes: 1 << 20,
        max_yaml_nodes: 100_000,
        max_yaml_aliases: 1_000,
        ..LoadOptions::default()
    }
}

pub fn manifests(data: &[u8]) {
    let opts = options();
    let inv = load_bytes(NAME, data, &opts);
    check_inventory(&inv, data);

    // Documents decode in parallel on big streams: the result must not depend on it.
    let again = load_bytes(NAME, data, &opts);
    assert_eq!(
        inv.objects.len(),
        again.objects.len(),
        "object count differs"
    );
    assert_eq!(
        inv.errors, again.errors,
        "input errors differ between two loads"
    );

    for obj in &inv.objects {
        if let Some(t) = PodTemplate::of(obj) {
            for c in t.containers() {
                let _ = c.pointer("securityContext");
            }
        }
    }
    let mut report = Report::new("workloads");
    report.inputs.extend(inv.inputs.iter().cloned());
    report.input_errors.extend(inv.errors.iter().cloned());
    report.extend(kubeward_workloads::scan(
        &inv,
        &kubeward_workloads::ScanOptions::default(),
    ));
    report.extend(kubeward_workloads::pss_findings(
        &inv,
        &kubeward_workloads::ScanOptions::default(),
    ));
    check_report(report);
}

/// The input is listed, and every object and error points into it.
fn check_inventory(inv: &Inventory, data: &[u8]) {
    let lines = line_count(data);
    assert!(
        inv.inputs.iter().any(|i| i.path == NAME),
        "the input is not listed among the inputs"
    );
    for o in &inv.objects {
        assert_eq!(&*o.origin.file, NAME);
        if let Some(l) = o.origin.line {
            assert!(
                (1..=lines).contains(&u64::from(l)),
                "object line {l} outside 1..={lines}"
            );
        }
    }
    for e in &inv.errors {
        assert_eq!(e.path, NAME);
        if let Some(l) = e.line {
            assert!(
                (1..=lines).contains(&u64::from(l)),
                "error line {l} outside 1..={lines}: {}",
                e.message
            );
        }
    }
}
