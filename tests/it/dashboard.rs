//! The dashboard page and the spreadsheets carry exactly the numbers of the JSON reports, and
//! the page needs nothing from outside itself. Also: completions and the man page.

use calamine::{Data, Reader, Xlsx, open_workbook};
use scraper::{Html, Selector};
use serde_json::Value;

use crate::support::{RELIABILITY_DATASETS, TestEnv};

fn imported() -> TestEnv {
    let env = TestEnv::with_fixture("reliability.json");
    env.write_config(&env.profile("", RELIABILITY_DATASETS));
    env.run(&["import", "run", "--now"]).success();
    env
}

/// A table of the page as text cells, header row first.
fn table(page: &Html, id: &str) -> Vec<Vec<String>> {
    let rows = Selector::parse(&format!("table#{id} tr")).expect("a selector");
    let cells = Selector::parse("th, td").expect("a selector");
    page.select(&rows)
        .map(|row| row.select(&cells).map(|c| c.text().collect::<String>().trim().to_string()).collect())
        .collect()
}

/// A shown number back as JSON: "1,234" → 1234, "—" → null.
fn number(cell: &str) -> Value {
    if cell == "—" {
        return Value::Null;
    }
    Value::from(cell.replace(',', "").parse::<i64>().unwrap_or_else(|_| panic!("not a number: {cell:?}")))
}

#[test]
fn the_dashboards_tables_hold_exactly_the_numbers_of_the_json_reports() {
    let env = imported();
    let output = env.path("FY2025.html");
    env.run(&["report", "dashboard", "--fiscal-year", "2025", "--output", &output.display().to_string()]).success();
    let html = std::fs::read_to_string(&output).expect("the page");
    let page = Html::parse_document(&html);

    let gate = env.run(&["report", "gate-counts", "--fiscal-year", "2025", "--format", "json"]).json();
    let rows = table(&page, "gate-counts");
    let libraries: Vec<String> =
        gate["libraries"].as_array().expect("libraries").iter().map(|l| l.as_str().unwrap_or("").to_string()).collect();
    assert_eq!(rows[0][1..=libraries.len()], libraries[..]);
    assert_eq!(rows.len(), 1 + 12 + 1, "header, twelve months, Total");
    for (row, expected) in rows[1..13].iter().zip(gate["rows"].as_array().expect("rows")) {
        assert_eq!(row[0], expected["month"].as_str().unwrap_or(""));
        for (i, library) in libraries.iter().enumerate() {
            assert_eq!(number(&row[1 + i]), expected["visitors"][library], "{} {library}", row[0]);
        }
        assert_eq!(number(&row[1 + libraries.len()]), expected["all_libraries"]);
    }
    let total = &rows[13];
    assert_eq!(total[0], "Total");
    assert_eq!(number(&total[1 + libraries.len()]), gate["totals"]["all_libraries"]);

    let services = env.run(&["report", "services", "--fiscal-year", "2025", "--format", "json"]).json();
    let rows = table(&page, "services");
    let modes: Vec<&str> = services["modes"].as_array().expect("modes").iter().filter_map(Value::as_str).collect();
    for (row, expected) in rows[1..13].iter().zip(services["rows"].as_array().expect("rows")) {
        for (i, mode) in modes.iter().enumerate() {
            assert_eq!(number(&row[1 + i]), expected["counts"][mode], "{} {mode}", row[0]);
        }
        assert_eq!(number(&row[1 + modes.len()]), expected["staff_mediated"]);
        assert_eq!(number(&row[2 + modes.len()]), expected["total"]);
    }
    assert_eq!(number(&rows[13][2 + modes.len()]), services["totals"]["total"]);

    let acrl = env.run(&["report", "acrl", "--survey-year", "2025", "--format", "json"]).json();
    let rows = table(&page, "acrl");
    let lines = acrl["lines"].as_array().expect("lines");
    assert_eq!(rows.len(), 1 + lines.len());
    for (row, line) in rows[1..].iter().zip(lines) {
        assert_eq!(row[0], line["line"].as_str().unwrap_or(""));
        assert_eq!(number(&row[2]), line["value"], "line {}", row[0]);
    }

    // Self-contained: nothing is fetched from anywhere, not even a file beside it.
    for attribute in ["src", "href"] {
        let selector = Selector::parse(&format!("[{attribute}]")).expect("a selector");
        let found: Vec<String> =
            page.select(&selector).filter_map(|e| e.value().attr(attribute).map(String::from)).collect();
        assert!(found.is_empty(), "{attribute}= found: {found:?}");
    }
    assert!(!html.contains("@import") && !html.contains("url("), "no CSS fetches");
    assert!(!html.contains("<script"), "no scripts");
    // The page states its period, rule, freshness and warnings.
    assert!(html.contains("FY2025") && html.contains("2024-07-01 to 2025-06-30"));
    assert!(html.contains("Fiscal year N runs from July of year N−1 through June of year N"));
    assert_eq!(table(&page, "freshness").len(), 1 + 3, "one row per dataset");
    let svg = Selector::parse("svg").expect("a selector");
    assert_eq!(page.select(&svg).count(), 2, "a chart for gate counts and one for services");
}

