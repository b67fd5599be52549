//! Detection rules over audit events. One rule per file: its metadata and documentation, what it
//! needs from the source (so the report can say when it could not fire), its match function and
//! its positive and negative test events.

use kubeward_core::{CheckMeta, RefStatic, Status};
use serde_json::Value;

use crate::event::EventView;

mod a001_pod_exec;
mod a002_exec_suspicious_command;
mod a003_pod_portforward;
mod a004_ephemeral_container;
mod a005_privileged_pod_created;
mod a006_sensitive_hostpath_mount;
mod a007_host_pid_pod;
mod a008_host_ipc_pod;
mod a009_host_network_pod;
mod a010_dangerous_capabilities;
mod a011_cluster_admin_binding;
mod a012_wildcard_role;
mod a013_sensitive_role_permissions;
mod a014_system_role_modified;
mod a015_secret_read_anonymous;
mod a016_secret_read_outside_baseline;
mod a017_anonymous_request_allowed;
mod a018_local_admin_account_used;
mod a019_serviceaccount_token_request;
mod a020_csr_created_or_approved;
mod a021_admission_webhook_changed;
mod a022_kube_system_change;
mod a023_pod_in_system_namespace;
mod a024_node_proxy;
mod a025_events_deleted;
mod a026_impersonation;
mod a027_nodeport_service_created;
mod a028_coredns_modified;
mod a029_cronjob_created;
mod a030_permission_enumeration;
mod a031_forbidden_requests;
mod a032_binding_to_anonymous_or_all_users;
mod a033_configmap_credentials;
mod a034_serviceaccount_in_system_namespace;
mod a035_destructive_delete;
mod a036_ingress_created_without_tls;
mod a037_disallowed_user;
mod a038_attack_tool_activity;
mod a039_node_registered_unexpectedly;
mod a040_disallowed_namespace_created;
mod a041_role_with_write_privileges;
mod a042_deployment_created;
mod a043_deployment_deleted;
mod a044_service_created;
mod a045_service_deleted;
mod a046_configmap_created;
mod a047_configmap_deleted;
mod a048_namespace_created;
mod a049_namespace_deleted;
mod a050_serviceaccount_created;
mod a051_serviceaccount_deleted;
mod a052_role_created;
mod a053_role_deleted;
mod a054_clusterrole_created;
mod a055_clusterrole_deleted;
mod a056_rolebinding_created;
mod a057_rolebinding_deleted;
mod a058_clusterrolebinding_created;
mod a059_clusterrolebinding_deleted;
mod a060_secret_created;
mod a061_secret_deleted;
mod a062_secret_read_refused;
mod a063_disallowed_image;
mod a064_daemonset_changed_by_person;
pub(crate) mod a065_refusals_from_one_address;
mod a066_role_grants_node_proxy;
mod a067_privileged_builtin_binding;
mod a068_exec_tar_copy;
mod a069_system_identity_outside_cluster;
mod a070_system_token_for_user_serviceaccount;
mod resource_activity;

pub(crate) use a065_refusals_from_one_address as refusal_bursts;

