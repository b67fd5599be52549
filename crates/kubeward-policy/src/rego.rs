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

/// How many interpreter steps pass between two looks at the clock: often enough that a
/// runaway template overshoots its budget by microseconds, rarely enough that reading the
/// clock costs nothing measurable.
const CHECK_EVERY: NonZeroU32 = match NonZeroU32::new(32) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

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

/// Why a program could not be prepared for a data set (shown as the engine's own message).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PrepareError {
    /// `data.inventory` was refused.
    #[error("{0}")]
    Data(String),
    /// The program failed its first evaluation over that data.
    #[error("{0}")]
    Analysis(String),
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
        engine
            .add_extension(PAD.to_string(), 2, Box::new(pad_args))
            .map_err(|e| RegoCompileError {
                line: None,
                message: e.to_string(),
            })?;
        // OPA leaves a failing builtin undefined; Gatekeeper's templates rely on that.
        engine.set_strict_builtin_errors(false);
        for (i, lib) in libs.iter().enumerate() {
            let name = format!("lib{i}.rego");
            engine
                .add_policy(name.clone(), normalize(lib))
                .map_err(|e| RegoCompileError {
                    line: None,
                    message: format!(
                        "libs[{i}] (line {}): {e}",
                        line_in(&e.to_string(), &name).unwrap_or(0)
                    ),
                })?;
        }
        let package = engine
            .add_policy(MAIN.to_string(), normalize(rego))
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
    pub(crate) fn prepare(
        &self,
        inventory: &RValue,
        budget: Duration,
    ) -> Result<Prepared, PrepareError> {
        let mut engine = self.engine.clone();
        let mut data = std::collections::BTreeMap::new();
        data.insert(RValue::from("inventory"), inventory.clone());
        engine
            .add_data(RValue::from(data))
            .map_err(|e| PrepareError::Data(e.to_string()))?;
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit: budget,
            check_interval: CHECK_EVERY,
        });
        engine
            .eval_bool_query("true".to_string(), false)
            .map_err(|e| PrepareError::Analysis(e.to_string()))?;
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

/// Rewrites two forms of Rego v0 that OPA accepts and regorus's parser does not, into their
/// equivalent spelling, keeping every line where it was (so error lines still point into the
/// template):
/// - a rule with several bodies, `head { a } { b }`: each further body gets the head again
///   (`head { a } head { b }`), the definition OPA makes of it;
/// - an expression line that starts with `(` directly after a complete expression line:
///   regorus reads it as a call of the line before; a `;` ends that line first.
pub(crate) fn normalize(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len() + 64);
    // Open brackets, innermost last: b'{' b'[' b'('.
    let mut stack: Vec<u8> = Vec::new();
    let mut statement_start = 0usize;
    let mut head: Option<String> = None;
    let mut last_body_closed_at: Option<usize> = None;
    let mut i = 0;
    let mut copied = 0;
    // The last significant byte before the current position, outside comments.
    let mut last_sig: u8 = b'\n';
    let mut at_line_start = true;
    while i < b.len() {
        let c = b[i];
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                last_sig = b'"';
                at_line_start = false;
                continue;
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
                i += 1;
                last_sig = b'`';
                at_line_start = false;
                continue;
            }
            b'\n' => {
                if stack.is_empty() {
                    statement_start = i + 1;
                }
                at_line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        // `sprintf(` (not a member `x.sprintf(`): Go's fmt, which Gatekeeper's OPA uses,
        // prints a verb without an argument as `%!v(MISSING)`; regorus fails instead.
        if c == b's'
            && src[i..].starts_with("sprintf(")
            && !(last_sig.is_ascii_alphanumeric() || matches!(last_sig, b'_' | b'.'))
            && !at_ident_continue(b, i)
        {
            out.push_str(&src[copied..i]);
            out.push_str(SPRINTF);
            copied = i + "sprintf".len();
            i += "sprintf".len();
            last_sig = b'f';
            at_line_start = false;
            continue;
        }
        // A line in a rule body (only the body's brace open) starting with `(`.
        if c == b'(' && at_line_start && stack.as_slice() == b"{" {
            let prev = last_sig;
            if prev.is_ascii_alphanumeric()
                || matches!(prev, b'_' | b']' | b')' | b'"' | b'`' | b'}')
            {
                // End the previous line: put `;` just before the newline that precedes this line.
                if let Some(nl) = src[copied..i].rfind('\n') {
                    let at = copied + nl;
                    out.push_str(&src[copied..at]);
                    out.push(';');
                    copied = at;
                }
            }
        }
        at_line_start = false;
        match c {
            // `head = {…} {`: an object value, not a body.
            b'{' if stack.is_empty() && last_sig == b'=' => stack.push(b'o'),
            b'{' if stack.is_empty() => {
                let chained = last_body_closed_at.is_some_and(|end| src[end..i].trim().is_empty());
                if chained {
                    if let Some(h) = &head {
                        out.push_str(&src[copied..i]);
                        out.push_str(h);
                        out.push(' ');
                        copied = i;
                    }
                } else {
                    let text = src[statement_start..i].trim();
                    head = (!text.is_empty() && !text.starts_with('}') && !text.contains("else"))
                        .then(|| text.to_string());
                }
                stack.push(b'{');
            }
            b'{' | b'[' | b'(' => stack.push(c),
            b'}' | b']' | b')' => {
                let opened = stack.pop();
                if c == b'}' && stack.is_empty() && opened == Some(b'{') {
                    last_body_closed_at = Some(i + 1);
                    statement_start = i + 1;
                }
            }
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            last_sig = c;
        }
        i += 1;
    }
    out.push_str(&src[copied..]);
    if out.contains(SPRINTF) {
        // Appended after the last line, so no line moves.
        out.push_str(&format!(
            "\n{SPRINTF}(f, a) = s {{ s := sprintf(f, {PAD}(f, a)) }}\n"
        ));
    }
    out
}

