//! A nightly run after a backfill is cheap: one token for the profile and the pages of one
//! span per dataset (the look-back window), nothing more.

use chrono::{Datelike, Days, Local, Months};
use serde_json::json;

use crate::support::{RELIABILITY_DATASETS, TestEnv};

#[test]
fn a_nightly_run_after_a_backfill_asks_one_token_and_one_span_per_dataset() {
    let env = TestEnv::with_fixture("reliability.json");
    env.write_config(&format!("[schedule]\nevery = \"1ms\"\n{}", env.profile("", RELIABILITY_DATASETS)));
    // Six recent questions: two pages of four inside the look-back window.
    let today = Local::now().date_naive();
    for n in 0..6u64 {
        let day = today - Days::new(2 + n);
        let record = json!({"_id": 900 + n, "_start_date": format!("{day} 10:00:00"), "_entered_by": "desk",
                            "Mode": ["Chat"], "Number of questions": 1});
        env.sim.add_record(28364, record.as_object().cloned().unwrap_or_default());
    }
    env.run(&["import", "run", "--now"]).success();
    assert!(env.sim.count("gate-count/overview") >= 3, "the backfill spans years");

    env.sim.clear_requests();
    env.run(&["import", "run"]).success();
    let history = env.run(&["import", "history", "--format", "json"]).json();
    assert_eq!(history[0]["trigger"], json!("scheduled"));
    assert_eq!(history[0]["status"], json!("Completed Successfully"));
    assert_eq!(env.sim.count("token"), 1, "one token for the profile");
    assert_eq!(env.sim.count("gate-count/libraries"), 0, "library names come with the overview");
    assert_eq!(env.sim.count("gate-count/overview"), 1);
    assert_eq!(env.sim.count("reference/overview"), 1);
    assert_eq!(env.sim.count("custom-dataset/data-grid"), 2);
    // The look-back window starts on the first day of the month two months back.
    let start = (today.with_day(1).expect("a first day") - Months::new(2)).to_string();
    for request in env.sim.requests() {
        if request.route != "token" {
            assert!(request.query.contains(&format!("from={start}")), "{request:?}");
        }
    }
}
