//! `kubectl cp`: an exec that runs tar to copy files out of (or into) a container.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A068",
    name: "exec-tar-copy",
    since: "0.1.0",
    aliases: &[],
    title: "Files copied out of or into a container (kubectl cp)",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1609"),
        RefStatic::mitre("T1005"),
        RefStatic::mitre("T1105"),
        ms("MS-TA9006"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "A pods/exec request whose command is `tar` (as the first `command` parameter of the request URI, with or without a path), which is how `kubectl cp` works: `tar cf - PATH` streams files out of the container, `tar xf -` (with `m`, `--no-same-owner`…) unpacks files sent into it. The direction is given in the detail. Judged like A001 (pod-exec), which also reports the exec: once per request, at its start, whatever the stage fields the export kept.",
        why: "Copying out is a way to take data, credentials and source from a container without leaving a trace in the application's own logs (possible exfiltration); copying in drops tools or binaries into a running container.",
        fix: "Confirm the copy was expected and what was copied (the path is in the command). Restrict `create` and `get` on `pods/exec` to a break-glass group; for routine data transfers use volumes or object storage with their own access logs.",
        links: &[
            "https://kubernetes.io/docs/reference/kubectl/generated/kubectl_cp/",
            "https://attack.mitre.org/techniques/T1609/",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0099-3c1e-4b7a-9d2e-8a61c0d20099", "stage": "ResponseStarted", "requestURI": "/api/v1/namespaces/shop/pods/web/exec?command=tar&command=cf&command=-&command=/var/run/secrets&container=web&stdin=true&stdout=true&tty=true", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "name": "web", "apiVersion": "v1", "subresource": "exec"}, "responseStatus": {"metadata": {}, "code": 101}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c009a-3c1e-4b7a-9d2e-8a61c0d2009a", "stage": "ResponseStarted", "requestURI": "/api/v1/namespaces/shop/pods/web/exec?command=ls&command=/app&container=web&stdin=true&stdout=true&tty=true", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "name": "web", "apiVersion": "v1", "subresource": "exec"}, "responseStatus": {"metadata": {}, "code": 101}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::PARTLY_READS, Status::Warn, eval);

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "pods" || v.subresource() != "exec" || !v.is_stream_start() {
        return None;
    }
    let cmd = v.uri_params("command");
    let program = cmd.first()?.rsplit('/').next().unwrap_or("");
    if program != "tar" {
        return None;
    }
    // The first argument that is not a `--long` option (`cf`, `-xmf`) says the direction, as
    // do `--create` and `--extract`.
    let out = cmd[1..]
        .iter()
        .find_map(|a| match a.as_str() {
            "--create" => Some(true),
            "--extract" | "--get" => Some(false),
            long if long.starts_with("--") => None,
            short => Some(short.contains('c') && !short.contains('x')),
        })
        .unwrap_or(false);
    let direction = if out {
        "copy out of the container"
    } else {
        "copy into the container"
    };
    let mut d = format!("{direction} {}: `{}`", object_name(v), cmd.join(" "));
    push_refusal(&mut d, v);
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn exec(cmd: &str) -> serde_json::Value {
        json!({"verb": "get", "stage": "ResponseStarted", "objectRef": {"subresource": "exec"},
               "requestURI": format!("/api/v1/namespaces/default/pods/web/exec?{cmd}&container=app&stderr=true&stdout=true"),
               "responseStatus": {"code": 101}})
    }

    #[test]
    fn item8_fires_on_kubectl_cp_both_ways() {
        let d = fires_with(
            &CHECK,
            &Config::default(),
            exec("command=tar&command=cf&command=-&command=%2Fapp%2Fconfig"),
        )
        .unwrap();
        assert!(d.starts_with("copy out of the container"), "{d}");
        let d = fires_with(&CHECK, &Config::default(), exec("command=tar&command=--no-same-permissions&command=--no-same-owner&command=-xmf&command=-&command=-C&command=%2Ftmp")).unwrap();
        assert!(d.starts_with("copy into the container"), "{d}");
        assert!(fires(
            &CHECK,
            exec("command=%2Fbin%2Ftar&command=cf&command=-&command=%2Fetc")
        ));
        let d = fires_with(
            &CHECK,
            &Config::default(),
            exec("command=tar&command=xmf&command=-&command=-C&command=%2Fetc"),
        )
        .unwrap();
        assert!(d.starts_with("copy into"), "{d}");
        // A stage-less export (item 1) and a refused copy.
        let mut stageless = exec("command=tar&command=cf&command=-&command=%2Fdata");
        stageless["stage"] = serde_json::Value::Null;
        assert!(fires(&CHECK, stageless));
        let mut refused = exec("command=tar&command=cf&command=-&command=%2Fdata");
        refused["stage"] = json!("ResponseComplete");
        refused["responseStatus"] = json!({"code": 403});
        assert!(fires(&CHECK, refused));
    }

    #[test]
    fn item8_silent_on_other_commands_and_repeated_stages() {
        assert!(!fires(
            &CHECK,
            exec("command=sh&command=-c&command=tar+cf+-+%2Fapp")
        ));
        assert!(!fires(&CHECK, exec("command=ls&command=%2Fapp")));
        assert!(!fires(&CHECK, exec("command=startar")));
        let mut done = exec("command=tar&command=cf&command=-&command=%2Fapp");
        done["stage"] = json!("ResponseComplete");
        assert!(!fires(&CHECK, done));
        assert!(!fires(&CHECK, json!({"verb": "get"})));
    }
}
