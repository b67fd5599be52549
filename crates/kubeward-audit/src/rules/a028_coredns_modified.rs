//! CoreDNS configuration changes.

use kubeward_core::{CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = meta(
    "A028",
    "coredns-modified",
    "CoreDNS configuration modified",
    Severity::Medium,
    &[RefStatic::mitre("T1557"), ms("MS-TA9035")],
    CheckDoc {
        bad: "",
        good: "",
        what: "Successful create/update/patch/delete of the configmaps `coredns` or `coredns-custom` in kube-system by anyone but the platform.",
        why: "Whoever controls cluster DNS can redirect service names to their own pods and intercept traffic (Defender for Containers: 'CoreDNS modification').",
        fix: "Review the change (`kubectl -n kube-system get configmap coredns-custom -o yaml`); on AKS only `coredns-custom` is meant to be edited, by the platform team; revert unexpected entries.",
        links: &["https://learn.microsoft.com/azure/aks/coredns-custom"],
    },
);

pub static RULE: Rule = Rule {
    meta: &META,
    needs: Needs::METADATA,
    on_match: Status::Fail,
    eval,
    precondition: always,
};

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "configmaps"
        || v.namespace() != "kube-system"
        || !matches!(v.name(), "coredns" | "coredns-custom")
        || !v.is_write()
    {
        return None;
    }
    succeeded_by_person(v)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn fires_on_coredns_custom_patch() {
        assert!(fires(
            &RULE,
            json!({"verb": "patch", "objectRef": {"resource": "configmaps", "namespace": "kube-system", "name": "coredns-custom"}, "responseStatus": {"code": 200}})
        ));
    }

    #[test]
    fn silent_on_other_configmaps() {
        assert!(!fires(
            &RULE,
            json!({"verb": "patch", "objectRef": {"resource": "configmaps", "namespace": "default", "name": "coredns"}})
        ));
        assert!(!fires(
            &RULE,
            json!({"verb": "get", "objectRef": {"resource": "configmaps", "namespace": "kube-system", "name": "coredns"}})
        ));
    }
}
