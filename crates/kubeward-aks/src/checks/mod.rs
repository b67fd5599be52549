//! The AKS checks: one file per check (its `META`, its evaluation and its test vectors), all
//! listed in [`CHECKS`]. Helpers here keep the verdict wording and the evidence uniform.
//!
//! Each check's examples (`doc.bad`, `doc.good`) are `az aks show` JSON; a check that also reads
//! another command's output (diagnostic settings, role assignments) gives each document after a
//! `# <command>` line, the way the files are given to `kubeward aks check`.

use kubeward_core::{CheckMeta, Evidence, Finding, RefStatic, Resource, Source, Status};
use time::Date;

use crate::model::{Cluster, Field, Pool, Val};

// The examples' documents, built once: each check writes only what its example is about. The
// expansions are the exact text `kubeward explain`, SARIF and the snapshots show.

/// `az aks show` JSON of the examples' cluster `aks-prod`, with these top-level members (each
/// `"key": value`) after its node pools. By default the cluster has one system pool; `pools
/// [..];` gives the pools one a line (see [`linux_pool!`]), `version "1.31";` another
/// Kubernetes version, and `id;` starts the document with the cluster's resource id.
macro_rules! cluster {
    (@system) => {
        "[{\"name\": \"system\", \"mode\": \"System\", \"vmSize\": \"Standard_D4ds_v5\"}]"
    };
    (@doc [$($id:tt)*] $version:literal [$($pools:tt)*] $($member:literal),*) => {
        concat!(
            "{\n",
            $($id)*
            "  \"name\": \"aks-prod\",\n  \"resourceGroup\": \"rg-prod\",\n  \"kubernetesVersion\": \"",
            $version,
            "\",\n  \"agentPoolProfiles\": ",
            $($pools)*
            $(",\n  ", $member,)*
            "\n}"
        )
    };
    (@pools $first:expr $(, $pool:expr)*) => {
        concat!("[\n    ", $first, $(",\n    ", $pool,)* "\n  ]")
    };
    (id; $($member:literal),* $(,)?) => {
        cluster!(@doc ["  \"id\": \"", example_cluster_id!(), "\",\n",] "1.35" [cluster!(@system),] $($member),*)
    };
    (version $version:literal; pools [$($pool:expr),+ $(,)?]; $($member:literal),* $(,)?) => {
        cluster!(@doc [] $version [cluster!(@pools $($pool),+),] $($member),*)
    };
    (pools [$($pool:expr),+ $(,)?]; $($member:literal),* $(,)?) => {
        cluster!(version "1.35"; pools [$($pool),+]; $($member),*)
    };
    ($($member:literal),* $(,)?) => {
        cluster!(@doc [] "1.35" [cluster!(@system),] $($member),*)
    };
}

/// The examples' Linux system pool, with these extra members (`"key": value`).
macro_rules! linux_pool {
    ($($member:literal),*) => {
        concat!(
            "{\"name\": \"system\", \"mode\": \"System\", \"vmSize\": \"Standard_D4ds_v5\", \"osType\": \"Linux\"",
            $(", ", $member,)*
            "}"
        )
    };
}

/// The resource id of the examples' cluster.
macro_rules! example_cluster_id {
    () => {
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod"
    };
}

/// The line that introduces the cluster document in a multi-document example.
macro_rules! aks_show {
    () => {
        "# az aks show -n aks-prod -g rg-prod -o json\n"
    };
}

/// A multi-document example: the cluster (with its id) and one diagnostic setting exporting to
/// a Log Analytics workspace, with these log entries, one a line.
macro_rules! diagnostics_example {
    ($first:literal $(, $log:literal)* $(,)?) => {
        concat!(
            aks_show!(),
            cluster!(id;),
            "\n# az monitor diagnostic-settings list --resource <cluster-id> -o json\n[\n  {\n    \"id\": \"",
            example_cluster_id!(),
            "/providers/microsoft.insights/diagnosticSettings/audit-to-law\",\n    \"name\": \"audit-to-law\",\n    \"workspaceId\": \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-prod\",\n    \"logs\": [\n      ",
            $first,
            $(",\n      ", $log,)*
            "\n    ]\n  }\n]"
        )
    };
}