/// Every check of the area, in code order: the run order, and the source of `crate::checks()`.
pub static CHECKS: &[&Check] = &[
    &a001_pod_exec::CHECK,
    &a002_exec_suspicious_command::CHECK,
    &a003_pod_portforward::CHECK,
    &a004_ephemeral_container::CHECK,
    &a005_privileged_pod_created::CHECK,
    &a006_sensitive_hostpath_mount::CHECK,
    &a007_host_pid_pod::CHECK,
    &a008_host_ipc_pod::CHECK,
    &a009_host_network_pod::CHECK,
    &a010_dangerous_capabilities::CHECK,
    &a011_cluster_admin_binding::CHECK,
    &a012_wildcard_role::CHECK,
    &a013_sensitive_role_permissions::CHECK,
    &a014_system_role_modified::CHECK,
    &a015_secret_read_anonymous::CHECK,
    &a016_secret_read_outside_baseline::CHECK,
    &a017_anonymous_request_allowed::CHECK,
    &a018_local_admin_account_used::CHECK,
    &a019_serviceaccount_token_request::CHECK,
    &a020_csr_created_or_approved::CHECK,
    &a021_admission_webhook_changed::CHECK,
    &a022_kube_system_change::CHECK,
    &a023_pod_in_system_namespace::CHECK,
    &a024_node_proxy::CHECK,
    &a025_events_deleted::CHECK,
    &a026_impersonation::CHECK,
    &a027_nodeport_service_created::CHECK,
    &a028_coredns_modified::CHECK,
    &a029_cronjob_created::CHECK,
    &a030_permission_enumeration::CHECK,
    &a031_forbidden_requests::CHECK,
    &a032_binding_to_anonymous_or_all_users::CHECK,
    &a033_configmap_credentials::CHECK,
    &a034_serviceaccount_in_system_namespace::CHECK,
    &a035_destructive_delete::CHECK,
    &a036_ingress_created_without_tls::CHECK,
    &a037_disallowed_user::CHECK,
    &a038_attack_tool_activity::CHECK,
    &a039_node_registered_unexpectedly::CHECK,
    &a040_disallowed_namespace_created::CHECK,
    &a041_role_with_write_privileges::CHECK,
    &a042_deployment_created::CHECK,
    &a043_deployment_deleted::CHECK,
    &a044_service_created::CHECK,
    &a045_service_deleted::CHECK,
    &a046_configmap_created::CHECK,
    &a047_configmap_deleted::CHECK,
    &a048_namespace_created::CHECK,
    &a049_namespace_deleted::CHECK,
    &a050_serviceaccount_created::CHECK,
    &a051_serviceaccount_deleted::CHECK,
    &a052_role_created::CHECK,
    &a053_role_deleted::CHECK,
    &a054_clusterrole_created::CHECK,
    &a055_clusterrole_deleted::CHECK,
    &a056_rolebinding_created::CHECK,
    &a057_rolebinding_deleted::CHECK,
    &a058_clusterrolebinding_created::CHECK,
    &a059_clusterrolebinding_deleted::CHECK,
    &a060_secret_created::CHECK,
    &a061_secret_deleted::CHECK,
    &a062_secret_read_refused::CHECK,
    &a063_disallowed_image::CHECK,
    &a064_daemonset_changed_by_person::CHECK,
    &a065_refusals_from_one_address::CHECK,
    &a066_role_grants_node_proxy::CHECK,
    &a067_privileged_builtin_binding::CHECK,
    &a068_exec_tar_copy::CHECK,
    &a069_system_identity_outside_cluster::CHECK,
    &a070_system_token_for_user_serviceaccount::CHECK,
];

/// Whether a rule depends on read verbs (`get`/`list`/`watch`), which `kube-audit-admin` and
/// `AKSAuditAdmin` drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadVerbs {
    NotNeeded,
    /// Sees some of its events without reads (e.g. exec over SPDY is `create`, over WebSocket `get`).
    Partly,
    Required,
}

/// What a rule needs from the audit source to be able to fire.
#[derive(Debug, Clone, Copy)]
pub struct Needs {
    /// Reads `requestObject` (level Request or RequestResponse).
    pub request_body: bool,
    /// Reads `responseObject` (level RequestResponse), e.g. the object a patch produced.
    pub response_body: bool,
    pub read_verbs: ReadVerbs,
    /// Resources whose write bodies the rule reads; when the source logs every write to them
    /// without a body (AKS logs configmaps at Metadata), the rule cannot fire.
    pub body_of: &'static [&'static str],
}

impl Needs {
    pub const METADATA: Needs = Needs {
        request_body: false,
        response_body: false,
        read_verbs: ReadVerbs::NotNeeded,
        body_of: &[],
    };
    pub const READS: Needs = Needs {
        read_verbs: ReadVerbs::Required,
        ..Needs::METADATA
    };
    /// Rules that see some of their events without reads (exec over WebSocket is a `get`).
    pub const PARTLY_READS: Needs = Needs {
        read_verbs: ReadVerbs::Partly,
        ..Needs::METADATA
    };
    /// Rules on the rules of roles and cluster roles.
    pub const ROLE_BODIES: Needs = Needs::bodies(&["roles", "clusterroles"]);
    /// Rules on the subjects and role of bindings.
    pub const BINDING_BODIES: Needs = Needs::bodies(&["clusterrolebindings", "rolebindings"]);
    /// Rules on pod specs: request bodies, and response bodies to judge patches on the object
    /// they produced (a patch body alone may not show the whole spec).
    pub const fn pod_specs() -> Needs {
        Needs {
            response_body: true,
            ..Needs::bodies(POD_BEARING)
        }
    }
    pub const fn bodies(of: &'static [&'static str]) -> Needs {
        Needs {
            request_body: true,
            response_body: false,
            read_verbs: ReadVerbs::NotNeeded,
            body_of: of,
        }
    }
}

/// User settings rules read.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Who may read secrets besides the built-in platform identities (exact names, or a prefix
    /// ending in `*`; `group:NAME` matches a group).
    pub secret_readers: Vec<String>,
    /// Non-system users expected in the log; `None` leaves the disallowed-user rule off.
    pub allowed_users: Option<Vec<String>>,
    /// Namespaces that may be created besides Kubernetes', AKS's and its add-ons' own (exact
    /// names, or a prefix ending in `*`).
    pub allowed_namespaces: Vec<String>,
    /// Images pods may run besides AKS's own (exact references, or a prefix ending in `*`);
    /// `None` leaves the disallowed-image rule off.
    pub allowed_images: Option<Vec<String>>,
    /// The cluster's node and pod address ranges (and any other range its own components call
    /// from); empty leaves the rule on system identities calling from elsewhere off.
    pub cluster_cidrs: Vec<ipnet::IpNet>,
}

