//! The typed rows that flow from `normalize` through `import` into `store`: the project's own
//! words for LibInsight data, with no trace of its JSON.

use chrono::NaiveDate;

use crate::config::Granularity;

/// A gate location of a gate-count dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    pub id: i64,
    pub name: String,
}

/// Visitors at one library in one period, kept in halves so that a bidirectional gate's
/// 600.5 stays exact until it is shown (rule R6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateVisits {
    pub library_id: i64,
    /// The first day of the period (the day itself, or the first of the month).
    pub period: NaiveDate,
    pub grain: Granularity,
    pub halves: i64,
}

/// A count of services of one mode in one period, from a Reference dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCount {
    pub period: NaiveDate,
    pub grain: Granularity,
    pub mode: String,
    pub count: i64,
}

/// One question-level record of a custom dataset, reduced to what the reports need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    pub record_id: i64,
    pub day: NaiveDate,
    pub mode: String,
    pub count: i64,
}

/// A value LibInsight sent that could not be used. It is recorded with the run, never stored
/// as a zero; where it names a stored row (`key`), that row is left as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What the problem is about: "period 2024-07-03, library 3", "record 10201".
    pub subject: String,
    pub reason: String,
    pub key: Option<ProblemKey>,
}

/// The stored row a problem stands in for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKey {
    Gate { library_id: i64, period: NaiveDate },
    Service { period: NaiveDate, mode: String },
    Record(i64),
}
