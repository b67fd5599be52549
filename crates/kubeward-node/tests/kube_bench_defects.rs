//! Every kube-bench defect named in the reference notes, each shown twice: the answer kube-bench's
//! approach gives (emulated here from its documented behaviour: `ps` text, a regex on it, the first
//! config file of a fixed list, "absent fails") and the answer kubeward gives.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use kubeward_core::{Finding, Report, Status};
use serde_json::Value;

// ---------- kube-bench's approach, emulated ----------

/// kube-bench's `$kubeletconf`: the first path of its fixed list that exists (azure.json comes
/// before /etc/default/kubeletconfig.json since the aks-1.8 change).
fn kb_kubeletconf(node: &Node) -> Option<String> {
    const CONFS: &[&str] = &[
        "/etc/kubernetes/kubelet-config.yaml",
        "/etc/kubernetes/kubelet/kubelet-config.json",
        "/var/lib/rancher/rke2/agent/etc/kubelet.conf.d",
        "/var/lib/kubelet/config.yaml",
        "/etc/kubernetes/azure.json",
        "/var/lib/kubelet/config.yml",
        "/home/kubernetes/kubelet-config.yaml",
        "/etc/default/kubeletconfig.json",
        "/etc/default/kubelet",
    ];
    CONFS
        .iter()
        .find(|p| node.path(p).exists())
        .map(|p| p.to_string())
}

/// `ps -fC kubelet` output: the argv joined by spaces (NULs lost).
fn kb_ps(node: &Node, pid: u32) -> String {
    let raw = std::fs::read(node.path(&format!("/proc/{pid}/cmdline"))).unwrap();
    String::from_utf8(raw)
        .unwrap()
        .trim_end_matches('\0')
        .replace('\0', " ")
}

/// kube-bench's flag extraction: substring test, then the leftmost `flag(=|: *)*([^\s]*)`; an empty
/// value of a `--` flag reads as "true".
fn kb_flag(ps: &str, flag: &str) -> Option<String> {
    let at = ps.find(flag)?;
    let mut rest = &ps[at + flag.len()..];
    loop {
        if let Some(r) = rest.strip_prefix('=') {
            rest = r;
        } else if let Some(r) = rest.strip_prefix(':') {
            rest = r.trim_start_matches(' ');
        } else {
            break;
        }
    }
    let value: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
    if value.is_empty() && flag.starts_with("--") {
        Some("true".into())
    } else {
        Some(value)
    }
}

