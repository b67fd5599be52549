//! S204: container profile without `attach_disconnected`.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{AppArmorFile, Check, LintOptions, at, per_profile, profile_resource};
use crate::examples::{apparmor_preamble, apparmor_web_profile, apparmor_web_rules};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S204",
    name: "apparmor-no-attach-disconnected",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor profile lacks attach_disconnected",
    area: Area::Profiles,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Checks that top-level profiles carry the `attach_disconnected` flag.",
        why: "Inside a container many paths are disconnected from the profile's namespace root (files opened before pivot_root, anonymous mounts). Without the flag AppArmor denies access to them and workloads fail with odd permission errors. containerd, Docker and the Security Profiles Operator all set it (with mediate_deleted).",
        fix: "Use `profile NAME flags=(attach_disconnected,mediate_deleted) {`.",
        links: &[],
        bad: concat!(
            apparmor_preamble!(),
            r#"profile k8s-web {
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
    let problems = f
        .profiles
        .iter()
        .filter(|p| !p.has_flag("attach_disconnected"))
        .map(|p| {
            Finding::new(&META, Status::Warn, profile_resource(f, p), format!("profile `{}` has no attach_disconnected flag: disconnected container paths are denied", p.name))
                .with_evidence(Evidence::observed(if p.flags.is_empty() { "no flags".to_string() } else { format!("flags=({})", p.flags.join(",")) }, at(f, p.line)).with_expected("flags=(attach_disconnected,mediate_deleted)"))
        })
        .collect();
    per_profile(f, problems)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn flag_present_passes() {
        assert!(
            eval(
                &parse("profile a flags=(attach_disconnected,mediate_deleted) {\n}\n"),
                &LintOptions::default()
            )
            .is_clean()
        );
        assert_eq!(
            eval(&parse("profile a {\n}\n"), &LintOptions::default())
                .into_findings()
                .len(),
            1
        );
    }
}
