use std::path::PathBuf;

use anyhow::Context;
use kubeward_core::exit::EXIT_USAGE_OR_NO_INPUT;
use kubeward_core::profile;

use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Root of the node's filesystem (default `/`)
    #[arg(long, default_value = "/")]
    pub root: PathBuf,
    /// The node's /proc (default `ROOT/proc`). A real procfs mount is read as is; anything else
    /// (a copy, or a symlink, even to a procfs) is resolved inside the root like the node's files
    #[arg(long)]
    pub proc: Option<PathBuf>,
    /// Benchmark profile (default: detected): cis-aks-1.8, cis-aks-1.7, cis-aks-1.0, cis-1.12
    #[arg(long)]
    pub benchmark: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let benchmark = match args.benchmark.as_deref() {
        None => None,
        Some(id) => Some(profile::find(id).with_context(|| {
            let known: Vec<&str> = profile::BUILTIN.iter().map(|p| p.id).collect();
            format!(
                "unknown benchmark profile {id:?}: expected one of {}",
                known.join(", ")
            )
        })?),
    };
    let meta = std::fs::metadata(&args.root)
        .with_context(|| format!("cannot read the node root {}", args.root.display()))?;
    anyhow::ensure!(
        meta.is_dir(),
        "the node root {} is not a directory",
        args.root.display()
    );
    let mut opts = kubeward_node::ScanOptions::new(&args.root);
    if let Some(p) = args.proc {
        opts.proc = p;
    }
    opts.benchmark = benchmark;
    let outcome = kubeward_node::scan(&opts);
    let code = crate::output::emit(outcome.report, &args.output)?;
    if !outcome.kubelet_found {
        crate::eprintln_safe!(
            "kubeward node: no kubelet found in {} — this is not a Kubernetes node (exit code {})",
            opts.proc.display(),
            EXIT_USAGE_OR_NO_INPUT
        );
        return Ok(EXIT_USAGE_OR_NO_INPUT as u8);
    }
    Ok(code)
}
