//! The SQLite store: the only code with SQL.
//!
//! [`Store::open`] creates the file (and its folder), sets WAL, `synchronous=NORMAL`, foreign
//! keys and a busy timeout, and applies migrations before anyone can use the connection. An
//! import stages each dataset's rows in temporary tables and then replaces the dataset's
//! window in one `BEGIN IMMEDIATE` transaction, together with its bookmark and its result, so
//! a reader sees the old window or the new one, never half of each.
//!
//! It must not fetch, print or decide policy: callers pass the clock, the windows and the
//! rows; it stores and it answers queries.

mod query;
pub mod schema;
mod stage;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

pub use query::{
    DatasetFreshness, DatasetInfo, GateDay, GateMonth, NoteRow, RunDatasetRow, RunDetail, RunSummary, ServiceMonth,
};
pub use stage::{ChangeCounts, DatasetIdentity, DatasetResult, StageOutcome};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot create the folder {} for the database", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the database {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("no database at {}; run `almanac import run` first", path.display())]
    Missing { path: PathBuf },
    #[error(
        "the database {} has schema version {found}, newer than the {known} this almanac knows; use a newer almanac",
        path.display()
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error(
        "the database {} has schema version {found}, older than the {known} this almanac needs; run `almanac import run` once to upgrade it",
        path.display()
    )]
    TooOld { path: PathBuf, found: i64, known: i64 },
    #[error("cannot upgrade the database {} to schema version {version}", path.display())]
    Migrate {
        path: PathBuf,
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database error while {doing}")]
    Sql {
        doing: &'static str,
        #[source]
        source: rusqlite::Error,
    },
}

/// Adds what the store was doing to a rusqlite error.
trait Doing<T> {
    fn doing(self, what: &'static str) -> Result<T, Error>;
}

impl<T> Doing<T> for rusqlite::Result<T> {
    fn doing(self, what: &'static str) -> Result<T, Error> {
        self.map_err(|source| Error::Sql { doing: what, source })
    }
}

/// A run's status as `import history` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    CompletedSuccessfully,
    CompletedWithErrors,
    Failed,
    FailedInterrupted,
    SkippedNotDue,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "Running",
            RunStatus::CompletedSuccessfully => "Completed Successfully",
            RunStatus::CompletedWithErrors => "Completed with Errors",
            RunStatus::Failed => "Failed",
            RunStatus::FailedInterrupted => "Failed: interrupted",
            RunStatus::SkippedNotDue => "Skipped: not due",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Scheduled,
    Manual,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Scheduled => "scheduled",
            Trigger::Manual => "manual",
        }
    }
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Jobs whose temporary staging tables exist on this connection.
    staged_jobs: std::collections::HashSet<u32>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

/// Timestamps are stored as RFC 3339 UTC text, which sorts as time does.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

