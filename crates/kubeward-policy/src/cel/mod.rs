//! The CEL engine (`engine: K8sNativeValidation` code of a ConstraintTemplate).
//!
//! Gatekeeper evaluates such code the way a ValidatingAdmissionPolicy is evaluated (its
//! `pkg/drivers/k8scel` driver hands the source to the API server's validator), and so does
//! this engine:
//! - bound names: `object` (null on DELETE, as Gatekeeper unsets it), `oldObject`, `request`,
//!   `namespaceObject`, `variables.anyObject` (the object, or `oldObject` on DELETE),
//!   `variables.params` (the constraint's parameters, or null) and the template's own
//!   `variables`, each evaluated at most once, on first use, and seeing only the ones before it;
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
mod source;

#[cfg(test)]
mod conformance_tests;
#[cfg(test)]
mod tests;

use std::sync::OnceLock;

use kube_cel::cel::common::ast::IdedExpr;
use kube_cel::cel::context::VariableResolver;
use kube_cel::cel::objects::Value as CelValue;
use kube_cel::cel::{Context, ExecutionError};
use serde_json::Value;

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
}

#[derive(Debug)]
struct Validation {
    check: Compiled,
    message: Option<String>,
    message_expression: Option<Compiled>,
}

/// A compiled `K8sNativeValidation` source: variables, matchConditions and validations.
#[derive(Debug)]
pub struct CelProgram {
    variables: Vec<(String, Compiled)>,
    match_conditions: Vec<(String, Compiled)>,
    validations: Vec<Validation>,
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
        let spec = source::read(source).map_err(CelError::Compile)?;
        let compile = |place: String, text: &str, visible: &[&str]| {
            expr::compile(text, visible)
                .map(|expr| Compiled {
                    place: place.clone(),
                    text: text.to_string(),
                    expr,
                })
                .map_err(|e| CelError::Compile(format!("{place} {}: {e}", quote(text))))
        };

