//! Dangerous permissions (CIS AKS 4.1.x): what a binding grants through its role, evaluated per
//! binding, and the per-subject summary of `kubeward rbac summary`.

use kubeward_core::{CheckMeta, Evidence, Finding, Resource, Severity, Status};
use serde::Serialize;

use super::{Binding, RuleRef, Subject, is_cluster_scoped};
use crate::ctx::Ctx;

/// "any of `verbs` on `resource[/subresource]` in `group`".
#[derive(Debug, Clone, Copy)]
pub struct Permission {
    pub verbs: &'static [&'static str],
    pub group: &'static str,
    pub resource: &'static str,
    pub subresource: Option<&'static str>,
}

impl Permission {
    pub const fn new(
        verbs: &'static [&'static str],
        group: &'static str,
        resource: &'static str,
    ) -> Self {
        Permission {
            verbs,
            group,
            resource,
            subresource: None,
        }
    }
    pub const fn sub(
        verbs: &'static [&'static str],
        group: &'static str,
        resource: &'static str,
        subresource: &'static str,
    ) -> Self {
        Permission {
            verbs,
            group,
            resource,
            subresource: Some(subresource),
        }
    }
    /// The verbs of this permission the rule grants.
    pub fn granted_verbs(&self, rule: &super::Rule) -> Vec<&'static str> {
        self.verbs
            .iter()
            .copied()
            .filter(|v| rule.grants(v, Some(self.group), self.resource, self.subresource))
            .collect()
    }
    /// `get/list/watch secrets`.
    pub fn display(&self, verbs: &[&str]) -> String {
        match self.subresource {
            Some(s) => format!("{} {}/{}", verbs.join("/"), self.resource, s),
            None => format!("{} {}", verbs.join("/"), self.resource),
        }
    }
}

/// One rule of a binding's role that grants one of the permissions.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    pub rule: RuleRef<'a>,
    pub what: String,
    /// The rule lists `resourceNames`: the grant covers those objects only.
    pub narrowed: bool,
}

/// The severity of a grant every rule of which is narrowed by `resourceNames`: one step below the
/// check's (docs/check-codes.md, "Narrowed RBAC grants").
pub fn narrowed_severity(s: Severity) -> Severity {
    match s {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    }
}

/// The rules through which `b` grants any of `perms` (respecting that a RoleBinding cannot grant
/// cluster-scoped resources).
pub fn binding_hits<'a>(ctx: &Ctx<'a>, b: &Binding<'a>, perms: &[Permission]) -> Vec<Hit<'a>> {
    let Some(rules) = ctx.rbac.rules_of(b) else {
        return Vec::new();
    };
    let mut hits = Vec::new();
    for r in rules {
        for p in perms {
            if b.namespace.is_some() && is_cluster_scoped(p.resource) {
                continue;
            }
            let verbs = p.granted_verbs(&r.rule);
            if !verbs.is_empty() {
                let narrowed = !r.rule.resource_names.is_empty();
                let mut what = p.display(&verbs);
                if narrowed {
                    what.push_str(&format!(" only on [{}]", r.rule.resource_names.join(" ")));
                }
                hits.push(Hit {
                    rule: r.clone(),
                    what,
                    narrowed,
                });
            }
        }
    }
    hits
}

/// A FAIL per binding that grants any of `perms`, and one PASS when none does. Every binding is
/// judged, those with full access (W400) too: they do grant the permission, and a PASS must
/// never cover a binding it did not look at.
pub fn evaluate_binding_check(
    ctx: &Ctx<'_>,
    meta: &'static CheckMeta,
    perms: &[Permission],
    summary: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut checked = 0usize;
    for b in &ctx.rbac.bindings {
        checked += 1;
        let hits = binding_hits(ctx, b, perms);
        if hits.is_empty() {
            continue;
        }
        let mut f = binding_finding(meta, b, &hits, summary);
        if crate::cis::w400_rbac_cluster_admin_binding::is_cluster_admin_binding(ctx, b) {
            f = f.with_evidence(
                Evidence::observed(
                    format!("{}/{}", b.role_kind, b.role_name),
                    b.object.source("/roleRef/name"),
                )
                .with_note("full access: this binding is also reported by W400"),
            );
        }
        out.push(f);
    }
    if out.is_empty() {
        out.push(no_grant_finding(meta, checked, summary));
    }
    out
}

