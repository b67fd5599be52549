//! Node pools run FIPS 140 validated images (where compliance requires it).

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, finding, per_pool};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z142",
    name: "aks-fips-image",
    since: "0.1.0",
    aliases: &[],
    title: "Node pools use FIPS-enabled images",
    area: Area::Aks,
    severity: Severity::Info,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`enableFips` of every node pool. Reported as INFO when off: FIPS 140 is a requirement of regulated environments (FedRAMP, some government and finance work), not a general hardening step.",
        why: "FIPS-enabled node images use validated cryptographic modules; regulated workloads must run on them.",
        fix: "az aks nodepool update -g <resource-group> --cluster-name <cluster> -n <pool> --enable-fips-image   # or add a new pool with --enable-fips-image",
        links: &["https://learn.microsoft.com/azure/aks/enable-fips-nodes"],
        bad: cluster!(pools [linux_pool!(r#""enableFips": false"#)];),
        good: cluster!(pools [linux_pool!(r#""enableFips": true"#)];),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    per_pool(&META, c, |p| {
        let f = p.get("enableFips");
        let out = match f.bool() {
            Some(true) => finding(&META, c, Some(p), Status::Pass, "FIPS-enabled node image"),
            _ if f.is_unresolved() => finding(
                &META,
                c,
                Some(p),
                Status::Manual,
                "enableFips is an unresolved ARM expression",
            ),
            Some(false) => finding(
                &META,
                c,
                Some(p),
                Status::Info,
                "FIPS is not enabled (needed only where FIPS 140 compliance is required)",
            ),
            None => finding(
                &META,
                c,
                Some(p),
                Status::Info,
                "FIPS is not enabled (not set; AKS default: false); needed only where FIPS 140 compliance is required",
            ),
        };
        out.with_evidence(f.evidence("true"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, statuses};
    use super::*;

    #[test]
    fn every_pool_is_judged() {
        let json = cl(
            r#""agentPoolProfiles":[{"name":"a","enableFIPS":true},{"name":"b","enableFips":false},{"name":"c"}]"#,
        );
        assert_eq!(
            statuses(evaluate, &json),
            vec![Status::Pass, Status::Info, Status::Info]
        );
    }
}
