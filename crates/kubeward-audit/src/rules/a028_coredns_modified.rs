//! CoreDNS configuration changes.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A028",
    name: "coredns-modified",
    since: "0.1.0",
    aliases: &[],
    title: "CoreDNS configuration modified",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1557"), ms("MS-TA9035")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch/delete of the configmaps `coredns` or `coredns-custom` in kube-system by anyone but the platform.",
        why: "Whoever controls cluster DNS can redirect service names to their own pods and intercept traffic (Defender for Containers: 'CoreDNS modification').",
        fix: "Review the change (`kubectl -n kube-system get configmap coredns-custom -o yaml`); on AKS only `coredns-custom` is meant to be edited, by the platform team; revert unexpected entries.",
        links: &["https://learn.microsoft.com/azure/aks/coredns-custom"],
        bad: "",
        good: "",
    },
};

pub static CHECK: Check = Check {
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
            &CHECK,
            json!({"verb": "patch", "objectRef": {"resource": "configmaps", "namespace": "kube-system", "name": "coredns-custom"}, "responseStatus": {"code": 200}})
        ));
    }

    #[test]
    fn silent_on_other_configmaps() {
        assert!(!fires(
            &CHECK,
            json!({"verb": "patch", "objectRef": {"resource": "configmaps", "namespace": "default", "name": "coredns"}})
        ));
        assert!(!fires(
            &CHECK,
            json!({"verb": "get", "objectRef": {"resource": "configmaps", "namespace": "kube-system", "name": "coredns"}})
        ));
    }
}
