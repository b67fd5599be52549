//! Pods that ask for an AppArmor profile on nodes without AppArmor (the kubelet rejects them).

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Source, Status,
};

use super::effective_apparmor;
use crate::Check;
use crate::ctx::{Ctx, container_label};

pub static META: CheckMeta = CheckMeta {
    code: "W472",
    name: "apparmor-unavailable-on-node",
    since: "0.1.0",
    aliases: &[],
    title: "Pods that require AppArmor only run where AppArmor is enabled",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[RefStatic::pss("baseline/appArmorProfile")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Workloads with a container whose AppArmor request is anything but Unconfined (RuntimeDefault included), against each node given with `--node-report` whose AppArmor is disabled. Evaluated only when node reports are given.",
        why: "The kubelet rejects such pods on a node without AppArmor (`Cannot enforce AppArmor: AppArmor is not enabled on the host`). On AKS this is the case of Azure Linux 3 node images before 2025-11 and of SELinux-based images: the same manifest runs on Ubuntu pools and fails there.",
        fix: "Schedule the workload only on node pools with AppArmor (a `nodeSelector` on `kubernetes.azure.com/os-sku: Ubuntu`, or upgrade the Azure Linux node image: `az aks nodepool upgrade --node-image-only`), or drop the AppArmor request for pools that use SELinux.",
        links: &["https://kubernetes.io/docs/tutorials/security/apparmor/"],
        bad: deployment_example!(
            container: ["securityContext:", "  appArmorProfile: {type: RuntimeDefault}"],
        ),
        good: deployment_example!(),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    let nodes = &ctx.opts.nodes;
    if nodes.is_empty() {
        return Vec::new();
    }
    let without: Vec<&str> = nodes
        .iter()
        .filter(|n| n.lsm.apparmor.enabled == Some(false))
        .map(|n| n.name.as_str())
        .collect();
    let mut out = Vec::new();
    for t in ctx.workloads() {
        let needs: Vec<Evidence> = t
            .containers()
            .filter_map(|c| {
                let a = effective_apparmor(t, &c, nodes);
                a.requires_apparmor.then(|| {
                    let src = a
                        .pointer
                        .as_deref()
                        .map(|p| t.object.source(p))
                        .unwrap_or_default();
                    Evidence::observed(
                        a.requested
                            .as_ref()
                            .map(|r| r.display())
                            .unwrap_or_default(),
                        src,
                    )
                    .with_note(container_label(&c))
                })
            })
            .collect();
        if needs.is_empty() {
            continue;
        }
        let mut f = if without.is_empty() {
            Finding::new(
                &META,
                Status::Pass,
                t.object.resource(),
                "requires AppArmor; every node given has it enabled",
            )
        } else {
            Finding::new(
                &META,
                Status::Fail,
                t.object.resource(),
                format!(
                    "requires AppArmor, which is disabled on {}: the kubelet rejects the pod there",
                    without.join(", ")
                ),
            )
            .with_evidence(
                Evidence::observed(
                    format!("AppArmor disabled on {}", without.join(", ")),
                    Source::origin("node reports"),
                )
                .with_expected("enabled"),
            )
        };
        f.evidence.extend(needs);
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};
    use crate::profiles::test_node;

    const RD: &str = "      securityContext: {appArmorProfile: {type: RuntimeDefault}}\n      containers: [{name: app, image: x}]";

    #[test]
    fn runtime_default_on_a_node_without_apparmor_fails() {
        let opts = ScanOptions {
            nodes: vec![
                test_node("azl", None, Some(false)),
                test_node("ubu", None, Some(true)),
            ],
            ..Default::default()
        };
        let f = run_check(&deployment("d", "shop", RD), &opts, evaluate);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("azl") && !f[0].message.contains("ubu"));
    }

    #[test]
    fn apparmor_nodes_pass_unconfined_needs_nothing_and_no_nodes_no_finding() {
        let opts = ScanOptions {
            nodes: vec![test_node("ubu", None, Some(true))],
            ..Default::default()
        };
        assert_eq!(
            run_check(&deployment("d", "shop", RD), &opts, evaluate)[0].status,
            Status::Pass
        );
        let unconf = "      securityContext: {appArmorProfile: {type: Unconfined}}\n      containers: [{name: app, image: x}]";
        let off = ScanOptions {
            nodes: vec![test_node("azl", None, Some(false))],
            ..Default::default()
        };
        assert!(run_check(&deployment("d", "shop", unconf), &off, evaluate).is_empty());
        assert!(
            run_check(
                &deployment("d", "shop", RD),
                &ScanOptions::default(),
                evaluate
            )
            .is_empty()
        );
    }
}
