//! `kubeward report`: merge, compare and fingerprint saved reports.

use std::path::{Path, PathBuf};

use anyhow::Context;
use kubeward_core::Report;
use kubeward_live::fleet::{self, NodeError, NodeOutcome};

use super::saved::{self, Schema};
use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum ReportCommand {
    /// Merge saved node reports (JSON of `kubeward node -o json`) into one, showing which nodes differ
    Merge(MergeArgs),
    /// What changed between two saved JSON reports: new, worse, fixed and changed findings (exit
    /// code as with --baseline: 1 when a new finding or a worse verdict fails --fail-on)
    Diff(DiffArgs),
    /// Print a report's fingerprints as a compact baseline file (fingerprint, status, severity,
    /// observed digest, code, area; grouped by input): `--baseline` reads it
    Fingerprints(FingerprintsArgs),
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The earlier report (or a fingerprint file)
    pub old: PathBuf,
    /// The later report
    pub new: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct FingerprintsArgs {
    /// A saved JSON report
    pub report: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// Saved node reports
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: ReportArgs) -> anyhow::Result<u8> {
    match args.command {
        ReportCommand::Merge(a) => run_merge(a),
        ReportCommand::Diff(a) => run_diff(a),
        ReportCommand::Fingerprints(a) => run_fingerprints(a),
    }
}

/// A saved report of this kubeward's schema, or an error naming the file.
fn read_current(path: &Path) -> anyhow::Result<Report> {
    saved::read_report(path, Schema::Current)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn run_diff(args: DiffArgs) -> anyhow::Result<u8> {
    if args.output.baseline.is_some() {
        anyhow::bail!("report diff takes its baseline as OLD; --baseline does not apply");
    }
    let old = crate::output::load_baseline(&args.old)?;
    let mut new = read_current(&args.new)?;
    new.command = "report diff".into();
    crate::output::emit_diff(new, old, &args.output)
}

fn run_fingerprints(args: FingerprintsArgs) -> anyhow::Result<u8> {
    let mut report = read_current(&args.report)?;
    report.finish();
    let text = kubeward_core::baseline::Baseline::to_compact(&report)?;
    let mut out = std::io::stdout().lock();
    match std::io::Write::write_all(&mut out, text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(e).context("cannot write the fingerprints");
        }
        _ => {}
    }
    Ok(kubeward_core::exit::EXIT_OK as u8)
}

fn run_merge(args: MergeArgs) -> anyhow::Result<u8> {
    let mut outcomes = Vec::new();
    for file in &args.files {
        let display = file.display().to_string();
        let result = saved::read_text(file)
            .map_err(|message| NodeError::ReadFile {
                path: display.clone(),
                message,
            })
            .and_then(|text| fleet::parse_node_report(&text));
        let node = match &result {
            Ok(r) => node_name(r).unwrap_or_else(|| display.clone()),
            Err(_) => display.clone(),
        };
        outcomes.push(NodeOutcome {
            node,
            job: display,
            result,
        });
    }
    let mut merged = fleet::merge(outcomes);
    merged.command = "report merge".into();
    crate::output::emit(merged, &args.output)
}

/// The node a saved report is about (its facts, else the resource of its findings).
fn node_name(report: &Report) -> Option<String> {
    report
        .facts
        .get("node")
        .and_then(|f| f.get("name"))
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| {
            report
                .findings
                .iter()
                .find(|f| f.resource.kind == "Node")
                .map(|f| f.resource.name.clone())
        })
}
