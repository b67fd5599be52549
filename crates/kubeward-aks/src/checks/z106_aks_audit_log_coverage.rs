//! kubeward's own advice on top of CIS AKS 2.1.1 (Z100): the exported audit log records reads,
//! and, on an Entra ID cluster, the `guard` decisions. Kept apart so Z100 gives the CIS verdict.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::z100_aks_audit_logs_collected::{audit_group, enabled, exporting, setting_evidence};
use super::{Check, Ctx, finding};
use crate::model::{Cluster, DiagSetting};

pub static META: CheckMeta = CheckMeta {
    code: "Z106",
    name: "aks-audit-log-coverage",
    since: "0.1.0",
    aliases: &[],
    title: "The exported audit log records reads and Entra ID decisions",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1562.008")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Reads `az monitor diagnostic-settings list --resource <cluster-id>` output: is `kube-audit` (all verbs) exported rather than only `kube-audit-admin`, and on a cluster with Entra ID integration, is `guard` exported too (or the `audit`/`allLogs` category groups)?",
        why: "`kube-audit-admin` drops get/list/watch events, so secret reads and WebSocket exec (a GET since kubectl 1.30) are not recorded; `guard` carries Entra ID authentication and Azure RBAC decisions. Without them an investigation cannot tell who read what.",
        fix: "az monitor diagnostic-settings create --name aks-audit --resource $(az aks show -g <resource-group> -n <cluster> --query id -o tsv) --workspace <log-analytics-workspace-id> --export-to-resource-specific true --logs '[{\"category\":\"kube-audit\",\"enabled\":true},{\"category\":\"guard\",\"enabled\":true}]'",
        links: &[
            "https://learn.microsoft.com/azure/aks/monitor-aks#aks-control-planeresource-logs",
        ],
        bad: diagnostics_example!(r#"{"category": "kube-audit-admin", "enabled": true}"#),
        good: diagnostics_example!(r#"{"category": "kube-audit", "enabled": true}"#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let Some(diag) = &c.diagnostics else {
        return vec![finding(
            &META,
            c,
            None,
            Status::Manual,
            "no diagnostic settings given: add `az monitor diagnostic-settings list --resource <cluster-id> -o json` output to judge what the audit log records",
        )];
    };
    let live: Vec<&DiagSetting> = diag.settings.iter().filter(|s| exporting(s)).collect();
    let full = live
        .iter()
        .any(|s| enabled(s, "kube-audit") || audit_group(s));
    let admin = live.iter().any(|s| enabled(s, "kube-audit-admin"));
    let guard = live.iter().any(|s| enabled(s, "guard") || audit_group(s));
    let (status, message) = if !full && !admin {
        (
            Status::NotApplicable,
            "no audit log is exported at all: Z100 reports it".to_string(),
        )
    } else {
        let mut missing = Vec::new();
        if !full {
            missing.push("kube-audit (only kube-audit-admin is exported: get/list/watch, such as secret reads and WebSocket exec, are not recorded)");
        }
        if c.has_entra() && !guard {
            missing.push("guard (Entra ID authentication and Azure RBAC decisions)");
        }
        if missing.is_empty() {
            let what = if c.has_entra() {
                "kube-audit and guard are exported"
            } else {
                "kube-audit is exported (no Entra ID integration: guard does not apply)"
            };
            (Status::Pass, what.to_string())
        } else {
            (
                Status::Warn,
                format!("not exported: {}", missing.join("; ")),
            )
        }
    };
    let mut f = finding(&META, c, None, status, message);
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
        let audit = with(r#"{"category":"kube-audit","enabled":true}"#);
        let admin = with(r#"{"category":"kube-audit-admin","enabled":true}"#);
        let audit_guard =
            with(r#"{"category":"kube-audit","enabled":true},{"category":"guard","enabled":true}"#);
        assert_eq!(run(&plain, None), Status::Manual);
        assert_eq!(run(&plain, Some("[]")), Status::NotApplicable);
        assert_eq!(run(&plain, Some(&audit)), Status::Pass);
        assert_eq!(run(&plain, Some(&admin)), Status::Warn);
        assert_eq!(run(&aad, Some(&audit)), Status::Warn);
        assert_eq!(run(&aad, Some(&audit_guard)), Status::Pass);
        assert_eq!(
            run(
                &aad,
                Some(&with(r#"{"categoryGroup":"audit","enabled":true}"#))
            ),
            Status::Pass
        );
    }
}
