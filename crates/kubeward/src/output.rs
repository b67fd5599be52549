//! Rendering, waivers and exit codes, shared by every report-producing subcommand.
//!
//! `-o/--output` is repeatable; each value is `FORMAT` or `FORMAT=FILE`, so one run can write several
//! formats (`-o json=report.json -o html=report.html`). `--output-file PATH` names the file for a
//! single format given without one. At most one format goes to standard output.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use kubeward_core::waiver::{self, Date, WaiverFile};
use kubeward_core::{FailOn, Report, exit_code};
use kubeward_report::{Format, RenderOptions, render_to};

/// One `-o` value: a format, and the file it goes to (standard output when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputTarget {
    pub format: Format,
    pub file: Option<PathBuf>,
}

impl std::str::FromStr for OutputTarget {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((format, file)) => {
                if file.is_empty() {
                    return Err(format!("{s:?}: a file name must follow '='"));
                }
                Ok(OutputTarget {
                    format: format.parse()?,
                    file: Some(PathBuf::from(file)),
                })
            }
            None => Ok(OutputTarget {
                format: s.parse()?,
                file: None,
            }),
        }
    }
}

/// Output flags every report-producing subcommand takes (`#[command(flatten)]`).
#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs {
    /// Report format, optionally with the file to write it to: FORMAT or FORMAT=FILE. Formats:
    /// text, json, junit, sarif, markdown, html. Repeat for several (-o json=r.json -o html=r.html)
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT[=FILE]",
        default_value = "text"
    )]
    pub outputs: Vec<OutputTarget>,
    /// Write the (single) report format given without a file to PATH instead of standard output
    #[arg(long, value_name = "PATH")]
    pub output_file: Option<PathBuf>,
    /// Lowest severity of a FAIL that makes the exit code 1: critical, high, medium, low, info, or
    /// never (always exit 0 once the scan ran)
    #[arg(long, value_name = "SEVERITY", default_value = "low")]
    pub fail_on: FailOn,
    /// Also exit 1 when a check could not run (ERROR)
    #[arg(long)]
    pub fail_on_error: bool,
    /// Show passing and not-applicable findings in text and Markdown output as well
    #[arg(short, long)]
    pub verbose: bool,
    /// Waiver file (default: .kubeward.yaml in the current directory, when there is one)
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Do not read any waiver file
    #[arg(long, conflicts_with = "waivers")]
    pub no_waivers: bool,
    /// Compare with an earlier run: a saved JSON report or a fingerprint file (`kubeward report
    /// fingerprints`). Findings are marked new, updated or unchanged, fixed ones are listed, and
    /// --fail-on then judges only new findings and worse verdicts
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Like --baseline, but a missing file means no baseline (said on standard error): for a
    /// CronJob whose baseline ConfigMap is optional
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub baseline_if_present: Option<PathBuf>,
    /// With a baseline: also list fixed (absent) findings in SARIF (code-scanning services may
    /// show them as open alerts)
    #[arg(long)]
    pub sarif_include_absent: bool,
}

