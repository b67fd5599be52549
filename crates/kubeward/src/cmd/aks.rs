//! `kubeward aks`: AKS cluster configuration checks (`check`) and egress requirements (`egress`).

use std::path::PathBuf;

use anyhow::Context;
use kubeward_aks::egress::{self, FirewallTarget};
use kubeward_aks::{Assessment, Ctx, Inputs, versions};
use kubeward_core::exit::EXIT_USAGE_OR_NO_INPUT;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: AksCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum AksCommand {
    /// CIS AKS managed-service checks and Azure Policy/Checkov-style checks on a cluster's Azure JSON
    Check(CheckArgs),
    /// FQDNs and ports the cluster needs to reach, and Azure Firewall rules for them
    Egress(EgressArgs),
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// `az aks show -o json`, `az aks list`, `az resource show`, ARM templates, `az aks nodepool list`,
    /// `az monitor diagnostic-settings list` and `az role assignment list` outputs, and the same lists
    /// as `{"value": [...]}` (`az rest`); recognised by content
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// A diagnostic-settings list; an empty list here means "no diagnostic setting" (an empty
    /// list given positionally cannot be told apart from other empty lists)
    #[arg(long = "diagnostic-settings", value_name = "FILE")]
    pub diagnostic_settings: Vec<PathBuf>,
    /// Judge version support at this date (YYYY-MM-DD); default: today
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub output: crate::output::OutputArgs,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EgressFormat {
    Text,
    Json,
    FirewallCli,
    FirewallJson,
}

#[derive(clap::Args, Debug)]
pub struct EgressArgs {
    /// The cluster's `az aks show -o json` (or ARM) output, optionally with `az aks nodepool list`
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output: text, json, firewall-cli (az network firewall commands), firewall-json
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub format: EgressFormat,
    /// Which cluster, when the inputs hold several
    #[arg(long)]
    pub cluster: Option<String>,
    /// Firewall name for the generated rules
    #[arg(long, default_value = "<firewall-name>")]
    pub firewall_name: String,
    /// Firewall resource group for the generated rules
    #[arg(long, default_value = "<firewall-resource-group>")]
    pub firewall_resource_group: String,
    /// Source addresses of the rules (the node subnet CIDR)
    #[arg(long, default_value = "<node-subnet-cidr>")]
    pub source_addresses: String,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        AksCommand::Check(a) => run_check(a),
        AksCommand::Egress(a) => run_egress(a),
    }
}

fn run_check(args: CheckArgs) -> anyhow::Result<u8> {
    let as_of = match &args.as_of {
        Some(s) => versions::parse_date(s)
            .with_context(|| format!("--as-of {s:?} is not a date (YYYY-MM-DD)"))?,
        None => versions::today(),
    };
    let inputs = Inputs::read(&args.files, &args.diagnostic_settings);
    let Assessment { report, clusters } = kubeward_aks::assess(inputs, &Ctx { as_of });
    let no_cluster = clusters == 0;
    let code = crate::output::emit(report, &args.output)?;
    Ok(if no_cluster {
        EXIT_USAGE_OR_NO_INPUT as u8
    } else {
        code
    })
}

fn run_egress(args: EgressArgs) -> anyhow::Result<u8> {
    let out = egress::for_inputs(Inputs::read(&args.files, &[]), args.cluster.as_deref());
    out.errors.iter().for_each(crate::term::input_error);
    let plan = out.plan?;
    let target = FirewallTarget {
        resource_group: args.firewall_resource_group,
        firewall: args.firewall_name,
        source: args.source_addresses,
    };
    let text = match args.format {
        EgressFormat::Text => crate::term::safe(&egress::render_text(&plan)).into_owned(),
        EgressFormat::Json => serde_json::to_string_pretty(&plan)? + "\n",
        EgressFormat::FirewallCli => egress::render_firewall_cli(&plan, &target),
        EgressFormat::FirewallJson => {
            serde_json::to_string_pretty(&egress::firewall_json(&plan, &target))? + "\n"
        }
    };
    use std::io::Write;
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write the output")?;
    Ok(0)
}
