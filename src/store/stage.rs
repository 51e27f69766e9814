//! Staging and the window swap.
//!
//! While a dataset is being fetched its rows go, page by page, into temporary tables of its
//! own (named by the import's job number); nothing in the real tables changes. When the dataset is complete,
//! [`Store::commit_dataset`] replaces the dataset's window in one transaction: rows LibInsight
//! sent are inserted or updated (only if different), rows of the window it no longer has are
//! deleted (unless a problem stands in for them), and the bookmark and the per-dataset result
//! are written in the same transaction. A failed dataset only loses its staging rows.
//!
//! The temporary database is a file (`temp_store = FILE`), so a long backfill is not held in
//! memory; a job's tables are dropped whole once its dataset is swapped in or has failed
//! (dropping costs far less than deleting rows, and keeps the temporary B-trees small).

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, TransactionBehavior, params, params_from_iter};

use super::{Doing, Error, Store, timestamp};
use crate::model::{GateVisits, Library, Problem, ProblemKey, ServiceCount, ServiceRecord};

/// Which dataset a job's rows belong to.
#[derive(Debug, Clone, Copy)]
pub struct DatasetIdentity<'a> {
    pub profile: &'a str,
    pub dataset_id: u32,
    /// `gate-count`, `reference` or `custom`.
    pub kind: &'static str,
    /// `transactions` or `consultations`.
    pub counts_as: &'static str,
}

/// What a window swap did (or, for a dry run, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangeCounts {
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
}

impl ChangeCounts {
    /// Rows written: inserted, updated and deleted.
    pub fn written(&self) -> u64 {
        self.inserted + self.updated + self.deleted
    }
}

/// What staging a page of records found about duplicates. Records staged before with the
/// same values (a page boundary that shifted) are simply skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StageOutcome {
    /// Records already staged with other values: the first one is kept.
    pub conflicting_duplicates: Vec<i64>,
}

/// Everything recorded with a dataset's window swap.
#[derive(Debug)]
pub struct DatasetResult<'a> {
    pub run: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub requests: u32,
    pub problems: &'a [Problem],
    pub warnings: &'a [String],
    /// Moves the bookmark forward to this day (never back).
    pub bookmark: NaiveDate,
    pub now: DateTime<Utc>,
}

/// How one kind of data maps onto its stored table and its staging table.
struct Target {
    table: &'static str,
    /// The job's staging table is `temp.job<N>_<stage>`.
    stage: &'static str,
    keys: &'static [&'static str],
    values: &'static [&'static str],
    /// The column the window is a range of.
    period: &'static str,
    /// Columns of the job's `keep` table that must match the keys for a stored row to be kept.
    keep: &'static [&'static str],
}

const GATE: Target = Target {
    table: "gate_visits",
    stage: "gate",
    keys: &["library_id", "period"],
    values: &["grain", "halves"],
    period: "period",
    keep: &["library_id", "period"],
};

const SERVICE: Target = Target {
    table: "service_count",
    stage: "service",
    keys: &["period", "mode"],
    values: &["grain", "count"],
    period: "period",
    keep: &["period", "mode"],
};

const RECORD: Target = Target {
    table: "service_record",
    stage: "record",
    keys: &["record_id"],
    values: &["day", "mode", "count"],
    period: "day",
    keep: &["record_id"],
};

fn target_of(kind: &str) -> &'static Target {
    match kind {
        "gate-count" => &GATE,
        "reference" => &SERVICE,
        _ => &RECORD,
    }
}

/// The name of one of a job's staging tables.
fn staged(job: u32, what: &str) -> String {
    format!("temp.job{job}_{what}")
}

/// A job's staging tables, shaped like the stored tables without the dataset column.
fn job_tables_sql(job: u32) -> String {
    let t = |what| staged(job, what);
    format!(
        "CREATE TABLE {library} (library_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE {gate} (library_id INTEGER NOT NULL, period TEXT NOT NULL, grain TEXT NOT NULL,
             halves INTEGER NOT NULL, PRIMARY KEY (library_id, period)) WITHOUT ROWID;
         CREATE TABLE {service} (period TEXT NOT NULL, grain TEXT NOT NULL, mode TEXT NOT NULL,
             count INTEGER NOT NULL, PRIMARY KEY (period, mode)) WITHOUT ROWID;
         CREATE TABLE {record} (record_id INTEGER PRIMARY KEY, day TEXT NOT NULL, mode TEXT NOT NULL,
             count INTEGER NOT NULL);
         CREATE TABLE {keep} (library_id INTEGER, period TEXT, mode TEXT, record_id INTEGER);",
        library = t("library"),
        gate = t("gate"),
        service = t("service"),
        record = t("record"),
        keep = t("keep"),
    )
}

