//! RBAC analysis: roles (with aggregated ClusterRoles resolved), bindings and subjects, and the
//! questions asked of them — who can do what, and which dangerous permissions each subject holds.

pub mod danger;
mod selector;

use std::collections::{BTreeMap, BTreeSet};

use kubeward_inventory::Value;
use kubeward_inventory::{Inventory, Object};
use serde::Serialize;

pub use selector::selector_matches;

/// Aggregation chains deeper than this are cut (the real controller has no chains this long).
const MAX_AGGREGATION_DEPTH: usize = 16;
/// Entries read from one list field of a rule or binding (bounds hostile input).
const MAX_LIST: usize = 4096;

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// One policy rule, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub verbs: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_LIST)
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

impl Rule {
    fn parse(v: &Value) -> Rule {
        Rule {
            api_groups: strings(v.get("apiGroups")),
            resources: strings(v.get("resources")),
            verbs: strings(v.get("verbs")),
            resource_names: strings(v.get("resourceNames")),
            non_resource_urls: strings(v.get("nonResourceURLs")),
        }
    }

    pub fn allows_verb(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == "*" || v == verb)
    }

    pub fn allows_group(&self, group: &str) -> bool {
        self.api_groups.iter().any(|g| g == "*" || g == group)
    }

    /// Kubernetes matching: `*`, the exact `resource[/subresource]`, or `*/subresource`.
    pub fn allows_resource(&self, resource: &str, subresource: Option<&str>) -> bool {
        let combined = match subresource {
            Some(s) => format!("{resource}/{s}"),
            None => resource.to_string(),
        };
        self.resources.iter().any(|r| {
            r == "*"
                || *r == combined
                || subresource.is_some_and(|s| r.strip_prefix("*/") == Some(s))
        })
    }

    /// Does this rule grant `verb` on `resource[/subresource]` in `group` (`None`: any group)?
    pub fn grants(
        &self,
        verb: &str,
        group: Option<&str>,
        resource: &str,
        subresource: Option<&str>,
    ) -> bool {
        self.allows_verb(verb)
            && group.is_none_or(|g| self.allows_group(g))
            && self.allows_resource(resource, subresource)
    }

    /// Full wildcard: every verb on every resource of every group (not narrowed by
    /// `resourceNames`, which would limit it to the named objects).
    pub fn is_cluster_admin_like(&self) -> bool {
        self.resource_names.is_empty()
            && self.verbs.iter().any(|v| v == "*")
            && self.resources.iter().any(|r| r == "*")
            && self.api_groups.iter().any(|g| g == "*")
    }

    /// `verbs [get list] on [secrets] in groups [""]`.
    pub fn describe(&self) -> String {
        let groups: Vec<String> = self
            .api_groups
            .iter()
            .map(|g| {
                if g.is_empty() {
                    "\"\"".into()
                } else {
                    g.clone()
                }
            })
            .collect();
        let mut s = if self.non_resource_urls.is_empty() {
            format!(
                "verbs [{}] on [{}] in groups [{}]",
                self.verbs.join(" "),
                self.resources.join(" "),
                groups.join(" ")
            )
        } else {
            format!(
                "verbs [{}] on non-resource URLs [{}]",
                self.verbs.join(" "),
                self.non_resource_urls.join(" ")
            )
        };
        if !self.resource_names.is_empty() {
            s.push_str(&format!(
                " limited to names [{}]",
                self.resource_names.join(" ")
            ));
        }
        s
    }
}

/// A rule together with the role (and index) it is written in — the "why" of a grant.
#[derive(Debug, Clone)]
pub struct RuleRef<'a> {
    pub rule: Rule,
    pub role: &'a Object,
    pub index: usize,
}

impl RuleRef<'_> {
    /// JSON pointer of the rule in its role.
    pub fn pointer(&self) -> String {
        format!("/rules/{}", self.index)
    }
    /// `ClusterRole/edit rule 3`.
    pub fn origin(&self) -> String {
        format!("{} rule {}", role_label(self.role), self.index)
    }
}

fn role_label(role: &Object) -> String {
    match &role.namespace {
        Some(ns) => format!("{}/{}/{}", role.kind, ns, role.name),
        None => format!("{}/{}", role.kind, role.name),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        }
    }
}

