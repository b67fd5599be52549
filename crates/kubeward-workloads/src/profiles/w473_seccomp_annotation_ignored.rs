//! Pods that rely on the removed seccomp annotations.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};

use super::{SECCOMP_CONTAINER_ANNOTATION_PREFIX, SECCOMP_POD_ANNOTATION, annotation_evidence};
use crate::Check;
use crate::ctx::Ctx;

pub static META: CheckMeta = CheckMeta {
    code: "W473",
    name: "seccomp-annotation-ignored",
    since: "0.1.0",
    aliases: &[],
    title: "No pod relies on the removed seccomp annotations",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("baseline/seccompProfile")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Pod templates carrying `seccomp.security.alpha.kubernetes.io/pod` or `container.seccomp.security.alpha.kubernetes.io/<container>` annotations.",
        why: "The kubelet stopped reading these annotations in Kubernetes 1.25 and the API server stopped turning them into fields in 1.27; every supported AKS version is newer. A pod that asks for `runtime/default` this way actually runs Unconfined (unless the node's seccompDefault is on), while reviewers believe it is confined.",
        fix: "Replace the annotation with the field: `spec.securityContext.seccompProfile: {type: RuntimeDefault}` (or `{type: Localhost, localhostProfile: PATH}` for `localhost/PATH`), per container if the annotation was per container, and delete the annotation.",
        links: &["https://kubernetes.io/docs/tutorials/security/seccomp/"],
        bad: deployment_example!(
            metadata: [
                "annotations:",
                "  seccomp.security.alpha.kubernetes.io/pod: runtime/default",
            ],
        ),
        good: deployment_example!(
            spec: ["securityContext:", "  seccompProfile: {type: RuntimeDefault}"],
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in ctx.workloads() {
        let Some(anns) = t.metadata.get("annotations").and_then(|a| a.as_object()) else {
            continue;
        };
        let ev: Vec<Evidence> = anns
            .iter()
            .filter(|(k, _)| {
                k.as_str() == SECCOMP_POD_ANNOTATION
                    || k.starts_with(SECCOMP_CONTAINER_ANNOTATION_PREFIX)
            })
            .map(|(k, v)| {
                annotation_evidence(t, k, v, "securityContext.seccompProfile")
                    .with_note("ignored since Kubernetes 1.25 (kubelet) / 1.27 (API server)")
            })
            .collect();
        if ev.is_empty() {
            continue;
        }
        let mut f = Finding::new(
            &META,
            Status::Warn,
            t.object.resource(),
            "sets seccomp through annotations that no longer have any effect",
        );
        f.evidence = ev;
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};

    #[test]
    fn annotation_warns_and_field_does_not() {
        let yaml = deployment("d", "shop", "      containers: [{name: app, image: x}]")
            .replace("metadata: {labels: {app: d}}", "metadata: {labels: {app: d}, annotations: {seccomp.security.alpha.kubernetes.io/pod: runtime/default}}");
        let f = run_check(&yaml, &ScanOptions::default(), evaluate);
        assert_eq!(f[0].status, Status::Warn);
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/spec/template/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod")
        );
        let clean = deployment(
            "d",
            "shop",
            "      securityContext: {seccompProfile: {type: RuntimeDefault}}\n      containers: [{name: app, image: x}]",
        );
        assert!(run_check(&clean, &ScanOptions::default(), evaluate).is_empty());
    }
}
