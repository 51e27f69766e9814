//! Staging and the window swap.
//!
//! While a dataset is being fetched its rows go, page by page, into temporary tables keyed by
//! the import's job number; nothing in the real tables changes. When the dataset is complete,
//! [`Store::commit_dataset`] replaces the dataset's window in one transaction: rows LibInsight
//! sent are inserted or updated (only if different), rows of the window it no longer has are
//! deleted (unless a problem stands in for them), and the bookmark and the per-dataset result
//! are written in the same transaction. A failed dataset only loses its staging rows.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

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

/// What staging a page of records found about duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StageOutcome {
    /// Records already staged with the same values (a page boundary that shifted).
    pub identical_duplicates: u64,
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
    stage: &'static str,
    keys: &'static [&'static str],
    values: &'static [&'static str],
    /// The column the window is a range of.
    period: &'static str,
    /// Columns of `stage_keep` that must match the keys for a stored row to be kept.
    keep: &'static [&'static str],
}

const GATE: Target = Target {
    table: "gate_visits",
    stage: "stage_gate",
    keys: &["library_id", "period"],
    values: &["grain", "halves"],
    period: "period",
    keep: &["library_id", "period"],
};

const SERVICE: Target = Target {
    table: "service_count",
    stage: "stage_service",
    keys: &["period", "mode"],
    values: &["grain", "count"],
    period: "period",
    keep: &["period", "mode"],
};

