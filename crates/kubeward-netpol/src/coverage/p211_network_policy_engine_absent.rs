//! P211: the cluster runs no network policy engine, so its NetworkPolicies do nothing.

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, Resource, Severity, Source, Status,
};

use crate::check::{Check, Ctx};
use crate::engine::Engine;
use crate::engine_fact::EngineBasis;
use crate::examples::{cilium_daemonset, default_deny_both};

pub static META: CheckMeta = CheckMeta {
    code: "P211",
    name: "network-policy-engine-absent",
    since: "0.1.0",
    aliases: &[],
    title: "A policy engine enforces the cluster's NetworkPolicies",
    area: Area::Netpol,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The engine the analysis uses, where the inputs show it: `networkProfile.networkPolicy` of an AKS cluster body (`az aks show`, `--aks FILE`; `none` or absent means no engine), a node report's `NETWORK_POLICY` (empty means no engine), or the engine's DaemonSet in a snapshot (azure-npm, calico-node, cilium). FAIL when no engine runs and NetworkPolicies exist (the connectivity is then analysed as all allowed), INFO when no engine runs and there are no policies yet, PASS when an engine was found. Nothing is reported when the engine was named with `--engine` (except `--engine none`, a FAIL or INFO as above) or cannot be known (P210 then says what that means for ipBlocks).",
        why: "Without an engine the API server accepts NetworkPolicy objects and nothing applies them: every pod reaches every other pod and the internet, while the manifests suggest isolation.",
        fix: "Enable an engine on the cluster: `az aks update -g <resource-group> -n <cluster> --network-policy azure` (Azure NPM), or Azure CNI powered by Cilium: `az aks update -g <resource-group> -n <cluster> --network-dataplane cilium --network-policy cilium`. Then re-run the analysis with the cluster body or `--engine`.",
        links: &[
            "https://learn.microsoft.com/azure/aks/use-network-policies",
            "https://kubernetes.io/docs/concepts/services-networking/network-policies/#prerequisites",
        ],
        bad: concat!(
            "\
# kubeward netpol coverage --engine none (an AKS cluster with networkPolicy none)
",
            default_deny_both!()
        ),
        good: concat!(cilium_daemonset!(), "---\n", default_deny_both!()),
    },
};

pub static CHECK: Check = Check::coverage(&META, evaluate);

fn basis_evidence(basis: &EngineBasis, engine: Engine) -> Option<Evidence> {
    match basis {
        EngineBasis::Detected { observed, source } => {
            Some(Evidence::observed(observed.clone(), source.clone()))
        }
        EngineBasis::Given if engine == Engine::None => Some(Evidence::observed(
            "--engine none",
            Source::origin("command line").with_key("--engine"),
        )),
        EngineBasis::Given | EngineBasis::Unknown { .. } => None,
    }
}

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let a = ctx.analysis;
    let engine = a.options.engine;
    let Some(evidence) = basis_evidence(&a.options.basis, engine) else {
        return Vec::new();
    };
    let cluster = Resource::new("Cluster", "cluster");
    let f = if engine == Engine::None {
        let names: Vec<String> = a.model.netpols.iter().map(|p| p.display_name()).collect();
        if names.is_empty() {
            Finding::new(
                &META,
                Status::Info,
                cluster,
                "no network policy engine runs: NetworkPolicies added later will not be enforced",
            )
        } else {
            let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
            let more = names.len().saturating_sub(shown.len());
            Finding::new(
                &META,
                Status::Fail,
                cluster,
                format!(
                    "no network policy engine runs: the {} NetworkPolicies in the inputs are not enforced, and connectivity is analysed as all allowed",
                    names.len()
                ),
            )
            .with_evidence(Evidence::observed(
                if more > 0 {
                    format!("{} (and {more} more)", shown.join(", "))
                } else {
                    shown.join(", ")
                },
                Source::origin("inputs"),
            ).with_note("policies with no effect"))
        }
        .with_evidence(evidence.with_expected("azure, calico or cilium"))
    } else {
        Finding::new(
            &META,
            Status::Pass,
            cluster,
            format!("NetworkPolicies are enforced by {}", engine.as_str()),
        )
        .with_evidence(evidence)
    };
    vec![f]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Analysis, Options};
    use crate::model::Model;
    use kubeward_inventory::{LoadOptions, load_str};

    fn run(yaml: &str, engine: Engine, basis: EngineBasis) -> Vec<Finding> {
        let inv = load_str("t.yaml", yaml, &LoadOptions::default());
        let model = Model::build(&inv);
        let a = Analysis::new(
            &model,
            Options {
                engine,
                basis,
                ..Default::default()
            },
        );
        evaluate(&Ctx::new(&inv, &a))
    }

    fn detected(what: &str) -> EngineBasis {
        EngineBasis::Detected {
            observed: what.into(),
            source: Source::file("cluster.json")
                .with_key("properties.networkProfile.networkPolicy"),
        }
    }

    const POL: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n";

    // item 14: `networkPolicy: none` (or an empty NETWORK_POLICY) is said as a finding
    #[test]
    fn item14_no_engine_fails_with_the_policies_it_leaves_unenforced() {
        let f = run(POL, Engine::None, detected("networkPolicy: none"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].status, Status::Fail);
        assert!(f[0].message.contains("all allowed"), "{}", f[0].message);
        assert_eq!(f[0].evidence[0].observed.as_deref(), Some("shop/deny"));
        assert_eq!(
            f[0].evidence[1].source.file.as_deref(),
            Some("cluster.json")
        );
        // no policies yet: said, not failed
        let f = run("", Engine::None, detected("networkPolicy: none"));
        assert_eq!(f[0].status, Status::Info);
    }

    #[test]
    fn detected_engine_passes_and_unknown_or_given_says_nothing() {
        let f = run(POL, Engine::Cilium, detected("cilium DaemonSet"));
        assert_eq!(f[0].status, Status::Pass);
        assert!(run(POL, Engine::Cilium, EngineBasis::Given).is_empty());
        assert!(
            run(
                POL,
                Engine::Default,
                EngineBasis::Unknown { why: "x".into() }
            )
            .is_empty()
        );
        // --engine none is the user's word: still a finding, pointing at the flag
        let f = run(POL, Engine::None, EngineBasis::Given);
        assert_eq!(f[0].status, Status::Fail);
    }
}
