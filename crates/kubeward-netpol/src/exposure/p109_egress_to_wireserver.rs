//! P109: workloads that can reach 168.63.129.16.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use crate::check::{Check, Ctx};
use crate::conn::{ConnSet, Protocol};
use crate::examples::{deny_egress_to, web_deployment};

pub static META: CheckMeta = CheckMeta {
    code: "P109",
    name: "egress-to-wireserver",
    since: "0.1.0",
    aliases: &[],
    title: "Workloads cannot reach the Azure WireServer",
    area: Area::Netpol,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1552.005")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Whether a workload's egress policy allows connections to 168.63.129.16. Where several workloads of a namespace are selected by no egress policy at all, they are reported once, as the namespace, naming each.",
        why: "168.63.129.16 is the Azure host endpoint for DHCP, DNS and the VM agent's WireServer; pods reaching its extension endpoints have read protected settings of VM extensions in past vulnerabilities.",
        fix: "Deny egress to 168.63.129.16/32 except UDP/TCP 53 when pods resolve through Azure DNS (ipBlock cidr: 0.0.0.0/0, except: [168.63.129.16/32]); keep CoreDNS as the only pod resolver.",
        links: &["https://learn.microsoft.com/azure/aks/operator-best-practices-network"],
        bad: web_deployment!(),
        good: concat!(
            web_deployment!(),
            "---\n",
            deny_egress_to!("deny-wireserver", "168.63.129.16/32")
        ),
    },
};

pub static CHECK: Check = Check::exposure(&META, evaluate);

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    // Azure DNS answers on this address: port 53 alone is what the fix keeps open
    let dns = ConnSet::ports(Protocol::Udp, 53, 53).union(&ConnSet::ports(Protocol::Tcp, 53, 53));
    super::egress::address_findings(ctx, &META, [168, 63, 129, 16], &dns)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        DEPLOY, assert_allowed_by_default_denied_by_except, run, statuses,
    };
    use super::*;
    use crate::engine::Engine;
    use kubeward_core::Status;

    #[test]
    fn allowed_by_default_denied_by_except() {
        assert_allowed_by_default_denied_by_except(evaluate, "168.63.129.16/32");
        // DNS only, as the fix suggests, passes; one more port fails
        let dns_only = |ports: &str| {
            format!(
                "{DEPLOY}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: shop}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress: [{{to: [{{ipBlock: {{cidr: 168.63.129.16/32}}}}], ports: [{ports}]}}]\n"
            )
        };
        let f = run(
            &dns_only("{protocol: UDP, port: 53}, {protocol: TCP, port: 53}"),
            Engine::Default,
            evaluate,
        );
        assert_eq!(statuses(&f), vec![("web".into(), Status::Pass)]);
        assert!(
            f[0].message.contains("limited to TCP 53,UDP 53"),
            "{}",
            f[0].message
        );
        assert_eq!(
            statuses(&run(
                &dns_only("{protocol: UDP, port: 53}, {protocol: TCP, port: 80}"),
                Engine::Default,
                evaluate
            )),
            vec![("web".into(), Status::Fail)]
        );
    }
}
