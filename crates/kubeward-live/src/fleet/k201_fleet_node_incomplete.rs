//! K201: a node of the fleet scan that returned no report.

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Source, Status,
};

use super::{Check, NodeOutcome};

pub static META: CheckMeta = CheckMeta {
    code: "K201",
    name: "fleet-node-incomplete",
    since: "0.1.0",
    aliases: &[],
    title: "Every node's scan finished and returned a report",
    area: Area::General,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The fleet scan runs one Job per Linux node. This finding names a node whose Job did not \
               finish before the timeout, failed, or printed no readable report.",
        why: "A node that was not scanned is not known to be secure; it must not vanish from the report.",
        fix: "Look at the Job's pod (`kubectl -n <namespace> describe pod -l job-name=<job>`): an image \
              that cannot be pulled, a node that is NotReady, or admission (Azure Policy / PSA) rejecting \
              hostPID are the usual causes. Raise `--timeout` for slow image pulls.",
        links: &[],
        // Per node, its report (`kubeward node -o json`) or, when it gave none, what its pod printed.
        bad: concat!(
            "{\n  \"aks-nodepool1-31718369-vmss000000\": ",
            empty_node_report!(),
            ",\n  \"aks-armpool-27493816-vmss000000\": \"exec /usr/local/bin/kubeward: exec format error\"\n}"
        ),
        good: concat!(
            "{\n  \"aks-nodepool1-31718369-vmss000000\": ",
            empty_node_report!(),
            ",\n  \"aks-armpool-27493816-vmss000000\": ",
            empty_node_report!(),
            "\n}"
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

/// One ERROR finding per node without a report, with the reason its Job gave.
fn eval(outcomes: &[NodeOutcome]) -> Vec<Finding> {
    outcomes
        .iter()
        .filter_map(|o| {
            let reason = o.result.as_ref().err()?;
            Some(
                Finding::new(
                    &META,
                    Status::Error,
                    Resource::new("Node", &o.node),
                    format!("node {} was not scanned: {reason}", o.node),
                )
                .with_evidence(Evidence::observed(
                    reason.to_string(),
                    Source::origin(format!("Job {}", o.job)),
                )),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::NodeError;

    fn outcome(node: &str, result: Result<kubeward_core::Report, NodeError>) -> NodeOutcome {
        NodeOutcome {
            node: node.into(),
            job: format!("kubeward-node-t-{node}"),
            result,
        }
    }

    #[test]
    fn names_each_node_without_a_report_and_why() {
        let findings = eval(&[
            outcome("a", Ok(kubeward_core::Report::new("node"))),
            outcome("b", Err(NodeError::TooManyPolls(3))),
        ]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, Status::Error);
        assert_eq!(findings[0].resource.name, "b");
        assert_eq!(
            findings[0].message,
            "node b was not scanned: the Job did not finish within 3 looks at it"
        );
        assert_eq!(
            findings[0].evidence[0].source.origin.as_deref(),
            Some("Job kubeward-node-t-b")
        );
    }

    #[test]
    fn every_node_reporting_gives_nothing() {
        assert!(eval(&[outcome("a", Ok(kubeward_core::Report::new("node")))]).is_empty());
    }
}
