//! The `almanac` binary: parse the command line, start logging, run the command, and turn
//! the result into an exit code. Errors are printed here, once, with their causes.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use almanac::cli::Cli;
use almanac::error::{self, exit};
use almanac::logging::{self, Verbosity};
use almanac::{Outcome, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(Verbosity { verbose: cli.verbose, quiet: cli.quiet }, cli.log_format);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = run(cli, &mut out);
    let _ = out.flush();
    match result {
        Ok(Outcome::Success) => ExitCode::from(exit::SUCCESS),
        Ok(Outcome::PartlyFailed(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(exit::FAILURE)
        }
        Err(err) if err.is_broken_pipe() => ExitCode::from(exit::SUCCESS),
        Err(err) => {
            eprintln!("error: {}", error::chain(&err));
            ExitCode::from(err.exit_code())
        }
    }
}
