//! The fault matrix: one test per way LibInsight or the network misbehaves, each asserting
//! the exact outcome through the real binary. Either the import recovers and the store equals
//! a fault-free import's, or the dataset fails with a message naming it and the cause, its
//! stored rows stay as they were, the others are imported, and the run ends "Completed with
//! Errors" with exit 1.

use almanac::sim::fixture::Reading;
use almanac::sim::{Fault, FaultBody, FaultRule, When};
use serde_json::json;

use crate::support::{RELIABILITY_DATASETS, TestEnv, rows_of, today};

/// The reliability fixture with `profile_keys` added to the profile, and a fault-free import
/// into `clean.db` to compare with. Returns the clean store's dump and its requests per route.
fn env_with(profile_keys: &str) -> (TestEnv, String, Counts) {
    let env = TestEnv::with_fixture("reliability.json");
    let profile = env.profile(&format!("request_timeout = \"400ms\"\n{profile_keys}"), RELIABILITY_DATASETS);
    env.write_config(&profile);
    env.write_config_file("clean.toml", "clean.db", &profile);
    env.run_config("clean.toml", &["import", "run", "--now"]).success();
    let counts = Counts::of(&env);
    env.sim.clear_requests();
    let clean = env.dump_of("clean.db");
    (env, clean, counts)
}

/// Requests per route of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    token: usize,
    libraries: usize,
    gate: usize,
    reference: usize,
    grid: usize,
}

impl Counts {
    fn of(env: &TestEnv) -> Counts {
        Counts {
            token: env.sim.count("token"),
            libraries: env.sim.count("gate-count/libraries"),
            gate: env.sim.count("gate-count/overview"),
            reference: env.sim.count("reference/overview"),
            grid: env.sim.count("custom-dataset/data-grid"),
        }
    }
}

fn rule(route: &str, when: When, fault: Fault) -> FaultRule {
    FaultRule { route: route.to_string(), dataset: None, when, fault }
}

/// Runs an import with `rule` in place and checks it recovered: exit 0, the same store as
/// the fault-free import, and the requests of the fault-free run changed by `extra`.
#[track_caller]
fn recovers(rule: Option<FaultRule>, profile_keys: &str, extra: impl Fn(&mut Counts)) -> TestEnv {
    let (env, clean, clean_counts) = env_with(profile_keys);
    if let Some(rule) = rule {
        env.sim.add_fault(rule);
    }
    let run = env.run(&["import", "run", "--now"]);
    run.success();
    assert_eq!(env.dump(), clean, "the store equals the fault-free import's");
    let mut expected = clean_counts;
    extra(&mut expected);
    assert_eq!(Counts::of(&env), expected, "requests per route");
    env
}

#[test]
fn html_503s_are_retried_and_the_import_recovers() {
    let rule = rule("gate-count/overview", When::First(2), Fault::Status { status: 503, body: FaultBody::Html });
    recovers(Some(rule), "", |c| c.gate += 2);
}

#[test]
fn a_500_with_an_empty_body_is_retried() {
    let rule = rule("custom-dataset/data-grid", When::Nth(2), Fault::Status { status: 500, body: FaultBody::Empty });
    recovers(Some(rule), "", |c| c.grid += 1);
}

#[test]
fn a_token_endpoint_outage_is_retried() {
    let rule = rule("token", When::First(2), Fault::Status { status: 502, body: FaultBody::Html });
    recovers(Some(rule), "", |c| c.token += 2);
}

#[test]
fn a_truncated_token_answer_is_retried() {
    recovers(Some(rule("token", When::First(1), Fault::Truncate)), "", |c| c.token += 1);
}

#[test]
fn a_delay_past_the_request_timeout_is_retried() {
    let env =
        recovers(Some(rule("reference/overview", When::First(1), Fault::Delay { ms: 1500 })), "", |c| c.reference += 1);
    drop(env);
}

#[test]
fn a_dropped_connection_is_retried() {
    recovers(Some(rule("gate-count/libraries", When::First(2), Fault::Drop)), "", |c| c.libraries += 2);
}

#[test]
fn a_truncated_body_is_retried() {
    recovers(Some(rule("custom-dataset/data-grid", When::Nth(1), Fault::Truncate)), "", |c| c.grid += 1);
}

#[test]
fn a_byte_order_mark_before_the_json_is_read_without_retrying() {
    recovers(Some(rule("*", When::Always, Fault::Bom)), "", |_| {});
}

