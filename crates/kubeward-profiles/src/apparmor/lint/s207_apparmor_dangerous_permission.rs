//! S207: capabilities and operations that undo container isolation.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};
use kubeward_inventory::capabilities::{HOST_ESCAPE, canonical, in_set};

use super::{AppArmorFile, Check, LintOptions, ProfileBlock, Rule, RuleKind, on_rule, per_profile};
use crate::examples::{apparmor_web_rules, apparmor_web_start};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S207",
    name: "apparmor-dangerous-permission",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor profile allows dangerous capabilities or mounts",
    area: Area::Profiles,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1611")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Finds allow rules for sys_admin, sys_module, sys_rawio, sys_ptrace, sys_boot, dac_read_search, mac_admin, mac_override, bpf and perfmon (named grants fail; a bare `capability,`, as in the runtime's default profile, warns because only the container's capability set then limits them), `mount` and `pivot_root` rules, and raw or packet network access, when no deny rule takes them back.",
        why: "AppArmor is the layer that still stops a container that gained a capability. Granting sys_admin or mount re-opens mounting host filesystems; mac_admin lets the container replace its own profile; sys_module and sys_rawio reach the kernel and hardware directly.",
        fix: "Remove the grant or add an explicit deny (`deny capability sys_admin,`, `deny mount,`). If the workload truly needs one, confine it with a dedicated profile and document why.",
        links: &[],
        bad: concat!(
            apparmor_web_start!(),
            apparmor_web_rules!(),
            r#"  capability net_bind_service sys_admin,
}
"#
        ),
        good: concat!(
            apparmor_web_start!(),
            apparmor_web_rules!(),
            r#"  capability net_bind_service,
}
"#
        ),
    },
};

/// The capabilities that undo container isolation (the shared host-escape set), spelled as
/// AppArmor rules name them (`sys_admin`).
pub fn dangerous_caps() -> Vec<String> {
    HOST_ESCAPE.iter().map(|c| c.to_ascii_lowercase()).collect()
}

/// Does a capability rule name `cap` (any spelling)?
fn names(rule_caps: &[String], cap: &str) -> bool {
    rule_caps.iter().any(|x| canonical(x) == canonical(cap))
}

fn cap_denied(p: &ProfileBlock, cap: &str) -> bool {
    p.rules.iter().any(|r| {
        r.q.deny && matches!(&r.kind, RuleKind::Capability(c) if c.is_empty() || names(c, cap))
    })
}

fn kind_denied(p: &ProfileBlock, pred: fn(&Rule) -> bool) -> bool {
    p.rules.iter().any(|r| r.q.deny && pred(r))
}

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(f: &AppArmorFile, _: &LintOptions) -> Verdict {
    let mut out = Vec::new();
    for p in f.all_profiles() {
        for r in p.rules.iter().filter(|r| !r.q.deny) {
            match &r.kind {
                RuleKind::Capability(caps) => {
                    let granted: Vec<String> = if caps.is_empty() {
                        dangerous_caps()
                    } else {
                        caps.iter()
                            .filter(|c| in_set(HOST_ESCAPE, c))
                            .cloned()
                            .collect()
                    };
                    let open: Vec<String> =
                        granted.into_iter().filter(|c| !cap_denied(p, c)).collect();
                    if open.is_empty() {
                        continue;
                    }
                    if caps.is_empty() {
                        // The runtime default profiles are written this way: AppArmor then leaves
                        // capabilities to the container's own set (securityContext), which stops
                        // being a limit the day a pod adds one or runs privileged.
                        out.push(
                            on_rule(
                                &META,
                                Status::Warn,
                                f,
                                p,
                                r,
                                format!(
                                    "`{}` allows every capability the container holds, including {}: only the pod's securityContext keeps them out",
                                    r.text,
                                    open.join(", ")
                                ),
                            )
                            .with_severity(Severity::Medium),
                        );
                    } else {
                        let mut finding = on_rule(
                            &META,
                            Status::Fail,
                            f,
                            p,
                            r,
                            format!("`{}` allows {}", r.text, open.join(", ")),
                        );
                        if ["SYS_ADMIN", "MAC_ADMIN", "SYS_MODULE"]
                            .iter()
                            .any(|worst| names(&open, worst))
                        {
                            finding = finding.with_severity(Severity::Critical);
                        }
                        out.push(finding);
                    }
                }
                RuleKind::Mount(_) if !kind_denied(p, |r| matches!(r.kind, RuleKind::Mount(_))) => {
                    out.push(on_rule(
                        &META,
                        Status::Fail,
                        f,
                        p,
                        r,
                        format!(
                            "`{}` allows mounting (containers should `deny mount,`)",
                            r.text
                        ),
                    ));
                }
                RuleKind::PivotRoot
                    if !kind_denied(p, |r| matches!(r.kind, RuleKind::PivotRoot)) =>
                {
                    out.push(on_rule(
                        &META,
                        Status::Fail,
                        f,
                        p,
                        r,
                        format!("`{}` allows pivot_root", r.text),
                    ));
                }
                RuleKind::Network(words) => {
                    let raw = words.is_empty() || words.iter().any(|w| w == "raw" || w == "packet");
                    let closed = kind_denied(
                        p,
                        |r| matches!(&r.kind, RuleKind::Network(w) if w.iter().any(|x| x == "raw" || x == "packet")),
                    );
                    if raw && !closed {
                        let what = if words.is_empty() {
                            "all network access, raw and packet sockets included"
                        } else {
                            "raw or packet sockets"
                        };
                        out.push(
                            on_rule(&META, Status::Warn, f, p, r, format!("`{}` allows {what} (packet crafting and sniffing; needs CAP_NET_RAW too)", r.text))
                                .with_severity(Severity::Low),
                        );
                    }
                }
                _ => {}
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
    fn harmless_caps_and_denied_ones_pass() {
        let f = parse(
            "profile a {\n  capability net_bind_service,\n  capability,\n  deny capability sys_admin sys_module sys_rawio sys_ptrace sys_boot dac_read_search mac_admin mac_override bpf perfmon,\n  network inet tcp,\n}\n",
        );
        assert!(eval(&f, &LintOptions::default()).is_clean());
    }

    #[test]
    fn bare_capability_like_the_runtime_default_warns() {
        let f = parse("profile a {\n  capability,\n  deny capability sys_admin,\n}\n");
        let r = eval(&f, &LintOptions::default()).into_findings();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].status, Status::Warn);
        assert_eq!(r[0].severity, Severity::Medium);
        assert!(r[0].message.contains("sys_module") && !r[0].message.contains("sys_admin"));
    }

    #[test]
    fn sys_admin_and_mount_fail() {
        let f = parse("profile a {\n  capability sys_admin,\n  mount,\n  network,\n}\n");
        let r = eval(&f, &LintOptions::default()).into_findings();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].severity, Severity::Critical);
        assert!(r[1].message.contains("mounting"));
        assert_eq!(r[2].status, Status::Warn);
    }
}
