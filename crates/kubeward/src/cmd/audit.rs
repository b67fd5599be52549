//! `kubeward audit`: detections over audit logs (every AKS shape), audit policy lint, and
//! least-privilege RBAC from what a user did.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use kubeward_audit::scan::{Input, ScanOptions};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Scan audit logs with every detection rule. Reads JSON-lines Events, EventList batches,
    /// AKS storage blobs (PT1H.json), Event Hubs bodies and Log Analytics exports (JSON or
    /// CSV, AzureDiagnostics or AKSAudit/AKSAuditAdmin), plain or gzip, detected per file.
    Scan(ScanArgs),
    /// Lint an audit Policy file: coverage of exec, secrets and RBAC changes, secret values
    /// logged, shadowed rules, omitted stages
    Policy(PolicyArgs),
    /// Print the least-privilege Role/ClusterRole (and bindings) covering what one identity did
    Rbac(RbacArgs),
    /// Follow audit events as they arrive (files, stdin, Event Hubs over Kafka, storage append
    /// blobs) and write an alert line for every rule match (docs/audit-follow.md)
    Follow(Box<super::audit_follow::FollowArgs>),
}

#[derive(clap::Args, Debug)]
pub struct PolicyArgs {
    /// The audit Policy (YAML or JSON)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub output: crate::output::OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct RbacArgs {
    /// The user whose activity to cover (as in the log: an Entra ID UPN or object ID,
    /// `system:serviceaccount:NS:NAME`…)
    #[arg(
        long,
        required_unless_present = "serviceaccount",
        conflicts_with = "serviceaccount"
    )]
    pub user: Option<String>,
    /// A service account as NAMESPACE:NAME (same as --user system:serviceaccount:NAMESPACE:NAME)
    #[arg(long, value_name = "NAMESPACE:NAME")]
    pub serviceaccount: Option<String>,
    /// Audit logs (any shape `audit scan` reads) or directories of them; `-` reads standard
    /// input
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write the YAML to this file instead of standard output
    #[arg(long)]
    pub output_file: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Audit log files; `-` reads standard input. A directory (a storage-account download of
    /// `insights-logs-kube-audit`, say) is read recursively: its .json, .jsonl, .ndjson, .log
    /// and .csv files, gzipped or not
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// File of identities expected to read secrets: one per line, exact name, prefix ending
    /// in `*`, suffix starting with `*`, or `group:NAME`; `#` starts a comment
    #[arg(long, value_name = "FILE")]
    pub secret_readers: Option<PathBuf>,
    /// An identity expected to read secrets (repeatable; same patterns as --secret-readers)
    #[arg(long = "secret-reader", value_name = "PATTERN")]
    pub secret_reader: Vec<String>,
    /// File of the non-system users allowed in the log (enables rule A037 disallowed-user)
    #[arg(long, value_name = "FILE")]
    pub allowed_users: Option<PathBuf>,
    /// A user allowed in the log (repeatable; enables rule A037)
    #[arg(long = "allowed-user", value_name = "PATTERN")]
    pub allowed_user: Vec<String>,
    /// A namespace that may be created besides Kubernetes', AKS's and its add-ons' own (repeatable;
    /// exact name or prefix ending in `*`; rule A040 disallowed-namespace-created)
    #[arg(long = "allowed-namespace", value_name = "PATTERN")]
    pub allowed_namespace: Vec<String>,
    /// An image pods may run (repeatable; exact reference or prefix ending in `*`; enables rule
    /// A063 disallowed-image)
    #[arg(long = "allowed-image", value_name = "PATTERN")]
    pub allowed_image: Vec<String>,
    /// An address range of the cluster's own (repeatable: node subnet, pod CIDR, any range its
    /// components call from; CIDR or one address). Enables rule A069
    /// system-identity-outside-cluster, which reports kubelets and kube-system service accounts
    /// calling from elsewhere
    #[arg(long = "cluster-cidr", value_name = "CIDR")]
    pub cluster_cidr: Vec<String>,
    /// Longest accepted line or JSON value in bytes; longer ones are skipped and reported
    #[arg(long, default_value_t = kubeward_audit::reader::DEFAULT_MAX_UNIT)]
    pub max_line_bytes: usize,
    /// Matching events shown as evidence per rule and identity
    #[arg(long, default_value_t = 5)]
    pub samples: usize,
    /// Files scanned in parallel (default: one per CPU)
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub output: crate::output::OutputArgs,
}

/// A pattern list file (the rule's own format, read by the audit area), with the path in the error.
fn patterns_file(path: &Path) -> anyhow::Result<Vec<String>> {
    kubeward_audit::rules::read_pattern_list(path)
        .with_context(|| format!("cannot read {}", path.display()))
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    match args.command {
        AuditCommand::Scan(a) => run_scan(a),
        AuditCommand::Policy(a) => run_policy(a),
        AuditCommand::Rbac(a) => run_rbac(a),
        AuditCommand::Follow(a) => super::audit_follow::run(*a),
    }
}

fn inputs_of(files: &[PathBuf]) -> anyhow::Result<Vec<Input>> {
    if files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        bail!("standard input (-) can be given only once");
    }
    let mut inputs = Vec::new();
    for f in files {
        if f.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if f.is_dir() {
            logs_under(f, &mut inputs);
        } else {
            inputs.push(Input::Path(f.clone()));
        }
    }
    Ok(inputs)
}

