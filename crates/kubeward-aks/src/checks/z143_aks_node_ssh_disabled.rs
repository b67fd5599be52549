//! SSH access to nodes is disabled.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, finding, per_pool, policy};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z143",
    name: "aks-node-ssh-disabled",
    since: "0.1.0",
    aliases: &[],
    title: "SSH access to nodes is disabled",
    area: Area::Aks,
    severity: Severity::Low,
    references: &[policy("28257686-e9db-403e-b9e2-a5eecbe03da9")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`securityProfile.sshAccess` of every Linux node pool.",
        why: "With LocalUser SSH, whoever holds the cluster's SSH key (set at creation, rarely rotated) gets a root-capable shell on every node; `kubectl debug node/...` covers troubleshooting with audited access instead.",
        fix: "az aks nodepool update -g <resource-group> --cluster-name <cluster> -n <pool> --ssh-access disabled",
        links: &["https://learn.microsoft.com/azure/aks/manage-ssh-node-access"],
        bad: cluster!(pools [linux_pool!(r#""securityProfile": {"sshAccess": "LocalUser"}"#)];),
        good: cluster!(pools [linux_pool!(r#""securityProfile": {"sshAccess": "Disabled"}"#)];),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    per_pool(&META, c, |p| {
        let f = p.get("securityProfile.sshAccess");
        if p.is_windows() {
            return finding(
                &META,
                c,
                Some(p),
                Status::NotApplicable,
                "Windows node pool: sshAccess applies to Linux pools",
            )
            .with_evidence(p.get("osType").evidence(""));
        }
        let out = match f.str() {
            Some(s) if s.eq_ignore_ascii_case("disabled") => {
                finding(&META, c, Some(p), Status::Pass, "SSH access disabled")
            }
            Some(s) if s.eq_ignore_ascii_case("entraid") => finding(
                &META,
                c,
                Some(p),
                Status::Pass,
                "SSH access only with Entra ID identities",
            ),
            Some(s) => finding(
                &META,
                c,
                Some(p),
                Status::Warn,
                format!("SSH access {s}: the cluster SSH key opens a shell on the nodes"),
            ),
            None if f.is_unresolved() => finding(
                &META,
                c,
                Some(p),
                Status::Manual,
                "sshAccess is an unresolved ARM expression",
            ),
            None => {
                return finding(
                    &META,
                    c,
                    Some(p),
                    Status::Warn,
                    "SSH access not set (AKS default: LocalUser, key-based SSH enabled)",
                )
                .with_evidence(
                    f.evidence("Disabled")
                        .with_note("not set: AKS enables LocalUser SSH by default"),
                );
            }
        };
        out.with_evidence(f.evidence("Disabled"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, statuses};
    use super::*;

    #[test]
    fn every_pool_is_judged() {
        let json = cl(
            r#""agentPoolProfiles":[{"name":"a","securityProfile":{"sshAccess":"Disabled"}},{"name":"b","securityProfile":{"sshAccess":"LocalUser"}},{"name":"c"},{"name":"w","osType":"Windows"}]"#,
        );
        assert_eq!(
            statuses(evaluate, &json),
            vec![
                Status::Pass,
                Status::Warn,
                Status::Warn,
                Status::NotApplicable
            ]
        );
    }
}
