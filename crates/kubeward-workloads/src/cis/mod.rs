//! CIS AKS 1.8.0 section 4 ("Policies"), automated wherever objects allow: one file per check.

pub mod allow_privilege_escalation;
pub mod default_namespace;
pub mod default_service_account;
pub mod host_ipc;
pub mod host_network;
pub mod host_pid;
pub mod namespace_network_policy;
pub mod namespace_pod_security_admission;
mod pod_checks;
pub mod privileged_container;
pub mod rbac_bind_escalate_impersonate;
pub mod rbac_cluster_admin;
pub mod rbac_create_persistent_volumes;
pub mod rbac_create_pods;
pub mod rbac_csr_approval;
pub mod rbac_nodes_proxy;
pub mod rbac_secret_access;
pub mod rbac_service_account_token_create;
pub mod rbac_webhook_configuration;
pub mod rbac_wildcards;
pub mod secrets_in_env;
pub mod security_context;
mod service_account;
pub mod service_account_token_automount;
#[cfg(test)]
mod test_support;

use kubeward_core::{CheckMeta, Finding};

use crate::ctx::Ctx;
use crate::rbac::danger::Permission;

type Evaluate = fn(&Ctx<'_>) -> Vec<Finding>;

/// Every CIS section-4 check with its evaluation.
pub fn all() -> Vec<(&'static CheckMeta, Evaluate)> {
    vec![
        (&rbac_cluster_admin::META, rbac_cluster_admin::evaluate),
        (&rbac_secret_access::META, rbac_secret_access::evaluate),
        (&rbac_wildcards::META, rbac_wildcards::evaluate),
        (&rbac_create_pods::META, rbac_create_pods::evaluate),
        (
            &default_service_account::META,
            default_service_account::evaluate,
        ),
        (
            &service_account_token_automount::META,
            service_account_token_automount::evaluate,
        ),
        (
            &rbac_bind_escalate_impersonate::META,
            rbac_bind_escalate_impersonate::evaluate,
        ),
        (
            &rbac_create_persistent_volumes::META,
            rbac_create_persistent_volumes::evaluate,
        ),
        (&rbac_nodes_proxy::META, rbac_nodes_proxy::evaluate),
        (&rbac_csr_approval::META, rbac_csr_approval::evaluate),
        (
            &rbac_webhook_configuration::META,
            rbac_webhook_configuration::evaluate,
        ),
        (
            &rbac_service_account_token_create::META,
            rbac_service_account_token_create::evaluate,
        ),
        (&privileged_container::META, privileged_container::evaluate),
        (&host_pid::META, host_pid::evaluate),
        (&host_ipc::META, host_ipc::evaluate),
        (&host_network::META, host_network::evaluate),
        (
            &allow_privilege_escalation::META,
            allow_privilege_escalation::evaluate,
        ),
        (
            &namespace_pod_security_admission::META,
            namespace_pod_security_admission::evaluate,
        ),
        (
            &namespace_network_policy::META,
            namespace_network_policy::evaluate,
        ),
        (&secrets_in_env::META, secrets_in_env::evaluate),
        (&default_namespace::META, default_namespace::evaluate),
        (&security_context::META, security_context::evaluate),
    ]
}

/// The RBAC checks defined by a permission list (used by `rbac summary`).
pub fn rbac_permission_checks() -> Vec<(&'static CheckMeta, &'static [Permission])> {
    vec![
        (&rbac_secret_access::META, rbac_secret_access::PERMISSIONS),
        (&rbac_create_pods::META, rbac_create_pods::PERMISSIONS),
        (
            &rbac_bind_escalate_impersonate::META,
            rbac_bind_escalate_impersonate::PERMISSIONS,
        ),
        (
            &rbac_create_persistent_volumes::META,
            rbac_create_persistent_volumes::PERMISSIONS,
        ),
        (&rbac_nodes_proxy::META, rbac_nodes_proxy::PERMISSIONS),
        (&rbac_csr_approval::META, rbac_csr_approval::PERMISSIONS),
        (
            &rbac_webhook_configuration::META,
            rbac_webhook_configuration::PERMISSIONS,
        ),
        (
            &rbac_service_account_token_create::META,
            rbac_service_account_token_create::PERMISSIONS,
        ),
    ]
}
