//! `restrictedVolumes` (restricted, v1.0+): only volume types that cannot reach the node or
//! remote storage outside Kubernetes' control. Replaces `hostPathVolumes` at restricted.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation};
use crate::Check;

/// Sources a restricted pod may use.
const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

pub static META: CheckMeta = CheckMeta {
    code: "W113",
    name: "pss-restricted-volumes",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security (restricted): only core volume types",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("restricted/volumeTypes")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Every spec.volumes entry uses configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret. A volume that names no source is defaulted to emptyDir by the API server.",
        why: "Other sources (hostPath, nfs, azureDisk, azureFile, iscsi, …) mount node paths or remote storage directly, bypassing PersistentVolume access control.",
        fix: "Use a PersistentVolumeClaim backed by the Azure Disk or Azure Files CSI driver instead of in-line azureDisk/azureFile/nfs volumes; replace hostPath with emptyDir or a ConfigMap/Secret.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
        bad: pod_example!(
            container: ["volumeMounts: [{name: data, mountPath: /data}]"],
            after: [
                "volumes:",
                "- name: data",
                "  azureFile: {secretName: storage-key, shareName: data}",
            ],
        ),
        good: pod_example!(
            container: ["volumeMounts: [{name: data, mountPath: /data}]"],
            after: ["volumes:", "- name: data", "  persistentVolumeClaim: {claimName: data}"],
        ),
    },
};

pub static CHECK: Check = Check::pod_security(
    Control::restricted("restrictedVolumes", &META, check).replacing(&[("hostPathVolumes", 0)]),
);

fn check(pod: &PodView<'_>, _minor: u32) -> Option<Violation> {
    let mut parts = Vec::new();
    let mut pointers = Vec::new();
    for (i, vol) in pod.volumes() {
        let Some(map) = vol.as_object() else { continue };
        let name = vol.get("name").and_then(Value::as_str).unwrap_or("");
        let sources: Vec<&str> = map
            .iter()
            .filter(|(k, v)| k.as_str() != "name" && !v.is_null())
            .map(|(k, _)| k.as_str())
            .collect();
        for s in sources {
            if !ALLOWED.contains(&s) {
                parts.push(format!("volume {name:?} uses restricted volume type {s:?}"));
                pointers.push(pod.ptr(&format!("/volumes/{i}/{s}")));
            }
        }
    }
    (!parts.is_empty()).then(|| {
        Violation::new(
            "restrictedVolumes",
            "restricted volume types",
            parts.join(", "),
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
            "restrictedVolumes",
            "containers: [{name: a}]\nvolumes: [{name: a, emptyDir: {}}, {name: b, projected: {sources: []}}, {name: c}]",
            35,
        );
        let v = denied(
            "restrictedVolumes",
            "containers: [{name: a}]\nvolumes: [{name: a, secret: {secretName: s}}, {name: b, azureFile: {secretName: s, shareName: x}}]",
            0,
        );
        assert_eq!(v.pointers, vec!["/spec/volumes/1/azureFile"]);
        denied(
            "restrictedVolumes",
            "containers: [{name: a}]\nvolumes: [{name: h, hostPath: {path: /}}]",
            0,
        );
    }
}
