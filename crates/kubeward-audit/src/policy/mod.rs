//! `kubeward audit policy`: lint an `audit.k8s.io/v1` Policy by simulating how it levels the
//! requests detections depend on (first matching rule wins, as the API server does), and by
//! comparing rules with each other. One file per check (`a101_…` to `a108_…`), each a
//! [`Check`] over the parsed policy; [`lint`] parses and runs them in [`CHECKS`] order.

use kubeward_core::{
    CheckMeta, Evidence, Finding, InputError, InputInfo, Report, Resource, Source, Status,
};
use serde::Deserialize;
use serde_saphyr::Spanned;

/// An example policy for a check's documentation: the header every example shares (omitting
/// `RequestReceived` unless `omit_stages` says otherwise), then one [`policy_rule!`] per rule.
macro_rules! example_policy {
    (omit_stages: $stages:literal; $($rule:expr),+ $(,)?) => {
        concat!(
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: ",
            $stages,
            "\nrules:",
            $("\n  - ", $rule),+
        )
    };
    ($($rule:expr),+ $(,)?) => {
        example_policy!(omit_stages: r#"["RequestReceived"]"#; $($rule),+)
    };
}

/// One rule of an [`example_policy!`], as YAML: its level, then optionally `verbs: LIST`, then
/// its resource groups, each `GROUP` or `GROUP => RESOURCES` (YAML text).
macro_rules! policy_rule {
    ($level:literal $(, verbs: $verbs:literal)?) => {
        concat!("level: ", $level $(, "\n    verbs: ", $verbs)?)
    };
    ($level:literal $(, verbs: $verbs:literal)?, $($group:literal $(=> $resources:literal)?),+) => {
        concat!(
            policy_rule!($level $(, verbs: $verbs)?),
            "\n    resources:",
            $("\n      - group: ", $group $(, "\n        resources: ", $resources)?),+
        )
    };
}

mod a101_audit_policy_exec_not_logged;
mod a102_audit_policy_secrets_not_logged;
mod a103_audit_policy_rbac_changes_not_logged;
mod a104_audit_policy_logs_secret_values;
mod a105_audit_policy_shadowed_rule;
mod a106_audit_policy_stages;
mod a107_audit_policy_catch_all;
mod a108_audit_policy_valid;

/// One policy-lint check: its metadata and its judgement of a parsed policy (the one evaluation
/// signature for this kind of input).
pub struct Check {
    pub meta: &'static CheckMeta,
    /// One finding about the policy: PASS, or what is wrong with it.
    pub eval: fn(&Linted) -> Finding,
}

/// Every policy-lint check, in code order: the run order, and the source of `crate::checks()`.
pub static CHECKS: &[&Check] = &[
    &a101_audit_policy_exec_not_logged::CHECK,
    &a102_audit_policy_secrets_not_logged::CHECK,
    &a103_audit_policy_rbac_changes_not_logged::CHECK,
    &a104_audit_policy_logs_secret_values::CHECK,
    &a105_audit_policy_shadowed_rule::CHECK,
    &a106_audit_policy_stages::CHECK,
    &a107_audit_policy_catch_all::CHECK,
    &a108_audit_policy_valid::CHECK,
];

/// What a policy check reads: the parsed policy, its file (for evidence) and the resource
/// findings are about.
pub struct Linted<'a> {
    pub file: &'a str,
    pub policy: &'a Policy,
    pub res: Resource,
}

impl Linted<'_> {
    /// Where rule `i` is, for evidence.
    fn rule_src(&self, i: usize) -> Source {
        src(
            self.file,
            self.policy.rules[i].referenced.line(),
            format!("rules[{i}]"),
        )
    }
}
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    #[serde(default)]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub omit_stages: Vec<String>,
    #[serde(default)]
    pub rules: Vec<Spanned<PolicyRule>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub user_groups: Vec<String>,
    #[serde(default)]
    pub verbs: Vec<String>,
    #[serde(default)]
    pub resources: Vec<GroupResources>,
    #[serde(default)]
    pub namespaces: Vec<String>,
    #[serde(default, rename = "nonResourceURLs")]
    pub non_resource_urls: Vec<String>,
    #[serde(default)]
    pub omit_stages: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupResources {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(default)]
    pub resource_names: Vec<String>,
}

/// A request to level, as the policy checker sees it.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub user: &'a str,
    pub groups: &'a [&'a str],
    pub verb: &'a str,
    pub group: &'a str,
    pub resource: &'a str,
    pub subresource: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    /// Set for non-resource requests (`/healthz`).
    pub path: Option<&'a str>,
}

