//! Reading a node's files from a root directory (`/` or a host mounted at `/host`).
//!
//! Every path is a *node path* (`/etc/kubernetes/azure.json`), resolved under the root the way the
//! node itself would resolve it: absolute symlink targets are re-rooted, `..` stops at the root, so
//! nothing outside the root is ever read. Symlink hops are bounded (a loop is an error), reads are
//! bounded (a 1 GB file where a config should be is an error, not an allocation), and a FIFO or
//! directory is refused before it is opened (opening a FIFO would block the scan).
//!
//! `/proc` is read directly with `std::fs` rather than the `procfs` crate: the scan needs four small
//! files per process, from a `/proc` that may be mounted anywhere (`--proc`), and plain reads are
//! both simpler and faster than building `procfs` process objects. A real procfs (checked with
//! `statfs`, the Job's `--proc /host/proc`) is read as it is, so the magic link
//! `/proc/<pid>/root` reaches a container's files; any other proc directory (a copied disk image,
//! or a symlink to the host's `/proc` inside one) is resolved inside the root like every other
//! node path, so a link never leads to the machine running the scan.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};

/// Symlink hops allowed while resolving one path (Linux allows 40).
pub const MAX_SYMLINK_HOPS: usize = 40;
/// Default bound for configuration-like files.
pub const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FsError {
    #[error("{path}: not found")]
    NotFound { path: String },
    #[error("{path}: is a {kind}, not a regular file")]
    NotRegular { path: String, kind: &'static str },
    #[error("{path}: {size} bytes, more than the {limit}-byte limit for this file")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("{path}: too many levels of symbolic links (a symlink loop?)")]
    SymlinkLoop { path: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
}

impl FsError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, FsError::NotFound { .. })
    }
    /// The same error, naming `path` instead.
    fn shown_as(self, path: &str) -> FsError {
        let path = path.to_string();
        match self {
            FsError::NotFound { .. } => FsError::NotFound { path },
            FsError::NotRegular { kind, .. } => FsError::NotRegular { path, kind },
            FsError::TooLarge { size, limit, .. } => FsError::TooLarge { path, size, limit },
            FsError::SymlinkLoop { .. } => FsError::SymlinkLoop { path },
            FsError::Io { message, .. } => FsError::Io { path, message },
        }
    }
    fn io(path: &str, e: &std::io::Error) -> FsError {
        if e.kind() == std::io::ErrorKind::NotFound {
            return FsError::NotFound { path: path.into() };
        }
        FsError::Io {
            path: path.into(),
            message: match e.kind() {
                std::io::ErrorKind::PermissionDenied => "permission denied".into(),
                _ => e.to_string(),
            },
        }
    }
}

/// Mode and owner of a node file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    /// Permission bits (`0o644`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub kind: &'static str,
}

impl FileStat {
    pub fn mode_octal(&self) -> String {
        format!("{:04o}", self.mode)
    }
    pub fn owner(&self) -> String {
        fn name(id: u32) -> String {
            if id == 0 {
                "root".into()
            } else {
                id.to_string()
            }
        }
        format!("{}:{}", name(self.uid), name(self.gid))
    }
}

fn kind_of(ft: &std::fs::FileType) -> &'static str {
    if ft.is_file() {
        "regular file"
    } else if ft.is_dir() {
        "directory"
    } else if ft.is_fifo() {
        "FIFO"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "device"
    } else if ft.is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

/// The node's filesystem: a root and a `/proc`.
#[derive(Debug, Clone)]
pub struct HostFs {
    root: PathBuf,
    proc: PathBuf,
    /// `proc` is a real procfs: read as is.
    proc_live: bool,
    /// A process root that could not be resolved inside the node root: every file is absent.
    absent: bool,
}

impl HostFs {
    pub fn new(root: impl Into<PathBuf>, proc: impl Into<PathBuf>) -> Self {
        let proc = proc.into();
        HostFs {
            root: root.into(),
            proc_live: kubeward_core::input::is_procfs(&proc),
            proc,
            absent: false,
        }
    }

