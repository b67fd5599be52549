//! The evaluation budget.
//!
//! CEL has no loops, but comprehensions over long lists, nested comprehensions and string or
//! list growth can still take long or fill memory, and the `cel` crate has no cost tracker.
//! Compilation therefore rewrites every expression so that the work goes through this meter:
//! - each comprehension iteration costs 1 (`__kw_iter` around the loop condition);
//! - each function call (but those with a boolean or numeric result) and each `+` costs its
//!   result's deep size (`__kw_out`): 1 per value,
//!   plus 1 per list element or map entry and 1 per 10 bytes of string (the rate Kubernetes
//!   uses for string traversal), since the crate copies values deeply;
//!   a `+` whose operands are plain (names, literals, fields of them) is paid for from its
//!   operands before it runs instead (`__kw_add`, the same units), which spares the crate's
//!   deep conversions around a call;
//! - `x in list` costs the list's length (`__kw_in`);
//! - the few functions whose result can outgrow their inputs (`join`, `replace`, `split`,
//!   `format`, `lists.range`) charge their result's size *before* building it.
//!
//! The meter is per evaluation and per thread (an evaluation never leaves its thread). When the
//! units or the time backstop run out, every metered step fails from then on, and the
//! evaluation ends in [`CelError::Budget`](super::CelError::Budget) even where CEL's error
//! absorption (`true || error`) would hide the failure.

use std::cell::Cell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kube_cel::cel::common::types::{CelBytes, CelList, CelMap, CelMapKey, CelString};
use kube_cel::cel::common::value::Val;
use kube_cel::cel::objects::Value;
use kube_cel::cel::{ExecutionError, FunctionContext, ResolveResult};

/// The bounds of one evaluation (all variables, match conditions, validations and messages of
/// one review).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CelLimits {
    /// Cost units (see the module docs). The default, 1,000,000, is the per-call limit the
    /// Kubernetes API server applies to one ValidatingAdmissionPolicy evaluation.
    pub cost: u64,
    /// A backstop on time, checked at every metered step, for work the units do not see (the
    /// deep copies the `cel` crate makes of large inputs).
    pub time: Duration,
}

impl Default for CelLimits {
    fn default() -> Self {
        CelLimits {
            cost: 1_000_000,
            time: Duration::from_secs(1),
        }
    }
}

/// Marks the errors the meter raises, so they are told apart from CEL's own.
pub(crate) const BUDGET_FUNCTION: &str = "evaluation budget";
/// Bytes of string per cost unit.
const BYTES_PER_UNIT: u64 = 10;
/// How many steps pass between two looks at the clock.
const CLOCK_EVERY: u32 = 16;

#[derive(Clone, Copy)]
struct State {
    active: bool,
    remaining: u64,
    deadline: Option<Instant>,
    exhausted: bool,
    since_clock: u32,
}

const IDLE: State = State {
    active: false,
    remaining: 0,
    deadline: None,
    exhausted: false,
    since_clock: 0,
};

thread_local! {
    static METER: Cell<State> = const { Cell::new(IDLE) };
}

/// Starts metering the current thread; the previous meter comes back when the guard drops.
pub(crate) fn start(limits: CelLimits) -> MeterGuard {
    let previous = METER.with(|m| {
        m.replace(State {
            active: true,
            remaining: limits.cost,
            deadline: Instant::now().checked_add(limits.time),
            exhausted: false,
            since_clock: 0,
        })
    });
    MeterGuard { previous }
}

pub(crate) struct MeterGuard {
    previous: State,
}

impl Drop for MeterGuard {
    fn drop(&mut self) {
        METER.with(|m| m.set(self.previous));
    }
}

/// Whether the running evaluation has run out of budget.
pub(crate) fn exhausted() -> bool {
    METER.with(|m| m.get().exhausted)
}

/// The units left (unbounded when no evaluation is metered).
pub(crate) fn remaining() -> u64 {
    METER.with(|m| {
        let s = m.get();
        if s.active { s.remaining } else { u64::MAX }
    })
}

