//! Verdicts and findings for a whole inventory.

use std::collections::HashSet;

use kubeward_core::{Evidence, Finding, Resource, Status};
use kubeward_inventory::Value;
use kubeward_inventory::{Inventory, Object, PodTemplate, is_workload};
use serde::Serialize;

use super::{Level, PodView, Version, Violation, control, evaluate_view, w100_pss_level};

/// The verdict for one workload (or bare pod).
#[derive(Debug, Clone, Serialize)]
pub struct PodVerdict {
    pub resource: Resource,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub level: Level,
    pub version: Version,
    pub allowed: bool,
    pub violations: Vec<Violation>,
    /// About a platform-managed object (see [`crate::scope`]): shown apart, never failing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub platform_managed: bool,
}

impl PodVerdict {
    /// `reason (detail), reason2 (detail2)`, the admission controller's aggregated form.
    pub fn reasons(&self) -> String {
        self.violations
            .iter()
            .map(Violation::message)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The objects evaluated: every workload kind with a pod template, except objects whose
/// controlling owner is in the inputs too (its verdict covers them: a Deployment, not its
/// ReplicaSets and Pods).
pub fn subjects(inv: &Inventory) -> Vec<&Object> {
    let present: HashSet<(&str, &str, &str)> = inv
        .objects
        .iter()
        .filter(|o| is_workload(o))
        .map(|o| {
            (
                o.kind.as_str(),
                o.namespace.as_deref().unwrap_or(""),
                o.name.as_str(),
            )
        })
        .collect();
    inv.objects
        .iter()
        .filter(|o| is_workload(o))
        .filter(|o| {
            let ns = o.namespace.as_deref().unwrap_or("");
            let owners = o
                .value
                .pointer("/metadata/ownerReferences")
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

/// Evaluate one object (None when its kind carries no pod template, or its template has no pod
/// spec, e.g. an Argo Rollout that points at a Deployment with `workloadRef`).
pub fn verdict(obj: &Object, level: Level, version: Version) -> Option<PodVerdict> {
    let t = PodTemplate::of(obj).filter(|t| !t.spec.is_null())?;
    let mut violations = evaluate_view(&PodView::of(&t), level, version);
    for v in &mut violations {
        v.lines = v.pointers.iter().map(|p| obj.line_of(p)).collect();
    }
    Some(PodVerdict {
        resource: obj.resource(),
        file: obj.origin.file.to_string(),
        line: obj.origin.line,
        level,
        version,
        allowed: violations.is_empty(),
        violations,
        platform_managed: false,
    })
}

/// Map `f` over `items` on every core (a scoped thread per chunk), keeping the input order.
/// Large snapshots have 100,000 workloads; small inputs stay on the calling thread.
fn parallel_flat_map<'a, T: Sync, R: Send>(
    items: &[&'a T],
    f: impl Fn(&'a T) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 512 {
        return items.iter().flat_map(|x| f(x)).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    let parts: Vec<Vec<R>> = std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().flat_map(|x| f(x)).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    parts.into_iter().flatten().collect()
}

/// Verdicts of every subject of the inventory, in input order.
pub fn verdicts(inv: &Inventory, level: Level, version: Version) -> Vec<PodVerdict> {
    parallel_flat_map(&subjects(inv), |o| {
        verdict(o, level, version).into_iter().collect()
    })
}

/// Findings: a W100 verdict per workload, and a finding per violated control with the exact
/// fields as evidence.
/// The restricted controls Pod Security waives for `spec.os.name: windows` (Kubernetes 1.25+).
const WINDOWS_EXEMPT_CONTROLS: &[&str] = &[
    "allowPrivilegeEscalation",
    "capabilities_restricted",
    "seccompProfile_restricted",
];

pub fn findings(inv: &Inventory, level: Level, version: Version) -> Vec<Finding> {
    let at = format!("{level}:{version}");
    parallel_flat_map(&subjects(inv), |obj| {
        object_findings(obj, level, version, &at)
    })
}

fn object_findings(obj: &Object, level: Level, version: Version, at: &str) -> Vec<Finding> {
    let Some(v) = verdict(obj, level, version) else {
        let Some(t) = PodTemplate::of(obj) else {
            return Vec::new();
        };
        // Said, not skipped: nothing here to evaluate.
        return vec![
            Finding::new(
                &w100_pss_level::META,
                Status::NotApplicable,
                obj.resource(),
                "no pod spec in this object (a Rollout with workloadRef is evaluated through the Deployment it names)",
            )
            .with_evidence(Evidence::observed("absent", obj.source(t.spec_pointer))),
        ];
    };
    let resource = obj.resource();
    if v.allowed {
        return vec![
            Finding::new(
                &w100_pss_level::META,
                Status::Pass,
                resource,
                format!("allowed at {at}"),
            )
            .with_evidence(Evidence::observed("no violation", obj.source(""))),
        ];
    }
    let mut out = Vec::with_capacity(v.violations.len() + 1);
    let checks: Vec<&str> = v.violations.iter().map(|x| x.check).collect();
    // A Windows-node pod without spec.os.name fails the controls Windows is exempt from: say
    // that os.name is what Pod Security reads (item 15 of the real-inputs review).
    let hint = PodTemplate::of(obj).and_then(|t| crate::ctx::windows_hint(&t));
    let hinted = |check: &str| hint.is_some() && WINDOWS_EXEMPT_CONTROLS.contains(&check);
    let mut denied = Finding::new(
        &w100_pss_level::META,
        Status::Fail,
        resource.clone(),
        format!("denied at {at}: {}", v.reasons()),
    )
    .with_evidence(
        Evidence::observed(checks.join(", "), obj.source(""))
            .with_expected(format!("no violation of {at}")),
    );
    if checks.iter().any(|c| hinted(c))
        && let Some(e) = &hint
    {
        denied = denied.with_evidence(e.clone());
    }
    out.push(denied);
    for violation in &v.violations {
        let Some(c) = control(violation.check) else {
            continue;
        };
        let mut f = Finding::new(
            c.meta,
            Status::Fail,
            resource.clone(),
            format!("{} — {}", violation.message(), at),
        );
        if hinted(violation.check)
            && let Some(e) = &hint
        {
            f = f.with_evidence(e.clone());
        }
        for p in &violation.pointers {
            let observed = match obj.value.pointer(p) {
                Some(value) => value.to_string(),
                None => "absent".to_string(),
            };
            f = f.with_evidence(
                Evidence::observed(observed, obj.source(p)).with_note(violation.detail.clone()),
            );
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use kubeward_inventory::{LoadOptions, load_str};

    use super::*;

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers:\n      - name: app\n        image: nginx\n---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-1\n  namespace: shop\n  ownerReferences: [{kind: Deployment, name: web, controller: true, apiVersion: apps/v1, uid: x}]\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: app}]\n";

    #[test]
    fn findings_name_the_workload_and_the_field_line() {
        let inv = load_str("d.yaml", DEPLOY, &LoadOptions::default());
        let f = findings(&inv, Level::Baseline, Version::Latest);
        assert_eq!(f.len(), 2, "{f:#?}");
        assert_eq!(f[0].code, "W100");
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].resource.display(), "Deployment/shop/web");
        assert!(f[0].message.contains("host namespaces (hostNetwork=true)"));
        assert_eq!(f[1].code, "W101");
        let src = &f[1].evidence[0].source;
        assert_eq!(src.key.as_deref(), Some("/spec/template/spec/hostNetwork"));
        assert_eq!(src.line, Some(7));
        assert_eq!(f[1].evidence[0].observed.as_deref(), Some("true"));
    }

    // item 15: restricted controls Windows is exempt from, failed by a pod that runs on
    // Windows nodes by affinity only: the verdict stands (Pod Security reads spec.os.name) and
    // the evidence says so
    #[test]
    fn item15_windows_node_pod_without_os_name_gets_the_hint() {
        let pod = |os: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: iis, namespace: shop}}\nspec:\n  {os}\n  securityContext: {{runAsNonRoot: true}}\n  containers: [{{name: app, image: x}}]\n"
            )
        };
        let affinity = "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/os, operator: In, values: [windows]}]}]}}}";
        let inv = load_str("p.yaml", &pod(affinity), &LoadOptions::default());
        let f = findings(&inv, Level::Restricted, Version::Latest);
        let ape = f
            .iter()
            .skip(1)
            .find(|f| f.message.contains("allowPrivilegeEscalation"))
            .expect("allowPrivilegeEscalation violation");
        assert_eq!(ape.status, Status::Fail);
        let hint = &ape.evidence[0];
        assert!(
            hint.observed.as_deref().unwrap_or("").contains("affinity"),
            "{hint:?}"
        );
        assert_eq!(hint.expected.as_deref(), Some("spec.os.name: windows"));
        assert_eq!(hint.source.line, Some(5));
        assert!(
            f[0].evidence
                .iter()
                .any(|e| e.expected.as_deref() == Some("spec.os.name: windows"))
        );
        // with spec.os.name the same pod is allowed at restricted
        let inv = load_str(
            "p.yaml",
            &pod("os: {name: windows}"),
            &LoadOptions::default(),
        );
        let f = findings(&inv, Level::Restricted, Version::Latest);
        assert_eq!(f[0].status, Status::Pass, "{f:#?}");
    }

    #[test]
    fn owned_replica_set_is_covered_by_its_deployment_but_an_orphan_is_not() {
        let inv = load_str("d.yaml", DEPLOY, &LoadOptions::default());
        assert_eq!(subjects(&inv).len(), 1);
        let orphan = DEPLOY.split("---\n").nth(1).unwrap_or_default();
        let inv = load_str("rs.yaml", orphan, &LoadOptions::default());
        assert_eq!(subjects(&inv).len(), 1);
        assert_eq!(subjects(&inv)[0].kind, "ReplicaSet");
    }

    #[test]
    fn rollout_with_workload_ref_is_not_applicable() {
        let inv = load_str(
            "r.yaml",
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n",
            &LoadOptions::default(),
        );
        assert!(verdicts(&inv, Level::Restricted, Version::Latest).is_empty());
        let f = findings(&inv, Level::Restricted, Version::Latest);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::NotApplicable);
    }

    #[test]
    fn allowed_pod_gets_a_pass() {
        let inv = load_str(
            "p.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: {containers: [{name: a}]}\n",
            &LoadOptions::default(),
        );
        let f = findings(&inv, Level::Baseline, Version::Minor(30));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Pass);
        assert_eq!(f[0].message, "allowed at baseline:v1.30");
    }
}
