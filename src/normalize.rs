//! Wire values to typed rows, and everything that cannot be used to a [`Problem`].
//!
//! LibInsight sends numbers as numbers or as strings, blanks as `""`, single choices as
//! one-element arrays and period keys in more than one style; this module accepts all of that
//! and rejects the rest with a reason and the record or period it came from. Nothing bad
//! becomes a zero.
//!
//! Pure: no I/O, no clock, no logging. The caller decides what to do with problems.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};

use crate::config::{CustomMapping, Granularity, collapse_whitespace};
use crate::fiscal::YearMonth;
use crate::libinsight::wire::{Entries, Libraries};
use crate::libinsight::{Overview, Span};
use crate::model::{GateVisits, Library, Problem, ProblemKey, ServiceCount, ServiceRecord};

/// Rows and problems from one payload.
#[derive(Debug, PartialEq)]
pub struct Normalized<T> {
    pub rows: Vec<T>,
    pub problems: Vec<Problem>,
}

impl<T> Default for Normalized<T> {
    fn default() -> Self {
        Normalized { rows: Vec::new(), problems: Vec::new() }
    }
}

/// The libraries of a gate-count dataset, with ids as integers and a name for each.
pub fn libraries(libraries: &Libraries) -> Normalized<Library> {
    let mut out = Normalized::default();
    let mut seen = HashSet::new();
    for (raw_id, raw_name) in &libraries.0 {
        let Some(id) = whole_number(raw_id) else {
            out.problems.push(Problem {
                subject: format!("library {}", shown(raw_id)),
                reason: "the library id is not a whole number".to_string(),
                key: None,
            });
            continue;
        };
        if !seen.insert(id) {
            continue;
        }
        let name = match raw_name {
            Value::String(name) if !name.trim().is_empty() => collapse_whitespace(name),
            _ => format!("Library {id}"),
        };
        out.rows.push(Library { id, name });
    }
    out
}

/// Visitors per library per period from a gate-count overview. `known` are the dataset's
/// libraries (from `/libraries` and the overview's own map); a count for any other id is a
/// problem.
pub fn gate_visits(overview: &Overview, known: &[Library], grain: Granularity, span: Span) -> Normalized<GateVisits> {
    let known: HashSet<i64> = known.iter().map(|l| l.id).collect();
    let mut out = Normalized::default();
    let mut sums: BTreeMap<(i64, NaiveDate), i64> = BTreeMap::new();
    let mut spoiled: HashSet<(i64, NaiveDate)> = HashSet::new();
    let (usable, duplicated) = periods(&overview.buckets, grain, span, &mut out.problems);
    for (_, period, counts) in duplicated {
        for raw_library in counts.0.iter().map(|(id, _)| id) {
            if let Ok(library_id) = raw_library.trim().parse::<i64>()
                && spoiled.insert((library_id, period))
            {
                out.problems.push(Problem {
                    subject: format!("period {period}, library {library_id}"),
                    reason: "left as stored: the period is sent more than once".to_string(),
                    key: Some(ProblemKey::Gate { library_id, period }),
                });
            }
        }
    }
    for (key, period, counts) in usable {
        for (raw_library, raw_count) in &counts.0 {
            let subject = format!("period {key}, library {raw_library}");
            let Ok(library_id) = raw_library.trim().parse::<i64>() else {
                out.problems.push(Problem {
                    subject,
                    reason: "the library id is not a whole number".to_string(),
                    key: None,
                });
                continue;
            };
            let problem_key = ProblemKey::Gate { library_id, period };
            if !known.contains(&library_id) {
                out.problems.push(Problem {
                    subject,
                    reason: format!("library {library_id} is not one of the dataset's libraries"),
                    key: Some(problem_key),
                });
                continue;
            }
            match count_in_halves(raw_count) {
                Ok(halves) => *sums.entry((library_id, period)).or_insert(0) += halves,
                Err(reason) => {
                    spoiled.insert((library_id, period));
                    out.problems.push(Problem { subject, reason, key: Some(problem_key) });
                }
            }
        }
    }
    out.rows = sums
        .into_iter()
        .filter(|(key, _)| !spoiled.contains(key))
        .map(|((library_id, period), halves)| GateVisits { library_id, period, grain, halves })
        .collect();
    out
}

