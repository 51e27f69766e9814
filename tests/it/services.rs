//! Library services to individuals and the ACRL and IPEDS reports, end to end: a Reference
//! dataset and a custom dataset read over three pages, counted by hand.

use serde_json::{Value, json};

use crate::support::TestEnv;

const DATASETS: &str = r#"
  [[profile.dataset]]
  id = 21034
  kind = "reference"
  granularity = "month"

  [[profile.dataset]]
  id = 28364
  kind = "custom"
  mode_field = "Mode"
  mode_map = { "Chat" = "chat", "Text" = "sms", "Email" = "ticket", "Walk-in" = "in_person", "Phone" = "phone" }
  count_field = "Number of questions"
  exclude = { "Question Type" = ["Directional"] }
"#;

fn services_env() -> TestEnv {
    let env = TestEnv::with_fixture("services.json");
    env.write_config(&env.profile("", DATASETS));
    env
}

fn null_row(month: &str) -> Value {
    json!({
        "month": month,
        "counts": {"chat": null, "sms": null, "ticket": null, "faq": null, "in_person": null, "phone": null, "other": null},
        "staff_mediated": null,
        "total": null
    })
}

#[test]
fn a_custom_dataset_over_three_pages_and_a_reference_dataset_give_the_hand_counted_report() {
    let env = services_env();
    let run = env.run(&["-v", "import", "run", "--now"]);
    run.success();
    // Records 101 to 109 lie in the first 366-day span: 9 records at 4 a page are 3 pages.
    let pages: Vec<String> = env
        .sim
        .requests()
        .iter()
        .filter(|r| r.route == "custom-dataset/data-grid" && r.query.contains("from=2024-06-01"))
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");

    let report = env.run(&["report", "services", "--fiscal-year", "2025", "--format", "json"]);
    // Reference (numbers sent as strings): July chat 10, sms 2, ticket 5, faq 100;
    //   August chat 7, faq 50; September chat 3, ticket 1, faq 20; 2025-06-30 chat 1.
    // Custom records, "Number of questions" as strings, numbers or blank:
    //   101 Walk-in "1" → in_person 1 (July); 102 Phone 2 → phone 2 (July);
    //   103 Walk-in "3" Directional → left out; 104 Walk-in (plain string) "1" → in_person 1 (July);
    //   105 Chat with a blank count → a problem, not counted; 106 Email 1 → ticket 1 (August);
    //   107 Fax "2" → not in mode_map → other 2 (August), warned;
    //   108 Walk-in, Directional and Reference → counts: in_person 1 (September);
    //   109 Text "1" under the label "Mode  " → sms 1 (September); 110 Phone 4 → phone 4 (2025-06-30);
    //   111 (2025-07-01) is in FY2026.
    // July:   chat 10 sms 2 ticket 5 faq 100 in_person 2 phone 2 → staff 21, total 121
    // August: chat 7 ticket 1 faq 50 other 2 → staff 10, total 60
    // Sept:   chat 3 sms 1 ticket 1 faq 20 in_person 1 → staff 6, total 26
    // June:   chat 1 phone 4 → staff 5, total 5
    // Totals: chat 21 sms 3 ticket 7 faq 170 in_person 3 phone 6 other 2 → staff 42, total 212
    let row = |month: &str, c: [i64; 7], staff: i64, total: i64| {
        json!({
            "month": month,
            "counts": {"chat": c[0], "sms": c[1], "ticket": c[2], "faq": c[3], "in_person": c[4], "phone": c[5], "other": c[6]},
            "staff_mediated": staff,
            "total": total
        })
    };
    let empty = ["2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05"];
    let mut rows = vec![
        row("2024-07", [10, 2, 5, 100, 2, 2, 0], 21, 121),
        row("2024-08", [7, 0, 1, 50, 0, 0, 2], 10, 60),
        row("2024-09", [3, 1, 1, 20, 1, 0, 0], 6, 26),
    ];
    rows.extend(empty.iter().map(|m| null_row(m)));
    rows.push(row("2025-06", [1, 0, 0, 0, 0, 4, 0], 5, 5));
    let expected = json!({
        "report": "services",
        "period": {"label": "FY2025", "from": "2024-07-01", "to": "2025-06-30"},
        "modes": ["chat", "sms", "ticket", "faq", "in_person", "phone", "other"],
        "rows": rows,
        "totals": {
            "counts": {"chat": 21, "sms": 3, "ticket": 7, "faq": 170, "in_person": 3, "phone": 6, "other": 2},
            "staff_mediated": 42,
            "total": 212
        },
        "warnings": empty.iter().map(|m| format!("no data for {m}")).collect::<Vec<_>>(),
    });
    let mut actual = report.json();
    // When the data was imported is checked on its own: it is this run's time.
    let as_of = actual.as_object_mut().and_then(|o| o.remove("data_as_of")).expect("data_as_of");
    assert!(as_of.as_object().is_some_and(|o| !o.is_empty() && o.values().all(|v| v.is_string())), "{as_of}");
    assert_eq!(actual, expected);

    // The blank count is a recorded problem with its record id; Fax is a warning.
    run.stderr_contains("`Mode` values not in mode_map, counted as other: Fax (1)");
    let detail = env.run(&["import", "history", "--run", "1"]);
    assert!(
        detail.stdout.contains("main/28364 record 105: `Number of questions`: the count is blank"),
        "{}",
        detail.stdout
    );
    assert!(detail.stdout.contains("counted as other: Fax (1)"), "{}", detail.stdout);

    // ACRL for survey 2025 (FY2025): line 64 = staff-mediated 42; line 67 = chat + sms + ticket = 21 + 3 + 7.
    let acrl = env.run(&["report", "acrl", "--survey-year", "2025", "--format", "json"]).json();
    let line = |n: &str| acrl["lines"].as_array().and_then(|l| l.iter().find(|x| x["line"] == n)).cloned();
    assert_eq!(line("64").map(|l| l["value"].clone()), Some(json!(42)));
    assert_eq!(line("67").map(|l| l["value"].clone()), Some(json!(31)));
    assert_eq!(line("65").map(|l| l["value"].clone()), Some(Value::Null));
}

