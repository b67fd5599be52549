//! Every check's documented examples, run through the pipeline of `kubeward netpol coverage`:
//! the bad one gives that check a failing finding, the good one gives it none.

use crate::{CHECKS, Engine, EngineFact, engine_fact, output};
use kubeward_core::{Finding, Status};
use kubeward_inventory::{LoadOptions, load_str};

/// An example that needs an engine the inputs cannot show (no engine at all) names it the way
/// the command line does, in a leading comment.
const ENGINE_FLAG: &str = "# kubeward netpol coverage --engine ";

fn coverage(example: &str) -> Vec<Finding> {
    let inv = load_str("example.yaml", example, &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}\n{example}", inv.errors);
    // as the CLI without --engine or --aks: the engine the inputs' DaemonSets show
    let fact = match example.strip_prefix(ENGINE_FLAG) {
        Some(rest) => {
            let word = rest.split_whitespace().next().unwrap_or_default();
            EngineFact::given(Engine::parse(word).unwrap_or_else(|| panic!("engine {word}")))
        }
        None => engine_fact::from_daemonsets(&inv),
    };
    output::coverage(&inv, &fact).findings
}

fn failing(f: &Finding) -> bool {
    matches!(f.status, Status::Fail | Status::Error | Status::Warn)
}

#[test]
fn bad_examples_fail_and_good_examples_do_not() {
    let mut problems = Vec::new();
    for check in CHECKS {
        let meta = check.meta;
        let bad = coverage(meta.doc.bad);
        if !bad.iter().any(|f| f.code == meta.code && failing(f)) {
            problems.push(format!(
                "{}: bad example does not fail: {bad:#?}",
                meta.code
            ));
        }
        let good = coverage(meta.doc.good);
        let still: Vec<&Finding> = good
            .iter()
            .filter(|f| f.code == meta.code && failing(f))
            .collect();
        if !still.is_empty() {
            problems.push(format!("{}: good example fails: {still:#?}", meta.code));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn examples_are_short() {
    for check in CHECKS {
        for (which, text) in [("bad", check.meta.doc.bad), ("good", check.meta.doc.good)] {
            let lines = text.lines().count();
            assert!(
                (3..=30).contains(&lines),
                "{} {which}: {lines} lines",
                check.meta.code
            );
        }
    }
}

/// Argo Rollouts are workloads of the analysis like Deployments (the shared list of kinds).
#[test]
fn a_rollout_without_policy_is_not_isolated() {
    let rollout = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {canary: {steps: [{setWeight: 20}]}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: shopacr.azurecr.io/web:1.4}]}
";
    let f = coverage(rollout);
    let p201: Vec<&Finding> = f.iter().filter(|f| f.code == "P201").collect();
    assert_eq!(p201.len(), 1, "{f:#?}");
    assert_eq!(p201[0].status, Status::Fail);
    assert_eq!(p201[0].resource.kind, "Rollout");
}
