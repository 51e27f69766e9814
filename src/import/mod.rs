//! One `import run`: the lock, the schedule, each dataset's window, the fetchers and the
//! single writer, and the run's record.
//!
//! Datasets are fetched concurrently (each profile's client keeps at most `concurrency`
//! requests in flight); one writer thread stages their rows and swaps each dataset's window
//! in a single transaction when it is complete. A dataset that fails leaves its stored rows
//! as they were and the others carry on. Importing the same window twice changes nothing.
//!
//! This module prints nothing: progress and summaries are tracing events, and the caller gets
//! a [`RunReport`] to show and to pick an exit code from.

mod fetch;
pub mod lock;
pub mod plan;
mod writer;

use std::path::Path;

use chrono::{NaiveDate, Utc};
use futures_util::future::join_all;
use tokio::sync::{mpsc, oneshot};

use crate::config::{Config, CountsAs, DatasetConfig, DatasetKind, Profile};
use crate::libinsight::{self, Client, RequestCounter};
use crate::store::{self, ChangeCounts, RunStatus, Store, Trigger};
use fetch::DatasetFetch;
use lock::{ImportLock, LockError};
use plan::{Window, WindowInputs};
use writer::{Committed, Finish, Identity, Message, Mode};

/// What `import run` was asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Run whatever the schedule says.
    pub now: bool,
    pub profiles: Vec<String>,
    pub datasets: Vec<u32>,
    /// `--from`/`--to`.
    pub backfill: Option<(NaiveDate, NaiveDate)>,
    pub dry_run: bool,
    pub concurrency: Option<u16>,
    pub today: NaiveDate,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Client(#[from] libinsight::Error),
    #[error("cannot start the import's runtime")]
    Runtime(#[source] std::io::Error),
    #[error("the import's writer stopped unexpectedly")]
    WriterPanicked,
}

/// How a run went, for the caller to show.
#[derive(Debug)]
pub struct RunReport {
    /// `None` for a dry run, which records nothing.
    pub run: Option<i64>,
    pub status: RunStatus,
    pub message: Option<String>,
    pub datasets: Vec<DatasetReport>,
}

/// How one dataset went.
#[derive(Debug)]
pub struct DatasetReport {
    pub profile: String,
    pub dataset_id: u32,
    pub kind: &'static str,
    pub window: Window,
    pub requests: u32,
    pub changes: ChangeCounts,
    pub problems: usize,
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

impl DatasetReport {
    pub fn label(&self) -> String {
        format!("{}/{}", self.profile, self.dataset_id)
    }
}

/// A selected dataset with everything its fetch needs.
struct Job<'a> {
    job: u32,
    profile: &'a Profile,
    dataset: &'a DatasetConfig,
    client: &'a Client,
    window: Window,
    stored_libraries: Vec<crate::model::Library>,
    bookmark: NaiveDate,
    concurrency: usize,
}

/// Runs an import as `options` say.
pub fn run(config: &Config, options: &ImportOptions) -> Result<RunReport, ImportError> {
    if let Some((from, to)) = options.backfill
        && from > to
    {
        return Err(ImportError::Usage(format!("`--from` {from} is after `--to` {to}")));
    }
    let selected = select(config, options)?;
    let _lock = if options.dry_run { None } else { Some(ImportLock::acquire(&config.database)?) };
    let mut store = open_store(&config.database, options.dry_run)?;
    let started = Utc::now();
    if !options.dry_run {
        let closed = store.close_interrupted_runs(started)?;
        if closed > 0 {
            tracing::warn!(runs = closed, "closed runs left running by an importer that stopped");
        }
    }
    let scheduled = !options.now && options.backfill.is_none() && !options.dry_run;
    if scheduled && let Some(last) = store.last_successful_run_start()? {
        let since = (started - last).to_std().unwrap_or_default();
        if since < config.schedule_every {
            let message = format!(
                "not due: the last successful run started {} ago, less than the schedule's {}",
                humanize(since),
                humanize(config.schedule_every)
            );
            let run = store.record_skipped_run(&message, started)?;
            tracing::info!("{message}");
            return Ok(RunReport {
                run: Some(run),
                status: RunStatus::SkippedNotDue,
                message: Some(message),
                datasets: Vec::new(),
            });
        }
    }
    let trigger = if scheduled { Trigger::Scheduled } else { Trigger::Manual };
    let run = if options.dry_run { None } else { Some(store.begin_run(trigger, started)?) };

    let clients = selected
        .iter()
        .map(|(profile, _)| *profile)
        .fold(Vec::<&Profile>::new(), |mut unique, profile| {
            if !unique.iter().any(|p| p.name == profile.name) {
                unique.push(profile);
            }
            unique
        })
        .into_iter()
        .map(|profile| {
            let concurrency = options.concurrency.unwrap_or(profile.http.concurrency);
            Client::new(profile, concurrency).map(|client| (profile.name.clone(), client))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut jobs = Vec::new();
    for (index, (profile, dataset)) in selected.iter().enumerate() {
        let bookmark = store.bookmark(&profile.name, dataset.id)?;
        let stored_libraries = match dataset.kind {
            DatasetKind::GateCount { .. } => store.dataset_libraries(&profile.name, dataset.id)?,
            _ => Vec::new(),
        };
        let granularity = match dataset.kind {
            DatasetKind::GateCount { granularity } | DatasetKind::Reference { granularity } => Some(granularity),
            DatasetKind::Custom(_) => None,
        };
        let window = plan::window(WindowInputs {
            today: options.today,
            fiscal: config.fiscal,
            bookmark,
            backfill_from: profile.backfill_from,
            backfill: options.backfill,
            granularity,
        });
        let Some((_, client)) = clients.iter().find(|(name, _)| *name == profile.name) else {
            continue;
        };
        jobs.push(Job {
            job: u32::try_from(index).unwrap_or(u32::MAX),
            profile,
            dataset,
            client,
            window,
            stored_libraries,
            bookmark: window.to.min(options.today),
            concurrency: usize::from(options.concurrency.unwrap_or(profile.http.concurrency).max(1)),
        });
    }

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(ImportError::Runtime)?;
    let mode = match run {
        Some(run) => Mode::Commit { run },
        None => Mode::DryRun,
    };
    let (tx, rx) = mpsc::channel(writer::CHANNEL_CAPACITY);
    let reports = std::thread::scope(|scope| {
        let writer = scope.spawn(|| writer::run(&mut store, mode, rx));
        let reports = runtime.block_on(join_all(jobs.iter().map(|job| import_dataset(job, tx.clone()))));
        drop(tx);
        writer.join().map(|()| reports)
    })
    .map_err(|_| ImportError::WriterPanicked)?;

    let n_failed = reports.iter().filter(|r| r.error.is_some()).count();
    let status = match n_failed {
        0 => RunStatus::CompletedSuccessfully,
        n if n == reports.len() => RunStatus::Failed,
        _ => RunStatus::CompletedWithErrors,
    };
    let message = (n_failed > 0).then(|| {
        let first = reports.iter().find_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.label())));
        format!("{} of {} datasets failed; first: {}", n_failed, reports.len(), first.unwrap_or_default())
    });
    for report in &reports {
        log_summary(report);
    }
    if let Some(run) = run {
        store.finish_run(run, status, message.as_deref(), Utc::now())?;
        if let Err(err) = store.checkpoint() {
            tracing::debug!(error = %err, "could not checkpoint the write-ahead log");
        }
    }
    Ok(RunReport { run, status, message, datasets: reports })
}

