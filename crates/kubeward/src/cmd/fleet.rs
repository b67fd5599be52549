//! `kubeward fleet nodes`: every Linux node scanned through one short Job each.

use std::time::Duration;

use kubeward_live::connect;
use kubeward_live::fleet::{self, FleetEvent, FleetOptions};

use super::cluster::{ClusterArgs, runtime};
use crate::output::OutputArgs;

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

pub fn run(args: FleetArgs) -> anyhow::Result<u8> {
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