const JOB_TABLES: [&str; 5] = ["library", "gate", "service", "record", "keep"];

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Rows per multi-row `INSERT` when staging: one statement per page of records.
const BATCH: usize = 100;

/// Stages `rows` with multi-row `INSERT … VALUES (…), (…)` statements of [`BATCH`] rows (the
/// rest one by one), and returns how many rows were inserted. `insert` is the statement's
/// head (`INSERT INTO t (a, b)`), `tail` what follows the values (`ON CONFLICT …`), `bind`
/// pushes one row's values in column order.
fn insert_batched<R>(
    tx: &rusqlite::Connection,
    insert: &str,
    columns: usize,
    tail: &str,
    rows: &[R],
    bind: impl Fn(&R, &mut Vec<Value>),
    doing: &'static str,
) -> Result<usize, Error> {
    let one_row = format!("({})", vec!["?"; columns].join(", "));
    let batched_sql = format!("{insert} VALUES {} {tail}", vec![one_row.as_str(); BATCH].join(", "));
    let single_sql = format!("{insert} VALUES {one_row} {tail}");
    let mut inserted = 0;
    let mut values = Vec::with_capacity(BATCH * columns);
    let mut chunks = rows.chunks_exact(BATCH);
    for chunk in chunks.by_ref() {
        values.clear();
        for row in chunk {
            bind(row, &mut values);
        }
        let mut statement = tx.prepare_cached(&batched_sql).doing(doing)?;
        inserted += statement.execute(params_from_iter(values.drain(..))).doing(doing)?;
    }
    let mut statement = tx.prepare_cached(&single_sql).doing(doing)?;
    for row in chunks.remainder() {
        values.clear();
        bind(row, &mut values);
        inserted += statement.execute(params_from_iter(values.drain(..))).doing(doing)?;
    }
    Ok(inserted)
}

impl Store {
    fn ensure_job_tables(&mut self, job: u32) -> Result<(), Error> {
        if self.staged_jobs.insert(job) {
            self.conn.execute_batch(&job_tables_sql(job)).doing("creating staging tables")?;
        }
        Ok(())
    }

    /// Runs `body` in a transaction that touches only the job's temporary tables. One per
    /// page: a transaction kept open across pages was slower (the temporary database then
    /// spills and journals).
    fn in_stage_transaction<T>(
        &mut self,
        job: u32,
        body: impl FnOnce(&rusqlite::Connection) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.ensure_job_tables(job)?;
        let tx = self.conn.transaction().doing("starting a staging transaction")?;
        let value = body(&tx)?;
        tx.commit().doing("committing staged rows")?;
        Ok(value)
    }

    /// Drops a job's staging tables (after its swap, or when its dataset failed).
    pub fn discard_stage(&mut self, job: u32) -> Result<(), Error> {
        if self.staged_jobs.remove(&job) {
            let drops: String =
                JOB_TABLES.iter().map(|what| format!("DROP TABLE IF EXISTS {};", staged(job, what))).collect();
            self.conn.execute_batch(&drops).doing("dropping staging tables")?;
        }
        Ok(())
    }

    pub fn stage_libraries(&mut self, job: u32, libraries: &[Library]) -> Result<(), Error> {
        self.in_stage_transaction(job, |tx| {
            let mut insert = tx
                .prepare_cached(&format!(
                    "INSERT INTO {} (library_id, name) VALUES (?1, ?2)
                     ON CONFLICT (library_id) DO UPDATE SET name = excluded.name",
                    staged(job, "library")
                ))
                .doing("staging libraries")?;
            for library in libraries {
                insert.execute(params![library.id, library.name]).doing("staging libraries")?;
            }
            Ok(())
        })
    }

