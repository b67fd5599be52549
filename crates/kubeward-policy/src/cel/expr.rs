//! Compiling one expression: parse within bounds, check what the `cel` crate would only find at
//! run time (unknown names, forms it cannot evaluate), and rewrite it for laziness and metering.

use kube_cel::cel::common::ast::{CallExpr, EntryExpr, Expr, IdedExpr, LiteralValue, operators};
use kube_cel::cel::common::types::{CelBool, CelString};
use kube_cel::cel::parser::Parser;
use std::collections::BTreeSet;

use super::env::{self, ADD, IN, ITER, OUT};

/// The longest expression accepted. The library's longest is under 2 KiB; the bound keeps the
/// parser's work and its stack small.
pub(crate) const MAX_EXPRESSION_BYTES: usize = 32 * 1024;
/// The deepest syntax tree accepted (evaluation recurses once per level).
pub(crate) const MAX_DEPTH: usize = 96;
/// The parser recurses once per level of the tree it builds, and chains such as `a[0][0]…`
/// pass the lexical check: it runs on a thread of its own with this much stack (the worst
/// 32 KiB shapes of the tests need less than 8 MiB in a debug build).
const PARSE_STACK_BYTES: usize = 64 << 20;

/// Identifiers bound in every expression (Gatekeeper's K8sNativeValidation environment).
const GLOBALS: [&str; 4] = ["object", "oldObject", "request", "namespaceObject"];
/// The name under which Gatekeeper's and the template's variables are selected.
pub(crate) const VARIABLES: &str = "variables";

/// The identifier the rewritten `variables.<name>` becomes: a name no expression can spell, so
/// it can only be resolved by the engine (lazily, once per evaluation).
pub(crate) fn variable_ident(name: &str) -> String {
    format!("{VARIABLES}.{name}")
}

/// Why an expression is refused.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Refused(String);

impl From<String> for Refused {
    fn from(s: String) -> Self {
        Refused(s)
    }
}

impl From<&str> for Refused {
    fn from(s: &str) -> Self {
        Refused(s.to_string())
    }
}

/// A compiled expression and the names it uses.
#[derive(Debug)]
pub(crate) struct Checked {
    pub expr: IdedExpr,
    /// The `variables.<name>` it names (Gatekeeper's and the template's).
    pub variables: BTreeSet<String>,
    /// The inputs it names (`object`, `oldObject`, `request`, `namespaceObject`).
    pub globals: BTreeSet<&'static str>,
}

/// Compiles `text`; `visible` are the `variables.<name>` it may use.
pub(crate) fn compile(text: &str, visible: &[&str]) -> Result<Checked, Refused> {
    if text.len() > MAX_EXPRESSION_BYTES {
        return Err(format!(
            "the expression is {} bytes long, above the limit of {MAX_EXPRESSION_BYTES}",
            text.len()
        )
        .into());
    }
    // The parser's work grows faster than linearly with bracket nesting and with chains of
    // prefix operators (15,000 `[` or `-!` take seconds): deep nesting is refused before it
    // runs.
    if nesting(text) > MAX_DEPTH {
        return Err(format!("the expression nests deeper than {MAX_DEPTH} levels").into());
    }
    let mut expr = parse(text)?;
    let mut rewriter = Rewriter {
        visible,
        locals: Vec::new(),
        variables: BTreeSet::new(),
        globals: BTreeSet::new(),
    };
    rewriter.rewrite(&mut expr)?;
    Ok(Checked {
        expr,
        variables: rewriter.variables,
        globals: rewriter.globals,
    })
}

fn parse(text: &str) -> Result<IdedExpr, Refused> {
    let owned = text.to_owned();
    let worker = std::thread::Builder::new()
        .name("cel-parse".into())
        .stack_size(PARSE_STACK_BYTES)
        .spawn(move || {
            // Optional syntax (`a.?b`, `[?x]`) stays off: the crate evaluates it wrongly.
            let expr = Parser::new().parse(&owned).map_err(|e| e.to_string())?;
            // A tree too deep is refused (and dropped) here, on the big stack.
            if depth(&expr) > MAX_DEPTH {
                return Err(format!("the expression nests deeper than {MAX_DEPTH} levels").into());
            }
            Ok(expr)
        })
        .map_err(|e| format!("the parser thread could not start: {e}"))?;
    worker
        .join()
        .map_err(|_| "the CEL parser failed on this expression".to_string())?
}

