//! CIS worker-node file checks (AKS 3.1.x, Kubernetes 4.1.x): permissions and owners of the files
//! the kubelet actually uses, located from its real flags and configuration.

use kubeward_core::profile::{CIS_AKS_1_0, CIS_AKS_1_7, CIS_AKS_1_8, CIS_K8S_1_12};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Source, Status};

use super::{Ctx, Located, NodeCheck, mode_finding, owner_finding};
use crate::detect::AZURE_JSON;

const AKS_ALL: &[&str] = &[CIS_AKS_1_8, CIS_AKS_1_7, CIS_AKS_1_0, CIS_K8S_1_12];
const MANAGED_FILE_FIX: &str = "On AKS these files are written by the node provisioning and reset by every node image \
upgrade; fixing one node by hand does not last. Upgrade the node image so AKS writes them with its current modes \
(`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`), or reimage the node \
(`az vmss reimage`). If the current image still ships a wrong mode, raise it with AKS support. On \
self-managed nodes, set the mode/owner in the provisioning (kubeadm, image build) rather than by hand.";

pub static KUBECONFIG_MODE: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N101",
    name: "kubelet-kubeconfig-permissions",
    title: "The kubelet kubeconfig file is not writable or readable beyond its owner",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.1.1"),
        RefStatic::cis_aks("1.7.0", "3.1.1"),
        RefStatic::cis_aks("1.0.0", "3.1.1"),
        RefStatic::cis_k8s("1.12.0", "4.1.5"),
    ],
    profiles: AKS_ALL,
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Mode of the file named by the kubelet's --kubeconfig flag (AKS: /var/lib/kubelet/kubeconfig). \
CIS AKS asks for 644 or stricter; CIS Kubernetes 1.12 asks for 600 or stricter.",
        why: "The kubeconfig holds the kubelet's client credentials; anyone who can change it can point the kubelet \
at another API server or steal its identity.",
        fix: MANAGED_FILE_FIX,
        links: &["https://learn.microsoft.com/azure/aks/node-image-upgrade"],
    },
};

pub static KUBECONFIG_OWNER: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N102",
    name: "kubelet-kubeconfig-ownership",
    title: "The kubelet kubeconfig file is owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.1.2"),
        RefStatic::cis_aks("1.7.0", "3.1.2"),
        RefStatic::cis_aks("1.0.0", "3.1.2"),
        RefStatic::cis_k8s("1.12.0", "4.1.6"),
    ],
    profiles: AKS_ALL,
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Owner of the file named by --kubeconfig.",
        why: "A non-root owner can rewrite the kubelet's credentials and API server address.",
        fix: MANAGED_FILE_FIX,
        links: &[],
    },
};

pub static AZURE_JSON_MODE: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N103",
    name: "azure-json-permissions",
    title: "azure.json is 644 or stricter",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.1.3"),
        RefStatic::cis_aks("1.7.0", "3.1.3"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Mode of /etc/kubernetes/azure.json, the cloud-provider configuration of an AKS node.",
        why: "azure.json names the subscription, resource group and identity and may hold a service principal \
secret; a writable copy lets a local user redirect cloud-provider calls.",
        fix: MANAGED_FILE_FIX,
        links: &[],
    },
};

pub static AZURE_JSON_OWNER: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N104",
    name: "azure-json-ownership",
    title: "azure.json is owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "3.1.4"),
        RefStatic::cis_aks("1.7.0", "3.1.4"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Owner of /etc/kubernetes/azure.json.",
        why: "A non-root owner can read or replace the node's cloud credentials.",
        fix: MANAGED_FILE_FIX,
        links: &[],
    },
};

