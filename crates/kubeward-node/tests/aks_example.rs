//! `examples/aks-node`: every cis-aks-1.8 check's verdict and evidence source, the profile choice,
//! kubeward's own checks, and a JSON snapshot of the whole report.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use kubeward_core::{Finding, Severity, Source, Status};
use kubeward_node::NodeFacts;

const CMDLINE: &str = "/proc/2371/cmdline";
const CONFIG: &str = "/etc/default/kubeletconfig.json";

fn cis_id(f: &Finding) -> String {
    let cis: Vec<_> = f
        .references
        .iter()
        .filter(|r| r.framework.starts_with("CIS"))
        .collect();
    assert_eq!(cis.len(), 1, "{}: {:?}", f.code, f.references);
    assert_eq!(cis[0].framework, "CIS AKS");
    assert_eq!(cis[0].version.as_deref(), Some("1.8.0"));
    cis[0].id.to_string()
}

fn flag_src(flag: &str) -> Source {
    Source::flag(flag, CMDLINE)
}

fn config_src(key: &str, line: u32) -> Source {
    let mut s = Source::file(CONFIG).with_key(key).with_line(line);
    s.origin = Some("kubelet --config".into());
    s
}

/// The file writes a zero the kubelet's defaulting replaces (`streamingConnectionIdleTimeout: 0s`).
fn zero_src(key: &str, line: u32, written: &str) -> Source {
    let mut s = Source::file(CONFIG).with_key(key).with_line(line);
    s.origin = Some(format!(
        "kubelet --config writes {written}, which the kubelet's defaulting treats as unset: its default applies"
    ));
    s
}

fn default_src(key: &str) -> Source {
    let mut s = Source::origin("kubelet default (KubeletConfiguration v1beta1, --config in use)");
    s.key = Some(key.to_string().into());
    s
}

fn stat_src(path: &str) -> Source {
    let mut s = Source::file(path);
    s.origin = Some("stat".into());
    s
}

/// (code, CIS id, status, evidence sources in order, observed values in order)
type Row = (
    &'static str,
    &'static str,
    Status,
    Vec<Source>,
    Vec<&'static str>,
);

#[test]
fn every_cis_aks_1_8_check_has_the_right_verdict_and_evidence() {
    let node = aks_node();
    let r = node.scan();
    let p = r.profile.as_ref().unwrap();
    assert_eq!(p.id, "cis-aks-1.8");
    assert!(
        p.reason
            .contains("Kubernetes 1.33.2 (from KUBELET_IMAGE in /etc/default/kubelet)"),
        "{}",
        p.reason
    );
    assert!(p.reason.contains("azure.json"), "{}", p.reason);

    let azure = Source::origin("AKS cloud-provider configuration location");
    let rows: Vec<Row> = vec![
        (
            "N101",
            "3.1.1",
            Status::Pass,
            vec![
                flag_src("--kubeconfig"),
                stat_src("/var/lib/kubelet/kubeconfig"),
            ],
            vec!["/var/lib/kubelet/kubeconfig", "0644"],
        ),
        (
            "N102",
            "3.1.2",
            Status::Pass,
            vec![
                flag_src("--kubeconfig"),
                stat_src("/var/lib/kubelet/kubeconfig"),
            ],
            vec!["/var/lib/kubelet/kubeconfig", "root:root"],
        ),
        (
            "N103",
            "3.1.3",
            Status::Pass,
            vec![azure.clone(), stat_src("/etc/kubernetes/azure.json")],
            vec!["/etc/kubernetes/azure.json", "0644"],
        ),
        (
            "N104",
            "3.1.4",
            Status::Pass,
            vec![azure, stat_src("/etc/kubernetes/azure.json")],
            vec!["/etc/kubernetes/azure.json", "root:root"],
        ),
        (
            "N120",
            "3.2.1",
            Status::Pass,
            vec![config_src("authentication.anonymous.enabled", 24)],
            vec!["false"],
        ),
        (
            "N121",
            "3.2.2",
            Status::Pass,
            vec![config_src("authorization.mode", 28)],
            vec!["Webhook"],
        ),
        (
            "N122",
            "3.2.3",
            Status::Pass,
            vec![config_src("authentication.x509.clientCAFile", 18)],
            vec!["/etc/kubernetes/certs/ca.crt"],
        ),
        (
            "N123",
            "3.2.4",
            Status::Pass,
            vec![default_src("readOnlyPort")],
            vec!["0"],
        ),
        (
            "N124",
            "3.2.5",
            Status::Pass,
            vec![zero_src("streamingConnectionIdleTimeout", 35, "0s")],
            vec!["4h0m0s"],
        ),
        (
            "N126",
            "3.2.6",
            Status::Pass,
            vec![default_src("makeIPTablesUtilChains")],
            vec!["true"],
        ),
        (
            "N128",
            "3.2.7",
            Status::Pass,
            vec![default_src("eventRecordQPS")],
            vec!["50"],
        ),
        (
            "N130",
            "3.2.8",
            Status::Pass,
            vec![flag_src("--rotate-certificates")],
            vec!["true"],
        ),
        (
            "N131",
            "3.2.9",
            Status::Pass,
            vec![
                default_src("featureGates.RotateKubeletServerCertificate"),
                config_src("serverTLSBootstrap", 15),
            ],
            vec!["true", "true"],
        ),
    ];
    let cis_findings: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.references.iter().any(|x| x.framework == "CIS AKS"))
        .collect();
    assert_eq!(
        cis_findings.len(),
        rows.len(),
        "cis-aks-1.8 has 13 node checks (3.1.1–3.2.9)"
    );
    for (code, id, want, sources, observed) in rows {
        let f = finding(&r, code);
        assert_eq!(cis_id(f), id, "{code}");
        if (code == "N102" || code == "N104") && !node.as_root {
            eprintln!("skipping the owner verdict of {code}: needs root to chown the fixture");
            continue;
        }
        assert_eq!(f.status, want, "{code}: {}", f.message);
        let got: Vec<&Source> = f.evidence.iter().map(|e| &e.source).collect();
        assert_eq!(
            got,
            sources.iter().collect::<Vec<_>>(),
            "{code} evidence sources"
        );
        let got_obs: Vec<&str> = f
            .evidence
            .iter()
            .map(|e| e.observed.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(got_obs, observed, "{code} observed values");
        assert!(
            !f.remediation.contains("$azurejson") && !f.remediation.contains("kubelet unit"),
            "{code}"
        );
    }
    // Absent settings say that the default applied.
    let ro = finding(&r, "N123");
    assert!(
        ro.evidence[0]
            .note
            .as_deref()
            .unwrap_or("")
            .contains("kubelet default applies")
    );
}

