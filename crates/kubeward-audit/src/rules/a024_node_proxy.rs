//! Requests proxied to the kubelet through the API server.

use kubeward_core::{CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = meta(
    "A024",
    "node-proxy",
    "Kubelet API reached through nodes/proxy",
    Severity::High,
    &[
        RefStatic::mitre("T1613"),
        RefStatic::mitre("T1609"),
        ms("MS-TA9030"),
    ],
    CheckDoc {
        bad: "",
        good: "",
        what: "Requests on the nodes/proxy subresource by anyone but the platform (metrics collectors in kube-system are allowlisted).",
        why: "nodes/proxy reaches the kubelet API: it lists every pod on the node and, with create, runs commands in any of them (/exec, /run) without a pods/exec audit event.",
        fix: "Remove `nodes/proxy` from every role that does not strictly need it (monitoring agents usually need only nodes/metrics); look for the commands sent to /run or /exec on the node.",
        links: &["https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"],
    },
);

pub static RULE: Rule = Rule {
    meta: &META,
    // Most of this activity is `get` (kubelet API reads, probing), which admin-only sources drop.
    needs: Needs {
        read_verbs: ReadVerbs::Partly,
        ..Needs::METADATA
    },
    on_match: Status::Fail,
    eval,
    precondition: always,
};

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "nodes"
        || v.subresource() != "proxy"
        || !v.is_final()
        || is_platform_identity(v.username())
    {
        return None;
    }
    let path = v.uri().split('?').next().unwrap_or("");
    Some(format!(
        "{} {path}{}",
        v.verb(),
        if v.succeeded() { "" } else { " (refused)" }
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_node_proxy() {
        assert!(fires(
            &RULE,
            json!({"verb": "create", "requestURI": "/api/v1/nodes/aks-np-1/proxy/run/default/web/app?cmd=id",
            "objectRef": {"resource": "nodes", "subresource": "proxy", "namespace": null, "name": "aks-np-1"}})
        ));
    }

    #[test]
    fn silent_on_node_reads_and_metrics_agents() {
        assert!(!fires(
            &RULE,
            json!({"verb": "get", "objectRef": {"resource": "nodes", "name": "aks-np-1"}})
        ));
        assert!(!fires(
            &RULE,
            json!({"user": {"username": "system:serviceaccount:kube-system:ama-metrics"}, "objectRef": {"resource": "nodes", "subresource": "proxy"}})
        ));
    }
}
