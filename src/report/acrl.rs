//! `report acrl`: the ACRL Academic Library Trends and Statistics survey lines for
//! information services to individuals and gate counts, for one survey year's reporting
//! period (rule R2).
//!
//! Line numbers come from [`SURVEY_LINES`], a table per survey year, not from literals in the
//! computation; the numbers for 2023 onward are assumed unchanged and marked unverified.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::gate_counts::GateCountReport;
use super::provenance::as_of_note;
use super::services::FAQ;
use super::{Cell, Context, Ordered, PeriodJson, ReportError, Tabular, render};
use crate::fiscal::{FiscalCalendar, Period, YearMonth, average_week, round_halves};
use crate::store::{DatasetInfo, GateDay, ServiceMonth, Store};

/// What a survey line measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Transactions,
    Consultations,
    TotalIfInseparable,
    VirtualReference,
    HoursTypicalWeek,
    GateTypicalWeek,
    GateAnnual,
}

/// The line numbers of a run of survey years.
#[derive(Debug)]
pub struct SurveyEra {
    pub first: i32,
    /// The last survey year these numbers are known for; `None` for "and since".
    pub last: Option<i32>,
    /// Whether the numbers were seen on that era's forms.
    pub verified: bool,
    pub lines: &'static [(&'static str, Measure, &'static str)],
}

const LINES_SINCE_2016: &[(&str, Measure, &str)] = &[
    ("64", Measure::Transactions, "Transactions"),
    ("65", Measure::Consultations, "Consultations"),
    ("66", Measure::TotalIfInseparable, "Total, if 64 and 65 cannot be separated"),
    ("67", Measure::VirtualReference, "Virtual reference (included in 64 to 66)"),
    ("72", Measure::HoursTypicalWeek, "Hours open in a typical week"),
    ("73", Measure::GateTypicalWeek, "Gate count in a typical week"),
    ("74", Measure::GateAnnual, "Gate count, annual total"),
];

/// Line numbers per survey year. The survey was redesigned for 2015 (line 66 was
/// "Transactions" then), so the table starts with 2016. The 2023 to 2025 forms were not
/// seen: their numbers are assumed unchanged (`research/acrl-ipeds.md` section 2.2).
pub const SURVEY_LINES: &[SurveyEra] = &[
    SurveyEra { first: 2016, last: Some(2022), verified: true, lines: LINES_SINCE_2016 },
    SurveyEra { first: 2023, last: None, verified: false, lines: LINES_SINCE_2016 },
];

/// The era whose line numbers survey year `year` uses.
pub fn era_of(year: i32) -> Option<&'static SurveyEra> {
    SURVEY_LINES.iter().find(|era| year >= era.first && era.last.is_none_or(|last| year <= last))
}

/// Modes that are networked (virtual) reference.
const VIRTUAL_MODES: &[&str] = &["chat", "sms", "ticket", "email"];

/// How line 73 is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypicalWeek {
    /// Seven days of daily data from this day.
    Sampled(NaiveDate),
    /// The period's visitors over the days of its months with data, times seven.
    Average,
}

#[derive(Debug, Clone, Serialize)]
pub struct AcrlReport {
    pub report: &'static str,
    pub survey_year: i32,
    pub period: PeriodJson,
    pub lines: Vec<AcrlLine>,
    /// When each dataset was last imported successfully.
    pub data_as_of: Ordered<Option<String>>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcrlLine {
    pub line: String,
    pub label: String,
    pub value: Option<i64>,
    pub sampled: bool,
    pub note: String,
}

/// What the lines are computed from.
pub struct AcrlInputs<'a> {
    pub survey_year: i32,
    pub period: &'a Period,
    pub services: &'a [ServiceMonth],
    pub datasets: &'a [DatasetInfo],
    pub gate: &'a GateCountReport,
    /// Daily gate rows of the sampled week (empty for the average method).
    pub week_days: &'a [GateDay],
    /// The gate locations with data in the period (dataset key, library id): a sampled week
    /// needs each of them on every day, and no others.
    pub gate_libraries: &'a [(i64, i64)],
    pub typical_week: TypicalWeek,
}

