//! Applying every constraint to every review it matches.
//!
//! **Which engine.** Gatekeeper registers its K8sNativeValidation (CEL) driver ahead of the
//! Rego driver when CEL validation is enabled (the default since Gatekeeper 3.17, where the
//! feature went beta: open-policy-agent/gatekeeper `main.go` builds the driver list with
//! `k8scel` first, and frameworks' `client.Client` evaluates a template with the first
//! registered driver it has code for; see also Gatekeeper's
//! `website/docs/validating-admission-policy.md`). So a template with both is evaluated with
//! CEL, one with only Rego with Rego. `EvalOptions::engine` overrides that for templates that
//! have code for the engine asked for; a template with code for one engine only keeps it.
//!
//! **Work.** Each template's Rego is prepared once per run with `data.inventory` (regorus
//! values are reference-counted, so the per-thread clones share modules and data); each
//! reviewed object is converted once; reviews are spread over rayon's threads. The output
//! order is stable: reviews in input order (each followed by the reviews expanded from it),
//! constraints in load order.

use std::collections::{BTreeMap, HashMap};

use kubeward_inventory::{Object, Value};
use rayon::prelude::*;
use regorus::Value as RValue;
use serde_json::{Value as Json, json};

use crate::cel::{
    CelBound, CelError, CelInput, CelLimits, CelOutcome, CelParams, CelPrepared, CelProgram,
};
use crate::expand;
use crate::load::{Constraint, PolicySet, SyncEntry, Template};
use crate::matching::NamespaceLabels;
use crate::model::*;
use crate::rego::{self, PrepareError, Prepared, RegoFailure};

/// The engine `template` is evaluated with.
pub(crate) fn choose(template: &Template, forced: Option<Engine>) -> Option<Engine> {
    let has = |e: Engine| template.info.engines.contains(&e);
    match forced {
        Some(e) if has(e) => Some(e),
        _ if has(Engine::Cel) => Some(Engine::Cel),
        _ if has(Engine::Rego) => Some(Engine::Rego),
        _ => None,
    }
}

fn synced(sync: &Option<Vec<SyncEntry>>, obj: &Object) -> bool {
    let Some(entries) = sync else { return true };
    let gvk = Gvk::from_api_version(&obj.api_version, &obj.kind);
    entries.iter().any(|e| {
        (e.group == gvk.group || e.group == "*")
            && (e.version == gvk.version || e.version == "*" || e.version.is_empty())
            && (e.kind == gvk.kind || e.kind == "*")
    })
}

/// `data.inventory`: `cluster[groupVersion][kind][name]` and
/// `namespace[ns][groupVersion][kind][name]`, of the synced objects.
pub(crate) fn inventory_data(set: &PolicySet, inventory: &[Object]) -> RValue {
    type Tree = BTreeMap<String, BTreeMap<String, BTreeMap<String, RValue>>>;
    let mut cluster: Tree = BTreeMap::new();
    let mut namespaced: BTreeMap<String, Tree> = BTreeMap::new();
    for obj in inventory.iter().filter(|o| synced(&set.sync, o)) {
        if obj.kind.is_empty() || obj.api_version.is_empty() {
            continue;
        }
        let tree = match obj.namespace.as_deref().filter(|n| !n.is_empty()) {
            Some(ns) => namespaced.entry(ns.to_string()).or_default(),
            None => &mut cluster,
        };
        tree.entry(obj.api_version.clone())
            .or_default()
            .entry(obj.kind.clone())
            .or_default()
            .insert(obj.name.clone(), rego::to_rego(&obj.value));
    }
    fn tree_value(t: Tree) -> RValue {
        RValue::from(
            t.into_iter()
                .map(|(gv, kinds)| {
                    let kinds = kinds
                        .into_iter()
                        .map(|(k, names)| {
                            let names = names
                                .into_iter()
                                .map(|(n, v)| (RValue::from(n), v))
                                .collect::<BTreeMap<_, _>>();
                            (RValue::from(k), RValue::from(names))
                        })
                        .collect::<BTreeMap<_, _>>();
                    (RValue::from(gv), RValue::from(kinds))
                })
                .collect::<BTreeMap<_, _>>(),
        )
    }
    let namespaced = namespaced
        .into_iter()
        .map(|(ns, t)| (RValue::from(ns), tree_value(t)))
        .collect::<BTreeMap<_, _>>();
    let mut root = BTreeMap::new();
    root.insert(RValue::from("cluster"), tree_value(cluster));
    root.insert(RValue::from("namespace"), RValue::from(namespaced));
    RValue::from(root)
}

