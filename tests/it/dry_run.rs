//! `import run --dry-run`: fetch, normalize and compare; say what would change; write
//! nothing, not a byte of the database and not a run in its history.

use serde_json::json;

use almanac::sim::fixture::Reading;

use crate::support::{RELIABILITY_DATASETS, TestEnv, today};

/// The numbers of a dataset's row in the dry-run table: insert, update, delete, unchanged.
fn planned(stdout: &str, dataset: &str) -> Vec<u64> {
    let line =
        stdout.lines().find(|l| l.contains(dataset)).unwrap_or_else(|| panic!("no row for {dataset}:\n{stdout}"));
    line.split(['│', '┆']).map(str::trim).filter_map(|cell| cell.parse().ok()).take(4).collect()
}

#[test]
fn a_dry_run_says_what_would_change_and_writes_nothing() {
    let env = TestEnv::with_fixture("reliability.json");
    env.write_config(&env.profile("", RELIABILITY_DATASETS));
    env.run(&["import", "run", "--now"]).success();

    // LibInsight changes: one corrected reading, one new day, one record removed.
    env.sim.set_reading(43702, 3, Reading::Counter("2024-07-01".to_string(), 0, 2001));
    env.sim.set_reading(43702, 4, Reading::Counter("2024-07-02".to_string(), 300, 400));
    let fixture = crate::support::fixture("reliability.json");
    let without_14 = fixture.custom[0].records.iter().filter(|r| r.get("_id") != Some(&json!(14))).cloned().collect();
    env.sim.set_records(28364, without_14);

    let bytes_before = std::fs::read(env.db()).expect("the database");
    let today = today();
    let dry = env.run(&["import", "run", "--dry-run", "--from", "2024-06-01", "--to", &today]);
    dry.success();
    assert!(dry.stdout.contains("nothing was written"), "{}", dry.stdout);
    let gate = planned(&dry.stdout, "main/43702");
    let custom = planned(&dry.stdout, "main/28364");
    assert_eq!(&gate[..3], [1, 1, 0], "insert, update, delete for 43702:\n{}", dry.stdout);
    assert_eq!(&custom[..3], [0, 0, 1], "insert, update, delete for 28364:\n{}", dry.stdout);
    assert_eq!(std::fs::read(env.db()).expect("the database"), bytes_before, "not a byte changed");
    let history = env.run(&["import", "history", "--format", "json"]).json();
    assert_eq!(history.as_array().map(Vec::len), Some(1), "no run recorded");

    // The real import does what the dry run said.
    env.run(&["import", "run", "--now", "--from", "2024-06-01", "--to", &today]).success();
    let detail = env.run(&["import", "history", "--run", "2", "--format", "json"]).json();
    let datasets = detail["datasets"].as_array().expect("datasets");
    let of = |id: u32| datasets.iter().find(|d| d["dataset_id"] == json!(id)).cloned().unwrap_or_default();
    assert_eq!(
        [&of(43702)["inserted"], &of(43702)["updated"], &of(43702)["deleted"], &of(43702)["unchanged"]],
        [&json!(gate[0]), &json!(gate[1]), &json!(gate[2]), &json!(gate[3])]
    );
    assert_eq!(of(28364)["deleted"], json!(1));
}

#[test]
fn a_dry_run_before_any_import_creates_no_database() {
    let env = TestEnv::with_fixture("reliability.json");
    env.write_config(&env.profile("", RELIABILITY_DATASETS));
    let dry = env.run(&["import", "run", "--dry-run"]);
    dry.success();
    assert!(planned(&dry.stdout, "main/43702")[0] > 0, "everything would be inserted");
    assert!(!env.db().exists());
}
