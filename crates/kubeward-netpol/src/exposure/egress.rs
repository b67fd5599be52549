//! Shared egress evaluation for the P107–P109 checks.

use kubeward_core::{CheckMeta, Evidence, Finding, Resource, Source, Status};

use super::Ctx;
use crate::conn::ConnSet;
use crate::engine::{Analysis, Direction, Endpoint};

/// Connections a workload may open to one IPv4 address.
pub fn to_ip(a: &Analysis, workload: usize, ip: [u8; 4]) -> ConnSet {
    let v = u32::from_be_bytes(ip) as u128;
    a.direction_allows(
        Direction::Egress,
        a.class_of[workload],
        Endpoint::Ip(v, v),
        None,
    )
}

/// P108/P109: per workload, whether its egress reaches one Azure platform address on more than
/// `tolerated` (DNS for the WireServer address, which is also Azure's resolver).
pub(crate) fn address_findings(
    ctx: &Ctx,
    meta: &'static CheckMeta,
    ip: [u8; 4],
    tolerated: &ConnSet,
) -> Vec<Finding> {
    let a = ctx.analysis;
    let address = std::net::Ipv4Addr::from(ip);
    let mut out = Vec::new();
    for (wi, w) in a.model.workloads.iter().enumerate() {
        let conns = to_ip(a, wi, ip);
        let res = Resource::namespaced(w.kind.clone(), w.namespace.clone(), w.name.clone());
        let src = ctx
            .inv
            .objects
            .get(w.object)
            .map_or_else(|| Source::origin("inputs"), |o| o.source("/metadata/name"));
        let f = if conns.is_empty() {
            Finding::new(
                meta,
                Status::Pass,
                res,
                format!("egress to {address} is denied"),
            )
        } else if conns.is_subset_of(tolerated) {
            Finding::new(
                meta,
                Status::Pass,
                res,
                format!("egress to {address} limited to {conns}"),
            )
        } else {
            Finding::new(
                meta,
                Status::Fail,
                res,
                format!("egress to {address} allowed: {conns}"),
            )
        };
        let mut ev = Evidence::observed(conns.render(), src).with_expected("No Connections");
        if w.host_network {
            ev = ev.with_note("hostNetwork pod: NetworkPolicy engines do not restrict it; it reaches the endpoint as the node does");
        }
        out.push(f.with_evidence(ev));
    }
    out
}

/// Address ranges that are not on the internet (RFC 1918, CGNAT, loopback, link-local,
/// multicast and reserved), and Azure's platform address 168.63.129.16, which the host answers:
/// a rule for 0.0.0.0/0 that excepts it still opens the whole internet.
pub const NON_PUBLIC: &[(u32, u32)] = &[
    (0x0000_0000, 0x00FF_FFFF),
    (0x0A00_0000, 0x0AFF_FFFF),
    (0x6440_0000, 0x647F_FFFF),
    (0x7F00_0000, 0x7FFF_FFFF),
    (0xA83F_8110, 0xA83F_8110),
    (0xA9FE_0000, 0xA9FE_FFFF),
    (0xAC10_0000, 0xAC1F_FFFF),
    (0xC0A8_0000, 0xC0A8_FFFF),
    (0xE000_0000, 0xFFFF_FFFF),
];

/// Public address ranges a workload can reach on some port, and whether that is all of them.
pub fn internet(a: &Analysis, workload: usize) -> (Vec<(u128, u128)>, bool) {
    let (_, mut cuts) = a.ip_boundaries();
    for &(lo, hi) in NON_PUBLIC {
        cuts.insert(lo as u128);
        if hi < u32::MAX {
            cuts.insert(hi as u128 + 1);
        }
    }
    let mut reached = Vec::new();
    let mut all = true;
    for (lo, hi) in crate::engine::ipv4_atoms(&cuts) {
        let public = !NON_PUBLIC
            .iter()
            .any(|&(a, b)| lo >= a as u128 && hi <= b as u128);
        if !public {
            continue;
        }
        let c = a.direction_allows(
            Direction::Egress,
            a.class_of[workload],
            Endpoint::Ip(lo, hi),
            None,
        );
        if c.is_empty() {
            all = false;
        } else {
            reached.push((lo, hi));
        }
    }
    let all = all && !reached.is_empty();
    (reached, all)
}
