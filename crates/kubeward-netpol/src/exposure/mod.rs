//! Ingress and egress exposure findings (P1xx): what the internet can reach and what may leave
//! the cluster. Shared by `kubeward netpol coverage` and `kubeward workloads`.

use kubeward_core::{CheckMeta, Finding, RefStatic};
use kubeward_inventory::{Inventory, Object};

use crate::engine::{Analysis, Engine, Options};
use crate::model::{Model, namespace_of};

pub(crate) mod egress;
pub mod p101_public_load_balancer;
pub mod p102_node_port;
pub mod p103_external_ips;
pub mod p104_ingress_tls;
pub mod p105_ingress_annotations;
pub mod p106_external_traffic_policy;
pub mod p107_egress_internet;
pub mod p108_egress_imds;
pub mod p109_egress_wireserver;

/// Options of the exposure checks.
#[derive(Debug, Clone, Default)]
pub struct ExposureOptions {
    pub engine: Engine,
}

/// What every exposure check reads.
pub struct Ctx<'a> {
    pub inv: &'a Inventory,
    pub analysis: &'a Analysis<'a>,
    pub options: &'a ExposureOptions,
}

impl Ctx<'_> {
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

pub(crate) const CVE_2020_8554: RefStatic = RefStatic::new("CVE", "", "CVE-2020-8554");
pub(crate) const CVE_2021_25742: RefStatic = RefStatic::new("CVE", "", "CVE-2021-25742");
pub(crate) const CVE_2025_1974: RefStatic = RefStatic::new("CVE", "", "CVE-2025-1974");

/// Every exposure check.
pub fn checks() -> Vec<&'static CheckMeta> {
    vec![
        &p101_public_load_balancer::META,
        &p102_node_port::META,
        &p103_external_ips::META,
        &p104_ingress_tls::META,
        &p105_ingress_annotations::META,
        &p106_external_traffic_policy::META,
        &p107_egress_internet::META,
        &p108_egress_imds::META,
        &p109_egress_wireserver::META,
    ]
}

/// Run every exposure check over an inventory.
pub fn findings(inv: &Inventory, options: &ExposureOptions) -> Vec<Finding> {
    let model = Model::build(inv);
    let analysis = Analysis::new(
        &model,
        Options {
            engine: options.engine,
            ..Default::default()
        },
    );
    findings_with(inv, &analysis, options)
}

/// Exposure findings over an analysis already built.
pub fn findings_with(
    inv: &Inventory,
    analysis: &Analysis,
    options: &ExposureOptions,
) -> Vec<Finding> {
    let ctx = Ctx {
        inv,
        analysis,
        options,
    };
    let mut out = Vec::new();
    out.extend(p101_public_load_balancer::evaluate(&ctx));
    out.extend(p102_node_port::evaluate(&ctx));
    out.extend(p103_external_ips::evaluate(&ctx));
    out.extend(p104_ingress_tls::evaluate(&ctx));
    out.extend(p105_ingress_annotations::evaluate(&ctx));
    out.extend(p106_external_traffic_policy::evaluate(&ctx));
    out.extend(p107_egress_internet::evaluate(&ctx));
    out.extend(p108_egress_imds::evaluate(&ctx));
    out.extend(p109_egress_wireserver::evaluate(&ctx));
    out
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
    use kubeward_inventory::{LoadOptions, load_str};

    use super::*;

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
        let options = ExposureOptions { engine };
        let ctx = Ctx {
            inv: &inv,
            analysis: &analysis,
            options: &options,
        };
        eval(&ctx)
    }

    pub fn statuses(f: &[Finding]) -> Vec<(String, Status)> {
        f.iter()
            .map(|f| (f.resource.name.clone(), f.status))
            .collect()
    }

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
