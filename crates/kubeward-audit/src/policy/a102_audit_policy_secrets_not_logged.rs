//! Reads and writes of secrets simulated against the policy: none may be logged at level None.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A102",
    name: "audit-policy-secrets-not-logged",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy logs access to secrets",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::cis_k8s("1.12.0", "3.2.2"),
        RefStatic::mitre("T1552.007"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Simulates get/list/watch/create/update/patch/delete on secrets (in default and kube-system, by a user and a service account) and reports those logged at level None.",
        why: "Secret reads are credential theft; without them in the log there is no way to tell who read what.",
        fix: "Log secrets at Metadata: `- level: Metadata` with `resources: [{group: \"\", resources: [\"secrets\"]}]`, placed before broader rules.",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: example_policy!(
            policy_rule!("None", "\"\"" => r#"["secrets"]"#),
            policy_rule!("Metadata"),
        ),
        good: example_policy!(
            policy_rule!("Metadata", "\"\"" => r#"["secrets"]"#),
            policy_rule!("Metadata"),
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(l: &Linted) -> Finding {
    coverage(
        l,
        &META,
        probes(
            SECRET_VERBS,
            "",
            "secrets",
            &[""],
            &["default", "kube-system"],
        ),
        false,
        false,
    )
}
