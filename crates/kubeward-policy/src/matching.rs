//! `spec.match` of a constraint, as Gatekeeper matches (its `pkg/mutation/match` rules, shared
//! by the admission target):
//! - `kinds`: any entry whose `apiGroups` and `kinds` hold the object's (`*` for any); no
//!   entry matches every kind;
//! - `scope`: `*` (default), `Cluster` (no namespace) or `Namespaced`;
//! - `namespaces` / `excludedNamespaces`: names, with a `*` prefix or suffix glob; a Namespace
//!   object is matched by its own name; other cluster-scoped objects are not filtered;
//! - `labelSelector`: the object's labels (for UPDATE and DELETE, the old object's labels
//!   match too);
//! - `namespaceSelector`: the labels of the object's Namespace (from the Namespace objects
//!   given; a Namespace object is judged by its own labels; cluster-scoped objects are not
//!   filtered);
//! - `name`: the object's name, with a `*` prefix or suffix glob.
//!
//! An object of a namespaced kind without `metadata.namespace` (a manifest applied with
//! `kubectl -n`) could land in any namespace: the namespace criteria do not exclude it, so a
//! violation is never hidden by a guess (`gator test` does the same: it has no namespace to
//! compare). Its Namespace's labels are unknown, so a `namespaceSelector` is judged against
//! no labels. The same holds for a namespace that no given Namespace object describes.

use std::collections::HashMap;

use kubeward_inventory::Value;
use serde_json::Value as Json;

use crate::model::Review;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Scope {
    #[default]
    Any,
    Cluster,
    Namespaced,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// Why a `spec.match` cannot be read; each names the field (`spec.match.kinds[0].kinds`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MatchError {
    #[error("{0} must be an object")]
    NotObject(String),
    #[error("{0} must be a map")]
    NotMap(String),
    #[error("{0} must be a string")]
    NotString(String),
    #[error("{0} must be a list of strings")]
    NotStringList(String),
    #[error("{0} is missing")]
    Missing(String),
    #[error("{at}.operator {operator:?} is not In, NotIn, Exists or DoesNotExist")]
    BadOperator {
        at: String,
        operator: Option<String>,
    },
    #[error("{0}: In and NotIn need values")]
    NoValues(String),
    #[error("spec.match.scope {0:?} is not *, Cluster or Namespaced")]
    BadScope(String),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Selector {
    labels: Vec<(String, String)>,
    expressions: Vec<(String, Op, Vec<String>)>,
}

impl Selector {
    fn read(v: &Json, at: &str) -> Result<Selector, MatchError> {
        let obj = v
            .as_object()
            .ok_or_else(|| MatchError::NotObject(at.to_string()))?;
        let mut s = Selector::default();
        if let Some(ml) = obj.get("matchLabels").filter(|m| !m.is_null()) {
            let ml = ml
                .as_object()
                .ok_or_else(|| MatchError::NotMap(format!("{at}.matchLabels")))?;
            for (k, v) in ml {
                let v = v
                    .as_str()
                    .ok_or_else(|| MatchError::NotString(format!("{at}.matchLabels.{k}")))?;
                s.labels.push((k.clone(), v.to_string()));
            }
        }
        for (i, e) in obj
            .get("matchExpressions")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let key = e
                .get("key")
                .and_then(Json::as_str)
                .ok_or_else(|| MatchError::Missing(format!("{at}.matchExpressions[{i}].key")))?;
            let op = match e.get("operator").and_then(Json::as_str) {
                Some("In") => Op::In,
                Some("NotIn") => Op::NotIn,
                Some("Exists") => Op::Exists,
                Some("DoesNotExist") => Op::DoesNotExist,
                other => {
                    return Err(MatchError::BadOperator {
                        at: format!("{at}.matchExpressions[{i}]"),
                        operator: other.map(str::to_string),
                    });
                }
            };
            let values: Vec<String> = e
                .get("values")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect();
            if matches!(op, Op::In | Op::NotIn) && values.is_empty() {
                return Err(MatchError::NoValues(format!("{at}.matchExpressions[{i}]")));
            }
            s.expressions.push((key.to_string(), op, values));
        }
        Ok(s)
    }

    /// Kubernetes label-selector semantics over `labels` (absent labels: an empty set).
    pub(crate) fn matches(&self, labels: Option<&Value>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.labels.iter().all(|(k, v)| get(k) == Some(v.as_str()))
            && self.expressions.iter().all(|(k, op, values)| match op {
                Op::In => get(k).is_some_and(|v| values.iter().any(|x| x == v)),
                Op::NotIn => get(k).is_none_or(|v| values.iter().all(|x| x != v)),
                Op::Exists => get(k).is_some(),
                Op::DoesNotExist => get(k).is_none(),
            })
    }
}

/// A constraint's `spec.match`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Match {
    /// (apiGroups, kinds) entries.
    kinds: Vec<(Vec<String>, Vec<String>)>,
    scope: Scope,
    namespaces: Vec<String>,
    excluded: Vec<String>,
    labels: Option<Selector>,
    namespace_labels: Option<Selector>,
    name: Option<String>,
}

/// The labels of the Namespaces known to a run, by name.
pub(crate) type NamespaceLabels<'a> = HashMap<&'a str, Option<&'a Value>>;

fn string_list(v: Option<&Json>, at: &str) -> Result<Vec<String>, MatchError> {
    match v {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| MatchError::NotStringList(at.to_string()))
            })
            .collect(),
        Some(_) => Err(MatchError::NotStringList(at.to_string())),
    }
}

