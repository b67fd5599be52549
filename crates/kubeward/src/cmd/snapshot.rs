//! `kubeward snapshot`: a live cluster's objects saved for offline scans.

use std::path::PathBuf;

use anyhow::Context;
use kubeward_live::{collect_cluster, connect};

use super::cluster::{ClusterArgs, runtime};

#[derive(clap::Args, Debug)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub cluster_args: ClusterArgs,
    /// Where to write the snapshot (a JSON List; `-` for standard output)
    #[arg(short = 'f', long = "file", default_value = "-")]
    pub file: PathBuf,
}

pub fn run(args: SnapshotArgs) -> anyhow::Result<u8> {
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
