//! Credentials written into ConfigMaps.

use kubeward_core::{CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = meta(
    "A033",
    "configmap-credentials",
    "ConfigMap written with credentials in it",
    Severity::Medium,
    &[
        RefStatic::mitre("T1552"),
        ms("MS-TA9027"),
        falco("Create/Modify Configmap With Private Credentials"),
    ],
    CheckDoc {
        what: "Successful create/update/patch of ConfigMaps whose data keys or values look like credentials (password, passphrase, secret, token, private keys, AWS key ids, storage account keys). It needs ConfigMap bodies: AKS's fixed audit policy logs configmaps at Metadata, so on AKS this rule cannot fire and the report says so.",
        why: "ConfigMaps are readable by far more identities than secrets and are not encrypted specially: credentials in them leak.",
        fix: "Move the values to a Secret or to Azure Key Vault (Secrets Store CSI driver add-on) and rotate them.",
        links: &["https://kubernetes.io/docs/concepts/configuration/configmap/"],
    },
);

pub static RULE: Rule = Rule {
    meta: &META,
    needs: Needs::bodies(&["configmaps"]),
    on_match: Status::Fail,
    eval,
    precondition: always,
};

const KEYS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "api_key",
    "accountkey",
];
const VALUES: &[&str] = &["-----BEGIN", "AKIA", "AccountKey=", "SharedAccessKey="];

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "configmaps" || !v.is_modify() || !is_completed_by_person(v) {
        return None;
    }
    let data = v.object()?.get("data")?.as_object()?;
    let hits: Vec<&str> = data
        .iter()
        .filter(|(k, val)| {
            let k = k.to_ascii_lowercase();
            let val = val.as_str().unwrap_or("");
            KEYS.iter().any(|p| k.contains(p)) || VALUES.iter().any(|p| val.contains(p))
        })
        .map(|(k, _)| k.as_str())
        .collect();
    (!hits.is_empty()).then(|| {
        format!(
            "{} {}: keys [{}]",
            v.verb(),
            object_name(v),
            hits.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn cm(data: serde_json::Value) -> serde_json::Value {
        json!({"objectRef": {"resource": "configmaps", "name": "app"}, "requestObject": {"kind": "ConfigMap", "data": data}})
    }

    #[test]
    fn fires_on_password_key_and_storage_key() {
        assert!(fires(&RULE, cm(json!({"DB_PASSWORD": "hunter2"}))));
        assert!(fires(
            &RULE,
            cm(json!({"conn": "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc=="}))
        ));
    }

    #[test]
    fn silent_on_plain_config_and_metadata_level() {
        assert!(!fires(&RULE, cm(json!({"LOG_LEVEL": "debug"}))));
        assert!(!fires(
            &RULE,
            json!({"level": "Metadata", "objectRef": {"resource": "configmaps"}})
        ));
    }
}
