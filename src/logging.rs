//! Logging to stderr with tracing: how much (from `-v`/`-q` and whether stderr is a
//! terminal) and how it looks (text for people, one JSON object a line for log shippers).
//!
//! Only almanac's own events pass below `warn`: the HTTP stack's trace output could carry
//! headers, and headers carry tokens.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

/// How loud the tool is.
#[derive(Debug, Clone, Copy)]
pub struct Verbosity {
    pub verbose: u8,
    pub quiet: bool,
}

/// Installs the global subscriber. On a terminal the default shows progress (info); under
/// cron (stderr not a terminal) only warnings and errors, so a successful run is silent.
pub fn init(verbosity: Verbosity, format: LogFormat) {
    let terminal = std::io::stderr().is_terminal();
    let level = match (verbosity.quiet, verbosity.verbose) {
        (true, _) => "error",
        (false, 0) if terminal => "info",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    let others = if verbosity.quiet { "error" } else { "warn" };
    let filter = EnvFilter::new(format!("{others},almanac={level}"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    // A second init (tests calling `run` twice) keeps the first subscriber.
    let _ = match format {
        LogFormat::Text => builder.with_ansi(terminal).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).with_span_list(false).try_init(),
    };
}
