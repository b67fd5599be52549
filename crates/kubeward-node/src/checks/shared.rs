//! Judging helpers shared by several node checks: one kubelet setting, the mode or owner of a
//! located file, and the files the kubelet uses.

use kubeward_core::{CheckMeta, Evidence, Finding, Source, Status};

use super::{Ctx, Located};
use crate::detect::AZURE_JSON;
use crate::hostfs::{FileStat, FsError, HostFs};
use crate::kubelet::Setting;

/// Links every kubelet-setting check cites.
pub const KUBELET_CONFIG_LINKS: &[&str] =
    &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"];

/// Links of the Linux security module checks.
pub const LSM_LINKS: &[&str] = &[
    "https://kubernetes.io/docs/tutorials/security/apparmor/",
    "https://kubernetes.io/docs/tutorials/security/seccomp/",
];

pub const KUBELET_SETTING_FIX: &str = "This kubelet setting is managed by AKS and cannot be changed with custom node configuration. \
Every supported AKS node image sets it to the compliant value: upgrade the node image \
(`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`) or the cluster version \
(`az aks upgrade`), and open a support case if a current image still reports it. Do not edit kubelet files on the \
node: AKS reconciles them and a reimage reverts them. On self-managed clusters set it in the KubeletConfiguration \
file passed with --config (kubeadm: the kubelet-config ConfigMap) and restart the kubelet.";

pub const MANAGED_FILE_FIX: &str = "On AKS these files are written by the node provisioning and reset by every node image \
upgrade; fixing one node by hand does not last. Upgrade the node image so AKS writes them with its current modes \
(`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`), or reimage the node \
(`az vmss reimage`). If the current image still ships a wrong mode, raise it with AKS support. On \
self-managed nodes, set the mode/owner in the provisioning (kubeadm, image build) rather than by hand.";

