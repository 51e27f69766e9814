use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::*;
use crate::config::CountsAs;
use crate::libinsight::wire::OverviewPayload;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
}

fn span(from: &str, to: &str) -> Span {
    Span { from: day(from), to: day(to) }
}

/// An overview as the client returns it, from the payload's JSON text.
fn overview(payload: Value, member: &str) -> Overview {
    let payload: OverviewPayload = serde_json::from_value(payload).expect("a valid payload");
    let buckets = match member {
        "daily" => payload.daily,
        _ => payload.monthly,
    };
    Overview { libraries: payload.libraries, buckets: buckets.expect("the member is present") }
}

fn known() -> Vec<Library> {
    vec![Library { id: 3, name: "Main".to_string() }, Library { id: 4, name: "Science".to_string() }]
}

#[test]
fn counts_arrive_as_numbers_numeric_strings_and_halves() {
    assert_eq!(count_in_halves(&json!(12)), Ok(24));
    assert_eq!(count_in_halves(&json!("12")), Ok(24));
    assert_eq!(count_in_halves(&json!(" 600.5 ")), Ok(1201));
    assert_eq!(count_in_halves(&json!(600.5)), Ok(1201));
    assert!(count_in_halves(&json!(600.3)).is_err());
    assert!(count_in_halves(&json!(-1)).expect_err("an error").contains("negative"));
    assert!(count_in_halves(&json!("abc")).expect_err("an error").contains("not a number"));
    assert!(count_in_halves(&json!("")).expect_err("an error").contains("blank"));
    assert!(count_in_halves(&Value::Null).is_err());
    assert_eq!(whole_count(&json!("7")), Ok(7));
    assert!(whole_count(&json!(1.5)).is_err());
}

#[test]
fn period_keys_for_months_days_and_hours() {
    assert_eq!(parse_period_key("2024-07", Granularity::Month), Ok(day("2024-07-01")));
    assert!(parse_period_key("2024-13", Granularity::Month).is_err());
    assert!(parse_period_key("2024-07-01", Granularity::Month).is_err());
    assert_eq!(parse_period_key("2024-07-03", Granularity::Day), Ok(day("2024-07-03")));
    assert!(parse_period_key("2024-02-30", Granularity::Day).expect_err("an error").contains("not a real day"));
    assert!(parse_period_key("2024/07/03", Granularity::Day).is_err());
    // Hourly keys count toward their day, with or without a leading zero or a space.
    for key in ["2023-06-26 9AM", "2023-06-26 09AM", "2023-06-26 9 AM", "2023-06-26 12PM"] {
        assert_eq!(parse_period_key(key, Granularity::Day), Ok(day("2023-06-26")), "{key}");
    }
    assert!(parse_period_key("2023-06-26 13PM", Granularity::Day).is_err());
    assert_eq!(parse_hour("12AM"), Some(0));
    assert_eq!(parse_hour("12PM"), Some(12));
    assert_eq!(parse_hour("09PM"), Some(21));
}

#[test]
fn gate_visits_from_a_daily_overview_keep_halves_and_skip_nothing_good() {
    let payload = json!({
        "libraries": {"3": "Main", "4": "Science"},
        "daily": {
            "2024-07-01": {"3": 600.5, "4": "12"},
            "2024-07-02": {"3": 0, "4": 7}
        }
    });
    let out = gate_visits(&overview(payload, "daily"), &known(), Granularity::Day, span("2024-07-01", "2024-07-31"));
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let halves: Vec<(i64, String, i64)> =
        out.rows.iter().map(|r| (r.library_id, r.period.to_string(), r.halves)).collect();
    assert_eq!(
        halves,
        [
            (3, "2024-07-01".to_string(), 1201),
            (3, "2024-07-02".to_string(), 0),
            (4, "2024-07-01".to_string(), 24),
            (4, "2024-07-02".to_string(), 14),
        ]
    );
}

