//! `seLinuxOptions` (baseline, v1.0+; v1.31 allows `container_engine_t`): only the container
//! SELinux types, and no custom user or role.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::view::str_of;
use super::{Control, PodView, Violation};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W108",
    name: "pss-selinux-options",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: SELinux options stay within the container types",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("baseline/seLinuxOptions")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "seLinuxOptions.type (pod and containers) is empty, container_t, container_init_t, container_kvm_t or (policy v1.31+) container_engine_t; seLinuxOptions.user and .role are empty.",
        why: "A custom SELinux type, user or role can lift the MAC confinement of the container (e.g. spc_t is unconfined).",
        fix: "Remove seLinuxOptions.user/role and any non-container type. AKS Linux nodes do not run SELinux in enforcing mode, so these fields rarely have a purpose there.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: pod_example!(container: ["securityContext:", "  seLinuxOptions: {type: spc_t}"]),
        good: pod_example!(
            container: ["securityContext:", "  seLinuxOptions: {type: container_t}"],
        ),
    },
};

pub static CHECK: Check = Check::pod_security(Control::baseline("seLinuxOptions", &META, check));

fn allowed_type(t: &str, minor: u32) -> bool {
    matches!(
        t,
        "" | "container_t" | "container_init_t" | "container_kvm_t"
    ) || (minor >= 31 && t == "container_engine_t")
}

/// Problems of one seLinuxOptions object, with the pointers (relative to it).
fn problems(opts: &Value, minor: u32) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    if let Some(t) = str_of(opts.get("type"))
        && !allowed_type(t, minor)
    {
        out.push((format!("type {t:?}"), "/type"));
    }
    for (field, ptr) in [("user", "/user"), ("role", "/role")] {
        if let Some(v) = str_of(opts.get(field))
            && !v.is_empty()
        {
            out.push((format!("{field} {v:?}"), ptr));
        }
    }
    out
}

fn check(pod: &PodView<'_>, minor: u32) -> Option<Violation> {
    let mut parts = Vec::new();
    let mut pointers = Vec::new();
    // `who` set these options, found at `options_pointer`.
    let mut record = |who: String, opts: &Value, options_pointer: String| {
        let p = problems(opts, minor);
        if !p.is_empty() {
            parts.push(format!(
                "{who} set forbidden securityContext.seLinuxOptions: {}",
                p.iter()
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
            pointers.extend(p.iter().map(|(_, f)| format!("{options_pointer}{f}")));
        }
    };
    if let Some(opts) = pod.sc("/seLinuxOptions") {
        record(
            "pod".to_string(),
            opts,
            pod.ptr("/securityContext/seLinuxOptions"),
        );
    }
    for c in &pod.containers {
        if let Some(opts) = c.sc("/seLinuxOptions") {
            record(
                format!("container {:?}", c.name),
                opts,
                c.ptr("/securityContext/seLinuxOptions"),
            );
        }
    }
    (!parts.is_empty()).then(|| {
        Violation::new(
            "seLinuxOptions",
            "seLinuxOptions",
            parts.join(", "),
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
            "seLinuxOptions",
            "securityContext: {seLinuxOptions: {type: container_init_t, level: \"s0:c1\"}}\ncontainers: [{name: a}]",
            0,
        );
        denied(
            "seLinuxOptions",
            "containers: [{name: a, securityContext: {seLinuxOptions: {type: container_engine_t}}}]",
            30,
        );
        allowed(
            "seLinuxOptions",
            "containers: [{name: a, securityContext: {seLinuxOptions: {type: container_engine_t}}}]",
            31,
        );
        let v = denied(
            "seLinuxOptions",
            "containers: [{name: a, securityContext: {seLinuxOptions: {user: sysadm_u, role: r}}}]",
            35,
        );
        assert_eq!(v.pointers.len(), 2);
    }
}