/// Judge one effective kubelet setting: ERROR when it cannot be known, otherwise `judge` gives the
/// status, the message and what was expected. Absent settings carry the kubelet default, and say so.
pub fn setting_finding(
    ctx: &Ctx,
    meta: &CheckMeta,
    key: &str,
    judge: impl Fn(Option<&Setting>) -> (Status, String, String),
) -> Finding {
    match ctx.config.effective(key) {
        Err(unknown) => ctx
            .finding(meta, Status::Error, unknown.to_string())
            .with_evidence(Evidence {
                source: config_source(ctx, key),
                note: Some(unknown.to_string().into()),
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

/// What a file check wants of a file.
#[derive(Debug, Clone, Copy)]
pub enum Want {
    /// No permission bit beyond these (kube-bench's "bitmask").
    ModeAtMost(u32),
    /// Owned by root:root.
    RootOwned,
}

/// A check of one located file's mode or owner. `what` names the file in messages.
pub fn file_finding(
    ctx: &Ctx,
    meta: &CheckMeta,
    file: Option<&Located>,
    want: Want,
    what: &str,
) -> Finding {
    file_finding_in(ctx, ctx.fs, meta, file, want, what)
}

/// [`file_finding`] on another filesystem view (e.g. a container's root through `/proc/<pid>/root`).
pub fn file_finding_in(
    ctx: &Ctx,
    fs: &HostFs,
    meta: &CheckMeta,
    file: Option<&Located>,
    want: Want,
    what: &str,
) -> Finding {
    match want {
        Want::ModeAtMost(max) => mode_finding_in(ctx, fs, meta, file, max, what),
        Want::RootOwned => owner_finding_in(ctx, fs, meta, file, what),
    }
}

/// [`file_finding`] on several files at once: one finding, the worst verdict wins.
pub fn files_finding(
    ctx: &Ctx,
    meta: &CheckMeta,
    files: &[Located],
    want: Want,
    what: &str,
) -> Finding {
    combine(
        ctx,
        meta,
        files,
        |c, f| file_finding(c, meta, Some(f), want, what),
        what,
    )
}

fn mode_finding_in(
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

fn owner_finding_in(
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
    let (path_ev, st) = match stat_located(ctx, fs, meta, file, what) {
        Ok(found) => found,
        Err(finding) => return *finding,
    };
    let (ok, msg, ev) = judge(&file.path, &st);
    ctx.finding(meta, if ok { Status::Pass } else { Status::Fail }, msg)
        .with_evidence(path_ev)
        .with_evidence(ev)
}

/// A located file's stat, with the evidence of its path (where the path came from); when the
/// file is missing (NOT_APPLICABLE) or unusable (ERROR), the finding to give instead.
pub fn stat_located(
    ctx: &Ctx,
    fs: &HostFs,
    meta: &CheckMeta,
    file: &Located,
    what: &str,
) -> Result<(Evidence, FileStat), Box<Finding>> {
    let path_ev = Evidence::observed(file.path.clone(), file.source.clone())
        .with_note(format!("path of the {what}"));
    match look(fs, &file.path) {
        FileLook::Stat(st) => Ok((path_ev, st)),
        FileLook::Missing(r) => Err(Box::new(
            ctx.finding(
                meta,
                Status::NotApplicable,
                format!("{r}: nothing to check"),
            )
            .with_evidence(path_ev),
        )),
        FileLook::Broken(r) => Err(Box::new(
            ctx.finding(meta, Status::Error, format!("cannot check the {what}: {r}"))
                .with_evidence(path_ev),
        )),
    }
}

pub fn stat_source(path: &str) -> Source {
    let mut s = Source::file(path);
    s.origin = Some("stat".into());
    s
}

pub type Verdict = (Status, String, String);

pub fn unreadable(key: &str, s: &Setting) -> Verdict {
    (
        Status::Error,
        format!(
            "{key} has a value the kubelet would not accept: {}",
            s.display()
        ),
        "a valid value".into(),
    )
}

pub fn judge_bool(
    key: &'static str,
    want: bool,
    good: &'static str,
    bad: &'static str,
) -> impl Fn(Option<&Setting>) -> Verdict {
    move |s| {
        let exp = want.to_string();
        match s.map(|s| (s, s.as_bool())) {
            Some((_, Some(v))) if v == want => (Status::Pass, good.into(), exp),
            Some((_, Some(_))) => (Status::Fail, bad.into(), exp),
            Some((s, None)) => unreadable(key, s),
            None => (Status::Error, format!("{key} unknown"), exp),
        }
    }
}

pub fn azure_json_location() -> Located {
    Located {
        path: AZURE_JSON.into(),
        source: Source::origin("AKS cloud-provider configuration location"),
    }
}

pub fn config_files(c: &Ctx) -> Vec<Located> {
    let mut v = Vec::new();
    if let Some(f) = &c.config.config_file {
        v.push(Located {
            path: f.clone(),
            source: Source::flag("--config", c.kubelet.cmdline_path.clone()),
        });
    }
    for d in &c.config.drop_ins {
        v.push(Located {
            path: d.clone(),
            source: Source::flag("--config-dir", c.kubelet.cmdline_path.clone()),
        });
    }
    v
}

pub fn service_files(c: &Ctx) -> Vec<Located> {
    c.service_files
        .iter()
        .map(|p| Located {
            path: p.clone(),
            source: Source::origin("systemd unit search path"),
        })
        .collect()
}

pub fn client_ca(c: &Ctx) -> Option<Located> {
    let s = c
        .config
        .effective("authentication.x509.clientCAFile")
        .ok()??;
    let path = s.as_str()?.to_string();
    (!path.is_empty()).then(|| Located {
        path,
        source: s.origin.source(),
    })
}

/// One finding for several files: the worst verdict wins, every file's evidence is kept.
fn combine(
    c: &Ctx,
    meta: &CheckMeta,
    files: &[Located],
    one: impl Fn(&Ctx, &Located) -> Finding,
    what: &str,
) -> Finding {
    if files.is_empty() {
        return c.finding(
            meta,
            Status::NotApplicable,
            format!("no {what} is in use on this node"),
        );
    }
    let parts: Vec<Finding> = files.iter().map(|f| one(c, f)).collect();
    let rank = |s: Status| match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Pass => 2,
        _ => 3,
    };
    let status = parts
        .iter()
        .map(|f| f.status)
        .min_by_key(|s| rank(*s))
        .unwrap_or(Status::NotApplicable);
    let message = parts
        .iter()
        .filter(|f| f.status == status)
        .map(|f| f.message.clone())
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = c.finding(meta, status, message);
    for p in parts {
        out.evidence.extend(p.evidence);
    }
    out
}

#[cfg(test)]
mod tests {
    use kubeward_core::Status::{self, Fail};
    use serde_json::Value;

    use super::super::{
        n120_kubelet_anonymous_auth as n120, n121_kubelet_authorization_mode as n121,
        n122_kubelet_client_ca as n122, n123_kubelet_read_only_port as n123,
        n124_kubelet_streaming_idle_timeout as n124, n128_kubelet_event_qps as n128,
        n132_kubelet_tls_cipher_suites as n132, n133_kubelet_pod_pids_limit as n133,
        n163_kubelet_seccomp_default as n163,
    };
    use super::Verdict;
    use crate::kubelet::{Origin, Setting};

    /// A kubelet setting with this value, as the kubelet's default under `--config`.
    fn setting(value: Value) -> Setting {
        Setting {
            value,
            origin: Origin::Default {
                key: "k".into(),
                with_config: true,
            },
        }
    }

    type Judge = fn(Option<&Setting>) -> Verdict;

    /// The kubelet setting checks' judgements of values beyond their examples.
    #[test]
    fn kubelet_setting_vectors() {
        let checks: [(Judge, &[(&str, Status)]); 9] = [
            (n120::judge, n120::VECTORS),
            (n121::judge, n121::VECTORS),
            (n122::judge, n122::VECTORS),
            (n123::judge, n123::VECTORS),
            (n124::judge, n124::VECTORS),
            (n128::judge, n128::VECTORS),
            (n132::judge, n132::VECTORS),
            (n133::judge, n133::VECTORS),
            (n163::judge, n163::VECTORS),
        ];
        for (judge, cases) in checks {
            for (text, want) in cases {
                let value: Value = serde_json::from_str(text).unwrap();
                assert_eq!(judge(Some(&setting(value))).0, *want, "{text}");
            }
        }
        assert_eq!(n163::judge(None).0, Fail);
    }

    #[test]
    fn bitmask_semantics() {
        assert!(super::mode_within(0o600, 0o644));
        assert!(super::mode_within(0o644, 0o644));
        assert!(!super::mode_within(0o664, 0o644));
        assert!(!super::mode_within(0o4644, 0o644));
        assert!(!super::mode_within(0o644, 0o600));
    }
}
