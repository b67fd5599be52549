//! `kubeward audit rbac`: the least-privilege Roles and ClusterRoles that cover what one
//! identity did, in the manner of audit2rbac: namespaced requests give a Role and RoleBinding per
//! namespace, cluster-scoped and non-resource requests a ClusterRole; an operation seen in
//! several namespaces moves to the ClusterRole, one seen on several names drops resourceNames.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::event::Event;
use crate::scan::{FileScan, Input, ScanOptions, visit};

/// One authorization request, as RBAC sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Access {
    pub namespace: String,
    pub api_group: String,
    /// `resource` or `resource/subresource`.
    pub resource: String,
    pub verb: String,
    /// Empty for create, list, watch and deletecollection (RBAC cannot limit those by name).
    pub name: String,
}

/// What the identity did: resource accesses and non-resource (URL, verb) pairs.
#[derive(Debug, Default, Clone)]
pub struct Activity {
    pub accesses: HashSet<Access>,
    pub non_resource: HashSet<(String, String)>,
    pub events: u64,
    pub denied: u64,
}

/// Cap on distinct accesses kept per identity (bounded memory); further ones are counted.
const MAX_ACCESSES: usize = 100_000;

/// Requests everyone may make (system:discovery, system:basic-user, system:public-info-viewer).
fn always_allowed(ev: &Event) -> bool {
    if ev.object_ref.is_none() {
        let path = ev.uri().split('?').next().unwrap_or("");
        return ev.verb() == "get"
            && (matches!(
                path,
                "/api" | "/apis" | "/version" | "/healthz" | "/livez" | "/readyz"
            ) || path.starts_with("/api/")
                || path.starts_with("/apis/")
                || path.starts_with("/openapi")
                || path.starts_with("/healthz/")
                || path.starts_with("/livez/")
                || path.starts_with("/readyz/"));
    }
    matches!(
        ev.resource(),
        "selfsubjectaccessreviews" | "selfsubjectrulesreviews" | "selfsubjectreviews"
    ) && ev.verb() == "create"
}

impl Activity {
    /// Record one event if `user` made it (the impersonated identity counts, as in audit2rbac).
    pub fn record(&mut self, ev: &Event, user: &str) {
        if ev.username() != user || !(ev.is_final() || ev.stage() == "ResponseStarted") {
            return;
        }
        self.events += 1;
        if ev.denied() {
            self.denied += 1;
        }
        if always_allowed(ev) {
            return;
        }
        if ev.object_ref.is_none() {
            let path = ev.uri().split('?').next().unwrap_or("").to_string();
            if self.non_resource.len() < MAX_ACCESSES {
                self.non_resource.insert((path, ev.verb().to_string()));
            }
            return;
        }
        let verb = ev.verb();
        let mut resource = ev.resource().to_string();
        if !ev.subresource().is_empty() {
            resource = format!("{resource}/{}", ev.subresource());
        }
        // Exec, attach and port-forward need `create`; sent as WebSocket `get` (kubectl 1.30+)
        // they are authorized for `get` and, since Kubernetes 1.31, for `create` as well.
        let stream = ev.resource() == "pods"
            && matches!(ev.subresource(), "exec" | "attach" | "portforward");
        let verbs: &[&str] = match (stream, verb) {
            (true, "get") => &["get", "create"],
            (true, _) => &["create"],
            _ => std::slice::from_ref(&verb),
        };
        for &verb in verbs {
            let name = match verb {
                "create" if ev.subresource().is_empty() => "",
                "list" | "watch" | "deletecollection" => "",
                _ => ev.name(),
            };
            if self.accesses.len() < MAX_ACCESSES {
                self.accesses.insert(Access {
                    namespace: ev.namespace().to_string(),
                    api_group: ev.api_group().to_string(),
                    resource: resource.clone(),
                    verb: verb.to_string(),
                    name: name.to_string(),
                });
            }
        }
    }

    fn merge(&mut self, o: Activity) {
        self.accesses.extend(o.accesses);
        self.non_resource.extend(o.non_resource);
        self.events += o.events;
        self.denied += o.denied;
    }
}

