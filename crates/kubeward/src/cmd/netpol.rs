//! `kubeward netpol …`: connectivity list, diff, explain, coverage (with exposure findings) and
//! policy generation.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use kubeward_core::{InputError, Report};
use kubeward_inventory::Inventory;
use kubeward_netpol::engine::Engine;
use kubeward_netpol::model::{Level, Model, Peer};
use kubeward_netpol::{diff, explain, generate, output};

use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: NetpolCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum NetpolCommand {
    /// Every allowed connection between workloads, external ranges and the ingress controller
    List(ListArgs),
    /// Connectivity that changed between two sets of manifests
    Diff(DiffArgs),
    /// Which policies and rules allow or deny traffic from one workload to another, and why
    Explain(ExplainArgs),
    /// Findings: pods and namespaces not isolated, dead or redundant rules, exposure
    Coverage(CoverageArgs),
    /// Default-deny policies per namespace and least-privilege policies from wanted flows (YAML)
    Generate(GenerateArgs),
}

use super::engine::EngineArg;

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Manifest files, directories, or - for stdin
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// txt, json, csv, md or dot
    #[arg(short = 'o', long = "output", default_value = "txt")]
    pub format: String,
    /// Add exposure analysis: what pods outside the inputs could reach, unprotected workloads
    #[arg(long)]
    pub exposure: bool,
    #[command(flatten)]
    pub engine: EngineArg,
    /// Write to this file instead of standard output
    #[arg(long)]
    pub output_file: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The old manifests (file or directory)
    pub old: PathBuf,
    /// The new manifests (file or directory)
    pub new: PathBuf,
    /// txt, csv, md or json
    #[arg(short = 'o', long = "output", default_value = "txt")]
    pub format: String,
    #[command(flatten)]
    pub engine: EngineArg,
    #[arg(long)]
    pub output_file: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Source: ns/name, ns/name[Kind] or an IPv4 address
    #[arg(long)]
    pub from: String,
    /// Destination: ns/name, ns/name[Kind] or an IPv4 address
    #[arg(long)]
    pub to: String,
    /// A port to decide, e.g. 8080/TCP
    #[arg(long)]
    pub port: Option<String>,
    #[command(flatten)]
    pub engine: EngineArg,
}

#[derive(clap::Args, Debug)]
pub struct CoverageArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArg,
    /// Show findings about platform-managed objects (read from a cluster or a kubeward snapshot
    /// and labelled as maintained by AKS or Kubernetes) like any other: listed, and counted for
    /// the exit code
    #[arg(long)]
    pub include_system: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Wanted flows (CSV src,dst,port or JSON [{src,dst,port}]); without it only default-deny
    #[arg(long)]
    pub flows: Option<PathBuf>,
    /// Leave out the default-deny policies
    #[arg(long)]
    pub no_default_deny: bool,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        NetpolCommand::List(a) => run_list(a),
        NetpolCommand::Diff(a) => run_diff(a),
        NetpolCommand::Explain(a) => run_explain(a),
        NetpolCommand::Coverage(a) => run_coverage(a),
        NetpolCommand::Generate(a) => run_generate(a),
    }
}

/// Load inputs; report what could not be read (and invalid policies) on stderr.
fn load(paths: &[PathBuf]) -> anyhow::Result<Inventory> {
    let inv = output::load(paths);
    for e in &inv.errors {
        report_input_error(e);
    }
    if inv.objects.is_empty() && !inv.errors.is_empty() {
        bail!("no readable input");
    }
    warn_if_empty(&inv, paths);
    Ok(inv)
}

/// An empty input (wrong directory, no manifests) would otherwise print nothing at all.
fn warn_if_empty(inv: &Inventory, paths: &[PathBuf]) {
    if inv.objects.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        crate::eprintln_safe!(
            "warning: no Kubernetes objects found in {}",
            names.join(", ")
        );
    }
}

fn report_input_error(e: &InputError) {
    crate::term::input_error(e);
}

fn report_problems(m: &Model, engine: Engine) {
    for p in &m.problems {
        crate::eprintln_safe!("{}", p.display());
    }
    if !m.admin.is_empty() || m.baseline.is_some() {
        // a reminder: AKS's engines do not enforce these
        if engine.enforces_admin_policies() {
            crate::eprintln_safe!(
                "warning: AdminNetworkPolicy/BaselineAdminNetworkPolicy are analysed as enforced; no AKS-managed engine documents support for them (use --engine azure-npm|calico|cilium to leave them out)"
            );
        } else {
            crate::eprintln_safe!(
                "warning: the {} engine does not enforce AdminNetworkPolicy/BaselineAdminNetworkPolicy: they are left out of the analysis",
                engine.as_str()
            );
        }
    }
    // external peers are listed as IPv4 ranges only; say so rather than drop IPv6 rules silently
    let with_v6: Vec<String> = m
        .netpols
        .iter()
        .filter(|np| {
            np.ingress
                .iter()
                .chain(&np.egress)
                .flat_map(|r| &r.peers)
                .any(|p| matches!(p, Peer::Ip(s) if !s.v6.is_empty()))
        })
        .map(|np| np.display_name())
        .collect();
    if !with_v6.is_empty() {
        crate::eprintln_safe!(
            "note: IPv6 ipBlocks of {} are not shown as external peers (external addresses are analysed as IPv4)",
            with_v6.join(", ")
        );
    }
    for u in &m.unmodelled {
        crate::eprintln_safe!("note: {} {} is present but not analysed", u.kind, u.name);
    }
}

