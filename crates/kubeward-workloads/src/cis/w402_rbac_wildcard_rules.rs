//! CIS AKS 1.8.0 4.1.3: minimise wildcard use in Roles and ClusterRoles.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};
use kubeward_inventory::Object;

use crate::Check;
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W402",
    name: "rbac-wildcard-rules",
    since: "0.1.0",
    aliases: &[],
    title: "Roles and ClusterRoles use no wildcards",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.3"),
        RefStatic::cis_aks("1.7.0", "4.1.3"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Each rule of every Role and ClusterRole (its own rules, not those it aggregates) for `*` in `verbs`, `resources` or `apiGroups`.",
        why: "A wildcard grants everything that exists now and everything added later: new verbs, subresources such as `pods/exec` or `nodes/proxy`, and the resources of every CRD installed afterwards.",
        fix: "List the verbs, API groups and resources the role needs explicitly (`kubectl create role NAME --verb=get,list --resource=pods --dry-run=client -o yaml` prints a starting point) and apply the edited manifest.",
        links: &[
            "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege",
        ],
        bad: r#"apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
"#,
        good: r#"apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules:
- {apiGroups: [apps], resources: [deployments], verbs: [get, list, update, patch]}
"#,
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

fn is_role(o: &Object) -> bool {
    o.group() == "rbac.authorization.k8s.io" && (o.kind == "Role" || o.kind == "ClusterRole")
}

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for role in ctx.inv.objects.iter().filter(|o| is_role(o)) {
        let mut evidence = Vec::new();
        // Wildcards in rules limited by resourceNames reach only the named objects.
        let mut all_narrowed = true;
        let rules = role.value.get("rules").and_then(|r| r.as_array());
        for (i, rule) in rules.into_iter().flatten().enumerate().take(4096) {
            let names: Vec<&str> = rule
                .get("resourceNames")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str())
                .collect();
            for field in ["verbs", "resources", "apiGroups"] {
                let has_star = rule
                    .get(field)
                    .and_then(|v| v.as_array())
                    .is_some_and(|v| v.iter().any(|x| x.as_str() == Some("*")));
                if has_star {
                    let mut e =
                        Evidence::observed("*", role.source(&format!("/rules/{i}/{field}")))
                            .with_expected(format!("explicit {field}"));
                    if names.is_empty() {
                        all_narrowed = false;
                    } else {
                        e = e.with_note(format!(
                            "narrowed by resourceNames to [{}]",
                            names.join(" ")
                        ));
                    }
                    evidence.push(e);
                }
            }
        }
        let f = if evidence.is_empty() {
            Finding::new(
                &META,
                Status::Pass,
                role.resource(),
                format!(
                    "{} {} names its verbs, resources and API groups explicitly",
                    role.kind, role.name
                ),
            )
        } else {
            let mut f = Finding::new(
                &META,
                Status::Fail,
                role.resource(),
                format!(
                    "{} {} uses a wildcard in {} place(s)",
                    role.kind,
                    role.name,
                    evidence.len()
                ),
            );
            f.evidence = evidence;
            if all_narrowed {
                f.severity = crate::rbac::danger::narrowed_severity(f.severity);
                f.message = format!("{}, each narrowed by resourceNames", f.message).into();
            }
            f
        };
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, run_check};

    #[test]
    fn wildcard_verbs_fail_with_the_field_path() {
        let f = run_check(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules:\n- {apiGroups: [''], resources: [pods], verbs: [get]}\n- {apiGroups: [apps], resources: [deployments], verbs: ['*']}\n",
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].evidence.len(), 1);
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/rules/1/verbs")
        );
    }

    #[test]
    fn explicit_rules_pass_and_system_named_roles_are_judged_too() {
        let f = run_check(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get, list]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'system:controller:foo'}\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n",
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].status, Status::Pass);
        assert_eq!(f[0].resource.name, "reader");
        // A name proves nothing: an offline `system:` role is the author's own.
        assert_eq!(f[1].status, Status::Fail);
        assert_eq!(f[1].resource.name, "system:controller:foo");
    }

    #[test]
    fn wildcards_narrowed_by_resource_names_fail_one_severity_lower() {
        let f = run_check(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules:\n- {apiGroups: [''], resources: [configmaps], resourceNames: [app-config], verbs: ['*']}\n",
            &ScanOptions::default(),
            evaluate,
        );
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].severity, kubeward_core::Severity::Low);
        assert!(
            f[0].message.contains("narrowed by resourceNames"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].evidence[0]
                .note
                .as_deref()
                .is_some_and(|n| n.contains("[app-config]"))
        );
    }
}
