//! Sorting loaded objects into templates, constraints, sync configuration, expansion templates
//! and reviews.

use std::sync::Arc;

use kubeward_core::Severity;
use kubeward_inventory::{Object, Origin, Value};
use serde_json::Value as Json;

use crate::cel::CelProgram;
use crate::expand::Expansion;
use crate::matching::Match;
use crate::model::*;
use crate::rego::RegoProgram;
use crate::schema;

/// The admission target: the only one Gatekeeper's Kubernetes templates use.
pub(crate) const TARGET: &str = "admission.k8s.gatekeeper.sh";

/// A compiled ConstraintTemplate.
#[derive(Debug)]
pub(crate) struct Template {
    pub info: TemplateInfo,
    /// `spec.crd.spec.validation.openAPIV3Schema`: its `default`s fill the parameters.
    pub schema: Option<Json>,
    pub rego: Option<RegoProgram>,
    pub cel: Option<Arc<CelProgram>>,
}

/// A constraint of a loaded template.
#[derive(Debug)]
pub(crate) struct Constraint {
    pub info: ConstraintInfo,
    /// Index into `PolicySet::templates`.
    pub template: usize,
    /// `spec.parameters` with the schema's defaults applied (`{}` when absent).
    pub params: Json,
    pub matcher: Match,
}

/// The group/version/kinds a Gatekeeper `Config` (or `SyncSet`) syncs into `data.inventory`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyncEntry {
    pub group: String,
    pub version: String,
    pub kind: String,
}

/// Templates, constraints and what goes with them, ready to evaluate.
#[derive(Debug, Default)]
pub struct PolicySet {
    pub(crate) templates: Vec<Template>,
    pub(crate) constraints: Vec<Constraint>,
    /// `None`: no Config given, every object is synced.
    pub(crate) sync: Option<Vec<SyncEntry>>,
    pub(crate) expansions: Vec<Expansion>,
}

impl PolicySet {
    /// Sorts `objects` by kind: ConstraintTemplates (`templates.gatekeeper.sh`), constraints
    /// (`constraints.gatekeeper.sh`, of a loaded template's kind), Gatekeeper `Config` and
    /// `SyncSet` (sync lists), `ExpansionTemplate`s, `AdmissionReview`s (reviewed as their
    /// request) and everything else (reviewed as a CREATE of the object). Test `Suite`s and the
    /// policy objects themselves are not reviewed.
    ///
    /// A template that does not compile, a constraint without a template, or a malformed
    /// policy object is a [`PolicyError`] with its file and line; the rest still loads.
    pub fn load(objects: &[Object]) -> (PolicySet, Vec<Review>, Vec<PolicyError>) {
        let mut set = PolicySet::default();
        let mut reviews = Vec::new();
        let mut errors = Vec::new();
        let mut constraints = Vec::new();
        for obj in objects {
            let group = obj.group();
            match (group, obj.kind.as_str()) {
                ("templates.gatekeeper.sh", "ConstraintTemplate") => match Template::compile(obj) {
                    Ok(t) => {
                        if set.templates.iter().any(|o| o.info.kind == t.info.kind) {
                            errors.push(error_at(
                                    obj,
                                    "",
                                    format!(
                                        "a second ConstraintTemplate defines the kind {}; the first is kept",
                                        t.info.kind
                                    ),
                                ));
                        } else {
                            set.templates.push(t);
                        }
                    }
                    Err(e) => errors.push(e),
                },
                ("constraints.gatekeeper.sh", _) => constraints.push(obj),
                ("config.gatekeeper.sh", "Config") => {
                    match sync_entries(obj, "/spec/sync/syncOnly") {
                        Ok(e) => set.sync.get_or_insert_with(Vec::new).extend(e),
                        Err(e) => errors.push(e),
                    }
                }
                ("syncset.gatekeeper.sh", "SyncSet") => match sync_entries(obj, "/spec/gvks") {
                    Ok(e) => set.sync.get_or_insert_with(Vec::new).extend(e),
                    Err(e) => errors.push(e),
                },
                ("expansion.gatekeeper.sh", "ExpansionTemplate") => match Expansion::read(obj) {
                    Ok(e) => set.expansions.push(e),
                    Err(e) => errors.push(e),
                },
                ("admission.k8s.io", "AdmissionReview") => match admission_review(obj) {
                    Ok(r) => reviews.push(r),
                    Err(e) => errors.push(e),
                },
                ("test.gatekeeper.sh", _) => {}
                _ => reviews.push(Review::of_object(obj)),
            }
        }
        for obj in constraints {
            match set.constraint(obj) {
                Ok(c) => set.constraints.push(c),
                Err(e) => errors.push(e),
            }
        }
        (set, reviews, errors)
    }

