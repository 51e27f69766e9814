//! Date rules of the survey world: fiscal years (R1), survey years (R2), calendar years (R3)
//! and the rounding of halves (R6), as `research/acrl-ipeds.md` section 5 states them.
//!
//! Pure functions on dates and integers: no I/O, no clock. "Today" is always an argument.

use std::fmt;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

/// The institution's fiscal calendar: the month its fiscal year starts in. Fiscal year N is
/// named by the calendar year it ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiscalCalendar {
    start_month: u32,
}

impl FiscalCalendar {
    /// July to June, the most common US academic fiscal year.
    pub const JULY: FiscalCalendar = FiscalCalendar { start_month: 7 };

    /// `None` unless `start_month` is 1 to 12.
    pub fn new(start_month: u32) -> Option<FiscalCalendar> {
        (1..=12).contains(&start_month).then_some(FiscalCalendar { start_month })
    }

    pub fn start_month(self) -> u32 {
        self.start_month
    }

    /// R1: the fiscal year a day belongs to.
    pub fn fiscal_year_of(self, date: NaiveDate) -> i32 {
        if self.start_month > 1 && date.month() >= self.start_month { date.year() + 1 } else { date.year() }
    }

    /// R1: the days of fiscal year `fiscal_year`.
    pub fn fiscal_year(self, fiscal_year: i32) -> Period {
        let first_year = if self.start_month > 1 { fiscal_year - 1 } else { fiscal_year };
        let from = first_of_month(first_year, self.start_month);
        Period { label: format!("FY{fiscal_year}"), from, to: last_day_before_one_year_after(from) }
    }

    /// R2: the reporting period of survey year `survey_year`: the latest fiscal year that ends
    /// before 1 October of that year.
    pub fn survey_year(self, survey_year: i32) -> Period {
        self.fiscal_year(self.fiscal_year_of_survey(survey_year))
    }

    /// R2: the fiscal year that survey year `survey_year` reports.
    pub fn fiscal_year_of_survey(self, survey_year: i32) -> i32 {
        let end_month = if self.start_month == 1 { 12 } else { self.start_month - 1 };
        if end_month <= 9 { survey_year } else { survey_year - 1 }
    }

    /// How this calendar counts fiscal and survey years, in a sentence for a page or a sheet.
    pub fn rule(self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let start = MONTHS[(self.start_month - 1) as usize];
        let fiscal = if self.start_month == 1 {
            "Fiscal year N is the calendar year N".to_string()
        } else {
            let end = MONTHS[(self.start_month - 2) as usize];
            format!("Fiscal year N runs from {start} of year N−1 through {end} of year N")
        };
        format!(
            "{fiscal} (fiscal_year_start_month = {}). ACRL and IPEDS survey year S reports the latest fiscal year that ends before 1 October S.",
            self.start_month
        )
    }

    /// The survey year that reports fiscal year `fiscal_year`.
    pub fn survey_year_of_fiscal(self, fiscal_year: i32) -> i32 {
        if self.fiscal_year_of_survey(fiscal_year) == fiscal_year { fiscal_year } else { fiscal_year + 1 }
    }

    /// The last fiscal year that has ended by `today`.
    pub fn last_complete_fiscal_year(self, today: NaiveDate) -> i32 {
        self.fiscal_year_of(today) - 1
    }

    /// The last survey year whose reporting period has ended by `today`.
    pub fn last_complete_survey_year(self, today: NaiveDate) -> i32 {
        let mut survey_year = today.year() + 1;
        while self.survey_year(survey_year).to >= today {
            survey_year -= 1;
        }
        survey_year
    }

    /// The first day of the fiscal year before the one `today` is in (the default start of a
    /// dataset's first import).
    pub fn start_of_previous_fiscal_year(self, today: NaiveDate) -> NaiveDate {
        self.fiscal_year(self.fiscal_year_of(today) - 1).from
    }
}

/// R3: January to December of `year`.
pub fn calendar_year(year: i32) -> Period {
    let from = first_of_month(year, 1);
    Period { label: year.to_string(), from, to: last_day_before_one_year_after(from) }
}

/// A reporting period: twelve whole months from `from` to `to`, both included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The months of the period in order.
    pub fn months(&self) -> Vec<YearMonth> {
        let mut months = Vec::new();
        let mut month = YearMonth::of(self.from);
        while month.first_day() <= self.to {
            months.push(month);
            month = month.next();
        }
        months
    }

    /// The same months a year earlier.
    pub fn year_before(&self) -> Period {
        let back = |day: NaiveDate| day.checked_sub_months(Months::new(12)).unwrap_or(day);
        Period { label: format!("{} (a year earlier)", self.label), from: back(self.from), to: back(self.to) }
    }
}

/// A calendar month, shown as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    pub fn of(date: NaiveDate) -> YearMonth {
        YearMonth { year: date.year(), month: date.month() }
    }

    pub fn first_day(self) -> NaiveDate {
        first_of_month(self.year, self.month)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day() - Days::new(1)
    }

    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth { year: self.year + 1, month: 1 }
        } else {
            YearMonth { year: self.year, month: self.month + 1 }
        }
    }

    pub fn previous(self) -> YearMonth {
        if self.month == 1 {
            YearMonth { year: self.year - 1, month: 12 }
        } else {
            YearMonth { year: self.year, month: self.month - 1 }
        }
    }

    /// The same month a year earlier.
    pub fn year_before(self) -> YearMonth {
        YearMonth { year: self.year - 1, month: self.month }
    }

    pub fn days(self) -> i64 {
        (self.last_day() - self.first_day()).num_days() + 1
    }
}

/// Reads a `YYYY-MM` label back.
impl std::str::FromStr for YearMonth {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let (year, month) = text.split_once('-').ok_or(())?;
        let month: u32 = month.parse().map_err(|_| ())?;
        if !(1..=12).contains(&month) {
            return Err(());
        }
        Ok(YearMonth { year: year.parse().map_err(|_| ())?, month })
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The first day of a month. Months and years here always come from valid dates or checked
/// config, so this cannot fail for them; out-of-range input falls back to the Unix epoch's
/// year rather than panicking.
pub fn first_of_month(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

fn last_day_before_one_year_after(from: NaiveDate) -> NaiveDate {
    from.checked_add_months(Months::new(12))
        .and_then(|next| next.checked_sub_days(Days::new(1)))
        .unwrap_or(NaiveDate::MAX)
}

/// R6: a count kept in halves, shown as a whole number rounded half up (600.5 shows as 601).
pub fn round_halves(halves: i64) -> i64 {
    (halves + 1).div_euclid(2)
}

/// R6 for a ratio: `numerator / denominator` rounded half up; `None` when the denominator is 0.
pub fn round_ratio_half_up(numerator: i128, denominator: i128) -> Option<i64> {
    if denominator == 0 {
        return None;
    }
    let (numerator, denominator) = if denominator < 0 { (-numerator, -denominator) } else { (numerator, denominator) };
    i64::try_from((2 * numerator + denominator).div_euclid(2 * denominator)).ok()
}

/// Section 5.2, `average_from_months`: the visitors of an average week, from a total kept in
/// halves over `days` days: round_half_up(visitors / days × 7).
pub fn average_week(total_halves: i64, days: i64) -> Option<i64> {
    round_ratio_half_up(i128::from(total_halves) * 7, i128::from(days) * 2)
}

#[cfg(test)]
mod tests;
