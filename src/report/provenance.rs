//! Where a report's numbers come from and how fresh they are: for every dataset that feeds
//! it, the end of its last successful import; and a warning for a dataset that was never
//! imported or whose last import failed.

use super::Ordered;
use crate::store::{self, Store};

/// One dataset's freshness, from the store's run records and the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `profile/dataset id`.
    pub label: String,
    /// `gate-count`, `reference` or `custom`.
    pub kind: String,
    /// The end of the last successful import (RFC 3339, UTC).
    pub last_success: Option<String>,
    pub last_failed: bool,
}

/// The freshness of every dataset the config names or the store holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    pub sources: Vec<Source>,
}

/// A dataset the config names: (profile, dataset id, kind).
pub type Configured<'a> = (&'a str, u32, &'static str);

impl Provenance {
    /// Reads the store's run records and adds the configured datasets it has never seen.
    pub fn gather(store: &Store, configured: &[Configured<'_>]) -> Result<Provenance, store::Error> {
        let mut sources: Vec<Source> = store
            .dataset_freshness()?
            .into_iter()
            .map(|f| Source {
                label: format!("{}/{}", f.profile, f.dataset_id),
                kind: f.kind,
                last_success: f.last_success,
                last_failed: f.last_failed,
            })
            .collect();
        for (profile, id, kind) in configured {
            let label = format!("{profile}/{id}");
            if !sources.iter().any(|s| s.label == label) {
                sources.push(Source { label, kind: kind.to_string(), last_success: None, last_failed: false });
            }
        }
        Ok(Provenance { sources })
    }

    /// `data_as_of` for the datasets of these kinds, and the warnings about them.
    pub fn of_kinds(&self, kinds: &[&str]) -> (Ordered<Option<String>>, Vec<String>) {
        let mut as_of = Vec::new();
        let mut warnings = Vec::new();
        for source in self.sources.iter().filter(|s| kinds.contains(&s.kind.as_str())) {
            as_of.push((source.label.clone(), source.last_success.clone()));
            match (&source.last_success, source.last_failed) {
                (None, false) => warnings.push(format!("dataset {} has never been imported", source.label)),
                (None, true) => warnings.push(format!("dataset {} has never been imported successfully", source.label)),
                (Some(when), true) => warnings
                    .push(format!("the last import of dataset {} failed; its data is as of {when}", source.label)),
                (Some(_), false) => {}
            }
        }
        (Ordered(as_of), warnings)
    }
}

/// The "Data as of" line of a table or CSV.
pub fn as_of_note(as_of: &Ordered<Option<String>>) -> String {
    if as_of.0.is_empty() {
        return "Data as of: no dataset".to_string();
    }
    let parts: Vec<String> = as_of
        .0
        .iter()
        .map(|(label, when)| format!("{label} {}", when.as_deref().map_or("never imported".to_string(), shown_time)))
        .collect();
    format!("Data as of (last successful import): {}", parts.join("; "))
}

/// `2026-12-04T15:21:01.123Z` → `2026-12-04 15:21 UTC`.
pub fn shown_time(stamp: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| stamp.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(label: &str, kind: &str, last_success: Option<&str>, last_failed: bool) -> Source {
        Source {
            label: label.to_string(),
            kind: kind.to_string(),
            last_success: last_success.map(String::from),
            last_failed,
        }
    }

    #[test]
    fn never_imported_and_failed_datasets_are_warned_about() {
        let provenance = Provenance {
            sources: vec![
                source("main/1", "gate-count", Some("2026-12-04T10:00:00.000Z"), false),
                source("main/2", "gate-count", None, false),
                source("main/3", "gate-count", Some("2026-11-01T10:00:00.000Z"), true),
                source("main/4", "reference", None, false),
            ],
        };
        let (as_of, warnings) = provenance.of_kinds(&["gate-count"]);
        assert_eq!(as_of.0.len(), 3);
        assert_eq!(as_of.get("main/2"), Some(&None));
        assert_eq!(
            warnings,
            [
                "dataset main/2 has never been imported".to_string(),
                "the last import of dataset main/3 failed; its data is as of 2026-11-01T10:00:00.000Z".to_string(),
            ]
        );
        assert!(as_of_note(&as_of).contains("main/1 2026-12-04 10:00 UTC; main/2 never imported"));
    }
}
