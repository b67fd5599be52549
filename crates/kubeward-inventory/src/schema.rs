//! The types Kubernetes gives the fields kubeward reads. A field of the wrong type is an input error
//! naming the field, never a missing field: `namespace: y` is the boolean `true` under the YAML 1.1
//! rules Kubernetes decodes manifests with (as `name: on`, `value: 0x1F`, `runAsUser: "0"` are the
//! wrong type), the API server rejects such an object, and reading it as "no namespace" would move
//! it to `default` and judge something that can never exist.
//!
//! `null` is the field left out, as it is for the API server. Mapping keys are not checked:
//! Kubernetes turns a key `on:` into the string `"true"`, and so does the loader.

use std::sync::OnceLock;

use crate::object::FieldLines;
use crate::value::Value;

/// The JSON type Kubernetes expects at a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Str,
    Bool,
    Int,
    /// `IntOrString` (ports) and quantities (`cpu: 1` or `cpu: 500m`).
    IntOrStr,
    List,
    Map,
}

impl Ty {
    fn phrase(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::Bool => "a boolean (true or false)",
            Ty::Int => "an integer",
            Ty::IntOrStr => "an integer or a string",
            Ty::List => "a list",
            Ty::Map => "a mapping",
        }
    }

    fn accepts(self, v: &Value) -> bool {
        match (self, v) {
            (_, Value::Null) => true,
            (Ty::Str, Value::String(_)) | (Ty::Bool, Value::Bool(_)) => true,
            (Ty::Int | Ty::IntOrStr, Value::Number(_)) => is_integer(v),
            (Ty::IntOrStr, Value::String(_)) => true,
            (Ty::List, Value::Array(_)) | (Ty::Map, Value::Object(_)) => true,
            _ => false,
        }
    }
}

/// JSON `1000` and `1000.0` are the same integer to the API server; `1.5` is not one.
fn is_integer(v: &Value) -> bool {
    v.is_i64()
        || v.is_u64()
        || v.as_f64()
            .is_some_and(|f| f.fract() == 0.0 && f.is_finite())
}

/// One field of the wrong type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TypeError {
    /// JSON pointer of the field in the object.
    pub pointer: String,
    pub expected: Ty,
    pub found: String,
    /// Line of the field when the input gave lines.
    pub line: Option<u32>,
    /// The hint that fits the mistake.
    hint: &'static str,
    /// The value holds control or invisible characters: no name of that kind is shown or judged.
    pub control: bool,
}

impl TypeError {
    /// The input error's message: the field, what Kubernetes expects, what was found and how to
    /// fix it.
    pub fn message(&self) -> String {
        if matches!(
            self.hint,
            NAMESPACE_RULE | NAME_RULE | CONTAINER_RULE | LABEL_VALUE_RULE | LABEL_KEY_RULE
        ) {
            return format!(
                "{}: {} is not accepted by Kubernetes ({}). The API server rejects this object, so it was not scanned.",
                display_field(&self.pointer),
                self.found,
                self.hint
            );
        }
        format!(
            "{}: Kubernetes expects {} here, but the value is {}; {}. The API server rejects this object, so it was not scanned.",
            display_field(&self.pointer),
            self.expected.phrase(),
            self.found,
            self.hint
        )
    }
}

const QUOTE_HINT: &str = "YAML 1.1 (which Kubernetes uses) reads an unquoted y, yes, on, n, no, off, true or false as a boolean and 0x1F, 0755, 1e3, .inf or ~ as a number or null: quote the value as written (key: \"value\")";
const UNQUOTE_BOOL: &str = "write true or false without quotes";
const UNQUOTE_INT: &str = "write the number without quotes";
const SHAPE_HINT: &str = "fix the structure of this field";

/// `spec.template.spec.containers[0].env[1].value`; a key that is not a plain word is quoted
/// (`metadata.labels["app.kubernetes.io/name"]`).
fn display_field(pointer: &str) -> String {
    let mut out = String::new();
    for raw in pointer.split('/').skip(1) {
        let seg = raw.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else if !seg.is_empty()
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        } else {
            out.push_str(&format!("[{seg:?}]"));
        }
    }
    out
}

fn describe(v: &Value) -> String {
    match v {
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {:?}", s.as_str()),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
        Value::Null => "null".into(),
    }
}