    /// Adds the templates, constraints and configuration of `other` (for `--policy` paths
    /// loaded apart). A constraint kind defined twice keeps the first template.
    pub fn merge(&mut self, other: PolicySet) {
        let mut remap = Vec::with_capacity(other.templates.len());
        for t in other.templates {
            match self
                .templates
                .iter()
                .position(|o| o.info.kind == t.info.kind)
            {
                Some(i) => remap.push(i),
                None => {
                    remap.push(self.templates.len());
                    self.templates.push(t);
                }
            }
        }
        for mut c in other.constraints {
            c.template = remap[c.template];
            self.constraints.push(c);
        }
        if let Some(s) = other.sync {
            self.sync.get_or_insert_with(Vec::new).extend(s);
        }
        self.expansions.extend(other.expansions);
    }

    pub fn is_empty(&self) -> bool {
        self.templates.is_empty() && self.constraints.is_empty()
    }

    /// The loaded templates.
    pub fn templates(&self) -> impl Iterator<Item = &TemplateInfo> {
        self.templates.iter().map(|t| &t.info)
    }

    /// The loaded constraints.
    pub fn constraints(&self) -> impl Iterator<Item = &ConstraintInfo> {
        self.constraints.iter().map(|c| &c.info)
    }

    /// True when a Gatekeeper `Config` or `SyncSet` limits what `data.inventory` holds.
    pub fn has_sync_config(&self) -> bool {
        self.sync.is_some()
    }

    /// True when ExpansionTemplates were given (they then replace the default expansion).
    pub fn has_expansion_templates(&self) -> bool {
        !self.expansions.is_empty()
    }

    fn constraint(&self, obj: &Object) -> Result<Constraint, PolicyError> {
        let template = self
            .templates
            .iter()
            .position(|t| t.info.kind == obj.kind)
            .ok_or_else(|| {
                error_at(
                    obj,
                    "",
                    format!(
                        "constraint {}/{}: no ConstraintTemplate defines the kind {}",
                        obj.kind, obj.name, obj.kind
                    ),
                )
            })?;
        let t = &self.templates[template];
        let json = obj.value.to_json();
        let enforcement = enforcement(&json).map_err(|m| {
            error_at(
                obj,
                "/spec/enforcementAction",
                format!("constraint {}/{}: {m}", obj.kind, obj.name),
            )
        })?;
        let severity = match obj.annotation(SEVERITY_ANNOTATION) {
            None => None,
            Some(s) => Some(parse_severity(s).ok_or_else(|| {
                error_at(
                    obj,
                    "/metadata/annotations",
                    format!(
                        "constraint {}/{}: annotation {SEVERITY_ANNOTATION} must be info, low, medium, high or critical",
                        obj.kind, obj.name
                    ),
                )
            })?),
        };
        let mut params = json
            .pointer("/spec/parameters")
            .cloned()
            .filter(|p| !p.is_null())
            .unwrap_or_else(|| Json::Object(Default::default()));
        if let Some(schema) = &t.schema {
            schema::apply_defaults(schema, &mut params);
        }
        let matcher = Match::read(json.pointer("/spec/match")).map_err(|m| {
            error_at(
                obj,
                "/spec/match",
                format!("constraint {}/{}: {m}", obj.kind, obj.name),
            )
        })?;
        Ok(Constraint {
            info: ConstraintInfo {
                constraint: ConstraintRef {
                    kind: obj.kind.clone(),
                    name: obj.name.clone(),
                },
                template: t.info.name.clone(),
                enforcement,
                severity,
                origin: obj.origin.clone(),
            },
            template,
            params,
            matcher,
        })
    }
}

