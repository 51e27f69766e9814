//! Bad input loses nothing: every config mistake is exit 2 with a message naming the thing,
//! and every bad value LibInsight sends is a recorded problem with its dataset and its period
//! or record, while the good values of the same answer are stored and nothing bad becomes 0.

use serde_json::json;

use crate::support::{SECRET_VAR, TestEnv};

const GATE: &str = "  [[profile.dataset]]\n  id = 43702\n  kind = \"gate-count\"\n  granularity = \"day\"\n";

/// Writes `config`, runs `args`, and checks exit 2 with `message` and no request to LibInsight.
#[track_caller]
fn refused(env: &TestEnv, config: &str, args: &[&str], env_vars: &[(&str, &str)], message: &str) {
    env.write_config(config);
    let run = env.run_with(args, env_vars);
    run.assert_code(2).stderr_contains(message);
    assert_eq!(env.sim.count("token"), 0, "nothing was fetched");
    assert!(!env.db().exists(), "no database was created");
}

#[test]
fn every_config_mistake_is_exit_2_naming_the_thing() {
    let env = TestEnv::with_fixture("gate-counts.json");
    let good = env.profile("", GATE);
    let secret = [(SECRET_VAR, env.secret.as_str())];
    let import = ["import", "run", "--now"];
    let config = env.config_path().display().to_string();

    let missing = env.run_config("nowhere.toml", &["import", "run", "--now"]);
    let nowhere = env.path("nowhere.toml");
    missing.assert_code(2).stderr_contains(&format!("config file {} not found", nowhere.display()));

    refused(&env, "database = \n", &import, &secret, &format!("{config}:2:"));
    refused(&env, &good.replace("client_id =", "clientid ="), &import, &secret, "unknown field `clientid`");
    refused(
        &env,
        &format!("fiscal_year_start_month = 13\n{good}"),
        &import,
        &secret,
        &format!("{config}:2: `fiscal_year_start_month` must be a month from 1 to 12, not 13"),
    );
    refused(
        &env,
        &format!("[schedule]\nevery = \"soon\"\n{good}"),
        &import,
        &secret,
        &format!("{config}:3: [schedule] `every` `soon` is not a duration"),
    );
    refused(
        &env,
        &good,
        &import,
        &[],
        "profile `main`: `client_secret_env`: environment variable `ALMANAC_TEST_SECRET` is not set",
    );
    refused(
        &env,
        &good.replace(&format!("client_secret_env = \"{SECRET_VAR}\""), "client_secret_file = \"no-such-secret\""),
        &import,
        &secret,
        "`client_secret_file` of profile `main`: cannot read",
    );
    refused(&env, &format!("{good}\n{good}"), &import, &secret, "two profiles are named `main`");
    refused(&env, &format!("{good}\n{GATE}"), &import, &secret, "profile `main`: dataset 43702 is listed twice");
    refused(
        &env,
        &good,
        &["import", "run", "--now", "--from", "2025-07-01", "--to", "2025-06-30"],
        &secret,
        "`--from` 2025-07-01 is after `--to` 2025-06-30",
    );
    refused(
        &env,
        &good,
        &["import", "run", "--now", "--dataset", "99999"],
        &secret,
        "dataset 99999 is not in any selected profile",
    );
    refused(&env, &good, &["import", "run", "--now", "--profile", "other"], &secret, "no profile named `other`");
}

#[test]
fn bad_values_become_recorded_problems_and_good_ones_are_stored() {
    let env = TestEnv::with_fixture("bad-data.json");
    let datasets = format!(
        "{GATE}\n  [[profile.dataset]]\n  id = 21034\n  kind = \"reference\"\n\n  [[profile.dataset]]\n  id = 28364\n  kind = \"custom\"\n  mode_field = \"Mode\"\n  mode_map = {{ \"Walk-in\" = \"in_person\", \"Phone\" = \"phone\" }}\n  count_field = \"Number of questions\"\n"
    );
    env.write_config(&env.profile("", &datasets));
    let run = env.run(&["-v", "import", "run", "--now", "--from", "2024-07-01", "--to", "2024-07-31"]);
    run.success()
        .stderr_contains("5 values could not be used; see `almanac import history --run ID` dataset=main/43702")
        .stderr_contains("3 values could not be used; see `almanac import history --run ID` dataset=main/21034")
        .stderr_contains("4 values could not be used; see `almanac import history --run ID` dataset=main/28364");

    let dump = env.dump();
    // Good values of the same answers are stored: Main Entrance 100, "12" and 8 visitors.
    assert!(dump.contains("gate|main|43702|3|2024-07-01|day|200"), "{dump}");
    assert!(dump.contains("gate|main|43702|3|2024-07-02|day|24"));
    assert!(dump.contains("gate|main|43702|3|2024-07-04|day|16"));
    assert!(dump.contains("service|main|21034|2024-07-01|month|chat|10"));
    assert!(dump.contains("record|main|28364|1|2024-07-02|in_person|1"));
    assert!(dump.contains("record|main|28364|5|2024-07-05|phone|2"));
    // Nothing bad is stored, as 0 or otherwise.
    assert!(!dump.contains("gate|main|43702|4|"), "{dump}");
    assert!(!dump.contains("|sms|") && !dump.contains("|ticket|"), "{dump}");
    for id in [2, 3, 4] {
        assert!(!dump.contains(&format!("record|main|28364|{id}|")), "{dump}");
    }

    let detail = env.run(&["import", "history", "--run", "1"]);
    detail.success();
    for problem in [
        "main/43702 period 2024-07-01, library 4: the count -5 is negative",
        "main/43702 period 2024-07-02, library 4: the count \"lots\" is not a number",
        "main/43702 period 2024-02-30: the period key `2024-02-30` is not a real day",
        "main/43702 period 2024/07/03: the period key `2024/07/03` is not a day (YYYY-MM-DD)",
        "main/43702 period 2024-07-04, library 99: library 99 is not one of the dataset's libraries",
        "main/21034 period 2024-07, mode sms: the count -1 is negative",
        "main/21034 period 2024-07, mode ticket: the count \"a few\" is not a number",
        "main/21034 period July 2024: the period key `July 2024` is not a month (YYYY-MM)",
        "main/28364 record 2: `_start_date` \"2024-07-30 25:00:00\" is not a date",
        "main/28364 record 3: `Number of questions`: the count \"abc\" is not a number",
        "main/28364 record 4: `Number of questions`: the count -2 is negative",
        "main/28364 record 5: the record appears twice in one page; it is counted once",
    ] {
        assert!(detail.stdout.contains(problem), "missing {problem:?} in\n{}", detail.stdout);
    }
    let history = env.run(&["import", "history", "--format", "json"]).json();
    assert_eq!(history[0]["problems"], json!(12));
    assert_eq!(history[0]["status"], json!("Completed Successfully"));
}