    pub fn stage_gate_visits(&mut self, job: u32, rows: &[GateVisits]) -> Result<(), Error> {
        self.in_stage_transaction(job, |tx| {
            insert_batched(
                tx,
                &format!("INSERT INTO {} (library_id, period, grain, halves)", staged(job, "gate")),
                4,
                "ON CONFLICT (library_id, period) DO UPDATE SET grain = excluded.grain, halves = excluded.halves",
                rows,
                |row, values| {
                    values.extend([
                        Value::from(row.library_id),
                        Value::from(day_text(row.period)),
                        Value::from(row.grain.as_str().to_string()),
                        Value::from(row.halves),
                    ])
                },
                "staging gate counts",
            )
            .map(|_| ())
        })
    }

    pub fn stage_service_counts(&mut self, job: u32, rows: &[ServiceCount]) -> Result<(), Error> {
        self.in_stage_transaction(job, |tx| {
            insert_batched(
                tx,
                &format!("INSERT INTO {} (period, grain, mode, count)", staged(job, "service")),
                4,
                "ON CONFLICT (period, mode) DO UPDATE SET grain = excluded.grain, count = excluded.count",
                rows,
                |row, values| {
                    values.extend([
                        Value::from(day_text(row.period)),
                        Value::from(row.grain.as_str().to_string()),
                        Value::from(row.mode.clone()),
                        Value::from(row.count),
                    ])
                },
                "staging service counts",
            )
            .map(|_| ())
        })
    }

