//! P205: NetworkPolicy rules whose peers or named ports can never match.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Status};

use super::object_source;
use crate::check::{Check, Ctx};
use crate::engine::Direction;
use crate::examples::db_ingress_bundle;
use crate::model::PortRef;

pub static META: CheckMeta = CheckMeta {
    code: "P205",
    name: "rule-never-matches",
    since: "0.1.0",
    aliases: &[],
    title: "NetworkPolicy rules match some peer and port",
    area: Area::Netpol,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Each ingress/egress rule: whether its from/to selectors match any analysed pod (or it has ipBlocks or no peers), and whether its named ports exist on the pods they must resolve against.",
        why: "A rule that matches nothing allows nothing: the flow it was written for is blocked, or someone later widens another rule to make it work.",
        fix: "Fix the selector labels (namespaceSelector matches namespace labels such as kubernetes.io/metadata.name, podSelector matches pod template labels), use a separate peer entry for OR and one entry with both selectors for AND, and name container ports as the rule expects (containers[].ports[].name).",
        links: &[
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors",
        ],
        bad: db_ingress_bundle!(
            "  - from: [{podSelector: {matchLabels: {app: frontend}}}]\n    ports: [{port: pg}]\n"
        ),
        good: db_ingress_bundle!(
            "  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: pg}]\n"
        ),
    },
};

pub static CHECK: Check = Check::coverage(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let (inv, a) = (ctx.inv, ctx.analysis);
    let mut out = Vec::new();
    for (pi, np) in a.model.netpols.iter().enumerate() {
        for (dir, rules, active) in [
            (Direction::Ingress, &np.ingress, np.affects_ingress),
            (Direction::Egress, &np.egress, np.affects_egress),
        ] {
            if !active {
                continue;
            }
            for (ri, r) in rules.iter().enumerate() {
                let res =
                    Resource::namespaced("NetworkPolicy", np.namespace.clone(), np.name.clone());
                if !a.rule_matches_something(pi, dir, ri) {
                    out.push(
                        Finding::new(
                            &META,
                            Status::Warn,
                            res.clone(),
                            format!("{} rule #{} matches no analysed pod", dir.as_str(), ri + 1),
                        )
                        .with_evidence(
                            Evidence::observed(
                                "no peer matches",
                                object_source(inv, np.object, &r.pointer),
                            )
                            .with_note("judged against the analysed inputs"),
                        ),
                    );
                    continue;
                }
                for p in &r.ports {
                    let PortRef::Named(name) = &p.port else {
                        continue;
                    };
                    let resolvable = a
                        .model
                        .workloads
                        .iter()
                        .any(|w| w.named_port(name, p.protocol).is_some());
                    if !resolvable {
                        out.push(
                            Finding::new(&META, Status::Warn, res.clone(), format!("{} rule #{}: named port {name}/{} exists on no analysed container", dir.as_str(), ri + 1, p.protocol))
                                .with_evidence(Evidence::observed(name.clone(), object_source(inv, np.object, &format!("{}/ports", r.pointer)))),
                        );
                    }
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
    fn dead_selector_and_named_port() {
        let y = format!(
            "{TWO_APPS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{app: nobody}}}}}}]\n  - from: [{{podSelector: {{matchLabels: {{app: web}}}}}}]\n    ports: [{{port: pg}}]\n  - from: [{{podSelector: {{matchLabels: {{app: web}}}}}}]\n    ports: [{{port: http}}]\n"
        );
        let f = run(&y, Engine::Default, evaluate);
        assert_eq!(
            statuses(&f),
            vec![("p".into(), Status::Warn), ("p".into(), Status::Warn)]
        );
        assert!(f[0].message.contains("rule #1"));
        assert!(f[1].message.contains("named port pg"));
    }
}
