//! `kubeward workloads PATH…` (every workload check) and `kubeward workloads profiles PATH…`
//! (the seccomp/AppArmor profile each container really runs with).

use std::path::PathBuf;

use anyhow::bail;
use kubeward_core::{InputError, InputInfo, Report};
use kubeward_inventory::{Inventory, LoadOptions, load_paths};
use kubeward_node::NodeFacts;
use kubeward_report::Format;
use kubeward_workloads::{Ctx, ScanOptions, pipeline, profiles};

use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<WorkloadsCommand>,
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Constraints join `workloads` only: `workloads profiles` does not take them
    #[command(flatten)]
    pub policy: super::policy::PolicyArgs,
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
    /// Show findings about platform-managed objects (read from a cluster or a kubeward snapshot
    /// and labelled as maintained by AKS or Kubernetes) like any other: listed, and counted for
    /// the exit code
    #[arg(long)]
    pub include_system: bool,
    /// Saved node reports (`kubeward node -o json`) for node-dependent facts (seccompDefault,
    /// AppArmor, loaded profiles)
    #[arg(long = "node-report", value_name = "FILE", num_args = 1..)]
    pub node_reports: Vec<PathBuf>,
    /// The network-policy engine for the exposure findings (`--engine`, `--aks FILE`)
    #[command(flatten)]
    pub engine: super::engine::EngineArg,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        Some(WorkloadsCommand::Profiles(scan)) => run_profiles(scan),
        None => run_all(args.scan, &args.policy),
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

/// No object read at all and errors: nothing was scanned (exit 2 after showing the errors).
fn nothing_readable(inv: &Inventory) -> bool {
    inv.objects.is_empty() && !inv.errors.is_empty()
}

fn run_all(args: ScanArgs, policy: &super::policy::PolicyArgs) -> anyhow::Result<u8> {
    let (inv, scan, mut report) = prepare(&args, "workloads")?;
    let engine = args.engine.resolve(&inv, &scan.nodes)?;
    // Constraint violations (`--policy`, and the templates and constraints among the inputs).
    let policy = super::policy::findings_for(policy, &inv, &mut report);
    let opts = pipeline::Options {
        scan,
        engine: Some(engine),
    };
    pipeline::run(&inv, &opts, &mut report, policy);
    let nothing_read = nothing_readable(&inv);
    // The findings own everything they show: the objects can go before the report is sorted
    // and rendered (a snapshot's objects are hundreds of megabytes).
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
    report
        .facts
        .insert("workloads".into(), pipeline::facts(&inv, &ctx));
    let rows = profiles::table(&ctx);
    for check in profiles::CHECKS {
        if let kubeward_workloads::Eval::Inventory(eval) = check.eval {
            report.extend(kubeward_workloads::aggregate::aggregate_passes(
                eval(&ctx),
                kubeward_workloads::check_meta,
            ));
        }
    }
    ctx.scope.mark(&mut report, opts.include_system);
    let table_to_stdout = args.output.output_file.is_none()
        && args
            .output
            .targets()?
            .iter()
            .any(|t| t.format == Format::Text && t.file.is_none());
    if table_to_stdout {
        crate::print_safe!("{}", render_profiles(&rows));
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

/// The rows as a text table, notes listed under it (one line per note).
fn render_profiles(rows: &[profiles::ProfileRow]) -> String {
    let mut t = comfy_table::Table::new();
    t.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
    t.set_header([
        "workload",
        "container",
        "seccomp",
        "from",
        "AppArmor",
        "from",
    ]);
    let mut notes = String::new();
    for r in rows {
        t.add_row([
            r.workload.as_str(),
            r.container.as_str(),
            r.seccomp.as_str(),
            r.seccomp_from.as_str(),
            r.apparmor.as_str(),
            r.apparmor_from.as_str(),
        ]);
        for n in &r.notes {
            notes.push_str(&format!("  {} {}: {n}\n", r.workload, r.container));
        }
    }
    let mut out = format!("{t}\n");
    let marked = rows.iter().any(|r| {
        r.seccomp.ends_with(profiles::NODE_MARK) || r.apparmor.ends_with(profiles::NODE_MARK)
    });
    if marked {
        out.push_str(
            "* depends on the node (kubelet seccompDefault, AppArmor support, profiles present): give --node-report FILE… to resolve\n",
        );
    }
    if !notes.is_empty() {
        out.push_str("Notes:\n");
        out.push_str(&notes);
    }
    out
}

/// The engine in a report's facts (see [`pipeline::engine_facts`]).
pub fn engine_facts(fact: &kubeward_netpol::EngineFact) -> serde_json::Value {
    pipeline::engine_facts(fact)
}

/// Network-policy findings with their PASS findings rolled up (see [`pipeline::rolled_up_netpol`]).
pub fn rolled_up_netpol(findings: Vec<kubeward_core::Finding>) -> Vec<kubeward_core::Finding> {
    pipeline::rolled_up_netpol(findings)
}
