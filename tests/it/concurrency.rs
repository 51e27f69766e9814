//! Commands side by side: reports and history read while an import writes (WAL), never see
//! half a dataset window, and a second import is turned away at once.

use std::time::{Duration, Instant};

use almanac::sim::fixture::Reading;
use almanac::sim::{Fault, FaultRule, When};
use serde_json::{Value, json};

use crate::support::{RELIABILITY_DATASETS, SECRET_VAR, TestEnv, today};

fn main_entrance(env: &TestEnv, fiscal_year: &str, month: usize) -> Value {
    let report = env.run(&["report", "gate-counts", "--fiscal-year", fiscal_year, "--format", "json"]);
    report.success();
    report.json()["rows"][month]["visitors"]["Main Entrance"].clone()
}

#[test]
fn readers_work_during_an_import_and_see_the_old_window_or_the_new_never_half() {
    let env = TestEnv::with_fixture("reliability.json");
    env.write_config(&env.profile("concurrency = 1", RELIABILITY_DATASETS));
    env.run(&["import", "run", "--now"]).success();
    // This simulator floors a bidirectional gate's halves (the spec's default), so
    // July 2024: 1201 crossings = 600; July 2025: 601 crossings = 300.
    assert_eq!(main_entrance(&env, "2025", 0), json!(600));
    assert_eq!(main_entrance(&env, "2026", 0), json!(300));

    // Corrections in both spans of the dataset's window: a reader must see both or neither.
    env.sim.set_reading(43702, 3, Reading::Counter("2024-07-01".to_string(), 0, 2001));
    env.sim.set_reading(43702, 3, Reading::Counter("2025-07-01".to_string(), 2400, 4001));
    // Park the import on its second span, after the first span's rows are staged.
    env.sim.add_fault(FaultRule {
        route: "gate-count/overview".to_string(),
        dataset: Some(43702),
        when: When::Nth(2),
        fault: Fault::Hold,
    });
    env.sim.clear_requests();
    let today = today();
    let import = env
        .command(
            "almanac.toml",
            &["import", "run", "--now", "--from", "2024-06-01", "--to", &today],
            &[(SECRET_VAR, &env.secret)],
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the import starts");
    assert!(env.sim.wait_for_arrivals("gate-count/overview", 2, Duration::from_secs(30)));

    // While the import is parked mid-dataset: both periods still show the old window.
    assert_eq!(main_entrance(&env, "2025", 0), json!(600));
    assert_eq!(main_entrance(&env, "2026", 0), json!(300));
    let history = env.run(&["import", "history", "--format", "json"]);
    history.success();
    assert_eq!(history.json()[0]["status"], json!("Running"));
    let started = Instant::now();
    let second = env.run(&["import", "run", "--now"]);
    second.assert_code(75).stderr_contains("another import is running");
    assert!(started.elapsed() < Duration::from_secs(5), "the second import did not wait");

    env.sim.release_holds();
    let output = import.wait_with_output().expect("the import ends");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    // Both corrections arrived together: 2001 crossings = 1000; 1601 = 800.
    assert_eq!(main_entrance(&env, "2025", 0), json!(1000));
    assert_eq!(main_entrance(&env, "2026", 0), json!(800));
    let history = env.run(&["import", "history", "--format", "json"]).json();
    assert_eq!(history[0]["status"], json!("Completed Successfully"));
}
