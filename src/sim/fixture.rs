//! The simulator's fixture: one institution's clients, datasets and data, as a JSON file.
//!
//! Gate-count datasets hold **readings** as LibInsight stores them (a start and an end reading
//! per library per period, or a count for manual libraries); the simulator computes visitors
//! from them. Reference datasets hold counts per day and mode. Custom datasets hold records
//! exactly as the data grid sends them, quirks included (numbers as strings, `""` blanks,
//! one-element arrays), so a test's fixture shows what goes over the wire.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::faults::FaultRule;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    #[serde(default)]
    pub institution: String,
    pub clients: Vec<ClientFixture>,
    #[serde(default)]
    pub switches: Switches,
    #[serde(default)]
    pub gate_count: Vec<GateCountFixture>,
    #[serde(default)]
    pub reference: Vec<ReferenceFixture>,
    #[serde(default)]
    pub custom: Vec<CustomFixture>,
    #[serde(default)]
    pub faults: Vec<FaultRule>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientFixture {
    pub client_id: String,
    pub client_secret: String,
}

/// The parts of LibInsight's behaviour the evidence leaves open, as switches (see the
/// simulator spec in `research/libinsight-api.md`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Switches {
    /// `expires_in` of issued tokens, in seconds; tokens also stop working after it.
    pub token_ttl_seconds: u64,
    /// A token stops working after this many data calls (to expire tokens mid-run).
    pub token_max_calls: Option<u32>,
    /// The HTTP status of an auth error on a data route: 401 (default) or 200.
    pub auth_error_status: u16,
    /// Longest `from`..`to` span, days counted inclusively.
    pub max_range_days: i64,
    /// Records per data-grid page.
    pub page_size: usize,
    /// `total_pages` for an empty result: 1 (default) or 0.
    pub empty_total_pages: u64,
    /// How a bidirectional gate's odd half is sent.
    pub half_rounding: HalfRounding,
    /// `libraries` as an id-to-name map instead of a list of `{id, name}`.
    pub libraries_as_map: bool,
    /// Overview counts sent as numeric strings.
    pub numbers_as_strings: bool,
    /// Hourly bucket keys: `9AM` (default), `09AM` or `9 AM`.
    pub hour_key_style: HourKeyStyle,
    /// Added to every data request, in milliseconds (LibInsight is not fast).
    pub latency_ms: u64,
}

impl Default for Switches {
    fn default() -> Self {
        Switches {
            token_ttl_seconds: 3600,
            token_max_calls: None,
            auth_error_status: 401,
            max_range_days: 366,
            page_size: 100,
            empty_total_pages: 1,
            half_rounding: HalfRounding::Floor,
            libraries_as_map: false,
            numbers_as_strings: false,
            hour_key_style: HourKeyStyle::NoLeadingZero,
            latency_ms: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HalfRounding {
    Floor,
    Round,
    KeepFraction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HourKeyStyle {
    NoLeadingZero,
    Padded,
    Spaced,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateCountFixture {
    pub id: u32,
    #[serde(default)]
    pub name: String,
    /// Hourly readings are keyed `YYYY-MM-DD HH` (24-hour), daily `YYYY-MM-DD`, monthly
    /// `YYYY-MM`.
    pub mode: RecordingMode,
    pub libraries: Vec<LibraryFixture>,
    /// Readings per library id.
    #[serde(default)]
    pub readings: std::collections::BTreeMap<String, Vec<Reading>>,
    /// When set, `overview` answers with this payload verbatim (for malformed-data tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_overview: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingMode {
    Hourly,
    Daily,
    Monthly,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryFixture {
    pub id: i64,
    pub name: String,
    pub method: CountMethod,
    /// The counter's modulus: it shows 0 to `rollover − 1` and then wraps to 0.
    #[serde(default = "default_rollover")]
    pub rollover: i64,
}

fn default_rollover() -> i64 {
    1_000_000
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountMethod {
    Manual,
    Unidirectional,
    Bidirectional,
}

/// One reading: `[period, start]` for a manual library (the count itself), or
/// `[period, start, end]` for counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Reading {
    Counter(String, i64, i64),
    Count(String, i64),
}

impl Reading {
    pub fn period(&self) -> &str {
        match self {
            Reading::Counter(period, _, _) | Reading::Count(period, _) => period,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceFixture {
    pub id: u32,
    #[serde(default)]
    pub name: String,
    /// `[day, mode, count]` triples.
    #[serde(default)]
    pub counts: Vec<(String, String, i64)>,
    /// When set, `overview` answers with this payload verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_overview: Option<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomFixture {
    pub id: u32,
    #[serde(default)]
    pub name: String,
    /// Records as the data grid sends them: `_id`, `_start_date`, `_entered_by`, then every
    /// field under its label.
    #[serde(default)]
    pub records: Vec<Map<String, Value>>,
}

#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot read the fixture {}", path.display())]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the fixture {} is not valid", path.display())]
    Parse {
        path: std::path::PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

impl Fixture {
    pub fn load(path: &Path) -> Result<Fixture, FixtureError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| FixtureError::Read { path: path.to_path_buf(), source })?;
        serde_json::from_str(&text).map_err(|source| FixtureError::Parse { path: path.to_path_buf(), source })
    }
}