    /// Whether `/proc` is a real procfs (read as is) rather than a copy resolved in the root.
    pub fn proc_is_live(&self) -> bool {
        self.proc_live
    }

    /// The filesystem a process sees (`/proc/<pid>/root`), with the same `/proc`. In a copied
    /// `/proc` whose `<pid>/root` cannot be resolved inside the node root, every file is absent.
    pub fn process_root(&self, pid: u32) -> HostFs {
        let (root, absent) = if self.proc_live {
            (self.proc.join(pid.to_string()).join("root"), false)
        } else {
            match self.proc_real(&format!("{pid}/root")) {
                Ok(real) => (real, false),
                Err(_) => (self.root.clone(), true),
            }
        };
        HostFs {
            root,
            proc: self.proc.clone(),
            proc_live: self.proc_live,
            absent,
        }
    }

    /// The real path of a `/proc` entry of a proc directory that is not a procfs: resolved inside
    /// the root when it lies under it, else inside the proc directory itself.
    fn proc_real(&self, rel: &str) -> Result<PathBuf, FsError> {
        match self.proc.strip_prefix(&self.root) {
            Ok(under) => self.resolve(&format!("/{}/{rel}", under.display())),
            Err(_) => HostFs {
                root: self.proc.clone(),
                proc: self.proc.clone(),
                proc_live: false,
                absent: false,
            }
            .resolve(&format!("/{rel}")),
        }
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn proc_dir(&self) -> &Path {
        &self.proc
    }

    /// Resolve a node path to a real path under the root, following symlinks inside the root.
    pub fn resolve(&self, node_path: &str) -> Result<PathBuf, FsError> {
        if self.absent {
            return Err(FsError::NotFound {
                path: node_path.into(),
            });
        }
        let mut todo: VecDeque<OsString> = components(Path::new(node_path));
        let mut done: Vec<OsString> = Vec::new();
        let mut hops = 0usize;
        while let Some(c) = todo.pop_front() {
            if c == ".." {
                done.pop();
                continue;
            }
            done.push(c);
            let real = self.real(&done);
            let meta = match std::fs::symlink_metadata(&real) {
                Ok(m) => m,
                Err(e) => return Err(FsError::io(node_path, &e)),
            };
            if meta.file_type().is_symlink() {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(FsError::SymlinkLoop {
                        path: node_path.into(),
                    });
                }
                let target = std::fs::read_link(&real).map_err(|e| FsError::io(node_path, &e))?;
                done.pop();
                if target.is_absolute() {
                    done.clear();
                }
                let mut next = components(&target);
                next.extend(todo);
                todo = next;
            }
        }
        Ok(self.real(&done))
    }

    fn real(&self, parts: &[OsString]) -> PathBuf {
        let mut p = self.root.clone();
        p.extend(parts);
        p
    }

    /// Mode, owner and kind of a node file (symlinks followed inside the root).
    pub fn stat(&self, node_path: &str) -> Result<FileStat, FsError> {
        let real = self.resolve(node_path)?;
        let m = std::fs::metadata(&real).map_err(|e| FsError::io(node_path, &e))?;
        Ok(FileStat {
            mode: m.mode() & 0o7777,
            uid: m.uid(),
            gid: m.gid(),
            kind: kind_of(&m.file_type()),
        })
    }

    pub fn exists(&self, node_path: &str) -> bool {
        self.resolve(node_path).is_ok()
    }

    /// Read a regular node file of at most `limit` bytes.
    pub fn read(&self, node_path: &str, limit: u64) -> Result<Vec<u8>, FsError> {
        let real = self.resolve(node_path)?;
        read_regular(&real, node_path, limit, true)
    }

    pub fn read_string(&self, node_path: &str, limit: u64) -> Result<String, FsError> {
        let bytes = self.read(node_path, limit)?;
        String::from_utf8(bytes).map_err(|_| FsError::Io {
            path: node_path.into(),
            message: "not UTF-8 text".into(),
        })
    }