/// kube-bench's jsonpath on the `cat $kubeletconf` output (JSON, else YAML); absent → None.
fn kb_path(node: &Node, path: &[&str]) -> Option<String> {
    let conf = kb_kubeletconf(node)?;
    let text = std::fs::read_to_string(node.path(&conf)).ok()?;
    let doc: Value = serde_json::from_str(&text)
        .or_else(|_| serde_saphyr::from_str(&text))
        .ok()?;
    let mut v = &doc;
    for p in path {
        v = v.get(p)?;
    }
    Some(match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// A kube-bench test item with `set: true`: flag first, then the config path; absent → FAIL.
fn kb_eval(
    node: &Node,
    pid: u32,
    flag: &str,
    path: &[&str],
    pass: impl Fn(&str) -> bool,
) -> Status {
    let value = kb_flag(&kb_ps(node, pid), flag).or_else(|| kb_path(node, path));
    match value {
        Some(v) if pass(&v) => Status::Pass,
        _ => Status::Fail,
    }
}

/// kube-bench's 3.2.4 / 4.2.4 item: read-only port `eq 0`.
fn kb_read_only_port(node: &Node, pid: u32) -> Status {
    kb_eval(node, pid, "--read-only-port", &["readOnlyPort"], |v| {
        v == "0"
    })
}

/// kube-bench's event QPS item: `eq 0`.
fn kb_event_qps(node: &Node) -> Status {
    kb_eval(node, PID, "--event-qps", &["eventRecordQPS"], |v| v == "0")
}

/// kube-bench's server certificate rotation item: the feature gate `eq true`.
fn kb_rotate_server_gate(node: &Node) -> Status {
    kb_eval(
        node,
        PID,
        "RotateKubeletServerCertificate",
        &["featureGates", "RotateKubeletServerCertificate"],
        |v| v == "true",
    )
}

/// kube-bench's file audit: `if test -e f; then stat -c permissions=%a f; fi`, bitmask 644.
fn kb_file_mode(node: &Node, file: &str) -> Status {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata(node.path(file)) {
        Ok(m) if m.mode() & 0o777 & !0o644 == 0 => Status::Pass,
        _ => Status::Fail, // empty audit output: the flag is not found, the check FAILs
    }
}

fn kubeward(node: &Node) -> Report {
    node.scan()
}

/// kubeward's finding `code` on `node`, which must have status `want`.
fn kubeward_says(node: &Node, code: &str, want: Status) -> Finding {
    let f = finding(&kubeward(node), code).clone();
    assert_eq!(f.status, want, "{code}: {}", f.message);
    f
}

/// Where the first evidence of `f` says its value came from.
fn first_origin(f: &Finding) -> &str {
    f.evidence[0].source.origin.as_deref().unwrap()
}

const PID: u32 = AKS_KUBELET_PID;

fn aks_argv_with(extra: &[&str]) -> Vec<String> {
    let node = aks_node();
    let mut v: Vec<String> = kb_ps(&node, PID).split(' ').map(str::to_string).collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

/// The example kubelet's argv with `--config` and its value removed.
fn aks_argv_without_config() -> Vec<String> {
    let mut argv = aks_argv_with(&[]);
    let at = argv.iter().position(|a| a == "--config").unwrap();
    argv.drain(at..at + 2);
    argv
}

fn set_argv(node: &Node, argv: &[String]) {
    let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
    node.set_kubelet_argv(PID, &refs);
}

// ---------- the defects ----------

#[test]
fn config_file_is_the_real_config_not_azure_json() {
    let node = aks_node();
    assert_eq!(
        kb_kubeletconf(&node).as_deref(),
        Some("/etc/kubernetes/azure.json")
    );
    // 3.2.1 and 3.2.3 live only in /etc/default/kubeletconfig.json: kube-bench reads azure.json.
    assert_eq!(
        kb_eval(
            &node,
            PID,
            "--anonymous-auth",
            &["authentication", "anonymous", "enabled"],
            |v| v == "false"
        ),
        Status::Fail
    );
    assert_eq!(
        kb_eval(
            &node,
            PID,
            "--client-ca-file",
            &["authentication", "x509", "clientCAFile"],
            |v| !v.is_empty()
        ),
        Status::Fail
    );
    let r = kubeward(&node);
    for code in ["N120", "N122"] {
        let f = finding(&r, code);
        assert_eq!(f.status, Status::Pass, "{code}");
        assert_eq!(
            f.evidence[0].source.file.as_deref(),
            Some("/etc/default/kubeletconfig.json"),
            "{code}"
        );
    }
}

#[test]
fn authorization_mode_is_checked_not_anonymous_auth() {
    // aks-1.8 3.2.2 tests `--anonymous-auth` against "nothave AlwaysAllow".
    let node = aks_node();
    set_argv(
        &node,
        &aks_argv_with(&["--anonymous-auth=false", "--authorization-mode=AlwaysAllow"]),
    );
    assert_eq!(
        kb_eval(
            &node,
            PID,
            "--anonymous-auth",
            &["authorization", "mode"],
            |v| !v.contains("AlwaysAllow")
        ),
        Status::Pass
    );
    let f = kubeward_says(&node, "N121", Status::Fail);
    assert_eq!(
        f.evidence[0].source.flag.as_deref(),
        Some("--authorization-mode")
    );
    assert_eq!(f.evidence[0].observed.as_deref(), Some("AlwaysAllow"));
}

#[test]
fn space_separated_value_is_read_as_the_value() {
    let node = aks_node();
    set_argv(&node, &aks_argv_with(&["--event-qps", "0"]));
    // kube-bench's regex reads `--event-qps 0` as "true"; eq 0 fails.
    assert_eq!(
        kb_flag(&kb_ps(&node, PID), "--event-qps").as_deref(),
        Some("true")
    );
    assert_eq!(kb_event_qps(&node), Status::Fail);
    let f = kubeward_says(&node, "N128", Status::Pass);
    assert_eq!(f.evidence[0].observed.as_deref(), Some("0"));
    assert_eq!(f.evidence[0].source.flag.as_deref(), Some("--event-qps"));
}

#[test]
fn last_occurrence_of_a_flag_wins() {
    let node = aks_node();
    set_argv(
        &node,
        &aks_argv_with(&["--read-only-port=10255", "--read-only-port=0"]),
    );
    assert_eq!(kb_read_only_port(&node, PID), Status::Fail);
    let r = kubeward(&node);
    assert_eq!(status(&r, "N123"), Status::Pass);
}

#[test]
fn absent_read_only_port_is_judged_by_the_kubelet_default() {
    let node = aks_node();
    assert_eq!(kb_read_only_port(&node, PID), Status::Fail);
    assert_eq!(
        status(&kubeward(&node), "N123"),
        Status::Pass,
        "--config in use: default 0"
    );
    // Without --config the kubelet's legacy default opens 10255: kubeward says so.
    set_argv(&node, &aks_argv_without_config());
    let f = kubeward_says(&node, "N123", Status::Fail);
    assert_eq!(f.evidence[0].observed.as_deref(), Some("10255"));
    assert!(first_origin(&f).contains("flags only"));
}

#[test]
fn absent_event_qps_is_judged_by_the_kubelet_default() {
    let node = aks_node();
    assert_eq!(kb_event_qps(&node), Status::Fail);
    let f = kubeward_says(&node, "N128", Status::Pass);
    assert_eq!(f.evidence[0].observed.as_deref(), Some("50"));
}

#[test]
fn server_certificate_rotation_means_server_tls_bootstrap() {
    let node = aks_node();
    // Gate absent (on by default), serverTLSBootstrap true: kube-bench FAILs 3.2.9.
    assert_eq!(kb_rotate_server_gate(&node), Status::Fail);
    assert_eq!(status(&kubeward(&node), "N131"), Status::Pass);
    // Gate set in a comma list: kube-bench reads "true,B=false" and FAILs; kubeward reads true.
    set_argv(
        &node,
        &aks_argv_with(&["--feature-gates=RotateKubeletServerCertificate=true,B=false"]),
    );
    assert_eq!(
        kb_flag(&kb_ps(&node, PID), "RotateKubeletServerCertificate").as_deref(),
        Some("true,B=false")
    );
    assert_eq!(kb_rotate_server_gate(&node), Status::Fail);
    assert_eq!(status(&kubeward(&node), "N131"), Status::Pass);
    // Gate on but --rotate-server-certificates=false: kube-bench PASSes, nothing rotates.
    set_argv(
        &node,
        &aks_argv_with(&[
            "--feature-gates=RotateKubeletServerCertificate=true",
            "--rotate-server-certificates=false",
        ]),
    );
    assert_eq!(kb_rotate_server_gate(&node), Status::Pass);
    let f = kubeward_says(&node, "N131", Status::Fail);
    assert_eq!(
        f.evidence[1].source.flag.as_deref(),
        Some("--rotate-server-certificates")
    );
}

#[test]
fn absent_rotate_certificates_uses_the_real_default_false() {
    // kube-bench: OR(eq true, absent) → absent PASSes. The kubelet's default is false.
    let node = aks_node();
    let argv: Vec<String> = aks_argv_with(&[])
        .into_iter()
        .filter(|a| a != "--rotate-certificates=true")
        .collect();
    set_argv(&node, &argv);
    let text = std::fs::read_to_string(node.path(CONFIG_PATH))
        .unwrap()
        .replace("\"rotateCertificates\": true,", "");
    node.write(CONFIG_PATH, text.as_bytes());
    let kb = match kb_flag(&kb_ps(&node, PID), "--rotate-certificates")
        .or_else(|| kb_path(&node, &["rotateCertificates"]))
    {
        None => Status::Pass,
        Some(v) if v == "true" => Status::Pass,
        Some(_) => Status::Fail,
    };
    assert_eq!(kb, Status::Pass);
    let f = kubeward_says(&node, "N130", Status::Fail);
    assert_eq!(f.evidence[0].observed.as_deref(), Some("false"));
    assert!(first_origin(&f).starts_with("kubelet default"));
}

const CONFIG_PATH: &str = "/etc/default/kubeletconfig.json";

#[test]
fn missing_file_is_not_applicable_with_a_reason_never_a_silent_result() {
    let node = aks_node();
    std::fs::remove_file(node.path("/var/lib/kubelet/kubeconfig")).unwrap();
    assert_eq!(
        kb_file_mode(&node, "/var/lib/kubelet/kubeconfig"),
        Status::Fail
    );
    let f = kubeward_says(&node, "N101", Status::NotApplicable);
    assert!(
        f.message
            .contains("/var/lib/kubelet/kubeconfig does not exist"),
        "{}",
        f.message
    );
    assert_eq!(f.evidence[0].source.flag.as_deref(), Some("--kubeconfig"));
}

#[test]
fn drop_ins_are_read_after_the_config_file() {
    // kube-bench reads /var/lib/kubelet/config.yaml (readOnlyPort 10255) and ignores config.d.
    let node = kubeadm_node();
    assert_eq!(
        kb_kubeletconf(&node).as_deref(),
        Some("/var/lib/kubelet/config.yaml")
    );
    assert_eq!(kb_read_only_port(&node, KUBEADM_KUBELET_PID), Status::Fail);
    let f = kubeward_says(&node, "N123", Status::Pass);
    assert_eq!(
        f.evidence[0].source.file.as_deref(),
        Some("/var/lib/kubelet/config.d/10-hardening.conf")
    );
    assert_eq!(
        f.evidence[0].source.origin.as_deref(),
        Some("kubelet --config-dir drop-in")
    );
    assert_eq!(f.evidence[0].source.line, Some(3));
}

#[test]
fn no_remediation_prints_an_unsubstituted_variable() {
    for m in kubeward_node::checks() {
        for text in [m.doc.fix, m.doc.what, m.doc.why] {
            assert!(
                !text.contains("$azurejson") && !text.contains("$kubelet"),
                "{}: {text}",
                m.code
            );
            assert!(
                !text.to_lowercase().contains("edit the kubelet unit"),
                "{}",
                m.code
            );
        }
    }
    let r = kubeward(&aks_node());
    assert!(r.findings.iter().all(|f| !f.remediation.contains('$')));
}

#[test]
fn without_config_the_legacy_flag_defaults_apply() {
    // kube-bench reads azure.json as the "config" whether or not the kubelet uses --config. The
    // kubelet without --config runs with its flag defaults: anonymous auth on, AlwaysAllow, port
    // 10255 open; the other defaults are the same as with a config file.
    let node = aks_node();
    set_argv(&node, &aks_argv_without_config());
    let r = kubeward(&node);
    let expect = [
        ("N120", Status::Fail, "true"),
        ("N121", Status::Fail, "AlwaysAllow"),
        ("N123", Status::Fail, "10255"),
        ("N124", Status::Pass, "4h0m0s"),
        ("N126", Status::Pass, "true"),
        ("N128", Status::Pass, "50"),
    ];
    for (code, want, observed) in expect {
        let f = finding(&r, code);
        assert_eq!(f.status, want, "{code}: {}", f.message);
        assert_eq!(f.evidence[0].observed.as_deref(), Some(observed), "{code}");
        assert_eq!(
            f.evidence[0].source.origin.as_deref(),
            Some("kubelet default (flags only, no --config)"),
            "{code}"
        );
    }
    // A flag still wins over any default.
    assert_eq!(
        status(&r, "N130"),
        Status::Pass,
        "--rotate-certificates=true"
    );
    // With --config (the example as shipped) the same absent settings are compliant defaults.
    let r = kubeward(&aks_node());
    for code in ["N123", "N126", "N128"] {
        assert_eq!(
            finding(&r, code).evidence[0].source.origin.as_deref(),
            Some("kubelet default (KubeletConfiguration v1beta1, --config in use)"),
            "{code}"
        );
    }
}
