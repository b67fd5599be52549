//! `kubeward audit policy`: lint an `audit.k8s.io/v1` Policy by simulating how it levels the
//! requests detections depend on (first matching rule wins, as the API server does), and by
//! comparing rules with each other. Checks are rows of the table at the top of this file.

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, InputError, InputInfo, RefStatic, Report,
    Resource, Severity, Source, Status,
};
use serde::Deserialize;
use serde_saphyr::Spanned;

pub static EXEC_NOT_LOGGED: CheckMeta = CheckMeta {
    code: "A101",
    name: "audit-policy-exec-not-logged",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy logs exec, attach and port-forward",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::cis_k8s("1.12.0", "3.2.2"),
        RefStatic::mitre("T1609"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Simulates pods/exec, pods/attach and pods/portforward requests (verbs create and get, the WebSocket form of kubectl 1.30+) by a user and a service account and reports those the policy logs at level None.",
        why: "Exec is how attackers run commands in workloads; a policy that drops it (often by a broad `level: None` rule on `get`) hides them.",
        fix: "Add, before any broad None rule: `- level: Metadata` with `resources: [{group: \"\", resources: [\"pods/exec\", \"pods/attach\", \"pods/portforward\"]}]`. On AKS the audit policy is fixed by Microsoft and logs exec; export it with a diagnostic setting on the `kube-audit` category.",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: "",
        good: "",
    },
};

pub static SECRETS_NOT_LOGGED: CheckMeta = CheckMeta {
    code: "A102",
    name: "audit-policy-secrets-not-logged",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy logs access to secrets",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::cis_k8s("1.12.0", "3.2.2"),
        RefStatic::mitre("T1552.007"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Simulates get/list/watch/create/update/patch/delete on secrets (in default and kube-system, by a user and a service account) and reports those logged at level None.",
        why: "Secret reads are credential theft; without them in the log there is no way to tell who read what.",
        fix: "Log secrets at Metadata: `- level: Metadata` with `resources: [{group: \"\", resources: [\"secrets\"]}]`, placed before broader rules.",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: "",
        good: "",
    },
};

pub static RBAC_NOT_LOGGED: CheckMeta = CheckMeta {
    code: "A103",
    name: "audit-policy-rbac-changes-not-logged",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy logs RBAC changes with their bodies",
    area: Area::Audit,
    severity: Severity::High,
    // kubeward's own criterion (bodies), finer than CIS 3.2.2: no CIS reference, so its WARN is
    // never read as a CIS verdict.
    references: &[RefStatic::mitre("T1098.006")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Simulates create/update/patch/delete of roles, clusterroles, rolebindings and clusterrolebindings: FAIL when any is logged at None, WARN when writes are logged only at Metadata (the role rules and binding subjects are then missing, so cluster-admin and wildcard grants cannot be detected).",
        why: "RBAC changes are privilege escalation and persistence; their bodies say what was granted to whom.",
        fix: "Log rbac.authorization.k8s.io writes at RequestResponse: `- level: RequestResponse` with `verbs: [create, update, patch, delete]` and `resources: [{group: rbac.authorization.k8s.io}]`.",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: "",
        good: "",
    },
};

pub static SECRET_BODIES_LOGGED: CheckMeta = CheckMeta {
    code: "A104",
    name: "audit-policy-logs-secret-values",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy keeps secret values out of the log",
    area: Area::Audit,
    severity: Severity::High,
    references: &[
        RefStatic::cis_k8s("1.12.0", "3.2.1"),
        RefStatic::mitre("T1552"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Simulates requests on secrets, serviceaccounts/token and tokenreviews and reports those logged at Request or RequestResponse.",
        why: "At those levels the request and response bodies are logged: secret values and tokens end up in every log destination, readable by whoever reads logs.",
        fix: "Log these resources at Metadata, in a rule placed before any Request/RequestResponse rule that would match them (AKS's fixed policy already does).",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: "",
        good: "",
    },
};

pub static SHADOWED_RULE: CheckMeta = CheckMeta {
    code: "A105",
    name: "audit-policy-shadowed-rule",
    since: "0.1.0",
    aliases: &[],
    title: "Every audit policy rule can apply",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Rules that can never apply because an earlier rule matches every request they match (the first matching rule wins).",
        why: "A shadowed rule is a level someone meant to set and that is silently not in force, typically a Metadata rule for secrets placed after a broad None rule.",
        fix: "Move the more specific rule above the broader one, or delete it.",
        links: &[
            "https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-PolicyRule",
        ],
        bad: "",
        good: "",
    },
};