/// The (profile, dataset) pairs a run imports: active profiles, or the named ones; all their
/// datasets, or the named ones.
fn select<'a>(
    config: &'a Config,
    options: &ImportOptions,
) -> Result<Vec<(&'a Profile, &'a DatasetConfig)>, ImportError> {
    let profiles: Vec<&Profile> = if options.profiles.is_empty() {
        config.profiles.iter().filter(|p| p.active).collect()
    } else {
        let mut named = Vec::new();
        for name in &options.profiles {
            match config.profiles.iter().find(|p| &p.name == name) {
                Some(profile) => named.push(profile),
                None => {
                    let known: Vec<&str> = config.profiles.iter().map(|p| p.name.as_str()).collect();
                    return Err(ImportError::Usage(format!(
                        "no profile named `{name}` in {} (profiles: {})",
                        config.path.display(),
                        if known.is_empty() { "none".to_string() } else { known.join(", ") }
                    )));
                }
            }
        }
        named
    };
    let mut selected = Vec::new();
    for profile in profiles {
        for dataset in &profile.datasets {
            if options.datasets.is_empty() || options.datasets.contains(&dataset.id) {
                selected.push((profile, dataset));
            }
        }
    }
    for id in &options.datasets {
        if !selected.iter().any(|(_, d)| d.id == *id) {
            return Err(ImportError::Usage(format!(
                "dataset {id} is not in any selected profile of {}",
                config.path.display()
            )));
        }
    }
    if selected.is_empty() {
        return Err(ImportError::Usage(format!(
            "nothing to import: no active profile in {} has datasets",
            config.path.display()
        )));
    }
    Ok(selected)
}