impl PolicyRule {
    /// The API server's matching rules (apiserver pkg/audit/policy/checker.go), plus `*` as a
    /// group wildcard.
    pub fn matches(&self, r: &Request) -> bool {
        if !self.users.is_empty() && !self.users.iter().any(|u| u == r.user) {
            return false;
        }
        if !self.user_groups.is_empty()
            && !r
                .groups
                .iter()
                .any(|g| self.user_groups.iter().any(|x| x == g))
        {
            return false;
        }
        if !self.verbs.is_empty() && !self.verbs.iter().any(|v| v == r.verb) {
            return false;
        }
        if !self.namespaces.is_empty() || !self.resources.is_empty() {
            if r.path.is_some() {
                return false;
            }
            if !self.namespaces.is_empty() && !self.namespaces.iter().any(|n| n == r.namespace) {
                return false;
            }
            if self.resources.is_empty() {
                return true;
            }
            let combined = if r.subresource.is_empty() {
                r.resource.to_string()
            } else {
                format!("{}/{}", r.resource, r.subresource)
            };
            return self.resources.iter().any(|gr| {
                (gr.group == r.group || gr.group == "*")
                    && (gr.resources.is_empty()
                        || gr.resources.iter().any(|res| {
                            (gr.resource_names.is_empty()
                                || gr.resource_names.iter().any(|n| n == r.name))
                                && (*res == combined
                                    || res == "*"
                                    || (!r.subresource.is_empty()
                                        && res.strip_prefix("*/") == Some(r.subresource))
                                    || res.strip_suffix("/*") == Some(r.resource))
                        }))
            });
        }
        if !self.non_resource_urls.is_empty() {
            let Some(path) = r.path else { return false };
            return self
                .non_resource_urls
                .iter()
                .any(|p| match p.strip_suffix('*') {
                    Some(prefix) => path.starts_with(prefix),
                    None => path == p,
                });
        }
        true
    }
}

impl Policy {
    /// The level of a request and the index of the rule that set it (`None` level when no rule matches).
    pub fn level(&self, r: &Request) -> (String, Option<usize>) {
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.value.matches(r) {
                return (rule.value.level.clone(), Some(i));
            }
        }
        ("None".into(), None)
    }
}

const LEVELS: &[&str] = &["None", "Metadata", "Request", "RequestResponse"];
const STAGE_NAMES: &[&str] = &[
    "RequestReceived",
    "ResponseStarted",
    "ResponseComplete",
    "Panic",
];

fn covers(outer: &[String], inner: &[String]) -> bool {
    outer.is_empty() || (!inner.is_empty() && inner.iter().all(|x| outer.contains(x)))
}

/// Does `earlier` match every request `later` matches? Conservative: `false` when unsure.
pub fn shadows(earlier: &PolicyRule, later: &PolicyRule) -> bool {
    if !covers(&earlier.users, &later.users)
        || !covers(&earlier.user_groups, &later.user_groups)
        || !covers(&earlier.verbs, &later.verbs)
    {
        return false;
    }
    let e_any = earlier.resources.is_empty()
        && earlier.namespaces.is_empty()
        && earlier.non_resource_urls.is_empty();
    if e_any {
        return true;
    }
    if !earlier.non_resource_urls.is_empty() {
        return later.resources.is_empty()
            && later.namespaces.is_empty()
            && !later.non_resource_urls.is_empty()
            && later.non_resource_urls.iter().all(|u| {
                earlier
                    .non_resource_urls
                    .iter()
                    .any(|p| match p.strip_suffix('*') {
                        Some(prefix) => u.trim_end_matches('*').starts_with(prefix),
                        None => p == u,
                    })
            });
    }
    // `earlier` matches resource requests only.
    if later.resources.is_empty() && later.namespaces.is_empty() {
        return false;
    }
    if !covers(&earlier.namespaces, &later.namespaces) {
        return false;
    }
    if earlier.resources.is_empty() {
        return true;
    }
    if later.resources.is_empty() {
        return false;
    }
    later.resources.iter().all(|lg| {
        earlier.resources.iter().any(|eg| {
            (eg.group == lg.group || eg.group == "*")
                && covers(&eg.resource_names, &lg.resource_names)
                && (eg.resources.is_empty()
                    || (!lg.resources.is_empty()
                        && lg.resources.iter().all(|lr| {
                            eg.resources.iter().any(|er| {
                                er == lr
                                    || er == "*"
                                    || er.strip_suffix("/*").is_some_and(|base| {
                                        lr.split('/').next() == Some(base) && lr.contains('/')
                                    })
                            })
                        })))
        })
    })
}

