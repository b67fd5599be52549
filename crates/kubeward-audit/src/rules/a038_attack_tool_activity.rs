//! Miner and attack-tool images, and known attack-tool user agents.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A038",
    name: "attack-tool-activity",
    since: "0.1.0",
    aliases: &[],
    title: "Crypto-miner or attack-tool image, or attack-tool client",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1496"),
        RefStatic::mitre("T1204.003"),
        ms("MS-TA9039"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Pod or workload writes whose images, commands or arguments name known crypto-miner or offensive-tool programs (xmrig, minerd, kube-hunter, peirates, kdigger…), and any request whose user agent names such a tool.",
        why: "Resource hijacking (mining) and cluster-attack frameworks have distinctive names; Defender for Containers raises 'Digital currency mining container' and 'penetration testing tool' on the same signal.",
        fix: "Delete the workload, find the identity that created it and revoke it; restrict registries with the Azure Policy built-in 'Kubernetes cluster containers should only use allowed images'.",
        links: &[
            "https://microsoft.github.io/Threat-Matrix-for-Kubernetes/techniques/Resource%20Hijacking/",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c004b-3c1e-4b7a-9d2e-8a61c0d2004b", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "miner", "image": "docker.io/xmrig/xmrig:6.21.0"}]}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c004c-3c1e-4b7a-9d2e-8a61c0d2004c", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "web", "image": "contosoacr.azurecr.io/shop/web:1.4.2"}]}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::METADATA, Status::Fail, eval);

const NAMES: &[&str] = &[
    "xmrig",
    "minerd",
    "cpuminer",
    "ethminer",
    "nbminer",
    "t-rex",
    "kube-hunter",
    "kubehunter",
    "peirates",
    "kdigger",
    "kubesploit",
    "cdk-team",
    "botb",
];

/// The tool name in the user agent's product token (`kube-hunter/0.6.8 (…)` → `kube-hunter`),
/// compared without case. Looking only at the product keeps this cheap on every event.
fn tool_in_user_agent(ua: &str) -> Option<&'static str> {
    let product = ua.split(['/', ' ']).next().unwrap_or("").as_bytes();
    // Lowercased once into a buffer (the names are lowercase): plain comparisons per window.
    let mut buf = [0u8; 64];
    if let Some(low) = buf.get_mut(..product.len()) {
        low.copy_from_slice(product);
        low.make_ascii_lowercase();
        return NAMES
            .iter()
            .copied()
            .find(|n| low.windows(n.len()).any(|w| w == n.as_bytes()));
    }
    NAMES.iter().copied().find(|n| {
        product
            .windows(n.len())
            .any(|w| w.eq_ignore_ascii_case(n.as_bytes()))
    })
}

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if !v.is_final() {
        return None;
    }
    let ua = v.user_agent();
    if let Some(n) = tool_in_user_agent(ua) {
        return Some(format!("user agent `{ua}` ({n})"));
    }
    let spec = written_pod_spec(v)?;
    let bad = offending_containers(spec, |c| {
        let mut text = str_at(c, "/image").to_ascii_lowercase();
        for key in ["command", "args"] {
            for part in c.get(key).and_then(|v| v.as_array()).into_iter().flatten() {
                text.push(' ');
                text.push_str(&part.as_str().unwrap_or("").to_ascii_lowercase());
            }
        }
        NAMES.iter().any(|n| text.contains(n))
    });
    containers_detail(v, "", &bad)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn tool_names_are_lowercase_and_found_in_any_case() {
        // tool_in_user_agent lowercases the product only.
        assert!(NAMES.iter().all(|n| *n == n.to_ascii_lowercase()));
        assert_eq!(
            tool_in_user_agent("Kube-Hunter/0.6.8 (x)"),
            Some("kube-hunter")
        );
        assert_eq!(tool_in_user_agent("kubectl/v1.31.2 (linux/amd64)"), None);
        let long = format!("{}xmrig/1", "a".repeat(80));
        assert_eq!(tool_in_user_agent(&long), Some("xmrig"));
    }

    #[test]
    fn fires_on_miner_image_and_tool_agent() {
        assert!(fires(
            &CHECK,
            deployment(
                json!({"containers": [{"name": "w", "image": "docker.io/xmrig/xmrig:6.21"}]})
            )
        ));
        assert!(fires(
            &CHECK,
            json!({"verb": "list", "userAgent": "kube-hunter/0.6"})
        ));
    }

    #[test]
    fn silent_on_ordinary_images() {
        assert!(!fires(
            &CHECK,
            deployment(
                json!({"containers": [{"name": "w", "image": "contoso.azurecr.io/shop/web:1.4.2"}]})
            )
        ));
    }
}
