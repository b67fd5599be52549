//! Workloads reviewed as the Pods they create, as Gatekeeper's expansion does
//! (`pkg/expansion` of open-policy-agent/gatekeeper): the resource at `templateSource` of the
//! parent becomes an object of `generatedGVK`, with the template's metadata, the parent's
//! namespace, and (when the template has none) the parent's name. Violations of the generated
//! object are reported on the parent workload, at its file and line.
//!
//! With ExpansionTemplates given, only they apply (and may chain: CronJob → Job → Pod, up to
//! [`MAX_CHAIN`] levels). Without, every workload kind that carries a pod template (see
//! `kubeward_inventory::PodTemplate`) expands to a Pod, the way Gatekeeper's published
//! `expand-deployments`/`expand-cronjobs` templates do.

use kubeward_inventory::{Map, Object, Origin, PodTemplate, Value};

use crate::load::error_at;
use crate::model::*;

/// The deepest chain of ExpansionTemplates followed.
const MAX_CHAIN: usize = 3;

#[derive(Debug, Clone)]
pub(crate) struct Expansion {
    pub name: String,
    /// (groups, kinds, versions) entries; `*` matches any.
    apply_to: Vec<(Vec<String>, Vec<String>, Vec<String>)>,
    /// Field path (`spec.template`).
    source: Vec<String>,
    generated: Gvk,
    /// Overrides the constraint's action for violations of the generated object.
    pub action: Option<Action>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn any_of(list: &[String], item: &str) -> bool {
    list.iter().any(|x| x == "*" || x == item)
}

impl Expansion {
    pub(crate) fn read(obj: &Object) -> Result<Expansion, PolicyError> {
        let fail =
            |ptr: &str, m: &str| error_at(obj, ptr, format!("ExpansionTemplate {}: {m}", obj.name));
        let spec = obj.value.get("spec").ok_or_else(|| fail("", "no spec"))?;
        let apply_to = spec
            .get("applyTo")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|a| {
                (
                    strings(a.get("groups")),
                    strings(a.get("kinds")),
                    strings(a.get("versions")),
                )
            })
            .collect::<Vec<_>>();
        if apply_to.is_empty() {
            return Err(fail("/spec", "spec.applyTo is empty"));
        }
        let source: Vec<String> = spec
            .get("templateSource")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| fail("/spec", "spec.templateSource is missing"))?
            .split('.')
            .map(str::to_string)
            .collect();
        let gvk = spec
            .get("generatedGVK")
            .ok_or_else(|| fail("/spec", "spec.generatedGVK is missing"))?;
        let text = |k: &str| gvk.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let generated = Gvk {
            group: text("group"),
            version: text("version"),
            kind: text("kind"),
        };
        if generated.kind.is_empty() || generated.version.is_empty() {
            return Err(fail(
                "/spec/generatedGVK",
                "generatedGVK needs version and kind",
            ));
        }
        let action = match spec.get("enforcementAction").and_then(Value::as_str) {
            None | Some("") => None,
            Some(a) => Some(match a.to_ascii_lowercase().as_str() {
                "deny" => Action::Deny,
                "dryrun" => Action::Dryrun,
                "warn" => Action::Warn,
                _ => {
                    return Err(fail(
                        "/spec/enforcementAction",
                        "enforcementAction must be deny, dryrun or warn",
                    ));
                }
            }),
        };
        Ok(Expansion {
            name: obj.name.clone(),
            apply_to,
            source,
            generated,
            action,
        })
    }

    fn applies(&self, gvk: &Gvk) -> bool {
        self.apply_to.iter().any(|(g, k, v)| {
            any_of(g, &gvk.group) && any_of(k, &gvk.kind) && any_of(v, &gvk.version)
        })
    }
}

