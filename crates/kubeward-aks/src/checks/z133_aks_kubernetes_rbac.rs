//! Kubernetes RBAC is enabled.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, checkov, finding, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z133",
    name: "aks-kubernetes-rbac",
    since: "0.1.0",
    aliases: &[],
    title: "Kubernetes RBAC is enabled",
    area: Area::Aks,
    severity: Severity::Critical,
    references: &[
        policy("ac4a19c2-fa67-49b4-8ae5-0b2e78c49457"),
        checkov("CKV_AZURE_5"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`enableRbac`.",
        why: "Without RBAC every authenticated identity, including every pod's service account, can do anything in the cluster.",
        fix: "RBAC cannot be turned on in place: create a new cluster (RBAC is on by default; never pass --disable-rbac) and migrate the workloads.",
        links: &["https://learn.microsoft.com/azure/aks/concepts-identity#kubernetes-rbac"],
        bad: cluster!(r#""enableRbac": false"#),
        good: cluster!(r#""enableRbac": true"#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let f = c.get("enableRbac");
    let out = match f.bool() {
        Some(true) => finding(&META, c, None, Status::Pass, "Kubernetes RBAC is enabled"),
        Some(false) => finding(
            &META,
            c,
            None,
            Status::Fail,
            "Kubernetes RBAC is disabled: every authenticated identity has full access",
        ),
        None if f.is_unresolved() => finding(
            &META,
            c,
            None,
            Status::Manual,
            "enableRbac is an unresolved ARM expression",
        ),
        None => {
            return vec![finding(&META, c, None, Status::Pass, "enableRbac not set: AKS enables Kubernetes RBAC unless it is explicitly disabled")
                .with_evidence(f.evidence("true").with_note("not set: az aks create and the ARM API enable RBAC by default"))];
        }
    };
    vec![out.with_evidence(f.evidence("true"))]
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_statuses;
    use super::*;

    #[test]
    fn verdicts() {
        assert_statuses(
            evaluate,
            &[
                (r#""enableRbac":true"#, Status::Pass),
                (r#""enableRBAC":false"#, Status::Fail),
                ("", Status::Pass),
            ],
        );
    }
}
