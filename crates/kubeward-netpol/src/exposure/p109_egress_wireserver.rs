//! P109: workloads that can reach 168.63.129.16.

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Resource, Severity, Source, Status,
};

use super::Ctx;
use super::egress::to_ip;

pub static META: CheckMeta = CheckMeta {
    code: "P109",
    name: "egress-to-wireserver",
    title: "Workloads cannot reach the Azure WireServer",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1552.005")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Whether a workload's egress policy allows connections to 168.63.129.16.",
        why: "168.63.129.16 is the Azure host endpoint for DHCP, DNS and the VM agent's WireServer; pods reaching its extension endpoints have read protected settings of VM extensions in past vulnerabilities.",
        fix: "Deny egress to 168.63.129.16/32 except UDP/TCP 53 when pods resolve through Azure DNS (ipBlock cidr: 0.0.0.0/0, except: [168.63.129.16/32]); keep CoreDNS as the only pod resolver.",
        links: &["https://learn.microsoft.com/azure/aks/operator-best-practices-network"],
    },
};

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let a = ctx.analysis;
    let mut out = Vec::new();
    for (wi, w) in a.model.workloads.iter().enumerate() {
        let conns = to_ip(a, wi, [168, 63, 129, 16]);
        let res = Resource::namespaced(w.kind.clone(), w.namespace.clone(), w.name.clone());
        let src = ctx
            .inv
            .objects
            .get(w.object)
            .map_or_else(|| Source::origin("inputs"), |o| o.source("/metadata/name"));
        let mut f = if conns.is_empty() {
            Finding::new(
                &META,
                Status::Pass,
                res,
                "egress to 168.63.129.16 is denied",
            )
        } else {
            Finding::new(
                &META,
                Status::Fail,
                res,
                format!("egress to 168.63.129.16 allowed: {conns}"),
            )
        };
        let mut ev = Evidence::observed(conns.render(), src).with_expected("No Connections");
        if w.host_network {
            ev = ev.with_note("hostNetwork pod: NetworkPolicy engines do not restrict it; it reaches the endpoint as the node does");
        }
        f = f.with_evidence(ev);
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{DEPLOY, run, statuses};
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn allowed_by_default_denied_by_except() {
        assert_eq!(
            statuses(&run(DEPLOY, Engine::Default, evaluate)),
            vec![("web".into(), Status::Fail)]
        );
        let y = format!(
            "{DEPLOY}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress: [{{to: [{{ipBlock: {{cidr: 0.0.0.0/0, except: [168.63.129.16/32]}}}}]}}]\n"
        );
        assert_eq!(
            statuses(&run(&y, Engine::Default, evaluate)),
            vec![("web".into(), Status::Pass)]
        );
    }
}
