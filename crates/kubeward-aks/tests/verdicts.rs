//! Every check's verdict on fixtures written from the documented `az aks show` schema: a hardened
//! cluster, the result of a default `az aks create`, and an old cluster with several node pools.
//! The hardened cluster is also given in ARM spelling (`az resource show` and an ARM template
//! with parameters and a child agentPools resource) and must give the same verdicts.

use std::collections::BTreeMap;

use kubeward_aks::{Ctx, InputFile, assess, versions};
use kubeward_core::{Report, Status};

use Status::{Fail, Info, Manual, NotApplicable as Na, Pass, Warn};

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(files: &[&str], diagnostics: &[&str]) -> Report {
    let mut inputs = Vec::new();
    for f in files {
        inputs.push(InputFile::read(&fixture(f), false).expect("fixture"));
    }
    for f in diagnostics {
        inputs.push(InputFile::read(&fixture(f), true).expect("fixture"));
    }
    let ctx = Ctx {
        as_of: versions::parse_date("2026-09-01").expect("date"),
    };
    let mut r = assess(inputs, &ctx).report;
    r.finish();
    r
}

/// (code, resource name) → status, failing on duplicates.
fn verdicts(r: &Report) -> BTreeMap<(String, String), Status> {
    let mut m = BTreeMap::new();
    for f in &r.findings {
        let key = (f.code.to_string(), f.resource.name.clone());
        assert!(
            m.insert(key.clone(), f.status).is_none(),
            "two findings for {key:?}"
        );
    }
    m
}

fn expect(r: &Report, cluster: &str, table: &[(&str, &str, Status)]) {
    let got = verdicts(r);
    let mut want = BTreeMap::new();
    for (code, pool, status) in table {
        let name = if pool.is_empty() {
            cluster.to_string()
        } else {
            format!("{cluster}/{pool}")
        };
        want.insert((code.to_string(), name), *status);
    }
    let mut diffs = Vec::new();
    for (k, v) in &want {
        match got.get(k) {
            Some(g) if g == v => {}
            Some(g) => diffs.push(format!("{k:?}: want {v}, got {g}")),
            None => diffs.push(format!("{k:?}: want {v}, missing")),
        }
    }
    for k in got.keys().filter(|k| !want.contains_key(*k)) {
        diffs.push(format!("{k:?}: unexpected {}", got[k]));
    }
    assert!(
        diffs.is_empty(),
        "verdict differences:\n{}",
        diffs.join("\n")
    );
    // Every check ran on this cluster.
    for meta in kubeward_aks::checks() {
        assert!(
            got.keys().any(|(c, _)| c == meta.code),
            "{} did not report",
            meta.code
        );
    }
}

const HARDENED: &[(&str, &str, Status)] = &[
    ("Z100", "", Pass),
    ("Z101", "", Pass),
    ("Z102", "", Pass),
    ("Z103", "", Pass),
    ("Z104", "", Manual),
    ("Z105", "", Na),
    ("Z106", "", Pass),
    ("Z110", "", Pass),
    ("Z111", "", Info),
    ("Z120", "", Pass),
    ("Z121", "", Pass),
    ("Z122", "system", Pass),
    ("Z122", "apps", Pass),
    ("Z123", "", Pass),
    ("Z124", "", Manual),
    ("Z125", "", Pass),
    ("Z126", "", Pass),
    ("Z127", "", Na),
    ("Z130", "", Pass),
    ("Z131", "", Pass),
    ("Z132", "", Pass),
    ("Z133", "", Pass),
    ("Z134", "", Pass),
    ("Z135", "", Pass),
    ("Z136", "", Na),
    ("Z137", "", Pass),
    ("Z140", "system", Pass),
    ("Z140", "apps", Pass),
    ("Z141", "system", Pass),
    ("Z141", "apps", Pass),
    ("Z142", "system", Pass),
    ("Z142", "apps", Pass),
    ("Z143", "system", Pass),
    ("Z143", "apps", Pass),
    ("Z144", "system", Pass),
    ("Z144", "apps", Pass),
    ("Z150", "", Pass),
    ("Z151", "", Pass),
    ("Z152", "", Pass),
    ("Z152", "system", Pass),
    ("Z152", "apps", Pass),
    ("Z153", "system", Na),
    ("Z153", "apps", Na),
    ("Z160", "", Pass),
    ("Z161", "", Pass),
    ("Z162", "", Pass),
    ("Z163", "", Pass),
    ("Z164", "", Pass),
    ("Z165", "", Pass),
    ("Z166", "", Pass),
    ("Z170", "", Pass),
    ("Z171", "", Pass),
];

