//! `kubeward policy test` (Gatekeeper's `gator test`) and `kubeward policy verify` (`gator
//! verify`), and the constraint findings `workloads --policy` and `scan` add to their reports.
//!
//! Every constraint is a check of its own (`GK/<ConstraintKind>/<name>`, area `policy`),
//! registered at run time (see `kubeward_core::dynamic`) so that `kubeward checks`, SARIF rules,
//! JUnit, waivers and baselines see it like a built-in check.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use kubeward_core::dynamic::{self, DynamicCheck};
use kubeward_core::{
    Area, CheckMeta, Evidence, Finding, InputError, InputInfo, Report, Resource, Severity, Source,
    Status,
};
use kubeward_inventory::{Inventory, LoadOptions, Object, load_paths};
use kubeward_policy::{
    Action, ConstraintInfo, Engine, EvalOptions, ObjectRef, Outcome, PolicySet, Review,
    TemplateInfo, VerifyOptions,
};

use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum PolicyCommand {
    /// Review objects against Gatekeeper / Azure Policy constraints (like `gator test`): each
    /// violation is a finding; the exit code follows --fail-on
    Test(TestArgs),
    /// Run Gatekeeper test suites (suite.yaml, like `gator verify`): exit 0 only when every
    /// assertion holds
    Verify(VerifyArgs),
}

/// `--engine` for the policy commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineChoice {
    /// The template's Rego (`spec.targets[].rego`, or a `code` entry with `engine: Rego`)
    Rego,
    /// The template's CEL (`code` entry with `engine: K8sNativeValidation`)
    Cel,
}

impl From<EngineChoice> for Engine {
    fn from(e: EngineChoice) -> Engine {
        match e {
            EngineChoice::Rego => Engine::Rego,
            EngineChoice::Cel => Engine::Cel,
        }
    }
}

/// The longest budget one template may be given on one object.
const MAX_BUDGET: Duration = Duration::from_secs(60);

