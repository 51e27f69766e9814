//! `report gate-counts`: visitors by month per library (gate location), with "All
//! libraries" and a Total row.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::provenance::as_of_note;
use super::{Cell, Context, Ordered, PeriodJson, ReportError, Tabular, labelled_row, month_anomalies};
use crate::config::Checks;
use crate::fiscal::{Period, round_halves};
use crate::store::{DatasetInfo, GateMonth, Store};

/// The report, in exactly the shape its JSON has.
#[derive(Debug, Clone, Serialize)]
pub struct GateCountReport {
    pub report: &'static str,
    pub period: PeriodJson,
    pub libraries: Vec<String>,
    pub rows: Vec<GateRow>,
    pub totals: GateTotals,
    /// When each gate-count dataset was last imported successfully.
    pub data_as_of: Ordered<Option<String>>,
    pub warnings: Vec<String>,
    /// The exact total in halves, for reports built on this one (ACRL line 74).
    #[serde(skip)]
    pub total_halves: Option<i64>,
    /// All libraries in the same months a year earlier, for the dashboard's comparison line.
    #[serde(skip)]
    pub year_before: Vec<Option<i64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GateRow {
    pub month: String,
    pub visitors: Ordered<Option<i64>>,
    pub all_libraries: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GateTotals {
    pub visitors: Ordered<Option<i64>>,
    pub all_libraries: Option<i64>,
}

/// Reads the store's monthly sums for `period` and the year before, and builds the report
/// with its anomaly and provenance warnings.
pub fn gate_counts(store: &Store, period: &Period, context: &Context) -> Result<GateCountReport, ReportError> {
    let months = store.gate_months(period.from, period.to)?;
    let year_before = period.year_before();
    let previous = store.gate_months(year_before.from, year_before.to)?;
    let libraries = store.libraries()?;
    let datasets = store.datasets()?;
    let mut report = build(&months, &previous, &libraries, &datasets, period, context.checks);
    let (as_of, warnings) = context.provenance.of_kinds(&["gate-count"]);
    report.data_as_of = as_of;
    report.warnings.extend(warnings);
    Ok(report)
}

/// A library's column: its dataset key, its id, and the name shown.
struct Column {
    key: (i64, i64),
    name: String,
}

/// Library names as shown: a name that two datasets use is told apart by its dataset id.
fn columns(months: &[GateMonth], libraries: &[(i64, i64, String)], datasets: &[DatasetInfo]) -> Vec<Column> {
    let with_data: Vec<(i64, i64)> = {
        let mut keys: Vec<(i64, i64)> = months.iter().map(|m| (m.dataset, m.library_id)).collect();
        keys.dedup();
        keys
    };
    let name_of = |key: (i64, i64)| {
        libraries
            .iter()
            .find(|(dataset, id, _)| (*dataset, *id) == key)
            .map_or_else(|| format!("Library {}", key.1), |(_, _, name)| name.clone())
    };
    let dataset_id = |key: i64| datasets.iter().find(|d| d.key == key).map_or(key, |d| i64::from(d.dataset_id));
    let mut datasets_per_name: HashMap<String, Vec<i64>> = HashMap::new();
    for key in &with_data {
        let entry = datasets_per_name.entry(name_of(*key)).or_default();
        if !entry.contains(&key.0) {
            entry.push(key.0);
        }
    }
    let mut columns: Vec<Column> = with_data
        .iter()
        .map(|key| {
            let name = name_of(*key);
            let shared = datasets_per_name.get(&name).is_some_and(|d| d.len() > 1);
            let name = if shared { format!("{name} (dataset {})", dataset_id(key.0)) } else { name };
            Column { key: *key, name }
        })
        .collect();
    // Two libraries of one dataset with one name: tell them apart by library id.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for column in &columns {
        *seen.entry(column.name.clone()).or_insert(0) += 1;
    }
    for column in &mut columns {
        if seen.get(&column.name).copied().unwrap_or(0) > 1 {
            column.name = format!("{} (library {})", column.name, column.key.1);
        }
    }
    columns
}

/// Builds the report from monthly sums of the period and of the year before (pure).
pub fn build(
    months: &[GateMonth],
    previous: &[GateMonth],
    libraries: &[(i64, i64, String)],
    datasets: &[DatasetInfo],
    period: &Period,
    checks: Checks,
) -> GateCountReport {
    let columns = columns(months, libraries, datasets);
    let halves: BTreeMap<((i64, i64), &str), i64> =
        months.iter().map(|m| (((m.dataset, m.library_id), m.month.as_str()), m.halves)).collect();
    let mut warnings = Vec::new();
    let mut rows = Vec::new();
    let mut column_totals: Vec<i64> = vec![0; columns.len()];
    let mut grand_total: Option<i64> = None;
    let month_labels: Vec<String> = period.months().iter().map(ToString::to_string).collect();
    for month in &month_labels {
        let mut visitors = Vec::new();
        let mut row_total: Option<i64> = None;
        for (index, column) in columns.iter().enumerate() {
            let cell = halves.get(&(column.key, month.as_str())).copied();
            if let Some(h) = cell {
                column_totals[index] += h;
                row_total = Some(row_total.unwrap_or(0) + h);
            }
            visitors.push((column.name.clone(), cell.map(round_halves)));
        }
        if let Some(total) = row_total {
            grand_total = Some(grand_total.unwrap_or(0) + total);
        }
        rows.push(GateRow {
            month: month.clone(),
            visitors: Ordered(visitors),
            all_libraries: row_total.map(round_halves),
        });
    }
    for column in &columns {
        for month in &month_labels {
            if !halves.contains_key(&(column.key, month.as_str())) {
                warnings.push(format!("{}: no data for {month}", column.name));
            }
        }
    }
    if columns.is_empty() {
        warnings.push(format!("no gate-count data for {}", period.label));
    }
    let mut earlier_per_column: BTreeMap<((i64, i64), String), i64> = BTreeMap::new();
    let mut earlier_total: BTreeMap<String, i64> = BTreeMap::new();
    for m in previous {
        *earlier_per_column.entry(((m.dataset, m.library_id), m.month.clone())).or_insert(0) += m.halves;
        *earlier_total.entry(m.month.clone()).or_insert(0) += m.halves;
    }
    for column in &columns {
        let current: Vec<(String, Option<i64>)> =
            month_labels.iter().map(|m| (m.clone(), halves.get(&(column.key, m.as_str())).copied())).collect();
        let earlier: BTreeMap<String, i64> = earlier_per_column
            .iter()
            .filter(|((key, _), _)| *key == column.key)
            .map(|((_, month), h)| (month.clone(), *h))
            .collect();
        warnings.extend(month_anomalies(&column.name, "visitors", &current, &earlier, 2, checks));
    }
    let year_before = period
        .year_before()
        .months()
        .iter()
        .map(|m| earlier_total.get(&m.to_string()).copied().map(round_halves))
        .collect();
    GateCountReport {
        report: "gate-counts",
        period: PeriodJson::from(period),
        libraries: columns.iter().map(|c| c.name.clone()).collect(),
        totals: GateTotals {
            visitors: Ordered(
                columns
                    .iter()
                    .zip(&column_totals)
                    .map(|(c, total)| (c.name.clone(), Some(round_halves(*total))))
                    .collect(),
            ),
            all_libraries: grand_total.map(round_halves),
        },
        rows,
        data_as_of: Ordered::default(),
        warnings,
        total_halves: grand_total,
        year_before,
    }
}

impl Tabular for GateCountReport {
    fn sheet_name(&self) -> &'static str {
        "Gate counts"
    }