/// The FAIL finding for one binding and the rules that make it dangerous.
pub fn binding_finding(
    meta: &'static CheckMeta,
    b: &Binding<'_>,
    hits: &[Hit<'_>],
    summary: &str,
) -> Finding {
    let mut whats: Vec<&str> = hits.iter().map(|h| h.what.as_str()).collect();
    whats.sort_unstable();
    whats.dedup();
    // Limited by resourceNames throughout: said so, one severity step lower.
    let narrowed = !hits.is_empty() && hits.iter().all(|h| h.narrowed);
    let mut f = Finding::new(
        meta,
        Status::Fail,
        b.object.resource(),
        format!(
            "{} grants {} ({}) to {} through {}/{}{}",
            b.label(),
            summary,
            whats.join(", "),
            b.subjects_display(),
            b.role_kind,
            b.role_name,
            if narrowed {
                "; narrowed by resourceNames to the named objects only"
            } else {
                ""
            }
        ),
    )
    .with_evidence(
        Evidence::observed(b.subjects_display(), b.object.source("/subjects"))
            .with_note(format!("subjects, {}", b.scope())),
    );
    for h in hits {
        f = f.with_evidence(
            Evidence::observed(
                h.rule.rule.describe(),
                h.rule.role.source(&h.rule.pointer()),
            )
            .with_note(format!("{} grants {}", h.rule.origin(), h.what)),
        );
    }
    if narrowed {
        f.severity = narrowed_severity(f.severity);
    }
    f
}

fn no_grant_finding(meta: &'static CheckMeta, checked: usize, summary: &str) -> Finding {
    Finding::new(
        meta,
        Status::Pass,
        Resource::new("RBAC", "bindings"),
        format!("none of the {checked} bindings in the inputs grants {summary}"),
    )
}

/// One dangerous permission a subject holds, and why.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectDanger {
    pub check: String,
    pub title: String,
    pub permission: String,
    pub scope: String,
    pub via: String,
    /// Granted by a platform-managed binding (see [`crate::scope`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub platform_managed: bool,
}