fn hint(expected: Ty, found: &Value) -> &'static str {
    match (expected, found) {
        (Ty::Str | Ty::IntOrStr, Value::Bool(_) | Value::Number(_)) => QUOTE_HINT,
        (Ty::Bool, Value::String(_)) => UNQUOTE_BOOL,
        (Ty::Int, Value::String(_)) => UNQUOTE_INT,
        _ => SHAPE_HINT,
    }
}

type Rules = Vec<(String, Ty)>;

fn add(out: &mut Rules, prefix: &str, items: &[(&str, Ty)]) {
    for (p, t) in items {
        out.push((format!("{prefix}{p}"), *t));
    }
}

fn label_selector(out: &mut Rules, at: &str) {
    use Ty::*;
    add(
        out,
        at,
        &[
            ("", Map),
            ("/matchLabels", Map),
            ("/matchLabels/*", Str),
            ("/matchExpressions", List),
            ("/matchExpressions/*/key", Str),
            ("/matchExpressions/*/operator", Str),
            ("/matchExpressions/*/values", List),
            ("/matchExpressions/*/values/*", Str),
        ],
    );
}

fn string_map(out: &mut Rules, at: &str) {
    add(out, at, &[("", Ty::Map), ("/*", Ty::Str)]);
}

/// Fields shared by the pod's and a container's `securityContext`.
fn security_context(out: &mut Rules, at: &str) {
    use Ty::*;
    add(
        out,
        at,
        &[
            ("", Map),
            ("/runAsNonRoot", Bool),
            ("/runAsUser", Int),
            ("/runAsGroup", Int),
            ("/seccompProfile", Map),
            ("/seccompProfile/type", Str),
            ("/seccompProfile/localhostProfile", Str),
            ("/appArmorProfile", Map),
            ("/appArmorProfile/type", Str),
            ("/appArmorProfile/localhostProfile", Str),
            ("/seLinuxOptions", Map),
            ("/seLinuxOptions/*", Str),
            ("/windowsOptions/hostProcess", Bool),
        ],
    );
}

fn container(out: &mut Rules, at: &str) {
    use Ty::*;
    add(
        out,
        at,
        &[
            ("", Map),
            ("/name", Str),
            ("/image", Str),
            ("/imagePullPolicy", Str),
            ("/command", List),
            ("/command/*", Str),
            ("/args", List),
            ("/args/*", Str),
            ("/securityContext/privileged", Bool),
            ("/securityContext/allowPrivilegeEscalation", Bool),
            ("/securityContext/readOnlyRootFilesystem", Bool),
            ("/securityContext/procMount", Str),
            ("/securityContext/capabilities", Map),
            ("/securityContext/capabilities/add", List),
            ("/securityContext/capabilities/add/*", Str),
            ("/securityContext/capabilities/drop", List),
            ("/securityContext/capabilities/drop/*", Str),
            ("/ports", List),
            ("/ports/*/containerPort", Int),
            ("/ports/*/hostPort", Int),
            ("/ports/*/protocol", Str),
            ("/ports/*/name", Str),
            ("/ports/*/hostIP", Str),
            ("/env", List),
            ("/env/*/name", Str),
            ("/env/*/value", Str),
            ("/env/*/valueFrom/secretKeyRef/name", Str),
            ("/env/*/valueFrom/secretKeyRef/key", Str),
            ("/envFrom", List),
            ("/envFrom/*/secretRef/name", Str),
            ("/envFrom/*/configMapRef/name", Str),
            ("/volumeMounts", List),
            ("/volumeMounts/*/name", Str),
            ("/volumeMounts/*/mountPath", Str),
            ("/volumeMounts/*/readOnly", Bool),
            ("/resources/limits", Map),
            ("/resources/limits/*", IntOrStr),
            ("/resources/requests", Map),
            ("/resources/requests/*", IntOrStr),
        ],
    );
    security_context(out, &format!("{at}/securityContext"));
}