/// A multi-document example: the cluster with these top-level members, and role assignments on
/// the examples' registry, one a line, each `(principal id, principal name, role)`:
/// `registry_roles_example!([members]; (id, name, role), ...)`.
macro_rules! registry_roles_example {
    ([$($member:literal),*]; $first:tt $(, $role:tt)* $(,)?) => {
        concat!(
            aks_show!(),
            cluster!($($member),*),
            "\n# az role assignment list --scope <registry-id> --include-inherited -o json\n[\n  ",
            registry_roles_example!(@role $first),
            $(",\n  ", registry_roles_example!(@role $role),)*
            "\n]"
        )
    };
    (@role ($id:literal, $name:literal, $role:literal)) => {
        concat!(
            "{\"principalId\": \"", $id, "\", \"principalName\": \"", $name,
            "\", \"roleDefinitionName\": \"", $role,
            "\", \"scope\": \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared/providers/Microsoft.ContainerRegistry/registries/acrprod\"}"
        )
    };
}

pub mod z100_aks_audit_logs_collected;
pub mod z101_aks_defender_profile;
pub mod z102_aks_registry_user_access;
pub mod z103_aks_kubelet_registry_read_only;
pub mod z104_aks_approved_registries;
pub mod z105_aks_defender_gating_secret_access;
pub mod z106_aks_audit_log_coverage;
pub mod z110_aks_secrets_kms;
pub mod z111_aks_disk_customer_managed_keys;
pub mod z120_aks_api_server_access_restricted;
pub mod z121_aks_private_cluster;
pub mod z122_aks_node_public_ip;
pub mod z123_aks_network_policy_engine;
pub mod z124_aks_load_balancer_tls;
pub mod z125_aks_load_balancer_sku;
pub mod z126_aks_private_dns_zone;
pub mod z127_aks_network_policy_windows_coverage;
pub mod z130_aks_entra_id_integration;
pub mod z131_aks_azure_rbac;
pub mod z132_aks_local_accounts_disabled;
pub mod z133_aks_kubernetes_rbac;
pub mod z134_aks_managed_identity;
pub mod z135_aks_run_command_disabled;
pub mod z136_aks_pod_identity_kubenet;
pub mod z137_aks_entra_admin_groups;
pub mod z140_aks_encryption_at_host;
pub mod z141_aks_ephemeral_os_disk;
pub mod z142_aks_fips_image;
pub mod z143_aks_node_ssh_disabled;
pub mod z144_aks_trusted_launch;
pub mod z150_aks_cluster_auto_upgrade;
pub mod z151_aks_node_os_upgrade_channel;
pub mod z152_aks_kubernetes_version_supported;
pub mod z153_aks_node_image_age;
pub mod z160_aks_sku_tier;
pub mod z161_aks_workload_identity;
pub mod z162_aks_image_cleaner;
pub mod z163_aks_azure_policy_addon;
pub mod z164_aks_keyvault_secrets_rotation;
pub mod z165_aks_dashboard_disabled;
pub mod z166_aks_http_application_routing_disabled;
pub mod z170_aks_outbound_type;
pub mod z171_aks_api_server_vnet_integration;

/// What a check may know beyond the cluster.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// The date support windows are judged at (`--as-of`).
    pub as_of: Date,
}

pub type Eval = fn(&Cluster, &Ctx) -> Vec<Finding>;

/// One AKS check: its metadata and its evaluation of one cluster (with its pools, diagnostic
/// settings and role assignments).
pub struct Check {
    pub meta: &'static CheckMeta,
    pub eval: Eval,
}

impl Check {
    pub const fn new(meta: &'static CheckMeta, eval: Eval) -> Self {
        Check { meta, eval }
    }
}