#[test]
fn kubeward_own_checks_on_the_example() {
    let node = aks_node();
    let r = node.scan();
    let want = [
        ("N150", Status::Fail),
        ("N151", Status::Fail),
        ("N152", Status::Fail),
        ("N160", Status::Pass),
        ("N161", Status::Info),
        ("N162", Status::Pass),
        ("N163", Status::Fail),
        ("N164", Status::Warn),
    ];
    for (code, st) in want {
        let f = finding(&r, code);
        assert!(f.kubeward_own, "{code}");
        assert_eq!(f.status, st, "{code}: {}", f.message);
        assert!(
            f.references.iter().all(|x| !x.framework.starts_with("CIS")),
            "{code} carries no CIS ref under an AKS profile"
        );
    }
    // azure.json with a client secret: high severity; the secret itself is never printed.
    let az = finding(&r, "N151");
    assert_eq!(az.severity, Severity::High);
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("FAKE-not-a-real-secret"));
    assert!(
        !json.contains("abcdef.0123456789abcdef"),
        "the bootstrap token must not leak into the report"
    );
    let aa = finding(&r, "N160");
    assert_eq!(
        aa.evidence[1].observed.as_deref(),
        Some("11 enforce, 2 complain, 14 loaded")
    );
    let lp = finding(&r, "N164");
    assert_eq!(
        lp.evidence[1].observed.as_deref(),
        Some("profiles/broken.json")
    );
    // No other finding than the 13 CIS checks and the 8 own ones.
    assert_eq!(r.findings.len(), 21);
}

#[test]
fn node_facts_contract() {
    let r = aks_node().scan();
    let v = serde_json::to_value(&r).unwrap();
    let facts = NodeFacts::from_report_json(&v).unwrap();
    assert_eq!(facts.name, "aks-nodepool1-12345678-vmss000000");
    assert!(facts.aks && facts.kubelet_found);
    assert_eq!(facts.kubernetes_version.as_deref(), Some("1.33.2"));
    assert_eq!(facts.seccomp_default, Some(false));
    assert_eq!(facts.lsm.apparmor.enabled, Some(true));
    assert_eq!(facts.lsm.apparmor.profiles.len(), 14);
    assert_eq!(facts.lsm.selinux.mode.as_deref(), Some("disabled"));
    assert_eq!(facts.lsm.seccomp.supported, Some(true));
    assert_eq!(facts.lsm.seccomp.profile_root, "/var/lib/kubelet/seccomp");
    assert_eq!(
        facts.lsm.seccomp.localhost_profiles,
        vec![
            "prevent-chmod",
            "profiles/audit.json",
            "profiles/broken.json"
        ]
    );
    let kubelet = &v["facts"]["kubelet"];
    assert_eq!(
        kubelet["settings"]["readOnlyPort"]["origin"],
        "kubelet default"
    );
    assert_eq!(
        kubelet["settings"]["authorization.mode"]["origin"],
        "/etc/default/kubeletconfig.json:28"
    );
}

