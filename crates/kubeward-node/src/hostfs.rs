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
//! both simpler and faster than building `procfs` process objects.

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
}

impl HostFs {
    pub fn new(root: impl Into<PathBuf>, proc: impl Into<PathBuf>) -> Self {
        HostFs {
            root: root.into(),
            proc: proc.into(),
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
        read_regular(&real, node_path, limit)
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

    /// Read a file of `/proc` (`4242/cmdline`). Proc files report size 0, so only the bound counts.
    pub fn read_proc(&self, rel: &str, limit: u64) -> Result<Vec<u8>, FsError> {
        let real = self.proc.join(rel);
        let shown = format!("/proc/{rel}");
        let mut f = std::fs::File::open(&real).map_err(|e| FsError::io(&shown, &e))?;
        let mut buf = Vec::new();
        f.by_ref()
            .take(limit)
            .read_to_end(&mut buf)
            .map_err(|e| FsError::io(&shown, &e))?;
        Ok(buf)
    }

    /// Numeric entries of `/proc`, ascending.
    pub fn pids(&self) -> Result<Vec<u32>, FsError> {
        let rd = std::fs::read_dir(&self.proc).map_err(|e| FsError::io("/proc", &e))?;
        let mut pids: Vec<u32> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok()))
            .collect();
        pids.sort_unstable();
        Ok(pids)
    }

    /// Target of a `/proc` symlink such as `4242/exe`.
    pub fn read_proc_link(&self, rel: &str) -> Option<PathBuf> {
        std::fs::read_link(self.proc.join(rel)).ok()
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

fn read_regular(real: &Path, shown: &str, limit: u64) -> Result<Vec<u8>, FsError> {
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
    let f = std::fs::File::open(real).map_err(|e| FsError::io(shown, &e))?;
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
}