pub static STAGES: CheckMeta = CheckMeta {
    code: "A106",
    name: "audit-policy-stages",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy keeps the stages detections need",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The policy-wide `omitStages` and those of the rules that level exec and secret requests: omitting ResponseComplete or Panic loses outcomes; omitting ResponseStarted together with ResponseComplete hides exec streams; keeping RequestReceived doubles the volume for little gain.",
        why: "Detections read the final stage (response code, decision) and the start of long-running streams; a policy that omits them records requests without outcomes.",
        fix: "Use `omitStages: [RequestReceived]` at policy level and do not omit ResponseStarted, ResponseComplete or Panic.",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: "",
        good: "",
    },
};

pub static CATCH_ALL: CheckMeta = CheckMeta {
    code: "A107",
    name: "audit-policy-catch-all",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy ends with a catch-all rule",
    area: Area::Audit,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Whether the last rule matches every request at Metadata or above. Requests no rule matches are not logged at all.",
        why: "Without a catch-all, new resources (CRDs, new API groups) and unexpected verbs are invisible.",
        fix: "End the policy with `- level: Metadata` (no selectors).",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: "",
        good: "",
    },
};

pub static INVALID: CheckMeta = CheckMeta {
    code: "A108",
    name: "audit-policy-valid",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy is valid",
    area: Area::Audit,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The file parses as an audit.k8s.io Policy with at least one rule, known levels and stages, and rules that do not mix resources with nonResourceURLs or give resourceNames without resources.",
        why: "The API server refuses to start with an invalid policy file (self-managed clusters), or the policy does not do what it says.",
        fix: "Fix the reported fields; validate with a test API server or `kube-apiserver --audit-policy-file` on a kind cluster.",
        links: &["https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/"],
        bad: "",
        good: "",
    },
};

/// Every policy check, for the registry.
pub static CHECKS: &[&CheckMeta] = &[
    &EXEC_NOT_LOGGED,
    &SECRETS_NOT_LOGGED,
    &RBAC_NOT_LOGGED,
    &SECRET_BODIES_LOGGED,
    &SHADOWED_RULE,
    &STAGES,
    &CATCH_ALL,
    &INVALID,
];

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

