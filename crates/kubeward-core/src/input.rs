//! Bounded reading of untrusted inputs, shared by every command.
//!
//! Three rules hold for every input read here:
//! - only regular files are read (standard input, `-`, excepted): the type is checked with `stat`
//!   before the file is opened, since opening a FIFO for reading blocks until a writer appears and
//!   opening some devices has side effects; the open itself is non-blocking and the type is checked
//!   again on the open descriptor, so a file swapped in between is refused too;
//! - every limit is enforced while reading (`take(limit + 1)`), never from the size in the
//!   metadata, which is 0 for pipes, devices and `/proc`;
//! - inputs held whole in memory have limits well under a machine's memory ([`limits`]).

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Documented size limits (see docs/limits.md).
pub mod limits {
    const MIB: u64 = 1024 * 1024;
    /// A text held whole in memory: a YAML manifest stream, AKS JSON, a saved report, a flows file.
    pub const TEXT: u64 = 256 * MIB;
    /// A JSON snapshot decoded while streaming (`kubectl get -A -o json`): the text is never held
    /// whole, its decoded objects are. The 100k-object benchmark snapshot is 387 MB.
    pub const SNAPSHOT: u64 = 1024 * MIB;
    /// A small list or policy: an audit Policy, pattern lists, a waiver file.
    pub const LIST: u64 = 16 * MIB;
}

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("is a {0}, not a regular file; only regular files are read (`-` reads standard input)")]
    NotRegular(&'static str),
    #[error("larger than the {} limit for {what}", human(*.limit))]
    TooLarge { what: &'static str, limit: u64 },
    #[error("not UTF-8 text")]
    NotUtf8,
    #[error("{}", io_message(.0))]
    Io(#[from] std::io::Error),
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "not found".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// `256 MiB`, `16 KiB`, `12 bytes`.
pub fn human(n: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {unit}", n / size);
        }
    }
    format!("{n} bytes")
}

/// What a non-regular file is, in words.
pub fn kind_of(ft: &std::fs::FileType) -> &'static str {
    if ft.is_file() {
        "regular file"
    } else if ft.is_dir() {
        "directory"
    } else if ft.is_fifo() {
        "FIFO (named pipe)"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_char_device() {
        "character device"
    } else if ft.is_block_device() {
        "block device"
    } else if ft.is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

/// Open a regular file for reading, following symlinks. Never blocks on a FIFO.
pub fn open(path: &Path) -> Result<File, ReadError> {
    open_with(path, false)
}

/// Open a regular file whose last component must not be a symlink (a path already resolved
/// component by component, so a link swapped in afterwards is refused).
pub fn open_nofollow(path: &Path) -> Result<File, ReadError> {
    open_with(path, true)
}

fn open_with(path: &Path, nofollow: bool) -> Result<File, ReadError> {
    let meta = if nofollow {
        std::fs::symlink_metadata(path)?
    } else {
        std::fs::metadata(path)?
    };
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta.file_type())));
    }
    let mut flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
    if nofollow {
        flags |= rustix::fs::OFlags::NOFOLLOW;
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits() as i32)
        .open(path)?;
    let ft = file.metadata()?.file_type();
    if !ft.is_file() {
        return Err(ReadError::NotRegular(kind_of(&ft)));
    }
    Ok(file)
}

/// Whether `path` is a directory (not a symlink to one) on a real procfs mount. A copied disk
/// image's `proc` is not, and neither is a symlink to the host's `/proc` inside it.
#[allow(clippy::unnecessary_cast)] // f_type's width differs between architectures
pub fn is_procfs(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
        && rustix::fs::statfs(path)
            .is_ok_and(|s| s.f_type as i64 == rustix::fs::PROC_SUPER_MAGIC as i64)
}

/// Read at most `limit` bytes from `r`; more is an error (`what` names the input kind). `hint`
/// is the expected size (a regular file's length), 0 when unknown.
pub fn read_limited(
    r: impl Read,
    limit: u64,
    what: &'static str,
    hint: usize,
) -> Result<Vec<u8>, ReadError> {
    let first = Vec::with_capacity(hint.saturating_add(1).min(CHUNK));
    read_limited_after(first, r, limit, what)
}

/// Bytes read per piece while the size is unknown.
const CHUNK: usize = 8 << 20;

/// [`read_limited`], the result starting with `prefix` (bytes already read from the same
/// stream, counted in the limit). Read in pieces and joined only when the whole fits, so an
/// endless stream costs at most the limit plus one piece, never a doubled buffer.
pub fn read_limited_after(
    prefix: Vec<u8>,
    mut r: impl Read,
    limit: u64,
    what: &'static str,
) -> Result<Vec<u8>, ReadError> {
    let too_large = || ReadError::TooLarge { what, limit };
    let mut total = prefix.len() as u64;
    if total > limit {
        return Err(too_large());
    }
    let mut pieces = vec![prefix];
    loop {
        let mut piece = match pieces.last_mut() {
            // Fill the first piece up to its capacity (the expected size) before starting more.
            Some(p) if p.len() < p.capacity() => std::mem::take(p),
            _ => Vec::with_capacity(CHUNK),
        };
        let before = piece.len();
        let room = (piece.capacity() - before).max(1) as u64;
        let n = (&mut r).take(room).read_to_end(&mut piece)?;
        total += n as u64;
        let full = piece.len() - before >= room as usize;
        match pieces.last_mut() {
            Some(p) if p.is_empty() => *p = piece,
            _ => pieces.push(piece),
        }
        if total > limit {
            return Err(too_large());
        }
        if !full {
            break;
        }
    }
    pieces.retain(|p| !p.is_empty());
    if pieces.len() <= 1 {
        return Ok(pieces.pop().unwrap_or_default());
    }
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(usize::MAX));
    for p in pieces {
        out.extend_from_slice(&p);
    }
    Ok(out)
}

