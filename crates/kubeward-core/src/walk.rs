//! The one directory walk behind every directory argument (`workloads DIR`, `audit scan DIR`,
//! `scan DIR`, `netpol … DIR`).
//!
//! Symlinks are never followed out of the tree given: a symlinked file inside it is read (once,
//! even when also reached by its real path), one pointing outside, a dangling one or a loop is
//! reported with the reason, and a symlinked directory is not entered (its target, inside the
//! tree, is walked at its real place; outside, it is reported). So a link to `/` never walks the
//! whole filesystem and a loop never aborts the walk. Directories deeper than the depth limit
//! are reported, not silently cut.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Skip entries whose name starts with `.` (below the root).
    pub skip_hidden: bool,
    /// Deepest directory level entered below the root.
    pub max_depth: usize,
    /// Directory names never entered (`target`, `node_modules`).
    pub skip_dirs: &'static [&'static str],
    /// Keep a file reached through a link inside the tree only when its real path was not kept
    /// too. Off for callers that look at both names (`scan` recognises some inputs by
    /// extension) and settle duplicates themselves.
    pub dedupe: bool,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            skip_hidden: true,
            max_depth: 32,
            skip_dirs: &[],
            dedupe: true,
        }
    }
}

/// A path found, or a reason it was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkError {
    pub path: PathBuf,
    pub reason: String,
}

/// The files to read under a root, in name order, and what could not be walked.
#[derive(Debug, Default)]
pub struct Walked {
    /// Every entry whose name `accept`s, regular or not (the bounded reader refuses the others
    /// with their type, so a FIFO named `x.yaml` is reported, not skipped).
    pub files: Vec<PathBuf>,
    pub errors: Vec<WalkError>,
}

/// Walk `root` recursively; keep the entries whose path `accept`s.
pub fn walk(root: &Path, accept: &dyn Fn(&Path) -> bool, opts: &WalkOptions) -> Walked {
    walk_claiming(root, accept, &|_| false, opts)
}

