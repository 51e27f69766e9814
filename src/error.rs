//! The application's error, what each kind means as an exit code, and how a cause chain is
//! written out. `main` prints an [`Error`] once, with [`chain`]; nothing else prints errors.

use crate::config::ConfigError;
use crate::import::ImportError;
use crate::import::lock::LockError;
use crate::report::ReportError;
use crate::sim::SimError;
use crate::sim::fixture::FixtureError;
use crate::store;

/// Exit codes, as the README documents them.
pub mod exit {
    pub const SUCCESS: u8 = 0;
    /// A runtime failure, or a run in which a dataset failed.
    pub const FAILURE: u8 = 1;
    /// A usage or configuration error.
    pub const USAGE: u8 = 2;
    /// Another import holds the lock; try again later (sysexits' EX_TEMPFAIL).
    pub const LOCKED: u8 = 75;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Sim(#[from] SimError),
    #[error(transparent)]
    Fixture(#[from] FixtureError),
    #[error("{0}")]
    Usage(String),
    #[error("cannot write the output")]
    Output(#[source] std::io::Error),
    #[error("cannot write {}", path.display())]
    WriteFile {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_) | Error::Usage(_) | Error::Fixture(_) => exit::USAGE,
            Error::Import(ImportError::Usage(_)) => exit::USAGE,
            Error::Import(ImportError::Lock(LockError::Held { .. })) => exit::LOCKED,
            Error::Report(err) if err.is_usage() => exit::USAGE,
            _ => exit::FAILURE,
        }
    }

    /// Whether this is stdout closing early (`almanac report … | head`), which is not a
    /// failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(err) if err.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// An error and its causes on one line, joined by `: ` (for stored messages and logs).
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // `transparent` wrappers repeat their inner message; say it once.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