/// The admission request Gatekeeper hands a template as `input.review` (without the objects).
fn request_json(review: &Review) -> Json {
    let mut req = json!({
        "uid": "",
        "kind": {
            "group": review.kind.group,
            "version": review.kind.version,
            "kind": review.kind.kind,
        },
        "name": review.target.name,
        "operation": review.operation.as_str(),
        "userInfo": review.user_info,
        "dryRun": false,
    });
    if let Some(ns) = &review.target.namespace {
        req["namespace"] = json!(ns);
    }
    req
}

/// One review, converted once for every constraint that matches it.
struct Prepped {
    request: Json,
    object_json: Json,
    old_json: Json,
    namespace_json: Json,
    /// `input.review` for Rego (with `object`, `oldObject`, `_unstable.namespace`).
    rego_review: Option<RValue>,
}

fn prep(review: &Review, ns_objects: &HashMap<&str, &Value>, need_rego: bool) -> Prepped {
    let request = request_json(review);
    let object_json = review
        .object
        .as_ref()
        .map(Value::to_json)
        .unwrap_or(Json::Null);
    let old_json = review
        .old_object
        .as_ref()
        .map(Value::to_json)
        .unwrap_or(Json::Null);
    let ns_value = review
        .target
        .namespace
        .as_deref()
        .and_then(|n| ns_objects.get(n).copied());
    let namespace_json = ns_value.map(Value::to_json).unwrap_or(Json::Null);
    let rego_review = need_rego.then(|| {
        let mut r = rego::json_to_rego(&request);
        if let Ok(map) = r.as_object_mut() {
            if let Some(o) = &review.object {
                map.insert(RValue::from("object"), rego::to_rego(o));
            }
            if let Some(o) = &review.old_object {
                map.insert(RValue::from("oldObject"), rego::to_rego(o));
            }
            if let Some(ns) = ns_value {
                let mut unstable = BTreeMap::new();
                unstable.insert(RValue::from("namespace"), rego::to_rego(ns));
                map.insert(RValue::from("_unstable"), RValue::from(unstable));
            }
        }
        r
    });
    Prepped {
        request,
        object_json,
        old_json,
        namespace_json,
        rego_review,
    }
}

/// Applies every constraint of `set` to every review it matches (and to the Pods expanded
/// from workloads, see [`crate::expand`]). `inventory` fills `data.inventory` (restricted to
/// the kinds of a sync `Config` when one was loaded) and gives the Namespaces that
/// `namespaceSelector` reads; Namespace objects among `reviews` count too.
pub fn evaluate(
    set: &PolicySet,
    reviews: &[Review],
    inventory: &[Object],
    opts: &EvalOptions,
) -> Vec<Outcome> {
    evaluate_with_coverage(set, reviews, inventory, opts).0
}

