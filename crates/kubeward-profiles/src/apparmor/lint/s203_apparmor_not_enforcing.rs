//! S203: a profile in complain, unconfined or default_allow mode.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{AppArmorFile, Check, LintOptions, at, per_profile, profile_resource};
use crate::examples::{apparmor_preamble, apparmor_web_profile, apparmor_web_rules};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S203",
    name: "apparmor-not-enforcing",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor profile does not enforce",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Reads each profile's flags for `complain`, `unconfined`, `default_allow` and `prompt`.",
        why: "In complain mode violations are only logged (explicit `deny` rules are still enforced, a frequent surprise in both directions); `unconfined` and `default_allow` allow everything not denied. Pods report the profile as applied while it restricts little.",
        fix: "Remove the mode flag (enforce is the default) once the profile has been exercised, e.g. `flags=(attach_disconnected,mediate_deleted)`, and reload it on every node with `kubeward profiles install`.",
        links: &["https://manpages.ubuntu.com/manpages/noble/man8/aa-complain.8.html"],
        bad: concat!(
            apparmor_preamble!(),
            r#"profile k8s-web flags=(attach_disconnected,mediate_deleted,complain) {
  #include <abstractions/base>

"#,
            apparmor_web_rules!(),
            "}\n"
        ),
        good: apparmor_web_profile!(),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(f: &AppArmorFile, _: &LintOptions) -> Verdict {
    let mut out = Vec::new();
    for p in f.all_profiles() {
        for mode in ["complain", "unconfined", "default_allow", "prompt"] {
            if p.flags.iter().any(|x| x == mode) {
                let denies = p.rules.iter().filter(|r| r.q.deny).count();
                let note = if mode == "complain" && denies > 0 {
                    format!(" ({denies} explicit deny rule(s) are still enforced)")
                } else {
                    String::new()
                };
                out.push(
                    Finding::new(
                        &META,
                        Status::Fail,
                        profile_resource(f, p),
                        format!(
                            "profile `{}` runs in {mode} mode: violations are not blocked{note}",
                            p.name
                        ),
                    )
                    .with_evidence(
                        Evidence::observed(format!("flags=({})", p.flags.join(",")), at(f, p.line))
                            .with_expected("enforce (no mode flag)"),
                    ),
                );
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
    fn enforce_passes_complain_fails() {
        assert!(
            eval(
                &parse("profile a flags=(attach_disconnected) {\n}\n"),
                &LintOptions::default()
            )
            .is_clean()
        );
        let r = eval(
            &parse("profile a flags=(complain) {\n deny /etc/** w,\n}\n"),
            &LintOptions::default(),
        )
        .into_findings();
        assert_eq!(r.len(), 1);
        assert!(r[0].message.contains("still enforced"));
    }
}