/// `500ms`, `2s`, `1.5s` (a bare number is seconds).
pub fn parse_budget(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else {
        (t, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (e.g. 500ms, 2s)"))?;
    let secs = value * scale;
    if !secs.is_finite() || secs <= 0.0 || secs > MAX_BUDGET.as_secs_f64() {
        return Err(format!(
            "{s:?}: the budget must be above 0 and at most {} s",
            MAX_BUDGET.as_secs()
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Files or folders (or - for stdin) holding ConstraintTemplates, constraints and the objects
    /// to review, in any order: each is recognised by its kind. An AdmissionReview is reviewed
    /// as its request (UPDATE, DELETE with oldObject)
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Objects that are not reviewed but fill `data.inventory` for referential templates (and
    /// give the Namespaces namespaceSelector reads). Repeatable
    #[arg(long = "inventory", value_name = "FILE")]
    pub inventory: Vec<PathBuf>,
    /// Evaluate every template with this engine (default: Gatekeeper's choice, see docs/policy.md)
    #[arg(long, value_enum)]
    pub engine: Option<EngineChoice>,
    /// Time one template may take on one object before it is stopped (an ERROR finding)
    #[arg(long, value_name = "DURATION", value_parser = parse_budget, default_value = "2s")]
    pub budget: Duration,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// suite.yaml files, or folders searched for them
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Evaluate with this engine only; tests whose template has no code for it are skipped
    #[arg(long, value_enum)]
    pub engine: Option<EngineChoice>,
    /// Time one template may take on one object
    #[arg(long, value_name = "DURATION", value_parser = parse_budget, default_value = "2s")]
    pub budget: Duration,
    /// Print only failed cases and the summary
    #[arg(short, long)]
    pub quiet: bool,
}

/// `--policy` and its options, for `workloads` and `scan`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PolicyArgs {
    /// ConstraintTemplates and constraints (files or folders; repeatable) whose violations join
    /// the report (area policy, codes GK/<Kind>/<name>). Templates and constraints among the
    /// inputs (a snapshot, the live cluster) are evaluated too
    #[arg(long = "policy", value_name = "PATH")]
    pub policy: Vec<PathBuf>,
    /// The engine for every template (default: Gatekeeper's choice)
    #[arg(long = "policy-engine", value_enum)]
    pub policy_engine: Option<EngineChoice>,
    /// Time one template may take on one object
    #[arg(long = "policy-budget", value_name = "DURATION", value_parser = parse_budget)]
    pub policy_budget: Option<Duration>,
}

impl PolicyArgs {
    fn eval_options(&self) -> EvalOptions {
        let mut opts = EvalOptions {
            engine: self.policy_engine.map(Engine::from),
            ..Default::default()
        };
        if let Some(b) = self.policy_budget {
            opts.budget = b;
        }
        opts
    }
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        PolicyCommand::Test(a) => run_test(a),
        PolicyCommand::Verify(a) => run_verify(a),
    }
}

/// The policy objects' input errors, as report input errors.
fn policy_errors(report: &mut Report, errors: Vec<kubeward_policy::PolicyError>) {
    report
        .input_errors
        .extend(errors.into_iter().map(|e| e.into_input_error()));
}

fn run_test(args: TestArgs) -> anyhow::Result<u8> {
    let inv = load_paths(&args.paths, &LoadOptions::default());
    let mut report = Report::new("policy test");
    report.inputs.extend(inv.inputs.iter().cloned());
    report.input_errors.extend(inv.errors.iter().cloned());
    let (set, reviews, errors) = PolicySet::load(&inv.objects);
    policy_errors(&mut report, errors);

    let extra = if args.inventory.is_empty() {
        Inventory::default()
    } else {
        load_paths(&args.inventory, &LoadOptions::default())
    };
    for input in &extra.inputs {
        report.inputs.push(InputInfo {
            kind: "inventory".into(),
            ..input.clone()
        });
    }
    report.input_errors.extend(extra.errors.iter().cloned());

    let opts = EvalOptions {
        engine: args.engine.map(Engine::from),
        budget: args.budget,
        ..Default::default()
    };
    let no_constraint = set.constraints().next().is_none();
    if no_constraint && report.input_errors.is_empty() {
        bail!(
            "no constraint among the inputs: give ConstraintTemplates, constraints and objects (kubeward policy test FILE…)"
        );
    }
    // `data.inventory` holds what `gator test` caches: every given object, reviewed or not.
    let mut cached: Vec<Object> = inv.objects;
    cached.extend(extra.objects);
    let findings = evaluate(&set, &reviews, &cached, &opts, &mut report);
    drop(cached);
    report.append(findings);
    let code = crate::output::emit(report, &args.output)?;
    // Nothing was tested: every template or constraint was broken (the report lists why).
    Ok(if no_constraint {
        kubeward_core::exit::EXIT_USAGE_OR_NO_INPUT as u8
    } else {
        code
    })
}

/// Evaluate `set` over `reviews` and return the findings: one per violation, an ERROR per
/// evaluation that failed, a PASS per constraint that matched objects and none violated (N/A
/// when it matched none). Facts go into `report`.
pub fn evaluate(
    set: &PolicySet,
    reviews: &[Review],
    inventory: &[Object],
    opts: &EvalOptions,
    report: &mut Report,
) -> Vec<Finding> {
    let checks = register(set, report);
    let (outcomes, matched) =
        kubeward_policy::evaluate_with_coverage(set, reviews, inventory, opts);
    // Reviews each constraint matched: a PASS only for a constraint that judged something.
    let matched: BTreeMap<String, (usize, bool)> = set
        .constraints()
        .zip(matched)
        .map(|(c, n)| (c.constraint.code(), (n, c.enforcement.action.is_some())))
        .collect();
    let mut findings = Vec::with_capacity(outcomes.len() + checks.len());
    let mut touched = BTreeSet::new();
    let (mut violations, mut errors) = (0usize, 0usize);
    for outcome in outcomes {
        let code = match &outcome {
            Outcome::Violation(v) => v.constraint.code(),
            Outcome::Error(e) => e.constraint.code(),
        };
        let Some(meta) = checks.get(&code).copied() else {
            continue;
        };
        touched.insert(code);
        match outcome {
            Outcome::Violation(v) => {
                violations += 1;
                findings.push(violation_finding(meta, &v));
            }
            Outcome::Error(e) => {
                errors += 1;
                findings.push(error_finding(meta, &e));
            }
        }
    }
    for (code, meta) in &checks {
        if !touched.contains(code) {
            let (status, note) = match matched.get(code).copied().unwrap_or((0, true)) {
                (0, false) => (
                    Status::NotApplicable,
                    "not evaluated: its enforcement action (scoped) names neither the audit nor the validation point".to_string(),
                ),
                (0, true) => (
                    Status::NotApplicable,
                    "no reviewed object matches this constraint's spec.match: nothing was judged".to_string(),
                ),
                (n, _) => (
                    Status::Pass,
                    format!("{n} reviewed object(s) match this constraint; none violates it"),
                ),
            };
            let mut f = Finding::new(meta, status, constraint_resource(code), note);
            f.compact();
            findings.push(f);
        }
    }
    report.facts.insert(
        "policy".into(),
        serde_json::json!({
            "templates": set.templates().count(),
            "constraints": checks.len(),
            "reviewed": reviews.len(),
            "engine": opts.engine.map_or("gatekeeper's choice", Engine::as_str),
            "budget_ms": opts.budget.as_millis() as u64,
            "violations": violations,
            "evaluation_errors": errors,
            "sync_config": set.has_sync_config(),
            "expansion_templates": set.has_expansion_templates(),
        }),
    );
    findings
}

/// The resource of a constraint's PASS: the constraint itself.
fn constraint_resource(code: &str) -> Resource {
    let mut parts = code.splitn(3, '/').skip(1);
    let kind = parts.next().unwrap_or_default();
    let name = parts.next().unwrap_or_default();
    Resource::new(kind, name)
}

/// Make every constraint of `set` a check; one that cannot be (too many) is an input error.
pub fn register(set: &PolicySet, report: &mut Report) -> BTreeMap<String, &'static CheckMeta> {
    let templates: BTreeMap<&str, &TemplateInfo> =
        set.templates().map(|t| (t.kind.as_str(), t)).collect();
    let mut out = BTreeMap::new();
    for c in set.constraints() {
        let template = templates.get(c.constraint.kind.as_str()).copied();
        match dynamic::intern(check_of(c, template)) {
            Ok(meta) => {
                out.insert(c.constraint.code(), meta);
            }
            Err(e) => report.input_errors.push(InputError {
                path: c.origin.file.to_string(),
                line: c.origin.line,
                message: e.to_string(),
            }),
        }
    }
    out
}

/// Register the checks of every constraint under `paths` (for `kubeward checks --policy` and
/// `explain --policy`); problems go to standard error.
pub fn register_paths(paths: &[PathBuf]) -> usize {
    if paths.is_empty() {
        return 0;
    }
    let inv = load_paths(paths, &LoadOptions::default());
    let mut report = Report::new("checks");
    report.input_errors.extend(inv.errors.iter().cloned());
    let (set, _, errors) = PolicySet::load(&inv.objects);
    policy_errors(&mut report, errors);
    let n = register(&set, &mut report).len();
    report
        .input_errors
        .iter()
        .for_each(crate::term::input_error);
    n
}

const GATEKEEPER_DOCS: &str = "https://open-policy-agent.github.io/gatekeeper/website/docs/howto";
const AZURE_POLICY_DOCS: &str =
    "https://learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes";

fn check_of(c: &ConstraintInfo, template: Option<&TemplateInfo>) -> DynamicCheck {
    let kind = &c.constraint.kind;
    let name = &c.constraint.name;
    let title = template
        .and_then(|t| t.title.clone())
        .unwrap_or_else(|| format!("Constraint of {kind}"));
    let mut what = String::new();
    if let Some(d) = template.and_then(|t| t.description.as_deref()) {
        what.push_str(d.trim());
        what.push_str("\n\n");
    }
    let engines: Vec<&str> = template
        .map(|t| t.engines.iter().map(|e| e.as_str()).collect())
        .unwrap_or_default();
    what.push_str(&format!(
        "Constraint {kind}/{name} ({}{}) of the ConstraintTemplate {} ({}), enforcementAction {}.",
        c.origin.file,
        c.origin.line.map(|l| format!(":{l}")).unwrap_or_default(),
        c.template,
        if engines.is_empty() {
            "no engine".to_string()
        } else {
            engines.join(" and ")
        },
        c.enforcement.written,
    ));
    DynamicCheck {
        code: c.constraint.code(),
        name: format!("gk-{kind}-{name}"),
        title: format!("{title} ({name})"),
        area: Area::Policy,
        severity: c.severity.unwrap_or(Severity::Medium),
        what,
        why: "The constraint states a rule for the cluster (Gatekeeper, or Azure Policy for \
Kubernetes). Under enforcementAction deny the API server refuses an object that violates it; \
under dryrun (Azure Policy's Audit effect) the audit reports it; under warn it is admitted with a \
warning."
            .into(),
        fix:
            "Change the object so that it satisfies the constraint. If it must be exempt, exclude \
it in the constraint's spec.match (excludedNamespaces, labelSelector) or, for Azure Policy, in \
the assignment's excluded namespaces."
                .into(),
        links: vec![GATEKEEPER_DOCS.into(), AZURE_POLICY_DOCS.into()],
    }
}

fn resource_of(o: &ObjectRef) -> Resource {
    Resource {
        kind: o.kind.clone(),
        namespace: o.namespace.clone(),
        name: o.name.clone(),
    }
}

fn source_of(origin: &kubeward_inventory::Origin) -> Source {
    let mut s = Source::file(&*origin.file);
    s.line = origin.line;
    s
}

/// Text read from a template's output: bounded before it is stored.
fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

const MAX_MESSAGE: usize = 4096;
const MAX_DETAILS: usize = 1024;

fn violation_finding(meta: &'static CheckMeta, v: &kubeward_policy::Violation) -> Finding {
    let status = match v.action {
        Action::Deny | Action::Dryrun => Status::Fail,
        Action::Warn => Status::Warn,
    };
    let (resource, reviewed_as) = match &v.expanded_from {
        Some(e) => (
            resource_of(&e.workload),
            Some(format!(
                "reviewed as the Pod of its pod template ({})",
                e.expansion
                    .as_deref()
                    .map(|x| format!("ExpansionTemplate {x}"))
                    .unwrap_or_else(|| "kubeward's default expansion".into())
            )),
        ),
        None => (resource_of(&v.object), None),
    };
    let message = if v.message.trim().is_empty() {
        "(the template gave no message)".to_string()
    } else {
        bounded(&v.message, MAX_MESSAGE)
    };
    let mut note = format!(
        "constraint {}/{}, template {}, engine {}, enforcementAction {}",
        v.constraint.kind,
        v.constraint.name,
        v.template,
        v.engine.as_str(),
        v.enforcement.written
    );
    if v.enforcement.written == "scoped" {
        note.push_str(&format!(" (reported as {})", v.action.as_str()));
    }
    if let Some(r) = reviewed_as {
        note.push_str("; ");
        note.push_str(&r);
    }
    if !v.details.is_null() {
        let details = serde_json::to_string(&v.details).unwrap_or_default();
        note.push_str("; details ");
        note.push_str(&bounded(&details, MAX_DETAILS));
    }
    // The message is the finding's own; the evidence says what judged it, and where.
    let evidence = Evidence::observed(
        format!("violation ({})", v.action.as_str()),
        source_of(&v.origin),
    )
    .with_expected(format!(
        "no violation of {}/{}",
        v.constraint.kind, v.constraint.name
    ))
    .with_note(note);
    let mut f = Finding::new(meta, status, resource, message.clone())
        .with_evidence(evidence)
        // Two violations of one constraint by one object differ by their message (Gatekeeper's
        // audit tells them apart the same way).
        .with_item(bounded(&message, 256));
    f.compact();
    f
}

fn error_finding(meta: &'static CheckMeta, e: &kubeward_policy::EvalError) -> Finding {
    let resource = match &e.expanded_from {
        Some(x) => resource_of(&x.workload),
        None => resource_of(&e.object),
    };
    let reason = bounded(&e.reason.to_string(), MAX_MESSAGE);
    let evidence = Evidence::observed(reason.clone(), source_of(&e.origin)).with_note(format!(
        "constraint {}/{}, template {}{}",
        e.constraint.kind,
        e.constraint.name,
        e.template,
        e.engine
            .map(|x| format!(", engine {}", x.as_str()))
            .unwrap_or_default()
    ));
    Finding::new(
        meta,
        Status::Error,
        resource,
        format!(
            "{}/{} could not be evaluated: {reason}",
            e.constraint.kind, e.constraint.name
        ),
    )
    .with_evidence(evidence)
}

/// For `workloads` and `scan`: the constraints of `--policy` and of the inputs, evaluated over
/// the inventory. Nothing is done (and nothing costs) when there is no constraint at all.
pub fn findings_for(args: &PolicyArgs, inv: &Inventory, report: &mut Report) -> Vec<Finding> {
    let has_policy_objects = inv.objects.iter().any(|o| {
        matches!(
            o.group(),
            "constraints.gatekeeper.sh" | "templates.gatekeeper.sh"
        )
    });
    if args.policy.is_empty() && !has_policy_objects {
        return Vec::new();
    }
    let mut set = PolicySet::default();
    if !args.policy.is_empty() {
        let pinv = load_paths(&args.policy, &LoadOptions::default());
        for input in &pinv.inputs {
            report.inputs.push(InputInfo {
                kind: "policy".into(),
                ..input.clone()
            });
        }
        report.input_errors.extend(pinv.errors.iter().cloned());
        // Objects in the policy files other than policies are not reviewed: the inputs are.
        let (pset, _, errors) = PolicySet::load(&pinv.objects);
        policy_errors(report, errors);
        set.merge(pset);
    }
    let (own, reviews, errors) = PolicySet::load(&inv.objects);
    policy_errors(report, errors);
    set.merge(own);
    if set.constraints().next().is_none() {
        return Vec::new();
    }
    evaluate(&set, &reviews, &inv.objects, &args.eval_options(), report)
}

fn run_verify(args: VerifyArgs) -> anyhow::Result<u8> {
    let opts = VerifyOptions {
        engine: args.engine.map(Engine::from),
        budget: args.budget,
    };
    let result = kubeward_policy::verify(&args.paths, &opts);
    if result.suites.is_empty() {
        bail!(
            "no test suite (suite.yaml, test.gatekeeper.sh Suite) under {}",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut out = String::new();
    for s in &result.suites {
        let ok = s.passed();
        if !(args.quiet && ok) {
            out.push_str(&format!(
                "{} suite {} ({})\n",
                if ok { "ok  " } else { "FAIL" },
                s.name,
                s.path.display()
            ));
        }
        if let Some(e) = &s.error {
            out.push_str(&format!("  error: {e}\n"));
        }
        for t in &s.tests {
            if let Some(why) = &t.skipped {
                if !args.quiet {
                    out.push_str(&format!("  skip test {}: {why}\n", t.name));
                }
                continue;
            }
            let test_ok = t.error.is_none() && t.cases.iter().all(|c| c.ok || c.skipped);
            if !(args.quiet && test_ok) {
                out.push_str(&format!(
                    "  {} test {}\n",
                    if test_ok { "ok  " } else { "FAIL" },
                    t.name
                ));
            }
            if let Some(e) = &t.error {
                out.push_str(&format!("    error: {e}\n"));
            }
            for c in &t.cases {
                let line = if c.skipped {
                    format!(
                        "    skip case {}: {}\n",
                        c.name,
                        c.reason.as_deref().unwrap_or("skipped")
                    )
                } else if c.ok {
                    format!("    ok   case {}\n", c.name)
                } else {
                    format!(
                        "    FAIL case {}: {}\n",
                        c.name,
                        c.reason.as_deref().unwrap_or("an assertion does not hold")
                    )
                };
                if !(args.quiet && (c.ok || c.skipped)) {
                    out.push_str(&line);
                }
            }
        }
    }
    let (passed, failed, skipped) = result.counts();
    let failed_suites = result.suites.iter().filter(|s| !s.passed()).count();
    out.push_str(&format!(
        "{} suites ({} failed): {passed} cases ok, {failed} failed, {skipped} skipped{}\n",
        result.suites.len(),
        failed_suites,
        args.engine
            .map(|e| format!(" (engine {})", Engine::from(e).as_str()))
            .unwrap_or_default()
    ));
    {
        use std::io::Write;
        let text = kubeward_core::escape::terminal_lines(&out);
        let mut stdout = std::io::stdout().lock();
        match stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
            _ => {}
        }
    }
    Ok(if result.passed() { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets() {
        assert_eq!(parse_budget("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_budget("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_budget("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_budget("0s").is_err());
        assert!(parse_budget("-1s").is_err());
        assert!(parse_budget("61s").is_err());
        assert!(parse_budget("NaN").is_err());
        assert!(parse_budget("soon").is_err());
    }

    #[test]
    fn pass_resource_is_the_constraint() {
        assert_eq!(
            constraint_resource("GK/K8sTrustedRegistry/only-ours"),
            Resource::new("K8sTrustedRegistry", "only-ours")
        );
    }
}
