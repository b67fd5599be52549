//! S210: exec transitions that leave confinement.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::{AppArmorFile, LintOptions, RuleKind, on_rule};

pub static META: CheckMeta = CheckMeta {
    since: "0.1.0",
    aliases: &[],
    code: "S210",
    name: "apparmor-unconfined-exec",
    title: "AppArmor profile runs programs unconfined",
    area: Area::Profiles,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1548")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        bad: "",
        good: "",
        what: "Finds allow rules with exec transitions that can end unconfined: `ux`, `Ux`, and the fallbacks `pux`, `PUx`, `cux`, `CUx`.",
        why: "A program started through such a rule runs with no AppArmor profile at all, so anything that can exec it escapes the profile.",
        fix: "Use `ix` (inherit this profile), or `px`/`cx` to a named profile that exists on the node.",
        links: &[],
    },
};

pub fn evaluate(f: &AppArmorFile, _: &LintOptions) -> Vec<Finding> {
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
    out
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn ix_passes_ux_fails() {
        assert!(
            evaluate(
                &parse("profile a {\n  /bin/sh ix,\n  /usr/bin/x Px,\n}\n"),
                &LintOptions::default()
            )
            .is_empty()
        );
        let r = evaluate(
            &parse("profile a {\n  /bin/sh rux,\n  /usr/bin/y PUx,\n}\n"),
            &LintOptions::default(),
        );
        assert_eq!(r.len(), 2);
    }
}
