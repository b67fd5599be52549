//! The CEL engine (`engine: K8sNativeValidation` code of a ConstraintTemplate).
//!
//! Gatekeeper evaluates such code the way a ValidatingAdmissionPolicy is evaluated (its
//! `pkg/drivers/k8scel` driver hands the source to the API server's validator), and so does
//! this engine:
//! - bound names: `object` (null on DELETE, as Gatekeeper unsets it), `oldObject`, `request`,
//!   `namespaceObject`, `variables.anyObject` (the object, or `oldObject` on DELETE),
//!   `variables.params` (the constraint's parameters, or null) and the template's own
//!   `variables`, each computed at most once, only when an expression names it, and seeing
//!   only the ones before it (see the `run` module);
//! - `matchConditions` (Gatekeeper's field is `matchCondition`; both spellings are read): any
//!   false skips the validations, otherwise any error is an error;
//! - `validations`: a false `expression` is a violation whose message is `messageExpression`'s
//!   result when that is a non-empty one-line string, else `message`, else
//!   `failed expression: <expression>` (the API server's order); `reason` is not used;
//! - a bound on the work of each evaluation ([`CelLimits`], see the `meter` module).
//!
//! The Kubernetes extension functions come from the kube-cel crate; the supported functions
//! are listed in `env`.

mod env;
mod expr;
mod meter;
mod prune;
mod run;
mod source;

#[cfg(test)]
mod conformance_tests;
#[cfg(test)]
mod tests;

use kube_cel::cel::Context;
use kube_cel::cel::common::ast::IdedExpr;
use kube_cel::cel::objects::Value as CelValue;
use serde_json::Value;

use run::Run;

pub use meter::CelLimits;
pub use source::FailurePolicy;

/// What one evaluation sees, bound to the names Gatekeeper binds.
#[derive(Debug, Clone, Copy)]
pub struct CelInput<'a> {
    /// The object under review (`object`); `Value::Null` on DELETE.
    pub object: &'a Value,
    /// The object before the change (`oldObject`); `Value::Null` on CREATE.
    pub old_object: &'a Value,
    /// The constraint's `spec.parameters` (with the schema's defaults applied).
    pub params: &'a Value,
    /// The admission request (`request`): operation, userInfo, kind, namespace, name…
    pub request: &'a Value,
    /// The object's Namespace, when known (`namespaceObject`).
    pub namespace_object: &'a Value,
}

/// One failed validation: the message Gatekeeper would report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CelViolation {
    pub message: String,
}

/// What became of one validation that did not pass.
#[derive(Debug)]
pub enum CelOutcome {
    /// Its expression was false.
    Violation(CelViolation),
    /// Its expression failed to evaluate (never [`CelError::Budget`], which ends the review).
    Failed(CelError),
}

#[derive(Debug, thiserror::Error)]
pub enum CelError {
    /// The code does not compile or is not of the expected shape (an input error).
    #[error("CEL does not compile: {0}")]
    Compile(String),
    /// Evaluation failed on this input (reported as an ERROR finding, the rest goes on).
    #[error("CEL evaluation failed: {0}")]
    Eval(String),
    /// The evaluation budget ran out.
    #[error("CEL evaluation exceeded its budget")]
    Budget,
}

/// The longest message a `messageExpression` may produce (the API server's bound).
const MAX_MESSAGE_BYTES: usize = 5 * 1024;
/// How much of an expression's text an error message quotes.
const QUOTE_CHARS: usize = 120;

#[derive(Debug)]
struct Compiled {
    /// Where it comes from, for messages: `validations[0].expression`.
    place: String,
    text: String,
    expr: IdedExpr,
    /// The template variables it names (indices into `CelProgram::variables`).
    uses: Vec<usize>,
}

#[derive(Debug)]
struct Validation {
    check: Compiled,
    message: Option<String>,
    message_expression: Option<Compiled>,
}

