//! Rules that an earlier rule shadows (the first matching rule wins).

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A105",
    name: "audit-policy-shadowed-rule",
    since: "0.1.0",
    aliases: &[],
    title: "Every audit policy rule can apply",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Rules that can never apply because an earlier rule matches every request they match (the first matching rule wins).",
        why: "A shadowed rule is a level someone meant to set and that is silently not in force, typically a Metadata rule for secrets placed after a broad None rule.",
        fix: "Move the more specific rule above the broader one, or delete it.",
        links: &[
            "https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-PolicyRule",
        ],
        bad: example_policy!(
            policy_rule!("None", verbs: r#"["get", "list", "watch"]"#),
            policy_rule!("Metadata", verbs: r#"["get"]"#, "\"\"" => r#"["secrets"]"#),
            policy_rule!("Metadata"),
        ),
        good: example_policy!(
            policy_rule!("Metadata", verbs: r#"["get"]"#, "\"\"" => r#"["secrets"]"#),
            policy_rule!("None", verbs: r#"["get", "list", "watch"]"#),
            policy_rule!("Metadata"),
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(l: &Linted) -> Finding {
    let mut shadowed = Vec::new();
    for (j, later) in l.policy.rules.iter().enumerate() {
        if let Some(i) = (0..j).find(|&i| shadows(&l.policy.rules[i].value, &later.value)) {
            shadowed.push(
                Evidence::observed(
                    format!("rule {j} (level {}) never applies", later.value.level),
                    l.rule_src(j),
                )
                .with_note(format!(
                    "rule {i} (level {}, line {}) matches every request it matches",
                    l.policy.rules[i].value.level,
                    l.policy.rules[i].referenced.line()
                )),
            );
        }
    }
    let mut f = if shadowed.is_empty() {
        Finding::new(
            &META,
            Status::Pass,
            l.res.clone(),
            "No rule is shadowed by an earlier one",
        )
    } else {
        Finding::new(
            &META,
            Status::Warn,
            l.res.clone(),
            format!("{} rules can never apply", shadowed.len()),
        )
    };
    f.evidence = shadowed;
    f
}
