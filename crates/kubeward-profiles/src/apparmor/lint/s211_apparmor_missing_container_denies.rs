//! S211: a profile that allows all files (`file,`) without the container defaults' denies.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{
    Access, AppArmorFile, Check, LintOptions, RuleKind, allowed, at, per_profile, profile_resource,
};
use crate::examples::{apparmor_web_profile, apparmor_web_start};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S211",
    name: "apparmor-missing-container-denies",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor profile allows all files without the container denies",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "For profiles that grant every file access with a bare `file,` rule, checks that kernel control files stay denied as in containerd's `cri-containerd.apparmor.d`: writes to /proc/sys and /proc/sysrq-trigger, reads of /proc/kcore, writes to /sys/kernel/security and /sys/firmware.",
        why: "A custom profile replaces the runtime's default one. Starting from `file,` without its denies gives a pod that asked for a stricter profile less protection than RuntimeDefault: root in the container can write sysctls, trigger sysrq or touch securityfs (subject to its capabilities and read-only mounts).",
        fix: "Add the denies: `deny @{PROC}/sys/** wklx,`, `deny @{PROC}/sysrq-trigger rwklx,`, `deny @{PROC}/kcore rwklx,`, `deny /sys/kernel/security/** rwklx,`, `deny /sys/firmware/** rwklx,` (`kubeward apparmor generate` includes them).",
        links: &[],
        bad: concat!(
            apparmor_web_start!(),
            r#"  file,
  network inet tcp,
}
"#
        ),
        good: apparmor_web_profile!(),
    },
};

const PROBES: &[(&str, Access)] = &[
    ("/proc/sys/kernel/core_pattern", Access::Write),
    ("/proc/sysrq-trigger", Access::Write),
    ("/proc/kcore", Access::Read),
    ("/sys/kernel/security/apparmor/.load", Access::Write),
    ("/sys/firmware/efi/efivars/probe", Access::Write),
];

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(f: &AppArmorFile, _: &LintOptions) -> Verdict {
    let mut out = Vec::new();
    for p in f.all_profiles() {
        let Some(all) = p
            .rules
            .iter()
            .find(|r| !r.q.deny && r.kind == RuleKind::AllFiles)
        else {
            continue;
        };
        let open: Vec<String> = PROBES
            .iter()
            .filter(|(path, access)| allowed(p, path, *access).is_some())
            .map(|(path, access)| {
                format!(
                    "{} {path}",
                    if *access == Access::Read {
                        "read"
                    } else {
                        "write"
                    }
                )
            })
            .collect();
        if !open.is_empty() {
            out.push(
                Finding::new(
                    &META,
                    Status::Warn,
                    profile_resource(f, p),
                    format!(
                        "profile `{}` allows all files and still permits: {}",
                        p.name,
                        open.join(", ")
                    ),
                )
                .with_evidence(
                    Evidence::observed(all.text.clone(), at(f, all.line))
                        .with_expected("deny rules for kernel control files"),
                ),
            );
        }
    }
    per_profile(f, out)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn deny_all_writes_and_kcore_pass() {
        let f = parse("profile a {\n  file,\n  deny /** w,\n  deny @{PROC}/kcore rwkl,\n}\n");
        assert!(eval(&f, &LintOptions::default()).is_clean());
    }

    #[test]
    fn bare_file_warns() {
        let r = eval(&parse("profile a {\n  file,\n}\n"), &LintOptions::default()).into_findings();
        assert_eq!(r.len(), 1);
        assert!(r[0].message.contains("write /proc/sysrq-trigger"));
        // The walkthrough's deny-all-writes profile still lets /proc/kcore be read.
        let r = eval(
            &parse("profile a {\n  file,\n  deny /** w,\n}\n"),
            &LintOptions::default(),
        )
        .into_findings();
        assert!(r[0].message.contains("read /proc/kcore") && !r[0].message.contains("write"));
    }
}
