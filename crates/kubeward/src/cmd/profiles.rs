//! `kubeward seccomp` (lint, diff, generate, runtime-default), `kubeward apparmor` (lint,
//! generate) and `kubeward profiles install`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use kubeward_core::exit::{EXIT_USAGE_OR_NO_INPUT, FailOn};
use kubeward_core::{Report, Status};
use kubeward_profiles::apparmor::{self, generate::Spec, lint::LintOptions};
use kubeward_profiles::error::{MAX_PROFILE_BYTES, read_bounded};
use kubeward_profiles::install::{self, AppArmorInput, InstallOptions, Method, SeccompInput};
use kubeward_profiles::seccomp::default::{ContainerdVersion, runtime_default};
use kubeward_profiles::seccomp::generate::{GenerateOptions, Observed, generate};
use kubeward_profiles::seccomp::{Profile, diff, lint};
use kubeward_profiles::syscall_table::Arch;

use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
pub struct SeccompArgs {
    #[command(subcommand)]
    pub command: SeccompCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum SeccompCommand {
    /// Lint seccomp profiles as containerd and runc really read them
    Lint(SeccompLintArgs),
    /// Compare what two profiles do, syscall by syscall (or one against RuntimeDefault)
    Diff(SeccompDiffArgs),
    /// Build a minimal allow-list profile from strace output, audit SECCOMP records or a list
    Generate(SeccompGenerateArgs),
    /// Print containerd's default profile (RuntimeDefault) for a containerd version
    RuntimeDefault(RuntimeDefaultArgs),
}

#[derive(clap::Args, Debug)]
pub struct SeccompLintArgs {
    /// Seccomp profile files (JSON)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    Text,
    Json,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    RuntimeDefault,
}

#[derive(clap::Args, Debug)]
pub struct SeccompDiffArgs {
    /// The profile to compare (left)
    pub left: PathBuf,
    /// The profile to compare it with (right); or use --against
    pub right: Option<PathBuf>,
    /// Compare with containerd's default profile instead of a file
    #[arg(long, value_enum, conflicts_with = "right")]
    pub against: Option<Against>,
    /// containerd version whose default profile to use (1.7.x or 2.x; AKS Ubuntu 22.04 runs 1.7)
    #[arg(long, value_name = "VERSION", default_value = "2.3.4")]
    pub containerd: String,
    /// Architecture to compare on (x86_64, aarch64, …)
    #[arg(long, default_value = "x86_64")]
    pub arch: String,
    /// Output: text or json
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    pub format: DiffFormat,
}

#[derive(clap::Args, Debug)]
pub struct SeccompGenerateArgs {
    /// Evidence files: strace output (-f lines or -c summary), audit logs with SECCOMP records,
    /// or plain lists of syscall names
    #[arg(long = "from", num_args = 1.., value_name = "FILE", required_unless_present = "base")]
    pub from: Vec<PathBuf>,
    /// Start from containerd's default profile and add what was observed
    #[arg(long, value_enum)]
    pub base: Option<Against>,
    /// containerd version for --base and for the clone/socket filters
    #[arg(long, value_name = "VERSION", default_value = "2.3.4")]
    pub containerd: String,
    /// Native architecture of the node pool (x86_64 or aarch64); compat ABIs are listed too
    #[arg(long, default_value = "x86_64")]
    pub arch: String,
    /// Do not add the syscalls runc needs to start the container
    #[arg(long)]
    pub no_runtime_startup: bool,
    /// Syscalls to leave out even when observed or in the base (e.g. chmod,fchmod,fchmodat,fchmodat2)
    #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
    pub deny: Vec<String>,
    /// Write the profile here instead of standard output
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct RuntimeDefaultArgs {
    /// containerd version (1.7.x or 2.x)
    #[arg(long, value_name = "VERSION", default_value = "2.3.4")]
    pub containerd: String,
    /// Native architecture (x86_64 or aarch64)
    #[arg(long, default_value = "x86_64")]
    pub arch: String,
}

#[derive(clap::Args, Debug)]
pub struct AppArmorArgs {
    #[command(subcommand)]
    pub command: AppArmorCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum AppArmorCommand {
    /// Lint AppArmor profile files (syntax with line numbers, common mistakes)
    Lint(AppArmorLintArgs),
    /// Write a container profile from a short YAML/JSON spec (deny writes, capabilities…)
    Generate(AppArmorGenerateArgs),
}

#[derive(clap::Args, Debug)]
pub struct AppArmorLintArgs {
    /// AppArmor profile files (text, as loaded by apparmor_parser)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The name pods will use as appArmorProfile.localhostProfile; fail if no profile has it
    #[arg(long, value_name = "NAME")]
    pub expect_name: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct AppArmorGenerateArgs {
    /// The spec (YAML or JSON): name, mode, denyWrite, denyExec, denyCapabilities,
    /// allowCapabilities, allowRawNetwork, audit
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,
    /// Write the profile here instead of standard output
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ProfilesArgs {
    #[command(subcommand)]
    pub command: ProfilesCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum ProfilesCommand {
    /// Print manifests that put profiles on every node, and the securityContext patches (applies nothing)
    Install(InstallArgs),
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodArg {
    Daemonset,
    Spo,
}

#[derive(clap::Args, Debug)]
pub struct InstallArgs {
    /// Seccomp profiles (JSON) to write under /var/lib/kubelet/seccomp/DIR/ on every node
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub seccomp: Vec<PathBuf>,
    /// AppArmor profile files to load on every node
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub apparmor: Vec<PathBuf>,
    /// daemonset (ConfigMap + loader DaemonSet) or spo (Security Profiles Operator resources)
    #[arg(long, value_enum, default_value = "daemonset")]
    pub method: MethodArg,
    /// Namespace of the loader DaemonSet and ConfigMap
    #[arg(long, default_value = "kube-system")]
    pub namespace: String,
    /// Directory under /var/lib/kubelet/seccomp for the files (localhostProfile: DIR/FILE)
    #[arg(long, default_value = "kubeward")]
    pub seccomp_dir: String,
    /// Loader image (needs sh, cp and chroot; the node provides apparmor_parser)
    #[arg(long, default_value = "mcr.microsoft.com/azurelinux/base/core:3.0")]
    pub image: String,
    /// Workload the patches target, as kind/name (e.g. deployment/web)
    #[arg(long, value_name = "KIND/NAME")]
    pub workload: Option<String>,
    /// Namespace of that workload
    #[arg(long = "workload-namespace", value_name = "NS")]
    pub workload_namespace: Option<String>,
    /// Refuse to print manifests for profiles that fail lint
    #[arg(long)]
    pub strict: bool,
    /// Write the manifests here instead of standard output
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
}

fn parse_arch(s: &str) -> anyhow::Result<Arch> {
    Arch::parse(s).with_context(|| {
        format!("unknown architecture {s:?}: use x86_64, aarch64, arm, riscv64, s390x or ppc64le")
    })
}

fn parse_containerd(s: &str) -> anyhow::Result<ContainerdVersion> {
    s.parse::<ContainerdVersion>().map_err(anyhow::Error::msg)
}

fn write_out(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display())),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .context("cannot write to standard output"),
    }
}

pub fn run_seccomp(args: SeccompArgs) -> anyhow::Result<u8> {
    match args.command {
        SeccompCommand::Lint(a) => seccomp_lint(a),
        SeccompCommand::Diff(a) => seccomp_diff(a),
        SeccompCommand::Generate(a) => seccomp_generate(a),
        SeccompCommand::RuntimeDefault(a) => {
            let p = runtime_default(parse_containerd(&a.containerd)?, parse_arch(&a.arch)?);
            write_out(None, &p.to_json_text())?;
            Ok(0)
        }
    }
}

fn seccomp_lint(a: SeccompLintArgs) -> anyhow::Result<u8> {
    let report = lint::lint_files(&a.files);
    let read = report.inputs.len();
    lint_exit(report, &a.output, read)
}

/// Emit a lint report. A profile that could not be read (not JSON, too large, an action the
/// runtime refuses) is not a passing profile: the run fails even if the other files are clean,
/// so `seccomp lint profiles/*.json` can gate a pipeline (`--fail-on never` still exits 0).
fn lint_exit(report: Report, output: &OutputArgs, read: usize) -> anyhow::Result<u8> {
    let unreadable = report.input_errors.len();
    let code = crate::output::emit(report, output)?;
    if read == 0 {
        return Ok(EXIT_USAGE_OR_NO_INPUT as u8);
    }
    if unreadable > 0 && code == 0 && output.fail_on != FailOn::Never {
        crate::eprintln_safe!(
            "error: {unreadable} profile file(s) could not be read (see input errors above): the lint fails"
        );
        return Ok(1);
    }
    Ok(code)
}

fn seccomp_diff(a: SeccompDiffArgs) -> anyhow::Result<u8> {
    let arch = parse_arch(&a.arch)?;
    let left = Profile::read(&a.left)?;
    let (right, notes) = match (&a.right, a.against) {
        (Some(r), None) => (Profile::read(r)?, Vec::new()),
        (None, Some(Against::RuntimeDefault)) => {
            let v = parse_containerd(&a.containerd)?;
            let native = match arch {
                Arch::X86 | Arch::X32 => Arch::X86_64,
                Arch::Arm => Arch::Aarch64,
                other => other,
            };
            (runtime_default(v, native), v.notes())
        }
        (None, None) => bail!("give a second profile, or --against runtime-default"),
        (Some(_), Some(_)) => bail!("give either a second profile or --against, not both"),
    };
    let mut d = diff::diff(&left, &right, arch);
    d.notes = notes;
    let text = match a.format {
        DiffFormat::Text => crate::term::safe(&d.to_text()).into_owned(),
        DiffFormat::Json => {
            let mut s = serde_json::to_string_pretty(&d)?;
            s.push('\n');
            s
        }
    };
    write_out(None, &text)?;
    Ok(if d.is_empty() { 0 } else { 1 })
}

fn seccomp_generate(a: SeccompGenerateArgs) -> anyhow::Result<u8> {
    let arch = parse_arch(&a.arch)?;
    let version = parse_containerd(&a.containerd)?;
    let mut observed = Observed::default();
    for f in &a.from {
        // Audit logs can be large; the bound is generous but still a bound.
        let text = read_bounded(f, 64 * MAX_PROFILE_BYTES)?;
        observed.read(&f.display().to_string(), &text, arch);
    }
    for w in &observed.warnings {
        crate::eprintln_safe!("warning: {w}");
    }
    if observed.names.is_empty() && a.base.is_none() {
        bail!(
            "no syscall found in the --from files (strace output, audit SECCOMP records or a list of names)"
        );
    }
    let opts = GenerateOptions {
        arch,
        base: a.base.map(|_| version),
        runtime_startup: !a.no_runtime_startup,
        deny: a.deny.iter().map(|d| d.trim().to_string()).collect(),
    };
    for d in &opts.deny {
        if !arch.with_compat().iter().any(|x| x.knows(d) == Some(true)) {
            bail!("--deny {d:?}: not a syscall on {}", arch.scmp_name());
        }
    }
    let (profile, notes) = generate(&observed, &opts);
    for n in &notes {
        crate::eprintln_safe!("note: {n}");
    }
    crate::eprintln_safe!(
        "generated: {} syscall(s) observed, {} rule(s); check it with `kubeward seccomp lint` and `kubeward seccomp diff FILE --against runtime-default`",
        observed.names.len(),
        profile.rules.len()
    );
    write_out(a.output_file.as_deref(), &profile.to_json_text())?;
    Ok(0)
}

pub fn run_apparmor(args: AppArmorArgs) -> anyhow::Result<u8> {
    match args.command {
        AppArmorCommand::Lint(a) => {
            let opts = LintOptions {
                expected_name: a.expect_name.clone(),
            };
            let report = apparmor::lint::lint_files(&a.files, &opts);
            let read = report.inputs.len();
            lint_exit(report, &a.output, read)
        }
        AppArmorCommand::Generate(a) => {
            let text = read_bounded(&a.spec, MAX_PROFILE_BYTES)?;
            let spec = Spec::parse(&a.spec.display().to_string(), &text)?;
            write_out(a.output_file.as_deref(), &apparmor::generate::render(&spec))?;
            Ok(0)
        }
    }
}

pub fn run_profiles(args: ProfilesArgs) -> anyhow::Result<u8> {
    let ProfilesCommand::Install(a) = args.command;
    let mut seccomp = Vec::new();
    let mut failing = Vec::new();
    for f in &a.seccomp {
        let profile = Profile::read(f)?;
        let fails = lint::lint(&profile)
            .iter()
            .filter(|x| x.status == Status::Fail)
            .count();
        if fails > 0 {
            failing.push(format!("{}: {fails} lint failure(s)", f.display()));
        }
        let file_name = install::safe_file_name(&f.display().to_string())?;
        seccomp.push(SeccompInput { file_name, profile });
    }
    let mut apparmor_inputs = Vec::new();
    for f in &a.apparmor {
        let text = read_bounded(f, MAX_PROFILE_BYTES)?;
        let shown = f.display().to_string();
        let parsed = apparmor::parse(&shown, &text);
        if let Some(e) = parsed.errors.first() {
            bail!(
                "{shown}:{}: {} (apparmor_parser would refuse the file; run `kubeward apparmor lint {shown}`)",
                e.line,
                e.message
            );
        }
        if parsed.profiles.is_empty() {
            bail!("{shown}: defines no profile");
        }
        let fails = apparmor::lint::lint(&parsed, &LintOptions::default())
            .iter()
            .filter(|x| x.status == Status::Fail)
            .count();
        if fails > 0 {
            failing.push(format!("{shown}: {fails} lint failure(s)"));
        }
        let file_name = install::safe_file_name(&shown)?;
        apparmor_inputs.push(AppArmorInput::new(file_name, text, &parsed));
    }
    for w in &failing {
        crate::eprintln_safe!(
            "warning: {w}; see `kubeward seccomp lint` / `kubeward apparmor lint`"
        );
    }
    if a.strict && !failing.is_empty() {
        bail!("--strict: not printing manifests for profiles that fail lint");
    }
    let opts = InstallOptions {
        method: match a.method {
            MethodArg::Daemonset => Method::DaemonSet,
            MethodArg::Spo => Method::Spo,
        },
        namespace: a.namespace,
        seccomp_dir: a.seccomp_dir,
        image: a.image,
        workload: a.workload,
        workload_namespace: a.workload_namespace,
    };
    let (text, _refs) = install::render(&seccomp, &apparmor_inputs, &opts)?;
    write_out(a.output_file.as_deref(), &text)?;
    Ok(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn examples() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles")
    }

    #[test]
    fn generate_then_install_writes_files_that_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("web-app.json");
        let code = seccomp_generate(SeccompGenerateArgs {
            from: vec![examples().join("web-app.strace")],
            base: None,
            containerd: "2.0.11".into(),
            arch: "x86_64".into(),
            no_runtime_startup: false,
            deny: Vec::new(),
            output_file: Some(profile.clone()),
        })
        .unwrap();
        assert_eq!(code, 0);
        let p = Profile::read(&profile).unwrap();
        assert!(lint::lint(&p).iter().all(|f| f.status == Status::Pass));

        let manifests = dir.path().join("install.yaml");
        let code = run_profiles(ProfilesArgs {
            command: ProfilesCommand::Install(InstallArgs {
                seccomp: vec![profile],
                apparmor: vec![examples().join("deny-write.profile")],
                method: MethodArg::Daemonset,
                namespace: "kube-system".into(),
                seccomp_dir: "kubeward".into(),
                image: "mcr.microsoft.com/azurelinux/base/core:3.0".into(),
                workload: Some("deployment/web".into()),
                workload_namespace: Some("shop".into()),
                strict: true,
                output_file: Some(manifests.clone()),
            }),
        })
        .unwrap();
        assert_eq!(code, 0);
        let text = std::fs::read_to_string(&manifests).unwrap();
        assert!(text.contains("kubectl patch deployment/web -n shop"));
        assert!(text.contains("kubeward/web-app.json"));
        assert!(text.contains("k8s-apparmor-example-deny-write"));
    }

    #[test]
    fn strict_install_refuses_the_walkthrough_sample() {
        let e = run_profiles(ProfilesArgs {
            command: ProfilesCommand::Install(InstallArgs {
                seccomp: vec![examples().join("prevent-chmod.json")],
                apparmor: Vec::new(),
                method: MethodArg::Daemonset,
                namespace: "kube-system".into(),
                seccomp_dir: "kubeward".into(),
                image: "x".into(),
                workload: None,
                workload_namespace: None,
                strict: true,
                output_file: None,
            }),
        })
        .unwrap_err();
        assert!(e.to_string().contains("--strict"), "{e}");
    }

    #[test]
    fn generate_without_evidence_or_base_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "# nothing here\n").unwrap();
        let e = seccomp_generate(SeccompGenerateArgs {
            from: vec![empty],
            base: None,
            containerd: "2.0.11".into(),
            arch: "x86_64".into(),
            no_runtime_startup: false,
            deny: Vec::new(),
            output_file: None,
        })
        .unwrap_err();
        assert!(e.to_string().contains("no syscall found"), "{e}");
        assert!(parse_arch("sparc").is_err());
        assert!(parse_containerd("1.6.0").is_err());
    }
}
