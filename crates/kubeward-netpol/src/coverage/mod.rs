//! Coverage findings (P2xx): pods and namespaces NetworkPolicy does not isolate, policies and
//! rules that select nothing or add nothing, invalid policies, and policy kinds kubeward does not
//! model or the engine does not enforce.

use kubeward_core::{CheckMeta, Evidence, Finding, Resource, Source, Status};
use kubeward_inventory::Inventory;

use crate::engine::{Analysis, Direction};
use crate::model::Workload;

pub mod p201_ingress_isolation;
pub mod p202_egress_isolation;
pub mod p203_namespace_default_deny;
pub mod p204_policy_selects_nothing;
pub mod p205_rule_never_matches;
pub mod p206_redundant_rule;
pub mod p207_invalid_policy;
pub mod p208_admin_policy_enforcement;
pub mod p209_unmodelled_policies;
pub mod p210_engine_limitations;
pub mod p211_policies_not_enforced;

pub fn checks() -> Vec<&'static CheckMeta> {
    vec![
        &p201_ingress_isolation::META,
        &p202_egress_isolation::META,
        &p203_namespace_default_deny::META,
        &p204_policy_selects_nothing::META,
        &p205_rule_never_matches::META,
        &p206_redundant_rule::META,
        &p207_invalid_policy::META,
        &p208_admin_policy_enforcement::META,
        &p209_unmodelled_policies::META,
        &p210_engine_limitations::META,
        &p211_policies_not_enforced::META,
    ]
}

/// Every coverage finding of an analysis.
pub fn findings(inv: &Inventory, a: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(p201_ingress_isolation::evaluate(inv, a));
    out.extend(p202_egress_isolation::evaluate(inv, a));
    out.extend(p203_namespace_default_deny::evaluate(inv, a));
    out.extend(p204_policy_selects_nothing::evaluate(inv, a));
    out.extend(p205_rule_never_matches::evaluate(inv, a));
    out.extend(p206_redundant_rule::evaluate(inv, a));
    out.extend(p207_invalid_policy::evaluate(inv, a));
    out.extend(p208_admin_policy_enforcement::evaluate(inv, a));
    out.extend(p209_unmodelled_policies::evaluate(inv, a));
    out.extend(p210_engine_limitations::evaluate(inv, a));
    out.extend(p211_policies_not_enforced::evaluate(inv, a));
    out
}

/// P201/P202: one finding per workload, isolated in `dir` by a selecting policy or not.
pub(crate) fn isolation_findings(
    meta: &'static CheckMeta,
    dir: Direction,
    inv: &Inventory,
    a: &Analysis,
) -> Vec<Finding> {
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
    use kubeward_inventory::{Inventory, LoadOptions, load_str};

    use crate::engine::{Analysis, Engine, Options};
    use crate::model::Model;

    pub fn run(
        yaml: &str,
        engine: Engine,
        eval: fn(&Inventory, &Analysis) -> Vec<Finding>,
    ) -> Vec<Finding> {
        let inv = load_str("test.yaml", yaml, &LoadOptions::default());
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let model = Model::build(&inv);
        let a = Analysis::new(
            &model,
            Options {
                engine,
                ..Default::default()
            },
        );
        eval(&inv, &a)
    }

    pub fn statuses(f: &[Finding]) -> Vec<(String, Status)> {
        f.iter()
            .map(|f| (f.resource.name.clone(), f.status))
            .collect()
    }

    /// Vectors shared by the isolation checks (P201, P202): a policy for both directions that
    /// selects `db` isolates it, and leaves `web` unisolated.
    pub fn assert_isolation_by_selecting_policy(eval: fn(&Inventory, &Analysis) -> Vec<Finding>) {
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
