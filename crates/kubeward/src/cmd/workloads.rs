use std::path::PathBuf;

use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Manifest files, directories, snapshots, or - for stdin
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(_args: Args) -> anyhow::Result<u8> {
    super::not_yet("workloads")
}