/// Who a binding grants to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    /// Service accounts only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl Subject {
    /// `User alice`, `ServiceAccount shop/web`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind.as_str(), ns, self.name),
            None => format!("{} {}", self.kind.as_str(), self.name),
        }
    }
    /// A `system:` user or group: an identity Kubernetes itself authenticates (a label for
    /// people; it sets nothing apart, see [`crate::scope`]).
    pub fn is_system(&self) -> bool {
        self.kind != SubjectKind::ServiceAccount && self.name.starts_with("system:")
    }
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug, Clone)]
pub struct Binding<'a> {
    pub object: &'a Object,
    /// `Some(ns)` for a RoleBinding: the grant is limited to that namespace.
    pub namespace: Option<String>,
    pub role_kind: String,
    pub role_name: String,
    pub subjects: Vec<Subject>,
}

impl Binding<'_> {
    pub fn label(&self) -> String {
        role_label(self.object)
    }
    /// `cluster-wide` or `namespace shop`.
    pub fn scope(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("namespace {ns}"),
            None => "cluster-wide".into(),
        }
    }
    pub fn subjects_display(&self) -> String {
        if self.subjects.is_empty() {
            return "no subjects".into();
        }
        self.subjects
            .iter()
            .map(Subject::display)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The RBAC objects of an inventory, with aggregated ClusterRoles resolved.
#[derive(Debug, Default)]
pub struct Rbac<'a> {
    pub cluster_roles: BTreeMap<String, &'a Object>,
    pub roles: BTreeMap<(String, String), &'a Object>,
    pub bindings: Vec<Binding<'a>>,
    /// Effective rules of every ClusterRole (own rules plus aggregated ones).
    effective: BTreeMap<String, Vec<RuleRef<'a>>>,
}

/// Kubernetes' default ClusterRoles, for inputs that bind them without defining them.
fn builtin_roles() -> &'static Inventory {
    static ROLES: std::sync::OnceLock<Inventory> = std::sync::OnceLock::new();
    ROLES.get_or_init(|| {
        kubeward_inventory::load_str(
            BUILTIN_ORIGIN,
            include_str!("builtin_roles.yaml"),
            &kubeward_inventory::LoadOptions::default(),
        )
    })
}

/// Origin file name of the built-in default roles.
pub const BUILTIN_ORIGIN: &str = "<kubernetes default roles>";

fn is_rbac(obj: &Object) -> bool {
    obj.group() == RBAC_GROUP
}

fn own_rules(role: &Object) -> Vec<RuleRef<'_>> {
    role.value
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_LIST)
        .enumerate()
        .map(|(index, v)| RuleRef {
            rule: Rule::parse(v),
            role,
            index,
        })
        .collect()
}

impl<'a> Rbac<'a> {
    pub fn from_inventory(inv: &'a Inventory) -> Rbac<'a> {
        let mut rbac = Rbac::default();
        for obj in inv.objects.iter().filter(|o| is_rbac(o)) {
            match obj.kind.as_str() {
                "ClusterRole" => {
                    rbac.cluster_roles.insert(obj.name.clone(), obj);
                }
                "Role" => {
                    let ns = obj.namespace.clone().unwrap_or_else(|| "default".into());
                    rbac.roles.insert((ns, obj.name.clone()), obj);
                }
                "RoleBinding" | "ClusterRoleBinding" => rbac.bindings.push(parse_binding(obj)),
                _ => {}
            }
        }
        for role in builtin_roles().objects.iter() {
            rbac.cluster_roles.entry(role.name.clone()).or_insert(role);
        }
        let names: Vec<String> = rbac.cluster_roles.keys().cloned().collect();
        for name in names {
            let mut seen = BTreeSet::new();
            let rules = rbac.resolve(&name, &mut seen, 0);
            rbac.effective.insert(name, rules);
        }
        rbac
    }

    /// Own rules plus, for an aggregated ClusterRole, the rules of every ClusterRole its
    /// `aggregationRule.clusterRoleSelectors` select (recursively, each role once).
    fn resolve(&self, name: &str, seen: &mut BTreeSet<String>, depth: usize) -> Vec<RuleRef<'a>> {
        let Some(role) = self.cluster_roles.get(name).copied() else {
            return Vec::new();
        };
        if !seen.insert(name.to_string()) || depth > MAX_AGGREGATION_DEPTH {
            return Vec::new();
        }
        let mut rules = own_rules(role);
        let selectors: Vec<&Value> = role
            .value
            .pointer("/aggregationRule/clusterRoleSelectors")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .take(MAX_LIST)
            .collect();
        if !selectors.is_empty() {
            for (other_name, other) in &self.cluster_roles {
                if other_name == name {
                    continue;
                }
                let labels = other.value.pointer("/metadata/labels");
                if selectors.iter().any(|s| selector_matches(s, labels)) {
                    rules.extend(self.resolve(other_name, seen, depth + 1));
                }
            }
        }
        // A live snapshot already carries the aggregated rules: keep each source rule once.
        let mut unique = BTreeSet::new();
        rules.retain(|r| unique.insert((role_label(r.role), r.index)));
        rules
    }

