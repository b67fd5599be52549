//! The shape of a `K8sNativeValidation` source, read strictly: a wrong-typed or unknown field is
//! a compile error naming its place, never a silent default.

use serde_json::{Map, Value};

/// Why a `source` object is refused.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct SourceError(String);

impl From<String> for SourceError {
    fn from(s: String) -> Self {
        SourceError(s)
    }
}

impl From<&str> for SourceError {
    fn from(s: &str) -> Self {
        SourceError(s.to_string())
    }
}

/// What Gatekeeper does when an expression fails (`failurePolicy`, default `Fail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailurePolicy {
    /// The failure denies the request (Gatekeeper's default).
    #[default]
    Fail,
    /// The failure is ignored by the cluster (the caller still learns of it).
    Ignore,
}

#[derive(Debug)]
pub(crate) struct ValidationSrc {
    pub expression: String,
    pub message: Option<String>,
    pub message_expression: Option<String>,
}

#[derive(Debug)]
pub(crate) struct NamedSrc {
    pub name: String,
    pub expression: String,
}

#[derive(Debug)]
pub(crate) struct SourceSpec {
    pub validations: Vec<ValidationSrc>,
    pub variables: Vec<NamedSrc>,
    pub match_conditions: Vec<NamedSrc>,
    pub failure_policy: FailurePolicy,
}

/// Gatekeeper binds these itself; a template may not redefine them.
const RESERVED_VARIABLES: [&str; 2] = ["anyObject", "params"];
/// Gatekeeper keeps this prefix for its own variables and match conditions.
const RESERVED_PREFIX: &str = "gatekeeper_internal_";
/// Bounds on the number of entries, so one template cannot ask for unbounded compile work.
const MAX_ENTRIES: usize = 256;

pub(crate) fn read(source: &Value) -> Result<SourceSpec, SourceError> {
    let obj = source.as_object().ok_or_else(|| {
        SourceError::from(format!(
            "`source` must be an object, found {}",
            kind(source)
        ))
    })?;
    check_keys(
        obj,
        "source",
        &[
            "validations",
            "variables",
            "matchCondition",
            "matchConditions",
            "failurePolicy",
            "generateVAP",
        ],
    )?;

    let validations = list(obj, "validations", "source")?
        .iter()
        .enumerate()
        .map(|(i, v)| validation(v, &format!("validations[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;

    let variables = list(obj, "variables", "source")?
        .iter()
        .enumerate()
        .map(|(i, v)| named(v, &format!("variables[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, v) in variables.iter().enumerate() {
        if RESERVED_VARIABLES.contains(&v.name.as_str()) || v.name.starts_with(RESERVED_PREFIX) {
            return Err(format!(
                "variables[{i}]: the name {:?} is reserved by Gatekeeper",
                v.name
            )
            .into());
        }
        if !is_identifier(&v.name) {
            return Err(format!(
                "variables[{i}]: the name {:?} is not a CEL identifier",
                v.name
            )
            .into());
        }
        if variables[..i].iter().any(|w| w.name == v.name) {
            return Err(format!("variables[{i}]: the name {:?} is defined twice", v.name).into());
        }
    }

    // Gatekeeper's field is `matchCondition`; ValidatingAdmissionPolicy spells it
    // `matchConditions`. Either is honoured, both at once is ambiguous.
    if obj.contains_key("matchCondition") && obj.contains_key("matchConditions") {
        return Err("source: both `matchCondition` and `matchConditions` are given".into());
    }
    let mc_key = if obj.contains_key("matchConditions") {
        "matchConditions"
    } else {
        "matchCondition"
    };
    let match_conditions = list(obj, mc_key, "source")?
        .iter()
        .enumerate()
        .map(|(i, v)| named(v, &format!("{mc_key}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, m) in match_conditions.iter().enumerate() {
        if m.name.starts_with(RESERVED_PREFIX) {
            return Err(format!(
                "{mc_key}[{i}]: the name {:?} uses the prefix reserved by Gatekeeper",
                m.name
            )
            .into());
        }
    }

    let failure_policy = match obj.get("failurePolicy") {
        None | Some(Value::Null) => FailurePolicy::Fail,
        Some(Value::String(s)) if s == "Fail" => FailurePolicy::Fail,
        Some(Value::String(s)) if s == "Ignore" => FailurePolicy::Ignore,
        Some(other) => {
            return Err(format!(
                "source.failurePolicy must be \"Fail\" or \"Ignore\", found {}",
                short(other)
            )
            .into());
        }
    };
    match obj.get("generateVAP") {
        None | Some(Value::Null) | Some(Value::Bool(_)) => {}
        Some(other) => {
            return Err(format!(
                "source.generateVAP must be a boolean, found {}",
                kind(other)
            )
            .into());
        }
    }

    if validations.len() + variables.len() + match_conditions.len() > MAX_ENTRIES {
        return Err(format!(
            "source has more than {MAX_ENTRIES} validations, variables and match conditions"
        )
        .into());
    }
    Ok(SourceSpec {
        validations,
        variables,
        match_conditions,
        failure_policy,
    })
}

fn validation(v: &Value, at: &str) -> Result<ValidationSrc, SourceError> {
    let obj = v
        .as_object()
        .ok_or_else(|| SourceError::from(format!("{at} must be an object, found {}", kind(v))))?;
    check_keys(
        obj,
        at,
        &["expression", "message", "messageExpression", "reason"],
    )?;
    let expression = required_string(obj, "expression", at)?;
    let message = optional_string(obj, "message", at)?;
    let message_expression =
        optional_string(obj, "messageExpression", at)?.filter(|s| !s.trim().is_empty());
    // `reason` only sets the HTTP status reason of a denial; it has no place in a finding.
    optional_string(obj, "reason", at)?;
    Ok(ValidationSrc {
        expression,
        message,
        message_expression,
    })
}

fn named(v: &Value, at: &str) -> Result<NamedSrc, SourceError> {
    let obj = v
        .as_object()
        .ok_or_else(|| SourceError::from(format!("{at} must be an object, found {}", kind(v))))?;
    check_keys(obj, at, &["name", "expression"])?;
    Ok(NamedSrc {
        name: required_string(obj, "name", at)?,
        expression: required_string(obj, "expression", at)?,
    })
}

fn list<'a>(obj: &'a Map<String, Value>, key: &str, at: &str) -> Result<&'a [Value], SourceError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(format!("{at}.{key} must be a list, found {}", kind(other)).into()),
    }
}

fn required_string(obj: &Map<String, Value>, key: &str, at: &str) -> Result<String, SourceError> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(format!("{at}.{key} is empty").into()),
        None | Some(Value::Null) => Err(format!("{at}.{key} is missing").into()),
        Some(other) => Err(format!("{at}.{key} must be a string, found {}", kind(other)).into()),
    }
}

fn optional_string(
    obj: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<String>, SourceError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("{at}.{key} must be a string, found {}", kind(other)).into()),
    }
}

fn check_keys(obj: &Map<String, Value>, at: &str, known: &[&str]) -> Result<(), SourceError> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "{at} has the unknown field {k:?} (known: {})",
            known.join(", ")
        )
        .into()),
        None => Ok(()),
    }
}

/// A CEL identifier: what `variables.<name>` can select.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}