/// Errors that stop the lint.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{0}")]
    Parse(String),
}

pub fn parse(text: &str) -> Result<Policy, PolicyError> {
    let opts = serde_saphyr::options! { legacy_octal_numbers: true };
    serde_saphyr::from_str_with_options(text, opts).map_err(|e| PolicyError::Parse(e.to_string()))
}

fn src(file: &str, line: u64, key: String) -> Source {
    Source::file(file)
        .with_line(u32::try_from(line).unwrap_or(u32::MAX))
        .with_key(key)
}

struct Probe {
    label: String,
    verb: &'static str,
    group: &'static str,
    resource: &'static str,
    subresource: &'static str,
    namespace: &'static str,
    as_sa: bool,
}

const USER: &str = "alice@contoso.com";
const USER_GROUPS: &[&str] = &["system:authenticated"];
const SA: &str = "system:serviceaccount:default:app";
const SA_GROUPS: &[&str] = &[
    "system:serviceaccounts",
    "system:serviceaccounts:default",
    "system:authenticated",
];

/// Whether a request on a secret-bearing resource logged at `level` puts values in the log.
/// `Request` logs only request bodies: secret writes carry the data and a TokenReview carries
/// the token, but reads have no body and a TokenRequest asks only for audiences. A watch never
/// logs the objects it streams.
fn logs_values(pr: &Probe, level: &str) -> bool {
    match level {
        "RequestResponse" => pr.verb != "watch",
        "Request" => match (pr.resource, pr.subresource) {
            ("secrets", "") => matches!(pr.verb, "create" | "update" | "patch"),
            ("tokenreviews", "") => pr.verb == "create",
            _ => false,
        },
        _ => false,
    }
}

