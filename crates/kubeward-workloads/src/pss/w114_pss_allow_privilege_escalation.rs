//! `allowPrivilegeEscalation` (restricted, v1.8+; Windows pods exempt from v1.25): every
//! container sets `allowPrivilegeEscalation: false`.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W114",
    name: "pss-allow-privilege-escalation",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security (restricted): privilege escalation is disabled",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("restricted/allowPrivilegeEscalation")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "securityContext.allowPrivilegeEscalation is explicitly false on every init, regular and ephemeral container (policy v1.8+; pods with spec.os.name: windows are exempt from v1.25). Unset means true.",
        why: "Without no_new_privs a process can gain privileges through setuid binaries or file capabilities inside the image.",
        fix: "Add `securityContext.allowPrivilegeEscalation: false` to every container, init containers included.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
        bad: pod_example!(container: ["securityContext: {allowPrivilegeEscalation: true}"]),
        good: pod_example!(container: ["securityContext: {allowPrivilegeEscalation: false}"]),
    },
};

pub static CHECK: Check =
    Check::pod_security(Control::restricted("allowPrivilegeEscalation", &META, check).since(8));

fn check(pod: &PodView<'_>, minor: u32) -> Option<Violation> {
    if minor >= 25 && pod.is_windows() {
        return None;
    }
    Violation::per_container_field(
        pod,
        "allowPrivilegeEscalation",
        "allowPrivilegeEscalation != false",
        "allowPrivilegeEscalation",
        |v| v.and_then(Value::as_bool) != Some(false),
        "must set securityContext.allowPrivilegeEscalation=false",
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied, run};

    #[test]
    fn vectors() {
        allowed(
            "allowPrivilegeEscalation",
            "containers: [{name: a, securityContext: {allowPrivilegeEscalation: false}}]",
            8,
        );
        let v = run("allowPrivilegeEscalation", "initContainers: [{name: i}]\ncontainers: [{name: a, securityContext: {allowPrivilegeEscalation: false}}]", 8).expect("unset means true");
        assert_eq!(
            v.pointers,
            vec!["/spec/initContainers/0/securityContext/allowPrivilegeEscalation"]
        );
        let win = "os: {name: windows}\ncontainers: [{name: a}]";
        denied("allowPrivilegeEscalation", win, 24);
        allowed("allowPrivilegeEscalation", win, 25);
    }
}
