//! S201: text apparmor_parser refuses (or reads differently from what was meant).

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{AppArmorFile, Check, LintOptions, at, file_resource};
use crate::examples::apparmor_web_start;
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S201",
    name: "apparmor-syntax-error",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor profile has syntax errors",
    area: Area::Profiles,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Parses the profile language subset container profiles use: profile heads and flags, includes, abi, variables, and file, capability, network, mount, ptrace, signal… rules with their qualifiers. Reports unbalanced braces, unknown permissions, capabilities, flags and rule kinds, missing commas and rules outside any profile, each with its line.",
        why: "apparmor_parser refuses to load a profile with a syntax error, so the profile is never in the kernel: every pod naming it fails with `apparmor profile not found` (CreateContainerError). A rule placed outside a profile block is attached to nothing.",
        fix: "Correct the line named in the finding and re-run `kubeward apparmor lint`; then load it on every node with `kubeward profiles install --apparmor FILE`.",
        links: &["https://manpages.ubuntu.com/manpages/noble/man5/apparmor.d.5.html"],
        bad: concat!(
            apparmor_web_start!(),
            r#"  /srv/www/** r
  /usr/bin/nginx rix,
}
"#
        ),
        good: concat!(
            apparmor_web_start!(),
            r#"  /srv/www/** r,
  /usr/bin/nginx rix,
}
"#
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(f: &AppArmorFile, _: &LintOptions) -> Verdict {
    let problems = f
        .errors
        .iter()
        .map(|e| {
            Finding::new(
                &META,
                Status::Fail,
                file_resource(f),
                format!("line {}: {}", e.line, e.message),
            )
            .with_item(e.message.clone())
            .with_evidence(Evidence::observed(e.message.clone(), at(f, e.line)))
        })
        .collect();
    Verdict::judged(problems)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn clean_passes_and_errors_fail_with_lines() {
        assert!(
            eval(
                &parse("profile a {\n  /etc/** r,\n}\n"),
                &LintOptions::default()
            )
            .is_clean()
        );
        let f = eval(
            &parse("profile a {\n  /etc/** rx,\n"),
            &LintOptions::default(),
        )
        .into_findings();
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].evidence[0].source.line, Some(1));
        assert!(f.iter().any(|f| f.message.contains("line 2: a bare `x`")));
        assert!(f.iter().any(|f| f.message.contains("never closed")));
    }
}
