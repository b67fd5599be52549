//! The Rego engine (regorus), with Gatekeeper's target semantics.
//!
//! Gatekeeper's Rego driver (open-policy-agent/frameworks, `constraint/pkg/client/drivers/rego`)
//! compiles each template's `rego` with its `libs` apart from every other template, checks that
//! it defines `violation`, and queries that rule with
//! `input = {"review": <the admission request>, "parameters": <spec.parameters>}`, while
//! `data.inventory` holds the synced objects. It rewrites the template's package and the
//! `data.lib` references of its libs into a path of its own, so templates cannot see each
//! other. Here each template gets an interpreter of its own, which gives the same isolation
//! without rewriting: the package is kept as written, `libs` are added beside it, and
//! `data.inventory` is the only data. Templates are Rego v0 unless they import `rego.v1`
//! (which v0 parsing accepts), as Gatekeeper's default.
//!
//! The budget is regorus's execution timer: it limits wall time, checked every few steps of
//! the interpreter, so a template that loops or explodes ends in a time-limit error.

use std::num::NonZeroU32;
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine as Regorus, Value as RValue};

const MAIN: &str = "template.rego";

/// A compile failure, with the line within the Rego text when regorus names one.
#[derive(Debug)]
pub(crate) struct RegoCompileError {
    pub line: Option<u32>,
    pub message: String,
}

/// A template's Rego, parsed once; cloned (cheaply: the modules are shared) per data set and
/// per worker thread.
#[derive(Debug, Clone)]
pub struct RegoProgram {
    engine: Regorus,
    /// `data.<package>.violation`.
    rule: String,
}

/// Compiled for one data set: `data.inventory` added, analysed, ready to clone per thread.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    engine: Regorus,
    rule: String,
}

/// How one evaluation ended.
#[derive(Debug)]
pub(crate) enum RegoFailure {
    Budget,
    Runtime(String),
}

/// One `violation` result.
#[derive(Debug)]
pub(crate) struct RegoViolation {
    pub msg: String,
    pub details: serde_json::Value,
}

/// Reads `file:line:col` from a regorus message.
fn line_in(message: &str, file: &str) -> Option<u32> {
    let at = message.find(&format!("{file}:"))? + file.len() + 1;
    let digits: String = message[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

impl RegoProgram {
    pub(crate) fn compile(rego: &str, libs: &[String]) -> Result<RegoProgram, RegoCompileError> {
        let mut engine = Regorus::new();
        engine.set_rego_v0(true);
        // OPA leaves a failing builtin undefined; Gatekeeper's templates rely on that.
        engine.set_strict_builtin_errors(false);
        for (i, lib) in libs.iter().enumerate() {
            let name = format!("lib{i}.rego");
            engine
                .add_policy(name.clone(), lib.clone())
                .map_err(|e| RegoCompileError {
                    line: None,
                    message: format!(
                        "libs[{i}] (line {}): {e}",
                        line_in(&e.to_string(), &name).unwrap_or(0)
                    ),
                })?;
        }
        let package = engine
            .add_policy(MAIN.to_string(), rego.to_string())
            .map_err(|e| {
                let message = e.to_string();
                RegoCompileError {
                    line: line_in(&message, MAIN),
                    message,
                }
            })?;
        let declared = engine
            .has_declared_rule_rooted_at(MAIN, "violation")
            .unwrap_or(false);
        if !declared {
            return Err(RegoCompileError {
                line: None,
                message: "no `violation` rule (Gatekeeper queries `violation[{\"msg\": msg}]`)"
                    .into(),
            });
        }
        let rule = format!("{package}.violation");
        // Analyse once now, so an undefined reference is a compile error, not a runtime one.
        let mut probe = engine.clone();
        probe
            .eval_bool_query("true".to_string(), false)
            .map_err(|e| {
                let message = e.to_string();
                RegoCompileError {
                    line: line_in(&message, MAIN),
                    message,
                }
            })?;
        Ok(RegoProgram { engine, rule })
    }

    /// This program over `data.inventory = inventory`, with `budget` per evaluation.
    pub(crate) fn prepare(&self, inventory: &RValue, budget: Duration) -> Result<Prepared, String> {
        let mut engine = self.engine.clone();
        let mut data = std::collections::BTreeMap::new();
        data.insert(RValue::from("inventory"), inventory.clone());
        engine
            .add_data(RValue::from(data))
            .map_err(|e| e.to_string())?;
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit: budget,
            check_interval: NonZeroU32::MIN,
        });
        engine
            .eval_bool_query("true".to_string(), false)
            .map_err(|e| e.to_string())?;
        Ok(Prepared {
            engine,
            rule: self.rule.clone(),
        })
    }
}

impl Prepared {
    /// Evaluates `violation` for one input.
    pub(crate) fn violations(&mut self, input: RValue) -> Result<Vec<RegoViolation>, RegoFailure> {
        self.engine.set_input(input);
        let value = self.engine.eval_rule(self.rule.clone()).map_err(|e| {
            if e.downcast_ref::<regorus::utils::limits::LimitError>()
                .is_some()
                || e.to_string().contains("exceeded time limit")
            {
                RegoFailure::Budget
            } else {
                RegoFailure::Runtime(e.to_string())
            }
        })?;
        let mut out = Vec::new();
        let items: Vec<&RValue> = match &value {
            RValue::Set(s) => s.iter().collect(),
            RValue::Array(a) => a.iter().collect(),
            RValue::Undefined | RValue::Null => Vec::new(),
            other => {
                return Err(RegoFailure::Runtime(format!(
                    "violation is not a set: {other}"
                )));
            }
        };
        for item in items {
            let json: serde_json::Value =
                serde_json::to_value(item).map_err(|e| RegoFailure::Runtime(e.to_string()))?;
            let msg = match json.get("msg") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            let details = json
                .get("details")
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            out.push(RegoViolation { msg, details });
        }
        Ok(out)
    }
}

/// A kubeward value as a regorus value.
pub(crate) fn to_rego(v: &kubeward_inventory::Value) -> RValue {
    use kubeward_inventory::Value as K;
    match v {
        K::Null => RValue::Null,
        K::Bool(b) => RValue::from(*b),
        K::Number(n) => RValue::from(serde_json::Value::Number(n.clone())),
        K::String(s) => RValue::from(s.as_str()),
        K::Array(items) => RValue::from(items.iter().map(to_rego).collect::<Vec<_>>()),
        K::Object(map) => RValue::from(
            map.iter()
                .map(|(k, v)| (RValue::from(k.as_str()), to_rego(v)))
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
    }
}

/// A JSON value as a regorus value.
pub(crate) fn json_to_rego(v: &serde_json::Value) -> RValue {
    RValue::from(v.clone())
}

/// The shortest budget regorus can tell apart (a zero limit would stop every evaluation).
pub(crate) const MIN_BUDGET: Duration = Duration::from_millis(1);
