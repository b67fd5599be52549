use std::path::PathBuf;

use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Manifest files, directories, snapshots, or - for stdin
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct PssArgs {
    pub paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct RbacArgs {
    pub args: Vec<String>,
}

pub fn run(_args: Args) -> anyhow::Result<u8> {
    super::not_yet("workloads")
}
pub fn run_pss(_args: PssArgs) -> anyhow::Result<u8> {
    super::not_yet("pss")
}
pub fn run_rbac(_args: RbacArgs) -> anyhow::Result<u8> {
    super::not_yet("rbac")
}
