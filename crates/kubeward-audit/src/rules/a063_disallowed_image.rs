//! Pods running images outside an allowed list.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A063",
    name: "disallowed-image",
    since: "0.1.0",
    aliases: &[],
    title: "Pod or workload with an image outside the allowed list",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1610"),
        RefStatic::mitre("T1525"),
        ms("MS-TA9002"),
        falco("Create Disallowed Pod"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Pod or workload create/update/patch by anyone but the platform with a container (regular, init or ephemeral) whose image matches none of the allowed images given in the audit configuration (exact references, or prefixes ending in `*` such as `myregistry.azurecr.io/*`). AKS's own images (mcr.microsoft.com/oss/…, /aks/…) are always allowed. Off (NOT_APPLICABLE) when no list is given, as Falco's rule is off by default.",
        why: "Images from unknown registries are how compromised or malicious code enters a cluster; a registry allowlist makes every exception visible.",
        fix: "Redeploy from an approved registry, or add the image to the list. Enforce the list on AKS with the Azure Policy built-in 'Kubernetes cluster containers should only use allowed images' (`az aks enable-addons --addons azure-policy`) and attach only your ACR (`az aks update --attach-acr`).",
        links: &["https://learn.microsoft.com/azure/aks/use-azure-policy"],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c007d-3c1e-4b7a-9d2e-8a61c0d2007d", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "web", "image": "docker.io/library/nginx:1.27"}]}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c007e-3c1e-4b7a-9d2e-8a61c0d2007e", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/pods", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "pods", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "web", "image": "contosoacr.azurecr.io/shop/web:1.4.2"}]}}}"#,
    },
};

pub static CHECK: Check =
    Check::new(&META, Needs::pod_specs(), Status::Warn, eval).with_precondition(precondition);

fn precondition(cfg: &Config) -> Option<&'static str> {
    cfg.allowed_images
        .is_none()
        .then_some("no allowed-image list was given in the audit configuration")
}

fn image_allowed(image: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => image.starts_with(prefix),
        None => image == p,
    })
}

fn eval(v: &EventView, cfg: &Config) -> Option<String> {
    let allowed = cfg.allowed_images.as_deref()?;
    let spec = written_pod_spec(v)?;
    let bad = offending_containers(spec, |c| !image_allowed(str_at(c, "/image"), allowed));
    containers_detail(v, "", &bad)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn cfg() -> Config {
        Config {
            allowed_images: Some(vec!["contoso.azurecr.io/*".into(), "nginx:1.27".into()]),
            ..Default::default()
        }
    }

    #[test]
    fn fires_on_an_image_outside_the_list() {
        let d = fires_with(
            &CHECK,
            &cfg(),
            pod(json!({"containers": [
                {"name": "app", "image": "contoso.azurecr.io/shop/cart:1.2"},
                {"name": "side", "image": "docker.io/evil/tool:latest"}]})),
        )
        .unwrap();
        assert!(
            d.contains("side (docker.io/evil/tool:latest)") && !d.contains("cart"),
            "{d}"
        );
        assert!(
            fires_with(
                &CHECK,
                &cfg(),
                deployment(
                    json!({"initContainers": [{"name": "i", "image": "nginx:latest"}],
                    "containers": [{"name": "a", "image": "nginx:1.27"}]})
                )
            )
            .is_some()
        );
    }

    #[test]
    fn silent_for_listed_and_aks_images_and_when_unconfigured() {
        let ok = pod(json!({"containers": [
            {"name": "app", "image": "contoso.azurecr.io/shop/cart:1.2"},
            {"name": "csi", "image": "mcr.microsoft.com/oss/kubernetes-csi/azuredisk-csi:v1.30.1"}]}));
        assert!(fires_with(&CHECK, &cfg(), ok).is_none());
        let any = pod(json!({"containers": [{"name": "x", "image": "docker.io/evil/tool"}]}));
        assert!(!fires(&CHECK, any.clone()));
        assert!(precondition(&Config::default()).is_some());
        // A workload object written by the platform is its own; a bare pod it creates is
        // judged on the pod (issue 13 item 7).
        let mut by_aks =
            deployment(json!({"containers": [{"name": "x", "image": "docker.io/evil/tool"}]}));
        by_aks["user"] = json!({"username": "aksService"});
        assert!(fires_with(&CHECK, &cfg(), by_aks).is_none());
        let mut bare = any;
        bare["user"] = json!({"username": "aksService"});
        assert!(fires_with(&CHECK, &cfg(), bare).is_some());
    }
}
