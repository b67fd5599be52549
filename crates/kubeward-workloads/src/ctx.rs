//! What every workload check reads: the inventory, the options, the resolved RBAC model and the
//! node facts from saved node reports.

use std::collections::BTreeMap;

use kubeward_inventory::Value;
use kubeward_inventory::{Inventory, Object, PodTemplate, is_workload};
use kubeward_node::NodeFacts;

use crate::rbac::Rbac;
use crate::scope::Scope;

/// Options of a workload scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Show findings about platform-managed objects like any other (see [`crate::scope`]): not
    /// marked, and counted for the exit code.
    pub include_system: bool,
    /// Node facts from saved node reports (`--node-report`); empty when none were given.
    pub nodes: Vec<NodeFacts>,
}

pub struct Ctx<'a> {
    pub inv: &'a Inventory,
    pub opts: &'a ScanOptions,
    pub rbac: Rbac<'a>,
    /// Which objects are platform-managed (only objects read from a cluster can be).
    pub scope: Scope,
    /// ServiceAccounts by (namespace, name), so per-workload lookups stay cheap on big snapshots.
    service_accounts: BTreeMap<(&'a str, &'a str), &'a Object>,
    /// Visible top-level workloads, computed once.
    workloads: Vec<PodTemplate<'a>>,
}

impl<'a> Ctx<'a> {
    pub fn new(inv: &'a Inventory, opts: &'a ScanOptions) -> Ctx<'a> {
        let service_accounts = inv
            .of_kind("ServiceAccount")
            .map(|o| ((namespace_of(o).0, o.name.as_str()), o))
            .collect();
        let workloads = inv
            .objects
            .iter()
            .filter(|o| is_workload(o) && !has_controller_owner(o))
            .filter_map(PodTemplate::of)
            .collect();
        Ctx {
            inv,
            opts,
            rbac: Rbac::from_inventory(inv),
            scope: Scope::of(inv),
            service_accounts,
            workloads,
        }
    }

    /// Every workload's pod template, top-level owners only (a Pod or ReplicaSet created by a
    /// controller that is itself in the inputs would repeat its owner's findings).
    pub fn workloads(&self) -> &[PodTemplate<'a>] {
        &self.workloads
    }

    /// A ServiceAccount object from the inputs.
    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&'a Object> {
        self.service_accounts.get(&(namespace, name)).copied()
    }
}

fn has_controller_owner(obj: &Object) -> bool {
    obj.value
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        })
}

/// The namespace a namespaced object lands in: `metadata.namespace`, or `default` (kubectl's
/// usual context namespace) with `false` for "not written".
pub fn namespace_of(obj: &Object) -> (&str, bool) {
    match obj.namespace.as_deref() {
        Some(ns) if !ns.is_empty() => (ns, true),
        _ => ("default", false),
    }
}

/// JSON pointer of annotation `key` under the metadata at `metadata_pointer` (RFC 6901 escaping).
pub fn annotation_pointer(metadata_pointer: &str, key: &str) -> String {
    format!(
        "{metadata_pointer}/annotations/{}",
        key.replace('~', "~0").replace('/', "~1")
    )
}