/// `*` alone, a `prefix*`, a `*suffix`, or an exact name.
pub(crate) fn glob(pattern: &str, name: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(prefix) = pattern.strip_suffix('*') {
        return name.starts_with(prefix);
    }
    if let Some(suffix) = pattern.strip_prefix('*') {
        return name.ends_with(suffix);
    }
    pattern == name
}

/// Kinds that have no namespace (the built-in cluster-scoped kinds a manifest holds).
pub(crate) fn is_cluster_scoped_kind(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        (
            "",
            "Namespace" | "Node" | "PersistentVolume" | "ComponentStatus"
        ) | (
            "rbac.authorization.k8s.io",
            "ClusterRole" | "ClusterRoleBinding"
        ) | (
            "storage.k8s.io",
            "StorageClass" | "CSIDriver" | "CSINode" | "VolumeAttachment"
        ) | ("apiextensions.k8s.io", "CustomResourceDefinition")
            | ("apiregistration.k8s.io", "APIService")
            | (
                "admissionregistration.k8s.io",
                "ValidatingWebhookConfiguration"
                    | "MutatingWebhookConfiguration"
                    | "ValidatingAdmissionPolicy"
                    | "ValidatingAdmissionPolicyBinding"
            )
            | ("scheduling.k8s.io", "PriorityClass")
            | ("node.k8s.io", "RuntimeClass")
            | ("networking.k8s.io", "IngressClass")
            | ("policy", "PodSecurityPolicy")
            | ("certificates.k8s.io", "CertificateSigningRequest")
            | ("flowcontrol.apiserver.k8s.io", _)
            | ("templates.gatekeeper.sh", _)
            | ("constraints.gatekeeper.sh", _)
    )
}

impl Match {
    pub(crate) fn read(v: Option<&Json>) -> Result<Match, MatchError> {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            return Ok(Match::default());
        };
        let obj = v
            .as_object()
            .ok_or_else(|| MatchError::NotObject("spec.match".into()))?;
        let mut m = Match::default();
        for (i, k) in obj
            .get("kinds")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = format!("spec.match.kinds[{i}]");
            m.kinds.push((
                string_list(k.get("apiGroups"), &format!("{at}.apiGroups"))?,
                string_list(k.get("kinds"), &format!("{at}.kinds"))?,
            ));
        }
        m.scope = match obj.get("scope").and_then(Json::as_str) {
            None | Some("*") => Scope::Any,
            Some("Cluster") => Scope::Cluster,
            Some("Namespaced") => Scope::Namespaced,
            Some(other) => return Err(MatchError::BadScope(other.to_string())),
        };
        m.namespaces = string_list(obj.get("namespaces"), "spec.match.namespaces")?;
        m.excluded = string_list(
            obj.get("excludedNamespaces"),
            "spec.match.excludedNamespaces",
        )?;
        if let Some(s) = obj.get("labelSelector").filter(|s| !s.is_null()) {
            m.labels = Some(Selector::read(s, "spec.match.labelSelector")?);
        }
        if let Some(s) = obj.get("namespaceSelector").filter(|s| !s.is_null()) {
            m.namespace_labels = Some(Selector::read(s, "spec.match.namespaceSelector")?);
        }
        m.name = obj
            .get("name")
            .and_then(Json::as_str)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        Ok(m)
    }

    /// Whether the constraint applies to `review`.
    pub(crate) fn matches(&self, review: &Review, namespaces: &NamespaceLabels<'_>) -> bool {
        let kind = &review.kind;
        if !self.kinds.is_empty()
            && !self.kinds.iter().any(|(groups, kinds)| {
                (groups.is_empty() || groups.iter().any(|g| g == "*" || *g == kind.group))
                    && (kinds.is_empty() || kinds.iter().any(|k| k == "*" || *k == kind.kind))
            })
        {
            return false;
        }
        let is_namespace = kind.group.is_empty() && kind.kind == "Namespace";
        let ns = review.target.namespace.as_deref();
        let cluster_scoped = ns.is_none() && is_cluster_scoped_kind(&kind.group, &kind.kind);
        match self.scope {
            Scope::Any => {}
            Scope::Cluster if !cluster_scoped => return false,
            Scope::Namespaced if cluster_scoped => return false,
            _ => {}
        }
        // The namespace the namespace criteria judge: a Namespace's own name.
        let judged = if is_namespace {
            Some(review.target.name.as_str())
        } else {
            ns
        };
        if let Some(judged) = judged {
            if !self.namespaces.is_empty() && !self.namespaces.iter().any(|p| glob(p, judged)) {
                return false;
            }
            if self.excluded.iter().any(|p| glob(p, judged)) {
                return false;
            }
        }
        if let Some(name) = &self.name
            && !glob(name, &review.target.name)
        {
            return false;
        }
        if let Some(sel) = &self.labels {
            let labels_of = |v: &Option<Value>| {
                v.as_ref()
                    .map(|o| sel.matches(o.pointer("/metadata/labels")))
            };
            let any = labels_of(&review.object).unwrap_or(false)
                || labels_of(&review.old_object).unwrap_or(false);
            if !any {
                return false;
            }
        }
        if let Some(sel) = &self.namespace_labels {
            if is_namespace {
                let own = review
                    .object
                    .as_ref()
                    .or(review.old_object.as_ref())
                    .and_then(|o| o.pointer("/metadata/labels"));
                if !sel.matches(own) {
                    return false;
                }
            } else if !cluster_scoped {
                let labels = ns.and_then(|n| namespaces.get(n).copied().flatten());
                if !sel.matches(labels) {
                    return false;
                }
            }
        }
        true
    }
}
