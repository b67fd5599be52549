//! Gatekeeper's policy library, judged by the CEL engine alone: every `suite.yaml` whose template
//! has `K8sNativeValidation` code, every case, counted and (when asserted) matched by message.
//!
//! The harness does only the part of the work that belongs to the caller and that a case needs
//! to be judged fairly: reading the files, the AdmissionReview request, the schema's parameter
//! defaults and a minimal `spec.match` (kinds, namespaces, excludedNamespaces). The crate's
//! `policy verify --engine cel` does the same for real.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{CelInput, CelProgram};

fn library_dir() -> Option<PathBuf> {
    let root = match std::env::var_os("KUBEWARD_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance"),
    };
    let dir = root.join("gatekeeper/library");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "conformance data missing at {} (set KUBEWARD_CONFORMANCE_DIR)",
            dir.display()
        );
    }
    eprintln!(
        "SKIP: Gatekeeper library not found at {} (set KUBEWARD_CONFORMANCE_DIR)",
        dir.display()
    );
    None
}

fn suites(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            suites(&path, out);
        } else if path.file_name().is_some_and(|n| n == "suite.yaml") {
            out.push(path);
        }
    }
}

fn yaml_docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: cannot read: {e}", path.display()));
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
        .unwrap_or_else(|e| panic!("{}: not YAML: {e}", path.display()));
    docs.into_iter().filter(|d| !d.is_null()).collect()
}

fn yaml_one(path: &Path) -> Value {
    let mut docs = yaml_docs(path);
    assert_eq!(docs.len(), 1, "{}: one document expected", path.display());
    docs.remove(0)
}

/// The `source` of the template's K8sNativeValidation code, if it has one.
fn cel_source(template: &Value) -> Option<&Value> {
    template["spec"]["targets"]
        .as_array()?
        .iter()
        .flat_map(|t| t["code"].as_array().into_iter().flatten())
        .find(|c| c["engine"] == "K8sNativeValidation")
        .map(|c| &c["source"])
}

/// Fills the schema's `default`s into the parameters that are present (structural-schema
/// defaulting: an absent object gets no defaults inside it).
fn apply_defaults(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(obj) => {
            let Some(props) = schema["properties"].as_object() else {
                return;
            };
            for (key, prop) in props {
                if let Some(d) = prop.get("default")
                    && !obj.contains_key(key)
                {
                    obj.insert(key.clone(), d.clone());
                }
                if let Some(v) = obj.get_mut(key) {
                    apply_defaults(prop, v);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                apply_defaults(&schema["items"], item);
            }
        }
        _ => {}
    }
}

/// The group of an apiVersion (`apps/v1` → `apps`, `v1` → ``).
fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

fn glob(pattern: &str, text: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        _ if pattern == "*" => true,
        (Some(rest), _) if rest.ends_with('*') => text.contains(&rest[..rest.len() - 1]),
        (Some(suffix), _) => text.ends_with(suffix),
        (_, Some(prefix)) => text.starts_with(prefix),
        _ => pattern == text,
    }
}

/// The minimal `spec.match` a case needs: kinds, namespaces, excludedNamespaces.
fn matches(constraint: &Value, object: &Value) -> bool {
    let m = &constraint["spec"]["match"];
    let kind = object["kind"].as_str().unwrap_or("");
    let group = group_of(object["apiVersion"].as_str().unwrap_or(""));
    if let Some(kinds) = m["kinds"].as_array() {
        let listed = |list: &Value, v: &str| {
            list.as_array()
                .is_none_or(|l| l.is_empty() || l.iter().any(|x| x == "*" || x == v))
        };
        if !kinds
            .iter()
            .any(|k| listed(&k["kinds"], kind) && listed(&k["apiGroups"], group))
        {
            return false;
        }
    }
    let ns = object["metadata"]["namespace"].as_str().unwrap_or("");
    if !ns.is_empty() {
        let any = |key: &str| {
            m[key]
                .as_array()
                .map(|l| l.iter().any(|p| glob(p.as_str().unwrap_or(""), ns)))
        };
        if any("namespaces") == Some(false) || any("excludedNamespaces") == Some(true) {
            return false;
        }
    }
    true
}

/// The review of one case file: (object, oldObject, request).
fn review(doc: &Value) -> (Value, Value, Value) {
    if doc["kind"] == "AdmissionReview" {
        let req = &doc["request"];
        let object = req.get("object").cloned().unwrap_or(Value::Null);
        let old = req.get("oldObject").cloned().unwrap_or(Value::Null);
        let mut request = req.clone();
        if let Some(r) = request.as_object_mut() {
            r.remove("object");
            r.remove("oldObject");
        }
        let subject = if object.is_null() { &old } else { &object };
        if request.get("kind").is_none() {
            request["kind"] = gvk(subject);
        }
        return (object, old, request);
    }
    let request = json!({
        "operation": "CREATE",
        "kind": gvk(doc),
        "name": doc["metadata"]["name"],
        "namespace": doc["metadata"]["namespace"],
        "userInfo": {},
    });
    (doc.clone(), Value::Null, request)
}

