//! `import run` and `import history`.

use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use comfy_table::CellAlignment;
use serde::Serialize;

use super::{Outcome, write};
use crate::cli::{HistoryArgs, ImportRunArgs, ListFormat};
use crate::config::Config;
use crate::error::Error;
use crate::import::{self, ImportOptions, RunReport};
use crate::report::render;
use crate::store::{RunDetail, RunStatus, RunSummary, Store};

pub fn run(config: &Config, args: &ImportRunArgs, today: NaiveDate, out: &mut dyn Write) -> Result<Outcome, Error> {
    let options = ImportOptions {
        now: args.now,
        profiles: args.profiles.clone(),
        datasets: args.datasets.clone(),
        backfill: args.from.zip(args.to),
        dry_run: args.dry_run,
        concurrency: args.concurrency,
        today,
    };
    let report = import::run(config, &options)?;
    if args.dry_run {
        write(out, &dry_run_table(&report))?;
    }
    Ok(outcome_of(&report))
}

/// Exit 0 for a clean or skipped run, 1 (with the run's message) when a dataset failed.
pub fn outcome_of(report: &RunReport) -> Outcome {
    match report.status {
        RunStatus::CompletedWithErrors | RunStatus::Failed => Outcome::PartlyFailed(format!(
            "import {}: {}",
            report.status.as_str().to_lowercase(),
            report.message.clone().unwrap_or_default()
        )),
        _ => Outcome::Success,
    }
}

fn dry_run_table(report: &RunReport) -> String {
    let mut table = render::new_table([
        "Dataset",
        "Kind",
        "Window",
        "Insert",
        "Update",
        "Delete",
        "Unchanged",
        "Problems",
        "Requests",
    ]);
    for dataset in &report.datasets {
        let numbers = [
            dataset.changes.inserted,
            dataset.changes.updated,
            dataset.changes.deleted,
            dataset.changes.unchanged,
            dataset.problems as u64,
            u64::from(dataset.requests),
        ];
        let mut row = vec![
            comfy_table::Cell::new(dataset.label()),
            comfy_table::Cell::new(dataset.kind),
            comfy_table::Cell::new(format!("{} to {}", dataset.window.from, dataset.window.to)),
        ];
        match &dataset.error {
            Some(error) => row.push(comfy_table::Cell::new(format!("failed: {error}"))),
            None => row.extend(numbers.iter().map(|n| comfy_table::Cell::new(n).set_alignment(CellAlignment::Right))),
        }
        table.add_row(row);
    }
    format!("Dry run: what an import would change (nothing was written)\n{table}\n")
}

/// A run as `import history --format json` shows it.
#[derive(Debug, Serialize)]
struct RunJson<'a> {
    #[serde(flatten)]
    run: &'a RunSummary,
    duration_seconds: Option<f64>,
}

fn duration_seconds(run: &RunSummary) -> Option<f64> {
    let started = DateTime::parse_from_rfc3339(&run.started_at).ok()?;
    let finished = DateTime::parse_from_rfc3339(run.finished_at.as_deref()?).ok()?;
    Some((finished - started).num_milliseconds() as f64 / 1000.0)
}

fn shown_time(stamp: &str) -> String {
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| t.with_timezone(&Utc).format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|_| stamp.to_string())
}

fn shown_duration(run: &RunSummary) -> String {
    match duration_seconds(run) {
        Some(seconds) if seconds < 60.0 => format!("{seconds:.1}s"),
        Some(seconds) => format!("{}m {:02}s", (seconds / 60.0) as u64, (seconds % 60.0) as u64),
        None => "—".to_string(),
    }
}

pub fn history(config: &Config, args: &HistoryArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let store = Store::open_existing(&config.database)?;
    match args.run {
        Some(id) => {
            let Some(detail) = store.run_detail(id)? else {
                return Err(Error::Usage(format!("no run {id} in {}", config.database.display())));
            };
            let text = match args.format {
                ListFormat::Json => render::json(&detail)?,
                ListFormat::Table => detail_text(&detail),
            };
            write(out, &text)?;
        }
        None => {
            let runs = store.runs(args.limit)?;
            let text = match args.format {
                ListFormat::Json => {
                    let listed: Vec<RunJson<'_>> =
                        runs.iter().map(|run| RunJson { run, duration_seconds: duration_seconds(run) }).collect();
                    render::json(&listed)?
                }
                ListFormat::Table => history_table(&runs),
            };
            write(out, &text)?;
        }
    }
    Ok(Outcome::Success)
}

