//! Anomaly and provenance warnings: a month that is zero or far from the same month a year
//! earlier, a dataset never imported or whose last import failed. They appear for a fixture
//! built to trigger them, and not for one that should not.

use serde_json::Value;

use crate::support::TestEnv;

const DATASETS: &str = r#"
  [[profile.dataset]]
  id = 43702
  kind = "gate-count"

  [[profile.dataset]]
  id = 21034
  kind = "reference"
"#;

fn warnings(report: &Value) -> Vec<String> {
    report["warnings"].as_array().expect("warnings").iter().filter_map(|w| w.as_str().map(String::from)).collect()
}

fn anomalies_env(checks: &str) -> TestEnv {
    let env = TestEnv::with_fixture("anomalies.json");
    let profile = env.profile("", DATASETS).replace("backfill_from = \"2024-06-01\"", "backfill_from = \"2023-07-01\"");
    env.write_config(&format!("{checks}\n{profile}"));
    env.run(&["import", "run", "--now"]).success();
    env
}

#[test]
fn months_far_from_the_year_before_and_zero_months_are_warned_about_with_both_numbers() {
    let env = anomalies_env("");
    let gate = env.run(&["report", "gate-counts", "--fiscal-year", "2025", "--format", "json"]).json();
    // Every month of FY2024 had 1000 visitors; FY2025 has 0 in September, 200 in October
    // and 3500 in November.
    let anomalies: Vec<String> = warnings(&gate).into_iter().filter(|w| w.starts_with("Main Entrance")).collect();
    assert_eq!(
        anomalies,
        [
            "Main Entrance: 0 visitors in 2024-09",
            "Main Entrance: 200 visitors in 2024-10, less than 0.33 times 2023-10 (1,000 visitors)",
            "Main Entrance: 3,500 visitors in 2024-11, more than 3 times 2023-11 (1,000 visitors)",
        ]
    );
    let services = env.run(&["report", "services", "--fiscal-year", "2025", "--format", "json"]).json();
    assert!(
        warnings(&services).contains(&"All services: 20 in 2024-12, less than 0.33 times 2023-12 (100)".to_string()),
        "{:?}",
        warnings(&services)
    );
    // FY2024 has no year before it in the store and no zero month: nothing to flag.
    let earlier = env.run(&["report", "gate-counts", "--fiscal-year", "2024", "--format", "json"]).json();
    assert!(warnings(&earlier).iter().all(|w| !w.starts_with("Main Entrance")), "{:?}", warnings(&earlier));
}

#[test]
fn the_thresholds_come_from_the_checks_section() {
    let env = anomalies_env("[checks]\nlow_ratio = 0.1\nhigh_ratio = 4.0\n");
    let gate = env.run(&["report", "gate-counts", "--fiscal-year", "2025", "--format", "json"]).json();
    let anomalies: Vec<String> = warnings(&gate).into_iter().filter(|w| w.starts_with("Main Entrance")).collect();
    assert_eq!(anomalies, ["Main Entrance: 0 visitors in 2024-09"], "200 is above a tenth, 3500 below four times");
}

#[test]
fn datasets_never_imported_or_failing_are_warned_about_and_data_as_of_names_each() {
    let env = TestEnv::with_fixture("anomalies.json");
    let datasets = format!("{DATASETS}\n  [[profile.dataset]]\n  id = 99999\n  kind = \"reference\"\n");
    let profile =
        env.profile("", &datasets).replace("backfill_from = \"2024-06-01\"", "backfill_from = \"2023-07-01\"");
    env.write_config(&profile);
    // Only the gate counts are imported at first: the Reference datasets are never tried.
    env.run(&["import", "run", "--now", "--dataset", "43702"]).success();
    let services = env.run(&["report", "services", "--fiscal-year", "2025", "--format", "json"]).json();
    assert!(warnings(&services).contains(&"dataset main/21034 has never been imported".to_string()));
    assert_eq!(services["data_as_of"]["main/21034"], Value::Null);
    // Dataset 99999 does not exist in LibInsight: its import fails.
    env.run(&["import", "run", "--now"]).assert_code(1);
    let acrl = env.run(&["report", "acrl", "--survey-year", "2025", "--format", "json"]).json();
    assert!(warnings(&acrl).contains(&"dataset main/99999 has never been imported successfully".to_string()));
    assert!(acrl["data_as_of"]["main/43702"].is_string() && acrl["data_as_of"]["main/21034"].is_string());
    let table = env.run(&["report", "gate-counts", "--fiscal-year", "2025"]);
    assert!(table.stdout.contains("Data as of (last successful import): main/43702 "), "{}", table.stdout);
    let csv = env.run(&["report", "gate-counts", "--fiscal-year", "2025", "--format", "csv"]);
    assert!(csv.stdout.contains("\n# Data as of (last successful import): main/43702 "), "{}", csv.stdout);
}

#[test]
fn a_clean_fixture_gets_no_anomaly_or_provenance_warnings() {
    let env = TestEnv::with_fixture("anomalies.json");
    let profile = env.profile("", DATASETS).replace("backfill_from = \"2024-06-01\"", "backfill_from = \"2023-07-01\"");
    env.write_config(&profile);
    env.run(&["import", "run", "--now"]).success();
    // FY2024: whole, steady months, every dataset imported.
    for (report, year) in [("gate-counts", "--fiscal-year"), ("services", "--fiscal-year")] {
        let json = env.run(&["report", report, year, "2024", "--format", "json"]).json();
        assert_eq!(warnings(&json), Vec::<String>::new(), "{report}");
    }
}