pub static CONFIG_MODE: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N105",
    name: "kubelet-config-file-permissions",
    title: "The kubelet configuration file is not writable beyond its owner",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.0.0", "3.1.3"),
        RefStatic::cis_k8s("1.12.0", "4.1.9"),
    ],
    profiles: &[CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Mode of the file named by the kubelet's --config flag and of its --config-dir drop-ins \
(CIS AKS 1.0: 644 or stricter; CIS Kubernetes 1.12: 600 or stricter).",
        why: "Whoever can write the kubelet configuration can turn off authentication and authorization of the \
kubelet API at the next restart.",
        fix: MANAGED_FILE_FIX,
        links: &[],
    },
};

pub static CONFIG_OWNER: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N106",
    name: "kubelet-config-file-ownership",
    title: "The kubelet configuration file is owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.0.0", "3.1.4"),
        RefStatic::cis_k8s("1.12.0", "4.1.10"),
    ],
    profiles: &[CIS_AKS_1_0, CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Owner of the --config file and its drop-ins.",
        why: "A non-root owner can change how the kubelet authenticates and authorizes requests.",
        fix: MANAGED_FILE_FIX,
        links: &[],
    },
};

pub static SERVICE_MODE: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N107",
    name: "kubelet-service-file-permissions",
    title: "The kubelet service file and drop-ins are 600 or stricter",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.1.1")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Mode of the kubelet systemd unit (kubelet.service) and every drop-in in kubelet.service.d.",
        why: "The unit decides the kubelet's command line; a writable unit lets a local user disable its security flags.",
        fix: MANAGED_FILE_FIX,
        links: &[],
    },
};

pub static SERVICE_OWNER: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N108",
    name: "kubelet-service-file-ownership",
    title: "The kubelet service file and drop-ins are owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.1.2")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Owner of the kubelet systemd unit and its drop-ins.",
        why: "A non-root owner can rewrite the kubelet's command line.",
        fix: MANAGED_FILE_FIX,
        links: &[],
    },
};

pub static CLIENT_CA_MODE: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N111",
    name: "client-ca-file-permissions",
    title: "The kubelet client CA file is 644 or stricter",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.1.7")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Mode of the CA bundle the kubelet uses to authenticate clients (authentication.x509.clientCAFile / --client-ca-file).",
        why: "Whoever can replace the client CA can mint certificates the kubelet accepts.",
        fix: MANAGED_FILE_FIX,
        links: &[],
    },
};

pub static CLIENT_CA_OWNER: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N112",
    name: "client-ca-file-ownership",
    title: "The kubelet client CA file is owned by root:root",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_k8s("1.12.0", "4.1.8")],
    profiles: &[CIS_K8S_1_12],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Owner of the kubelet's client CA file.",
        why: "A non-root owner can replace the trust anchor of the kubelet API.",
        fix: MANAGED_FILE_FIX,
        links: &[],
    },
};

pub static CHECKS: [NodeCheck; 10] = [
    NodeCheck {
        meta: &KUBECONFIG_MODE,
        eval: kubeconfig_mode,
    },
    NodeCheck {
        meta: &KUBECONFIG_OWNER,
        eval: |c| {
            owner_finding(
                c,
                &KUBECONFIG_OWNER,
                c.kubeconfig.as_ref(),
                "kubelet kubeconfig",
            )
        },
    },
    NodeCheck {
        meta: &AZURE_JSON_MODE,
        eval: |c| {
            mode_finding(
                c,
                &AZURE_JSON_MODE,
                Some(&azure_json()),
                0o644,
                "azure.json",
            )
        },
    },
    NodeCheck {
        meta: &AZURE_JSON_OWNER,
        eval: |c| owner_finding(c, &AZURE_JSON_OWNER, Some(&azure_json()), "azure.json"),
    },
    NodeCheck {
        meta: &CONFIG_MODE,
        eval: config_mode,
    },
    NodeCheck {
        meta: &CONFIG_OWNER,
        eval: |c| {
            combine(
                c,
                &CONFIG_OWNER,
                &config_files(c),
                |c, f| owner_finding(c, &CONFIG_OWNER, Some(f), "kubelet configuration file"),
                "kubelet configuration file",
            )
        },
    },
    NodeCheck {
        meta: &SERVICE_MODE,
        eval: |c| {
            combine(
                c,
                &SERVICE_MODE,
                &service_files(c),
                |c, f| mode_finding(c, &SERVICE_MODE, Some(f), 0o600, "kubelet service file"),
                "kubelet service file",
            )
        },
    },
    NodeCheck {
        meta: &SERVICE_OWNER,
        eval: |c| {
            combine(
                c,
                &SERVICE_OWNER,
                &service_files(c),
                |c, f| owner_finding(c, &SERVICE_OWNER, Some(f), "kubelet service file"),
                "kubelet service file",
            )
        },
    },
    NodeCheck {
        meta: &CLIENT_CA_MODE,
        eval: |c| {
            mode_finding(
                c,
                &CLIENT_CA_MODE,
                client_ca(c).as_ref(),
                0o644,
                "client CA file",
            )
        },
    },
    NodeCheck {
        meta: &CLIENT_CA_OWNER,
        eval: |c| owner_finding(c, &CLIENT_CA_OWNER, client_ca(c).as_ref(), "client CA file"),
    },
];

