//! S208: `audit` used where `audit deny` was meant (and quiet deny rules).

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{
    AppArmorFile, Check, LintOptions, RuleKind, at, on_rule, per_profile, profile_resource,
};
use crate::examples::{apparmor_web_rules, apparmor_web_start};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S208",
    name: "apparmor-audit-is-not-deny",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor `audit` rule allows what it logs",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Finds `audit` rules without `deny` that grant write or exec, and notes profiles whose deny rules are all silent.",
        why: "`audit /etc/** w,` does not block anything: it allows the writes and logs them. To forbid and log, the rule is `audit deny`. Conversely a plain `deny` rule is quiet: blocked attempts leave no audit record, so an attack against the profile goes unseen.",
        fix: "Write `audit deny PATH PERMS,` for accesses you want both blocked and recorded; keep plain `deny` only for noisy, expected denials.",
        links: &[],
        bad: concat!(
            apparmor_web_start!(),
            apparmor_web_rules!(),
            r#"  audit /etc/** w,
}
"#
        ),
        good: concat!(
            apparmor_web_start!(),
            apparmor_web_rules!(),
            r#"  audit deny /etc/** w,
}
"#
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(f: &AppArmorFile, _: &LintOptions) -> Verdict {
    let mut out = Vec::new();
    for p in f.all_profiles() {
        for r in p.rules.iter().filter(|r| r.q.audit && !r.q.deny) {
            if let RuleKind::File { perms, .. } = &r.kind
                && (perms.writes() || perms.exec.is_some())
            {
                out.push(on_rule(
                    &META,
                    Status::Fail,
                    f,
                    p,
                    r,
                    format!(
                        "`{}` allows and logs; to block and log write `audit deny`",
                        r.text
                    ),
                ));
            }
        }
        let denies: Vec<_> = p.rules.iter().filter(|r| r.q.deny).collect();
        if !denies.is_empty() && denies.iter().all(|r| !r.q.audit) {
            out.push(
                Finding::new(&META, Status::Info, profile_resource(f, p), format!("profile `{}`: its {} deny rule(s) are quiet (no audit record when they block); use `audit deny` where you want to see attempts", p.name, denies.len()))
                    .with_severity(Severity::Info)
                    .with_evidence(Evidence::observed(denies[0].text.clone(), at(f, denies[0].line))),
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
    fn audit_deny_passes() {
        assert!(
            eval(
                &parse("profile a {\n  audit deny /etc/** w,\n  audit /etc/** r,\n}\n"),
                &LintOptions::default()
            )
            .is_clean()
        );
    }

    #[test]
    fn audit_write_fails_and_quiet_deny_is_info() {
        let r = eval(
            &parse("profile a {\n  audit /etc/** w,\n  deny /usr/** w,\n}\n"),
            &LintOptions::default(),
        )
        .into_findings();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].status, Status::Fail);
        assert_eq!(r[0].evidence[0].source.line, Some(2));
        assert_eq!(r[1].status, Status::Info);
    }
}