impl Store {
    /// Opens the store at `path`, creating it and its folder if needed, and brings its schema
    /// up to date.
    pub fn open(path: &Path) -> Result<Store, Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| Error::CreateDir { path: parent.to_path_buf(), source })?;
        }
        let conn = Connection::open(path).map_err(|source| Error::Open { path: path.to_path_buf(), source })?;
        let mut store = Store { conn, path: path.to_path_buf(), staged_jobs: Default::default() };
        store.configure(true)?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing store for reading and writing, upgrading its schema; a missing file
    /// is an error rather than a new empty store.
    pub fn open_existing(path: &Path) -> Result<Store, Error> {
        if !path.exists() {
            return Err(Error::Missing { path: path.to_path_buf() });
        }
        Store::open(path)
    }

    /// Opens an existing store read-only: nothing this connection does can change the file.
    /// Temporary tables still work, which is what a dry run needs.
    pub fn open_read_only(path: &Path) -> Result<Store, Error> {
        if !path.exists() {
            return Err(Error::Missing { path: path.to_path_buf() });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|source| Error::Open { path: path.to_path_buf(), source })?;
        let store = Store { conn, path: path.to_path_buf(), staged_jobs: Default::default() };
        store.configure(false)?;
        let found = store.user_version()?;
        let known = schema::current_version();
        if found > known {
            return Err(Error::TooNew { path: store.path.clone(), found, known });
        }
        if found < known {
            return Err(Error::TooOld { path: store.path.clone(), found, known });
        }
        Ok(store)
    }

    /// A fresh store in memory with the current schema (for a dry run before the first import).
    pub fn open_in_memory() -> Result<Store, Error> {
        let conn =
            Connection::open_in_memory().map_err(|source| Error::Open { path: PathBuf::from(":memory:"), source })?;
        let mut store = Store { conn, path: PathBuf::from(":memory:"), staged_jobs: Default::default() };
        store.configure(false)?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&self, writable: bool) -> Result<(), Error> {
        self.conn.busy_timeout(Duration::from_secs(10)).doing("setting the busy timeout")?;
        if writable {
            let mode: String =
                self.conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0)).doing("switching to WAL")?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(database = %self.path.display(), journal_mode = %mode, "the database is not in WAL mode; readers may wait for imports");
            }
            self.conn.pragma_update(None, "synchronous", "NORMAL").doing("setting synchronous")?;
            // No checkpoint after every dataset's commit (that writes each page twice during a
            // backfill); an import checkpoints once, at its end (`Store::checkpoint`).
            self.conn.pragma_update(None, "wal_autocheckpoint", 0).doing("setting wal_autocheckpoint")?;
            // A 32 MB page cache keeps the B-tree pages a dataset's swap touches in memory
            // (with SQLite's 2 MB default a backfill spends a fifth more time writing).
            self.conn.pragma_update(None, "cache_size", -32_000).doing("setting cache_size")?;
        }
        self.conn.pragma_update(None, "foreign_keys", true).doing("enabling foreign keys")?;
        // Staging statements are per job (its tables are its own): room for many jobs at once.
        self.conn.set_prepared_statement_cache_capacity(512);
        // Staging tables live in a temporary file, so a large backfill is not held in memory.
        self.conn.pragma_update(None, "temp_store", "FILE").doing("setting temp_store")?;
        Ok(())
    }

    fn user_version(&self) -> Result<i64, Error> {
        self.conn.query_row("PRAGMA user_version", [], |row| row.get(0)).doing("reading the schema version")
    }

    fn migrate(&mut self) -> Result<(), Error> {
        let known = schema::current_version();
        let found = self.user_version()?;
        if found > known {
            return Err(Error::TooNew { path: self.path.clone(), found, known });
        }
        for (index, sql) in schema::MIGRATIONS.iter().enumerate().skip(usize::try_from(found).unwrap_or(0)) {
            let version = index as i64 + 1;
            let wrap = |source| Error::Migrate { path: self.path.clone(), version, source };
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(wrap)?;
            // Another process may have migrated while this one waited for the write lock.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0)).map_err(wrap)?;
            if now >= version {
                continue;
            }
            tx.execute_batch(sql).map_err(wrap)?;
            tx.pragma_update(None, "user_version", version).map_err(wrap)?;
            tx.commit().map_err(wrap)?;
        }
        Ok(())
    }

    /// Records the start of a run.
    pub fn begin_run(&mut self, trigger: Trigger, now: DateTime<Utc>) -> Result<i64, Error> {
        self.conn
            .execute(
                "INSERT INTO import_run (started_at, trigger, status) VALUES (?1, ?2, ?3)",
                (timestamp(now), trigger.as_str(), RunStatus::Running.as_str()),
            )
            .doing("recording the start of a run")?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records how a run ended.
    pub fn finish_run(
        &mut self,
        run: i64,
        status: RunStatus,
        message: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE import_run SET finished_at = ?2, status = ?3, message = ?4 WHERE id = ?1",
                (run, timestamp(now), status.as_str(), message),
            )
            .doing("recording the end of a run")?;
        Ok(())
    }

    /// Records a scheduled run that found nothing due.
    pub fn record_skipped_run(&mut self, message: &str, now: DateTime<Utc>) -> Result<i64, Error> {
        self.conn
            .execute(
                "INSERT INTO import_run (started_at, finished_at, trigger, status, message) VALUES (?1, ?1, ?2, ?3, ?4)",
                (
                    timestamp(now),
                    Trigger::Scheduled.as_str(),
                    RunStatus::SkippedNotDue.as_str(),
                    message,
                ),
            )
            .doing("recording a skipped run")?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Closes runs left "running" by an importer that died. Call only while holding the
    /// import lock: then no live process owns them.
    pub fn close_interrupted_runs(&mut self, now: DateTime<Utc>) -> Result<usize, Error> {
        self.conn
            .execute(
                "UPDATE import_run SET status = ?1, finished_at = ?2,
                        message = coalesce(message, 'the importer stopped before the run ended')
                 WHERE status = ?3",
                (RunStatus::FailedInterrupted.as_str(), timestamp(now), RunStatus::Running.as_str()),
            )
            .doing("closing interrupted runs")
    }

    /// When the last run that completed successfully started.
    pub fn last_successful_run_start(&self) -> Result<Option<DateTime<Utc>>, Error> {
        let started: Option<String> = self
            .conn
            .query_row(
                "SELECT started_at FROM import_run WHERE status = ?1 ORDER BY started_at DESC LIMIT 1",
                [RunStatus::CompletedSuccessfully.as_str()],
                |row| row.get(0),
            )
            .optional()
            .doing("reading the last successful run")?;
        Ok(started.as_deref().and_then(parse_timestamp))
    }

    /// Folds the write-ahead log back into the database file (at the end of an import).
    pub fn checkpoint(&self) -> Result<(), Error> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .doing("checkpointing the write-ahead log")
    }

    /// `PRAGMA integrity_check`: "ok", or what is wrong.
    pub fn integrity_check(&self) -> Result<String, Error> {
        let mut statement = self.conn.prepare("PRAGMA integrity_check").doing("checking integrity")?;
        let lines: Vec<String> = statement
            .query_map([], |row| row.get(0))
            .doing("checking integrity")?
            .collect::<Result<_, _>>()
            .doing("checking integrity")?;
        Ok(lines.join("; "))
    }
}

#[cfg(test)]
mod tests;
