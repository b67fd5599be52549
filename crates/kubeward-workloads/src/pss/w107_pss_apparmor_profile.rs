//! `appArmorProfile` (baseline, v1.0+): no container opts out of AppArmor, through the beta
//! annotations or the `appArmorProfile` fields (GA in Kubernetes 1.30).

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};

use super::view::str_of;
use super::{Control, PodView, Violation};
use crate::Check;

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

pub static META: CheckMeta = CheckMeta {
    code: "W107",
    name: "pss-apparmor-profile",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: AppArmor is not disabled",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[RefStatic::pss("baseline/appArmorProfile")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "securityContext.appArmorProfile.type (pod and containers) is unset, RuntimeDefault or Localhost, and every `container.apparmor.security.beta.kubernetes.io/*` annotation is empty, `runtime/default` or `localhost/<profile>`.",
        why: "`Unconfined` removes the AppArmor policy that stops a compromised container from writing to /proc and /sys or mounting filesystems.",
        fix: "Remove the Unconfined profile; set `securityContext.appArmorProfile.type: RuntimeDefault` (AKS Ubuntu nodes load the runtime default profile). Replace the beta annotations with the field.",
        links: &[
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
            "https://kubernetes.io/docs/tutorials/security/apparmor/",
        ],
        bad: pod_example!(container: ["securityContext:", "  appArmorProfile: {type: Unconfined}"]),
        good: pod_example!(
            container: ["securityContext:", "  appArmorProfile: {type: RuntimeDefault}"],
        ),
    },
};

pub static CHECK: Check = Check::pod_security(Control::baseline("appArmorProfile", &META, check));

fn allowed_annotation(v: &str) -> bool {
    v.is_empty() || v == "runtime/default" || v.starts_with("localhost/")
}

fn allowed_type(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

fn check(pod: &PodView<'_>, _minor: u32) -> Option<Violation> {
    let mut parts = Vec::new();
    let mut pointers = Vec::new();
    for (key, value) in pod.annotations() {
        if key.starts_with(ANNOTATION_PREFIX) && !allowed_annotation(value) {
            parts.push(format!("{key}={value:?}"));
            pointers.push(pod.annotation_ptr(key));
        }
    }
    if let Some(t) = str_of(pod.sc("/appArmorProfile/type"))
        && !allowed_type(t)
    {
        parts.push(format!(
            "pod must not set securityContext.appArmorProfile.type to {t:?}"
        ));
        pointers.push(pod.ptr("/securityContext/appArmorProfile/type"));
    }
    for c in &pod.containers {
        if let Some(t) = str_of(c.sc("/appArmorProfile/type"))
            && !allowed_type(t)
        {
            parts.push(format!(
                "container {:?} must not set securityContext.appArmorProfile.type to {t:?}",
                c.name
            ));
            pointers.push(c.ptr("/securityContext/appArmorProfile/type"));
        }
    }
    let n = pointers.len();
    (n > 0).then(|| {
        let reason = if n == 1 {
            "forbidden AppArmor profile"
        } else {
            "forbidden AppArmor profiles"
        };
        Violation::new("appArmorProfile", reason, parts.join(", "), pointers)
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{
        allowed, allowed_with_annotations, denied, denied_with_annotations,
    };

    #[test]
    fn vectors() {
        let spec = "containers: [{name: a}]";
        allowed_with_annotations(
            "appArmorProfile",
            spec,
            "{container.apparmor.security.beta.kubernetes.io/a: localhost/foo}",
            0,
        );
        let v = denied_with_annotations(
            "appArmorProfile",
            spec,
            "{container.apparmor.security.beta.kubernetes.io/a: unconfined}",
            0,
        );
        assert_eq!(
            v.pointers,
            vec!["/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1a"]
        );
        allowed(
            "appArmorProfile",
            "securityContext: {appArmorProfile: {type: RuntimeDefault}}\ncontainers: [{name: a}]",
            35,
        );
        denied(
            "appArmorProfile",
            "containers: [{name: a, securityContext: {appArmorProfile: {type: Unconfined}}}]",
            35,
        );
    }
}