/// A Linux-only check over every workload: `judge` gives each workload's finding (on a
/// non-passing one, a Windows-node pod judged as Linux says so: [`with_windows_hint`]); a
/// Windows pod (`spec.os.name: windows`, all Pod Security reads) is NOT_APPLICABLE, saying why
/// (`windows_reason`). PASS findings are counted as they come, not kept per workload.
pub fn linux_workloads(
    ctx: &Ctx<'_>,
    meta: &'static kubeward_core::CheckMeta,
    windows_reason: &'static str,
    judge: impl Fn(&PodTemplate<'_>) -> kubeward_core::Finding,
) -> Vec<kubeward_core::Finding> {
    let mut out = crate::aggregate::Sink::default();
    for t in ctx.workloads() {
        if kubeward_inventory::workload::pod_security_windows(t.spec) {
            out.push(
                kubeward_core::Finding::new(
                    meta,
                    kubeward_core::Status::NotApplicable,
                    t.object.resource(),
                    windows_reason,
                )
                .with_evidence(kubeward_core::Evidence::observed(
                    "spec.os.name: windows",
                    t.object.source(&t.pointer("/os/name")),
                )),
            );
        } else {
            out.push(with_windows_hint(t, judge(t)));
        }
    }
    out.into_findings()
}

/// The PASS of a workload judged as a whole; its evidence names what was read (the pod spec).
pub fn checked_pass(
    meta: &'static kubeward_core::CheckMeta,
    t: &PodTemplate<'_>,
    message: &'static str,
) -> kubeward_core::Finding {
    crate::aggregate::pass(meta, t.object.resource(), message).with_evidence(
        kubeward_core::Evidence::observed("checked", t.object.source(t.spec_pointer)),
    )
}

/// The name a container is reported under: `container web`, `init container setup`.
pub fn container_label(c: &kubeward_inventory::Container<'_>) -> String {
    match c.kind {
        kubeward_inventory::ContainerKind::Init => format!("init container {}", c.name),
        kubeward_inventory::ContainerKind::Regular => format!("container {}", c.name),
        kubeward_inventory::ContainerKind::Ephemeral => format!("ephemeral container {}", c.name),
    }
}

/// What Pod Security's Windows exemptions leave out on Windows: seccomp, no_new_privs and Linux
/// capabilities do not exist there.
pub const WINDOWS_EXEMPT: &str = "seccomp, allowPrivilegeEscalation (no_new_privs) and Linux capabilities do not exist on Windows; Pod Security exempts pods with spec.os.name: windows from those restricted controls (Kubernetes 1.25+)";

/// A pod that runs on Windows nodes by its node selector or affinity but lacks `spec.os.name:
/// windows`: Pod Security judges it as a Linux pod (Pod Security reads only `spec.os.name`, see
/// `kubeward_inventory::workload::pod_security_windows`). The evidence that says so and what to set.
pub fn windows_hint(t: &PodTemplate<'_>) -> Option<kubeward_core::Evidence> {
    let m = kubeward_inventory::workload::windows_without_os_name(t.spec)?;
    Some(
        kubeward_core::Evidence::observed(m.describe(), t.object.source(&t.pointer(m.pointer())))
            .with_expected("spec.os.name: windows")
            .with_note(format!(
                "runs on Windows nodes, but Pod Security reads only spec.os.name and judges this pod as Linux; {WINDOWS_EXEMPT}"
            )),
    )
}

/// Say on a non-passing finding about a Windows-node pod without `spec.os.name` that it is one,
/// and what Pod Security reads.
pub fn with_windows_hint(
    t: &PodTemplate<'_>,
    mut f: kubeward_core::Finding,
) -> kubeward_core::Finding {
    if f.status == kubeward_core::Status::Pass {
        return f;
    }
    if let Some(e) = windows_hint(t) {
        f.message = format!(
            "Windows-node pod judged as Linux (no spec.os.name: windows): {}",
            f.message
        )
        .into();
        f.evidence.insert(0, e);
    }
    f
}

/// `resource` of a finding about a workload: its kind, namespace (as written) and name.
pub fn workload_resource(t: &PodTemplate<'_>) -> kubeward_core::Resource {
    t.object.resource()
}

/// Parse test input (tests only).
#[cfg(test)]
pub fn test_inventory(yaml: &str) -> Inventory {
    let inv = kubeward_inventory::load_str(
        "test.yaml",
        yaml,
        &kubeward_inventory::LoadOptions::default(),
    );
    assert!(
        inv.errors.is_empty(),
        "test input does not load: {:?}",
        inv.errors
    );
    inv
}

/// Run one check over test input (tests only).
#[cfg(test)]
pub fn run_check(
    yaml: &str,
    opts: &ScanOptions,
    check: impl Fn(&Ctx<'_>) -> Vec<kubeward_core::Finding>,
) -> Vec<kubeward_core::Finding> {
    let inv = test_inventory(yaml);
    let ctx = Ctx::new(&inv, opts);
    check(&ctx)
}

/// A Deployment wrapping `pod_spec` (YAML of the pod spec, indented by 6), for tests.
#[cfg(test)]
pub fn deployment(name: &str, namespace: &str, pod_spec: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n{pod_spec}\n"
    )
}
