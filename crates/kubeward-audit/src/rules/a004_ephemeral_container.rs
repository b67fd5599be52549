//! Ephemeral (debug) containers added to running pods.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A004",
    name: "ephemeral-container",
    since: "0.1.0",
    aliases: &[],
    title: "Ephemeral container added to a running pod",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1609"),
        RefStatic::mitre("T1610"),
        falco("EphemeralContainers Created"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful update or patch of the pods/ephemeralcontainers subresource (what `kubectl debug` does), with the image added when the body is logged.",
        why: "An ephemeral container runs any image inside a running pod's namespaces, sharing its process space and volumes: exec with a tool kit of the user's choice.",
        fix: "Restrict `pods/ephemeralcontainers` in RBAC to a break-glass group; enforce Pod Security `restricted` or an Azure Policy for AKS so debug containers cannot be privileged.",
        links: &["https://kubernetes.io/docs/concepts/workloads/pods/ephemeral-containers/"],
        bad: "",
        good: "",
    },
};

pub static CHECK: Check = Check {
    meta: &META,
    needs: Needs::METADATA,
    on_match: Status::Warn,
    eval,
    precondition: always,
};

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "pods"
        || v.subresource() != "ephemeralcontainers"
        || !v.is_modify()
        || !v.is_final()
        || !v.succeeded()
    {
        return None;
    }
    let images: Vec<&str> = v
        .object()
        .and_then(|o| o.pointer("/spec/ephemeralContainers"))
        .and_then(|c| c.as_array())
        .into_iter()
        .flatten()
        .map(|c| str_at(c, "/image"))
        .filter(|i| !i.is_empty())
        .collect();
    let mut d = format!("ephemeral container added to {}", object_name(v));
    if !images.is_empty() {
        d.push_str(&format!(" (images {})", images.join(", ")));
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_debug_patch() {
        let d = fires_with(&CHECK, &Config::default(), json!({"verb": "patch", "objectRef": {"subresource": "ephemeralcontainers"},
            "responseStatus": {"code": 200},
            "responseObject": {"kind": "Pod", "spec": {"containers": [{"name": "app", "image": "nginx"}],
                "ephemeralContainers": [{"name": "debugger-x", "image": "busybox:1.36"}]}}})).unwrap();
        assert!(d.contains("busybox:1.36"), "{d}");
    }

    #[test]
    fn silent_on_refused_or_plain_pods() {
        assert!(!fires(
            &CHECK,
            json!({"verb": "patch", "objectRef": {"subresource": "ephemeralcontainers"}, "responseStatus": {"code": 403}})
        ));
        assert!(!fires(&CHECK, json!({"verb": "patch"})));
    }
}