/// A `--cluster-cidr` value that is neither an address range nor an address.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an address range (CIDR such as 10.224.0.0/16) or an address")]
pub struct CidrError(pub String);

/// Parses a cluster range: a CIDR, or one address (a range of one).
pub fn parse_cluster_cidr(text: &str) -> Result<ipnet::IpNet, CidrError> {
    let t = text.trim();
    t.parse::<ipnet::IpNet>()
        .or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| CidrError(text.to_string()))
}

/// One audit check: metadata, needs, the status of a match and the match function over one event
/// (the one evaluation signature of the area).
pub struct Check {
    pub meta: &'static CheckMeta,
    pub needs: Needs,
    /// FAIL for activity that is an attack or a risky change by itself; WARN for activity that
    /// is legitimate in some hands and needs a person's look; INFO for a record of routine
    /// changes (created/deleted objects) kept for review.
    pub on_match: Status,
    /// `Some(detail)` when the event matches; the detail says what in it matched.
    pub eval: fn(&EventView, &Config) -> Option<String>,
    /// Why the rule cannot run with this configuration, if it cannot.
    pub precondition: fn(&Config) -> Option<&'static str>,
}

impl Check {
    /// A check that can run with any configuration.
    pub const fn new(
        meta: &'static CheckMeta,
        needs: Needs,
        on_match: Status,
        eval: fn(&EventView, &Config) -> Option<String>,
    ) -> Check {
        Check {
            meta,
            needs,
            on_match,
            eval,
            precondition: always,
        }
    }

    /// The same check, off when `precondition` says why it cannot run.
    pub const fn with_precondition(
        self,
        precondition: fn(&Config) -> Option<&'static str>,
    ) -> Check {
        Check {
            precondition,
            ..self
        }
    }
}

fn always(_: &Config) -> Option<&'static str> {
    None
}

pub(crate) const fn ms(id: &'static str) -> RefStatic {
    RefStatic::new("Microsoft Threat Matrix for Kubernetes", "", id)
}
pub(crate) const fn falco(rule: &'static str) -> RefStatic {
    RefStatic::new("Falco k8saudit", "", rule)
}

/// Identities of the AKS control plane and of Kubernetes' own components. Rules about changes
/// made by people skip them: they change kube-system objects all day.
pub fn is_platform_identity(user: &str) -> bool {
    matches!(
        user,
        "aksService"
            | "system:apiserver"
            | "system:kube-controller-manager"
            | "system:kube-scheduler"
            | "system:kube-proxy"
            | "system:volume-scheduler"
    ) || user.starts_with("system:node:")
        || user
            .strip_prefix("system:serviceaccount:")
            .and_then(|sa| sa.split_once(':'))
            .is_some_and(|(ns, _)| AKS_ADDON_NAMESPACES.contains(&ns))
}

/// The detail (`verb resource namespace/name`) of a completed, successful request made by
/// someone other than the platform; `None` otherwise. Rules test their own resource and verb first.
pub fn succeeded_by_person(v: &EventView) -> Option<String> {
    is_completed_by_person(v).then(|| format!("{} {}", v.verb(), object_name(v)))
}

/// A completed, successful request made by someone other than the platform.
pub fn is_completed_by_person(v: &EventView) -> bool {
    v.is_final() && v.succeeded() && !is_platform_identity(v.username())
}

/// Namespaces whose service accounts belong to AKS itself or to add-ons AKS manages: they read
/// secrets (TLS certificates, webhook CA bundles) and patch webhooks as part of their job.
pub const AKS_ADDON_NAMESPACES: &[&str] = &[
    "kube-system",
    // Application routing add-on (managed NGINX ingress).
    "app-routing-system",
    // Istio-based service mesh add-on.
    "aks-istio-system",
    // Azure Policy add-on (Gatekeeper).
    "gatekeeper-system",
    // Calico network policy, installed by AKS through the Tigera operator.
    "calico-system",
    "tigera-operator",
];

/// `system:anonymous`, or a request authenticated as nobody.
pub fn is_anonymous(v: &EventView) -> bool {
    v.username() == "system:anonymous" || v.in_group("system:unauthenticated")
}