impl OutputArgs {
    /// Where each format goes, after `--output-file` is taken into account. Errors are usage errors.
    pub fn targets(&self) -> anyhow::Result<Vec<OutputTarget>> {
        let mut targets = self.outputs.clone();
        if targets.is_empty() {
            targets.push(OutputTarget {
                format: Format::Text,
                file: None,
            });
        }
        if let Some(path) = &self.output_file {
            let without_file: Vec<usize> = targets
                .iter()
                .enumerate()
                .filter(|(_, t)| t.file.is_none())
                .map(|(i, _)| i)
                .collect();
            match without_file.as_slice() {
                [i] => targets[*i].file = Some(path.clone()),
                [] => bail!(
                    "--output-file {} has no format to take: every -o already names a file",
                    path.display()
                ),
                _ => bail!(
                    "--output-file takes a single format; give each format its own file with -o FORMAT=FILE"
                ),
            }
        }
        let to_stdout = targets.iter().filter(|t| t.file.is_none()).count();
        if to_stdout > 1 {
            bail!(
                "only one format can go to standard output; give the others a file with -o FORMAT=FILE"
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in &targets {
            if let Some(f) = &t.file
                && !seen.insert(f.clone())
            {
                bail!("{} is named by two -o options", f.display());
            }
        }
        Ok(targets)
    }
}

/// The waiver file a run reads: the one given, or `.kubeward.yaml` in the current directory if
/// present; none with `--no-waivers`.
pub fn waiver_path(args: &OutputArgs) -> Option<PathBuf> {
    if args.no_waivers {
        return None;
    }
    match &args.waivers {
        Some(p) => Some(p.clone()),
        None => {
            let default = Path::new(waiver::DEFAULT_FILE);
            default.is_file().then(|| default.to_path_buf())
        }
    }
}

/// Load the waiver file of [`waiver_path`].
fn load_waivers(
    args: &OutputArgs,
    registry: &kubeward_core::Registry,
) -> anyhow::Result<Option<WaiverFile>> {
    let Some(path) = waiver_path(args) else {
        return Ok(None);
    };
    let file = WaiverFile::load(&path)?;
    file.validate(registry)?;
    Ok(Some(file))
}

/// Colour for text on standard output: on a terminal unless `NO_COLOR` is set; `CLICOLOR_FORCE`
/// forces it (e.g. for CI logs that render ANSI colours).
fn color_wanted() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    if set("NO_COLOR") {
        return false;
    }
    set("CLICOLOR_FORCE") || std::io::stdout().is_terminal()
}

/// Apply waivers, finish, compare with the baseline, render every requested format and write
/// it; return the exit code.
pub fn emit(report: Report, args: &OutputArgs) -> anyhow::Result<u8> {
    emit_compared(report, baseline(args)?, false, args)
}

/// Whether a baseline was asked for (it then decides the exit code: see `docs/exit-codes.md`).
pub fn wants_baseline(args: &OutputArgs) -> bool {
    args.baseline.is_some() || args.baseline_if_present.is_some()
}

/// The exit code of a report as [`emit`] would give it (waivers, baseline), rendering nothing:
/// for commands that print their own views.
pub fn exit_only(mut report: Report, args: &OutputArgs) -> anyhow::Result<u8> {
    let registry = crate::registry::registry();
    if let Some(waivers) = load_waivers(args, &registry)? {
        waivers.apply(&mut report, &registry, Date::today_utc());
    }
    report.finish();
    if let Some(b) = baseline(args)? {
        kubeward_core::baseline::apply(&mut report, &b);
    }
    Ok(exit_code(&report, args.fail_on, args.fail_on_error) as u8)
}

fn baseline(args: &OutputArgs) -> anyhow::Result<Option<kubeward_core::baseline::Baseline>> {
    Ok(match (&args.baseline, &args.baseline_if_present) {
        (Some(path), _) => Some(load_baseline(path)?),
        (None, Some(path)) if path.exists() => Some(load_baseline(path)?),
        (None, Some(path)) => {
            crate::eprintln_safe!(
                "note: no baseline at {}: every finding is reported without one",
                path.display()
            );
            None
        }
        (None, None) => None,
    })
}

/// `report diff`: like [`emit`] against `old`, listing only what changed (unchanged findings are
/// counted, not listed).
pub fn emit_diff(
    report: Report,
    old: kubeward_core::baseline::Baseline,
    args: &OutputArgs,
) -> anyhow::Result<u8> {
    emit_compared(report, Some(old), true, args)
}

fn emit_compared(
    mut report: Report,
    baseline: Option<kubeward_core::baseline::Baseline>,
    changes_only: bool,
    args: &OutputArgs,
) -> anyhow::Result<u8> {
    let targets = args.targets()?;
    let registry = crate::registry::registry();
    if let Some(waivers) = load_waivers(args, &registry)? {
        waivers.apply(&mut report, &registry, Date::today_utc());
    }
    report.finish();
    if let Some(baseline) = &baseline {
        kubeward_core::baseline::apply(&mut report, baseline);
        if changes_only {
            report.findings.retain(|f| {
                f.baseline_state != Some(kubeward_core::baseline::BaselineState::Unchanged)
            });
            report.finish();
        }
    }

    for target in &targets {
        let color = target.file.is_none() && color_wanted();
        let options = RenderOptions {
            color,
            verbose: args.verbose,
            sarif_include_absent: args.sarif_include_absent,
        };
        match &target.file {
            Some(path) => {
                let written = std::fs::File::create(path)
                    .map_err(kubeward_report::RenderError::from)
                    .and_then(|mut file| {
                        render_to(&report, target.format, &registry, &options, &mut file)
                    });
                written.with_context(|| {
                    format!(
                        "cannot write the {} report to {}",
                        target.format,
                        path.display()
                    )
                })?;
                crate::eprintln_safe!("wrote the {} report to {}", target.format, path.display());
            }
            None => {
                let mut out = anstream::stdout().lock();
                let written = render_to(&report, target.format, &registry, &options, &mut out)
                    .and_then(|()| out.flush().map_err(Into::into));
                match written {
                    Ok(()) => {}
                    // A closed pipe (`| head`) is the reader's choice, not an error.
                    Err(kubeward_report::RenderError::Write(e))
                        if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                    Err(e) => return Err(e).context("cannot write the report"),
                }
            }
        }
    }

    // Nothing could be read at all: the scan did not happen, whatever the findings policy says.
    if report.inputs.is_empty() && report.findings.is_empty() && !report.input_errors.is_empty() {
        crate::eprintln_safe!("error: no input could be read");
        return Ok(kubeward_core::exit::EXIT_USAGE_OR_NO_INPUT as u8);
    }
    Ok(exit_code(&report, args.fail_on, args.fail_on_error) as u8)
}

/// Read a baseline (`--baseline`): a saved JSON report or a compact fingerprint file.
pub fn load_baseline(path: &Path) -> anyhow::Result<kubeward_core::baseline::Baseline> {
    let text = crate::cmd::saved::read_text(path)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("cannot read the baseline {}", path.display()))?;
    Ok(kubeward_core::baseline::Baseline::parse(
        &text,
        &path.display().to_string(),
    )?)
}

