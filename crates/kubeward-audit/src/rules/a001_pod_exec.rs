//! Exec or attach into a container, in both forms: `create` (SPDY) and `get` (WebSocket,
//! kubectl 1.30 and later).

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A001",
    name: "pod-exec",
    since: "0.1.0",
    aliases: &[],
    title: "Exec or attach into a running container",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1609"),
        ms("MS-TA9006"),
        falco("Attach/Exec Pod"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Requests on the pods/exec and pods/attach subresources, whether sent as `create` (SPDY) or as `get` (WebSocket, used by kubectl 1.30 and later). Platform identities are not allowlisted: AKS does not exec into user pods.",
        why: "Exec gives a shell with the container's identity, files and network: the usual first step after stealing credentials. The command line appears in the request URI even at Metadata level.",
        fix: "Confirm each session was expected. Limit `pods/exec` and `pods/attach` to a break-glass group (Role rules on those subresources), use Microsoft Entra ID with Azure RBAC for AKS (`az aks update --enable-azure-rbac`), and prefer `kubectl debug` with audited node access over exec in production.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0001-3c1e-4b7a-9d2e-8a61c0d20001", "stage": "ResponseStarted", "requestURI": "/api/v1/namespaces/shop/pods/web/exec?command=sh&container=web&stdin=true&stdout=true&tty=true", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "name": "web", "apiVersion": "v1", "subresource": "exec"}, "responseStatus": {"metadata": {}, "code": 101}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0002-3c1e-4b7a-9d2e-8a61c0d20002", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods/web/log?container=web", "verb": "get", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "name": "web", "apiVersion": "v1", "subresource": "log"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::PARTLY_READS, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "pods"
        || !matches!(v.subresource(), "exec" | "attach")
        || !matches!(v.verb(), "create" | "get")
        || !v.is_stream_start()
    {
        return None;
    }
    let cmd = v.uri_params("command").join(" ");
    let container = v.uri_params("container").join(",");
    let mut d = format!("{} into {}", v.subresource(), object_name(v));
    if !container.is_empty() {
        d.push_str(&format!(" container {container}"));
    }
    if !cmd.is_empty() {
        d.push_str(&format!(": {cmd}"));
    }
    push_refusal(&mut d, v);
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn exec(verb: &str, stage: &str, code: i64) -> serde_json::Value {
        json!({"verb": verb, "stage": stage, "requestURI": "/api/v1/namespaces/default/pods/web/exec?command=sh&container=app&stdin=true&tty=true",
               "objectRef": {"subresource": "exec"}, "responseStatus": {"code": code}})
    }

    #[test]
    fn fires_on_websocket_get_and_spdy_create() {
        let d = fires_with(
            &CHECK,
            &Config::default(),
            exec("get", "ResponseStarted", 101),
        )
        .unwrap();
        assert!(d.contains("container app: sh"), "{d}");
        assert!(fires(&CHECK, exec("create", "ResponseStarted", 101)));
        assert!(fires(&CHECK, exec("create", "ResponseComplete", 403)));
    }

    #[test]
    fn silent_on_other_stages_and_plain_pod_reads() {
        // The completion of a started stream repeats it.
        assert!(!fires(&CHECK, exec("get", "ResponseComplete", 101)));
        assert!(!fires(&CHECK, exec("get", "RequestReceived", 101)));
        assert!(!fires(&CHECK, json!({"verb": "get"})));
        assert!(!fires(
            &CHECK,
            json!({"verb": "get", "objectRef": {"subresource": "log"}})
        ));
    }
}