/// `pattern` is an exact name, a prefix ending in `*`, a suffix starting with `*`, or `group:NAME`.
pub fn user_matches(pattern: &str, v: &EventView) -> bool {
    if let Some(g) = pattern.strip_prefix("group:") {
        return v.in_group(g);
    }
    let user = v.username();
    if let Some(prefix) = pattern.strip_suffix('*') {
        user.starts_with(prefix)
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        user.ends_with(suffix)
    } else {
        user == pattern
    }
}

/// Resources whose objects hold a pod template (or are pods): the kinds of
/// `kubeward_inventory::workload::template_pointers`, by the resource name audit events carry.
pub const POD_BEARING: &[&str] = &[
    "pods",
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "replicationcontrollers",
    "podtemplates",
    // Argo Rollouts (argoproj.io).
    "rollouts",
];

/// A create/update/patch of a pod or workload (or of a pod's ephemeral containers) that succeeded.
pub fn is_pod_write(v: &EventView) -> bool {
    v.is_modify()
        && v.is_final()
        && v.succeeded()
        && POD_BEARING.contains(&v.resource())
        && matches!(v.subresource(), "" | "ephemeralcontainers")
}

// Pod specs, containers and string fields of request bodies: the inventory's vocabulary.
pub use kubeward_inventory::workload::body::{containers, pod_spec, str_at};

pub fn true_at(v: &Value, pointer: &str) -> bool {
    v.pointer(pointer).and_then(Value::as_bool) == Some(true)
}

/// The name of the object a request touched: `objectRef.name`, else (older logs of a create)
/// the body's `metadata.name`; empty when neither is logged.
pub fn request_name<'v>(v: &'v EventView) -> &'v str {
    match v.name() {
        "" => v
            .object()
            .map(|o| str_at(o, "/metadata/name"))
            .unwrap_or(""),
        n => n,
    }
}

/// Appends to a stream request's detail that it was refused (with the code when logged). A start
/// logged without an outcome (a stage-less copy of RequestReceived) is not a refusal.
pub fn push_refusal(detail: &mut String, v: &EventView) {
    if let Some(code) = v.code().filter(|_| !v.succeeded()) {
        detail.push_str(&format!(" (refused, code {code})"));
    } else if v.denied() {
        detail.push_str(" (refused)");
    }
}

/// `resource namespace/name` of the object a request touched, for details. A create names its
/// object only in the body (`objectRef` has no name yet): the body's name is used when logged.
pub fn object_name(v: &EventView) -> String {
    let mut s = v.resource().to_string();
    if !v.subresource().is_empty() {
        s.push('/');
        s.push_str(v.subresource());
    }
    let mut name = v.name().to_string();
    if name.is_empty()
        && v.verb() == "create"
        && v.subresource().is_empty()
        && let Some(obj) = v.object()
    {
        name = match str_at(obj, "/metadata/name") {
            "" => match str_at(obj, "/metadata/generateName") {
                "" => String::new(),
                prefix => format!("{prefix}*"),
            },
            n => n.to_string(),
        };
    }
    if !v.namespace().is_empty() {
        s.push(' ');
        s.push_str(v.namespace());
        s.push('/');
        s.push_str(&name);
    } else if !name.is_empty() {
        s.push(' ');
        s.push_str(&name);
    }
    s
}

/// Images AKS itself runs (add-ons, CSI drivers, monitoring agents): privileged by design.
pub fn is_aks_image(image: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "mcr.microsoft.com/oss/kubernetes/",
        "mcr.microsoft.com/oss/kubernetes-csi/",
        "mcr.microsoft.com/oss/azure/",
        "mcr.microsoft.com/oss/calico/",
        "mcr.microsoft.com/oss/cilium/",
        "mcr.microsoft.com/aks/",
        "mcr.microsoft.com/azuremonitor/",
        "mcr.microsoft.com/azure-policy/",
        "mcr.microsoft.com/containernetworking/",
    ];
    PREFIXES.iter().any(|p| image.starts_with(p))
}

/// For a successful pod or workload write that is not the platform managing its own objects
/// (see [`is_platform_own_write`]): the pod spec of the resulting object, for rules that
/// inspect pod specs.
pub fn written_pod_spec<'v>(v: &'v EventView) -> Option<&'v Value> {
    if !is_pod_write(v) {
        return None;
    }
    let obj = v.object()?;
    if is_platform_own_write(v, obj) {
        return None;
    }
    pod_spec(obj)
}

/// The kube-controller-manager controllers that create pods, with the kind of object whose
/// pods each one creates (their identities under `--use-service-account-credentials`, which
/// AKS sets).
const POD_CONTROLLERS: &[(&str, &str)] = &[
    (
        "system:serviceaccount:kube-system:daemon-set-controller",
        "DaemonSet",
    ),
    (
        "system:serviceaccount:kube-system:replicaset-controller",
        "ReplicaSet",
    ),
    ("system:serviceaccount:kube-system:job-controller", "Job"),
    (
        "system:serviceaccount:kube-system:statefulset-controller",
        "StatefulSet",
    ),
    (
        "system:serviceaccount:kube-system:replication-controller",
        "ReplicationController",
    ),
];

