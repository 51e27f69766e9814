use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::config::Granularity;
use crate::model::{GateVisits, Library, ProblemKey};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).single().expect("valid")
}

const GATE: DatasetIdentity<'static> =
    DatasetIdentity { profile: "main", dataset_id: 43702, kind: "gate-count", counts_as: "transactions" };

fn visits(library_id: i64, period: &str, halves: i64) -> GateVisits {
    GateVisits { library_id, period: day(period), grain: Granularity::Day, halves }
}

fn libraries() -> Vec<Library> {
    vec![Library { id: 3, name: "Main".to_string() }, Library { id: 4, name: "Science".to_string() }]
}

/// A job number not used before (staged rows stay until the connection closes).
fn next_job() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(100);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Stages `rows` as a new job and swaps them into the window July 2024.
fn import(store: &mut Store, run: i64, rows: &[GateVisits], kept: &[ProblemKey]) -> ChangeCounts {
    let job = next_job();
    store.stage_libraries(job, &libraries()).expect("stage libraries");
    store.stage_gate_visits(job, rows).expect("stage rows");
    store.stage_kept(job, kept).expect("stage kept");
    let result = DatasetResult {
        run,
        from: day("2024-07-01"),
        to: day("2024-07-31"),
        requests: 3,
        problems: &[],
        warnings: &[],
        bookmark: day("2024-07-31"),
        now: now(),
    };
    store.commit_dataset(job, GATE, &result).expect("commit")
}

fn stored(store: &Store) -> Vec<(i64, String, i64)> {
    store
        .gate_days(day("2000-01-01"), day("2100-01-01"))
        .expect("query")
        .into_iter()
        .map(|d| (d.library_id, d.day.to_string(), d.halves))
        .collect()
}

#[test]
fn a_new_store_has_the_current_schema_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/folder/almanac.db");
    let store = Store::open(&path).expect("open creates the folder and the file");
    assert_eq!(store.user_version().expect("version"), schema::current_version());
    store.conn.pragma_update(None, "user_version", schema::current_version() + 1).expect("set version");
    drop(store);
    let err = Store::open(&path).expect_err("a newer schema is refused");
    assert!(matches!(err, Error::TooNew { .. }), "{err:?}");
    assert!(err.to_string().contains("use a newer almanac"), "{err}");
}

#[test]
fn reopening_a_store_does_not_migrate_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("almanac.db");
    drop(Store::open(&path).expect("first open"));
    let store = Store::open(&path).expect("second open");
    assert_eq!(store.user_version().expect("version"), schema::current_version());
}

#[test]
fn the_window_swap_inserts_updates_deletes_and_leaves_the_rest() {
    let mut store = Store::open_in_memory().expect("store");
    let run = store.begin_run(Trigger::Manual, now()).expect("run");
    let first = import(
        &mut store,
        run,
        &[visits(3, "2024-07-01", 10), visits(3, "2024-07-02", 20), visits(4, "2024-07-01", 5)],
        &[],
    );
    assert_eq!(first, ChangeCounts { inserted: 3, ..ChangeCounts::default() });
    let again = import(
        &mut store,
        run,
        &[visits(3, "2024-07-01", 10), visits(3, "2024-07-02", 20), visits(4, "2024-07-01", 5)],
        &[],
    );
    assert_eq!(again, ChangeCounts { unchanged: 3, ..ChangeCounts::default() });
    // LibInsight corrected one day and no longer has another.
    let corrected = import(&mut store, run, &[visits(3, "2024-07-01", 12), visits(4, "2024-07-01", 5)], &[]);
    assert_eq!(corrected, ChangeCounts { updated: 1, deleted: 1, unchanged: 1, ..ChangeCounts::default() });
    assert_eq!(stored(&store), [(3, "2024-07-01".to_string(), 12), (4, "2024-07-01".to_string(), 5)]);
}

#[test]
fn a_row_a_problem_stands_in_for_is_kept_not_deleted() {
    let mut store = Store::open_in_memory().expect("store");
    let run = store.begin_run(Trigger::Manual, now()).expect("run");
    import(&mut store, run, &[visits(3, "2024-07-01", 10), visits(3, "2024-07-02", 20)], &[]);
    let kept = [ProblemKey::Gate { library_id: 3, period: day("2024-07-02") }];
    let changes = import(&mut store, run, &[visits(3, "2024-07-01", 10)], &kept);
    assert_eq!(changes.deleted, 0);
    assert_eq!(stored(&store).len(), 2);
}

#[test]
fn rows_outside_the_window_are_untouched() {
    let mut store = Store::open_in_memory().expect("store");
    let run = store.begin_run(Trigger::Manual, now()).expect("run");
    import(&mut store, run, &[visits(3, "2024-06-30", 7), visits(3, "2024-07-01", 10)], &[]);
    let changes = import(&mut store, run, &[], &[]);
    assert_eq!(changes.deleted, 1);
    assert_eq!(stored(&store), [(3, "2024-06-30".to_string(), 7)]);
}