fn gvk(object: &Value) -> Value {
    let api_version = object["apiVersion"].as_str().unwrap_or("");
    let version = api_version.rsplit('/').next().unwrap_or("");
    json!({"group": group_of(api_version), "version": version, "kind": object["kind"]})
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: Vec<String>,
    /// Cases whose objects `spec.match` excluded: judged by the matching, not the engine.
    unmatched: Vec<String>,
}

#[test]
fn gatekeeper_library_cel_suites() {
    let Some(dir) = library_dir() else {
        return;
    };
    let mut all = Vec::new();
    suites(&dir, &mut all);
    assert!(!all.is_empty(), "no suite.yaml under {}", dir.display());

    let mut results: BTreeMap<String, Tally> = BTreeMap::new();
    for suite_path in &all {
        let base = suite_path.parent().expect("a suite lives in a folder");
        let suite_name = base
            .strip_prefix(&dir)
            .unwrap_or(base)
            .display()
            .to_string();
        let suite = yaml_one(suite_path);
        for test in suite["tests"].as_array().into_iter().flatten() {
            let template = yaml_one(&base.join(test["template"].as_str().unwrap_or_default()));
            let Some(source) = cel_source(&template) else {
                continue;
            };
            let tally = results.entry(suite_name.clone()).or_default();
            let test_name = test["name"].as_str().unwrap_or("?");
            let program = match CelProgram::compile(source) {
                Ok(p) => p,
                Err(e) => {
                    tally.failed.push(format!("{test_name}: {e}"));
                    continue;
                }
            };
            let constraint = yaml_one(&base.join(test["constraint"].as_str().unwrap_or_default()));
            let mut params = constraint["spec"]
                .get("parameters")
                .cloned()
                .unwrap_or(Value::Null);
            apply_defaults(
                &template["spec"]["crd"]["spec"]["validation"]["openAPIV3Schema"],
                &mut params,
            );

            for case in test["cases"].as_array().into_iter().flatten() {
                let case_name = format!("{test_name}/{}", case["name"].as_str().unwrap_or("?"));
                let object_path = base.join(case["object"].as_str().unwrap_or_default());
                let mut messages = Vec::new();
                let mut error = None;
                let mut evaluated = 0;
                for doc in yaml_docs(&object_path) {
                    let (object, old_object, request) = review(&doc);
                    let subject = if object.is_null() {
                        &old_object
                    } else {
                        &object
                    };
                    if !matches(&constraint, subject) {
                        continue;
                    }
                    evaluated += 1;
                    let input = CelInput {
                        object: &object,
                        old_object: &old_object,
                        params: &params,
                        request: &request,
                        namespace_object: &Value::Null,
                    };
                    match program.evaluate(&input) {
                        Ok(v) => messages.extend(v.into_iter().map(|v| v.message)),
                        Err(e) => error = Some(e.to_string()),
                    }
                }
                if let Some(e) = error {
                    tally.failed.push(format!("{case_name}: {e}"));
                    continue;
                }
                if evaluated == 0 {
                    tally.unmatched.push(case_name.clone());
                }
                let verdict = assertions(case, &messages);
                match verdict {
                    Ok(()) => tally.passed += 1,
                    Err(why) => tally
                        .failed
                        .push(format!("{case_name}: {why} (messages: {messages:?})")),
                }
            }
        }
    }

    let mut report = String::new();
    let mut failures = 0;
    for (suite, tally) in &results {
        report.push_str(&format!(
            "{suite}: {} passed, {} failed\n",
            tally.passed,
            tally.failed.len()
        ));
        for f in &tally.failed {
            report.push_str(&format!("  FAILED {f}\n"));
        }
        for u in &tally.unmatched {
            report.push_str(&format!("  (excluded by spec.match) {u}\n"));
        }
        failures += tally.failed.len();
    }
    eprintln!("{report}");
    assert!(
        results.len() >= 13,
        "expected the 13 CEL suites, found {}",
        results.len()
    );
    assert_eq!(failures, 0, "CEL conformance failures:\n{report}");
}

/// Every assertion of a case, with the semantics `policy verify` uses.
fn assertions(case: &Value, messages: &[String]) -> Result<(), crate::verify::AssertionError> {
    let messages: Vec<&str> = messages.iter().map(String::as_str).collect();
    case["assertions"]
        .as_array()
        .into_iter()
        .flatten()
        .try_for_each(|a| {
            crate::verify::check_assertion(&kubeward_inventory::Value::from(a), &messages)
        })
}