/// Whether a platform identity wrote this object as part of its job. Workload objects (a
/// Deployment, a DaemonSet…) written by a platform identity are AKS reconciling its add-ons.
/// A pod is the platform's own only when a controller creates the pods of the object that
/// owns it (its controlling ownerReference is of the kind that controller manages), or when a
/// kubelet creates the mirror pod of a static pod of its own node. Any other pod written by a
/// platform identity (a kube-system token used to create a bare pod, say) is judged on the pod.
pub fn is_platform_own_write(v: &EventView, obj: &Value) -> bool {
    let user = v.username();
    if !is_platform_identity(user) {
        return false;
    }
    if v.resource() != "pods" {
        return true;
    }
    let owners: Vec<(&str, &str)> = obj
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|o| o.get("controller").and_then(Value::as_bool) != Some(false))
        .map(|o| (str_at(o, "/kind"), str_at(o, "/name")))
        .collect();
    if let Some(node) = user.strip_prefix("system:node:") {
        let mirror = obj
            .pointer("/metadata/annotations/kubernetes.io~1config.mirror")
            .is_some();
        return mirror
            && owners
                .iter()
                .all(|(kind, name)| *kind == "Node" && *name == node);
    }
    let kinds: Vec<&str> = match POD_CONTROLLERS.iter().find(|(who, _)| *who == user) {
        Some((_, kind)) => vec![kind],
        // Without per-controller credentials every controller acts as the manager itself.
        None if user == "system:kube-controller-manager" => {
            POD_CONTROLLERS.iter().map(|(_, k)| *k).collect()
        }
        None => return false,
    };
    !owners.is_empty() && owners.iter().all(|(kind, _)| kinds.contains(kind))
}

/// For a pod or workload write by someone other than the platform whose pod spec sets the
/// host-namespace flag `key` (`hostPID`, `hostIPC`, `hostNetwork`) and runs other than AKS
/// images: the detail.
pub fn host_namespace_shared(v: &EventView, key: &str) -> Option<String> {
    let spec = written_pod_spec(v)?;
    (spec.get(key).and_then(Value::as_bool) == Some(true) && !all_aks_images(spec))
        .then(|| format!("{} {}: {key} true", v.verb(), object_name(v)))
}

/// For a successful (Cluster)RoleBinding create/update/patch by someone other than the
/// platform: the binding as it resulted.
pub fn written_binding<'v>(v: &'v EventView) -> Option<&'v Value> {
    if !matches!(v.resource(), "clusterrolebindings" | "rolebindings")
        || !v.is_modify()
        || !is_completed_by_person(v)
    {
        return None;
    }
    v.object()
}

/// The detail of a pod write with offending containers (`verb object: {label}a (img), b (img)`);
/// `None` when there are none.
pub fn containers_detail(v: &EventView, label: &str, bad: &[String]) -> Option<String> {
    (!bad.is_empty()).then(|| format!("{} {}: {label}{}", v.verb(), object_name(v), bad.join(", ")))
}

/// Containers of `spec` (not run from an AKS image) for which `pred` holds, as `name (image)`.
pub fn offending_containers(spec: &Value, pred: impl Fn(&Value) -> bool) -> Vec<String> {
    containers(spec)
        .filter(|c| !is_aks_image(str_at(c, "/image")))
        .filter(|c| pred(c))
        .map(|c| format!("{} ({})", str_at(c, "/name"), str_at(c, "/image")))
        .collect()
}

/// Whether every container of the spec runs an AKS image (the pod is the platform's own).
pub fn all_aks_images(spec: &Value) -> bool {
    let mut any = false;
    for c in containers(spec) {
        any = true;
        if !is_aks_image(str_at(c, "/image")) {
            return false;
        }
    }
    any
}

#[cfg(test)]
mod meta_tests {
    use super::*;

    #[test]
    fn aks_addon_service_accounts_are_platform_identities() {
        assert!(is_platform_identity("aksService"));
        assert!(is_platform_identity(
            "system:serviceaccount:kube-system:csi-secrets-store-provider-azure"
        ));
        assert!(is_platform_identity(
            "system:serviceaccount:app-routing-system:nginx"
        ));
        assert!(is_platform_identity(
            "system:serviceaccount:gatekeeper-system:gatekeeper-admin"
        ));
        assert!(!is_platform_identity("system:serviceaccount:shop:cart"));
        assert!(!is_platform_identity(
            "system:serviceaccount:kube-systemx:evil"
        ));
        assert!(!is_platform_identity("masterclient"));
        assert!(!is_platform_identity("alice@contoso.com"));
    }