/// Counts per mode per period from a Reference overview. Mode names are lower-cased with
/// spaces as `_` (`"In Person"` becomes `in_person`); modes almanac does not know are kept
/// under their own name.
pub fn service_counts(overview: &Overview, grain: Granularity, span: Span) -> Normalized<ServiceCount> {
    let mut out = Normalized::default();
    let mut sums: BTreeMap<(NaiveDate, String), i64> = BTreeMap::new();
    let mut spoiled: HashSet<(NaiveDate, String)> = HashSet::new();
    let (usable, duplicated) = periods(&overview.buckets, grain, span, &mut out.problems);
    for (_, period, counts) in duplicated {
        for mode in counts.0.iter().map(|(raw_mode, _)| mode_name(raw_mode)) {
            if !mode.is_empty() && spoiled.insert((period, mode.clone())) {
                out.problems.push(Problem {
                    subject: format!("period {period}, mode {mode}"),
                    reason: "left as stored: the period is sent more than once".to_string(),
                    key: Some(ProblemKey::Service { period, mode }),
                });
            }
        }
    }
    for (key, period, counts) in usable {
        for (raw_mode, raw_count) in &counts.0 {
            let mode = mode_name(raw_mode);
            let subject = format!("period {key}, mode {}", raw_mode.trim());
            if mode.is_empty() {
                out.problems.push(Problem { subject, reason: "the mode has no name".to_string(), key: None });
                continue;
            }
            match whole_count(raw_count) {
                Ok(count) => *sums.entry((period, mode)).or_insert(0) += count,
                Err(reason) => {
                    spoiled.insert((period, mode.clone()));
                    out.problems.push(Problem { subject, reason, key: Some(ProblemKey::Service { period, mode }) });
                }
            }
        }
    }
    out.rows = sums
        .into_iter()
        .filter(|(key, _)| !spoiled.contains(key))
        .map(|((period, mode), count)| ServiceCount { period, grain, mode, count })
        .collect();
    out
}

/// `"In Person"` → `in_person`.
pub fn mode_name(raw: &str) -> String {
    collapse_whitespace(raw).to_lowercase().replace(' ', "_")
}

/// A period bucket of an overview: its key as sent, its first day, and its counts.
type Bucket<'a> = (&'a str, NaiveDate, &'a Entries<Value>);

/// The period buckets of an overview that can be used, in order, and those sent more than
/// once (whose stored rows the caller keeps). Keys that are malformed or outside the
/// requested span become problems.
fn periods<'a>(
    buckets: &'a Entries<Entries<Value>>,
    grain: Granularity,
    span: Span,
    problems: &mut Vec<Problem>,
) -> (Vec<Bucket<'a>>, Vec<Bucket<'a>>) {
    let mut times_seen: HashMap<&str, usize> = HashMap::new();
    for (key, _) in &buckets.0 {
        *times_seen.entry(key.as_str()).or_insert(0) += 1;
    }
    let mut usable = Vec::new();
    let mut duplicated = Vec::new();
    let first_month = YearMonth::of(span.from).first_day();
    let earliest = match grain {
        Granularity::Day => span.from,
        Granularity::Month => first_month,
    };
    for (key, counts) in &buckets.0 {
        let subject = format!("period {key}");
        let period = match parse_period_key(key, grain) {
            Ok(period) => period,
            Err(reason) => {
                problems.push(Problem { subject, reason, key: None });
                continue;
            }
        };
        if period < earliest || period > span.to {
            problems.push(Problem {
                subject,
                reason: format!("the period is outside the requested {} to {}", span.from, span.to),
                key: None,
            });
            continue;
        }
        if times_seen.get(key.as_str()).copied().unwrap_or(0) > 1 {
            if !duplicated.iter().any(|(seen, _, _): &Bucket<'_>| *seen == key.as_str()) {
                problems.push(Problem {
                    subject,
                    reason: "the period is sent more than once; its stored values are kept".to_string(),
                    key: None,
                });
            }
            duplicated.push((key.as_str(), period, counts));
            continue;
        }
        usable.push((key.as_str(), period, counts));
    }
    (usable, duplicated)
}