#[test]
fn a_dry_run_diff_predicts_the_commit_and_changes_nothing() {
    let mut store = Store::open_in_memory().expect("store");
    let run = store.begin_run(Trigger::Manual, now()).expect("run");
    import(&mut store, run, &[visits(3, "2024-07-01", 10), visits(3, "2024-07-02", 20)], &[]);
    let before = store.canonical_dump().expect("dump");
    store.stage_libraries(2, &libraries()).expect("stage");
    store.stage_gate_visits(2, &[visits(3, "2024-07-01", 11), visits(4, "2024-07-03", 1)]).expect("stage");
    let predicted = store.diff_dataset(2, GATE, day("2024-07-01"), day("2024-07-31")).expect("diff");
    assert_eq!(predicted, ChangeCounts { inserted: 1, updated: 1, deleted: 1, unchanged: 0 });
    assert_eq!(store.canonical_dump().expect("dump"), before);
}

#[test]
fn the_bookmark_never_moves_back() {
    let mut store = Store::open_in_memory().expect("store");
    let run = store.begin_run(Trigger::Manual, now()).expect("run");
    import(&mut store, run, &[], &[]);
    assert_eq!(store.bookmark("main", 43702).expect("bookmark"), Some(day("2024-07-31")));
    store.stage_libraries(1, &libraries()).expect("stage");
    let earlier = DatasetResult {
        run,
        from: day("2023-07-01"),
        to: day("2023-07-31"),
        requests: 1,
        problems: &[],
        warnings: &[],
        bookmark: day("2023-07-31"),
        now: now(),
    };
    store.commit_dataset(1, GATE, &earlier).expect("commit");
    assert_eq!(store.bookmark("main", 43702).expect("bookmark"), Some(day("2024-07-31")));
}

#[test]
fn a_run_left_running_is_closed_as_interrupted() {
    let mut store = Store::open_in_memory().expect("store");
    let run = store.begin_run(Trigger::Scheduled, now()).expect("run");
    assert_eq!(store.close_interrupted_runs(now()).expect("close"), 1);
    let runs = store.runs(10).expect("runs");
    assert_eq!(runs[0].id, run);
    assert_eq!(runs[0].status, "Failed: interrupted");
    assert_eq!(store.close_interrupted_runs(now()).expect("close"), 0);
}

#[test]
fn the_last_successful_run_ignores_failed_and_skipped_runs() {
    let mut store = Store::open_in_memory().expect("store");
    assert_eq!(store.last_successful_run_start().expect("query"), None);
    let ok = store.begin_run(Trigger::Manual, now()).expect("run");
    store.finish_run(ok, RunStatus::CompletedSuccessfully, None, now()).expect("finish");
    let later = now() + chrono::Duration::hours(1);
    let failed = store.begin_run(Trigger::Manual, later).expect("run");
    store.finish_run(failed, RunStatus::Failed, Some("down"), later).expect("finish");
    store.record_skipped_run("not due", later).expect("skip");
    assert_eq!(store.last_successful_run_start().expect("query"), Some(now()));
}

#[test]
fn a_read_only_store_can_stage_and_diff_but_not_write() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("almanac.db");
    drop(Store::open(&path).expect("create"));
    let mut store = Store::open_read_only(&path).expect("read-only");
    store.stage_libraries(1, &libraries()).expect("temporary tables are writable");
    store.stage_gate_visits(1, &[visits(3, "2024-07-01", 10)]).expect("stage");
    let diff = store.diff_dataset(1, GATE, day("2024-07-01"), day("2024-07-31")).expect("diff");
    assert_eq!(diff.inserted, 1);
    assert!(store.begin_run(Trigger::Manual, now()).is_err());
}

/// The schema as SQLite keeps it, in a fixed order.
fn schema_of(conn: &rusqlite::Connection) -> Vec<(String, String)> {
    let mut statement = conn
        .prepare("SELECT name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        .expect("a statement");
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("a query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn a_database_of_the_first_schema_is_upgraded_to_the_same_schema_as_a_new_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&old).expect("open");
        conn.execute_batch(schema::MIGRATIONS[0]).expect("version 1");
        conn.pragma_update(None, "user_version", 1).expect("set version");
    }
    let upgraded = Store::open(&old).expect("the upgrade");
    assert_eq!(upgraded.user_version().expect("version"), schema::current_version());
    let fresh = Store::open(&dir.path().join("new.db")).expect("a new store");
    assert_eq!(schema_of(&upgraded.conn), schema_of(&fresh.conn));
    let index = schema_of(&fresh.conn).into_iter().find(|(name, _)| name == "service_record_by_day");
    assert!(index.is_some_and(|(_, sql)| sql.contains("(day, dataset, mode, count)")));
}