#[test]
fn a_dashboard_asked_for_by_survey_year_shows_the_fiscal_year_it_reports() {
    let env = imported();
    let page = env.run(&["report", "dashboard", "--survey-year", "2025"]);
    page.success();
    assert!(page.stdout.contains("<strong>FY2025</strong>: 2024-07-01 to 2025-06-30 · ACRL survey year 2025"));
}

#[test]
fn a_workbook_holds_the_numbers_of_the_json_report_with_an_about_sheet() {
    let env = imported();
    let path = env.path("gate.xlsx");
    env.run(&[
        "report",
        "gate-counts",
        "--fiscal-year",
        "2025",
        "--format",
        "xlsx",
        "--output",
        &path.display().to_string(),
    ])
    .success();
    let gate = env.run(&["report", "gate-counts", "--fiscal-year", "2025", "--format", "json"]).json();
    let mut workbook: Xlsx<_> = open_workbook(&path).expect("the workbook opens");
    assert_eq!(workbook.sheet_names(), ["Gate counts", "About"]);
    let sheet = workbook.worksheet_range("Gate counts").expect("the sheet");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let libraries = gate["libraries"].as_array().expect("libraries");
    assert_eq!(rows[0][0], Data::String("Month".to_string()));
    let value = |cell: &Data| match cell {
        Data::Float(f) => Value::from(*f as i64),
        Data::Int(i) => Value::from(*i),
        Data::Empty => Value::Null,
        other => panic!("a number or an empty cell, not {other:?}"),
    };
    for (row, expected) in rows[1..13].iter().zip(gate["rows"].as_array().expect("rows")) {
        assert_eq!(row[0], Data::String(expected["month"].as_str().unwrap_or("").to_string()));
        for (i, library) in libraries.iter().enumerate() {
            let name = library.as_str().unwrap_or("");
            assert_eq!(value(row.get(1 + i).unwrap_or(&Data::Empty)), expected["visitors"][name]);
        }
    }
    assert_eq!(rows[13][0], Data::String("Total".to_string()));
    assert_eq!(value(&rows[13][1 + libraries.len()]), gate["totals"]["all_libraries"]);

    let about = workbook.worksheet_range("About").expect("the about sheet");
    let text: Vec<String> = about.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(text.iter().any(|t| t == "FY2025 (2024-07-01 to 2025-06-30)"), "{text:?}");
    assert!(text.iter().any(|t| t.starts_with("Fiscal year N runs from July")));
    assert!(text.iter().any(|t| t == "Data as of: main/43702"));
    let warnings = gate["warnings"].as_array().expect("warnings");
    assert!(warnings.iter().all(|w| text.iter().any(|t| Some(t.as_str()) == w.as_str())));
}

#[test]
fn services_and_acrl_workbooks_open_and_xlsx_needs_an_output_file() {
    let env = imported();
    for (report, args) in [("services", ["--fiscal-year", "2025"]), ("acrl", ["--survey-year", "2025"])] {
        let path = env.path(&format!("{report}.xlsx"));
        env.run(&["report", report, args[0], args[1], "--format", "xlsx", "--output", &path.display().to_string()])
            .success();
        let workbook: Xlsx<_> = open_workbook(&path).expect("the workbook opens");
        assert_eq!(workbook.sheet_names().len(), 2);
    }
    env.run(&["report", "services", "--fiscal-year", "2025", "--format", "xlsx"])
        .assert_code(2)
        .stderr_contains("--format xlsx writes a workbook: give --output FILE");
}

#[test]
fn completions_and_the_man_page_need_no_config() {
    let env = TestEnv::with_fixture("reliability.json");
    let bash = env.run(&["completions", "bash"]);
    bash.success();
    assert!(bash.stdout.contains("_almanac()") && bash.stdout.contains("gate-counts"));
    let man = env.run(&["man"]);
    man.success();
    assert!(man.stdout.contains(".TH almanac"), "{}", &man.stdout[..man.stdout.len().min(200)]);
}