fn probes(
    verbs: &[&'static str],
    group: &'static str,
    resource: &'static str,
    subresources: &[&'static str],
    namespaces: &[&'static str],
) -> Vec<Probe> {
    let mut out = Vec::new();
    for &verb in verbs {
        for &sub in subresources {
            for &ns in namespaces {
                for as_sa in [false, true] {
                    let what = if sub.is_empty() {
                        resource.to_string()
                    } else {
                        format!("{resource}/{sub}")
                    };
                    out.push(Probe {
                        label: format!(
                            "{verb} {what} in {} by {}",
                            if ns.is_empty() { "(cluster)" } else { ns },
                            if as_sa { SA } else { USER }
                        ),
                        verb,
                        group,
                        resource,
                        subresource: sub,
                        namespace: ns,
                        as_sa,
                    });
                }
            }
        }
    }
    out
}

fn level_of(p: &Policy, pr: &Probe) -> (String, Option<usize>) {
    let req = Request {
        user: if pr.as_sa { SA } else { USER },
        groups: if pr.as_sa { SA_GROUPS } else { USER_GROUPS },
        verb: pr.verb,
        group: pr.group,
        resource: pr.resource,
        subresource: pr.subresource,
        namespace: pr.namespace,
        name: "x",
        path: None,
    };
    p.level(&req)
}

/// Secret verbs every secret simulation sends.
const SECRET_VERBS: &[&str] = &[
    "get", "list", "watch", "create", "update", "patch", "delete",
];

/// A coverage check by simulation: the level `probes` get, as one finding of `meta`. FAIL when
/// one is not logged; with `body_warn`, WARN when some are logged at Metadata only; with
/// `body_fail`, the reverse question: FAIL when one is logged with its values.
fn coverage(
    l: &Linted,
    meta: &'static CheckMeta,
    probes: Vec<Probe>,
    body_warn: bool,
    body_fail: bool,
) -> Finding {
    let mut none = Vec::new();
    let mut metadata_only = Vec::new();
    let mut with_bodies = Vec::new();
    for pr in &probes {
        let (level, rule) = level_of(l.policy, pr);
        let source = match rule {
            Some(i) => l.rule_src(i),
            None => Source::file(l.file).with_key("rules (no rule matches)"),
        };
        let ev = Evidence::observed(format!("{}: level {level}", pr.label), source);
        match level.as_str() {
            "None" => none.push(ev),
            "Metadata" => metadata_only.push(ev),
            _ if body_fail && !logs_values(pr, &level) => metadata_only.push(ev),
            _ => with_bodies.push(ev),
        }
    }
    let (status, msg, evidence) = if body_fail {
        if with_bodies.is_empty() {
            (
                Status::Pass,
                "No secret or token request is logged with its body".to_string(),
                Vec::new(),
            )
        } else {
            (
                Status::Fail,
                format!(
                    "{} of {} simulated requests are logged with bodies (values end up in the log)",
                    with_bodies.len(),
                    probes.len()
                ),
                with_bodies,
            )
        }
    } else if !none.is_empty() {
        (
            Status::Fail,
            format!(
                "{} of {} simulated requests are not logged (level None)",
                none.len(),
                probes.len()
            ),
            none,
        )
    } else if body_warn && !metadata_only.is_empty() {
        (
            Status::Warn,
            format!(
                "{} of {} simulated writes are logged at Metadata only: what was granted is not in the log",
                metadata_only.len(),
                probes.len()
            ),
            metadata_only,
        )
    } else {
        (
            Status::Pass,
            format!("All {} simulated requests are logged", probes.len()),
            Vec::new(),
        )
    };
    let mut f = Finding::new(meta, status, l.res.clone(), msg);
    f.evidence = evidence.into_iter().take(12).collect();
    f
}

/// Lint a policy file's text; every check gives one finding.
pub fn lint(file: &str, text: &str) -> Report {
    let mut report = Report::new("audit policy");
    report.inputs.push(InputInfo {
        kind: "audit-policy".into(),
        path: file.into(),
        detail: None,
    });
    let res = Resource::new("AuditPolicy", file);
    let policy = match parse(text) {
        Ok(p) => p,
        Err(e) => {
            report.input_errors.push(InputError {
                path: file.into(),
                line: None,
                message: e.to_string(),
            });
            // A policy that does not parse is invalid (A108); nothing else can be judged.
            for c in CHECKS {
                report.push(if std::ptr::eq(c.meta, &a108_audit_policy_valid::META) {
                    Finding::new(
                        c.meta,
                        Status::Fail,
                        res.clone(),
                        format!("Not a readable audit policy: {e}"),
                    )
                } else {
                    Finding::new(
                        c.meta,
                        Status::Error,
                        res.clone(),
                        "Could not run: the policy did not parse",
                    )
                });
            }
            return report;
        }
    };
    let linted = Linted {
        file,
        policy: &policy,
        res,
    };
    for c in CHECKS {
        report.push((c.eval)(&linted));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every check's bad example fails it (FAIL or WARN) and its good example passes (stricter
    /// than the examples harness, which only asks that the good one does not fail).
    #[test]
    fn every_check_fails_its_bad_example_and_passes_its_good_one() {
        for check in CHECKS {
            let code = check.meta.code;
            let judged = |text: &str| {
                lint("example.yaml", text)
                    .findings
                    .into_iter()
                    .find(|f| f.code == code)
                    .map(|f| f.status)
            };
            let bad = judged(check.meta.doc.bad);
            assert!(
                matches!(bad, Some(Status::Fail | Status::Warn)),
                "{code} bad: {bad:?}"
            );
            assert_eq!(
                judged(check.meta.doc.good),
                Some(Status::Pass),
                "{code} good"
            );
        }
    }

    /// The example macros write the YAML the examples were first written as.
    #[test]
    fn example_macros_expand_to_plain_yaml() {
        assert_eq!(
            example_policy!(
                omit_stages: r#"["RequestReceived", "Panic"]"#;
                policy_rule!("None", verbs: r#"["get"]"#, "\"\"" => r#"["secrets"]"#, "apps"),
                policy_rule!("Metadata"),
            ),
            r#"apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "Panic"]
rules:
  - level: None
    verbs: ["get"]
    resources:
      - group: ""
        resources: ["secrets"]
      - group: apps
  - level: Metadata"#
        );
    }

    fn status(r: &Report, code: &str) -> Status {
        r.findings
            .iter()
            .find(|f| f.code == code)
            .map(|f| f.status)
            .unwrap()
    }

    const GOOD: &str = r#"apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
      - group: ""
        resources: ["endpoints", "services"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps", "serviceaccounts/token"]
      - group: authentication.k8s.io
        resources: ["tokenreviews"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["pods/exec", "pods/attach", "pods/portforward"]
  - level: RequestResponse
    resources:
      - group: rbac.authorization.k8s.io
  - level: Metadata
"#;

    #[test]
    fn good_policy_passes() {
        let r = lint("good.yaml", GOOD);
        for code in [
            "A101", "A102", "A103", "A104", "A105", "A106", "A107", "A108",
        ] {
            assert_eq!(
                status(&r, code),
                Status::Pass,
                "{code}: {:?}",
                r.findings.iter().find(|f| f.code == code)
            );
        }
    }

    const BAD: &str = r#"apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    verbs: ["get", "list", "watch"]
  - level: RequestResponse
    resources:
      - group: ""
        resources: ["secrets"]
  - level: Metadata
    verbs: ["get"]
    resources:
      - group: ""
        resources: ["secrets"]
  - level: Metadata
    resources:
      - group: rbac.authorization.k8s.io
"#;

    #[test]
    fn bad_policy_fails_each_check() {
        let r = lint("bad.yaml", BAD);
        assert_eq!(
            status(&r, "A101"),
            Status::Fail,
            "exec get dropped by the None rule on get"
        );
        assert_eq!(status(&r, "A102"), Status::Fail, "secret reads dropped");
        assert_eq!(status(&r, "A103"), Status::Warn, "RBAC only at Metadata");
        assert_eq!(
            status(&r, "A104"),
            Status::Fail,
            "secret writes at RequestResponse"
        );
        assert_eq!(
            status(&r, "A105"),
            Status::Warn,
            "rule 2 shadowed by rule 0"
        );
        assert_eq!(status(&r, "A106"), Status::Info, "RequestReceived kept");
        assert_eq!(status(&r, "A107"), Status::Warn, "no catch-all");
        let shadow = r.findings.iter().find(|f| f.code == "A105").unwrap();
        assert_eq!(shadow.evidence[0].source.line, Some(10));
    }

    #[test]
    fn request_level_reads_and_token_requests_log_no_values() {
        // Request level on reads and on TokenRequests logs no body holding a value.
        let reads = r#"apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Request
    verbs: ["get", "list", "watch"]
    resources:
      - group: ""
        resources: ["secrets"]
  - level: Request
    resources:
      - group: ""
        resources: ["serviceaccounts/token"]
  - level: Metadata
"#;
        assert_eq!(status(&lint("reads.yaml", reads), "A104"), Status::Pass);
        // Request level on secret writes and TokenReviews does.
        let writes = reads.replace("verbs: [\"get\", \"list\", \"watch\"]\n    ", "");
        let r = lint("writes.yaml", &writes);
        assert_eq!(status(&r, "A104"), Status::Fail);
        let f = r.findings.iter().find(|f| f.code == "A104").unwrap();
        let seen: Vec<&str> = f
            .evidence
            .iter()
            .filter_map(|e| e.observed.as_deref())
            .collect();
        assert!(
            seen.iter().any(|v| v.starts_with("create secrets")),
            "{seen:?}"
        );
        assert!(
            !seen.iter().any(|v| v.starts_with("get secrets")),
            "{seen:?}"
        );
        assert!(
            !seen.iter().any(|v| v.contains("serviceaccounts/token")),
            "{seen:?}"
        );
        let review = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Request\n    resources: [{group: authentication.k8s.io, resources: [tokenreviews]}]\n  - level: Metadata\n";
        assert_eq!(status(&lint("review.yaml", review), "A104"), Status::Fail);
    }

    #[test]
    fn matching_follows_the_api_server() {
        let rule = |y: &str| -> PolicyRule { serde_saphyr::from_str(y).unwrap() };
        let exec = Request {
            user: "a",
            groups: &[],
            verb: "get",
            group: "",
            resource: "pods",
            subresource: "exec",
            namespace: "ns",
            name: "p",
            path: None,
        };
        assert!(
            !rule("level: Metadata\nresources: [{group: '', resources: [pods]}]").matches(&exec),
            "pods does not match subresources"
        );
        assert!(
            rule("level: Metadata\nresources: [{group: '', resources: ['pods/*']}]").matches(&exec)
        );
        assert!(
            rule("level: Metadata\nresources: [{group: '', resources: ['*/exec']}]").matches(&exec)
        );
        assert!(rule("level: Metadata\nnamespaces: [ns]").matches(&exec));
        assert!(!rule("level: Metadata\nnonResourceURLs: ['/healthz*']").matches(&exec));
        let health = Request {
            path: Some("/healthz/etcd"),
            ..exec.clone()
        };
        assert!(rule("level: None\nnonResourceURLs: ['/healthz*']").matches(&health));
    }

    #[test]
    fn unreadable_and_invalid_policies() {
        let r = lint("x.yaml", "rules: [unclosed");
        assert_eq!(status(&r, "A108"), Status::Fail);
        assert_eq!(status(&r, "A101"), Status::Error);
        assert_eq!(r.input_errors.len(), 1);
        let r = lint(
            "y.yaml",
            "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Verbose\n    nonResourceURLs: ['/x']\n    resources: [{group: ''}]\n",
        );
        let f = r.findings.iter().find(|f| f.code == "A108").unwrap();
        assert_eq!((f.status, f.evidence.len()), (Status::Fail, 2));
    }
}
