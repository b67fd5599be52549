//! Ingress and egress exposure findings (P1xx): what the internet can reach and what may leave
//! the cluster. Shared by `kubeward netpol coverage` and `kubeward workloads`.

use kubeward_core::{Finding, RefStatic};
use kubeward_inventory::{Inventory, Object};

use crate::check::{self, Ctx, Family};
use crate::engine::Analysis;

pub(crate) mod egress;
pub mod p101_public_load_balancer;
pub mod p102_node_port_service;
pub mod p103_service_external_ips;
pub mod p104_ingress_without_tls;
pub mod p105_ingress_risky_annotations;
pub mod p106_external_traffic_policy_bypass;
pub mod p107_egress_to_internet;
pub mod p108_egress_to_instance_metadata;
pub mod p109_egress_to_wireserver;

pub(crate) const CVE_2020_8554: RefStatic = RefStatic::new("CVE", "", "CVE-2020-8554");
pub(crate) const CVE_2021_25742: RefStatic = RefStatic::new("CVE", "", "CVE-2021-25742");
pub(crate) const CVE_2025_1974: RefStatic = RefStatic::new("CVE", "", "CVE-2025-1974");

/// Every exposure finding of an analysis (the analysis carries the engine).
pub fn findings(inv: &Inventory, a: &Analysis) -> Vec<Finding> {
    check::run(&Ctx::new(inv, a), Some(Family::Exposure))
}

/// Is this object a Service of the given type (`spec.type`, default ClusterIP)?
pub(crate) fn service_type(svc: &Object) -> &str {
    svc.value
        .pointer("/spec/type")
        .and_then(kubeward_inventory::Value::as_str)
        .unwrap_or("ClusterIP")
}

#[cfg(test)]
pub(crate) mod testing {
    use kubeward_core::{Finding, Status};

    use crate::check::Ctx;
    pub use crate::check::testing::{run, statuses};
    use crate::engine::Engine;

    /// Vectors shared by the single-address egress checks (P108, P109): with no policy `DEPLOY`
    /// reaches `cidr`; an egress rule allowing 0.0.0.0/0 except `cidr` keeps it out.
    pub fn assert_allowed_by_default_denied_by_except(eval: fn(&Ctx) -> Vec<Finding>, cidr: &str) {
        assert_eq!(
            statuses(&run(DEPLOY, Engine::Default, eval)),
            vec![("web".into(), Status::Fail)]
        );
        let y = format!(
            "{DEPLOY}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress: [{{to: [{{ipBlock: {{cidr: 0.0.0.0/0, except: [{cidr}]}}}}]}}]\n"
        );
        assert_eq!(
            statuses(&run(&y, Engine::Default, eval)),
            vec![("web".into(), Status::Pass)]
        );
    }

    pub const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: x, ports: [{containerPort: 8080, name: http}]}]\n";
}
