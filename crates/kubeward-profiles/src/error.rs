//! Errors of this crate: every one names the file, and the line where there is one.

use std::path::Path;

/// Largest profile file read (a real seccomp profile is about 20 KiB, an AppArmor profile less).
pub const MAX_PROFILE_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The OS error is in the message, not chained as a source, so `{:#}` does not print it twice.
    #[error("{path}: cannot read: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error(
        "{path}: the file is larger than {limit} bytes; a profile is a few KiB, so this is not one"
    )]
    TooLarge { path: String, limit: u64 },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: String,
        line: u32,
        column: u32,
        message: String,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: String,
        line: u32,
        message: String,
    },
    #[error("{0}")]
    Usage(String),
}

impl ProfileError {
    pub fn path(&self) -> Option<&str> {
        match self {
            ProfileError::Io { path, .. }
            | ProfileError::TooLarge { path, .. }
            | ProfileError::Syntax { path, .. }
            | ProfileError::Invalid { path, .. } => Some(path),
            ProfileError::Usage(_) => None,
        }
    }
    pub fn line(&self) -> Option<u32> {
        match self {
            ProfileError::Syntax { line, .. } | ProfileError::Invalid { line, .. } => Some(*line),
            _ => None,
        }
    }
    /// The input error for a report: path, line and the message without the location prefix.
    pub fn to_input_error(&self) -> kubeward_core::InputError {
        let message = match self {
            ProfileError::Syntax {
                column, message, ..
            } => format!("column {column}: {message}"),
            ProfileError::Invalid { message, .. } => message.clone(),
            ProfileError::Io { cause, .. } => format!("cannot read: {cause}"),
            ProfileError::TooLarge { limit, .. } => format!(
                "the file is larger than {limit} bytes; a profile is a few KiB, so this is not one"
            ),
            ProfileError::Usage(m) => m.clone(),
        };
        kubeward_core::InputError {
            path: self.path().unwrap_or("-").to_string(),
            line: self.line(),
            message,
        }
    }
}

/// Read a text file, refusing anything over `limit` bytes without reading it all.
pub fn read_bounded(path: &Path, limit: u64) -> Result<String, ProfileError> {
    let shown = path.display().to_string();
    let io = |cause| ProfileError::Io {
        path: shown.clone(),
        cause,
    };
    // Regular files only (a FIFO would block, /dev/zero never end), bounded while reading.
    let buf = match kubeward_core::input::read(path, limit, "a profile") {
        Ok(b) => b,
        Err(kubeward_core::input::ReadError::TooLarge { .. }) => {
            return Err(ProfileError::TooLarge { path: shown, limit });
        }
        Err(kubeward_core::input::ReadError::Io(e)) => return Err(io(e)),
        Err(e) => return Err(io(std::io::Error::other(e.to_string()))),
    };
    String::from_utf8(buf).map_err(|e| ProfileError::Syntax {
        path: shown.clone(),
        line: 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u32,
        column: 1,
        message: "the file is not UTF-8 text".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_file_is_refused_without_reading_it_all() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.json");
        let f = std::fs::File::create(&p).unwrap();
        // A sparse 100 MB file: cheap to make, and the reader must stop after `limit + 1` bytes.
        f.set_len(100 * 1024 * 1024).unwrap();
        let e = read_bounded(&p, MAX_PROFILE_BYTES).unwrap_err();
        assert!(matches!(e, ProfileError::TooLarge { .. }), "{e}");
        assert!(e.to_string().contains("larger than 4194304 bytes"), "{e}");
        let ie = e.to_input_error();
        assert!(
            ie.message.starts_with("the file is larger"),
            "{}",
            ie.message
        );
        assert!(ie.path.ends_with("big.json"));
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = read_bounded(Path::new("/nonexistent/x.json"), 10).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("/nonexistent/x.json: cannot read"),
            "{e}"
        );
        // Through anyhow's `{:#}` (what the CLI prints) the OS reason appears once.
        let shown = format!("{:#}", anyhow_like(e));
        assert_eq!(shown.matches("os error 2").count(), 1, "{shown}");
    }

    /// The error and its source chain joined with ": ", as anyhow's alternate Display does.
    fn anyhow_like(e: ProfileError) -> String {
        let mut s = e.to_string();
        let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(&e);
        while let Some(c) = cur {
            s.push_str(&format!(": {c}"));
            cur = c.source();
        }
        s
    }

    #[test]
    fn binary_is_not_text() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b");
        std::fs::write(&p, b"{\n\xff\xfe}").unwrap();
        let e = read_bounded(&p, 100).unwrap_err().to_string();
        assert!(e.contains(":2:1: the file is not UTF-8"), "{e}");
    }
}
