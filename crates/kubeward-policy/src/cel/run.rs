//! The state of one evaluation: the template variables, computed as expressions need them; the
//! boolean an expression gives; the message of a failed validation.

use kube_cel::cel::objects::Value as CelValue;
use kube_cel::cel::{Context, ExecutionError};

use super::{CelError, CelProgram, Compiled, MAX_MESSAGE_BYTES, Validation, expr, meter, quote};

/// One evaluation's template variables.
///
/// Before an expression runs, the variables it names (and those they name) are computed, in
/// order and at most once, and bound in the scope; a variable whose expression fails is left
/// unbound, and its error becomes the error of whatever uses it. So a variable no expression
/// reaches is never computed, and an unused failure is no failure, as with the API server's
/// lazy variables. (The API server also skips a variable named only in a branch that is not
/// taken; here it is computed, which costs time and budget but changes no result.)
pub(super) struct Run<'p> {
    pub(super) program: &'p CelProgram,
    /// `None`: not computed; `Some(None)`: bound; `Some(Some(_))`: failed.
    pub(super) done: Vec<Option<Option<VariableFailure>>>,
}

#[derive(Debug, Clone)]
pub(super) enum VariableFailure {
    Budget,
    Eval(String),
}

impl Run<'_> {
    /// Computes and binds what `c` needs.
    fn prepare(&mut self, c: &Compiled, scope: &mut Context<'_>) {
        let variables = &self.program.variables;
        let mut needed = vec![false; variables.len()];
        for &i in &c.uses {
            needed[i] = true;
        }
        // A variable names only earlier ones: one pass from the end closes the set.
        for i in (0..variables.len()).rev() {
            if needed[i] {
                for &j in &variables[i].1.uses {
                    needed[j] = true;
                }
            }
        }
        for (i, (name, compiled)) in variables.iter().enumerate() {
            if !needed[i] || self.done[i].is_some() {
                continue;
            }
            let outcome = CelValue::resolve(&compiled.expr, scope);
            self.done[i] = Some(match outcome {
                Ok(value) => {
                    scope.add_variable_from_value(expr::variable_ident(name), value);
                    None
                }
                Err(e) => Some(match self.failure(e) {
                    CelError::Budget => VariableFailure::Budget,
                    CelError::Eval(m) | CelError::Compile(m) => VariableFailure::Eval(format!(
                        "{} {}: {m}",
                        compiled.place,
                        quote(&compiled.text)
                    )),
                }),
            });
        }
    }

    pub(super) fn boolean(
        &mut self,
        c: &Compiled,
        scope: &mut Context<'_>,
    ) -> Result<bool, CelError> {
        self.prepare(c, scope);
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
                .and_then(|i| self.done.get(i))
                .and_then(|d| d.as_ref())
                .and_then(|f| f.as_ref());
            match failed {
                Some(VariableFailure::Budget) => return CelError::Budget,
                Some(VariableFailure::Eval(m)) => return CelError::Eval(m.clone()),
                None => {}
            }
        }
        CelError::Eval(e.to_string())
    }

    /// The API server's choice of message for a failed validation.
    pub(super) fn message(&mut self, v: &Validation, scope: &mut Context<'_>) -> String {
        let from_expression = v.message_expression.as_ref().and_then(|m| {
            self.prepare(m, scope);
            match CelValue::resolve(&m.expr, scope) {
                Ok(CelValue::String(s)) => {
                    let s = s.trim();
                    let usable =
                        !s.is_empty() && s.len() <= MAX_MESSAGE_BYTES && !s.contains(['\n', '\r']);
                    usable.then(|| s.to_string())
                }
                _ => None,
            }
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