fn pod(out: &mut Rules, meta: &str, spec: &str) {
    use Ty::*;
    string_map(out, &format!("{meta}/labels"));
    string_map(out, &format!("{meta}/annotations"));
    add(
        out,
        spec,
        &[
            ("", Map),
            ("/hostNetwork", Bool),
            ("/hostPID", Bool),
            ("/hostIPC", Bool),
            ("/hostUsers", Bool),
            ("/shareProcessNamespace", Bool),
            ("/automountServiceAccountToken", Bool),
            ("/serviceAccountName", Str),
            ("/serviceAccount", Str),
            ("/nodeName", Str),
            ("/runtimeClassName", Str),
            ("/priorityClassName", Str),
            ("/os/name", Str),
            ("/nodeSelector", Map),
            ("/nodeSelector/*", Str),
            ("/securityContext/fsGroup", Int),
            ("/securityContext/supplementalGroups", List),
            ("/securityContext/supplementalGroups/*", Int),
            ("/securityContext/sysctls", List),
            ("/securityContext/sysctls/*/name", Str),
            ("/securityContext/sysctls/*/value", Str),
            ("/volumes", List),
            ("/volumes/*/name", Str),
            ("/volumes/*/hostPath/path", Str),
            ("/volumes/*/hostPath/type", Str),
            ("/volumes/*/secret/secretName", Str),
        ],
    );
    security_context(out, &format!("{spec}/securityContext"));
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        add(out, &format!("{spec}/{list}"), &[("", List)]);
        container(out, &format!("{spec}/{list}/*"));
    }
}

fn metadata() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| {
        use Ty::*;
        let mut r = Rules::new();
        add(
            &mut r,
            "",
            &[
                ("/apiVersion", Str),
                ("/kind", Str),
                ("/metadata", Map),
                ("/metadata/name", Str),
                ("/metadata/generateName", Str),
                ("/metadata/namespace", Str),
                ("/metadata/ownerReferences", List),
                ("/metadata/ownerReferences/*/apiVersion", Str),
                ("/metadata/ownerReferences/*/kind", Str),
                ("/metadata/ownerReferences/*/name", Str),
                ("/metadata/ownerReferences/*/uid", Str),
                ("/metadata/ownerReferences/*/controller", Bool),
            ],
        );
        string_map(&mut r, "/metadata/labels");
        string_map(&mut r, "/metadata/annotations");
        r
    })
}

fn rbac_role() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| {
        let mut r = Rules::new();
        add(&mut r, "/rules", &[("", Ty::List)]);
        for f in [
            "apiGroups",
            "resources",
            "verbs",
            "resourceNames",
            "nonResourceURLs",
        ] {
            add(
                &mut r,
                &format!("/rules/*/{f}"),
                &[("", Ty::List), ("/*", Ty::Str)],
            );
        }
        add(
            &mut r,
            "/aggregationRule/clusterRoleSelectors",
            &[("", Ty::List)],
        );
        label_selector(&mut r, "/aggregationRule/clusterRoleSelectors/*");
        r
    })
}

fn rbac_binding() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| {
        use Ty::*;
        let mut r = Rules::new();
        add(
            &mut r,
            "",
            &[
                ("/roleRef", Map),
                ("/roleRef/apiGroup", Str),
                ("/roleRef/kind", Str),
                ("/roleRef/name", Str),
                ("/subjects", List),
                ("/subjects/*/kind", Str),
                ("/subjects/*/name", Str),
                ("/subjects/*/namespace", Str),
                ("/subjects/*/apiGroup", Str),
            ],
        );
        r
    })
}

fn network_policy() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| {
        use Ty::*;
        let mut r = Rules::new();
        label_selector(&mut r, "/spec/podSelector");
        add(
            &mut r,
            "/spec",
            &[("/policyTypes", List), ("/policyTypes/*", Str)],
        );
        for (dir, peers) in [("ingress", "from"), ("egress", "to")] {
            let rule = format!("/spec/{dir}/*");
            add(&mut r, &format!("/spec/{dir}"), &[("", List)]);
            add(
                &mut r,
                &rule,
                &[
                    ("/ports", List),
                    ("/ports/*/protocol", Str),
                    ("/ports/*/port", IntOrStr),
                    ("/ports/*/endPort", Int),
                    (&format!("/{peers}"), List),
                    (&format!("/{peers}/*/ipBlock/cidr"), Str),
                    (&format!("/{peers}/*/ipBlock/except"), List),
                    (&format!("/{peers}/*/ipBlock/except/*"), Str),
                ],
            );
            label_selector(&mut r, &format!("{rule}/{peers}/*/podSelector"));
            label_selector(&mut r, &format!("{rule}/{peers}/*/namespaceSelector"));
        }
        r
    })
}