/// CIS AKS accepts 644 for the kubeconfig; CIS Kubernetes 1.12 asks for 600.
fn kubeconfig_mode(c: &Ctx) -> Finding {
    let max = if c.is_aks_profile() { 0o644 } else { 0o600 };
    mode_finding(
        c,
        &KUBECONFIG_MODE,
        c.kubeconfig.as_ref(),
        max,
        "kubelet kubeconfig",
    )
}

fn config_mode(c: &Ctx) -> Finding {
    let max = if c.is_aks_profile() { 0o644 } else { 0o600 };
    combine(
        c,
        &CONFIG_MODE,
        &config_files(c),
        |c, f| mode_finding(c, &CONFIG_MODE, Some(f), max, "kubelet configuration file"),
        "kubelet configuration file",
    )
}

fn azure_json() -> Located {
    Located {
        path: AZURE_JSON.into(),
        source: Source::origin("AKS cloud-provider configuration location"),
    }
}

fn config_files(c: &Ctx) -> Vec<Located> {
    let mut v = Vec::new();
    if let Some(f) = &c.config.config_file {
        v.push(Located {
            path: f.clone(),
            source: Source::flag("--config", c.kubelet.cmdline_path.clone()),
        });
    }
    for d in &c.config.drop_ins {
        v.push(Located {
            path: d.clone(),
            source: Source::flag("--config-dir", c.kubelet.cmdline_path.clone()),
        });
    }
    v
}

fn service_files(c: &Ctx) -> Vec<Located> {
    c.service_files
        .iter()
        .map(|p| Located {
            path: p.clone(),
            source: Source::origin("systemd unit search path"),
        })
        .collect()
}

fn client_ca(c: &Ctx) -> Option<Located> {
    let s = c
        .config
        .effective("authentication.x509.clientCAFile")
        .ok()??;
    let path = s.as_str()?.to_string();
    (!path.is_empty()).then(|| Located {
        path,
        source: s.origin.source(),
    })
}

/// One finding for several files: the worst verdict wins, every file's evidence is kept.
fn combine(
    c: &Ctx,
    meta: &CheckMeta,
    files: &[Located],
    one: impl Fn(&Ctx, &Located) -> Finding,
    what: &str,
) -> Finding {
    if files.is_empty() {
        return c.finding(
            meta,
            Status::NotApplicable,
            format!("no {what} is in use on this node"),
        );
    }
    let parts: Vec<Finding> = files.iter().map(|f| one(c, f)).collect();
    let rank = |s: Status| match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Pass => 2,
        _ => 3,
    };
    let status = parts
        .iter()
        .map(|f| f.status)
        .min_by_key(|s| rank(*s))
        .unwrap_or(Status::NotApplicable);
    let message = parts
        .iter()
        .filter(|f| f.status == status)
        .map(|f| f.message.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = c.finding(meta, status, message);
    for p in parts {
        out.evidence.extend(p.evidence);
    }
    out
}
