//! The kubeward command line. Each subcommand lives in `cmd/<area>.rs`; `output.rs` renders reports
//! and decides the exit code (documented in the README).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of glibc malloc: parallel decoding and finding construction allocate heavily,
/// and glibc's arenas both serialise them and fragment memory (measured in the workloads bench).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cmd;
mod output;
mod registry;
mod term;

#[derive(Parser)]
#[command(
    name = "kubeward",
    version = registry::long_version(),
    about = "Kubernetes and AKS security posture, node to cloud",
    long_about = "kubeward tells how secure a Kubernetes (and AKS) cluster is, why, and how to fix it: \
CIS node benchmark, workload posture, network policies, audit logs, AKS configuration and \
seccomp/AppArmor profiles. It never changes a host or a cluster."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// CIS benchmark checks on the node kubeward runs on (or a node root mounted elsewhere)
    Node(cmd::node::Args),
    /// List every check: code, name, title, references, profiles
    Checks(cmd::checks::ChecksArgs),
    /// Print a check's documentation (what, why, how to fix on AKS, references)
    Explain(cmd::checks::ExplainArgs),
    /// Workload posture of manifests or a snapshot: PSS, CIS AKS section 4, RBAC, exposure
    Workloads(cmd::workloads::Args),
    /// Evaluate Pod Security Standards (baseline/restricted) for pods and workloads
    Pss(cmd::pss::Args),
    /// RBAC analysis: who can do what
    Rbac(cmd::rbac::Args),
    /// Network policies: connectivity, exposure, diff, explain, coverage, generate
    Netpol(cmd::netpol::Args),
    /// Audit logs: detections, policy lint, RBAC from activity
    Audit(cmd::audit::Args),
    /// AKS cluster configuration: CIS AKS managed-service checks, egress requirements
    Aks(cmd::aks::Args),
    /// Seccomp profiles: lint, diff, generate
    Seccomp(cmd::profiles::SeccompArgs),
    /// AppArmor profiles: lint, generate
    Apparmor(cmd::profiles::AppArmorArgs),
    /// Install profiles on every node (prints manifests; applies nothing)
    Profiles(cmd::profiles::ProfilesArgs),
    /// Policy as code: Gatekeeper / Azure Policy constraints (Rego and CEL), offline: test
    /// objects against them, run their test suites
    Policy(cmd::policy::Args),
    /// Everything the inputs allow, in one report
    Scan(cmd::scan::ScanArgs),
    /// Save a live cluster's objects for offline scans (secrets redacted)
    Snapshot(cmd::snapshot::SnapshotArgs),
    /// Scan every node of a cluster through short-lived Jobs
    Fleet(cmd::fleet::FleetArgs),
    /// Work with saved reports (merge)
    Report(cmd::report::ReportArgs),
    /// Render a saved JSON report again, in any format, with waivers and the exit policy
    Render(output::RenderArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Node(a) => cmd::node::run(a),
        Command::Checks(a) => cmd::checks::run_checks(a),
        Command::Explain(a) => cmd::checks::run_explain(a),
        Command::Workloads(a) => cmd::workloads::run(a),
        Command::Pss(a) => cmd::pss::run(a),
        Command::Rbac(a) => cmd::rbac::run(a),
        Command::Netpol(a) => cmd::netpol::run(a),
        Command::Audit(a) => cmd::audit::run(a),
        Command::Aks(a) => cmd::aks::run(a),
        Command::Seccomp(a) => cmd::profiles::run_seccomp(a),
        Command::Apparmor(a) => cmd::profiles::run_apparmor(a),
        Command::Profiles(a) => cmd::profiles::run_profiles(a),
        Command::Policy(a) => cmd::policy::run(a),
        Command::Scan(a) => cmd::scan::run(a),
        Command::Snapshot(a) => cmd::snapshot::run(a),
        Command::Fleet(a) => cmd::fleet::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Render(a) => output::run_render(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            crate::eprintln_safe!("error: {e:#}");
            ExitCode::from(kubeward_core::exit::EXIT_USAGE_OR_NO_INPUT as u8)
        }
    }
}
