//! Local accounts (the static cluster-admin certificate) are disabled.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity};

use super::{At, Check, Ctx, Setting, checkov, cis, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z132",
    name: "aks-local-accounts-disabled",
    since: "0.1.0",
    aliases: &[],
    title: "Local accounts are disabled",
    area: Area::Aks,
    severity: Severity::High,
    references: &[
        cis("5.5.1"),
        policy("993c2fcd-2b29-49d2-9eb0-df2c3a730c32"),
        checkov("CKV_AZURE_141"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`disableLocalAccounts`.",
        why: "With local accounts, `az aks get-credentials --admin` hands out a cluster-admin client certificate (group system:masters) that bypasses Entra ID and RBAC, cannot be revoked short of rotating the cluster CA, and appears in audit logs only as `masterclient`.",
        fix: "az aks update -g <resource-group> -n <cluster> --disable-local-accounts   # requires Entra ID integration",
        links: &["https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad"],
        bad: cluster!(r#""disableLocalAccounts": false"#),
        good: cluster!(r#""disableLocalAccounts": true"#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub static SETTING: Setting = Setting::on(
    At::Cluster("disableLocalAccounts"),
    "local accounts disabled",
    "local accounts are enabled unless the cluster is created or updated with --disable-local-accounts",
);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    SETTING.judge(&META, c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_core::Status;

    #[test]
    fn unresolved_arm_expression_is_manual_not_a_guess() {
        let t = r#"{"resources":[{"type":"Microsoft.ContainerService/managedClusters","name":"c",
            "properties":{"disableLocalAccounts":"[not(parameters('allowAdmin'))]"}}]}"#;
        let c = super::super::testing::cluster(t);
        let f = evaluate(&c, &super::super::testing::ctx());
        assert_eq!(f[0].status, Status::Manual);
        assert!(f[0].message.contains("not(parameters('allowAdmin'))"));
    }
}
