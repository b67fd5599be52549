//! Why an input (or one document of it) could not be loaded.

use kubeward_core::InputError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read: {0}")]
    Io(String),
    #[error("{what} is {size} bytes, over the {limit}-byte limit (a guard against hostile input)")]
    TooLarge {
        what: &'static str,
        line: Option<u32>,
        size: u64,
        limit: u64,
    },
    #[error("not valid UTF-8 text")]
    NotUtf8 { line: Option<u32> },
    #[error("invalid {format}: {message}")]
    Syntax {
        format: &'static str,
        line: Option<u32>,
        message: String,
    },
    #[error("{0}")]
    Other(String),
}

impl LoadError {
    pub fn line(&self) -> Option<u32> {
        match self {
            LoadError::TooLarge { line, .. }
            | LoadError::NotUtf8 { line }
            | LoadError::Syntax { line, .. } => *line,
            LoadError::Io(_) | LoadError::Other(_) => None,
        }
    }

    /// The report form, naming the file.
    pub fn into_input_error(self, path: &str) -> InputError {
        InputError {
            path: path.to_string(),
            line: self.line(),
            message: self.to_string(),
        }
    }
}
