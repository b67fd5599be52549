//! Kubernetes label selectors (`matchLabels` + `matchExpressions`).

use std::collections::BTreeMap;

use kubeward_inventory::Value;

use crate::error::SpecError;

/// Labels of a pod or namespace.
pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Operator {
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Requirement {
    pub key: String,
    pub op: Operator,
    pub values: Vec<String>,
}

/// A parsed label selector. The empty selector matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Selector {
    pub match_labels: Vec<(String, String)>,
    pub expressions: Vec<Requirement>,
}

/// Most requirements accepted in one selector (input bound).
const MAX_REQUIREMENTS: usize = 1000;

impl Selector {
    /// Parse a `LabelSelector` object; `null` is the empty selector.
    pub fn parse(v: &Value) -> Result<Selector, SpecError> {
        let mut sel = Selector::default();
        if v.is_null() {
            return Ok(sel);
        }
        let Some(obj) = v.as_object() else {
            return Err(SpecError::SelectorNotObject);
        };
        if let Some(ml) = obj.get("matchLabels").filter(|m| !m.is_null()) {
            let Some(map) = ml.as_object() else {
                return Err(SpecError::MatchLabelsNotMap);
            };
            for (k, val) in map {
                let s = match val {
                    Value::String(s) => s.to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    Value::Null => String::new(),
                    _ => return Err(SpecError::MatchLabelNotString(k.to_string())),
                };
                sel.match_labels.push((k.to_string(), s));
            }
        }
        if let Some(me) = obj.get("matchExpressions").filter(|m| !m.is_null()) {
            let Some(list) = me.as_array() else {
                return Err(SpecError::ExpressionsNotList);
            };
            for (i, e) in list.iter().enumerate() {
                let key = e
                    .get("key")
                    .and_then(Value::as_str)
                    .ok_or(SpecError::ExpressionWithoutKey(i))?;
                let op_s = e.get("operator").and_then(Value::as_str).unwrap_or("");
                let op = match op_s {
                    "In" => Operator::In,
                    "NotIn" => Operator::NotIn,
                    "Exists" => Operator::Exists,
                    "DoesNotExist" => Operator::DoesNotExist,
                    other => {
                        return Err(SpecError::UnknownOperator {
                            index: i,
                            operator: other.to_string(),
                        });
                    }
                };
                let values: Vec<String> = e
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .map(|v| match v {
                                Value::String(s) => s.to_string(),
                                other => other.to_string(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                match op {
                    Operator::In | Operator::NotIn if values.is_empty() => {
                        return Err(SpecError::ExpressionWithoutValues {
                            index: i,
                            key: key.to_string(),
                            operator: op_s.to_string(),
                        });
                    }
                    Operator::Exists | Operator::DoesNotExist if !values.is_empty() => {
                        return Err(SpecError::ExpressionWithValues {
                            index: i,
                            key: key.to_string(),
                            operator: op_s.to_string(),
                        });
                    }
                    _ => {}
                }
                sel.expressions.push(Requirement {
                    key: key.to_string(),
                    op,
                    values,
                });
            }
        }
        if sel.match_labels.len() + sel.expressions.len() > MAX_REQUIREMENTS {
            return Err(SpecError::TooManyRequirements(MAX_REQUIREMENTS));
        }
        Ok(sel)
    }

    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty()
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|x| x == v))
            && self.expressions.iter().all(|r| {
                let got = labels.get(&r.key);
                match r.op {
                    Operator::In => got.is_some_and(|g| r.values.iter().any(|v| v == g)),
                    Operator::NotIn => got.is_none_or(|g| r.values.iter().all(|v| v != g)),
                    Operator::Exists => got.is_some(),
                    Operator::DoesNotExist => got.is_none(),
                }
            })
    }

    /// Label keys this selector looks at.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.match_labels
            .iter()
            .map(|(k, _)| k.as_str())
            .chain(self.expressions.iter().map(|r| r.key.as_str()))
    }

    /// (key, value) pairs this selector compares against.
    pub fn values(&self) -> impl Iterator<Item = (&str, &str)> {
        self.match_labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(
                self.expressions
                    .iter()
                    .flat_map(|r| r.values.iter().map(move |v| (r.key.as_str(), v.as_str()))),
            )
    }

    /// Human form: `app=web,tier in (a,b)`; `{}` when empty.
    pub fn describe(&self) -> String {
        if self.is_empty() {
            return "{}".into();
        }
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for r in &self.expressions {
            parts.push(match r.op {
                Operator::In => format!("{} in ({})", r.key, r.values.join(",")),
                Operator::NotIn => format!("{} notin ({})", r.key, r.values.join(",")),
                Operator::Exists => r.key.clone(),
                Operator::DoesNotExist => format!("!{}", r.key),
            });
        }
        parts.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_inventory::json;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn empty_selector_matches_everything() {
        let s = Selector::parse(&json!({})).expect("valid");
        assert!(s.matches(&labels(&[])));
        assert!(s.matches(&labels(&[("a", "b")])));
    }

    #[test]
    fn operators() {
        let s = Selector::parse(&json!({"matchExpressions": [
            {"key": "tier", "operator": "NotIn", "values": ["db"]},
            {"key": "app", "operator": "Exists"}
        ]}))
        .expect("valid");
        assert!(
            s.matches(&labels(&[("app", "x")])),
            "NotIn holds when the key is absent"
        );
        assert!(!s.matches(&labels(&[("app", "x"), ("tier", "db")])));
        assert!(
            !s.matches(&labels(&[("tier", "web")])),
            "Exists needs the key"
        );
        let s = Selector::parse(&json!({"matchLabels": {"app": "x"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["a", "b"]},
                                 {"key": "old", "operator": "DoesNotExist"}]}))
        .expect("valid");
        assert!(s.matches(&labels(&[("app", "x"), ("env", "b")])));
        assert!(!s.matches(&labels(&[("app", "x"), ("env", "c")])));
        assert!(!s.matches(&labels(&[("app", "x"), ("env", "a"), ("old", "1")])));
    }

    #[test]
    fn unknown_operator_is_an_error() {
        let e = Selector::parse(
            &json!({"matchExpressions": [{"key": "a", "operator": "Like", "values": ["x"]}]}),
        )
        .expect_err("must fail");
        assert!(e.to_string().contains("unknown operator \"Like\""), "{e}");
        assert!(
            Selector::parse(&json!({"matchExpressions": [{"key": "a", "operator": "In"}]}))
                .is_err()
        );
    }
}
