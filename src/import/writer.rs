//! The single writer: one thread that owns the store during an import, stages rows as the
//! fetchers send them, and swaps each dataset's window in when its fetcher says it is done.
//!
//! Fetchers never touch SQLite; they send [`Message`]s over a bounded channel, so a slow disk
//! slows the fetchers down instead of letting pages pile up in memory.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use tokio::sync::{mpsc, oneshot};

use crate::model::{GateVisits, Library, Problem, ProblemKey, ServiceCount, ServiceRecord};
use crate::store::{self, ChangeCounts, DatasetIdentity, DatasetResult, Store};

/// How many messages may wait for the writer.
pub const CHANNEL_CAPACITY: usize = 32;

#[derive(Debug)]
pub enum Message {
    Libraries {
        job: u32,
        rows: Vec<Library>,
    },
    Gate {
        job: u32,
        rows: Vec<GateVisits>,
    },
    Services {
        job: u32,
        rows: Vec<ServiceCount>,
    },
    Records {
        job: u32,
        rows: Vec<ServiceRecord>,
    },
    Keep {
        job: u32,
        keys: Vec<ProblemKey>,
    },
    /// The dataset is complete (or failed); the swap's result goes back on `reply`.
    Finish {
        finish: Box<Finish>,
        reply: oneshot::Sender<Result<Committed, store::Error>>,
    },
}

/// A dataset's end: what it came to.
#[derive(Debug)]
pub struct Finish {
    pub job: u32,
    pub identity: Identity,
    pub window: (NaiveDate, NaiveDate),
    pub bookmark: NaiveDate,
    pub requests: u32,
    pub problems: Vec<Problem>,
    pub warnings: Vec<String>,
    /// Set when the dataset failed; its staged rows are then dropped.
    pub failure: Option<String>,
}

/// An owned [`DatasetIdentity`].
#[derive(Debug, Clone)]
pub struct Identity {
    pub profile: String,
    pub dataset_id: u32,
    pub kind: &'static str,
    pub counts_as: &'static str,
}

impl Identity {
    fn borrowed(&self) -> DatasetIdentity<'_> {
        DatasetIdentity {
            profile: &self.profile,
            dataset_id: self.dataset_id,
            kind: self.kind,
            counts_as: self.counts_as,
        }
    }
}

/// What the writer did with a finished dataset.
#[derive(Debug, Clone, Default)]
pub struct Committed {
    pub changes: ChangeCounts,
    /// Problems the writer found (records sent twice with different values).
    pub problems: Vec<Problem>,
}

/// How the writer treats finished datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Swap windows in and record results under this run.
    Commit { run: i64 },
    /// Compare only; write nothing.
    DryRun,
}

/// Per-job notes the writer keeps between messages.
#[derive(Default)]
struct JobState {
    conflicting: Vec<i64>,
    error: Option<store::Error>,
}

/// Runs until every sender is dropped.
pub fn run(store: &mut Store, mode: Mode, mut messages: mpsc::Receiver<Message>) {
    let mut jobs: HashMap<u32, JobState> = HashMap::new();
    while let Some(message) = messages.blocking_recv() {
        let (job, staged) = match message {
            Message::Libraries { job, rows } => (job, store.stage_libraries(job, &rows)),
            Message::Gate { job, rows } => (job, store.stage_gate_visits(job, &rows)),
            Message::Services { job, rows } => (job, store.stage_service_counts(job, &rows)),
            Message::Keep { job, keys } => (job, store.stage_kept(job, &keys)),
            Message::Records { job, rows } => match store.stage_service_records(job, &rows) {
                Ok(outcome) => {
                    jobs.entry(job).or_default().conflicting.extend(outcome.conflicting_duplicates);
                    (job, Ok(()))
                }
                Err(err) => (job, Err(err)),
            },
            Message::Finish { finish, reply } => {
                let state = jobs.remove(&finish.job).unwrap_or_default();
                let _ = reply.send(finish_job(store, mode, *finish, state));
                continue;
            }
        };
        if let Err(err) = staged {
            let state = jobs.entry(job).or_default();
            if state.error.is_none() {
                state.error = Some(err);
            }
        }
    }
}

fn finish_job(store: &mut Store, mode: Mode, finish: Finish, state: JobState) -> Result<Committed, store::Error> {
    let writer_problems: Vec<Problem> = state
        .conflicting
        .iter()
        .map(|id| Problem {
            subject: format!("record {id}"),
            reason: "the record was sent twice with different values; the first is kept".to_string(),
            key: None,
        })
        .collect();
    let outcome = match (state.error, &finish.failure) {
        (Some(err), _) => Err(err),
        (None, Some(failure)) => match mode {
            Mode::Commit { run } => store
                .record_dataset_failure(
                    run,
                    finish.identity.borrowed(),
                    Some(finish.window),
                    finish.requests,
                    &finish.problems,
                    failure,
                    Utc::now(),
                )
                .map(|()| ChangeCounts::default()),
            Mode::DryRun => Ok(ChangeCounts::default()),
        },
        (None, None) => match mode {
            Mode::DryRun => {
                store.diff_dataset(finish.job, finish.identity.borrowed(), finish.window.0, finish.window.1)
            }
            Mode::Commit { run } => {
                let mut problems = finish.problems.clone();
                problems.extend(writer_problems.iter().cloned());
                let result = DatasetResult {
                    run,
                    from: finish.window.0,
                    to: finish.window.1,
                    requests: finish.requests,
                    problems: &problems,
                    warnings: &finish.warnings,
                    bookmark: finish.bookmark,
                    now: Utc::now(),
                };
                store.commit_dataset(finish.job, finish.identity.borrowed(), &result)
            }
        },
    };
    let discarded = store.discard_stage(finish.job);
    let changes = outcome?;
    discarded?;
    Ok(Committed { changes, problems: writer_problems })
}
