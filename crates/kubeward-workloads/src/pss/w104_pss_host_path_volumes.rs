//! `hostPathVolumes` (baseline, v1.0+): no hostPath volumes. At restricted, `restrictedVolumes`
//! replaces it.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation, plural, quoted};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W104",
    name: "pss-host-path-volumes",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: no hostPath volumes",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[RefStatic::pss("baseline/hostPathVolumes")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "No entry of spec.volumes has a hostPath source.",
        why: "A hostPath volume exposes the node's filesystem: the container runtime socket, kubelet credentials under /var/lib/kubelet, or /etc — writable ones are a direct node takeover.",
        fix: "Replace hostPath with emptyDir, a ConfigMap/Secret, or a PersistentVolumeClaim (Azure Disk/Files CSI on AKS). Node agents that need host files go in a namespace labelled `pod-security.kubernetes.io/enforce=privileged`.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: pod_example!(
            container: ["volumeMounts: [{name: sock, mountPath: /run/containerd/containerd.sock}]"],
            after: [
                "volumes:",
                "- name: sock",
                "  hostPath: {path: /run/containerd/containerd.sock}",
            ],
        ),
        good: pod_example!(
            container: ["volumeMounts: [{name: cache, mountPath: /cache}]"],
            after: ["volumes:", "- name: cache", "  emptyDir: {}"],
        ),
    },
};

pub static CHECK: Check = Check::pod_security(Control::baseline("hostPathVolumes", &META, check));

fn check(pod: &PodView<'_>, _minor: u32) -> Option<Violation> {
    let mut names = Vec::new();
    let mut pointers = Vec::new();
    for (i, vol) in pod.volumes() {
        if vol.get("hostPath").is_some_and(|h| !h.is_null()) {
            names.push(vol.get("name").and_then(Value::as_str).unwrap_or(""));
            pointers.push(pod.ptr(&format!("/volumes/{i}/hostPath")));
        }
    }
    (!names.is_empty()).then(|| {
        Violation::new(
            "hostPathVolumes",
            "hostPath volumes",
            format!(
                "{} {}",
                plural(names.len(), "volume", "volumes"),
                quoted(&names)
            ),
            pointers,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied};

    #[test]
    fn vectors() {
        allowed(
            "hostPathVolumes",
            "containers: [{name: a}]\nvolumes: [{name: v, emptyDir: {}}]",
            35,
        );
        let v = denied(
            "hostPathVolumes",
            "containers: [{name: a}]\nvolumes: [{name: x, emptyDir: {}}, {name: v, hostPath: {path: /var/run}}]",
            0,
        );
        assert_eq!(v.pointers, vec!["/spec/volumes/1/hostPath"]);
        assert_eq!(v.detail, "volume \"v\"");
    }
}