#[test]
fn hardened_cluster() {
    let r = run(
        &[
            "hardened.json",
            "hardened-diagnostics.json",
            "hardened-roles.json",
        ],
        &[],
    );
    assert!(r.input_errors.is_empty(), "{:?}", r.input_errors);
    expect(&r, "aks-hardened", HARDENED);
}

#[test]
fn hardened_cluster_in_arm_spelling_gives_identical_results() {
    let cli = run(
        &[
            "hardened.json",
            "hardened-diagnostics.json",
            "hardened-roles.json",
        ],
        &[],
    );
    for arm in ["hardened-resource.json", "hardened-template.json"] {
        // A template's cluster has no resource id yet, so a separate settings list cannot be
        // attached to it: the template declares its own diagnostic setting.
        let diagnostics: &[&str] = if arm.ends_with("template.json") {
            &[]
        } else {
            &["hardened-diagnostics.json"]
        };
        let files: Vec<&str> = std::iter::once(arm)
            .chain(diagnostics.iter().copied())
            .chain(["hardened-roles.json"])
            .collect();
        let r = run(&files, &[]);
        assert!(r.input_errors.is_empty(), "{arm}: {:?}", r.input_errors);
        expect(&r, "aks-hardened", HARDENED);
        if arm.ends_with("template.json") {
            // A template holds the requested version (1.35), not the running patch: messages differ there.
            continue;
        }
        // Same verdicts and same messages; only the evidence paths differ.
        let msgs = |r: &Report| -> Vec<(String, String, String)> {
            r.findings
                .iter()
                .map(|f| {
                    (
                        f.code.to_string(),
                        f.resource.name.clone(),
                        f.message.to_string(),
                    )
                })
                .collect()
        };
        assert_eq!(msgs(&cli), msgs(&r), "{arm}");
    }
    // Evidence points into the ARM document's own spelling.
    let r = run(&["hardened-resource.json"], &[]);
    let f = r.findings.iter().find(|f| f.code == "Z120").expect("Z120");
    let key = f.evidence[0].source.key.clone().unwrap_or_default();
    assert_eq!(
        key,
        "properties.apiServerAccessProfile.enablePrivateCluster"
    );
    assert!(f.evidence[0].source.line.is_some());
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "Z122" && f.resource.name.ends_with("/apps"))
        .expect("Z122");
    assert_eq!(
        f.evidence[0].source.key.as_deref(),
        Some("properties.agentPoolProfiles[1].enableNodePublicIP")
    );
}

#[test]
fn default_az_aks_create() {
    let r = run(&["default-create.json"], &["default-diagnostics.json"]);
    assert!(r.input_errors.is_empty(), "{:?}", r.input_errors);
    expect(
        &r,
        "aks-default",
        &[
            ("Z100", "", Fail),
            ("Z101", "", Fail),
            ("Z102", "", Manual),
            ("Z103", "", Manual),
            ("Z104", "", Manual),
            ("Z105", "", Na),
            ("Z106", "", Na),
            ("Z110", "", Fail),
            ("Z111", "", Info),
            ("Z120", "", Fail),
            ("Z121", "", Fail),
            ("Z122", "nodepool1", Pass),
            ("Z123", "", Fail),
            ("Z124", "", Manual),
            ("Z125", "", Pass),
            ("Z126", "", Na),
            ("Z127", "", Na),
            ("Z130", "", Fail),
            ("Z131", "", Fail),
            ("Z132", "", Fail),
            ("Z133", "", Pass),
            ("Z134", "", Pass),
            ("Z135", "", Fail),
            ("Z136", "", Na),
            ("Z137", "", Na),
            ("Z140", "nodepool1", Fail),
            ("Z141", "nodepool1", Fail),
            ("Z142", "nodepool1", Info),
            ("Z143", "nodepool1", Warn),
            ("Z144", "nodepool1", Fail),
            ("Z150", "", Fail),
            ("Z151", "", Pass),
            ("Z152", "", Fail),
            ("Z152", "nodepool1", Fail),
            ("Z153", "nodepool1", Pass),
            ("Z160", "", Fail),
            ("Z161", "", Fail),
            ("Z162", "", Fail),
            ("Z163", "", Fail),
            ("Z164", "", Na),
            ("Z165", "", Pass),
            ("Z166", "", Pass),
            ("Z170", "", Warn),
            ("Z171", "", Warn),
        ],
    );
}