pub fn history_table(runs: &[RunSummary]) -> String {
    if runs.is_empty() {
        return "No import runs yet.\n".to_string();
    }
    let mut table = render::new_table([
        "Run",
        "Started",
        "Duration",
        "Trigger",
        "Status",
        "OK",
        "Failed",
        "Rows",
        "Requests",
        "First error",
    ]);
    for run in runs {
        let error = run.first_error.clone().unwrap_or_default();
        let error = if error.chars().count() > 70 {
            format!("{}…", error.chars().take(70).collect::<String>())
        } else {
            error
        };
        table.add_row(vec![
            comfy_table::Cell::new(run.id).set_alignment(CellAlignment::Right),
            comfy_table::Cell::new(shown_time(&run.started_at)),
            comfy_table::Cell::new(shown_duration(run)).set_alignment(CellAlignment::Right),
            comfy_table::Cell::new(&run.trigger),
            comfy_table::Cell::new(&run.status),
            comfy_table::Cell::new(run.datasets_ok).set_alignment(CellAlignment::Right),
            comfy_table::Cell::new(run.datasets_failed).set_alignment(CellAlignment::Right),
            comfy_table::Cell::new(render::thousands(run.rows_written)).set_alignment(CellAlignment::Right),
            comfy_table::Cell::new(run.requests).set_alignment(CellAlignment::Right),
            comfy_table::Cell::new(error),
        ]);
    }
    format!("{table}\n")
}

fn detail_text(detail: &RunDetail) -> String {
    let run = &detail.summary;
    let mut out = format!(
        "Run {}: {} ({} run, started {}, took {})\n",
        run.id,
        run.status,
        run.trigger,
        shown_time(&run.started_at),
        shown_duration(run)
    );
    if let Some(message) = &run.message {
        out.push_str(&format!("{message}\n"));
    }
    if !detail.datasets.is_empty() {
        let mut table = render::new_table([
            "Dataset",
            "Kind",
            "Status",
            "Window",
            "Inserted",
            "Updated",
            "Deleted",
            "Unchanged",
            "Requests",
            "Problems",
            "Error",
        ]);
        for dataset in &detail.datasets {
            let window = match (&dataset.window_from, &dataset.window_to) {
                (Some(from), Some(to)) => format!("{from} to {to}"),
                _ => "—".to_string(),
            };
            table.add_row(vec![
                comfy_table::Cell::new(format!("{}/{}", dataset.profile, dataset.dataset_id)),
                comfy_table::Cell::new(&dataset.kind),
                comfy_table::Cell::new(&dataset.status),
                comfy_table::Cell::new(window),
                comfy_table::Cell::new(dataset.inserted).set_alignment(CellAlignment::Right),
                comfy_table::Cell::new(dataset.updated).set_alignment(CellAlignment::Right),
                comfy_table::Cell::new(dataset.deleted).set_alignment(CellAlignment::Right),
                comfy_table::Cell::new(dataset.unchanged).set_alignment(CellAlignment::Right),
                comfy_table::Cell::new(dataset.requests).set_alignment(CellAlignment::Right),
                comfy_table::Cell::new(dataset.problems).set_alignment(CellAlignment::Right),
                comfy_table::Cell::new(dataset.error.clone().unwrap_or_default()),
            ]);
        }
        out.push_str(&format!("{table}\n"));
    }
    let (problems, warnings): (Vec<_>, Vec<_>) = detail.notes.iter().partition(|n| n.severity == "problem");
    if !problems.is_empty() {
        out.push_str(&format!("\nProblems ({}): values that could not be used\n", problems.len()));
        for note in problems {
            out.push_str(&format!("  {}/{} {}: {}\n", note.profile, note.dataset_id, note.subject, note.message));
        }
    }
    if !warnings.is_empty() {
        out.push_str(&format!("\nWarnings ({}):\n", warnings.len()));
        for note in warnings {
            out.push_str(&format!("  {}/{}: {}\n", note.profile, note.dataset_id, note.message));
        }
    }
    out
}
