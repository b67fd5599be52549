//! Effective seccomp profile of every container (CIS AKS 1.8.0 4.6.2, seccomp part).

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};

use super::{Layer, Requested, effective_seccomp};
use crate::Check;
use crate::ctx::{Ctx, checked_pass, container_label, linux_workloads};

pub static META: CheckMeta = CheckMeta {
    code: "W462",
    name: "seccomp-profile-effective",
    since: "0.1.0",
    aliases: &[],
    title: "Every container runs with a seccomp profile",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.6.2"),
        RefStatic::cis_k8s("1.12.0", "5.6.2"),
        RefStatic::pss("restricted/seccompProfile"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "The seccomp profile each init, regular and ephemeral container really gets: Unconfined if privileged; else the container's `securityContext.seccompProfile`; else the pod's; else the node's kubelet `seccompDefault` (read from `--node-report`; without one, the kubelet and AKS default applies: off, so Unconfined). The old `seccomp.security.alpha.kubernetes.io` annotations are ignored (no effect since Kubernetes 1.25/1.27).",
        why: "An unconfined container can call every system call the kernel offers, including the rarely needed ones behind most container-escape exploits (unshare, keyctl, bpf, userfaultfd…). RuntimeDefault blocks them at almost no compatibility cost.",
        fix: "Set `securityContext: {seccompProfile: {type: RuntimeDefault}}` in the pod template (or `Localhost` with a tested profile). To cover every pod of a node pool, enable the kubelet default on AKS with a custom node configuration: `az aks nodepool add/update ... --kubelet-config linuxkubeletconfig.json` containing `{\"seccompDefault\": \"RuntimeDefault\"}`.",
        links: &[
            "https://kubernetes.io/docs/tutorials/security/seccomp/",
            "https://learn.microsoft.com/azure/aks/secure-container-access",
        ],
        bad: deployment_example!(),
        good: deployment_example!(
            spec: ["securityContext:", "  seccompProfile: {type: RuntimeDefault}"],
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    linux_workloads(
        ctx,
        &META,
        "Windows pod: seccomp does not exist on Windows (Pod Security exempts spec.os.name: windows from it)",
        |t| {
            let mut bad = Vec::new();
            let mut depends = Vec::new();
            for c in t.containers() {
                let s = effective_seccomp(t, &c, &ctx.opts.nodes);
                let source = match &s.pointer {
                    Some(p) => t.object.source(p),
                    None if s.layer == Layer::NodeDefault => {
                        // Where the pod-wide field would go, in the object's own file and line (two
                        // objects of the same name in two files stay two findings), and where the
                        // value comes from instead.
                        let mut src = t
                            .object
                            .source(&t.pointer("/securityContext/seccompProfile"));
                        src.origin = Some(if ctx.opts.nodes.is_empty() {
                            "kubelet default (seccompDefault off; no --node-report given)"
                                .to_string()
                        } else {
                            "node reports (kubelet seccompDefault)".to_string()
                        });
                        src
                    }
                    None => t.object.source(t.spec_pointer),
                };
                let e = Evidence::observed(s.summary.clone(), source)
                    .with_expected("RuntimeDefault or Localhost")
                    .with_note(format!("{} ({})", container_label(&c), s.layer.display()));
                match s.profile {
                    Some(Requested::Unconfined) | Some(Requested::Invalid(_)) => bad.push(e),
                    None => depends.push(e),
                    _ => {}
                }
            }
            if !bad.is_empty() {
                let mut f = Finding::new(
                    &META,
                    Status::Fail,
                    t.object.resource(),
                    format!("{} container(s) run without a seccomp profile", bad.len()),
                );
                f.evidence = bad;
                f.evidence.extend(depends);
                f
            } else if !depends.is_empty() {
                let mut f = Finding::new(
                    &META,
                    // CIS AKS 4.6.2 asks for a profile the node decides here: a person (or a node
                    // report, --node-report) must tell; WARN is not a CIS verdict.
                    Status::Manual,
                    t.object.resource(),
                    "seccomp depends on the node: unconfined on nodes without seccompDefault (give --node-report to judge it)",
                );
                f.evidence = depends;
                f
            } else {
                checked_pass(
                    &META,
                    t,
                    "every container runs with RuntimeDefault or a Localhost profile",
                )
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};
    use crate::profiles::test_node;

    // item 15: a pod on Windows nodes by its nodeSelector only is judged as Linux (what Pod
    // Security does), and the finding says so and what to set; spec.os.name makes it Windows
    #[test]
    fn item15_windows_by_node_selector_is_told_that_pod_security_reads_os_name() {
        let spec = "      nodeSelector: {kubernetes.io/os: windows}\n      containers: [{name: app, image: x}]";
        let f = run_check(
            &deployment("iis", "shop", spec),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].message.starts_with("Windows-node pod judged as Linux"),
            "{}",
            f[0].message
        );
        let hint = &f[0].evidence[0];
        assert_eq!(
            hint.observed.as_deref(),
            Some("nodeSelector kubernetes.io/os: windows")
        );
        assert_eq!(hint.expected.as_deref(), Some("spec.os.name: windows"));
        assert_eq!(hint.source.line, Some(9));
        assert!(hint.note.as_deref().unwrap_or("").contains("seccomp"));
        // the Linux evidence still follows, in the object's own file
        assert!(f[0].evidence[1].source.file.is_some());
        let spec = "      os: {name: windows}\n      containers: [{name: app, image: x}]";
        let f = run_check(
            &deployment("iis", "shop", spec),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f[0].status, Status::NotApplicable);
        assert!(!f[0].message.contains("seccompDefault"), "{}", f[0].message);
        assert_eq!(f[0].evidence[0].source.line, Some(9));
        // Linux pods get no Windows hint
        let f = run_check(
            &deployment("web", "shop", "      containers: [{name: app, image: x}]"),
            &ScanOptions::default(),
            evaluate,
        );
        assert!(!f[0].message.contains("Windows"));
    }

    #[test]
    fn unset_is_unconfined_without_node_reports() {
        let f = run_check(
            &deployment("d", "shop", "      containers: [{name: app, image: x}]"),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].evidence[0]
                .source
                .origin
                .as_deref()
                .unwrap_or("")
                .contains("no --node-report")
        );
    }

    #[test]
    fn node_seccomp_default_makes_unset_pass() {
        let opts = ScanOptions {
            nodes: vec![test_node("n1", Some(true), None)],
            ..Default::default()
        };
        let f = run_check(
            &deployment("d", "shop", "      containers: [{name: app, image: x}]"),
            &opts,
            evaluate,
        );
        assert_eq!(f[0].status, Status::Pass);
    }

    #[test]
    fn pod_runtime_default_passes_but_an_unconfined_init_container_fails() {
        let spec = "      securityContext: {seccompProfile: {type: RuntimeDefault}}\n      containers: [{name: app, image: x}]";
        assert_eq!(
            run_check(
                &deployment("d", "shop", spec),
                &ScanOptions::default(),
                evaluate
            )[0]
            .status,
            Status::Pass
        );
        let spec = "      securityContext: {seccompProfile: {type: RuntimeDefault}}\n      initContainers: [{name: i, image: x, securityContext: {seccompProfile: {type: Unconfined}}}]\n      containers: [{name: app, image: x}]";
        let f = run_check(
            &deployment("d", "shop", spec),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/spec/template/spec/initContainers/0/securityContext/seccompProfile/type")
        );
    }
}
