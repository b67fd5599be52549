//! Shared egress evaluation for the P107–P109 checks.

use std::collections::BTreeMap;

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
    // Workloads of one class (selected by the same policies) reach the same addresses.
    let mut by_class: std::collections::HashMap<usize, ConnSet> = Default::default();
    for (wi, w) in a.model.workloads.iter().enumerate() {
        let conns = by_class
            .entry(a.class_of[wi])
            .or_insert_with(|| to_ip(a, wi, ip))
            .clone();
        let res = Resource::namespaced(w.kind.clone(), w.namespace.clone(), w.name.clone());
        let src = workload_source(ctx, wi);
        let (status, message) = if conns.is_empty() {
            (Status::Pass, format!("egress to {address} is denied"))
        } else if conns.is_subset_of(tolerated) {
            (
                Status::Pass,
                format!("egress to {address} limited to {conns}"),
            )
        } else {
            (
                Status::Fail,
                format!("egress to {address} allowed: {conns}"),
            )
        };
        let mut ev = Evidence::observed(conns.render(), src).with_expected("No Connections");
        if w.host_network {
            ev = ev.with_note("hostNetwork pod: NetworkPolicy engines do not restrict it; it reaches the endpoint as the node does");
        }
        let f = Finding::new(meta, status, res, message).with_evidence(ev);
        out.push((foldable(ctx, wi, status).then_some(wi), f));
    }
    fold_unrestricted(ctx, meta, out, &format!("may connect to {address}"))
}

/// Where a workload is written (its `metadata.name`).
pub(crate) fn workload_source(ctx: &Ctx, workload: usize) -> Source {
    ctx.analysis
        .model
        .workloads
        .get(workload)
        .and_then(|w| ctx.inv.objects.get(w.object))
        .map_or_else(|| Source::origin("inputs"), |o| o.source("/metadata/name"))
}

/// A FAIL whose only cause is that no NetworkPolicy selects the workload for egress (and that a
/// policy could fix: not a hostNetwork pod).
pub(crate) fn foldable(ctx: &Ctx, workload: usize, status: Status) -> bool {
    let a = ctx.analysis;
    status == Status::Fail
        && !a.model.workloads[workload].host_network
        && !a.isolated(a.class_of[workload], Direction::Egress)
}

/// Workloads named in a namespace-wide egress finding (with file and line each).
pub const FOLD_EXAMPLES: usize = 20;

/// Workloads that no NetworkPolicy selects for egress share one cause and one fix — a
/// default-deny egress policy in their namespace — so where a namespace has several, their FAILs
/// become one finding about the namespace that names them (the first [`FOLD_EXAMPLES`] with file
/// and line), in place of one finding per workload: on a cluster without egress policies that is
/// the difference between one line per namespace and three per workload. Findings marked `None`
/// (and single workloads) pass through unchanged, in order.
pub(crate) fn fold_unrestricted(
    ctx: &Ctx,
    meta: &'static CheckMeta,
    findings: Vec<(Option<usize>, Finding)>,
    what: &str,
) -> Vec<Finding> {
    let workloads = &ctx.analysis.model.workloads;
    let mut by_namespace: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (wi, _) in &findings {
        if let Some(wi) = *wi {
            by_namespace
                .entry(workloads[wi].namespace.as_str())
                .or_default()
                .push(wi);
        }
    }
    let mut out = Vec::with_capacity(findings.len());
    for (wi, f) in findings {
        let Some(wi) = wi else {
            out.push(f);
            continue;
        };
        let ns = workloads[wi].namespace.as_str();
        match by_namespace.get(ns) {
            Some(group) if group.len() > 1 => {
                // The namespace finding takes the place of its first workload's.
                if group[0] == wi {
                    out.push(namespace_finding(ctx, meta, ns, group, what));
                }
            }
            _ => out.push(f),
        }
    }
    out
}

fn namespace_finding(
    ctx: &Ctx,
    meta: &'static CheckMeta,
    ns: &str,
    group: &[usize],
    what: &str,
) -> Finding {
    let workloads = &ctx.analysis.model.workloads;
    let mut f = Finding::new(
        meta,
        Status::Fail,
        Resource::new("Namespace", ns),
        format!(
            "{} workloads of namespace {ns} are selected by no egress NetworkPolicy and {what}",
            group.len()
        ),
    );
    f.evidence.reserve_exact(group.len().min(FOLD_EXAMPLES) + 1);
    for &wi in group.iter().take(FOLD_EXAMPLES) {
        let w = &workloads[wi];
        f.evidence.push(
            Evidence::observed(format!("{} {}", w.kind, w.name), workload_source(ctx, wi))
                .with_expected("selected by a NetworkPolicy with policyTypes: [Egress]"),
        );
    }
    if group.len() > FOLD_EXAMPLES {
        f.evidence.push(Evidence {
            observed: Some(format!("{} more workloads", group.len() - FOLD_EXAMPLES).into()),
            source: Source::origin("inputs"),
            note: Some(
                "`kubeward netpol exposure PATH` lists every workload and destination".into(),
            ),
            ..Default::default()
        });
    }
    f
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