/// [`evaluate`], plus how many reviews (expanded Pods included) each constraint matched, in the
/// order of [`PolicySet::constraints`]: a constraint with no outcome passed only when it
/// matched something; one that matched nothing judged nothing.
pub fn evaluate_with_coverage(
    set: &PolicySet,
    reviews: &[Review],
    inventory: &[Object],
    opts: &EvalOptions,
) -> (Vec<Outcome>, Vec<usize>) {
    let mut matched = vec![0usize; set.constraints.len()];
    if set.constraints.is_empty() {
        return (Vec::new(), matched);
    }
    let budget = opts.budget.max(rego::MIN_BUDGET);

    // Namespaces: the given objects, then the reviewed ones.
    let mut ns_objects: HashMap<&str, &Value> = HashMap::new();
    for o in inventory
        .iter()
        .filter(|o| o.kind == "Namespace" && o.group().is_empty())
    {
        ns_objects.insert(o.name.as_str(), &o.value);
    }
    for r in reviews {
        if r.kind.kind == "Namespace"
            && r.kind.group.is_empty()
            && let Some(o) = &r.object
        {
            ns_objects.entry(r.target.name.as_str()).or_insert(o);
        }
    }
    let ns_labels: NamespaceLabels<'_> = ns_objects
        .iter()
        .map(|(n, v)| (*n, v.pointer("/metadata/labels")))
        .collect();

    // Every review, each followed by what expands from it.
    let mut all: Vec<std::borrow::Cow<'_, Review>> = Vec::with_capacity(reviews.len() * 2);
    for r in reviews {
        all.push(std::borrow::Cow::Borrowed(r));
        if r.expanded_from.is_none() && (opts.expand_workloads || !set.expansions.is_empty()) {
            all.extend(
                expand::expand(r, &set.expansions)
                    .into_iter()
                    .map(std::borrow::Cow::Owned),
            );
        }
    }

    // The engine of each constraint's template, and the prepared Rego programs.
    let engines: Vec<Option<Engine>> = set
        .templates
        .iter()
        .map(|t| choose(t, opts.engine))
        .collect();
    let rego_used: Vec<bool> = (0..set.templates.len())
        .map(|i| {
            engines[i] == Some(Engine::Rego) && set.constraints.iter().any(|c| c.template == i)
        })
        .collect();
    let mut prepared: Vec<Option<Result<Prepared, PrepareError>>> = Vec::new();
    if rego_used.iter().any(|u| *u) {
        let data = inventory_data(set, inventory);
        prepared = set
            .templates
            .iter()
            .zip(&rego_used)
            .map(|(t, used)| {
                if !*used {
                    return None;
                }
                t.rego.as_ref().map(|p| p.prepare(&data, budget))
            })
            .collect();
    }
    let any_rego = prepared.iter().any(Option::is_some);
    // Parameters as CEL values, once per constraint.
    let cel_params: Vec<Result<CelParams, CelError>> = set
        .constraints
        .iter()
        .map(|c| CelParams::new(&c.params))
        .collect();
    // Parameters as Rego values, once per constraint.
    let rego_params: Vec<RValue> = set
        .constraints
        .iter()
        .map(|c| {
            if any_rego {
                rego::json_to_rego(&c.params)
            } else {
                RValue::Null
            }
        })
        .collect();
    let cel_limits = CelLimits {
        time: budget,
        ..CelLimits::default()
    };

    let per_review: Vec<(Vec<Outcome>, Vec<usize>)> = all
        .par_iter()
        .map_init(
            || {
                prepared
                    .iter()
                    .map(|p| p.as_ref().and_then(|r| r.as_ref().ok()).cloned())
                    .collect::<Vec<_>>()
            },
            |engines_rego, review| {
                let matching: Vec<(usize, &Constraint)> = set
                    .constraints
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        c.info.enforcement.action.is_some() && c.matcher.matches(review, &ns_labels)
                    })
                    .collect();
                if matching.is_empty() {
                    return (Vec::new(), Vec::new());
                }
                let hit: Vec<usize> = matching.iter().map(|(i, _)| *i).collect();
                let need_rego = any_rego
                    && matching
                        .iter()
                        .any(|(_, c)| engines[c.template] == Some(Engine::Rego));
                let p = prep(review, &ns_objects, need_rego);
                let need_cel = matching
                    .iter()
                    .any(|(_, c)| engines[c.template] == Some(Engine::Cel));
                // The review converted once for every CEL program.
                let cel_review = need_cel.then(|| {
                    CelPrepared::new(&CelInput {
                        object: &p.object_json,
                        old_object: &p.old_json,
                        params: &Json::Null,
                        request: &p.request,
                        namespace_object: &p.namespace_json,
                    })
                });
                // The review bound once, in the interpreter's representation, for every CEL
                // program that reviews it (binding is a deep copy in the `cel` crate).
                let cel_programs: Vec<&CelProgram> = matching
                    .iter()
                    .filter(|(_, c)| engines[c.template] == Some(Engine::Cel))
                    .filter_map(|(_, c)| set.templates[c.template].cel.as_deref())
                    .collect();
                let run = |bound: Option<&CelBound<'_>>| {
                    let mut out = Vec::new();
                    for (ci, c) in matching {
                        let t = &set.templates[c.template];
                        let engine = engines[c.template];
                        let base = Base {
                            set,
                            constraint: c,
                            template: t,
                            review,
                            engine,
                        };
                        match engine {
                            Some(Engine::Rego) => {
                                let prog =
                                    match (&mut engines_rego[c.template], &prepared[c.template]) {
                                        (Some(p), _) => p,
                                        (None, Some(Err(e))) => {
                                            out.push(
                                                base.error(EvalFailure::Runtime(e.to_string())),
                                            );
                                            continue;
                                        }
                                        _ => {
                                            out.push(base.error(EvalFailure::Runtime(
                                                "no Rego program".into(),
                                            )));
                                            continue;
                                        }
                                    };
                                let mut input = BTreeMap::new();
                                if let Some(r) = &p.rego_review {
                                    input.insert(RValue::from("review"), r.clone());
                                }
                                input.insert(RValue::from("parameters"), rego_params[ci].clone());
                                match prog.violations(RValue::from(input)) {
                                    Ok(vs) => {
                                        for v in vs {
                                            out.push(base.violation(v.msg, v.details));
                                        }
                                    }
                                    Err(RegoFailure::Budget) => {
                                        out.push(base.error(EvalFailure::Budget(budget)))
                                    }
                                    Err(RegoFailure::Runtime(m)) => {
                                        out.push(base.error(EvalFailure::Runtime(m)))
                                    }
                                }
                            }
                            Some(Engine::Cel) => {
                                let Some(program) = &t.cel else {
                                    continue;
                                };
                                let outcome = match (&cel_review, &cel_params[ci]) {
                                    (Some(Ok(r)), Ok(params)) => match bound {
                                        Some(b) => {
                                            program.evaluate_each_bound(b, params, cel_limits)
                                        }
                                        None => {
                                            program.evaluate_each_prepared(r, params, cel_limits)
                                        }
                                    },
                                    (Some(Err(e)), _) => Err(CelError::Eval(e.to_string())),
                                    (_, Err(e)) => Err(CelError::Eval(e.to_string())),
                                    (None, _) => {
                                        Err(CelError::Eval("the review was not prepared".into()))
                                    }
                                };
                                match outcome {
                                    Ok(outcomes) => {
                                        for o in outcomes {
                                            match o {
                                                CelOutcome::Violation(v) => {
                                                    out.push(base.violation(v.message, Json::Null))
                                                }
                                                CelOutcome::Failed(e) => out.push(
                                                    base.error(EvalFailure::Runtime(e.to_string())),
                                                ),
                                            }
                                        }
                                    }
                                    Err(CelError::Budget) => {
                                        out.push(base.error(EvalFailure::Budget(budget)))
                                    }
                                    Err(e) => {
                                        out.push(base.error(EvalFailure::Runtime(e.to_string())))
                                    }
                                }
                            }
                            None => out.push(base.error(EvalFailure::Runtime(
                                "the template has no code for any engine".into(),
                            ))),
                        }
                    }
                    out
                };
                let out = match &cel_review {
                    Some(Ok(r)) => r.bind_for(&cel_programs, |b| run(Some(b))),
                    _ => run(None),
                };
                (out, hit)
            },
        )
        .collect();
    let mut outcomes = Vec::new();
    for (out, hit) in per_review {
        outcomes.extend(out);
        for i in hit {
            matched[i] += 1;
        }
    }
    (outcomes, matched)
}

