//! CIS AKS 1.8.0 4.2.5: minimise the admission of containers with allowPrivilegeEscalation.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};
use kubeward_inventory::capabilities;
use kubeward_inventory::{Container, PodTemplate};

use super::pod_checks::{added_capabilities, container_flag};
use crate::Check;
use crate::ctx::{Ctx, checked_pass, container_label, linux_workloads};

pub static META: CheckMeta = CheckMeta {
    code: "W424",
    name: "allow-privilege-escalation",
    since: "0.1.0",
    aliases: &[],
    title: "Containers do not allow privilege escalation",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.2.5"),
        RefStatic::cis_aks("1.7.0", "4.2.5"),
        RefStatic::pss("restricted/allowPrivilegeEscalation"),
        RefStatic::mitre("T1548"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "The effective privilege-escalation setting of every init, regular and ephemeral container. Only an explicit `allowPrivilegeEscalation: false` sets the kernel's `no_new_privs` flag; when the field is absent the runtime leaves escalation allowed. A privileged container or one that adds `CAP_SYS_ADMIN` always allows it (the API rejects `false` together with either). Windows pods are not applicable.",
        why: "Without `no_new_privs`, a process can gain privileges through setuid/setgid binaries or file capabilities inside the image, turning an application compromise into root in the container.",
        fix: "Set `securityContext.allowPrivilegeEscalation: false` on every container (including init containers), and do not run privileged or add SYS_ADMIN. Enforce with `kubectl label namespace NS pod-security.kubernetes.io/enforce=restricted` or the Azure Policy built-in \"Kubernetes clusters should not allow container privilege escalation\".",
        links: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
        bad: deployment_example!(container: ["securityContext: {allowPrivilegeEscalation: true}"]),
        good: deployment_example!(
            container: ["securityContext: {allowPrivilegeEscalation: false}"],
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

/// Effective setting of one container and why; `None` when escalation is blocked.
pub fn escalation_allowed(t: &PodTemplate<'_>, c: &Container<'_>) -> Option<Evidence> {
    let label = container_label(c);
    if container_flag(c, "privileged") == Some(true) {
        return Some(
            Evidence::observed(
                "true (privileged)",
                t.object.source(&c.pointer("/securityContext/privileged")),
            )
            .with_expected("not privileged, allowPrivilegeEscalation false")
            .with_note(format!(
                "{label}: privileged containers always allow escalation"
            )),
        );
    }
    if let Some(i) = added_capabilities(c)
        .iter()
        .position(|cap| capabilities::canonical(cap) == "SYS_ADMIN")
    {
        return Some(
            Evidence::observed(
                "true (adds SYS_ADMIN)",
                t.object
                    .source(&c.pointer(&format!("/securityContext/capabilities/add/{i}"))),
            )
            .with_expected("no SYS_ADMIN, allowPrivilegeEscalation false")
            .with_note(format!("{label}: CAP_SYS_ADMIN always allows escalation")),
        );
    }
    let pointer = c.pointer("/securityContext/allowPrivilegeEscalation");
    match container_flag(c, "allowPrivilegeEscalation") {
        Some(false) => None,
        Some(true) => Some(
            Evidence::observed("true", t.object.source(&pointer))
                .with_expected("false")
                .with_note(label),
        ),
        None => Some(
            Evidence::observed("absent (escalation allowed)", t.object.source(&pointer))
                .with_expected("false")
                .with_note(format!(
                    "{label}: unset, the runtime does not set no_new_privs"
                )),
        ),
    }
}

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    linux_workloads(
        ctx,
        &META,
        "Windows pod: allowPrivilegeEscalation (no_new_privs) does not exist on Windows (Pod Security exempts spec.os.name: windows from it)",
        |t| {
            let evidence: Vec<Evidence> = t
                .containers()
                .filter_map(|c| escalation_allowed(t, &c))
                .collect();
            if evidence.is_empty() {
                return checked_pass(
                    &META,
                    t,
                    "every container sets allowPrivilegeEscalation: false",
                );
            }
            let who: Vec<String> = evidence
                .iter()
                .filter_map(|e| e.note.as_deref())
                .map(|n| n.split(':').next().unwrap_or(n).to_string())
                .collect();
            let mut f = Finding::new(
                &META,
                Status::Fail,
                t.object.resource(),
                format!("privilege escalation allowed in {}", who.join(", ")),
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

    fn run(spec: &str) -> Vec<Finding> {
        run_check(
            &deployment("d", "shop", spec),
            &ScanOptions::default(),
            evaluate,
        )
    }

    #[test]
    fn absent_means_allowed() {
        let f = run("      containers: [{name: app, image: nginx}]");
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].evidence[0]
                .observed
                .as_deref()
                .unwrap_or("")
                .starts_with("absent")
        );
    }

    #[test]
    fn explicit_false_everywhere_passes_but_one_init_container_without_it_fails() {
        let f = run(
            "      containers: [{name: app, image: nginx, securityContext: {allowPrivilegeEscalation: false}}]",
        );
        assert_eq!(f[0].status, Status::Pass);
        let f = run(
            "      initContainers: [{name: init, image: busybox}]\n      containers: [{name: app, image: nginx, securityContext: {allowPrivilegeEscalation: false}}]",
        );
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("init container init"));
    }

    #[test]
    fn privileged_or_sys_admin_override_false() {
        let f = run(
            "      containers: [{name: app, image: nginx, securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [NET_BIND_SERVICE, SYS_ADMIN]}}}]",
        );
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/spec/template/spec/containers/0/securityContext/capabilities/add/1")
        );
        let f = run(
            "      containers: [{name: app, image: nginx, securityContext: {privileged: true}}]",
        );
        assert_eq!(
            f[0].evidence[0].observed.as_deref(),
            Some("true (privileged)")
        );
    }

    #[test]
    fn windows_pods_are_not_applicable() {
        let f = run("      os: {name: windows}\n      containers: [{name: app, image: iis}]");
        assert_eq!(f[0].status, Status::NotApplicable);
    }
}