fn service() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| {
        use Ty::*;
        let mut r = Rules::new();
        string_map(&mut r, "/spec/selector");
        add(
            &mut r,
            "/spec",
            &[
                ("/type", Str),
                ("/clusterIP", Str),
                ("/externalTrafficPolicy", Str),
                ("/externalIPs", List),
                ("/externalIPs/*", Str),
                ("/loadBalancerSourceRanges", List),
                ("/loadBalancerSourceRanges/*", Str),
                ("/ports", List),
                ("/ports/*/name", Str),
                ("/ports/*/protocol", Str),
                ("/ports/*/port", Int),
                ("/ports/*/nodePort", Int),
                ("/ports/*/targetPort", IntOrStr),
            ],
        );
        r
    })
}

/// The pod template rules of each template location (a handful: built once each).
fn pod_rules(meta: &'static str, spec: &'static str) -> &'static Rules {
    static R: OnceLock<std::sync::Mutex<Vec<(&'static str, &'static Rules)>>> = OnceLock::new();
    let table = R.get_or_init(Default::default);
    let mut t = match table.lock() {
        Ok(t) => t,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some((_, r)) = t.iter().find(|(s, _)| *s == spec) {
        return r;
    }
    let mut r = Rules::new();
    pod(&mut r, meta, spec);
    // Leaked on purpose: one table per template location, of which there are five.
    let r: &'static Rules = Box::leak(Box::new(r));
    t.push((spec, r));
    r
}

/// The rule tables that apply to an object of this kind and API version.
fn rules_for(kind: &str, api_version: &str) -> Vec<&'static Rules> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let mut out = vec![metadata()];
    let k8s_group = matches!(group, "" | "apps" | "batch" | "extensions");
    if (k8s_group || group == "argoproj.io")
        && let Some((meta, spec)) = crate::workload::template_pointers(kind, api_version)
    {
        out.push(pod_rules(meta, spec));
    }
    match (group, kind) {
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => out.push(rbac_role()),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            out.push(rbac_binding())
        }
        ("networking.k8s.io" | "extensions", "NetworkPolicy") => out.push(network_policy()),
        ("", "Service") => out.push(service()),
        ("", "ServiceAccount") => {
            static R: OnceLock<Rules> = OnceLock::new();
            out.push(R.get_or_init(|| vec![("/automountServiceAccountToken".into(), Ty::Bool)]));
        }
        _ => {}
    }
    out
}

/// The wrong-typed fields of one object (its `apiVersion` and `kind` read leniently to pick the
/// rules; a wrong-typed `kind` is itself reported).
pub(crate) fn check(value: &Value, lines: &FieldLines) -> Vec<TypeError> {
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut errors = Vec::new();
    for rules in rules_for(kind, api_version) {
        for (pattern, ty) in rules.iter() {
            let segs: Vec<&str> = pattern.split('/').skip(1).collect();
            let mut ptr = String::new();
            visit(value, &segs, &mut ptr, &mut |at, v| {
                if !ty.accepts(v) && !errors.iter().any(|e: &TypeError| e.pointer == at) {
                    errors.push(TypeError {
                        pointer: at.to_string(),
                        expected: *ty,
                        found: describe(v),
                        line: lines.exact(at),
                        hint: hint(*ty, v),
                        control: false,
                    });
                }
            });
        }
    }
    errors.sort_by(|a, b| (a.line, &a.pointer).cmp(&(b.line, &b.pointer)));
    errors
}

/// Kinds whose names the API server holds to a DNS-1123 subdomain (RBAC objects are not among
/// them: their names are path segments and may hold `:` and more, so they are only escaped).
const SUBDOMAIN_NAMED: [&str; 15] = [
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "PodTemplate",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Service",
    "NetworkPolicy",
    "Ingress",
];

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters: a namespace.
fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Dot-separated DNS labels, at most 253 characters: most object names.
fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// A label value: empty, or at most 63 of `[A-Za-z0-9._-]` starting and ending alphanumeric.
fn is_label_value(s: &str) -> bool {
    let b = s.as_bytes();
    b.is_empty()
        || (b.len() <= 63
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric())
}

