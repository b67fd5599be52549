//! P103: Services with `spec.externalIPs` (CVE-2020-8554 traffic interception).

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};
use kubeward_inventory::Value;

use super::CVE_2020_8554;
use crate::check::{Check, Ctx};
use crate::examples::web_service_head;

pub static META: CheckMeta = CheckMeta {
    code: "P103",
    name: "service-external-ips",
    since: "0.1.0",
    aliases: &[],
    title: "No Service sets externalIPs",
    area: Area::Netpol,
    severity: Severity::High,
    references: &[CVE_2020_8554],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`spec.externalIPs` of every Service.",
        why: "Any user allowed to create or patch Services can set externalIPs and have kube-proxy capture cluster traffic to those addresses (man-in-the-middle, CVE-2020-8554); the field is rarely needed on AKS, which assigns load-balancer IPs itself.",
        fix: "Remove spec.externalIPs (use a LoadBalancer Service, with service.beta.kubernetes.io/azure-load-balancer-ipv4 for a fixed IP); block the field cluster-wide with the Azure Policy built-in \"Kubernetes cluster services should not use external IPs\" (az aks enable-addons --addons azure-policy, then assign it) or a ValidatingAdmissionPolicy.",
        links: &[
            "https://github.com/kubernetes/kubernetes/issues/97076",
            "https://github.com/Azure/AKS/issues/2012",
        ],
        bad: concat!(
            web_service_head!(),
            "\
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
  externalIPs: [20.50.10.4]
"
        ),
        good: concat!(
            web_service_head!(),
            "\
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"
        ),
    },
};

pub static CHECK: Check = Check::exposure(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for svc in ctx.services() {
        let ips: Vec<&str> = svc
            .value
            .pointer("/spec/externalIPs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if ips.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                &META,
                Status::Fail,
                svc.resource(),
                format!(
                    "externalIPs {} let kube-proxy capture traffic to these addresses",
                    ips.join(", ")
                ),
            )
            .with_evidence(
                Evidence::observed(ips.join(","), svc.source("/spec/externalIPs"))
                    .with_expected("no externalIPs"),
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
    fn external_ips_fail() {
        let y = "apiVersion: v1\nkind: Service\nmetadata: {name: mitm}\nspec: {externalIPs: [8.8.8.8], ports: [{port: 53}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: ok}\nspec: {ports: [{port: 80}]}\n";
        let f = run(y, Engine::Default, evaluate);
        assert_eq!(statuses(&f), vec![("mitm".into(), Status::Fail)]);
        assert_eq!(f[0].references[0].id, "CVE-2020-8554");
    }
}