/// Reads what the lines need from the store and builds the report.
pub fn acrl(
    store: &Store,
    fiscal: FiscalCalendar,
    survey_year: i32,
    typical_week: TypicalWeek,
    context: &Context,
) -> Result<AcrlReport, ReportError> {
    let period = fiscal.survey_year(survey_year);
    let services = store.service_months(period.from, period.to)?;
    let datasets = store.datasets()?;
    let libraries = store.libraries()?;
    let gate_months = store.gate_months(period.from, period.to)?;
    let gate = super::gate_counts::build(&gate_months, &[], &libraries, &datasets, &period, context.checks);
    let mut gate_libraries: Vec<(i64, i64)> = gate_months.iter().map(|m| (m.dataset, m.library_id)).collect();
    gate_libraries.dedup();
    let week_days = match typical_week {
        TypicalWeek::Sampled(start) => store.gate_days(start, start + Days::new(6))?,
        TypicalWeek::Average => Vec::new(),
    };
    let mut report = build(
        &AcrlInputs {
            survey_year,
            period: &period,
            services: &services,
            datasets: &datasets,
            gate: &gate,
            week_days: &week_days,
            gate_libraries: &gate_libraries,
            typical_week,
        },
        &libraries,
    )?;
    let (as_of, warnings) = context.provenance.of_kinds(&["gate-count", "reference", "custom"]);
    report.data_as_of = as_of;
    report.warnings.extend(warnings);
    Ok(report)
}

/// Builds the report (pure). `libraries` names gate locations for messages.
pub fn build(inputs: &AcrlInputs<'_>, libraries: &[(i64, i64, String)]) -> Result<AcrlReport, ReportError> {
    let Some(era) = era_of(inputs.survey_year) else {
        return Err(ReportError::Usage(format!(
            "almanac knows the ACRL line numbers from survey year {} on, not {}",
            SURVEY_LINES.first().map_or(2016, |e| e.first),
            inputs.survey_year
        )));
    };
    let mut warnings = Vec::new();
    if !era.verified {
        warnings.push(format!(
            "the line numbers for survey year {} are assumed unchanged since 2022 and are not verified against that year's form",
            inputs.survey_year
        ));
    }
    let counts_as: BTreeMap<i64, &str> = inputs.datasets.iter().map(|d| (d.key, d.counts_as.as_str())).collect();
    let sum = |keep: &dyn Fn(&ServiceMonth) -> bool| -> i64 {
        inputs.services.iter().filter(|m| keep(m)).map(|m| m.count).sum()
    };
    let is_consultation = |m: &ServiceMonth| counts_as.get(&m.dataset) == Some(&"consultations");
    let has_services = !inputs.services.is_empty();
    let has_consultations = inputs.services.iter().any(is_consultation);
    let transactions = sum(&|m| !is_consultation(m) && m.mode != FAQ);
    let consultations = sum(&|m| is_consultation(m) && m.mode != FAQ);
    let virtual_reference = sum(&|m| VIRTUAL_MODES.contains(&m.mode.as_str()));
    let modes_of = |keep: &dyn Fn(&ServiceMonth) -> bool| -> String {
        let modes: BTreeSet<&str> =
            inputs.services.iter().filter(|m| keep(m) && m.mode != FAQ).map(|m| m.mode.as_str()).collect();
        super::services::ordered_modes(modes).join(" + ")
    };
    if !has_services {
        warnings.push(format!("no services data for {}", inputs.period.label));
    }
    let typical = typical_week(inputs, libraries, &mut warnings)?;
    let mut lines = Vec::new();
    for (number, measure, label) in era.lines {
        let (value, sampled, note) = match measure {
            Measure::Transactions => (
                has_services.then_some(transactions),
                false,
                format!(
                    "{}; FAQ views excluded; directional questions excluded where a dataset's `exclude` says so",
                    or_none(&modes_of(&|m| !is_consultation(m)))
                ),
            ),
            Measure::Consultations if has_consultations => (
                Some(consultations),
                false,
                format!("{} of datasets counted as consultations", modes_of(&is_consultation)),
            ),
            Measure::Consultations => (None, false, "blank: no dataset has counts_as = \"consultations\"".to_string()),
            Measure::TotalIfInseparable => (
                None,
                false,
                format!("blank: transactions and consultations are reported separately in lines {}", pair(era)),
            ),
            Measure::VirtualReference => (
                has_services.then_some(virtual_reference),
                false,
                "chat + sms + ticket + email, of transactions and consultations".to_string(),
            ),
            Measure::HoursTypicalWeek => {
                (None, false, "blank: opening hours are not in gate-count or reference data".to_string())
            }
            Measure::GateTypicalWeek => (typical.0, true, typical.1.clone()),
            Measure::GateAnnual => (
                inputs.gate.totals.all_libraries,
                false,
                format!("the Total of `report gate-counts` for {}, all libraries", inputs.period.label),
            ),
        };
        lines.push(AcrlLine { line: number.to_string(), label: label.to_string(), value, sampled, note });
    }
    warnings.extend(inputs.gate.warnings.iter().map(|w| format!("gate counts: {w}")));
    Ok(AcrlReport {
        report: "acrl",
        survey_year: inputs.survey_year,
        period: PeriodJson::from(inputs.period),
        lines,
        data_as_of: Ordered::default(),
        warnings,
    })
}

