//! One function per command: load what it needs, call the library, write its output.
//!
//! Commands write their output to the writer `main` gives them (stdout) and return an
//! [`Outcome`] or an [`Error`]; they never pick exit codes or print errors themselves.

mod config_check;
mod demo;
mod import;
mod report;

use std::io::Write;
use std::path::Path;

use crate::cli::{Cli, Command, ConfigCommand, ImportCommand};
use crate::config::{self, Config};
use crate::error::Error;

/// How a command that did not fail went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The command ran, but part of it failed (a dataset of an import): exit 1, with this line.
    PartlyFailed(String),
}

/// Runs the parsed command line.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Outcome, Error> {
    let today = chrono::Local::now().date_naive();
    let env = |name: &str| std::env::var(name).ok();
    let load = || load_config(cli.config.as_deref(), &env);
    match cli.command {
        Command::Import(ImportCommand::Run(args)) => import::run(&load()?, &args, today, out),
        Command::Import(ImportCommand::History(args)) => import::history(&load()?, &args, out),
        Command::Report(command) => report::run(&load()?, command, out),
        Command::Config(ConfigCommand::Check { online }) => config_check::run(&load()?, online, out),
        Command::Demo(args) => demo::run(&args.db, today, out),
        Command::Sim(args) => demo::sim(args.fixture.as_deref(), args.port, today, out),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "almanac", out);
            Ok(Outcome::Success)
        }
        Command::Man => {
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(out).map_err(Error::Output)?;
            Ok(Outcome::Success)
        }
    }
}

fn load_config(flag: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, Error> {
    let (path, source) = config::locate(flag, env);
    let config = Config::load(&path, source, env)?;
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    Ok(config)
}

fn write(out: &mut dyn Write, text: &str) -> Result<(), Error> {
    out.write_all(text.as_bytes()).map_err(Error::Output)
}

/// Writes a file whole or not at all: into a temporary file beside it, then renamed.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let fail = |source| Error::WriteFile { path: path.to_path_buf(), source };
    let mut temporary = path.as_os_str().to_os_string();
    temporary.push(format!(".{}.partial", std::process::id()));
    let temporary = std::path::PathBuf::from(temporary);
    std::fs::write(&temporary, bytes).map_err(fail)?;
    std::fs::rename(&temporary, path).map_err(|err| {
        let _ = std::fs::remove_file(&temporary);
        fail(err)
    })
}

/// A path as the user should see it.
fn shown(path: &Path) -> String {
    path.display().to_string()
}
