//! A synthetic but realistic report: every area, every status, the main kinds of evidence
//! (flag + origin, file + line + key, object field path, kubelet default), a waiver, an input error
//! and facts. Renderer tests share it so each format is checked against the same content.
#![allow(dead_code)]

use kubeward_core::{
    Area, BenchmarkProfile, CheckDoc, CheckMeta, Evidence, Finding, InputError, InputInfo,
    ProfileChoice, RefStatic, Registry, Report, Resource, Severity, Source, Status, Waiver,
};

const fn doc(what: &'static str, why: &'static str, fix: &'static str) -> CheckDoc {
    CheckDoc {
        bad: "",
        good: "",
        what,
        why,
        fix,
        links: &[],
    }
}

pub static ANON: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N105",
    name: "kubelet-anonymous-auth",
    title: "Kubelet rejects anonymous requests",
    area: Area::Node,
    severity: Severity::High,
    references: &[RefStatic::cis_aks("1.8.0", "3.2.1")],
    profiles: &["cis-aks-1.8"],
    kubeward_own: false,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Whether the kubelet's HTTPS endpoint accepts requests without credentials.",
        why: "Anonymous access to the kubelet API exposes pod logs, exec and node metrics to anyone who can reach port 10250.",
        fix: "Create the node pool with a custom kubelet configuration that keeps anonymous auth off:\n  az aks nodepool add ... --kubelet-config kubeletconfig.json",
        links: &["https://learn.microsoft.com/azure/aks/custom-node-configuration"],
    },
};

pub static READ_ONLY_PORT: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N110",
    name: "kubelet-read-only-port",
    title: "Kubelet read-only port is disabled",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_aks("1.8.0", "3.2.4")],
    profiles: &["cis-aks-1.8"],
    kubeward_own: false,
    doc: doc(
        "The kubelet's unauthenticated read-only port.",
        "It serves pod and node data without authentication.",
        "Set readOnlyPort to 0 through the node pool's custom kubelet configuration.",
    ),
};

pub static KUBECONFIG_MODE: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "N121",
    name: "kubelet-kubeconfig-permissions",
    title: "Kubelet kubeconfig file permissions are 600 or stricter",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::cis_aks("1.8.0", "3.1.1")],
    profiles: &["cis-aks-1.8"],
    kubeward_own: false,
    doc: doc(
        "File mode of the kubelet kubeconfig.",
        "Others could read credentials.",
        "Node image upgrade restores 0600.",
    ),
};

pub static PRIVILEGED: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "W201",
    name: "privileged-container",
    title: "Containers do not run privileged",
    area: Area::Workloads,
    severity: Severity::Critical,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.2.1"),
        RefStatic::pss("baseline/privileged"),
    ],
    profiles: &["cis-aks-1.8"],
    kubeward_own: false,
    doc: doc(
        "securityContext.privileged of every container, init and ephemeral containers included.",
        "A privileged container has every capability and the host's devices: it owns the node.",
        "Remove `privileged: true`; grant only the capabilities the process needs.",
    ),
};

pub static TOKEN_AUTOMOUNT: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "W215",
    name: "service-account-token-automount",
    title: "Service account tokens are mounted only where needed",
    area: Area::Workloads,
    severity: Severity::Low,
    references: &[RefStatic::cis_aks("1.8.0", "4.1.6")],
    profiles: &["cis-aks-1.8"],
    kubeward_own: false,
    doc: doc(
        "automountServiceAccountToken on pods and service accounts.",
        "A stolen token talks to the API server.",
        "Set automountServiceAccountToken: false.",
    ),
};

pub static NETPOL_MISSING: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "P301",
    name: "namespace-without-network-policy",
    title: "Every namespace has a NetworkPolicy",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[RefStatic::cis_aks("1.8.0", "4.4.2")],
    profiles: &["cis-aks-1.8"],
    kubeward_own: false,
    doc: doc(
        "NetworkPolicy objects per namespace.",
        "Without one every pod accepts traffic from everywhere.",
        "Apply a default-deny policy, then allow what is needed.",
    ),
};