/// `kubeward rbac summary`: per subject, every dangerous permission it holds.
pub fn summary(ctx: &Ctx<'_>) -> Vec<(Subject, Vec<SubjectDanger>)> {
    let mut by_subject: std::collections::BTreeMap<Subject, Vec<SubjectDanger>> =
        Default::default();
    for b in &ctx.rbac.bindings {
        let platform_managed = ctx.scope.is_managed(b.object);
        let mut dangers = Vec::new();
        if crate::cis::w400_rbac_cluster_admin_binding::is_cluster_admin_binding(ctx, b) {
            dangers.push(SubjectDanger {
                check: crate::cis::w400_rbac_cluster_admin_binding::META
                    .code
                    .into(),
                title: crate::cis::w400_rbac_cluster_admin_binding::META
                    .title
                    .into(),
                permission: "every verb on every resource".into(),
                scope: b.scope(),
                via: format!("{} -> {}/{}", b.label(), b.role_kind, b.role_name),
                platform_managed,
            });
        }
        // cluster-admin already implies every other dangerous permission.
        let perm_checks = if dangers.is_empty() {
            crate::cis::rbac_permission_checks()
        } else {
            Vec::new()
        };
        for (meta, perms) in perm_checks {
            for h in binding_hits(ctx, b, perms) {
                dangers.push(SubjectDanger {
                    check: meta.code.into(),
                    title: meta.title.into(),
                    permission: h.what.clone(),
                    scope: b.scope(),
                    via: format!("{} -> {}", b.label(), h.rule.origin()),
                    platform_managed,
                });
            }
        }
        if dangers.is_empty() {
            continue;
        }
        for s in &b.subjects {
            by_subject
                .entry(s.clone())
                .or_default()
                .extend(dangers.iter().cloned());
        }
    }
    by_subject
        .into_iter()
        .map(|(s, mut d)| {
            d.sort_by(|a, b| {
                (&a.check, &a.permission, &a.via).cmp(&(&b.check, &b.permission, &b.via))
            });
            d.dedup_by(|a, b| a.check == b.check && a.permission == b.permission && a.via == b.via);
            (s, d)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, test_inventory};

    const INPUT: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: admins}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: root}, {kind: Group, name: 'system:masters'}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: agg}\naggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: 'yes'}}]}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: part, labels: {agg: 'yes'}}\nrules: [{apiGroups: [''], resources: [serviceaccounts/token], verbs: [create]}, {apiGroups: [''], resources: [pods], verbs: [create]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ci, namespace: build}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: agg}\nsubjects: [{kind: ServiceAccount, name: runner}]\n";

    #[test]
    fn summary_lists_each_subject_once_per_danger() {
        let inv = test_inventory(INPUT);
        let opts = ScanOptions::default();
        let ctx = Ctx::new(&inv, &opts);
        let rows = summary(&ctx);
        let names: Vec<String> = rows.iter().map(|(s, _)| s.display()).collect();
        assert_eq!(
            names,
            vec![
                "User root",
                "Group system:masters",
                "ServiceAccount build/runner"
            ]
        );
        let (_, root) = &rows[0];
        assert_eq!(root.len(), 1, "cluster-admin implies the rest: {root:#?}");
        assert_eq!(root[0].check, "W400");
        let (_, runner) = &rows[2];
        let checks: Vec<&str> = runner.iter().map(|d| d.check.as_str()).collect();
        assert_eq!(checks, vec!["W403", "W411"]);
        assert!(runner.iter().all(|d| d.scope == "namespace build"));
        assert!(runner[0].via.contains("ClusterRole/part rule 1"));
    }

    #[test]
    fn system_subjects_are_listed() {
        let inv = test_inventory(INPUT);
        let opts = ScanOptions::default();
        let ctx = Ctx::new(&inv, &opts);
        assert!(
            summary(&ctx)
                .iter()
                .any(|(s, _)| s.name == "system:masters")
        );
    }

    #[test]
    fn a_binding_check_reports_the_grant_once_with_rule_evidence() {
        let inv = test_inventory(INPUT);
        let opts = ScanOptions::default();
        let ctx = Ctx::new(&inv, &opts);
        let perms = [Permission::new(&["create"], "", "pods")];
        let f = evaluate_binding_check(
            &ctx,
            &crate::cis::w403_rbac_create_pods::META,
            &perms,
            "pod creation",
        );
        // The cluster-admin binding is judged too (it does grant pod creation), pointing to W400.
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].resource.name, "admins");
        assert!(
            f[0].evidence
                .iter()
                .any(|e| e.note.as_deref().is_some_and(|n| n.contains("W400")))
        );
        assert_eq!(f[1].resource.name, "ci");
        assert_eq!(f[1].evidence[1].source.key.as_deref(), Some("/rules/1"));
    }

    #[test]
    fn rolebinding_cannot_grant_cluster_scoped_dangers() {
        let inv = test_inventory(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: nodes}\nrules: [{apiGroups: [''], resources: [nodes/proxy, persistentvolumes], verbs: [get, create]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb, namespace: team}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: nodes}\nsubjects: [{kind: User, name: ann}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: crb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: nodes}\nsubjects: [{kind: User, name: ben}]\n",
        );
        let opts = ScanOptions::default();
        let ctx = Ctx::new(&inv, &opts);
        for (meta, perms, eval) in [
            (
                &crate::cis::w408_rbac_nodes_proxy::META,
                crate::cis::w408_rbac_nodes_proxy::PERMISSIONS,
                crate::cis::w408_rbac_nodes_proxy::evaluate as fn(&Ctx<'_>) -> Vec<Finding>,
            ),
            (
                &crate::cis::w407_rbac_create_persistent_volumes::META,
                crate::cis::w407_rbac_create_persistent_volumes::PERMISSIONS,
                crate::cis::w407_rbac_create_persistent_volumes::evaluate,
            ),
        ] {
            let f = eval(&ctx);
            assert_eq!(f.len(), 1, "{}: {f:#?}", meta.code);
            assert_eq!(f[0].resource.name, "crb");
            assert!(!perms.is_empty());
        }
    }
}