#[test]
fn an_empty_overview_sent_as_a_list_has_no_rows_and_no_problems() {
    let out = gate_visits(
        &overview(json!({"libraries": [], "daily": []}), "daily"),
        &known(),
        Granularity::Day,
        span("2024-07-01", "2024-07-31"),
    );
    assert_eq!(out, Normalized::default());
}

#[test]
fn bad_values_become_problems_with_their_period_and_library_and_good_ones_stay() {
    let payload = json!({
        "daily": {
            "2024-07-01": {"3": -5, "4": 10},
            "2024-07-02": {"3": "lots", "99": 4},
            "2024/07/03": {"3": 1},
            "2024-02-30": {"3": 1},
            "2024-08-15": {"3": 1}
        }
    });
    let out = gate_visits(&overview(payload, "daily"), &known(), Granularity::Day, span("2024-07-01", "2024-07-31"));
    let rows: Vec<(i64, String)> = out.rows.iter().map(|r| (r.library_id, r.period.to_string())).collect();
    assert_eq!(rows, [(4, "2024-07-01".to_string())]);
    let problems: Vec<(String, bool)> =
        out.problems.iter().map(|p| (format!("{}: {}", p.subject, p.reason), p.key.is_some())).collect();
    assert_eq!(
        problems,
        [
            ("period 2024-02-30: the period key `2024-02-30` is not a real day".to_string(), false),
            ("period 2024-08-15: the period is outside the requested 2024-07-01 to 2024-07-31".to_string(), false),
            // `json!` sorts keys: periods come in key order, `/` after the digits.
            ("period 2024/07/03: the period key `2024/07/03` is not a day (YYYY-MM-DD)".to_string(), false),
            ("period 2024-07-01, library 3: the count -5 is negative".to_string(), true),
            ("period 2024-07-02, library 3: the count \"lots\" is not a number".to_string(), true),
            ("period 2024-07-02, library 99: library 99 is not one of the dataset's libraries".to_string(), true),
        ]
    );
}

