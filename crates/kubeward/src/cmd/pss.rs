//! `kubeward pss --level LEVEL [--version vX.Y] PATH…`: Pod Security Standards verdict per pod
//! or workload, namespace labels and the "raise to restricted" dry run. Text and JSON are this
//! command's own tables; junit, sarif, markdown and html are the finding view.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use kubeward_core::{FailOn, Report};
use kubeward_inventory::{LoadOptions, load_paths};
use kubeward_report::Format;
use kubeward_workloads::pss::{self, Level, NamespaceLevels, PodVerdict, Version};

use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Manifest files, directories, `kubectl get -o json|yaml` snapshots, or - for stdin
    pub paths: Vec<PathBuf>,
    /// Pod Security level to evaluate: privileged, baseline or restricted
    #[arg(short, long, default_value = "restricted")]
    pub level: Level,
    /// Policy version: v1.0 … v1.35, or latest (newer versions evaluate as the newest known)
    #[arg(long, default_value = "latest")]
    pub version: Version,
    /// Text output: list denied workloads only
    #[arg(long)]
    pub denied_only: bool,
    /// Show verdicts about platform-managed objects (read from a cluster or a kubeward snapshot
    /// and labelled as maintained by AKS or Kubernetes) like any other: listed, and counted for
    /// the exit code
    #[arg(long)]
    pub include_system: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    if args.paths.is_empty() {
        bail!(
            "give at least one manifest file, directory or - (stdin): kubeward pss --level restricted PATH…"
        );
    }
    let inv = load_paths(&args.paths, &LoadOptions::default());
    if inv.objects.is_empty() && !inv.errors.is_empty() {
        inv.errors.iter().for_each(crate::term::input_error);
        return Ok(kubeward_core::exit::EXIT_USAGE_OR_NO_INPUT as u8);
    }
    let (level, version) = (args.level, args.version);
    let mut verdicts = pss::verdicts(&inv, level, version);
    let namespaces = pss::namespaces(&inv);
    // The one scope rule (see `kubeward_workloads::scope`): platform-managed workloads are
    // judged, marked, counted at the top and never fail the run, unless --include-system.
    let scope = kubeward_workloads::scope::Scope::of(&inv);
    let set_apart = scope_of_verdicts(&scope, &mut verdicts, args.include_system);

    let mut report = Report::new("pss");
    report.inputs.extend(inv.inputs.iter().cloned());
    report.input_errors.extend(inv.errors.iter().cloned());
    report.facts.insert(
        "pod_security".into(),
        serde_json::json!({
            "level": level,
            "version": version,
            "controls_of": format!("v1.{}", version.effective_minor()),
            "namespaces": namespaces,
        }),
    );

    // Text and JSON are this command's own tables; the other formats are the finding view,
    // rendered (with waivers) by the shared output code.
    let targets = args.output.targets()?;
    let (own, finding_view): (Vec<_>, Vec<_>) = targets
        .into_iter()
        .partition(|t| matches!(t.format, Format::Text | Format::Json));
    for target in &own {
        let text = match target.format {
            Format::Json => render_json(&verdicts, &namespaces, &report, &args, &set_apart)?,
            _ => crate::term::safe(&render_text(
                &verdicts,
                &namespaces,
                &report,
                &args,
                &set_apart,
            ))
            .into_owned(),
        };
        match &target.file {
            Some(path) => {
                std::fs::write(path, text)
                    .with_context(|| format!("cannot write the report to {}", path.display()))?;
                crate::eprintln_safe!("wrote the {} report to {}", target.format, path.display());
            }
            None => {
                let mut out = std::io::stdout().lock();
                match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                    Err(e) => return Err(e).context("cannot write the report"),
                }
            }
        }
    }
    let waivers_in_effect = crate::output::waiver_path(&args.output).is_some();
    let baseline = crate::output::wants_baseline(&args.output);
    if finding_view.is_empty() && !waivers_in_effect && !baseline {
        // The finding view (one verdict and one finding per violated control) is the bulk of
        // the memory on a 100,000-object snapshot: skip it when nothing needs it.
        return Ok(own_exit_code(&verdicts, &report, &args));
    }
    report.extend(pss::findings(&inv, level, version));
    scope.mark(&mut report, args.include_system);
    if finding_view.is_empty() {
        // Only the exit code needs the findings: waivers may accept some violations, and a
        // baseline decides which failures count.
        return crate::output::exit_only(report, &args.output);
    }
    let mut rest = args.output.clone();
    rest.outputs = finding_view;
    rest.output_file = None;
    crate::output::emit(report, &rest)
}

