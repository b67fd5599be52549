//! CIS AKS 1.8.0 4.6.2: apply a security context to pods and containers.
//! (Seccomp, also part of 4.6.2, is judged on the effective profile by `seccomp-profile-effective`.)

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};
use kubeward_inventory::Value;
use kubeward_inventory::{Container, PodTemplate};

use crate::Check;
use crate::ctx::{Ctx, checked_pass, container_label, linux_workloads};

pub static META: CheckMeta = CheckMeta {
    code: "W461",
    name: "security-context-applied",
    since: "0.1.0",
    aliases: &[],
    title: "Pods and containers apply a hardening security context",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.6.2"),
        RefStatic::cis_aks("1.7.0", "4.6.2"),
        RefStatic::pss("restricted"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "For every init, regular and ephemeral container, the effective values (container field over pod field) of: `runAsNonRoot: true` (or a non-zero `runAsUser`), `readOnlyRootFilesystem: true` and `capabilities.drop` containing `ALL`. Privilege escalation and seccomp are judged by their own checks (W424, W462). Windows pods are not applicable.",
        why: "Containers run as root with a writable filesystem and the runtime's default capability set unless told otherwise; each of these settings removes a step an attacker needs after compromising the application.",
        fix: "Add to the pod template: `securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}` and to each container `securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}` (mount an `emptyDir` where the application writes). Enforce with `pod-security.kubernetes.io/enforce=restricted` on the namespace.",
        links: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
        bad: deployment_example!(),
        good: deployment_example!(
            spec: ["securityContext: {runAsNonRoot: true}"],
            container: [
                "securityContext:",
                "  readOnlyRootFilesystem: true",
                "  allowPrivilegeEscalation: false",
                "  capabilities: {drop: [ALL]}",
            ],
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

fn pod_sc<'a>(t: &PodTemplate<'a>, f: &str) -> Option<&'a Value> {
    t.spec.get("securityContext")?.get(f)
}

fn ctr_sc<'a>(c: &Container<'a>, f: &str) -> Option<&'a Value> {
    c.value.get("securityContext")?.get(f)
}

/// What one container lacks, with evidence per missing setting.
fn missing(t: &PodTemplate<'_>, c: &Container<'_>) -> Vec<Evidence> {
    let label = container_label(c);
    let mut out = Vec::new();
    // Non-root: container runAsNonRoot/runAsUser override the pod's.
    let non_root = match (
        ctr_sc(c, "runAsNonRoot").and_then(Value::as_bool),
        ctr_sc(c, "runAsUser").and_then(Value::as_i64),
    ) {
        (_, Some(0)) => Some(("runAsUser 0", c.pointer("/securityContext/runAsUser"))),
        (Some(false), _) => Some((
            "runAsNonRoot false",
            c.pointer("/securityContext/runAsNonRoot"),
        )),
        (Some(true), _) | (None, Some(_)) => None,
        (None, None) => match (
            pod_sc(t, "runAsNonRoot").and_then(Value::as_bool),
            pod_sc(t, "runAsUser").and_then(Value::as_i64),
        ) {
            (_, Some(0)) => Some(("pod runAsUser 0", t.pointer("/securityContext/runAsUser"))),
            (Some(true), _) | (None, Some(_)) => None,
            (Some(false), _) => Some((
                "pod runAsNonRoot false",
                t.pointer("/securityContext/runAsNonRoot"),
            )),
            (None, None) => Some((
                "absent (image user, often root)",
                c.pointer("/securityContext/runAsNonRoot"),
            )),
        },
    };
    if let Some((obs, ptr)) = non_root {
        out.push(
            Evidence::observed(obs, t.object.source(&ptr))
                .with_expected("runAsNonRoot: true")
                .with_note(format!("{label}: may run as root")),
        );
    }
    if ctr_sc(c, "readOnlyRootFilesystem").and_then(Value::as_bool) != Some(true) {
        out.push(
            Evidence::observed(
                "absent or false",
                t.object
                    .source(&c.pointer("/securityContext/readOnlyRootFilesystem")),
            )
            .with_expected("true")
            .with_note(format!("{label}: writable root filesystem")),
        );
    }
    let drops_all = c
        .value
        .pointer("/securityContext/capabilities/drop")
        .and_then(Value::as_array)
        .is_some_and(|d| d.iter().any(|v| v.as_str() == Some("ALL")));
    if !drops_all {
        out.push(
            Evidence::observed(
                "ALL not dropped",
                t.object
                    .source(&c.pointer("/securityContext/capabilities/drop")),
            )
            .with_expected("[ALL]")
            .with_note(format!("{label}: keeps the runtime's default capabilities")),
        );
    }
    out
}

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    linux_workloads(
        ctx,
        &META,
        "Windows pod: Linux security context settings do not apply (Windows uses windowsOptions.runAsUserName; Linux capabilities do not exist there)",
        |t| {
            let evidence: Vec<Evidence> = t.containers().flat_map(|c| missing(t, &c)).collect();
            if evidence.is_empty() {
                return checked_pass(
                    &META,
                    t,
                    "every container runs as non-root with a read-only root filesystem and drops ALL capabilities",
                );
            }
            let mut f = Finding::new(
                &META,
                Status::Fail,
                t.object.resource(),
                format!("{} hardening setting(s) missing", evidence.len()),
            );
            f.evidence = evidence;
            f
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};

    #[test]
    fn bare_container_misses_three_settings() {
        let f = run_check(
            &deployment("d", "shop", "      containers: [{name: app, image: nginx}]"),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].evidence.len(), 3);
    }

    #[test]
    fn hardened_pod_passes_with_pod_level_non_root() {
        let spec = "      securityContext: {runAsNonRoot: true}\n      containers: [{name: app, image: nginx, securityContext: {readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}}]";
        let f = run_check(
            &deployment("d", "shop", spec),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f[0].status, Status::Pass, "{:#?}", f[0].evidence);
    }

    #[test]
    fn container_run_as_user_zero_overrides_pod_non_root() {
        let spec = "      securityContext: {runAsNonRoot: true}\n      containers: [{name: app, image: nginx, securityContext: {runAsUser: 0, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}}]";
        let f = run_check(
            &deployment("d", "shop", spec),
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/spec/template/spec/containers/0/securityContext/runAsUser")
        );
    }
}
