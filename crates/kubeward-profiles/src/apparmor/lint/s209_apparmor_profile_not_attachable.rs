//! S209: a file with no profile to attach, or a name pods cannot reference as written.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{AppArmorFile, Check, LintOptions, at, file_resource, profile_resource};
use crate::examples::{apparmor_preamble, apparmor_web_profile, apparmor_web_rules};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S209",
    name: "apparmor-profile-not-attachable",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor profile cannot be attached as intended",
    area: Area::Profiles,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Checks that the file defines a profile, that its name is what pods will put in `appArmorProfile.localhostProfile` (with `--expect-name`), and that the name is plain (letters, digits, `_ . / -`).",
        why: "Kubernetes attaches AppArmor by the profile's name, not the file name: a pod naming `deny-write` while the file declares `k8s-apparmor-example-deny-write` fails with `apparmor profile not found`. Names with spaces or other characters need quoting and are refused by the Security Profiles Operator.",
        fix: "Set `localhostProfile` to the exact name after `profile` in the file (for a path-named profile, the full path), or rename the profile; keep names to `[a-zA-Z0-9_./-]`.",
        links: &["https://kubernetes.io/docs/tutorials/security/apparmor/"],
        bad: concat!(
            apparmor_preamble!(),
            r#"profile "k8s web" flags=(attach_disconnected,mediate_deleted) {
  #include <abstractions/base>

"#,
            apparmor_web_rules!(),
            "}\n"
        ),
        good: apparmor_web_profile!(),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(f: &AppArmorFile, opts: &LintOptions) -> Verdict {
    let mut out = Vec::new();
    if f.profiles.is_empty() {
        out.push(
            Finding::new(
                &META,
                Status::Fail,
                file_resource(f),
                "the file defines no profile: there is nothing a pod can attach",
            )
            .with_evidence(Evidence::observed("no `profile NAME {` block", at(f, 1))),
        );
        return Verdict::judged(out);
    }
    for p in &f.profiles {
        let plain = p
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c));
        if !plain {
            out.push(
                Finding::new(
                    &META,
                    Status::Warn,
                    profile_resource(f, p),
                    format!(
                        "profile name `{}` has characters outside [a-zA-Z0-9_./-]",
                        p.name
                    ),
                )
                .with_evidence(Evidence::observed(p.name.clone(), at(f, p.line))),
            );
        }
    }
    // Child profiles and hats load as `parent//child`; only that full name attaches.
    let loaded: Vec<String> = f
        .profiles
        .iter()
        .flat_map(|p| {
            std::iter::once(p.name.clone()).chain(
                p.children
                    .iter()
                    .map(move |c| format!("{}//{}", p.name, c.name)),
            )
        })
        .collect();
    if let Some(want) = &opts.expected_name
        && !loaded.iter().any(|n| n == want)
    {
        let names: Vec<&str> = f.profiles.iter().map(|p| p.name.as_str()).collect();
        out.push(
            Finding::new(&META, Status::Fail, file_resource(f), format!("no profile named `{want}`: pods with localhostProfile `{want}` fail with `apparmor profile not found` (the file declares {})", names.join(", ")))
                .with_evidence(Evidence::observed(names.join(", "), at(f, f.profiles[0].line)).with_expected(want.clone())),
        );
    }
    Verdict::judged(out)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn named_profile_passes() {
        let opts = LintOptions {
            expected_name: Some("deny-write".into()),
        };
        assert!(eval(&parse("profile deny-write {\n}\n"), &opts).is_clean());
    }

    #[test]
    fn a_child_profile_loads_under_its_parent() {
        let f = parse("profile app {\n  profile helper {\n  }\n}\n");
        let want = |n: &str| LintOptions {
            expected_name: Some(n.into()),
        };
        assert_eq!(eval(&f, &want("helper")).into_findings().len(), 1);
        assert!(eval(&f, &want("app//helper")).is_clean());
    }

    #[test]
    fn no_profile_or_wrong_name_fails() {
        let r = eval(
            &parse("#include <tunables/global>\n"),
            &LintOptions::default(),
        )
        .into_findings();
        assert!(r[0].message.contains("defines no profile"));
        let opts = LintOptions {
            expected_name: Some("deny-write".into()),
        };
        let r = eval(
            &parse("profile k8s-apparmor-example-deny-write {\n}\n"),
            &opts,
        )
        .into_findings();
        assert_eq!(r.len(), 1);
        assert!(r[0].message.contains("k8s-apparmor-example-deny-write"));
        let r = eval(
            &parse("profile \"my profile\" {\n}\n"),
            &LintOptions::default(),
        )
        .into_findings();
        assert_eq!(r[0].status, Status::Warn);
    }
}