#[test]
fn a_renamed_mode_field_fails_that_dataset_leaves_its_rows_and_the_others_import() {
    let env = services_env();
    env.run(&["import", "run", "--now"]).success();
    let before = env.dump();
    let custom_rows =
        |dump: &str| dump.lines().filter(|l| l.starts_with("record|main|28364|")).map(String::from).collect::<Vec<_>>();
    // Every record in the window but the directional 103 and 105 with its blank count.
    assert_eq!(custom_rows(&before).len(), 9);

    // Someone renames the field in LibInsight: the JSON key changes with it.
    let fixture = crate::support::fixture("services.json");
    let renamed: Vec<_> = fixture.custom[0]
        .records
        .iter()
        .map(|record| {
            record
                .iter()
                .map(|(k, v)| (if k.trim() == "Mode" { "Contact Mode".to_string() } else { k.clone() }, v.clone()))
                .collect()
        })
        .collect();
    env.sim.set_records(28364, renamed);
    env.sim.add_reference_count(21034, "2024-10-02", "chat", 9);

    let run = env.run(&["import", "run", "--now", "--from", "2024-06-01", "--to", "2025-06-30"]);
    run.assert_code(1).stderr_contains(
        "main/28364: field `Mode` not found; fields seen: Contact Mode, Notes, Number of questions, Question Type",
    );
    let after = env.dump();
    assert_eq!(custom_rows(&after), custom_rows(&before), "the custom dataset's rows are unchanged");
    assert!(after.contains("service|main|21034|2024-10-01|month|chat|9"), "the reference dataset imported");
    let history = env.run(&["import", "history", "--format", "json"]).json();
    assert_eq!(history[0]["status"], json!("Completed with Errors"));
    assert_eq!((history[0]["datasets_ok"].clone(), history[0]["datasets_failed"].clone()), (json!(1), json!(1)));
}

