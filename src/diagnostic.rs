//! A problem with one place in one input, printed as `file:line: message`.
//! A leaf: every reader and every consumer of diagnostics share it without importing each other.

use std::fmt;

/// A problem with one place in one input; line 0 means the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: &str, line: u64, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}
