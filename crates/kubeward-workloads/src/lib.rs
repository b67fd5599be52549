//! Workload posture: Pod Security Standards, CIS AKS section 4, RBAC, effective seccomp/AppArmor.
//!
//! [`scan`] runs every workload check over an [`Inventory`]; [`rbac`] answers who-can questions;
//! [`profiles`] computes the seccomp and AppArmor profile each container really runs with.

pub mod aggregate;
pub mod cis;
pub mod ctx;
pub mod profiles;
pub mod pss;
pub mod rbac;
pub mod system;

use kubeward_core::{CheckMeta, Finding};
use kubeward_inventory::{Inventory, Object, PodTemplate, is_workload};
use serde_json::Value;

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
/// baseline one; PASS verdicts are rolled up per namespace. `kubeward pss` evaluates any level and version, and namespace labels.
///
/// Each pod is evaluated once at `restricted`; the baseline result is derived from it (restricted
/// repeats every baseline control, or replaces it with a stricter one). Only when a replacing
/// control fired, or for Windows pods (exempt from some restricted controls but not from their
/// baseline forms), is the pod evaluated at baseline too.
pub fn pss_findings(inv: &Inventory, opts: &ScanOptions) -> Vec<Finding> {
    use rayon::prelude::*;
    let subjects: Vec<&Object> = pss_subjects(inv)
        .into_iter()
        .filter(|o| {
            opts.include_system
                || !o
                    .namespace
                    .as_deref()
                    .is_some_and(system::is_system_namespace)
        })
        .collect();
    let findings = subjects
        .par_iter()
        .with_min_len(256)
        .flat_map_iter(|o| pss_object_findings(o))
        .collect();
    aggregate::aggregate_passes(findings, check_meta)
}

/// The objects Pod Security evaluates: every workload except those whose controlling owner is in
/// the inputs too (the owner's verdict covers them), as `kubeward pss` does.
fn pss_subjects(inv: &Inventory) -> Vec<&Object> {
    use std::collections::HashSet;
    let workloads: Vec<&Object> = inv.objects.iter().filter(|o| is_workload(o)).collect();
    let present: HashSet<(&str, &str, &str)> = workloads
        .iter()
        .map(|o| {
            (
                o.kind.as_str(),
                o.namespace.as_deref().unwrap_or(""),
                o.name.as_str(),
            )
        })
        .collect();
    workloads
        .into_iter()
        .filter(|o| {
            let ns = o.namespace.as_deref().unwrap_or("");
            let owners = o
                .value
                .get("metadata")
                .and_then(|m| m.get("ownerReferences"))
                .and_then(Value::as_array);
            !owners.into_iter().flatten().any(|r| {
                r.get("controller").and_then(Value::as_bool) == Some(true)
                    && present.contains(&(
                        r.get("kind").and_then(Value::as_str).unwrap_or(""),
                        ns,
                        r.get("name").and_then(Value::as_str).unwrap_or(""),
                    ))
            })
        })
        .collect()
}

const PSS_BASELINE_AT: &str = "baseline:latest";
const PSS_RESTRICTED_AT: &str = "restricted:latest";
/// Evidence values longer than this are cut: a finding names the field, it does not dump it.
const MAX_OBSERVED: usize = 200;

