//! P106: how `externalTrafficPolicy` changes what NetworkPolicy sees for LoadBalancer and
//! NodePort traffic.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};
use kubeward_inventory::Value;

use super::service_type;
use crate::check::{Check, Ctx};
use crate::engine::{Direction, Engine};
use crate::examples::{allow_office_policy, web_deployment, web_load_balancer};
use crate::model::Peer;

pub static META: CheckMeta = CheckMeta {
    code: "P106",
    name: "external-traffic-policy-bypass",
    since: "0.1.0",
    aliases: &[],
    title: "Ingress NetworkPolicy applies to traffic arriving through LoadBalancer/NodePort Services",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`spec.externalTrafficPolicy` (default Cluster) of LoadBalancer and NodePort Services whose pods are isolated for ingress, with the policy engine in use.",
        why: "With Cluster, kube-proxy SNATs outside clients to a node address: ipBlock rules meant for client ranges see node IPs instead, and Azure NPM does not apply ingress policy to this traffic at all, so a deny-all policy does not block it.",
        fix: "Set spec.externalTrafficPolicy: Local on the Service (client IPs are kept and ingress policy sees them), filter sources with spec.loadBalancerSourceRanges, or move to Azure CNI powered by Cilium (az aks update --network-dataplane cilium), which enforces ingress policy on load-balancer traffic.",
        links: &[
            "https://learn.microsoft.com/azure/aks/use-network-policies",
            "https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/#preserving-the-client-source-ip",
        ],
        bad: concat!(
            web_deployment!(),
            "---\n",
            web_load_balancer!(),
            "---\n",
            allow_office_policy!()
        ),
        good: concat!(
            web_deployment!(),
            "---\n",
            web_load_balancer!(),
            "  externalTrafficPolicy: Local
---
",
            allow_office_policy!()
        ),
    },
};

pub static CHECK: Check = Check::exposure(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    let a = ctx.analysis;
    for svc in ctx
        .services()
        .filter(|s| matches!(service_type(s), "LoadBalancer" | "NodePort"))
    {
        let etp = svc
            .value
            .pointer("/spec/externalTrafficPolicy")
            .and_then(Value::as_str);
        let observed = etp.unwrap_or("Cluster (default)");
        let backends = ctx.service_backends(svc);
        let isolated: Vec<usize> = backends
            .iter()
            .copied()
            .filter(|&w| a.isolated(a.class_of[w], Direction::Ingress))
            .collect();
        if isolated.is_empty() {
            continue;
        }
        let names: Vec<String> = isolated
            .iter()
            .map(|&w| a.model.workloads[w].display_name())
            .collect();
        let ev = Evidence::observed(
            observed.to_string(),
            svc.source("/spec/externalTrafficPolicy"),
        )
        .with_expected("Local");
        if etp == Some("Local") {
            out.push(
                Finding::new(
                    &META,
                    Status::Pass,
                    svc.resource(),
                    "client addresses are preserved",
                )
                .with_evidence(ev),
            );
            continue;
        }
        if ctx.analysis.options.engine == Engine::AzureNpm {
            out.push(
                Finding::new(
                    &META,
                    Status::Fail,
                    svc.resource(),
                    format!(
                        "Azure NPM does not enforce ingress policy on {observed} traffic: the policies of {} do not apply to it",
                        names.join(", ")
                    ),
                )
                .with_evidence(ev),
            );
            continue;
        }
        let uses_ip_blocks = isolated.iter().any(|&w| {
            a.policies_selecting(a.class_of[w], Direction::Ingress)
                .iter()
                .any(|&p| {
                    a.model.netpols[p]
                        .ingress
                        .iter()
                        .any(|r| r.peers.iter().any(|p| matches!(p, Peer::Ip(_))))
                })
        });
        let status = if uses_ip_blocks {
            Status::Warn
        } else {
            Status::Info
        };
        out.push(
            Finding::new(
                &META,
                status,
                svc.resource(),
                format!(
                    "clients are SNATed to node addresses before the ingress policies of {} see them{}",
                    names.join(", "),
                    if uses_ip_blocks { "; their ipBlock rules match node IPs, not clients" } else { "" }
                ),
            )
            .with_evidence(ev),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{DEPLOY, run, statuses};
    use super::*;

    fn input(etp: &str) -> String {
        format!(
            "{DEPLOY}---\napiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: shop}}\nspec: {{type: LoadBalancer, selector: {{app: web}}, ports: [{{port: 80}}]{etp}}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{}}\n  ingress: [{{from: [{{ipBlock: {{cidr: 203.0.113.0/24}}}}]}}]\n"
        )
    }

    #[test]
    fn engine_and_policy_decide() {
        assert_eq!(
            statuses(&run(&input(""), Engine::AzureNpm, evaluate)),
            vec![("web".into(), Status::Fail)]
        );
        assert_eq!(
            statuses(&run(&input(""), Engine::Cilium, evaluate)),
            vec![("web".into(), Status::Warn)]
        );
        assert_eq!(
            statuses(&run(
                &input(", externalTrafficPolicy: Local"),
                Engine::AzureNpm,
                evaluate
            )),
            vec![("web".into(), Status::Pass)]
        );
    }
}