/// Every check, in code order: the run order, and the one list the metadata comes from.
pub static CHECKS: &[&Check] = &[
    &z100_aks_audit_logs_collected::CHECK,
    &z101_aks_defender_profile::CHECK,
    &z102_aks_registry_user_access::CHECK,
    &z103_aks_kubelet_registry_read_only::CHECK,
    &z104_aks_approved_registries::CHECK,
    &z105_aks_defender_gating_secret_access::CHECK,
    &z106_aks_audit_log_coverage::CHECK,
    &z110_aks_secrets_kms::CHECK,
    &z111_aks_disk_customer_managed_keys::CHECK,
    &z120_aks_api_server_access_restricted::CHECK,
    &z121_aks_private_cluster::CHECK,
    &z122_aks_node_public_ip::CHECK,
    &z123_aks_network_policy_engine::CHECK,
    &z124_aks_load_balancer_tls::CHECK,
    &z125_aks_load_balancer_sku::CHECK,
    &z126_aks_private_dns_zone::CHECK,
    &z127_aks_network_policy_windows_coverage::CHECK,
    &z130_aks_entra_id_integration::CHECK,
    &z131_aks_azure_rbac::CHECK,
    &z132_aks_local_accounts_disabled::CHECK,
    &z133_aks_kubernetes_rbac::CHECK,
    &z134_aks_managed_identity::CHECK,
    &z135_aks_run_command_disabled::CHECK,
    &z136_aks_pod_identity_kubenet::CHECK,
    &z137_aks_entra_admin_groups::CHECK,
    &z140_aks_encryption_at_host::CHECK,
    &z141_aks_ephemeral_os_disk::CHECK,
    &z142_aks_fips_image::CHECK,
    &z143_aks_node_ssh_disabled::CHECK,
    &z144_aks_trusted_launch::CHECK,
    &z150_aks_cluster_auto_upgrade::CHECK,
    &z151_aks_node_os_upgrade_channel::CHECK,
    &z152_aks_kubernetes_version_supported::CHECK,
    &z153_aks_node_image_age::CHECK,
    &z160_aks_sku_tier::CHECK,
    &z161_aks_workload_identity::CHECK,
    &z162_aks_image_cleaner::CHECK,
    &z163_aks_azure_policy_addon::CHECK,
    &z164_aks_keyvault_secrets_rotation::CHECK,
    &z165_aks_dashboard_disabled::CHECK,
    &z166_aks_http_application_routing_disabled::CHECK,
    &z170_aks_outbound_type::CHECK,
    &z171_aks_api_server_vnet_integration::CHECK,
];

pub const fn cis(id: &'static str) -> RefStatic {
    RefStatic::cis_aks("1.8.0", id)
}
pub const fn policy(guid: &'static str) -> RefStatic {
    RefStatic::new("Azure Policy", "", guid)
}
pub const fn checkov(id: &'static str) -> RefStatic {
    RefStatic::new("Checkov", "", id)
}

pub fn cluster_resource(c: &Cluster) -> Resource {
    Resource::new("ManagedCluster", c.name.clone())
}

pub fn pool_resource(c: &Cluster, p: &Pool) -> Resource {
    Resource::new("AgentPool", format!("{}/{}", c.name, p.name))
}

/// The resource group, from `resourceGroup` or the resource id.
pub fn resource_group(c: &Cluster) -> Option<String> {
    if let Some(rg) = c.get("resourceGroup").str() {
        return Some(rg.to_string());
    }
    let id = c.get("id").str()?;
    let parts: Vec<&str> = id.split('/').collect();
    let i = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("resourceGroups"))?;
    parts.get(i + 1).map(|s| s.to_string())
}

/// The check's documented fix with this cluster's names filled in, each shell-quoted: the fix is
/// a command line and the names come from the input.
pub fn fix(meta: &CheckMeta, c: &Cluster, pool: Option<&Pool>) -> String {
    use kubeward_core::escape::shell;
    let mut s = meta.doc.fix.replace("<cluster>", &shell(&c.name));
    if let Some(rg) = resource_group(c) {
        s = s.replace("<resource-group>", &shell(&rg));
    }
    if let Some(p) = pool {
        s = s.replace("<pool>", &shell(&p.name));
    }
    s
}

pub fn finding(
    meta: &'static CheckMeta,
    c: &Cluster,
    pool: Option<&Pool>,
    status: Status,
    message: impl Into<kubeward_core::Text>,
) -> Finding {
    let resource = match pool {
        Some(p) => pool_resource(c, p),
        None => cluster_resource(c),
    };
    Finding::new(meta, status, resource, message).with_remediation(fix(meta, c, pool))
}

