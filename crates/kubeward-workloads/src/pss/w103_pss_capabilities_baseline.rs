//! `capabilities_baseline` (baseline, v1.0+): containers add only capabilities from the
//! container runtime's default set.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;
use kubeward_inventory::capabilities::PSS_BASELINE_ALLOWED;

use super::{Control, PodView, Violation, quoted};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W103",
    name: "pss-capabilities-baseline",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: only default capabilities are added",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[RefStatic::pss("baseline/capabilities")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "securityContext.capabilities.add of every container lists only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID or SYS_CHROOT.",
        why: "Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE or SYS_MODULE each give a container a path to the host kernel or to other pods' traffic.",
        fix: "Remove the extra capabilities from `securityContext.capabilities.add`; prefer `drop: [\"ALL\"]` plus the one capability needed. Enforce with `pod-security.kubernetes.io/enforce=baseline` on the namespace.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: pod_example!(container: ["securityContext:", "  capabilities: {add: [SYS_ADMIN]}"]),
        good: pod_example!(
            container: ["securityContext:", "  capabilities: {add: [NET_BIND_SERVICE]}"],
        ),
    },
};

pub static CHECK: Check =
    Check::pod_security(Control::baseline("capabilities_baseline", &META, check));

fn check(pod: &PodView<'_>, _minor: u32) -> Option<Violation> {
    let mut parts = Vec::new();
    let mut pointers = Vec::new();
    for c in &pod.containers {
        let Some(add) = c.sc("/capabilities/add").and_then(Value::as_array) else {
            continue;
        };
        let mut bad = Vec::new();
        for (i, cap) in add.iter().enumerate() {
            let name = cap.as_str().unwrap_or("");
            // Exact, case-sensitive names, as the admission controller compares them.
            if !PSS_BASELINE_ALLOWED.contains(&name) {
                bad.push(name);
                pointers.push(c.ptr(&format!("/securityContext/capabilities/add/{i}")));
            }
        }
        if !bad.is_empty() {
            parts.push(format!(
                "container {:?} must not include {} in securityContext.capabilities.add",
                c.name,
                quoted(&bad)
            ));
        }
    }
    (!parts.is_empty()).then(|| {
        Violation::new(
            "capabilities_baseline",
            "non-default capabilities",
            parts.join("; "),
            pointers,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied};

    #[test]
    fn vectors() {
        allowed(
            "capabilities_baseline",
            "containers: [{name: a, securityContext: {capabilities: {add: [CHOWN, NET_BIND_SERVICE], drop: [ALL]}}}]",
            35,
        );
        let v = denied(
            "capabilities_baseline",
            "containers: [{name: a, securityContext: {capabilities: {add: [CHOWN, SYS_ADMIN, chown]}}}]",
            0,
        );
        assert_eq!(v.pointers.len(), 2, "case matters: chown is not CHOWN");
        assert!(v.detail.contains("\"SYS_ADMIN\", \"chown\""));
    }
}