    /// Entries of a node directory (names only), sorted; at most `max` of them.
    pub fn list_dir(&self, node_path: &str, max: usize) -> Result<Vec<String>, FsError> {
        let real = self.resolve(node_path)?;
        let rd = std::fs::read_dir(&real).map_err(|e| FsError::io(node_path, &e))?;
        let mut names = Vec::new();
        for entry in rd.take(max) {
            let entry = entry.map_err(|e| FsError::io(node_path, &e))?;
            if let Some(n) = entry.file_name().to_str() {
                names.push(n.to_string());
            }
        }
        names.sort();
        Ok(names)
    }

    /// Read a file of `/proc` (`4242/cmdline`). Proc files report size 0, so only the bound counts;
    /// a FIFO planted in a copied `/proc` is refused, never opened.
    pub fn read_proc(&self, rel: &str, limit: u64) -> Result<Vec<u8>, FsError> {
        let shown = format!("/proc/{rel}");
        if self.proc_live {
            return read_regular(&self.proc.join(rel), &shown, limit, false);
        }
        let real = self.proc_real(rel).map_err(|e| e.shown_as(&shown))?;
        read_regular(&real, &shown, limit, true)
    }

    /// Numeric entries of `/proc`, ascending.
    pub fn pids(&self) -> Result<Vec<u32>, FsError> {
        let dir = if self.proc_live {
            self.proc.clone()
        } else {
            self.proc_real("").map_err(|e| e.shown_as("/proc"))?
        };
        let rd = std::fs::read_dir(&dir).map_err(|e| FsError::io("/proc", &e))?;
        let mut pids: Vec<u32> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok()))
            .collect();
        pids.sort_unstable();
        Ok(pids)
    }

    /// Target of a `/proc` symlink such as `4242/exe`.
    pub fn read_proc_link(&self, rel: &str) -> Option<PathBuf> {
        if self.proc_live {
            return std::fs::read_link(self.proc.join(rel)).ok();
        }
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        std::fs::read_link(self.proc_real(dir).ok()?.join(name)).ok()
    }
}

fn components(p: &Path) -> VecDeque<OsString> {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect()
}