fn parse_severity(s: &str) -> Option<Severity> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "info" => Severity::Info,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        _ => return None,
    })
}

fn parse_action(s: &str) -> Option<Action> {
    Some(match s.to_ascii_lowercase().as_str() {
        "deny" => Action::Deny,
        "dryrun" => Action::Dryrun,
        "warn" => Action::Warn,
        _ => return None,
    })
}

/// Why a constraint's enforcement cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum EnforcementError {
    #[error("spec.enforcementAction must be a string")]
    NotString,
    #[error("unknown enforcementAction {0:?} (deny, dryrun, warn or scoped)")]
    Unknown(String),
    #[error("each scopedEnforcementActions entry needs an action: deny, dryrun or warn")]
    ScopedWithoutAction,
    #[error("enforcementAction scoped needs scopedEnforcementActions with enforcementPoints")]
    ScopedWithoutPoints,
}

/// `spec.enforcementAction` (default `deny`) and, for `scoped`, `spec.scopedEnforcementActions`.
pub(crate) fn enforcement(constraint: &Json) -> Result<Enforcement, EnforcementError> {
    let written = match constraint.pointer("/spec/enforcementAction") {
        None | Some(Json::Null) => "deny".to_string(),
        Some(Json::String(s)) => s.to_ascii_lowercase(),
        Some(_) => return Err(EnforcementError::NotString),
    };
    if written != "scoped" {
        let action =
            parse_action(&written).ok_or_else(|| EnforcementError::Unknown(written.clone()))?;
        return Ok(Enforcement {
            written,
            points: vec![EnforcementPoint {
                name: "*".into(),
                action,
            }],
            action: Some(action),
        });
    }
    let mut points = Vec::new();
    for entry in constraint
        .pointer("/spec/scopedEnforcementActions")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let action = entry
            .get("action")
            .and_then(Json::as_str)
            .and_then(parse_action)
            .ok_or(EnforcementError::ScopedWithoutAction)?;
        for p in entry
            .get("enforcementPoints")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = p.get("name").and_then(Json::as_str) {
                points.push(EnforcementPoint {
                    name: name.to_string(),
                    action,
                });
            }
        }
    }
    if points.is_empty() {
        return Err(EnforcementError::ScopedWithoutPoints);
    }
    // The strongest action a point reports, where several entries name it.
    let at = |name: &str| {
        points
            .iter()
            .filter(|p| p.name == name || p.name == "*")
            .map(|p| p.action)
            .min()
    };
    let action = at(AUDIT_POINT).or_else(|| at(VALIDATION_POINT));
    Ok(Enforcement {
        written,
        points,
        action,
    })
}