#[test]
fn older_aks_profiles_carry_their_own_cis_numbers() {
    let node = aks_node();
    let r = node.scan_with("cis-aks-1.0");
    assert!(
        r.profile
            .as_ref()
            .unwrap()
            .reason
            .starts_with("--benchmark cis-aks-1.0")
    );
    let ids = |code: &str| -> Vec<String> {
        finding(&r, code)
            .references
            .iter()
            .map(|x| format!("{} {}", x.version.clone().unwrap_or_default(), x.id))
            .collect()
    };
    assert_eq!(ids("N128"), vec!["1.0.0 3.2.9"]);
    assert_eq!(ids("N131"), vec!["1.0.0 3.2.11"]);
    assert_eq!(ids("N105"), vec!["1.0.0 3.1.3"]);
    assert_eq!(
        status(&r, "N125"),
        Status::Pass,
        "protectKernelDefaults true in the config"
    );
    assert_eq!(status(&r, "N127"), Status::Pass, "no --hostname-override");
    assert!(
        r.findings.iter().all(|f| f.code != "N103"),
        "azure.json perms are not in CIS AKS 1.0"
    );
    let r17 = node.scan_with("cis-aks-1.7");
    assert_eq!(
        finding(&r17, "N121").references[0].version.as_deref(),
        Some("1.7.0")
    );
}

#[test]
fn json_report_snapshot() {
    let r = aks_node().scan();
    insta::assert_json_snapshot!("aks_node_report", r, { ".inputs[].path" => "[node root]" });
}

#[test]
fn profile_choice_without_a_version_and_by_labels_only() {
    let node = aks_node();
    let defaults = std::fs::read_to_string(node.path("/etc/default/kubelet")).unwrap();
    let no_image: String = defaults
        .lines()
        .filter(|l| !l.starts_with("KUBELET_IMAGE="))
        .map(|l| format!("{l}\n"))
        .collect();
    node.write("/etc/default/kubelet", no_image.as_bytes());
    let r = node.scan();
    let p = r.profile.as_ref().unwrap();
    assert_eq!(p.id, "cis-aks-1.8");
    assert!(
        p.reason
            .contains("version not found locally: the newest AKS profile is used"),
        "{}",
        p.reason
    );
    // Labels alone identify AKS (no azure.json); an old version picks the matching benchmark.
    std::fs::remove_file(node.path("/etc/kubernetes/azure.json")).unwrap();
    node.write(
        "/etc/default/kubelet",
        format!("{no_image}KUBELET_IMAGE=mcr.microsoft.com/oss/kubernetes/kubelet:v1.30.4\n")
            .as_bytes(),
    );
    let r = node.scan();
    let p = r.profile.as_ref().unwrap();
    assert_eq!(p.id, "cis-aks-1.7");
    assert!(p.reason.contains("node labels"), "{}", p.reason);
    assert_eq!(
        status(&r, "N103"),
        Status::NotApplicable,
        "azure.json absent: nothing to check"
    );
}

#[test]
fn a_zero_streaming_timeout_counts_only_where_the_kubelet_keeps_it() {
    // The example's config file writes 0s; the kubelet's defaulting runs it as 4h0m0s (PASS above).
    // The same zero on the command line is applied after defaulting and disables the timeout.
    let node = aks_node();
    let raw = std::fs::read(node.path(CMDLINE)).unwrap();
    let mut argv: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    argv.push("--streaming-connection-idle-timeout=0".into());
    let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
    node.set_kubelet_argv(AKS_KUBELET_PID, &refs);
    let r = node.scan();
    let f = finding(&r, "N124");
    assert_eq!(f.status, Status::Fail, "{}", f.message);
    assert_eq!(
        f.evidence[0].source,
        flag_src("--streaming-connection-idle-timeout")
    );
    assert_eq!(f.evidence[0].observed.as_deref(), Some("0"));
}