/// A lexical bound on nesting, outside string literals: the deepest nesting of `(`, `[` and
/// `{`, or the longest run of prefix operators (`!`, `-`), whichever is larger. The parser
/// reports unbalanced text itself.
fn nesting(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    let mut unary_run = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'!' | b'-' if bytes.get(i + 1) != Some(&b'=') => {
                unary_run += 1;
                deepest = deepest.max(unary_run);
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            _ => unary_run = 0,
        }
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            quote @ (b'\'' | b'"') => {
                let raw = i > 0 && matches!(bytes[i - 1], b'r' | b'R');
                let triple = bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote);
                let close: &[u8] = if triple {
                    &bytes[i..i + 3]
                } else {
                    &bytes[i..i + 1]
                };
                i += close.len();
                while i < bytes.len() && !bytes[i..].starts_with(close) {
                    i += if bytes[i] == b'\\' && !raw { 2 } else { 1 };
                }
                i += close.len();
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    deepest
}

pub(crate) fn children(e: &IdedExpr) -> Vec<&IdedExpr> {
    match &e.expr {
        Expr::Call(c) => c.target.as_deref().into_iter().chain(&c.args).collect(),
        Expr::Comprehension(c) => vec![
            &c.iter_range,
            &c.accu_init,
            &c.loop_cond,
            &c.loop_step,
            &c.result,
        ],
        Expr::List(l) => l.elements.iter().collect(),
        Expr::Map(m) => m.entries.iter().flat_map(entry_children).collect(),
        Expr::Struct(s) => s.entries.iter().flat_map(entry_children).collect(),
        Expr::Select(s) => vec![&s.operand],
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => Vec::new(),
    }
}

fn entry_children(e: &kube_cel::cel::common::ast::IdedEntryExpr) -> Vec<&IdedExpr> {
    match &e.expr {
        EntryExpr::MapEntry(m) => vec![&m.key, &m.value],
        EntryExpr::StructField(f) => vec![&f.value],
    }
}

/// The depth of a tree, without recursion (the tree may be arbitrarily deep here).
fn depth(root: &IdedExpr) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(root, 1usize)];
    while let Some((e, d)) = stack.pop() {
        deepest = deepest.max(d);
        if d > MAX_DEPTH {
            break;
        }
        stack.extend(children(e).into_iter().map(|c| (c, d + 1)));
    }
    deepest
}

fn is_operator(name: &str) -> bool {
    name.starts_with('_')
        || name.starts_with('@')
        || name == operators::LOGICAL_NOT
        || name == operators::NEGATE
}

struct Rewriter<'a> {
    visible: &'a [&'a str],
    /// Comprehension variables in scope, innermost last.
    locals: Vec<String>,
    variables: BTreeSet<String>,
    globals: BTreeSet<&'static str>,
}

