//! Workload posture: Pod Security Standards, CIS AKS section 4, RBAC, effective seccomp/AppArmor.
//!
//! [`scan`] runs every workload check over an [`Inventory`]; [`rbac`] answers who-can questions;
//! [`profiles`] computes the seccomp and AppArmor profile each container really runs with.

pub mod cis;
pub mod ctx;
pub mod profiles;
pub mod pss;
pub mod rbac;
pub mod system;

use kubeward_core::{CheckMeta, Finding};
use kubeward_inventory::Inventory;

pub use ctx::{Ctx, ScanOptions};

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    let mut v: Vec<&'static CheckMeta> = cis::all().into_iter().map(|(m, _)| m).collect();
    v.extend(profiles::all().into_iter().map(|(m, _)| m));
    v.extend(pss::checks());
    v
}

/// Pod Security Standards as part of the workload report, at a fixed default: `baseline:latest`
/// violations FAIL (what every namespace should at least enforce), and violations that only
/// `restricted:latest` adds are WARN (the hardening target). The per-workload verdict is the
/// baseline one. `kubeward pss` evaluates any level and version, and namespace labels.
pub fn pss_findings(inv: &Inventory, opts: &ScanOptions) -> Vec<Finding> {
    use std::collections::BTreeSet;
    let visible = |f: &Finding| {
        opts.include_system
            || !f
                .resource
                .namespace
                .as_deref()
                .is_some_and(system::is_system_namespace)
    };
    let baseline: Vec<Finding> = pss::findings(inv, pss::Level::Baseline, pss::Version::Latest)
        .into_iter()
        .filter(visible)
        .collect();
    let seen: BTreeSet<(String, kubeward_core::Resource)> = baseline
        .iter()
        .map(|f| (f.code.clone(), f.resource.clone()))
        .collect();
    let mut out = baseline;
    for mut f in pss::findings(inv, pss::Level::Restricted, pss::Version::Latest) {
        if f.code == pss::VERDICT_META.code
            || !visible(&f)
            || seen.contains(&(f.code.clone(), f.resource.clone()))
        {
            continue;
        }
        if f.status == kubeward_core::Status::Fail {
            f.status = kubeward_core::Status::Warn;
        }
        out.push(f);
    }
    out
}

/// Run every workload check: CIS section 4, profiles, and Pod Security Standards ([`pss_findings`]).
pub fn scan(inv: &Inventory, opts: &ScanOptions) -> Vec<Finding> {
    let ctx = Ctx::new(inv, opts);
    let mut out = Vec::new();
    for (_, eval) in cis::all().into_iter().chain(profiles::all()) {
        out.extend(eval(&ctx).into_iter().map(slim_pass));
    }
    out.extend(pss_findings(inv, opts).into_iter().map(slim_pass));
    out
}

/// A PASS needs no remediation text: dropping it keeps a 100,000-object scan's report small.
fn slim_pass(mut f: Finding) -> Finding {
    if f.status == kubeward_core::Status::Pass {
        f.remediation = String::new();
    }
    f
}

#[cfg(test)]
mod tests {
    #[test]
    fn check_codes_and_names_are_unique_and_well_formed() {
        let reg = kubeward_core::Registry::new().with(&super::checks());
        if let Err(e) = reg.validate() {
            panic!("{e:?}");
        }
        assert!(super::checks().iter().all(|c| c.code.starts_with('W')));
    }

    #[test]
    fn pss_baseline_fails_and_restricted_only_warns() {
        let inv = crate::ctx::test_inventory(&crate::ctx::deployment(
            "d",
            "shop",
            "      hostNetwork: true\n      containers: [{name: app, image: nginx}]",
        ));
        let f = super::pss_findings(&inv, &super::ScanOptions::default());
        let verdicts: Vec<_> = f.iter().filter(|f| f.code == "W100").collect();
        assert_eq!(verdicts.len(), 1, "one verdict, at baseline");
        assert_eq!(verdicts[0].status, kubeward_core::Status::Fail);
        // runAsNonRoot is restricted-only: a warning.
        assert!(
            f.iter()
                .any(|f| f.status == kubeward_core::Status::Warn
                    && f.message.contains("runAsNonRoot"))
        );
        // hostNetwork is baseline: reported once, as a failure.
        let host: Vec<_> = f
            .iter()
            .filter(|f| f.message.contains("hostNetwork") && f.code != "W100")
            .collect();
        assert_eq!(host.len(), 1, "{host:#?}");
        assert_eq!(host[0].status, kubeward_core::Status::Fail);
    }
}
