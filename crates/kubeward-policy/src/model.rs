//! The public types: what a policy set holds, what is reviewed, and what comes out.

use std::time::Duration;

use kubeward_core::{InputError, Severity};
use kubeward_inventory::{Origin, Value};

/// The engine that evaluates a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Engine {
    /// `spec.targets[].rego` (and `libs`), or a `code` entry with `engine: Rego`.
    Rego,
    /// A `code` entry with `engine: K8sNativeValidation`.
    Cel,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Rego => "rego",
            Engine::Cel => "cel",
        }
    }
}

/// How to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvalOptions {
    /// Force one engine (`--engine`); a template without code for it is then an error outcome.
    /// `None`: Gatekeeper's choice (see [`crate::eval`]).
    pub engine: Option<Engine>,
    /// Time allowed for one template on one reviewed object (Rego's execution timer; the CEL
    /// engine's time backstop). Exceeding it gives an [`EvalFailure::Budget`] outcome.
    pub budget: Duration,
    /// Review each workload's pod template as a Pod of that workload when no ExpansionTemplate
    /// is given (on by default; `policy verify` turns it off, as `gator verify` has no such
    /// default).
    pub expand_workloads: bool,
}

/// The default budget for one template × one object.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(2);

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            engine: None,
            budget: DEFAULT_BUDGET,
            expand_workloads: true,
        }
    }
}

/// An input error of a policy: a template that does not compile, a constraint of no known
/// template, a malformed Config… with the file and line it comes from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct PolicyError {
    pub file: String,
    pub line: Option<u32>,
    pub message: String,
}

impl PolicyError {
    pub fn into_input_error(self) -> InputError {
        InputError {
            path: self.file,
            line: self.line,
            message: self.message,
        }
    }
}

/// What a constraint's enforcement does at one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// `deny`: the request is refused.
    Deny,
    /// `dryrun` (Azure Policy's Audit): recorded, not enforced.
    Dryrun,
    /// `warn`: admitted with a warning.
    Warn,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Deny => "deny",
            Action::Dryrun => "dryrun",
            Action::Warn => "warn",
        }
    }
}

/// One enforcement point of a `scoped` constraint (`spec.scopedEnforcementActions`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnforcementPoint {
    /// e.g. `audit.gatekeeper.sh`, `validation.gatekeeper.sh`, `gator.gatekeeper.sh`, `*`.
    pub name: String,
    pub action: Action,
}

/// Gatekeeper's audit enforcement point.
pub const AUDIT_POINT: &str = "audit.gatekeeper.sh";
/// Gatekeeper's admission (validating webhook) enforcement point.
pub const VALIDATION_POINT: &str = "validation.gatekeeper.sh";

/// A constraint's `spec.enforcementAction`, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enforcement {
    /// As written (`deny` when absent), lower-cased.
    pub written: String,
    /// For `scoped`, every point and its action; otherwise one point `*`.
    pub points: Vec<EnforcementPoint>,
    /// The action kubeward reports: the action itself, or for `scoped` the audit point's
    /// action, else the validation point's (`None`: neither point is enforced, the constraint
    /// is not evaluated).
    pub action: Option<Action>,
}

/// The constraint annotation that sets a violation's severity (`info`, `low`, `medium`,
/// `high`, `critical`); medium otherwise.
pub const SEVERITY_ANNOTATION: &str = "kubeward.io/severity";

/// A group/version/kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    /// From an `apiVersion` and `kind`.
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }
    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// The identity of a reviewed object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

/// The admission operation of a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Operation {
    #[default]
    Create,
    Update,
    Delete,
    Connect,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }
}

