//! A configuration file's text, and the errors that name its path and line.

use std::fmt;
use std::path::{Path, PathBuf};

/// A configuration file that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Builds [`ConfigError`]s for one file, turning byte offsets into line numbers.
pub(crate) struct SourceFile<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl SourceFile<'_> {
    pub fn error_at(&self, offset: Option<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.path.to_path_buf(),
            line: offset.map(|o| line_of(self.text, o)),
            message: message.into(),
        }
    }

    pub fn error_span(&self, span: &std::ops::Range<usize>, message: impl Into<String>) -> ConfigError {
        self.error_at(Some(span.start), message)
    }

    /// Parses the TOML into `T`, reporting syntax and type errors with their line.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, ConfigError> {
        toml::from_str(self.text).map_err(|e| {
            let message = e.message().trim().to_string();
            self.error_at(e.span().map(|s| s.start), message)
        })
    }
}

pub(super) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}
