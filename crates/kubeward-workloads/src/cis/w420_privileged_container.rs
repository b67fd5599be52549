//! CIS AKS 1.8.0 4.2.1: minimise the admission of privileged containers.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity};

use super::pod_checks::{container_flag, per_container};
use crate::Check;
use crate::ctx::{Ctx, container_label};

pub static META: CheckMeta = CheckMeta {
    code: "W420",
    name: "privileged-container",
    since: "0.1.0",
    aliases: &[],
    title: "No container runs privileged",
    area: Area::Workloads,
    severity: Severity::Critical,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.2.1"),
        RefStatic::cis_aks("1.7.0", "4.2.1"),
        RefStatic::pss("baseline/privileged"),
        RefStatic::mitre("T1611"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`securityContext.privileged` of every init, regular and ephemeral container of every workload (Pods, Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, ReplicaSets, ReplicationControllers, Argo Rollouts).",
        why: "A privileged container has every capability, every device of the host and no seccomp or AppArmor confinement: it is root on the node.",
        fix: "Remove `privileged: true` and add only the capabilities needed. Enforce it: `kubectl label namespace NS pod-security.kubernetes.io/enforce=baseline`, or assign the Azure Policy built-in \"Kubernetes cluster should not allow privileged containers\" with the AKS Azure Policy add-on (`az aks enable-addons --addons azure-policy`).",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: deployment_example!(container: ["securityContext: {privileged: true}"]),
        good: deployment_example!(container: ["securityContext: {privileged: false}"]),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    per_container(
        ctx,
        &META,
        |t, c| {
            (container_flag(c, "privileged") == Some(true)).then(|| {
                Evidence::observed(
                    "true",
                    t.object.source(&c.pointer("/securityContext/privileged")),
                )
                .with_expected("false or unset")
                .with_note(container_label(c))
            })
        },
        "privileged container",
        "no container is privileged",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};
    use kubeward_core::Status;

    #[test]
    fn privileged_init_container_fails_with_its_path() {
        let input = deployment(
            "web",
            "shop",
            "      initContainers: [{name: setup, image: busybox, securityContext: {privileged: true}}]\n      containers: [{name: app, image: nginx}]",
        );
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/spec/template/spec/initContainers/0/securityContext/privileged")
        );
        assert!(f[0].message.contains("init container setup"));
    }

    #[test]
    fn unprivileged_or_false_passes_and_kube_system_is_judged() {
        let input = deployment(
            "web",
            "shop",
            "      containers: [{name: app, image: nginx, securityContext: {privileged: false}}]",
        );
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(f[0].status, Status::Pass);
        let sys = deployment(
            "cni",
            "kube-system",
            "      containers: [{name: app, image: x, securityContext: {privileged: true}}]",
        );
        // kube-system in a manifest is the author's choice: judged like any namespace.
        let shown = run_check(&sys, &ScanOptions::default(), evaluate);
        assert_eq!(shown[0].status, Status::Fail);
    }

    #[test]
    fn ephemeral_containers_are_checked() {
        let input = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers: [{name: app, image: nginx}]\n  ephemeralContainers: [{name: debug, image: busybox, securityContext: {privileged: true}}]\n";
        let f = run_check(input, &ScanOptions::default(), evaluate);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/spec/ephemeralContainers/0/securityContext/privileged")
        );
    }
}
