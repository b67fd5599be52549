//! Port-forward to a pod.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A003",
    name: "pod-portforward",
    since: "0.1.0",
    aliases: &[],
    title: "Port-forward into a pod",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[RefStatic::mitre("T1090"), falco("port-forward")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Requests on the pods/portforward subresource (`create` over SPDY, `get` over WebSocket).",
        why: "Port-forward reaches a pod's ports from outside the cluster, bypassing Services, ingress and network policies: a way in for data theft or lateral movement.",
        fix: "Confirm the session was expected; grant `pods/portforward` only to a small group; on AKS use Entra ID with Azure RBAC and Conditional Access for cluster users.",
        links: &[
            "https://kubernetes.io/docs/tasks/access-application-cluster/port-forward-access-application-cluster/",
        ],
        bad: "",
        good: "",
    },
};

pub static CHECK: Check = Check {
    meta: &META,
    needs: Needs {
        read_verbs: ReadVerbs::Partly,
        ..Needs::METADATA
    },
    on_match: Status::Warn,
    eval,
    precondition: always,
};

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "pods" || v.subresource() != "portforward" || !v.is_stream_start() {
        return None;
    }
    let ports = v.uri_params("ports").join(",");
    Some(format!(
        "port-forward to {} ports [{ports}]",
        object_name(v)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_portforward() {
        assert!(fires(
            &CHECK,
            json!({"verb": "get", "stage": "ResponseStarted", "objectRef": {"subresource": "portforward"},
            "requestURI": "/api/v1/namespaces/default/pods/web/portforward?ports=5432", "responseStatus": {"code": 101}})
        ));
    }

    #[test]
    fn silent_on_other_subresources() {
        assert!(!fires(
            &CHECK,
            json!({"verb": "get", "objectRef": {"subresource": "log"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"verb": "create", "objectRef": {"resource": "services", "subresource": "proxy"}})
        ));
    }
}
