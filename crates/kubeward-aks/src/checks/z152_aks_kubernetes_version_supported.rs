//! The cluster and every node pool run a Kubernetes minor version AKS still supports.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, finding, policy};
use crate::model::{Cluster, Field, Pool};
use crate::versions::{Support, TABLE_AS_OF, WARN_DAYS, parse_minor, support};

pub static META: CheckMeta = CheckMeta {
    code: "Z152",
    name: "aks-kubernetes-version-supported",
    since: "0.1.0",
    aliases: &[],
    title: "Kubernetes version is still supported by AKS",
    area: Area::Aks,
    severity: Severity::High,
    references: &[policy("fb893a29-21bb-418c-a157-e99480ec364c")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The control plane version (`currentKubernetesVersion`, else `kubernetesVersion`) and every pool's (`currentOrchestratorVersion`, else `orchestratorVersion`) against kubeward's built-in AKS release calendar; `supportPlan: AKSLongTermSupport` uses the LTS end dates. Support ending within 60 days is a warning. The table's own date is printed with each finding; versions newer than the table cannot be judged.",
        why: "Out of support, AKS ships no more security patches for the version's components, and the cluster is on platform support only (no Kubernetes fixes).",
        fix: "az aks get-upgrades -g <resource-group> -n <cluster> -o table; az aks upgrade -g <resource-group> -n <cluster> --kubernetes-version <version>   # pools: az aks nodepool upgrade -g <resource-group> --cluster-name <cluster> -n <pool> --kubernetes-version <version>",
        links: &["https://learn.microsoft.com/azure/aks/supported-kubernetes-versions"],
        bad: cluster!(version "1.31"; pools [linux_pool!(r#""orchestratorVersion": "1.31", "currentOrchestratorVersion": "1.31.9""#)]; r#""currentKubernetesVersion": "1.31.9""#),
        good: cluster!(pools [linux_pool!(r#""orchestratorVersion": "1.35", "currentOrchestratorVersion": "1.35.1""#)]; r#""currentKubernetesVersion": "1.35.1""#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

fn judge(c: &Cluster, pool: Option<&Pool>, field: &Field<'_>, lts: bool, ctx: &Ctx) -> Finding {
    let expected = format!(
        "a minor version supported on {} (table of {TABLE_AS_OF})",
        ctx.as_of
    );
    let ev = field.evidence(&expected);
    let Some(version) = field.str().filter(|_| !field.is_unresolved()) else {
        let msg = if field.is_unresolved() {
            "the Kubernetes version is an unresolved ARM expression"
        } else {
            "no Kubernetes version in the input"
        };
        let status = if field.is_unresolved() {
            Status::Manual
        } else {
            Status::NotApplicable
        };
        return finding(&META, c, pool, status, msg).with_evidence(ev);
    };
    let Some(minor) = parse_minor(version) else {
        return finding(
            &META,
            c,
            pool,
            Status::Error,
            format!("cannot read Kubernetes version {version:?}"),
        )
        .with_evidence(ev);
    };
    let plan = if lts { "LTS " } else { "" };
    let (status, msg) = match support(minor, lts, ctx.as_of) {
        Support::Supported {
            until, days_left, ..
        } if days_left <= WARN_DAYS => (
            Status::Warn,
            format!(
                "Kubernetes {version}: AKS {plan}support ends {until} ({days_left} days after {}; table of {TABLE_AS_OF})",
                ctx.as_of
            ),
        ),
        Support::Supported { until, .. } => (
            Status::Pass,
            format!(
                "Kubernetes {version}: AKS {plan}support until {until} (table of {TABLE_AS_OF})"
            ),
        ),
        Support::Ended { on, .. } => (
            Status::Fail,
            format!(
                "Kubernetes {version}: AKS {plan}support ended {on} (as of {}; table of {TABLE_AS_OF})",
                ctx.as_of
            ),
        ),
        Support::OlderThanTable => (
            Status::Fail,
            format!(
                "Kubernetes {version}: older than every version in the AKS release calendar of {TABLE_AS_OF}, out of support"
            ),
        ),
        Support::NewerThanTable => (
            Status::Info,
            format!(
                "Kubernetes {version}: newer than kubeward's AKS release calendar of {TABLE_AS_OF}; its support window is not known to this version of kubeward"
            ),
        ),
    };
    finding(&META, c, pool, status, msg).with_evidence(ev)
}

fn version_field<'a>(get: impl Fn(&str) -> Field<'a>, current: &str, wanted: &str) -> Field<'a> {
    let f = get(current);
    if f.str().is_some() { f } else { get(wanted) }
}

pub fn evaluate(c: &Cluster, ctx: &Ctx) -> Vec<Finding> {
    let lts = c
        .get("supportPlan")
        .str()
        .is_some_and(|p| p.eq_ignore_ascii_case("AKSLongTermSupport"));
    let mut out = vec![judge(
        c,
        None,
        &version_field(
            |k| c.get(k),
            "currentKubernetesVersion",
            "kubernetesVersion",
        ),
        lts,
        ctx,
    )];
    let cluster_version = version_field(
        |k| c.get(k),
        "currentKubernetesVersion",
        "kubernetesVersion",
    );
    for p in &c.pools {
        let f = version_field(
            |k| p.get(k),
            "currentOrchestratorVersion",
            "orchestratorVersion",
        );
        if f.is_unset() && cluster_version.str().is_some() {
            // A pool created without a version runs the control plane's.
            let mut finding = judge(c, Some(p), &cluster_version, lts, ctx);
            finding
                .message
                .push_str(" (pool version not set: it follows the control plane)");
            out.push(
                finding.with_evidence(
                    f.evidence("").with_note(
                        "not set: AKS creates the pool with the control plane's version",
                    ),
                ),
            );
        } else {
            out.push(judge(c, Some(p), &f, lts, ctx));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, cluster, ctx};
    use super::*;

    fn st(json: &str) -> Vec<Status> {
        evaluate(&cluster(json), &ctx())
            .iter()
            .map(|f| f.status)
            .collect()
    }

    #[test]
    fn cluster_and_pools_against_the_table_as_of_2026_09_01() {
        // cl() sets kubernetesVersion 1.33 (ended 2026-07-31).
        let json = cl(
            r#""currentKubernetesVersion":"1.35.2","agentPoolProfiles":[{"name":"a","orchestratorVersion":"1.35"},{"name":"b","currentOrchestratorVersion":"1.31.9"},{"name":"c","orchestratorVersion":"1.34"},{"name":"d","orchestratorVersion":"1.40"},{"name":"e","orchestratorVersion":"1.25.6"}]"#,
        );
        assert_eq!(
            st(&json),
            vec![
                Status::Pass,
                Status::Pass,
                Status::Fail,
                Status::Pass,
                Status::Info,
                Status::Fail
            ]
        );
        assert_eq!(st(&cl("")), vec![Status::Fail]);
        // A pool without a version follows the control plane.
        let f = evaluate(
            &cluster(&cl(
                r#""kubernetesVersion":"1.35","agentPoolProfiles":[{"name":"a"}]"#,
            )),
            &ctx(),
        );
        assert_eq!(f[1].status, Status::Pass);
        assert!(f[1].message.contains("follows the control plane"));
        // LTS keeps 1.33 supported until 2027-07-31.
        assert_eq!(
            st(&cl(r#""supportPlan":"AKSLongTermSupport""#)),
            vec![Status::Pass]
        );
        // 1.34 ends 2026-11-30: a warning within 60 days.
        let late = Ctx {
            as_of: crate::versions::parse_date("2026-11-01").expect("date"),
        };
        let f = evaluate(
            &cluster(&cl(r#""currentKubernetesVersion":"1.34.1""#)),
            &late,
        );
        assert_eq!(f[0].status, Status::Warn);
        assert!(f[0].message.contains(TABLE_AS_OF));
    }
}
