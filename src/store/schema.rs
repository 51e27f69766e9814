//! The schema's history: an ordered list of migrations keyed on `PRAGMA user_version`.
//!
//! Each migration runs in its own transaction; a database whose version is newer than the
//! list is refused rather than guessed at. Append new migrations; never edit applied ones.

/// Migration `i` takes the schema from version `i` to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2];

/// The schema version this binary writes.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

const V1: &str = r#"
-- A dataset of a profile, as LibInsight numbers it.
CREATE TABLE dataset (
    id          INTEGER PRIMARY KEY,
    profile     TEXT    NOT NULL,
    dataset_id  INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('gate-count', 'reference', 'custom')),
    counts_as   TEXT    NOT NULL DEFAULT 'transactions' CHECK (counts_as IN ('transactions', 'consultations')),
    UNIQUE (profile, dataset_id)
);

-- The gate locations of a gate-count dataset.
CREATE TABLE library (
    dataset     INTEGER NOT NULL REFERENCES dataset (id),
    library_id  INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    PRIMARY KEY (dataset, library_id)
) WITHOUT ROWID;

-- Visitors per library per period (a day, or a month stored as its first day), in halves
-- so that bidirectional gates stay exact (rule R6).
CREATE TABLE gate_visits (
    dataset     INTEGER NOT NULL,
    library_id  INTEGER NOT NULL,
    period      TEXT    NOT NULL,
    grain       TEXT    NOT NULL CHECK (grain IN ('day', 'month')),
    halves      INTEGER NOT NULL CHECK (halves >= 0),
    PRIMARY KEY (dataset, library_id, period),
    FOREIGN KEY (dataset, library_id) REFERENCES library (dataset, library_id)
) WITHOUT ROWID;
CREATE INDEX gate_visits_by_period ON gate_visits (period);

-- Counts per mode per period from Reference datasets.
CREATE TABLE service_count (
    dataset     INTEGER NOT NULL REFERENCES dataset (id),
    period      TEXT    NOT NULL,
    grain       TEXT    NOT NULL CHECK (grain IN ('day', 'month')),
    mode        TEXT    NOT NULL,
    count       INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (dataset, period, mode)
) WITHOUT ROWID;
CREATE INDEX service_count_by_period ON service_count (period);

-- Question-level records of custom datasets, reduced to day, mode and count.
CREATE TABLE service_record (
    dataset     INTEGER NOT NULL REFERENCES dataset (id),
    record_id   INTEGER NOT NULL,
    day         TEXT    NOT NULL,
    mode        TEXT    NOT NULL,
    count       INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (dataset, record_id)
) WITHOUT ROWID;
CREATE INDEX service_record_by_day ON service_record (dataset, day);

-- How far each dataset has been imported: the last day of its last regular window.
CREATE TABLE bookmark (
    dataset     INTEGER PRIMARY KEY REFERENCES dataset (id),
    through     TEXT    NOT NULL,
    run         INTEGER NOT NULL
);

-- Run bookkeeping: one row per `import run`, one per dataset it touched, and the problems
-- and warnings found.
CREATE TABLE import_run (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT    NOT NULL,
    finished_at TEXT,
    trigger     TEXT    NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
    status      TEXT    NOT NULL,
    message     TEXT
);

CREATE TABLE run_dataset (
    run         INTEGER NOT NULL REFERENCES import_run (id),
    profile     TEXT    NOT NULL,
    dataset_id  INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('ok', 'failed')),
    window_from TEXT,
    window_to   TEXT,
    inserted    INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    requests    INTEGER NOT NULL DEFAULT 0,
    problems    INTEGER NOT NULL DEFAULT 0,
    warnings    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    finished_at TEXT    NOT NULL,
    PRIMARY KEY (run, profile, dataset_id)
) WITHOUT ROWID;

CREATE TABLE run_note (
    run         INTEGER NOT NULL REFERENCES import_run (id),
    profile     TEXT    NOT NULL,
    dataset_id  INTEGER NOT NULL,
    severity    TEXT    NOT NULL CHECK (severity IN ('problem', 'warning')),
    subject     TEXT    NOT NULL,
    message     TEXT    NOT NULL
);
CREATE INDEX run_note_by_run ON run_note (run);
"#;

/// Reports sum a period's rows across datasets: covering indexes led by the period let them
/// read only the index (the first indexes made SQLite look up every row in its table).
const V2: &str = r#"
DROP INDEX gate_visits_by_period;
CREATE INDEX gate_visits_by_period ON gate_visits (period, dataset, library_id, halves);
DROP INDEX service_count_by_period;
CREATE INDEX service_count_by_period ON service_count (period, dataset, mode, count);
DROP INDEX service_record_by_day;
CREATE INDEX service_record_by_day ON service_record (day, dataset, mode, count);
"#;
