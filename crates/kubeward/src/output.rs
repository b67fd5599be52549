//! Rendering and exit codes, shared by every subcommand.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use kubeward_core::{FailOn, Report, exit_code};
use kubeward_report::{Format, RenderOptions, render};

/// Output flags every report-producing subcommand takes (`#[command(flatten)]`).
#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output format: text, json, junit, sarif, markdown, html
    #[arg(short = 'o', long = "output", default_value = "text")]
    pub format: Format,
    /// Write the report to this file instead of standard output
    #[arg(long)]
    pub output_file: Option<PathBuf>,
    /// Lowest severity of a FAIL that makes the exit code 1 (critical, high, medium, low, info, never)
    #[arg(long, default_value = "low")]
    pub fail_on: FailOn,
    /// Also exit 1 when a check could not run (ERROR)
    #[arg(long)]
    pub fail_on_error: bool,
    /// Show passing and not-applicable findings in text output as well
    #[arg(short, long)]
    pub verbose: bool,
}

/// Finish, render and write a report; return the exit code.
pub fn emit(mut report: Report, args: &OutputArgs) -> anyhow::Result<u8> {
    report.finish();
    let registry = crate::registry::registry();
    let to_terminal = args.output_file.is_none() && std::io::stdout().is_terminal();
    let options = RenderOptions {
        color: to_terminal && std::env::var_os("NO_COLOR").is_none(),
        verbose: args.verbose,
    };
    let text = render(&report, args.format, &registry, &options)?;
    match &args.output_file {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write the report to {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .context("cannot write the report")?;
        }
    }
    Ok(exit_code(&report, args.fail_on, args.fail_on_error) as u8)
}
