//! The functions every expression may call, and the conversion of JSON inputs into CEL values.

use std::collections::HashMap;
use std::sync::Arc;

use kube_cel::KubeCelExt;
use kube_cel::cel::objects::{Key, Map, Value};
use kube_cel::cel::parser::{Expression, Parser};
use kube_cel::cel::{Context, ExecutionError, FunctionContext, ResolveResult};

use super::meter;

/// Functions of the `cel` crate's standard environment.
const CEL_STANDARD: &[&str] = &[
    "contains",
    "size",
    "max",
    "min",
    "startsWith",
    "endsWith",
    "string",
    "bytes",
    "double",
    "int",
    "uint",
    "matches",
    "duration",
    "timestamp",
    "getFullYear",
    "getMonth",
    "getDayOfYear",
    "getDayOfMonth",
    "getDate",
    "getDayOfWeek",
    "getHours",
    "getMinutes",
    "getSeconds",
    "getMilliseconds",
    "optional.none",
    "optional.of",
    "optional.ofNonZeroValue",
    "value",
    "hasValue",
    "or",
    "orValue",
];

/// The Kubernetes CEL libraries, as kube-cel provides them (strings, lists, sets, regex, urls,
/// ip/cidr, semver, format, quantity, jsonpatch, named formats, math, encoders).
const KUBERNETES_LIBRARIES: &[&str] = &[
    // strings (cel-go ext.Strings)
    "charAt",
    "indexOf",
    "lastIndexOf",
    "lowerAscii",
    "upperAscii",
    "replace",
    "split",
    "substring",
    "trim",
    "join",
    "reverse",
    "strings.quote",
    // lists (cel-go ext.Lists and the Kubernetes list library)
    "isSorted",
    "sum",
    "first",
    "last",
    "slice",
    "flatten",
    "sort",
    "distinct",
    "lists.range",
    // sets
    "sets.contains",
    "sets.equivalent",
    "sets.intersects",
    // regex
    "find",
    "findAll",
    // urls
    "url",
    "isURL",
    "getScheme",
    "getHost",
    "getHostname",
    "getPort",
    "getEscapedPath",
    "getQuery",
    // ip and cidr
    "ip",
    "cidr",
    "isIP",
    "isCIDR",
    "isCIDRv4",
    "isCIDRv6",
    "isIPv4",
    "isIPv6",
    "ip.isCanonical",
    "family",
    "isUnspecified",
    "isLoopback",
    "isLinkLocalMulticast",
    "isLinkLocalUnicast",
    "isGlobalUnicast",
    "containsIP",
    "containsCIDR",
    "masked",
    "prefixLength",
    // semver
    "semver",
    "isSemver",
    "major",
    "minor",
    "patch",
    // quantity
    "quantity",
    "isQuantity",
    "isInteger",
    "asInteger",
    "asApproximateFloat",
    "sign",
    "add",
    "sub",
    "compareTo",
    "isGreaterThan",
    "isLessThan",
    // format
    "format",
    "format.named",
    "format.dns1123Label",
    "format.dns1123LabelPrefix",
    "format.dns1123Subdomain",
    "format.dns1123SubdomainPrefix",
    "format.dns1035Label",
    "format.dns1035LabelPrefix",
    "format.qualifiedName",
    "format.labelValue",
    "format.uri",
    "format.uuid",
    "format.byte",
    "format.date",
    "format.datetime",
    "validate",
    // jsonpatch
    "jsonpatch.escapeKey",
    // math
    "math.abs",
    "math.ceil",
    "math.floor",
    "math.round",
    "math.trunc",
    "math.sign",
    "math.sqrt",
    "math.isInf",
    "math.isNaN",
    "math.isFinite",
    "math.greatest",
    "math.least",
    "math.bitAnd",
    "math.bitOr",
    "math.bitXor",
    "math.bitNot",
    "math.bitShiftLeft",
    "math.bitShiftRight",
    // encoders
    "base64.encode",
    "base64.decode",
];

/// Functions this engine adds: `dyn` (the identity; CEL's type-checker hint).
const OWN: &[&str] = &["dyn"];

/// Every function name an expression may call (checked at compile time, so an unsupported
/// function is a compile error naming it, not a failure on the first object that reaches it).
pub(crate) fn is_known_function(name: &str) -> bool {
    CEL_STANDARD.contains(&name) || KUBERNETES_LIBRARIES.contains(&name) || OWN.contains(&name)
}

/// The documented list (for docs and the test that keeps it honest).
#[cfg(test)]
pub(crate) fn known_functions() -> impl Iterator<Item = &'static str> {
    CEL_STANDARD
        .iter()
        .chain(KUBERNETES_LIBRARIES)
        .chain(OWN)
        .copied()
}

/// Functions whose result is a boolean or a number (by name, qualified or not: `contains` and
/// `sets.contains` both answer yes or no). Their calls are not wrapped in the meter's
/// result charge: a scalar cannot grow, and converting the result twice more is most of the
/// cost of a call in the `cel` crate.
const SCALAR_RESULTS: &[&str] = &[
    "size",
    "startsWith",
    "endsWith",
    "contains",
    "matches",
    "int",
    "uint",
    "double",
    "isSorted",
    "equivalent",
    "intersects",
    "indexOf",
    "lastIndexOf",
    "isURL",
    "isIP",
    "isCIDR",
    "isCIDRv4",
    "isCIDRv6",
    "isIPv4",
    "isIPv6",
    "isCanonical",
    "isUnspecified",
    "isLoopback",
    "isLinkLocalMulticast",
    "isLinkLocalUnicast",
    "isGlobalUnicast",
    "containsIP",
    "containsCIDR",
    "prefixLength",
    "family",
    "isSemver",
    "major",
    "minor",
    "patch",
    "isQuantity",
    "isInteger",
    "asInteger",
    "asApproximateFloat",
    "sign",
    "compareTo",
    "isGreaterThan",
    "isLessThan",
    "hasValue",
];

