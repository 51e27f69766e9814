//! Reports: the figures a library submits, computed from the store's monthly and daily sums,
//! and rendered as a table, CSV or JSON.
//!
//! Each report is a plain struct built by a function that takes the store's rows and the
//! period; rules R1 to R7 of `research/acrl-ipeds.md` apply throughout: halves are kept exact
//! and rounded half up only when shown, and a month without data is `null` (shown as "—")
//! and warned about, never 0. Reports never write to the store and never print: rendering
//! returns text.

pub mod acrl;
pub mod gate_counts;
pub mod ipeds;
pub mod render;
pub mod services;

use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::fiscal::{FiscalCalendar, Period, calendar_year};
use crate::store;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error("{0}")]
    Usage(String),
    /// A sampled typical week with days that have no data.
    #[error("{0}")]
    IncompleteWeek(String),
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
