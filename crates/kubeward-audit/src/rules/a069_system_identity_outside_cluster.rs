//! Node and system identities calling from outside the cluster's own address ranges.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A069",
    name: "system-identity-outside-cluster",
    since: "0.1.0",
    aliases: &[],
    title: "Node or system identity used from outside the cluster's address ranges",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::mitre("T1078"),
        RefStatic::mitre("T1550.001"),
        RefStatic::mitre("T1528"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Requests by a kubelet (`system:node:*`) or a kube-system service account, whatever their outcome, whose source address (the last entry of sourceIPs: the address the API server saw; earlier entries come from headers the client writes) is outside every range given with `--cluster-cidr` (repeatable: the node subnet, the pod CIDR, and any other range the cluster's own components call from). Loopback addresses count as inside. kube-controller-manager's own controllers (`*-controller`, the garbage collector and the other service accounts it runs as) are left out: their tokens stay in the control plane, which AKS runs outside the cluster's ranges. Events without a parseable source address are not judged. Without `--cluster-cidr` the rule is not applicable.",
        why: "These credentials live on nodes and in system pods. Used from another address, they have been copied out: a stolen kubelet certificate or kube-system token gives an attacker the cluster's own permissions from anywhere the API server is reachable.",
        fix: "Find the identity's credential and rotate it: for a kubelet, rotate the cluster certificates (`az aks rotate-certs`) and reimage the node; for a service account, delete its pods and any long-lived token Secret. Restrict the API server to known ranges (`az aks update --api-server-authorized-ip-ranges`) or make the cluster private.",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/node/",
            "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c009b-3c1e-4b7a-9d2e-8a61c0d2009b", "stage": "ResponseComplete", "requestURI": "/api/v1/secrets", "verb": "list", "user": {"username": "system:node:aks-nodepool1-12345678-vmss000000", "groups": ["system:nodes", "system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "5f0c009c-3c1e-4b7a-9d2e-8a61c0d2009c", "stage": "ResponseComplete", "requestURI": "/api/v1/secrets", "verb": "list", "user": {"username": "system:node:aks-nodepool1-12345678-vmss000000", "groups": ["system:nodes", "system:authenticated"]}, "sourceIPs": ["10.224.0.4"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "secrets", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 200}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}}"#,
    },
};

pub static CHECK: Check =
    Check::new(&META, Needs::METADATA, Status::Fail, eval).with_precondition(precondition);

fn precondition(c: &Config) -> Option<&'static str> {
    c.cluster_cidrs.is_empty().then_some(
        "the cluster's node and pod address ranges were not given (--cluster-cidr, repeatable)",
    )
}

/// kube-controller-manager's service accounts that do not end in `-controller`.
const CONTROL_PLANE_ACCOUNTS: &[&str] = &[
    "generic-garbage-collector",
    "horizontal-pod-autoscaler",
    "persistent-volume-binder",
    "pod-garbage-collector",
    "root-ca-cert-publisher",
    "legacy-service-account-token-cleaner",
    "service-account-controller",
];

fn judged_identity(user: &str) -> bool {
    if user.starts_with("system:node:") {
        return true;
    }
    user.strip_prefix("system:serviceaccount:kube-system:")
        .is_some_and(|sa| !sa.ends_with("-controller") && !CONTROL_PLANE_ACCOUNTS.contains(&sa))
}

fn eval(v: &EventView, c: &Config) -> Option<String> {
    // Who made a request is known from its first stage: judge it once.
    if !v.first_of_request || !judged_identity(v.authenticated_username()) {
        return None;
    }
    let ip = v.remote_ip()?;
    if ip.is_loopback() || c.cluster_cidrs.iter().any(|n| n.contains(&ip)) {
        return None;
    }
    Some(format!(
        "{} from {ip}, outside the cluster's ranges: {} {}",
        v.authenticated_username(),
        v.verb(),
        object_name(v)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn cfg() -> Config {
        Config {
            cluster_cidrs: ["10.224.0.0/16", "10.244.0.0/16", "fd00:10::/64"]
                .iter()
                .map(|c| parse_cluster_cidr(c).unwrap())
                .collect(),
            ..Config::default()
        }
    }

    fn call(user: &str, ips: serde_json::Value) -> serde_json::Value {
        json!({"verb": "list", "user": {"username": user}, "sourceIPs": ips,
               "objectRef": {"resource": "secrets", "namespace": "shop", "name": null}})
    }

    fn fired(user: &str, ips: serde_json::Value) -> bool {
        fires_with(&CHECK, &cfg(), call(user, ips)).is_some()
    }

    #[test]
    fn item8_fires_on_node_and_kube_system_identities_from_elsewhere() {
        let d = fires_with(
            &CHECK,
            &cfg(),
            call("system:node:aks-np-1", json!(["203.0.113.50"])),
        )
        .unwrap();
        assert!(d.contains("203.0.113.50"), "{d}");
        assert!(fired(
            "system:serviceaccount:kube-system:coredns",
            json!(["198.51.100.4"])
        ));
        // A forged X-Forwarded-For in front does not hide the real address.
        assert!(fired(
            "system:node:aks-np-1",
            json!(["10.224.0.5", "198.51.100.4"])
        ));
        // Refused requests count too.
        let mut refused = call("system:node:aks-np-1", json!(["2001:db8::7"]));
        refused["responseStatus"] = json!({"code": 403});
        assert!(fires_with(&CHECK, &cfg(), refused).is_some());
    }

    #[test]
    fn item8_silent_inside_the_ranges_for_others_and_without_ranges() {
        for ips in [
            json!(["10.224.3.4"]),
            json!(["10.244.17.9"]),
            json!(["fd00:10::5"]),
            json!(["127.0.0.1"]),
            json!([]),
            json!(["not-an-ip"]),
        ] {
            assert!(!fired("system:node:aks-np-1", ips.clone()), "{ips}");
        }
        assert!(!fired(
            "system:serviceaccount:kube-system:replicaset-controller",
            json!(["20.1.2.3"])
        ));
        assert!(!fired(
            "system:serviceaccount:kube-system:generic-garbage-collector",
            json!(["20.1.2.3"])
        ));
        assert!(!fired("alice@contoso.com", json!(["203.0.113.50"])));
        assert!(!fired(
            "system:serviceaccount:shop:web",
            json!(["203.0.113.50"])
        ));
        // Without ranges the rule does not run (the report says not applicable).
        assert!(precondition(&Config::default()).is_some());
        assert!(precondition(&cfg()).is_none());
    }

    #[test]
    fn cluster_ranges_parse() {
        assert_eq!(
            parse_cluster_cidr("10.0.0.7").unwrap().to_string(),
            "10.0.0.7/32"
        );
        assert!(parse_cluster_cidr("10.0.0.0/33").is_err());
        assert!(parse_cluster_cidr("nodes").is_err());
    }
}