/// Which inputs some expression names: the others are never converted.
#[derive(Debug, Default)]
struct Inputs {
    object: bool,
    old_object: bool,
    request: bool,
    namespace_object: bool,
    any_object: bool,
    params: bool,
}

/// A compiled `K8sNativeValidation` source: variables, matchConditions and validations.
#[derive(Debug)]
pub struct CelProgram {
    /// What its expressions can reach of each review input (see the `prune` module).
    reach: [prune::Need; 5],
    variables: Vec<(String, Compiled)>,
    match_conditions: Vec<(String, Compiled)>,
    validations: Vec<Validation>,
    inputs: Inputs,
    failure_policy: FailurePolicy,
    limits: CelLimits,
}

/// Programs are compiled once and shared by the threads that review objects.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<CelProgram>();
};

impl CelProgram {
    /// Compiles the `source` object of a `code` entry with `engine: K8sNativeValidation`.
    pub fn compile(source: &Value) -> Result<CelProgram, CelError> {
        let spec = source::read(source).map_err(|e| CelError::Compile(e.to_string()))?;
        let names: Vec<&str> = spec.variables.iter().map(|v| v.name.as_str()).collect();
        let mut inputs = Inputs::default();
        let roots = prune::roots();
        let mut reach: [prune::Need; 5] = Default::default();
        let mut compile = |place: String, text: &str, visible: &[&str]| {
            let checked = expr::compile(text, visible)
                .map_err(|e| CelError::Compile(format!("{place} {}: {e}", quote(text))))?;
            inputs.object |= checked.globals.contains("object");
            inputs.old_object |= checked.globals.contains("oldObject");
            inputs.request |= checked.globals.contains("request");
            inputs.namespace_object |= checked.globals.contains("namespaceObject");
            inputs.any_object |= checked.variables.contains("anyObject");
            inputs.params |= checked.variables.contains("params");
            prune::collect(&checked.expr, &roots, &mut reach);
            let uses = checked
                .variables
                .iter()
                .filter_map(|v| names.iter().position(|n| n == v))
                .collect();
            Ok::<_, CelError>(Compiled {
                place,
                text: text.to_string(),
                expr: checked.expr,
                uses,
            })
        };

        let mut visible: Vec<&str> = vec!["anyObject", "params"];
        let mut variables = Vec::with_capacity(spec.variables.len());
        for (i, v) in spec.variables.iter().enumerate() {
            let place = format!("variables[{i}] ({})", v.name);
            variables.push((v.name.clone(), compile(place, &v.expression, &visible)?));
            visible.push(&v.name);
        }
        let mut match_conditions = Vec::with_capacity(spec.match_conditions.len());
        for (i, m) in spec.match_conditions.iter().enumerate() {
            let place = format!("matchConditions[{i}] ({})", m.name);
            match_conditions.push((m.name.clone(), compile(place, &m.expression, &visible)?));
        }
        let mut validations = Vec::with_capacity(spec.validations.len());
        for (i, v) in spec.validations.iter().enumerate() {
            let check = compile(
                format!("validations[{i}].expression"),
                &v.expression,
                &visible,
            )?;
            let message_expression = match v.message_expression.as_deref() {
                Some(m) => Some(compile(
                    format!("validations[{i}].messageExpression"),
                    m,
                    &visible,
                )?),
                None => None,
            };
            validations.push(Validation {
                check,
                message: v.message.clone(),
                message_expression,
            });
        }

        Ok(CelProgram {
            reach,
            variables,
            match_conditions,
            validations,
            inputs,
            failure_policy: spec.failure_policy,
            limits: CelLimits::default(),
        })
    }

    /// The same program with other bounds on each evaluation.
    pub fn with_limits(mut self, limits: CelLimits) -> CelProgram {
        self.limits = limits;
        self
    }

    /// The bounds each evaluation runs under.
    pub fn limits(&self) -> CelLimits {
        self.limits
    }