#[test]
fn the_services_table_labels_modes_and_ipeds_says_it_collects_none_of_this() {
    let env = services_env();
    env.run(&["import", "run", "--now"]).success();
    let table = env.run(&["report", "services", "--fiscal-year", "2025"]);
    table.success();
    let header = table.stdout.lines().nth(2).unwrap_or_default();
    for label in ["Chats", "SMS", "Tickets", "FAQ views", "In person", "Staff-mediated", "Total"] {
        assert!(header.contains(label), "{header}");
    }
    let ipeds = env.run(&["report", "ipeds", "--survey-year", "2024", "--format", "json"]).json();
    assert_eq!(ipeds["collection_year"], json!("2024-25"));
    assert_eq!(ipeds["period"]["label"], json!("FY2024"));
    assert!(ipeds["status"].as_str().unwrap_or("").contains("collects no gate counts, no reference transactions"));
    let items = ipeds["items"].as_array().expect("items");
    assert!(items.iter().all(|i| i["ipeds"] == json!("not collected by IPEDS AL")));
    assert!(items.iter().any(|i| i["acrl"]["line"] == json!("64")));
    let later = env.run(&["report", "ipeds", "--survey-year", "2026"]);
    later.success();
    assert!(later.stdout.contains("discontinued after 2024-25"), "{}", later.stdout);
}

/// Writes a config with this fiscal start month over the boundary fixture.
fn write_boundary_config(env: &TestEnv, start_month: u32) {
    let datasets = "  [[profile.dataset]]\n  id = 21034\n  kind = \"reference\"\n  granularity = \"day\"\n\n  [[profile.dataset]]\n  id = 43702\n  kind = \"gate-count\"\n  granularity = \"day\"\n";
    let profile = env.profile("", datasets).replace("backfill_from = \"2024-06-01\"", "backfill_from = \"2022-11-01\"");
    env.write_config(&format!("fiscal_year_start_month = {start_month}\n{profile}"));
}

/// With this fiscal start month, the period and lines 64 and 74 of a survey year.
fn acrl_lines(env: &TestEnv, start_month: u32, survey_year: &str) -> (Value, Value, Value) {
    write_boundary_config(env, start_month);
    let report = env.run(&["report", "acrl", "--survey-year", survey_year, "--format", "json"]).json();
    let value = |n: &str| {
        report["lines"]
            .as_array()
            .and_then(|lines| lines.iter().find(|l| l["line"] == n))
            .map(|l| l["value"].clone())
            .unwrap_or(Value::Null)
    };
    (report["period"].clone(), value("64"), value("74"))
}

#[test]
fn acrl_uses_exactly_the_months_of_the_survey_years_reporting_period() {
    let env = TestEnv::with_fixture("survey-boundaries.json");
    write_boundary_config(&env, 11);
    env.run(&["import", "run", "--now"]).success();
    // November start: the fiscal year ends in October (month 10 ≥ 10), so survey 2025 reports
    // FY2024 = 2023-11-01 to 2024-10-31: chats 20 + 300 + 4000 + 40 = 4360 (not 2023-10-31's 1,
    // not 2024-11-01's 5000); visitors 70 + 600 + 7000 + 50 = 7720.
    let (period, transactions, gate) = acrl_lines(&env, 11, "2025");
    assert_eq!(period, json!({"label": "FY2024", "from": "2023-11-01", "to": "2024-10-31"}));
    assert_eq!((transactions, gate), (json!(4360), json!(7720)));
    // July start: survey 2024 reports FY2024 = 2023-07-01 to 2024-06-30: chats 200 + 1 + 20 + 300
    // = 521; visitors 800 + 3 + 70 + 600 = 1473.
    let (period, transactions, gate) = acrl_lines(&env, 7, "2024");
    assert_eq!(period, json!({"label": "FY2024", "from": "2023-07-01", "to": "2024-06-30"}));
    assert_eq!((transactions, gate), (json!(521), json!(1473)));
    // October start: the year ends in September, so survey 2024 reports FY2024 =
    // 2023-10-01 to 2024-09-30: chats 1 + 20 + 300 + 4000 = 4321; visitors 3 + 70 + 600 + 7000 = 7673.
    let (period, transactions, gate) = acrl_lines(&env, 10, "2024");
    assert_eq!(period, json!({"label": "FY2024", "from": "2023-10-01", "to": "2024-09-30"}));
    assert_eq!((transactions, gate), (json!(4321), json!(7673)));
}

#[test]
fn a_sampled_typical_week_needs_every_day() {
    let env = TestEnv::with_fixture("survey-boundaries.json");
    write_boundary_config(&env, 7);
    env.run(&["import", "run", "--now"]).success();
    let run = env.run(&["report", "acrl", "--survey-year", "2025", "--typical-week", "2024-10-28"]);
    run.assert_code(1).stderr_contains(
        "lacks daily gate-count data (Main Entrance: 2024-10-28, 2024-10-29, 2024-10-30, 2024-11-02, 2024-11-03)",
    );
}
