//! P108: workloads that can reach 169.254.169.254.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::check::{Check, Ctx};
use crate::conn::ConnSet;
use crate::examples::{deny_egress_to, web_deployment};

pub static META: CheckMeta = CheckMeta {
    code: "P108",
    name: "egress-to-instance-metadata",
    since: "0.1.0",
    aliases: &[],
    title: "Workloads cannot reach the Azure instance metadata endpoint",
    area: Area::Netpol,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1552.005")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Whether a workload's egress policy allows connections to 169.254.169.254. Where several workloads of a namespace are selected by no egress policy at all, they are reported once, as the namespace, naming each.",
        why: "The instance metadata service (IMDS) hands out managed-identity tokens of the node (kubelet identity, and any identity assigned to the VM scale set): a pod that reaches it can act as the node in Azure.",
        fix: "Deny egress to 169.254.169.254/32 in every namespace (an egress rule with ipBlock cidr: 0.0.0.0/0 and except: [169.254.169.254/32]); use Microsoft Entra Workload ID for pods instead of node identities; on AKS the IMDS restriction feature (az aks update --enable-imds-restriction) blocks it for non-hostNetwork pods.",
        links: &["https://learn.microsoft.com/azure/aks/operator-best-practices-network"],
        bad: web_deployment!(),
        good: concat!(
            web_deployment!(),
            "---\n",
            deny_egress_to!("deny-imds", "169.254.169.254/32")
        ),
    },
};

pub static CHECK: Check = Check::exposure(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    super::egress::address_findings(ctx, &META, [169, 254, 169, 254], &ConnSet::none())
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_allowed_by_default_denied_by_except;
    use super::*;

    #[test]
    fn allowed_by_default_denied_by_except() {
        assert_allowed_by_default_denied_by_except(evaluate, "169.254.169.254/32");
    }
}