    /// The template's `failurePolicy`: with `Ignore`, the cluster would admit a request whose
    /// evaluation failed; [`evaluate`](Self::evaluate) still reports the failure.
    pub fn failure_policy(&self) -> FailurePolicy {
        self.failure_policy
    }

    /// The violations of one review; none when a matchCondition excludes it.
    ///
    /// A validation that fails to evaluate makes the whole review an [`CelError::Eval`] (the
    /// first such error, after every validation ran); [`evaluate_each`](Self::evaluate_each)
    /// gives each validation's outcome instead.
    pub fn evaluate(&self, input: &CelInput<'_>) -> Result<Vec<CelViolation>, CelError> {
        let mut violations = Vec::new();
        for outcome in self.evaluate_each(input)? {
            match outcome {
                CelOutcome::Violation(v) => violations.push(v),
                CelOutcome::Failed(e) => return Err(e),
            }
        }
        Ok(violations)
    }

    /// The outcome of each validation that did not pass, in order: a violation, or the error it
    /// ended with. Gatekeeper, under `failurePolicy: Fail`, denies with the error's text for the
    /// latter. Match-condition errors and an exhausted budget concern the whole review and are
    /// the `Err` of the result.
    pub fn evaluate_each(&self, input: &CelInput<'_>) -> Result<Vec<CelOutcome>, CelError> {
        self.evaluate_each_with(input, self.limits)
    }

    /// [`evaluate_each`](Self::evaluate_each) under other bounds (a shared program, a budget
    /// chosen per run).
    pub fn evaluate_each_with(
        &self,
        input: &CelInput<'_>,
        limits: CelLimits,
    ) -> Result<Vec<CelOutcome>, CelError> {
        let _meter = meter::start(limits);
        let result = self.run(input);
        // A budget failure may have been absorbed by `||`/`&&` or a fallback message: it still
        // decides the outcome.
        if meter::exhausted() {
            return Err(CelError::Budget);
        }
        result
    }

    fn run(&self, input: &CelInput<'_>) -> Result<Vec<CelOutcome>, CelError> {
        let [
            object,
            old_object,
            request,
            namespace_object,
            any_object,
            params,
        ] = select(input);
        let bound = [
            (self.inputs.object, object, true),
            (self.inputs.old_object, old_object, true),
            (self.inputs.request, request, false),
            (self.inputs.namespace_object, namespace_object, true),
            (self.inputs.any_object, any_object, true),
            (self.inputs.params, params, true),
        ];
        let mut values: [Option<CelValue>; 6] = Default::default();
        for (i, (used, value, drop_nulls)) in bound.into_iter().enumerate() {
            if used {
                values[i] = Some(
                    env::to_cel(value, &BOUND_NAMES[i](), drop_nulls)
                        .map_err(|e| CelError::Eval(e.to_string()))?,
                );
            }
        }
        self.run_values(&values)
    }

    /// [`evaluate_each_with`](Self::evaluate_each_with) over inputs converted once for several
    /// programs ([`CelPrepared`]), with `params` converted once per constraint.
    pub fn evaluate_each_prepared(
        &self,
        prepared: &CelPrepared,
        params: &CelParams,
        limits: CelLimits,
    ) -> Result<Vec<CelOutcome>, CelError> {
        let _meter = meter::start(limits);
        let mut values = prepared.values.clone();
        values[5] = Some(params.0.clone());
        let result = self.run_values(&values);
        if meter::exhausted() {
            return Err(CelError::Budget);
        }
        result
    }

    /// Which of the six inputs (in [`select`]'s order) some expression names.
    fn used(&self) -> [bool; 6] {
        [
            self.inputs.object,
            self.inputs.old_object,
            self.inputs.request,
            self.inputs.namespace_object,
            self.inputs.any_object,
            self.inputs.params,
        ]
    }

