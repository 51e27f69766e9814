//! Fault injection: rules that make a route misbehave the way public clients report
//! LibInsight (and networks) misbehaving, always, the first N times, or on the Nth call.
//!
//! Rules come from the fixture or are added by a test at run time; each counts the calls it
//! matched, so `first` and `nth` are per rule.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// The route label (`token`, `gate-count/libraries`, `gate-count/overview`,
    /// `reference/overview`, `custom-dataset/data-grid`), or `*` for every data route.
    pub route: String,
    /// Only requests for this dataset id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<u32>,
    #[serde(default)]
    pub when: When,
    pub fault: Fault,
}

/// Which of the matching calls a rule fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    #[default]
    Always,
    /// The first N matching calls.
    First(u32),
    /// Only the Nth matching call (1-based).
    Nth(u32),
}

impl When {
    pub fn fires_on(self, call: u32) -> bool {
        match self {
            When::Always => true,
            When::First(n) => call <= n,
            When::Nth(n) => call == n,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fault {
    /// An HTTP status with an HTML page, an empty body, or the given text.
    Status {
        status: u16,
        #[serde(default)]
        body: FaultBody,
    },
    /// `{"type": "error", "payload": {"message": …}}` with the given status (200 by default).
    ErrorEnvelope {
        #[serde(default = "ok_status")]
        status: u16,
        message: String,
    },
    /// The normal answer, after a delay (longer than the client's timeout, typically).
    Delay { ms: u64 },
    /// The normal answer, once the test releases held requests (`SimHandle::release_holds`):
    /// keeps an import parked mid-dataset without guessing at timings.
    Hold,
    /// The connection closes without an answer.
    Drop,
    /// The normal body cut in half.
    Truncate,
    /// A UTF-8 byte-order mark before the normal JSON.
    Bom,
    /// The normal JSON sent as `Content-Type: text/html`.
    HtmlContentType,
    /// 429 Too Many Requests with this `Retry-After` (seconds or an HTTP date).
    RateLimit { retry_after: String },
    /// The presented access token is treated as expired.
    ExpireToken,
    /// Before answering, this record is added to the custom dataset (as if someone entered
    /// it between two page fetches).
    InsertRecord { record: serde_json::Map<String, Value> },
}

fn ok_status() -> u16 {
    200
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultBody {
    #[default]
    Html,
    Empty,
    Text(String),
}

/// A rule and how many calls it has matched.
#[derive(Debug, Clone)]
pub struct ArmedRule {
    pub rule: FaultRule,
    pub matched: u32,
}

impl ArmedRule {
    pub fn new(rule: FaultRule) -> ArmedRule {
        ArmedRule { rule, matched: 0 }
    }

    /// Counts the call if it matches the rule's route and dataset; says whether it fires.
    pub fn consider(&mut self, route: &str, dataset: Option<u32>) -> bool {
        let route_matches = self.rule.route == route || (self.rule.route == "*" && route != "token");
        let dataset_matches = self.rule.dataset.is_none() || self.rule.dataset == dataset;
        if !(route_matches && dataset_matches) {
            return false;
        }
        self.matched += 1;
        self.rule.when.fires_on(self.matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(route: &str, dataset: Option<u32>, when: When) -> ArmedRule {
        ArmedRule::new(FaultRule { route: route.to_string(), dataset, when, fault: Fault::Drop })
    }

    #[test]
    fn first_n_fires_on_the_first_n_matching_calls_only() {
        let mut armed = rule("gate-count/overview", None, When::First(2));
        let fired: Vec<bool> = (0..4).map(|_| armed.consider("gate-count/overview", Some(1))).collect();
        assert_eq!(fired, [true, true, false, false]);
    }

    #[test]
    fn nth_fires_once_and_other_routes_do_not_count() {
        let mut armed = rule("custom-dataset/data-grid", Some(7), When::Nth(2));
        assert!(!armed.consider("token", None));
        assert!(!armed.consider("custom-dataset/data-grid", Some(8)));
        assert!(!armed.consider("custom-dataset/data-grid", Some(7)));
        assert!(armed.consider("custom-dataset/data-grid", Some(7)));
        assert!(!armed.consider("custom-dataset/data-grid", Some(7)));
    }

    #[test]
    fn a_star_rule_matches_data_routes_but_not_the_token() {
        let mut armed = rule("*", None, When::Always);
        assert!(!armed.consider("token", None));
        assert!(armed.consider("reference/overview", Some(3)));
    }

    #[test]
    fn rules_read_from_json() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"route": "token", "when": {"first": 2}, "fault": {"kind": "status", "status": 503}}"#,
        )
        .expect("valid");
        assert_eq!(rule.when, When::First(2));
        assert_eq!(rule.fault, Fault::Status { status: 503, body: FaultBody::Html });
    }
}
