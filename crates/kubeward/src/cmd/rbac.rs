//! `kubeward rbac who-can VERB RESOURCE[/SUBRESOURCE] PATH…` and `kubeward rbac summary PATH…`.

use std::path::PathBuf;

use anyhow::bail;
use kubeward_inventory::{Inventory, LoadOptions, load_paths};
use kubeward_workloads::rbac::Query;
use kubeward_workloads::rbac::danger::summary;
use kubeward_workloads::{Ctx, ScanOptions};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: RbacCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum RbacCommand {
    /// Which subjects can VERB RESOURCE, and through which binding and role rule
    WhoCan(WhoCanArgs),
    /// Per subject, the dangerous permissions it holds (CIS AKS 4.1.x)
    Summary(SummaryArgs),
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RbacFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct WhoCanArgs {
    /// A verb: get, list, watch, create, update, patch, delete, bind, escalate, impersonate, approve…
    pub verb: String,
    /// RESOURCE[.GROUP][/SUBRESOURCE], e.g. secrets, pods/exec, deployments.apps, nodes/proxy
    pub resource: String,
    /// Manifest files, directories, snapshots, or - for stdin
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Only grants effective in this namespace (ClusterRoleBindings and its RoleBindings)
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Only grants that cover this object name (rules limited by resourceNames are kept only if
    /// they list it)
    #[arg(long)]
    pub name: Option<String>,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub format: RbacFormat,
}

#[derive(clap::Args, Debug)]
pub struct SummaryArgs {
    /// Manifest files, directories, snapshots, or - for stdin
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Show permissions granted by platform-managed bindings (read from a cluster or a kubeward
    /// snapshot and labelled as maintained by AKS or Kubernetes) like any other
    #[arg(long)]
    pub include_system: bool,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub format: RbacFormat,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        RbacCommand::WhoCan(a) => who_can(a),
        RbacCommand::Summary(a) => run_summary(a),
    }
}

fn load(paths: &[PathBuf]) -> anyhow::Result<Inventory> {
    let inv = load_paths(paths, &LoadOptions::default());
    inv.errors.iter().for_each(crate::term::input_error);
    if inv.objects.is_empty() && !inv.errors.is_empty() {
        bail!("no readable input");
    }
    Ok(inv)
}

fn who_can(args: WhoCanArgs) -> anyhow::Result<u8> {
    if args.verb.is_empty() || args.resource.is_empty() {
        bail!("usage: kubeward rbac who-can VERB RESOURCE[/SUBRESOURCE] PATH…");
    }
    let inv = load(&args.paths)?;
    let opts = ScanOptions {
        include_system: true,
        nodes: Vec::new(),
    };
    let ctx = Ctx::new(&inv, &opts);
    let mut q = Query::parse(&args.verb, &args.resource);
    q.namespace = args.namespace.clone();
    q.name = args.name.clone();
    let grants = ctx.rbac.who_can(&q);
    match args.format {
        RbacFormat::Json => {
            let rows: Vec<serde_json::Value> = grants
                .iter()
                .map(|g| {
                    serde_json::json!({
                        "subject": g.subject,
                        "built_in_subject": g.subject.is_system(),
                        "platform_managed": ctx.scope.is_managed(g.binding.object),
                        "binding": g.binding.label(),
                        "scope": g.binding.scope(),
                        "role": format!("{}/{}", g.binding.role_kind, g.binding.role_name),
                        "rule": {
                            "origin": g.rule.origin(),
                            "file": &*g.rule.role.origin.file,
                            "pointer": g.rule.pointer(),
                            "rule": g.rule.rule,
                        },
                        "chain": g.chain(),
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "verb": q.verb,
                    "resource": args.resource,
                    "namespace": q.namespace,
                    "grants": rows,
                }))?
            );
        }
        RbacFormat::Text => {
            let scope = match &q.namespace {
                Some(ns) => format!(" in namespace {ns}"),
                None => " (any namespace)".into(),
            };
            if grants.is_empty() {
                crate::println_safe!(
                    "No subject in the inputs can {} {}{scope}.",
                    q.verb,
                    args.resource
                );
            } else {
                crate::println_safe!("Who can {} {}{scope}:", q.verb, args.resource);
                let mut t = columns::Table::new(&["SUBJECT", "VIA"]);
                for g in &grants {
                    let mut subject = g.subject.display();
                    if g.subject.is_system() {
                        subject.push_str(" (built-in)");
                    }
                    if ctx.scope.is_managed(g.binding.object) {
                        subject.push_str(" (platform-managed)");
                    }
                    let mut via = g.chain();
                    if !g.rule.rule.resource_names.is_empty() {
                        via.push_str(&format!(
                            " only names [{}]",
                            g.rule.rule.resource_names.join(" ")
                        ));
                    }
                    t.row(&[subject, via]);
                }
                crate::print_safe!("{}", t.render());
            }
        }
    }
    Ok(0)
}

fn run_summary(args: SummaryArgs) -> anyhow::Result<u8> {
    let inv = load(&args.paths)?;
    let opts = ScanOptions {
        include_system: args.include_system,
        nodes: Vec::new(),
    };
    let ctx = Ctx::new(&inv, &opts);
    let mut rows = summary(&ctx);
    if args.include_system {
        for (_, dangers) in &mut rows {
            for d in dangers {
                d.platform_managed = false;
            }
        }
    }
    match args.format {
        RbacFormat::Json => {
            let v: Vec<serde_json::Value> = rows
                .iter()
                .map(|(s, d)| serde_json::json!({"subject": s, "dangerous": d}))
                .collect();
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        RbacFormat::Text => {
            // Grants of platform-managed bindings: counted here, listed by -o json (marked).
            let set_apart: Vec<&str> = {
                let mut v: Vec<&str> = rows
                    .iter()
                    .flat_map(|(_, d)| d.iter())
                    .filter(|d| d.platform_managed)
                    .map(|d| d.via.as_str())
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            if !set_apart.is_empty() {
                println!(
                    "{} dangerous grant(s) of platform-managed bindings (labelled by AKS or Kubernetes, read from a cluster) set apart: -o json lists them, --include-system shows them here.",
                    set_apart.len()
                );
            }
            let rows: Vec<_> = rows
                .iter()
                .map(|(s, d)| {
                    (
                        s,
                        d.iter().filter(|d| !d.platform_managed).collect::<Vec<_>>(),
                    )
                })
                .filter(|(_, d)| !d.is_empty())
                .collect();
            if rows.is_empty() {
                crate::println_safe!("No subject in the inputs holds a dangerous permission.");
            }
            for (s, dangers) in &rows {
                crate::println_safe!("{}", s.display());
                for d in dangers {
                    crate::println_safe!(
                        "  {} {:<40} {} via {}",
                        d.check,
                        d.permission,
                        d.scope,
                        d.via
                    );
                }
            }
        }
    }
    Ok(0)
}

/// A small aligned two-column table (no external table dependency in the binary).
mod columns {
    pub struct Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    }
    impl Table {
        pub fn new(header: &[&str]) -> Self {
            Table {
                header: header.iter().map(|s| s.to_string()).collect(),
                rows: Vec::new(),
            }
        }
        pub fn row(&mut self, cells: &[String]) {
            self.rows.push(cells.to_vec());
        }
        pub fn render(&self) -> String {
            let cols = self.header.len();
            let mut width = vec![0usize; cols];
            for r in std::iter::once(&self.header).chain(self.rows.iter()) {
                for (i, c) in r.iter().enumerate().take(cols) {
                    width[i] = width[i].max(c.chars().count());
                }
            }
            let mut out = String::new();
            for r in std::iter::once(&self.header).chain(self.rows.iter()) {
                let line: Vec<String> = r
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        if i + 1 == cols {
                            c.clone()
                        } else {
                            format!("{c:<w$}", w = width[i])
                        }
                    })
                    .collect();
                out.push_str(line.join("  ").trim_end());
                out.push('\n');
            }
            out
        }
    }
}
