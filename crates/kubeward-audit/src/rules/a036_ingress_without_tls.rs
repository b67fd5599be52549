//! Ingresses written without TLS.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A036",
    name: "ingress-created-without-tls",
    since: "0.1.0",
    aliases: &[],
    title: "Ingress created without TLS",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[
        RefStatic::mitre("T1557"),
        falco("Ingress Object without TLS Certificate Created"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create of Ingress objects (networking.k8s.io) without `spec.tls`, by anyone but the platform.",
        why: "Without TLS the application's traffic, including credentials and session cookies, crosses the network in clear text.",
        fix: "Add a `tls` section with a certificate (cert-manager, or the application routing add-on with Key Vault certificates: `az aks approuting update --attach-kv`).",
        links: &["https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"],
        bad: "",
        good: "",
    },
};

pub static CHECK: Check = Check {
    meta: &META,
    needs: Needs::bodies(&["ingresses"]),
    on_match: Status::Warn,
    eval,
    precondition: always,
};

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "ingresses" || v.verb() != "create" || !is_completed_by_person(v) {
        return None;
    }
    let obj = v.object()?;
    let has_tls = obj
        .pointer("/spec/tls")
        .and_then(|t| t.as_array())
        .is_some_and(|t| !t.is_empty());
    (!has_tls).then(|| {
        format!(
            "Ingress {}/{} has no spec.tls",
            v.namespace(),
            str_at(obj, "/metadata/name")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn ing(spec: serde_json::Value) -> serde_json::Value {
        json!({"objectRef": {"resource": "ingresses", "apiGroup": "networking.k8s.io"}, "requestObject": {"kind": "Ingress", "metadata": {"name": "web"}, "spec": spec}})
    }

    #[test]
    fn fires_without_tls() {
        assert!(fires(
            &CHECK,
            ing(json!({"rules": [{"host": "shop.contoso.com"}]}))
        ));
    }

    #[test]
    fn silent_with_tls() {
        assert!(!fires(
            &CHECK,
            ing(json!({"tls": [{"hosts": ["shop.contoso.com"], "secretName": "tls"}]}))
        ));
    }
}