    fn period(&self) -> &PeriodJson {
        &self.period
    }

    fn title(&self) -> String {
        format!("Gate counts, {} ({} to {})", self.period.label, self.period.from, self.period.to)
    }

    fn headers(&self) -> Vec<String> {
        let mut headers = vec!["Month".to_string()];
        headers.extend(self.libraries.iter().cloned());
        headers.push("All libraries".to_string());
        headers
    }

    fn rows(&self) -> Vec<Vec<Cell>> {
        let each = |visitors: &Ordered<Option<i64>>, all: Option<i64>| {
            visitors.0.iter().map(|(_, v)| *v).chain([all]).collect::<Vec<_>>()
        };
        let mut rows: Vec<Vec<Cell>> =
            self.rows.iter().map(|row| labelled_row(&row.month, each(&row.visitors, row.all_libraries))).collect();
        rows.push(labelled_row("Total", each(&self.totals.visitors, self.totals.all_libraries)));
        rows
    }

    fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn notes(&self) -> Vec<String> {
        vec![
            "Visitors as LibInsight computes them (bidirectional gates halved once); halves rounded half up when shown, totals from exact sums.".to_string(),
            as_of_note(&self.data_as_of),
        ]
    }

    fn data_as_of(&self) -> &Ordered<Option<String>> {
        &self.data_as_of
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fiscal::FiscalCalendar;

    fn month(dataset: i64, library_id: i64, month: &str, halves: i64) -> GateMonth {
        GateMonth { dataset, library_id, month: month.to_string(), halves }
    }

    fn dataset(key: i64, dataset_id: u32) -> DatasetInfo {
        DatasetInfo {
            key,
            profile: "main".to_string(),
            dataset_id,
            kind: "gate-count".to_string(),
            counts_as: "transactions".to_string(),
        }
    }

    #[test]
    fn r6_rounds_each_cell_half_up_and_the_total_from_exact_sums() {
        // Bidirectional: January 1201 crossings (600.5), February 1199 (599.5).
        let period = crate::fiscal::calendar_year(2024);
        let months = [month(1, 3, "2024-01", 1201), month(1, 3, "2024-02", 1199)];
        let report = build(&months, &[], &[(1, 3, "Main".to_string())], &[dataset(1, 43702)], &period, Checks::DEFAULT);
        assert_eq!(report.rows[0].visitors.get("Main"), Some(&Some(601)));
        assert_eq!(report.rows[1].visitors.get("Main"), Some(&Some(600)));
        assert_eq!(report.totals.visitors.get("Main"), Some(&Some(1200)));
        assert_eq!(report.totals.all_libraries, Some(1200));
    }

    #[test]
    fn r7_a_month_without_data_is_null_and_warned_about_not_zero() {
        let period = FiscalCalendar::JULY.fiscal_year(2025);
        let months = [month(1, 3, "2024-07", 2000), month(1, 4, "2024-08", 0)];
        let libraries = [(1, 3, "Main".to_string()), (1, 4, "Science".to_string())];
        let report = build(&months, &[], &libraries, &[dataset(1, 43702)], &period, Checks::DEFAULT);
        assert_eq!(report.rows[0].visitors.get("Science"), Some(&None));
        assert_eq!(report.rows[1].visitors.get("Science"), Some(&Some(0)));
        assert_eq!(report.rows[0].all_libraries, Some(1000));
        assert_eq!(report.rows[2].all_libraries, None);
        assert!(report.warnings.contains(&"Science: no data for 2024-07".to_string()));
        assert!(!report.warnings.contains(&"Science: no data for 2024-08".to_string()));
        // Eleven missing months per library, and Science's zero August.
        assert!(report.warnings.contains(&"Science: 0 visitors in 2024-08".to_string()));
        assert_eq!(report.warnings.len(), 11 + 11 + 1);
    }

    #[test]
    fn five_one_unidirectional_months_of_100_to_1200_total_7800() {
        let period = FiscalCalendar::JULY.fiscal_year(2025);
        let months: Vec<GateMonth> =
            period.months().iter().zip(1..).map(|(m, n)| month(1, 3, &m.to_string(), n * 100 * 2)).collect();
        let report = build(&months, &[], &[(1, 3, "Main".to_string())], &[dataset(1, 43702)], &period, Checks::DEFAULT);
        assert_eq!(report.totals.all_libraries, Some(7800));
        assert_eq!(report.rows[0].month, "2024-07");
        assert_eq!(report.rows[11].month, "2025-06");
        assert!(report.warnings.is_empty());
    }

    #[test]
    fn a_name_two_datasets_use_is_told_apart_by_dataset_id() {
        let period = crate::fiscal::calendar_year(2024);
        let months = [month(1, 3, "2024-01", 10), month(2, 3, "2024-01", 20)];
        let libraries = [(1, 3, "Main Entrance".to_string()), (2, 3, "Main Entrance".to_string())];
        let report = build(&months, &[], &libraries, &[dataset(1, 43702), dataset(2, 43703)], &period, Checks::DEFAULT);
        assert_eq!(report.libraries, ["Main Entrance (dataset 43702)", "Main Entrance (dataset 43703)"]);
    }
}