#[test]
fn old_cluster_with_several_node_pools() {
    let r = run(
        &[
            "old-cluster.json",
            "old-nodepools.json",
            "old-diagnostics.json",
        ],
        &[],
    );
    assert!(r.input_errors.is_empty(), "{:?}", r.input_errors);
    expect(
        &r,
        "aks-legacy",
        &[
            // CIS AKS 2.1.1 is met by kube-audit-admin; the reads it leaves out are Z106's WARN.
            ("Z100", "", Pass),
            ("Z101", "", Fail),
            ("Z102", "", Manual),
            ("Z103", "", Manual),
            ("Z104", "", Manual),
            ("Z105", "", Na),
            ("Z106", "", Warn),
            ("Z110", "", Fail),
            ("Z111", "", Info),
            ("Z120", "", Fail),
            ("Z121", "", Fail),
            ("Z122", "system", Pass),
            ("Z122", "public", Fail),
            ("Z122", "win22", Pass),
            ("Z122", "gpu", Pass),
            ("Z123", "", Pass),
            ("Z124", "", Manual),
            ("Z125", "", Fail),
            ("Z126", "", Na),
            ("Z127", "", Pass),
            ("Z130", "", Fail),
            ("Z131", "", Fail),
            ("Z132", "", Fail),
            ("Z133", "", Pass),
            ("Z134", "", Fail),
            ("Z135", "", Fail),
            ("Z136", "", Fail),
            ("Z137", "", Na),
            ("Z140", "system", Fail),
            ("Z140", "public", Fail),
            ("Z140", "win22", Pass),
            ("Z140", "gpu", Fail),
            ("Z141", "system", Fail),
            ("Z141", "public", Fail),
            ("Z141", "win22", Pass),
            ("Z141", "gpu", Manual),
            ("Z142", "system", Info),
            ("Z142", "public", Info),
            ("Z142", "win22", Info),
            ("Z142", "gpu", Info),
            ("Z143", "system", Warn),
            ("Z143", "public", Warn),
            ("Z143", "win22", Na),
            ("Z143", "gpu", Pass),
            ("Z144", "system", Fail),
            ("Z144", "public", Fail),
            ("Z144", "win22", Na),
            ("Z144", "gpu", Fail),
            ("Z150", "", Fail),
            ("Z151", "", Warn),
            ("Z152", "", Fail),
            ("Z152", "system", Fail),
            ("Z152", "public", Fail),
            ("Z152", "win22", Fail),
            ("Z152", "gpu", Fail),
            ("Z153", "system", Fail),
            ("Z153", "public", Fail),
            ("Z153", "win22", Manual),
            ("Z153", "gpu", Pass),
            ("Z160", "", Pass),
            ("Z161", "", Fail),
            ("Z162", "", Fail),
            ("Z163", "", Fail),
            ("Z164", "", Fail),
            ("Z165", "", Fail),
            ("Z166", "", Fail),
            ("Z170", "", Warn),
            ("Z171", "", Warn),
        ],
    );
    // The node pool list replaced the cluster's copy of `public` (it alone says sshAccess LocalUser).
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "Z143" && f.resource.name.ends_with("/public"))
        .expect("finding");
    assert_eq!(
        f.evidence[0]
            .source
            .file
            .as_deref()
            .map(|p| p.ends_with("old-nodepools.json")),
        Some(true)
    );
}

#[test]
fn absent_fields_say_which_default_applies() {
    let r = run(&["old-cluster.json"], &[]);
    let f = r.findings.iter().find(|f| f.code == "Z132").expect("Z132");
    assert!(
        f.message.contains("not set; AKS default: false"),
        "{}",
        f.message
    );
    assert!(
        f.evidence[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("local accounts are enabled"))
    );
    assert_eq!(f.evidence[0].observed.as_deref(), Some("absent"));
    assert_eq!(
        f.evidence[0].source.key.as_deref(),
        Some("disableLocalAccounts")
    );
}

#[test]
fn a_file_that_is_not_a_cluster_is_a_clear_error_and_others_still_run() {
    let dir = std::env::temp_dir().join(format!("kubeward-aks-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let pod = dir.join("deployment.json");
    std::fs::write(
        &pod,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}"#,
    )
    .expect("write");
    let inputs = vec![
        InputFile::read(&pod.display().to_string(), false).expect("read"),
        InputFile::read(&fixture("hardened.json"), false).expect("read"),
    ];
    let ctx = Ctx {
        as_of: versions::parse_date("2026-09-01").expect("date"),
    };
    let r = assess(inputs, &ctx).report;
    assert_eq!(r.input_errors.len(), 1);
    assert!(
        r.input_errors[0].message.contains("not an AKS cluster"),
        "{}",
        r.input_errors[0].message
    );
    assert!(r.input_errors[0].message.contains("Deployment"));
    assert!(r.findings.iter().any(|f| f.resource.name == "aks-hardened"));
    let _ = std::fs::remove_dir_all(&dir);
}
