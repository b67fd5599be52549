//! CIS AKS 1.8.0 4.1.5: default service accounts are not actively used.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};
use kubeward_inventory::Value;

use super::service_account::{service_account_of, token_mount};
use crate::Check;
use crate::ctx::Ctx;
use crate::rbac::SubjectKind;

pub static META: CheckMeta = CheckMeta {
    code: "W404",
    name: "default-service-account-used",
    since: "0.1.0",
    aliases: &[],
    title: "Default service accounts are not actively used",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.5"),
        RefStatic::cis_aks("1.7.0", "4.1.5"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Three uses of a namespace's `default` ServiceAccount: workloads that run as it (no `serviceAccountName`, or `default`) with its token mounted; RoleBindings and ClusterRoleBindings that grant it permissions; and `default` ServiceAccount objects that do not set `automountServiceAccountToken: false`. The pod's `automountServiceAccountToken` takes precedence over the ServiceAccount's.",
        why: "Every pod that names no service account runs as `default`. Permissions granted to it are silently shared by all those pods, and its token in each of them is a credential an attacker inside any one of them can use.",
        fix: "Create one ServiceAccount per workload and set `spec.template.spec.serviceAccountName`; grant permissions only to those. Patch each namespace's default account: `kubectl patch serviceaccount default -n NS -p '{\"automountServiceAccountToken\": false}'`. On AKS, Azure Workload Identity federates a dedicated ServiceAccount (never `default`) with a managed identity.",
        links: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
        ],
        bad: deployment_example!(),
        good: deployment_example!(spec: ["serviceAccountName: web"]),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    // PASS findings are counted as they come, not kept per workload.
    let mut out = crate::aggregate::Sink::default();
    for t in ctx.workloads() {
        let sa = service_account_of(t);
        let resource = t.object.resource();
        if sa.name != "default" {
            out.push(
                Finding::new(
                    &META,
                    Status::Pass,
                    resource,
                    format!("runs as service account {}", sa.name),
                )
                .with_evidence(sa.evidence),
            );
            continue;
        }
        let token = token_mount(ctx, t, &sa.name);
        let f = if token.mounted {
            Finding::new(
                &META,
                Status::Fail,
                resource,
                "runs as the default service account with its token mounted",
            )
        } else {
            Finding::new(
                &META,
                Status::Pass,
                resource,
                "runs as the default service account, but no token is mounted",
            )
        };
        out.push(f.with_evidence(sa.evidence).with_evidence(token.evidence));
    }
    for b in &ctx.rbac.bindings {
        let defaults: Vec<String> = b
            .subjects
            .iter()
            .filter(|s| s.kind == SubjectKind::ServiceAccount && s.name == "default")
            .map(|s| s.display())
            .collect();
        if defaults.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                &META,
                Status::Fail,
                b.object.resource(),
                format!(
                    "{} grants {}/{} to {} ({})",
                    b.label(),
                    b.role_kind,
                    b.role_name,
                    defaults.join(", "),
                    b.scope()
                ),
            )
            .with_evidence(
                Evidence::observed(defaults.join(", "), b.object.source("/subjects"))
                    .with_expected("a dedicated service account"),
            ),
        );
    }
    for sa in ctx
        .inv
        .of_kind("ServiceAccount")
        .filter(|o| o.name == "default")
    {
        let field = sa
            .value
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool);
        let (status, msg, observed) = match field {
            Some(false) => (Status::Pass, "default service account does not automount its token".to_string(), "false"),
            // CIS 4.1.5 asks for `automountServiceAccountToken: false` on every default account.
            Some(true) => (Status::Fail, "default service account automounts its token into every pod that does not opt out".to_string(), "true"),
            None => (Status::Fail, "default service account leaves automountServiceAccountToken unset (Kubernetes default: mounted)".to_string(), "absent (true)"),
        };
        out.push(
            Finding::new(&META, status, sa.resource(), msg).with_evidence(
                Evidence::observed(observed, sa.source("/automountServiceAccountToken"))
                    .with_expected("false"),
            ),
        );
    }
    out.into_findings()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};

    #[test]
    fn workload_on_default_sa_with_token_fails() {
        let input = deployment(
            "web",
            "shop",
            "      containers: [{name: app, image: nginx}]",
        );
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].resource.kind, "Deployment");
        assert!(
            f[0].evidence[1]
                .note
                .as_deref()
                .unwrap_or("")
                .contains("not in the inputs")
        );
    }

    #[test]
    fn pod_field_false_wins_over_service_account_true() {
        let mut input = deployment(
            "web",
            "shop",
            "      automountServiceAccountToken: false\n      containers: [{name: app, image: nginx}]",
        );
        input.push_str("---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: shop}\nautomountServiceAccountToken: true\n");
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert!(
            crate::aggregate::passed(&f, "Deployment/shop/web").is_some(),
            "{f:#?}"
        );
        let sa = f
            .iter()
            .find(|f| f.resource.kind == "ServiceAccount")
            .expect("sa finding");
        assert_eq!(sa.status, Status::Fail, "the CIS 4.1.5 verdict");
    }

    #[test]
    fn service_account_false_applies_when_pod_is_silent() {
        let mut input = deployment(
            "web",
            "shop",
            "      containers: [{name: app, image: nginx}]",
        );
        input.push_str("---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: shop}\nautomountServiceAccountToken: false\n");
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert!(f.iter().all(|f| f.status == Status::Pass), "{f:#?}");
    }

    #[test]
    fn dedicated_service_account_passes_and_binding_to_default_fails() {
        let mut input = deployment(
            "web",
            "shop",
            "      serviceAccountName: web\n      containers: [{name: app, image: nginx}]",
        );
        input.push_str("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: default, namespace: shop}]\n");
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert!(
            crate::aggregate::passed(&f, "Deployment/shop/web").is_some(),
            "{f:#?}"
        );
        let b = f
            .iter()
            .find(|f| f.resource.kind == "RoleBinding")
            .expect("binding finding");
        assert_eq!(b.status, Status::Fail);
        assert_eq!(b.evidence[0].source.key.as_deref(), Some("/subjects"));
    }
}