/// Read every input and collect `user`'s activity (files in parallel).
pub fn collect(inputs: &[Input], user: &str, opts: &ScanOptions) -> (Activity, Vec<FileScan>) {
    use rayon::prelude::*;
    let per_file: Vec<(Activity, FileScan)> = inputs
        .par_iter()
        .map(|i| {
            let mut act = Activity::default();
            let scan = visit(i, opts, &mut |ev| act.record(ev, user));
            (act, scan)
        })
        .collect();
    let mut all = Activity::default();
    let mut scans = Vec::new();
    for (a, s) in per_file {
        all.merge(a);
        scans.push(s);
    }
    (all, scans)
}

/// One PolicyRule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rule {
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub verbs: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

/// The generated roles: namespace → rules, plus the cluster-wide rules.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Generated {
    pub namespaced: BTreeMap<String, Vec<Rule>>,
    pub cluster: Vec<Rule>,
}

/// Compact (group, resource, names) → verbs, then merge resources that share group, names and verbs.
fn compact(ops: &BTreeMap<(String, String), BTreeMap<String, BTreeSet<String>>>) -> Vec<Rule> {
    // (group, resource, names) -> verbs
    let mut by_target: BTreeMap<(String, String, Vec<String>), BTreeSet<String>> = BTreeMap::new();
    for ((group, resource), verbs) in ops {
        for (verb, names) in verbs {
            // Several names, or any request without a name: no resourceNames.
            let names: Vec<String> = if names.len() == 1 && names.iter().all(|n| !n.is_empty()) {
                names.iter().cloned().collect()
            } else {
                Vec::new()
            };
            by_target
                .entry((group.clone(), resource.clone(), names))
                .or_default()
                .insert(verb.clone());
        }
    }
    let mut merged: BTreeMap<(String, Vec<String>, Vec<String>), BTreeSet<String>> =
        BTreeMap::new();
    for ((group, resource, names), verbs) in by_target {
        merged
            .entry((group, names, verbs.into_iter().collect()))
            .or_default()
            .insert(resource);
    }
    merged
        .into_iter()
        .map(|((group, names, verbs), resources)| Rule {
            api_groups: vec![group],
            resources: resources.into_iter().collect(),
            resource_names: names,
            verbs,
            non_resource_urls: Vec::new(),
        })
        .collect()
}

type Ops = BTreeMap<(String, String), BTreeMap<String, BTreeSet<String>>>;

/// Turn activity into rules.
pub fn generate(act: &Activity) -> Generated {
    // (group, resource, verb) -> namespaces it was used in.
    let mut accesses: Vec<&Access> = act.accesses.iter().collect();
    accesses.sort();
    let mut spread: BTreeMap<(&str, &str, &str), BTreeSet<&str>> = BTreeMap::new();
    for a in &accesses {
        spread
            .entry((&a.api_group, &a.resource, &a.verb))
            .or_default()
            .insert(&a.namespace);
    }
    let mut namespaced: BTreeMap<String, Ops> = BTreeMap::new();
    let mut cluster: Ops = BTreeMap::new();
    for a in &accesses {
        let key = (a.api_group.as_str(), a.resource.as_str(), a.verb.as_str());
        let multi = spread.get(&key).is_some_and(|n| n.len() > 1);
        let target = if a.namespace.is_empty() || multi {
            &mut cluster
        } else {
            namespaced.entry(a.namespace.clone()).or_default()
        };
        target
            .entry((a.api_group.clone(), a.resource.clone()))
            .or_default()
            .entry(a.verb.clone())
            .or_default()
            .insert(a.name.clone());
    }
    let mut g = Generated {
        namespaced: namespaced
            .iter()
            .map(|(ns, ops)| (ns.clone(), compact(ops)))
            .collect(),
        cluster: compact(&cluster),
    };
    let mut by_verb: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut non_resource: Vec<&(String, String)> = act.non_resource.iter().collect();
    non_resource.sort();
    for (path, verb) in non_resource {
        by_verb.entry(verb).or_default().insert(path);
    }
    for (verb, paths) in by_verb {
        g.cluster.push(Rule {
            api_groups: Vec::new(),
            resources: Vec::new(),
            resource_names: Vec::new(),
            verbs: vec![verb.to_string()],
            non_resource_urls: paths.into_iter().map(String::from).collect(),
        });
    }
    g
}

