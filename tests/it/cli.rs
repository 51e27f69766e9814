//! The command line's contract: exit codes, the schedule, the lock, config errors, failed
//! credentials, history, and secrets kept out of every output.

use almanac::import::lock::ImportLock;
use serde_json::json;

use crate::support::{SECRET_VAR, TestEnv};

#[test]
fn a_scheduled_run_right_after_a_successful_one_is_skipped_and_now_runs_anyway() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    env.run(&["import", "run"]).success();
    let before = env.sim.count("gate-count/overview");
    let skipped = env.run(&["-v", "import", "run"]);
    skipped.success().stderr_contains("not due");
    assert_eq!(skipped.stderr.lines().count(), 1, "one info line: {}", skipped.stderr);
    assert_eq!(env.sim.count("gate-count/overview"), before, "a skipped run makes no requests");
    env.run(&["import", "run", "--now"]).success();
    assert!(env.sim.count("gate-count/overview") > before);
    let history = env.run(&["import", "history", "--format", "json"]).json();
    let statuses: Vec<&str> = history.as_array().expect("runs").iter().filter_map(|r| r["status"].as_str()).collect();
    assert_eq!(statuses, ["Completed Successfully", "Skipped: not due", "Completed Successfully"]);
    let triggers: Vec<&str> = history.as_array().expect("runs").iter().filter_map(|r| r["trigger"].as_str()).collect();
    assert_eq!(triggers, ["manual", "scheduled", "scheduled"]);
}

#[test]
fn under_cron_a_successful_run_prints_nothing() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    let run = env.run(&["import", "run", "--now"]);
    run.success();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    let verbose = env.run(&["-v", "import", "run", "--now"]);
    verbose.success().stderr_contains("rows written");
}

#[test]
fn a_held_lock_exits_75_at_once() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    let _held = ImportLock::acquire(&env.db()).expect("the test takes the lock");
    let run = env.run(&["import", "run", "--now"]);
    run.assert_code(75).stderr_contains("another import is running");
    assert_eq!(env.sim.count("token"), 0, "no request was made");
}

#[test]
fn a_bad_config_exits_2_naming_the_file_the_key_and_the_line() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_config(&env.profile("client_scret = \"typo\"", ""));
    let run = env.run(&["import", "run", "--now"]);
    let config = env.config_path().display().to_string();
    run.assert_code(2).stderr_contains(&format!("{config}:11: unknown field `client_scret`"));
}

#[test]
fn a_missing_config_file_exits_2_and_says_how_to_name_one() {
    let env = TestEnv::with_fixture("gate-counts.json");
    let run = env.run(&["report", "gate-counts", "--year", "2024"]);
    run.assert_code(2).stderr_contains("almanac.toml not found");
}

#[test]
fn a_wrong_secret_exits_1_names_the_profile_writes_no_rows_and_is_failed_in_history() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    let run = env.run_with(&["import", "run", "--now"], &[(SECRET_VAR, "not-the-secret")]);
    run.assert_code(1)
        .stderr_contains("LibInsight refused the client credentials of profile `main`")
        .stderr_contains("invalid_client");
    assert_eq!(env.dump(), "", "no data rows were written");
    let history = env.run(&["import", "history", "--format", "json"]).json();
    assert_eq!(history[0]["status"], json!("Failed"));
    assert_eq!(history[0]["datasets_failed"], json!(1));
    assert!(history[0]["first_error"].as_str().unwrap_or("").contains("main/43702: LibInsight refused"), "{history}");
}

#[test]
fn trace_output_never_shows_the_client_secret_or_an_access_token() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    let run = env.run(&["-vvv", "import", "run", "--now"]);
    run.success();
    let json_logs = env.run(&["-vvv", "--log-format", "json", "import", "run", "--now"]);
    json_logs.success();
    let history = env.run(&["import", "history", "--format", "json"]);
    let tokens = env.sim.issued_tokens();
    assert!(!tokens.is_empty());
    for output in [&run.stdout, &run.stderr, &json_logs.stderr, &history.stdout] {
        assert!(!output.contains(&env.secret), "the secret leaked:\n{output}");
        for token in &tokens {
            assert!(!output.contains(token.as_str()), "a token leaked:\n{output}");
        }
    }
    assert!(run.stderr.contains("TRACE") || run.stderr.contains("DEBUG"), "trace is on:\n{}", run.stderr);
}

#[test]
fn import_history_lists_runs_newest_first_with_their_statuses() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    env.run(&["import", "run", "--now"]).success();
    env.run_with(&["import", "run", "--now"], &[(SECRET_VAR, "wrong")]).assert_code(1);
    let history = env.run(&["import", "history", "--format", "json"]).json();
    let runs = history.as_array().expect("a list");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["status"], json!("Failed"));
    assert_eq!(runs[1]["status"], json!("Completed Successfully"));
    assert!(runs[0]["id"].as_i64() > runs[1]["id"].as_i64());
    assert_eq!(runs[1]["datasets_ok"], json!(1));
    assert!(runs[1]["duration_seconds"].as_f64().is_some());
    let table = env.run(&["import", "history"]);
    table.success();
    assert!(table.stdout.contains("Completed Successfully") && table.stdout.contains("Failed"));
}

#[test]
fn config_check_masks_the_secret_and_online_signs_in() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_gate_config();
    let check = env.run(&["config", "check"]);
    check.success();
    assert!(check.stdout.contains("client_secret: ******** (from $ALMANAC_TEST_SECRET)"), "{}", check.stdout);
    assert!(check.stdout.contains("dataset 43702: gate-count, by day"));
    assert!(!check.stdout.contains(&env.secret));
    env.run(&["config", "check", "--online"]).success();
    assert_eq!(env.sim.count("token"), 1);
    let wrong = env.run_with(&["config", "check", "--online"], &[(SECRET_VAR, "wrong")]);
    wrong.assert_code(1);
    assert!(wrong.stdout.contains("profile `main`: cannot sign in"), "{}", wrong.stdout);
}

#[test]
fn the_demo_imports_and_reports_on_its_own() {
    let env = TestEnv::with_fixture("gate-counts.json");
    let db = env.path("demo/almanac-demo.db");
    let run = env.run(&["demo", "--db", &db.display().to_string()]);
    run.success();
    assert!(run.stdout.contains("Completed Successfully"), "{}", run.stdout);
    assert!(run.stdout.contains("Main Entrance") && run.stdout.contains("All libraries"));
    assert!(db.exists());
}