pub(crate) fn returns_scalar(function: &str) -> bool {
    SCALAR_RESULTS.contains(&function)
}

/// The prefixes of qualified function names (`sets.contains`): a call `sets.contains(…)` has
/// the identifier `sets` as its target, which is not a variable.
pub(crate) fn is_function_namespace(ident: &str, function: &str) -> bool {
    is_known_function(&format!("{ident}.{function}"))
}

pub(crate) const ITER: &str = "__kw_iter";
pub(crate) const OUT: &str = "__kw_out";
pub(crate) const IN: &str = "__kw_in";
pub(crate) const ADD: &str = "__kw_add";

fn kubernetes_context() -> Context<'static> {
    let mut ctx = Context::default();
    ctx.register_all();
    ctx
}

fn base_context() -> Context<'static> {
    let mut ctx = kubernetes_context();
    ctx.add_function("dyn", |v: Value| -> ResolveResult { Ok(v) });
    ctx.add_function(ITER, meter::kw_iter);
    ctx.add_function(OUT, meter::kw_out);
    ctx.add_function(IN, meter::kw_in);
    ctx.add_function(ADD, meter::kw_add);
    // Bounded versions of the functions whose results can outgrow their inputs.
    ctx.add_function("join", meter::join);
    ctx.add_function("replace", meter::replace);
    ctx.add_function("split", meter::split);
    ctx.add_function("lists.range", meter::lists_range);
    ctx.add_function("format", format_guarded);
    ctx
}

thread_local! {
    /// Built once per thread: registering the libraries costs as much as a small evaluation.
    static BASE: Context<'static> = base_context();
    /// kube-cel's own `format`, reached after the guard's checks.
    static PLAIN: (Context<'static>, Option<Expression>) =
        (kubernetes_context(), Parser::new().parse("t.format(a)").ok());
}

/// Runs `f` with this thread's base context.
pub(crate) fn with_base<R>(f: impl FnOnce(&Context<'_>) -> R) -> R {
    BASE.with(|base| f(base))
}

fn format_guarded(ftx: &FunctionContext) -> ResolveResult {
    let Some(Value::String(template)) = &ftx.this else {
        return Err(ExecutionError::function_error(
            "format",
            "format must be called on a string",
        ));
    };
    let [arg] = ftx.args else {
        return Err(ExecutionError::invalid_argument_count(1, ftx.args.len()));
    };
    let args = Value::resolve(arg, ftx.ptx)?;
    meter::format_precheck(template, &args)?;
    PLAIN.with(|(plain, expr)| {
        let Some(expr) = expr else {
            return Err(ExecutionError::function_error("format", "unavailable"));
        };
        let mut scope = plain.new_inner_scope();
        scope.add_variable_from_value("t", Value::String(template.clone()));
        scope.add_variable_from_value("a", args);
        Value::resolve(expr, &scope)
    })
}

/// Deeper inputs are refused (Kubernetes objects are far shallower; serde_json's own parser
/// stops at 128 too), so that no recursion over a value can exhaust the stack.
pub(crate) const MAX_INPUT_DEPTH: usize = 128;

/// Converts a JSON value into a CEL value: integers stay integers (uint beyond i64), other
/// numbers are doubles.
///
/// With `drop_nulls`, a map entry whose value is null is left out, as the API server does for
/// objects it stores (a typed field set to null is absent; a custom resource's nulls are pruned
/// unless its schema says `nullable`): `has()` is false for it, and selecting it an error.
pub(crate) fn to_cel(
    v: &serde_json::Value,
    what: &str,
    drop_nulls: bool,
) -> Result<Value, TooDeep> {
    convert(v, 0, drop_nulls).ok_or_else(|| TooDeep {
        what: what.to_string(),
    })
}

/// An input nested deeper than [`MAX_INPUT_DEPTH`].
#[derive(Debug, thiserror::Error)]
#[error("{what} is nested deeper than {MAX_INPUT_DEPTH} levels")]
pub(crate) struct TooDeep {
    what: String,
}

fn convert(v: &serde_json::Value, depth: usize, drop_nulls: bool) -> Option<Value> {
    if depth > MAX_INPUT_DEPTH {
        return None;
    }
    Some(match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if let Some(u) = n.as_u64() {
                Value::UInt(u)
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(items) => Value::List(Arc::new(
            items
                .iter()
                .map(|i| convert(i, depth + 1, drop_nulls))
                .collect::<Option<Vec<_>>>()?,
        )),
        serde_json::Value::Object(obj) => {
            let mut map = HashMap::with_capacity(obj.len());
            for (k, v) in obj {
                if drop_nulls && v.is_null() {
                    continue;
                }
                map.insert(
                    Key::String(Arc::new(k.clone())),
                    convert(v, depth + 1, drop_nulls)?,
                );
            }
            Value::Map(Map { map: Arc::new(map) })
        }
    })
}