    /// Stages custom-dataset records, keeping the first of any `_id` seen twice.
    pub fn stage_service_records(&mut self, job: u32, rows: &[ServiceRecord]) -> Result<StageOutcome, Error> {
        self.in_stage_transaction(job, |tx| {
            let inserted = insert_batched(
                tx,
                &format!("INSERT INTO {} (record_id, day, mode, count)", staged(job, "record")),
                4,
                "ON CONFLICT (record_id) DO NOTHING",
                rows,
                |row, values| {
                    values.extend([
                        Value::from(row.record_id),
                        Value::from(day_text(row.day)),
                        Value::from(row.mode.clone()),
                        Value::from(row.count),
                    ])
                },
                "staging records",
            )?;
            let mut outcome = StageOutcome::default();
            if inserted == rows.len() {
                return Ok(outcome);
            }
            // Some records were staged before (a page boundary that shifted, or LibInsight
            // sending a record twice): tell identical repeats from conflicting ones.
            let mut existing = tx
                .prepare_cached(&format!("SELECT day, mode, count FROM {} WHERE record_id = ?1", staged(job, "record")))
                .doing("staging records")?;
            for row in rows {
                let first: (String, String, i64) = existing
                    .query_row(params![row.record_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .doing("staging records")?;
                if first != (day_text(row.day), row.mode.clone(), row.count) {
                    outcome.conflicting_duplicates.push(row.record_id);
                }
            }
            Ok(outcome)
        })
    }

    /// Marks stored rows that a problem stands in for, so the window swap keeps them.
    pub fn stage_kept(&mut self, job: u32, keys: &[ProblemKey]) -> Result<(), Error> {
        self.in_stage_transaction(job, |tx| {
            let mut insert = tx
                .prepare_cached(&format!(
                    "INSERT INTO {} (library_id, period, mode, record_id) VALUES (?1, ?2, ?3, ?4)",
                    staged(job, "keep")
                ))
                .doing("staging kept rows")?;
            for key in keys {
                let (library_id, period, mode, record_id) = match key {
                    ProblemKey::Gate { library_id, period } => (Some(*library_id), Some(day_text(*period)), None, None),
                    ProblemKey::Service { period, mode } => (None, Some(day_text(*period)), Some(mode.as_str()), None),
                    ProblemKey::Record(id) => (None, None, None, Some(*id)),
                };
                insert.execute(params![library_id, period, mode, record_id]).doing("staging kept rows")?;
            }
            Ok(())
        })
    }

    /// The last day imported for a dataset by a regular run, if any.
    pub fn bookmark(&self, profile: &str, dataset_id: u32) -> Result<Option<NaiveDate>, Error> {
        let through: Option<String> = self
            .conn
            .query_row(
                "SELECT b.through FROM bookmark b JOIN dataset d ON d.id = b.dataset
                 WHERE d.profile = ?1 AND d.dataset_id = ?2",
                params![profile, dataset_id],
                |row| row.get(0),
            )
            .optional()
            .doing("reading a bookmark")?;
        Ok(through.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()))
    }

    /// The stored libraries of a gate-count dataset.
    pub fn dataset_libraries(&self, profile: &str, dataset_id: u32) -> Result<Vec<Library>, Error> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT l.library_id, l.name FROM library l JOIN dataset d ON d.id = l.dataset
                 WHERE d.profile = ?1 AND d.dataset_id = ?2 ORDER BY l.library_id",
            )
            .doing("reading a dataset's libraries")?;
        let rows = statement
            .query_map(params![profile, dataset_id], |row| Ok(Library { id: row.get(0)?, name: row.get(1)? }))
            .doing("reading a dataset's libraries")?
            .collect::<Result<Vec<_>, _>>()
            .doing("reading a dataset's libraries")?;
        Ok(rows)
    }

    /// What swapping in the job's staged rows would change, without changing anything.
    pub fn diff_dataset(
        &mut self,
        job: u32,
        identity: DatasetIdentity<'_>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ChangeCounts, Error> {
        self.ensure_job_tables(job)?;
        let dataset: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM dataset WHERE profile = ?1 AND dataset_id = ?2",
                params![identity.profile, identity.dataset_id],
                |row| row.get(0),
            )
            .optional()
            .doing("finding a dataset")?;
        // A dataset never imported has id -1 here: nothing stored matches it.
        count_changes(&self.conn, target_of(identity.kind), job, dataset.unwrap_or(-1), from, to)
    }

    /// Replaces the dataset's window with the job's staged rows, moves its bookmark and records
    /// its result, all in one transaction. Returns what changed.
    pub fn commit_dataset(
        &mut self,
        job: u32,
        identity: DatasetIdentity<'_>,
        result: &DatasetResult<'_>,
    ) -> Result<ChangeCounts, Error> {
        self.ensure_job_tables(job)?;
        let target = target_of(identity.kind);
        let (from, to) = (day_text(result.from), day_text(result.to));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("starting a dataset transaction")?;
        let dataset: i64 = tx
            .query_row(
                "INSERT INTO dataset (profile, dataset_id, kind, counts_as) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (profile, dataset_id) DO UPDATE SET kind = excluded.kind, counts_as = excluded.counts_as
                 RETURNING id",
                params![identity.profile, identity.dataset_id, identity.kind, identity.counts_as],
                |row| row.get(0),
            )
            .doing("recording a dataset")?;
        let count_stored = |tx: &rusqlite::Transaction<'_>| -> Result<i64, Error> {
            tx.prepare_cached(&format!("SELECT count(*) FROM main.{} WHERE dataset = ?1", target.table))
                .doing("counting stored rows")?
                .query_row([dataset], |row| row.get(0))
                .doing("counting stored rows")
        };
        let staged_rows: i64 = tx
            .prepare_cached(&format!("SELECT count(*) FROM {}", staged(job, target.stage)))
            .doing("counting staged rows")?
            .query_row([], |row| row.get(0))
            .doing("counting staged rows")?;
        let stored_before = count_stored(&tx)?;
        if identity.kind == "gate-count" {
            tx.prepare_cached(&format!(
                "INSERT INTO library (dataset, library_id, name)
                 SELECT ?1, library_id, name FROM {} WHERE true
                 ON CONFLICT (dataset, library_id) DO UPDATE SET name = excluded.name
                 WHERE library.name IS NOT excluded.name",
                staged(job, "library")
            ))
            .doing("storing libraries")?
            .execute(params![dataset])
            .doing("storing libraries")?;
        }
        let deleted = if stored_before == 0 {
            0
        } else {
            tx.prepare_cached(&delete_sql(target, job))
                .doing("removing rows LibInsight no longer has")?
                .execute(params![dataset, from, to])
                .doing("removing rows LibInsight no longer has")?
        };
        // The upsert's change count is the rows inserted plus the rows whose values changed.
        let copy = if stored_before == 0 { insert_sql(target, job) } else { upsert_sql(target, job) };
        let written =
            tx.prepare_cached(&copy).doing("storing rows")?.execute(params![dataset]).doing("storing rows")?;
        // Into an empty dataset everything written is new; otherwise count what is there now.
        let inserted =
            if stored_before == 0 { written as i64 } else { count_stored(&tx)? - (stored_before - deleted as i64) };
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let changes = ChangeCounts {
            inserted: count(inserted),
            updated: count(written as i64 - inserted),
            deleted: deleted as u64,
            unchanged: count(staged_rows - written as i64),
        };
        tx.execute(
            "INSERT INTO bookmark (dataset, through, run) VALUES (?1, ?2, ?3)
             ON CONFLICT (dataset) DO UPDATE SET through = max(through, excluded.through), run = excluded.run",
            params![dataset, day_text(result.bookmark), result.run],
        )
        .doing("moving a bookmark")?;
        insert_run_dataset(
            &tx,
            result.run,
            identity,
            RunDatasetOutcome {
                status: "ok",
                from: Some(&from),
                to: Some(&to),
                changes,
                requests: result.requests,
                problems: result.problems,
                warnings: result.warnings,
                error: None,
                now: result.now,
            },
        )?;
        tx.commit().doing("committing a dataset")?;
        Ok(changes)
    }

    /// Records a dataset that failed; its stored rows are untouched.
    #[allow(clippy::too_many_arguments)]
    pub fn record_dataset_failure(
        &mut self,
        run: i64,
        identity: DatasetIdentity<'_>,
        window: Option<(NaiveDate, NaiveDate)>,
        requests: u32,
        problems: &[Problem],
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let (from, to) = match window {
            Some((from, to)) => (Some(day_text(from)), Some(day_text(to))),
            None => (None, None),
        };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).doing("starting a transaction")?;
        insert_run_dataset(
            &tx,
            run,
            identity,
            RunDatasetOutcome {
                status: "failed",
                from: from.as_deref(),
                to: to.as_deref(),
                changes: ChangeCounts::default(),
                requests,
                problems,
                warnings: &[],
                error: Some(error),
                now,
            },
        )?;
        tx.commit().doing("recording a failed dataset")?;
        Ok(())
    }
}

