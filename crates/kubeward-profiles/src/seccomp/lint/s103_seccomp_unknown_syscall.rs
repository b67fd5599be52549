//! S103: syscall names that do not exist on any listed architecture (runc skips them silently).

use kubeward_core::{Area, CheckDoc, CheckMeta, Severity, Status};

use super::{Check, Profile, finding};
use crate::examples::seccomp_errno_head;
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S103",
    name: "seccomp-unknown-syscall",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp rule names a syscall that does not exist",
    area: Area::Profiles,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Resolves every name in `names` against the kernel syscall table of each architecture the profile lists (x86_64 when none is listed).",
        why: "runc resolves names with libseccomp and skips unknown ones with only a debug log. A typo (`chmodat`), a placeholder (`syscall_1f4`) or a syscall newer than the node's libseccomp is therefore not filtered, and a deny list with a typo denies less than intended.",
        fix: "Correct the name (e.g. `fchmodat`, `fchmodat2` instead of `chmodat`); drop names that are not syscalls. `kubeward seccomp generate` only emits names from the syscall table.",
        links: &["https://man7.org/linux/man-pages/man2/syscalls.2.html"],
        bad: concat!(
            seccomp_errno_head!(),
            r#"    {"names": ["read", "write", "chmodat", "exit_group"], "action": "SCMP_ACT_ALLOW"}
  ]
}"#
        ),
        good: concat!(
            seccomp_errno_head!(),
            r#"    {"names": ["read", "write", "fchmodat", "exit_group"], "action": "SCMP_ACT_ALLOW"}
  ]
}"#
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    let arches = p.effective_arches();
    let mut out = Vec::new();
    for r in &p.rules {
        // A singular `name` is dropped anyway (S102), but a wrong name there is still a mistake
        // that survives the fix `name` -> `names`.
        let singular = r.singular_name.iter().filter(|_| r.names.is_empty());
        for n in r.names.iter().chain(singular) {
            if n.text.is_empty() {
                continue; // S110 reports empty names: the runtime refuses them.
            }
            let verdicts: Vec<Option<bool>> = arches.iter().map(|a| a.knows(&n.text)).collect();
            // Unknown only if every architecture with a table says no.
            let judged = verdicts.iter().any(Option::is_some);
            if judged && !verdicts.contains(&Some(true)) {
                let listed = arches
                    .iter()
                    .map(|a| a.scmp_name())
                    .collect::<Vec<_>>()
                    .join(", ");
                let hint = suggestion(&n.text)
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                out.push(
                    finding(
                        &META,
                        Status::Fail,
                        p,
                        format!(
                            "`{}` in rule {} is not a syscall on {listed}: runc ignores it, so {} is not applied to it{hint}",
                            n.text, r.index, r.action.as_str()
                        ),
                        &n.text,
                        n.line,
                        &format!(
                            "{}/{}",
                            r.key(),
                            if r.names.is_empty() { "name" } else { "names" }
                        ),
                    )
                    .with_remediation(format!("Remove or correct `{}`{hint}. {}", n.text, META.doc.fix)),
                );
            }
        }
    }
    Verdict::judged(out)
}

/// Known mistakes first, then a name from the same family.
fn suggestion(name: &str) -> Option<String> {
    match name {
        "chmodat" => Some("`fchmodat` and `fchmodat2`".into()),
        "chownat" => Some("`fchownat`".into()),
        "stat64" | "lstat64" => Some("`newfstatat` / `statx` on 64-bit".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn real_names_pass() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","fchmodat2"],"action":"SCMP_ACT_ALLOW"}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn chmodat_fails_with_hint() {
        let p = parse(
            "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"chmod\",\n\"chmodat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("`chmodat`") && f[0].message.contains("fchmodat2"));
        assert_eq!(f[0].evidence[0].source.line, Some(2));
    }

    #[test]
    fn name_of_a_listed_compat_arch_is_known() {
        // socketcall exists on i386 only; listed X86 makes it real.
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],"syscalls":[{"names":["socketcall"],"action":"SCMP_ACT_ALLOW"}]}"#,
        );
        assert!(eval(&p).is_clean());
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["socketcall","syscall_1f4"],"action":"SCMP_ACT_ALLOW"}]}"#,
        );
        assert_eq!(eval(&p).into_findings().len(), 2);
    }
}
