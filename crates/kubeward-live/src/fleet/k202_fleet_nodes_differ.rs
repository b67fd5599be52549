//! K202: a check whose verdict is not the same on every node that reported.

use std::collections::BTreeMap;

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Source, Status,
};

use super::{Check, NodeOutcome};

pub static META: CheckMeta = CheckMeta {
    code: "K202",
    name: "fleet-nodes-differ",
    since: "0.1.0",
    aliases: &[],
    title: "All nodes give the same verdict for each check",
    area: Area::General,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Compares the node reports of a fleet scan (or of `kubeward report merge`) check by check.",
        why: "Nodes of one pool should be identical; a node that differs was changed by hand, runs an older \
              node image, or belongs to a pool with a different configuration.",
        fix: "Upgrade the node image of the pool that differs (`az aks nodepool upgrade --node-image-only`) \
              or reimage the node (`az vmss reimage`), so every node runs the pool's configuration.",
        links: &[],
        // Per node, its report (`kubeward node -o json`), cut to the finding that differs.
        bad: concat!(
            "{\n",
            n123_node_entry!(
                "aks-nodepool1-31718369-vmss000000",
                "PASS",
                "readOnlyPort is 0"
            ),
            ",\n",
            n123_node_entry!(
                "aks-nodepool1-31718369-vmss000001",
                "FAIL",
                "readOnlyPort is 10255"
            ),
            "\n}"
        ),
        good: concat!(
            "{\n",
            n123_node_entry!(
                "aks-nodepool1-31718369-vmss000000",
                "PASS",
                "readOnlyPort is 0"
            ),
            ",\n",
            n123_node_entry!(
                "aks-nodepool1-31718369-vmss000001",
                "PASS",
                "readOnlyPort is 0"
            ),
            "\n}"
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

/// One WARN finding per check whose (worst) status is not the same on every reporting node.
fn eval(outcomes: &[NodeOutcome]) -> Vec<Finding> {
    // check code -> node -> status
    let mut verdicts: BTreeMap<String, BTreeMap<&str, Status>> = BTreeMap::new();
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    let mut nodes: Vec<&str> = Vec::new();
    for (node, report) in super::reports(outcomes) {
        nodes.push(node);
        for f in &report.findings {
            let worst = verdicts
                .entry(f.code.to_string())
                .or_default()
                .entry(node)
                .or_insert(f.status);
            // A check with several findings on one node: keep the most severe status.
            *worst = (*worst).min(f.status);
            titles
                .entry(f.code.to_string())
                .or_insert_with(|| format!("{} {}", f.code, f.name));
        }
    }
    let mut findings = Vec::new();
    for (code, per_node) in &verdicts {
        let mut distinct: BTreeMap<Status, Vec<&str>> = BTreeMap::new();
        for node in &nodes {
            // A check missing on a node (e.g. another profile) counts as its own verdict.
            let status = per_node.get(node).copied().unwrap_or(Status::NotApplicable);
            distinct.entry(status).or_default().push(node);
        }
        if distinct.len() < 2 {
            continue;
        }
        let summary: Vec<String> = distinct
            .iter()
            .map(|(st, ns)| format!("{st} on {}", ns.join(", ")))
            .collect();
        let title = titles.get(code).cloned().unwrap_or_else(|| code.clone());
        let mut f = Finding::new(
            &META,
            Status::Warn,
            Resource::new("Check", code),
            format!("{title}: {}", summary.join("; ")),
        );
        for (st, ns) in &distinct {
            for n in ns {
                f.evidence.push(
                    Evidence::observed(st.as_str(), Source::origin(format!("node report of {n}")))
                        .with_note(format!("check {code}")),
                );
            }
        }
        findings.push(f);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::NodeError;
    use kubeward_core::Report;

    fn node(name: &str, statuses: &[(&'static CheckMeta, Status)]) -> NodeOutcome {
        let mut r = Report::new("node");
        for (meta, st) in statuses {
            r.push(Finding::new(meta, *st, Resource::new("Node", name), ""));
        }
        NodeOutcome {
            node: name.into(),
            job: format!("job-{name}"),
            result: Ok(r),
        }
    }

    #[test]
    fn a_check_missing_on_one_node_is_a_difference_and_unreported_nodes_do_not_count() {
        let findings = eval(&[
            node("a", &[(&META, Status::Pass), (&META, Status::Fail)]),
            node("b", &[]),
            NodeOutcome {
                node: "c".into(),
                job: "job-c".into(),
                result: Err(NodeError::NoPod),
            },
        ]);
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "K202 fleet-nodes-differ: FAIL on a; NOT_APPLICABLE on b"
        );
        assert_eq!(findings[0].evidence.len(), 2);
    }

    #[test]
    fn the_same_verdict_everywhere_gives_nothing() {
        assert!(
            eval(&[
                node("a", &[(&META, Status::Fail)]),
                node("b", &[(&META, Status::Fail)])
            ])
            .is_empty()
        );
    }
}
