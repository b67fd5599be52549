//! CIS AKS 1.8.0 4.1.1: the cluster-admin role is only used where required.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Resource, Severity, Status,
};

use crate::Check;
use crate::ctx::Ctx;
use crate::rbac::Binding;

pub static META: CheckMeta = CheckMeta {
    code: "W400",
    name: "rbac-cluster-admin-binding",
    since: "0.1.0",
    aliases: &[],
    title: "The cluster-admin role is only used where required",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.1"),
        RefStatic::cis_aks("1.7.0", "4.1.1"),
        RefStatic::mitre("T1078"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Every RoleBinding and ClusterRoleBinding to the `cluster-admin` ClusterRole, or to any role whose (aggregated) rules grant every verb on every resource of every API group. On objects read from a cluster, Kubernetes' bootstrap binding of `cluster-admin` to `system:masters` and AKS's own bindings are platform-managed (by their labels): reported, marked, not failing the run.",
        why: "cluster-admin can do anything to any object, including reading every Secret and granting itself more. A ClusterRoleBinding to it is full control of the cluster; a RoleBinding to it is full control of that namespace.",
        fix: "Bind people to `admin`/`edit`/`view` (or narrower roles) per namespace instead. On AKS give cluster administration to a Microsoft Entra ID group (`az aks update -g RG -n CLUSTER --enable-aad --aad-admin-group-object-ids GROUP_ID`), disable local accounts (`az aks update --disable-local-accounts`) and delete the extra bindings (`kubectl delete clusterrolebinding NAME`).",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles",
            "https://learn.microsoft.com/azure/aks/manage-azure-rbac",
        ],
        bad: r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: platform-team-admin
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: 3f2b1c9e-5a7d-4e8f-9b1a-2c3d4e5f6a7b}
"#,
        good: r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: platform-team-view
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: 3f2b1c9e-5a7d-4e8f-9b1a-2c3d4e5f6a7b}
"#,
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

/// Does this binding hand out cluster-admin (by name or by an all-wildcard rule)?
pub fn is_cluster_admin_binding(ctx: &Ctx<'_>, b: &Binding<'_>) -> bool {
    if b.role_kind == "ClusterRole" && b.role_name == "cluster-admin" {
        return true;
    }
    ctx.rbac
        .rules_of(b)
        .is_some_and(|rules| rules.iter().any(|r| r.rule.is_cluster_admin_like()))
}

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut checked = 0usize;
    for b in &ctx.rbac.bindings {
        checked += 1;
        if !is_cluster_admin_binding(ctx, b) {
            continue;
        }
        let (what, note) = if b.role_name == "cluster-admin" {
            (
                "binds ClusterRole cluster-admin".to_string(),
                "roleRef".to_string(),
            )
        } else {
            (
                format!(
                    "binds {}/{} whose rules grant every verb on every resource",
                    b.role_kind, b.role_name
                ),
                "roleRef of an all-wildcard role".to_string(),
            )
        };
        let mut f = Finding::new(
            &META,
            Status::Fail,
            b.object.resource(),
            format!(
                "{} {} to {} ({})",
                b.label(),
                what,
                b.subjects_display(),
                b.scope()
            ),
        )
        .with_evidence(
            Evidence::observed(
                format!("{}/{}", b.role_kind, b.role_name),
                b.object.source("/roleRef/name"),
            )
            .with_expected("a narrower role than cluster-admin")
            .with_note(note),
        )
        .with_evidence(Evidence::observed(
            b.subjects_display(),
            b.object.source("/subjects"),
        ));
        if let Some(rules) = ctx.rbac.rules_of(b)
            && let Some(r) = rules.iter().find(|r| r.rule.is_cluster_admin_like())
        {
            f = f.with_evidence(
                Evidence::observed(r.rule.describe(), r.role.source(&r.pointer()))
                    .with_note(r.origin()),
            );
        }
        out.push(f);
    }
    if out.is_empty() {
        out.push(Finding::new(
            &META,
            Status::Pass,
            Resource::new("RBAC", "bindings"),
            format!("none of the {checked} bindings in the inputs grants cluster-admin"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, run_check};

    const USER_BINDING: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ops-admins}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: Group, name: ops}]\n";
    const SYSTEM_BINDING: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: cluster-admin, labels: {kubernetes.io/bootstrapping: rbac-defaults}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: Group, name: 'system:masters'}]\n";

    #[test]
    fn user_binding_to_cluster_admin_fails() {
        let f = run_check(USER_BINDING, &ScanOptions::default(), evaluate);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].resource.name, "ops-admins");
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/roleRef/name")
        );
        // The role is not in the inputs: the built-in definition supplies the wildcard rule.
        assert!(
            f[0].evidence
                .iter()
                .any(|e| e.note.as_deref() == Some("ClusterRole/cluster-admin rule 0"))
        );
    }

    #[test]
    fn wildcard_role_counts_as_cluster_admin() {
        let input = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: god}\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: g, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: god}\nsubjects: [{kind: User, name: eve}]\n";
        let f = run_check(input, &ScanOptions::default(), evaluate);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("namespace shop"));
    }

    #[test]
    fn a_system_masters_binding_in_a_manifest_is_judged() {
        // Offline, a name proves nothing: it is judged like any other (see `scope`).
        let f = run_check(SYSTEM_BINDING, &ScanOptions::default(), evaluate);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Fail);
    }
}