/// A boolean setting with a documented default.
pub struct BoolRule<'s> {
    /// The verdict wants this value.
    pub want: bool,
    /// What AKS does when the field is absent or null.
    pub default: bool,
    /// Why that is the default (shown with the finding).
    pub default_reason: &'s str,
    /// What the setting is, for messages: "local accounts disabled".
    pub what: &'s str,
}

/// Judges one boolean field: PASS/FAIL, the documented default when unset, MANUAL when an ARM
/// expression hides the value, ERROR when the value is not a boolean.
pub fn judge_bool(
    meta: &'static CheckMeta,
    c: &Cluster,
    pool: Option<&Pool>,
    field: &Field<'_>,
    rule: &BoolRule<'_>,
) -> Finding {
    let expected = rule.want.to_string();
    if let Val::Unresolved(e) = field.val {
        return finding(
            meta,
            c,
            pool,
            Status::Manual,
            format!("{}: the value is an ARM expression ({e}) kubeward cannot resolve; check the deployed value", rule.what),
        )
        .with_evidence(field.evidence(&expected));
    }
    let (value, defaulted) = match (field.bool(), field.is_unset()) {
        (Some(b), _) => (b, false),
        (None, true) => (rule.default, true),
        (None, false) => {
            return finding(
                meta,
                c,
                pool,
                Status::Error,
                format!(
                    "{}: unexpected value {} (expected true or false)",
                    rule.what,
                    field.display()
                ),
            )
            .with_evidence(field.evidence(&expected));
        }
    };
    let status = if value == rule.want {
        Status::Pass
    } else {
        Status::Fail
    };
    let mut message = format!("{}: {value}", rule.what);
    let mut ev = field.evidence(&expected);
    if defaulted {
        message.push_str(&format!(" (not set; AKS default: {})", rule.default));
        ev = ev.with_note(format!("not set: {}", rule.default_reason));
    }
    finding(meta, c, pool, status, message).with_evidence(ev)
}

