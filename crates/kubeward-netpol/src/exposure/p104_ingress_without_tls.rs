//! P104: Ingresses without TLS (CIS AKS 5.4.5).

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};
use kubeward_inventory::Value;

use crate::check::{Check, Ctx};
use crate::examples::{web_ingress_head, web_ingress_rules};

pub static META: CheckMeta = CheckMeta {
    code: "P104",
    name: "ingress-without-tls",
    since: "0.1.0",
    aliases: &[],
    title: "Ingresses terminate TLS",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[RefStatic::cis_aks("1.8.0", "5.4.5")],
    profiles: &[kubeward_core::profile::CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`spec.tls` of every Ingress (networking.k8s.io) and the hosts it covers.",
        why: "Without TLS the ingress controller serves plain HTTP: credentials and session cookies cross the network readable and modifiable (CIS AKS 5.4.5: encrypt traffic to HTTPS load balancers with TLS certificates).",
        fix: "Add spec.tls with the hosts and a certificate Secret (kubectl create secret tls <name> --cert --key, or cert-manager / the AKS application routing add-on with Azure Key Vault: az aks approuting update --enable-kv --attach-kv <vault-id>).",
        links: &["https://learn.microsoft.com/azure/aks/app-routing-dns-ssl"],
        bad: concat!(web_ingress_head!(), web_ingress_rules!()),
        good: concat!(
            web_ingress_head!(),
            web_ingress_rules!(),
            "  tls: [{hosts: [shop.contoso.com], secretName: shop-tls}]\n"
        ),
    },
};

pub static CHECK: Check = Check::exposure(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for ing in ctx.inv.objects.iter().filter(|o| {
        o.kind == "Ingress"
            && (o.group().starts_with("networking.k8s.io") || o.group() == "extensions")
    }) {
        let tls = ing.value.pointer("/spec/tls").and_then(Value::as_array);
        let hosts: Vec<&str> = ing
            .value
            .pointer("/spec/rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("host").and_then(Value::as_str))
            .collect();
        match tls.filter(|t| !t.is_empty()) {
            None => out.push(
                Finding::new(
                    &META,
                    Status::Fail,
                    ing.resource(),
                    format!(
                        "no TLS: {} served over plain HTTP",
                        if hosts.is_empty() {
                            "all hosts".to_string()
                        } else {
                            hosts.join(", ")
                        }
                    ),
                )
                .with_evidence(
                    Evidence::observed("spec.tls absent", ing.source("/spec"))
                        .with_expected("spec.tls with a certificate secret"),
                ),
            ),
            Some(t) => {
                let covered: Vec<&str> = t
                    .iter()
                    .flat_map(|e| {
                        e.get("hosts")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                    })
                    .filter_map(Value::as_str)
                    .collect();
                let uncovered: Vec<&str> = hosts
                    .iter()
                    .copied()
                    .filter(|h| !covered.is_empty() && !covered.contains(h))
                    .collect();
                if uncovered.is_empty() {
                    out.push(
                        Finding::new(&META, Status::Pass, ing.resource(), "TLS configured")
                            .with_evidence(Evidence::observed(
                                covered.join(","),
                                ing.source("/spec/tls"),
                            )),
                    );
                } else {
                    out.push(
                        Finding::new(
                            &META,
                            Status::Fail,
                            ing.resource(),
                            format!("hosts without TLS: {}", uncovered.join(", ")),
                        )
                        .with_evidence(Evidence::observed(
                            covered.join(","),
                            ing.source("/spec/tls"),
                        )),
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, statuses};
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn tls_presence() {
        let y = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: plain}\nspec: {rules: [{host: a.example.com}]}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: tls}\nspec: {tls: [{hosts: [a.example.com], secretName: s}], rules: [{host: a.example.com}]}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: partial}\nspec: {tls: [{hosts: [a.example.com], secretName: s}], rules: [{host: a.example.com}, {host: b.example.com}]}\n";
        let f = run(y, Engine::Default, evaluate);
        assert_eq!(
            statuses(&f),
            vec![
                ("plain".into(), Status::Fail),
                ("tls".into(), Status::Pass),
                ("partial".into(), Status::Fail)
            ]
        );
        assert_eq!(f[0].references[0].id, "5.4.5");
    }
}
