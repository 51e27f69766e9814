//! `report services`: library services to individuals by mode and month, from Reference
//! datasets and custom datasets alike, with "staff-mediated" (every mode but FAQ views) and
//! a total.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::provenance::as_of_note;
use super::{Cell, Context, Ordered, PeriodJson, ReportError, Tabular, labelled_row, month_anomalies};
use crate::config::Checks;
use crate::fiscal::Period;
use crate::store::{DatasetInfo, ServiceMonth, Store};

/// Self-service FAQ page views: counted, but not a staff contact.
pub const FAQ: &str = "faq";

/// The order modes are shown in; modes not listed follow, alphabetically.
const MODE_ORDER: &[&str] = &["chat", "sms", "ticket", "email", FAQ, "in_person", "phone", "other"];

/// The report, in exactly the shape its JSON has.
#[derive(Debug, Clone, Serialize)]
pub struct ServicesReport {
    pub report: &'static str,
    pub period: PeriodJson,
    pub modes: Vec<String>,
    pub rows: Vec<ServicesRow>,
    pub totals: ServicesTotals,
    /// When each services dataset was last imported successfully.
    pub data_as_of: Ordered<Option<String>>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServicesRow {
    pub month: String,
    pub counts: Ordered<Option<i64>>,
    pub staff_mediated: Option<i64>,
    pub total: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServicesTotals {
    pub counts: Ordered<Option<i64>>,
    pub staff_mediated: Option<i64>,
    pub total: Option<i64>,
}

/// Reads the store's monthly sums for `period` and the year before, and builds the report
/// with its anomaly and provenance warnings.
pub fn services(store: &Store, period: &Period, context: &Context) -> Result<ServicesReport, ReportError> {
    let months = store.service_months(period.from, period.to)?;
    let year_before = period.year_before();
    let previous = store.service_months(year_before.from, year_before.to)?;
    let datasets = store.datasets()?;
    let mut report = build(&months, &previous, &datasets, period, context.checks);
    let (as_of, warnings) = context.provenance.of_kinds(&["reference", "custom"]);
    report.data_as_of = as_of;
    report.warnings.extend(warnings);
    Ok(report)
}

/// Modes in display order.
pub fn ordered_modes<'a>(modes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let present: BTreeSet<&str> = modes.into_iter().collect();
    let mut ordered: Vec<String> = MODE_ORDER.iter().filter(|m| present.contains(*m)).map(|m| m.to_string()).collect();
    ordered.extend(present.iter().filter(|m| !MODE_ORDER.contains(m)).map(|m| m.to_string()));
    ordered
}

/// Builds the report from monthly sums (pure). A month in which no service dataset has any
/// data is `null` throughout and warned about; a dataset missing a month another dataset
/// has is warned about too.
pub fn build(
    months: &[ServiceMonth],
    previous: &[ServiceMonth],
    datasets: &[DatasetInfo],
    period: &Period,
    checks: Checks,
) -> ServicesReport {
    let modes = ordered_modes(months.iter().map(|m| m.mode.as_str()));
    let mut counts: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    let mut months_of_dataset: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    for m in months {
        *counts.entry((m.month.as_str(), m.mode.as_str())).or_insert(0) += m.count;
        months_of_dataset.entry(m.dataset).or_default().insert(m.month.as_str());
    }
    let label_of = |key: i64| {
        datasets
            .iter()
            .find(|d| d.key == key)
            .map_or_else(|| format!("dataset {key}"), |d| format!("{} dataset {}/{}", d.kind, d.profile, d.dataset_id))
    };
    let mut warnings = Vec::new();
    let mut rows = Vec::new();
    let mut total_counts: Vec<i64> = vec![0; modes.len()];
    let mut any_data = false;
    for month in period.months().iter().map(ToString::to_string) {
        let has_data = months_of_dataset.values().any(|m| m.contains(month.as_str()));
        if !has_data {
            warnings.push(format!("no data for {month}"));
            rows.push(ServicesRow {
                month,
                counts: Ordered(modes.iter().map(|m| (m.clone(), None)).collect()),
                staff_mediated: None,
                total: None,
            });
            continue;
        }
        any_data = true;
        for (dataset, seen) in &months_of_dataset {
            if !seen.contains(month.as_str()) {
                warnings.push(format!("{}: no data for {month}", label_of(*dataset)));
            }
        }
        let cells: Vec<i64> =
            modes.iter().map(|mode| counts.get(&(month.as_str(), mode.as_str())).copied().unwrap_or(0)).collect();
        for (total, cell) in total_counts.iter_mut().zip(&cells) {
            *total += cell;
        }
        let (staff, total) = staff_and_total(&modes, &cells);
        rows.push(ServicesRow {
            month,
            counts: Ordered(modes.iter().cloned().zip(cells.into_iter().map(Some)).collect()),
            staff_mediated: Some(staff),
            total: Some(total),
        });
    }
    // A mode unused in a month is normal; a month whose total is zero, or far from the same
    // month a year earlier, is worth a look.
    let mut earlier: BTreeMap<String, i64> = BTreeMap::new();
    for m in previous {
        *earlier.entry(m.month.clone()).or_insert(0) += m.count;
    }
    let totals: Vec<(String, Option<i64>)> = rows.iter().map(|row| (row.month.clone(), row.total)).collect();
    warnings.extend(month_anomalies("All services", "", &totals, &earlier, 1, checks));
    let (staff, total) = staff_and_total(&modes, &total_counts);
    ServicesReport {
        report: "services",
        period: PeriodJson::from(period),
        totals: ServicesTotals {
            counts: Ordered(modes.iter().cloned().zip(total_counts.iter().map(|n| any_data.then_some(*n))).collect()),
            staff_mediated: any_data.then_some(staff),
            total: any_data.then_some(total),
        },
        modes,
        rows,
        data_as_of: Ordered::default(),
        warnings,
    }
}

/// A mode as a column header: `faq` → "FAQ views", `in_person` → "In person".
pub fn mode_label(mode: &str) -> String {
    match mode {
        "chat" => "Chats".to_string(),
        "sms" => "SMS".to_string(),
        "ticket" => "Tickets".to_string(),
        "email" => "E-mail".to_string(),
        FAQ => "FAQ views".to_string(),
        "in_person" => "In person".to_string(),
        "phone" => "Phone".to_string(),
        "other" => "Other".to_string(),
        other => {
            let spaced = other.replace('_', " ");
            let mut chars = spaced.chars();
            chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
        }
    }
}

/// Staff-mediated (every mode but FAQ views) and the total of one row.
fn staff_and_total(modes: &[String], cells: &[i64]) -> (i64, i64) {
    let total: i64 = cells.iter().sum();
    let faq: i64 = modes.iter().zip(cells).filter(|(m, _)| m.as_str() == FAQ).map(|(_, n)| n).sum();
    (total - faq, total)
}

impl Tabular for ServicesReport {
    fn sheet_name(&self) -> &'static str {
        "Services"
    }

