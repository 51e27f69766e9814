//! `report …`: open the store, build the report, render it in the asked-for format.

use std::io::Write;

use serde::Serialize;

use super::{Outcome, write};
use crate::cli::{ReportCommand, ReportFormat, YearArgs};
use crate::config::Config;
use crate::error::Error;
use crate::report::acrl::TypicalWeek;
use crate::report::provenance::{Configured, Provenance};
use crate::report::{self, Context, ReportError, Tabular, Year, render};
use crate::store::Store;

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
    let text = match command {
        ReportCommand::GateCounts { year, format } => {
            let period = year_of(&year)?.period(config.fiscal);
            rendered(&report::gate_counts::gate_counts(&store, &period, &context)?, format)?
        }
        ReportCommand::Services { year, format } => {
            let period = year_of(&year)?.period(config.fiscal);
            rendered(&report::services::services(&store, &period, &context)?, format)?
        }
        ReportCommand::Acrl { survey_year, typical_week, format } => {
            let method = typical_week.map_or(TypicalWeek::Average, TypicalWeek::Sampled);
            rendered(&report::acrl::acrl(&store, config.fiscal, survey_year, method, &context)?, format)?
        }
        ReportCommand::Ipeds { survey_year, format } => {
            let acrl = report::acrl::acrl(&store, config.fiscal, survey_year, TypicalWeek::Average, &context)?;
            rendered(&report::ipeds::build(&acrl), format)?
        }
    };
    write(out, &text)?;
    Ok(Outcome::Success)
}

fn rendered<R: Tabular + Serialize>(report: &R, format: ReportFormat) -> Result<String, ReportError> {
    match format {
        ReportFormat::Table => Ok(render::table(report)),
        ReportFormat::Csv => render::csv(report),
        ReportFormat::Json => render::json(report),
    }
}

fn year_of(args: &YearArgs) -> Result<Year, ReportError> {
    match (args.year, args.fiscal_year) {
        (Some(year), None) => Ok(Year::Calendar(year)),
        (None, Some(year)) => Ok(Year::Fiscal(year)),
        _ => Err(ReportError::Usage("give --year or --fiscal-year".to_string())),
    }
}