    #[test]
    fn object_name_takes_a_created_objects_name_from_its_body() {
        use crate::event::Event;
        let name = |text: &str| {
            let ev: Event = serde_json::from_str(text).unwrap();
            object_name(&EventView::new(&ev))
        };
        assert_eq!(
            name(
                r#"{"verb":"create","objectRef":{"resource":"daemonsets","namespace":"kube-system"},"requestObject":{"metadata":{"name":"miner"}}}"#
            ),
            "daemonsets kube-system/miner"
        );
        assert_eq!(
            name(
                r#"{"verb":"create","objectRef":{"resource":"pods","namespace":"ns"},"requestObject":{"metadata":{"generateName":"web-"}}}"#
            ),
            "pods ns/web-*"
        );
        assert_eq!(
            name(r#"{"verb":"create","objectRef":{"resource":"clusterrolebindings"}}"#),
            "clusterrolebindings"
        );
        assert_eq!(
            name(
                r#"{"verb":"get","objectRef":{"resource":"pods","namespace":"ns","name":"p","subresource":"exec"}}"#
            ),
            "pods/exec ns/p"
        );
    }

    /// Falco's k8saudit ruleset, all 48 rules.
    const FALCO_K8SAUDIT: &[&str] = &[
        "Disallowed K8s User",
        "Create Disallowed Pod",
        "Create Privileged Pod",
        "Create Sensitive Mount Pod",
        "Create HostNetwork Pod",
        "Create HostPid Pod",
        "Create HostIPC Pod",
        "Create NodePort Service",
        "Create/Modify Configmap With Private Credentials",
        "Anonymous Request Allowed",
        "Attach/Exec Pod",
        "port-forward",
        "EphemeralContainers Created",
        "Create Disallowed Namespace",
        "Pod Created in Kube Namespace",
        "Service Account Created in Kube Namespace",
        "System ClusterRole Modified/Deleted",
        "Attach to cluster-admin Role",
        "ClusterRole With Wildcard Created",
        "ClusterRole With Write Privileges Created",
        "ClusterRole With Pod Exec Created",
        "K8s Deployment Created",
        "K8s Deployment Deleted",
        "K8s Service Created",
        "K8s Service Deleted",
        "K8s ConfigMap Created",
        "K8s ConfigMap Deleted",
        "K8s Namespace Created",
        "K8s Namespace Deleted",
        "K8s Serviceaccount Created",
        "K8s Serviceaccount Deleted",
        "K8s Role Created",
        "K8s Role Deleted",
        "K8s ClusterRole Created",
        "K8s ClusterRole Deleted",
        "K8s RoleBinding Created",
        "K8s RoleBinding Deleted",
        "K8s ClusterRoleBinding Created",
        "K8s ClusterRoleBinding Deleted",
        "K8s Secret Created",
        "K8s Secret Deleted",
        "K8s Secret Get Successfully",
        "K8s Secret Get Unsuccessfully Tried",
        "All K8s Audit Events",
        "Full K8s Administrative Access",
        "Ingress Object without TLS Certificate Created",
        "Untrusted Node Successfully Joined the Cluster",
        "Untrusted Node Unsuccessfully Tried to Join the Cluster",
    ];

    #[test]
    fn every_falco_k8saudit_detection_has_a_rule() {
        assert_eq!(FALCO_K8SAUDIT.len(), 48);
        let referenced: std::collections::BTreeSet<&str> = CHECKS
            .iter()
            .flat_map(|r| r.meta.references.iter())
            .filter(|x| x.framework == "Falco k8saudit")
            .map(|x| x.id)
            .collect();
        for name in &referenced {
            assert!(FALCO_K8SAUDIT.contains(name), "unknown Falco rule {name}");
        }
        let missing: Vec<&str> = FALCO_K8SAUDIT
            .iter()
            .copied()
            .filter(|n| !referenced.contains(n))
            .collect();
        // The one left out dumps every event (a disabled debug rule), not a detection.
        assert_eq!(missing, ["All K8s Audit Events"]);
    }

    #[test]
    fn every_rule_is_documented_referenced_and_unique() {
        let mut codes = std::collections::BTreeSet::new();
        for r in CHECKS {
            let m = r.meta;
            assert!(
                m.code.starts_with('A') && codes.insert(m.code),
                "{}",
                m.code
            );
            assert!(
                !m.doc.what.is_empty() && !m.doc.why.is_empty() && !m.doc.fix.is_empty(),
                "{}",
                m.code
            );
            assert!(
                m.references.iter().any(|x| x.framework == "MITRE ATT&CK"),
                "{} has no ATT&CK reference",
                m.code
            );
            assert!(
                matches!(r.on_match, Status::Fail | Status::Warn | Status::Info),
                "{}",
                m.code
            );
        }
        assert!(CHECKS.len() >= 30);
    }
}

/// Item 7 (issue 13): the platform allowlist covers a controller creating its own pods, not
/// any pod a platform identity creates.
#[cfg(test)]
mod platform_pod_tests {
    use super::testing::*;
    use super::*;
    use serde_json::json;