struct RunDatasetOutcome<'a> {
    status: &'static str,
    from: Option<&'a str>,
    to: Option<&'a str>,
    changes: ChangeCounts,
    requests: u32,
    problems: &'a [Problem],
    warnings: &'a [String],
    error: Option<&'a str>,
    now: DateTime<Utc>,
}

fn insert_run_dataset(
    tx: &rusqlite::Transaction<'_>,
    run: i64,
    identity: DatasetIdentity<'_>,
    outcome: RunDatasetOutcome<'_>,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO run_dataset (run, profile, dataset_id, kind, status, window_from, window_to,
                                  inserted, updated, deleted, unchanged, requests, problems, warnings, error, finished_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (run, profile, dataset_id) DO UPDATE SET
             status = excluded.status, window_from = excluded.window_from, window_to = excluded.window_to,
             inserted = excluded.inserted, updated = excluded.updated, deleted = excluded.deleted,
             unchanged = excluded.unchanged, requests = excluded.requests, problems = excluded.problems,
             warnings = excluded.warnings, error = excluded.error, finished_at = excluded.finished_at",
        params![
            run,
            identity.profile,
            identity.dataset_id,
            identity.kind,
            outcome.status,
            outcome.from,
            outcome.to,
            outcome.changes.inserted as i64,
            outcome.changes.updated as i64,
            outcome.changes.deleted as i64,
            outcome.changes.unchanged as i64,
            outcome.requests,
            outcome.problems.len() as i64,
            outcome.warnings.len() as i64,
            outcome.error,
            timestamp(outcome.now),
        ],
    )
    .doing("recording a dataset's result")?;
    let mut note = tx
        .prepare_cached(
            "INSERT INTO run_note (run, profile, dataset_id, severity, subject, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .doing("recording problems")?;
    for problem in outcome.problems {
        note.execute(params![run, identity.profile, identity.dataset_id, "problem", problem.subject, problem.reason])
            .doing("recording problems")?;
    }
    for warning in outcome.warnings {
        note.execute(params![run, identity.profile, identity.dataset_id, "warning", "dataset", warning])
            .doing("recording warnings")?;
    }
    Ok(())
}

