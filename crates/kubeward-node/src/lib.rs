//! CIS worker-node checks: kubelet discovery, effective kubelet configuration, files, Linux security modules.
//!
//! [`scan`] reads a node (the host, or a root mounted elsewhere) without starting any process:
//! one pass over `/proc` to find the kubelet, a handful of bounded file reads and `stat`s, then the
//! checks of the chosen benchmark profile plus kubeward's own.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod argv;
pub mod checks;
pub mod detect;
pub mod example;
pub mod facts;
pub mod hostfs;
pub mod kubelet;
pub mod lsm;

use std::path::PathBuf;

use kubeward_core::profile::BenchmarkProfile;
use kubeward_core::{
    CheckMeta, Finding, InputError, InputInfo, ProfileChoice, Report, Resource, Source,
};
use serde_json::json;

pub use facts::NodeFacts;

use crate::checks::{Ctx, Located};
use crate::hostfs::HostFs;
use crate::kubelet::{Discovery, KubeletConfig, Process};

/// Every check of this area, for the registry, in code order: the scan's own statement that no
/// kubelet runs (K100), then the node checks.
pub fn checks() -> Vec<&'static CheckMeta> {
    std::iter::once(&checks::k100_kubelet_not_found::META)
        .chain(checks::CHECKS.iter().map(|c| c.meta))
        .collect()
}

#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// The node's root (`/`, or `/host` in the Job).
    pub root: PathBuf,
    /// The node's `/proc` (default `ROOT/proc`).
    pub proc: PathBuf,
    /// `--benchmark`; detected when `None`.
    pub benchmark: Option<&'static BenchmarkProfile>,
}

impl ScanOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        ScanOptions {
            proc: root.join("proc"),
            root,
            benchmark: None,
        }
    }
}

pub struct ScanOutcome {
    pub report: Report,
    /// `false`: the report holds the single kubelet-not-found finding (the CLI exits 2).
    pub kubelet_found: bool,
}

/// Known kubelet file locations, used only when the kubelet's own flags do not name the file.
const AKS_KUBECONFIG: &str = "/var/lib/kubelet/kubeconfig";
const KUBEADM_KUBECONFIG: &str = "/etc/kubernetes/kubelet.conf";
const AKS_BOOTSTRAP: &str = "/var/lib/kubelet/bootstrap-kubeconfig";
const KUBEADM_BOOTSTRAP: &str = "/etc/kubernetes/bootstrap-kubelet.conf";
const UNIT_CANDIDATES: &[&str] = &[
    "/etc/systemd/system/kubelet.service",
    "/lib/systemd/system/kubelet.service",
    "/usr/lib/systemd/system/kubelet.service",
];
const DROP_IN_DIRS: &[&str] = &[
    "/etc/systemd/system/kubelet.service.d",
    "/usr/lib/systemd/system/kubelet.service.d",
];

pub fn scan(opts: &ScanOptions) -> ScanOutcome {
    let fs = HostFs::new(&opts.root, &opts.proc);
    let mut report = Report::new("node");
    let root_shown = opts.root.display().to_string();
    let kubelet = match kubelet::find_process(&fs, "kubelet") {
        Discovery::Found(p) => p,
        other => return not_found(&fs, report, root_shown, other),
    };

    let identity = detect::identify(&fs, kubelet.argv.value("node-labels"));
    let (profile, reason) = detect::choose_profile(&identity, opts.benchmark);
    report.profile = Some(ProfileChoice::new(profile, reason));

    let mut config = KubeletConfig::build(&fs, &kubelet);
    config.minor_version = identity
        .version
        .as_deref()
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse().ok());
    for e in &config.errors {
        // The message names the file for the findings that quote it; the input error names it already.
        let message = e
            .message
            .strip_prefix(&format!("{}: ", e.path))
            .unwrap_or(&e.message);
        report.input_errors.push(InputError {
            path: e.path.clone(),
            line: e.line,
            message: message.to_string(),
        });
    }
    for (path, reason) in &identity.read_errors {
        report.input_errors.push(InputError {
            path: path.clone(),
            line: None,
            message: reason
                .strip_prefix(&format!("{path}: "))
                .unwrap_or(reason)
                .to_string(),
        });
    }
    for g in &kubelet.argv.bad_feature_gates {
        report.input_errors.push(InputError {
            path: kubelet.cmdline_path.clone(),
            line: None,
            message: format!("--feature-gates entry {g:?} is not Name=true|false; ignored"),
        });
    }

    let root_dir = kubelet
        .argv
        .value("root-dir")
        .filter(|v| !v.is_empty())
        .unwrap_or("/var/lib/kubelet")
        .trim_end_matches('/')
        .to_string();
    let lsm = lsm::scan(&fs, Some(kubelet.pid), &format!("{root_dir}/seccomp"));
    let proxy = if profile.id == kubeward_core::profile::CIS_K8S_1_12 {
        match kubelet::find_process(&fs, "kube-proxy") {
            Discovery::Found(p) => Some(p),
            _ => None,
        }
    } else {
        None
    };
    let node_name = node_name(&fs, &kubelet);
    let kubeconfig = locate(
        &fs,
        &kubelet,
        "kubeconfig",
        if identity.aks {
            AKS_KUBECONFIG
        } else {
            KUBEADM_KUBECONFIG
        },
    );
    let bootstrap_kubeconfig = locate(
        &fs,
        &kubelet,
        "bootstrap-kubeconfig",
        if identity.aks {
            AKS_BOOTSTRAP
        } else {
            KUBEADM_BOOTSTRAP
        },
    );
    let service_files = service_files(&fs);

    let ctx = Ctx {
        fs: &fs,
        profile,
        node: Resource::new("Node", node_name.clone()),
        kubelet: &kubelet,
        config: &config,
        identity: &identity,
        lsm: &lsm,
        proxy: proxy.as_ref(),
        kubeconfig,
        bootstrap_kubeconfig,
        service_files,
        root_dir,
    };
    for check in checks::CHECKS {
        let m = check.meta;
        if !(m.kubeward_own || m.profiles.contains(&profile.id)) {
            continue;
        }
        let mut f = (check.eval)(&ctx);
        keep_profile_references(&mut f, profile);
        report.push(f);
    }

    report.inputs.push(InputInfo {
        kind: "node-root".into(),
        path: root_shown,
        detail: Some(format!(
            "{}kubelet pid {}",
            if identity.aks { "AKS node, " } else { "" },
            kubelet.pid
        )),
    });
    let node_facts = NodeFacts {
        name: node_name,
        kubernetes_version: identity.version.clone(),
        aks: identity.aks,
        kubelet_found: true,
        seccomp_default: config
            .effective("seccompDefault")
            .ok()
            .flatten()
            .and_then(|s| s.as_bool()),
        lsm: lsm.facts.clone(),
        network_policy: identity.network_policy.clone(),
    };
    insert_facts(&mut report, &node_facts);
    report
        .facts
        .insert("kubelet".into(), kubelet_facts(&kubelet, &config, &lsm));
    ScanOutcome {
        report,
        kubelet_found: true,
    }
}