impl Rewriter<'_> {
    fn is_local(&self, name: &str) -> bool {
        self.locals.iter().any(|l| l == name)
    }

    fn rewrite(&mut self, e: &mut IdedExpr) -> Result<(), Refused> {
        match &mut e.expr {
            Expr::Literal(_) => Ok(()),
            Expr::Ident(name) => self.ident(name),
            Expr::Select(sel) => {
                let selects_variables = matches!(
                    &sel.operand.expr,
                    Expr::Ident(n) if n == VARIABLES && !self.is_local(VARIABLES)
                );
                if !selects_variables {
                    self.rewrite(&mut sel.operand)?;
                    if !sel.test {
                        // The crate's field selection yields `false` on a value that is not a
                        // map (null, a string…); CEL makes that an error, and so does an index.
                        let operand = std::mem::take(&mut *sel.operand);
                        let field = IdedExpr {
                            id: operand.id,
                            expr: Expr::Literal(LiteralValue::String(CelString::from(
                                sel.field.as_str(),
                            ))),
                        };
                        e.expr = Expr::Call(CallExpr {
                            func_name: operators::INDEX.to_string(),
                            target: None,
                            args: vec![operand, field],
                        });
                    }
                    return Ok(());
                }
                if !self.visible.contains(&sel.field.as_str()) {
                    return Err(format!(
                        "variables.{} is not defined before this expression",
                        sel.field
                    )
                    .into());
                }
                self.variables.insert(sel.field.clone());
                // Every visible variable is declared, so `has()` on one holds.
                e.expr = if sel.test {
                    Expr::Literal(LiteralValue::Boolean(CelBool::from(true)))
                } else {
                    Expr::Ident(variable_ident(&sel.field))
                };
                Ok(())
            }
            Expr::Call(call) => {
                // `sets.contains(…)`: the target names the function's namespace. The
                // interpreter looks the qualified name up first, and so does this check.
                let qualified = matches!(
                    call.target.as_deref(),
                    Some(IdedExpr { expr: Expr::Ident(ns), .. })
                        if env::is_function_namespace(ns, &call.func_name)
                );
                if let Some(target) = call.target.as_deref_mut()
                    && !qualified
                {
                    self.rewrite(target)?;
                }
                for arg in &mut call.args {
                    self.rewrite(arg)?;
                }
                let name = call.func_name.as_str();
                if is_operator(name) {
                    if name == operators::IN {
                        if let Some(list) = call.args.get_mut(1) {
                            wrap(list, IN);
                        }
                    } else if name == operators::ADD {
                        if call.args.iter().all(is_plain) {
                            pay_first(e);
                        } else if !extend_paid(e) {
                            wrap(e, OUT);
                        }
                    }
                } else if qualified || env::is_known_function(name) {
                    // A scalar result is no growth to pay for; the loops around the call are
                    // still metered, and so is the clock.
                    if name != "dyn" && !env::returns_scalar(name) {
                        wrap(e, OUT);
                    }
                } else {
                    return Err(format!("the function {name}() is not supported").into());
                }
                Ok(())
            }
            Expr::Comprehension(c) => {
                let vars: Vec<String> = std::iter::once(c.iter_var.clone())
                    .chain(c.iter_var2.clone())
                    .collect();
                if vars
                    .iter()
                    .any(|v| v == VARIABLES || GLOBALS.contains(&v.as_str()))
                {
                    return Err(format!(
                        "a comprehension variable may not be named {:?}",
                        vars.join(", ")
                    )
                    .into());
                }
                self.rewrite(&mut c.iter_range)?;
                self.rewrite(&mut c.accu_init)?;
                let base = self.locals.len();
                self.locals.push(c.accu_var.clone());
                self.locals.extend(vars);
                self.rewrite(&mut c.loop_cond)?;
                self.rewrite(&mut c.loop_step)?;
                self.locals.truncate(base + 1);
                self.rewrite(&mut c.result)?;
                self.locals.truncate(base);
                wrap(&mut c.loop_cond, ITER);
                Ok(())
            }
            Expr::List(l) => l.elements.iter_mut().try_for_each(|x| self.rewrite(x)),
            Expr::Map(m) => m
                .entries
                .iter_mut()
                .try_for_each(|entry| match &mut entry.expr {
                    EntryExpr::MapEntry(me) => {
                        self.rewrite(&mut me.key)?;
                        self.rewrite(&mut me.value)
                    }
                    EntryExpr::StructField(_) => Err("message fields are not supported".into()),
                }),
            Expr::Struct(s) => {
                Err(format!("message literals ({}{{…}}) are not supported", s.type_name).into())
            }
            Expr::Unspecified => Err("the expression is incomplete".into()),
        }
    }

    fn ident(&mut self, name: &str) -> Result<(), Refused> {
        if self.is_local(name) {
            return Ok(());
        }
        if let Some(global) = GLOBALS.iter().find(|g| **g == name) {
            self.globals.insert(global);
            return Ok(());
        }
        Err(match name {
            VARIABLES => "`variables` may only be used as variables.<name>".into(),
            "params" => {
                "`params` (the whole constraint) is not bound: use variables.params for its parameters"
                    .into()
            }
            "authorizer" => "`authorizer` needs an API server and is not available offline".into(),
            _ => format!("the identifier {name:?} is not defined").into(),
        })
    }
}

