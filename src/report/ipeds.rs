//! `report ipeds`: what the IPEDS Academic Libraries component takes from these data, which
//! is nothing. It collects no gate counts, no reference transactions and no opening hours,
//! and it ends after the 2024-25 collection. The report says so, names the period (rule R2,
//! as for ACRL) and lists the ACRL lines the library reports instead. No invented numbers.

use serde::Serialize;

use super::acrl::{AcrlLine, AcrlReport};
use super::provenance::as_of_note;
use super::{Cell, Ordered, PeriodJson, Tabular};

/// The last IPEDS collection with an Academic Libraries component starts in this year
/// (2024-25).
const LAST_COLLECTION_START: i32 = 2024;

/// The first collection of the current AL component (2014-15).
const FIRST_COLLECTION_START: i32 = 2014;

#[derive(Debug, Clone, Serialize)]
pub struct IpedsReport {
    pub report: &'static str,
    pub survey_year: i32,
    /// The IPEDS collection year, such as "2024-25".
    pub collection_year: String,
    pub period: PeriodJson,
    /// What IPEDS AL collects of these data in that collection year.
    pub status: String,
    pub items: Vec<IpedsItem>,
    /// When each dataset was last imported successfully.
    pub data_as_of: Ordered<Option<String>>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IpedsItem {
    pub measure: String,
    pub ipeds: String,
    /// The ACRL line the library reports it on instead, with its value.
    pub acrl: AcrlLine,
}

/// The IPEDS view of an ACRL report of the same survey year.
pub fn build(acrl: &AcrlReport) -> IpedsReport {
    let start = acrl.survey_year;
    let collection_year = format!("{}-{:02}", start, (start + 1).rem_euclid(100));
    let (status, ipeds) = if start > LAST_COLLECTION_START {
        (
            format!(
                "IPEDS collection {collection_year} has no Academic Libraries component: it was discontinued after 2024-25. Report these figures in the ACRL survey."
            ),
            "AL component discontinued after 2024-25",
        )
    } else if start < FIRST_COLLECTION_START {
        (
            format!(
                "IPEDS collection {collection_year} predates the Academic Libraries component (2014-15 on); the earlier NCES Academic Libraries Survey is not covered."
            ),
            "not covered",
        )
    } else {
        (
            format!(
                "The IPEDS Academic Libraries component ({collection_year}) collects no gate counts, no reference transactions and no opening hours. Report these figures in the ACRL survey; its export to IPEDS carries only the AL items."
            ),
            "not collected by IPEDS AL",
        )
    };
    let items = acrl
        .lines
        .iter()
        .map(|line| IpedsItem { measure: line.label.clone(), ipeds: ipeds.to_string(), acrl: line.clone() })
        .collect();
    IpedsReport {
        report: "ipeds",
        survey_year: acrl.survey_year,
        collection_year,
        period: acrl.period.clone(),
        status,
        items,
        data_as_of: acrl.data_as_of.clone(),
        warnings: acrl.warnings.clone(),
    }
}

impl Tabular for IpedsReport {
    fn sheet_name(&self) -> &'static str {
        "IPEDS"
    }

    fn period(&self) -> &PeriodJson {
        &self.period
    }

    fn has_total_row(&self) -> bool {
        false
    }

    fn title(&self) -> String {
        format!(
            "IPEDS {} (survey year {}): reporting period {} ({} to {})",
            self.collection_year, self.survey_year, self.period.label, self.period.from, self.period.to
        )
    }

    fn headers(&self) -> Vec<String> {
        ["Measure", "IPEDS Academic Libraries", "Reported instead on ACRL line", "Value"].map(String::from).to_vec()
    }

    fn rows(&self) -> Vec<Vec<Cell>> {
        self.items
            .iter()
            .map(|item| {
                vec![
                    Cell::Text(item.measure.clone()),
                    Cell::Text(item.ipeds.clone()),
                    Cell::Text(item.acrl.line.clone()),
                    Cell::Number(item.acrl.value),
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
        vec![self.status.clone(), as_of_note(&self.data_as_of)]
    }

    fn data_as_of(&self) -> &Ordered<Option<String>> {
        &self.data_as_of
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acrl(survey_year: i32) -> AcrlReport {
        AcrlReport {
            report: "acrl",
            survey_year,
            period: PeriodJson {
                label: format!("FY{survey_year}"),
                from: format!("{}-07-01", survey_year - 1),
                to: format!("{survey_year}-06-30"),
            },
            data_as_of: Ordered::default(),
            lines: vec![AcrlLine {
                line: "74".to_string(),
                label: "Gate count, annual total".to_string(),
                value: Some(365_000),
                sampled: false,
                note: String::new(),
            }],
            warnings: Vec::new(),
        }
    }

    #[test]
    fn ipeds_collects_none_of_these_measures_and_points_to_acrl() {
        let report = build(&acrl(2024));
        assert_eq!(report.collection_year, "2024-25");
        assert!(report.status.contains("collects no gate counts"), "{}", report.status);
        assert_eq!(report.items[0].ipeds, "not collected by IPEDS AL");
        assert_eq!(report.items[0].acrl.line, "74");
        assert_eq!(report.items[0].acrl.value, Some(365_000));
    }

    #[test]
    fn after_2024_25_the_component_is_gone() {
        let report = build(&acrl(2025));
        assert_eq!(report.collection_year, "2025-26");
        assert!(report.status.contains("discontinued after 2024-25"), "{}", report.status);
        assert_eq!(report.items[0].ipeds, "AL component discontinued after 2024-25");
    }
}
