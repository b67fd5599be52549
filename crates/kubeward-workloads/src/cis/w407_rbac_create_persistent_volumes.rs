//! CIS AKS 1.8.0 4.1.8: Access to create PersistentVolumes is limited.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::Check;
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
        bad: r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: storage-admin
rules:
- {apiGroups: [""], resources: [persistentvolumes], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: storage-admin
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: storage-admin}
subjects:
- {kind: ServiceAccount, name: storage-admin, namespace: ci}
"#,
        good: r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: storage-admin
rules:
- {apiGroups: [""], resources: [persistentvolumeclaims], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: storage-admin
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: storage-admin}
subjects:
- {kind: ServiceAccount, name: storage-admin, namespace: ci}
"#,
    },
};

pub static CHECK: Check = Check::rbac(&META, PERMISSIONS, evaluate);

/// The permissions this check looks for (any verb listed, on the resource).
pub static PERMISSIONS: &[Permission] = &[Permission::new(&["create"], "", "persistentvolumes")];

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    evaluate_binding_check(ctx, &META, PERMISSIONS, "PersistentVolume creation")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cis::test_support;

    /// A rule that grants what this check looks for.
    const GRANTING_RULE: &str =
        "{apiGroups: [\"\"], resources: [persistentvolumes], verbs: [create]}";
    /// A rule close to it that does not.
    const HARMLESS_RULE: &str =
        "{apiGroups: [\"\"], resources: [persistentvolumeclaims], verbs: [create]}";

    #[test]
    fn fails_when_a_binding_grants_it() {
        test_support::fails_when_a_binding_grants_it(evaluate, GRANTING_RULE);
    }

    #[test]
    fn passes_when_only_harmless_rules_are_bound() {
        test_support::passes_when_only_harmless_rules_are_bound(evaluate, HARMLESS_RULE);
    }

    #[test]
    fn system_names_and_full_access_bindings_are_judged() {
        test_support::system_names_and_full_access_bindings_are_judged(evaluate, GRANTING_RULE);
    }
}
