//! S206: write access to the whole filesystem or to kernel control files.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::{
    Access, AppArmorFile, Check, LintOptions, RuleKind, denied, glob, on_rule, per_profile,
};
use crate::examples::apparmor_web_start;
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S206",
    name: "apparmor-broad-write",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor profile grants broad or sensitive write access",
    area: Area::Profiles,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1611")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Finds explicit allow rules granting write (`w` or `a`) to everything (`/**`, `/{,**}`), to all of /proc or /sys, or to kernel control files: /proc/sys, /proc/sysrq-trigger, /proc/kcore, /sys/kernel/security, /sys/firmware. The bare `file,` rule is judged by S211 instead.",
        why: "A rule like `/** rw,` makes the profile a no-op for file writes, and writes to /proc/sys, sysrq-trigger or securityfs reach the host kernel: changing sysctls, crashing the node, loading or replacing AppArmor policy.",
        fix: "Grant writes only where the workload writes (`/tmp/** rw,`, `/var/cache/app/** rw,`) and add the container denies (`deny @{PROC}/sys/** wklx,`, `deny @{PROC}/sysrq-trigger rwklx,`, `deny /sys/kernel/security/** rwklx,`, `deny /sys/firmware/** rwklx,`).",
        links: &[],
        bad: concat!(
            apparmor_web_start!(),
            r#"  /srv/www/** r,
  @{PROC}/sys/** rw,
}
"#
        ),
        good: concat!(
            apparmor_web_start!(),
            r#"  /srv/www/** r,
  @{PROC}/sys/** r,
}
"#
        ),
    },
};

const EVERYWHERE: [&str; 2] = ["/etc/shadow", "/usr/bin/kubeward-probe"];
const SENSITIVE: &[&str] = &[
    "/proc/sys/kernel/core_pattern",
    "/proc/sysrq-trigger",
    "/proc/kcore",
    "/sys/kernel/security/apparmor/.load",
    "/sys/firmware/efi/efivars/probe",
];

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(f: &AppArmorFile, _: &LintOptions) -> Verdict {
    let mut out = Vec::new();
    for p in f.all_profiles() {
        for r in p.rules.iter().filter(|r| !r.q.deny) {
            let RuleKind::File { path, perms, .. } = &r.kind else {
                continue;
            };
            if !perms.writes() {
                continue;
            }
            if EVERYWHERE.iter().all(|probe| glob::matches(path, probe)) {
                out.push(on_rule(
                    &META,
                    Status::Fail,
                    f,
                    p,
                    r,
                    format!("`{}` grants write to the whole filesystem", r.text),
                ));
                continue;
            }
            let hit: Vec<&str> = SENSITIVE
                .iter()
                .copied()
                .filter(|probe| glob::matches(path, probe) && !denied(p, probe, Access::Write))
                .collect();
            if !hit.is_empty() {
                out.push(on_rule(
                    &META,
                    Status::Fail,
                    f,
                    p,
                    r,
                    format!(
                        "`{}` grants write to kernel control files: {}",
                        r.text,
                        hit.join(", ")
                    ),
                ));
            }
        }
    }
    per_profile(f, out)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn narrow_write_passes() {
        assert!(
            eval(
                &parse("profile a {\n  /tmp/** rw,\n  deny /** w,\n}\n"),
                &LintOptions::default()
            )
            .is_clean()
        );
    }

    #[test]
    fn everything_and_proc_sys_fail() {
        let r = eval(
            &parse("profile a {\n  /** rw,\n  @{PROC}/sys/** w,\n}\n"),
            &LintOptions::default(),
        )
        .into_findings();
        assert_eq!(r.len(), 2);
        assert!(r[0].message.contains("whole filesystem"));
        assert_eq!(r[0].evidence[0].source.line, Some(2));
        assert!(r[1].message.contains("/proc/sys/kernel/core_pattern"));
    }
}
