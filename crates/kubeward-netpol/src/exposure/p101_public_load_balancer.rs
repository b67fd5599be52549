//! P101: LoadBalancer Services that get a public IP, and the sources allowed to reach them.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};
use kubeward_inventory::Value;

use super::service_type;
use crate::check::{Check, Ctx};
use crate::examples::{web_load_balancer, web_service_head};

pub static META: CheckMeta = CheckMeta {
    code: "P101",
    name: "public-load-balancer",
    since: "0.1.0",
    aliases: &[],
    title: "LoadBalancer Services are internal or restricted to known source ranges",
    area: Area::Netpol,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1190")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Services of type LoadBalancer: the `service.beta.kubernetes.io/azure-load-balancer-internal` annotation, `spec.loadBalancerSourceRanges` and the AKS annotations `service.beta.kubernetes.io/azure-allowed-ip-ranges` / `azure-allowed-service-tags`.",
        why: "On AKS a LoadBalancer Service gets a public IP on the cluster's Standard Load Balancer unless it is annotated as internal; without source ranges the whole internet can reach the backing pods, and NetworkPolicy may not see the client address (externalTrafficPolicy: Cluster SNATs it).",
        fix: "Make the Service internal (metadata.annotations: service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"), or restrict it with spec.loadBalancerSourceRanges: [\"<office-cidr>\"] (AKS programs the NSG and kube-proxy); publish HTTP through an ingress controller or Application Gateway for Containers with WAF instead.",
        links: &[
            "https://learn.microsoft.com/azure/aks/internal-lb",
            "https://learn.microsoft.com/azure/aks/load-balancer-standard#restrict-inbound-traffic-to-specific-ip-ranges",
        ],
        bad: web_load_balancer!(),
        good: concat!(
            web_service_head!(),
            "  annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: 'true'}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 443, targetPort: 8080}]
"
        ),
    },
};

pub static CHECK: Check = Check::exposure(&META, evaluate);

const INTERNAL: &str = "service.beta.kubernetes.io/azure-load-balancer-internal";
const ALLOWED_RANGES: &str = "service.beta.kubernetes.io/azure-allowed-ip-ranges";
const ALLOWED_TAGS: &str = "service.beta.kubernetes.io/azure-allowed-service-tags";

fn open_range(r: &str) -> bool {
    matches!(r.trim(), "0.0.0.0/0" | "::/0" | "*" | "Internet")
}

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for svc in ctx.services().filter(|s| service_type(s) == "LoadBalancer") {
        let res = svc.resource();
        if svc.annotation(INTERNAL) == Some("true") {
            out.push(
                Finding::new(
                    &META,
                    Status::Pass,
                    res,
                    "internal load balancer (no public IP)",
                )
                .with_evidence(
                    Evidence::observed(
                        "true",
                        svc.source(&format!(
                            "/metadata/annotations/{}",
                            INTERNAL.replace('/', "~1")
                        )),
                    )
                    .with_expected("true"),
                ),
            );
            continue;
        }
        let mut ranges: Vec<String> = svc
            .value
            .pointer("/spec/loadBalancerSourceRanges")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let mut pointer = "/spec/loadBalancerSourceRanges".to_string();
        for key in [ALLOWED_RANGES, ALLOWED_TAGS] {
            if let Some(v) = svc.annotation(key) {
                ranges.extend(v.split(',').map(|s| s.trim().to_string()));
                pointer = format!("/metadata/annotations/{}", key.replace('/', "~1"));
            }
        }
        let backends = ctx.service_backends(svc);
        let names: Vec<String> = backends
            .iter()
            .map(|&w| ctx.model().workloads[w].display_name())
            .collect();
        let target = if names.is_empty() {
            "no workload among the inputs".to_string()
        } else {
            names.join(", ")
        };
        if ranges.is_empty() || ranges.iter().any(|r| open_range(r)) {
            let observed = if ranges.is_empty() {
                "no internal annotation, no source ranges".to_string()
            } else {
                format!("source ranges {}", ranges.join(","))
            };
            out.push(
                Finding::new(
                    &META,
                    Status::Fail,
                    res,
                    format!("public load balancer open to the whole internet, reaching {target}"),
                )
                .with_evidence(
                    Evidence::observed(observed, svc.source(&pointer))
                        .with_expected(format!("{INTERNAL}: \"true\" or loadBalancerSourceRanges"))
                        .with_note("absent annotation means a public IP on AKS"),
                ),
            );
        } else {
            out.push(
                Finding::new(
                    &META,
                    Status::Warn,
                    res,
                    format!(
                        "public load balancer restricted to {}, reaching {target}",
                        ranges.join(", ")
                    ),
                )
                .with_evidence(Evidence::observed(ranges.join(","), svc.source(&pointer))),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{DEPLOY, run, statuses};
    use super::*;
    use crate::engine::Engine;

    fn lb(extra_meta: &str, extra_spec: &str) -> String {
        format!(
            "{DEPLOY}---\napiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: shop{extra_meta}}}\nspec:\n  type: LoadBalancer\n  selector: {{app: web}}\n  ports: [{{port: 80, targetPort: 8080}}]\n{extra_spec}"
        )
    }

    #[test]
    fn public_without_ranges_fails() {
        let f = run(&lb("", ""), Engine::Default, evaluate);
        assert_eq!(statuses(&f), vec![("web".into(), Status::Fail)]);
        assert!(
            f[0].message.contains("shop/web[Deployment]"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn internal_passes_and_ranges_warn() {
        let f = run(
            &lb(
                ", annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"}",
                "",
            ),
            Engine::Default,
            evaluate,
        );
        assert_eq!(statuses(&f), vec![("web".into(), Status::Pass)]);
        let f = run(
            &lb("", "  loadBalancerSourceRanges: [203.0.113.0/24]\n"),
            Engine::Default,
            evaluate,
        );
        assert_eq!(statuses(&f), vec![("web".into(), Status::Warn)]);
        let f = run(
            &lb("", "  loadBalancerSourceRanges: [0.0.0.0/0]\n"),
            Engine::Default,
            evaluate,
        );
        assert_eq!(statuses(&f), vec![("web".into(), Status::Fail)]);
    }
}