/// A finding names only the references of the benchmark in use (plus non-CIS frameworks).
fn keep_profile_references(f: &mut Finding, profile: &BenchmarkProfile) {
    f.retain_references(|r| {
        !r.framework.starts_with("CIS")
            || (r.framework == profile.framework && r.version.as_deref() == Some(profile.version))
    });
}

fn insert_facts(report: &mut Report, facts: &NodeFacts) {
    if let Ok(v) = serde_json::to_value(facts) {
        report.facts.insert(facts::FACTS_KEY.into(), v);
    }
}

fn not_found(fs: &HostFs, mut report: Report, root_shown: String, d: Discovery) -> ScanOutcome {
    let name = host_name(fs).unwrap_or_else(|| "unknown".into());
    let proc_shown = fs.proc_dir().display().to_string();
    if let Discovery::ProcUnreadable(e) = &d {
        report.input_errors.push(InputError {
            path: proc_shown.clone(),
            line: None,
            message: e.to_string(),
        });
    }
    let finding = checks::k100_kubelet_not_found::finding(
        Resource::new("Node", name.clone()),
        proc_shown,
        &d,
    );
    report.push(finding);
    report.inputs.push(InputInfo {
        kind: "node-root".into(),
        path: root_shown,
        detail: Some("no kubelet found".into()),
    });
    insert_facts(
        &mut report,
        &NodeFacts {
            name,
            ..Default::default()
        },
    );
    ScanOutcome {
        report,
        kubelet_found: false,
    }
}

fn host_name(fs: &HostFs) -> Option<String> {
    let from_file = fs
        .read_string("/etc/hostname", 1024)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    from_file.or_else(|| {
        fs.read_proc("sys/kernel/hostname", 1024)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .filter(|s| !s.is_empty())
    })
}

fn node_name(fs: &HostFs, kubelet: &Process) -> String {
    kubelet
        .argv
        .value("hostname-override")
        .filter(|v| !v.is_empty())
        .map(|v| v.to_lowercase())
        .or_else(|| host_name(fs))
        .unwrap_or_else(|| "unknown".into())
}

/// The path a kubelet flag names; the known location only when the flag is absent and it exists.
fn locate(fs: &HostFs, kubelet: &Process, flag: &str, known: &str) -> Option<Located> {
    if let Some(v) = kubelet.argv.value(flag).filter(|v| !v.is_empty()) {
        return Some(Located {
            path: v.to_string(),
            source: Source::flag(format!("--{flag}"), kubelet.cmdline_path.clone()),
        });
    }
    fs.exists(known).then(|| Located {
        path: known.to_string(),
        source: Source::origin(format!("known location (the kubelet has no --{flag} flag)")),
    })
}

fn service_files(fs: &HostFs) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(unit) = UNIT_CANDIDATES.iter().find(|p| fs.exists(p)) {
        out.push(unit.to_string());
    }
    for dir in DROP_IN_DIRS {
        if let Ok(names) = fs.list_dir(dir, 256) {
            out.extend(
                names
                    .into_iter()
                    .filter(|n| n.ends_with(".conf"))
                    .map(|n| format!("{dir}/{n}")),
            );
        }
    }
    out
}

fn kubelet_facts(
    kubelet: &Process,
    config: &KubeletConfig,
    lsm: &lsm::LsmScan,
) -> serde_json::Value {
    let settings: serde_json::Map<String, serde_json::Value> = config
        .facts()
        .into_iter()
        .map(|(k, s)| (k, json!({ "value": s.value, "origin": s.origin.label() })))
        .collect();
    json!({
        "pid": kubelet.pid,
        "cmdline": kubelet.cmdline_path,
        "configFile": config.config_file,
        "configDir": config.config_dir,
        "dropIns": config.drop_ins,
        "lsmActive": lsm.active,
        "settings": settings,
    })
}
