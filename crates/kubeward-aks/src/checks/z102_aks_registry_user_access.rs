//! CIS AKS 5.1.2: few principals can write to the container registries.

use kubeward_core::profile::CIS_AKS_1_8;
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Status};

use super::{Check, Ctx, cis, finding};
use crate::model::Cluster;

pub static META: CheckMeta = CheckMeta {
    code: "Z102",
    name: "aks-registry-user-access",
    since: "0.1.0",
    aliases: &[],
    title: "Write access to container registries is limited",
    area: Area::Aks,
    severity: Severity::Medium,
    references: &[cis("5.1.2")],
    profiles: &[CIS_AKS_1_8],
    kubeward_own: false,
    doc: CheckDoc {
        what: "Reads `az role assignment list --scope <registry-id> --include-inherited -o json` output and lists the principals holding a role that can push, delete or administer images (Owner, Contributor, AcrPush, AcrDelete, AcrImageSigner, Container Registry contributor roles).",
        why: "Whoever can push to the registry the cluster pulls from can run code in the cluster. CIS 5.1.2 asks to keep that set small; kubeward cannot know which principals are legitimate, so it lists them for review.",
        fix: "Review the listed assignments and remove those not needed: az role assignment delete --assignee <principal-id> --role <role> --scope <registry-id>",
        links: &["https://learn.microsoft.com/azure/container-registry/container-registry-roles"],
        bad: registry_roles_example!(
            [];
            ("5f1c2d3e-0000-4000-8000-00000000cafe", "aks-prod-agentpool", "AcrPull"),
            ("9a8b7c6d-0000-4000-8000-0000000000d1", "dev@contoso.com", "AcrPush")
        ),
        good: registry_roles_example!([]; ("5f1c2d3e-0000-4000-8000-00000000cafe", "aks-prod-agentpool", "AcrPull")),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

/// Roles that can change what a registry serves.
pub fn grants_registry_write(role: &str) -> bool {
    let r = role.to_ascii_lowercase();
    matches!(r.as_str(), "owner" | "contributor" | "acrpush" | "acrdelete" | "acrimagesigner" | "user access administrator")
        || (r.starts_with("container registry") && !r.contains("reader"))
        // Built-in role ids: Owner, Contributor, AcrPush.
        || matches!(r.as_str(), "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" | "b24988ac-6180-42a0-ab88-20f7382dd24c" | "8311e382-0749-4cb8-b61a-304f252e45ec")
}

pub fn is_registry_scope(scope: &str) -> bool {
    scope
        .to_ascii_lowercase()
        .contains("/providers/microsoft.containerregistry/registries/")
}

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    let Some(roles) = &c.role_assignments else {
        return vec![finding(
            &META,
            c,
            None,
            Status::Manual,
            "no role assignments given: add `az role assignment list --scope <registry-id> --include-inherited -o json` to review who can push to the registry",
        )];
    };
    let writers: Vec<_> = roles
        .iter()
        .filter(|r| grants_registry_write(&r.role))
        .collect();
    let on_registry = roles.iter().any(|r| is_registry_scope(&r.scope));
    if writers.is_empty() {
        let msg = if on_registry {
            "no principal holds a write role in the given role assignments"
        } else {
            "the role assignments given hold no write role (none is scoped to a registry: was the list taken with --scope <registry-id>?)"
        };
        return vec![finding(&META, c, None, Status::Pass, msg)];
    }
    let mut f = finding(
        &META,
        c,
        None,
        Status::Manual,
        format!(
            "{} role assignment(s) can push to or administer registries: confirm each is needed",
            writers.len()
        ),
    );
    for w in writers {
        f = f.with_evidence(Evidence::observed(
            format!(
                "{} ({}) has {} on {}",
                w.principal_name.as_deref().unwrap_or("?"),
                w.principal_id,
                w.role,
                w.scope
            ),
            w.source(),
        ));
    }
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{InputFile, load};

    fn run(roles: Option<&str>) -> Status {
        let mut files = vec![InputFile {
            path: "c.json".into(),
            text: super::super::testing::cl(""),
            forced_diagnostics: false,
        }];
        if let Some(r) = roles {
            files.push(InputFile {
                path: "r.json".into(),
                text: r.into(),
                forced_diagnostics: false,
            });
        }
        let inv = load(files);
        evaluate(&inv.clusters[0], &super::super::testing::ctx())[0].status
    }

    #[test]
    fn verdicts() {
        let acr = "/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerRegistry/registries/acr1";
        assert_eq!(run(None), Status::Manual);
        assert_eq!(
            run(Some(&format!(
                r#"[{{"principalId":"k","scope":"{acr}","roleDefinitionName":"AcrPull"}}]"#
            ))),
            Status::Pass
        );
        assert_eq!(
            run(Some(&format!(
                r#"[{{"principalId":"u","scope":"{acr}","roleDefinitionName":"AcrPush"}}]"#
            ))),
            Status::Manual
        );
        assert!(grants_registry_write("Owner"));
        assert!(!grants_registry_write("AcrPull"));
        assert!(!grants_registry_write(
            "Container Registry Repository Reader"
        ));
    }
}