pub static AUDIT_EXEC: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "A410",
    name: "exec-into-pod",
    title: "Interactive exec into pods",
    area: Area::Audit,
    severity: Severity::Info,
    references: &[RefStatic::mitre("T1609")],
    profiles: &[],
    kubeward_own: true,
    doc: doc(
        "pods/exec requests in the audit log.",
        "Exec is how attackers move inside a cluster.",
        "Restrict pods/exec through RBAC.",
    ),
};

pub static AKS_LOCAL_ACCOUNTS: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "Z520",
    name: "aks-local-accounts-disabled",
    title: "Local accounts are disabled",
    area: Area::Aks,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: doc(
        "disableLocalAccounts on the managed cluster.",
        "Local admin credentials bypass Entra ID.",
        "az aks update --disable-local-accounts",
    ),
};

pub static SECCOMP_PROFILE: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "S610",
    name: "seccomp-profile-lint",
    title: "Seccomp profiles deny by default",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: doc(
        "The defaultAction of seccomp profiles.",
        "An allow-by-default profile filters little.",
        "Use SCMP_ACT_ERRNO as defaultAction.",
    ),
};

pub fn registry() -> Registry {
    let mut r = Registry::new();
    r.register(&[
        &ANON,
        &READ_ONLY_PORT,
        &KUBECONFIG_MODE,
        &PRIVILEGED,
        &TOKEN_AUTOMOUNT,
        &NETPOL_MISSING,
        &AUDIT_EXEC,
        &AKS_LOCAL_ACCOUNTS,
        &SECCOMP_PROFILE,
    ]);
    r.register(&kubeward_core::waiver::checks());
    r
}

const NODE: &str = "aks-nodepool1-12345678-vmss000000";