/// A YAML double-quoted scalar. JSON string syntax is valid YAML; control, bidi and invisible
/// format characters from the audit log are written as `\uXXXX` escapes too (YAML reads them
/// back the same), so the manifest shows them instead of acting on the terminal it is printed to.
fn q(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    if !json.chars().any(kubeward_core::escape::is_unsafe_char) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if kubeward_core::escape::is_unsafe_char(c) {
            let n = c as u32;
            if n > 0xffff {
                out.push_str(&format!("\\U{n:08x}"));
            } else {
                out.push_str(&format!("\\u{n:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

/// A name usable for Roles and bindings, derived from the identity.
pub fn object_name(user: &str) -> String {
    let mut s: String = user
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    s.truncate(200);
    format!("kubeward-{}", s.trim_matches('-'))
}

fn subject(user: &str) -> String {
    if let Some(rest) = user.strip_prefix("system:serviceaccount:")
        && let Some((ns, name)) = rest.split_once(':')
    {
        return format!(
            "  - kind: ServiceAccount\n    name: {}\n    namespace: {}\n",
            q(name),
            q(ns)
        );
    }
    format!(
        "  - kind: User\n    apiGroup: rbac.authorization.k8s.io\n    name: {}\n",
        q(user)
    )
}

fn rules_yaml(rules: &[Rule]) -> String {
    let mut s = String::from("rules:\n");
    for r in rules {
        if r.non_resource_urls.is_empty() {
            s.push_str(&format!(
                "  - apiGroups: {}\n    resources: {}\n",
                list(&r.api_groups),
                list(&r.resources)
            ));
            if !r.resource_names.is_empty() {
                s.push_str(&format!("    resourceNames: {}\n", list(&r.resource_names)));
            }
        } else {
            s.push_str(&format!(
                "  - nonResourceURLs: {}\n",
                list(&r.non_resource_urls)
            ));
        }
        s.push_str(&format!("    verbs: {}\n", list(&r.verbs)));
    }
    s
}

/// The generated objects as one YAML stream.
pub fn to_yaml(user: &str, g: &Generated) -> String {
    let name = object_name(user);
    let labels = format!("  labels:\n    kubeward.io/generated-for: {}\n", q(&name));
    let mut docs = Vec::new();
    if !g.cluster.is_empty() {
        docs.push(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {}\n{labels}{}",
            q(&name),
            rules_yaml(&g.cluster)
        ));
        docs.push(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: {}\n{labels}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: {}\nsubjects:\n{}",
            q(&name),
            q(&name),
            subject(user)
        ));
    }
    for (ns, rules) in &g.namespaced {
        docs.push(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {}\n  namespace: {}\n{labels}{}",
            q(&name),
            q(ns),
            rules_yaml(rules)
        ));
        docs.push(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: {}\n  namespace: {}\n{labels}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {}\nsubjects:\n{}",
            q(&name),
            q(ns),
            q(&name),
            subject(user)
        ));
    }
    docs.join("---\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_scalars_show_control_and_bidi_characters_as_escapes() {
        assert_eq!(q("web"), "\"web\"");
        assert_eq!(
            q("a\u{1b}]0;t\u{7}\u{9b}\u{202e}\u{e0041}\"b"),
            "\"a\\u001b]0;t\\u0007\\u009b\\u202e\\U000e0041\\\"b\""
        );
    }

    fn ev(
        user: &str,
        verb: &str,
        ns: &str,
        group: &str,
        res: &str,
        sub: &str,
        name: &str,
    ) -> String {
        let mut obj =
            serde_json::json!({"resource": res, "namespace": ns, "apiGroup": group, "name": name});
        if !sub.is_empty() {
            obj["subresource"] = sub.into();
        }
        serde_json::json!({"auditID": "x", "stage": "ResponseComplete", "verb": verb, "requestURI": "/apis/x",
            "user": {"username": user}, "objectRef": obj, "responseStatus": {"code": 200}})
        .to_string()
    }

    fn activity(lines: &[String], user: &str) -> Activity {
        let mut a = Activity::default();
        for l in lines {
            let e: Event = serde_json::from_str(l).unwrap();
            a.record(&e, user);
        }
        a
    }

    #[test]
    fn namespaced_cluster_and_expansion() {
        let u = "dev@contoso.com";
        let lines = vec![
            ev(u, "get", "shop", "apps", "deployments", "", "web"),
            ev(u, "patch", "shop", "apps", "deployments", "", "web"),
            ev(u, "list", "shop", "", "pods", "", ""),
            ev(u, "get", "shop", "", "pods", "log", "web-1"),
            ev(u, "get", "shop", "", "pods", "log", "web-2"),
            ev(u, "get", "", "", "nodes", "", "aks-np-1"),
            ev(u, "list", "shop", "", "configmaps", "", ""),
            ev(u, "list", "cart", "", "configmaps", "", ""),
            ev(u, "get", "shop", "", "pods", "exec", "web-1"),
            ev("someone-else", "delete", "shop", "", "secrets", "", "db"),
        ];
        let g = generate(&activity(&lines, u));
        let shop = &g.namespaced["shop"];
        let rule = |res: &str| {
            shop.iter()
                .find(|r| r.resources.contains(&res.to_string()))
                .cloned()
        };
        let deploy = rule("deployments").unwrap();
        assert_eq!(
            (deploy.verbs.clone(), deploy.resource_names.clone()),
            (
                vec!["get".to_string(), "patch".into()],
                vec!["web".to_string()]
            )
        );
        let logs = rule("pods/log").unwrap();
        assert!(
            logs.resource_names.is_empty(),
            "two names: no resourceNames"
        );
        let exec = rule("pods/exec").unwrap();
        assert_eq!(
            exec.verbs,
            vec!["create", "get"],
            "WebSocket exec needs both"
        );
        assert!(
            rule("configmaps").is_none(),
            "seen in two namespaces: moved to the ClusterRole"
        );
        assert!(
            g.cluster
                .iter()
                .any(|r| r.resources == vec!["configmaps"] && r.verbs == vec!["list"])
        );
        assert!(g.cluster.iter().any(|r| r.resources == vec!["nodes"]));
        assert!(
            !g.namespaced
                .values()
                .flatten()
                .chain(&g.cluster)
                .any(|r| r.resources.contains(&"secrets".to_string()))
        );
        let yaml = to_yaml(u, &g);
        assert!(yaml.contains("kind: RoleBinding") && yaml.contains("namespace: \"shop\""));
        // The output is valid YAML: every document parses.
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&yaml).unwrap();
        assert_eq!(docs.len(), 4);
    }

    #[test]
    fn discovery_is_skipped_and_service_accounts_are_subjects() {
        let sa = "system:serviceaccount:ci:deployer";
        let disc = serde_json::json!({"auditID": "y", "stage": "ResponseComplete", "verb": "get", "requestURI": "/apis/apps/v1", "user": {"username": sa}}).to_string();
        let metrics = serde_json::json!({"auditID": "z", "stage": "ResponseComplete", "verb": "get", "requestURI": "/metrics", "user": {"username": sa}}).to_string();
        let a = activity(&[disc, metrics], sa);
        let g = generate(&a);
        assert_eq!(g.cluster.len(), 1);
        assert_eq!(g.cluster[0].non_resource_urls, vec!["/metrics"]);
        let yaml = to_yaml(sa, &g);
        assert!(
            yaml.contains("kind: ServiceAccount\n    name: \"deployer\"\n    namespace: \"ci\""),
            "{yaml}"
        );
    }
}