#[test]
fn a_period_sent_twice_is_a_problem_and_its_stored_rows_are_kept() {
    let buckets: Entries<Entries<Value>> =
        serde_json::from_str(r#"{"2024-07": {"3": 10}, "2024-07": {"3": 12}, "2024-08": {"3": 5}}"#).expect("valid");
    let overview = Overview { libraries: Libraries::default(), buckets };
    let out = gate_visits(&overview, &known(), Granularity::Month, span("2024-07-01", "2024-12-31"));
    assert_eq!(out.rows.len(), 1);
    assert_eq!(out.rows[0].period, day("2024-08-01"));
    assert!(out.problems.iter().any(|p| p.key == Some(ProblemKey::Gate { library_id: 3, period: day("2024-07-01") })));
}

#[test]
fn reference_modes_are_lower_cased_and_unknown_ones_kept() {
    let payload = json!({"monthly": {"2024-07": {"Chat": 10, "sms": "2", "ticket": 5, "faq": 100, "In Person": 3}}});
    let out = service_counts(&overview(payload, "monthly"), Granularity::Month, span("2024-07-01", "2025-06-30"));
    assert!(out.problems.is_empty());
    let modes: BTreeMap<String, i64> = out.rows.iter().map(|r| (r.mode.clone(), r.count)).collect();
    assert_eq!(
        modes,
        BTreeMap::from([
            ("chat".to_string(), 10),
            ("faq".to_string(), 100),
            ("in_person".to_string(), 3),
            ("sms".to_string(), 2),
            ("ticket".to_string(), 5),
        ])
    );
}

fn mapping() -> CustomMapping {
    CustomMapping {
        mode_field: "Mode".to_string(),
        mode_map: BTreeMap::from([
            ("Chat".to_string(), "chat".to_string()),
            ("Walk in".to_string(), "in_person".to_string()),
        ]),
        count_field: Some("Number of questions".to_string()),
        exclude: BTreeMap::from([("Question Type".to_string(), vec!["Directional".to_string()])]),
        counts_as: CountsAs::Transactions,
    }
}

fn records(value: Value) -> Vec<Map<String, Value>> {
    serde_json::from_value(value).expect("a list of records")
}

#[test]
fn custom_records_with_every_wire_quirk() {
    let page = custom_records(
        &records(json!([
            {"_id": 1, "_start_date": "2024-07-01 09:15:00", "Mode": ["Chat"], "Number of questions": "2", "Question Type": ["Reference"]},
            {"_id": "2", "_start_date": "2024-07-01 10:00:00", "Mode ": "Walk  in", "Number of questions": 1, "Question Type": ""},
            {"_id": 3, "_start_date": "2024-07-02 11:00:00", "Mode": ["Chat"], "Number of questions": 1, "Question Type": ["Directional"]},
            {"_id": 4, "_start_date": "2024-07-02 12:00:00", "Mode": ["Chat"], "Number of questions": 1, "Question Type": ["Directional", "Reference"]},
            {"_id": 5, "_start_date": "2024-07-03 12:00:00", "Mode": ["Fax"], "Number of questions": 1, "Question Type": []},
            {"_id": 6, "_start_date": "2024-07-03 13:00:00", "Mode": "", "Number of questions": 1, "Question Type": ""},
            {"_id": 7, "_start_date": "2024-07-03 14:00:00", "Mode": ["Chat"], "Number of questions": "", "Question Type": ""},
            {"_id": 8, "_start_date": "2024-02-30 14:00:00", "Mode": ["Chat"], "Number of questions": 1, "Question Type": ""}
        ])),
        &mapping(),
    );
    let rows: Vec<(i64, String, &str, i64)> =
        page.records.rows.iter().map(|r| (r.record_id, r.day.to_string(), r.mode.as_str(), r.count)).collect();
    assert_eq!(
        rows,
        [
            (1, "2024-07-01".to_string(), "chat", 2),
            (2, "2024-07-01".to_string(), "in_person", 1),
            (4, "2024-07-02".to_string(), "chat", 1),
            (5, "2024-07-03".to_string(), "other", 1),
            (6, "2024-07-03".to_string(), "other", 1),
        ]
    );
    assert_eq!(page.excluded, 1);
    assert_eq!(page.unmapped, BTreeMap::from([("(blank)".to_string(), 1), ("Fax".to_string(), 1)]));
    let problems: Vec<String> = page.records.problems.iter().map(|p| format!("{}: {}", p.subject, p.reason)).collect();
    assert_eq!(
        problems,
        [
            "record 7: `Number of questions`: the count is blank".to_string(),
            "record 8: `_start_date` \"2024-02-30 14:00:00\" is not a date".to_string(),
        ]
    );
    assert_eq!(page.with_mode_field, 8);
}

#[test]
fn a_record_seen_twice_in_one_page_is_a_problem_and_counted_once() {
    let page = custom_records(
        &records(json!([
            {"_id": 1, "_start_date": "2024-07-01 09:15:00", "Mode": ["Chat"], "Number of questions": 1},
            {"_id": 1, "_start_date": "2024-07-01 09:15:00", "Mode": ["Chat"], "Number of questions": 1}
        ])),
        &mapping(),
    );
    assert_eq!(page.records.rows.len(), 1);
    assert_eq!(page.records.problems.len(), 1);
    assert!(page.records.problems[0].reason.contains("twice"), "{:?}", page.records.problems);
}

#[test]
fn a_renamed_mode_field_is_seen_in_no_record() {
    let page = custom_records(
        &records(
            json!([{"_id": 1, "_start_date": "2024-07-01 09:15:00", "Contact Mode": ["Chat"], "Number of questions": 1}]),
        ),
        &mapping(),
    );
    assert_eq!(page.with_mode_field, 0);
    assert!(page.labels.contains("Contact Mode"));
}
