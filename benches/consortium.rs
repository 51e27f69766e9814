//! The consortium benchmark: `cargo bench --bench consortium [-- --latency-ms 20] [--quick]`.
//!
//! It generates a consortium (40 gate-count datasets with three libraries and ten years of
//! daily readings; four custom datasets with 500,000 question records), serves it from the
//! simulator with a per-request latency, and measures, each against a baseline taken in the
//! same run:
//!
//! - the import's wall time at concurrency 8 versus concurrency 1;
//! - rows per second through almanac's store versus a bare rusqlite loop inserting the same
//!   rows with one prepared statement in one transaction;
//! - the import's peak resident memory;
//! - `report acrl` and `report gate-counts` latency versus one hand-written SQL query each;
//! - a sequential, one-page-at-a-time client (the way the public LibInsight scripts work)
//!   versus almanac at concurrency 8.
//!
//! Machines are noisy: read the ratios, not the absolute numbers.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use almanac::config::{Checks, Granularity};
use almanac::fiscal::FiscalCalendar;
use almanac::model::{GateVisits, Library, ServiceRecord};
use almanac::report::acrl::{self, TypicalWeek};
use almanac::report::gate_counts;
use almanac::report::{Context, Provenance};
use almanac::sim::SimHandle;
use almanac::sim::fixture::{CountMethod, Fixture};
use almanac::sim::generated::{self, Scale};
use almanac::store::{DatasetIdentity, DatasetResult, Store, Trigger};
use chrono::{Local, NaiveDate, Utc};
use serde_json::Value;

struct Options {
    latency_ms: u64,
    quick: bool,
    /// Only the store-throughput measure (no simulator, no imports).
    store_only: bool,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let latency_ms = args
        .iter()
        .position(|a| a == "--latency-ms")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    Options {
        latency_ms,
        quick: args.iter().any(|a| a == "--quick"),
        store_only: args.iter().any(|a| a == "--store-only"),
    }
}

fn main() {
    let options = options();
    let today = Local::now().date_naive();
    let scale = if options.quick {
        Scale {
            gate_datasets: 8,
            libraries_per_dataset: 3,
            custom_datasets: 2,
            records: 20_000,
            from: generated::years_back(today, 2),
            through: generated::yesterday(today),
        }
    } else {
        Scale {
            gate_datasets: 40,
            libraries_per_dataset: 3,
            custom_datasets: 4,
            records: 500_000,
            from: generated::years_back(today, 10),
            through: generated::yesterday(today),
        }
    };
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("consortium-bench");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("a work folder");
    eprintln!("generating the consortium…");
    let fixture = generated::consortium(scale);
    let store_rows = rows_of(&fixture);
    if options.store_only {
        let (store_rate, bare_rate, cached_rate) = store_throughput(&work, &store_rows);
        println!(
            "store {store_rate:.0} rows/s, bare rusqlite {bare_rate:.0} rows/s (ratio {:.2}), with the store's cache {cached_rate:.0} rows/s (ratio {:.2})",
            store_rate / bare_rate,
            store_rate / cached_rate
        );
        return;
    }
    let sim = SimHandle::start(fixture, 0).expect("the simulator starts");
    sim.update_switches(|s| s.latency_ms = options.latency_ms);

    let config = work.join("almanac.toml");
    write_config(&config, &sim.base_url(), scale);

    eprintln!("importing at concurrency 8…");
    let fast = import(&config, &work.join("c8.db"), 8);
    let requests = sim.count("*") + sim.count("token");
    eprintln!("importing at concurrency 1…");
    let slow = import(&config, &work.join("c1.db"), 1);
    eprintln!("fetching with a sequential one-page-at-a-time client…");
    let sequential = sequential_client(&sim.base_url(), scale);
    drop(sim);

    eprintln!("timing the store against a bare rusqlite loop…");
    let (store_rate, bare_rate, cached_rate) = store_throughput(&work, &store_rows);

    eprintln!("timing the reports…");
    let reports = report_latency(&work.join("c8.db"), today);

    let rows = [
        Row::ratio(
            "import wall time, concurrency 8 vs 1",
            secs(fast.wall),
            secs(slow.wall),
            slow.wall.as_secs_f64() / fast.wall.as_secs_f64(),
            "≥ 6× faster",
        ),
        Row::ratio(
            "store rows/s vs bare rusqlite loop",
            format!("{:.0}/s", store_rate),
            format!("{:.0}/s", bare_rate),
            store_rate / bare_rate,
            "≥ 0.7",
        ),
        Row::ratio(
            "  … vs the same loop with the store's 32 MB cache",
            format!("{:.0}/s", store_rate),
            format!("{:.0}/s", cached_rate),
            store_rate / cached_rate,
            "(for reference)",
        ),
        Row::plain("import peak resident memory (concurrency 8)", mib(fast.peak_rss_kib), "< 150 MiB"),
        Row::ratio(
            "report gate-counts latency vs one SQL query",
            millis(reports.gate),
            millis(reports.gate_sql),
            reports.gate.as_secs_f64() / reports.gate_sql.as_secs_f64(),
            "< 50 ms, ≤ 2×",
        ),
        Row::ratio(
            "report acrl latency vs one SQL query",
            millis(reports.acrl),
            millis(reports.acrl_sql),
            reports.acrl.as_secs_f64() / reports.acrl_sql.as_secs_f64(),
            "< 50 ms, ≤ 2×",
        ),
        Row::ratio(
            "sequential client vs almanac at concurrency 8",
            secs(sequential),
            secs(fast.wall),
            sequential.as_secs_f64() / fast.wall.as_secs_f64(),
            "≥ 6× faster",
        ),
    ];
    println!(
        "almanac consortium benchmark: {} gate-count datasets × {} libraries, daily {} to {}; {} custom datasets, {} records; simulator latency {} ms; {} requests per import; {} rows stored",
        scale.gate_datasets,
        scale.libraries_per_dataset,
        scale.from,
        scale.through,
        scale.custom_datasets,
        scale.records,
        options.latency_ms,
        requests,
        store_rows.0.iter().map(|d| d.2.len()).sum::<usize>() + store_rows.1.iter().map(|d| d.1.len()).sum::<usize>(),
    );
    println!("{:<48} {:>14} {:>14} {:>9}  target", "measure", "almanac", "baseline", "ratio");
    for row in rows {
        println!("{:<48} {:>14} {:>14} {:>9}  {}", row.measure, row.value, row.baseline, row.ratio, row.target);
    }
}