fn open_store(path: &Path, dry_run: bool) -> Result<Store, store::Error> {
    if !dry_run {
        return Store::open(path);
    }
    if path.exists() { Store::open_read_only(path) } else { Store::open_in_memory() }
}

async fn import_dataset(job: &Job<'_>, tx: mpsc::Sender<Message>) -> DatasetReport {
    let label = format!("{}/{}", job.profile.name, job.dataset.id);
    tracing::info!(dataset = %label, kind = job.dataset.kind_name(), "importing {} to {}", job.window.from, job.window.to);
    let counter = RequestCounter::default();
    let fetch = DatasetFetch {
        job: job.job,
        dataset_id: job.dataset.id,
        kind: &job.dataset.kind,
        client: job.client,
        window: job.window,
        stored_libraries: job.stored_libraries.clone(),
        concurrency: job.concurrency,
    };
    let (fetched, failure) = match fetch.run(&counter, &tx).await {
        Ok(fetched) => (fetched, None),
        Err(err) => (fetch::Fetched::default(), Some(crate::error::chain(&err))),
    };
    let counts_as = match &job.dataset.kind {
        DatasetKind::Custom(mapping) => mapping.counts_as,
        _ => CountsAs::Transactions,
    };
    let finish = Finish {
        job: job.job,
        identity: Identity {
            profile: job.profile.name.clone(),
            dataset_id: job.dataset.id,
            kind: job.dataset.kind_name(),
            counts_as: counts_as.as_str(),
        },
        window: (job.window.from, job.window.to),
        bookmark: job.bookmark,
        requests: counter.get(),
        problems: fetched.problems.clone(),
        warnings: fetched.warnings.clone(),
        failure: failure.clone(),
    };
    let (reply_tx, reply_rx) = oneshot::channel();
    let committed: Result<Committed, String> =
        match tx.send(Message::Finish { finish: Box::new(finish), reply: reply_tx }).await {
            Ok(()) => match reply_rx.await {
                Ok(Ok(committed)) => Ok(committed),
                Ok(Err(err)) => Err(crate::error::chain(&err)),
                Err(_) => Err("the writer stopped before the dataset was stored".to_string()),
            },
            Err(_) => Err("the writer stopped before the dataset was stored".to_string()),
        };
    let (changes, writer_problems, error) = match (committed, failure) {
        (_, Some(failure)) => (ChangeCounts::default(), 0, Some(failure)),
        (Ok(committed), None) => (committed.changes, committed.problems.len(), None),
        (Err(err), None) => (ChangeCounts::default(), 0, Some(err)),
    };
    DatasetReport {
        profile: job.profile.name.clone(),
        dataset_id: job.dataset.id,
        kind: job.dataset.kind_name(),
        window: job.window,
        requests: counter.get(),
        changes,
        problems: fetched.problems.len() + writer_problems,
        warnings: fetched.warnings,
        error,
    }
}

fn log_summary(report: &DatasetReport) {
    let label = report.label();
    match &report.error {
        Some(error) => {
            tracing::error!(dataset = %label, requests = report.requests, "failed: {error}")
        }
        None => {
            tracing::info!(
                dataset = %label,
                inserted = report.changes.inserted,
                updated = report.changes.updated,
                deleted = report.changes.deleted,
                unchanged = report.changes.unchanged,
                problems = report.problems,
                "imported {} to {}: {} rows written, {} requests",
                report.window.from,
                report.window.to,
                report.changes.written(),
                report.requests
            );
            for warning in &report.warnings {
                tracing::warn!(dataset = %label, "{warning}");
            }
            if report.problems > 0 {
                tracing::warn!(
                    dataset = %label,
                    problems = report.problems,
                    "{} values could not be used; see `almanac import history --run ID`",
                    report.problems
                );
            }
        }
    }
}

/// `90061 s` → `1d 1h 1m`.
fn humanize(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days}d"));
    }
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if minutes > 0 {
        parts.push(format!("{minutes}m"));
    }
    if parts.is_empty() {
        parts.push(format!("{}s", seconds));
    }
    parts.join(" ")
}
