use std::path::PathBuf;

use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Root of the node's filesystem (default `/`)
    #[arg(long, default_value = "/")]
    pub root: PathBuf,
    /// The node's /proc (default `ROOT/proc`)
    #[arg(long)]
    pub proc: Option<PathBuf>,
    /// Benchmark profile (default: detected)
    #[arg(long)]
    pub benchmark: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(_args: Args) -> anyhow::Result<u8> {
    super::not_yet("node")
}