    /// The role a binding refers to, if it is in the inputs.
    pub fn role_of(&self, b: &Binding<'a>) -> Option<&'a Object> {
        match b.role_kind.as_str() {
            "ClusterRole" => self.cluster_roles.get(&b.role_name).copied(),
            "Role" => {
                let ns = b.namespace.clone().unwrap_or_else(|| "default".into());
                self.roles.get(&(ns, b.role_name.clone())).copied()
            }
            _ => None,
        }
    }

    /// Effective rules granted through a binding (`None`: the role is not in the inputs).
    pub fn rules_of(&self, b: &Binding<'a>) -> Option<Vec<RuleRef<'a>>> {
        match b.role_kind.as_str() {
            "ClusterRole" => self.effective.get(&b.role_name).cloned(),
            "Role" => self.role_of(b).map(own_rules),
            _ => None,
        }
    }

    /// Effective rules of a ClusterRole by name.
    pub fn cluster_role_rules(&self, name: &str) -> Option<&[RuleRef<'a>]> {
        self.effective.get(name).map(Vec::as_slice)
    }

    /// Who can `verb` `resource[/subresource]` (in `group`; `None` guesses it from the
    /// resource name, see [`default_group`]) in `namespace` (`None`: anywhere)?
    pub fn who_can(&self, q: &Query) -> Vec<Grant<'a>> {
        let mut out = Vec::new();
        let group = q.group.as_deref().or_else(|| default_group(&q.resource));
        let cluster_scoped = is_cluster_scoped(&q.resource);
        for b in &self.bindings {
            if let Some(ns) = &b.namespace {
                // A RoleBinding never grants access to cluster-scoped resources.
                if cluster_scoped {
                    continue;
                }
                if q.namespace.as_ref().is_some_and(|want| want != ns) {
                    continue;
                }
            }
            let Some(rules) = self.rules_of(b) else {
                continue;
            };
            for r in rules {
                if !r
                    .rule
                    .grants(&q.verb, group, &q.resource, q.subresource.as_deref())
                {
                    continue;
                }
                if let Some(name) = &q.name
                    && !r.rule.resource_names.is_empty()
                    && !r.rule.resource_names.contains(name)
                {
                    continue;
                }
                for s in &b.subjects {
                    out.push(Grant {
                        subject: s.clone(),
                        binding: b.clone(),
                        rule: r.clone(),
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            (&a.subject, a.binding.label(), a.rule.origin()).cmp(&(
                &b.subject,
                b.binding.label(),
                b.rule.origin(),
            ))
        });
        out
    }
}

fn parse_binding(obj: &Object) -> Binding<'_> {
    let namespace = (obj.kind == "RoleBinding")
        .then(|| obj.namespace.clone().unwrap_or_else(|| "default".into()));
    let role_kind = obj
        .value
        .pointer("/roleRef/kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let role_name = obj
        .value
        .pointer("/roleRef/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let subjects = obj
        .value
        .get("subjects")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_LIST)
        .filter_map(|s| {
            let kind = match s.get("kind").and_then(Value::as_str)? {
                "User" => SubjectKind::User,
                "Group" => SubjectKind::Group,
                "ServiceAccount" => SubjectKind::ServiceAccount,
                _ => return None,
            };
            let name = s.get("name").and_then(Value::as_str)?.to_string();
            let namespace = match kind {
                // A service-account subject without a namespace means the binding's own.
                SubjectKind::ServiceAccount => s
                    .get("namespace")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| namespace.clone()),
                _ => None,
            };
            Some(Subject {
                kind,
                name,
                namespace,
            })
        })
        .collect();
    Binding {
        object: obj,
        namespace,
        role_kind,
        role_name,
        subjects,
    }
}

/// A question for [`Rbac::who_can`].
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub verb: String,
    /// API group; `None` to infer it from well-known resource names.
    pub group: Option<String>,
    pub resource: String,
    pub subresource: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
}

impl Query {
    /// Parse `RESOURCE[.GROUP][/SUBRESOURCE]` as kubectl does (`deployments.apps`, `pods/exec`).
    pub fn parse(verb: &str, target: &str) -> Query {
        let (res, sub) = match target.split_once('/') {
            Some((r, s)) => (r, Some(s.to_string())),
            None => (target, None),
        };
        let (resource, group) = match res.split_once('.') {
            Some((r, g)) => (r.to_string(), Some(g.to_string())),
            None => (res.to_string(), None),
        };
        Query {
            verb: verb.to_string(),
            group,
            resource,
            subresource: sub,
            namespace: None,
            name: None,
        }
    }
}

/// One reason a subject can do something: subject ← binding ← role rule.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    pub subject: Subject,
    pub binding: Binding<'a>,
    pub rule: RuleRef<'a>,
}

impl Grant<'_> {
    /// `RoleBinding/shop/deployers -> ClusterRole/edit rule 3 (namespace shop)`.
    pub fn chain(&self) -> String {
        let via = if self.rule.role.kind == "ClusterRole"
            && self.rule.role.name != self.binding.role_name
        {
            format!(" (aggregated into ClusterRole/{})", self.binding.role_name)
        } else {
            String::new()
        };
        format!(
            "{} -> {}{} [{}]",
            self.binding.label(),
            self.rule.origin(),
            via,
            self.binding.scope()
        )
    }
}