/// A label key: an optional DNS subdomain prefix and `/`, then a non-empty label-value-like name.
fn is_label_key(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    prefix.is_none_or(is_dns_subdomain) && !name.is_empty() && is_label_value(name)
}

/// One value the API server refuses for its content (the type is right).
fn invalid(pointer: String, value: &str, rule: &'static str, lines: &FieldLines) -> TypeError {
    TypeError {
        line: lines.exact(&pointer),
        pointer,
        expected: Ty::Str,
        found: format!("{value:?}"),
        hint: rule,
        control: value.chars().any(kubeward_core::escape::is_unsafe_char),
    }
}

const NAMESPACE_RULE: &str = "a namespace is at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";
const NAME_RULE: &str = "this kind's name is at most 253 lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit";
const CONTAINER_RULE: &str = "a container name is at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";
const LABEL_VALUE_RULE: &str = "a label value is at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
const LABEL_KEY_RULE: &str = "a label key is an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.'";

/// Names and labels the API server refuses: a namespace, the name of a kind named by DNS rules,
/// label keys and values (of the object and of its pod template). Control characters, spaces,
/// quotes and shell syntax are all among what these rules refuse.
pub(crate) fn check_names(value: &Value, lines: &FieldLines) -> Vec<TypeError> {
    let mut out = Vec::new();
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let builtin = matches!(
        group,
        "" | "apps" | "batch" | "networking.k8s.io" | "extensions"
    );
    if let Some(ns) = value.pointer("/metadata/namespace").and_then(Value::as_str)
        && !is_dns_label(ns)
    {
        out.push(invalid(
            "/metadata/namespace".into(),
            ns,
            NAMESPACE_RULE,
            lines,
        ));
    }
    if let Some(name) = value.pointer("/metadata/name").and_then(Value::as_str) {
        let bad = if builtin && kind == "Namespace" && group.is_empty() {
            (!is_dns_label(name)).then_some(NAMESPACE_RULE)
        } else if builtin && SUBDOMAIN_NAMED.contains(&kind) {
            (!is_dns_subdomain(name)).then_some(NAME_RULE)
        } else {
            None
        };
        if let Some(rule) = bad {
            out.push(invalid("/metadata/name".into(), name, rule, lines));
        }
    }
    // Container names are DNS-1123 labels (they name the container in the pod's API paths).
    if builtin && let Some((_, spec)) = crate::workload::template_pointers(kind, api_version) {
        for list in ["containers", "initContainers", "ephemeralContainers"] {
            let at = format!("{spec}/{list}");
            let Some(items) = value.pointer(&at).and_then(Value::as_array) else {
                continue;
            };
            for (i, c) in items.iter().enumerate() {
                if let Some(name) = c.get("name").and_then(Value::as_str)
                    && !is_dns_label(name)
                {
                    out.push(invalid(
                        format!("{at}/{i}/name"),
                        name,
                        CONTAINER_RULE,
                        lines,
                    ));
                }
            }
        }
    }
    let mut label_maps = vec!["/metadata/labels".to_string()];
    if builtin && let Some((meta, _)) = crate::workload::template_pointers(kind, api_version) {
        let at = format!("{meta}/labels");
        if !label_maps.contains(&at) {
            label_maps.push(at);
        }
    }
    for at in label_maps {
        let Some(map) = value.pointer(&at).and_then(Value::as_object) else {
            continue;
        };
        for (k, v) in map.iter() {
            let mut ptr = at.clone();
            push_segment(&mut ptr, k.as_str());
            if !is_label_key(k.as_str()) {
                out.push(invalid(ptr.clone(), k.as_str(), LABEL_KEY_RULE, lines));
            } else if let Some(v) = v.as_str()
                && !is_label_value(v)
            {
                out.push(invalid(ptr, v, LABEL_VALUE_RULE, lines));
            }
        }
    }
    out.sort_by(|a, b| (a.line, &a.pointer).cmp(&(b.line, &b.pointer)));
    out.dedup_by(|a, b| a.pointer == b.pointer);
    out
}