struct Base<'a> {
    set: &'a PolicySet,
    constraint: &'a Constraint,
    template: &'a Template,
    review: &'a Review,
    engine: Option<Engine>,
}

impl Base<'_> {
    fn violation(&self, message: String, details: Json) -> Outcome {
        let c = &self.constraint.info;
        let action = expand::action_override(self.review, &self.set.expansions)
            .or(c.enforcement.action)
            .unwrap_or(Action::Deny);
        Outcome::Violation(Violation {
            template: self.template.info.name.clone(),
            constraint: c.constraint.clone(),
            enforcement: c.enforcement.clone(),
            action,
            severity: c.severity,
            message,
            details,
            object: self.review.target.clone(),
            origin: self.review.origin.clone(),
            expanded_from: self.review.expanded_from.clone(),
            engine: self.engine.unwrap_or(Engine::Rego),
        })
    }

    fn error(&self, reason: EvalFailure) -> Outcome {
        let c = &self.constraint.info;
        Outcome::Error(EvalError {
            template: self.template.info.name.clone(),
            constraint: c.constraint.clone(),
            enforcement: c.enforcement.clone(),
            object: self.review.target.clone(),
            origin: self.review.origin.clone(),
            expanded_from: self.review.expanded_from.clone(),
            engine: self.engine,
            reason,
        })
    }
}
