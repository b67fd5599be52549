//! What `kubeward workloads` runs, in one place: exposure under the network-policy engine, its
//! PASS findings rolled up, every workload check, then the platform-managed objects marked. The
//! command and the benchmark both call [`run`], so the figures measured are the command's.

use kubeward_core::{Finding, Report};
use kubeward_inventory::Inventory;
use kubeward_netpol::EngineFact;

use crate::{Ctx, ScanOptions};

/// Options of a workloads run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub scan: ScanOptions,
    /// The network-policy engine the exposure findings are judged under; `None`: told by the
    /// inputs' DaemonSets (what `--engine auto` finds without `--aks` or node reports).
    pub engine: Option<EngineFact>,
}

/// Run every workload check over `inv` into `report`: exposure first, then the workload checks,
/// then `others` (findings the caller computed about the same inputs, e.g. constraint
/// violations), and finally the platform-managed objects marked across all of them. The report
/// gets the `netpol` and `workloads` facts.
pub fn run(inv: &Inventory, opts: &Options, report: &mut Report, others: Vec<Finding>) {
    let fact = opts
        .engine
        .clone()
        .unwrap_or_else(|| kubeward_netpol::engine_fact::from_daemonsets(inv));
    report.facts.insert("netpol".into(), engine_facts(&fact));
    // The exposure runs first so that its network model is freed before the workload findings
    // exist: on a snapshot of 100,000 objects the two together would be the run's peak memory.
    let exposure = rolled_up_netpol(network_findings(inv, fact));
    let ctx = Ctx::new(inv, &opts.scan);
    report.facts.insert("workloads".into(), facts(inv, &ctx));
    report.append(crate::scan_ctx_after(&ctx, exposure));
    report.append(others);
    ctx.scope.mark(report, opts.scan.include_system);
}

/// The `workloads` facts of a report: what was read and scanned.
pub fn facts(inv: &Inventory, ctx: &Ctx<'_>) -> serde_json::Value {
    serde_json::json!({
        "objects": inv.objects.len(),
        "workloads_scanned": ctx.workloads().len(),
        "platform_managed_objects": ctx.scope.len(),
        "platform_managed_shown": ctx.opts.include_system,
        "node_reports": ctx.opts.nodes.len(),
    })
}

/// The engine in a report's facts: which, and how it was chosen.
pub fn engine_facts(fact: &EngineFact) -> serde_json::Value {
    serde_json::json!({
        "engine": fact.engine.as_str(),
        "engine_basis": fact.basis.describe(),
    })
}

/// Exposure findings under the cluster's engine, and what the engine means for them: no engine
/// at all (P211), or ipBlocks over pod IPs whose verdict the engine decides (P210).
pub fn network_findings(inv: &Inventory, fact: EngineFact) -> Vec<Finding> {
    let model = kubeward_netpol::Model::build(inv);
    let analysis = kubeward_netpol::output::analyse(&model, &fact);
    let mut out = kubeward_netpol::exposure::findings(inv, &analysis);
    out.extend(engine_findings(inv, &analysis));
    out
}

/// The findings about the engine itself (P211, and P210's ipBlock note under the default
/// engine), for commands that do not run every coverage check.
pub fn engine_findings(inv: &Inventory, analysis: &kubeward_netpol::Analysis) -> Vec<Finding> {
    use kubeward_netpol::coverage::{
        p210_engine_unsupported_policy_feature, p211_network_policy_engine_absent,
    };
    let mut out =
        p211_network_policy_engine_absent::evaluate(&kubeward_netpol::Ctx::new(inv, analysis));
    if analysis.options.engine == kubeward_netpol::Engine::Default {
        out.extend(p210_engine_unsupported_policy_feature::ip_blocks_over_pods(
            inv,
            analysis.model,
            &analysis.options.basis,
        ));
    }
    out
}

/// Network-policy findings with their PASS findings rolled up per check and namespace, as the
/// workload checks' are (one PASS naming the first objects, not one per workload).
pub fn rolled_up_netpol(findings: Vec<Finding>) -> Vec<Finding> {
    let metas = kubeward_netpol::checks();
    crate::aggregate::aggregate_passes(findings, |code| {
        metas.iter().copied().find(|m| m.code == code)
    })
}
