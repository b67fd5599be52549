//! The inputs this area reads, recognised by content: `az aks show` / ARM cluster JSON, node pool
//! lists, diagnostic settings and role assignments (keys compared without case, as Azure's are).

use std::path::Path;

use kubeward_core::recognize::{Head, InputKind};

/// AKS or Azure JSON this area reads.
pub fn recognize(head: &[u8], path: &Path) -> Option<InputKind> {
    of(&Head::new(head, path))
}

/// [`recognize`] on a head already read.
pub fn of(h: &Head) -> Option<InputKind> {
    if !h.is_json() {
        return None;
    }
    let lower = h.compact.to_ascii_lowercase();
    let has = |needle: &str| lower.contains(needle);
    let cluster = has("microsoft.containerservice") || has("\"agentpoolprofiles\":");
    let pool = has("\"orchestratorversion\":") && has("\"vmsize\":");
    let diag_setting = has("\"logs\":")
        && has("\"category")
        && (has("workspaceid") || has("storageaccountid") || has("eventhub"));
    let role_assignment = has("\"roledefinitionname\":") && has("\"principalid\":");
    (cluster || pool || diag_setting || role_assignment).then_some(InputKind::Aks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_and_diagnostic_settings_are_recognised() {
        let p = Path::new("x.json");
        let cluster =
            br#"{"id": "/subscriptions/x/providers/Microsoft.ContainerService/managedClusters/c"}"#;
        assert_eq!(recognize(cluster, p), Some(InputKind::Aks));
        let diag = br#"[{"logs": [{"category": "kube-audit"}], "workspaceId": "w"}]"#;
        assert_eq!(recognize(diag, p), Some(InputKind::Aks));
        assert_eq!(
            recognize(br#"{"apiVersion": "v1", "kind": "Pod"}"#, p),
            None
        );
    }
}