impl Template {
    fn compile(obj: &Object) -> Result<Template, PolicyError> {
        let json = obj.value.to_json();
        let kind = json
            .pointer("/spec/crd/spec/names/kind")
            .and_then(Json::as_str)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                error_at(
                    obj,
                    "/spec/crd/spec/names",
                    format!(
                        "ConstraintTemplate {}: spec.crd.spec.names.kind is missing",
                        obj.name
                    ),
                )
            })?
            .to_string();
        // Gatekeeper requires the template's name to be its kind in lower case.
        if obj.name != kind.to_lowercase() {
            return Err(error_at(
                obj,
                "/metadata/name",
                format!(
                    "ConstraintTemplate {}: its name must be the lower-cased kind {:?}",
                    obj.name,
                    kind.to_lowercase()
                ),
            ));
        }
        let targets = json
            .pointer("/spec/targets")
            .and_then(Json::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let [target] = targets else {
            return Err(error_at(
                obj,
                "/spec/targets",
                format!(
                    "ConstraintTemplate {}: exactly one target is supported, found {}",
                    obj.name,
                    targets.len()
                ),
            ));
        };
        let target_name = target.get("target").and_then(Json::as_str).unwrap_or("");
        if target_name != TARGET {
            return Err(error_at(
                obj,
                "/spec/targets/0/target",
                format!(
                    "ConstraintTemplate {}: target {target_name:?} is not {TARGET}",
                    obj.name
                ),
            ));
        }

        let mut engines = Vec::new();
        // Rego: `rego` + `libs`, or a `code` entry with `engine: Rego` (source.rego, source.libs).
        let mut rego_src: Option<(String, Vec<String>, String)> = None;
        if let Some(r) = target.get("rego").and_then(Json::as_str)
            && !r.trim().is_empty()
        {
            let libs = strings(target.get("libs"));
            rego_src = Some((r.to_string(), libs, "/spec/targets/0/rego".to_string()));
        }
        let mut cel = None;
        for (i, code) in target
            .get("code")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            match code.get("engine").and_then(Json::as_str) {
                Some("K8sNativeValidation") => {
                    let source = code.get("source").unwrap_or(&Json::Null);
                    let program = CelProgram::compile(source).map_err(|e| {
                        error_at(
                            obj,
                            &format!("/spec/targets/0/code/{i}/source"),
                            format!("ConstraintTemplate {}: {e}", obj.name),
                        )
                    })?;
                    cel = Some(Arc::new(program));
                }
                Some("Rego") if rego_src.is_none() => {
                    if let Some(r) = code.pointer("/source/rego").and_then(Json::as_str) {
                        rego_src = Some((
                            r.to_string(),
                            strings(code.pointer("/source/libs")),
                            format!("/spec/targets/0/code/{i}/source/rego"),
                        ));
                    }
                }
                _ => {}
            }
        }
        let rego = match rego_src {
            Some((text, libs, pointer)) => {
                // A block scalar's text starts on the line after its key.
                let base = if pointer.is_empty() {
                    None
                } else {
                    obj.lines.exact(&pointer)
                };
                Some(RegoProgram::compile(&text, &libs).map_err(|e| PolicyError {
                    file: obj.origin.file.to_string(),
                    line: match (base, e.line) {
                        (Some(b), Some(l)) => Some(b + l),
                        (Some(b), None) => Some(b),
                        _ => obj.origin.line,
                    },
                    message: format!(
                        "ConstraintTemplate {}: Rego does not compile: {}",
                        obj.name, e.message
                    ),
                })?)
            }
            None => None,
        };
        if rego.is_some() {
            engines.push(Engine::Rego);
        }
        if cel.is_some() {
            engines.push(Engine::Cel);
        }
        if engines.is_empty() {
            return Err(error_at(
                obj,
                "/spec/targets/0",
                format!("ConstraintTemplate {}: no Rego and no CEL code", obj.name),
            ));
        }
        let schema = json
            .pointer("/spec/crd/spec/validation/openAPIV3Schema")
            .or_else(|| json.pointer("/spec/crd/spec/validation/legacySchema"))
            .cloned()
            .filter(|s| s.is_object());
        Ok(Template {
            info: TemplateInfo {
                name: obj.name.clone(),
                kind,
                title: obj
                    .annotation("metadata.gatekeeper.sh/title")
                    .map(str::to_string),
                description: obj.annotation("description").map(str::to_string),
                engines,
                origin: obj.origin.clone(),
            },
            schema,
            rego,
            cel,
        })
    }
}

fn strings(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(str::to_string)
        .collect()
}

pub(crate) fn error_at(obj: &Object, pointer: &str, message: String) -> PolicyError {
    PolicyError {
        file: obj.origin.file.to_string(),
        line: if pointer.is_empty() {
            obj.origin.line
        } else {
            obj.line_of(pointer)
        },
        message,
    }
}