fn or_none(text: &str) -> &str {
    if text.is_empty() { "no modes" } else { text }
}

fn pair(era: &SurveyEra) -> String {
    let number = |wanted: Measure| era.lines.iter().find(|(_, m, _)| *m == wanted).map_or("?", |(n, _, _)| n);
    format!("{} and {}", number(Measure::Transactions), number(Measure::Consultations))
}

/// Line 73: the value and the note naming the method.
fn typical_week(
    inputs: &AcrlInputs<'_>,
    libraries: &[(i64, i64, String)],
    warnings: &mut Vec<String>,
) -> Result<(Option<i64>, String), ReportError> {
    match inputs.typical_week {
        TypicalWeek::Average => {
            let covered: i64 = inputs
                .gate
                .rows
                .iter()
                .filter(|row| row.all_libraries.is_some())
                .filter_map(|row| row.month.parse::<YearMonth>().ok())
                .map(YearMonth::days)
                .sum();
            match (inputs.gate.total_halves, covered) {
                (Some(halves), days) if days > 0 => Ok((
                    average_week(halves, days),
                    format!(
                        "average week: {} visitors / {days} days of months with data × 7, rounded half up",
                        render::thousands(round_halves(halves))
                    ),
                )),
                _ => Ok((None, "blank: no gate-count data in the period".to_string())),
            }
        }
        TypicalWeek::Sampled(start) => {
            let end = start + Days::new(6);
            if start < inputs.period.from || end > inputs.period.to {
                warnings.push(format!(
                    "the typical week {start} to {end} is not inside {} ({} to {})",
                    inputs.period.label, inputs.period.from, inputs.period.to
                ));
            }
            let name = |key: (i64, i64)| {
                libraries
                    .iter()
                    .find(|(d, l, _)| (*d, *l) == key)
                    .map_or_else(|| format!("library {}", key.1), |(_, _, n)| n.clone())
            };
            let expected: BTreeSet<(i64, i64)> = inputs.gate_libraries.iter().copied().collect();
            let present: BTreeSet<(i64, i64, NaiveDate)> =
                inputs.week_days.iter().map(|d| (d.dataset, d.library_id, d.day)).collect();
            let mut missing = Vec::new();
            for key in &expected {
                let days: Vec<String> = (0..7)
                    .map(|i| start + Days::new(i))
                    .filter(|day| !present.contains(&(key.0, key.1, *day)))
                    .map(|day| day.to_string())
                    .collect();
                if !days.is_empty() {
                    missing.push(format!("{}: {}", name(*key), days.join(", ")));
                }
            }
            if !missing.is_empty() {
                return Err(ReportError::IncompleteWeek(format!(
                    "the typical week {start} to {end} lacks daily gate-count data ({}); pick a week with data for every library, or leave out --typical-week to use the average week",
                    missing.join("; ")
                )));
            }
            let halves: i64 = inputs.week_days.iter().map(|d| d.halves).sum();
            Ok((Some(round_halves(halves)), format!("sampled week: the 7 days {start} to {end}, all libraries")))
        }
    }
}

impl Tabular for AcrlReport {
    fn sheet_name(&self) -> &'static str {
        "ACRL"
    }

    fn period(&self) -> &PeriodJson {
        &self.period
    }

    fn has_total_row(&self) -> bool {
        false
    }

    fn title(&self) -> String {
        format!(
            "ACRL survey {}: reporting period {} ({} to {})",
            self.survey_year, self.period.label, self.period.from, self.period.to
        )
    }

    fn headers(&self) -> Vec<String> {
        ["Line", "Label", "Value", "Sampled", "How it was computed"].map(String::from).to_vec()
    }

    fn rows(&self) -> Vec<Vec<Cell>> {
        self.lines
            .iter()
            .map(|line| {
                vec![
                    Cell::Text(line.line.clone()),
                    Cell::Text(line.label.clone()),
                    Cell::Number(line.value),
                    Cell::Text(if line.sampled { "yes" } else { "no" }.to_string()),
                    Cell::Text(line.note.clone()),
                ]
            })
            .collect()
    }

    fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn wrap_width(&self) -> Option<u16> {
        Some(120)
    }

    fn notes(&self) -> Vec<String> {
        vec![as_of_note(&self.data_as_of)]
    }

    fn data_as_of(&self) -> &Ordered<Option<String>> {
        &self.data_as_of
    }
}

#[cfg(test)]
mod tests;
