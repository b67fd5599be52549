//! Reaching a live cluster: the arguments every cluster command shares (`scan --cluster`,
//! `snapshot`, `fleet`) and the listing `scan` and `snapshot` read.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use kubeward_live::{ConnectOptions, KINDS, collect_cluster, connect};

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
    pub fn connect_options(&self) -> ConnectOptions {
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

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
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
