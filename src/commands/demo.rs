//! `demo` and `sim`: the bundled simulator, alone or with a real import and reports.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;

use super::{Outcome, write};
use crate::cli::DashboardYear;
use crate::config::Config;
use crate::error::Error;
use crate::import::{self, ImportOptions};
use crate::report::acrl::TypicalWeek;
use crate::report::{self, render};
use crate::sim::{Fixture, SimHandle, demo};
use crate::store::Store;

/// The demo's config, as the TOML a user would write.
fn demo_config(database: &Path, base_url: &str, backfill_from: NaiveDate) -> Result<Config, Error> {
    let text = format!(
        r#"database = "{database}"
fiscal_year_start_month = 7

[schedule]
every = "24h"

[[profile]]
name = "demo"
base_url = "{base_url}"
client_id = "{client_id}"
client_secret = "{client_secret}"
backfill_from = "{backfill_from}"

  [[profile.dataset]]
  id = {gate}
  kind = "gate-count"
  granularity = "day"

  [[profile.dataset]]
  id = {reference}
  kind = "reference"
  granularity = "month"

  [[profile.dataset]]
  id = {desk}
  kind = "custom"
  mode_field = "Mode"
  mode_map = {{ "Walk-in" = "in_person", "Phone" = "phone", "Roving" = "in_person" }}
  count_field = "Number of questions"
  exclude = {{ "Question Type" = ["Directional"] }}

  [[profile.dataset]]
  id = {consultations}
  kind = "custom"
  mode_field = "Format"
  mode_map = {{ "In person" = "in_person", "Zoom" = "video" }}
  counts_as = "consultations"
"#,
        database = database.display().to_string().replace('\\', "\\\\").replace('"', "\\\""),
        client_id = demo::CLIENT_ID,
        client_secret = demo::CLIENT_SECRET,
        gate = demo::GATE_DATASET,
        reference = demo::REFERENCE_DATASET,
        desk = demo::DESK_DATASET,
        consultations = demo::CONSULTATION_DATASET,
    );
    Ok(Config::from_toml(&text, Path::new("(demo config)"), &|_| None)?)
}

pub fn run(db: &Path, today: NaiveDate, out: &mut dyn Write) -> Result<Outcome, Error> {
    let started = std::time::Instant::now();
    let database = std::path::absolute(db).unwrap_or_else(|_| db.to_path_buf());
    let sim = SimHandle::start(demo::fixture(today), 0)?;
    tracing::info!(url = %sim.base_url(), "started the LibInsight simulator");
    let config = demo_config(&database, &sim.base_url(), demo::first_day(today))?;
    let options = ImportOptions {
        now: true,
        profiles: Vec::new(),
        datasets: Vec::new(),
        backfill: None,
        dry_run: false,
        concurrency: None,
        today,
    };
    let run_report = import::run(&config, &options)?;
    drop(sim);

    let store = Store::open_existing(&config.database)?;
    let context = super::report::context(&config, &store)?;
    write(out, &format!("Imported from a simulated LibInsight into {}\n\n", database.display()))?;
    write(out, &super::import::history_table(&store.runs(5)?))?;
    let fiscal_year = config.fiscal.last_complete_fiscal_year(today);
    let period = config.fiscal.fiscal_year(fiscal_year);
    let gate = report::gate_counts::gate_counts(&store, &period, &context)?;
    write(out, &format!("\n{}", render::table(&gate)))?;
    let services = report::services::services(&store, &period, &context)?;
    write(out, &format!("\n{}", render::table(&services)))?;
    let survey_year = config.fiscal.last_complete_survey_year(today);
    let acrl = report::acrl::acrl(&store, config.fiscal, survey_year, TypicalWeek::Average, &context)?;
    write(out, &format!("\n{}", render::table(&acrl)))?;
    let page = super::report::dashboard_page(
        &config,
        &store,
        &context,
        &DashboardYear { fiscal_year: Some(fiscal_year), survey_year: None },
    )?;
    let html = database.with_file_name("almanac-demo.html");
    super::write_file(&html, page.as_bytes())?;
    write(
        out,
        &format!(
            "\nThe dashboard of {} is in {} (open it in a browser).\nDemo finished in {:.1}s.\n",
            period.label,
            html.display(),
            started.elapsed().as_secs_f64()
        ),
    )?;
    Ok(super::import::outcome_of(&run_report))
}

pub fn sim(fixture: Option<&Path>, port: u16, today: NaiveDate, out: &mut dyn Write) -> Result<Outcome, Error> {
    let fixture = match fixture {
        Some(path) => Fixture::load(path)?,
        None => demo::fixture(today),
    };
    let clients: Vec<String> = fixture
        .clients
        .iter()
        .map(|c| format!("client_id = \"{}\", client_secret = \"{}\"", c.client_id, c.client_secret))
        .collect();
    let handle = SimHandle::start(fixture, port)?;
    write(
        out,
        &format!(
            "{}\nLibInsight simulator listening; use base_url = \"{}\" in a profile ({}). Stop it with Ctrl-C.\n",
            handle.base_url(),
            handle.base_url(),
            clients.join("; ")
        ),
    )?;
    out.flush().map_err(Error::Output)?;
    handle.wait();
    Ok(Outcome::Success)
}
