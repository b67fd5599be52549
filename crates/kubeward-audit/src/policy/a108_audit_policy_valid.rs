//! Whether the policy is a valid audit.k8s.io Policy (parsing is the runner's: a policy that does not parse fails this check there).

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Source, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A108",
    name: "audit-policy-valid",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy is valid",
    area: Area::Audit,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The file parses as an audit.k8s.io Policy with at least one rule, known levels and stages, and rules that do not mix resources with nonResourceURLs or give resourceNames without resources.",
        why: "The API server refuses to start with an invalid policy file (self-managed clusters), or the policy does not do what it says.",
        fix: "Fix the reported fields; validate with a test API server or `kube-apiserver --audit-policy-file` on a kind cluster.",
        links: &["https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/"],
        bad: example_policy!(policy_rule!("Verbose")),
        good: example_policy!(policy_rule!("Metadata")),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(l: &Linted) -> Finding {
    let mut problems: Vec<Evidence> = Vec::new();
    if l.policy.kind != "Policy" || !l.policy.api_version.starts_with("audit.k8s.io/") {
        problems.push(
            Evidence::observed(
                format!(
                    "apiVersion {:?}, kind {:?}",
                    l.policy.api_version, l.policy.kind
                ),
                Source::file(l.file).with_key("kind"),
            )
            .with_expected("audit.k8s.io/v1 Policy"),
        );
    }
    if l.policy.rules.is_empty() {
        problems.push(
            Evidence::observed("no rules", Source::file(l.file).with_key("rules"))
                .with_expected("at least one rule"),
        );
    }
    for s in &l.policy.omit_stages {
        if !STAGE_NAMES.contains(&s.as_str()) {
            problems.push(Evidence::observed(
                format!("unknown stage {s}"),
                Source::file(l.file).with_key("omitStages"),
            ));
        }
    }
    for (i, r) in l.policy.rules.iter().enumerate() {
        let rule = &r.value;
        if !LEVELS.contains(&rule.level.as_str()) {
            problems.push(
                Evidence::observed(format!("level {:?}", rule.level), l.rule_src(i))
                    .with_expected("None, Metadata, Request or RequestResponse"),
            );
        }
        if !rule.resources.is_empty() && !rule.non_resource_urls.is_empty() {
            problems.push(Evidence::observed(
                "both resources and nonResourceURLs",
                l.rule_src(i),
            ));
        }
        if rule
            .resources
            .iter()
            .any(|g| !g.resource_names.is_empty() && g.resources.is_empty())
        {
            problems.push(Evidence::observed(
                "resourceNames without resources",
                l.rule_src(i),
            ));
        }
        for s in &rule.omit_stages {
            if !STAGE_NAMES.contains(&s.as_str()) {
                problems.push(Evidence::observed(
                    format!("unknown stage {s}"),
                    l.rule_src(i),
                ));
            }
        }
    }
    let mut f = if problems.is_empty() {
        Finding::new(
            &META,
            Status::Pass,
            l.res.clone(),
            format!("Valid policy with {} rules", l.policy.rules.len()),
        )
    } else {
        Finding::new(
            &META,
            Status::Fail,
            l.res.clone(),
            format!("{} problems in the policy", problems.len()),
        )
    };
    f.evidence = problems;
    f
}
