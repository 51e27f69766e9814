//! Gate counts end to end: readings in the simulator, an import through HTTP and OAuth into
//! SQLite, and `report gate-counts` checked against figures computed by hand.

use almanac::sim::fixture::Reading;
use chrono::{Days, Local};
use serde_json::{Value, json};

use crate::support::TestEnv;

/// Twelve FY2025 months, the ones after October without data.
fn fy2025_rows(first_four: Vec<Value>) -> Vec<Value> {
    let mut rows = first_four;
    for month in ["2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"] {
        rows.push(json!({
            "month": month,
            "visitors": {"Main Entrance": null, "Science Library": null, "Special Collections": null},
            "all_libraries": null
        }));
    }
    rows
}

fn missing(library: &str, months: &[&str]) -> Vec<String> {
    months.iter().map(|m| format!("{library}: no data for {m}")).collect()
}

#[test]
fn a_full_import_reports_the_figures_computed_by_hand_from_the_readings() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    env.run(&["import", "run", "--now"]).success();
    let report = env.run(&["report", "gate-counts", "--fiscal-year", "2025", "--format", "json"]);
    report.success();

    // Main Entrance is bidirectional: visitors are crossings / 2, kept exact.
    //   July:  (2201 − 1000) + (3400 − 2201) = 1201 + 1199 = 2400 crossings = 1200
    //   Aug:   4401 − 3400 = 1001 crossings = 500.5, shown 501 (half up)
    //   Sept:  999 500 → 500 wraps at 1 000 000: 500 000 … (1 000 000 − 999 500) + 500 = 1000 crossings = 500
    //   Oct:   1701 − 500 = 1201 crossings = 600.5, shown 601
    //   Total: (2400 + 1001 + 1000 + 1201) / 2 = 5602 / 2 = 2801 (the shown months add up to 2802: R6)
    //   2024-06-30 (FY2024) and 2025-07-01 (FY2026) are outside the period.
    // Science Library is unidirectional with rollover 100 000:
    //   July:  (100 000 − 99 950) + 50 = 100, plus 350 − 50 = 300: 400
    //   Aug:   250 − 0 = 250;  Total 650
    // Special Collections is manual: July 42, August 17; Total 59.
    // All libraries: July 1200 + 400 + 42 = 1642; August 500.5 + 250 + 17 = 767.5 → 768;
    //   Sept 500; Oct 600.5 → 601; Total 2801 + 650 + 59 = 3510 (from exact halves 7020 / 2).
    let mut warnings = missing(
        "Main Entrance",
        &["2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"],
    );
    for library in ["Science Library", "Special Collections"] {
        warnings.extend(missing(
            library,
            &[
                "2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05",
                "2025-06",
            ],
        ));
    }
    let expected = json!({
        "report": "gate-counts",
        "period": {"label": "FY2025", "from": "2024-07-01", "to": "2025-06-30"},
        "libraries": ["Main Entrance", "Science Library", "Special Collections"],
        "rows": fy2025_rows(vec![
            json!({"month": "2024-07", "visitors": {"Main Entrance": 1200, "Science Library": 400, "Special Collections": 42}, "all_libraries": 1642}),
            json!({"month": "2024-08", "visitors": {"Main Entrance": 501, "Science Library": 250, "Special Collections": 17}, "all_libraries": 768}),
            json!({"month": "2024-09", "visitors": {"Main Entrance": 500, "Science Library": null, "Special Collections": null}, "all_libraries": 500}),
            json!({"month": "2024-10", "visitors": {"Main Entrance": 601, "Science Library": null, "Special Collections": null}, "all_libraries": 601}),
        ]),
        "totals": {
            "visitors": {"Main Entrance": 2801, "Science Library": 650, "Special Collections": 59},
            "all_libraries": 3510
        },
        "warnings": warnings,
    });
    let mut actual = report.json();
    // When the data was imported is checked on its own: it is this run's time.
    let as_of = actual.as_object_mut().and_then(|o| o.remove("data_as_of")).expect("data_as_of");
    assert!(as_of.as_object().is_some_and(|o| !o.is_empty() && o.values().all(|v| v.is_string())), "{as_of}");
    assert_eq!(actual, expected);
    // The keys of each row's visitors come in column order, as `libraries` lists them.
    let first_row = report.stdout.find("\"Main Entrance\": 1200").expect("July's row");
    let science = report.stdout[first_row..].find("\"Science Library\"").expect("Science in July");
    let special = report.stdout[first_row..].find("\"Special Collections\"").expect("Special in July");
    assert!(science < special);
}

