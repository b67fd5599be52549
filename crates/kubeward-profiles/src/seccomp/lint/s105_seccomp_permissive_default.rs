//! S105: an allow-by-default profile (a deny list): everything not named runs, including syscalls
//! added to the kernel later.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::{Check, Profile, finding};
use crate::examples::{seccomp_allow_head, seccomp_minimal};
use crate::seccomp::effective::{Class, Effective};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S105",
    name: "seccomp-permissive-default",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp profile allows by default",
    area: Area::Profiles,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1611")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Checks `defaultAction`: SCMP_ACT_ALLOW or SCMP_ACT_LOG make the profile a deny list. Counts what it really denies once containerd and runc have dropped what they ignore.",
        why: "A deny list blocks only what its author thought of: every syscall not listed (mount, bpf, unshare, keyctl, and every syscall a newer kernel adds) stays open. It is weaker than the runtime's own default profile, so such a Localhost profile usually lowers a pod's protection.",
        fix: "Start from an allow list: `kubeward seccomp generate --from strace.txt --base runtime-default` (defaultAction SCMP_ACT_ERRNO with the runtime default's allowed syscalls plus what the workload uses), then add denies. If you only need the runtime default, use `seccompProfile: {type: RuntimeDefault}` or AKS's `seccompDefault: RuntimeDefault` kubelet setting instead of a custom file.",
        links: &["https://kubernetes.io/docs/tutorials/security/seccomp/"],
        bad: concat!(
            seccomp_allow_head!(),
            r#"    {"names": ["chmod", "fchmod", "fchmodat", "fchmodat2"], "action": "SCMP_ACT_ERRNO"}
  ]
}"#
        ),
        good: seccomp_minimal!(),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    if !p.default_action.lets_through() {
        return Verdict::Clean;
    }
    let arch = p.effective_arches()[0];
    let e = Effective::of(p, arch);
    let denied: Vec<String> = e
        .syscalls
        .keys()
        .filter(|n| e.class(n) != Class::Allowed)
        .cloned()
        .collect();
    let what = if denied.is_empty() {
        "it denies nothing at all as containerd reads it".to_string()
    } else {
        format!(
            "it denies only {} syscall(s) on {} ({})",
            denied.len(),
            arch.scmp_name(),
            denied.join(", ")
        )
    };
    Verdict::Problems(vec![finding(
        &META,
        Status::Fail,
        p,
        format!(
            "defaultAction is {}: every syscall not named is allowed, and {what}",
            p.default_action.as_str()
        ),
        p.default_action.as_str(),
        p.default_action_line,
        "/defaultAction",
    )])
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn deny_default_passes() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn allow_default_counts_real_denies() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod","chmodat"],"action":"SCMP_ACT_ERRNO"}]}"#,
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("denies only 1 syscall(s) on SCMP_ARCH_X86_64 (chmod)"),
            "{}",
            f[0].message
        );
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_LOG","syscalls":[{"name":"chmod","action":"SCMP_ACT_ERRNO"}]}"#,
        );
        assert!(
            eval(&p).into_findings()[0]
                .message
                .contains("denies nothing at all")
        );
    }
}