    /// A pod create by `user` whose one container is privileged, uses the host network and
    /// mounts the node's root, with `meta` merged into its metadata.
    fn risky_pod(user: &str, meta: Value) -> Value {
        let mut p = pod(json!({
            "hostNetwork": true,
            "containers": [{"name": "x", "image": "docker.io/library/alpine:3.20", "securityContext": {"privileged": true}}],
            "volumes": [{"name": "root", "hostPath": {"path": "/"}}]
        }));
        p["user"] =
            json!({"username": user, "groups": ["system:serviceaccounts", "system:authenticated"]});
        p["objectRef"] = json!({"resource": "pods", "namespace": "kube-system", "name": null});
        if let Some(m) = meta.as_object() {
            for (k, val) in m {
                p["requestObject"]["metadata"][k] = val.clone();
            }
        }
        p
    }

    fn owner(kind: &str, name: &str) -> Value {
        json!({"ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": "u-1", "controller": true, "blockOwnerDeletion": true}]})
    }

    fn judged(ev: Value) -> bool {
        let rules = [
            &a005_privileged_pod_created::CHECK,
            &a006_sensitive_hostpath_mount::CHECK,
            &a009_host_network_pod::CHECK,
        ];
        let fired: Vec<bool> = rules.iter().map(|r| fires(r, ev.clone())).collect();
        assert!(fired.iter().all(|f| *f == fired[0]), "{fired:?}");
        fired[0]
    }

    #[test]
    fn item7_controllers_creating_their_own_pods_are_allowlisted() {
        for (user, kind) in POD_CONTROLLERS {
            assert!(!judged(risky_pod(user, owner(kind, "agent"))), "{user}");
        }
        assert!(!judged(risky_pod(
            "system:kube-controller-manager",
            owner("DaemonSet", "agent")
        )));
        // A kubelet's mirror pod of a static pod on its own node.
        let mut mirror = owner("Node", "aks-np-1");
        mirror["annotations"] =
            json!({"kubernetes.io/config.mirror": "3f2a", "kubernetes.io/config.source": "file"});
        assert!(!judged(risky_pod("system:node:aks-np-1", mirror)));
        // Workload objects written by platform identities stay the platform's.
        let mut ds = deployment(
            json!({"hostNetwork": true, "containers": [{"name": "x", "image": "alpine", "securityContext": {"privileged": true}}]}),
        );
        ds["user"] = json!({"username": "aksService"});
        assert!(!fires(&a005_privileged_pod_created::CHECK, ds));
    }

    #[test]
    fn item7_other_pods_by_platform_identities_are_judged() {
        // A bare pod made with a kube-system service account's token.
        assert!(judged(risky_pod(
            "system:serviceaccount:kube-system:coredns",
            json!({})
        )));
        // A controller creating a pod owned by a kind it does not manage, or by nothing.
        assert!(judged(risky_pod(
            "system:serviceaccount:kube-system:daemon-set-controller",
            owner("ReplicaSet", "web-1")
        )));
        assert!(judged(risky_pod(
            "system:serviceaccount:kube-system:job-controller",
            json!({})
        )));
        assert!(judged(risky_pod(
            "system:kube-controller-manager",
            json!({})
        )));
        // A kubelet creating an ordinary pod, or a mirror pod claiming another node.
        assert!(judged(risky_pod("system:node:aks-np-1", json!({}))));
        let mut other = owner("Node", "aks-np-2");
        other["annotations"] = json!({"kubernetes.io/config.mirror": "3f2a"});
        assert!(judged(risky_pod("system:node:aks-np-1", other)));
        // aksService itself creating a bare pod.
        assert!(judged(risky_pod("aksService", json!({}))));
    }
}

/// The host-namespace rules (A007-A009): one shared evaluation, told apart by the pod spec field.
#[cfg(test)]
mod host_namespace_tests {
    use super::testing::*;
    use super::*;
    use serde_json::json;

    const FAMILY: [(&Check, &str); 3] = [
        (&a007_host_pid_pod::CHECK, "hostPID"),
        (&a008_host_ipc_pod::CHECK, "hostIPC"),
        (&a009_host_network_pod::CHECK, "hostNetwork"),
    ];

