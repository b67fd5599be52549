//! CIS AKS 2.1.1: the cluster's audit logs are collected by a diagnostic setting.
//!
//! This check gives the CIS verdict only: `kube-audit` or `kube-audit-admin` exported meets the
//! item. What a complete audit trail adds (reads, `guard`) is Z106, a check of its own.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Source, Status};

use super::{Check, Ctx, cis, finding, policy};
use crate::model::{Cluster, DiagSetting};

pub static META: CheckMeta = CheckMeta {
    code: "Z100",
    name: "aks-audit-logs-collected",
    since: "0.1.0",
    aliases: &[],
    title: "Kubernetes audit logs are exported by a diagnostic setting",
    area: Area::Aks,
    severity: Severity::High,
    references: &[
        cis("2.1.1"),
        policy("245fc9df-fa96-4414-9a0b-3738c2f7341c"),
        policy("6c66c325-74c8-42fd-a286-a74b0e2939d8"),
    ],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Reads `az monitor diagnostic-settings list --resource <cluster-id>` output and looks for a setting with a destination (Log Analytics workspace, storage account, Event Hub or partner) that enables the `kube-audit` or `kube-audit-admin` category (or the `audit`/`allLogs` category groups).",
        why: "AKS runs the API server for you: its audit log exists only if a diagnostic setting exports it. Without it there is no record of who changed RBAC, workloads or secrets. CIS AKS 2.1.1 is met by `kube-audit` or `kube-audit-admin`; whether reads and Entra ID decisions are recorded too is judged by Z106 (aks-audit-log-coverage).",
        fix: "az monitor diagnostic-settings create --name aks-audit --resource $(az aks show -g <resource-group> -n <cluster> --query id -o tsv) --workspace <log-analytics-workspace-id> --export-to-resource-specific true --logs '[{\"category\":\"kube-audit\",\"enabled\":true}]'",
        links: &[
            "https://learn.microsoft.com/azure/aks/monitor-aks#aks-control-planeresource-logs",
        ],
        bad: diagnostics_example!(
            r#"{"category": "kube-apiserver", "enabled": true}"#,
            r#"{"category": "kube-audit", "enabled": false}"#
        ),
        good: diagnostics_example!(
            r#"{"category": "kube-apiserver", "enabled": true}"#,
            r#"{"category": "kube-audit", "enabled": true}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub(crate) fn exporting(s: &DiagSetting) -> bool {
    !s.destinations.is_empty()
}

pub(crate) fn enabled(s: &DiagSetting, category: &str) -> bool {
    s.logs.iter().any(|l| {
        l.enabled
            && (l.category.as_deref() == Some(category)
                || matches!(l.category_group.as_deref(), Some("alllogs")))
    })
}

pub(crate) fn audit_group(s: &DiagSetting) -> bool {
    s.logs
        .iter()
        .any(|l| l.enabled && matches!(l.category_group.as_deref(), Some("audit" | "alllogs")))
}

pub(crate) fn setting_evidence(s: &DiagSetting) -> Evidence {
    let cats: Vec<String> = s
        .logs
        .iter()
        .filter(|l| l.enabled)
        .map(|l| {
            l.category
                .clone()
                .or_else(|| l.category_group.as_ref().map(|g| format!("group:{g}")))
                .unwrap_or_default()
        })
        .collect();
    let mut src = Source::file(s.file.path.clone()).with_key(s.path.clone());
    if let Some(l) = s.file.lines.line(&s.path) {
        src = src.with_line(l);
    }
    src.origin = Some("az monitor diagnostic-settings list".into());
    let mut e = Evidence::observed(
        format!(
            "setting {}: enabled logs [{}]; destinations [{}]",
            s.name,
            cats.join(", "),
            s.destinations.join(", ")
        ),
        src,
    )
    .with_expected("kube-audit (or kube-audit-admin) enabled with a destination");
    if s.destinations.is_empty() {
        e = e.with_note("no destination: nothing is exported");
    } else if s
        .destinations
        .iter()
        .all(|d| d.starts_with("storageAccountId"))
    {
        e = e.with_note("storage account only: logs are archived but no detection pipeline reads them; retention is the storage lifecycle policy");
    } else if s.destination_type.is_none()
        && s.destinations.iter().any(|d| d.starts_with("workspaceId"))
    {
        e = e.with_note("logAnalyticsDestinationType unset: legacy AzureDiagnostics table; resource-specific (Dedicated) tables are cheaper and typed");
    }
    e
}

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let Some(diag) = &c.diagnostics else {
        return vec![finding(
            &META,
            c,
            None,
            Status::Manual,
            "no diagnostic settings given: add `az monitor diagnostic-settings list --resource <cluster-id> -o json` output to judge audit log collection",
        )];
    };
    let mut f;
    let live: Vec<&DiagSetting> = diag.settings.iter().filter(|s| exporting(s)).collect();
    let full = live
        .iter()
        .any(|s| enabled(s, "kube-audit") || audit_group(s));
    let admin = live.iter().any(|s| enabled(s, "kube-audit-admin"));
    if diag.settings.is_empty() {
        f = finding(
            &META,
            c,
            None,
            Status::Fail,
            "no diagnostic setting on the cluster: its audit log is not collected",
        );
        for file in &diag.files {
            f = f.with_evidence(super::note_evidence(
                "empty list",
                file,
                "az monitor diagnostic-settings list",
            ));
        }
        return vec![f];
    }
    // CIS AKS 2.1.1 asks for the audit log to be collected: either audit category meets it.
    if full {
        f = finding(&META, c, None, Status::Pass, "kube-audit is exported");
    } else if admin {
        f = finding(
            &META,
            c,
            None,
            Status::Pass,
            "kube-audit-admin is exported (see Z106 for the reads it leaves out)",
        );
    } else {
        f = finding(
            &META,
            c,
            None,
            Status::Fail,
            "no diagnostic setting exports kube-audit or kube-audit-admin",
        );
    }
    for s in &diag.settings {
        f = f.with_evidence(setting_evidence(s));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{settings, status_with_settings};
    use super::*;

    fn run(cluster: &str, diag: Option<&str>) -> Status {
        status_with_settings(evaluate, cluster, diag)
    }

    #[test]
    fn verdicts() {
        let plain = super::super::testing::cl("");
        let aad = super::super::testing::cl(r#""aadProfile":{"managed":true}"#);
        let with = settings;
        assert_eq!(run(&plain, None), Status::Manual);
        assert_eq!(run(&plain, Some("[]")), Status::Fail);
        assert_eq!(
            run(
                &plain,
                Some(&with(r#"{"category":"kube-audit","enabled":true}"#))
            ),
            Status::Pass
        );
        assert_eq!(
            run(
                &plain,
                Some(&with(r#"{"category":"kube-audit-admin","enabled":true}"#))
            ),
            Status::Pass,
            "CIS 2.1.1 is met by kube-audit-admin"
        );
        assert_eq!(
            run(
                &plain,
                Some(&with(r#"{"category":"kube-audit","enabled":false}"#))
            ),
            Status::Fail
        );
        assert_eq!(
            run(
                &plain,
                Some(&with(r#"{"categoryGroup":"allLogs","enabled":true}"#))
            ),
            Status::Pass
        );
        assert_eq!(
            run(
                &aad,
                Some(&with(r#"{"category":"kube-audit","enabled":true}"#))
            ),
            Status::Pass,
            "guard not exported is Z106's finding, not a CIS failure"
        );
        // Enabled but sent nowhere.
        assert_eq!(
            run(
                &plain,
                Some(
                    &with(r#"{"category":"kube-audit","enabled":true}"#)
                        .replace(r#""workspaceId":"/w","#, "")
                )
            ),
            Status::Fail
        );
        // Older `{"value": [...]}` shape.
        assert_eq!(
            run(
                &plain,
                Some(&format!(
                    r#"{{"value":{}}}"#,
                    with(r#"{"category":"kube-audit","enabled":true}"#)
                ))
            ),
            Status::Pass
        );
    }
}
