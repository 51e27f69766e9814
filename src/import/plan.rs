//! Which days a dataset's import covers (its window) and how the window is cut into requests
//! (spans of at most 366 days). Pure date arithmetic.

use chrono::{Days, Months, NaiveDate};

use crate::config::Granularity;
use crate::fiscal::{FiscalCalendar, YearMonth};
use crate::libinsight::Span;

/// The most days one LibInsight request may span, both ends counted.
pub const MAX_SPAN_DAYS: u64 = 366;

/// How far back a regular run re-reads, in whole months before the bookmark's month
/// (LibInsight entries are edited late).
pub const LOOKBACK_MONTHS: u32 = 2;

/// The days a dataset's import replaces, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What decides a window.
#[derive(Debug, Clone, Copy)]
pub struct WindowInputs {
    pub today: NaiveDate,
    pub fiscal: FiscalCalendar,
    /// The dataset's bookmark, if it was imported before.
    pub bookmark: Option<NaiveDate>,
    /// The profile's `backfill_from`.
    pub backfill_from: Option<NaiveDate>,
    /// `--from`/`--to`, when given.
    pub backfill: Option<(NaiveDate, NaiveDate)>,
    /// `None` for custom datasets, whose records carry their own days.
    pub granularity: Option<Granularity>,
}

/// A dataset's window: `--from`..`--to` when given; else, on the first import, from
/// `backfill_from` (default: the start of the previous fiscal year) through today; afterwards
/// from the first day of the month [`LOOKBACK_MONTHS`] before the bookmark's through today.
/// Monthly datasets widen the window to whole months, since LibInsight's month buckets are
/// whole months.
pub fn window(inputs: WindowInputs) -> Window {
    let (from, to) = match (inputs.backfill, inputs.bookmark) {
        (Some(range), _) => range,
        (None, Some(bookmark)) => {
            let mut month = YearMonth::of(bookmark.min(inputs.today));
            for _ in 0..LOOKBACK_MONTHS {
                month = month.previous();
            }
            (month.first_day(), inputs.today)
        }
        (None, None) => (
            inputs.backfill_from.unwrap_or_else(|| inputs.fiscal.start_of_previous_fiscal_year(inputs.today)),
            inputs.today,
        ),
    };
    let to = to.max(from);
    match inputs.granularity {
        Some(Granularity::Month) => Window { from: YearMonth::of(from).first_day(), to: YearMonth::of(to).last_day() },
        _ => Window { from, to },
    }
}

/// The window cut into request spans: at most 366 days each, and for monthly datasets whole
/// months (twelve at most), so no month bucket is split between two requests.
pub fn spans(window: Window, granularity: Option<Granularity>) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut from = window.from;
    while from <= window.to {
        let longest = match granularity {
            Some(Granularity::Month) => YearMonth::of(from)
                .first_day()
                .checked_add_months(Months::new(12))
                .and_then(|d| d.checked_sub_days(Days::new(1))),
            _ => from.checked_add_days(Days::new(MAX_SPAN_DAYS - 1)),
        };
        let to = longest.unwrap_or(window.to).min(window.to);
        spans.push(Span { from, to });
        match to.checked_add_days(Days::new(1)) {
            Some(next) => from = next,
            None => break,
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test dates are valid")
    }

    fn inputs(bookmark: Option<&str>, granularity: Option<Granularity>) -> WindowInputs {
        WindowInputs {
            today: day("2026-12-04"),
            fiscal: FiscalCalendar::JULY,
            bookmark: bookmark.map(day),
            backfill_from: None,
            backfill: None,
            granularity,
        }
    }

    #[test]
    fn first_import_starts_at_the_previous_fiscal_year_by_default() {
        let w = window(inputs(None, Some(Granularity::Day)));
        assert_eq!((w.from, w.to), (day("2025-07-01"), day("2026-12-04")));
    }

    #[test]
    fn first_import_starts_at_backfill_from_when_set() {
        let w = window(WindowInputs { backfill_from: Some(day("2019-07-15")), ..inputs(None, Some(Granularity::Day)) });
        assert_eq!(w.from, day("2019-07-15"));
    }

    #[test]
    fn later_imports_look_back_two_whole_months_before_the_bookmark() {
        let w = window(inputs(Some("2026-12-03"), Some(Granularity::Day)));
        assert_eq!((w.from, w.to), (day("2026-10-01"), day("2026-12-04")));
        let across_new_year = window(inputs(Some("2026-01-20"), None));
        assert_eq!(across_new_year.from, day("2025-11-01"));
    }

    #[test]
    fn monthly_windows_are_whole_months() {
        let w =
            window(WindowInputs { backfill_from: Some(day("2024-07-15")), ..inputs(None, Some(Granularity::Month)) });
        assert_eq!((w.from, w.to), (day("2024-07-01"), day("2026-12-31")));
    }

    #[test]
    fn a_backfill_uses_exactly_its_range() {
        let w = window(WindowInputs {
            backfill: Some((day("2023-07-01"), day("2024-06-30"))),
            ..inputs(Some("2026-12-01"), Some(Granularity::Day))
        });
        assert_eq!((w.from, w.to), (day("2023-07-01"), day("2024-06-30")));
    }

    #[test]
    fn daily_spans_are_at_most_366_days_and_cover_the_window_without_gaps() {
        let w = Window { from: day("2019-07-01"), to: day("2026-12-04") };
        let spans = spans(w, Some(Granularity::Day));
        assert_eq!(spans.first().map(|s| s.from), Some(w.from));
        assert_eq!(spans.last().map(|s| s.to), Some(w.to));
        for pair in spans.windows(2) {
            assert_eq!(pair[0].to + Days::new(1), pair[1].from);
        }
        for span in &spans {
            assert!((span.to - span.from).num_days() < 366, "{span:?}");
        }
        assert_eq!(spans.len(), 8);
    }

    #[test]
    fn monthly_spans_are_twelve_whole_months() {
        let w = Window { from: day("2024-07-01"), to: day("2026-12-31") };
        let spans = spans(w, Some(Granularity::Month));
        let shown: Vec<(String, String)> = spans.iter().map(|s| (s.from.to_string(), s.to.to_string())).collect();
        assert_eq!(
            shown,
            [
                ("2024-07-01".to_string(), "2025-06-30".to_string()),
                ("2025-07-01".to_string(), "2026-06-30".to_string()),
                ("2026-07-01".to_string(), "2026-12-31".to_string()),
            ]
        );
    }

    #[test]
    fn a_one_day_window_is_one_span() {
        let w = Window { from: day("2026-12-04"), to: day("2026-12-04") };
        assert_eq!(spans(w, None).len(), 1);
    }
}
