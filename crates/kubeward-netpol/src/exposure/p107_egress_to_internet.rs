//! P107: workloads whose egress reaches the whole internet.

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Resource, Severity, Status,
};

use super::egress::{fold_unrestricted, foldable, internet, workload_source};
use crate::check::{Check, Ctx};
use crate::engine::{Direction, ip_range_name};
use crate::examples::web_deployment;

pub static META: CheckMeta = CheckMeta {
    code: "P107",
    name: "egress-to-internet",
    since: "0.1.0",
    aliases: &[],
    title: "Workloads cannot open connections to the whole internet",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1041")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The egress a workload's pods are allowed towards public IPv4 space, after NetworkPolicy (and AdminNetworkPolicy where enforced). Where several workloads of a namespace are selected by no egress policy at all, they are reported once, as the namespace, naming each.",
        why: "AKS clusters with outboundType loadBalancer or a NAT gateway give every pod a way out; unrestricted egress lets a compromised pod download tooling and exfiltrate data.",
        fix: "Add a default-deny egress NetworkPolicy per namespace (kubeward netpol generate PATH) that keeps DNS to kube-dns, then allow the destinations each workload needs; route cluster egress through Azure Firewall (outboundType userDefinedRouting) for FQDN filtering.",
        links: &[
            "https://learn.microsoft.com/azure/aks/limit-egress-traffic",
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic",
        ],
        bad: web_deployment!(),
        good: concat!(
            web_deployment!(),
            "\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
    ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
  - to: [{ipBlock: {cidr: 10.0.0.0/8}}]
"
        ),
    },
};

pub static CHECK: Check = Check::exposure(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let a = ctx.analysis;
    let mut out = Vec::new();
    // Workloads of one class (selected by the same policies) reach the same addresses.
    let mut by_class: std::collections::HashMap<usize, (Vec<(u128, u128)>, bool)> =
        Default::default();
    for (wi, w) in a.model.workloads.iter().enumerate() {
        let (reached, all) = by_class
            .entry(a.class_of[wi])
            .or_insert_with(|| internet(a, wi))
            .clone();
        let res = Resource::namespaced(w.kind.clone(), w.namespace.clone(), w.name.clone());
        let src = workload_source(ctx, wi);
        let isolated = a.isolated(a.class_of[wi], Direction::Egress);
        let note = if isolated {
            "egress is restricted by NetworkPolicy"
        } else {
            "no NetworkPolicy selects these pods for egress: everything is allowed"
        };
        let (status, msg): (Status, kubeward_core::Text) = if all {
            (
                Status::Fail,
                "egress allowed to every public address".into(),
            )
        } else if reached.is_empty() {
            (Status::Pass, "no egress to public addresses".into())
        } else {
            let list: Vec<String> = reached
                .iter()
                .take(5)
                .map(|&(l, h)| ip_range_name(l, h))
                .collect();
            (
                Status::Warn,
                format!(
                    "egress allowed to {} public range(s): {}{}",
                    reached.len(),
                    list.join(", "),
                    if reached.len() > 5 { ", …" } else { "" }
                )
                .into(),
            )
        };
        let f = Finding::new(&META, status, res, msg).with_evidence(
            Evidence::observed(note, src).with_expected("egress limited to named destinations"),
        );
        out.push((foldable(ctx, wi, status).then_some(wi), f));
    }
    fold_unrestricted(ctx, &META, out, "may connect to every public address")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{DEPLOY, run, statuses};
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn default_allow_fails_and_private_only_passes() {
        assert_eq!(
            statuses(&run(DEPLOY, Engine::Default, evaluate)),
            vec![("web".into(), Status::Fail)]
        );
        let y = format!(
            "{DEPLOY}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress: [{{to: [{{ipBlock: {{cidr: 10.0.0.0/8}}}}]}}]\n"
        );
        assert_eq!(
            statuses(&run(&y, Engine::Default, evaluate)),
            vec![("web".into(), Status::Pass)]
        );
        let y = format!(
            "{DEPLOY}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress: [{{to: [{{ipBlock: {{cidr: 20.0.0.0/8}}}}]}}]\n"
        );
        assert_eq!(
            statuses(&run(&y, Engine::Default, evaluate)),
            vec![("web".into(), Status::Warn)]
        );
        // excepting only the Azure platform addresses still opens the whole internet
        let y = format!(
            "{DEPLOY}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress: [{{to: [{{ipBlock: {{cidr: 0.0.0.0/0, except: [169.254.169.254/32, 168.63.129.16/32]}}}}]}}]\n"
        );
        assert_eq!(
            statuses(&run(&y, Engine::Default, evaluate)),
            vec![("web".into(), Status::Fail)]
        );
    }

    /// Several workloads with no egress policy: one finding for the namespace, naming each;
    /// a workload whose own policy opens the internet stays a finding of its own.
    #[test]
    fn unrestricted_workloads_of_a_namespace_fold_into_one_finding() {
        let api = DEPLOY
            .replace("name: web,", "name: api,")
            .replace("app: web", "app: api");
        let db = DEPLOY
            .replace("name: web,", "name: db,")
            .replace("app: web", "app: db");
        let open_db = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]\n";
        let y = format!("{DEPLOY}---\n{api}---\n{db}---\n{open_db}");
        let f = run(&y, Engine::Default, evaluate);
        assert_eq!(
            statuses(&f),
            vec![("shop".into(), Status::Fail), ("db".into(), Status::Fail)],
            "{f:#?}"
        );
        let ns = &f[0];
        assert_eq!(ns.resource, Resource::new("Namespace", "shop"));
        assert!(
            ns.message
                .starts_with("2 workloads of namespace shop are selected by no egress"),
            "{}",
            ns.message
        );
        let named: Vec<_> = ns
            .evidence
            .iter()
            .filter_map(|e| e.observed.as_deref())
            .collect();
        assert_eq!(named, ["Deployment web", "Deployment api"]);
        assert!(
            ns.evidence.iter().all(|e| e.source.line.is_some()),
            "{ns:#?}"
        );
    }
}
