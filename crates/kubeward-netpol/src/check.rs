//! The one check form of this area: every P check reads the same context (the inputs and their
//! reachability analysis) and returns its findings. [`CHECKS`] is the only registration list: it
//! gives the run order and the metadata the registry reads.

use std::path::PathBuf;

use kubeward_core::{CheckMeta, Finding};
use kubeward_inventory::{Inventory, Object};

use crate::coverage::{
    p201_workload_not_isolated_ingress, p202_workload_not_isolated_egress,
    p203_namespace_without_default_deny, p204_policy_selects_nothing, p205_rule_never_matches,
    p206_redundant_rule, p207_invalid_network_policy, p208_admin_network_policy_not_enforced,
    p209_policies_not_analysed, p210_engine_unsupported_policy_feature,
    p211_network_policy_engine_absent,
};
use crate::engine::Analysis;
use crate::exposure::{
    p101_public_load_balancer, p102_node_port_service, p103_service_external_ips,
    p104_ingress_without_tls, p105_ingress_risky_annotations, p106_external_traffic_policy_bypass,
    p107_egress_to_internet, p108_egress_to_instance_metadata, p109_egress_to_wireserver,
};
use crate::model::{Model, namespace_of};

/// A network-policy check: its metadata, which family (and folder) it belongs to, and its
/// evaluation.
pub struct Check {
    pub meta: &'static CheckMeta,
    pub family: Family,
    pub eval: fn(&Ctx) -> Vec<Finding>,
}

impl Check {
    /// A P1xx check (its file lives in `src/exposure`).
    pub const fn exposure(meta: &'static CheckMeta, eval: fn(&Ctx) -> Vec<Finding>) -> Self {
        Check {
            meta,
            family: Family::Exposure,
            eval,
        }
    }

    /// A P2xx check (its file lives in `src/coverage`).
    pub const fn coverage(meta: &'static CheckMeta, eval: fn(&Ctx) -> Vec<Finding>) -> Self {
        Check {
            meta,
            family: Family::Coverage,
            eval,
        }
    }
}

/// The two families of P checks. `kubeward workloads` runs the exposure family only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// P1xx: what the internet can reach and what may leave the cluster.
    Exposure,
    /// P2xx: what NetworkPolicy isolates, and policies that do less than they seem to.
    Coverage,
}

impl Family {
    /// The source folder of the family's check files, relative to the crate.
    pub fn folder(self) -> &'static str {
        match self {
            Family::Exposure => "src/exposure",
            Family::Coverage => "src/coverage",
        }
    }

    /// The folder as a path inside this crate's sources.
    pub fn dir(self) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(self.folder())
    }
}

/// Every check, in code order (the order they run in).
pub static CHECKS: &[&Check] = &[
    &p101_public_load_balancer::CHECK,
    &p102_node_port_service::CHECK,
    &p103_service_external_ips::CHECK,
    &p104_ingress_without_tls::CHECK,
    &p105_ingress_risky_annotations::CHECK,
    &p106_external_traffic_policy_bypass::CHECK,
    &p107_egress_to_internet::CHECK,
    &p108_egress_to_instance_metadata::CHECK,
    &p109_egress_to_wireserver::CHECK,
    &p201_workload_not_isolated_ingress::CHECK,
    &p202_workload_not_isolated_egress::CHECK,
    &p203_namespace_without_default_deny::CHECK,
    &p204_policy_selects_nothing::CHECK,
    &p205_rule_never_matches::CHECK,
    &p206_redundant_rule::CHECK,
    &p207_invalid_network_policy::CHECK,
    &p208_admin_network_policy_not_enforced::CHECK,
    &p209_policies_not_analysed::CHECK,
    &p210_engine_unsupported_policy_feature::CHECK,
    &p211_network_policy_engine_absent::CHECK,
];

/// Run the checks of one family (or all, with `None`) in list order.
pub fn run(ctx: &Ctx, family: Option<Family>) -> Vec<Finding> {
    CHECKS
        .iter()
        .filter(|c| family.is_none_or(|f| c.family == f))
        .flat_map(|c| (c.eval)(ctx))
        .collect()
}

/// What every check reads: the inputs and the analysis built from them (its options carry the
/// engine and how the engine was chosen).
pub struct Ctx<'a> {
    pub inv: &'a Inventory,
    pub analysis: &'a Analysis<'a>,
}

impl<'a> Ctx<'a> {
    pub fn new(inv: &'a Inventory, analysis: &'a Analysis<'a>) -> Self {
        Ctx { inv, analysis }
    }
    pub fn model(&self) -> &Model {
        self.analysis.model
    }
    pub fn services(&self) -> impl Iterator<Item = &Object> {
        self.inv
            .objects
            .iter()
            .filter(|o| o.kind == "Service" && o.group().is_empty())
    }
    /// Workload indices a Service's selector picks.
    pub fn service_backends(&self, svc: &Object) -> Vec<usize> {
        let ns = namespace_of(svc);
        let Some(sel) = svc
            .value
            .pointer("/spec/selector")
            .and_then(kubeward_inventory::Value::as_object)
        else {
            return Vec::new();
        };
        if sel.is_empty() {
            return Vec::new();
        }
        self.model()
            .workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                w.namespace == ns
                    && sel.iter().all(|(k, v)| {
                        v.as_str()
                            .is_some_and(|v| w.labels.get(k.as_str()).is_some_and(|x| x == v))
                    })
            })
            .map(|(i, _)| i)
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use kubeward_core::{Finding, Status};
    use kubeward_inventory::{LoadOptions, load_str};

    use super::Ctx;
    use crate::engine::{Analysis, Engine, Options};
    use crate::model::Model;

    /// One check's findings over a YAML bundle under `engine`.
    pub fn run(yaml: &str, engine: Engine, eval: fn(&Ctx) -> Vec<Finding>) -> Vec<Finding> {
        let inv = load_str("test.yaml", yaml, &LoadOptions::default());
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let model = Model::build(&inv);
        let analysis = Analysis::new(
            &model,
            Options {
                engine,
                ..Default::default()
            },
        );
        eval(&Ctx::new(&inv, &analysis))
    }

    pub fn statuses(f: &[Finding]) -> Vec<(String, Status)> {
        f.iter()
            .map(|f| (f.resource.name.clone(), f.status))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use kubeward_core::registry::{Registry, check_files};

    use super::*;

    #[test]
    fn every_check_file_is_registered_under_its_code_and_name() {
        for family in [Family::Exposure, Family::Coverage] {
            let metas: Vec<&CheckMeta> = CHECKS
                .iter()
                .filter(|c| c.family == family)
                .map(|c| c.meta)
                .collect();
            if let Err(errors) = check_files(&family.dir(), &metas) {
                panic!("{}: {errors:#?}", family.folder());
            }
        }
    }

    #[test]
    fn list_is_in_code_order_and_family_follows_code() {
        let codes: Vec<&str> = CHECKS.iter().map(|c| c.meta.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);
        for c in CHECKS {
            let exposure = c.meta.code.starts_with("P1");
            assert_eq!(c.family == Family::Exposure, exposure, "{}", c.meta.code);
        }
    }

    #[test]
    fn registry_is_valid() {
        let r = Registry::new().with(&crate::checks());
        if let Err(errors) = r.validate() {
            panic!("{errors:#?}");
        }
    }
}
