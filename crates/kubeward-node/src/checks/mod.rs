//! The node checks. Each check is a `pub static META` plus an evaluation function, kept together
//! (one file per family, one table row per check) with its pass/fail vectors.

use kubeward_core::profile::BenchmarkProfile;
use kubeward_core::{CheckMeta, Evidence, Finding, Resource, Source, Status};

use crate::detect::NodeIdentity;
use crate::hostfs::{FileStat, FsError, HostFs};
use crate::kubelet::{KubeletConfig, Process, Setting};
use crate::lsm::LsmScan;

pub mod credentials;
pub mod files;
pub mod kubelet_settings;
pub mod lsm_checks;
pub mod not_found;
pub mod proxy;

/// A file the checks look at, and how its path was decided.
#[derive(Debug, Clone)]
pub struct Located {
    pub path: String,
    /// Where the path came from: a flag on the kubelet command line, a config key, or a known
    /// default location (origin says which).
    pub source: Source,
}

/// Everything a check may read. Built once per scan.
pub struct Ctx<'a> {
    pub fs: &'a HostFs,
    pub profile: &'static BenchmarkProfile,
    pub node: Resource,
    pub kubelet: &'a Process,
    pub config: &'a KubeletConfig,
    pub identity: &'a NodeIdentity,
    pub lsm: &'a LsmScan,
    pub proxy: Option<&'a Process>,
    pub kubeconfig: Option<Located>,
    pub bootstrap_kubeconfig: Option<Located>,
    /// The kubelet systemd unit and its drop-ins that exist.
    pub service_files: Vec<String>,
    /// `--root-dir` (default `/var/lib/kubelet`).
    pub root_dir: String,
}

impl Ctx<'_> {
    pub fn finding(
        &self,
        meta: &CheckMeta,
        status: Status,
        message: impl Into<kubeward_core::Text>,
    ) -> Finding {
        Finding::new(meta, status, self.node.clone(), message)
    }
    pub fn is_aks_profile(&self) -> bool {
        self.profile.framework == "CIS AKS"
    }
}

/// One check: its metadata and how to evaluate it.
pub struct NodeCheck {
    pub meta: &'static CheckMeta,
    pub eval: fn(&Ctx) -> Finding,
}

/// Every check that runs against a found kubelet, in code order.
pub fn all() -> Vec<&'static NodeCheck> {
    let mut v: Vec<&'static NodeCheck> = Vec::new();
    v.extend(files::CHECKS.iter());
    v.extend(kubelet_settings::CHECKS.iter());
    v.extend(proxy::CHECKS.iter());
    v.extend(credentials::CHECKS.iter());
    v.extend(lsm_checks::CHECKS.iter());
    v
}

// ---- helpers shared by the check families ----

/// Judge one effective kubelet setting: ERROR when it cannot be known, otherwise `judge` gives the
/// status, the message and what was expected. Absent settings carry the kubelet default, and say so.
pub fn setting_finding(
    ctx: &Ctx,
    meta: &CheckMeta,
    key: &str,
    judge: impl Fn(Option<&Setting>) -> (Status, String, String),
) -> Finding {
    match ctx.config.effective(key) {
        Err(reason) => ctx
            .finding(meta, Status::Error, reason.clone())
            .with_evidence(Evidence {
                source: config_source(ctx, key),
                note: Some(reason.into()),
                ..Default::default()
            }),
        Ok(setting) => {
            let (status, message, expected) = judge(setting.as_ref());
            let ev = match &setting {
                Some(s) => {
                    let mut e =
                        Evidence::observed(s.display(), s.origin.source()).with_expected(expected);
                    if s.origin.is_default() {
                        e = e.with_note(format!(
                            "{key} is set neither on the command line nor in the configuration: the kubelet default applies"
                        ));
                    }
                    e
                }
                None => Evidence::observed("(not set)", config_source(ctx, key))
                    .with_expected(expected)
                    .with_note(format!("{key} is not set and has no default")),
            };
            ctx.finding(meta, status, message).with_evidence(ev)
        }
    }
}

fn config_source(ctx: &Ctx, key: &str) -> Source {
    let mut s = match &ctx.config.config_file {
        Some(f) => Source::file(f.clone()),
        None => Source::origin(ctx.kubelet.cmdline_path.clone()),
    };
    s.key = Some(key.to_string().into());
    s
}

/// The result of looking at a node file for a permissions/owner check.
pub enum FileLook {
    Stat(FileStat),
    /// Not there: NOT_APPLICABLE with this reason.
    Missing(String),
    /// There but unusable (a directory, FIFO, loop, permission): ERROR with this reason.
    Broken(String),
}