/// Reads a period key: `YYYY-MM` for months; `YYYY-MM-DD` for days, where an hourly key
/// (`YYYY-MM-DD 9AM`, `YYYY-MM-DD 09AM`, `YYYY-MM-DD 9 AM`) counts toward its day. Returns
/// the first day of the period.
pub fn parse_period_key(key: &str, grain: Granularity) -> Result<NaiveDate, String> {
    let key = key.trim();
    match grain {
        Granularity::Month => {
            let wrong = || format!("the period key `{key}` is not a month (YYYY-MM)");
            if key.len() != 7 || key.as_bytes().get(4) != Some(&b'-') {
                return Err(wrong());
            }
            let year: i32 = key[..4].parse().map_err(|_| wrong())?;
            let month: u32 = key[5..].parse().map_err(|_| wrong())?;
            NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| format!("the period key `{key}` is not a real month"))
        }
        Granularity::Day => {
            let (day_part, hour_part) = match key.split_once(' ') {
                Some((day, hour)) => (day, Some(hour)),
                None => (key, None),
            };
            if day_part.len() != 10 || !is_date_shaped(day_part) {
                return Err(format!("the period key `{key}` is not a day (YYYY-MM-DD)"));
            }
            let day = NaiveDate::parse_from_str(day_part, "%Y-%m-%d")
                .map_err(|_| format!("the period key `{key}` is not a real day"))?;
            if let Some(hour) = hour_part {
                parse_hour(hour)
                    .ok_or_else(|| format!("the period key `{key}` has an hour LibInsight does not write"))?;
            }
            Ok(day)
        }
    }
}

fn is_date_shaped(text: &str) -> bool {
    text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() })
}

/// `9AM`, `09AM`, `9 AM`, `12PM` → the hour of the day (0 to 23).
pub fn parse_hour(text: &str) -> Option<u32> {
    let text = text.trim();
    let upper = text.to_ascii_uppercase();
    let (number, afternoon) = if let Some(n) = upper.strip_suffix("AM") {
        (n.trim(), false)
    } else if let Some(n) = upper.strip_suffix("PM") {
        (n.trim(), true)
    } else {
        return None;
    };
    let hour: u32 = number.parse().ok()?;
    if !(1..=12).contains(&hour) {
        return None;
    }
    Some(match (hour, afternoon) {
        (12, false) => 0,
        (12, true) => 12,
        (h, false) => h,
        (h, true) => h + 12,
    })
}

/// A visitor count in halves: whole numbers and halves (600.5, from a bidirectional gate)
/// are exact; anything else is a reason.
pub fn count_in_halves(value: &Value) -> Result<i64, String> {
    let number = number_of(value)?;
    let halves = number * 2.0;
    if (halves - halves.round()).abs() > 1e-9 {
        return Err(format!("the count {} is neither whole nor a half", shown(value)));
    }
    if halves < 0.0 {
        return Err(format!("the count {} is negative", shown(value)));
    }
    if halves > 9.0e15 {
        return Err(format!("the count {} is too large", shown(value)));
    }
    Ok(halves.round() as i64)
}

/// A whole, non-negative count.
pub fn whole_count(value: &Value) -> Result<i64, String> {
    let number = number_of(value)?;
    if number.fract() != 0.0 {
        return Err(format!("the count {} is not a whole number", shown(value)));
    }
    if number < 0.0 {
        return Err(format!("the count {} is negative", shown(value)));
    }
    if number > 9.0e15 {
        return Err(format!("the count {} is too large", shown(value)));
    }
    Ok(number as i64)
}

fn number_of(value: &Value) -> Result<f64, String> {
    match value {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("the count {n} is not a number")),
        Value::String(text) if text.trim().is_empty() => Err("the count is blank".to_string()),
        Value::String(text) => match text.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err(format!("the count {} is not a number", shown(value))),
        },
        Value::Null => Err("the count is null".to_string()),
        other => Err(format!("the count {} is not a number", shown(other))),
    }
}