    fn run_values(&self, values: &[Option<CelValue>; 6]) -> Result<Vec<CelOutcome>, CelError> {
        let used = self.used();
        env::with_base(|base| {
            let mut scope = base.new_inner_scope();
            for (i, value) in values.iter().enumerate() {
                if used[i] {
                    let Some(value) = value else {
                        return Err(CelError::Eval(format!(
                            "the input {} was not prepared",
                            BOUND_NAMES[i]()
                        )));
                    };
                    scope.add_variable_from_value(BOUND_NAMES[i](), value.clone());
                }
            }
            self.run_scope(&mut scope)
        })
    }

    /// [`evaluate_each_prepared`](Self::evaluate_each_prepared) over inputs already bound
    /// ([`CelPrepared::bind`]): the interpreter's copy of the review is made once per review,
    /// not once per program.
    pub fn evaluate_each_bound(
        &self,
        bound: &CelBound<'_>,
        params: &CelParams,
        limits: CelLimits,
    ) -> Result<Vec<CelOutcome>, CelError> {
        if bound
            .only
            .as_ref()
            .is_some_and(|only| !only.contains(&program_id(self)))
        {
            return Err(CelError::Eval(
                "the review was bound for other programs".into(),
            ));
        }
        let used = self.used();
        for (i, name) in BOUND_NAMES.iter().enumerate().take(5) {
            if used[i] && !bound.bound[i] {
                return Err(CelError::Eval(format!(
                    "the input {} was not prepared",
                    name()
                )));
            }
        }
        let _meter = meter::start(limits);
        let mut scope = bound.scope.new_inner_scope();
        if used[5] {
            scope.add_variable_from_value(BOUND_NAMES[5](), params.0.clone());
        }
        let result = self.run_scope(&mut scope);
        if meter::exhausted() {
            return Err(CelError::Budget);
        }
        result
    }

    /// Runs the match conditions and validations in `scope`, where the inputs are bound.
    fn run_scope(&self, scope: &mut Context<'_>) -> Result<Vec<CelOutcome>, CelError> {
        let mut run = Run {
            program: self,
            done: vec![None; self.variables.len()],
        };

        // Any false condition skips the validations, even when another one failed.
        let mut failed = None;
        for (_, condition) in &self.match_conditions {
            match run.boolean(condition, scope) {
                Ok(true) => {}
                Ok(false) => return Ok(Vec::new()),
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }

        let mut outcomes = Vec::new();
        for v in &self.validations {
            match run.boolean(&v.check, scope) {
                Ok(true) => {}
                Ok(false) => outcomes.push(CelOutcome::Violation(CelViolation {
                    message: run.message(v, scope),
                })),
                Err(e) => outcomes.push(CelOutcome::Failed(e)),
            }
        }
        Ok(outcomes)
    }
}

/// An expression's text for a message: one line, cut at `QUOTE_CHARS`.
pub(super) fn quote(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("`{}…`", &line[..cut]),
        None => format!("`{line}`"),
    }
}

/// The names the six inputs are bound to, in [`select`]'s order.
const BOUND_NAMES: [fn() -> String; 6] = [
    || "object".to_string(),
    || "oldObject".to_string(),
    || "request".to_string(),
    || "namespaceObject".to_string(),
    || expr::variable_ident("anyObject"),
    || expr::variable_ident("params"),
];

/// The six inputs as Gatekeeper binds them: `object` is unset on DELETE (so that VAP and
/// Gatekeeper agree), and `anyObject` falls back to `oldObject` then.
fn select<'a>(input: &CelInput<'a>) -> [&'a Value; 6] {
    let is_delete = input.request.get("operation").and_then(Value::as_str) == Some("DELETE");
    let object = if is_delete {
        &Value::Null
    } else {
        input.object
    };
    let any_object = if is_delete && object.is_null() {
        input.old_object
    } else {
        object
    };
    [
        object,
        input.old_object,
        input.request,
        input.namespace_object,
        any_object,
        input.params,
    ]
}

/// The review side of a [`CelInput`] (object, oldObject, request, namespaceObject,
/// anyObject), converted once and shared by every program that reviews it.
#[derive(Debug, Clone)]
pub struct CelPrepared {
    values: [Option<CelValue>; 6],
}