pub fn look(fs: &HostFs, path: &str) -> FileLook {
    match fs.stat(path) {
        Ok(st) if st.kind == "regular file" => FileLook::Stat(st),
        Ok(st) => FileLook::Broken(format!("{path}: is a {}, not a regular file", st.kind)),
        Err(FsError::NotFound { .. }) => {
            FileLook::Missing(format!("{path} does not exist on the node"))
        }
        Err(e) => FileLook::Broken(e.to_string()),
    }
}

/// `mode` grants nothing beyond `max` (kube-bench's "bitmask": 0600 satisfies 0644).
pub fn mode_within(mode: u32, max: u32) -> bool {
    mode & !max == 0
}

/// Permissions check on a located file. `what` names it in messages.
pub fn mode_finding(
    ctx: &Ctx,
    meta: &CheckMeta,
    file: Option<&Located>,
    max: u32,
    what: &str,
) -> Finding {
    mode_finding_in(ctx, ctx.fs, meta, file, max, what)
}

/// [`mode_finding`] on another filesystem view (e.g. a container's root through `/proc/<pid>/root`).
pub fn mode_finding_in(
    ctx: &Ctx,
    fs: &HostFs,
    meta: &CheckMeta,
    file: Option<&Located>,
    max: u32,
    what: &str,
) -> Finding {
    stat_finding(ctx, fs, meta, file, what, |path, st| {
        let ok = mode_within(st.mode, max);
        let msg = if ok {
            format!(
                "{what} {path} has mode {} ({max:04o} or stricter)",
                st.mode_octal()
            )
        } else {
            format!(
                "{what} {path} has mode {}, more permissive than {max:04o}",
                st.mode_octal()
            )
        };
        let ev = Evidence::observed(st.mode_octal(), stat_source(path))
            .with_expected(format!("{max:04o} or stricter"));
        (ok, msg, ev)
    })
}

/// Ownership check (root:root) on a located file.
pub fn owner_finding(ctx: &Ctx, meta: &CheckMeta, file: Option<&Located>, what: &str) -> Finding {
    owner_finding_in(ctx, ctx.fs, meta, file, what)
}

pub fn owner_finding_in(
    ctx: &Ctx,
    fs: &HostFs,
    meta: &CheckMeta,
    file: Option<&Located>,
    what: &str,
) -> Finding {
    stat_finding(ctx, fs, meta, file, what, |path, st| {
        let ok = st.uid == 0 && st.gid == 0;
        let msg = if ok {
            format!("{what} {path} is owned by root:root")
        } else {
            format!("{what} {path} is owned by {}, not root:root", st.owner())
        };
        let ev = Evidence::observed(st.owner(), stat_source(path)).with_expected("root:root");
        (ok, msg, ev)
    })
}

/// The frame of a file-metadata check: no file in use → NOT_APPLICABLE; missing → NOT_APPLICABLE
/// with the reason; unusable → ERROR; otherwise `judge(path, stat)` gives PASS/FAIL, the message
/// and the stat evidence. The path's own evidence (where it came from) comes first.
fn stat_finding(
    ctx: &Ctx,
    fs: &HostFs,
    meta: &CheckMeta,
    file: Option<&Located>,
    what: &str,
    judge: impl FnOnce(&str, &FileStat) -> (bool, String, Evidence),
) -> Finding {
    let Some(file) = file else {
        return ctx.finding(
            meta,
            Status::NotApplicable,
            format!("the kubelet uses no {what}, so there is no file to check"),
        );
    };
    let path_ev = Evidence::observed(file.path.clone(), file.source.clone())
        .with_note(format!("path of the {what}"));
    match look(fs, &file.path) {
        FileLook::Missing(r) => ctx
            .finding(
                meta,
                Status::NotApplicable,
                format!("{r}: nothing to check"),
            )
            .with_evidence(path_ev),
        FileLook::Broken(r) => ctx
            .finding(meta, Status::Error, format!("cannot check the {what}: {r}"))
            .with_evidence(path_ev),
        FileLook::Stat(st) => {
            let (ok, msg, ev) = judge(&file.path, &st);
            ctx.finding(meta, if ok { Status::Pass } else { Status::Fail }, msg)
                .with_evidence(path_ev)
                .with_evidence(ev)
        }
    }
}

pub fn stat_source(path: &str) -> Source {
    let mut s = Source::file(path);
    s.origin = Some("stat".into());
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn bitmask_semantics() {
        assert!(super::mode_within(0o600, 0o644));
        assert!(super::mode_within(0o644, 0o644));
        assert!(!super::mode_within(0o664, 0o644));
        assert!(!super::mode_within(0o4644, 0o644));
        assert!(!super::mode_within(0o644, 0o600));
    }
}
