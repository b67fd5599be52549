//! Coverage findings (P2xx): pods and namespaces NetworkPolicy does not isolate, policies and
//! rules that select nothing or add nothing, invalid policies, and policy kinds kubeward does not
//! model or the engine does not enforce.

use kubeward_core::{CheckMeta, Evidence, Finding, Resource, Source, Status};
use kubeward_inventory::Inventory;

use crate::check::{self, Ctx, Family};
use crate::engine::{Analysis, Direction};
use crate::model::Workload;

pub mod p201_workload_not_isolated_ingress;
pub mod p202_workload_not_isolated_egress;
pub mod p203_namespace_without_default_deny;
pub mod p204_policy_selects_nothing;
pub mod p205_rule_never_matches;
pub mod p206_redundant_rule;
pub mod p207_invalid_network_policy;
pub mod p208_admin_network_policy_not_enforced;
pub mod p209_policies_not_analysed;
pub mod p210_engine_unsupported_policy_feature;
pub mod p211_network_policy_engine_absent;

/// Every coverage finding of an analysis.
pub fn findings(inv: &Inventory, a: &Analysis) -> Vec<Finding> {
    check::run(&Ctx::new(inv, a), Some(Family::Coverage))
}

/// P201/P202: one finding per workload, isolated in `dir` by a selecting policy or not.
pub(crate) fn isolation_findings(
    meta: &'static CheckMeta,
    dir: Direction,
    ctx: &Ctx,
) -> Vec<Finding> {
    let (inv, a) = (ctx.inv, ctx.analysis);
    let lower = dir.as_str().to_lowercase();
    let mut out = Vec::new();
    for (wi, w) in a.model.workloads.iter().enumerate() {
        let pols = a.policies_selecting(a.class_of[wi], dir);
        let src = object_source(inv, w.object, "/metadata/labels");
        let f = if w.host_network && a.options.engine.ignores_host_network_pods() {
            Finding::new(
                meta,
                Status::Fail,
                workload_resource(w),
                "hostNetwork pods are not protected by NetworkPolicy under this engine",
            )
            .with_evidence(
                Evidence::observed("hostNetwork: true", object_source(inv, w.object, "/spec"))
                    .with_note("NetworkPolicy engines treat host-network pods as node traffic"),
            )
        } else if pols.is_empty() {
            Finding::new(
                meta,
                Status::Fail,
                workload_resource(w),
                format!("not isolated for {lower}: every connection is allowed"),
            )
            .with_evidence(
                Evidence::observed(
                    format!("no NetworkPolicy selects these pods for {}", dir.as_str()),
                    src,
                )
                .with_note(
                    "absent a selecting policy, Kubernetes allows all traffic in that direction",
                ),
            )
        } else {
            let names: Vec<String> = pols
                .iter()
                .map(|&p| a.model.netpols[p].display_name())
                .collect();
            Finding::new(
                meta,
                Status::Pass,
                workload_resource(w),
                format!("isolated for {lower} by {}", names.join(", ")),
            )
            .with_evidence(Evidence::observed(names.join(","), src))
        };
        out.push(f);
    }
    out
}

pub(crate) fn workload_resource(w: &Workload) -> Resource {
    Resource::namespaced(w.kind.clone(), w.namespace.clone(), w.name.clone())
}

pub(crate) fn object_source(inv: &Inventory, index: usize, pointer: &str) -> Source {
    inv.objects
        .get(index)
        .map_or_else(|| Source::origin("inputs"), |o| o.source(pointer))
}

#[cfg(test)]
pub(crate) mod testing {
    use kubeward_core::{Finding, Status};

    use crate::check::Ctx;
    pub use crate::check::testing::{run, statuses};
    use crate::engine::Engine;

    /// Vectors shared by the isolation checks (P201, P202): a policy for both directions that
    /// selects `db` isolates it, and leaves `web` unisolated.
    pub fn assert_isolation_by_selecting_policy(eval: fn(&Ctx) -> Vec<Finding>) {
        let y = format!(
            "{TWO_APPS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{matchLabels: {{app: db}}}}\n  policyTypes: [Ingress, Egress]\n"
        );
        let f = run(&y, Engine::Default, eval);
        assert_eq!(
            statuses(&f),
            vec![("web".into(), Status::Fail), ("db".into(), Status::Pass)]
        );
    }

    pub const TWO_APPS: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080, name: http}]}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: c, image: x, ports: [{containerPort: 5432}]}]}\n";
}
