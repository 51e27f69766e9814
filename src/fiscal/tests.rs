//! The worked values of `research/acrl-ipeds.md` section 5, one test a rule.

use chrono::NaiveDate;

use super::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
}

fn calendar(start_month: u32) -> FiscalCalendar {
    FiscalCalendar::new(start_month).expect("test start months are 1 to 12")
}

#[track_caller]
fn check_period(period: &Period, label: &str, from: &str, to: &str) {
    assert_eq!((period.label.as_str(), period.from, period.to), (label, day(from), day(to)));
}

#[test]
fn r1_fiscal_year_starting_in_july_is_named_by_the_year_it_ends() {
    let july = calendar(7);
    assert_eq!(july.fiscal_year_of(day("2023-07-01")), 2024);
    assert_eq!(july.fiscal_year_of(day("2024-06-30")), 2024);
    assert_eq!(july.fiscal_year_of(day("2024-07-01")), 2025);
}

#[test]
fn r1_fiscal_year_starting_in_september() {
    let september = calendar(9);
    assert_eq!(september.fiscal_year_of(day("2023-09-01")), 2024);
    assert_eq!(september.fiscal_year_of(day("2024-08-31")), 2024);
}

#[test]
fn r1_fiscal_year_starting_in_january_is_the_calendar_year() {
    let january = calendar(1);
    assert_eq!(january.fiscal_year_of(day("2024-03-15")), 2024);
    assert_eq!(january.fiscal_year_of(day("2024-01-01")), 2024);
    assert_eq!(january.fiscal_year_of(day("2024-12-31")), 2024);
    check_period(&january.fiscal_year(2024), "FY2024", "2024-01-01", "2024-12-31");
}

#[test]
fn r1_fiscal_year_starting_in_october_and_november() {
    let october = calendar(10);
    assert_eq!(october.fiscal_year_of(day("2023-10-01")), 2024);
    assert_eq!(october.fiscal_year_of(day("2024-09-30")), 2024);
    check_period(&october.fiscal_year(2024), "FY2024", "2023-10-01", "2024-09-30");
    let november = calendar(11);
    assert_eq!(november.fiscal_year_of(day("2022-11-01")), 2023);
    assert_eq!(november.fiscal_year_of(day("2023-10-31")), 2023);
    check_period(&november.fiscal_year(2023), "FY2023", "2022-11-01", "2023-10-31");
}

#[test]
fn r1_fiscal_year_runs_from_the_start_month_through_the_month_before() {
    check_period(&calendar(7).fiscal_year(2025), "FY2025", "2024-07-01", "2025-06-30");
    check_period(&calendar(9).fiscal_year(2024), "FY2024", "2023-09-01", "2024-08-31");
}

#[test]
fn r1_fiscal_months_are_in_fiscal_order() {
    let months: Vec<String> = calendar(7).fiscal_year(2025).months().iter().map(ToString::to_string).collect();
    assert_eq!(months.len(), 12);
    assert_eq!(months.first().map(String::as_str), Some("2024-07"));
    assert_eq!(months.get(6).map(String::as_str), Some("2025-01"));
    assert_eq!(months.last().map(String::as_str), Some("2025-06"));
}

#[test]
fn r2_survey_year_reporting_periods_for_each_start_month() {
    check_period(&calendar(7).survey_year(2024), "FY2024", "2023-07-01", "2024-06-30");
    check_period(&calendar(10).survey_year(2024), "FY2024", "2023-10-01", "2024-09-30");
    check_period(&calendar(11).survey_year(2024), "FY2023", "2022-11-01", "2023-10-31");
    check_period(&calendar(1).survey_year(2024), "FY2023", "2023-01-01", "2023-12-31");
    check_period(&calendar(9).survey_year(2024), "FY2024", "2023-09-01", "2024-08-31");
}

#[test]
fn r2_survey_period_ends_before_the_first_of_october() {
    for start_month in [1, 7, 9, 10, 11] {
        let period = calendar(start_month).survey_year(2025);
        assert!(period.to < day("2025-10-01"), "start {start_month}: {period:?}");
        // The next fiscal year would end on or after 1 October: it is not the latest one.
        let next = calendar(start_month).fiscal_year(calendar(start_month).fiscal_year_of_survey(2025) + 1);
        assert!(next.to >= day("2025-10-01"), "start {start_month}: {next:?}");
    }
}

