//! P102: Services that open a port on every node (NodePort, or LoadBalancer with node ports).

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};
use kubeward_inventory::Value;

use super::service_type;
use crate::check::{Check, Ctx};
use crate::examples::web_service_head;

pub static META: CheckMeta = CheckMeta {
    code: "P102",
    name: "node-port-service",
    since: "0.1.0",
    aliases: &[],
    title: "No Service opens a NodePort on every node",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1190")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Services of type NodePort (explicit `nodePort` values included).",
        why: "A NodePort listens on every node's IP: anything that can reach a node (the whole VNet, peered networks, and the internet when node pools have public IPs) reaches the pods, around ingress controllers and load-balancer source ranges.",
        fix: "Use type ClusterIP behind an ingress controller, or an internal LoadBalancer (service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"); keep node pools without public IPs (az aks nodepool show --query enableNodePublicIp) and restrict the node subnet NSG.",
        links: &["https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport"],
        bad: concat!(
            web_service_head!(),
            "\
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
"
        ),
        good: concat!(
            web_service_head!(),
            "\
spec:
  type: ClusterIP
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"
        ),
    },
};

pub static CHECK: Check = Check::exposure(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for svc in ctx.services().filter(|s| service_type(s) == "NodePort") {
        let ports: Vec<String> = svc
            .value
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| {
                p.get("nodePort")
                    .and_then(Value::as_u64)
                    .map_or("allocated".to_string(), |n| n.to_string())
            })
            .collect();
        out.push(
            Finding::new(
                &META,
                Status::Fail,
                svc.resource(),
                format!(
                    "NodePort Service listening on every node (node ports: {})",
                    ports.join(", ")
                ),
            )
            .with_evidence(
                Evidence::observed("NodePort", svc.source("/spec/type")).with_expected("ClusterIP"),
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, statuses};
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn node_port_fails_cluster_ip_is_silent() {
        let y = "apiVersion: v1\nkind: Service\nmetadata: {name: np}\nspec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: cip}\nspec: {ports: [{port: 80}]}\n";
        let f = run(y, Engine::Default, evaluate);
        assert_eq!(statuses(&f), vec![("np".into(), Status::Fail)]);
        assert!(f[0].message.contains("30080"));
    }
}
