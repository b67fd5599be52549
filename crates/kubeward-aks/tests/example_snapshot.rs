//! The JSON report of the example in `examples/aks/`, judged at a fixed date.

use kubeward_aks::{Ctx, InputFile, assess, versions};

fn example(name: &str) -> InputFile {
    let path = format!("{}/../../examples/aks/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("example file");
    // A path relative to the repository keeps the snapshot the same on every machine.
    InputFile {
        path: format!("examples/aks/{name}"),
        text,
        forced_diagnostics: false,
    }
}

#[test]
fn example_json_report() {
    let inputs = vec![
        example("aks-show.json"),
        example("nodepool-list.json"),
        example("diagnostic-settings.json"),
    ];
    let ctx = Ctx {
        as_of: versions::parse_date("2026-09-01").expect("date"),
    };
    let mut report = assess(inputs, &ctx).report;
    report.finish();
    assert!(report.input_errors.is_empty(), "{:?}", report.input_errors);
    insta::assert_json_snapshot!("example_report", report, { ".tool.version" => "[version]" });
}

#[test]
fn example_egress_plan() {
    let inv = kubeward_aks::load(vec![
        example("aks-show.json"),
        example("nodepool-list.json"),
    ]);
    let plan = kubeward_aks::egress::plan(&inv.clusters[0]);
    insta::assert_snapshot!(
        "example_egress_text",
        kubeward_aks::egress::render_text(&plan)
    );
    insta::assert_snapshot!(
        "example_egress_firewall_cli",
        kubeward_aks::egress::render_firewall_cli(&plan, &Default::default())
    );
}