#[test]
fn json_sent_as_text_html_is_read_without_retrying() {
    recovers(Some(rule("*", When::Always, Fault::HtmlContentType)), "", |_| {});
}

#[test]
fn a_429_with_retry_after_in_seconds_is_honoured() {
    let fault = Fault::RateLimit { retry_after: "0".to_string() };
    recovers(Some(rule("gate-count/overview", When::First(2), fault)), "", |c| c.gate += 2);
}

#[test]
fn a_429_with_retry_after_as_an_http_date_is_honoured() {
    let fault = Fault::RateLimit { retry_after: "Wed, 21 Oct 2015 07:28:00 GMT".to_string() };
    recovers(Some(rule("reference/overview", When::First(1), fault)), "", |c| c.reference += 1);
}

#[test]
fn a_long_retry_after_is_capped() {
    // An hour, capped to 50 ms: the test would time out if the cap were ignored.
    let fault = Fault::RateLimit { retry_after: "3600".to_string() };
    recovers(Some(rule("gate-count/overview", When::First(1), fault)), "retry_after_cap = \"50ms\"", |c| c.gate += 1);
}

#[test]
fn a_token_that_expires_after_some_calls_is_renewed_mid_paging() {
    let (env, clean, clean_counts) = env_with("concurrency = 2");
    env.sim.update_switches(|s| s.token_max_calls = Some(4));
    env.run(&["import", "run", "--now"]).success();
    assert_eq!(env.dump(), clean);
    let counts = Counts::of(&env);
    // Each token serves four data calls; a refused call is retried once with a new token.
    let clean_data = clean_counts.libraries + clean_counts.gate + clean_counts.reference + clean_counts.grid;
    let data = counts.libraries + counts.gate + counts.reference + counts.grid;
    let refused = env.sim.requests().iter().filter(|r| r.status == 401).count();
    assert!(refused >= 1 && counts.token >= 2, "{counts:?}, {refused} refused");
    assert_eq!(data, clean_data + refused, "one retry per refused call");
}

#[test]
fn a_token_refused_with_http_200_is_renewed_too() {
    let (env, clean, _) = env_with("concurrency = 1");
    env.sim.update_switches(|s| {
        s.token_max_calls = Some(3);
        s.auth_error_status = 200;
    });
    env.run(&["import", "run", "--now"]).success();
    assert_eq!(env.dump(), clean);
    assert!(env.sim.count("token") > 1);
}

#[test]
fn a_short_token_lifetime_is_renewed_before_each_call() {
    let (env, clean, clean_counts) = env_with("");
    env.sim.update_switches(|s| s.token_ttl_seconds = 1);
    env.run(&["import", "run", "--now"]).success();
    assert_eq!(env.dump(), clean);
    // `expires_in` 1 s is under the 60 s margin: every call fetches a fresh token first.
    let data = clean_counts.libraries + clean_counts.gate + clean_counts.reference + clean_counts.grid;
    assert_eq!(env.sim.count("token"), data);
}

#[test]
fn an_expired_token_on_a_data_call_is_renewed_once() {
    // One request at a time, so only the request that met the expiry retries.
    recovers(Some(rule("gate-count/overview", When::First(1), Fault::ExpireToken)), "concurrency = 1", |c| {
        c.token += 1;
        c.gate += 1;
    });
}

#[test]
fn an_error_envelope_saying_the_token_is_invalid_renews_it_whatever_the_status() {
    let fault = Fault::ErrorEnvelope { status: 403, message: "The access token provided is invalid".to_string() };
    recovers(Some(rule("reference/overview", When::First(1), fault)), "", |c| {
        c.token += 1;
        c.reference += 1;
    });
}

#[test]
fn total_pages_of_zero_for_an_empty_span_stops_after_one_request() {
    let (env, clean, clean_counts) = env_with("");
    env.sim.update_switches(|s| s.empty_total_pages = 0);
    env.run(&["import", "run", "--now"]).success();
    assert_eq!(env.dump(), clean);
    assert_eq!(env.sim.count("custom-dataset/data-grid"), clean_counts.grid);
}