        let mut visible: Vec<&str> = vec!["anyObject", "params"];
        let mut variables = Vec::with_capacity(spec.variables.len());
        for (i, v) in spec.variables.iter().enumerate() {
            let place = format!("variables[{i}] ({})", v.name);
            variables.push((v.name.clone(), compile(place, &v.expression, &visible)?));
            visible.push(&v.name);
        }
        let match_conditions = spec
            .match_conditions
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let place = format!("matchConditions[{i}] ({})", m.name);
                Ok((m.name.clone(), compile(place, &m.expression, &visible)?))
            })
            .collect::<Result<Vec<_>, CelError>>()?;
        let validations = spec
            .validations
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let check = compile(
                    format!("validations[{i}].expression"),
                    &v.expression,
                    &visible,
                )?;
                let message_expression = v
                    .message_expression
                    .as_deref()
                    .map(|m| compile(format!("validations[{i}].messageExpression"), m, &visible))
                    .transpose()?;
                Ok(Validation {
                    check,
                    message: v.message.clone(),
                    message_expression,
                })
            })
            .collect::<Result<Vec<_>, CelError>>()?;

        Ok(CelProgram {
            variables,
            match_conditions,
            validations,
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
    pub fn evaluate(&self, input: &CelInput<'_>) -> Result<Vec<CelViolation>, CelError> {
        let _meter = meter::start(self.limits);
        let result = self.run(input);
        // A budget failure may have been absorbed by `||`/`&&` or a fallback message: it still
        // decides the outcome.
        if meter::exhausted() {
            return Err(CelError::Budget);
        }
        result
    }

    fn run(&self, input: &CelInput<'_>) -> Result<Vec<CelViolation>, CelError> {
        let is_delete = input.request.get("operation").and_then(Value::as_str) == Some("DELETE");
        // Gatekeeper unsets `object` on DELETE so that VAP and Gatekeeper agree; anyObject
        // falls back to oldObject then.
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
        // Objects and parameters as the API server would hold them (nulls pruned); the request
        // as given.
        let convert = |v: &Value, what: &str| env::to_cel(v, what, true).map_err(CelError::Eval);

        env::with_base(|base| {
            let mut inputs = base.new_inner_scope();
            inputs.add_variable_from_value("object", convert(object, "object")?);
            inputs.add_variable_from_value("oldObject", convert(input.old_object, "oldObject")?);
            inputs.add_variable_from_value(
                "request",
                env::to_cel(input.request, "request", false).map_err(CelError::Eval)?,
            );
            inputs.add_variable_from_value(
                "namespaceObject",
                convert(input.namespace_object, "namespaceObject")?,
            );
            inputs.add_variable_from_value(
                expr::variable_ident("anyObject"),
                convert(any_object, "the object")?,
            );
            inputs.add_variable_from_value(
                expr::variable_ident("params"),
                convert(input.params, "params")?,
            );

            let lazy = LazyVariables {
                program: self,
                inputs: &inputs,
                cells: self.variables.iter().map(|_| OnceLock::new()).collect(),
            };
            let mut scope = inputs.new_inner_scope();
            scope.set_variable_resolver(&lazy);

            // Any false condition skips the validations, even when another one failed.
            let mut failed = None;
            for (_, condition) in &self.match_conditions {
                match lazy.boolean(condition, &scope) {
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

            let mut violations = Vec::new();
            let mut failed = None;
            for v in &self.validations {
                match lazy.boolean(&v.check, &scope) {
                    Ok(true) => {}
                    Ok(false) => violations.push(CelViolation {
                        message: lazy.message(v, &scope),
                    }),
                    Err(e) => {
                        failed.get_or_insert(e);
                    }
                }
            }
            match failed {
                Some(e) => Err(e),
                None => Ok(violations),
            }
        })
    }
}

/// The template's variables of one evaluation: each computed on first use, at most once.
struct LazyVariables<'p> {
    program: &'p CelProgram,
    inputs: &'p Context<'p>,
    cells: Vec<OnceLock<Result<CelValue, VariableFailure>>>,
}

#[derive(Debug, Clone)]
enum VariableFailure {
    Budget,
    Eval(String),
}

impl VariableResolver for LazyVariables<'_> {
    fn resolve(&self, name: &str) -> Option<CelValue> {
        let wanted = name.strip_prefix(expr::VARIABLES)?.strip_prefix('.')?;
        let index = self
            .program
            .variables
            .iter()
            .position(|(n, _)| n == wanted)?;
        let cell = self.cells.get(index)?;
        let result = cell.get_or_init(|| {
            let (_, compiled) = &self.program.variables[index];
            let mut scope = self.inputs.new_inner_scope();
            scope.set_variable_resolver(self);
            CelValue::resolve(&compiled.expr, &scope).map_err(|e| match self.failure(e) {
                CelError::Budget => VariableFailure::Budget,
                CelError::Eval(m) | CelError::Compile(m) => VariableFailure::Eval(format!(
                    "{} {}: {m}",
                    compiled.place,
                    quote(&compiled.text)
                )),
            })
        });
        // A failed variable stays unresolved: the expression using it then fails, and
        // `failure` tells the variable's own error.
        result.as_ref().ok().cloned()
    }
}

impl LazyVariables<'_> {
    fn boolean(&self, c: &Compiled, scope: &Context<'_>) -> Result<bool, CelError> {
        match CelValue::resolve(&c.expr, scope) {
            Ok(CelValue::Bool(b)) => Ok(b),
            Ok(other) => Err(CelError::Eval(format!(
                "{} {}: the result is {}, not a boolean",
                c.place,
                quote(&c.text),
                type_name(&other)
            ))),
            Err(e) => Err(match self.failure(e) {
                CelError::Eval(m) => CelError::Eval(format!("{} {}: {m}", c.place, quote(&c.text))),
                other => other,
            }),
        }
    }

    /// The error an evaluation ends with: the budget's, a failed variable's own, or CEL's.
    fn failure(&self, e: ExecutionError) -> CelError {
        if meter::exhausted() || meter::is_budget_error(&e) {
            return CelError::Budget;
        }
        if let ExecutionError::UndeclaredReference(name) = &e {
            let failed = name
                .strip_prefix(expr::VARIABLES)
                .and_then(|n| n.strip_prefix('.'))
                .and_then(|n| self.program.variables.iter().position(|(v, _)| v == n))
                .and_then(|i| self.cells.get(i))
                .and_then(|cell| cell.get())
                .and_then(|r| r.as_ref().err());
            match failed {
                Some(VariableFailure::Budget) => return CelError::Budget,
                Some(VariableFailure::Eval(m)) => return CelError::Eval(m.clone()),
                None => {}
            }
        }
        CelError::Eval(e.to_string())
    }

    /// The API server's choice of message for a failed validation.
    fn message(&self, v: &Validation, scope: &Context<'_>) -> String {
        let from_expression =
            v.message_expression
                .as_ref()
                .and_then(|m| match CelValue::resolve(&m.expr, scope) {
                    Ok(CelValue::String(s)) => {
                        let s = s.trim();
                        let usable = !s.is_empty()
                            && s.len() <= MAX_MESSAGE_BYTES
                            && !s.contains(['\n', '\r']);
                        usable.then(|| s.to_string())
                    }
                    _ => None,
                });
        from_expression
            .or_else(|| {
                v.message
                    .as_deref()
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| format!("failed expression: {}", v.check.text.trim()))
    }
}

fn type_name(v: &CelValue) -> &'static str {
    match v {
        CelValue::List(_) => "a list",
        CelValue::Map(_) => "a map",
        CelValue::Function(..) => "a function",
        CelValue::Int(_) => "an int",
        CelValue::UInt(_) => "a uint",
        CelValue::Float(_) => "a double",
        CelValue::String(_) => "a string",
        CelValue::Bytes(_) => "bytes",
        CelValue::Bool(_) => "a boolean",
        CelValue::Duration(_) => "a duration",
        CelValue::Timestamp(_) => "a timestamp",
        CelValue::Opaque(_) => "an opaque value",
        CelValue::Null => "null",
    }
}

/// An expression's text for a message: one line, cut at `QUOTE_CHARS`.
fn quote(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("`{}…`", &line[..cut]),
        None => format!("`{line}`"),
    }
}
