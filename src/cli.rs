//! The command line, as clap definitions and nothing else.
//!
//! Every flag's `///` comment is its `--help` text, written for the person running the tool.
//! No behaviour lives here: `lib::run` turns a parsed [`Cli`] into work.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Imports LibInsight gate counts and reference data into SQLite and reports the ACRL and
/// IPEDS figures.
///
/// Exit codes: 0 success (also "not due yet"), 1 a runtime failure or a run in which a
/// dataset failed, 2 a usage or configuration error, 75 another import holds the lock.
#[derive(Debug, Parser)]
#[command(name = "almanac", version, about, long_about = None)]
pub struct Cli {
    /// The config file [default: $ALMANAC_CONFIG, else ./almanac.toml].
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Say more on stderr: -v info, -vv debug, -vvv trace.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Say nothing on stderr but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// How log lines on stderr look: text for people, json (one object a line) for log
    /// shippers.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import from LibInsight, and show past imports.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Turn the store into the figures a library reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Check the config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run the whole job against a bundled LibInsight simulator, with no account needed.
    Demo(DemoArgs),
    /// Run the LibInsight simulator alone, to try a config or a cron set-up.
    Sim(SimArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for `man -l -` or a man directory.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import the configured datasets: when due (the scheduled run), or at once with --now.
    Run(ImportRunArgs),
    /// List past import runs, newest first.
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct ImportRunArgs {
    /// Run now, whatever the schedule says.
    #[arg(long)]
    pub now: bool,
    /// Import only this profile (repeatable); naming an inactive profile runs it.
    #[arg(long = "profile", value_name = "NAME")]
    pub profiles: Vec<String>,
    /// Import only this dataset id (repeatable).
    #[arg(long = "dataset", value_name = "ID")]
    pub datasets: Vec<u32>,
    /// Backfill from this day (YYYY-MM-DD); needs --to.
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<NaiveDate>,
    /// Backfill through this day (YYYY-MM-DD); needs --from.
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<NaiveDate>,
    /// Fetch and normalize, then say what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How many requests may be in flight at once per profile [default: the profile's
    /// `concurrency`, else 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: Option<u16>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Show at most this many runs.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: u32,
    /// Show one run in full: each dataset's result, its problems and warnings.
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Csv,
    Json,
    /// An Excel workbook; needs --output.
    Xlsx,
}

/// Where a report goes, and in what form.
#[derive(Debug, Args)]
pub struct OutputArgs {
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// A calendar year or a fiscal year, as the report commands take them.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct YearArgs {
    /// The calendar year, January to December.
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,
    /// The fiscal year, named by the year it ends in.
    #[arg(long, value_name = "YYYY")]
    pub fiscal_year: Option<i32>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Visitors by month per library (gate location).
    GateCounts {
        #[command(flatten)]
        year: YearArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Library services to individuals by mode and month (chat, SMS, tickets, FAQ views, …).
    Services {
        #[command(flatten)]
        year: YearArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// The ACRL survey lines for information services and gate counts.
    Acrl {
        /// The survey year; its reporting period is the latest fiscal year ending before
        /// 1 October of that year.
        #[arg(long, value_name = "YYYY")]
        survey_year: i32,
        /// Use the seven days from this day (YYYY-MM-DD, daily data) as the typical week,
        /// instead of the period's average week.
        #[arg(long, value_name = "START_DATE")]
        typical_week: Option<NaiveDate>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// What IPEDS takes from these data (nothing), and the ACRL lines to report instead.
    Ipeds {
        #[arg(long, value_name = "YYYY")]
        survey_year: i32,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// One self-contained HTML page: gate counts, services and the ACRL lines, with charts.
    Dashboard {
        #[command(flatten)]
        year: DashboardYear,
        /// Write the page to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// The dashboard's year: a fiscal year, or the survey year that reports one.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct DashboardYear {
    /// The fiscal year, named by the year it ends in.
    #[arg(long, value_name = "YYYY")]
    pub fiscal_year: Option<i32>,
    /// The ACRL survey year; the dashboard shows the fiscal year it reports.
    #[arg(long, value_name = "YYYY")]
    pub survey_year: Option<i32>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the config and print the resolved profiles and datasets (secrets masked).
    Check {
        /// Also fetch a token for each active profile.
        #[arg(long)]
        online: bool,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the demo's database goes.
    #[arg(long, value_name = "PATH", default_value = "almanac-demo.db")]
    pub db: PathBuf,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// The fixture to serve [default: the bundled demo data].
    #[arg(long, value_name = "PATH")]
    pub fixture: Option<PathBuf>,
    /// The loopback port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub port: u16,
}
