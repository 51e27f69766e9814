//! The worked values of `research/acrl-ipeds.md` sections 5.2 and 5.3.

use chrono::NaiveDate;

use super::*;
use crate::report::gate_counts;
use crate::store::GateMonth;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
}

fn dataset(key: i64, kind: &str, counts_as: &str) -> DatasetInfo {
    DatasetInfo {
        key,
        profile: "main".to_string(),
        dataset_id: 21000 + key as u32,
        kind: kind.to_string(),
        counts_as: counts_as.to_string(),
    }
}

fn service(dataset: i64, mode: &str, month: &str, count: i64) -> ServiceMonth {
    ServiceMonth { dataset, mode: mode.to_string(), month: month.to_string(), count }
}

fn gate_month(month: &str, visitors: i64) -> GateMonth {
    GateMonth { dataset: 9, library_id: 3, month: month.to_string(), halves: visitors * 2 }
}

const LIBRARIES: &[(i64, i64, &str)] = &[(9, 3, "Main Entrance"), (9, 8, "Old Branch")];

fn libraries() -> Vec<(i64, i64, String)> {
    LIBRARIES.iter().map(|(d, l, n)| (*d, *l, n.to_string())).collect()
}

fn report(
    survey_year: i32,
    services: &[ServiceMonth],
    datasets: &[DatasetInfo],
    gate_months: &[GateMonth],
    week_days: &[GateDay],
    typical_week: TypicalWeek,
) -> Result<AcrlReport, ReportError> {
    let period = FiscalCalendar::JULY.survey_year(survey_year);
    let gate = gate_counts::build(
        gate_months,
        &[],
        &libraries(),
        &[dataset(9, "gate-count", "transactions")],
        &period,
        crate::config::Checks::DEFAULT,
    );
    build(
        // Main Entrance has data in the period; the closed Old Branch has none.
        &AcrlInputs {
            survey_year,
            period: &period,
            services,
            datasets,
            gate: &gate,
            week_days,
            gate_libraries: &[(9, 3)],
            typical_week,
        },
        &libraries(),
    )
}

fn line<'a>(report: &'a AcrlReport, number: &str) -> &'a AcrlLine {
    report.lines.iter().find(|l| l.line == number).unwrap_or_else(|| panic!("line {number}"))
}

#[test]
fn five_three_lines_64_and_67_from_chats_sms_tickets_and_faq_views() {
    // Chats 400, SMS 50, tickets 300, FAQ views 9000.
    let services = [
        service(1, "chat", "2024-10", 400),
        service(1, "sms", "2024-10", 50),
        service(1, "ticket", "2024-10", 300),
        service(1, "faq", "2024-10", 9000),
    ];
    let report = report(2025, &services, &[dataset(1, "reference", "transactions")], &[], &[], TypicalWeek::Average)
        .expect("a report");
    assert_eq!(line(&report, "64").value, Some(750));
    assert!(line(&report, "64").note.contains("FAQ views excluded"));
    assert_eq!(line(&report, "67").value, Some(750));
    assert!(!line(&report, "64").sampled);
    assert_eq!(line(&report, "65").value, None);
    assert_eq!(line(&report, "66").value, None);
    assert_eq!(report.period.label, "FY2025");
}

#[test]
fn consultations_come_from_datasets_counted_as_consultations() {
    let services = [
        service(1, "chat", "2024-10", 400),
        service(1, "in_person", "2024-10", 100),
        service(2, "in_person", "2024-11", 30),
        service(2, "email", "2024-11", 5),
    ];
    let datasets = [dataset(1, "custom", "transactions"), dataset(2, "custom", "consultations")];
    let report = report(2025, &services, &datasets, &[], &[], TypicalWeek::Average).expect("a report");
    assert_eq!(line(&report, "64").value, Some(500));
    assert_eq!(line(&report, "65").value, Some(35));
    // Virtual reference counts both: chat 400 + email 5.
    assert_eq!(line(&report, "67").value, Some(405));
}

#[test]
fn five_two_average_week_of_an_october_with_31000_visitors() {
    let report = report(2025, &[], &[], &[gate_month("2024-10", 31_000)], &[], TypicalWeek::Average).expect("a report");
    let week = line(&report, "73");
    assert_eq!(week.value, Some(7000));
    assert!(week.sampled);
    assert!(week.note.starts_with("average week"), "{}", week.note);
    assert_eq!(line(&report, "74").value, Some(31_000));
}

#[test]
fn five_two_average_week_of_a_whole_year_of_365000_visitors() {
    // FY2025 has 365 days; give each month 1000 visitors per day.
    let period = FiscalCalendar::JULY.fiscal_year(2025);
    let months: Vec<GateMonth> = period.months().iter().map(|m| gate_month(&m.to_string(), 1000 * m.days())).collect();
    let report = report(2025, &[], &[], &months, &[], TypicalWeek::Average).expect("a report");
    assert_eq!(line(&report, "74").value, Some(365_000));
    assert_eq!(line(&report, "73").value, Some(7000));
}

fn week(start: &str, visitors: &[i64]) -> Vec<GateDay> {
    visitors
        .iter()
        .enumerate()
        .map(|(i, v)| GateDay { dataset: 9, library_id: 3, day: day(start) + Days::new(i as u64), halves: v * 2 })
        .collect()
}

#[test]
fn five_two_sampled_week_sums_seven_days() {
    let days = week("2024-10-14", &[200, 900, 950, 1000, 980, 700, 300]);
    let report = report(2025, &[], &[], &[], &days, TypicalWeek::Sampled(day("2024-10-14"))).expect("a report");
    let typical = line(&report, "73");
    // Old Branch has no data in the period, so it is not asked for on these days.
    assert_eq!(typical.value, Some(5030));
    assert!(typical.sampled);
    assert!(typical.note.contains("2024-10-14 to 2024-10-20"), "{}", typical.note);
}

#[test]
fn a_sampled_week_with_missing_days_names_them() {
    let mut days = week("2024-10-14", &[200, 900, 950, 1000, 980, 700, 300]);
    days.remove(2);
    days.remove(2);
    let err = report(2025, &[], &[], &[], &days, TypicalWeek::Sampled(day("2024-10-14"))).expect_err("incomplete");
    let message = err.to_string();
    assert!(message.contains("Main Entrance: 2024-10-16, 2024-10-17"), "{message}");
}

#[test]
fn line_numbers_come_from_the_table_and_unverified_years_say_so() {
    let verified = report(2020, &[], &[], &[], &[], TypicalWeek::Average).expect("a report");
    let numbers: Vec<&str> = verified.lines.iter().map(|l| l.line.as_str()).collect();
    assert_eq!(numbers, ["64", "65", "66", "67", "72", "73", "74"]);
    assert!(!verified.warnings.iter().any(|w| w.contains("not verified")));
    let unverified = report(2025, &[], &[], &[], &[], TypicalWeek::Average).expect("a report");
    assert!(unverified.warnings.iter().any(|w| w.contains("not verified")));
    assert!(report(2015, &[], &[], &[], &[], TypicalWeek::Average).is_err());
    assert!(era_of(2016).is_some_and(|e| e.verified));
    assert!(era_of(2031).is_some_and(|e| !e.verified));
}