fn visit(v: &Value, segs: &[&str], ptr: &mut String, f: &mut impl FnMut(&str, &Value)) {
    let Some((first, rest)) = segs.split_first() else {
        f(ptr, v);
        return;
    };
    let len = ptr.len();
    match (*first, v) {
        ("*", Value::Object(map)) => {
            for (k, child) in map.iter() {
                push_segment(ptr, k.as_str());
                visit(child, rest, ptr, f);
                ptr.truncate(len);
            }
        }
        ("*", Value::Array(items)) => {
            for (i, child) in items.iter().enumerate() {
                ptr.push('/');
                ptr.push_str(&i.to_string());
                visit(child, rest, ptr, f);
                ptr.truncate(len);
            }
        }
        (key, Value::Object(map)) => {
            if let Some(child) = map.get(key) {
                ptr.push('/');
                ptr.push_str(key);
                visit(child, rest, ptr, f);
                ptr.truncate(len);
            }
        }
        _ => {}
    }
}

fn push_segment(ptr: &mut String, key: &str) {
    ptr.push('/');
    for c in key.chars() {
        match c {
            '~' => ptr.push_str("~0"),
            '/' => ptr.push_str("~1"),
            c => ptr.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(yaml: &str) -> Vec<String> {
        let inv = crate::load_str("m.yaml", yaml, &crate::LoadOptions::default());
        inv.errors
            .iter()
            .map(|e| format!("{}:{} {}", e.path, e.line.unwrap_or(0), e.message))
            .collect()
    }

    #[test]
    fn yaml_11_booleans_in_identity_fields_are_input_errors() {
        let e =
            errors("apiVersion: v1\nkind: Pod\nmetadata:\n  name: on\n  namespace: y\nspec: {}\n");
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].starts_with("m.yaml:4 metadata.name: Kubernetes expects a string here, but the value is the boolean true; YAML 1.1"), "{e:?}");
        assert!(e[1].starts_with("m.yaml:5 metadata.namespace:"), "{e:?}");
        assert!(e[1].contains("quote the value as written"), "{e:?}");
    }

    #[test]
    fn a_wrong_typed_object_is_not_moved_or_scanned_and_the_rest_is() {
        let inv = crate::load_str(
            "m.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: y}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: prod}\n",
            &crate::LoadOptions::default(),
        );
        assert_eq!(inv.objects.len(), 1);
        assert_eq!(inv.objects[0].name, "b");
        assert_eq!(inv.errors.len(), 1);
        assert_eq!(inv.errors[0].line, Some(3));
        assert!(
            inv.objects
                .iter()
                .all(|o| o.namespace.as_deref() != Some("default"))
        );
    }

    #[test]
    fn numbers_octal_hex_and_floats_where_strings_belong() {
        let doc = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  labels: {tier: 0755, ok: \"0755\"}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: x\n        env:\n        - {name: A, value: 0x1F}\n        - {name: B, value: 1e3}\n        - {name: C, value: \"0x1F\"}\n";
        let e = errors(doc);
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].starts_with("m.yaml:5 metadata.labels.tier:"), "{e:?}");
        assert!(e[0].contains("the number 493"), "{e:?}");
        assert!(e[1].starts_with("m.yaml:13 spec.template.spec.containers[0].env[0].value: Kubernetes expects a string here, but the value is the number 31"), "{e:?}");
        assert!(
            e[2].starts_with("m.yaml:14 spec.template.spec.containers[0].env[1].value:"),
            "{e:?}"
        );
        // The loader refuses a non-finite float outright: an input error at its line all the same.
        let e = errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: .inf\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].starts_with("m.yaml:5 "), "{e:?}");
    }

    #[test]
    fn every_yaml_11_boolean_spelling_is_caught_in_a_string_field() {
        for word in [
            "y", "Y", "yes", "Yes", "YES", "n", "no", "NO", "on", "On", "off", "OFF", "true",
            "False",
        ] {
            let e = errors(&format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: {word}\n"
            ));
            assert_eq!(e.len(), 1, "{word}: {e:?}");
            assert!(e[0].contains("metadata.namespace"), "{word}: {e:?}");
            // Quoted, it is a string (a namespace must still be lowercase).
            let ok = errors(&format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {{a: \"{word}\"}}\n"
            ));
            assert!(ok.is_empty(), "{word}: {ok:?}");
        }
    }

    #[test]
    fn null_is_absent_and_a_label_key_is_not_checked() {
        assert!(errors("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ~\n  labels: {on: x, 1: z}\n").is_empty());
    }

    #[test]
    fn booleans_and_integers_written_as_strings_are_wrong_too() {
        let e = errors(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: \"true\"\n  containers:\n  - name: a\n    image: x\n    securityContext: {privileged: \"yes\", runAsUser: \"0\"}\n  - name: b\n    image: x\n    securityContext: {runAsUser: 1000.0, capabilities: {add: SYS_ADMIN}}\n",
        );
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(e[0].starts_with("m.yaml:5 spec.hostNetwork: Kubernetes expects a boolean (true or false) here, but the value is the string \"true\"; write true or false without quotes"), "{e:?}");
        assert!(e[1].contains("securityContext.privileged"), "{e:?}");
        assert!(
            e[2].contains("securityContext.runAsUser")
                && e[2].contains("write the number without quotes"),
            "{e:?}"
        );
        assert!(
            e[3].contains("capabilities.add: Kubernetes expects a list"),
            "{e:?}"
        );
    }

    #[test]
    fn rbac_netpol_and_service_fields() {
        let e = errors(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, on]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: a}\nspec:\n  podSelector: {matchLabels: {app: yes}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\nspec:\n  selector: {app: no}\n  ports: [{port: \"80\", targetPort: http}]\n",
        );
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(e[0].contains(":7 rules[0].verbs[1]:"), "{e:?}");
        assert!(
            e[1].contains(":13 spec.podSelector.matchLabels.app:"),
            "{e:?}"
        );
        assert!(e[2].contains(":19 spec.selector.app:"), "{e:?}");
        assert!(e[3].contains(":20 spec.ports[0].port:"), "{e:?}");
    }

    #[test]
    fn a_custom_resource_is_checked_only_for_its_metadata() {
        assert!(errors("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {hostNetwork: \"x\", rules: 5}\n").is_empty());
        assert_eq!(
            errors("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: 5}\n").len(),
            1
        );
    }

    #[test]
    fn json_input_is_held_to_the_same_types() {
        let e = errors(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":true}}",
        );
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("metadata.namespace"), "{e:?}");
    }

    #[test]
    fn names_and_labels_with_control_characters_are_input_errors() {
        let e = errors(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"demo$(touch x)\"\n  namespace: \"a\\nb\"\n  labels: {\"app\": \"x\\u001b]0;t\\u0007\"}\nspec: {}\n",
        );
        // The newline and the escape sequence refuse the object; shell syntax alone is text
        // (escaped wherever it is shown) and does not.
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].starts_with("m.yaml:5 metadata.namespace: \"a\\nb\""),
            "{e:?}"
        );
        assert!(e[1].starts_with("m.yaml:6 metadata.labels.app:"), "{e:?}");
        // A name outside Kubernetes' naming rules is judged as written, never dropped.
        let inv = crate::load_str(
            "d.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: \"demo$(touch x)\"}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: ok-1, image: x}\n      - {name: \"Bad_Name\", image: x}\n",
            &crate::LoadOptions::default(),
        );
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        assert_eq!(inv.objects[0].name, "demo$(touch x)");
        // RBAC names are path segments: `system:…` and more are valid and kept.
        let inv = crate::load_str(
            "r.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: \"system:demo `x`\"}\nrules: []\n",
            &crate::LoadOptions::default(),
        );
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        assert_eq!(inv.objects[0].name, "system:demo `x`");
        // Valid names, keys and values load.
        assert!(errors("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web.v2, namespace: prod-1, labels: {app.kubernetes.io/name: web, empty: \"\"}}\nspec: {template: {metadata: {labels: {a: B_c.1}}, spec: {containers: []}}}\n").is_empty());
    }

    #[test]
    fn field_names_read_like_kubectl_explain() {
        assert_eq!(
            display_field("/metadata/labels/app.kubernetes.io~1name"),
            "metadata.labels[\"app.kubernetes.io/name\"]"
        );
        assert_eq!(
            display_field("/spec/containers/0/env/1/value"),
            "spec.containers[0].env[1].value"
        );
    }
}