    fn period(&self) -> &PeriodJson {
        &self.period
    }

    fn title(&self) -> String {
        format!("Library services to individuals, {} ({} to {})", self.period.label, self.period.from, self.period.to)
    }

    fn headers(&self) -> Vec<String> {
        let mut headers = vec!["Month".to_string()];
        headers.extend(self.modes.iter().map(|mode| mode_label(mode)));
        headers.push("Staff-mediated".to_string());
        headers.push("Total".to_string());
        headers
    }

    fn rows(&self) -> Vec<Vec<Cell>> {
        let each = |counts: &Ordered<Option<i64>>, staff: Option<i64>, total: Option<i64>| {
            counts.0.iter().map(|(_, n)| *n).chain([staff, total]).collect::<Vec<_>>()
        };
        let mut rows: Vec<Vec<Cell>> = self
            .rows
            .iter()
            .map(|row| labelled_row(&row.month, each(&row.counts, row.staff_mediated, row.total)))
            .collect();
        rows.push(labelled_row("Total", each(&self.totals.counts, self.totals.staff_mediated, self.totals.total)));
        rows
    }

    fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn notes(&self) -> Vec<String> {
        vec![
            "Staff-mediated counts every mode but FAQ views; Total includes FAQ views.".to_string(),
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

    fn month(dataset: i64, mode: &str, month: &str, count: i64) -> ServiceMonth {
        ServiceMonth { dataset, mode: mode.to_string(), month: month.to_string(), count }
    }

    #[test]
    fn five_five_staff_mediated_leaves_out_faq_views() {
        // July: chats 10, SMS 2, tickets 5, FAQ views 100.
        let period = FiscalCalendar::JULY.fiscal_year(2025);
        let months = [
            month(1, "faq", "2024-07", 100),
            month(1, "chat", "2024-07", 10),
            month(1, "sms", "2024-07", 2),
            month(1, "ticket", "2024-07", 5),
        ];
        let report = build(&months, &[], &[], &period, Checks::DEFAULT);
        assert_eq!(report.modes, ["chat", "sms", "ticket", "faq"]);
        assert_eq!(report.rows[0].staff_mediated, Some(17));
        assert_eq!(report.rows[0].total, Some(117));
        assert_eq!(report.totals.staff_mediated, Some(17));
        assert_eq!(report.totals.total, Some(117));
        assert_eq!(report.totals.counts.get("faq"), Some(&Some(100)));
    }

    #[test]
    fn r7_a_month_without_any_data_is_null_and_warned_about() {
        let period = FiscalCalendar::JULY.fiscal_year(2025);
        let months = [month(1, "chat", "2024-07", 10), month(1, "chat", "2024-09", 0)];
        let report = build(&months, &[], &[], &period, Checks::DEFAULT);
        assert_eq!(report.rows[1].counts.get("chat"), Some(&None));
        assert_eq!(report.rows[1].total, None);
        assert_eq!(report.rows[2].counts.get("chat"), Some(&Some(0)));
        assert!(report.warnings.contains(&"no data for 2024-08".to_string()));
        assert!(!report.warnings.contains(&"no data for 2024-09".to_string()));
        // Ten months without data, and September's zero total.
        assert!(report.warnings.contains(&"All services: 0 in 2024-09".to_string()));
        assert_eq!(report.warnings.len(), 10 + 1);
    }

    #[test]
    fn modes_have_readable_column_labels() {
        assert_eq!(mode_label("faq"), "FAQ views");
        assert_eq!(mode_label("in_person"), "In person");
        assert_eq!(mode_label("walk_up_desk"), "Walk up desk");
    }

    #[test]
    fn unknown_modes_follow_the_known_ones() {
        assert_eq!(
            ordered_modes(["walk_up", "phone", "chat", "other", "faq"]),
            ["chat", "faq", "phone", "other", "walk_up"]
        );
    }
}
