//! The storage checkpoint (`--checkpoint FILE`): per blob, the byte offset after the last line
//! handed out and the number of lines before it; written atomically (a temporary file in the
//! same folder, fsync, rename, fsync of the folder) so that a crash leaves the old or the new
//! checkpoint, never a mix.
//!
//! Bounded: a blob fully read whose hour ended more than [`RETAIN_SECS`] ago is forgotten, and the
//! `horizon` (the latest end of hour forgotten) stands for it: a blob of an hour ending at or
//! before the horizon that the checkpoint does not list was read by an earlier run, and is
//! skipped.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How long after its hour a fully read blob stays listed in the checkpoint.
pub const RETAIN_SECS: i64 = 48 * 3600;
/// A checkpoint file is at most this big (about 200 bytes per blob).
pub const MAX_BYTES: u64 = 64 << 20;
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Bytes of the blob handed out: the offset of the next line's start.
    pub offset: u64,
    /// Lines before `offset`.
    pub line: u64,
    /// Read to its end after its hour was over (nothing more is expected).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub done: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub version: u32,
    /// The container's URL (no query): a checkpoint of another container is refused.
    pub container: String,
    /// Unix seconds: blobs of hours ending at or before it that are not listed were read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon: Option<i64>,
    pub blobs: BTreeMap<String, Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint {0}: {1}")]
    Read(String, String),
    #[error(
        "checkpoint {path} is for {theirs}, not {ours}: give each container its own --checkpoint"
    )]
    Other {
        path: String,
        theirs: String,
        ours: String,
    },
    #[error("cannot write checkpoint {0}: {1}")]
    Write(String, std::io::Error),
}

/// Reads the checkpoint, or an empty one when the file does not exist yet. A damaged file is
/// an error, never silently replaced (starting over would alert everything again).
pub fn load(path: &Path, container: &str) -> Result<Checkpoint, CheckpointError> {
    let name = path.display().to_string();
    if !path.exists() {
        return Ok(Checkpoint {
            version: VERSION,
            container: container.to_string(),
            ..Checkpoint::default()
        });
    }
    let text = kubeward_core::input::read_string(path, MAX_BYTES, "checkpoint")
        .map_err(|e| CheckpointError::Read(name.clone(), e.to_string()))?;
    let cp: Checkpoint = serde_json::from_str(&text).map_err(|e| {
        CheckpointError::Read(
            name.clone(),
            format!("not a kubeward storage checkpoint ({e}); move it away to start over"),
        )
    })?;
    if cp.version != VERSION {
        return Err(CheckpointError::Read(
            name,
            format!("version {} is not {VERSION}", cp.version),
        ));
    }
    if cp.container != container {
        return Err(CheckpointError::Other {
            path: name,
            theirs: cp.container,
            ours: container.to_string(),
        });
    }
    Ok(cp)
}

/// Writes `cp` to `path` atomically.
pub fn save(path: &Path, cp: &Checkpoint) -> Result<(), CheckpointError> {
    let name = path.display().to_string();
    let err = |e| CheckpointError::Write(name.clone(), e);
    let text = serde_json::to_vec(cp).map_err(|e| err(std::io::Error::other(e)))?;
    let tmp = temp_path(path);
    let mut f = std::fs::File::create(&tmp).map_err(err)?;
    f.write_all(&text).map_err(err)?;
    f.write_all(b"\n").map_err(err)?;
    f.sync_all().map_err(err)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(err)?;
    // The rename itself is durable once the folder is synced.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_atomically_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cp.json");
        let mut cp = load(&p, "http://x/c").unwrap();
        assert!(cp.blobs.is_empty());
        cp.blobs.insert(
            "a/PT1H.json".into(),
            Entry {
                offset: 10,
                line: 2,
                done: false,
            },
        );
        cp.horizon = Some(1_796_601_600);
        save(&p, &cp).unwrap();
        assert!(!dir.path().join("cp.json.tmp").exists());
        assert_eq!(load(&p, "http://x/c").unwrap(), cp);
        // Another container's checkpoint, or a damaged one, is refused.
        assert!(matches!(
            load(&p, "http://x/d"),
            Err(CheckpointError::Other { .. })
        ));
        std::fs::write(&p, "{\"version\":1,").unwrap();
        assert!(matches!(
            load(&p, "http://x/c"),
            Err(CheckpointError::Read(..))
        ));
    }
}