fn read_regular(real: &Path, shown: &str, limit: u64, nofollow: bool) -> Result<Vec<u8>, FsError> {
    let meta = std::fs::metadata(real).map_err(|e| FsError::io(shown, &e))?;
    let ft = meta.file_type();
    if !ft.is_file() {
        return Err(FsError::NotRegular {
            path: shown.into(),
            kind: kind_of(&ft),
        });
    }
    if meta.len() > limit {
        return Err(FsError::TooLarge {
            path: shown.into(),
            size: meta.len(),
            limit,
        });
    }
    // Non-blocking, and the type checked again on the open file: a FIFO swapped in never blocks.
    let opened = if nofollow {
        kubeward_core::input::open_nofollow(real)
    } else {
        kubeward_core::input::open(real)
    };
    let f = opened.map_err(|e| match e {
        kubeward_core::input::ReadError::Io(io) => FsError::io(shown, &io),
        other => FsError::Io {
            path: shown.into(),
            message: other.to_string(),
        },
    })?;
    let mut buf = Vec::with_capacity(meta.len() as usize);
    f.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| FsError::io(shown, &e))?;
    if buf.len() as u64 > limit {
        return Err(FsError::TooLarge {
            path: shown.into(),
            size: buf.len() as u64,
            limit,
        });
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn fs() -> (tempfile::TempDir, HostFs) {
        let d = tempfile::tempdir().unwrap();
        let h = HostFs::new(d.path(), d.path().join("proc"));
        (d, h)
    }

    #[test]
    fn absolute_symlink_is_rerooted_and_dotdot_stops_at_root() {
        let (d, h) = fs();
        std::fs::create_dir_all(d.path().join("etc/a")).unwrap();
        std::fs::write(d.path().join("etc/a/real.json"), "{}").unwrap();
        symlink("/etc/a/real.json", d.path().join("etc/link")).unwrap();
        symlink("../../../../etc/a/real.json", d.path().join("etc/a/up")).unwrap();
        assert_eq!(h.read("/etc/link", 10).unwrap(), b"{}");
        assert_eq!(h.read("/etc/a/up", 10).unwrap(), b"{}");
        // /etc/passwd of the machine running the tests is never reached.
        symlink("/etc/passwd", d.path().join("etc/escape")).unwrap();
        assert!(h.read("/etc/escape", 1 << 20).unwrap_err().is_not_found());
    }

    #[test]
    fn loop_is_an_error() {
        let (d, h) = fs();
        symlink("/b", d.path().join("a")).unwrap();
        symlink("/a", d.path().join("b")).unwrap();
        assert!(matches!(h.read("/a", 10), Err(FsError::SymlinkLoop { .. })));
    }

    #[test]
    fn directory_and_size_bounds() {
        let (d, h) = fs();
        std::fs::create_dir(d.path().join("dir")).unwrap();
        assert!(matches!(
            h.read("/dir", 10),
            Err(FsError::NotRegular {
                kind: "directory",
                ..
            })
        ));
        std::fs::write(d.path().join("big"), vec![b'x'; 11]).unwrap();
        assert!(matches!(
            h.read("/big", 10),
            Err(FsError::TooLarge { size: 11, .. })
        ));
    }

    #[test]
    fn a_copied_proc_linking_out_of_the_root_reads_nothing_outside() {
        let d = tempfile::tempdir().unwrap();
        let other = d.path().join("other/proc/7");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("comm"), "kubelet\n").unwrap();
        let root = d.path().join("root");
        std::fs::create_dir(&root).unwrap();
        symlink(d.path().join("other/proc"), root.join("proc")).unwrap();
        let h = HostFs::new(&root, root.join("proc"));
        assert!(!h.proc_is_live());
        // The absolute link is re-rooted: `root/<tempdir>/other/proc` does not exist.
        assert!(h.pids().unwrap_err().is_not_found());
        assert!(h.read_proc("7/comm", 64).unwrap_err().is_not_found());
        // Inside the root, links in a copied /proc are followed as the node would.
        std::fs::remove_file(root.join("proc")).unwrap();
        std::fs::create_dir_all(root.join("proc/9")).unwrap();
        std::fs::write(root.join("proc/9/comm"), "kubelet\n").unwrap();
        symlink("/proc/9", root.join("proc/self")).unwrap();
        symlink("/", root.join("proc/9/root")).unwrap();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(root.join("etc/x"), "x").unwrap();
        let h = HostFs::new(&root, root.join("proc"));
        assert_eq!(h.pids().unwrap(), vec![9]);
        assert_eq!(h.read_proc("self/comm", 64).unwrap(), b"kubelet\n");
        assert_eq!(h.process_root(9).read("/etc/x", 8).unwrap(), b"x");
        // A process without a resolvable root sees no file at all (not the node's).
        assert!(
            h.process_root(10)
                .read("/etc/x", 8)
                .unwrap_err()
                .is_not_found()
        );
    }

    #[test]
    fn a_fifo_in_a_copied_proc_is_refused_not_opened() {
        let (d, h) = fs();
        std::fs::create_dir_all(d.path().join("proc/42")).unwrap();
        let fifo = d.path().join("proc/42/cmdline");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let e = h.read_proc("42/cmdline", 1024).unwrap_err();
        assert!(matches!(e, FsError::NotRegular { .. }), "{e}");
        assert!(e.to_string().starts_with("/proc/42/cmdline"), "{e}");
    }

    #[test]
    fn a_real_procfs_is_read_as_is_through_the_process_root_link() {
        let h = HostFs::new("/", "/proc");
        assert!(h.proc_is_live());
        let me = std::process::id();
        assert!(h.pids().unwrap().contains(&me));
        let cmdline = h.read_proc(&format!("{me}/cmdline"), 1 << 20).unwrap();
        assert!(!cmdline.is_empty());
        // `/proc/<pid>/root` is a magic link: files are reached through it.
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("seen");
        std::fs::write(&file, "through the link").unwrap();
        let proc_root = h.process_root(me);
        assert_eq!(
            proc_root.read(file.to_str().unwrap(), 64).unwrap(),
            b"through the link"
        );
    }
}
