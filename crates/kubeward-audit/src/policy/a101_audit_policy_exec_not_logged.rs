//! Exec, attach and port-forward requests simulated against the policy: none may be logged at level None.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A101",
    name: "audit-policy-exec-not-logged",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy logs exec, attach and port-forward",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::cis_k8s("1.12.0", "3.2.2"),
        RefStatic::mitre("T1609"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Simulates pods/exec, pods/attach and pods/portforward requests (verbs create and get, the WebSocket form of kubectl 1.30+) by a user and a service account and reports those the policy logs at level None.",
        why: "Exec is how attackers run commands in workloads; a policy that drops it (often by a broad `level: None` rule on `get`) hides them.",
        fix: "Add, before any broad None rule: `- level: Metadata` with `resources: [{group: \"\", resources: [\"pods/exec\", \"pods/attach\", \"pods/portforward\"]}]`. On AKS the audit policy is fixed by Microsoft and logs exec; export it with a diagnostic setting on the `kube-audit` category.",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: example_policy!(
            policy_rule!("None", "\"\"" => r#"["pods/exec", "pods/attach", "pods/portforward"]"#),
            policy_rule!("Metadata"),
        ),
        good: example_policy!(
            policy_rule!("Metadata", "\"\"" => r#"["pods/exec", "pods/attach", "pods/portforward"]"#),
            policy_rule!("Metadata"),
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(l: &Linted) -> Finding {
    let mut exec = probes(
        &["create", "get"],
        "",
        "pods",
        &["exec", "attach", "portforward"],
        &["default"],
    );
    exec.truncate(12);
    coverage(l, &META, exec, false, false)
}