/// The exit policy of the finding view, applied to the verdicts: a denial is a FAIL of the
/// verdict check (W100) at its severity.
fn own_exit_code(verdicts: &[PodVerdict], report: &Report, args: &Args) -> u8 {
    let denied = verdicts.iter().any(|v| !v.allowed && !v.platform_managed);
    let fails = match args.output.fail_on {
        FailOn::Never => false,
        FailOn::Severity(threshold) => denied && pss::VERDICT_META.severity >= threshold,
    };
    let errors = args.output.fail_on_error && !report.input_errors.is_empty();
    if fails || errors {
        kubeward_core::exit::EXIT_FINDINGS as u8
    } else {
        kubeward_core::exit::EXIT_OK as u8
    }
}

/// Mark the verdicts about platform-managed objects (unless `include_system`) and say how many
/// were set apart and why, as the finding view's per-area scope does.
fn scope_of_verdicts(
    scope: &kubeward_workloads::scope::Scope,
    verdicts: &mut [PodVerdict],
    include_system: bool,
) -> Option<kubeward_core::AreaScope> {
    let mut s = kubeward_core::AreaScope {
        area: "workloads".into(),
        shown_by: kubeward_workloads::scope::SHOWN_BY.into(),
        included: include_system,
        ..Default::default()
    };
    for v in verdicts.iter_mut() {
        let Some(reason) = scope.reason(&v.resource) else {
            continue;
        };
        s.objects += 1;
        s.findings += 1;
        if !v.allowed {
            s.failing += 1;
        }
        *s.reasons.entry(reason.as_str().to_string()).or_default() += 1;
        v.platform_managed = !include_system;
    }
    (s.objects > 0).then_some(s)
}

fn at_label(args: &Args) -> String {
    let minor = args.version.effective_minor();
    match args.version {
        Version::Minor(m) if m == minor => format!("{}:v1.{minor}", args.level),
        _ => format!("{}:{} (controls of v1.{minor})", args.level, args.version),
    }
}

fn location(v: &PodVerdict) -> String {
    match v.line {
        Some(l) => format!("{}:{l}", v.file),
        None => v.file.clone(),
    }
}

