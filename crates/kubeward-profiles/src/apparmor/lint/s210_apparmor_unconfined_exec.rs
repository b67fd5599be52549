//! S210: exec transitions that leave confinement.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::{AppArmorFile, Check, LintOptions, RuleKind, on_rule, per_profile};
use crate::examples::{apparmor_web_rules, apparmor_web_start};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S210",
    name: "apparmor-unconfined-exec",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor profile runs programs unconfined",
    area: Area::Profiles,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1548")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Finds allow rules with exec transitions that can end unconfined: `ux`, `Ux`, and the fallbacks `pux`, `PUx`, `cux`, `CUx`.",
        why: "A program started through such a rule runs with no AppArmor profile at all, so anything that can exec it escapes the profile.",
        fix: "Use `ix` (inherit this profile), or `px`/`cx` to a named profile that exists on the node.",
        links: &[],
        bad: concat!(
            apparmor_web_start!(),
            apparmor_web_rules!(),
            r#"  /usr/bin/curl rux,
}
"#
        ),
        good: concat!(
            apparmor_web_start!(),
            apparmor_web_rules!(),
            r#"  /usr/bin/curl rix,
}
"#
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(f: &AppArmorFile, _: &LintOptions) -> Verdict {
    let mut out = Vec::new();
    for p in f.all_profiles() {
        for r in p.rules.iter().filter(|r| !r.q.deny) {
            if let RuleKind::File { path, perms, .. } = &r.kind
                && perms.unconfined_exec()
            {
                out.push(on_rule(
                    &META,
                    Status::Fail,
                    f,
                    p,
                    r,
                    format!(
                        "`{}` runs {path} unconfined ({})",
                        r.text,
                        perms.exec.as_deref().unwrap_or("")
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
    fn ix_passes_ux_fails() {
        assert!(
            eval(
                &parse("profile a {\n  /bin/sh ix,\n  /usr/bin/x Px,\n}\n"),
                &LintOptions::default()
            )
            .is_clean()
        );
        let r = eval(
            &parse("profile a {\n  /bin/sh rux,\n  /usr/bin/y PUx,\n}\n"),
            &LintOptions::default(),
        )
        .into_findings();
        assert_eq!(r.len(), 2);
    }
}
