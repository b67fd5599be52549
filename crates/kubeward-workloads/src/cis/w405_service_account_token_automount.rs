//! CIS AKS 1.8.0 4.1.6: service account tokens are only mounted where necessary.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::service_account::{Decided, service_account_of, token_mount};
use crate::Check;
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W405",
    name: "service-account-token-automount",
    since: "0.1.0",
    aliases: &[],
    title: "Service account tokens are only mounted where necessary",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.1.6"),
        RefStatic::cis_aks("1.7.0", "4.1.6"),
        RefStatic::mitre("T1528"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "For every workload, whether its service account token is mounted, and who decided: the pod's `automountServiceAccountToken` (which wins), else the ServiceAccount's, else the Kubernetes default (mounted). A token mounted only by default fails; an explicit `true` is taken as a deliberate need and passes with a note.",
        why: "A mounted token lets anything running in the container call the API server as the service account. Most applications never talk to the API server; for them the token is only something to steal.",
        fix: "Set `automountServiceAccountToken: false` in the pod template (`spec.template.spec`) of workloads that do not call the Kubernetes API, or on their ServiceAccount. Workloads that need it should say `true` explicitly. Azure Workload Identity injects its own projected token and does not need the automounted one.",
        links: &[
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
        ],
        bad: deployment_example!(),
        good: deployment_example!(spec: ["automountServiceAccountToken: false"]),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    // PASS findings are counted as they come, not kept per workload.
    let mut out = crate::aggregate::Sink::default();
    for t in ctx.workloads() {
        let sa = service_account_of(t);
        let token = token_mount(ctx, t, &sa.name);
        let (status, msg) = match (token.mounted, token.decided) {
            (false, _) => (
                Status::Pass,
                format!("token of service account {} is not mounted", sa.name),
            ),
            (true, Decided::Default) => (
                Status::Fail,
                format!(
                    "token of service account {} is mounted only because nothing opts out",
                    sa.name
                ),
            ),
            (true, Decided::PodField) => (
                Status::Pass,
                format!(
                    "token of service account {} is mounted: the pod asks for it explicitly",
                    sa.name
                ),
            ),
            (true, Decided::ServiceAccountField) => (
                Status::Pass,
                format!(
                    "token of service account {} is mounted: the ServiceAccount asks for it explicitly",
                    sa.name
                ),
            ),
        };
        out.push(
            Finding::new(&META, status, t.object.resource(), msg).with_evidence(token.evidence),
        );
    }
    out.into_findings()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};

    #[test]
    fn implicit_mount_fails() {
        let input = deployment(
            "api",
            "shop",
            "      serviceAccountName: api\n      containers: [{name: app, image: nginx}]",
        );
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/spec/template/spec/automountServiceAccountToken")
        );
    }

    #[test]
    fn explicit_values_pass_and_pod_field_wins() {
        let mut input = deployment(
            "api",
            "shop",
            "      serviceAccountName: api\n      automountServiceAccountToken: false\n      containers: [{name: app, image: nginx}]",
        );
        input.push_str("---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop}\nautomountServiceAccountToken: true\n");
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        let api = crate::aggregate::passed(&f, "Deployment/shop/api").expect("api passes");
        assert!(
            api.note
                .as_deref()
                .is_some_and(|n| n.contains("not mounted")),
            "{api:?}"
        );

        let mut input = deployment(
            "api",
            "shop",
            "      serviceAccountName: api\n      containers: [{name: app, image: nginx}]",
        );
        input.push_str("---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop}\nautomountServiceAccountToken: false\n");
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        let api = crate::aggregate::passed(&f, "Deployment/shop/api").expect("api passes");
        assert_eq!(
            api.source.key.as_deref(),
            Some("/automountServiceAccountToken")
        );
    }
}
