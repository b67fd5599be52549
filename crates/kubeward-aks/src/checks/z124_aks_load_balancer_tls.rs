//! CIS AKS 5.4.5: HTTPS load balancers terminate TLS (judged on Ingress/Gateway objects).

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, cis, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z124",
    name: "aks-load-balancer-tls",
    since: "0.1.0",
    aliases: &[],
    title: "Traffic to HTTPS load balancers is encrypted with TLS",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[cis("5.4.5")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Nothing in the cluster's Azure configuration: TLS is configured on Ingress (`spec.tls`), Gateway listeners or Application Gateway. This check points at `kubeward netpol coverage` (check P104 ingress-without-tls), which `kubeward scan` also runs.",
        why: "An HTTP-only ingress sends credentials and session cookies in clear text across the Internet.",
        fix: "Run `kubeward netpol coverage <manifests or snapshot>` (or `kubeward scan`) and give every Ingress that P104 ingress-without-tls lists a spec.tls section; with the application routing add-on, use a Key Vault certificate: az aks approuting update -g <resource-group> -n <cluster> --enable-kv --attach-kv <key-vault-id>",
        links: &["https://learn.microsoft.com/azure/aks/app-routing-dns-ssl"],
        bad: cluster!(r#""ingressProfile": {"webAppRouting": {"enabled": true}}"#),
        good: cluster!(r#""ingressProfile": {"webAppRouting": {"enabled": true}}"#),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    vec![finding(
        &META,
        c,
        None,
        Status::Manual,
        "TLS at the load balancer is set on Ingress/Gateway objects, not in the cluster configuration: judge it with `kubeward netpol coverage` (check P104 ingress-without-tls) or `kubeward scan` on the cluster's manifests or snapshot",
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

    #[test]
    fn points_at_the_command_that_judges_ingress_tls() {
        // The Ingress TLS check (P104) runs in `netpol coverage` and `scan`, not in `workloads`.
        let f = &evaluate(
            &super::super::testing::cluster(&cl("")),
            &super::super::testing::ctx(),
        )[0];
        assert!(
            f.message.contains("kubeward netpol coverage"),
            "{}",
            f.message
        );
        assert!(f.message.contains("P104"), "{}", f.message);
        assert!(!f.message.contains("kubeward workloads"), "{}", f.message);
        assert!(META.doc.fix.contains("kubeward netpol coverage"));
    }
}