/// Takes `units` from the budget, or fails (and stays failed) when they are not there.
pub(crate) fn charge(units: u64) -> Result<(), ExecutionError> {
    METER.with(|m| {
        let mut s = m.get();
        if !s.active {
            return Ok(());
        }
        if !s.exhausted {
            s.since_clock += 1;
            if s.since_clock >= CLOCK_EVERY {
                s.since_clock = 0;
                if s.deadline.is_some_and(|d| Instant::now() >= d) {
                    s.exhausted = true;
                }
            }
            match s.remaining.checked_sub(units) {
                Some(left) if !s.exhausted => s.remaining = left,
                _ => s.exhausted = true,
            }
        }
        m.set(s);
        if s.exhausted {
            Err(budget_error())
        } else {
            Ok(())
        }
    })
}

pub(crate) fn budget_error() -> ExecutionError {
    ExecutionError::function_error(BUDGET_FUNCTION, "exhausted")
}

pub(crate) fn is_budget_error(e: &ExecutionError) -> bool {
    matches!(e, ExecutionError::FunctionError { function, .. } if function == BUDGET_FUNCTION)
}

fn string_units(len: usize) -> u64 {
    (len as u64) / BYTES_PER_UNIT
}

/// The deep size of a value in units, counted up to `cap` (the walk stops there).
pub(crate) fn value_units(v: &Value, cap: u64) -> u64 {
    let mut total = 0u64;
    let mut stack: Vec<&Value> = vec![v];
    while let Some(v) = stack.pop() {
        total = total.saturating_add(1);
        match v {
            Value::String(s) => total = total.saturating_add(string_units(s.len())),
            Value::Bytes(b) => total = total.saturating_add(string_units(b.len())),
            Value::List(l) => stack.extend(l.iter()),
            Value::Map(m) => {
                for (k, v) in m.map.iter() {
                    if let kube_cel::cel::objects::Key::String(s) = k {
                        total = total.saturating_add(string_units(s.len()));
                    }
                    stack.push(v);
                }
            }
            _ => {}
        }
        if total > cap {
            break;
        }
    }
    total
}

fn only_arg<'a>(
    ftx: &'a FunctionContext,
) -> Result<&'a kube_cel::cel::parser::Expression, ExecutionError> {
    match ftx.args {
        [one] => Ok(one),
        _ => Err(ExecutionError::invalid_argument_count(1, ftx.args.len())),
    }
}

/// `__kw_iter(cond)`: one comprehension iteration.
pub(crate) fn kw_iter(ftx: &FunctionContext) -> ResolveResult {
    charge(1)?;
    Value::resolve(only_arg(ftx)?, ftx.ptx)
}

/// `__kw_out(call)`: pays for what a call produced.
pub(crate) fn kw_out(ftx: &FunctionContext) -> ResolveResult {
    let value = Value::resolve(only_arg(ftx)?, ftx.ptx)?;
    let cap = remaining();
    charge(value_units(&value, cap).max(1))?;
    Ok(value)
}

/// The deep size of a bound value in units, as [`value_units`] counts it once converted,
/// counted up to `cap`.
fn val_units(v: &dyn Val, cap: u64) -> u64 {
    let mut total = 0u64;
    let mut stack: Vec<&dyn Val> = vec![v];
    while let Some(v) = stack.pop() {
        total = total.saturating_add(1);
        if let Some(s) = v.downcast_ref::<CelString>() {
            total = total.saturating_add(string_units(s.inner().len()));
        } else if let Some(b) = v.downcast_ref::<CelBytes>() {
            total = total.saturating_add(string_units(b.inner().len()));
        } else if let Some(l) = v.downcast_ref::<CelList>() {
            stack.extend(l.inner().iter().map(|i| i.as_ref()));
        } else if let Some(m) = v.downcast_ref::<CelMap>() {
            for (k, v) in m.inner() {
                if let CelMapKey::String(s) = k {
                    total = total.saturating_add(string_units(s.inner().len()));
                }
                stack.push(v.as_ref());
            }
        }
        if total > cap {
            break;
        }
    }
    total
}