fn render_text(
    verdicts: &[PodVerdict],
    namespaces: &[NamespaceLevels],
    report: &Report,
    args: &Args,
    set_apart: &Option<kubeward_core::AreaScope>,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let denied = verdicts.iter().filter(|v| !v.allowed).count();
    let _ = writeln!(out, "Pod Security Standards — {}", at_label(args));
    if let Some(s) = set_apart {
        let _ = writeln!(out, "{}", s.sentence());
    }
    let _ = writeln!(out);
    if args.level == Level::Privileged {
        let _ = writeln!(out, "privileged allows every pod: nothing to check.");
    }
    for v in verdicts {
        // Counted in the line at the top; `-o json` lists them, marked.
        if (v.allowed && args.denied_only) || v.platform_managed {
            continue;
        }
        let status = if v.allowed { "ALLOWED" } else { "DENIED " };
        let _ = writeln!(out, "{status} {}  ({})", v.resource.display(), location(v));
        for x in &v.violations {
            let _ = writeln!(out, "        {} [{}]: {}", x.check, x.code, x.message());
            for (i, p) in x.pointers.iter().enumerate() {
                match x.lines.get(i).copied().flatten() {
                    Some(line) => {
                        let _ = writeln!(out, "            at {}:{line} {p}", v.file);
                    }
                    None => {
                        let _ = writeln!(out, "            at {p}");
                    }
                }
            }
        }
    }
    if verdicts.is_empty() {
        let _ = writeln!(
            out,
            "No pods or workloads with a pod template in the inputs."
        );
    }
    let labelled: Vec<&NamespaceLevels> = namespaces.iter().collect();
    if !labelled.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Namespaces (labels pod-security.kubernetes.io/*):");
        let show = |p: Option<pss::NamespacePolicy>| {
            p.map_or_else(|| "-".to_string(), |p| format!("{}:{}", p.level, p.version))
        };
        let mut rows = vec![vec![
            "NAMESPACE".to_string(),
            "ENFORCE".into(),
            "AUDIT".into(),
            "WARN".into(),
            "WORKLOADS".into(),
            "VIOLATE ENFORCE".into(),
            "REJECTED IF RESTRICTED".into(),
        ]];
        for ns in &labelled {
            let name = if ns.declared {
                ns.namespace.clone()
            } else {
                format!("{} (not in inputs)", ns.namespace)
            };
            rows.push(vec![
                name,
                show(ns.enforce),
                show(ns.audit),
                show(ns.warn),
                ns.workloads.to_string(),
                ns.violating_enforce.len().to_string(),
                ns.rejected_if_restricted.len().to_string(),
            ]);
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for r in &rows {
            let line: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect();
            let _ = writeln!(out, "  {}", line.join("  ").trim_end());
        }
        for ns in &labelled {
            for p in &ns.label_problems {
                let _ = writeln!(out, "  {}: invalid label {p}", ns.namespace);
            }
            if !ns.rejected_if_restricted.is_empty() {
                let _ = writeln!(
                    out,
                    "  {}: raising enforce to restricted would reject:",
                    ns.namespace
                );
                for w in &ns.rejected_if_restricted {
                    let _ = writeln!(out, "    - {w}");
                }
            }
        }
    }
    if !report.input_errors.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Input errors (the rest was evaluated):");
        for e in &report.input_errors {
            let _ = writeln!(out, "  {e}");
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{} workload{}: {} allowed, {denied} denied at {}; {} input error{}",
        verdicts.len(),
        if verdicts.len() == 1 { "" } else { "s" },
        verdicts.len() - denied,
        at_label(args),
        report.input_errors.len(),
        if report.input_errors.len() == 1 {
            ""
        } else {
            "s"
        },
    );
    if args.output.fail_on == FailOn::Never && denied > 0 {
        let _ = writeln!(out, "(--fail-on never: exit code 0)");
    }
    out
}

fn render_json(
    verdicts: &[PodVerdict],
    namespaces: &[NamespaceLevels],
    report: &Report,
    args: &Args,
    set_apart: &Option<kubeward_core::AreaScope>,
) -> anyhow::Result<String> {
    let denied = verdicts.iter().filter(|v| !v.allowed).count();
    let scope = set_apart.as_ref().map(|s| {
        serde_json::json!({
            "platform_managed": s,
            "text": s.listed_sentence(),
        })
    });
    let doc = serde_json::json!({
        "scope": scope,
        "schema": "kubeward.pss/v1",
        "level": args.level,
        "version": args.version,
        "controls_of": format!("v1.{}", args.version.effective_minor()),
        "summary": {
            "workloads": verdicts.len(),
            "allowed": verdicts.len() - denied,
            "denied": denied,
            "input_errors": report.input_errors.len(),
        },
        "workloads": verdicts,
        "namespaces": namespaces,
        "inputs": report.inputs,
        "input_errors": report.input_errors,
    });
    let mut s = serde_json::to_string_pretty(&doc)?;
    s.push('\n');
    Ok(s)
}
