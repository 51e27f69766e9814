//! Read queries: run history, and the monthly and daily sums the reports are built from.
//! Aggregation happens here, in SQL, so a report never loads every stored row.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Doing, Error, Store};

/// One run as `import history` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub id: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub trigger: String,
    pub status: String,
    pub message: Option<String>,
    pub datasets_ok: i64,
    pub datasets_failed: i64,
    pub rows_written: i64,
    pub requests: i64,
    pub problems: i64,
    pub warnings: i64,
    pub first_error: Option<String>,
}

/// One dataset's result within a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunDatasetRow {
    pub profile: String,
    pub dataset_id: u32,
    pub kind: String,
    pub status: String,
    pub window_from: Option<String>,
    pub window_to: Option<String>,
    pub inserted: i64,
    pub updated: i64,
    pub deleted: i64,
    pub unchanged: i64,
    pub requests: i64,
    pub problems: i64,
    pub warnings: i64,
    pub error: Option<String>,
}

/// A problem or warning recorded with a run.
#[derive(Debug, Clone, Serialize)]
pub struct NoteRow {
    pub profile: String,
    pub dataset_id: u32,
    pub severity: String,
    pub subject: String,
    pub message: String,
}

/// A run in full, for `import history --run ID`.
#[derive(Debug, Clone, Serialize)]
pub struct RunDetail {
    #[serde(flatten)]
    pub summary: RunSummary,
    pub datasets: Vec<RunDatasetRow>,
    pub notes: Vec<NoteRow>,
}

/// A stored dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetInfo {
    pub key: i64,
    pub profile: String,
    pub dataset_id: u32,
    pub kind: String,
    pub counts_as: String,
}

/// When a dataset was last imported, for the provenance line of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetFreshness {
    pub profile: String,
    pub dataset_id: u32,
    pub kind: String,
    /// The end of the last import of this dataset that succeeded.
    pub last_success: Option<String>,
    /// Whether the most recent import of it failed.
    pub last_failed: bool,
}

/// Visitors of one library in one month, summed in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateMonth {
    pub dataset: i64,
    pub library_id: i64,
    /// `YYYY-MM`.
    pub month: String,
    pub halves: i64,
}

/// Visitors of one library on one day (daily datasets only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateDay {
    pub dataset: i64,
    pub library_id: i64,
    pub day: NaiveDate,
    pub halves: i64,
}

/// Services of one mode in one month of one dataset, summed in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceMonth {
    pub dataset: i64,
    pub mode: String,
    pub month: String,
    pub count: i64,
}

const RUN_SUMMARY_SELECT: &str = "
SELECT r.id, r.started_at, r.finished_at, r.trigger, r.status, r.message,
       coalesce(sum(d.status = 'ok'), 0), coalesce(sum(d.status = 'failed'), 0),
       coalesce(sum(d.inserted + d.updated + d.deleted), 0), coalesce(sum(d.requests), 0),
       coalesce(sum(d.problems), 0), coalesce(sum(d.warnings), 0),
       (SELECT f.profile || '/' || f.dataset_id || ': ' || f.error FROM run_dataset f
         WHERE f.run = r.id AND f.status = 'failed' ORDER BY f.finished_at, f.dataset_id LIMIT 1)
FROM import_run r LEFT JOIN run_dataset d ON d.run = r.id";

