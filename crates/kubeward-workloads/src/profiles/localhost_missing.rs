//! The evaluation shared by the seccomp and AppArmor "Localhost profile missing on nodes" checks:
//! both find containers whose effective profile is Localhost and compare it with what each node
//! report says is installed; only the profile kind and its wording differ.

use kubeward_core::{CheckMeta, Evidence, Finding, Status};
use kubeward_inventory::{Container, PodTemplate};
use kubeward_node::NodeFacts;

use super::Requested;
use crate::ctx::{Ctx, container_label};

/// A container's effective Localhost profile name and the pointer of the field that decided it.
pub(crate) type LocalhostOf =
    fn(&PodTemplate<'_>, &Container<'_>, &[NodeFacts]) -> Option<(String, Option<String>)>;

/// One kind of Localhost profile (seccomp or AppArmor) and how its findings read.
pub(crate) struct LocalhostKind {
    /// The securityContext field naming the profile (`seccompProfile`, `appArmorProfile`).
    pub field: &'static str,
    /// Annotation prefix that can also request a Localhost profile, if any.
    pub annotation_prefix: Option<&'static str>,
    pub localhost: LocalhostOf,
    /// Nodes lacking the profile; `None` when no node report can tell.
    pub missing_on: fn(&[NodeFacts], &str) -> Option<Vec<String>>,
    /// Expected-value prefix before the node list (`present on`).
    pub expected_on: &'static str,
    /// Note prefix before the node list (`missing on`).
    pub missing_note: &'static str,
    pub fail_message: &'static str,
    pub pass_message: &'static str,
    pub manual_message: &'static str,
}

pub(crate) fn evaluate(
    ctx: &Ctx<'_>,
    meta: &'static CheckMeta,
    kind: &LocalhostKind,
) -> Vec<Finding> {
    let nodes = &ctx.opts.nodes;
    let mut out = Vec::new();
    for t in ctx.workloads() {
        if !super::mentions_localhost(t, kind.field, kind.annotation_prefix) {
            continue;
        }
        let mut missing = Vec::new();
        let mut present = Vec::new();
        for c in t.containers() {
            let Some((p, pointer)) = (kind.localhost)(t, &c, nodes) else {
                continue;
            };
            let source = t.object.source(pointer.as_deref().unwrap_or(""));
            let label = container_label(&c);
            match (kind.missing_on)(nodes, &p) {
                Some(m) if !m.is_empty() => missing.push(
                    Evidence::observed(format!("Localhost {p}"), source)
                        .with_expected(format!("{} {}", kind.expected_on, m.join(", ")))
                        .with_note(format!("{label}: {} {}", kind.missing_note, m.join(", "))),
                ),
                other => present.push((
                    Evidence::observed(format!("Localhost {p}"), source).with_note(label),
                    other.is_some(),
                )),
            }
        }
        if !missing.is_empty() {
            let mut f = Finding::new(meta, Status::Fail, t.object.resource(), kind.fail_message);
            f.evidence = missing;
            out.push(f);
        } else if !present.is_empty() {
            let verified = present.iter().all(|(_, v)| *v);
            let mut f = if verified {
                Finding::new(meta, Status::Pass, t.object.resource(), kind.pass_message)
            } else {
                Finding::new(
                    meta,
                    Status::Manual,
                    t.object.resource(),
                    kind.manual_message,
                )
            };
            f.evidence = present.into_iter().map(|(e, _)| e).collect();
            out.push(f);
        }
    }
    out
}

/// Splits a requested profile into its Localhost name, if it is one.
pub(crate) fn localhost_name(
    requested: Option<Requested>,
    pointer: Option<String>,
) -> Option<(String, Option<String>)> {
    match requested {
        Some(Requested::Localhost(p)) => Some((p, pointer)),
        _ => None,
    }
}