#[test]
fn a_record_added_between_page_fetches_is_neither_lost_nor_counted_twice() {
    let (env, clean, clean_counts) = env_with("concurrency = 1");
    // Before page 2 of the first span is answered, someone enters a question dated earlier:
    // every later record moves down one place, so page 2 repeats page 1's last record.
    let added = json!({"_id": 99, "_start_date": "2024-06-15 09:00:00", "_entered_by": "desk",
                       "Mode": ["Chat"], "Number of questions": 1});
    let record = added.as_object().cloned().unwrap_or_default();
    env.sim.add_fault(rule("custom-dataset/data-grid", When::Nth(2), Fault::InsertRecord { record }));
    let run = env.run(&["-v", "import", "run", "--now"]);
    run.success();
    // The repeated record is stored once; the new one, on a page already read, waits for
    // the next run that covers its day.
    assert_eq!(env.dump(), clean);
    assert_eq!(env.sim.count("custom-dataset/data-grid"), clean_counts.grid);
    env.run(&["import", "run", "--now", "--from", "2024-06-01", "--to", "2024-06-30"]).success();
    assert!(env.dump().contains("record|main|28364|99|2024-06-15|chat|1"));
}

/// Imports fault-free, changes every dataset in the simulator, then re-imports the whole
/// window with `rule` on dataset 43702: that dataset must fail with `message`, keep its rows,
/// and the others must take their changes.
#[track_caller]
fn fails(rule: FaultRule, profile_keys: &str, message: &str) -> TestEnv {
    let env = TestEnv::with_fixture("reliability.json");
    env.write_config(&env.profile(&format!("request_timeout = \"400ms\"\n{profile_keys}"), RELIABILITY_DATASETS));
    env.run(&["import", "run", "--now"]).success();
    let before = env.dump();
    env.sim.set_reading(43702, 3, Reading::Counter("2024-07-01".to_string(), 0, 5001));
    env.sim.add_reference_count(21034, "2024-07-20", "chat", 5);
    let mut record = serde_json::Map::new();
    for (key, value) in [
        ("_id", json!(50)),
        ("_start_date", json!("2024-07-21 12:00:00")),
        ("_entered_by", json!("desk")),
        ("Mode", json!(["Chat"])),
        ("Number of questions", json!(1)),
    ] {
        record.insert(key.to_string(), value);
    }
    env.sim.add_record(28364, record);
    env.sim.add_fault(FaultRule { dataset: Some(43702), ..rule });
    env.sim.clear_requests();
    let today = today();
    let run = env.run(&["import", "run", "--now", "--concurrency", "1", "--from", "2024-06-01", "--to", &today]);
    run.assert_code(1)
        .stderr_contains("error: import completed with errors: 1 of 3 datasets failed; first: main/43702: ")
        .stderr_contains(message);
    let after = env.dump();
    assert_eq!(rows_of(&after, 43702), rows_of(&before, 43702), "the failed dataset's rows are unchanged");
    assert!(after.contains("service|main|21034|2024-07-01|month|chat|15"), "the Reference dataset imported");
    assert!(after.contains("record|main|28364|50|2024-07-21|chat|1"), "the custom dataset imported");
    let history = env.run(&["import", "history", "--format", "json"]).json();
    assert_eq!(history[0]["status"], json!("Completed with Errors"));
    assert_eq!((history[0]["datasets_ok"].clone(), history[0]["datasets_failed"].clone()), (json!(2), json!(1)));
    env
}

/// How many overview requests the failing run made (only dataset 43702 has overviews, and
/// with one request at a time its later spans are never asked for).
fn failing_overviews(env: &TestEnv) -> usize {
    env.sim.count("gate-count/overview")
}

#[test]
fn a_500_that_never_ends_fails_the_dataset_after_five_attempts() {
    let rule = rule("gate-count/overview", When::Always, Fault::Status { status: 500, body: FaultBody::Html });
    let env = fails(
        rule,
        "",
        "LibInsight answered HTTP 500 Internal Server Error for /v1.0/gate-count/43702/overview?from=2024-06-01&to=2025-06-01&aggregate=daily after 5 attempt(s): `<!DOCTYPE html>",
    );
    assert_eq!(failing_overviews(&env), 5);
}

#[test]
fn an_error_sent_with_http_200_fails_at_once_with_libinsights_message() {
    let fault = Fault::ErrorEnvelope { status: 200, message: "Invalid dataset".to_string() };
    let env = fails(
        rule("gate-count/overview", When::Always, fault),
        "",
        "LibInsight reported an error for /v1.0/gate-count/43702/overview?from=2024-06-01&to=2025-06-01&aggregate=daily (HTTP 200 OK): Invalid dataset",
    );
    assert_eq!(failing_overviews(&env), 1);
}

