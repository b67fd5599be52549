//! Whether the policy ends with a rule that logs every remaining request.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Source, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A107",
    name: "audit-policy-catch-all",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy ends with a catch-all rule",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Whether the last rule matches every request at Metadata or above. Requests no rule matches are not logged at all.",
        why: "Without a catch-all, new resources (CRDs, new API groups) and unexpected verbs are invisible.",
        fix: "End the policy with `- level: Metadata` (no selectors).",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: example_policy!(policy_rule!("Metadata", "\"\"" => r#"["secrets"]"#)),
        good: example_policy!(
            policy_rule!("Metadata", "\"\"" => r#"["secrets"]"#),
            policy_rule!("Metadata"),
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(l: &Linted) -> Finding {
    let last_catch_all = l.policy.rules.last().is_some_and(|r| {
        let v = &r.value;
        v.users.is_empty()
            && v.user_groups.is_empty()
            && v.verbs.is_empty()
            && v.resources.is_empty()
            && v.namespaces.is_empty()
            && v.non_resource_urls.is_empty()
            && v.level != "None"
    });
    if last_catch_all {
        Finding::new(
            &META,
            Status::Pass,
            l.res.clone(),
            "The last rule logs every remaining request",
        )
    } else {
        Finding::new(
            &META,
            Status::Warn,
            l.res.clone(),
            "No final catch-all rule: requests no rule matches are not logged",
        )
        .with_evidence(
            Evidence::observed(
                format!(
                    "{} rules, the last one has selectors or level None",
                    l.policy.rules.len()
                ),
                Source::file(l.file).with_key("rules"),
            )
            .with_expected("- level: Metadata"),
        )
    }
}
