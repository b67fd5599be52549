//! CIS AKS 1.8.0 4.1.8: Access to create PersistentVolumes is limited.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
#[cfg(test)]
use crate::cis::test_support::Rules;
use crate::ctx::Ctx;
use crate::rbac::danger::{Permission, evaluate_binding_check};

pub static META: CheckMeta = CheckMeta {
    code: "W407",
    name: "rbac-create-persistent-volumes",
    since: "0.1.0",
    aliases: &[],
    title: "Access to create PersistentVolumes is limited",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.8"),
        RefStatic::mitre("T1611"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "ClusterRoleBindings (PersistentVolumes are cluster-scoped) that grant `create` on `persistentvolumes`.",
        why: "A PersistentVolume can be a `hostPath` volume: whoever creates one and a claim for it mounts any directory of the node into a pod, bypassing the pod-level hostPath restrictions.",
        fix: "Let only the CSI provisioners create PersistentVolumes; users request storage through PersistentVolumeClaims and StorageClasses (AKS ships `managed-csi` and `azurefile-csi`). Remove `create` on `persistentvolumes` from other cluster roles.",
        links: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
        bad: rbac_example!(
            "storage-admin",
            "{apiGroups: [\"\"], resources: [persistentvolumes], verbs: [create]}"
        ),
        good: rbac_example!(
            "storage-admin",
            "{apiGroups: [\"\"], resources: [persistentvolumeclaims], verbs: [create]}"
        ),
    },
};

pub static CHECK: Check = Check::rbac(&META, PERMISSIONS, evaluate);

/// The permissions this check looks for (any verb listed, on the resource).
pub static PERMISSIONS: &[Permission] = &[Permission::new(&["create"], "", "persistentvolumes")];

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    evaluate_binding_check(ctx, &META, PERMISSIONS, "PersistentVolume creation")
}

/// The family tests' vectors (see `test_support`): a rule that grants what this check looks for,
/// and one close to it that does not.
#[cfg(test)]
pub(super) const TEST_RULES: Rules = Rules {
    granting: "{apiGroups: [\"\"], resources: [persistentvolumes], verbs: [create]}",
    harmless: "{apiGroups: [\"\"], resources: [persistentvolumeclaims], verbs: [create]}",
};
