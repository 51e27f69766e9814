//! Reports: the figures a library submits, computed from the store's monthly and daily sums,
//! and rendered as a table, CSV or JSON.
//!
//! Each report is a plain struct built by a function that takes the store's rows and the
//! period; rules R1 to R7 of `research/acrl-ipeds.md` apply throughout: halves are kept exact
//! and rounded half up only when shown, and a month without data is `null` (shown as "—")
//! and warned about, never 0. Reports never write to the store and never print: rendering
//! returns text.

pub mod acrl;
pub mod chart;
pub mod dashboard;
pub mod gate_counts;
pub mod ipeds;
pub mod provenance;
pub mod render;
pub mod services;
pub mod xlsx;

use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::config::Checks;
use crate::fiscal::{FiscalCalendar, Period, YearMonth, calendar_year};
use crate::store;

pub use provenance::Provenance;

/// What every report needs besides the store: the anomaly thresholds and the datasets'
/// freshness.
#[derive(Debug, Clone)]
pub struct Context {
    pub checks: Checks,
    pub provenance: Provenance,
}

/// Warnings for months that look wrong against the same month a year earlier: a month that
/// is zero, or below `checks.low_ratio` or above `checks.high_ratio` times the year before.
/// `current` and `previous` are per month (`YYYY-MM`) in `unit`s of a `scale`-th (2 for
/// halves of visitors, 1 for whole counts); `noun` follows shown numbers ("visitors", or "").
pub fn month_anomalies(
    name: &str,
    noun: &str,
    current: &[(String, Option<i64>)],
    previous: &std::collections::BTreeMap<String, i64>,
    scale: i64,
    checks: Checks,
) -> Vec<String> {
    let shown = |units: i64| {
        let whole = (units + scale / 2).div_euclid(scale);
        let number = render::thousands(whole);
        if noun.is_empty() { number } else { format!("{number} {noun}") }
    };
    let mut warnings = Vec::new();
    for (month, value) in current {
        let Some(value) = *value else { continue };
        if value == 0 {
            warnings.push(format!("{name}: {} in {month}", shown(0)));
            continue;
        }
        let Some(before) = month_year_before(month) else { continue };
        let Some(&earlier) = previous.get(&before) else { continue };
        if earlier <= 0 {
            continue;
        }
        let ratio = value as f64 / earlier as f64;
        if ratio < checks.low_ratio {
            warnings.push(format!(
                "{name}: {} in {month}, less than {} times {before} ({})",
                shown(value),
                trim_ratio(checks.low_ratio),
                shown(earlier)
            ));
        } else if ratio > checks.high_ratio {
            warnings.push(format!(
                "{name}: {} in {month}, more than {} times {before} ({})",
                shown(value),
                trim_ratio(checks.high_ratio),
                shown(earlier)
            ));
        }
    }
    warnings
}

fn month_year_before(month: &str) -> Option<String> {
    Some(month.parse::<YearMonth>().ok()?.year_before().to_string())
}

/// `0.3333` → `0.33`, `3.0` → `3`.
fn trim_ratio(ratio: f64) -> String {
    let text = format!("{ratio:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error("{0}")]
    Usage(String),
    /// A sampled typical week with days that have no data.
    #[error("{0}")]
    IncompleteWeek(String),
    #[error("cannot write the spreadsheet {}", path.display())]
    Spreadsheet {
        path: std::path::PathBuf,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },
    #[error("cannot write the report")]
    Write(#[source] std::io::Error),
}

impl ReportError {
    pub fn is_usage(&self) -> bool {
        matches!(self, ReportError::Usage(_))
    }
}

/// The year a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Year {
    Calendar(i32),
    Fiscal(i32),
}

impl Year {
    pub fn period(self, fiscal: FiscalCalendar) -> Period {
        match self {
            Year::Calendar(year) => calendar_year(year),
            Year::Fiscal(year) => fiscal.fiscal_year(year),
        }
    }
}

/// A report's period as its JSON shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodJson {
    pub label: String,
    pub from: String,
    pub to: String,
}

impl From<&Period> for PeriodJson {
    fn from(period: &Period) -> Self {
        PeriodJson { label: period.label.clone(), from: period.from.to_string(), to: period.to.to_string() }
    }
}

/// A JSON object whose keys keep the order they were added in (libraries, modes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ordered<V>(pub Vec<(String, V)>);

impl<V> Ordered<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// One cell of a rendered report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    /// A whole number, or `None` for "no data" (shown as "—", never 0).
    Number(Option<i64>),
}

/// What table, CSV and spreadsheet rendering need from a report.
pub trait Tabular {
    /// A one-line title, such as "Gate counts, FY2025 (2024-07-01 to 2025-06-30)".
    fn title(&self) -> String;
    /// A short name, for a spreadsheet's sheet.
    fn sheet_name(&self) -> &'static str;
    fn period(&self) -> &PeriodJson;
    /// Whether the last row is a Total row.
    fn has_total_row(&self) -> bool {
        true
    }
    fn headers(&self) -> Vec<String>;
    /// The rows, the total row last.
    fn rows(&self) -> Vec<Vec<Cell>>;
    fn warnings(&self) -> &[String];
    /// Lines said under the table (how figures were computed, where the data is from).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    /// Wrap the terminal table's long text cells to this width (reports with notes).
    fn wrap_width(&self) -> Option<u16> {
        None
    }
    /// When each dataset that fed the report was last imported successfully.
    fn data_as_of(&self) -> &Ordered<Option<String>>;
}

/// A table row: a label, then numbers (a month's, or the Total's).
pub fn labelled_row(label: &str, numbers: impl IntoIterator<Item = Option<i64>>) -> Vec<Cell> {
    std::iter::once(Cell::Text(label.to_string())).chain(numbers.into_iter().map(Cell::Number)).collect()
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Text(text) => f.write_str(text),
            Cell::Number(Some(n)) => write!(f, "{n}"),
            Cell::Number(None) => f.write_str(""),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn months_far_from_the_year_before_and_zero_months_are_flagged_with_both_numbers() {
        let current = vec![
            ("2025-07".to_string(), Some(200)),
            ("2025-08".to_string(), Some(2000)),
            ("2025-09".to_string(), Some(0)),
            ("2025-10".to_string(), Some(9000)),
            ("2025-11".to_string(), None),
            ("2025-12".to_string(), Some(1000)),
        ];
        let previous = BTreeMap::from([
            ("2024-07".to_string(), 1000),
            ("2024-08".to_string(), 1000),
            ("2024-09".to_string(), 1000),
            ("2024-10".to_string(), 2000),
            ("2024-11".to_string(), 1000),
        ]);
        let warnings = month_anomalies("Main", "visitors", &current, &previous, 2, Checks::DEFAULT);
        assert_eq!(
            warnings,
            [
                "Main: 100 visitors in 2025-07, less than 0.33 times 2024-07 (500 visitors)",
                "Main: 0 visitors in 2025-09",
                "Main: 4,500 visitors in 2025-10, more than 3 times 2024-10 (1,000 visitors)",
            ]
        );
    }
}
