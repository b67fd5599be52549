//! The parameters schema's `default`s, applied as the API server's structural defaulting does:
//! a missing property with a `default` gets it; an object or list that is absent gets no
//! defaults inside it; `items` and `additionalProperties` default each element.

use serde_json::Value;

/// The deepest schema followed (a schema is the template author's input).
const MAX_DEPTH: usize = 64;

pub(crate) fn apply_defaults(schema: &Value, value: &mut Value) {
    apply(schema, value, 0);
}

fn apply(schema: &Value, value: &mut Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(obj) => {
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (key, prop) in props {
                    if !obj.contains_key(key)
                        && let Some(d) = prop.get("default")
                    {
                        obj.insert(key.clone(), d.clone());
                    }
                    if let Some(v) = obj.get_mut(key) {
                        apply(prop, v, depth + 1);
                    }
                }
            }
            if let Some(extra) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                let known = schema.get("properties").and_then(Value::as_object);
                for (key, v) in obj.iter_mut() {
                    if known.is_none_or(|k| !k.contains_key(key)) {
                        apply(extra, v, depth + 1);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    apply(item_schema, item, depth + 1);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_fill_missing_properties_only_where_the_parent_exists() {
        let schema = json!({"properties": {
            "exemptImages": {"type": "array", "items": {"type": "string"}},
            "mode": {"type": "string", "default": "strict"},
            "limits": {"type": "object", "properties": {"cpu": {"default": "1"}}},
            "rules": {"type": "array", "items": {"properties": {"level": {"default": 3}}}}
        }});
        let mut params = json!({"rules": [{}, {"level": 1}]});
        apply_defaults(&schema, &mut params);
        assert_eq!(
            params,
            json!({"rules": [{"level": 3}, {"level": 1}], "mode": "strict"})
        );
        let mut given = json!({"mode": "lax", "limits": {}});
        apply_defaults(&schema, &mut given);
        assert_eq!(given, json!({"mode": "lax", "limits": {"cpu": "1"}}));
    }
}