/// Human formats are made safe for a terminal; JSON is written as serialised (its own escapes) and
/// so is a generated manifest.
fn is_human(format: &str) -> bool {
    !format.eq_ignore_ascii_case("json")
}

fn write_out(text: &str, file: &Option<PathBuf>, human: bool) -> anyhow::Result<()> {
    let text = if human {
        crate::term::safe(text)
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    match file {
        Some(p) => std::fs::write(p, text.as_bytes())
            .with_context(|| format!("cannot write {}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            if !text.is_empty() && !text.ends_with('\n') {
                out.write_all(b"\n")?;
            }
            Ok(())
        }
    }
}

fn run_list(a: ListArgs) -> anyhow::Result<u8> {
    let inv = load(&a.paths)?;
    let fact = a.engine.resolve(&inv, &[])?;
    let model = Model::build(&inv);
    report_problems(&model, fact.engine);
    super::engine::print_notes(&fact, &inv, &model);
    let text =
        output::list_text(&inv, &a.format, a.exposure, fact.engine).map_err(anyhow::Error::msg)?;
    write_out(&text, &a.output_file, is_human(&a.format))?;
    Ok(exit_for(&model))
}

fn exit_for(m: &Model) -> u8 {
    if m.problems.iter().any(|p| p.level == Level::Error) {
        1
    } else {
        0
    }
}

fn run_diff(a: DiffArgs) -> anyhow::Result<u8> {
    let old = load(std::slice::from_ref(&a.old))?;
    let new = load(std::slice::from_ref(&a.new))?;
    let fact = a.engine.resolve(&new, &[])?;
    super::engine::print_notes(&fact, &new, &Model::build(&new));
    let text = diff::diff_text(&old, &new, &a.format, fact.engine).map_err(anyhow::Error::msg)?;
    write_out(&text, &a.output_file, is_human(&a.format))?;
    Ok(0)
}

fn run_explain(a: ExplainArgs) -> anyhow::Result<u8> {
    let inv = load(&a.paths)?;
    let fact = a.engine.resolve(&inv, &[])?;
    let model = Model::build(&inv);
    report_problems(&model, fact.engine);
    super::engine::print_notes(&fact, &inv, &model);
    let analysis = output::analyse(&model, &fact);
    let src = explain::resolve(&analysis, &a.from).map_err(anyhow::Error::msg)?;
    let dst = explain::resolve(&analysis, &a.to).map_err(anyhow::Error::msg)?;
    let port = a
        .port
        .as_deref()
        .map(explain::parse_port)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    write_out(&explain::explain(&analysis, &src, &dst, port), &None, true)?;
    Ok(0)
}

fn run_coverage(a: CoverageArgs) -> anyhow::Result<u8> {
    let inv = output::load(&a.paths);
    let mut report = Report::new("netpol coverage");
    report.inputs.extend(inv.inputs.iter().cloned());
    report.input_errors.extend(inv.errors.iter().cloned());
    if inv.objects.is_empty() && !inv.errors.is_empty() {
        bail!("no readable input");
    }
    warn_if_empty(&inv, &a.paths);
    let fact = a.engine.resolve(&inv, &[])?;
    let coverage = output::coverage(&inv, &fact);
    report.extend(coverage.findings);
    report.facts.insert("netpol".into(), coverage.facts);
    kubeward_workloads::scope::Scope::of(&inv).mark(&mut report, a.include_system);
    crate::output::emit(report, &a.output)
}

fn run_generate(a: GenerateArgs) -> anyhow::Result<u8> {
    let inv = load(&a.paths)?;
    let model = Model::build(&inv);
    let mut docs = Vec::new();
    if !a.no_default_deny {
        docs.extend(generate::default_deny(&model));
    }
    if let Some(f) = &a.flows {
        let text = kubeward_core::input::read_string(
            f,
            kubeward_core::input::limits::TEXT,
            "a flows file",
        )
        .with_context(|| format!("cannot read {}", f.display()))?;
        let flows = generate::parse_flows(&text).map_err(anyhow::Error::msg)?;
        let generated = generate::from_flows(&model, &flows).map_err(anyhow::Error::msg)?;
        for w in &generated.warnings {
            crate::eprintln_safe!("warning: {w}");
        }
        docs.extend(generated.policies);
    }
    write_out(&generate::to_yaml(&docs), &None, false)?;
    Ok(0)
}
