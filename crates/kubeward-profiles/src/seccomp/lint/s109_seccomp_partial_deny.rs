//! S109: denying one syscall of a family while its siblings, which do the same thing, stay open.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{Check, Profile, at, resource};
use crate::examples::seccomp_allow_head;
use crate::seccomp::effective::{Class, Effective};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S109",
    name: "seccomp-partial-deny",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp deny rule leaves equivalent syscalls open",
    area: Area::Profiles,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "For families of syscalls that perform the same operation (chmod/fchmod/fchmodat/fchmodat2, open/openat/openat2, clone/clone3, mount and the new mount API, execve/execveat, unlink/unlinkat…), checks that denying one member does not leave another allowed.",
        why: "Which member a program calls depends on its libc and version: coreutils' chmod uses fchmodat, newer glibc uses fchmodat2 (Linux 6.6) when flags are given, and a static binary may call chmod. Denying only some members is bypassed by any program using another.",
        fix: "Deny the whole family, e.g. `\"names\": [\"chmod\", \"fchmod\", \"fchmodat\", \"fchmodat2\"]`, or better switch to an allow list that does not include them.",
        links: &["https://man7.org/linux/man-pages/man2/chmod.2.html"],
        bad: concat!(
            seccomp_allow_head!(),
            r#"    {"names": ["chmod"], "action": "SCMP_ACT_ERRNO"}
  ]
}"#
        ),
        good: concat!(
            seccomp_allow_head!(),
            r#"    {"names": ["chmod", "fchmod", "fchmodat", "fchmodat2"], "action": "SCMP_ACT_ERRNO"}
  ]
}"#
        ),
    },
};

/// Syscalls doing the same operation.
const FAMILIES: &[&[&str]] = &[
    &["chmod", "fchmod", "fchmodat", "fchmodat2"],
    &[
        "chown", "fchown", "lchown", "fchownat", "chown32", "fchown32", "lchown32",
    ],
    &["open", "openat", "openat2", "creat"],
    &["execve", "execveat"],
    &["clone", "clone3"],
    &[
        "mount",
        "fsopen",
        "fsmount",
        "fsconfig",
        "move_mount",
        "open_tree",
    ],
    &["umount", "umount2"],
    &["unlink", "unlinkat"],
    &["rmdir", "unlinkat"],
    &["rename", "renameat", "renameat2"],
    &["link", "linkat"],
    &["symlink", "symlinkat"],
    &["mkdir", "mkdirat"],
    &["mknod", "mknodat"],
    &["setxattr", "lsetxattr", "fsetxattr", "setxattrat"],
    &[
        "removexattr",
        "lremovexattr",
        "fremovexattr",
        "removexattrat",
    ],
    &["utime", "utimes", "utimensat", "futimesat"],
    &["access", "faccessat", "faccessat2"],
    &["truncate", "ftruncate", "truncate64", "ftruncate64"],
];

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    // Intent: every name the author put in a non-allowing rule, even one the runtime drops
    // (`name`), because the question is whether the family as a whole was closed.
    let intended_denied = |name: &str| {
        p.rules.iter().any(|r| {
            !r.action.lets_through()
                && r.args.is_empty()
                && (r.names.iter().any(|n| n.text == name)
                    || r.singular_name.as_ref().is_some_and(|n| n.text == name))
        })
    };
    let per_arch: Vec<Effective> = p
        .effective_arches()
        .into_iter()
        .map(|a| Effective::of(p, a))
        .collect();
    let mut out = Vec::new();
    for family in FAMILIES {
        let denied: Vec<&str> = family
            .iter()
            .copied()
            .filter(|n| intended_denied(n))
            .collect();
        if denied.is_empty() {
            continue;
        }
        let open: Vec<&str> = family
            .iter()
            .copied()
            .filter(|n| !denied.contains(n))
            .filter(|n| {
                per_arch
                    .iter()
                    .any(|e| e.arch.knows(n) == Some(true) && e.class(n) == Class::Allowed)
            })
            .collect();
        if open.is_empty() {
            continue;
        }
        let rule = p.rules.iter().find(|r| {
            r.names.iter().any(|n| n.text == denied[0])
                || r.singular_name
                    .as_ref()
                    .is_some_and(|n| n.text == denied[0])
        });
        let (line, key) = rule.map_or((p.default_action_line, "/defaultAction".to_string()), |r| {
            (r.line, r.key())
        });
        // Names denied only through Docker's `name` are not denied at all under containerd; say
        // so rather than call them denied.
        let via_name_only = denied.iter().any(|d| {
            !p.rules.iter().any(|r| {
                !r.action.lets_through()
                    && r.args.is_empty()
                    && r.names.iter().any(|n| n.text == *d)
            })
        });
        let how = if via_name_only {
            " meant to be denied (through `name`, which containerd drops: see S102)"
        } else {
            " denied"
        };
        out.push(
            Finding::new(
                &META,
                Status::Fail,
                resource(p),
                format!(
                    "{}{how} but {} still allowed: the same operation goes through {}",
                    denied.join(", "),
                    open.join(", "),
                    if open.len() == 1 { "it" } else { "them" }
                ),
            )
            .with_evidence(
                Evidence::observed(format!("denied: {}", denied.join(", ")), at(p, line, &key))
                    .with_expected(format!(
                        "denied: {}",
                        family
                            .iter()
                            .filter(|n| denied.contains(n) || open.contains(n))
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
            )
            .with_remediation(format!(
                "Add {} to the deny rule (`\"names\": [{}]`), or switch to an allow list.",
                open.join(", "),
                family
                    .iter()
                    .filter(|n| denied.contains(n) || open.contains(n))
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
    Verdict::judged(out)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn whole_family_denied_passes() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod","fchmod","fchmodat","fchmodat2"],"action":"SCMP_ACT_ERRNO"}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn allow_list_without_the_siblings_passes() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["chmod"],"action":"SCMP_ACT_KILL"}]}"#,
        );
        assert!(eval(&p).is_clean());
    }

    #[test]
    fn deny_through_singular_name_is_not_called_denied() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"chmod","action":"SCMP_ACT_ERRNO"}]}"#,
        );
        let f = eval(&p).into_findings();
        assert!(
            f[0].message.starts_with(
                "chmod meant to be denied (through `name`, which containerd drops: see S102) but fchmod, fchmodat, fchmodat2 still allowed"
            ),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn fchmod_and_fchmodat2_left_open() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod","fchmodat","chmodat"],"action":"SCMP_ACT_ERRNO"}]}"#,
        );
        let f = eval(&p).into_findings();
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .starts_with("chmod, fchmodat denied but fchmod, fchmodat2 still allowed"),
            "{}",
            f[0].message
        );
    }
}