/// Extensions of the files read from a directory (each also when gzipped).
const LOG_EXTENSIONS: &[&str] = &[".json", ".jsonl", ".ndjson", ".log", ".csv"];

/// Deep enough for a storage-account download (`resourceId=/SUBSCRIPTIONS/…/y=/m=/d=/h=/m=00/`).
const MAX_DIR_DEPTH: usize = 32;

/// The log files under `dir`, recursively, in name order (hidden entries skipped, symlinks not
/// followed out of `dir`). What cannot be walked, and a directory without any log, become
/// unreadable inputs: reported with the others, never aborting the scan.
fn logs_under(dir: &Path, out: &mut Vec<Input>) {
    let is_log = |p: &Path| {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        LOG_EXTENSIONS.iter().any(|e| name.ends_with(e))
    };
    let walked = kubeward_core::walk::walk(
        dir,
        &is_log,
        &kubeward_core::walk::WalkOptions {
            max_depth: MAX_DIR_DEPTH,
            ..Default::default()
        },
    );
    if walked.files.is_empty() && walked.errors.is_empty() {
        out.push(Input::Unreadable {
            name: dir.display().to_string(),
            reason: format!(
                "no audit log in this directory (files ending in {}, gzipped or not)",
                LOG_EXTENSIONS.join(", ")
            ),
        });
    }
    out.extend(walked.files.into_iter().map(Input::Path));
    out.extend(walked.errors.into_iter().map(|e| Input::Unreadable {
        name: e.path.display().to_string(),
        reason: e.reason,
    }));
}

fn run_policy(a: PolicyArgs) -> anyhow::Result<u8> {
    let text = kubeward_core::input::read_string(
        &a.file,
        kubeward_core::input::limits::LIST,
        "an audit Policy",
    )
    .with_context(|| format!("cannot read {}", a.file.display()))?;
    let report = kubeward_audit::policy::lint(&a.file.display().to_string(), &text);
    crate::output::emit(report, &a.output)
}

fn run_rbac(a: RbacArgs) -> anyhow::Result<u8> {
    let user = match (&a.user, &a.serviceaccount) {
        (Some(u), _) => u.clone(),
        (None, Some(sa)) => match sa.split_once(':') {
            Some((ns, name)) if !ns.is_empty() && !name.is_empty() => {
                format!("system:serviceaccount:{ns}:{name}")
            }
            _ => bail!("--serviceaccount takes NAMESPACE:NAME, got {sa:?}"),
        },
        (None, None) => bail!("give --user or --serviceaccount"),
    };
    let inputs = inputs_of(&a.files)?;
    let opts = ScanOptions::default();
    let (activity, scans) = kubeward_audit::rbac::collect(&inputs, &user, &opts);
    let mut readable = 0;
    for s in &scans {
        match &s.fatal {
            Some(e) => crate::eprintln_safe!("warning: {}: {e}", s.name),
            None => readable += 1,
        }
        for (line, msg) in &s.errors {
            crate::eprintln_safe!("warning: {}:{}: {msg}", s.name, line.unwrap_or(0));
        }
    }
    if readable == 0 && scans.iter().all(|s| s.stats.events == 0) {
        bail!("no audit log could be read");
    }
    let events: u64 = scans.iter().map(|s| s.stats.events).sum();
    let mut out = format!(
        "# Least-privilege RBAC for {}, from {} of their requests ({} refused) among {events} audit events.\n# Review before applying: it grants what the identity did, including refused attempts.\n",
        // A YAML comment ends at a newline: the username stays on its line.
        kubeward_core::escape::shell_comment(&user),
        activity.events,
        activity.denied
    );
    if activity.events == 0 {
        out.push_str("# No request by this identity was found: nothing to grant.\n");
    } else {
        out.push_str(&kubeward_audit::rbac::to_yaml(
            &user,
            &kubeward_audit::rbac::generate(&activity),
        ));
    }
    match &a.output_file {
        Some(p) => {
            std::fs::write(p, out).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => {
            use std::io::Write;
            std::io::stdout()
                .lock()
                .write_all(out.as_bytes())
                .context("cannot write the output")?;
        }
    }
    Ok(0)
}

fn run_scan(a: ScanArgs) -> anyhow::Result<u8> {
    let mut opts = ScanOptions {
        max_unit: a.max_line_bytes.max(1024),
        samples: a.samples.clamp(1, 100),
        threads: a.threads,
        ..ScanOptions::default()
    };
    if let Some(f) = &a.secret_readers {
        opts.config.secret_readers = patterns_file(f)?;
    }
    opts.config
        .secret_readers
        .extend(a.secret_reader.iter().cloned());
    if a.allowed_users.is_some() || !a.allowed_user.is_empty() {
        let mut list = match &a.allowed_users {
            Some(f) => patterns_file(f)?,
            None => Vec::new(),
        };
        list.extend(a.allowed_user.iter().cloned());
        opts.config.allowed_users = Some(list);
    }
    opts.config.allowed_namespaces = a.allowed_namespace.clone();
    if !a.allowed_image.is_empty() {
        opts.config.allowed_images = Some(a.allowed_image.clone());
    }
    opts.config.cluster_cidrs = a
        .cluster_cidr
        .iter()
        .map(|c| kubeward_audit::rules::parse_cluster_cidr(c))
        .collect::<Result<_, _>>()
        .context("--cluster-cidr")?;
    let inputs = inputs_of(&a.files)?;
    let report = kubeward_audit::run(&inputs, &opts)?.report;
    crate::output::emit(report, &a.output)
}