fn sync_entries(obj: &Object, pointer: &str) -> Result<Vec<SyncEntry>, PolicyError> {
    let mut out = Vec::new();
    let Some(list) = obj.value.pointer(pointer) else {
        return Ok(out);
    };
    let Some(items) = list.as_array() else {
        return Err(error_at(
            obj,
            pointer,
            format!("{} {}: {pointer} must be a list", obj.kind, obj.name),
        ));
    };
    for item in items {
        let text = |k: &str| {
            item.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        out.push(SyncEntry {
            group: text("group"),
            version: text("version"),
            kind: text("kind"),
        });
    }
    Ok(out)
}

fn object_ref(v: &Value) -> ObjectRef {
    let text = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    ObjectRef {
        api_version: text("/apiVersion").unwrap_or_default(),
        kind: text("/kind").unwrap_or_default(),
        namespace: text("/metadata/namespace").filter(|n| !n.is_empty()),
        name: text("/metadata/name").unwrap_or_default(),
    }
}

impl Review {
    /// A plain object, reviewed as Gatekeeper's audit and `gator test` do: a CREATE of it.
    pub fn of_object(obj: &Object) -> Review {
        Review {
            operation: Operation::Create,
            object: Some(obj.value.clone()),
            old_object: None,
            kind: Gvk::from_api_version(&obj.api_version, &obj.kind),
            target: ObjectRef {
                api_version: obj.api_version.clone(),
                kind: obj.kind.clone(),
                namespace: obj.namespace.clone().filter(|n| !n.is_empty()),
                name: obj.name.clone(),
            },
            user_info: Json::Object(Default::default()),
            origin: obj.origin.clone(),
            expanded_from: None,
        }
    }
}

/// The request of an AdmissionReview: operation, object, oldObject, userInfo, kind, namespace,
/// name.
fn admission_review(obj: &Object) -> Result<Review, PolicyError> {
    let Some(req) = obj.value.get("request").filter(|r| r.is_object()) else {
        return Err(error_at(
            obj,
            "",
            "AdmissionReview without a request".to_string(),
        ));
    };
    let operation = match req
        .get("operation")
        .and_then(Value::as_str)
        .unwrap_or("CREATE")
    {
        "CREATE" => Operation::Create,
        "UPDATE" => Operation::Update,
        "DELETE" => Operation::Delete,
        "CONNECT" => Operation::Connect,
        other => {
            return Err(error_at(
                obj,
                "/request/operation",
                format!("AdmissionReview: unknown operation {other:?}"),
            ));
        }
    };
    let object = req.get("object").filter(|o| o.is_object()).cloned();
    let old_object = req.get("oldObject").filter(|o| o.is_object()).cloned();
    let Some(basis) = object.as_ref().or(old_object.as_ref()) else {
        return Err(error_at(
            obj,
            "/request",
            "AdmissionReview: the request has neither object nor oldObject".to_string(),
        ));
    };
    let mut target = object_ref(basis);
    let text = |p: &str| req.pointer(p).and_then(Value::as_str).map(str::to_string);
    let kind = match (text("/kind/kind"), text("/kind/version")) {
        (Some(kind), Some(version)) => Gvk {
            group: text("/kind/group").unwrap_or_default(),
            version,
            kind,
        },
        _ => Gvk::from_api_version(&target.api_version, &target.kind),
    };
    if let Some(ns) = text("/namespace").filter(|n| !n.is_empty()) {
        target.namespace = Some(ns);
    }
    if let Some(name) = text("/name").filter(|n| !n.is_empty()) {
        target.name = name;
    }
    Ok(Review {
        operation,
        object,
        old_object,
        kind,
        target,
        user_info: req
            .get("userInfo")
            .map(Value::to_json)
            .unwrap_or_else(|| Json::Object(Default::default())),
        origin: Origin {
            ..obj.origin.clone()
        },
        expanded_from: None,
    })
}