const RECORD: Target = Target {
    table: "service_record",
    stage: "stage_record",
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

const STAGE_TABLES: &str = "
CREATE TEMP TABLE IF NOT EXISTS stage_library (
    job INTEGER NOT NULL, library_id INTEGER NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (job, library_id)) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS stage_gate (
    job INTEGER NOT NULL, library_id INTEGER NOT NULL, period TEXT NOT NULL, grain TEXT NOT NULL,
    halves INTEGER NOT NULL, PRIMARY KEY (job, library_id, period)) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS stage_service (
    job INTEGER NOT NULL, period TEXT NOT NULL, grain TEXT NOT NULL, mode TEXT NOT NULL,
    count INTEGER NOT NULL, PRIMARY KEY (job, period, mode)) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS stage_record (
    job INTEGER NOT NULL, record_id INTEGER NOT NULL, day TEXT NOT NULL, mode TEXT NOT NULL,
    count INTEGER NOT NULL, PRIMARY KEY (job, record_id)) WITHOUT ROWID;
CREATE TEMP TABLE IF NOT EXISTS stage_keep (
    job INTEGER NOT NULL, library_id INTEGER, period TEXT, mode TEXT, record_id INTEGER);
CREATE INDEX IF NOT EXISTS temp.stage_keep_by_job ON stage_keep (job);
";

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

impl Store {
    fn ensure_stage_tables(&self) -> Result<(), Error> {
        self.conn.execute_batch(STAGE_TABLES).doing("creating the staging tables")
    }

    /// Runs `body` in a transaction that touches only the temporary tables.
    fn in_stage_transaction<T>(
        &mut self,
        body: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.ensure_stage_tables()?;
        let tx = self.conn.transaction().doing("starting a staging transaction")?;
        let value = body(&tx)?;
        tx.commit().doing("committing staged rows")?;
        Ok(value)
    }

    pub fn stage_libraries(&mut self, job: u32, libraries: &[Library]) -> Result<(), Error> {
        self.in_stage_transaction(|tx| {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO stage_library (job, library_id, name) VALUES (?1, ?2, ?3)
                     ON CONFLICT (job, library_id) DO UPDATE SET name = excluded.name",
                )
                .doing("staging libraries")?;
            for library in libraries {
                insert.execute(params![job, library.id, library.name]).doing("staging libraries")?;
            }
            Ok(())
        })
    }

    pub fn stage_gate_visits(&mut self, job: u32, rows: &[GateVisits]) -> Result<(), Error> {
        self.in_stage_transaction(|tx| {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO stage_gate (job, library_id, period, grain, halves) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (job, library_id, period) DO UPDATE SET grain = excluded.grain, halves = excluded.halves",
                )
                .doing("staging gate counts")?;
            for row in rows {
                insert
                    .execute(params![job, row.library_id, day_text(row.period), row.grain.as_str(), row.halves])
                    .doing("staging gate counts")?;
            }
            Ok(())
        })
    }

    pub fn stage_service_counts(&mut self, job: u32, rows: &[ServiceCount]) -> Result<(), Error> {
        self.in_stage_transaction(|tx| {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO stage_service (job, period, grain, mode, count) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (job, period, mode) DO UPDATE SET grain = excluded.grain, count = excluded.count",
                )
                .doing("staging service counts")?;
            for row in rows {
                insert
                    .execute(params![job, day_text(row.period), row.grain.as_str(), row.mode, row.count])
                    .doing("staging service counts")?;
            }
            Ok(())
        })
    }

    /// Stages custom-dataset records, keeping the first of any `_id` seen twice.
    pub fn stage_service_records(&mut self, job: u32, rows: &[ServiceRecord]) -> Result<StageOutcome, Error> {
        self.in_stage_transaction(|tx| {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO stage_record (job, record_id, day, mode, count) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (job, record_id) DO NOTHING",
                )
                .doing("staging records")?;
            let mut existing = tx
                .prepare_cached("SELECT day, mode, count FROM stage_record WHERE job = ?1 AND record_id = ?2")
                .doing("staging records")?;
            let mut outcome = StageOutcome::default();
            for row in rows {
                let day = day_text(row.day);
                let inserted =
                    insert.execute(params![job, row.record_id, day, row.mode, row.count]).doing("staging records")?;
                if inserted == 1 {
                    continue;
                }
                let first: (String, String, i64) = existing
                    .query_row(params![job, row.record_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .doing("staging records")?;
                if first == (day, row.mode.clone(), row.count) {
                    outcome.identical_duplicates += 1;
                } else {
                    outcome.conflicting_duplicates.push(row.record_id);
                }
            }
            Ok(outcome)
        })
    }

    /// Marks stored rows that a problem stands in for, so the window swap keeps them.
    pub fn stage_kept(&mut self, job: u32, keys: &[ProblemKey]) -> Result<(), Error> {
        self.in_stage_transaction(|tx| {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO stage_keep (job, library_id, period, mode, record_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .doing("staging kept rows")?;
            for key in keys {
                let (library_id, period, mode, record_id) = match key {
                    ProblemKey::Gate { library_id, period } => (Some(*library_id), Some(day_text(*period)), None, None),
                    ProblemKey::Service { period, mode } => (None, Some(day_text(*period)), Some(mode.as_str()), None),
                    ProblemKey::Record(id) => (None, None, None, Some(*id)),
                };
                insert.execute(params![job, library_id, period, mode, record_id]).doing("staging kept rows")?;
            }
            Ok(())
        })
    }

    /// Forgets a job's staged rows (after its commit, or when its dataset failed).
    pub fn discard_stage(&mut self, job: u32) -> Result<(), Error> {
        self.in_stage_transaction(|tx| {
            for table in ["stage_library", "stage_gate", "stage_service", "stage_record", "stage_keep"] {
                tx.execute(&format!("DELETE FROM temp.{table} WHERE job = ?1"), [job])
                    .doing("discarding staged rows")?;
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
        self.ensure_stage_tables()?;
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
        self.ensure_stage_tables()?;
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
        let changes = count_changes(&tx, target, job, dataset, result.from, result.to)?;
        if identity.kind == "gate-count" {
            tx.prepare_cached(
                "INSERT INTO library (dataset, library_id, name)
                 SELECT ?2, library_id, name FROM temp.stage_library WHERE job = ?1
                 ON CONFLICT (dataset, library_id) DO UPDATE SET name = excluded.name
                 WHERE library.name IS NOT excluded.name",
            )
            .doing("storing libraries")?
            .execute(params![job, dataset])
            .doing("storing libraries")?;
        }
        tx.prepare_cached(&delete_sql(target))
            .doing("removing rows LibInsight no longer has")?
            .execute(params![job, dataset, from, to])
            .doing("removing rows LibInsight no longer has")?;
        tx.prepare_cached(&upsert_sql(target))
            .doing("storing rows")?
            .execute(params![job, dataset])
            .doing("storing rows")?;
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

/// Stored rows of the window (`?2` dataset, `?3`..`?4`) that the job (`?1`) neither staged
/// nor asked to keep.
fn stale_condition(target: &Target, stored: &str) -> String {
    let keep = target.keep.iter().map(|k| format!("k.{k} = {stored}.{k}")).collect::<Vec<_>>().join(" AND ");
    format!(
        "{stored}.dataset = ?2 AND {stored}.{period} BETWEEN ?3 AND ?4
         AND NOT EXISTS (SELECT 1 FROM temp.{stage} s WHERE s.job = ?1 AND {matched})
         AND NOT EXISTS (SELECT 1 FROM temp.stage_keep k WHERE k.job = ?1 AND {keep})",
        period = target.period,
        stage = target.stage,
        matched = key_match(target, stored, "s"),
    )
}

fn delete_sql(target: &Target) -> String {
    format!(
        "DELETE FROM main.{table} WHERE {stale}",
        table = target.table,
        stale = stale_condition(target, target.table)
    )
}

fn upsert_sql(target: &Target) -> String {
    let columns = target.keys.iter().chain(target.values).copied().collect::<Vec<_>>().join(", ");
    let keys = target.keys.join(", ");
    let set = target.values.iter().map(|v| format!("{v} = excluded.{v}")).collect::<Vec<_>>().join(", ");
    format!(
        "INSERT INTO main.{table} (dataset, {columns})
         SELECT ?2, {columns} FROM temp.{stage} WHERE job = ?1
         ON CONFLICT (dataset, {keys}) DO UPDATE SET {set} WHERE {differ}",
        table = target.table,
        stage = target.stage,
        differ = values_differ(target, target.table, "excluded"),
    )
}

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
                coalesce(sum(NOT EXISTS (SELECT 1 FROM main.{table} m WHERE m.dataset = ?2 AND {matched})), 0),
                coalesce(sum(EXISTS (SELECT 1 FROM main.{table} m WHERE m.dataset = ?2 AND {matched} AND ({differ}))), 0)
         FROM temp.{stage} s WHERE s.job = ?1",
        table = target.table,
        stage = target.stage,
        matched = key_match(target, "m", "s"),
        differ = values_differ(target, "m", "s"),
    );
    let (staged, inserted, updated): (i64, i64, i64) = conn
        .prepare_cached(&staged_sql)
        .doing("comparing staged rows")?
        .query_row(params![job, dataset], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .doing("comparing staged rows")?;
    let deleted_sql = format!(
        "SELECT count(*) FROM main.{table} m WHERE {stale}",
        table = target.table,
        stale = stale_condition(target, "m")
    );
    let deleted: i64 = conn
        .prepare_cached(&deleted_sql)
        .doing("comparing staged rows")?
        .query_row(params![job, dataset, from, to], |row| row.get(0))
        .doing("comparing staged rows")?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(ChangeCounts {
        inserted: count(inserted),
        updated: count(updated),
        deleted: count(deleted),
        unchanged: count(staged - inserted - updated),
    })
}