/// Read a whole regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, ReadError> {
    let f = open(path)?;
    let hint = f.metadata().map_or(0, |m| m.len());
    read_limited(f, limit, what, usize::try_from(hint).unwrap_or(0))
}

/// Read a whole regular file of at most `limit` bytes as UTF-8 text.
pub fn read_string(path: &Path, limit: u64, what: &'static str) -> Result<String, ReadError> {
    String::from_utf8(read(path, limit, what)?).map_err(|_| ReadError::NotUtf8)
}

/// Read a path, or standard input for `-`, as UTF-8 text of at most `limit` bytes.
pub fn read_string_or_stdin(
    path: &Path,
    limit: u64,
    what: &'static str,
) -> Result<String, ReadError> {
    if path.as_os_str() == "-" {
        let bytes = read_limited(std::io::stdin().lock(), limit, what, 0)?;
        return String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8);
    }
    read_string(path, limit, what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn mkfifo(p: &Path) {
        let ok = Command::new("mkfifo").arg(p).status().unwrap().success();
        assert!(ok, "mkfifo failed");
    }

    #[test]
    fn fifo_is_refused_without_blocking() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("pipe.yaml");
        mkfifo(&p);
        // No writer ever opens the FIFO: a blocking open would never return.
        let e = read(&p, 10, "test").unwrap_err();
        assert!(
            matches!(e, ReadError::NotRegular("FIFO (named pipe)")),
            "{e}"
        );
        let e = open_nofollow(&p).unwrap_err();
        assert!(matches!(e, ReadError::NotRegular(_)));
    }

    #[test]
    fn devices_and_directories_are_refused() {
        let e = read(Path::new("/dev/zero"), 10, "test").unwrap_err();
        assert!(matches!(e, ReadError::NotRegular("character device")));
        let d = tempfile::tempdir().unwrap();
        let e = read(d.path(), 10, "test").unwrap_err();
        assert!(matches!(e, ReadError::NotRegular("directory")));
    }

    #[test]
    fn limit_is_enforced_while_reading() {
        // /dev/zero reports size 0: only a bound on the read itself stops it.
        let zero = std::fs::File::open("/dev/zero").unwrap();
        let e = read_limited(zero, 1000, "test", 0).unwrap_err();
        assert_eq!(e.to_string(), "larger than the 1000 bytes limit for test");
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        std::fs::write(&p, b"0123456789").unwrap();
        assert_eq!(read(&p, 10, "test").unwrap(), b"0123456789");
        assert!(matches!(
            read(&p, 9, "test"),
            Err(ReadError::TooLarge { limit: 9, .. })
        ));
    }

    #[test]
    fn pieces_join_into_the_exact_bytes() {
        let data: Vec<u8> = (0..(3 * CHUNK + 17)).map(|i| (i % 251) as u8).collect();
        for hint in [0, 100, data.len(), data.len() + 5] {
            let got = read_limited(&data[..], data.len() as u64, "test", hint).unwrap();
            assert!(got == data, "hint {hint}");
            let e = read_limited(&data[..], data.len() as u64 - 1, "test", hint).unwrap_err();
            assert!(matches!(e, ReadError::TooLarge { .. }), "hint {hint}");
        }
        let got = read_limited_after(b"head".to_vec(), &b"tail"[..], 8, "test").unwrap();
        assert_eq!(got, b"headtail");
        let e = read_limited_after(b"head".to_vec(), &b"tail"[..], 7, "test").unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { .. }));
        assert_eq!(read_limited(&b""[..], 0, "test", 0).unwrap(), b"");
    }

    #[test]
    fn nofollow_refuses_a_final_symlink() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        std::fs::write(&p, b"x").unwrap();
        let l = d.path().join("l");
        std::os::unix::fs::symlink(&p, &l).unwrap();
        assert_eq!(read(&l, 10, "test").unwrap(), b"x");
        assert!(matches!(
            open_nofollow(&l),
            Err(ReadError::NotRegular("symbolic link"))
        ));
    }

    #[test]
    fn procfs_is_told_from_a_copy_and_from_a_link() {
        assert!(is_procfs(Path::new("/proc")));
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("proc")).unwrap();
        assert!(!is_procfs(&d.path().join("proc")));
        std::os::unix::fs::symlink("/proc", d.path().join("link")).unwrap();
        assert!(!is_procfs(&d.path().join("link")));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human(limits::TEXT), "256 MiB");
        assert_eq!(human(limits::SNAPSHOT), "1 GiB");
        assert_eq!(human(1000), "1000 bytes");
    }
}