#[test]
fn r3_calendar_year_is_january_to_december() {
    let year = calendar_year(2025);
    check_period(&year, "2025", "2025-01-01", "2025-12-31");
    assert_eq!(year.months().first().map(ToString::to_string).as_deref(), Some("2025-01"));
    assert_eq!(year.months().last().map(ToString::to_string).as_deref(), Some("2025-12"));
}

#[test]
fn r6_halves_round_half_up_once_and_totals_come_from_exact_sums() {
    // Bidirectional: January 1201 crossings, February 1199 crossings.
    let january = 1201;
    let february = 1199;
    assert_eq!(round_halves(january), 601);
    assert_eq!(round_halves(february), 600);
    assert_eq!(round_halves(january + february), 1200);
    assert_eq!(round_halves(1), 1);
    assert_eq!(round_halves(0), 0);
}

#[test]
fn five_one_monthly_total_of_a_unidirectional_year() {
    let total_halves: i64 = (1..=12).map(|m| m * 100 * 2).sum();
    assert_eq!(round_halves(total_halves), 7800);
}

#[test]
fn five_two_average_week_from_months() {
    // October with 31 000 visitors.
    assert_eq!(average_week(31_000 * 2, 31), Some(7000));
    // A whole fiscal year of 365 000 visitors over 365 days.
    assert_eq!(average_week(365_000 * 2, 365), Some(7000));
    assert_eq!(average_week(0, 0), None);
}

#[test]
fn five_two_sampled_week_is_the_sum_of_seven_days() {
    let days = [200, 900, 950, 1000, 980, 700, 300];
    let halves: i64 = days.iter().map(|d| d * 2).sum();
    assert_eq!(round_halves(halves), 5030);
}

#[test]
fn ratio_rounding_is_half_up_not_bankers() {
    assert_eq!(round_ratio_half_up(5, 2), Some(3));
    assert_eq!(round_ratio_half_up(7, 2), Some(4));
    assert_eq!(round_ratio_half_up(1, 3), Some(0));
    assert_eq!(round_ratio_half_up(2, 3), Some(1));
}

#[test]
fn last_complete_years_from_today() {
    let july = calendar(7);
    assert_eq!(july.last_complete_fiscal_year(day("2026-12-04")), 2026);
    assert_eq!(july.last_complete_fiscal_year(day("2026-06-30")), 2025);
    assert_eq!(july.last_complete_survey_year(day("2026-12-04")), 2026);
    assert_eq!(july.start_of_previous_fiscal_year(day("2026-12-04")), day("2025-07-01"));
    // With an October start, survey 2026 reports 2025-10..2026-09, which ended before December.
    assert_eq!(calendar(10).last_complete_survey_year(day("2026-12-04")), 2026);
    assert_eq!(calendar(10).last_complete_survey_year(day("2026-09-30")), 2025);
}

#[test]
fn a_fiscal_year_is_reported_by_one_survey_year() {
    for start_month in [1, 7, 9, 10, 11] {
        let fiscal = calendar(start_month);
        for fiscal_year in 2020..2030 {
            let survey_year = fiscal.survey_year_of_fiscal(fiscal_year);
            assert_eq!(fiscal.fiscal_year_of_survey(survey_year), fiscal_year, "start {start_month}");
        }
    }
    assert_eq!(calendar(11).survey_year_of_fiscal(2024), 2025);
    assert_eq!(calendar(7).survey_year_of_fiscal(2024), 2024);
    assert!(calendar(7).rule().starts_with("Fiscal year N runs from July of year N−1 through June of year N"));
    assert!(calendar(1).rule().starts_with("Fiscal year N is the calendar year N"));
}

#[test]
fn month_labels_read_back() {
    assert_eq!("2024-07".parse::<YearMonth>(), Ok(YearMonth { year: 2024, month: 7 }));
    assert_eq!("2024-07".parse::<YearMonth>().map(|m| m.to_string()), Ok("2024-07".to_string()));
    assert!("2024-13".parse::<YearMonth>().is_err());
    assert!("July 2024".parse::<YearMonth>().is_err());
}
