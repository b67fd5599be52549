//! S111: no `architectures` list: only the native ABI is filtered by the rules.

use kubeward_core::{Area, CheckDoc, CheckMeta, Severity, Status};

use super::{Check, Profile, finding};
use crate::examples::{seccomp_basic_allow, seccomp_minimal};
use crate::verdict::Verdict;

pub static META: CheckMeta = CheckMeta {
    code: "S111",
    name: "seccomp-no-architectures",
    since: "0.1.0",
    aliases: &[],
    title: "Seccomp profile lists no architectures",
    area: Area::Profiles,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Checks that `architectures` is present and not empty.",
        why: "Without it the filter covers only the node's native ABI: syscalls made through another ABI (i386 `int 0x80`, x32) hit libseccomp's bad-architecture action and the process is killed. This breaks 32-bit code rather than opening a bypass, but it is rarely intended; kubeward also has to assume x86_64 to judge names.",
        fix: "List the native architecture and its compat ABIs like containerd does: `\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]` on amd64 node pools, `[\"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_ARM\"]` on arm64 pools.",
        links: &[],
        bad: concat!(
            r#"{
  "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [
"#,
            seccomp_basic_allow!(),
            r#"
  ]
}"#
        ),
        good: seccomp_minimal!(),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(p: &Profile) -> Verdict {
    if !p.architectures.is_empty() {
        return Verdict::Clean;
    }
    Verdict::Problems(vec![finding(
        &META,
        Status::Warn,
        p,
        "no `architectures`: only the native ABI is filtered (32-bit syscalls are killed); names were judged for SCMP_ARCH_X86_64",
        if p.architectures_present {
            "architectures: []"
        } else {
            "architectures: absent"
        },
        p.default_action_line,
        "/architectures",
    )])
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    #[test]
    fn listed_passes_absent_warns() {
        assert!(
            eval(&parse(
                r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"]}"#
            ))
            .is_clean()
        );
        let f = eval(&parse(r#"{"defaultAction":"SCMP_ACT_ERRNO"}"#)).into_findings();
        assert_eq!(f[0].status, Status::Warn);
    }
}