/// One thing to review: an object (as a CREATE, the way `gator test` and Gatekeeper's audit
/// review it), or the request of an `AdmissionReview`.
#[derive(Debug, Clone)]
pub struct Review {
    pub operation: Operation,
    /// The object (`None` for a DELETE, or a request without one).
    pub object: Option<Value>,
    /// The object before the change (UPDATE, DELETE).
    pub old_object: Option<Value>,
    /// The request's `kind` (from the object when not an AdmissionReview).
    pub kind: Gvk,
    /// Namespace and name (from the request, else the object, else the old object).
    pub target: ObjectRef,
    /// `userInfo` of the request (JSON), `{}` otherwise.
    pub user_info: serde_json::Value,
    /// Where it was read; for an AdmissionReview, the AdmissionReview's origin.
    pub origin: Origin,
    /// Set when this review is a workload's pod, made by expansion.
    pub expanded_from: Option<ExpandedFrom>,
}

/// The workload a reviewed Pod was generated from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandedFrom {
    pub workload: ObjectRef,
    /// Where the workload was read (the finding points there).
    pub origin: Origin,
    /// The ExpansionTemplate used (`None`: kubeward's default pod-template expansion).
    pub expansion: Option<String>,
}

/// A constraint, named as findings name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConstraintRef {
    pub kind: String,
    pub name: String,
}

impl ConstraintRef {
    /// The check code of this constraint: `GK/<Kind>/<name>`.
    pub fn code(&self) -> String {
        format!("GK/{}/{}", self.kind, self.name)
    }
}

/// One result of evaluation.
#[derive(Debug, Clone)]
pub enum Outcome {
    Violation(Violation),
    Error(EvalError),
}

/// A constraint that an object violates.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The template's `metadata.name`.
    pub template: String,
    pub constraint: ConstraintRef,
    pub enforcement: Enforcement,
    /// The action reported (see [`Enforcement::action`]).
    pub action: Action,
    /// From [`SEVERITY_ANNOTATION`], if set and valid.
    pub severity: Option<Severity>,
    /// The violation's message, as the template wrote it (attacker-controlled text: escape it
    /// for its destination).
    pub message: String,
    /// The violation's `details` (Rego), `null` when none.
    pub details: serde_json::Value,
    /// The reviewed object (for an expansion, the generated Pod).
    pub object: ObjectRef,
    /// Where the reviewed object was read (for an expansion, the workload's origin).
    pub origin: Origin,
    pub expanded_from: Option<ExpandedFrom>,
    pub engine: Engine,
}

/// Why an evaluation did not finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalFailure {
    /// The budget ran out (the template loops or explodes).
    Budget(Duration),
    /// The template failed on this input (a runtime error, a missing engine…).
    Runtime(String),
}

impl std::fmt::Display for EvalFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvalFailure::Budget(d) => {
                write!(f, "evaluation budget of {} ms exceeded", d.as_millis())
            }
            EvalFailure::Runtime(m) => write!(f, "evaluation failed: {m}"),
        }
    }
}

/// An evaluation that did not finish: an ERROR finding; the others go on.
#[derive(Debug, Clone)]
pub struct EvalError {
    pub template: String,
    pub constraint: ConstraintRef,
    pub enforcement: Enforcement,
    pub object: ObjectRef,
    pub origin: Origin,
    pub expanded_from: Option<ExpandedFrom>,
    pub engine: Option<Engine>,
    pub reason: EvalFailure,
}

/// What `kubeward checks` and SARIF rules show of a template.
#[derive(Debug, Clone)]
pub struct TemplateInfo {
    pub name: String,
    /// The constraint kind it defines.
    pub kind: String,
    /// `metadata.gatekeeper.sh/title`, when set.
    pub title: Option<String>,
    /// The `description` annotation, when set.
    pub description: Option<String>,
    /// The engines it has code for.
    pub engines: Vec<Engine>,
    pub origin: Origin,
}

/// What `kubeward checks` and SARIF rules show of a constraint.
#[derive(Debug, Clone)]
pub struct ConstraintInfo {
    pub constraint: ConstraintRef,
    pub template: String,
    pub enforcement: Enforcement,
    pub severity: Option<Severity>,
    pub origin: Origin,
}
