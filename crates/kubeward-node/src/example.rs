//! Materialising a node-root fixture (such as `examples/aks-node`): git keeps neither owners nor
//! most modes, so a fixture carries a `MODES` table (`path mode [uid:gid]` per line) that this code
//! (and `scripts/example-modes.sh`, for people) applies to a copy.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Name of the modes table at the root of a fixture.
pub const MODES_FILE: &str = "MODES";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeEntry {
    pub path: String,
    pub mode: u32,
    pub owner: Option<(u32, u32)>,
}

/// A line of a MODES table that is not `path mode [uid:gid]` (`line` is 1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModesError {
    #[error("{file}:{line}: expected `path mode [uid:gid]`", file = MODES_FILE)]
    Shape { line: usize },
    #[error("{file}:{line}: bad octal mode {mode:?}", file = MODES_FILE)]
    Mode { line: usize, mode: String },
    #[error("{file}:{line}: bad owner {owner:?}", file = MODES_FILE)]
    Owner { line: usize, owner: String },
}

/// Parse a MODES table. Bad lines are errors: a fixture must be exact.
pub fn parse_modes(text: &str) -> Result<Vec<ModeEntry>, ModesError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut it = line.split_whitespace();
        let (Some(path), Some(mode)) = (it.next(), it.next()) else {
            return Err(ModesError::Shape { line: i + 1 });
        };
        let mode = u32::from_str_radix(mode, 8).map_err(|_| ModesError::Mode {
            line: i + 1,
            mode: mode.to_string(),
        })?;
        let owner = match it.next() {
            None => None,
            Some(o) => {
                let (u, g) = o
                    .split_once(':')
                    .and_then(|(u, g)| Some((u.parse().ok()?, g.parse().ok()?)))
                    .ok_or_else(|| ModesError::Owner {
                        line: i + 1,
                        owner: o.to_string(),
                    })?;
                Some((u, g))
            }
        };
        out.push(ModeEntry {
            path: path.trim_start_matches('/').to_string(),
            mode,
            owner,
        });
    }
    Ok(out)
}

/// Copy a fixture tree (symlinks kept as symlinks) into `dst`, then apply its MODES table.
/// Owners are applied only when running as root (a chown needs it); returns whether they were.
pub fn materialize(src: &Path, dst: &Path) -> io::Result<bool> {
    copy_tree(src, dst, 0)?;
    let modes = std::fs::read_to_string(src.join(MODES_FILE))?;
    let entries = parse_modes(&modes).map_err(io::Error::other)?;
    apply_modes(dst, &entries)
}

/// Apply a MODES table under `root`. Returns whether owners were applied (running as root).
pub fn apply_modes(root: &Path, entries: &[ModeEntry]) -> io::Result<bool> {
    let as_root = running_as_root(root);
    for e in entries {
        let p = root.join(&e.path);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(e.mode))?;
        if as_root {
            let (u, g) = e.owner.unwrap_or((0, 0));
            std::os::unix::fs::chown(&p, Some(u), Some(g))?;
        }
    }
    Ok(as_root)
}

/// Files we create are owned by our uid: 0 means root (no libc call needed).
fn running_as_root(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir)
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

fn copy_tree(src: &Path, dst: &Path, depth: usize) -> io::Result<()> {
    if depth > 32 {
        return Err(io::Error::other("fixture tree too deep"));
    }
    std::fs::create_dir_all(dst)?;
    let mut entries: Vec<_> = std::fs::read_dir(src)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let ft = entry.file_type()?;
        if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&from)?, &to)?;
        } else if ft.is_dir() {
            copy_tree(&from, &to, depth + 1)?;
        } else {
            std::fs::copy(&from, &to)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_table() {
        let m = parse_modes("# c\netc/a 0600\n/var/b 644 1000:1000\n").unwrap();
        assert_eq!(
            m[0],
            ModeEntry {
                path: "etc/a".into(),
                mode: 0o600,
                owner: None
            }
        );
        assert_eq!(m[1].owner, Some((1000, 1000)));
        assert_eq!(
            parse_modes("etc/a rw").unwrap_err().to_string(),
            "MODES:1: bad octal mode \"rw\""
        );
        assert_eq!(
            parse_modes("# c\netc/a").unwrap_err(),
            ModesError::Shape { line: 2 }
        );
    }
}
