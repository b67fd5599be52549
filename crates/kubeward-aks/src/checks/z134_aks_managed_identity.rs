//! The cluster uses a managed identity, not a service principal secret.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, cis, finding, policy};
use crate::model::{Cluster, Field};

pub static META: CheckMeta = CheckMeta {
    code: "Z134",
    name: "aks-managed-identity",
    since: "0.1.0",
    aliases: &[],
    title: "The cluster uses a managed identity",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[cis("5.2.1"), policy("da6e2401-19da-4532-9141-fb8fbde08431")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`identity.type` (SystemAssigned or UserAssigned means a managed identity, whatever `servicePrincipalProfile.clientId` holds), else `servicePrincipalProfile.clientId` (\"msi\" is the managed-identity placeholder; any other client id is a service principal).",
        why: "A service principal's secret is stored on every node (/etc/kubernetes/azure.json), expires, and must be rotated by hand; a managed identity has no secret to steal or leak.",
        fix: "az aks update -g <resource-group> -n <cluster> --enable-managed-identity   # then: az aks nodepool upgrade --node-image-only for each pool",
        links: &["https://learn.microsoft.com/azure/aks/use-managed-identity"],
        bad: cluster!(
            r#""servicePrincipalProfile": {"clientId": "0b1c2d3e-0000-4000-8000-0000000005e1"}"#
        ),
        good: cluster!(
            r#""identity": {"type": "SystemAssigned"}"#,
            r#""servicePrincipalProfile": {"clientId": "msi"}"#
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let ty = c.get("identity.type");
    let sp = c.get("servicePrincipalProfile.clientId");
    let f = if let Some(bad) = [&ty, &sp]
        .into_iter()
        .find(|f| !f.is_unset() && !f.is_unresolved() && f.str().is_none())
    {
        finding(
            &META,
            c,
            None,
            Status::Error,
            format!(
                "{}: unexpected value {} (expected a string)",
                bad.path,
                bad.display()
            ),
        )
    } else {
        judge(c, &ty, &sp)
    };
    vec![
        f.with_evidence(ty.evidence("SystemAssigned or UserAssigned"))
            .with_evidence(sp.evidence("msi or absent")),
    ]
}

fn judge(c: &Cluster, ty: &Field<'_>, sp: &Field<'_>) -> Finding {
    let managed_type = ty.str().is_some_and(|t| {
        t.eq_ignore_ascii_case("SystemAssigned") || t.eq_ignore_ascii_case("UserAssigned")
    });
    let msi_placeholder = sp.str().is_some_and(|id| id.eq_ignore_ascii_case("msi"));
    let sp_named = sp
        .str()
        .is_some_and(|id| !id.trim().is_empty() && !id.eq_ignore_ascii_case("msi"));
    if managed_type {
        // With a managed identity the control plane authenticates as that identity; the
        // service principal profile then holds only a placeholder AKS keeps for old clients.
        let mut msg = format!("{} managed identity", ty.display());
        if sp_named {
            msg.push_str(&format!(
                " (servicePrincipalProfile.clientId {:?} is not used for the cluster's own identity)",
                sp.display()
            ));
        }
        return finding(&META, c, None, Status::Pass, msg);
    }
    if ty.is_unresolved() || sp.is_unresolved() {
        return finding(
            &META,
            c,
            None,
            Status::Manual,
            "identity settings are unresolved ARM expressions",
        );
    }
    if msi_placeholder {
        return finding(
            &META,
            c,
            None,
            Status::Pass,
            "servicePrincipalProfile.clientId is \"msi\": the cluster uses a managed identity",
        );
    }
    if sp_named {
        // Responses never return a secret; the client id alone shows a service principal.
        let how = if ty.is_unset() {
            "no managed identity in the body".to_string()
        } else {
            format!("identity.type {}", ty.display())
        };
        return finding(
            &META,
            c,
            None,
            Status::Fail,
            format!(
                "the cluster authenticates to Azure as service principal {} ({how}): a service principal's credential is kept on every node and must be rotated by hand",
                sp.display()
            ),
        );
    }
    // `az aks show` always carries `identity`; a template or trimmed export may not, and the API
    // has no default to assume (creation needs one or the other).
    finding(
        &META,
        c,
        None,
        Status::Manual,
        "neither a managed identity nor a service principal is in the input: look at `az aks show -g <resource-group> -n <cluster> --query \"{identity: identity.type, clientId: servicePrincipalProfile.clientId}\"`",
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_statuses, cl, status};
    use super::*;

    #[test]
    fn verdicts() {
        assert_statuses(
            evaluate,
            &[
                (
                    r#""identity":{"type":"SystemAssigned"},"servicePrincipalProfile":{"clientId":"msi"}"#,
                    Status::Pass,
                ),
                (
                    r#""servicePrincipalProfile":{"clientId":"0000-1111"}"#,
                    Status::Fail,
                ),
                (
                    r#""identity":{"type":"None"},"servicePrincipalProfile":{"clientId":"0000-1111"}"#,
                    Status::Fail,
                ),
            ],
        );
        // Nothing about the identity in the input: not a guess, a pointer to where to look.
        assert_statuses(
            evaluate,
            &[
                ("", Status::Manual),
                (r#""identity":{"type":"None"}"#, Status::Manual),
                (r#""identity":{"type":"UserAssigned"}"#, Status::Pass),
            ],
        );
    }

    /// Item 10: a managed identity type decides, whatever the service principal profile holds
    /// (the `msi` placeholder, nothing, or a client id the body keeps alongside).
    #[test]
    fn item10_managed_identity_whatever_the_client_id_placeholder() {
        for ty in ["SystemAssigned", "UserAssigned", "systemassigned"] {
            for sp in [
                "",
                r#","servicePrincipalProfile":{"clientId":"msi"}"#,
                r#","servicePrincipalProfile":{"clientId":"MSI"}"#,
                r#","servicePrincipalProfile":null"#,
                r#","servicePrincipalProfile":{"clientId":"11111111-2222-3333-4444-555555555555"}"#,
            ] {
                let json = cl(&format!(r#""identity":{{"type":"{ty}"}}{sp}"#));
                assert_eq!(status(evaluate, &json), Status::Pass, "{json}");
            }
        }
        // The `msi` placeholder alone is the managed-identity marker Azure Policy reads too.
        assert_eq!(
            status(
                evaluate,
                &cl(r#""servicePrincipalProfile":{"clientId":"msi"}"#)
            ),
            Status::Pass
        );
        // The FAIL names the service principal and claims no secret it did not see.
        let c = super::super::testing::cluster(&cl(
            r#""servicePrincipalProfile":{"clientId":"0000-1111"}"#,
        ));
        let f = &evaluate(&c, &super::super::testing::ctx())[0];
        assert!(f.message.contains("0000-1111"), "{}", f.message);
        assert!(!f.message.contains("secret"), "{}", f.message);
    }

    #[test]
    fn wrong_types_are_errors() {
        for members in [
            r#""identity":{"type":true}"#,
            r#""identity":{"type":"SystemAssigned"},"servicePrincipalProfile":{"clientId":42}"#,
        ] {
            assert_eq!(status(evaluate, &cl(members)), Status::Error, "{members}");
        }
    }
}
