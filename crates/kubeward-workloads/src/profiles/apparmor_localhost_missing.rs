//! Localhost AppArmor profiles referenced by pods but not loaded on the nodes given to the scan.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};

use super::{Requested, apparmor_missing_on, effective_apparmor};
use crate::ctx::{Ctx, container_label};

pub static META: CheckMeta = CheckMeta {
    code: "W471",
    name: "apparmor-localhost-profile-missing",
    title: "Localhost AppArmor profiles referenced by pods are loaded on the nodes",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[RefStatic::pss("baseline/appArmorProfile")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Every container whose AppArmor profile (container field, container annotation or pod field) is `Localhost`, against the profiles loaded on each node given with `--node-report`. Without node reports the check is MANUAL.",
        why: "Since Kubernetes 1.24 the kubelet no longer checks that the profile is loaded: containerd fails container creation (`apparmor profile not found`) on nodes without it. AppArmor profiles live in the kernel, so a rebooted, reimaged or new node has none of the custom ones.",
        fix: "Load the profile on every node with a DaemonSet (`apparmor_parser -r`) or the Security Profiles Operator (`kubeward profiles install` prints both), then re-run `kubeward node -o json` and pass the reports with `--node-report`.",
        links: &["https://kubernetes.io/docs/tutorials/security/apparmor/"],
    },
};

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    let nodes = &ctx.opts.nodes;
    let mut out = Vec::new();
    for t in ctx.workloads() {
        if !super::mentions_localhost(
            t,
            "appArmorProfile",
            Some(super::APPARMOR_ANNOTATION_PREFIX),
        ) {
            continue;
        }
        let mut missing = Vec::new();
        let mut present = Vec::new();
        for c in t.containers() {
            let a = effective_apparmor(t, &c, nodes);
            let Some(Requested::Localhost(p)) = &a.requested else {
                continue;
            };
            let source = t.object.source(a.pointer.as_deref().unwrap_or(""));
            let label = container_label(&c);
            match apparmor_missing_on(nodes, p) {
                Some(m) if !m.is_empty() => missing.push(
                    Evidence::observed(format!("Localhost {p}"), source)
                        .with_expected(format!("loaded on {}", m.join(", ")))
                        .with_note(format!("{label}: not loaded on {}", m.join(", "))),
                ),
                other => present.push((
                    Evidence::observed(format!("Localhost {p}"), source).with_note(label),
                    other.is_some(),
                )),
            }
        }
        if !missing.is_empty() {
            let mut f = Finding::new(
                &META,
                Status::Fail,
                t.object.resource(),
                "references an AppArmor profile not loaded on nodes: its containers fail to start there",
            );
            f.evidence = missing;
            out.push(f);
        } else if !present.is_empty() {
            let verified = present.iter().all(|(_, v)| *v);
            let mut f = if verified {
                Finding::new(
                    &META,
                    Status::Pass,
                    t.object.resource(),
                    "every Localhost AppArmor profile it uses is loaded on every node given",
                )
            } else {
                Finding::new(
                    &META,
                    Status::Manual,
                    t.object.resource(),
                    "uses a Localhost AppArmor profile: verify it is loaded on every node (give --node-report)",
                )
            };
            f.evidence = present.into_iter().map(|(e, _)| e).collect();
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};
    use crate::profiles::test_node;

    #[test]
    fn annotation_profile_missing_on_node_fails() {
        let yaml = deployment("d", "shop", "      containers: [{name: app, image: x}]").replace(
            "metadata: {labels: {app: d}}",
            "metadata: {labels: {app: d}, annotations: {container.apparmor.security.beta.kubernetes.io/app: localhost/custom-nginx}}",
        );
        let opts = ScanOptions {
            nodes: vec![test_node("n1", None, Some(true))],
            ..Default::default()
        };
        let f = run_check(&yaml, &opts, evaluate);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("not loaded"));
    }

    #[test]
    fn loaded_profile_passes_and_without_nodes_is_manual() {
        let yaml = deployment(
            "d",
            "shop",
            "      containers: [{name: app, image: x, securityContext: {appArmorProfile: {type: Localhost, localhostProfile: k8s-deny-write}}}]",
        );
        let opts = ScanOptions {
            nodes: vec![test_node("n1", None, Some(true))],
            ..Default::default()
        };
        assert_eq!(run_check(&yaml, &opts, evaluate)[0].status, Status::Pass);
        assert_eq!(
            run_check(&yaml, &ScanOptions::default(), evaluate)[0].status,
            Status::Manual
        );
    }
}
