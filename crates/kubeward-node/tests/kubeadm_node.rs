//! The kubeadm-style fixture under the generic CIS Kubernetes 1.12 worker-node profile: YAML config,
//! `--config-dir` drop-ins in name order, kube-proxy read through its own root, SELinux host.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use kubeward_core::Status;

#[test]
fn generic_profile_verdicts() {
    let node = kubeadm_node();
    let r = node.scan();
    let p = r.profile.as_ref().unwrap();
    assert_eq!(p.id, "cis-1.12");
    assert!(p.reason.contains("not an AKS node"), "{}", p.reason);
    let mut want = vec![
        ("N101", "4.1.5", Status::Pass),
        ("N105", "4.1.9", Status::Fail),
        ("N107", "4.1.1", Status::Fail),
        ("N109", "4.1.3", Status::Fail),
        ("N111", "4.1.7", Status::Pass),
        ("N120", "4.2.1", Status::Pass),
        ("N121", "4.2.2", Status::Pass),
        ("N122", "4.2.3", Status::Pass),
        ("N123", "4.2.4", Status::Pass),
        ("N124", "4.2.5", Status::Pass),
        ("N126", "4.2.6", Status::Pass),
        ("N127", "4.2.7", Status::Fail),
        ("N128", "4.2.8", Status::Pass),
        ("N129", "4.2.9", Status::Fail),
        ("N130", "4.2.10", Status::Pass),
        ("N131", "4.2.11", Status::Fail),
        ("N132", "4.2.12", Status::Fail),
        ("N133", "4.2.13", Status::Pass),
        ("N163", "4.2.14", Status::Pass),
        ("N135", "4.3.1", Status::Fail),
    ];
    if node.as_root {
        want.extend([
            ("N102", "4.1.6", Status::Pass),
            ("N106", "4.1.10", Status::Pass),
            ("N108", "4.1.2", Status::Pass),
            ("N110", "4.1.4", Status::Fail),
            ("N112", "4.1.8", Status::Pass),
        ]);
    } else {
        eprintln!("skipping ownership verdicts: needs root to chown the fixture");
    }
    for (code, id, st) in want {
        let f = finding(&r, code);
        assert_eq!(f.status, st, "{code}: {}", f.message);
        let cis: Vec<_> = f
            .references
            .iter()
            .filter(|x| x.framework == "CIS Kubernetes")
            .collect();
        assert_eq!(cis.len(), 1, "{code}");
        assert_eq!(
            (cis[0].version.as_deref(), cis[0].id.as_str()),
            (Some("1.12.0"), id),
            "{code}"
        );
    }
    // Every CIS 1.12 worker-node id 4.1.1–4.3.1 is covered exactly once.
    let mut ids: Vec<String> = r
        .findings
        .iter()
        .flat_map(|f| {
            f.references
                .iter()
                .filter(|x| x.framework == "CIS Kubernetes")
                .map(|x| x.id.to_string())
        })
        .collect();
    ids.sort();
    assert_eq!(ids.len(), 25, "{ids:?}");
    ids.dedup();
    assert_eq!(ids.len(), 25);
}

#[test]
fn drop_in_order_and_origins() {
    let r = kubeadm_node().scan();
    // config.yaml says 0s, 20-streaming.conf (JSON drop-in, applied last) says 5m.
    let f = finding(&r, "N124");
    assert_eq!(f.evidence[0].observed.as_deref(), Some("5m"));
    assert_eq!(
        f.evidence[0].source.file.as_deref(),
        Some("/var/lib/kubelet/config.d/20-streaming.conf")
    );
    // The file without .conf is not a drop-in.
    let kubelet = &serde_json::to_value(&r).unwrap()["facts"]["kubelet"];
    assert_eq!(kubelet["dropIns"].as_array().unwrap().len(), 2);
    // YAML line numbers.
    let anon = finding(&r, "N120");
    assert_eq!(
        anon.evidence[0].source.file.as_deref(),
        Some("/var/lib/kubelet/config.yaml")
    );
    assert_eq!(anon.evidence[0].source.line, Some(5));
    // kube-proxy's kubeconfig comes from its own config, inside its root.
    let px = finding(&r, "N109");
    assert_eq!(
        px.evidence[0].source.file.as_deref(),
        Some("/var/lib/kube-proxy/config.conf")
    );
    assert_eq!(
        px.evidence[0].source.key.as_deref(),
        Some("clientConnection.kubeconfig")
    );
    // --hostname-override is the node name (lower-cased as the kubelet does).
    assert_eq!(anon.resource.name, "worker-1");
}

#[test]
fn selinux_host_without_apparmor() {
    let r = kubeadm_node().scan();
    assert_eq!(
        status(&r, "N160"),
        Status::Fail,
        "permissive SELinux and no AppArmor"
    );
    assert_eq!(status(&r, "N161"), Status::Warn);
    let node = kubeadm_node();
    node.write("/sys/fs/selinux/enforce", b"1\n");
    let r = node.scan();
    assert_eq!(status(&r, "N160"), Status::NotApplicable);
    assert_eq!(status(&r, "N161"), Status::Pass);
}

#[test]
fn serving_key_fallback_follows_server_tls_bootstrap() {
    let r = kubeadm_node().scan();
    let f = finding(&r, "N152");
    assert_eq!(
        f.evidence[0].observed.as_deref(),
        Some("/var/lib/kubelet/pki/kubelet.key")
    );
    assert_eq!(f.status, Status::Pass);
}

#[test]
fn drop_ins_in_sub_directories_are_merged_in_walk_order() {
    // The kubelet walks --config-dir recursively in lexical order: 10-hardening.conf, then
    // 15-extra/10-ro.conf, then 20-streaming.conf.
    let node = kubeadm_node();
    node.write(
        "/var/lib/kubelet/config.d/15-extra/10-ro.conf",
        b"apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 10255\n",
    );
    node.write(
        "/var/lib/kubelet/config.d/15-extra/notes.txt",
        b"not a drop-in\n",
    );
    let r = node.scan();
    let f = finding(&r, "N123");
    assert_eq!(f.status, Status::Fail, "{}", f.message);
    assert_eq!(
        f.evidence[0].source.file.as_deref(),
        Some("/var/lib/kubelet/config.d/15-extra/10-ro.conf")
    );
    let kubelet = &serde_json::to_value(&r).unwrap()["facts"]["kubelet"];
    let drop_ins: Vec<&str> = kubelet["dropIns"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        drop_ins,
        [
            "/var/lib/kubelet/config.d/10-hardening.conf",
            "/var/lib/kubelet/config.d/15-extra/10-ro.conf",
            "/var/lib/kubelet/config.d/20-streaming.conf"
        ]
    );
}