/// Lint a policy file's text; every check gives one finding or more.
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
            report.push(Finding::new(
                &INVALID,
                Status::Fail,
                res.clone(),
                format!("Not a readable audit policy: {e}"),
            ));
            for c in &CHECKS[..CHECKS.len() - 1] {
                report.push(Finding::new(
                    c,
                    Status::Error,
                    res.clone(),
                    "Could not run: the policy did not parse",
                ));
            }
            return report;
        }
    };
    let rule_src = |i: usize| {
        src(
            file,
            policy.rules[i].referenced.line(),
            format!("rules[{i}]"),
        )
    };

    // Validity.
    let mut problems: Vec<Evidence> = Vec::new();
    if policy.kind != "Policy" || !policy.api_version.starts_with("audit.k8s.io/") {
        problems.push(
            Evidence::observed(
                format!(
                    "apiVersion {:?}, kind {:?}",
                    policy.api_version, policy.kind
                ),
                Source::file(file).with_key("kind"),
            )
            .with_expected("audit.k8s.io/v1 Policy"),
        );
    }
    if policy.rules.is_empty() {
        problems.push(
            Evidence::observed("no rules", Source::file(file).with_key("rules"))
                .with_expected("at least one rule"),
        );
    }
    for s in &policy.omit_stages {
        if !STAGE_NAMES.contains(&s.as_str()) {
            problems.push(Evidence::observed(
                format!("unknown stage {s}"),
                Source::file(file).with_key("omitStages"),
            ));
        }
    }
    for (i, r) in policy.rules.iter().enumerate() {
        let rule = &r.value;
        if !LEVELS.contains(&rule.level.as_str()) {
            problems.push(
                Evidence::observed(format!("level {:?}", rule.level), rule_src(i))
                    .with_expected("None, Metadata, Request or RequestResponse"),
            );
        }
        if !rule.resources.is_empty() && !rule.non_resource_urls.is_empty() {
            problems.push(Evidence::observed(
                "both resources and nonResourceURLs",
                rule_src(i),
            ));
        }
        if rule
            .resources
            .iter()
            .any(|g| !g.resource_names.is_empty() && g.resources.is_empty())
        {
            problems.push(Evidence::observed(
                "resourceNames without resources",
                rule_src(i),
            ));
        }
        for s in &rule.omit_stages {
            if !STAGE_NAMES.contains(&s.as_str()) {
                problems.push(Evidence::observed(
                    format!("unknown stage {s}"),
                    rule_src(i),
                ));
            }
        }
    }
    let mut f = if problems.is_empty() {
        Finding::new(
            &INVALID,
            Status::Pass,
            res.clone(),
            format!("Valid policy with {} rules", policy.rules.len()),
        )
    } else {
        Finding::new(
            &INVALID,
            Status::Fail,
            res.clone(),
            format!("{} problems in the policy", problems.len()),
        )
    };
    f.evidence = problems;
    report.push(f);

    // Coverage checks by simulation.
    let mut coverage = |meta: &'static CheckMeta,
                        probes: Vec<Probe>,
                        body_warn: bool,
                        body_fail: bool| {
        let mut none = Vec::new();
        let mut metadata_only = Vec::new();
        let mut with_bodies = Vec::new();
        for pr in &probes {
            let (level, rule) = level_of(&policy, pr);
            let source = match rule {
                Some(i) => rule_src(i),
                None => Source::file(file).with_key("rules (no rule matches)"),
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
        let mut f = Finding::new(meta, status, res.clone(), msg);
        f.evidence = evidence.into_iter().take(12).collect();
        report.push(f);
    };
    let mut exec = probes(
        &["create", "get"],
        "",
        "pods",
        &["exec", "attach", "portforward"],
        &["default"],
    );
    exec.truncate(12);
    coverage(&EXEC_NOT_LOGGED, exec, false, false);
    let secret_verbs = [
        "get", "list", "watch", "create", "update", "patch", "delete",
    ];
    coverage(
        &SECRETS_NOT_LOGGED,
        probes(
            &secret_verbs,
            "",
            "secrets",
            &[""],
            &["default", "kube-system"],
        ),
        false,
        false,
    );
    let mut rbac = Vec::new();
    for r in ["roles", "rolebindings"] {
        rbac.extend(probes(
            &["create", "update", "patch", "delete"],
            "rbac.authorization.k8s.io",
            r,
            &[""],
            &["default"],
        ));
    }
    for r in ["clusterroles", "clusterrolebindings"] {
        rbac.extend(probes(
            &["create", "update", "patch", "delete"],
            "rbac.authorization.k8s.io",
            r,
            &[""],
            &[""],
        ));
    }
    coverage(
        &RBAC_NOT_LOGGED,
        rbac.into_iter().filter(|p| p.verb != "delete").collect(),
        true,
        false,
    );
    let mut sensitive = probes(&secret_verbs, "", "secrets", &[""], &["default"]);
    sensitive.extend(probes(
        &["create"],
        "",
        "serviceaccounts",
        &["token"],
        &["default"],
    ));
    sensitive.extend(probes(
        &["create"],
        "authentication.k8s.io",
        "tokenreviews",
        &[""],
        &[""],
    ));
    coverage(&SECRET_BODIES_LOGGED, sensitive, false, true);

    // Shadowed rules.
    let mut shadowed = Vec::new();
    for (j, later) in policy.rules.iter().enumerate() {
        if let Some(i) = (0..j).find(|&i| shadows(&policy.rules[i].value, &later.value)) {
            shadowed.push(
                Evidence::observed(
                    format!("rule {j} (level {}) never applies", later.value.level),
                    rule_src(j),
                )
                .with_note(format!(
                    "rule {i} (level {}, line {}) matches every request it matches",
                    policy.rules[i].value.level,
                    policy.rules[i].referenced.line()
                )),
            );
        }
    }
    let mut f = if shadowed.is_empty() {
        Finding::new(
            &SHADOWED_RULE,
            Status::Pass,
            res.clone(),
            "No rule is shadowed by an earlier one",
        )
    } else {
        Finding::new(
            &SHADOWED_RULE,
            Status::Warn,
            res.clone(),
            format!("{} rules can never apply", shadowed.len()),
        )
    };
    f.evidence = shadowed;
    report.push(f);

    // Stages.
    let global = &policy.omit_stages;
    let mut stage_ev = Vec::new();
    let mut status = Status::Pass;
    let has = |v: &[String], s: &str| v.iter().any(|x| x == s);
    for (stage, st) in [("ResponseComplete", Status::Fail), ("Panic", Status::Warn)] {
        if has(global, stage) {
            stage_ev.push(Evidence::observed(
                format!("omitStages has {stage}"),
                Source::file(file).with_key("omitStages"),
            ));
            status = status.min(st);
        }
    }
    let exec_probe = Probe {
        label: String::new(),
        verb: "get",
        group: "",
        resource: "pods",
        subresource: "exec",
        namespace: "default",
        as_sa: false,
    };
    if let (_, Some(i)) = level_of(&policy, &exec_probe) {
        let eff: Vec<String> = global
            .iter()
            .chain(&policy.rules[i].value.omit_stages)
            .cloned()
            .collect();
        if has(&eff, "ResponseStarted") && has(&eff, "ResponseComplete") {
            stage_ev.push(Evidence::observed(
                "exec requests keep neither ResponseStarted nor ResponseComplete",
                rule_src(i),
            ));
            status = Status::Fail;
        }
    }
    let catch_all_keeps_received = policy.rules.iter().any(|r| {
        !has(global, "RequestReceived")
            && !has(&r.value.omit_stages, "RequestReceived")
            && r.value.level != "None"
    });
    if catch_all_keeps_received {
        stage_ev.push(
            Evidence::observed("RequestReceived is logged by at least one rule", Source::file(file).with_key("omitStages"))
                .with_expected("omitStages: [RequestReceived]")
                .with_note("every request is then logged twice; the final stage carries all the same fields and the outcome"),
        );
        if status == Status::Pass {
            status = Status::Info;
        }
    }
    let msg = match status {
        Status::Pass => {
            "The stages detections need are kept, RequestReceived is omitted".to_string()
        }
        Status::Info => {
            "The stages detections need are kept; RequestReceived is logged too (double volume)"
                .to_string()
        }
        _ => "Stages that detections need are omitted".to_string(),
    };
    let mut f = Finding::new(&STAGES, status, res.clone(), msg);
    f.evidence = stage_ev;
    report.push(f);

    // Catch-all.
    let last_catch_all = policy.rules.last().is_some_and(|r| {
        let v = &r.value;
        v.users.is_empty()
            && v.user_groups.is_empty()
            && v.verbs.is_empty()
            && v.resources.is_empty()
            && v.namespaces.is_empty()
            && v.non_resource_urls.is_empty()
            && v.level != "None"
    });
    report.push(if last_catch_all {
        Finding::new(
            &CATCH_ALL,
            Status::Pass,
            res.clone(),
            "The last rule logs every remaining request",
        )
    } else {
        Finding::new(
            &CATCH_ALL,
            Status::Warn,
            res.clone(),
            "No final catch-all rule: requests no rule matches are not logged",
        )
        .with_evidence(
            Evidence::observed(
                format!(
                    "{} rules, the last one has selectors or level None",
                    policy.rules.len()
                ),
                Source::file(file).with_key("rules"),
            )
            .with_expected("- level: Metadata"),
        )
    });
    report
}

#[cfg(test)]
mod tests {
    use super::*;

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