/// The generated object: `template` (a pod template: metadata + spec) as `gvk`, in the
/// parent's namespace.
fn generate(
    parent: &Value,
    template: &Value,
    gvk: &Gvk,
    parent_ns: Option<&str>,
    parent_name: &str,
) -> Value {
    let mut metadata = template
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if metadata
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        metadata.insert("name", Value::String(parent_name.into()));
    }
    match parent_ns {
        Some(ns) => {
            metadata.insert("namespace", Value::String(ns.into()));
        }
        None => {
            metadata.remove("namespace");
        }
    }
    let _ = parent;
    let mut out = Map::new();
    out.insert("apiVersion", Value::String(gvk.api_version().into()));
    out.insert("kind", Value::String(gvk.kind.as_str().into()));
    out.insert("metadata", Value::Object(metadata));
    if let Some(t) = template.as_object() {
        for (k, v) in t.iter() {
            if k.as_str() != "metadata" && k.as_str() != "apiVersion" && k.as_str() != "kind" {
                out.insert(k.as_str(), v.clone());
            }
        }
    }
    Value::Object(out)
}

fn review_of(base: &Review, object: Value, gvk: Gvk, from: ExpandedFrom) -> Review {
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Review {
        operation: base.operation,
        object: Some(object),
        old_object: None,
        target: ObjectRef {
            api_version: gvk.api_version(),
            kind: gvk.kind.clone(),
            namespace: base.target.namespace.clone(),
            name,
        },
        kind: gvk,
        user_info: base.user_info.clone(),
        origin: from.origin.clone(),
        expanded_from: Some(from),
    }
}

fn from_of(review: &Review, expansion: Option<String>) -> ExpandedFrom {
    match &review.expanded_from {
        // A chain is attributed to the first workload.
        Some(f) => ExpandedFrom {
            expansion: expansion.or_else(|| f.expansion.clone()),
            ..f.clone()
        },
        None => ExpandedFrom {
            workload: review.target.clone(),
            origin: review.origin.clone(),
            expansion,
        },
    }
}

/// The reviews generated from `review` (not including it).
pub(crate) fn expand(review: &Review, templates: &[Expansion]) -> Vec<Review> {
    let mut out = Vec::new();
    if templates.is_empty() {
        default_expand(review, &mut out);
    } else {
        by_templates(review, templates, 0, &mut out);
    }
    out
}

fn default_expand(review: &Review, out: &mut Vec<Review>) {
    let Some(object) = &review.object else { return };
    if review.kind.kind == "Pod" {
        return;
    }
    // The inventory's workload view knows where each kind keeps its pod template.
    let probe = Object::new(object.clone(), Origin::default());
    let Some(t) = PodTemplate::of(&probe) else {
        return;
    };
    if !kubeward_inventory::is_workload(&probe) {
        return;
    }
    let mut template = Map::new();
    if !t.metadata.is_null() {
        template.insert("metadata", t.metadata.clone());
    }
    template.insert("spec", t.spec.clone());
    let gvk = Gvk {
        group: String::new(),
        version: "v1".into(),
        kind: "Pod".into(),
    };
    let pod = generate(
        object,
        &Value::Object(template),
        &gvk,
        review.target.namespace.as_deref(),
        &review.target.name,
    );
    out.push(review_of(review, pod, gvk, from_of(review, None)));
}

fn by_templates(review: &Review, templates: &[Expansion], depth: usize, out: &mut Vec<Review>) {
    if depth >= MAX_CHAIN {
        return;
    }
    let Some(object) = &review.object else { return };
    for t in templates.iter().filter(|t| t.applies(&review.kind)) {
        let Some(source) = t
            .source
            .iter()
            .try_fold(object, |cur, seg| cur.get(seg.as_str()))
            .filter(|s| s.is_object())
        else {
            continue;
        };
        let generated = generate(
            object,
            source,
            &t.generated,
            review.target.namespace.as_deref(),
            &review.target.name,
        );
        let child = review_of(
            review,
            generated,
            t.generated.clone(),
            from_of(review, Some(t.name.clone())),
        );
        by_templates(&child, templates, depth + 1, out);
        out.push(child);
    }
}

/// The action override of the ExpansionTemplate a review came from.
pub(crate) fn action_override(review: &Review, templates: &[Expansion]) -> Option<Action> {
    let name = review.expanded_from.as_ref()?.expansion.as_ref()?;
    templates.iter().find(|t| &t.name == name)?.action
}
