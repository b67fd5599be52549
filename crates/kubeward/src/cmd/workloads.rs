//! `kubeward workloads PATH…` (every workload check) and `kubeward workloads profiles PATH…`
//! (the seccomp/AppArmor profile each container really runs with).

use std::path::PathBuf;

use anyhow::bail;
use kubeward_core::{InputError, InputInfo, Report};
use kubeward_inventory::{Inventory, LoadOptions, load_paths};
use kubeward_node::NodeFacts;
use kubeward_report::Format;
use kubeward_workloads::{Ctx, ScanOptions, profiles};

use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<WorkloadsCommand>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum WorkloadsCommand {
    /// The seccomp and AppArmor profile each container really runs with
    Profiles(ScanArgs),
}

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Manifest files, directories, snapshots, or - for stdin
    pub paths: Vec<PathBuf>,
    /// Also report built-in Kubernetes and AKS objects (system: roles, kube-system, add-ons)
    #[arg(long)]
    pub include_system: bool,
    /// Saved node reports (`kubeward node -o json`) for node-dependent facts (seccompDefault,
    /// AppArmor, loaded profiles)
    #[arg(long = "node-report", value_name = "FILE", num_args = 1..)]
    pub node_reports: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        Some(WorkloadsCommand::Profiles(scan)) => run_profiles(scan),
        None => run_all(args.scan),
    }
}

/// Load inventory and node reports; input problems go into the report, not out of the run.
fn prepare(args: &ScanArgs, command: &str) -> anyhow::Result<(Inventory, ScanOptions, Report)> {
    if args.paths.is_empty() {
        bail!("give at least one manifest file, directory or - (stdin): kubeward {command} PATH…");
    }
    let inv = load_paths(&args.paths, &LoadOptions::default());
    let mut report = Report::new(command);
    report.inputs.extend(inv.inputs.iter().cloned());
    report.input_errors.extend(inv.errors.iter().cloned());
    let mut nodes = Vec::new();
    for path in &args.node_reports {
        let name = path.display().to_string();
        match read_node_report(path) {
            Ok(facts) => {
                let names: Vec<&str> = facts.iter().map(|f| f.name.as_str()).collect();
                report.inputs.push(InputInfo {
                    kind: "node-report".into(),
                    path: name,
                    detail: Some(format!("node {}", names.join(", "))),
                });
                nodes.extend(facts);
            }
            Err(message) => report.input_errors.push(InputError {
                path: name,
                line: None,
                message,
            }),
        }
    }
    let opts = ScanOptions {
        include_system: args.include_system,
        nodes,
    };
    Ok((inv, opts, report))
}

/// The node facts of a saved report: one node (`kubeward node`) or several (`fleet nodes`,
/// `report merge`, `scan`).
fn read_node_report(path: &std::path::Path) -> Result<Vec<NodeFacts>, String> {
    let text = super::saved::read_text(path)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("not JSON (line {}): {e}", e.line()))?;
    let facts = NodeFacts::all_from_report_json(&value);
    if facts.is_empty() {
        return Err(
            "no node facts (`facts.node`) in this report: is it the JSON of `kubeward node` or `fleet nodes`?"
                .to_string(),
        );
    }
    Ok(facts)
}

fn facts(report: &mut Report, inv: &Inventory, opts: &ScanOptions, ctx: &Ctx<'_>) {
    let hidden = inv
        .objects
        .iter()
        .filter(|o| {
            kubeward_workloads::system::is_system_workload(o)
                || (o.group() == "rbac.authorization.k8s.io"
                    && kubeward_workloads::system::is_system_rbac_object(o))
        })
        .count();
    report.facts.insert(
        "workloads".into(),
        serde_json::json!({
            "objects": inv.objects.len(),
            "workloads_scanned": ctx.workloads().len(),
            "system_objects": hidden,
            "system_objects_shown": opts.include_system,
            "node_reports": opts.nodes.len(),
        }),
    );
}

/// No object read at all and errors: nothing was scanned (exit 2 after showing the errors).
fn nothing_readable(inv: &Inventory) -> bool {
    inv.objects.is_empty() && !inv.errors.is_empty()
}

fn run_all(args: ScanArgs) -> anyhow::Result<u8> {
    let (inv, opts, mut report) = prepare(&args, "workloads")?;
    // Ingress and egress exposure (public LoadBalancers, NodePorts, Ingress TLS, egress to the
    // internet and the instance metadata endpoint) is judged by the network-policy engine. It runs
    // first so that its network model is freed before the workload findings exist: on a snapshot
    // of 100,000 objects the two together would be the run's peak memory.
    let exposure = kubeward_netpol::exposure::findings(
        &inv,
        &kubeward_netpol::exposure::ExposureOptions::default(),
    );
    let exposure = rolled_up_netpol(without_system(exposure, &inv, opts.include_system));
    let ctx = Ctx::new(&inv, &opts);
    facts(&mut report, &inv, &opts, &ctx);
    report.append(kubeward_workloads::scan_ctx_after(&ctx, exposure));
    let nothing_read = nothing_readable(&inv);
    // The findings own everything they show: the objects can go before the report is sorted
    // and rendered (a snapshot's objects are hundreds of megabytes).
    drop(ctx);
    drop(inv);
    let code = crate::output::emit(report, &args.output)?;
    Ok(if nothing_read {
        kubeward_core::exit::EXIT_USAGE_OR_NO_INPUT as u8
    } else {
        code
    })
}

fn run_profiles(args: ScanArgs) -> anyhow::Result<u8> {
    let (inv, opts, mut report) = prepare(&args, "workloads profiles")?;
    let ctx = Ctx::new(&inv, &opts);
    facts(&mut report, &inv, &opts, &ctx);
    let rows = profiles::table(&ctx);
    for (_, eval) in profiles::all() {
        report.extend(kubeward_workloads::aggregate::aggregate_passes(
            eval(&ctx),
            kubeward_workloads::check_meta,
        ));
    }
    let table_to_stdout = args.output.output_file.is_none()
        && args
            .output
            .targets()?
            .iter()
            .any(|t| t.format == Format::Text && t.file.is_none());
    if table_to_stdout {
        crate::print_safe!("{}", profiles::render_table(&rows));
    }
    report
        .facts
        .insert("profiles".into(), serde_json::to_value(&rows)?);
    let code = crate::output::emit(report, &args.output)?;
    Ok(if nothing_readable(&inv) {
        kubeward_core::exit::EXIT_USAGE_OR_NO_INPUT as u8
    } else {
        code
    })
}

/// Network-policy findings with their PASS findings rolled up per check and namespace, as the
/// workload checks' are (one PASS naming the first objects, not one per workload).
pub fn rolled_up_netpol(findings: Vec<kubeward_core::Finding>) -> Vec<kubeward_core::Finding> {
    let metas = kubeward_netpol::checks();
    kubeward_workloads::aggregate::aggregate_passes(findings, |code| {
        metas.iter().copied().find(|m| m.code == code)
    })
}

/// Findings about built-in system objects (kube-system workloads, AKS add-ons) are hidden like the
/// workload checks' own, unless `--include-system`.
pub fn without_system(
    findings: Vec<kubeward_core::Finding>,
    inv: &Inventory,
    include_system: bool,
) -> Vec<kubeward_core::Finding> {
    if include_system {
        return findings;
    }
    let system: std::collections::HashSet<kubeward_core::Resource> = inv
        .objects
        .iter()
        .filter(|o| kubeward_workloads::system::is_system_workload(o))
        .map(|o| o.resource())
        .collect();
    findings
        .into_iter()
        .filter(|f| !system.contains(&f.resource))
        .collect()
}
