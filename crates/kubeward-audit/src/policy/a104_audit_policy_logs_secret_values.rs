//! Requests on secrets and tokens simulated against the policy: none may log their values.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A104",
    name: "audit-policy-logs-secret-values",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy keeps secret values out of the log",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::cis_k8s("1.12.0", "3.2.1"),
        RefStatic::mitre("T1552"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Simulates requests on secrets, serviceaccounts/token and tokenreviews and reports those logged at Request or RequestResponse.",
        why: "At those levels the request and response bodies are logged: secret values and tokens end up in every log destination, readable by whoever reads logs.",
        fix: "Log these resources at Metadata, in a rule placed before any Request/RequestResponse rule that would match them (AKS's fixed policy already does).",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: example_policy!(policy_rule!("RequestResponse")),
        good: example_policy!(
            policy_rule!("Metadata", "\"\"" => r#"["secrets", "serviceaccounts/token"]"#, "authentication.k8s.io" => r#"["tokenreviews"]"#),
            policy_rule!("RequestResponse"),
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(l: &Linted) -> Finding {
    let mut sensitive = probes(SECRET_VERBS, "", "secrets", &[""], &["default"]);
    sensitive.extend(probes(
        &["create"],
        "",
        "serviceaccounts",
        &["token"],
        &["default"],
    ));
    sensitive.extend(probes(
        &["create"],
        "authentication.k8s.io",
        "tokenreviews",
        &[""],
        &[""],
    ));
    coverage(l, &META, sensitive, false, true)
}