#[test]
fn the_calendar_year_report_runs_january_to_december() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    env.run(&["import", "run", "--now"]).success();
    let report = env.run(&["report", "gate-counts", "--year", "2024", "--format", "json"]).json();
    assert_eq!(report["period"], json!({"label": "2024", "from": "2024-01-01", "to": "2024-12-31"}));
    let months: Vec<&str> =
        report["rows"].as_array().expect("rows").iter().filter_map(|r| r["month"].as_str()).collect();
    assert_eq!(months.first(), Some(&"2024-01"));
    assert_eq!(months.last(), Some(&"2024-12"));
    // 2024-06-30 is in calendar 2024: 700 − 500 = 200 crossings = 100 visitors in June.
    assert_eq!(report["rows"][5]["visitors"]["Main Entrance"], json!(100));
    // July to December: 2400 + 1001 + 1000 + 1201 crossings, plus June's 200: 5802 / 2 = 2901.
    assert_eq!(report["totals"]["visitors"]["Main Entrance"], json!(2901));
}

#[test]
fn the_table_and_csv_show_missing_months_empty_not_zero() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    env.run(&["import", "run", "--now"]).success();
    let table = env.run(&["report", "gate-counts", "--fiscal-year", "2025"]);
    table.success();
    let november = table.stdout.lines().find(|l| l.contains("2024-11")).expect("a November row");
    assert!(november.contains('—') && !november.contains(" 0 "), "{november}");
    assert!(table.stdout.contains("Total") && table.stdout.contains("3,510"), "{}", table.stdout);
    let csv = env.run(&["report", "gate-counts", "--fiscal-year", "2025", "--format", "csv"]);
    let mut lines = csv.stdout.lines();
    assert_eq!(lines.next(), Some("Month,Main Entrance,Science Library,Special Collections,All libraries"));
    assert_eq!(lines.next(), Some("2024-07,1200,400,42,1642"));
    assert!(csv.stdout.contains("\n2024-11,,,,\n"), "{}", csv.stdout);
    assert!(csv.stdout.contains("\nTotal,2801,650,59,3510\n"), "{}", csv.stdout);
    assert!(csv.stdout.contains("# warning: Main Entrance: no data for 2024-11"));
}

#[test]
fn a_second_import_of_the_same_window_leaves_every_row_the_same() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    env.run(&["import", "run", "--now"]).success();
    let first = env.dump();
    assert!(first.contains("gate|main|43702|3|2024-07-01|day|1201"), "{first}");
    env.run(&["import", "run", "--now", "--from", "2024-06-01", "--to", "2025-12-31"]).success();
    assert_eq!(env.dump(), first);
    let history = env.run(&["import", "history", "--format", "json"]).json();
    // The second run found everything unchanged: it wrote no rows.
    assert_eq!(history[0]["rows_written"], json!(0));
    assert!(history[1]["rows_written"].as_i64().unwrap_or(0) > 0);
}

#[test]
fn a_reading_changed_in_libinsight_shows_up_after_the_next_import() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    // A reading inside the regular look-back window (a few days ago).
    let recent = (Local::now().date_naive() - Days::new(3)).format("%Y-%m-%d").to_string();
    env.sim.set_reading(43702, 4, Reading::Counter(recent.clone(), 1000, 1300));
    env.run(&["import", "run", "--now"]).success();
    assert!(env.dump().contains(&format!("gate|main|43702|4|{recent}|day|600")));

    // Someone corrects it in LibInsight; the next regular run re-reads the look-back window.
    env.sim.set_reading(43702, 4, Reading::Counter(recent.clone(), 1000, 1450));
    env.run(&["import", "run", "--now"]).success();
    let dump = env.dump();
    assert!(dump.contains(&format!("gate|main|43702|4|{recent}|day|900")), "{dump}");

    // An old correction is outside the look-back window; a backfill of its range brings it.
    env.sim.set_reading(43702, 3, Reading::Counter("2024-08-01".to_string(), 3400, 5401));
    env.run(&["import", "run", "--now"]).success();
    assert!(env.dump().contains("gate|main|43702|3|2024-08-01|day|1001"));
    env.run(&["import", "run", "--now", "--from", "2024-08-01", "--to", "2024-08-31"]).success();
    assert!(env.dump().contains("gate|main|43702|3|2024-08-01|day|2001"));
    let report = env.run(&["report", "gate-counts", "--fiscal-year", "2025", "--format", "json"]).json();
    // August is now 2001 crossings = 1000.5 visitors, shown 1001.
    assert_eq!(report["rows"][1]["visitors"]["Main Entrance"], json!(1001));
}
