//! P206: rules another rule of the same policy already covers.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Status};

use super::object_source;
use crate::check::{Check, Ctx};
use crate::engine::Direction;
use crate::examples::db_ingress_bundle;

pub static META: CheckMeta = CheckMeta {
    code: "P206",
    name: "redundant-rule",
    since: "0.1.0",
    aliases: &[],
    title: "NetworkPolicy rules are not shadowed by broader rules of the same policy",
    area: Area::Netpol,
    severity: Severity::Info,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Pairs of rules in one policy and direction where one allows every peer and port the other allows (peers judged against the analysed pods and address ranges).",
        why: "A shadowed rule suggests the broader rule is wider than intended (for example a forgotten ports list), and it makes reviews harder.",
        fix: "Remove the redundant rule, or narrow the broader one (add ports, or a podSelector next to the namespaceSelector in the same peer entry).",
        links: &[],
        bad: db_ingress_bundle!(
            "  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 5432}]\n  - from: [{podSelector: {}}]\n"
        ),
        good: db_ingress_bundle!(
            "  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 5432}]\n"
        ),
    },
};

pub static CHECK: Check = Check::coverage(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let (inv, a) = (ctx.inv, ctx.analysis);
    let mut out = Vec::new();
    for (pi, np) in a.model.netpols.iter().enumerate() {
        for (dir, rules) in [
            (Direction::Ingress, &np.ingress),
            (Direction::Egress, &np.egress),
        ] {
            for b in 0..rules.len() {
                let cover = (0..rules.len()).find(|&x| {
                    x != b
                        && a.rule_covers(pi, dir, x, b)
                        // of two identical rules, report only the later one
                        && !(x > b && a.rule_covers(pi, dir, b, x))
                });
                if let Some(x) = cover {
                    out.push(
                        Finding::new(
                            &META,
                            Status::Warn,
                            Resource::namespaced(
                                "NetworkPolicy",
                                np.namespace.clone(),
                                np.name.clone(),
                            ),
                            format!(
                                "{} rule #{} adds nothing: rule #{} allows all it allows",
                                dir.as_str(),
                                b + 1,
                                x + 1
                            ),
                        )
                        .with_evidence(Evidence::observed(
                            format!("covered by rule #{}", x + 1),
                            object_source(inv, np.object, &rules[b].pointer),
                        )),
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TWO_APPS, run, statuses};
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn narrower_rule_is_redundant() {
        let y = format!(
            "{TWO_APPS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{app: web}}}}}}]\n    ports: [{{port: 5432}}]\n  - from: [{{podSelector: {{}}}}]\n"
        );
        let f = run(&y, Engine::Default, evaluate);
        assert_eq!(statuses(&f), vec![("p".into(), Status::Warn)]);
        assert!(
            f[0].message.contains("rule #1 adds nothing: rule #2"),
            "{}",
            f[0].message
        );
    }
}