/// `__kw_add(x1, x2, …)` before `((x1 + x2) + x3)…`: when the operands are all lists or all
/// strings, pays what `__kw_out` around each `+` would (the deep size of every partial sum,
/// computed from the operands) and gives true; otherwise pays nothing and gives false (the
/// caller then meters each `+` as a call).
pub(crate) fn kw_add(ftx: &FunctionContext) -> ResolveResult {
    if ftx.args.len() < 2 {
        return Err(ExecutionError::invalid_argument_count(2, ftx.args.len()));
    }
    let mut values = Vec::with_capacity(ftx.args.len());
    for arg in ftx.args {
        values.push(Value::resolve_val(arg, ftx.ptx)?);
    }
    let cap = remaining();
    let mut units = 0u64;
    if values.iter().all(|v| v.downcast_ref::<CelList>().is_some()) {
        // A sum is one list node, then every element of its operands.
        let mut partial = val_units(values[0].as_ref(), cap);
        for v in &values[1..] {
            partial = partial
                .saturating_add(val_units(v.as_ref(), cap))
                .saturating_sub(1);
            units = units.saturating_add(partial.max(1));
        }
    } else if values
        .iter()
        .all(|v| v.downcast_ref::<CelString>().is_some())
    {
        let len = |v: &dyn Val| v.downcast_ref::<CelString>().map_or(0, |s| s.inner().len());
        let mut bytes = len(values[0].as_ref());
        for v in &values[1..] {
            bytes = bytes.saturating_add(len(v.as_ref()));
            units = units.saturating_add(1 + string_units(bytes));
        }
    } else {
        return Ok(Value::Bool(false));
    }
    charge(units.max(1))?;
    Ok(Value::Bool(true))
}

/// `__kw_in(list)`: the right side of `in`, scanned once per test.
pub(crate) fn kw_in(ftx: &FunctionContext) -> ResolveResult {
    let value = Value::resolve(only_arg(ftx)?, ftx.ptx)?;
    let units = match &value {
        Value::List(l) => l.len() as u64,
        Value::Map(_) => 1,
        Value::String(s) => string_units(s.len()),
        _ => 1,
    };
    charge(units.max(1))?;
    Ok(value)
}

fn function_error(name: &str, message: impl ToString) -> ExecutionError {
    ExecutionError::function_error(name, message)
}

/// `<list<string>>.join([sep])`, strict like cel-go: every element must be a string. The result
/// is paid for before it is built, since a long separator times a long list outgrows both.
pub(crate) fn join(ftx: &FunctionContext) -> ResolveResult {
    let this = match &ftx.this {
        Some(v) => v.clone(),
        None => return Err(function_error("join", "join must be called on a list")),
    };
    let Value::List(items) = this else {
        return Err(function_error("join", "join must be called on a list"));
    };
    let sep = match ftx.args {
        [] => Arc::new(String::new()),
        [arg] => match Value::resolve(arg, ftx.ptx)? {
            Value::String(s) => s,
            _ => return Err(function_error("join", "the separator must be a string")),
        },
        _ => return Err(ExecutionError::invalid_argument_count(1, ftx.args.len())),
    };
    let mut len = sep.len().saturating_mul(items.len().saturating_sub(1));
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => len = len.saturating_add(s.len()),
            _ => {
                return Err(function_error(
                    "join",
                    format!("element {i} of the list is not a string"),
                ));
            }
        }
    }
    charge(string_units(len).max(1))?;
    let mut out = String::with_capacity(len);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        if let Value::String(s) = item {
            out.push_str(s);
        }
    }
    Ok(Value::String(Arc::new(out)))
}

fn this_string(ftx: &FunctionContext, name: &str) -> Result<Arc<String>, ExecutionError> {
    match &ftx.this {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(function_error(
            name,
            format!("{name} must be called on a string"),
        )),
    }
}

fn string_arg(ftx: &FunctionContext, i: usize, name: &str) -> Result<Arc<String>, ExecutionError> {
    let Some(arg) = ftx.args.get(i) else {
        return Err(ExecutionError::invalid_argument_count(
            i + 1,
            ftx.args.len(),
        ));
    };
    match Value::resolve(arg, ftx.ptx)? {
        Value::String(s) => Ok(s),
        _ => Err(function_error(
            name,
            format!("argument {} must be a string", i + 1),
        )),
    }
}

fn int_arg(ftx: &FunctionContext, i: usize, name: &str) -> Result<Option<i64>, ExecutionError> {
    let Some(arg) = ftx.args.get(i) else {
        return Ok(None);
    };
    match Value::resolve(arg, ftx.ptx)? {
        Value::Int(n) => Ok(Some(n)),
        _ => Err(function_error(
            name,
            format!("argument {} must be an int", i + 1),
        )),
    }
}