struct Row {
    measure: &'static str,
    value: String,
    baseline: String,
    ratio: String,
    target: &'static str,
}

impl Row {
    fn ratio(measure: &'static str, value: String, baseline: String, ratio: f64, target: &'static str) -> Row {
        Row { measure, value, baseline, ratio: format!("{ratio:.2}×"), target }
    }

    fn plain(measure: &'static str, value: String, target: &'static str) -> Row {
        Row { measure, value, baseline: "—".to_string(), ratio: "—".to_string(), target }
    }
}

fn secs(duration: Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64())
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn write_config(path: &Path, base_url: &str, scale: Scale) {
    let text = format!(
        "database = \"unused.db\"\n\n[[profile]]\nname = \"consortium\"\nbase_url = \"{base_url}\"\nclient_id = \"{}\"\nclient_secret_env = \"ALMANAC_BENCH_SECRET\"\nbackfill_from = \"{}\"\n\n{}",
        generated::CLIENT_ID,
        scale.from,
        generated::dataset_config(scale)
    );
    std::fs::write(path, text).expect("write the config");
}

struct Imported {
    wall: Duration,
    peak_rss_kib: u64,
}

/// Runs the real binary, polling its peak resident set (VmHWM) while it runs.
fn import(config: &Path, database: &Path, concurrency: u16) -> Imported {
    let text = std::fs::read_to_string(config).expect("the config");
    let config_for_run = database.with_extension("toml");
    std::fs::write(&config_for_run, text.replace("unused.db", &database.display().to_string()))
        .expect("write the config");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_almanac"))
        .arg("--config")
        .arg(&config_for_run)
        .args(["import", "run", "--now", "--concurrency", &concurrency.to_string()])
        .env("ALMANAC_BENCH_SECRET", generated::CLIENT_SECRET)
        .spawn()
        .expect("the importer starts");
    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let poller = {
        let (peak, done, pid) = (Arc::clone(&peak), Arc::clone(&done), child.id());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if let Some(kib) = vm_hwm_kib(pid) {
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let status = child.wait().expect("the importer ends");
    let wall = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let _ = poller.join();
    assert!(status.success(), "the import failed: {status}");
    Imported { wall, peak_rss_kib: peak.load(Ordering::Relaxed) }
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The rows an import stores, computed from the fixture: gate visits per dataset and the
/// question records per custom dataset.
fn rows_of(fixture: &Fixture) -> StoreRows {
    let mut gate = Vec::new();
    for dataset in &fixture.gate_count {
        let libraries: Vec<Library> =
            dataset.libraries.iter().map(|l| Library { id: l.id, name: l.name.clone() }).collect();
        let mut rows = Vec::new();
        for library in &dataset.libraries {
            for reading in dataset.readings.get(&library.id.to_string()).into_iter().flatten() {
                let almanac::sim::fixture::Reading::Counter(period, start, end) = reading else { continue };
                let crossings = if end >= start { end - start } else { library.rollover - start + end };
                let halves = if library.method == CountMethod::Bidirectional { crossings } else { crossings * 2 };
                let period = NaiveDate::parse_from_str(period, "%Y-%m-%d").expect("a day");
                rows.push(GateVisits { library_id: library.id, period, grain: Granularity::Day, halves });
            }
        }
        gate.push((dataset.id, libraries, rows));
    }
    let mut records = Vec::new();
    for dataset in &fixture.custom {
        let rows = dataset
            .records
            .iter()
            .map(|r| ServiceRecord {
                record_id: r.get("_id").and_then(Value::as_i64).unwrap_or(0),
                day: NaiveDate::parse_from_str(&r["_start_date"].as_str().unwrap_or("")[..10], "%Y-%m-%d")
                    .expect("a day"),
                mode: "chat".to_string(),
                count: 1,
            })
            .collect();
        records.push((dataset.id, rows));
    }
    (gate, records)
}

type StoreRows = (Vec<(u32, Vec<Library>, Vec<GateVisits>)>, Vec<(u32, Vec<ServiceRecord>)>);

/// The page cache the store's writable connections use (`PRAGMA cache_size`, KiB).
const STORE_CACHE_KIB: i64 = 32_000;

/// Rows per second through the store, through a bare rusqlite loop with SQLite's defaults,
/// and through the same loop given the store's page cache: the medians of alternating rounds,
/// each into a fresh database, because one round of any of them is noisy.
fn store_throughput(work: &Path, rows: &StoreRows) -> (f64, f64, f64) {
    let total =
        (rows.0.iter().map(|d| d.2.len()).sum::<usize>() + rows.1.iter().map(|d| d.1.len()).sum::<usize>()) as f64;
    let (mut store, mut bare, mut bare_cached) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..5 {
        store.push(through_store(&work.join(format!("store-{round}.db")), rows));
        bare.push(through_bare_loop(&work.join(format!("bare-{round}.db")), rows, None));
        bare_cached.push(through_bare_loop(&work.join(format!("cached-{round}.db")), rows, Some(STORE_CACHE_KIB)));
    }
    let rate = |times: &mut Vec<Duration>| {
        times.sort();
        total / times[times.len() / 2].as_secs_f64()
    };
    (rate(&mut store), rate(&mut bare), rate(&mut bare_cached))
}

/// Through the store, the way an import does it: staged a page (or a span) at a time, then
/// each dataset swapped in with one transaction, and a checkpoint at the end.
fn through_store(path: &Path, rows: &StoreRows) -> Duration {
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a day");
    let last = NaiveDate::from_ymd_opt(2100, 1, 1).expect("a day");
    let mut store = Store::open(path).expect("a store");
    let run = store.begin_run(Trigger::Manual, Utc::now()).expect("a run");
    let started = Instant::now();
    for (job, (id, libraries, visits)) in rows.0.iter().enumerate() {
        let job = job as u32;
        store.stage_libraries(job, libraries).expect("stage");
        for chunk in visits.chunks(1098) {
            store.stage_gate_visits(job, chunk).expect("stage");
        }
        let identity =
            DatasetIdentity { profile: "bench", dataset_id: *id, kind: "gate-count", counts_as: "transactions" };
        commit(&mut store, job, identity, run, first, last);
    }
    for (index, (id, records)) in rows.1.iter().enumerate() {
        let job = (rows.0.len() + index) as u32;
        for page in records.chunks(100) {
            store.stage_service_records(job, page).expect("stage");
        }
        let identity = DatasetIdentity { profile: "bench", dataset_id: *id, kind: "custom", counts_as: "transactions" };
        commit(&mut store, job, identity, run, first, last);
    }
    // An import ends by folding its write-ahead log into the database file.
    store.checkpoint().expect("a checkpoint");
    started.elapsed()
}

/// A bare loop: the same rows into the same tables, one prepared statement each, one
/// transaction, then the same checkpoint as an import's, so both end with every row in the
/// database file.
fn through_bare_loop(path: &Path, rows: &StoreRows, cache_kib: Option<i64>) -> Duration {
    let mut conn = rusqlite::Connection::open(path).expect("a database");
    if let Some(kib) = cache_kib {
        conn.pragma_update(None, "cache_size", -kib).expect("cache_size");
    }
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).expect("WAL");
    conn.pragma_update(None, "synchronous", "NORMAL").expect("synchronous");
    conn.execute_batch(almanac::store::schema::MIGRATIONS[0]).expect("the schema");
    let started = Instant::now();
    let tx = conn.transaction().expect("a transaction");
    {
        let mut gate = tx
            .prepare("INSERT INTO gate_visits (dataset, library_id, period, grain, halves) VALUES (?1, ?2, ?3, ?4, ?5)")
            .expect("a statement");
        let mut record = tx
            .prepare("INSERT INTO service_record (dataset, record_id, day, mode, count) VALUES (?1, ?2, ?3, ?4, ?5)")
            .expect("a statement");
        let mut library =
            tx.prepare("INSERT INTO library (dataset, library_id, name) VALUES (?1, ?2, ?3)").expect("a statement");
        let mut dataset = tx
            .prepare("INSERT INTO dataset (id, profile, dataset_id, kind) VALUES (?1, 'bench', ?2, ?3)")
            .expect("a statement");
        for (key, (id, libraries, visits)) in rows.0.iter().enumerate() {
            let key = key as i64;
            dataset.execute(rusqlite::params![key, id, "gate-count"]).expect("insert");
            for l in libraries {
                library.execute(rusqlite::params![key, l.id, l.name]).expect("insert");
            }
            for v in visits {
                gate.execute(rusqlite::params![key, v.library_id, v.period.to_string(), v.grain.as_str(), v.halves])
                    .expect("insert");
            }
        }
        for (index, (id, records)) in rows.1.iter().enumerate() {
            let key = (rows.0.len() + index) as i64;
            dataset.execute(rusqlite::params![key, id, "custom"]).expect("insert");
            for r in records {
                record
                    .execute(rusqlite::params![key, r.record_id, r.day.to_string(), r.mode, r.count])
                    .expect("insert");
            }
        }
    }
    tx.commit().expect("commit");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("a checkpoint");
    started.elapsed()
}

fn commit(store: &mut Store, job: u32, identity: DatasetIdentity<'_>, run: i64, from: NaiveDate, to: NaiveDate) {
    let result =
        DatasetResult { run, from, to, requests: 0, problems: &[], warnings: &[], bookmark: to, now: Utc::now() };
    store.commit_dataset(job, identity, &result).expect("commit");
    store.discard_stage(job).expect("discard");
}

struct ReportTimes {
    gate: Duration,
    gate_sql: Duration,
    acrl: Duration,
    acrl_sql: Duration,
}

/// The median of `runs` timings of `work`.
fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn report_latency(database: &Path, today: NaiveDate) -> ReportTimes {
    let july = FiscalCalendar::JULY;
    let fiscal_year = july.last_complete_fiscal_year(today);
    let period = july.fiscal_year(fiscal_year);
    let survey_year = july.last_complete_survey_year(today);
    let survey = july.survey_year(survey_year);
    let store = Store::open_read_only(database).expect("the store");
    let context = Context { checks: Checks::DEFAULT, provenance: Provenance::gather(&store, &[]).expect("provenance") };
    let gate = median(21, || {
        gate_counts::gate_counts(&store, &period, &context).expect("the report");
    });
    let acrl = median(21, || {
        acrl::acrl(&store, july, survey_year, TypicalWeek::Average, &context).expect("the report");
    });

    // The same figures, each from one hand-written query.
    let conn = rusqlite::Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("a database");
    let gate_sql = median(21, || {
        let mut statement = conn
            .prepare_cached(
                "SELECT g.dataset, g.library_id, l.name, substr(g.period, 1, 7) AS month, sum(g.halves)
                 FROM gate_visits g JOIN library l ON l.dataset = g.dataset AND l.library_id = g.library_id
                 WHERE g.period BETWEEN ?1 AND ?2 GROUP BY g.dataset, g.library_id, month",
            )
            .expect("a statement");
        let rows: Vec<(i64, i64, String, String, i64)> = statement
            .query_map([period.from.to_string(), period.to.to_string()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .expect("a query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert!(!rows.is_empty());
    });
    // Lines 64, 65, 67, 73 (the average week: visitors / days of the months with data × 7,
    // rounded half up) and 74, in one statement.
    let acrl_query = "WITH services AS (
           SELECT r.mode, r.count, d.counts_as FROM service_record r JOIN dataset d ON d.id = r.dataset
            WHERE r.day BETWEEN ?1 AND ?2
           UNION ALL
           SELECT s.mode, s.count, d.counts_as FROM service_count s JOIN dataset d ON d.id = s.dataset
            WHERE s.period BETWEEN ?1 AND ?2),
         months AS (
           SELECT sum(halves) AS halves,
                  CAST(julianday(date(substr(period, 1, 7) || '-01', '+1 month'))
                       - julianday(substr(period, 1, 7) || '-01') AS INTEGER) AS days
             FROM gate_visits WHERE period BETWEEN ?1 AND ?2 GROUP BY substr(period, 1, 7))
         SELECT
           (SELECT sum(count) FROM services WHERE mode <> 'faq' AND counts_as = 'transactions'),
           (SELECT sum(count) FROM services WHERE mode <> 'faq' AND counts_as = 'consultations'),
           (SELECT sum(count) FROM services WHERE mode IN ('chat', 'sms', 'ticket', 'email')),
           (SELECT (14 * sum(halves) + 2 * sum(days)) / (4 * sum(days)) FROM months),
           (SELECT (sum(halves) + 1) / 2 FROM months)";
    let run_acrl_query = || -> [Option<i64>; 5] {
        let mut statement = conn.prepare_cached(acrl_query).expect("a statement");
        statement
            .query_row([survey.from.to_string(), survey.to.to_string()], |r| {
                Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])
            })
            .expect("a row")
    };
    // The query computes the report's figures, or the comparison would mean nothing.
    let report = acrl::acrl(&store, july, survey_year, TypicalWeek::Average, &context).expect("the report");
    let value = |line: &str| report.lines.iter().find(|l| l.line == line).and_then(|l| l.value);
    let [transactions, _, virtual_reference, week, annual] = run_acrl_query();
    assert_eq!(
        [value("64"), value("67"), value("73"), value("74")],
        [transactions, virtual_reference, week, annual],
        "the hand-written query and the report disagree"
    );
    let acrl_sql = median(21, || {
        run_acrl_query();
    });
    ReportTimes { gate, gate_sql, acrl, acrl_sql }
}

/// One GET, the answer parsed as JSON, the way the public scripts do it (no retries).
async fn get_json(http: &reqwest::Client, url: &str, bearer: &str) -> Value {
    let answer = http.get(url).header("Authorization", bearer).send().await.expect("an answer");
    answer.json().await.expect("json")
}

/// A client written the way the public LibInsight scripts are: one token, then every
/// request one after another, each page parsed before the next is asked for, rows written out
/// as CSV lines.
fn sequential_client(base_url: &str, scale: Scale) -> Duration {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let http = reqwest::Client::builder().no_proxy().build().expect("a client");
        let started = Instant::now();
        let token: Value = http
            .post(format!("{base_url}/oauth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", generated::CLIENT_ID),
                ("client_secret", generated::CLIENT_SECRET),
            ])
            .send()
            .await
            .expect("a token")
            .json()
            .await
            .expect("json");
        let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap_or(""));
        let mut csv = String::new();
        let mut spans = Vec::new();
        let mut from = scale.from;
        while from <= scale.through {
            let to = (from + chrono::Days::new(364)).min(scale.through);
            spans.push((from, to));
            from = to + chrono::Days::new(1);
        }
        for index in 0..scale.gate_datasets {
            let id = generated::FIRST_GATE + index;
            for (from, to) in &spans {
                let url = format!("{base_url}/gate-count/{id}/overview?from={from}&to={to}&aggregate=daily");
                let body = get_json(&http, &url, &bearer).await;
                for (day, libraries) in body["payload"]["daily"].as_object().into_iter().flatten() {
                    for (library, visitors) in libraries.as_object().into_iter().flatten() {
                        csv.push_str(&format!("{id},{day},{library},{visitors}\n"));
                    }
                }
            }
        }
        for index in 0..scale.custom_datasets {
            let id = generated::FIRST_CUSTOM + index;
            for (from, to) in &spans {
                let mut page = 1;
                loop {
                    let url = format!(
                        "{base_url}/custom-dataset/{id}/data-grid?from={from}&to={to}&page={page}&sort=asc&entered_by=all"
                    );
                    let body = get_json(&http, &url, &bearer).await;
                    let payload = &body["payload"];
                    for record in payload["records"].as_array().into_iter().flatten() {
                        csv.push_str(&format!("{id},{},{}\n", record["_id"], record["_start_date"]));
                    }
                    let shown = payload["displayed_page"].as_u64().unwrap_or(page);
                    let total = payload["total_pages"].as_u64().unwrap_or(0);
                    if shown >= total {
                        break;
                    }
                    page += 1;
                }
                csv.clear();
            }
        }
        started.elapsed()
    })
}
