//! Binding only the parts of an object that the expressions can reach.
//!
//! The `cel` crate deep-copies a bound value, and every field selection on it copies the
//! selected subtree again (`object.spec.containers` copies the whole `spec` first). When an
//! input is named only as the start of field selections (`object.spec.containers`,
//! `has(object.metadata.labels)`), nothing but the selected subtrees can be observed: the
//! object is bound with only those paths, each kept whole at its end. Selecting a key that is
//! absent, or selecting into a value that is not a map, behaves as before since such values
//! are kept as they are. An input used any other way (passed to a function, indexed,
//! compared, iterated, or shadowed by a comprehension variable) is bound whole.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use kube_cel::cel::common::ast::{Expr, IdedExpr, LiteralValue, operators};
use kube_cel::cel::objects::{Key, Map, Value};

use super::expr;

/// The parts of one input that must be bound.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Need {
    /// The value itself is needed, with everything below it.
    whole: bool,
    /// Otherwise, these keys (each with what is needed below it).
    keys: BTreeMap<String, Need>,
}

impl Need {
    pub(crate) fn whole() -> Need {
        Need {
            whole: true,
            keys: BTreeMap::new(),
        }
    }

    fn add_path(&mut self, path: &[String]) {
        if self.whole {
            return;
        }
        match path.split_first() {
            None => {
                self.whole = true;
                self.keys.clear();
            }
            Some((first, rest)) => self.keys.entry(first.clone()).or_default().add_path(rest),
        }
    }

    /// What `self` or `other` needs.
    pub(crate) fn merge(&mut self, other: &Need) {
        if self.whole {
            return;
        }
        if other.whole {
            *self = Need::whole();
            return;
        }
        for (k, n) in &other.keys {
            self.keys.entry(k.clone()).or_default().merge(n);
        }
    }

    /// `value` restricted to what is needed (subtrees shared, not copied).
    pub(crate) fn prune(&self, value: &Value) -> Value {
        if self.whole {
            return value.clone();
        }
        match value {
            Value::Map(m) => {
                let mut out = HashMap::with_capacity(self.keys.len());
                for (k, need) in &self.keys {
                    let key = Key::String(Arc::new(k.clone()));
                    if let Some(v) = m.map.get(&key) {
                        let v = need.prune(v);
                        out.insert(key, v);
                    }
                }
                Value::Map(Map { map: Arc::new(out) })
            }
            // Selecting into anything else gives the same result whatever it holds.
            other => other.clone(),
        }
    }
}

/// The inputs whose reach is computed, in `CelProgram`'s input order: object, oldObject,
/// request, namespaceObject, anyObject.
pub(crate) fn roots() -> [String; 5] {
    [
        "object".to_string(),
        "oldObject".to_string(),
        "request".to_string(),
        "namespaceObject".to_string(),
        expr::variable_ident("anyObject"),
    ]
}

/// A field selection: `x.f`, `has(x.f)`, or `x["f"]` (what compilation turns `x.f` into).
fn step(e: &IdedExpr) -> Option<(&IdedExpr, &str)> {
    match &e.expr {
        Expr::Select(s) => Some((&s.operand, s.field.as_str())),
        Expr::Call(c) if c.func_name == operators::INDEX && c.target.is_none() => {
            match c.args.as_slice() {
                [
                    operand,
                    IdedExpr {
                        expr: Expr::Literal(LiteralValue::String(field)),
                        ..
                    },
                ] => Some((operand, field.inner())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Adds to `needs` what `e` reaches of each root.
pub(crate) fn collect(e: &IdedExpr, roots: &[String; 5], needs: &mut [Need; 5]) {
    match &e.expr {
        _ if step(e).is_some() => {
            let mut path = Vec::new();
            let mut cur = e;
            while let Some((operand, field)) = step(cur) {
                path.push(field.to_string());
                cur = operand;
            }
            match &cur.expr {
                Expr::Ident(name) => {
                    if let Some(i) = roots.iter().position(|r| r == name) {
                        path.reverse();
                        needs[i].add_path(&path);
                    }
                }
                _ => collect(cur, roots, needs),
            }
        }
        Expr::Ident(name) => {
            if let Some(i) = roots.iter().position(|r| r == name) {
                needs[i] = Need::whole();
            }
        }
        Expr::Comprehension(c) => {
            // A comprehension variable named like an input hides it: no pruning then.
            for v in [Some(&c.iter_var), c.iter_var2.as_ref(), Some(&c.accu_var)]
                .into_iter()
                .flatten()
            {
                if let Some(i) = roots.iter().position(|r| r == v) {
                    needs[i] = Need::whole();
                }
            }
            for child in expr::children(e) {
                collect(child, roots, needs);
            }
        }
        _ => {
            for child in expr::children(e) {
                collect(child, roots, needs);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs_of(text: &str) -> [Need; 5] {
        let checked = expr::compile(text, &["anyObject", "params"]).expect("compiles");
        let mut needs: [Need; 5] = Default::default();
        collect(&checked.expr, &roots(), &mut needs);
        needs
    }

    #[test]
    fn selections_are_kept_whole_at_their_end() {
        let needs = needs_of(
            "has(object.spec.containers) && object.spec.containers.all(c, c.name != '') \
             && object.metadata.name != ''",
        );
        let mut want = Need::default();
        want.add_path(&["spec".into(), "containers".into()]);
        want.add_path(&["metadata".into(), "name".into()]);
        assert_eq!(needs[0], want);
        assert_eq!(needs[1], Need::default());
    }

    #[test]
    fn other_uses_need_the_whole_input() {
        assert!(needs_of("size(variables.anyObject) > 0")[4].whole);
        assert!(needs_of("object[object.kind].x == 1")[0].whole);
        assert!(!needs_of("object['spec'].x == 1")[0].whole);
        assert!(needs_of("object == oldObject")[1].whole);
        assert!(needs_of("[1].all(x, x > 0) && object.a == object")[0].whole);
    }

    #[test]
    fn pruned_values_keep_selected_subtrees() {
        let v = super::super::env::to_cel(
            &serde_json::json!({"spec": {"containers": [{"name": "a"}], "volumes": [1]},
                                "metadata": {"name": "x", "labels": {"a": "b"}}, "status": 3}),
            "object",
            true,
        )
        .expect("converts");
        let mut need = Need::default();
        need.add_path(&["spec".into(), "containers".into()]);
        need.add_path(&["metadata".into(), "missing".into()]);
        need.add_path(&["status".into(), "deeper".into()]);
        let pruned = need.prune(&v);
        let want = super::super::env::to_cel(
            &serde_json::json!({"spec": {"containers": [{"name": "a"}]}, "metadata": {},
                                "status": 3}),
            "object",
            true,
        )
        .expect("converts");
        assert_eq!(pruned, want);
    }
}