    /// A one-container spec with image `image`, and `field` set to `value` when given.
    fn host_namespace_spec(field: &str, value: Option<bool>, image: &str) -> Value {
        let mut spec = json!({"containers": [{"name": "x", "image": image}]});
        if let Some(value) = value {
            spec[field] = json!(value);
        }
        spec
    }

    /// `field: true` fires on a pod and on a deployment's pod template.
    #[test]
    fn fire_on_a_pod_and_a_workload_setting_their_field() {
        for (rule, field) in FAMILY {
            let spec = host_namespace_spec(field, Some(true), "alpine");
            assert!(fires(rule, pod(spec.clone())), "{field}");
            assert!(fires(rule, deployment(spec)), "{field}");
        }
    }

    /// Silent when `field` is unset or false, and when the pod is made only of AKS images.
    #[test]
    fn silent_when_their_field_is_unset_or_false_or_the_pod_runs_aks_images() {
        let aks = "mcr.microsoft.com/oss/kubernetes/kube-proxy:v1.30.4";
        for (rule, field) in FAMILY {
            for (value, image) in [(None, "alpine"), (Some(false), "alpine"), (Some(true), aks)] {
                let spec = host_namespace_spec(field, value, image);
                assert!(!fires(rule, pod(spec)), "{field} {value:?} {image}");
            }
        }
    }
}

/// Test support: build events from a few fields over a realistic default, and run a rule.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::event::Event;
    use serde_json::json;

    /// A completed, allowed request by `alice`, with `over` merged on top (objects merge deeply;
    /// `null` removes a key).
    pub fn event(over: Value) -> String {
        let mut base = json!({
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
            "auditID": "0b9e6d4c-1111-4a5e-9d0e-000000000001", "stage": "ResponseComplete",
            "requestURI": "/api/v1/namespaces/default/pods", "verb": "create",
            "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]},
            "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
            "objectRef": {"resource": "pods", "namespace": "default", "name": "web", "apiVersion": "v1"},
            "responseStatus": {"metadata": {}, "code": 201},
            "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z",
            "stageTimestamp": "2026-11-20T10:00:00.050000Z",
            "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": "RBAC"}
        });
        merge(&mut base, over);
        base.to_string()
    }

    fn merge(base: &mut Value, over: Value) {
        match (base, over) {
            (Value::Object(b), Value::Object(o)) => {
                for (k, v) in o {
                    if v.is_null() {
                        b.remove(&k);
                    } else if let Some(slot) = b.get_mut(&k) {
                        merge(slot, v);
                    } else {
                        b.insert(k, v);
                    }
                }
            }
            (slot, v) => *slot = v,
        }
    }

    pub fn fires_with(rule: &Check, cfg: &Config, over: Value) -> Option<String> {
        let text = event(over);
        let ev: Event = serde_json::from_str(&text).expect("test event decodes");
        (rule.eval)(&EventView::new(&ev), cfg)
    }

    pub fn fires(rule: &Check, over: Value) -> bool {
        fires_with(rule, &Config::default(), over).is_some()
    }

    /// A pod create whose spec is `spec`.
    pub fn pod(spec: Value) -> Value {
        json!({"requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web"}, "spec": spec}})
    }

    /// A create of ClusterRole `r` holding `rules`.
    pub fn cluster_role(rules: Value) -> Value {
        json!({"objectRef": {"resource": "clusterroles", "apiGroup": "rbac.authorization.k8s.io", "namespace": null, "name": "r"},
               "requestObject": {"kind": "ClusterRole", "metadata": {"name": "r"}, "rules": rules}})
    }

    /// A create of Role `r` in `default` holding `rules`.
    pub fn role(rules: Value) -> Value {
        json!({"objectRef": {"resource": "roles", "apiGroup": "rbac.authorization.k8s.io", "name": "r"},
               "requestObject": {"kind": "Role", "metadata": {"name": "r"}, "rules": rules}})
    }

    /// A deployment create whose pod template spec is `spec`.
    pub fn deployment(spec: Value) -> Value {
        json!({
            "requestURI": "/apis/apps/v1/namespaces/default/deployments",
            "objectRef": {"resource": "deployments", "apiGroup": "apps", "name": "web"},
            "requestObject": {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": "web"},
                "spec": {"replicas": 1, "template": {"metadata": {}, "spec": spec}}}
        })
    }
}

/// A list of patterns for a rule's [`Config`] (`--secret-readers`, `--allowed-users`…): one per
/// line, `#` starts a comment, blank lines ignored. Read through the bounded reader.
pub fn read_pattern_list(
    path: &std::path::Path,
) -> Result<Vec<String>, kubeward_core::input::ReadError> {
    let text = kubeward_core::input::read_string(
        path,
        kubeward_core::input::limits::LIST,
        "a pattern list",
    )?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect())
}
