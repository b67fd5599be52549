//! P207: policies that are invalid (not analysed) or carry a warning.

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Source, Status,
};

use crate::check::{Check, Ctx};
use crate::model::Level;

pub static META: CheckMeta = CheckMeta {
    code: "P207",
    name: "invalid-network-policy",
    since: "0.1.0",
    aliases: &[],
    title: "Network policies are valid",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "NetworkPolicy, AdminNetworkPolicy and BaselineAdminNetworkPolicy objects against the API's validation rules (CIDRs, except inside cidr, ports 1–65535, endPort, protocols, selector operators, peer combinations, ANP priorities).",
        why: "The API server rejects invalid policies, so the protection they describe does not exist in the cluster; two AdminNetworkPolicies with one priority make the outcome implementation-defined.",
        fix: "Correct the field named in the finding and validate with kubectl apply --dry-run=server -f <file>; give every AdminNetworkPolicy a distinct spec.priority.",
        links: &[
            "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/",
        ],
        bad: "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-vnet, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: 10.224.0.0/33}}]}]
",
        good: "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-vnet, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: 10.224.0.0/16}}]}]
",
    },
};

pub static CHECK: Check = Check::coverage(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let a = ctx.analysis;
    a.model
        .problems
        .iter()
        .filter(|p| {
            p.object.contains("NetworkPolicy")
                || p.object.starts_with("Ingress")
                || p.object.starts_with("Route")
        })
        .map(|p| {
            let (kind, rest) = p
                .object
                .split_once(' ')
                .unwrap_or(("Object", p.object.as_str()));
            let res = match rest.split_once('/') {
                Some((ns, name)) => Resource::namespaced(kind, ns, name),
                None => Resource::new(kind, rest),
            };
            let status = match p.level {
                Level::Error => Status::Error,
                Level::Warning => Status::Warn,
            };
            let mut src = Source::file(p.file.clone()).with_key(p.pointer.clone());
            src.line = p.line;
            Finding::new(&META, status, res, p.message.clone())
                .with_evidence(Evidence::observed(p.message.clone(), src))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TWO_APPS, run};
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn invalid_cidr_is_an_error_naming_the_object() {
        let y = format!(
            "{TWO_APPS}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: bad, namespace: shop}}\nspec:\n  podSelector: {{}}\n  ingress: [{{from: [{{ipBlock: {{cidr: 10.0.0.0/33}}}}]}}]\n"
        );
        let f = run(&y, Engine::Default, evaluate);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Error);
        assert_eq!(f[0].resource.name, "bad");
        assert!(
            f[0].message.contains("not a valid CIDR"),
            "{}",
            f[0].message
        );
    }
}