fn key_match(target: &Target, stored: &str, staged: &str) -> String {
    target.keys.iter().map(|k| format!("{stored}.{k} = {staged}.{k}")).collect::<Vec<_>>().join(" AND ")
}

fn values_differ(target: &Target, stored: &str, staged: &str) -> String {
    target.values.iter().map(|v| format!("{stored}.{v} IS NOT {staged}.{v}")).collect::<Vec<_>>().join(" OR ")
}

/// Stored rows of the window (`?1` dataset, `?2`..`?3`) that the job neither staged nor
/// asked to keep.
fn stale_condition(target: &Target, job: u32, stored: &str) -> String {
    let keep = target.keep.iter().map(|k| format!("k.{k} = {stored}.{k}")).collect::<Vec<_>>().join(" AND ");
    format!(
        "{stored}.dataset = ?1 AND {stored}.{period} BETWEEN ?2 AND ?3
         AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE {matched})
         AND NOT EXISTS (SELECT 1 FROM {keeps} k WHERE {keep})",
        period = target.period,
        stage = staged(job, target.stage),
        keeps = staged(job, "keep"),
        matched = key_match(target, stored, "s"),
    )
}

fn delete_sql(target: &Target, job: u32) -> String {
    format!(
        "DELETE FROM main.{table} WHERE {stale}",
        table = target.table,
        stale = stale_condition(target, job, target.table)
    )
}

fn columns(target: &Target) -> String {
    target.keys.iter().chain(target.values).copied().collect::<Vec<_>>().join(", ")
}

/// Copies the job's staged rows (`?1` dataset) into a dataset that has none yet.
fn insert_sql(target: &Target, job: u32) -> String {
    let columns = columns(target);
    format!(
        "INSERT INTO main.{table} (dataset, {columns}) SELECT ?1, {columns} FROM {stage} WHERE true",
        table = target.table,
        stage = staged(job, target.stage),
    )
}

/// Copies the job's staged rows (`?1` dataset), updating only rows whose values differ.
fn upsert_sql(target: &Target, job: u32) -> String {
    let columns = columns(target);
    let keys = target.keys.join(", ");
    let set = target.values.iter().map(|v| format!("{v} = excluded.{v}")).collect::<Vec<_>>().join(", ");
    format!(
        "INSERT INTO main.{table} (dataset, {columns})
         SELECT ?1, {columns} FROM {stage} WHERE true
         ON CONFLICT (dataset, {keys}) DO UPDATE SET {set} WHERE {differ}",
        table = target.table,
        stage = staged(job, target.stage),
        differ = values_differ(target, target.table, "excluded"),
    )
}

/// What swapping the job's staged rows into `dataset`'s window would change (a dry run).
fn count_changes(
    conn: &rusqlite::Connection,
    target: &Target,
    job: u32,
    dataset: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<ChangeCounts, Error> {
    let (from, to) = (day_text(from), day_text(to));
    let staged_sql = format!(
        "SELECT count(*),
                coalesce(sum(NOT EXISTS (SELECT 1 FROM main.{table} m WHERE m.dataset = ?1 AND {matched})), 0),
                coalesce(sum(EXISTS (SELECT 1 FROM main.{table} m WHERE m.dataset = ?1 AND {matched} AND ({differ}))), 0)
         FROM {stage} s",
        table = target.table,
        stage = staged(job, target.stage),
        matched = key_match(target, "m", "s"),
        differ = values_differ(target, "m", "s"),
    );
    let (staged_rows, inserted, updated): (i64, i64, i64) = conn
        .prepare_cached(&staged_sql)
        .doing("comparing staged rows")?
        .query_row(params![dataset], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .doing("comparing staged rows")?;
    let deleted_sql = format!(
        "SELECT count(*) FROM main.{table} m WHERE {stale}",
        table = target.table,
        stale = stale_condition(target, job, "m")
    );
    let deleted: i64 = conn
        .prepare_cached(&deleted_sql)
        .doing("comparing staged rows")?
        .query_row(params![dataset, from, to], |row| row.get(0))
        .doing("comparing staged rows")?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(ChangeCounts {
        inserted: count(inserted),
        updated: count(updated),
        deleted: count(deleted),
        unchanged: count(staged_rows - inserted - updated),
    })
}