/// API group of well-known resources, so `who-can get secrets` does not match `metrics.k8s.io`
/// rules about other things.
pub fn default_group(resource: &str) -> Option<&'static str> {
    Some(match resource {
        "pods"
        | "secrets"
        | "configmaps"
        | "services"
        | "serviceaccounts"
        | "nodes"
        | "persistentvolumes"
        | "persistentvolumeclaims"
        | "namespaces"
        | "endpoints"
        | "events"
        | "replicationcontrollers"
        | "users"
        | "groups"
        | "limitranges"
        | "resourcequotas"
        | "podtemplates" => "",
        "deployments" | "daemonsets" | "statefulsets" | "replicasets" | "controllerrevisions" => {
            "apps"
        }
        "jobs" | "cronjobs" => "batch",
        "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings" => RBAC_GROUP,
        "certificatesigningrequests" | "signers" => "certificates.k8s.io",
        "validatingwebhookconfigurations"
        | "mutatingwebhookconfigurations"
        | "validatingadmissionpolicies"
        | "validatingadmissionpolicybindings" => "admissionregistration.k8s.io",
        "networkpolicies" | "ingresses" | "ingressclasses" => "networking.k8s.io",
        "customresourcedefinitions" => "apiextensions.k8s.io",
        "storageclasses" | "csidrivers" | "csinodes" | "volumeattachments" => "storage.k8s.io",
        "uids" | "userextras" => "authentication.k8s.io",
        "tokenreviews" => "authentication.k8s.io",
        "subjectaccessreviews" => "authorization.k8s.io",
        "leases" => "coordination.k8s.io",
        _ => return None,
    })
}

