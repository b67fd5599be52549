//! Linux security modules as the node's kernel reports them through sysfs/securityfs and `/proc`
//! (read directly: Azure Linux images ship without `aa-status`).

use crate::facts::{AppArmorFacts, AppArmorProfile, LsmFacts, SeccompFacts, SelinuxFacts};
use crate::hostfs::HostFs;

pub const APPARMOR_ENABLED: &str = "/sys/module/apparmor/parameters/enabled";
pub const APPARMOR_PROFILES: &str = "/sys/kernel/security/apparmor/profiles";
pub const LSM_LIST: &str = "/sys/kernel/security/lsm";
pub const SELINUX_ENFORCE: &str = "/sys/fs/selinux/enforce";
/// Bound on loaded AppArmor profiles read.
const MAX_PROFILES: usize = 100_000;
/// Bound on Localhost seccomp profiles listed, and on directory depth.
const MAX_SECCOMP_FILES: usize = 10_000;
const MAX_SECCOMP_DEPTH: usize = 8;

/// LSM facts plus how each was learned (for evidence) and what could not be read.
#[derive(Debug, Clone, Default)]
pub struct LsmScan {
    pub facts: LsmFacts,
    /// Active LSMs from `/sys/kernel/security/lsm`, when readable.
    pub active: Option<Vec<String>>,
    /// Where the AppArmor answer came from, or why there is none.
    pub apparmor_source: String,
    pub apparmor_profiles_error: Option<String>,
    pub selinux_source: String,
    pub seccomp_source: String,
    /// Localhost profile files that are not a seccomp profile (path, reason).
    pub invalid_seccomp_profiles: Vec<(String, String)>,
    pub seccomp_root_error: Option<String>,
}

pub fn scan(fs: &HostFs, status_pid: Option<u32>, seccomp_root: &str) -> LsmScan {
    let mut out = LsmScan {
        active: fs.read_string(LSM_LIST, 4096).ok().map(|s| {
            s.trim()
                .split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        }),
        ..Default::default()
    };
    apparmor(fs, &mut out);
    selinux(fs, &mut out);
    seccomp(fs, status_pid, seccomp_root, &mut out);
    out
}

fn apparmor(fs: &HostFs, out: &mut LsmScan) {
    let mut aa = AppArmorFacts::default();
    match fs.read_string(APPARMOR_ENABLED, 64) {
        Ok(s) => {
            aa.enabled = Some(s.trim_start().starts_with('Y'));
            out.apparmor_source = APPARMOR_ENABLED.into();
        }
        Err(e) => match &out.active {
            Some(list) => {
                aa.enabled = Some(list.iter().any(|l| l == "apparmor"));
                out.apparmor_source = LSM_LIST.into();
            }
            None => out.apparmor_source = format!("{e}; {LSM_LIST} not readable either"),
        },
    }
    if aa.enabled == Some(true) {
        match fs.read_string(APPARMOR_PROFILES, 16 * 1024 * 1024) {
            Ok(text) => aa.profiles = parse_apparmor_profiles(&text),
            Err(e) => out.apparmor_profiles_error = Some(e.to_string()),
        }
    }
    out.facts.apparmor = aa;
}

/// `name (mode)` per line; the name may itself contain ` (`, so split at the last one.
pub fn parse_apparmor_profiles(text: &str) -> Vec<AppArmorProfile> {
    let mut v: Vec<AppArmorProfile> = text
        .lines()
        .take(MAX_PROFILES)
        .filter_map(|l| {
            let l = l.trim_end();
            let (name, rest) = l.rsplit_once(" (")?;
            let mode = rest.strip_suffix(')')?;
            Some(AppArmorProfile {
                name: name.to_string(),
                mode: mode.to_string(),
            })
        })
        .collect();
    v.sort();
    v
}

fn selinux(fs: &HostFs, out: &mut LsmScan) {
    let mut se = SelinuxFacts::default();
    match fs.read_string(SELINUX_ENFORCE, 64) {
        Ok(s) => {
            se.mode = Some(
                match s.trim() {
                    "1" => "enforcing",
                    "0" => "permissive",
                    _ => "unknown",
                }
                .into(),
            );
            out.selinux_source = SELINUX_ENFORCE.into();
        }
        Err(e) if e.is_not_found() => match &out.active {
            Some(list) if !list.iter().any(|l| l == "selinux") => {
                se.mode = Some("disabled".into());
                out.selinux_source = format!("{LSM_LIST} (selinux not active)");
            }
            _ => {
                out.selinux_source =
                    format!("{SELINUX_ENFORCE} not found and {LSM_LIST} not conclusive")
            }
        },
        Err(e) => out.selinux_source = e.to_string(),
    }
    out.facts.selinux = se;
}

