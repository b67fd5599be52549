//! CIS AKS 1.8.0 section 4 ("Policies"), automated wherever objects allow: one file per check.

/// The example of an RBAC binding check: a ClusterRole named `$name` holding each `$rule`, bound
/// by a ClusterRoleBinding of the same name to the ServiceAccount `ci/$name`.
macro_rules! rbac_example {
    ($name:literal, $($rule:literal),+ $(,)?) => {
        concat!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ",
            $name,
            "\nrules:\n",
            $("- ", $rule, "\n",)+
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: ",
            $name,
            "\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ",
            $name,
            "}\nsubjects:\n- {kind: ServiceAccount, name: ",
            $name,
            ", namespace: ci}\n",
        )
    };
}

mod pod_checks;
mod service_account;
#[cfg(test)]
mod test_support;
pub mod w400_rbac_cluster_admin_binding;
pub mod w401_rbac_secret_access;
pub mod w402_rbac_wildcard_rules;
pub mod w403_rbac_create_pods;
pub mod w404_default_service_account_used;
pub mod w405_service_account_token_automount;
pub mod w406_rbac_bind_escalate_impersonate;
pub mod w407_rbac_create_persistent_volumes;
pub mod w408_rbac_nodes_proxy;
pub mod w409_rbac_csr_approval;
pub mod w410_rbac_webhook_configuration;
pub mod w411_rbac_service_account_token_create;
pub mod w420_privileged_container;
pub mod w421_host_pid;
pub mod w422_host_ipc;
pub mod w423_host_network;
pub mod w424_allow_privilege_escalation;
pub mod w425_namespace_pod_security_enforced;
pub mod w440_namespace_without_network_policy;
pub mod w450_secrets_in_env_vars;
pub mod w460_default_namespace_used;
pub mod w461_security_context_applied;

use kubeward_core::CheckMeta;

use crate::Check;
use crate::rbac::danger::Permission;

/// Every CIS section-4 check, in code order.
pub static CHECKS: &[&Check] = &[
    &w400_rbac_cluster_admin_binding::CHECK,
    &w401_rbac_secret_access::CHECK,
    &w402_rbac_wildcard_rules::CHECK,
    &w403_rbac_create_pods::CHECK,
    &w404_default_service_account_used::CHECK,
    &w405_service_account_token_automount::CHECK,
    &w406_rbac_bind_escalate_impersonate::CHECK,
    &w407_rbac_create_persistent_volumes::CHECK,
    &w408_rbac_nodes_proxy::CHECK,
    &w409_rbac_csr_approval::CHECK,
    &w410_rbac_webhook_configuration::CHECK,
    &w411_rbac_service_account_token_create::CHECK,
    &w420_privileged_container::CHECK,
    &w421_host_pid::CHECK,
    &w422_host_ipc::CHECK,
    &w423_host_network::CHECK,
    &w424_allow_privilege_escalation::CHECK,
    &w425_namespace_pod_security_enforced::CHECK,
    &w440_namespace_without_network_policy::CHECK,
    &w450_secrets_in_env_vars::CHECK,
    &w460_default_namespace_used::CHECK,
    &w461_security_context_applied::CHECK,
];

/// The RBAC checks defined by a permission list (used by `rbac summary`).
pub fn rbac_permission_checks() -> Vec<(&'static CheckMeta, &'static [Permission])> {
    CHECKS
        .iter()
        .filter(|c| !c.permissions.is_empty())
        .map(|c| (c.meta, c.permissions))
        .collect()
}
