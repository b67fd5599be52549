//! S202: missing `abi`, `tunables/global` or `abstractions/base`.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{AppArmorFile, Check, LintOptions, RuleKind, at, file_resource, profile_resource};
use crate::examples::apparmor_web_start;
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S202",
    name: "apparmor-missing-includes",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor profile misses abi or standard includes",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Checks the preamble for `#include <tunables/global>` (required when the profile uses variables such as @{PROC}) and an `abi` line, and each top-level profile for `#include <abstractions/base>`.",
        why: "Without tunables/global, variables are undefined and apparmor_parser refuses the file. Without abstractions/base, ordinary programs cannot load libc or read locale files and fail in confusing ways. Without an `abi` line the parser picks the node's default feature ABI, so the same file can mediate differently on Ubuntu 22.04 and 24.04 node images.",
        fix: "Start the file with `abi <abi/3.0>,` and `#include <tunables/global>`, and put `#include <abstractions/base>` first inside the profile (`kubeward apparmor generate` writes all three). The includes must exist on the node: Azure Linux ships fewer abstractions than Ubuntu.",
        links: &["https://gitlab.com/apparmor/apparmor/-/wikis/AppArmorPolicyABI"],
        bad: r##"profile k8s-web flags=(attach_disconnected,mediate_deleted) {
  file,
  deny @{PROC}/sysrq-trigger rwklx,
}
"##,
        good: concat!(
            apparmor_web_start!(),
            r#"  file,
  deny @{PROC}/sysrq-trigger rwklx,
}
"#
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(f: &AppArmorFile, _: &LintOptions) -> Verdict {
    let mut out = Vec::new();
    if f.profiles.is_empty() {
        return Verdict::NotApplicable(super::NO_PROFILE_BLOCK);
    }
    let uses_vars = f
        .all_profiles()
        .iter()
        .flat_map(|p| p.rules.iter())
        .find(|r| r.text.contains("@{") && !matches!(r.kind, RuleKind::Variable(_)));
    let defines_vars = f
        .preamble
        .iter()
        .any(|r| matches!(r.kind, RuleKind::Variable(_)));
    if !f.preamble_includes("tunables/global") {
        match uses_vars {
            Some(r) if !defines_vars => out.push(
                Finding::new(&META, Status::Fail, file_resource(f), format!("line {} uses a variable but `#include <tunables/global>` is missing: apparmor_parser fails with an undefined variable", r.line))
                    .with_item("tunables/global")
                    .with_evidence(Evidence::observed(r.text.clone(), at(f, r.line)).with_expected("#include <tunables/global> before the profile")),
            ),
            _ => out.push(
                Finding::new(&META, Status::Warn, file_resource(f), "no `#include <tunables/global>` in the preamble")
                    .with_item("tunables/global")
                    .with_severity(Severity::Low)
                    .with_evidence(Evidence::observed("absent", at(f, 1)).with_expected("#include <tunables/global>")),
            ),
        }
    }
    if !f
        .preamble
        .iter()
        .any(|r| matches!(r.kind, RuleKind::Abi(_)))
    {
        out.push(
            Finding::new(&META, Status::Info, file_resource(f), "no `abi` line: the parser uses the node's default feature ABI, which differs between node images")
                .with_item("abi")
                .with_severity(Severity::Info)
                .with_evidence(Evidence::observed("absent", at(f, 1)).with_expected("abi <abi/3.0>,")),
        );
    }
    for p in &f.profiles {
        if !p.includes("abstractions/base") {
            out.push(
                Finding::new(&META, Status::Warn, profile_resource(f, p), format!("profile `{}` does not include abstractions/base: libc, ld.so and locale access are not granted", p.name))
                    .with_item("abstractions/base")
                    .with_severity(Severity::Low)
                    .with_evidence(Evidence::observed("absent", at(f, p.line)).with_expected("#include <abstractions/base>")),
            );
        }
    }
    Verdict::judged(out)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn complete_preamble_passes() {
        let f = parse(
            "abi <abi/3.0>,\n#include <tunables/global>\nprofile a {\n  #include <abstractions/base>\n  @{PROC}/x r,\n}\n",
        );
        assert!(eval(&f, &LintOptions::default()).is_clean());
    }

    #[test]
    fn variables_without_tunables_fail() {
        let f = parse(
            "profile a {\n  #include <abstractions/base>\n  deny @{PROC}/sysrq-trigger rwkl,\n}\n",
        );
        let r = eval(&f, &LintOptions::default()).into_findings();
        assert!(
            r.iter()
                .any(|x| x.status == Status::Fail && x.message.contains("line 3 uses a variable"))
        );
        assert!(
            r.iter()
                .any(|x| x.status == Status::Info && x.message.contains("abi"))
        );
    }

    #[test]
    fn missing_base_warns() {
        let f = parse("abi <abi/3.0>,\ninclude <tunables/global>\nprofile a {\n  /etc/** r,\n}\n");
        let r = eval(&f, &LintOptions::default()).into_findings();
        assert_eq!(r.len(), 1);
        assert!(r[0].message.contains("abstractions/base"));
    }
}
