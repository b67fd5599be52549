#[derive(clap::Args, Debug)]
pub struct ChecksArgs {
    /// Only checks of this area (node, workloads, netpol, audit, aks, profiles)
    #[arg(long)]
    pub area: Option<String>,
    /// Only checks of this benchmark profile
    #[arg(long)]
    pub benchmark: Option<String>,
    /// Output format: text or json
    #[arg(short = 'o', long = "output", default_value = "text")]
    pub format: String,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A check's code (N105) or name (kubelet-anonymous-auth)
    pub id: String,
}

pub fn run_checks(_args: ChecksArgs) -> anyhow::Result<u8> {
    super::not_yet("checks")
}

pub fn run_explain(_args: ExplainArgs) -> anyhow::Result<u8> {
    super::not_yet("explain")
}
