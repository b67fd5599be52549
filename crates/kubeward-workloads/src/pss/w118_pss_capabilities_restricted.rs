//! `capabilities_restricted` (restricted, v1.22+; Windows pods exempt from v1.25): every
//! container drops ALL and adds at most NET_BIND_SERVICE. Replaces `capabilities_baseline` at
//! restricted.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation, containers_phrase, quoted};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W118",
    name: "pss-capabilities-restricted",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security (restricted): drop ALL capabilities",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("restricted/capabilities")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "securityContext.capabilities.drop contains \"ALL\" (exactly; \"all\" does not count) and capabilities.add holds nothing but NET_BIND_SERVICE, on every container (policy v1.22+; Windows pods exempt from v1.25).",
        why: "The runtime's default capabilities (NET_RAW, CHOWN, DAC_OVERRIDE, …) are enough for ARP spoofing inside the node network and for several escape chains; restricted workloads need none of them.",
        fix: "Add `securityContext.capabilities.drop: [\"ALL\"]` to every container; add back only `NET_BIND_SERVICE` if the process binds a port below 1024.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
        bad: pod_example!(container: ["securityContext:", "  capabilities: {add: [NET_RAW]}"]),
        good: pod_example!(
            container: [
                "securityContext:",
                "  capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}",
            ],
        ),
    },
};

pub static CHECK: Check = Check::pod_security(
    Control::restricted("capabilities_restricted", &META, check)
        .since(22)
        .replacing(&[("capabilities_baseline", 22)]),
);

fn check(pod: &PodView<'_>, minor: u32) -> Option<Violation> {
    if minor >= 25 && pod.is_windows() {
        return None;
    }
    let mut no_drop = Vec::new();
    let mut adds = Vec::new();
    let mut pointers = Vec::new();
    for c in &pod.containers {
        let drops_all = c
            .sc("/capabilities/drop")
            .and_then(Value::as_array)
            .is_some_and(|d| d.iter().any(|x| x.as_str() == Some("ALL")));
        if !drops_all {
            no_drop.push(c.name);
            pointers.push(c.ptr("/securityContext/capabilities/drop"));
        }
        let mut bad = Vec::new();
        for (i, cap) in c
            .sc("/capabilities/add")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = cap.as_str().unwrap_or("");
            if name != "NET_BIND_SERVICE" {
                bad.push(name);
                pointers.push(c.ptr(&format!("/securityContext/capabilities/add/{i}")));
            }
        }
        if !bad.is_empty() {
            adds.push(format!(
                "container {:?} must not include {} in securityContext.capabilities.add",
                c.name,
                quoted(&bad)
            ));
        }
    }
    let mut parts = Vec::new();
    if !no_drop.is_empty() {
        parts.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&no_drop)
        ));
    }
    parts.extend(adds);
    (!parts.is_empty()).then(|| {
        Violation::new(
            "capabilities_restricted",
            "unrestricted capabilities",
            parts.join("; "),
            pointers,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied, run};

    #[test]
    fn vectors() {
        allowed(
            "capabilities_restricted",
            "containers: [{name: a, securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}}]",
            22,
        );
        assert!(
            run(
                "capabilities_restricted",
                "containers: [{name: a, securityContext: {capabilities: {drop: [all]}}}]",
                22
            )
            .is_some(),
            "ALL is case-sensitive"
        );
        let v = denied(
            "capabilities_restricted",
            "containers: [{name: a, securityContext: {capabilities: {drop: [ALL], add: [CHOWN]}}}]",
            22,
        );
        assert_eq!(
            v.pointers,
            vec!["/spec/containers/0/securityContext/capabilities/add/0"]
        );
    }
}
