//! The bundled example (an AKS storage blob with three attack traces among normal traffic): what
//! a person should find in it, and a snapshot of the whole report.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use kubeward_audit::report::build_report;
use kubeward_audit::scan::{ScanOptions, merge, scan_reader};
use kubeward_core::Status;

fn example_report() -> kubeward_core::Report {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/audit/PT1H.json");
    let f = std::fs::File::open(path).unwrap();
    let opts = ScanOptions::default();
    let scan = scan_reader("examples/audit/PT1H.json", f, &opts);
    let mut report = build_report(&merge(vec![scan], &opts), &opts);
    report.finish();
    report
}

#[test]
fn the_attack_traces_are_found_and_normal_traffic_is_quiet() {
    let r = example_report();
    let failing = |code: &str, user: &str| {
        r.findings
            .iter()
            .any(|f| f.code == code && f.resource.name == user && f.status == Status::Fail)
    };
    let admin = "masterclient";
    let cart = "system:serviceaccount:shop:cart";
    for code in [
        "A005", "A006", "A007", "A009", "A011", "A018", "A021", "A023", "A024", "A025", "A028",
        "A034", "A038",
    ] {
        assert!(failing(code, admin), "{code} for the local admin");
    }
    assert!(failing("A002", cart), "IMDS token theft through exec");
    assert!(failing("A016", cart), "secret list by the stolen token");
    assert!(
        failing("A017", "system:anonymous"),
        "anonymous namespace list allowed"
    );
    assert!(
        failing("A015", "system:anonymous"),
        "anonymous secret read attempt"
    );
    // The platform's own secret reads and the CI deployments are not findings.
    assert!(
        !r.findings
            .iter()
            .any(|f| f.resource.name.contains("csi-secrets-store")
                || f.resource.name.contains("ci:deployer"))
    );
    // Alice's debugging session is reported for review, not as an attack.
    let alice = r
        .findings
        .iter()
        .find(|f| f.code == "A001" && f.resource.name == "alice@contoso.com")
        .unwrap();
    assert_eq!(alice.status, Status::Warn);
    assert!(r.input_errors.is_empty());
    let facts = &r.facts["audit"];
    assert_eq!(facts["events"], 359);
    assert_eq!(facts["non_audit_records_skipped"], 1);
}

#[test]
fn report_snapshot() {
    insta::assert_json_snapshot!("example_report", example_report());
}
