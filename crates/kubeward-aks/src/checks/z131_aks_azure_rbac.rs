//! CIS AKS 5.5.2: Azure RBAC authorises Kubernetes requests.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{At, Check, Ctx, Setting, cis, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z131",
    name: "aks-azure-rbac",
    since: "0.1.0",
    aliases: &[],
    title: "Azure RBAC for Kubernetes authorization is enabled",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[cis("5.5.2")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`aadProfile.enableAzureRbac`.",
        why: "Azure RBAC puts cluster permissions in the same place as every other Azure permission (PIM, access reviews, Activity Log), instead of RoleBindings that only the cluster knows about.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-azure-rbac",
        links: &["https://learn.microsoft.com/azure/aks/manage-azure-rbac"],
        bad: cluster!(
            r#""aadProfile": {"managed": true, "enableAzureRbac": false, "adminGroupObjectIDs": ["3c4d5e6f-0000-4000-8000-0000000000ad"]}"#
        ),
        good: cluster!(r#""aadProfile": {"managed": true, "enableAzureRbac": true}"#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub static SETTING: Setting = Setting::on(
    At::Cluster("aadProfile.enableAzureRbac"),
    "Azure RBAC for Kubernetes authorization",
    "Azure RBAC is off unless enabled with --enable-azure-rbac",
);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    if c.get("aadProfile").object().is_none() && !c.get("aadProfile").is_unresolved() {
        return vec![
            finding(
                &META,
                c,
                None,
                Status::Fail,
                "Azure RBAC needs Entra ID integration, which is not enabled",
            )
            .with_evidence(
                c.get("aadProfile")
                    .evidence("an aadProfile with enableAzureRbac: true"),
            ),
        ];
    }
    SETTING.judge(&META, c)
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
                (
                    r#""aadProfile":{"managed":true,"enableAzureRBAC":true}"#,
                    Status::Pass,
                ),
                (r#""aadProfile":{"managed":true}"#, Status::Fail),
                ("", Status::Fail),
            ],
        );
    }
}