/// Where a boolean setting is in the cluster's JSON.
#[derive(Debug, Clone, Copy)]
pub enum At {
    /// A dotted path from the cluster's properties.
    Cluster(&'static str),
    /// A key of every node pool.
    Pool(&'static str),
}

/// A check that judges one boolean setting: where it is and its rule. The setting is wanted on
/// ([`Setting::on`]) or off ([`Setting::off`]); either way AKS leaves it off unless asked.
pub struct Setting {
    pub at: At,
    pub rule: BoolRule<'static>,
}

impl Setting {
    const fn new(want: bool, at: At, what: &'static str, default_reason: &'static str) -> Self {
        Setting {
            at,
            rule: BoolRule {
                want,
                default: false,
                default_reason,
                what,
            },
        }
    }

    pub const fn on(at: At, what: &'static str, default_reason: &'static str) -> Self {
        Setting::new(true, at, what, default_reason)
    }

    pub const fn off(at: At, what: &'static str, default_reason: &'static str) -> Self {
        Setting::new(false, at, what, default_reason)
    }

    /// The setting judged on the cluster, or on each of its pools.
    pub fn judge(&self, meta: &'static CheckMeta, c: &Cluster) -> Vec<Finding> {
        match self.at {
            At::Cluster(path) => vec![judge_bool(meta, c, None, &c.get(path), &self.rule)],
            At::Pool(key) => per_pool(meta, c, |p| {
                judge_bool(meta, c, Some(p), &p.get(key), &self.rule)
            }),
        }
    }
}

/// A permission that matters only while a feature is on: its two boolean settings read together.
pub enum Gate<'f, 'a> {
    /// Either setting is an unresolved ARM expression.
    Unresolved,
    /// This setting is set, but not to a boolean.
    NotBool(&'f Field<'a>),
    /// The feature is off; `allowed`: the permission is granted for when it is turned on.
    Off { allowed: bool },
    /// The feature is on and the permission granted.
    Allowed,
    /// The feature is on and the permission not granted; `defaulted`: not set (false).
    Denied { defaulted: bool },
}

pub fn gate<'f, 'a>(enabled: &'f Field<'a>, allow: &'f Field<'a>) -> Gate<'f, 'a> {
    if enabled.is_unresolved() || allow.is_unresolved() {
        return Gate::Unresolved;
    }
    if let Some(bad) = [enabled, allow]
        .into_iter()
        .find(|f| !f.is_unset() && f.bool().is_none())
    {
        return Gate::NotBool(bad);
    }
    match (enabled.bool(), allow.bool()) {
        (Some(true), Some(true)) => Gate::Allowed,
        (Some(true), a) => Gate::Denied {
            defaulted: a.is_none(),
        },
        (_, a) => Gate::Off {
            allowed: a == Some(true),
        },
    }
}

/// ERROR: `f` is set, but not to a boolean.
pub fn not_bool(meta: &'static CheckMeta, c: &Cluster, f: &Field<'_>) -> Finding {
    finding(
        meta,
        c,
        None,
        Status::Error,
        format!(
            "{}: unexpected value {} (expected true or false)",
            f.path,
            f.display()
        ),
    )
}

/// Judges every node pool; NOT_APPLICABLE, with what to add, when the input holds none.
pub fn per_pool(
    meta: &'static CheckMeta,
    c: &Cluster,
    judge: impl Fn(&Pool) -> Finding,
) -> Vec<Finding> {
    if c.pools.is_empty() {
        return vec![finding(
            meta,
            c,
            None,
            Status::NotApplicable,
            "no node pools in the input (add `az aks nodepool list` output)",
        )];
    }
    c.pools.iter().map(judge).collect()
}

/// Evidence about something that is not a single field (a file, a list).
pub fn note_evidence(
    observed: impl Into<kubeward_core::Text>,
    file: &str,
    origin: &str,
) -> Evidence {
    let mut s = Source::file(file);
    s.origin = Some(origin.to_string());
    Evidence::observed(observed, s)
}

/// Runs every check on every cluster.
pub fn run(clusters: &[Cluster], ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in clusters {
        for check in CHECKS {
            out.extend((check.eval)(c, ctx));
        }
    }
    out
}

#[cfg(test)]
pub mod testing {
    use super::*;
    use crate::load::{InputFile, load};

    pub fn cluster(json: &str) -> Cluster {
        let inv = load(vec![InputFile {
            path: "cluster.json".into(),
            text: json.into(),
            forced_diagnostics: false,
        }]);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        inv.clusters.into_iter().next().expect("one cluster")
    }

    pub fn ctx() -> Ctx {
        Ctx {
            as_of: crate::versions::parse_date("2026-09-01").expect("date"),
        }
    }

    /// Statuses of one check on a cluster given as `az aks show` JSON.
    pub fn statuses(eval: Eval, json: &str) -> Vec<Status> {
        eval(&cluster(json), &ctx())
            .iter()
            .map(|f| f.status)
            .collect()
    }

    /// The ARM id of the test cluster `c`: children attach to it by this id only.
    pub const CLUSTER_ID: &str =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c";

    /// An `az aks show` document with these extra top-level fields (JSON members, no braces).
    pub fn cl(extra: &str) -> String {
        let pools = if extra.contains("agentPoolProfiles") {
            ""
        } else {
            r#","agentPoolProfiles":[]"#
        };
        let sep = if extra.is_empty() { "" } else { "," };
        format!(
            r#"{{"id":"{CLUSTER_ID}","name":"c","kubernetesVersion":"1.33","dnsPrefix":"c"{pools}{sep}{extra}}}"#
        )
    }

    /// Each cluster (its extra top-level members, as [`cl`] takes them) and the status `eval`
    /// gives it.
    pub fn assert_statuses(eval: Eval, vectors: &[(&str, Status)]) {
        for (members, want) in vectors {
            assert_eq!(status(eval, &cl(members)), *want, "{members}");
        }
    }

    pub fn status(eval: Eval, json: &str) -> Status {
        let s = statuses(eval, json);
        assert_eq!(s.len(), 1, "{s:?}");
        s[0]
    }

    /// A diagnostic-settings list of one setting of the test cluster, exporting `logs` (JSON
    /// log entries, no brackets) to a workspace.
    pub fn settings(logs: &str) -> String {
        format!(
            r#"[{{"id":"{CLUSTER_ID}/providers/microsoft.insights/diagnosticSettings/s","name":"s","workspaceId":"/w","logs":[{logs}]}}]"#
        )
    }

    /// The first finding's status of one check on a cluster and, when given, a file of
    /// diagnostic settings (as `--diagnostic-settings` gives it).
    pub fn status_with_settings(eval: Eval, cluster: &str, settings: Option<&str>) -> Status {
        let mut files = vec![InputFile {
            path: "c.json".into(),
            text: cluster.into(),
            forced_diagnostics: false,
        }];
        if let Some(d) = settings {
            files.push(InputFile {
                path: "d.json".into(),
                text: d.into(),
                forced_diagnostics: true,
            });
        }
        let inv = load(files);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        eval(&inv.clusters[0], &ctx())[0].status
    }

    /// The checks that judge one boolean setting ([`Setting`]).
    fn setting_checks() -> Vec<(&'static CheckMeta, &'static Setting, Eval)> {
        use super::*;
        vec![
            (
                &z101_aks_defender_profile::META,
                &z101_aks_defender_profile::SETTING,
                z101_aks_defender_profile::evaluate as Eval,
            ),
            (
                &z110_aks_secrets_kms::META,
                &z110_aks_secrets_kms::SETTING,
                z110_aks_secrets_kms::evaluate,
            ),
            (
                &z122_aks_node_public_ip::META,
                &z122_aks_node_public_ip::SETTING,
                z122_aks_node_public_ip::evaluate,
            ),
            (
                &z131_aks_azure_rbac::META,
                &z131_aks_azure_rbac::SETTING,
                z131_aks_azure_rbac::evaluate,
            ),
            (
                &z132_aks_local_accounts_disabled::META,
                &z132_aks_local_accounts_disabled::SETTING,
                z132_aks_local_accounts_disabled::evaluate,
            ),
            (
                &z135_aks_run_command_disabled::META,
                &z135_aks_run_command_disabled::SETTING,
                z135_aks_run_command_disabled::evaluate,
            ),
            (
                &z140_aks_encryption_at_host::META,
                &z140_aks_encryption_at_host::SETTING,
                z140_aks_encryption_at_host::evaluate,
            ),
            (
                &z162_aks_image_cleaner::META,
                &z162_aks_image_cleaner::SETTING,
                z162_aks_image_cleaner::evaluate,
            ),
            (
                &z163_aks_azure_policy_addon::META,
                &z163_aks_azure_policy_addon::SETTING,
                z163_aks_azure_policy_addon::evaluate,
            ),
            (
                &z165_aks_dashboard_disabled::META,
                &z165_aks_dashboard_disabled::SETTING,
                z165_aks_dashboard_disabled::evaluate,
            ),
            (
                &z166_aks_http_application_routing_disabled::META,
                &z166_aks_http_application_routing_disabled::SETTING,
                z166_aks_http_application_routing_disabled::evaluate,
            ),
        ]
    }

    /// `key` with its first letter's case flipped: Azure JSON keys are matched ignoring case.
    fn flip(key: &str) -> String {
        let mut cs = key.chars();
        let first = cs.next().expect("a key");
        let first = if first.is_ascii_uppercase() {
            first.to_ascii_lowercase()
        } else {
            first.to_ascii_uppercase()
        };
        std::iter::once(first).chain(cs).collect()
    }

    /// Cluster members setting the dotted `path` to `value` (a JSON value).
    fn nested(path: &str, value: &str) -> String {
        let (head, rest) = path.split_once('.').unwrap_or((path, ""));
        if rest.is_empty() {
            format!(r#""{head}":{value}"#)
        } else {
            format!(r#""{head}":{{{}}}"#, nested(rest, value))
        }
    }

    /// Every setting check, judged on its setting true, false, unset, not a boolean and (for a
    /// nested setting) under a parent that is not an object, with its keys in either case: the
    /// verdicts follow from its declaration.
    #[test]
    fn setting_checks_judge_their_setting() {
        for (meta, setting, eval) in setting_checks() {
            let rule = &setting.rule;
            let verdict = |v: bool| {
                if v == rule.want {
                    Status::Pass
                } else {
                    Status::Fail
                }
            };
            let (want, other) = (rule.want.to_string(), (!rule.want).to_string());
            match setting.at {
                At::Cluster(path) => {
                    let flipped: Vec<String> = path.split('.').map(flip).collect();
                    let flipped = flipped.join(".");
                    let mut cases = vec![
                        (nested(path, &want), Status::Pass),
                        (nested(&flipped, &want), Status::Pass),
                        (nested(path, &other), Status::Fail),
                        (nested(&flipped, &other), Status::Fail),
                        (String::new(), verdict(rule.default)),
                        (nested(path, r#""maybe""#), Status::Error),
                    ];
                    if let Some((parent, _)) = path.rsplit_once('.') {
                        cases.push((nested(parent, r#""yes""#), verdict(rule.default)));
                    }
                    for (members, expected) in cases {
                        assert_eq!(
                            status(eval, &cl(&members)),
                            expected,
                            "{} {members}",
                            meta.code
                        );
                    }
                }
                At::Pool(key) => {
                    let json = cl(&format!(
                        r#""agentPoolProfiles":[{{"name":"a","{key}":{want}}},{{"name":"b","{}":{other}}},{{"name":"c"}}]"#,
                        flip(key)
                    ));
                    let expected = vec![Status::Pass, Status::Fail, verdict(rule.default)];
                    assert_eq!(statuses(eval, &json), expected, "{}", meta.code);
                }
            }
        }
    }

    /// The example macros expand to the documents as they were written out.
    #[test]
    fn example_macros_expand_to_the_documents() {
        assert_eq!(
            super::z132_aks_local_accounts_disabled::META.doc.good,
            r#"{
  "name": "aks-prod",
  "resourceGroup": "rg-prod",
  "kubernetesVersion": "1.35",
  "agentPoolProfiles": [{"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5"}],
  "disableLocalAccounts": true
}"#
        );
        assert_eq!(
            super::z127_aks_network_policy_windows_coverage::META
                .doc
                .bad,
            r#"{
  "name": "aks-prod",
  "resourceGroup": "rg-prod",
  "kubernetesVersion": "1.35",
  "agentPoolProfiles": [
    {"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "osType": "Linux"},
    {"name": "win22", "mode": "User", "vmSize": "Standard_D4ds_v5", "osType": "Windows", "osSku": "Windows2022"}
  ],
  "networkProfile": {"networkPlugin": "azure", "networkPolicy": "azure"}
}"#
        );
        assert_eq!(
            super::z106_aks_audit_log_coverage::META.doc.good,
            r#"# az aks show -n aks-prod -g rg-prod -o json
{
  "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod",
  "name": "aks-prod",
  "resourceGroup": "rg-prod",
  "kubernetesVersion": "1.35",
  "agentPoolProfiles": [{"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5"}]
}
# az monitor diagnostic-settings list --resource <cluster-id> -o json
[
  {
    "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod/providers/microsoft.insights/diagnosticSettings/audit-to-law",
    "name": "audit-to-law",
    "workspaceId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.OperationalInsights/workspaces/law-prod",
    "logs": [
      {"category": "kube-audit", "enabled": true}
    ]
  }
]"#
        );
    }

    #[test]
    fn per_pool_checks_are_not_applicable_without_pools() {
        let c = cluster(&cl(""));
        for check in CHECKS {
            let out = (check.eval)(&c, &ctx());
            if out.iter().any(|f| f.resource.kind == "AgentPool") {
                panic!("{} judged a pool on a pool-less cluster", check.meta.code);
            }
        }
        for eval in [
            super::z122_aks_node_public_ip::evaluate as Eval,
            super::z140_aks_encryption_at_host::evaluate,
            super::z141_aks_ephemeral_os_disk::evaluate,
            super::z142_aks_fips_image::evaluate,
            super::z143_aks_node_ssh_disabled::evaluate,
            super::z144_aks_trusted_launch::evaluate,
            super::z153_aks_node_image_age::evaluate,
        ] {
            let out = eval(&c, &ctx());
            assert_eq!(out.len(), 1);
            assert_eq!(out[0].status, Status::NotApplicable);
            assert!(out[0].message.contains("az aks nodepool list"));
        }
    }
}
