//! Pods that set AppArmor through the deprecated beta annotation.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::{APPARMOR_ANNOTATION_PREFIX, Layer, annotation_evidence, effective_apparmor};
use crate::Check;
use crate::ctx::{Ctx, container_label};

pub static META: CheckMeta = CheckMeta {
    code: "W474",
    name: "apparmor-annotation-deprecated",
    since: "0.1.0",
    aliases: &[],
    title: "AppArmor is set with the securityContext field, not the deprecated annotation",
    area: Area::Workloads,
    severity: Severity::Low,
    references: &[RefStatic::pss("baseline/appArmorProfile")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Pod templates with `container.apparmor.security.beta.kubernetes.io/<container>` annotations; the note says whether the annotation decides the container's profile or a field overrides it.",
        why: "The annotation is deprecated since Kubernetes 1.30. The kubelet still falls back to it, but since 1.34 the API server no longer mirrors fields into annotations, so policies and tools that read only one of the two disagree about what runs; an annotation naming a container that does not exist is silently useless.",
        fix: "Move the setting to `securityContext.appArmorProfile` of the container (`{type: RuntimeDefault}` or `{type: Localhost, localhostProfile: NAME}`) and delete the annotation.",
        links: &["https://kubernetes.io/docs/tutorials/security/apparmor/"],
        bad: deployment_example!(
            metadata: [
                "annotations:",
                "  container.apparmor.security.beta.kubernetes.io/web: runtime/default",
            ],
        ),
        good: deployment_example!(
            container: ["securityContext:", "  appArmorProfile: {type: RuntimeDefault}"],
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
        let mut ev = Vec::new();
        for (k, v) in anns
            .iter()
            .filter(|(k, _)| k.starts_with(APPARMOR_ANNOTATION_PREFIX))
        {
            let cname = &k[APPARMOR_ANNOTATION_PREFIX.len()..];
            let note = match t.containers().find(|c| c.name == cname) {
                None => format!("no container named {cname}: the annotation does nothing"),
                Some(c) => match effective_apparmor(t, &c, &ctx.opts.nodes).layer {
                    Some(Layer::ContainerAnnotation) => format!(
                        "{}: the annotation decides its profile",
                        container_label(&c)
                    ),
                    _ => format!(
                        "{}: overridden by the container's appArmorProfile field",
                        container_label(&c)
                    ),
                },
            };
            ev.push(
                annotation_evidence(t, k, v, "securityContext.appArmorProfile").with_note(note),
            );
        }
        if ev.is_empty() {
            continue;
        }
        let mut f = Finding::new(
            &META,
            Status::Warn,
            t.object.resource(),
            "sets AppArmor through the deprecated beta annotation",
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
    fn annotation_warns_and_names_a_missing_container() {
        let yaml = deployment("d", "shop", "      containers: [{name: app, image: x}]").replace(
            "metadata: {labels: {app: d}}",
            "metadata: {labels: {app: d}, annotations: {container.apparmor.security.beta.kubernetes.io/app: runtime/default, container.apparmor.security.beta.kubernetes.io/gone: runtime/default}}",
        );
        let f = run_check(&yaml, &ScanOptions::default(), evaluate);
        assert_eq!(f[0].status, Status::Warn);
        assert_eq!(f[0].evidence.len(), 2);
        assert!(f[0].evidence.iter().any(|e| {
            e.note
                .as_deref()
                .unwrap_or("")
                .contains("no container named gone")
        }));
    }

    #[test]
    fn field_only_is_clean() {
        let yaml = deployment(
            "d",
            "shop",
            "      containers: [{name: app, image: x, securityContext: {appArmorProfile: {type: RuntimeDefault}}}]",
        );
        assert!(run_check(&yaml, &ScanOptions::default(), evaluate).is_empty());
    }
}
