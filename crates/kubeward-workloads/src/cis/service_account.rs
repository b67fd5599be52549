//! Which service account a pod runs as and whether its token is mounted — shared by the
//! default-service-account and token-automount checks.
//!
//! Precedence (kubelet/ServiceAccount admission): the pod's `automountServiceAccountToken` wins;
//! when it is absent the ServiceAccount's field decides; when both are absent the token is mounted.

use kubeward_core::Evidence;
use kubeward_inventory::PodTemplate;
use kubeward_inventory::Value;

use crate::ctx::{Ctx, namespace_of};

/// The service account of a pod template and where that was read.
pub struct PodServiceAccount {
    pub name: String,
    pub evidence: Evidence,
}

pub fn service_account_of(t: &PodTemplate<'_>) -> PodServiceAccount {
    for field in ["serviceAccountName", "serviceAccount"] {
        if let Some(name) = t
            .spec
            .get(field)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            let mut e = Evidence::observed(
                name.to_string(),
                t.object.source(&t.pointer(&format!("/{field}"))),
            );
            if field == "serviceAccount" {
                e = e.with_note("deprecated field serviceAccount (use serviceAccountName)");
            }
            return PodServiceAccount {
                name: name.to_string(),
                evidence: e,
            };
        }
    }
    PodServiceAccount {
        name: "default".into(),
        evidence: Evidence::observed(
            "default",
            t.object.source(&t.pointer("/serviceAccountName")),
        )
        .with_note("absent: the pod runs as the namespace's `default` service account"),
    }
}

/// How the token decision was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    PodField,
    ServiceAccountField,
    /// Neither says anything: Kubernetes mounts the token.
    Default,
}

pub struct TokenMount {
    pub mounted: bool,
    pub decided: Decided,
    pub evidence: Evidence,
}

pub fn token_mount(ctx: &Ctx<'_>, t: &PodTemplate<'_>, sa: &str) -> TokenMount {
    if let Some(b) = t
        .spec
        .get("automountServiceAccountToken")
        .and_then(Value::as_bool)
    {
        return TokenMount {
            mounted: b,
            decided: Decided::PodField,
            evidence: Evidence::observed(
                b.to_string(),
                t.object.source(&t.pointer("/automountServiceAccountToken")),
            )
            .with_note("pod field (takes precedence over the ServiceAccount's)"),
        };
    }
    let (ns, _) = namespace_of(t.object);
    match ctx.service_account(ns, sa) {
        Some(obj) => match obj.value.get("automountServiceAccountToken").and_then(Value::as_bool) {
            Some(b) => TokenMount {
                mounted: b,
                decided: Decided::ServiceAccountField,
                evidence: Evidence::observed(b.to_string(), obj.source("/automountServiceAccountToken"))
                    .with_note(format!("ServiceAccount {ns}/{sa}; the pod does not set the field")),
            },
            None => TokenMount {
                mounted: true,
                decided: Decided::Default,
                evidence: Evidence::observed("true", obj.source("/automountServiceAccountToken"))
                    .with_note("absent on the pod and on the ServiceAccount: Kubernetes mounts the token"),
            },
        },
        None => TokenMount {
            mounted: true,
            decided: Decided::Default,
            evidence: Evidence::observed("true", t.object.source(&t.pointer("/automountServiceAccountToken")))
                .with_note(format!(
                    "absent on the pod, and ServiceAccount {ns}/{sa} is not in the inputs: Kubernetes default (mounted) assumed"
                )),
        },
    }
}