/// `<string>.replace(old, new[, n])` (cel-go strings semantics: n < 0 replaces all). Paid for
/// before it is built: `"aaaa".replace("a", <long>)` multiplies.
pub(crate) fn replace(ftx: &FunctionContext) -> ResolveResult {
    if !(2..=3).contains(&ftx.args.len()) {
        return Err(ExecutionError::invalid_argument_count(2, ftx.args.len()));
    }
    let this = this_string(ftx, "replace")?;
    let from = string_arg(ftx, 0, "replace")?;
    let to = string_arg(ftx, 1, "replace")?;
    let limit = int_arg(ftx, 2, "replace")?;
    // An empty pattern matches between every character and at both ends.
    let possible = if from.is_empty() {
        this.chars().count() + 1
    } else {
        this.matches(from.as_str()).count()
    };
    let count = match limit {
        Some(n) if n >= 0 => possible.min(usize::try_from(n).unwrap_or(usize::MAX)),
        _ => possible,
    };
    let len = this
        .len()
        .saturating_add(count.saturating_mul(to.len()))
        .saturating_sub(count.saturating_mul(from.len()));
    charge(string_units(len).max(1))?;
    let out = match limit {
        Some(n) if n >= 0 => this.replacen(from.as_str(), &to, count),
        _ => this.replace(from.as_str(), &to),
    };
    Ok(Value::String(Arc::new(out)))
}

/// `<string>.split(sep[, n])` (cel-go semantics: n == 0 gives [], n < 0 all parts). Paid for
/// by its number of parts first: splitting a long string on "" makes one value per character.
pub(crate) fn split(ftx: &FunctionContext) -> ResolveResult {
    if !(1..=2).contains(&ftx.args.len()) {
        return Err(ExecutionError::invalid_argument_count(1, ftx.args.len()));
    }
    let this = this_string(ftx, "split")?;
    let sep = string_arg(ftx, 0, "split")?;
    let limit = int_arg(ftx, 1, "split")?;
    if limit == Some(0) {
        return Ok(Value::List(Arc::new(Vec::new())));
    }
    let parts = if sep.is_empty() {
        this.chars().count() + 2
    } else {
        this.matches(sep.as_str()).count() + 1
    };
    charge((parts as u64).saturating_add(string_units(this.len())))?;
    let collect = |it: &mut dyn Iterator<Item = &str>| {
        it.map(|s| Value::String(Arc::new(s.to_string())))
            .collect::<Vec<_>>()
    };
    let out = match limit {
        Some(n) if n > 0 => {
            collect(&mut this.splitn(usize::try_from(n).unwrap_or(usize::MAX), sep.as_str()))
        }
        _ => collect(&mut this.split(sep.as_str())),
    };
    Ok(Value::List(Arc::new(out)))
}

/// `lists.range(n)`: [0, n), paid for before it is built.
pub(crate) fn lists_range(n: i64) -> ResolveResult {
    if n < 0 {
        return Err(function_error(
            "lists.range",
            "range argument must be non-negative",
        ));
    }
    charge(n as u64)?;
    Ok(Value::List(Arc::new((0..n).map(Value::Int).collect())))
}

/// The largest precision `format` may be asked for (`%.<n>f`).
const MAX_FORMAT_PRECISION: u64 = 100;

/// Checks a `format` call before kube-cel's implementation runs: precisions are bounded and the
/// arguments (which it renders, deeply for lists and maps) are paid for.
pub(crate) fn format_precheck(template: &str, args: &Value) -> Result<(), ExecutionError> {
    let bytes = template.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && bytes.get(i + 1) == Some(&b'.') {
            let digits: String = template[i + 2..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let precision: u64 = digits.parse().unwrap_or(u64::MAX);
            if precision > MAX_FORMAT_PRECISION {
                return Err(function_error(
                    "format",
                    format!("a precision above {MAX_FORMAT_PRECISION} is refused"),
                ));
            }
            charge(precision / BYTES_PER_UNIT)?;
        }
        i += 1;
    }
    let cap = remaining();
    charge(
        value_units(args, cap)
            .saturating_add(string_units(template.len()))
            .max(1),
    )
}