impl CelPrepared {
    /// Converts the inputs (`input.params` is ignored: see [`CelParams`]).
    pub fn new(input: &CelInput<'_>) -> Result<CelPrepared, CelError> {
        let selected = select(input);
        let mut values: [Option<CelValue>; 6] = Default::default();
        for i in 0..5 {
            // anyObject is one of the objects: the same value, not a second conversion.
            if i == 4 {
                let same = if std::ptr::eq(selected[4], selected[0]) {
                    0
                } else {
                    1
                };
                values[4] = values[same].clone();
                continue;
            }
            // Objects as the API server holds them (nulls pruned); the request as given.
            let drop_nulls = i != 2;
            values[i] = Some(
                env::to_cel(selected[i], &BOUND_NAMES[i](), drop_nulls)
                    .map_err(|e| CelError::Eval(e.to_string()))?,
            );
        }
        Ok(CelPrepared { values })
    }
}

impl CelPrepared {
    /// Binds the review's inputs once, in the interpreter's own representation (a deep copy
    /// the `cel` crate makes of every bound value), and runs `f` with them: every program then
    /// evaluates in a scope of its own on top ([`CelProgram::evaluate_each_bound`]).
    pub fn bind<R>(&self, f: impl FnOnce(&CelBound<'_>) -> R) -> R {
        env::with_base(|base| {
            let mut scope = base.new_inner_scope();
            let mut bound = [false; 5];
            for i in 0..5 {
                if let Some(value) = &self.values[i] {
                    scope.add_variable_from_value(BOUND_NAMES[i](), value.clone());
                    bound[i] = true;
                }
            }
            f(&CelBound {
                scope,
                bound,
                only: None,
            })
        })
    }

    /// [`bind`](Self::bind) for `programs` only: the inputs none of them names are left out,
    /// and the others keep only what their expressions can reach (see the `prune` module).
    pub fn bind_for<R>(&self, programs: &[&CelProgram], f: impl FnOnce(&CelBound<'_>) -> R) -> R {
        let mut wanted = [false; 5];
        let mut reach: [prune::Need; 5] = Default::default();
        for p in programs {
            for (i, used) in p.review_inputs().into_iter().enumerate() {
                if used {
                    wanted[i] = true;
                    reach[i].merge(&p.reach[i]);
                }
            }
        }
        env::with_base(|base| {
            let mut scope = base.new_inner_scope();
            let mut bound = [false; 5];
            for i in 0..5 {
                if let (true, Some(value)) = (wanted[i], &self.values[i]) {
                    scope.add_variable_from_value(BOUND_NAMES[i](), reach[i].prune(value));
                    bound[i] = true;
                }
            }
            f(&CelBound {
                scope,
                bound,
                only: Some(programs.iter().map(|p| program_id(p)).collect()),
            })
        })
    }
}

/// A review's inputs bound for evaluation (see [`CelPrepared::bind`]); lives on one thread.
pub struct CelBound<'a> {
    scope: Context<'a>,
    bound: [bool; 5],
    /// When bound for some programs only ([`CelPrepared::bind_for`]): which (by address).
    only: Option<Vec<usize>>,
}

fn program_id(p: &CelProgram) -> usize {
    std::ptr::from_ref(p) as usize
}

impl CelProgram {
    /// The review inputs (object, oldObject, request, namespaceObject, anyObject) it names.
    pub(crate) fn review_inputs(&self) -> [bool; 5] {
        let u = self.used();
        [u[0], u[1], u[2], u[3], u[4]]
    }
}

/// A constraint's parameters, converted once.
#[derive(Debug, Clone)]
pub struct CelParams(CelValue);

impl CelParams {
    pub fn new(params: &Value) -> Result<CelParams, CelError> {
        env::to_cel(params, "variables.params", true)
            .map(CelParams)
            .map_err(|e| CelError::Eval(e.to_string()))
    }
}