pub fn report() -> Report {
    let mut r = Report::new("scan");
    let profile = BenchmarkProfile {
        id: "cis-aks-1.8",
        framework: "CIS AKS",
        version: "1.8.0",
        title: "CIS Azure Kubernetes Service (AKS) Benchmark v1.8.0",
    };
    r.profile = Some(ProfileChoice::new(
        &profile,
        "AKS node (azure.json found), Kubernetes 1.29.7 from the kubelet image tag",
    ));
    r.inputs.push(InputInfo {
        kind: "node-root".into(),
        path: "examples/aks-node".into(),
        detail: Some("AKS node, kubelet pid 4242".into()),
    });
    r.inputs.push(InputInfo {
        kind: "manifests".into(),
        path: "examples/cluster".into(),
        detail: Some("14 objects".into()),
    });
    r.input_errors.push(InputError {
        path: "examples/cluster/broken.yaml".into(),
        line: Some(7),
        message: "mapping values are not allowed in this context".into(),
    });

    r.push(
        Finding::new(
            &ANON,
            Status::Fail,
            Resource::new("Node", NODE),
            "anonymous requests are allowed",
        )
        .with_evidence(
            Evidence::observed(
                "true",
                Source::flag("--anonymous-auth", "/proc/4242/cmdline"),
            )
            .with_expected("false")
            .with_note("the command line overrides the config file"),
        )
        .with_evidence(
            Evidence::observed(
                "false",
                Source::file("/etc/default/kubeletconfig.json")
                    .with_line(12)
                    .with_column(7)
                    .with_key("authentication.anonymous.enabled"),
            )
            .with_note("overridden by the flag"),
        ),
    );
    r.push(
        Finding::new(
            &READ_ONLY_PORT,
            Status::Pass,
            Resource::new("Node", NODE),
            "the read-only port is disabled (kubelet default 0)",
        )
        .with_evidence(
            Evidence::observed("0", Source::origin("kubelet default"))
                .with_expected("0")
                .with_note("readOnlyPort is absent: the kubelet default applies"),
        ),
    );
    r.push(
        Finding::new(
            &KUBECONFIG_MODE,
            Status::NotApplicable,
            Resource::new("File", "/var/lib/kubelet/kubeconfig"),
            "the file does not exist: the kubelet uses /var/lib/kubelet/bootstrap-kubeconfig",
        )
        .with_evidence(Evidence::observed(
            "absent",
            Source::flag("--kubeconfig", "/proc/4242/cmdline"),
        )),
    );
    r.push(
        Finding::new(
            &PRIVILEGED,
            Status::Fail,
            Resource::namespaced("Deployment", "shop", "payments"),
            "container `app` runs privileged",
        )
        .with_evidence(
            Evidence::observed(
                "true",
                Source::file("examples/cluster/payments.yaml")
                    .with_line(31)
                    .with_column(13)
                    .with_key("spec.template.spec.containers[0].securityContext.privileged"),
            )
            .with_expected("false or absent"),
        ),
    );
    let mut waived = Finding::new(
        &PRIVILEGED,
        Status::Fail,
        Resource::namespaced("DaemonSet", "kube-system", "csi-driver <node>"),
        "container `driver` runs privileged",
    )
    .with_evidence(Evidence::observed(
        "true",
        Source::file("examples/cluster/csi & driver.yaml")
            .with_line(44)
            .with_key("spec.template.spec.containers[1].securityContext.privileged"),
    ));
    waived.waived = Some(Box::new(Waiver {
        reason: "CSI node plugins need privileged mounts".into(),
        expires: Some("2099-12-31".into()),
        source: Some(".kubeward.yaml:3".into()),
    }));
    r.push(waived);
    r.push(
        Finding::new(
            &TOKEN_AUTOMOUNT,
            Status::Warn,
            Resource::namespaced("ServiceAccount", "shop", "default"),
            "the default service account mounts its token into every pod",
        )
        .with_evidence(
            Evidence::observed("true", Source::origin("Kubernetes default")).with_note(
                "automountServiceAccountToken is absent on the ServiceAccount and the pods",
            ),
        ),
    );
    r.push(Finding::new(
        &NETPOL_MISSING,
        Status::Manual,
        Resource::new("Namespace", "legacy"),
        "no NetworkPolicy found; a Calico GlobalNetworkPolicy may cover it (not in the inputs)",
    ));
    r.push(
        Finding::new(
            &AUDIT_EXEC,
            Status::Info,
            Resource::namespaced("Pod", "shop", "payments-7d9f-abcde"),
            "user alice@example.com opened an interactive shell",
        )
        .with_evidence(Evidence::observed(
            "pods/exec",
            Source::file("logs/audit.json")
                .with_line(1042)
                .with_key("objectRef.subresource"),
        )),
    );
    r.push(
        Finding::new(
            &AKS_LOCAL_ACCOUNTS,
            Status::Error,
            Resource::new("ManagedCluster", "prod-aks"),
            "cannot decide: `properties.disableLocalAccounts` is missing and the API version is unknown",
        )
        .with_evidence(Evidence::observed(
            "absent",
            Source::file("aks/cluster.json").with_key("properties.disableLocalAccounts"),
        )),
    );
    r.push(Finding::new(
        &SECCOMP_PROFILE,
        Status::Pass,
        Resource::new("SeccompProfile", "profiles/app.json"),
        "defaultAction is SCMP_ACT_ERRNO",
    ));
    r.facts.insert(
        "kubelet".into(),
        serde_json::json!({
            "pid": 4242,
            "config": "/etc/default/kubeletconfig.json",
            "featureGates": {"RotateKubeletServerCertificate": true},
            "authorizationMode": "Webhook",
            "tlsCipherSuites": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]
        }),
    );
    r.facts.insert("lsm".into(), serde_json::json!({"apparmor": {"enabled": true, "enforce": 38, "complain": 0}, "selinux": "absent"}));
    r.finish();
    r
}