/// `kubeward render REPORT.json`: render a saved JSON report again, in any format, with the same
/// waivers and exit policy as a fresh scan (useful in CI: scan once, publish several formats).
#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    /// A JSON report written by `kubeward … -o json` (`-` for standard input)
    pub report: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// JSON reports can be large (a fleet of nodes) but not unbounded.
const MAX_REPORT_BYTES: u64 = kubeward_core::input::limits::TEXT;

pub fn run_render(args: RenderArgs) -> anyhow::Result<u8> {
    // Bounded while reading (a pipe or /dev/zero reports size 0), regular files or `-` only.
    let text =
        kubeward_core::input::read_string_or_stdin(&args.report, MAX_REPORT_BYTES, "a report")
            .with_context(|| format!("cannot read {}", args.report.display()))?;
    let shown = if args.report.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        args.report.display().to_string()
    };
    let mut report: Report = serde_json::from_str(&text)
        .with_context(|| format!("{shown} is not a kubeward JSON report"))?;
    // Version 1 reads as version 2 unchanged: it has no platform-managed findings, so every
    // finding counts, as it did then.
    if report.schema_version == "1" {
        report.schema_version = kubeward_core::report::SCHEMA_VERSION.to_string();
    }
    if report.schema_version != kubeward_core::report::SCHEMA_VERSION {
        bail!(
            "{shown} has report schema version {}; this kubeward reads version {}",
            report.schema_version,
            kubeward_core::report::SCHEMA_VERSION
        );
    }
    // Its constraint checks (`GK/…`) are checks again: rules, waivers and explain know them.
    report.register_dynamic_checks();
    emit(report, &args.output)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        output: OutputArgs,
    }

    fn parse(args: &[&str]) -> anyhow::Result<Vec<OutputTarget>> {
        let mut argv = vec!["kubeward"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv)?.output.targets()
    }

    #[test]
    fn default_is_text_to_stdout() {
        let t = parse(&[]).unwrap();
        assert_eq!(
            t,
            [OutputTarget {
                format: Format::Text,
                file: None
            }]
        );
    }

    #[test]
    fn several_formats_with_files() {
        let t = parse(&[
            "-o",
            "json=out.json",
            "-o",
            "html=report.html",
            "-o",
            "text",
        ])
        .unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].file.as_deref(), Some(Path::new("out.json")));
        assert_eq!(t[1].format, Format::Html);
        assert_eq!(t[2].file, None);
    }

    #[test]
    fn output_file_takes_the_one_format_without_a_file() {
        let t = parse(&["-o", "sarif", "--output-file", "x.sarif"]).unwrap();
        assert_eq!(t[0].file.as_deref(), Some(Path::new("x.sarif")));
        let t = parse(&["--output-file", "x.txt"]).unwrap();
        assert_eq!(t[0].format, Format::Text);
        assert!(parse(&["-o", "json", "-o", "sarif", "--output-file", "x"]).is_err());
        assert!(parse(&["-o", "json=a", "--output-file", "x"]).is_err());
    }

    #[test]
    fn usage_errors() {
        assert!(parse(&["-o", "json", "-o", "sarif"]).is_err());
        assert!(parse(&["-o", "pdf"]).is_err());
        assert!(parse(&["-o", "json="]).is_err());
        assert!(parse(&["-o", "json=a", "-o", "sarif=a"]).is_err());
        assert!(parse(&["--fail-on", "sometimes"]).is_err());
    }
}
