//! CIS AKS 5.4.5: HTTPS load balancers terminate TLS (judged on Ingress/Gateway objects).

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{CIS_AKS, Ctx, cis, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z124",
    name: "aks-load-balancer-tls",
    title: "Traffic to HTTPS load balancers is encrypted with TLS",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[cis("5.4.5")],
    profiles: CIS_AKS,
    kubeward_own: false,
    doc: CheckDoc {
        what: "Nothing in the cluster's Azure configuration: TLS is configured on Ingress (`spec.tls`), Gateway listeners or Application Gateway. This check points at the workload scan.",
        why: "An HTTP-only ingress sends credentials and session cookies in clear text across the Internet.",
        fix: "Run `kubeward workloads <manifests or snapshot>` and fix Ingress objects without spec.tls; with the application routing add-on, use a Key Vault certificate: az aks approuting update -g <resource-group> -n <cluster> --enable-kv --attach-kv <key-vault-id>",
        links: &["https://learn.microsoft.com/azure/aks/app-routing-dns-ssl"],
    },
};

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    vec![finding(
        &META,
        c,
        None,
        Status::Manual,
        "TLS at the load balancer is set on Ingress/Gateway objects, not in the cluster configuration: judge it with `kubeward workloads` on the cluster's manifests",
    )]
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, status};
    use super::*;

    #[test]
    fn always_manual() {
        assert_eq!(status(evaluate, &cl("")), Status::Manual);
    }
}
