//! Shared shapes of workload checks: one finding per workload, FAIL with one evidence item per
//! offending container (init, regular and ephemeral alike) or pod field, PASS otherwise.

use kubeward_core::{CheckMeta, Evidence, Finding, Status};
use kubeward_inventory::{Container, PodTemplate};

use crate::ctx::Ctx;

/// Evaluate `violation` on every container of every workload.
pub fn per_container(
    ctx: &Ctx<'_>,
    meta: &'static CheckMeta,
    violation: impl Fn(&PodTemplate<'_>, &Container<'_>) -> Option<Evidence>,
    fail: &'static str,
    pass: &'static str,
) -> Vec<Finding> {
    crate::aggregate::rolled_up(ctx.workloads().iter().map(|t| {
        let evidence: Vec<Evidence> = t.containers().filter_map(|c| violation(t, &c)).collect();
        finding(meta, t, evidence, fail, pass)
    }))
}

/// Evaluate `violation` on every workload's pod spec.
pub fn per_pod(
    ctx: &Ctx<'_>,
    meta: &'static CheckMeta,
    violation: impl Fn(&PodTemplate<'_>) -> Vec<Evidence>,
    fail: &'static str,
    pass: &'static str,
) -> Vec<Finding> {
    crate::aggregate::rolled_up(
        ctx.workloads()
            .iter()
            .map(|t| finding(meta, t, violation(t), fail, pass)),
    )
}

fn finding(
    meta: &'static CheckMeta,
    t: &PodTemplate<'_>,
    evidence: Vec<Evidence>,
    fail: &'static str,
    pass: &'static str,
) -> Finding {
    if evidence.is_empty() {
        // Rolled up per namespace by the scan; the evidence names what was read.
        return crate::ctx::checked_pass(meta, t, pass);
    }
    let who: Vec<&str> = evidence.iter().filter_map(|e| e.note.as_deref()).collect();
    let message = if who.is_empty() {
        fail.to_string()
    } else {
        format!("{fail}: {}", who.join("; "))
    };
    let mut f = Finding::new(meta, Status::Fail, t.object.resource(), message);
    f.evidence = evidence;
    f
}

/// `true` when a pod-spec boolean field is set to true; evidence points at it.
pub fn pod_flag(t: &PodTemplate<'_>, field: &str) -> Vec<Evidence> {
    match t.spec.get(field).and_then(|v| v.as_bool()) {
        Some(true) => vec![
            Evidence::observed("true", t.object.source(&t.pointer(&format!("/{field}"))))
                .with_expected("false or unset"),
        ],
        _ => Vec::new(),
    }
}

/// A container's `securityContext.<field>` boolean.
pub fn container_flag(c: &Container<'_>, field: &str) -> Option<bool> {
    c.value.get("securityContext")?.get(field)?.as_bool()
}

/// Capabilities a container adds, as written.
pub fn added_capabilities<'a>(c: &Container<'a>) -> Vec<&'a str> {
    c.value
        .pointer("/securityContext/capabilities/add")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect()
}