/// Cluster-scoped resources: a RoleBinding cannot grant them.
pub fn is_cluster_scoped(resource: &str) -> bool {
    matches!(
        resource,
        "nodes"
            | "persistentvolumes"
            | "namespaces"
            | "clusterroles"
            | "clusterrolebindings"
            | "certificatesigningrequests"
            | "signers"
            | "validatingwebhookconfigurations"
            | "mutatingwebhookconfigurations"
            | "validatingadmissionpolicies"
            | "validatingadmissionpolicybindings"
            | "customresourcedefinitions"
            | "storageclasses"
            | "csidrivers"
            | "csinodes"
            | "volumeattachments"
            | "ingressclasses"
            | "runtimeclasses"
            | "priorityclasses"
            | "apiservices"
            | "users"
            | "groups"
            | "uids"
            | "userextras"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_inventory::{LoadOptions, load_str};

    const AGGREGATED: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-peek
  labels: {rbac.example.com/aggregate-to-monitoring: "true"}
rules:
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: unrelated
  labels: {other: "true"}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: mon, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
subjects:
- {kind: ServiceAccount, name: prometheus}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: pods-everywhere}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: unrelated}
subjects:
- {kind: User, name: bob}
"#;

    fn inv(yaml: &str) -> Inventory {
        let inv = load_str("rbac.yaml", yaml, &LoadOptions::default());
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        inv
    }

    #[test]
    fn aggregated_cluster_role_gets_the_selected_roles_rules() {
        let inv = inv(AGGREGATED);
        let rbac = Rbac::from_inventory(&inv);
        let rules = rbac.cluster_role_rules("monitoring").expect("resolved");
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].role.name, "secret-peek");
        assert!(rules[0].rule.grants("list", Some(""), "secrets", None));
    }

    #[test]
    fn rolebinding_to_cluster_role_is_scoped_to_its_namespace() {
        let inv = inv(AGGREGATED);
        let rbac = Rbac::from_inventory(&inv);
        let mut q = Query::parse("get", "secrets");
        q.namespace = Some("shop".into());
        let grants = rbac.who_can(&q);
        assert_eq!(grants.len(), 1);
        assert_eq!(
            grants[0].subject.display(),
            "ServiceAccount shop/prometheus"
        );
        assert!(
            grants[0]
                .chain()
                .contains("aggregated into ClusterRole/monitoring")
        );
        q.namespace = Some("other".into());
        assert!(rbac.who_can(&q).is_empty());
    }

    #[test]
    fn who_can_honours_wildcards_and_subresources() {
        let inv = inv(AGGREGATED);
        let rbac = Rbac::from_inventory(&inv);
        let mut q = Query::parse("create", "pods/exec");
        q.namespace = Some("anywhere".into());
        // `pods` does not cover `pods/exec`.
        assert!(rbac.who_can(&q).is_empty());
        let q = Query::parse("delete", "pods");
        let grants = rbac.who_can(&q);
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].subject.name, "bob");
        let star_sub = Rule {
            api_groups: vec!["".into()],
            resources: vec!["*/exec".into()],
            verbs: vec!["create".into()],
            ..Default::default()
        };
        assert!(star_sub.grants("create", Some(""), "pods", Some("exec")));
        assert!(!star_sub.grants("create", Some(""), "pods", None));
    }

    #[test]
    fn rolebinding_never_grants_cluster_scoped_resources() {
        let inv = inv(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: a}\nroleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}\nsubjects: [{kind: User, name: carol}]\n",
        );
        let rbac = Rbac::from_inventory(&inv);
        assert!(rbac.who_can(&Query::parse("get", "nodes/proxy")).is_empty());
        assert_eq!(rbac.who_can(&Query::parse("get", "secrets")).len(), 1);
    }

    #[test]
    fn aggregation_cycles_terminate() {
        let inv = inv(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: a, labels: {x: 'true'}}\naggregationRule: {clusterRoleSelectors: [{matchLabels: {x: 'true'}}]}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: b, labels: {x: 'true'}}\naggregationRule: {clusterRoleSelectors: [{matchLabels: {x: 'true'}}]}\nrules: [{apiGroups: [''], resources: [secrets], verbs: [get]}]\n",
        );
        let rbac = Rbac::from_inventory(&inv);
        assert_eq!(rbac.cluster_role_rules("a").map(<[_]>::len), Some(2));
        assert_eq!(rbac.cluster_role_rules("b").map(<[_]>::len), Some(2));
    }

    #[test]
    fn resource_names_limit_grants_to_the_named_objects() {
        let inv = inv(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\nrules: [{apiGroups: [''], resources: [secrets], resourceNames: [tls], verbs: [get]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: a}\nroleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}\nsubjects: [{kind: User, name: dave}]\n",
        );
        let rbac = Rbac::from_inventory(&inv);
        let mut q = Query::parse("get", "secrets");
        q.name = Some("tls".into());
        assert_eq!(rbac.who_can(&q).len(), 1);
        q.name = Some("db-password".into());
        assert!(rbac.who_can(&q).is_empty());
        // Without a name the limited grant is still listed (it grants something).
        q.name = None;
        assert_eq!(rbac.who_can(&q).len(), 1);
        // `list` is not granted at all.
        assert!(rbac.who_can(&Query::parse("list", "secrets")).is_empty());
    }

    #[test]
    fn query_parses_group_and_subresource() {
        let q = Query::parse("get", "deployments.apps/scale");
        assert_eq!(q.resource, "deployments");
        assert_eq!(q.group.as_deref(), Some("apps"));
        assert_eq!(q.subresource.as_deref(), Some("scale"));
    }
}