/// An operand that may be evaluated twice at no charge and with no other effect: a name, a
/// literal, a field of one, a list of them.
fn is_plain(e: &IdedExpr) -> bool {
    match &e.expr {
        Expr::Ident(_) | Expr::Literal(_) => true,
        Expr::List(l) => l.optional_indices.is_empty() && l.elements.iter().all(is_plain),
        Expr::Call(c) => {
            c.func_name == operators::INDEX
                && c.target.is_none()
                && c.args.len() == 2
                && c.args.iter().all(is_plain)
        }
        _ => false,
    }
}

/// `a + b` with plain operands becomes `__kw_add(a, b) ? a + b : __kw_out(a + b)`.
/// `__kw_add` pays for the list or string `a + b` gives (the same units `__kw_out` would
/// charge) from the operands themselves, so the sum is then built without the `cel` crate's
/// two deep conversions around a function call; for other operands it pays nothing and
/// answers false, and the sum is metered as any call.
fn pay_first(e: &mut IdedExpr) {
    let id = e.id;
    let sum = std::mem::take(e);
    let Expr::Call(call) = &sum.expr else {
        *e = sum;
        return;
    };
    let cost = IdedExpr {
        id,
        expr: Expr::Call(CallExpr {
            func_name: ADD.to_string(),
            target: None,
            args: call.args.clone(),
        }),
    };
    let mut metered = sum.clone();
    wrap(&mut metered, OUT);
    *e = IdedExpr {
        id,
        expr: Expr::Call(CallExpr {
            func_name: operators::CONDITIONAL.to_string(),
            target: None,
            args: vec![cost, sum, metered],
        }),
    };
}

/// The parts of a `+` rewritten by [`pay_first`]: the payment, the sum, the metered sum.
fn paid_parts(e: &IdedExpr) -> Option<(&CallExpr, &IdedExpr, &IdedExpr)> {
    let Expr::Call(c) = &e.expr else { return None };
    match (c.func_name == operators::CONDITIONAL, c.args.as_slice()) {
        (true, [cost, sum, metered]) => match &cost.expr {
            Expr::Call(pay) if pay.func_name == ADD => Some((pay, sum, metered)),
            _ => None,
        },
        _ => None,
    }
}

/// `s + c`, where `s` is a sum rewritten by [`pay_first`] (of plain operands) and `c` is
/// plain: one `__kw_add` over all the operands pays for every partial sum, as the `__kw_out`
/// around each `+` would have; the metered form stays as the fallback.
fn extend_paid(e: &mut IdedExpr) -> bool {
    let Expr::Call(call) = &e.expr else {
        return false;
    };
    let [left, right] = call.args.as_slice() else {
        return false;
    };
    if !is_plain(right) {
        return false;
    }
    let Some((pay, sum, metered)) = paid_parts(left) else {
        return false;
    };
    let id = e.id;
    let mut operands = pay.args.clone();
    operands.push(right.clone());
    let plus = |l: &IdedExpr| IdedExpr {
        id,
        expr: Expr::Call(CallExpr {
            func_name: operators::ADD.to_string(),
            target: None,
            args: vec![l.clone(), right.clone()],
        }),
    };
    let new_sum = plus(sum);
    let mut new_metered = plus(metered);
    wrap(&mut new_metered, OUT);
    *e = IdedExpr {
        id,
        expr: Expr::Call(CallExpr {
            func_name: operators::CONDITIONAL.to_string(),
            target: None,
            args: vec![
                IdedExpr {
                    id,
                    expr: Expr::Call(CallExpr {
                        func_name: ADD.to_string(),
                        target: None,
                        args: operands,
                    }),
                },
                new_sum,
                new_metered,
            ],
        }),
    };
    true
}

/// Replaces `e` by `function(e)`.
fn wrap(e: &mut IdedExpr, function: &str) {
    let id = e.id;
    let inner = std::mem::take(e);
    *e = IdedExpr {
        id,
        expr: Expr::Call(CallExpr {
            func_name: function.to_string(),
            target: None,
            args: vec![inner],
        }),
    };
}