#[test]
fn a_404_fails_at_once() {
    let fault = Fault::ErrorEnvelope { status: 404, message: "Dataset not found".to_string() };
    let env = fails(
        rule("gate-count/overview", When::Always, fault),
        "",
        "LibInsight answered HTTP 404 Not Found for /v1.0/gate-count/43702/overview?from=2024-06-01&to=2025-06-01&aggregate=daily: Dataset not found",
    );
    assert_eq!(failing_overviews(&env), 1);
}

#[test]
fn a_400_fails_at_once() {
    let fault = Fault::ErrorEnvelope { status: 400, message: "The date range may not exceed 366 days".to_string() };
    let env = fails(
        rule("gate-count/overview", When::Always, fault),
        "",
        "HTTP 400 Bad Request for /v1.0/gate-count/43702/overview?from=2024-06-01&to=2025-06-01&aggregate=daily: The date range may not exceed 366 days",
    );
    assert_eq!(failing_overviews(&env), 1);
}

#[test]
fn a_403_fails_at_once() {
    let fault = Fault::Status { status: 403, body: FaultBody::Text("Forbidden".to_string()) };
    let env = fails(rule("gate-count/overview", When::Always, fault), "", "HTTP 403 Forbidden");
    assert_eq!(failing_overviews(&env), 1);
}

#[test]
fn a_body_that_is_always_truncated_fails_showing_its_first_bytes() {
    let env = fails(
        rule("gate-count/overview", When::Always, Fault::Truncate),
        "",
        "LibInsight sent a body that is not the expected JSON for /v1.0/gate-count/43702/overview?from=2024-06-01&to=2025-06-01&aggregate=daily (HTTP 200 OK, 5 attempt(s)); it starts: `{\"payload\":{\"daily\":{\"2024-07-01\"",
    );
    assert_eq!(failing_overviews(&env), 5);
}

#[test]
fn rate_limiting_that_never_ends_fails_after_five_attempts() {
    let fault = Fault::RateLimit { retry_after: "0".to_string() };
    let env = fails(
        rule("gate-count/overview", When::Always, fault),
        "",
        "HTTP 429 Too Many Requests for /v1.0/gate-count/43702/overview?from=2024-06-01&to=2025-06-01&aggregate=daily after 5 attempt(s): Too many requests",
    );
    assert_eq!(failing_overviews(&env), 5);
}

#[test]
fn connections_that_always_drop_fail_the_dataset() {
    fails(
        rule("gate-count/overview", When::Always, Fault::Drop),
        "",
        "request to /v1.0/gate-count/43702/overview?from=2024-06-01&to=2025-06-01&aggregate=daily failed after 5 attempt(s)",
    );
}

#[test]
fn answers_that_always_time_out_fail_the_dataset() {
    let env = fails(
        rule("gate-count/overview", When::Always, Fault::Delay { ms: 1000 }),
        "max_attempts = 2",
        "request to /v1.0/gate-count/43702/overview?from=2024-06-01&to=2025-06-01&aggregate=daily failed after 2 attempt(s): error sending request: operation timed out",
    );
    assert_eq!(failing_overviews(&env), 2);
}

#[test]
fn a_token_refused_again_after_renewal_fails_the_dataset() {
    // This dataset's route refuses every token; the tokens themselves stay good for the others.
    let refuse = Fault::ErrorEnvelope { status: 401, message: "The access token provided has expired".to_string() };
    let env = fails(
        rule("gate-count/overview", When::Always, refuse),
        "",
        "LibInsight refused the access token for /v1.0/gate-count/43702/overview?from=2024-06-01&to=2025-06-01&aggregate=daily even after a new one was fetched (HTTP 401 Unauthorized): The access token provided has expired",
    );
    assert_eq!(failing_overviews(&env), 2);
}

#[test]
fn a_token_endpoint_that_stays_down_fails_every_dataset() {
    let env = TestEnv::with_fixture("reliability.json");
    env.write_config(&env.profile("", RELIABILITY_DATASETS));
    env.sim.add_fault(rule("token", When::Always, Fault::Status { status: 503, body: FaultBody::Html }));
    let run = env.run(&["import", "run", "--now"]);
    run.assert_code(1)
        .stderr_contains("error: import failed: 3 of 3 datasets failed; first: main/")
        .stderr_contains("LibInsight answered HTTP 503 Service Unavailable for /v1.0/oauth/token after 5 attempt(s)");
    assert_eq!(env.sim.count("token"), 5, "one token fetch, retried, shared by the datasets");
    assert_eq!(env.dump(), "");
    let history = env.run(&["import", "history", "--format", "json"]).json();
    assert_eq!(history[0]["status"], json!("Failed"));
}
