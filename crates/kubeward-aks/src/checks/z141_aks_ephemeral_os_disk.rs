//! Node pools use ephemeral OS disks.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, checkov, finding, per_pool};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z141",
    name: "aks-ephemeral-os-disk",
    since: "0.1.0",
    aliases: &[],
    title: "Node pools use ephemeral OS disks",
    area: Area::Aks,
    severity: Severity::Low,
    references: &[checkov("CKV_AZURE_226")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`osDiskType` of every node pool.",
        why: "An ephemeral OS disk lives on the VM host and is discarded on reimage: nothing written to the node's disk by an attacker survives an upgrade, and no managed disk holds node data at rest.",
        fix: "Add a replacement pool with an ephemeral OS disk (the VM size must have a large enough cache or temp disk): az aks nodepool add -g <resource-group> --cluster-name <cluster> -n <new-pool> --node-osdisk-type Ephemeral ...; then delete <pool>",
        links: &["https://learn.microsoft.com/azure/aks/concepts-storage#ephemeral-os-disk"],
        bad: cluster!(pools [linux_pool!(r#""osDiskType": "Managed""#)];),
        good: cluster!(pools [linux_pool!(r#""osDiskType": "Ephemeral""#)];),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    per_pool(&META, c, |p| {
        let f = p.get("osDiskType");
        let out = match f.str() {
            Some(t) if t.eq_ignore_ascii_case("ephemeral") => {
                finding(&META, c, Some(p), Status::Pass, "ephemeral OS disk")
            }
            Some(t) => finding(
                &META,
                c,
                Some(p),
                Status::Fail,
                format!("{t} OS disk: node data persists on a managed disk"),
            ),
            None if f.is_unresolved() => finding(
                &META,
                c,
                Some(p),
                Status::Manual,
                "osDiskType is an unresolved ARM expression",
            ),
            None => {
                return finding(&META, c, Some(p), Status::Manual,
                        "osDiskType not set: AKS picks Ephemeral when the VM size's cache or temp disk can hold the OS disk, else Managed; check `az aks nodepool show`")
                        .with_evidence(f.evidence("Ephemeral").with_note("not set: the default depends on the VM size"));
            }
        };
        out.with_evidence(f.evidence("Ephemeral"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, statuses};
    use super::*;

    #[test]
    fn every_pool_is_judged() {
        let json = cl(
            r#""agentPoolProfiles":[{"name":"a","osDiskType":"Ephemeral"},{"name":"b","osDiskType":"Managed"},{"name":"c"}]"#,
        );
        assert_eq!(
            statuses(evaluate, &json),
            vec![Status::Pass, Status::Fail, Status::Manual]
        );
    }
}
