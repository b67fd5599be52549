//! The node checks: one file per check (`n120_kubelet_anonymous_auth.rs`), each with its `META`,
//! its `CHECK` and its pass/fail vectors. Helpers shared by several checks live in `shared.rs`,
//! `kube_proxy.rs` and `credential_files.rs`.
//!
//! A check's `doc.bad` and `doc.good` describe a host in a few lines: the command lines of the
//! processes that run (`kubelet --anonymous-auth=false`), files with their mode and owner as
//! `ls -l` shows them (`-rw------- root:root /var/lib/kubelet/kubeconfig`), and file contents
//! (`/sys/fs/selinux/enforce: 1`, or `/path:` followed by indented lines). The tests build that host
//! and scan it (`testing.rs`).

use kubeward_core::profile::BenchmarkProfile;
use kubeward_core::{CheckMeta, Finding, Resource, Source, Status};

use crate::detect::NodeIdentity;
use crate::hostfs::HostFs;
use crate::kubelet::{KubeletConfig, Process};
use crate::lsm::LsmScan;

pub mod credential_files;
pub mod kube_proxy;
pub mod shared;
#[cfg(test)]
pub(crate) mod testing;

pub mod k100_kubelet_not_found;
pub mod n101_kubelet_kubeconfig_permissions;
pub mod n102_kubelet_kubeconfig_ownership;
pub mod n103_azure_json_permissions;
pub mod n104_azure_json_ownership;
pub mod n105_kubelet_config_file_permissions;
pub mod n106_kubelet_config_file_ownership;
pub mod n107_kubelet_service_file_permissions;
pub mod n108_kubelet_service_file_ownership;
pub mod n109_proxy_kubeconfig_permissions;
pub mod n110_proxy_kubeconfig_ownership;
pub mod n111_client_ca_file_permissions;
pub mod n112_client_ca_file_ownership;
pub mod n120_kubelet_anonymous_auth;
pub mod n121_kubelet_authorization_mode;
pub mod n122_kubelet_client_ca;
pub mod n123_kubelet_read_only_port;
pub mod n124_kubelet_streaming_idle_timeout;
pub mod n125_kubelet_protect_kernel_defaults;
pub mod n126_kubelet_iptables_util_chains;
pub mod n127_kubelet_hostname_override;
pub mod n128_kubelet_event_qps;
pub mod n129_kubelet_tls_serving_cert;
pub mod n130_kubelet_rotate_certificates;
pub mod n131_kubelet_rotate_server_certificates;
pub mod n132_kubelet_tls_cipher_suites;
pub mod n133_kubelet_pod_pids_limit;
pub mod n135_proxy_metrics_localhost;
pub mod n150_bootstrap_token_readable;
pub mod n151_azure_json_readable;
pub mod n152_kubelet_server_key_readable;
pub mod n160_node_apparmor;
pub mod n161_node_selinux;
pub mod n162_node_seccomp_filter;
pub mod n163_kubelet_seccomp_default;
pub mod n164_seccomp_localhost_profiles;

/// A file the checks look at, and how its path was decided.
#[derive(Debug, Clone)]
pub struct Located {
    pub path: String,
    /// Where the path came from: a flag on the kubelet command line, a config key, or a known
    /// default location (origin says which).
    pub source: Source,
}

/// Everything a check may read. Built once per scan.
pub struct Ctx<'a> {
    pub fs: &'a HostFs,
    pub profile: &'static BenchmarkProfile,
    pub node: Resource,
    pub kubelet: &'a Process,
    pub config: &'a KubeletConfig,
    pub identity: &'a NodeIdentity,
    pub lsm: &'a LsmScan,
    pub proxy: Option<&'a Process>,
    pub kubeconfig: Option<Located>,
    pub bootstrap_kubeconfig: Option<Located>,
    /// The kubelet systemd unit and its drop-ins that exist.
    pub service_files: Vec<String>,
    /// `--root-dir` (default `/var/lib/kubelet`).
    pub root_dir: String,
}

impl Ctx<'_> {
    pub fn finding(
        &self,
        meta: &CheckMeta,
        status: Status,
        message: impl Into<kubeward_core::Text>,
    ) -> Finding {
        Finding::new(meta, status, self.node.clone(), message)
    }
    pub fn is_aks_profile(&self) -> bool {
        self.profile.framework == "CIS AKS"
    }
}

/// One node check: its metadata and how it judges a node context.
pub struct Check {
    pub meta: &'static CheckMeta,
    pub eval: fn(&Ctx) -> Finding,
}

/// Every check that judges a node with a running kubelet, in code order (the run order). The
/// scan's own statement that no kubelet runs ([`k100_kubelet_not_found`]) has no node context to
/// judge; `crate::checks()` adds its metadata to these.
pub static CHECKS: &[&Check] = &[
    &n101_kubelet_kubeconfig_permissions::CHECK,
    &n102_kubelet_kubeconfig_ownership::CHECK,
    &n103_azure_json_permissions::CHECK,
    &n104_azure_json_ownership::CHECK,
    &n105_kubelet_config_file_permissions::CHECK,
    &n106_kubelet_config_file_ownership::CHECK,
    &n107_kubelet_service_file_permissions::CHECK,
    &n108_kubelet_service_file_ownership::CHECK,
    &n109_proxy_kubeconfig_permissions::CHECK,
    &n110_proxy_kubeconfig_ownership::CHECK,
    &n111_client_ca_file_permissions::CHECK,
    &n112_client_ca_file_ownership::CHECK,
    &n120_kubelet_anonymous_auth::CHECK,
    &n121_kubelet_authorization_mode::CHECK,
    &n122_kubelet_client_ca::CHECK,
    &n123_kubelet_read_only_port::CHECK,
    &n124_kubelet_streaming_idle_timeout::CHECK,
    &n125_kubelet_protect_kernel_defaults::CHECK,
    &n126_kubelet_iptables_util_chains::CHECK,
    &n127_kubelet_hostname_override::CHECK,
    &n128_kubelet_event_qps::CHECK,
    &n129_kubelet_tls_serving_cert::CHECK,
    &n130_kubelet_rotate_certificates::CHECK,
    &n131_kubelet_rotate_server_certificates::CHECK,
    &n132_kubelet_tls_cipher_suites::CHECK,
    &n133_kubelet_pod_pids_limit::CHECK,
    &n135_proxy_metrics_localhost::CHECK,
    &n150_bootstrap_token_readable::CHECK,
    &n151_azure_json_readable::CHECK,
    &n152_kubelet_server_key_readable::CHECK,
    &n160_node_apparmor::CHECK,
    &n161_node_selinux::CHECK,
    &n162_node_seccomp_filter::CHECK,
    &n163_kubelet_seccomp_default::CHECK,
    &n164_seccomp_localhost_profiles::CHECK,
];

#[cfg(test)]
mod tests {
    use std::path::Path;

    use kubeward_core::Registry;

    #[test]
    fn each_check_file_is_registered_and_named_after_its_check() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/checks");
        if let Err(errors) = kubeward_core::registry::check_files(&dir, &crate::checks()) {
            let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("{}", shown.join("\n"));
        }
    }

    #[test]
    fn checks_run_in_code_order() {
        let codes: Vec<&str> = super::CHECKS.iter().map(|c| c.meta.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn registry_is_valid() {
        assert_eq!(Registry::new().with(&crate::checks()).validate(), Ok(()));
    }

    #[test]
    fn every_example_is_judged_as_documented() {
        for meta in crate::checks() {
            super::testing::assert_examples(meta);
        }
    }
}
