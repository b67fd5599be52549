//! `kubeward checks` and `kubeward explain`: the check registry, read from the same metadata the
//! checks are built with, so the documentation cannot drift from the code.

use std::io::{IsTerminal, Write};

use anyhow::bail;
use kubeward_core::{Area, CheckMeta, Registry, profile};

const AREAS: [Area; 8] = Area::ALL;

/// `text` or `json` for the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ChecksArgs {
    /// Only checks of this area: node, workloads, netpol, audit, aks, profiles, policy, general
    #[arg(long)]
    pub area: Option<String>,
    /// Only checks of this benchmark profile (e.g. cis-aks-1.8; `kubeward --version` lists them)
    #[arg(long)]
    pub benchmark: Option<String>,
    /// Also list the checks of these ConstraintTemplates and constraints (files or folders;
    /// repeatable): each constraint is a check GK/<Kind>/<name>
    #[arg(long = "policy", value_name = "PATH")]
    pub policy: Vec<std::path::PathBuf>,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub format: ListFormat,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A check's code (N120) or name (kubelet-anonymous-auth)
    pub id: String,
    /// ConstraintTemplates and constraints (files or folders) defining GK/… checks to explain
    #[arg(long = "policy", value_name = "PATH")]
    pub policy: Vec<std::path::PathBuf>,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub format: ListFormat,
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn select(
    registry: &Registry,
    area: Option<&str>,
    benchmark: Option<&str>,
) -> anyhow::Result<Vec<&'static CheckMeta>> {
    let area = match area {
        None => None,
        Some(a) => match AREAS.iter().find(|x| x.as_str().eq_ignore_ascii_case(a)) {
            Some(x) => Some(*x),
            None => bail!(
                "unknown area {a:?}: expected one of {}",
                AREAS.map(|x| x.as_str()).join(", ")
            ),
        },
    };
    let profile = match benchmark {
        None => None,
        Some(b) => match profile::find(b) {
            Some(p) => Some(p.id),
            None => bail!(
                "unknown benchmark profile {b:?}: expected one of {}",
                profile::BUILTIN
                    .iter()
                    .map(|p| p.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    };
    Ok(registry
        .all()
        .iter()
        .copied()
        .filter(|c| area.is_none_or(|a| c.area == a))
        .filter(|c| profile.is_none_or(|p| c.profiles.contains(&p)))
        .collect())
}

fn references(c: &CheckMeta) -> String {
    c.references
        .iter()
        .map(|r| r.display())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run_checks(args: ChecksArgs) -> anyhow::Result<u8> {
    super::policy::register_paths(&args.policy);
    let registry = crate::registry::registry();
    let checks = select(&registry, args.area.as_deref(), args.benchmark.as_deref())?;
    match args.format {
        ListFormat::Json => {
            let mut s = serde_json::to_string_pretty(&checks)?;
            s.push('\n');
            write_stdout(&s)?;
        }
        ListFormat::Text => {
            let mut text = if checks.is_empty() {
                "no check matches\n".to_string()
            } else {
                let benchmark = args
                    .benchmark
                    .as_deref()
                    .and_then(profile::find)
                    .map(|p| (p.framework, p.version));
                kubeward_report::checks_table(&checks, std::io::stdout().is_terminal(), benchmark)
            };
            text.push_str(&format!(
                "{} check(s). `kubeward explain CODE` shows what a check looks at, why, and how to fix it on AKS.\n",
                checks.len()
            ));
            write_stdout(&text)?;
        }
    }
    Ok(0)
}

/// Indent a block of documentation text under a heading.
fn block(out: &mut String, heading: &str, body: &str) {
    if body.trim().is_empty() {
        return;
    }
    out.push_str(heading);
    out.push('\n');
    for line in body.trim_end().lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push('\n');
}

pub fn explain_text(c: &CheckMeta) -> String {
    let mut out = format!("{} {} — {}\n\n", c.code, c.name, c.title);
    out.push_str(&format!(
        "area: {} ({})   severity: {}   {}\n",
        c.area.as_str(),
        c.area.title(),
        c.severity,
        if c.area == Area::Policy {
            "a constraint check (its ConstraintTemplate and constraint, read at run time)"
        } else if c.kubeward_own {
            "kubeward's own check (beyond any benchmark)"
        } else {
            "benchmark check"
        }
    ));
    if !c.references.is_empty() {
        out.push_str(&format!("references: {}\n", references(c)));
    }
    if !c.profiles.is_empty() {
        out.push_str(&format!("profiles: {}\n", c.profiles.join(", ")));
    }
    if !c.since.is_empty() {
        out.push_str(&format!("since: {}", c.since));
        if !c.aliases.is_empty() {
            out.push_str(&format!("   earlier names: {}", c.aliases.join(", ")));
        }
        out.push('\n');
    }
    out.push('\n');
    block(&mut out, "What it checks", c.doc.what);
    block(&mut out, "Why it matters", c.doc.why);
    block(&mut out, "How to fix it on AKS", c.doc.fix);
    block(&mut out, "Example it fails on", c.doc.bad);
    block(&mut out, "The same, fixed", c.doc.good);
    if !c.doc.links.is_empty() {
        out.push_str("Links\n");
        for l in c.doc.links {
            out.push_str(&format!("  {l}\n"));
        }
    }
    out
}

pub fn run_explain(args: ExplainArgs) -> anyhow::Result<u8> {
    super::policy::register_paths(&args.policy);
    let registry = crate::registry::registry();
    let Some(check) = registry.get(args.id.trim()) else {
        let suggestions = registry.suggest(args.id.trim());
        let mut msg = format!("error: no check has the code or name {:?}", args.id);
        if suggestions.is_empty() {
            msg.push_str("\n`kubeward checks` lists every check.");
        } else {
            msg.push_str("\ndid you mean:");
            for c in suggestions.iter().take(10) {
                msg.push_str(&format!("\n  {} {} — {}", c.code, c.name, c.title));
                if !c.references.is_empty() {
                    msg.push_str(&format!(" ({})", references(c)));
                }
            }
        }
        crate::eprintln_safe!("{msg}");
        return Ok(kubeward_core::exit::EXIT_USAGE_OR_NO_INPUT as u8);
    };
    match args.format {
        ListFormat::Json => {
            let mut s = serde_json::to_string_pretty(check)?;
            s.push('\n');
            write_stdout(&s)?;
        }
        // Constraint checks carry text from their ConstraintTemplate: escaped like all input.
        ListFormat::Text => write_stdout(&crate::term::safe(&explain_text(check)))?,
    }
    Ok(0)
}
