//! kubeward's own: azure.json is not readable by other local users.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::credential_files::{credential_finding, has_client_secret, readable_by_others};
use super::shared::azure_json_location;
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N151",
    name: "azure-json-readable",
    since: "0.1.0",
    aliases: &[],
    title: "azure.json is not readable by other users",
    area: Area::Node,
    severity: Severity::Medium,
    references: &[RefStatic::mitre("T1552.001")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "/etc/kubernetes/azure.json must not be readable by users other than root. The finding is high \
severity when it holds a service principal secret (aadClientSecret).",
        why: "azure.json holds the node's cloud identity; with a service principal secret, anyone who reads it can act \
on the cluster's Azure resources.",
        fix: "On AKS the file is written by node provisioning and every node image upgrade rewrites it, so a \
chmod on one node does not last: upgrade the node image so it is written with the current modes \
(`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`). Prefer a managed identity over a service principal secret (`az aks update -g RG -n CLUSTER \
--enable-managed-identity`, then a node image upgrade) so the file holds no secret, and rotate the \
exposed secret (`az ad sp credential reset --id APP_ID`, then `az aks update-credentials -g RG -n \
CLUSTER --reset-service-principal --service-principal APP_ID --client-secret NEW_SECRET`).",
        links: &["https://learn.microsoft.com/azure/aks/use-managed-identity"],
        bad: "-rw-r--r-- root:root /etc/kubernetes/azure.json\n    {\"cloud\": \"AzurePublicCloud\", \"aadClientId\": \"00000000-0000-0000-0000-000000000002\", \"aadClientSecret\": \"example-secret\"}",
        good: "-rw------- root:root /etc/kubernetes/azure.json\n    {\"cloud\": \"AzurePublicCloud\", \"aadClientId\": \"00000000-0000-0000-0000-000000000002\", \"aadClientSecret\": \"example-secret\"}",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    credential_finding(
        c,
        &META,
        Some(azure_json_location()),
        "azure.json",
        |text, st| {
            let secret = has_client_secret(text);
            let what = if secret {
                "holds a service principal secret"
            } else {
                "holds no service principal secret"
            };
            if readable_by_others(st) {
                (
                    Status::Fail,
                    format!(
                        "azure.json {what} and is readable by other users (mode {})",
                        st.mode_octal()
                    ),
                    secret.then_some(Severity::High),
                )
            } else {
                (
                    Status::Pass,
                    format!("azure.json {what} and is readable by root only"),
                    None,
                )
            }
        },
    )
}