/// [`walk`], also keeping (and not entering) the directories below the root that `claim`
/// recognises as one input (a node's root filesystem for `scan`).
pub fn walk_claiming(
    root: &Path,
    accept: &dyn Fn(&Path) -> bool,
    claim: &dyn Fn(&Path) -> bool,
    opts: &WalkOptions,
) -> Walked {
    let mut out = Walked::default();
    let canon_root = match std::fs::canonicalize(root) {
        Ok(p) => p,
        Err(e) => {
            out.errors.push(WalkError {
                path: root.to_path_buf(),
                reason: crate::input::ReadError::Io(e).to_string(),
            });
            return out;
        }
    };
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let skip_hidden = opts.skip_hidden;
    let skip_dirs = opts.skip_dirs;
    let mut walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .max_depth(opts.max_depth)
        .into_iter()
        .filter_entry(move |e| {
            e.depth() == 0
                || !((skip_hidden && is_hidden(e.file_name()))
                    || (e.file_type().is_dir() && skip_dirs.iter().any(|d| e.file_name() == *d)))
        });
    // Links are resolved after the walk, so a file reached both ways is kept at its real path.
    let mut links = Vec::new();
    while let Some(entry) = walker.next() {
        let e = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                let reason = match err.into_io_error() {
                    Some(io) => crate::input::ReadError::Io(io).to_string(),
                    None => "cannot be walked".into(),
                };
                out.errors.push(WalkError { path, reason });
                continue;
            }
        };
        let ft = e.file_type();
        if ft.is_dir() {
            if e.depth() > 0 && claim(e.path()) {
                walker.skip_current_dir();
                out.files.push(e.into_path());
                continue;
            }
            if e.depth() == opts.max_depth && e.depth() > 0 {
                out.errors.push(WalkError {
                    path: e.into_path(),
                    reason: format!(
                        "directory nested more than {} levels deep; not read",
                        opts.max_depth
                    ),
                });
            }
            continue;
        }
        if ft.is_symlink() {
            links.push(e.into_path());
            continue;
        }
        if accept(e.path()) {
            let rel = e.path().strip_prefix(root).unwrap_or(e.path());
            seen.insert(canon_root.join(rel));
            out.files.push(e.into_path());
        }
    }
    for link in links {
        let wanted = accept(&link);
        match std::fs::canonicalize(&link) {
            Err(e) => {
                if wanted {
                    let reason = if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
                    {
                        "symbolic link loop; not followed".to_string()
                    } else if e.kind() == std::io::ErrorKind::NotFound {
                        "symbolic link to a missing file".to_string()
                    } else {
                        format!("symbolic link cannot be followed: {e}")
                    };
                    out.errors.push(WalkError { path: link, reason });
                }
            }
            Ok(target) => {
                let is_dir = target.is_dir();
                if !target.starts_with(&canon_root) {
                    if wanted || is_dir {
                        out.errors.push(WalkError {
                            reason: format!(
                                "symbolic link to {}, outside {}; not followed",
                                target.display(),
                                root.display()
                            ),
                            path: link,
                        });
                    }
                } else if !is_dir && wanted && (seen.insert(target) || !opts.dedupe) {
                    out.files.push(link);
                }
            }
        }
    }
    out.files.sort();
    out
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') && n != "." && n != "..")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn yaml(p: &Path) -> bool {
        p.extension().is_some_and(|e| e == "yaml")
    }

    #[test]
    fn links_stay_inside_the_tree() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join("sub")).unwrap();
        std::fs::write(r.join("sub/a.yaml"), "a").unwrap();
        std::fs::write(r.join("b.yaml"), "b").unwrap();
        std::fs::write(r.join("other.txt"), "x").unwrap();
        symlink(r.join("sub/a.yaml"), r.join("dup.yaml")).unwrap();
        symlink(r.join("other.txt"), r.join("c.yaml")).unwrap();
        symlink("/", r.join("root")).unwrap();
        symlink("/etc/hostname", r.join("host.yaml")).unwrap();
        symlink(r, r.join("sub/up")).unwrap();
        symlink("loop2.yaml", r.join("loop1.yaml")).unwrap();
        symlink("loop1.yaml", r.join("loop2.yaml")).unwrap();
        std::fs::create_dir(r.join(".git")).unwrap();
        std::fs::write(r.join(".git/x.yaml"), "x").unwrap();
        let w = walk(r, &yaml, &WalkOptions::default());
        let names: Vec<_> = w
            .files
            .iter()
            .map(|p| p.strip_prefix(r).unwrap().display().to_string())
            .collect();
        // dup.yaml is sub/a.yaml again: read once; c.yaml is a link to a file inside.
        assert_eq!(names, ["b.yaml", "c.yaml", "sub/a.yaml"]);
        let mut errs: Vec<_> = w
            .errors
            .iter()
            .map(|e| {
                let n = e.path.strip_prefix(r).unwrap().display().to_string();
                let kind = e
                    .reason
                    .split(';')
                    .next()
                    .unwrap()
                    .split(" to ")
                    .next()
                    .unwrap();
                format!("{n}: {kind}")
            })
            .collect();
        errs.sort();
        assert_eq!(
            errs,
            [
                "host.yaml: symbolic link",
                "loop1.yaml: symbolic link loop",
                "loop2.yaml: symbolic link loop",
                "root: symbolic link",
            ]
        );
        assert!(w.errors.iter().any(|e| e.reason.contains("outside")));
    }

    #[test]
    fn too_deep_is_reported() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("a/b/c")).unwrap();
        std::fs::write(d.path().join("a/b/c/x.yaml"), "x").unwrap();
        let opts = WalkOptions {
            max_depth: 2,
            ..Default::default()
        };
        let w = walk(d.path(), &yaml, &opts);
        assert!(w.files.is_empty());
        assert_eq!(w.errors.len(), 1);
        assert!(w.errors[0].reason.contains("more than 2 levels"));
    }
}