fn pss_object_findings(obj: &Object) -> Vec<Finding> {
    use kubeward_core::{Evidence, Status};
    let Some(t) = PodTemplate::of(obj) else {
        return Vec::new();
    };
    if t.spec.is_null() {
        return vec![
            Finding::new(
                &pss::VERDICT_META,
                Status::NotApplicable,
                obj.resource(),
                "no pod spec in this object (a Rollout with workloadRef is evaluated through the Deployment it names)",
            )
            .with_evidence(Evidence::observed("absent", obj.source(t.spec_pointer))),
        ];
    }
    let view = pss::PodView::of(&t);
    let restricted = pss::evaluate_view(&view, pss::Level::Restricted, pss::Version::Latest);
    let replaced_fired = restricted.iter().any(|v| {
        pss::control(v.check)
            .is_some_and(|c| c.level == pss::Level::Restricted && !c.overrides.is_empty())
    });
    let baseline: Vec<&pss::Violation>;
    let separate;
    if replaced_fired || view.is_windows() {
        separate = pss::evaluate_view(&view, pss::Level::Baseline, pss::Version::Latest);
        baseline = separate.iter().collect();
    } else {
        baseline = restricted
            .iter()
            .filter(|v| pss::control(v.check).is_some_and(|c| c.level == pss::Level::Baseline))
            .collect();
    }
    let resource = obj.resource();
    let mut out = Vec::with_capacity(1 + restricted.len());
    if baseline.is_empty() {
        out.push(
            aggregate::pass(
                &pss::VERDICT_META,
                resource.clone(),
                format!("allowed at {PSS_BASELINE_AT}"),
            )
            .with_evidence(Evidence::observed(
                "no violation",
                obj.source(t.spec_pointer),
            )),
        );
    } else {
        let checks: Vec<&str> = baseline.iter().map(|v| v.check).collect();
        let reasons: Vec<String> = baseline.iter().map(|v| v.message()).collect();
        out.push(
            Finding::new(
                &pss::VERDICT_META,
                Status::Fail,
                resource.clone(),
                format!("denied at {PSS_BASELINE_AT}: {}", reasons.join(", ")),
            )
            .with_evidence(
                Evidence::observed(checks.join(", "), obj.source(t.spec_pointer))
                    .with_expected(format!("no violation of {PSS_BASELINE_AT}")),
            ),
        );
    }
    for v in &baseline {
        out.extend(violation_finding(
            obj,
            &resource,
            v,
            Status::Fail,
            PSS_BASELINE_AT,
        ));
    }
    for v in &restricted {
        if baseline.iter().any(|b| b.code == v.code) {
            continue;
        }
        out.extend(violation_finding(
            obj,
            &resource,
            v,
            Status::Warn,
            PSS_RESTRICTED_AT,
        ));
    }
    out
}

fn violation_finding(
    obj: &Object,
    resource: &kubeward_core::Resource,
    v: &pss::Violation,
    status: kubeward_core::Status,
    at: &str,
) -> Option<Finding> {
    use kubeward_core::Evidence;
    let c = pss::control(v.check)?;
    let mut f = Finding::new(
        c.meta,
        status,
        resource.clone(),
        format!("{} — {at}", v.message()),
    );
    for p in &v.pointers {
        let observed = match obj.value.pointer(p) {
            Some(value) => short(value.to_string()),
            None => "absent".to_string(),
        };
        f.evidence
            .push(Evidence::observed(observed, obj.source(p)).with_note(v.detail.clone()));
    }
    Some(f)
}

/// `s` cut to [`MAX_OBSERVED`] bytes (on a character boundary), marked when cut.
fn short(mut s: String) -> String {
    if s.len() > MAX_OBSERVED {
        let mut end = MAX_OBSERVED;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// Run every workload check: CIS section 4, profiles, and Pod Security Standards ([`pss_findings`]).
///
/// Checks run in parallel; PASS findings are rolled up per check and namespace
/// ([`aggregate::aggregate_passes`]) as each check finishes, so the full per-workload PASS list
/// of a big snapshot never sits in memory. The output order is fixed (check order, then input
/// order), whatever the scheduling.
pub fn scan(inv: &Inventory, opts: &ScanOptions) -> Vec<Finding> {
    scan_ctx(&Ctx::new(inv, opts))
}

/// [`scan`] with a context the caller already built (it resolves RBAC and lists workloads once).
pub fn scan_ctx(ctx: &Ctx<'_>) -> Vec<Finding> {
    use rayon::prelude::*;
    let (inv, opts) = (ctx.inv, ctx.opts);
    let checks: Vec<_> = cis::all().into_iter().chain(profiles::all()).collect();
    let (mut parts, pss): (Vec<Vec<Finding>>, Vec<Finding>) = rayon::join(
        || {
            checks
                .par_iter()
                .map(|(_, eval)| aggregate::aggregate_passes(eval(ctx), check_meta))
                .collect()
        },
        || pss_findings(inv, opts),
    );
    parts.push(pss);
    parts.into_iter().flatten().collect()
}

/// A check of this area by code.
pub fn check_meta(code: &str) -> Option<&'static CheckMeta> {
    static BY_CODE: std::sync::OnceLock<
        std::collections::HashMap<&'static str, &'static CheckMeta>,
    > = std::sync::OnceLock::new();
    BY_CODE
        .get_or_init(|| checks().into_iter().map(|m| (m.code, m)).collect())
        .get(code)
        .copied()
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
