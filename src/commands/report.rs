//! `report …`: open the store, build the report, and write it in the asked-for form, to
//! standard output or to `--output FILE`.

use std::io::Write;

use serde::Serialize;

use super::{Outcome, write, write_file};
use crate::cli::{DashboardYear, OutputArgs, ReportCommand, ReportFormat, YearArgs};
use crate::config::Config;
use crate::error::Error;
use crate::report::acrl::TypicalWeek;
use crate::report::dashboard::{self, Dashboard};
use crate::report::provenance::{Configured, Provenance};
use crate::report::{self, Context, ReportError, Tabular, Year, render, xlsx};
use crate::store::{Store, timestamp};

/// The anomaly thresholds and every configured or stored dataset's freshness.
pub fn context(config: &Config, store: &Store) -> Result<Context, Error> {
    let configured: Vec<Configured<'_>> = config
        .profiles
        .iter()
        .filter(|p| p.active)
        .flat_map(|p| p.datasets.iter().map(move |d| (p.name.as_str(), d.id, d.kind_name())))
        .collect();
    Ok(Context { checks: config.checks, provenance: Provenance::gather(store, &configured)? })
}

pub fn run(config: &Config, command: ReportCommand, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = Store::open_existing(&config.database)?;
    let context = context(config, &store)?;
    match command {
        ReportCommand::GateCounts { year, output } => {
            let period = year_of(&year)?.period(config.fiscal);
            emit(&report::gate_counts::gate_counts(&store, &period, &context)?, &output, config, out)
        }
        ReportCommand::Services { year, output } => {
            let period = year_of(&year)?.period(config.fiscal);
            emit(&report::services::services(&store, &period, &context)?, &output, config, out)
        }
        ReportCommand::Acrl { survey_year, typical_week, output } => {
            let method = typical_week.map_or(TypicalWeek::Average, TypicalWeek::Sampled);
            emit(&report::acrl::acrl(&store, config.fiscal, survey_year, method, &context)?, &output, config, out)
        }
        ReportCommand::Ipeds { survey_year, output } => {
            let acrl = report::acrl::acrl(&store, config.fiscal, survey_year, TypicalWeek::Average, &context)?;
            emit(&report::ipeds::build(&acrl), &output, config, out)
        }
        ReportCommand::Dashboard { year, output } => {
            let page = dashboard_page(config, &store, &context, &year)?;
            match output {
                Some(path) => {
                    write_file(&path, page.as_bytes())?;
                    tracing::info!(file = %path.display(), "wrote the dashboard");
                }
                None => write(out, &page)?,
            }
            Ok(Outcome::Success)
        }
    }
}

/// The dashboard of the fiscal year asked for (or the one a survey year reports).
pub fn dashboard_page(
    config: &Config,
    store: &Store,
    context: &Context,
    year: &DashboardYear,
) -> Result<String, Error> {
    let fiscal = config.fiscal;
    let (fiscal_year, survey_year) = match (year.fiscal_year, year.survey_year) {
        (Some(fy), None) => (fy, fiscal.survey_year_of_fiscal(fy)),
        (None, Some(survey)) => (fiscal.fiscal_year_of_survey(survey), survey),
        _ => return Err(Error::Usage("give --fiscal-year or --survey-year".to_string())),
    };
    let period = fiscal.fiscal_year(fiscal_year);
    let gate = report::gate_counts::gate_counts(store, &period, context)?;
    let services = report::services::services(store, &period, context)?;
    let acrl = report::acrl::acrl(store, fiscal, survey_year, TypicalWeek::Average, context)?;
    Ok(dashboard::render(&Dashboard {
        gate: &gate,
        services: &services,
        acrl: &acrl,
        provenance: &context.provenance,
        fiscal_rule: fiscal.rule(),
        generated: timestamp(chrono::Utc::now()),
    }))
}

fn emit<R: Tabular + Serialize>(
    report: &R,
    output: &OutputArgs,
    config: &Config,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let text = match output.format {
        ReportFormat::Xlsx => {
            let Some(path) = &output.output else {
                return Err(Error::Usage("--format xlsx writes a workbook: give --output FILE".to_string()));
            };
            xlsx::write(report, &config.fiscal.rule(), path)?;
            tracing::info!(file = %path.display(), "wrote the workbook");
            return Ok(Outcome::Success);
        }
        ReportFormat::Table => render::table(report),
        ReportFormat::Csv => render::csv(report)?,
        ReportFormat::Json => render::json(report)?,
    };
    match &output.output {
        Some(path) => write_file(path, text.as_bytes())?,
        None => write(out, &text)?,
    }
    Ok(Outcome::Success)
}

fn year_of(args: &YearArgs) -> Result<Year, ReportError> {
    match (args.year, args.fiscal_year) {
        (Some(year), None) => Ok(Year::Calendar(year)),
        (None, Some(year)) => Ok(Year::Fiscal(year)),
        _ => Err(ReportError::Usage("give --year or --fiscal-year".to_string())),
    }
}