fn seccomp(fs: &HostFs, pid: Option<u32>, root: &str, out: &mut LsmScan) {
    let mut sc = SeccompFacts {
        profile_root: root.to_string(),
        ..Default::default()
    };
    let rel = match pid {
        Some(p) => format!("{p}/status"),
        None => "self/status".to_string(),
    };
    match fs.read_proc(&rel, 64 * 1024) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let mode = text
                .lines()
                .find_map(|l| l.strip_prefix("Seccomp:"))
                .map(|v| v.trim().to_string());
            let filters_line = text.lines().any(|l| l.starts_with("Seccomp_filters:"));
            let actions = fs
                .read_proc("sys/kernel/seccomp/actions_avail", 4096)
                .is_ok();
            sc.supported = match &mode {
                None => Some(false),
                Some(m) if m == "2" || filters_line || actions => Some(true),
                Some(_) => None,
            };
            out.seccomp_source = match mode {
                Some(m) => format!(
                    "/proc/{rel}: Seccomp: {m}{}",
                    if filters_line {
                        " (Seccomp_filters present)"
                    } else {
                        ""
                    }
                ),
                None => format!("/proc/{rel}: no Seccomp: line (kernel built without seccomp)"),
            };
        }
        Err(e) => out.seccomp_source = e.to_string(),
    }
    let mut files = Vec::new();
    match fs.resolve(root) {
        Ok(_) => walk_profiles(fs, root, "", 0, &mut files, out),
        Err(e) if e.is_not_found() => {}
        Err(e) => out.seccomp_root_error = Some(e.to_string()),
    }
    files.sort();
    sc.localhost_profiles = files;
    out.facts.seccomp = sc;
}

fn walk_profiles(
    fs: &HostFs,
    root: &str,
    rel: &str,
    depth: usize,
    files: &mut Vec<String>,
    out: &mut LsmScan,
) {
    if depth > MAX_SECCOMP_DEPTH {
        return;
    }
    let dir = if rel.is_empty() {
        root.to_string()
    } else {
        format!("{root}/{rel}")
    };
    let names = match fs.list_dir(&dir, MAX_SECCOMP_FILES) {
        Ok(n) => n,
        Err(e) => {
            out.seccomp_root_error.get_or_insert(e.to_string());
            return;
        }
    };
    for name in names {
        if files.len() >= MAX_SECCOMP_FILES {
            return;
        }
        let child_rel = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let node_path = format!("{root}/{child_rel}");
        match fs.stat(&node_path) {
            Ok(st) if st.kind == "directory" => {
                walk_profiles(fs, root, &child_rel, depth + 1, files, out)
            }
            Ok(_) => {
                match fs.read(&node_path, 1024 * 1024) {
                    Ok(bytes) => {
                        if let Err(reason) = validate_seccomp(&bytes) {
                            out.invalid_seccomp_profiles
                                .push((child_rel.clone(), reason.to_string()));
                        }
                    }
                    Err(e) => out
                        .invalid_seccomp_profiles
                        .push((child_rel.clone(), e.to_string())),
                }
                files.push(child_rel);
            }
            Err(e) => out
                .invalid_seccomp_profiles
                .push((child_rel, e.to_string())),
        }
    }
}

/// Why a Localhost profile file cannot be used as a seccomp profile.
#[derive(Debug, thiserror::Error)]
pub enum SeccompProfileError {
    #[error("not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    #[error("defaultAction {0:?} is not an SCMP_ACT_ action")]
    NotAnAction(String),
    #[error("no defaultAction")]
    NoDefaultAction,
}

/// A Localhost profile must be a JSON object with a `defaultAction` (what runc requires).
fn validate_seccomp(bytes: &[u8]) -> Result<(), SeccompProfileError> {
    let v: serde_json::Value = serde_json::from_slice(bytes)?;
    match v.get("defaultAction").and_then(|a| a.as_str()) {
        Some(a) if a.starts_with("SCMP_ACT_") => Ok(()),
        Some(a) => Err(SeccompProfileError::NotAnAction(a.to_string())),
        None => Err(SeccompProfileError::NoDefaultAction),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apparmor_lines_split_at_last_paren() {
        let p = parse_apparmor_profiles(
            "cri-containerd.apparmor.d (enforce)\nweird (name) (complain)\n/usr/bin/man (enforce)\nbroken line\n",
        );
        assert_eq!(p.len(), 3);
        assert!(
            p.iter()
                .any(|x| x.name == "weird (name)" && x.mode == "complain")
        );
    }

    #[test]
    fn seccomp_profile_validation() {
        assert!(validate_seccomp(br#"{"defaultAction":"SCMP_ACT_ERRNO"}"#).is_ok());
        assert!(validate_seccomp(br#"{"syscalls":[]}"#).is_err());
        assert!(validate_seccomp(b"not json").is_err());
    }
}