fn whole_number(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn shown(value: &Value) -> String {
    let text = match value {
        Value::String(text) => format!("\"{text}\""),
        other => other.to_string(),
    };
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(40).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// What one page of custom-dataset records came to.
#[derive(Debug, Default, PartialEq)]
pub struct CustomPage {
    pub records: Normalized<ServiceRecord>,
    /// Records left out by the dataset's `exclude` rule (directional questions).
    pub excluded: u64,
    /// Mode values that `mode_map` does not know, with how many records had each; they are
    /// counted under `other`.
    pub unmapped: BTreeMap<String, u64>,
    /// Records that carried the mode field at all.
    pub with_mode_field: u64,
    /// Every field label seen, whitespace collapsed.
    pub labels: BTreeSet<String>,
}

/// The mode a record counts under when `mode_map` does not know its value.
pub const OTHER_MODE: &str = "other";

/// Reduces records of a custom dataset to (id, day, mode, count), following `mapping`.
pub fn custom_records(records: &[Map<String, Value>], mapping: &CustomMapping) -> CustomPage {
    let mut page = CustomPage::default();
    let mut ids_seen = HashSet::new();
    for record in records {
        let fields: HashMap<String, &Value> =
            record.iter().map(|(label, value)| (collapse_whitespace(label), value)).collect();
        for label in fields.keys() {
            if !label.starts_with('_') {
                page.labels.insert(label.clone());
            }
        }
        let Some(record_id) = fields.get("_id").and_then(|v| whole_number(v)) else {
            page.records.problems.push(Problem {
                subject: "a record".to_string(),
                reason: format!(
                    "the record has no usable `_id` ({})",
                    fields.get("_id").map_or("missing".to_string(), |v| shown(v))
                ),
                key: None,
            });
            continue;
        };
        let subject = format!("record {record_id}");
        if !ids_seen.insert(record_id) {
            page.records.problems.push(Problem {
                subject,
                reason: "the record appears twice in one page; it is counted once".to_string(),
                key: None,
            });
            continue;
        }
        let mode_values = fields.get(&mapping.mode_field).map(|v| choices(v));
        if mode_values.is_some() {
            page.with_mode_field += 1;
        }
        let problem =
            |reason: String| Problem { subject: subject.clone(), reason, key: Some(ProblemKey::Record(record_id)) };
        let day = match fields.get("_start_date") {
            Some(Value::String(text)) => match record_day(text) {
                Some(day) => day,
                None => {
                    page.records.problems.push(problem(format!("`_start_date` \"{text}\" is not a date")));
                    continue;
                }
            },
            other => {
                let found = other.map_or("missing".to_string(), |v| shown(v));
                page.records.problems.push(problem(format!("`_start_date` is {found}")));
                continue;
            }
        };
        if is_excluded(&fields, mapping) {
            page.excluded += 1;
            continue;
        }
        let count = match &mapping.count_field {
            None => 1,
            Some(field) => match fields.get(field) {
                Some(value) => match whole_count(value) {
                    Ok(count) => count,
                    Err(reason) => {
                        page.records.problems.push(problem(format!("`{field}`: {reason}")));
                        continue;
                    }
                },
                None => {
                    page.records.problems.push(problem(format!("the record has no `{field}` field")));
                    continue;
                }
            },
        };
        let first_value = mode_values.as_ref().and_then(|values| values.first().cloned());
        let mode = match first_value.as_ref().and_then(|v| mapping.mode_map.get(v)) {
            Some(mode) => mode.clone(),
            None => {
                if mode_values.is_some() {
                    let label = first_value.unwrap_or_else(|| "(blank)".to_string());
                    *page.unmapped.entry(label).or_insert(0) += 1;
                }
                OTHER_MODE.to_string()
            }
        };
        page.records.rows.push(ServiceRecord { record_id, day, mode, count });
    }
    page
}

/// A record is left out when its field is not blank and holds only excluded values: a
/// contact that is both directional and reference still counts once.
fn is_excluded(fields: &HashMap<String, &Value>, mapping: &CustomMapping) -> bool {
    mapping.exclude.iter().any(|(field, excluded)| {
        let values = fields.get(field).map(|v| choices(v)).unwrap_or_default();
        !values.is_empty() && values.iter().all(|v| excluded.contains(v))
    })
}

/// The option texts of a field value: `""` and `[]` are none, a string or number is one, an
/// array is its non-blank elements. Whitespace is collapsed.
pub fn choices(value: &Value) -> Vec<String> {
    match value {
        Value::String(text) => {
            let text = collapse_whitespace(text);
            if text.is_empty() { Vec::new() } else { vec![text] }
        }
        Value::Number(n) => vec![n.to_string()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Array(items) => items.iter().flat_map(choices).collect(),
        Value::Null | Value::Object(_) => Vec::new(),
    }
}

/// The local day of `_start_date` (`YYYY-MM-DD HH:MM:SS`; a bare day or minutes are accepted).
fn record_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok().map(|t| t.date()))
        .or_else(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
}

#[cfg(test)]
mod tests;