/// The name `sprintf` calls are routed through, and the extension that pads their arguments.
const SPRINTF: &str = "kw_gk_sprintf";
const PAD: &str = "kw_gk_sprintf_args";

/// Is the byte before `i` part of an identifier (so `i` is not a word start)?
fn at_ident_continue(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'.')
}

/// How many arguments a Go format string asks for (`%%` asks for none).
fn verbs(format: &str) -> usize {
    let mut n = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        // flags, width, precision
        while chars
            .peek()
            .is_some_and(|c| matches!(c, '+' | '-' | '#' | ' ' | '0'..='9' | '.'))
        {
            chars.next();
        }
        match chars.next() {
            Some('%') | None => {}
            Some(_) => n += 1,
        }
    }
    n
}

/// The arguments of a `sprintf`, padded to its verbs with Go's `%!v(MISSING)`.
fn pad_args(args: Vec<RValue>) -> anyhow::Result<RValue> {
    let (Some(format), Some(list)) = (args.first(), args.get(1)) else {
        anyhow::bail!("sprintf expects a format and an array of arguments");
    };
    let format = format.as_string()?;
    let mut items: Vec<RValue> = list.as_array()?.iter().cloned().collect();
    let wanted = verbs(format);
    while items.len() < wanted {
        items.push(RValue::from("%!v(MISSING)"));
    }
    Ok(RValue::from(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chained_bodies_get_the_head_again_on_the_same_line() {
        let src = "package p\n\nviolation[{\"msg\": msg}] {\n  a\n  msg := \"x\"\n} {\n  b\n  msg := \"y\"\n}\n";
        let n = normalize(src);
        assert_eq!(
            n,
            "package p\n\nviolation[{\"msg\": msg}] {\n  a\n  msg := \"x\"\n} violation[{\"msg\": msg}] {\n  b\n  msg := \"y\"\n}\n"
        );
        assert_eq!(n.lines().count(), src.lines().count());
    }

    #[test]
    fn a_line_starting_with_a_parenthesis_ends_the_line_before() {
        let value = "package p\nf(c) = {\"a\": 1} {\n  true\n}\n";
        assert_eq!(normalize(value), value);
        let src = "package p\nf(h) {\n  input.x\n  (h.a - h.b) >= 1\n  y := (\n    1 + 2)\n}\n";
        assert_eq!(
            normalize(src),
            "package p\nf(h) {\n  input.x;\n  (h.a - h.b) >= 1\n  y := (\n    1 + 2)\n}\n"
        );
    }

    #[test]
    fn both_compile_and_evaluate_as_opa_would() {
        let src = "package p\nviolation[{\"msg\": msg}] {\n  input.a\n  msg := \"a\"\n} {\n  input.b\n  (input.n - 1) >= input.m\n  msg := \"b\"\n}\n";
        let p = RegoProgram::compile(src, &[]).expect("compiles");
        let mut prepared = p
            .prepare(&RValue::new_object(), Duration::from_secs(2))
            .expect("prepares");
        let input = RValue::from(serde_json::json!({"a": true, "b": true, "n": 3, "m": 1}));
        let mut msgs: Vec<String> = prepared
            .violations(input)
            .expect("evaluates")
            .into_iter()
            .map(|v| v.msg)
            .collect();
        msgs.sort();
        assert_eq!(msgs, ["a", "b"]);
    }
}

#[cfg(test)]
mod sprintf_tests {
    use super::*;

    #[test]
    fn a_verb_without_argument_prints_as_go_does() {
        let src = "package p\nviolation[{\"msg\": msg}] {\n  msg := sprintf(\"%v and %v, 100%%\", [1])\n}\n";
        let p = RegoProgram::compile(src, &[]).expect("compiles");
        let mut prepared = p
            .prepare(&RValue::new_object(), Duration::from_secs(2))
            .expect("prepares");
        let v = prepared
            .violations(RValue::new_object())
            .expect("evaluates");
        assert_eq!(v[0].msg, "1 and %!v(MISSING), 100%");
        assert_eq!(verbs("%v %5.2f %% %-3d"), 3);
    }
}