fn run_summary(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunSummary> {
    Ok(RunSummary {
        id: row.get(0)?,
        started_at: row.get(1)?,
        finished_at: row.get(2)?,
        trigger: row.get(3)?,
        status: row.get(4)?,
        message: row.get(5)?,
        datasets_ok: row.get(6)?,
        datasets_failed: row.get(7)?,
        rows_written: row.get(8)?,
        requests: row.get(9)?,
        problems: row.get(10)?,
        warnings: row.get(11)?,
        first_error: row.get(12)?,
    })
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

impl Store {
    /// The most recent runs, newest first.
    pub fn runs(&self, limit: u32) -> Result<Vec<RunSummary>, Error> {
        let sql = format!("{RUN_SUMMARY_SELECT} GROUP BY r.id ORDER BY r.id DESC LIMIT ?1");
        let mut statement = self.conn.prepare(&sql).doing("reading the run history")?;
        let rows = statement
            .query_map([limit], run_summary)
            .doing("reading the run history")?
            .collect::<Result<Vec<_>, _>>()
            .doing("reading the run history")?;
        Ok(rows)
    }

    /// One run with its datasets, problems and warnings.
    pub fn run_detail(&self, run: i64) -> Result<Option<RunDetail>, Error> {
        let sql = format!("{RUN_SUMMARY_SELECT} WHERE r.id = ?1 GROUP BY r.id");
        let Some(summary) = self.conn.query_row(&sql, [run], run_summary).optional().doing("reading a run")? else {
            return Ok(None);
        };
        let mut statement = self
            .conn
            .prepare(
                "SELECT profile, dataset_id, kind, status, window_from, window_to, inserted, updated, deleted,
                        unchanged, requests, problems, warnings, error
                 FROM run_dataset WHERE run = ?1 ORDER BY profile, dataset_id",
            )
            .doing("reading a run's datasets")?;
        let datasets = statement
            .query_map([run], |row| {
                Ok(RunDatasetRow {
                    profile: row.get(0)?,
                    dataset_id: row.get(1)?,
                    kind: row.get(2)?,
                    status: row.get(3)?,
                    window_from: row.get(4)?,
                    window_to: row.get(5)?,
                    inserted: row.get(6)?,
                    updated: row.get(7)?,
                    deleted: row.get(8)?,
                    unchanged: row.get(9)?,
                    requests: row.get(10)?,
                    problems: row.get(11)?,
                    warnings: row.get(12)?,
                    error: row.get(13)?,
                })
            })
            .doing("reading a run's datasets")?
            .collect::<Result<Vec<_>, _>>()
            .doing("reading a run's datasets")?;
        let mut statement = self
            .conn
            .prepare(
                "SELECT profile, dataset_id, severity, subject, message FROM run_note
                 WHERE run = ?1 ORDER BY profile, dataset_id, severity, rowid",
            )
            .doing("reading a run's problems")?;
        let notes = statement
            .query_map([run], |row| {
                Ok(NoteRow {
                    profile: row.get(0)?,
                    dataset_id: row.get(1)?,
                    severity: row.get(2)?,
                    subject: row.get(3)?,
                    message: row.get(4)?,
                })
            })
            .doing("reading a run's problems")?
            .collect::<Result<Vec<_>, _>>()
            .doing("reading a run's problems")?;
        Ok(Some(RunDetail { summary, datasets, notes }))
    }

    /// Every stored dataset.
    pub fn datasets(&self) -> Result<Vec<DatasetInfo>, Error> {
        let mut statement = self
            .conn
            .prepare("SELECT id, profile, dataset_id, kind, counts_as FROM dataset ORDER BY profile, dataset_id")
            .doing("reading datasets")?;
        let rows = statement
            .query_map([], |row| {
                Ok(DatasetInfo {
                    key: row.get(0)?,
                    profile: row.get(1)?,
                    dataset_id: row.get(2)?,
                    kind: row.get(3)?,
                    counts_as: row.get(4)?,
                })
            })
            .doing("reading datasets")?
            .collect::<Result<Vec<_>, _>>()
            .doing("reading datasets")?;
        Ok(rows)
    }

    /// The libraries of stored gate-count datasets: (dataset key, library id, name).
    pub fn libraries(&self) -> Result<Vec<(i64, i64, String)>, Error> {
        let mut statement = self
            .conn
            .prepare("SELECT dataset, library_id, name FROM library ORDER BY dataset, library_id")
            .doing("reading libraries")?;
        let rows = statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .doing("reading libraries")?
            .collect::<Result<Vec<_>, _>>()
            .doing("reading libraries")?;
        Ok(rows)
    }

    /// Visitors per library per month for months from `from` to `to`.
    pub fn gate_months(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<GateMonth>, Error> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT dataset, library_id, substr(period, 1, 7) AS month, sum(halves)
                 FROM gate_visits WHERE period BETWEEN ?1 AND ?2
                 GROUP BY dataset, library_id, month ORDER BY dataset, library_id, month",
            )
            .doing("summing gate counts by month")?;
        let rows = statement
            .query_map(params![from.to_string(), to.to_string()], |row| {
                Ok(GateMonth { dataset: row.get(0)?, library_id: row.get(1)?, month: row.get(2)?, halves: row.get(3)? })
            })
            .doing("summing gate counts by month")?
            .collect::<Result<Vec<_>, _>>()
            .doing("summing gate counts by month")?;
        Ok(rows)
    }

    /// Daily visitors per library from `from` to `to` (rows stored per day only).
    pub fn gate_days(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<GateDay>, Error> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT dataset, library_id, period, halves FROM gate_visits
                 WHERE grain = 'day' AND period BETWEEN ?1 AND ?2 ORDER BY dataset, library_id, period",
            )
            .doing("reading daily gate counts")?;
        let rows = statement
            .query_map(params![from.to_string(), to.to_string()], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, String>(2)?, row.get::<_, i64>(3)?))
            })
            .doing("reading daily gate counts")?
            .collect::<Result<Vec<_>, _>>()
            .doing("reading daily gate counts")?;
        Ok(rows
            .into_iter()
            .filter_map(|(dataset, library_id, day, halves)| {
                Some(GateDay { dataset, library_id, day: parse_day(&day)?, halves })
            })
            .collect())
    }

    /// Services per dataset, mode and month from `from` to `to`: Reference counts and custom
    /// records alike.
    pub fn service_months(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<ServiceMonth>, Error> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT dataset, mode, substr(period, 1, 7) AS month, sum(count)
                   FROM service_count WHERE period BETWEEN ?1 AND ?2 GROUP BY dataset, mode, month
                 UNION ALL
                 SELECT dataset, mode, substr(day, 1, 7) AS month, sum(count)
                   FROM service_record WHERE day BETWEEN ?1 AND ?2 GROUP BY dataset, mode, month
                 ORDER BY 1, 3, 2",
            )
            .doing("summing services by month")?;
        let rows = statement
            .query_map(params![from.to_string(), to.to_string()], |row| {
                Ok(ServiceMonth { dataset: row.get(0)?, mode: row.get(1)?, month: row.get(2)?, count: row.get(3)? })
            })
            .doing("summing services by month")?
            .collect::<Result<Vec<_>, _>>()
            .doing("summing services by month")?;
        Ok(rows)
    }

    /// For each stored or attempted dataset: when its last successful import ended, and
    /// whether its latest import failed.
    pub fn dataset_freshness(&self) -> Result<Vec<DatasetFreshness>, Error> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT d.profile, d.dataset_id, d.kind,
                        (SELECT max(o.finished_at) FROM run_dataset o
                          WHERE o.profile = d.profile AND o.dataset_id = d.dataset_id AND o.status = 'ok'),
                        (SELECT l.status FROM run_dataset l
                          WHERE l.profile = d.profile AND l.dataset_id = d.dataset_id
                          ORDER BY l.finished_at DESC LIMIT 1) = 'failed'
                 FROM (SELECT profile, dataset_id, max(kind) AS kind FROM run_dataset GROUP BY profile, dataset_id
                       UNION SELECT profile, dataset_id, kind FROM dataset) d
                 GROUP BY d.profile, d.dataset_id ORDER BY d.profile, d.dataset_id",
            )
            .doing("reading dataset freshness")?;
        let rows = statement
            .query_map([], |row| {
                Ok(DatasetFreshness {
                    profile: row.get(0)?,
                    dataset_id: row.get(1)?,
                    kind: row.get(2)?,
                    last_success: row.get(3)?,
                    last_failed: row.get::<_, Option<bool>>(4)?.unwrap_or(false),
                })
            })
            .doing("reading dataset freshness")?
            .collect::<Result<Vec<_>, _>>()
            .doing("reading dataset freshness")?;
        Ok(rows)
    }

    /// Every row of every data table in a fixed order, as text: two stores with the same
    /// content give the same dump. Run bookkeeping (runs, results, notes) is left out.
    pub fn canonical_dump(&self) -> Result<String, Error> {
        let queries = [
            "SELECT 'dataset', profile, dataset_id, kind, counts_as FROM dataset ORDER BY profile, dataset_id",
            "SELECT 'library', d.profile, d.dataset_id, l.library_id, l.name FROM library l JOIN dataset d ON d.id = l.dataset ORDER BY 2, 3, 4",
            "SELECT 'gate', d.profile, d.dataset_id, g.library_id, g.period, g.grain, g.halves FROM gate_visits g JOIN dataset d ON d.id = g.dataset ORDER BY 2, 3, 4, 5",
            "SELECT 'service', d.profile, d.dataset_id, s.period, s.grain, s.mode, s.count FROM service_count s JOIN dataset d ON d.id = s.dataset ORDER BY 2, 3, 4, 6",
            "SELECT 'record', d.profile, d.dataset_id, r.record_id, r.day, r.mode, r.count FROM service_record r JOIN dataset d ON d.id = r.dataset ORDER BY 2, 3, 4",
            "SELECT 'bookmark', d.profile, d.dataset_id, b.through FROM bookmark b JOIN dataset d ON d.id = b.dataset ORDER BY 2, 3",
        ];
        let mut dump = String::new();
        for sql in queries {
            let mut statement = self.conn.prepare(sql).doing("dumping the store")?;
            let columns = statement.column_count();
            let mut rows = statement.query([]).doing("dumping the store")?;
            while let Some(row) = rows.next().doing("dumping the store")? {
                let fields: Vec<String> = (0..columns)
                    .map(|i| match row.get_ref(i) {
                        Ok(value) => match value {
                            rusqlite::types::ValueRef::Null => "NULL".to_string(),
                            rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                            rusqlite::types::ValueRef::Real(x) => x.to_string(),
                            rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                            rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
                        },
                        Err(_) => "?".to_string(),
                    })
                    .collect();
                dump.push_str(&fields.join("|"));
                dump.push('\n');
            }
        }
        Ok(dump)
    }
}
