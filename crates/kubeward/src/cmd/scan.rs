//! `scan`, `snapshot`, `fleet` and `report`: the whole-cluster commands.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use kubeward_core::Report;
use kubeward_live::fleet::{self, FleetEvent, FleetOptions, NodeError, NodeOutcome};
use kubeward_live::{ConnectOptions, KINDS, collect_cluster, connect};

use crate::output::OutputArgs;

/// How to reach a live cluster (kubeconfig, context; in-cluster config when run in a pod).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ClusterArgs {
    /// Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster)
    #[arg(long, env = "KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current one)
    #[arg(long)]
    pub context: Option<String>,
}

impl ClusterArgs {
    fn connect_options(&self) -> ConnectOptions {
        // KUBECONFIG may hold several files separated by ':'; kube-rs merges them itself when not given one.
        let kubeconfig = self
            .kubeconfig
            .clone()
            .filter(|p| !p.as_os_str().to_string_lossy().contains(':'));
        ConnectOptions {
            kubeconfig,
            context: self.context.clone(),
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Inputs, recognised by content: manifest files and folders, snapshots, node roots, saved node
    /// reports, `az aks show` / diagnostic settings JSON, audit logs
    pub paths: Vec<PathBuf>,
    /// Also scan the live cluster (kubeconfig/context below, or in-cluster)
    #[arg(long)]
    pub cluster: bool,
    #[command(flatten)]
    pub cluster_args: ClusterArgs,
    /// Show findings about platform-managed objects (read from a cluster or a kubeward snapshot
    /// and labelled as maintained by AKS or Kubernetes) like any other: listed, and counted for
    /// the exit code
    #[arg(long)]
    pub include_system: bool,
    /// Judge AKS version support at this date (YYYY-MM-DD; default today)
    #[arg(long)]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub policy: super::policy::PolicyArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub cluster_args: ClusterArgs,
    /// Where to write the snapshot (a JSON List; `-` for standard output)
    #[arg(short = 'f', long = "file", default_value = "-")]
    pub file: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct FleetArgs {
    #[command(subcommand)]
    pub command: FleetCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum FleetCommand {
    /// Scan every Linux node through one short Job each (creates and deletes only its own Jobs)
    Nodes(FleetNodesArgs),
}

#[derive(clap::Args, Debug)]
pub struct FleetNodesArgs {
    #[command(flatten)]
    pub cluster_args: ClusterArgs,
    /// Image holding the kubeward binary (built from the repository's Dockerfile)
    #[arg(long)]
    pub image: String,
    /// Namespace the Jobs run in (create it with deploy/fleet-rbac.yaml)
    #[arg(long, default_value = "kubeward")]
    pub namespace: String,
    /// Seconds to wait for all nodes
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
    /// Benchmark profile passed to every node scan
    #[arg(long)]
    pub benchmark: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum ReportCommand {
    /// Merge saved node reports (JSON of `kubeward node -o json`) into one, showing which nodes differ
    Merge(MergeArgs),
    /// What changed between two saved JSON reports: new, worse, fixed and changed findings (exit
    /// code as with --baseline: 1 when a new finding or a worse verdict fails --fail-on)
    Diff(DiffArgs),
    /// Print a report's fingerprints as a compact baseline file (fingerprint, status, severity,
    /// observed digest, code, area; grouped by input): `--baseline` reads it
    Fingerprints(FingerprintsArgs),
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The earlier report (or a fingerprint file)
    pub old: PathBuf,
    /// The later report
    pub new: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct FingerprintsArgs {
    /// A saved JSON report
    pub report: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Saved node reports
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn run_scan(args: ScanArgs) -> anyhow::Result<u8> {
    super::scan_all::run(args)
}

/// The live cluster's objects as an inventory; kinds RBAC forbids become input errors naming
/// what they prevented.
pub fn live_inventory(cluster: &ClusterArgs) -> anyhow::Result<kubeward_inventory::Inventory> {
    let rt = runtime()?;
    let spinner = indicatif::ProgressBar::new_spinner();
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        spinner.set_message(format!("listing {} kinds from the cluster…", KINDS.len()));
        spinner.enable_steady_tick(Duration::from_millis(120));
    } else {
        spinner.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let collected = rt.block_on(async {
        let (client, name) = connect(&cluster.connect_options()).await?;
        Ok::<_, anyhow::Error>(collect_cluster(&client, &name).await)
    })?;
    spinner.finish_and_clear();
    Ok(collected.into_inventory())
}

pub fn run_snapshot(args: SnapshotArgs) -> anyhow::Result<u8> {
    let rt = runtime()?;
    let collected = rt.block_on(async {
        let (client, name) = connect(&args.cluster_args.connect_options()).await?;
        Ok::<_, anyhow::Error>(collect_cluster(&client, &name).await)
    })?;
    for n in &collected.not_listed {
        crate::eprintln_safe!(
            "warning: cannot list {} ({}): {} — the snapshot lacks them ({})",
            n.spec.plural,
            n.spec.api_version(),
            n.message,
            n.spec.needed_for
        );
    }
    if collected.objects.is_empty() && !collected.not_listed.is_empty() {
        anyhow::bail!("nothing could be listed from the cluster");
    }
    let text = serde_json::to_string(&collected.snapshot())?;
    if args.file.as_os_str() == "-" {
        println!("{text}");
    } else {
        std::fs::write(&args.file, text)
            .with_context(|| format!("cannot write {}", args.file.display()))?;
        crate::eprintln_safe!(
            "wrote {} objects to {}",
            collected.objects.len(),
            args.file.display()
        );
    }
    Ok(0)
}

pub fn run_fleet(args: FleetArgs) -> anyhow::Result<u8> {
    let FleetCommand::Nodes(args) = args.command;
    let run_id = format!(
        "{:x}",
        std::process::id()
            ^ (std::time::UNIX_EPOCH
                .elapsed()
                .map(|d| d.as_secs() as u32)
                .unwrap_or(0))
    );
    let opts = FleetOptions {
        namespace: args.namespace.clone(),
        image: args.image.clone(),
        timeout: Duration::from_secs(args.timeout),
        poll: Duration::from_secs(2),
        max_polls: None,
        node_args: args
            .benchmark
            .iter()
            .flat_map(|b| ["--benchmark".to_string(), b.clone()])
            .collect(),
        run_id,
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} nodes {pos}/{len} {wide_bar} {elapsed} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let rt = runtime()?;
    let outcomes = rt.block_on(async {
        let (client, _) = connect(&args.cluster_args.connect_options()).await?;
        let on_event = |e: FleetEvent| match e {
            FleetEvent::Started { nodes } => bar.set_length(nodes as u64),
            FleetEvent::NodeDone { node, ok } => {
                bar.inc(1);
                bar.set_message(
                    crate::term::safe(&format!("{node} {}", if ok { "done" } else { "failed" }))
                        .into_owned(),
                );
            }
            FleetEvent::CleanedUp { deleted } => {
                bar.finish_with_message(format!("deleted {deleted} Jobs"))
            }
        };
        fleet::run(&client, &opts, &on_event)
            .await
            .map_err(anyhow::Error::from)
    })?;
    bar.finish_and_clear();
    crate::output::emit(fleet::merge(outcomes), &args.output)
}

pub fn run_report(args: ReportArgs) -> anyhow::Result<u8> {
    match args.command {
        ReportCommand::Merge(a) => run_merge(a),
        ReportCommand::Diff(a) => run_diff(a),
        ReportCommand::Fingerprints(a) => run_fingerprints(a),
    }
}

/// A saved JSON report of any command, bounded like every saved report.
fn read_saved_report(path: &std::path::Path) -> anyhow::Result<Report> {
    let text = super::saved::read_text(path)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let report: Report = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a kubeward JSON report", path.display()))?;
    if report.schema_version != kubeward_core::report::SCHEMA_VERSION {
        anyhow::bail!(
            "{} has report schema version {}; this kubeward reads version {}",
            path.display(),
            report.schema_version,
            kubeward_core::report::SCHEMA_VERSION
        );
    }
    report.register_dynamic_checks();
    Ok(report)
}

fn run_diff(args: DiffArgs) -> anyhow::Result<u8> {
    if args.output.baseline.is_some() {
        anyhow::bail!("report diff takes its baseline as OLD; --baseline does not apply");
    }
    let old = crate::output::load_baseline(&args.old)?;
    let mut new = read_saved_report(&args.new)?;
    new.command = "report diff".into();
    crate::output::emit_diff(new, old, &args.output)
}

fn run_fingerprints(args: FingerprintsArgs) -> anyhow::Result<u8> {
    let mut report = read_saved_report(&args.report)?;
    report.finish();
    let text = kubeward_core::baseline::Baseline::to_compact(&report)?;
    let mut out = std::io::stdout().lock();
    match std::io::Write::write_all(&mut out, text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(e).context("cannot write the fingerprints");
        }
        _ => {}
    }
    Ok(kubeward_core::exit::EXIT_OK as u8)
}

fn run_merge(args: MergeArgs) -> anyhow::Result<u8> {
    let mut outcomes = Vec::new();
    for file in &args.files {
        let display = file.display().to_string();
        let result = super::saved::read_text(file)
            .map_err(|message| NodeError::ReadFile {
                path: display.clone(),
                message,
            })
            .and_then(|text| fleet::parse_node_report(&text));
        let node = match &result {
            Ok(r) => node_name(r).unwrap_or_else(|| display.clone()),
            Err(_) => display.clone(),
        };
        outcomes.push(NodeOutcome {
            node,
            job: display,
            result,
        });
    }
    let mut merged = fleet::merge(outcomes);
    merged.command = "report merge".into();
    crate::output::emit(merged, &args.output)
}

/// The node a saved report is about (its facts, else the resource of its findings).
fn node_name(report: &Report) -> Option<String> {
    report
        .facts
        .get("node")
        .and_then(|f| f.get("name"))
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| {
            report
                .findings
                .iter()
                .find(|f| f.resource.kind == "Node")
                .map(|f| f.resource.name.clone())
        })
}
