//! `report …`: open the store, build the report, render it in the asked-for format.

use std::io::Write;

use super::{Outcome, write};
use crate::cli::{ReportCommand, ReportFormat, YearArgs};
use crate::config::Config;
use crate::error::Error;
use crate::report::{self, ReportError, Year, render};
use crate::store::Store;

pub fn run(config: &Config, command: ReportCommand, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = Store::open_existing(&config.database)?;
    let text = match command {
        ReportCommand::GateCounts { year, format } => {
            let period = year_of(&year)?.period(config.fiscal);
            let report = report::gate_counts::gate_counts(&store, &period)?;
            match format {
                ReportFormat::Table => render::table(&report),
                ReportFormat::Csv => render::csv(&report)?,
                ReportFormat::Json => render::json(&report)?,
            }
        }
    };
    write(out, &text)?;
    Ok(Outcome::Success)
}

fn year_of(args: &YearArgs) -> Result<Year, ReportError> {
    match (args.year, args.fiscal_year) {
        (Some(year), None) => Ok(Year::Calendar(year)),
        (None, Some(year)) => Ok(Year::Fiscal(year)),
        _ => Err(ReportError::Usage("give --year or --fiscal-year".to_string())),
    }
}
